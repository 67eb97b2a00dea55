"""kehu import of a real Excel 97-2003 ``.xls`` (BIFF8) file: tests/io/data/legacy_customers.xls.

The file was written once by tests/support/xls.py (which holds its rows); here it is imported
with the real command and compared with the same rows saved as ``.xlsx``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import yaml

from tests.support.spreadsheets import write_workbook
from tests.support.xls import FIXTURE, HIDDEN, SHEETS


def files(repo) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(repo.customers.glob("*.yaml"))}


def rejects(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_the_fixture_is_a_real_xls_file():
    raw = FIXTURE.read_bytes()
    # an OLE2 compound document, as Excel 97-2003 writes (an .xlsx renamed would start with 'PK')
    assert raw[:8] == bytes.fromhex("d0cf11e0a1b11ae1")


def test_xls_is_imported_like_the_same_rows_in_xlsx(make_repo, tmp_path):
    legacy, modern = make_repo(), make_repo()
    xls = tmp_path / "legacy_customers.xls"
    shutil.copy(FIXTURE, xls)  # the reject file is written beside the input, never into tests/
    xlsx = write_workbook(tmp_path / "modern.xlsx", SHEETS)

    run = legacy.kehu("import", str(xls))
    assert run.returncode == 1, run.stderr  # the row without a name is rejected
    assert modern.kehu("import", str(xlsx)).returncode == 1
    written = files(legacy)
    assert written and written == files(modern)  # byte for byte
    refused = rejects(tmp_path / "legacy_customers.rejects.csv")
    assert [(r["工作表"], r["行号"]) for r in refused] == [("客户信息表", "7")]

    by_name = {yaml.safe_load(raw)["name"]: yaml.safe_load(raw) for raw in written.values()}
    assert sorted(by_name) == ["上海启明科技有限公司", "北京天成商贸有限公司"]  # not the hidden sheet's company
    assert not any(HIDDEN["下拉选项"][1][0] in raw.decode("utf-8") for raw in written.values())
    qiming = by_name["上海启明科技有限公司"]
    assert qiming["created"] == dt.date(2024, 5, 10)  # a date cell of the .xls
    assert [c["phone"] for c in qiming["contacts"]] == ["13800138000", "13900139000"]  # number and text cells
    assert [(i["date"], i["summary"]) for i in qiming["interactions"]] == [
        (dt.date(2024, 5, 10), "沟通Q2续约，客户对价格有疑问"),
        (dt.date(2024, 5, 12), "电话确认报价细节"),  # 2024年5月12日 written as text
        (dt.date(2024, 5, 15), "确认合同条款，客户同意签约"),  # from the second sheet
    ]
    assert qiming["deals"][0]["amount"] == 120000 and qiming["deals"][0]["signed"] == dt.date(2024, 5, 20)
    assert qiming["notes"].startswith("老客户\n需要月底前回复\n")  # a cell with a line break stays one note
    tiancheng = by_name["北京天成商贸有限公司"]
    assert tiancheng["created"] == dt.date(2024, 4, 18)  # the Excel serial 45400
    assert tiancheng["notes"] == "yes"  # trimmed, and still text, not a boolean

    assert legacy.kehu("check").returncode == 0
    assert legacy.kehu("fmt", "--check").returncode == 0
    again = legacy.kehu("import", str(xls))
    assert again.returncode == 1 and files(legacy) == written  # the same file twice changes nothing


def test_a_damaged_xls_is_one_line_and_exit_2(repo, tmp_path):
    bad = tmp_path / "broken.xls"
    bad.write_bytes(FIXTURE.read_bytes()[:1024])  # cut off mid-file, as an interrupted download
    run = repo.kehu("import", str(bad))
    assert run.returncode == 2 and run.stderr.startswith("kehu: 错误：") and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) <= 2 and files(repo) == {}
