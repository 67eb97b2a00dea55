"""io/sheetbounds measures an xlsx sheet's farthest cell before any reader sees it, however the sheet's XML is
written: with or without row and cell references, with a namespace prefix, with a reference spelled as a
character reference (the reader decodes it, so the measure must too)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from kehu.io.sheetbounds import TooLarge, _xml_extent, check_bounds

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sheet_part(tmp_path: Path, xml: str) -> zipfile.ZipFile:
    path = tmp_path / "book.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", xml)
    return zipfile.ZipFile(path)


@pytest.mark.parametrize(("xml", "extent"), [
    # no references at all: rows and cells are counted
    (f'<worksheet xmlns="{MAIN}"><sheetData><row>' + "<c><v>1</v></c>" * 4 + "</row>"
     + "<row><c><v>1</v></c></row><row/></sheetData></worksheet>", (3, 4)),
    # references: the farthest one, wherever it is
    (f'<worksheet xmlns="{MAIN}"><sheetData><row r="2"><c r="B2"/></row><row r="9"><c r="AA9"/><c r="C9"/></row>'
     "</sheetData></worksheet>", (9, 27)),
    # a namespace prefix, and a reference written with a character reference
    (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="7"><x:c r="&#88;FD7"/></x:row></x:sheetData>'
     "</x:worksheet>", (7, 16384)),
    # only the declared dimension
    (f'<worksheet xmlns="{MAIN}"><dimension ref="A1:H1048576"/><sheetData/></worksheet>', (1048576, 8)),
    # not XML at all: nothing measured (the reader says what is wrong)
    ("<worksheet><row r=", (0, 0)),
])
def test_the_farthest_cell_of_a_sheet(tmp_path: Path, xml: str, extent: tuple[int, int]) -> None:
    assert _xml_extent(_sheet_part(tmp_path, xml), "xl/worksheets/sheet1.xml") == extent


def test_a_far_cell_written_as_a_character_reference_is_still_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "客户.xlsx"
    book = Workbook()
    book.active.append(["客户名称"])
    book.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = parts[name].replace(b"</sheetData>", b'<row r="1048576"><c r="&#88;FD1048576"/></row></sheetData>')
    with zipfile.ZipFile(path, "w") as out:
        for part, data in parts.items():
            out.writestr(part, data)
    with pytest.raises(TooLarge):
        check_bounds(path)
    path.write_bytes(b"")  # and an ordinary small sheet passes
    book.save(path)
    check_bounds(path)
