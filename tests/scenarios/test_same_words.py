"""The same customers say the same facts in the same words on the site, in `kehu show` / `kehu due`,
and in exports (xlsx and csv cells, the .ics calendar) — in Chinese and in English.

The repository below covers every due reason, status, class, value level, interaction frequency and
stage, and last contacts today, yesterday and weeks ago. Each fact is worded once (``kehu.core.present``);
the test reads each output as a user does (rendered page text, terminal text, spreadsheet cells,
calendar text) and checks it carries exactly those words.
"""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest
from kehu.core.derive import BUCKETS, CLASSES, DUE_REASONS, LEVELS, STATUSES, derive_all
from kehu.core.present import Presenter

from tests.support.commands import kehu
from tests.support.customers import TODAY, customer_dict

DEAL = {"product": "SaaS", "amount": 150000}


def call(date: str, by: str = "lixia") -> dict:
    return {"date": date, "channel": "call", "by": by, "summary": f"{date} 沟通二期需求与报价细节"}


CUSTOMERS = [
    # core, high value, frequent, won, contacted today; a visit is overdue
    customer_dict(id="C20230101001", name="上海启明科技有限公司", stage="won", annual_value=200000,
                  cooperation_since="2023-01-01", repurchase_rate=0.9, created="2023-01-01",
                  deals=[{**DEAL, "signed": "2023-01-10"}],
                  interactions=[call("2024-05-15"), call("2024-05-20"), call("2024-05-25"), call(TODAY)]),
    # key, mid value, regular, quoted, contacted yesterday; a planned next action within the week
    customer_dict(id="C20231001001", name="杭州云帆网络科技有限公司", stage="quoted", created="2023-10-01",
                  contacts=[{"name": "王强", "phone": "13912345678", "primary": True}],
                  deals=[{**DEAL, "amount": 60000, "signed": "2023-10-01"}],
                  interactions=[call("2024-05-20"), call("2024-05-31")],
                  next_action={"date": "2024-06-03", "action": "发送续约合同"}),
    # normal, low value, rare, contacted; the cadence is overdue, last contact weeks ago
    customer_dict(id="C20240401001", name="广州恒泰物流有限公司", stage="contacted", created="2024-04-01",
                  contacts=[{"name": "周敏", "phone": "13500135000", "primary": True}],
                  deals=[{**DEAL, "amount": 20000, "signed": "2024-04-01"}], interactions=[call("2024-04-20")]),
    # a new lead, not yet a customer: the first follow-up is due today; budget and process still missing
    customer_dict(id="C20240531001", name="深圳宏远电子有限公司", stage="lead", created="2024-05-31",
                  contacts=[{"name": "赵总", "phone": "13800138001", "primary": True}],
                  budget=..., decision_process=..., interactions=[]),
    # dormant in negotiation, silent by agreement until later in the month
    customer_dict(id="C20231002001", name="成都锦程教育咨询有限公司", stage="negotiating", created="2023-10-02",
                  contacts=[{"name": "陈静", "phone": "13700137000", "primary": True}],
                  interactions=[call("2024-01-10")], quiet_until="2024-06-20", quiet_reason="预算冻结"),
    # lost from the quoted stage
    customer_dict(id="C20240101001", name="南京紫金医疗器械有限公司", stage="lost", lost_from="quoted",
                  created="2024-01-01", contacts=[{"name": "孙丽", "phone": "13600136000", "primary": True}],
                  interactions=[call("2024-05-01")]),
]


@pytest.fixture(params=["zh-CN", "en"])
def book(request, make_repo):
    repo = make_repo()
    repo.set_config(locale=request.param)
    for c in CUSTOMERS:
        repo.write_customer(c)
    opened = repo.open()
    from kehu.book.loader import open_book

    customers = open_book(opened).customers
    facts = derive_all(customers, opened.config, opened.config.today)
    words = Presenter(opened.schemas, request.param, opened.config)
    return repo, opened, customers, facts, words


