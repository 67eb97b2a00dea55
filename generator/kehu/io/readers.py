"""Reading a spreadsheet or CSV file into sheets of raw cell values.

xlsx, xlsm, xlsb, xls and ods go through python-calamine (a maintained Rust
reader for every Excel and OpenDocument format, and about ten times faster than
openpyxl on large files); CSV and tab-separated text through the csv module after
the encoding has been detected. Values stay raw here (a phone number may be the
float 13800138000.0, a date a ``datetime.date`` or an Excel serial number):
``values`` cleans them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..util.errors import KehuError
from .cells import from_cell
from .encoding import EncodingError, decode

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SUFFIXES = SPREADSHEET_SUFFIXES + TEXT_SUFFIXES


class ReadError(KehuError, ValueError):
    """A file that cannot be read as a table: ``message`` says why, ``hint`` what to do."""


@dataclass
class Sheet:
    """One table: ``rows[i]`` is spreadsheet row ``i + 1`` (1-based, as Excel numbers rows)."""

    source: str            # the file's name, as given
    name: str              # the sheet name; for a CSV file, its stem
    rows: list[list[Any]] = field(default_factory=list)
    encoding: str | None = None  # CSV only

    @property
    def label(self) -> str:
        return self.name if self.source.endswith(SPREADSHEET_SUFFIXES) else Path(self.source).name


def read_file(path: Path, sheets: tuple[str, ...] = (), encoding: str | None = None) -> list[Sheet]:
    """Every (visible) sheet of ``path``, or only those named in ``sheets``."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ReadError.coded("read-missing", path=path)
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_workbook(path, sheets)
    if suffix in TEXT_SUFFIXES:
        return [_read_text(path, encoding)]
    raise ReadError.coded("read-kind", path=path, kind=suffix or path.name, kinds=" ".join(SUFFIXES))


def read_paths(paths: list[Path], sheets: tuple[str, ...] = (), encoding: str | None = None) -> list[Sheet]:
    """Files, and folders of files (an exported CSV folder), in the order given."""
    out: list[Sheet] = []
    for path in paths:
        if path.is_dir():
            inner = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()
                           and not p.name.startswith((".", "~$")))
            if not inner:
                raise ReadError.coded("read-empty-folder", path=path, kinds=" ".join(SUFFIXES))
            for p in inner:
                out.extend(read_file(p, sheets, encoding))
        else:
            out.extend(read_file(path, sheets, encoding))
    if sheets:
        found = {s.name for s in out}
        missing = [s for s in sheets if s not in found]
        if missing:
            raise ReadError.coded("read-no-sheet", missing=" ".join(missing), found=" ".join(sorted(found)))
    return out


def _read_workbook(path: Path, wanted: tuple[str, ...]) -> list[Sheet]:
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    from .sheetbounds import check_bounds

    check_bounds(path)  # the reader allocates a sheet's whole used range at once: measured first, bounded
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as e:
        raise ReadError.coded("read-bad-workbook", path=path, detail=e) from None
    out = []
    try:
        for meta in book.sheets_metadata:
            if wanted and meta.name not in wanted:
                continue
            if not wanted and meta.visible != SheetVisibleEnum.Visible:
                continue  # hidden helper sheets (dropdown lists) are not data
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            out.append(Sheet(str(path), meta.name, [[from_cell(v) for v in r] for r in rows]))
    except (CalamineError, ValueError) as e:
        raise ReadError.coded("read-bad-sheets", path=path, detail=e) from None
    finally:
        book.close()
    return out


def _read_text(path: Path, encoding: str | None) -> Sheet:
    from .sheetbounds import check_bounds

    check_bounds(path)  # its size: a text file is read whole
    raw = path.read_bytes()
    try:
        text, used = decode(raw, encoding)
    except EncodingError as e:
        raise ReadError.coded("read-encoding-as" if e.args and e.args[0] else "read-encoding", path=path,
                              codec=e.args[0] if e.args else "") from None
    if text.startswith("\ufeff"):  # a BOM the codec kept (explicit --encoding utf-8 on a BOM file)
        text = text[1:]
    delimiter = _delimiter(text, path.suffix.lower())
    try:
        rows = [[from_cell(v) for v in r] for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as e:
        raise ReadError.coded("read-bad-csv", path=path, detail=e) from None
    return Sheet(str(path), path.stem, rows, used)


def _delimiter(text: str, suffix: str) -> str:
    """Tab for .tsv; otherwise whichever of , tab ; | the header line holds most (headers rarely
    contain one), comma on a tie. csv.Sniffer guesses wrongly on short Chinese files."""
    if suffix == ".tsv":
        return "\t"
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","
