"""kehu export: csv, xlsx, json, ics and sqlite, read back by the tools people use on them —
and csv/xlsx import back into an empty repository as the same customer files."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest

from tests.support.customers import customer_dict
from tests.support.paths import PROJECT
from tests.support.spreadsheets import loaded

SHEETS_ZH = ["客户", "联系人", "跟进记录", "合作记录", "商机", "满意度调查", "投诉记录", "待跟进（自动）"]


def customers() -> list[dict]:
    rich = customer_dict(
        id="C20240501001", annual_value=180000, cooperation_since="2023-03-01", repurchase_rate=0.85,
        tags=["定制化开发", "注重响应速度"], risks=["付款延迟"], budget="待确认",
        contacts=[{"name": "张伟", "title": "采购经理", "phone": "13800138000", "email": "zhang.wei@example.com",
                   "wechat": "zw_2024", "birthday": "05-12", "primary": True},
                  {"name": "刘敏", "title": "IT经理", "phone": "+442079460958", "primary": False}],
        deals=[{"contract": "HT202405001", "product": "办公软件SaaS服务", "amount": 120000, "signed": "2024-05-20",
                "opportunity": "O20240501-a1b2"}],
        opportunities=[{"id": "O20240501-a1b2", "what": "办公软件SaaS服务", "amount": 120000, "close": "2024-05-20",
                        "stage": "won", "created": "2024-05-01", "closed": "2024-05-20"},
                       {"id": "O20240510-c3d4", "what": "数据看板定制开发", "amount": 80000, "close": "2024-07-31",
                        "stage": "negotiating", "probability": 0.7, "owner": "wangfang", "note": "客户要求分两期"}],
        interactions=[{"date": "2024-05-01", "channel": "call", "by": "lixia",
                       "summary": "沟通Q2续约需求，客户对售后服务满意"},
                      {"date": "2024-05-10", "channel": "visit", "by": "wangfang", "contact": "张伟",
                       "summary": "现场演示数据看板", "outcome": "客户同意下周看方案"}],
        next_action={"date": "2024-06-05", "action": "提交续约方案"},
        surveys=[{"date": "2024-04-01", "quality": 5, "attitude": 4, "response": 4, "after_sales": 5,
                  "comment": "响应可以更快"}],
        complaints=[{"date": "2024-03-02", "category": "交付", "content": "发票开具延迟", "handler": "wangfang",
                     "status": "resolved", "resolved": "2024-03-05", "result": "已补开并致歉"}],
        notes="集团层面由张伟牵头。\n付款周期偏长（平均90天）。\n")
    rich["class"], rich["class_reason"] = "core", "战略客户"
    lost = customer_dict(id="C20240502001", name="北京天成商贸有限公司", industry="K70", stage="lost",
                         lost_from="quoted", owner="wangfang", created="2024-05-02", source="trade_show",
                         size=">500", region="北京", budget=50000,
                         contacts=[{"name": "王强", "phone": "13700137000"}],
                         interactions=[{"date": "2024-05-02", "channel": "email", "by": "wangfang",
                                        "summary": "发送报价单，客户反馈价格偏高"}],
                         opportunities=[{"id": "O20240502-e5f6", "what": "门店收银系统", "amount": 50000,
                                         "close": "2024-05-31", "stage": "lost", "closed": "2024-05-15",
                                         "lost_reason": "price"}],
                         quiet_until="2024-09-01", quiet_reason="客户表示暂无需求")
    lead = customer_dict(id="C20240520001", name="深圳宏远电子有限公司", industry="C39", stage="lead",
                         created="2024-05-20", contacts=[{"name": "赵磊", "email": "zhao@example.com"}],
                         interactions=[], needs="待确认", source=..., size=..., region=...)
    return [rich, lost, lead]


@pytest.fixture
def team(make_repo):
    repo = make_repo()
    for c in customers():
        repo.write_customer(c)
    assert repo.check().errors == 0
    return repo


# --- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_gives_the_same_customer_files(team, make_repo, tmp_path, fmt):
    out = tmp_path / ("export.xlsx" if fmt == "xlsx" else "export-csv")
    run = team.kehu("export", "--format", fmt, "--out", str(out))
    assert run.returncode == 0, run.stderr
    empty = make_repo()
    imported = empty.kehu("import", str(out))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert loaded(empty) == loaded(team)
    assert empty.check().errors == 0
    again = empty.kehu("import", str(out))
    assert "新建客户 0 个，更新 0 个，不变 3 个" in again.stdout


def test_english_export_round_trips_too(team, make_repo, tmp_path):
    out = tmp_path / "en.xlsx"
    assert team.kehu("export", "--format", "xlsx", "--locale", "en", "--out", str(out)).returncode == 0
    empty = make_repo()
    assert empty.kehu("import", str(out)).returncode == 0
    assert loaded(empty) == loaded(team)


# --- xlsx and csv as people read them --------------------------------------------------------------


def test_xlsx_reads_back_with_openpyxl(team, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "e.xlsx"
    team.kehu("export", "--format", "xlsx", "--out", str(out))
    book = load_workbook(out)
    assert book.sheetnames == SHEETS_ZH
    sheet = book["客户"]
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["客户编号", "客户名称", "所属行业", "客户阶段", "流失前阶段", "负责人"]
    assert "状态（自动）" in headers and "下次跟进（自动）" in headers
    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert sorted(rows) == ["C20240501001", "C20240502001", "C20240520001"]
    qiming = rows["C20240501001"]
    assert qiming["所属行业"] == "I65 软件和信息技术服务业" and qiming["客户阶段"] == "谈判"
    assert qiming["创建日期"] == dt.datetime(2024, 5, 1)  # a real date cell
    assert qiming["需求标签"] == "定制化开发、注重响应速度"
    assert rows["C20240502001"]["客户阶段"] == "流失" and rows["C20240502001"]["流失前阶段"] == "报价"
    contacts = list(book["联系人"].iter_rows(min_row=2, values_only=True))
    assert len(contacts) == 4
    assert contacts[0][:5] == ("C20240501001", "上海启明科技有限公司", "张伟", "采购经理", "13800138000")  # text
    assert len(list(book["跟进记录"].iter_rows(min_row=2))) == 3
    assert len(list(book["合作记录"].iter_rows(min_row=2))) == 1
    assert book["投诉记录"]["G2"].value == "已解决"


def test_csv_is_a_folder_of_utf8_bom_tables_with_english_headers_for_locale_en(team, tmp_path):
    out = tmp_path / "csv"
    team.kehu("export", "--format", "csv", "--locale", "en", "--out", str(out))
    names = sorted(p.name for p in out.iterdir())
    assert names == ["complaints.csv", "contacts.csv", "customers.csv", "deals.csv", "interactions.csv",
                     "opportunities.csv", "surveys.csv"]
    raw = (out / "customers.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Customer id,Name,Industry,Stage,Lost from,Owner,Owner since,Created,Imported")


def test_mask_hides_phones_and_emails(team, tmp_path):
    out = tmp_path / "m.json"
    team.kehu("export", "--format", "json", "--mask", "--out", str(out))
    text = out.read_text(encoding="utf-8")
    assert "13800138000" not in text and "138****8000" in text and "z***@example.com" in text


# --- json ---------------------------------------------------------------------------------------------


def test_json_is_one_document_valid_against_its_schema(team):
    from referencing import Registry, Resource

    run = team.kehu("export", "--format", "json", "--out", "-")
    doc = json.loads(run.stdout)
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (PROJECT / "schema").glob("*.json")}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())
    validator = jsonschema.Draft202012Validator(schemas["export.schema.json"], registry=registry,
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(doc)) == []
    assert doc["format"] == "kehu-export" and doc["exported"] == "2024-06-01"
    assert [c["id"] for c in doc["customers"]] == ["C20240501001", "C20240502001", "C20240520001"]
    assert doc["derived"]["C20240502001"]["status"] == "lost" and doc["derived"]["C20240502001"]["due"] is None
    assert {t["key"] for t in doc["vocabularies"]["stage"]} >= {"lead", "won", "lost"}


def test_json_schema_rejects_a_broken_document():
    schema = json.loads((PROJECT / "schema" / "export.schema.json").read_text(encoding="utf-8"))
    broken = {"format": "kehu-export", "version": 2, "exported": "2024-06-01", "customers": [], "derived": {},
              "team": [], "vocabularies": {}}
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


# --- ics -------------------------------------------------------------------------------------------------


def test_ics_holds_every_due_follow_up_and_parses_with_icalendar(team, tmp_path):
    from icalendar import Calendar
    from kehu.book.loader import open_book
    from kehu.core.derive import derive_all

    out = tmp_path / "due.ics"
    assert team.kehu("export", "--format", "ics", "--out", str(out)).returncode == 0
    cal = Calendar.from_ical(out.read_bytes())
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    repo = team.open()
    facts = derive_all(open_book(repo).customers, repo.config, repo.config.today)
    due = {cid: f.due for cid, f in facts.items() if f.due}
    assert sorted(events) == sorted(f"{cid}-{d.reason}@kehu" for cid, d in due.items())
    assert "C20240502001" not in {u.split("-")[0] for u in events}  # lost: nothing due
    qiming = events[f"C20240501001-{due['C20240501001'].reason}@kehu"]
    assert qiming.decoded("dtstart") == due["C20240501001"].date
    assert "上海启明科技有限公司" in str(qiming["summary"])


def test_ics_for_one_owner(team):
    from icalendar import Calendar

    run = team.kehu("export", "--format", "ics", "--owner", "wangfang", "--out", "-")
    assert list(Calendar.from_ical(run.stdout.encode()).walk("VEVENT")) == []  # wangfang's only customer is lost
    bad = team.kehu("export", "--format", "ics", "--owner", "nobody")
    assert bad.returncode == 2 and "nobody" in bad.stderr


# --- sqlite ---------------------------------------------------------------------------------------------


def test_sqlite_has_tables_with_foreign_keys_and_right_counts(team, tmp_path):
    out = tmp_path / "kehu.sqlite"
    assert team.kehu("export", "--format", "sqlite", "--out", str(out)).returncode == 0
    db = sqlite3.connect(out)
    db.execute("PRAGMA foreign_keys = ON")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("customers", "contacts", "interactions", "deals", "surveys", "complaints", "tags", "members",
                        "opportunities")}
    assert counts == {"customers": 3, "contacts": 4, "interactions": 3, "deals": 1, "surveys": 1, "complaints": 1,
                      "tags": 3, "members": 3, "opportunities": 3}
    assert db.execute("SELECT id, stage, effective_probability, weighted_amount FROM opportunities "
                      "ORDER BY customer_id, position").fetchall() == [
        ("O20240501-a1b2", "won", 1.0, 0.0), ("O20240510-c3d4", "negotiating", 0.7, 56000.0),
        ("O20240502-e5f6", "lost", 0.0, 0.0)]
    assert sorted(set(db.execute("SELECT \"table\" FROM pragma_foreign_key_list('deals')").fetchall())) == \
        [("customers",), ("opportunities",)]
    assert db.execute("SELECT opportunity FROM deals").fetchall() == [("O20240501-a1b2",)]
    with pytest.raises(sqlite3.IntegrityError):  # a deal can only come from an opportunity that exists
        db.execute("INSERT INTO deals (customer_id, position, product, amount, opportunity) "
                   "VALUES ('C20240501001', 9, 'x', 1, 'O19990101-0000')")
    fks = db.execute("SELECT \"table\" FROM pragma_foreign_key_list('interactions')").fetchall()
    assert fks == [("customers",)]
    assert db.execute("SELECT stage, lost_from, status FROM customers WHERE id = 'C20240502001'").fetchone() == \
        ("lost", "quoted", "lost")
    assert db.execute("SELECT by_member FROM interactions WHERE customer_id = 'C20240501001' ORDER BY position")\
        .fetchall() == [("lixia",), ("wangfang",)]
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO deals (customer_id, position, product, amount, signed) "
                   "VALUES ('C99999999999', 0, 'x', 1, '2024-01-01')")
    db.execute("DELETE FROM customers WHERE id = 'C20240501001'")
    assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 2  # cascaded


def test_export_skips_and_names_invalid_files(team, tmp_path):
    team.write_customer("id: C20240530001\nname: 坏文件\n", name="C20240530001")
    run = team.kehu("export", "--format", "json", "--out", str(tmp_path / "x.json"))
    assert run.returncode == 0
    assert "C20240530001.yaml" in run.stderr
    assert len(json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))["customers"]) == 3


def test_stdout_only_for_json_and_ics(team):
    run = team.kehu("export", "--format", "xlsx", "--out", "-")
    assert run.returncode == 2 and run.stderr.startswith("kehu: 错误：")


def test_default_file_name_carries_the_date(team):
    run = team.kehu("export", "--format", "sqlite", cwd=team.root)
    assert run.returncode == 0
    assert Path(team.root / "kehu-export-2024-06-01.sqlite").is_file()