def test_the_book_covers_every_fact(book):
    _, _, customers, facts, words = book
    today = dt.date.fromisoformat(TODAY)
    assert {f.status for f in facts.values()} == set(STATUSES)
    assert {f.klass for f in facts.values()} == set(CLASSES)
    assert {f.value_level for f in facts.values()} == set(LEVELS)
    assert {f.frequency for f in facts.values()} == set(LEVELS)
    assert {c.stage for c in customers} == {"lead", "contacted", "quoted", "negotiating", "won", "lost"}
    assert {f.due.reason for f in facts.values() if f.due} == set(DUE_REASONS)
    assert {words.bucket_of(f.due.date, today) for f in facts.values() if f.due} == set(BUCKETS)
    assert {f.days_since_contact for f in facts.values()} >= {0, 1, 42}


def expected(words: Presenter, c, f) -> dict[str, str]:
    today = dt.date.fromisoformat(TODAY)
    out = {"status": words.status(f.status), "class": words.klass(f.klass), "stage": words.stage(c.stage),
           "level": words.level(f.value_level), "frequency": words.frequency(f.frequency)}
    if f.due:
        out["reason"] = words.due_reason_of(f)
        out["bucket"] = words.bucket(words.bucket_of(f.due.date, today))
    if f.last_contact:
        out["last_contact"] = words.last_contact(f)
    return out


