"""Moving in and out: spreadsheets and CSV files in, csv/xlsx/json/ics/sqlite out.

- ``encoding`` and ``readers`` turn a file (xlsx, xls, ods, csv in UTF-8, UTF-8
  with BOM or GBK/GB18030) into sheets of raw cell values;
- ``columns`` knows every column a team's spreadsheet may have (Chinese and
  English headers) and which field of a customer file it fills; it is shared
  with the exporters, so an export always imports back;
- ``values`` turns one messy cell into the value the schema expects;
- ``plan`` turns sheets into an import plan (new, updated and unchanged
  customers, merged duplicates, rejected rows) without writing anything, and
  ``apply`` writes it through ``kehu.store.write``;
- ``export`` writes the repository out.
"""
