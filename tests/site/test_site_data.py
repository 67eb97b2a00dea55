"""The site's page data: every number a page shows, checked against hand-computed values on real
customer files in a temporary repository (today is pinned to 2024-06-01)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from kehu.book.loader import open_book
from kehu.core import derive
from kehu.core.derive import RHYTHM_REASONS, derive_all
from kehu.core.figures import figures_by_owner
from kehu.core.present import Presenter
from kehu.site.data import Assembler, Privacy, forge_urls
from kehu.site.history import file_histories, parse_log
from kehu.site.search import make_entry, segmenter
from kehu.words.pinyin import pinyin_keys

from tests.support.customers import TODAY, customer_dict
from tests.support.git import commit_all, git

DAY = dt.date.fromisoformat(TODAY)


def cust(cid: str, name: str, **over):
    """A customer whose only interaction is given by ``last`` (default: none)."""
    last = over.pop("last", None)
    data = customer_dict(id=cid, name=name, contacts=over.pop("contacts", [{"name": "王强", "phone": f"139{cid[-8:]}",
                                                                          "email": f"{cid.lower()}@example.com"}]),
                         interactions=[{"date": last, "channel": "call", "by": "lixia",
                                        "summary": f"沟通{name}的续约需求"}] if last else [], created="2024-01-02")
    data.update(over)
    return data


def assemble(repo, internal: bool = False, today: str = TODAY):
    r = repo.open(today)
    loaded = open_book(r, jobs=1, use_cache=False)
    day = dt.date.fromisoformat(today)
    facts = derive_all(loaded.customers, r.config, day)
    labels = Presenter.of(r)
    return Assembler(loaded.customers, facts, r.config, r.team, labels, Privacy.of(r.config, internal), day), loaded


# --- due follow-ups ------------------------------------------------------------------------------------


@pytest.fixture
def due_repo(repo):
    # follow-ups only: the rhythms (re-verification, satisfaction follow-up) are tested in test_rhythms.py
    repo.set_config(survey_every_days=0, reverify_days={"high": 0, "other": 0})
    deal = [{"product": "SaaS", "amount": 20000, "signed": "2024-01-10"}]
    repo.write_customer(cust("C20240102001", "甲公司", stage="won", deals=deal, last="2024-04-15"))      # normal: +30
    repo.write_customer(cust("C20240102002", "乙公司", stage="contacted", last="2024-05-28"))           # potential: +7
    repo.write_customer(cust("C20240102003", "丙公司", stage="quoted", last="2024-05-30",
                             next_action={"date": "2024-06-01", "action": "电话确认报价"}))
    repo.write_customer(cust("C20240102004", "丁公司", stage="lead", last="2024-03-01", quiet_until="2024-06-05",
                             quiet_reason="客户说暂不需要"))
    # normal class (a deal, 30-day cadence): the next action comes first
    repo.write_customer(cust("C20240102005", "戊公司", stage="won", last="2024-05-30", deals=deal,
                             next_action={"date": "2024-06-12", "action": "送样"}))
    repo.write_customer(cust("C20240102006", "己公司", stage="won", last="2024-05-30", deals=deal))  # due 06-29
    repo.write_customer(cust("C20240102007", "庚公司", stage="lost", lost_from="quoted", last="2024-01-05"))
    return repo


def items_by_id(asm):
    """The follow-up item of each customer (the rhythms are items of their own)."""
    return {i["id"]: i for i in asm.due_items() if i["reason"] not in RHYTHM_REASONS}


def test_due_buckets_dates_and_reasons(due_repo):
    asm, _ = assemble(due_repo)
    items = items_by_id(asm)
    a, b, c = items["C20240102001"], items["C20240102002"], items["C20240102003"]
    assert (a["date"], a["bucket"], a["days"], a["reason"]) == ("2024-05-15", "overdue", -17, "cadence")
    assert a["reason_text"] == "超过普通客户跟进周期（30天）"
    assert (b["date"], b["bucket"], b["reason_text"]) == ("2024-06-04", "soon", "超过潜在客户跟进周期（7天）")
    assert (c["date"], c["bucket"], c["reason_text"]) == ("2024-06-01", "today", "计划：电话确认报价")
    assert all(items[k]["shown"] for k in ("C20240102001", "C20240102002", "C20240102003"))


def test_quiet_customer_is_held_until_the_quiet_period_ends(due_repo):
    asm, _ = assemble(due_repo)
    quiet = items_by_id(asm)["C20240102004"]
    assert (quiet["date"], quiet["reason"], quiet["hold"], quiet["shown"]) == ("2024-06-05", "quiet_ended",
                                                                            "2024-06-05", False)
    assert asm.due_page()["counts"] == {"overdue": 1, "today": 1, "soon": 1, "later": 0}
    # on the day it ends it is due like any other
    asm_later, _ = assemble(due_repo, today="2024-06-05")
    ended = items_by_id(asm_later)["C20240102004"]
    assert (ended["bucket"], ended["hold"], ended["shown"]) == ("today", "", True)


def test_rollover_keeps_later_items_hidden_and_drops_far_ones(due_repo):
    asm, _ = assemble(due_repo)
    items = items_by_id(asm)
    later = items["C20240102005"]   # 11 days ahead: beyond 7, within 7 + 7 rollover days
    assert (later["bucket"], later["shown"]) == ("later", False)
    assert "C20240102006" not in items   # 28 days ahead
    assert "C20240102007" not in items   # lost customers owe no follow-up


def test_due_groups_by_owner(due_repo):
    asm, _ = assemble(due_repo)
    groups = asm.due_page()["groups"]
    assert [g["owner"] for g in groups] == ["lixia"]
    assert groups[0]["owner_name"] == "李霞" and groups[0]["calendar"] == "calendar/lixia.ics"
    assert [i["date"] for i in groups[0]["items"]] == sorted(i["date"] for i in groups[0]["items"])


def test_dormant_and_birthdays(repo):
    repo.write_customer(cust("C20240102001", "甲公司", stage="contacted", last="2024-02-01"))  # 121 days: dormant
    repo.write_customer(cust("C20240102002", "乙公司", stage="contacted", last="2024-05-30",
                             contacts=[{"name": "刘芳", "birthday": "06-10"}, {"name": "赵六", "birthday": "06-30"},
                                       {"name": "钱七", "birthday": "05-20"}]))
    asm, _ = assemble(repo)
    dormant = asm.dormant()
    assert [(d["id"], d["days"]) for d in dormant] == [("C20240102001", 121)]
    bdays = {b["contact"]: b for b in asm.birthdays(14)}
    assert (bdays["刘芳"]["date"], bdays["刘芳"]["days"], bdays["刘芳"]["shown"]) == ("2024-06-10", 9, True)
    assert "赵六" not in bdays and "钱七" not in bdays   # 29 days ahead; already past


# --- funnel ----------------------------------------------------------------------------------------


def test_funnel_reached_conversion_lost_and_value(repo):
    deal = [{"product": "SaaS", "amount": 60000, "signed": "2024-03-01"}]
    for i, stage in enumerate(["lead", "contacted", "quoted", "quoted"], 1):
        repo.write_customer(cust(f"C2024010200{i}", f"公司{i}", stage=stage, annual_value=10000 * i))
    repo.write_customer(cust("C20240102005", "公司5", stage="won", deals=deal))
    repo.write_customer(cust("C20240102006", "公司6", stage="lost", lost_from="quoted"))
    asm, _ = assemble(repo)
    f = asm.funnel_page()
    rows = {r["label"]: r for r in f["overall"]["stages"]}
    assert [rows[s]["reached"] for s in ("线索", "接洽", "报价", "谈判", "签约")] == [6, 5, 4, 1, 1]
    assert rows["线索"]["conversion"] is None
    assert rows["接洽"]["conversion"] == pytest.approx(5 / 6)
    assert rows["报价"]["conversion"] == pytest.approx(4 / 5)
    assert rows["谈判"]["conversion"] == pytest.approx(1 / 4)
    assert rows["签约"]["conversion"] == pytest.approx(1.0)
    assert [rows[s]["current"] for s in ("线索", "接洽", "报价", "谈判", "签约")] == [1, 1, 2, 0, 1]
    assert rows["报价"]["value"] == 70000 and rows["签约"]["value"] == 60000
    assert f["lost"] == 1 and f["lost_from"] == [("报价", 1)]
    # the page's pipeline is the book's open opportunities (kehu.core.figures), never the customers' annual value
    assert f["figures"]["pipeline_open"] == 0 and f["figures"]["conversion"] == round(1 / 6, 4)
    assert [name for name, _ in f["by_owner"]] == ["李霞"]
    assert f["chart"].bars[1].value == "5 · 83%"


def test_funnel_per_source(repo):
    repo.write_customer(cust("C20240102001", "公司1", stage="quoted", source="referral"))
    repo.write_customer(cust("C20240102002", "公司2", stage="lead", source="trade_show"))
    repo.write_customer(cust("C20240102003", "公司3", stage="lead", source=None))
    asm, _ = assemble(repo)
    by_source = dict(asm.funnel_page()["by_source"])
    assert set(by_source) == {"客户转介绍", "行业展会", "未填写"}
    assert [s["reached"] for s in by_source["客户转介绍"]["stages"]] == [1, 1, 1, 0, 0]


# --- classes, cadence, dashboard -----------------------------------------------------------------------


def test_dashboard_counts_come_from_the_derived_facts(due_repo):
    asm, _ = assemble(due_repo)
    due = asm.due_page()
    d = asm.dashboard(due, asm.funnel_page(), asm.satisfaction_page())
    kpis = {t["key"]: t["value"] for t in d["kpis"]}
    assert kpis["customers"] == 7 and (kpis["overdue"], kpis["today"], kpis["soon"]) == (1, 1, 1)
    assert dict(d["by_class"]) == {"核心客户": 0, "重点客户": 0, "普通客户": 3, "潜在客户": 4}
    assert dict(d["by_status"])["流失"] == 1
    assert dict(d["by_status"])["沉睡"] == 1       # 丁公司: no contact since 2024-03-01
    months = [b.label for b in d["per_month"].bars]
    assert months[-1] == "24-06" and len(months) == 12


def test_cadence_and_visit_reasons_of_a_core_customer(repo):
    deal = [{"product": "x", "amount": 5000, "signed": "2024-02-01"}]
    visit = [{"date": "2024-05-20", "channel": "visit", "by": "lixia", "summary": "上门演示二期方案"}]
    call = [{"date": "2024-05-20", "channel": "call", "by": "lixia", "summary": "电话确认二期方案"}]
    core = {"class": "core", "class_reason": "战略客户", "stage": "won", "deals": deal}
    repo.write_customer(cust("C20240102001", "核心一", interactions=visit, **core))
    repo.write_customer(cust("C20240102002", "核心二", interactions=call, **core))
    asm, _ = assemble(repo)
    items = items_by_id(asm)
    visited, called = items["C20240102001"], items["C20240102002"]
    # visited on 05-20: the 7-day cadence comes first
    assert (visited["reason"], visited["date"]) == ("cadence", "2024-05-27")
    assert visited["reason_text"] == "超过核心客户跟进周期（7天）"
    # never visited: a visit was due 30 days after cooperation began (2024-02-01)
    assert (called["reason"], called["date"]) == ("visit", "2024-03-02")
    assert called["reason_text"] == "核心客户定期拜访（每30天）"


def test_interactions_per_month_and_discipline(repo):
    repo.write_customer(cust("C20240102001", "甲公司", stage="contacted", interactions=[
        {"date": d, "channel": "call", "by": by, "summary": "讨论试用范围和报价"}
        for d, by in [("2024-05-31", "lixia"), ("2024-05-10", "wangfang"), ("2024-04-30", "lixia"),
                      ("2023-05-31", "lixia")]]))
    r = repo.open()
    loaded = open_book(r, jobs=1, use_cache=False)
    per_month = dict(derive.interactions_per_month(loaded.customers, DAY, 12))
    assert per_month["2024-05"] == 2 and per_month["2024-04"] == 1 and "2023-05" not in per_month
    facts = derive_all(loaded.customers, r.config, DAY)
    recorded = derive.interactions_by_member(loaded.customers, DAY, 30)
    owners = figures_by_owner(loaded.customers, facts, r.config, DAY)
    assert (owners["lixia"].customers, recorded["lixia"]) == (1, 1)   # 2024-04-30 is 32 days back
    assert recorded["wangfang"] == 1 and "wangfang" not in owners   # she recorded a call; she owns no customer


def test_satisfaction_and_complaints(repo):
    repo.write_customer(cust("C20240102001", "甲公司", stage="won", surveys=[
        {"date": "2024-05-02", "quality": 5, "attitude": 4, "response": 3, "after_sales": 4},
        {"date": "2024-03-02", "quality": 3, "attitude": 4}], complaints=[
        {"date": "2024-05-01", "content": "发票延迟", "status": "resolved", "resolved": "2024-05-04",
         "category": "交付"},
        {"date": "2024-05-10", "content": "响应慢", "status": "resolved", "resolved": "2024-05-20",
         "category": "响应速度"},
        {"date": "2024-05-22", "content": "接口报错", "status": "open", "category": "产品质量"}]))
    asm, _ = assemble(repo)
    s = asm.satisfaction_page()
    dims = dict(s["dimensions"])
    assert s["surveys"] == 2
    assert dims["产品质量"] == pytest.approx(4.0) and dims["服务态度"] == pytest.approx(4.0)
    assert dims["响应速度"] == pytest.approx(3.0)
    assert s["overall"] == pytest.approx((5 + 4 + 3 + 4 + 3 + 4) / 6)
    assert s["mean_days"] == pytest.approx((3 + 10) / 2) and s["median_days"] == pytest.approx(6.5)
    assert dict(s["by_status"]) == {"待处理": 1, "处理中": 0, "已解决": 2}
    assert [(u["content"], u["days_open"]) for u in s["unresolved"]] == [("接口报错", 10)]
    may = next(b for b in s["trend"].bars if b.label == "24-05")
    assert may.value == "4.0"


# --- privacy -------------------------------------------------------------------------------------


@pytest.fixture
def private_repo(repo):
    repo.write_customer(cust("C20240102001", "甲公司", stage="contacted", last="2024-05-30",
                             contacts=[{"name": "张伟", "phone": "13800138000", "email": "zhang.wei@example.com",
                                        "wechat": "zw_2024"}],
                             notes="备用手机 13912345678，邮件 li.na@example.com"))
    return repo


def test_page_data_is_masked(private_repo):
    asm, loaded = assemble(private_repo)
    view = asm.customer(loaded.customers[0], [])
    contact = view.contacts[0]
    assert (contact["phone"], contact["email"], contact["wechat"]) == ("138****8000", "z***@example.com", "zw***")
    assert view.notes == "备用手机 139****5678，邮件 l***@example.com"
    dumped = json.dumps([view.contacts, view.notes, view.search_text, view.timeline], ensure_ascii=False)
    for secret in ("13800138000", "zhang.wei@", "13912345678", "li.na@", "zw_2024"):
        assert secret not in dumped


def test_search_entry_is_masked_and_internal_build_is_not(private_repo):
    asm, loaded = assemble(private_repo)
    view = asm.customer(loaded.customers[0], [])
    entry = make_entry("customers/C20240102001/", "甲公司", view.search_text, segmenter("none"), view.search_phones)
    assert "138****8000" in entry.teaser and "z***@example.com" in entry.teaser
    assert "13800138000" not in entry.teaser and "zhang.wei" not in entry.teaser
    assert "#8000" in entry.text_terms and not any(t.startswith("#") and len(t) > 5 for t in entry.text_terms)
    internal, loaded = assemble(private_repo, internal=True)
    view = internal.customer(loaded.customers[0], [])
    assert view.contacts[0]["phone"] == "13800138000" and "13912345678" in view.notes


def test_masking_can_be_turned_off_in_kehu_yaml(private_repo):
    private_repo.set_config(privacy={"mask_phone": False, "mask_email": True})
    asm, loaded = assemble(private_repo)
    contact = asm.customer(loaded.customers[0], []).contacts[0]
    assert (contact["phone"], contact["email"]) == ("13800138000", "z***@example.com")


# --- the customers index ------------------------------------------------------------------------------


def test_index_rows_are_compact_and_spell_pinyin(repo):
    for i in range(20):
        repo.write_customer(cust(f"C202401020{i:02d}", f"上海启明{i}号信息技术股份有限公司", stage="contacted",
                                 last="2024-05-20", region="上海浦东"))
    asm, _ = assemble(repo)
    data = asm.index_rows()
    row = data["rows"][0]
    assert row[1].startswith("上海启明") and "qiming" in row[2] and row[3].startswith("shqm")
    per_customer = [len(json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode()) for r in data["rows"]]
    assert max(per_customer) <= 300
    assert data["owners"] == ["李霞"] and data["statuses"][row[6]] == "未成交"


def test_pinyin_keys():
    assert pinyin_keys("重庆长安汽车") == ("chongqingchanganqiche", "cqcaqc")
    assert pinyin_keys("ABC 科技") == ("abckeji", "akj")


# --- history, links, labels ------------------------------------------------------------------------


def test_history_follows_renames_in_one_log():
    log = ("\x1ea1\x1f2024-05-03T10:00:00+08:00\x1fLi Xia\x1flixia@example.com\x1f更新跟进\n\n"
           "M\tcustomers/C2.yaml\n"
           "\x1ea0\x1f2024-05-02T10:00:00+08:00\x1fWang\x1fw@x.com\x1f改名\n\nR100\tcustomers/C1.yaml\tcustomers/C2.yaml\n"
           "\x1ea9\x1f2024-05-01T10:00:00+08:00\x1fWang\x1fw@x.com\x1f新建\n\nA\tcustomers/C1.yaml\n")
    h = parse_log(log, None)
    assert [(c.commit, c.date, c.message) for c in h["customers/C2.yaml"]] == [
        ("a1", "2024-05-03", "更新跟进"), ("a0", "2024-05-02", "改名"), ("a9", "2024-05-01", "新建")]


def test_history_from_a_real_git_repository(repo):
    repo.write_customer(cust("C20240102001", "甲公司", stage="lead"))
    git(repo.root, "init", "-q")
    commit_all(repo.root, "新客户 甲公司", name="Li Xia", email="lixia@example.com", date="2024-05-01T09:00:00")
    r = repo.open()
    h = file_histories(r.root, r.team)["customers/C20240102001.yaml"]
    assert [(c.date, c.author, c.message) for c in h] == [("2024-05-01", "lixia", "新客户 甲公司")]


def test_forge_links(repo):
    r = repo.open()
    assert forge_urls(r.config, "customers/C1.yaml", 5) == ("", "")
    repo.set_config(site={"repo_url": "https://git.example.com/acme/customers/", "edit_uri": "edit/main/"})
    r = repo.open()
    assert forge_urls(r.config, "customers/C1.yaml", 5) == (
        "https://git.example.com/acme/customers/edit/main/customers/C1.yaml",
        "https://git.example.com/acme/customers/blob/main/customers/C1.yaml#L5")
    repo.set_config(site={"repo_url": "javascript:alert(1)"})
    assert forge_urls(repo.open().config, "customers/C1.yaml") == ("", "")


def test_english_labels(due_repo):
    due_repo.set_config(locale="en")
    asm, _ = assemble(due_repo)
    items = items_by_id(asm)
    assert items["C20240102001"]["reason_text"] == "Normal cadence exceeded (30 days)"
    assert items["C20240102003"]["reason_text"] == "Planned: 电话确认报价"
    assert asm.L.bucket("soon") == "Next 7 days"
    f = asm.funnel_page()
    assert [s["label"] for s in f["overall"]["stages"]] == ["Lead", "Contacted", "Quoted", "Negotiating", "Won"]


def test_calendars_made_in_parallel_equal_the_serial_ones(make_repo, tmp_path):
    """A large team's feeds are made by several processes; each must be exactly the feed one process makes."""
    from icalendar import Calendar
    from kehu.site.generate import _calendars

    labels = Presenter(make_repo().open().schemas, "zh-CN")
    today = dt.date(2024, 6, 1)
    team = [{"handle": h, "name": n, "due": {"items": [
        {"id": f"C2024{k:07d}", "name": f"客户{k}", "date": (today + dt.timedelta(days=k % 21 - 10)).isoformat(),
         "hold": k % 17 == 0, "reason_text": "按客户等级的跟进周期已到"} for k in range(size)]}}
        for h, n, size in (("lixia", "李霞", 900), ("wangfang", "王芳", 500), ("liuyang", "刘洋", 40))]
    serial = _calendars(team, today, "客户档案", labels, jobs=1, root=fresh_root(tmp_path / "one"))
    parallel = _calendars(team, today, "客户档案", labels, jobs=2, root=fresh_root(tmp_path / "two"))
    assert parallel == serial
    events = [len(Calendar.from_ical(ics).walk("VEVENT")) for ics in parallel]
    assert events == [sum(1 for i in m["due"]["items"] if not i["hold"]) for m in team]