def page_text(markup: str) -> str:
    """What a reader of a page sees: the text without tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).replace("&#39;", "'").replace("&amp;", "&")


def test_site_show_due_and_export_use_the_same_words(book, tmp_path):
    repo, opened, customers, facts, words = book
    from kehu.site.generate import generate

    site = generate(opened, jobs=1)
    shown = kehu(repo, "due", "--all", "--within", "all", env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.stderr
    due_lines = shown.stdout.splitlines()
    xlsx = tmp_path / "book.xlsx"
    assert kehu(repo, "export", "--format", "xlsx", "--out", str(xlsx)).exit_code == 0
    csv_dir = tmp_path / "csv"
    assert kehu(repo, "export", "--format", "csv", "--out", str(csv_dir)).exit_code == 0
    ics = tmp_path / "book.ics"
    assert kehu(repo, "export", "--format", "ics", "--out", str(ics)).exit_code == 0
    sheets = _xlsx_rows(xlsx)
    csv_rows = _csv_rows(csv_dir)
    calendar = _unfold(ics.read_text(encoding="utf-8"))
    site_calendar = _unfold(site.files["calendar/lixia.ics"].decode("utf-8"))
    due_page = page_text(site.pages["due.md"])

    for c in customers:
        f = facts[c.id]
        want = expected(words, c, f)
        # the site: the profile page
        profile = page_text(site.pages[f"customers/{c.id}.md"])
        for key in ("status", "class", "stage", "frequency"):
            assert want[key] in profile, (c.id, key, want[key])
        assert words.value_level_of(f) in profile and want["level"] in words.value_level_of(f)
        if "last_contact" in want:
            assert want["last_contact"] in profile, (c.id, want["last_contact"])
        if f.due:
            assert want["reason"] in profile and want["bucket"] in profile, (c.id, want)
            if c.quiet_until is None:
                assert want["reason"] in due_page
                assert want["reason"] in site_calendar, (c.id, want["reason"])
        # kehu show
        out = kehu(repo, "show", c.id, env={"COLUMNS": "400"})
        assert out.exit_code == 0, out.stderr
        for key, text in want.items():
            assert text in out.stdout, (c.id, key, text)
        # kehu due: the customer's follow-up row
        if f.due:
            row = next(line for line in due_lines if c.id in line and want["reason"] in line)
            for key in ("bucket", "class", "status", "stage"):
                assert want[key] in row, (c.id, key, want[key], row)
        # export: the same cells in xlsx and csv, and the calendar
        for rows in (sheets, csv_rows):
            cells = rows["customers"][c.id]
            assert cells[words.t("col.derived.status")] == want["status"]
            assert cells[words.t("col.derived.class")] == want["class"]
            assert cells[words.t("col.derived.value_level")] == want["level"]
            assert cells[words.t("col.derived.frequency")] == want["frequency"]
            assert cells[words.field("stage")] == want["stage"]
            if f.due:
                assert cells[words.t("col.derived.due_reason")] == want["reason"]
            if f.due and "due" in rows:
                due_row = rows["due"][c.id]
                assert due_row[words.t("export.due.bucket")] == want["bucket"]
                assert due_row[words.t("export.due.reason")] == want["reason"]
        if f.due:
            assert want["reason"] in calendar, (c.id, want["reason"])


def _unfold(ics: str) -> str:
    """iCalendar text as one logical line per property, escapes undone (what a calendar app shows)."""
    text = re.sub(r"\r?\n[ \t]", "", ics)
    return text.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")


def _by_id(header: list[str], rows: list[list], id_column: str) -> dict[str, dict[str, str]]:
    at = header.index(id_column)
    return {str(r[at]): {h: ("" if v is None else str(v)) for h, v in zip(header, r, strict=False)}
            for r in rows if r and r[at]}


def _xlsx_rows(path) -> dict[str, dict[str, dict[str, str]]]:
    from kehu.words.catalogue import Locale
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    names = book.sheetnames
    customers, due = book[names[0]], book[names[-1]]
    c_rows = [list(r) for r in customers.iter_rows(values_only=True)]
    d_rows = [list(r) for r in due.iter_rows(values_only=True)]
    lang = "en" if c_rows[0][0] in ("Customer id", "Id", "ID") or all(
        not re.search(r"[\u4e00-\u9fff]", str(h or "")) for h in c_rows[0]) else "zh-CN"
    words = Locale(lang)
    return {"customers": _by_id([str(h) for h in c_rows[0]], c_rows[1:], c_rows[0][0]),
            "due": _by_id([str(h) for h in d_rows[0]], d_rows[1:], words.word("export.due.id"))}


def _csv_rows(folder) -> dict[str, dict[str, dict[str, str]]]:
    files = sorted(folder.iterdir())

    def read(path) -> list[list[str]]:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.reader(fh))

    customers = next(read(p) for p in files if p.name.startswith(("customers", "客户")))
    return {"customers": _by_id(customers[0], customers[1:], customers[0][0])}  # csv has no due sheet


# --- the words chosen: distinct concepts, distinct words ------------------------------------------------------


@pytest.mark.parametrize(("locale", "stage", "klass", "status"), [
    ("zh-CN", "线索", "潜在客户", "未成交"),
    ("en", "Lead", "Prospect", "Not yet a customer"),
])
def test_lead_prospect_and_not_yet_a_customer_are_three_words(make_repo, locale, stage, klass, status):
    repo = make_repo()
    repo.set_config(locale=locale)
    repo.write_customer(CUSTOMERS[3])
    out = kehu(repo, "show", "C20240531001").stdout
    assert stage in out and klass in out and status in out
    words = Presenter(repo.open().schemas, locale)
    assert len({words.stage("lead"), words.klass("potential"), words.status("potential")}) == 3


@pytest.mark.parametrize(("locale", "today", "yesterday", "ago", "ahead"), [
    ("zh-CN", "今天", "昨天", "42天前", "3天后"),
    ("en", "today", "yesterday", "42 days ago", "in 3 days"),
])
def test_relative_days(make_repo, locale, today, yesterday, ago, ahead):
    words = Presenter(make_repo().open().schemas, locale)
    assert [words.days_ago(n) for n in (0, 1, 42, -3)] == [today, yesterday, ago, ahead]


def test_frequency_reads_the_same_in_export_and_show(book):
    _, _, _, _, words = book
    assert words.frequency("mid") == ("Regular" if words.en else "中频")


def test_missing_information_is_listed_by_field_titles(make_repo):
    repo = make_repo()
    repo.write_customer(CUSTOMERS[3])
    out = kehu(repo, "show", "C20240531001").stdout
    assert "预算、决策流程" in out and "budget" not in out and "decision_process" not in out
    repo.set_config(locale="en")
    out = kehu(repo, "show", "C20240531001").stdout
    assert "Budget, Decision process" in out


def test_problems_page_names_the_field(make_repo):
    from kehu.site.generate import generate

    repo = make_repo()
    repo.write_customer(customer_dict(budget="待确认"))
    page = page_text(generate(repo.open(), jobs=1).pages["problems.md"])
    assert "预算尚待确认" in page and "budget 尚待确认" not in page


@pytest.mark.parametrize(("locale", "manager", "sales"), [("zh-CN", "经理", "销售"), ("en", "Manager", "Sales")])
def test_team_pages_name_roles(make_repo, locale, manager, sales):
    from kehu.site.generate import generate

    repo = make_repo()
    repo.set_config(locale=locale)
    repo.write_customer(customer_dict())
    site = generate(repo.open(), jobs=1)
    team = page_text(site.pages["team/index.md"])
    assert manager in team and sales in team
    assert ">manager<" not in site.pages["team/index.md"] and ">sales<" not in site.pages["team/index.md"]
    assert manager in page_text(site.pages["team/liuyang.md"])


def test_english_site_has_no_chinese_punctuation_and_its_own_title(make_repo):
    from kehu.site.generate import generate

    repo = make_repo()
    repo.set_config(locale="en")
    for c in CUSTOMERS:
        repo.write_customer(c)
    site = generate(repo.open(), jobs=1)
    assert {"customers/C20240531001.md", "due.md", "team/index.md", "problems.md"} <= set(site.pages)
    for src, markup in site.pages.items():
        text = page_text(markup)
        assert not re.search("[：、（]", text), (src, re.findall(r".{20}[：、（].{20}", text))
    assert "Built: " in page_text(site.pages["index.md"])
    assert "Class: All" in page_text(site.pages["customers.md"])
    assert "客户档案" not in "".join(site.pages.values())


@pytest.mark.parametrize(("locale", "title"), [("zh-CN", "客户档案"), ("en", "Customer records")])
def test_site_title_follows_the_locale(make_repo, locale, title):
    from kehu.core.present import Presenter
    from kehu.site.generate import site_context

    repo = make_repo()
    repo.set_config(locale=locale)
    opened = repo.open()
    context = site_context(opened, Presenter(opened.schemas, locale), opened.config.today, False)
    assert context["title"] == title
    repo.set_config(site={"title": "Acme"})
    opened = repo.open()
    assert site_context(opened, Presenter(opened.schemas, locale), opened.config.today, False)["title"] == "Acme"


def test_history_labels_fields_values_and_empties(make_repo):
    from tests.support.commands import commit, git_init

    repo = make_repo()
    git_init(repo)
    repo.write_customer(customer_dict(stage="contacted", next_action={"date": "2024-06-05", "action": "发报价"}))
    commit(repo, "new")
    repo.write_customer(customer_dict(stage="quoted", next_action=...,
                                      surveys=[{"date": "2024-05-30", "quality": 4, "attitude": 5,
                                                "response": 3, "after_sales": 4}]))
    commit(repo, "quoted", date="2024-05-31T10:00:00+08:00")
    out = kehu(repo, "history", "C20240501001").stdout
    last = out.strip().splitlines()[-1]
    assert "客户阶段：接洽 → 报价" in last and "stage" not in last and "contacted" not in last
    assert "（空）" in last and "∅" not in last and "next_action" not in last
    assert "产品质量 4" in last or "质量 4" in last, last


def test_an_english_build_is_titled_in_english(make_repo):
    repo = make_repo()
    repo.set_config(locale="en")
    repo.write_customer(CUSTOMERS[0])
    run = repo.kehu("build", env={"NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stderr
    home = (repo.root / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>" in home and "Customer records" in home and "客户档案" not in home
    assert "Built: " in home and "Built：" not in home
