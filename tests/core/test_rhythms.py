"""The rhythms kehu.yaml prescribes as due items of their own: re-verifying a profile (`reverify_days`:
high-value customers monthly, others quarterly) and the satisfaction follow-up of cooperating customers
(`survey_every_days`) — derived once, and shown by `kehu due`, `kehu show`, the due page, the calendars and
the reminders, quiet periods respected."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from kehu.book.loader import open_book
from kehu.core.derive import derive_all

from tests.support.commands import commit, kehu, plain, team_repo
from tests.support.customers import TODAY, customer_dict

DEAL = [{"contract": "HT202403001", "product": "SaaS", "amount": 150000, "signed": "2024-03-01"}]
HIGH = customer_dict(id="C20240101001", name="上海启明科技有限公司", owner="lixia", stage="won",
                     created="2024-01-01", deals=DEAL,
                     interactions=[{"date": "2024-05-30", "channel": "call", "by": "lixia",
                                    "summary": "沟通二期需求，客户关注交付周期"}])
SURVEYED = customer_dict(id="C20240101002", name="杭州云帆网络科技有限公司", owner="wangfang", stage="won",
                         created="2024-04-01", deals=[{"product": "实施服务", "amount": 20000, "signed": "2024-04-10"}],
                         contacts=[{"name": "王强", "phone": "13912345678", "primary": True}],
                         interactions=[{"date": "2024-05-30", "channel": "call", "by": "wangfang",
                                        "summary": "回访上线情况，客户反馈稳定"}],
                         surveys=[{"date": "2024-05-10", "quality": 5, "attitude": 4, "response": 4, "after_sales": 5}])
LEAD = customer_dict(id="C20240101003", name="北京星河数据科技有限公司", owner="lixia", stage="contacted",
                     created="2024-02-15", contacts=[{"name": "陈晨", "phone": "13512345678", "primary": True}],
                     interactions=[{"date": "2024-05-30", "channel": "call", "by": "lixia",
                                    "summary": "初次沟通数据平台需求"}])
QUIET = customer_dict(id="C20240101004", name="苏州恒瑞精密机械有限公司", owner="lixia", stage="won",
                      created="2024-01-05", deals=[{"product": "SaaS", "amount": 30000, "signed": "2024-01-20"}],
                      contacts=[{"name": "刘洋", "phone": "13698765432", "primary": True}],
                      quiet_until="2024-07-15", quiet_reason="年中盘点",
                      interactions=[{"date": "2024-05-30", "channel": "call", "by": "lixia",
                                     "summary": "客户年中盘点，七月中旬再联系"}])
LOST = customer_dict(id="C20240101005", name="广州粤海冷链物流有限公司", owner="lixia", stage="lost",
                     lost_from="won", created="2024-01-03", deals=[{"product": "SaaS", "amount": 9000,
                                                                    "signed": "2024-01-10"}],
                     contacts=[{"name": "赵敏", "phone": "13611112222", "primary": True}],
                     interactions=[{"date": "2024-05-02", "channel": "call", "by": "lixia",
                                    "summary": "客户停止合作，改用自建系统"}])


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo, commented=False, others=[HIGH, SURVEYED, LEAD, QUIET, LOST])


def rhythms(repo, today: str = TODAY) -> dict[str, dict[str, str]]:
    r = repo.open(today)
    facts = derive_all(open_book(r).customers, r.config, dt.date.fromisoformat(today))
    return {cid: {d.reason: d.date.isoformat() for d in f.rhythms} for cid, f in facts.items()}


def test_each_rhythm_from_its_own_start(repo):
    got = rhythms(repo)
    # high value (150 000 a year): re-verify monthly from creation; cooperating since the deal: survey monthly
    assert got["C20240101001"] == {"reverify": "2024-01-31", "survey": "2024-03-31"}
    # low value: quarterly; surveyed 05-10: the next one 30 days later
    assert got["C20240101002"] == {"reverify": "2024-06-30", "survey": "2024-06-09"}
    assert got["C20240101003"] == {"reverify": "2024-05-15"}  # not cooperating: no satisfaction follow-up
    assert got["C20240101004"] == {"reverify": "2024-07-15", "survey": "2024-07-15"}  # held to the quiet period's end
    assert got["C20240101005"] == {}  # lost: nothing


def test_a_verified_profile_restarts_the_clock_and_zero_turns_a_rhythm_off(repo):
    r = kehu(repo, "set", "启明", "verified", "2024/06/01")
    assert r.exit_code == 0, r.stderr
    assert plain(repo.customers / "C20240101001.yaml")["verified"] == "2024-06-01"
    assert rhythms(repo)["C20240101001"]["reverify"] == "2024-07-01"
    repo.set_config(survey_every_days=0, reverify_days={"high": 0, "other": 90})
    got = rhythms(repo)
    assert got["C20240101001"] == {} and got["C20240101003"] == {"reverify": "2024-05-15"}


def test_kehu_due_lists_them_with_their_own_reason(repo):
    out = json.loads(kehu(repo, "due", "--all", "--within", "all", "--format", "json").stdout)["due"]
    mine = [(r["id"], r["reason"], r["reason_text"]) for r in out if r["id"] == "C20240101001"]
    assert ("C20240101001", "reverify", "核实客户资料（每30天）") in mine
    assert ("C20240101001", "survey", "满意度回访（每30天）") in mine
    assert any(reason == "cadence" for _, reason, _ in mine)  # the follow-up is still its own item
    table = kehu(repo, "due", "--all", env={"COLUMNS": "120"}).stdout
    assert "核实客户资料" in table and "满意度回访" in table
    assert "恒瑞" not in table  # quiet until 07-15: nothing due this week


def test_show_lists_the_rhythms(repo):
    out = kehu(repo, "show", "启明").stdout
    assert "定期事项" in out and "2024-01-31" in out and "核实客户资料（每30天）" in out
    assert "2024-03-31" in out and "满意度回访（每30天）" in out


def test_the_due_page_and_calendar_carry_them(repo):
    from kehu.book.loader import open_book
    from kehu.core.present import Presenter
    from kehu.site.data import Assembler, Privacy
    from kehu.site.ics import owner_calendar

    r = repo.open(TODAY)
    loaded = open_book(r, jobs=1, use_cache=False)
    facts = derive_all(loaded.customers, r.config, r.config.today)
    labels = Presenter.of(r)
    asm = Assembler(loaded.customers, facts, r.config, r.team, labels, Privacy.of(r.config, False), r.config.today)
    items = [(i["id"], i["reason"]) for i in asm.due_items()]
    assert ("C20240101001", "reverify") in items and ("C20240101001", "survey") in items
    assert ("C20240101002", "survey") in items  # 06-09: within the week
    page = asm.due_page()
    lixia = next(g for g in page["groups"] if g["owner"] == "lixia")
    cal = owner_calendar("lixia", "李霞", lixia["items"], r.config.today, "客户档案", labels).decode()
    assert "UID:C20240101001-reverify@kehu" in cal and "UID:C20240101001-survey@kehu" in cal
    assert "UID:C20240101003-followup@kehu" in cal  # the follow-up keeps its own event
    assert "核实客户资料" in cal


def test_reminders_include_them(repo):
    r = kehu(repo, "remind", "--owner", "lixia", "--webhook", "http://127.0.0.1:9/x", "--kind", "wecom",
             "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert "核实客户资料（每30天）" in r.stdout and "满意度回访（每30天）" in r.stdout
    assert "恒瑞" not in r.stdout


def test_english_reasons(repo):
    repo.set_config(locale="en")
    commit(repo, "en")
    out = json.loads(kehu(repo, "due", "--all", "--within", "all", "--format", "json").stdout)["due"]
    texts = {r["reason_text"] for r in out}
    assert "Re-verify the profile (every 30 days)" in texts and "Satisfaction follow-up (every 30 days)" in texts
