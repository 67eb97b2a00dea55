"""Rows -> drafts, first step: which row of a sheet holds the headers, what each column is, which rows hold
data, and the preview's warnings about columns whose values do not look like their header."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from ..core.values import CellError, clean_text, looks_like_date, parse_date
from ..core.values import is_empty as cell_empty
from ..words.catalogue import Locale
from .columns import KINDS, SheetMap, find_header_row, is_derived_header, kind_of_sheet, recognise
from .drafts import SheetError
from .mapping import Mapping
from .readers import Sheet

KIND_ORDER = {k: i for i, k in enumerate(KINDS)}  # customers first: the other sheets name them

# what a column should hold, for the column-type warnings of the preview
_EXPECTED_TYPE = {
    **dict.fromkeys(("annual_value", "budget", "repurchase_rate", "deal.amount"), "amount"),
    **dict.fromkeys(("name", "needs", "decision_process", "contact.name", "contact.title", "interaction.summary",
                     "deal.product", "complaint.content"), "text"),
    **dict.fromkeys(("created", "cooperation_since", "quiet_until", "next_action.date", "deal.signed",
                     "interaction.date", "survey.date", "complaint.date", "complaint.resolved"), "date"),
}


def map_sheet(sheet: Sheet, mapping: Mapping, index: dict[str, str]) -> SheetMap | None:
    """The header row and column mapping of one sheet; None for an empty sheet."""
    if is_derived_header(sheet.name) or not any(any(not cell_empty(c) for c in row) for row in sheet.rows):
        return None  # empty, or computed by kehu (an export's 待跟进（自动） sheet)
    if mapping.header_row:
        header_at: int | None = mapping.header_row - 1
    else:
        header_at = find_header_row(sheet.rows, index)
    if header_at is None or header_at >= len(sheet.rows):
        raise SheetError.coded("import-no-header", sheet=sheet.label)
    kind = mapping.sheets.get(sheet.name) or kind_of_sheet(sheet.name)
    smap = recognise(sheet.rows[header_at], index, kind, mapping.columns)
    smap.header_row = header_at + 1
    if not smap.paths() & {"name", "id"}:
        raise SheetError.coded("import-no-name-column", sheet=sheet.label)
    return smap


def data_rows(sheet: Sheet, smap: SheetMap) -> Iterator[tuple[int, list[Any]]]:
    """(spreadsheet row number, cells) of every row under the header that holds anything."""
    for i in range(smap.header_row, len(sheet.rows)):
        cells = sheet.rows[i]
        if all(cell_empty(c) for c in cells):
            continue  # blank rows between blocks
        yield i + 1, cells


def column_type_warnings(sheet: Sheet, smap: SheetMap, msgs: Locale) -> list[str]:
    """Column-type sanity for the preview: dates in a column of amounts or text, or values that are
    not dates in a date column — usually a shifted or mislabelled column."""
    out = []
    for col in smap.columns:
        expected = _EXPECTED_TYPE.get(col.path or "")
        if expected is None:
            continue
        odd: list[tuple[int, Any]] = []
        for number, cells in data_rows(sheet, smap):
            value = cells[col.index] if col.index < len(cells) else None
            if cell_empty(value):
                continue
            is_date = looks_like_date(value) or (expected == "date" and _parses_as_date(value))
            if is_date != (expected == "date"):
                odd.append((number, value))
        if odd:
            found = "text" if expected == "date" else "date"
            out.append(msgs.word("column_type", sheet=sheet.label, column=col.header,
                            expected=msgs.word(f"type.{expected}"), n=len(odd),
                            found=msgs.word(f"type.{found}"), row=odd[0][0], value=shown(odd[0][1])))
    return out


def shown(value: Any) -> str:
    """A cell as a message quotes it (a date as ISO text)."""
    if isinstance(value, dt.datetime | dt.date):
        return parse_date(value).isoformat()
    return clean_text(value) or ""


def _parses_as_date(value: Any) -> bool:
    try:
        parse_date(value)
    except CellError:
        return False
    return True
