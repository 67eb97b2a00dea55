"""One book, one truth: a customer with a rule error is on every screen, marked with its problem, and a file
that is no customer is named by every screen — never shown on one and silently left out of another.

The book: 启明 with an owner who left the team (`former`, no longer in team.yaml), the same company typed
again as 上海启明科技集团 (the duplicate is an error in both files), 北辰 (sound) and a file that fails the
schema. Each output is read as its users read it: the built site's pages, `kehu show`, `kehu due`, the exports,
`kehu forecast`.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.support.customers import customer_dict
from tests.support.team_repo import TeamRepo

TODAY = "2024-06-01"
FORMER = "C20240501001"   # unknown owner + the same company as SHARED
SHARED = "C20240501002"   # the same company typed again (撞单)
SOUND = "C20240501003"
BROKEN = "C20240501004"   # fails the schema: no customer
OPEN_OPP = [{"id": "O20240510-aa01", "what": "年度续约", "amount": 80000, "close": "2024-05-20", "stage": "quoted",
             "created": "2024-05-10"}]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> TeamRepo:
    repo = TeamRepo.create(tmp_path_factory.mktemp("one-book") / "repo")
    repo.write_customer(customer_dict(id=FORMER, owner="former", stage="quoted", opportunities=OPEN_OPP))
    repo.write_customer(customer_dict(id=SHARED, name="上海启明科技集团",
                                      contacts=[{"name": "李娜", "phone": "13912345678", "primary": True}]))
    repo.write_customer(customer_dict(id=SOUND, name="北京北辰数据有限公司",
                                      contacts=[{"name": "赵强", "phone": "13700137000", "primary": True}]))
    repo.write_customer(customer_dict(id=BROKEN, name="苏州星河智能装备有限公司", stage="签约中",
                                      contacts=[{"name": "王磊", "phone": "13900139111", "primary": True}]))
    return repo


def _errors(repo: TeamRepo) -> dict[str, set[str]]:
    problems = repo.check_json(today=TODAY).problems
    out: dict[str, set[str]] = {}
    for p in problems:
        if p["severity"] == "error":
            out.setdefault(Path(p["file"]).stem, set()).add(p["code"])
    return out


def test_the_book_is_what_the_test_says(book: TeamRepo) -> None:
    errors = _errors(book)
    assert errors[FORMER] == {"unknown-handle", "duplicate-name"} and errors[SHARED] == {"duplicate-name"}
    assert BROKEN in errors and SOUND not in errors


def test_the_site_shows_every_customer_marks_the_errors_and_the_build_line_counts_them(book: TeamRepo) -> None:
    run = book.kehu("build", today=TODAY)
    assert run.returncode == 0, run.stderr
    line = run.stdout.strip().splitlines()[-1]
    assert line.startswith("✓ 3 个客户（其中 2 个有错误，已标记；另有 1 个文件无法读取为客户；见“数据问题”页）"), line
    site = book.root / "site"
    profile = (site / "customers" / FORMER / "index.html").read_text(encoding="utf-8")
    box = re.search(r'<div class="kehu-customer-problems kehu-customer-errors".*?</div>', profile, re.S)
    assert box and "2 个错误" in box.group(0) and "former" in box.group(0) and "不是 team.yaml 中的成员" in box.group(0)
    assert f"{SHARED}.yaml" in box.group(0) and "13800138000" not in box.group(0)
    sound = (site / "customers" / SOUND / "index.html").read_text(encoding="utf-8")
    assert "kehu-customer-problems" not in sound
    listing = (site / "customers" / "index.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="kehu-customers-data">(.*?)</script>', listing, re.S).group(1))
    flags = {row[0]: row[12] for row in data["rows"]}
    assert flags == {FORMER: 2, SHARED: 1, SOUND: 0}
    assert f"customers/{BROKEN}.yaml" in listing and "苏州星河智能装备有限公司" in listing  # named, not shown
    problems = (site / "problems" / "index.html").read_text(encoding="utf-8")
    assert f"customers/{BROKEN}.yaml" in problems
    due = (site / "due" / "index.html").read_text(encoding="utf-8")
    row = re.search(rf'<tr class="kehu-due-row"[^>]*data-id="{FORMER}".*?</tr>', due, re.S)
    assert row and "kehu-has-errors" in row.group(0)


def test_kehu_show_marks_the_problems(book: TeamRepo) -> None:
    run = book.kehu("show", FORMER, today=TODAY)
    assert run.returncode == 0, run.stderr
    assert "⚠ 2 个错误、1 个警告（运行 kehu check 查看并修正）" in run.stdout  # the warning: its opportunity slips
    assert "'former' 不是 team.yaml 中的成员" in run.stdout
    clean = book.kehu("show", SOUND, today=TODAY)
    assert clean.returncode == 0 and "⚠" not in clean.stdout


def test_kehu_due_lists_them_marked_and_names_the_file_that_is_no_customer(book: TeamRepo) -> None:
    run = book.kehu("due", "--all", "--within", "all", "--format", "json", today=TODAY)
    assert run.returncode == 0, run.stderr
    data = run.json
    rows = {r["id"]: r for r in data["due"]}
    assert {FORMER, SHARED, SOUND} <= set(rows)
    assert len(rows[FORMER]["errors"]) == 2 and len(rows[SHARED]["errors"]) == 1 and rows[SOUND]["errors"] == []
    assert data["with_errors"] == [FORMER, SHARED] and data["skipped"] == [f"{BROKEN}.yaml"]
    text = book.kehu("due", "--all", "--within", "all", today=TODAY, env={"COLUMNS": "200"})
    assert "⚠2 个错误" in text.stdout and f"{BROKEN}.yaml" in text.stderr and FORMER in text.stderr


def test_export_has_them_with_their_errors(book: TeamRepo, tmp_path: Path) -> None:
    out = tmp_path / "book.json"
    run = book.kehu("export", "--format", "json", "--out", str(out), today=TODAY)
    assert run.returncode == 0, run.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [c["id"] for c in doc["customers"]] == [FORMER, SHARED, SOUND]
    assert {e["code"] for e in doc["derived"][FORMER]["errors"]} == {"unknown-handle", "duplicate-name"}
    assert doc["derived"][SOUND]["errors"] == []
    assert f"{BROKEN}.yaml" in run.stderr
    folder = tmp_path / "csv"
    run = book.kehu("export", "--format", "csv", "--out", str(folder), today=TODAY)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader((folder / "客户.csv").read_text(encoding="utf-8-sig").splitlines()))
    marks = {r["客户编号"]: r["数据错误（自动）"] for r in rows}
    assert "不是 team.yaml 中的成员" in marks[FORMER] and marks[SOUND] == ""


def test_the_forecast_counts_them_and_marks_them(book: TeamRepo) -> None:
    run = book.kehu("forecast", "--format", "json", today=TODAY)
    assert run.returncode == 0, run.stderr
    data = run.json
    assert data["figures"]["pipeline_open"] == 80000  # the customer with errors is counted
    slipping = {r["customer"]: r for r in data["slipping"]}
    assert len(slipping[FORMER]["errors"]) == 2
    assert data["with_errors"] == [FORMER] and data["skipped"] == [f"{BROKEN}.yaml"]
    text = book.kehu("forecast", today=TODAY, env={"COLUMNS": "200"})
    assert "⚠2 个错误" in text.stdout
