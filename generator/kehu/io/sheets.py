"""Rows -> drafts, first step: which row of a sheet holds the headers, which known export it is, what each
column is (and, for a date column, how it writes day and month), which rows hold data — title, group-header,
blank, summary and repeated header rows are skipped and counted — and the preview's warnings about columns
whose values do not look like their header or disagree by orders of magnitude."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..core.values import (
    CellError,
    clean_text,
    date_order_of,
    has_numeric_date,
    looks_like_date,
    parse_date,
    parse_number,
)
from ..core.values import is_empty as cell_empty
from ..words.catalogue import Locale
from ..words.input_words import any_of, chars, section
from .columns import (
    DATE_PATHS,
    KINDS,
    MONEY,
    SheetMap,
    find_header_row,
    hkey,
    is_derived_header,
    kind_of_sheet,
    recognise,
)
from .drafts import RowRef, SheetError
from .mapping import Mapping
from .profiles import profiles, recognise_export
from .readers import Sheet

SKIPPED_KINDS = ("title", "group_header", "blank", "summary", "header_again")


@dataclass
class Skipped:
    """The rows of one import that hold no record: kind (SKIPPED_KINDS) -> the rows."""

    rows: dict[str, list[RowRef]] = field(default_factory=lambda: {k: [] for k in SKIPPED_KINDS})

    def add(self, kind: str, ref: RowRef) -> None:
        self.rows[kind].append(ref)

    def total(self) -> int:
        return sum(len(v) for v in self.rows.values())

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
    export = recognise_export(sheet.rows[header_at])
    kind = mapping.sheets.get(sheet.name) or (export.kind if export is not None else kind_of_sheet(sheet.name))
    smap = recognise(sheet.rows[header_at], index, kind, mapping.columns, export)
    smap.header_row = header_at + 1
    smap.export = export.id if export is not None else None
    if not smap.paths() & {"name", "id"} and not (export is not None and export.person_customers):
        raise SheetError.coded("import-no-name-column", sheet=sheet.label)
    _date_orders(sheet, smap, export.dates if export is not None else None)
    return smap


def _date_orders(sheet: Sheet, smap: SheetMap, default: str | None) -> None:
    """How each date column writes day and month, where its dates are 03/04/2025-like: as one of its dates
    shows (31/05/2025: day first), else as the export writes them, else month first (as US systems do)."""
    for col in smap.columns:
        if col.path not in DATE_PATHS:
            continue
        values = [r[col.index] for r in sheet.rows[smap.header_row:] if col.index < len(r)]
        if not has_numeric_date(values):
            continue
        told = date_order_of(values)
        col.date_order, col.order_told = (told, True) if told else (default if default in ("dmy", "mdy") else "mdy",
                                                                   False)


@lru_cache(maxsize=1)
def _summary_start() -> re.Pattern[str]:
    cells = section("cells")
    counters = any_of(cells["summary_counters"])
    after = rf"(?:$|[\s\d{chars(cells['summary_after'])}]|{counters})"
    return re.compile(rf"^(?:{any_of(w.casefold() for w in cells['summary_rows'])}){after}"
                      rf"|^(?:{any_of(cells['summary_all'])})\s*\d+\s*(?:{counters})", re.I)


def is_summary_row(cells: list[Any]) -> bool:
    """合计：151 条, 总计 / 小计, Total: 33 records, 共 151 条 in one of the row's first two filled cells, with at
    most half of the row filled (a summary holds a label and a few sums, a customer row its fields)."""
    limit = max(2, len(cells) // 2)
    filled: list[Any] = []
    for cell in cells:  # a customer row is over the limit within its first cells: no need to read them all
        if not cell_empty(cell):
            filled.append(cell)
            if len(filled) > limit:
                return False
    if not filled:
        return False
    pattern = _summary_start()
    for cell in filled[:2]:
        text = unicodedata.normalize("NFKC", clean_text(cell) or "").strip()
        if isinstance(cell, str) and pattern.match(text.casefold()):
            return True
    return False


def data_rows(sheet: Sheet, smap: SheetMap, skipped: Skipped | None = None) -> Iterator[tuple[int, list[Any]]]:
    """(spreadsheet row number, cells) of every row under the header that holds a record; the others — the
    title and group-header rows above the header, blank rows, summary rows (合计) and the header repeated
    (each page of a printed export) — are counted in ``skipped``."""
    if skipped is not None:
        for i in range(smap.header_row - 1):
            filled = sum(1 for c in sheet.rows[i] if not cell_empty(c))
            if filled:
                skipped.add("title" if filled == 1 else "group_header", RowRef(sheet.label, i + 1))
    header = [hkey(c.header) for c in smap.columns]
    last = max((i for i, r in enumerate(sheet.rows) if not all(cell_empty(c) for c in r)), default=-1)
    for i in range(smap.header_row, last + 1):
        cells = sheet.rows[i]
        ref = RowRef(sheet.label, i + 1)
        if all(cell_empty(c) for c in cells):
            if skipped is not None:
                skipped.add("blank", ref)  # blank rows between blocks (trailing ones are no rows at all)
            continue
        if is_summary_row(cells):
            if skipped is not None:
                skipped.add("summary", ref)
            continue
        if header and _repeats_header(cells, smap, header):
            if skipped is not None:
                skipped.add("header_again", ref)
            continue
        yield i + 1, cells


def _repeats_header(cells: list[Any], smap: SheetMap, header: list[str]) -> bool:
    """The header row again (each page of a printed export repeats it): most cells are their column's header.
    Only a row whose first column holds text is compared cell by cell."""
    first = smap.columns[0]
    if first.index >= len(cells) or not isinstance(cells[first.index], str) or hkey(cells[first.index]) != header[0]:
        return False
    same = sum(1 for c, h in zip(smap.columns, header, strict=True) if c.index < len(cells) and
               isinstance(cells[c.index], str) and hkey(cells[c.index]) == h)
    return same * 2 > len(header)


def magnitude_warnings(sheet: Sheet, smap: SheetMap, msgs: Locale, factor: int,
                       rows: list[tuple[int, list[Any]]] | None = None) -> list[str]:
    """An amount column whose values disagree by orders of magnitude (5.3 among 189,000s: a 万元 column read as
    yuan, or a cell in another unit): one warning naming the rows (``factor``: imports.magnitude_factor).
    ``rows``: the sheet's :func:`data_rows` when the caller has them already (read once, not once a column)."""
    out = []
    rows = list(data_rows(sheet, smap)) if rows is None else rows
    for col in smap.columns:
        if col.path not in MONEY:
            continue
        values: list[tuple[int, Any, float]] = []
        for number, cells in rows:
            value = cells[col.index] if col.index < len(cells) else None
            if cell_empty(value):
                continue
            try:
                amount = float(parse_number(value, col.unit or 1))
            except CellError:
                continue
            if amount > 0:
                values.append((number, value, amount))
        if len(values) < 3:
            continue
        middle = statistics.median(a for _, _, a in values)
        odd = [(n, v, a) for n, v, a in values if a * factor <= middle or a >= middle * factor]
        if odd:
            listed = msgs.word("sep").join(str(n) for n, _, _ in odd[:10]) + ("…" if len(odd) > 10 else "")
            _, v, a = odd[0]
            out.append(msgs.word("magnitude", sheet=sheet.label, column=col.header, rows=listed, n=len(odd),
                                 value=shown(v), amount=f"{a:,.0f}", median=f"{middle:,.0f}"))
    return out


def column_type_warnings(sheet: Sheet, smap: SheetMap, msgs: Locale,
                         rows: list[tuple[int, list[Any]]] | None = None) -> list[str]:
    """Column-type sanity for the preview: dates in a column of amounts or text, or values that are
    not dates in a date column — usually a shifted or mislabelled column. ``rows`` as for
    :func:`magnitude_warnings`."""
    out = []
    rows = list(data_rows(sheet, smap)) if rows is None else rows
    for col in smap.columns:
        expected = _EXPECTED_TYPE.get(col.path or "")
        if expected is None:
            continue
        odd: list[tuple[int, Any]] = []
        for number, cells in rows:
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


def export_of(smap: SheetMap) -> Any:
    """The known export (io.profiles.Profile) a sheet was recognised as, or None."""
    return profiles().get(smap.export) if smap.export else None


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
