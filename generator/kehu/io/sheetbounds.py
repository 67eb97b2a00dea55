"""How big a spreadsheet really is, found out before it is read.

A spreadsheet reader allocates the whole used range of a sheet at once: from A1 to the farthest cell that holds
anything. A 1.7 KB xlsx with one value at XFD1048576 asks for 17 billion cells (the Rust reader then aborts the
process, signal 6, without a word), a value at Z1048576 costs 40 s and 1.25 GB, a 1 KB change to an .xls 1.2 GB,
and a 1.5 MB workbook whose shared strings unpack to 1.5 GB aborts the same way. So before the reader sees a file,
this module measures it with bounded work — the file's size, the unpacked size of every part of a zip-based
workbook, and the farthest row and column that hold a value, read from the sheets' own records in one streaming
pass — and refuses, in one line that says why and what to do, a file beyond the limits below. The limits are far
above any real customer list (a 100,000-row export of 50 columns is 5 million cells).
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree
from xml.parsers import expat

from ..util.errors import KehuError

MAX_FILE_BYTES = 200 * 1024 * 1024       # the file as it is on disk
MAX_UNPACKED_BYTES = 256 * 1024 * 1024   # every part of an xlsx / xlsb / ods, unpacked
MAX_PART_RATIO = 500                     # a part over 1 MB unpacking to more than 500× its packed size: a bomb
MAX_CELLS = 10_000_000                   # rows × columns of a sheet's used range (what the reader allocates)


class TooLarge(KehuError, ValueError):
    """A spreadsheet beyond a limit of this module (worded by the catalogue's ``read-too-*`` entries)."""


def check_bounds(path: Path) -> None:
    """Refuse ``path`` (one line: :class:`TooLarge`) when reading it would take unbounded memory or time."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise TooLarge.coded("read-too-big", path=path.name, mb=_mb(size), limit=_mb(MAX_FILE_BYTES))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xlsb", ".ods"):
        _check_zip(path, suffix)
    elif suffix == ".xls":
        try:
            extent = _xls_extent(path.read_bytes())
        except (struct.error, IndexError, ValueError):  # a broken container: the reader says what is wrong
            return
        _check_cells(path, "", extent)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}"


def _cell_name(row: int, col: int) -> str:
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters or 'A'}{row}"


def _check_cells(path: Path, sheet: str, extent: tuple[int, int]) -> None:
    rows, cols = extent
    if rows * cols > MAX_CELLS:
        raise TooLarge.coded("read-too-many-cells", path=path.name, sheet=sheet or "—", cell=_cell_name(rows, cols),
                             cells=f"{rows * cols:,}", limit=f"{MAX_CELLS:,}")


# --- zip-based workbooks: the unpacked sizes, then the sheets -------------------------------------------------


def _check_zip(path: Path, suffix: str) -> None:
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: the reader says it is no spreadsheet
    with book:
        parts = book.infolist()
        unpacked = sum(p.file_size for p in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            raise TooLarge.coded("read-too-unpacked", path=path.name, mb=_mb(unpacked), limit=_mb(MAX_UNPACKED_BYTES))
        for p in parts:
            if p.file_size > 1024 * 1024 and p.file_size > MAX_PART_RATIO * max(p.compress_size, 1):
                raise TooLarge.coded("read-too-unpacked", path=path.name, mb=_mb(p.file_size),
                                     limit=_mb(MAX_PART_RATIO * max(p.compress_size, 1)))
        for p in parts:
            name = p.filename
            if suffix in (".xlsx", ".xlsm") and re.fullmatch(r"xl/worksheets/[^/]+\.xml", name):
                _check_cells(path, Path(name).stem, _xml_extent(book, name))
            elif suffix == ".xlsb" and re.fullmatch(r"xl/worksheets/[^/]+\.bin", name):
                _check_cells(path, Path(name).stem, _xlsb_extent(book.read(name)))
            elif suffix == ".ods" and name == "content.xml":
                for sheet, extent in _ods_extents(book, name):
                    _check_cells(path, sheet, extent)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _xml_extent(book: zipfile.ZipFile, name: str) -> tuple[int, int]:
    """The farthest row and column of an xlsx sheet: its declared ``<dimension>``, every row and cell reference,
    and (for rows and cells written without one) their count — one streaming pass of the parser alone (no
    element tree is built: 10,000 rows of 50 columns in well under a second)."""
    found = {"rows": 0, "cols": 0, "row_count": 0, "cells_in_row": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = tag.rpartition("}")[2]
        if tag == "c":
            found["cells_in_row"] += 1
            m = _REF.fullmatch(attrs.get("r") or "")
            if m:
                found["cols"] = max(found["cols"], _col_number(m.group(1)))
                found["rows"] = max(found["rows"], int(m.group(2)))
            found["cols"] = max(found["cols"], found["cells_in_row"])
        elif tag == "row":
            found["row_count"] += 1
            found["cells_in_row"] = 0
            r = attrs.get("r")
            found["rows"] = max(found["rows"], int(r) if r and r.isdigit() else found["row_count"])
            found["row_count"] = max(found["row_count"], found["rows"])
        elif tag == "dimension":
            for ref in (attrs.get("ref") or "").split(":"):
                m = _REF.fullmatch(ref)
                if m:
                    found["cols"] = max(found["cols"], _col_number(m.group(1)))
                    found["rows"] = max(found["rows"], int(m.group(2)))

    parser = expat.ParserCreate(namespace_separator="}")  # element names arrive as "namespace}local"
    parser.StartElementHandler = start
    try:
        with book.open(name) as stream:
            parser.ParseFile(stream)
    except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        pass  # the reader says what is wrong with it
    return found["rows"], found["cols"]


def _ods_extents(book: zipfile.ZipFile, name: str) -> Iterator[tuple[str, tuple[int, int]]]:
    """Per table of an OpenDocument spreadsheet: the farthest row and column holding a value, with repeated rows
    and cells expanded as the reader expands them (LibreOffice's trailing empty repeats hold none)."""
    try:
        with book.open(name) as stream:
            sheet, row, col, rows, cols, filled, repeat_row = "", 0, 0, 0, 0, False, 1
            for event, elem in ElementTree.iterparse(stream, events=("start", "end")):
                tag = _local(elem.tag)
                if event == "start":
                    if tag == "table":
                        sheet, row, rows, cols = _attr(elem, "name") or "", 0, 0, 0
                    elif tag == "table-row":
                        col, filled = 0, False
                        repeat_row = _count(_attr(elem, "number-rows-repeated"))
                    continue
                if tag in ("table-cell", "covered-table-cell"):
                    repeat = _count(_attr(elem, "number-columns-repeated"))
                    col += repeat
                    if _attr(elem, "value-type") is not None or len(elem) or (elem.text or "").strip():
                        cols, filled = max(cols, col), True
                    elem.clear()
                elif tag == "table-row":
                    row += repeat_row
                    if filled:
                        rows = row
                    elem.clear()
                elif tag == "table":
                    yield sheet, (rows, cols)
                    elem.clear()
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return


def _attr(elem: ElementTree.Element, name: str) -> str | None:
    for key, value in elem.attrib.items():
        if _local(key) == name:
            return value
    return None


def _count(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 1


# --- binary workbooks: xlsb (BIFF12 records in a zip) and xls (BIFF8 records in an OLE file) -------------------

_XLSB_ROW = 0          # BrtRowHdr: the row number first
_XLSB_CELLS = range(1, 14)  # BrtCellBlank … BrtFmlaError: the column first
_XLSB_DIMENSION = 148  # BrtWsDim: first row, last row, first column, last column


def _xlsb_extent(data: bytes) -> tuple[int, int]:
    rows = cols = 0
    i, end = 0, len(data)
    while i < end:
        kind, i = _varint(data, i, 2)
        size, i = _varint(data, i, 4)
        body = data[i:i + size]
        i += size
        if kind == _XLSB_ROW and len(body) >= 4:
            rows = max(rows, struct.unpack_from("<I", body)[0] + 1)
        elif kind in _XLSB_CELLS and len(body) >= 4:
            cols = max(cols, struct.unpack_from("<I", body)[0] + 1)
        elif kind == _XLSB_DIMENSION and len(body) >= 16:
            _first_row, last_row, _first_col, last_col = struct.unpack_from("<IIII", body)
            rows, cols = max(rows, last_row + 1), max(cols, last_col + 1)
    return rows, cols


def _varint(data: bytes, i: int, most: int) -> tuple[int, int]:
    value = shift = 0
    for _ in range(most):
        if i >= len(data):
            break
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, i


# BIFF8 records whose body starts with the row and the column of a cell (MULRK / MULBLANK end with the last column)
_XLS_CELLS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6}
_XLS_MULTI = {0x00BD, 0x00BE}
_XLS_DIMENSIONS = 0x0200


def _xls_extent(data: bytes) -> tuple[int, int]:
    stream = _ole_stream(data, ("Workbook", "Book"))
    rows = cols = 0
    i, end = 0, len(stream)
    while i + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, i)
        body = stream[i + 4:i + 4 + size]
        i += 4 + size
        if kind in _XLS_CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        elif kind in _XLS_MULTI and len(body) >= 6:
            row = struct.unpack_from("<H", body)[0]
            last = struct.unpack_from("<H", body, len(body) - 2)[0]
            rows, cols = max(rows, row + 1), max(cols, last + 1)
        elif kind == _XLS_DIMENSIONS and len(body) >= 12:
            _first_row, last_row, _first_col, last_col = struct.unpack_from("<IIHH", body)
            rows, cols = max(rows, last_row), max(cols, last_col)
    return rows, cols


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes:
    """The bytes of the first stream named in ``names`` of an OLE compound file (the container of .xls), read
    through its allocation tables with every chain bounded by the file's size; empty when there is none."""
    if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return b""
    sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
    if sector not in (512, 4096) or mini != 64:
        return b""
    first_dir = struct.unpack_from("<I", data, 0x30)[0]
    cutoff, first_minifat, _n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
    n_sectors = (len(data) - 512) // sector + 1

    def at(n: int) -> bytes:
        start = 512 + n * sector
        return data[start:start + sector]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < n_sectors]
    difat, seen = first_difat, 0
    while difat < n_sectors and seen < n_difat and seen < n_sectors:
        block = at(difat)
        pointers = struct.unpack_from(f"<{len(block) // 4}I", block)
        fat_sectors += [n for n in pointers[:-1] if n < n_sectors]
        difat, seen = (pointers[-1] if pointers else n_sectors), seen + 1
    fat: list[int] = []
    for n in fat_sectors[:n_sectors // (sector // 4) + 1]:  # as many as can describe the file, never more
        block = at(n)
        fat += struct.unpack_from(f"<{len(block) // 4}I", block)

    def chain(start: int, table: list[int], limit: int) -> Iterator[int]:
        n, steps = start, 0
        while 0 <= n < len(table) and steps < limit:
            yield n
            n, steps = table[n], steps + 1

    directory = b"".join(at(n) for n in chain(first_dir, fat, n_sectors))
    entries = [directory[k:k + 128] for k in range(0, len(directory) - 127, 128)]
    if not entries:
        return b""
    root_start, _root_size = struct.unpack_from("<IQ", entries[0], 0x74)
    for entry in entries:
        name_len = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[:max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
        if entry[0x42] != 2 or name not in names:
            continue
        start, size = struct.unpack_from("<IQ", entry, 0x74)
        size = min(size, len(data))
        if size >= cutoff:
            return b"".join(at(n) for n in chain(start, fat, n_sectors))[:size]
        minifat = b"".join(at(n) for n in chain(first_minifat, fat, n_sectors))
        mini_table = list(struct.unpack_from(f"<{len(minifat) // 4}I", minifat))
        ministream = b"".join(at(n) for n in chain(root_start, fat, n_sectors))
        return b"".join(ministream[n * mini:(n + 1) * mini]
                        for n in chain(start, mini_table, len(ministream) // mini + 1))[:size]
    return b""