def fresh_root(folder: Path) -> Path:
    folder.mkdir()
    git(folder, "init", "-q")  # the cache is signed with a secret kept in the clone's git folder
    return folder


def test_a_feed_whose_items_did_not_change_is_taken_from_the_cache(make_repo, tmp_path, monkeypatch):
    """After a merge that changes one owner's customers, only that owner's feed is made again."""
    import kehu.site.generate as generate

    labels = Presenter(make_repo().open().schemas, "zh-CN")
    today = dt.date(2024, 6, 1)
    team = [{"handle": h, "name": h, "due": {"items": [
        {"id": f"C2024{k:07d}", "name": f"客户{k}", "date": today.isoformat(), "hold": False,
         "reason_text": "按客户等级的跟进周期已到"} for k in range(5)]}} for h in ("lixia", "wangfang", "liuyang")]
    root = fresh_root(tmp_path / "team")
    first = generate._calendars(team, today, "客户档案", labels, jobs=1, root=root)
    made: list[str] = []
    real = generate.owner_calendar
    monkeypatch.setattr(generate, "owner_calendar", lambda owner, *a, **k: made.append(owner) or real(owner, *a, **k))
    assert generate._calendars(team, today, "客户档案", labels, jobs=1, root=root) == first and made == []
    team[1]["due"]["items"][0]["name"] = "改名的客户"
    again = generate._calendars(team, today, "客户档案", labels, jobs=1, root=root)
    assert made == ["wangfang"]
    assert again[0] == first[0] and again[2] == first[2] and "改名的客户".encode() in again[1]
    assert generate._calendars(team, today, "客户档案", labels, jobs=1, root=fresh_root(tmp_path / "other")) == again
