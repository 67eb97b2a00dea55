"""Derived facts (derive.py): last contact, status, class, value level, frequency,
due date, quiet period, missing information, birthdays and the funnel — each rule
at its boundary, and every number taken from kehu.yaml."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from kehu.core.derive import derive_all, due_bucket, funnel, funnel_by, upcoming_birthdays
from kehu.repo.config import Config
from kehu.repo.model import Customer, customer_from
from kehu.repo.yamlload import load_yaml_bytes
from kehu.words.catalogue import Locale

from tests.support.customers import customer_dict, dump_yaml

TODAY = dt.date(2024, 6, 1)
D = dt.date


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def cust(**overrides: Any) -> Customer:
    """A customer read the way the checker reads it: YAML text -> loader -> typed record."""
    data = customer_dict(**overrides)
    loaded = load_yaml_bytes(f"customers/{data['id']}.yaml", dump_yaml(data).encode(), Locale(), None)
    assert not loaded.problems
    return customer_from(loaded)


def call(date: str, channel: str = "call") -> dict[str, Any]:
    return {"date": date, "channel": channel, "by": "lixia", "summary": "沟通续约需求，客户关注价格"}


def deal(amount: float, signed: str) -> dict[str, Any]:
    return {"product": "办公软件SaaS服务", "amount": amount, "signed": signed}


def facts(c: Customer, config: dict | None = None, today: dt.date = TODAY, others: list[Customer] = ()):
    return derive_all([c, *others], Config.build(config or {}), today)[c.id]


def klass(c: Customer, config: dict | None = None) -> str:
    """The computed class of ``c`` in a team whose revenue is large (so the 20 % share rule stays out)."""
    big = cust(id="C20240501999", name="杭州云帆网络有限公司", stage="won", annual_value=10_000_000,
               deals=[deal(10_000_000, "2023-01-01")])
    return facts(c, config, others=[big]).computed_class


def won(value: float = 120000, since: str = "2023-06-01", rate: float | None = 0.85, **kw: Any) -> Customer:
    """A customer with a deal, a recorded annual value, cooperation start and repurchase rate."""
    return cust(stage="won", annual_value=value, cooperation_since=since, repurchase_rate=rate,
                deals=[deal(value, since)], **kw)


# --- last contact and status ----------------------------------------------------------------------------


def test_last_contact_is_the_latest_interaction_not_after_today():
    c = cust(interactions=[call("2024-05-01"), call("2024-05-20"), call("2024-06-05")])
    f = facts(c)
    assert f.last_contact == D(2024, 5, 20)
    assert f.days_since_contact == 12


def test_no_interactions_no_last_contact():
    assert facts(cust(interactions=[])).last_contact is None


def test_status_active_until_the_dormant_boundary():
    assert facts(won(interactions=[call(days_ago(89))])).status == "active"
    assert facts(won(interactions=[call(days_ago(90))])).status == "dormant"


def test_status_dormant_without_any_contact_counts_from_created():
    assert facts(cust(created=days_ago(89), interactions=[])).status == "potential"
    assert facts(cust(created=days_ago(90), interactions=[])).status == "dormant"


def test_a_sale_is_contact():
    """A deal signed (or an opportunity won) is a day of contact: dormancy and the cadence count from it, and a new
    customer that signed owes no first follow-up."""
    assert facts(won(created=days_ago(300), since=days_ago(89), interactions=[])).status == "active"
    assert facts(won(created=days_ago(300), since=days_ago(90), interactions=[])).status == "dormant"
    assert facts(won(since=days_ago(3), interactions=[call(days_ago(40))])).last_contact == D(2024, 5, 29)
    fresh = facts(cust(created=days_ago(3), stage="won", interactions=[], deals=[deal(150000, days_ago(2))]))
    assert fresh.last_contact == D(2024, 5, 30) and fresh.due is not None and fresh.due.reason != "first_followup"
    unsold = facts(cust(created=days_ago(3), interactions=[]))
    assert unsold.due is not None and unsold.due.reason == "first_followup"
    opp = {"id": "O20240529-aaaa", "what": "年度服务", "amount": 150000, "close": days_ago(2), "stage": "won",
           "created": days_ago(3), "closed": days_ago(2)}
    won_opp = facts(cust(created=days_ago(3), stage="won", interactions=[], opportunities=[opp],
                         deals=[{**deal(150000, days_ago(2)), "opportunity": "O20240529-aaaa"}]))
    assert won_opp.due is not None and won_opp.due.reason != "first_followup"


def test_status_lost_and_potential():
    assert facts(cust(stage="lost", lost_from="quoted")).status == "lost"
    assert facts(cust(stage="negotiating", interactions=[call(days_ago(3))])).status == "potential"
    assert facts(won(interactions=[call(days_ago(3))])).status == "active"


def test_dormant_days_come_from_kehu_yaml():
    c = won(interactions=[call(days_ago(40))])
    assert facts(c).status == "active"
    assert facts(c, {"dormant_days": 40}).status == "dormant"


# --- computed class -------------------------------------------------------------------------------------


def test_no_deal_is_potential():
    f = facts(cust(interactions=[call(days_ago(3))]))
    assert (f.computed_class, f.klass) == ("potential", "potential")


def test_core_at_exactly_every_threshold():
    c = won(value=100000, since="2023-06-01", rate=0.8)
    assert facts(c).months_cooperating == 12
    assert klass(c) == "core"


@pytest.mark.parametrize("value,since,rate", [
    (99999, "2023-06-01", 0.8),   # value just below
    (100000, "2023-06-02", 0.8),  # one day short of 12 months
    (100000, "2023-06-01", 0.79),  # repurchase just below
    (100000, "2023-06-01", None),  # repurchase unknown
])
def test_just_below_core_is_key(value, since, rate):
    assert klass(won(value=value, since=since, rate=rate)) == "key"


def test_core_by_share_of_team_revenue():
    # 60,000 is below the 100,000 core value, but 20 % of the team's 300,000
    c = won(value=60000, since="2023-01-01", rate=0.9)
    others = [won(value=240000, id="C20240501002", name="杭州云帆网络有限公司")]
    assert facts(c, others=others).computed_class == "core"
    others = [won(value=240001, id="C20240501002", name="杭州云帆网络有限公司")]
    assert facts(c, others=others).computed_class == "key"


def test_lost_customers_do_not_count_in_team_revenue():
    c = won(value=60000, since="2023-01-01", rate=0.9)
    lost = cust(id="C20240501002", name="杭州云帆网络有限公司", stage="lost", lost_from="won", annual_value=10000000,
                deals=[deal(10000000, "2023-01-01")])
    assert facts(c, others=[lost]).computed_class == "core"


def test_revenue_share_can_be_switched_off():
    c = won(value=60000, since="2023-01-01", rate=0.9)
    others = [won(value=240000, id="C20240501002", name="杭州云帆网络有限公司")]
    cfg = {"classification": {"core": {"min_revenue_share": None}}}
    assert facts(c, cfg, others=others).computed_class == "key"


def test_key_boundaries():
    assert klass(won(value=50000, since="2023-12-01", rate=0.1)) == "key"
    assert klass(won(value=50000, since="2023-12-01", rate=None)) == "key"
    assert klass(won(value=49999, since="2023-12-01", rate=0.1)) == "normal"
    assert klass(won(value=50000, since="2023-12-02", rate=0.1)) == "normal"  # 5 months
    assert klass(won(value=50000, since="2023-12-01", rate=0.0)) == "normal"  # no repurchase


def test_a_lone_customer_is_all_of_the_team_revenue():
    assert facts(won(value=1000, since="2023-01-01", rate=0.9)).computed_class == "core"


def test_annual_value_from_deals_of_the_last_12_months():
    c = cust(stage="won", cooperation_since="2023-01-01", repurchase_rate=0.9,
             deals=[deal(60000, "2024-03-01"), deal(40000, "2023-09-01"), deal(500000, "2023-05-01")])
    assert facts(c).annual_value == 100000
    assert klass(c) == "core"


def test_cooperation_since_defaults_to_the_first_deal():
    c = cust(stage="won", deals=[deal(60000, "2023-11-15"), deal(10000, "2024-02-01")])
    f = facts(c)
    assert f.cooperation_since == D(2023, 11, 15)
    assert f.months_cooperating == 6


def test_class_override_wins_and_is_reported():
    c = won(value=20000, since="2024-01-01", rate=None, **{"class": "core", "class_reason": "战略客户"})
    f = facts(c, {"classification": {"core": {"min_revenue_share": None}}})
    assert (f.computed_class, f.klass, f.class_overridden) == ("normal", "core", True)
    same = won(value=20000, since="2024-01-01", rate=None, **{"class": "normal", "class_reason": "确认"})
    assert facts(same, {"classification": {"core": {"min_revenue_share": None}}}).class_overridden is False


def test_class_thresholds_come_from_kehu_yaml():
    c = won(value=80000, since="2023-09-01", rate=0.7)
    assert klass(c) == "key"
    cfg = {"classification": {"core": {"min_annual_value": 80000, "min_months": 9, "min_repurchase_rate": 0.7}}}
    assert klass(c, cfg) == "core"
    cfg = {"classification": {"key": {"min_annual_value": 90000}}}
    assert klass(c, cfg) == "normal"


# --- value level and frequency ----------------------------------------------------------------------------


@pytest.mark.parametrize("value,level", [(100000, "high"), (99999.99, "mid"), (50000, "mid"), (49999, "low"),
                                         (0, "low")])
def test_value_level(value, level):
    assert facts(won(value=value)).value_level == level


def test_value_levels_come_from_kehu_yaml():
    assert facts(won(value=30000), {"value_levels": {"high": 30000, "mid": 10000}}).value_level == "high"


def test_frequency_counts_the_window():
    four = [call(days_ago(d)) for d in (1, 8, 15, 29)]
    assert facts(won(interactions=four)).frequency == "high"
    assert facts(won(interactions=[*four[:3], call(days_ago(30))])).frequency == "mid"  # day 30 is outside
    assert facts(won(interactions=four[:2])).frequency == "mid"
    assert facts(won(interactions=four[:1])).frequency == "low"
    assert facts(won(interactions=[])).frequency == "low"


def test_frequency_thresholds_come_from_kehu_yaml():
    two = [call(days_ago(1)), call(days_ago(2))]
    assert facts(won(interactions=two), {"frequency": {"high": 2}}).frequency == "high"
    wide = {"frequency": {"window_days": 60, "mid": 1}}
    assert facts(won(interactions=[call(days_ago(45))]), wide).frequency == "mid"


def test_qualified_lead_needs_two_contacts_in_90_days():
    assert facts(cust(interactions=[call(days_ago(10)), call(days_ago(89))])).qualified_lead is True
    assert facts(cust(interactions=[call(days_ago(10)), call(days_ago(90))])).qualified_lead is False


# --- due date ---------------------------------------------------------------------------------------------


def test_due_from_the_class_cadence():
    c = won(value=20000, since="2024-01-01", interactions=[call("2024-05-20")])  # normal: 30 days
    due = facts(c).due
    assert (due.date, due.reason) == (D(2024, 6, 19), "cadence")


@pytest.mark.parametrize("klass,days", [("key", 15), ("normal", 30), ("potential", 7)])
def test_cadence_per_class(klass, days):
    c = won(value=20000, since="2024-01-01", interactions=[call("2024-05-20")],
            **{"class": klass, "class_reason": "测试"})
    assert facts(c).due.date == D(2024, 5, 20) + dt.timedelta(days=days)


def test_next_action_before_the_cadence_wins():
    c = won(value=20000, since="2024-01-01", interactions=[call("2024-05-20")],
            next_action={"date": "2024-06-03", "action": "提交续约方案"})
    due = facts(c).due
    assert (due.date, due.reason, due.action) == (D(2024, 6, 3), "next_action", "提交续约方案")


def test_cadence_before_a_late_next_action_wins():
    c = won(value=20000, since="2024-01-01", interactions=[call("2024-05-20")],
            next_action={"date": "2024-07-30", "action": "季度回访"})
    assert facts(c).due.reason == "cadence"


def test_next_action_already_done_is_ignored():
    c = won(value=20000, since="2024-01-01", interactions=[call("2024-05-20")],
            next_action={"date": "2024-05-18", "action": "提交方案"})
    assert facts(c).due.reason == "cadence"


def test_first_followup_when_never_contacted():
    due = facts(cust(created="2024-05-30", interactions=[])).due
    assert (due.date, due.reason) == (D(2024, 5, 31), "first_followup")
    due = facts(cust(created="2024-05-30", interactions=[]), {"first_followup_hours": 72}).due
    assert due.date == D(2024, 6, 2)


def test_core_customer_visit_due():
    # core (weekly cadence) contacted yesterday, but the last visit was 30 days ago
    c = won(interactions=[call("2024-04-20", "visit"), call("2024-05-31")])
    f = facts(c)
    assert f.klass == "core"
    assert (f.due.date, f.due.reason) == (D(2024, 5, 20), "visit")
    c = won(interactions=[call("2024-05-25", "visit"), call("2024-05-31")])
    assert (facts(c).due.date, facts(c).due.reason) == (D(2024, 6, 7), "cadence")


def test_visit_cadence_comes_from_kehu_yaml():
    c = won(value=20000, since="2024-01-01", interactions=[call("2024-05-01", "visit"), call("2024-05-31")])
    assert facts(c).due.reason == "cadence"  # normal customers get no visit rhythm by default
    f = facts(c, {"visit_days": {"normal": 20}})
    assert (f.due.date, f.due.reason) == (D(2024, 5, 21), "visit")


def test_quiet_period_pushes_the_due_date():
    c = won(value=20000, since="2024-01-01", interactions=[call("2024-05-20")], quiet_until="2024-08-01",
            quiet_reason="客户表示暂不需要")
    f = facts(c)
    assert (f.due.date, f.due.reason) == (D(2024, 8, 1), "quiet_ended")
    assert f.quiet is True


def test_quiet_period_that_ended_changes_nothing():
    c = won(value=20000, since="2024-01-01", interactions=[call("2024-05-20")], quiet_until="2024-05-25")
    f = facts(c)
    assert (f.due.date, f.due.reason) == (D(2024, 6, 19), "cadence")
    assert f.quiet is False


def test_lost_customer_is_never_due():
    assert facts(cust(stage="lost", lost_from="quoted")).due is None


def test_cadence_comes_from_kehu_yaml():
    c = won(value=20000, since="2024-01-01", interactions=[call("2024-05-20")])
    assert facts(c, {"cadence_days": {"normal": 10}}).due.date == D(2024, 5, 30)


@pytest.mark.parametrize("due,bucket", [(D(2024, 5, 31), "overdue"), (D(2024, 6, 1), "today"),
                                        (D(2024, 6, 2), "soon"), (D(2024, 6, 8), "soon"), (D(2024, 6, 9), "later")])
def test_due_bucket(due, bucket):
    assert due_bucket(due, TODAY, 7) == bucket


# --- missing information ----------------------------------------------------------------------------------


def test_missing_info_lists_markers_and_absent_recommended_fields():
    c = cust(budget="待确认", size=..., contacts=[{"name": "张伟", "title": "TBD"}])
    missing = {(m.field, m.value) for m in facts(c).missing}
    assert missing == {("budget", "待确认"), ("contacts[0].title", "TBD"), ("size", None)}


def test_missing_info_empty_for_a_complete_customer():
    assert facts(cust()).missing == []


def test_no_contacts_is_missing_info():
    assert [m.field for m in facts(cust(contacts=[])).missing] == ["contacts"]


def test_missing_markers_and_recommended_fields_come_from_kehu_yaml():
    c = cust(budget="不清楚")
    assert facts(c).missing == []
    cfg = {"missing_markers": ["不清楚"], "recommended_fields": ["region", "notes"]}
    assert {m.field for m in facts(c, cfg).missing} == {"budget", "notes"}


# --- birthdays ----------------------------------------------------------------------------------------------


def birthdays(birthday: str, today: dt.date, window: int = 14) -> list[dt.date]:
    c = cust(contacts=[{"name": "张伟", "birthday": birthday}])
    return [when for _, when in upcoming_birthdays(c, today, window)]


def test_birthday_within_the_window():
    assert birthdays("06-10", TODAY) == [D(2024, 6, 10)]
    assert birthdays("06-01", TODAY) == [D(2024, 6, 1)]
    assert birthdays("06-15", TODAY) == [D(2024, 6, 15)]   # exactly 14 days ahead
    assert birthdays("06-16", TODAY) == []
    assert birthdays("05-31", TODAY) == []                  # yesterday: next year is far


def test_birthday_across_the_new_year():
    assert birthdays("01-03", D(2024, 12, 25)) == [D(2025, 1, 3)]


def test_birthday_on_february_29():
    assert birthdays("02-29", D(2024, 2, 20)) == [D(2024, 2, 29)]   # leap year
    assert birthdays("02-29", D(2023, 2, 20)) == [D(2023, 2, 28)]   # greeted on the 28th otherwise
    assert birthdays("02-29", D(2023, 12, 30), window=70) == [D(2024, 2, 29)]


# --- funnel -------------------------------------------------------------------------------------------------


def funnel_set() -> list[Customer]:
    stages = [("lead", None), ("lead", None), ("contacted", None), ("quoted", None), ("negotiating", None),
              ("won", None), ("won", None), ("lost", "quoted"), ("lost", "lead")]
    out = []
    for i, (stage, lost_from) in enumerate(stages):
        kw: dict[str, Any] = {"id": f"C20240501{i + 1:03d}", "stage": stage, "owner": "lixia" if i % 2 else "wangfang",
                              "source": "referral" if i < 4 else "trade_show"}
        if lost_from:
            kw["lost_from"] = lost_from
        if stage == "won":
            kw["annual_value"] = 50000
            kw["deals"] = [deal(50000, "2024-01-01")]
        out.append(cust(**kw))
    return out


def test_funnel_reached_at_least_and_conversion():
    customers = funnel_set()
    config = Config.build({})
    f = funnel(customers, derive_all(customers, config, TODAY), config)
    rows = {s.stage: s for s in f.stages}
    assert [s.stage for s in f.stages] == ["lead", "contacted", "quoted", "negotiating", "won"]
    assert [rows[s].reached for s in rows] == [9, 6, 5, 3, 2]
    assert [rows[s].current for s in rows] == [2, 1, 1, 1, 2]
    assert rows["lead"].conversion is None
    assert rows["contacted"].conversion == pytest.approx(6 / 9)
    assert rows["won"].conversion == pytest.approx(2 / 3)
    assert rows["won"].value == 100000
    assert (f.lost, f.lost_from, f.total) == (2, {"quoted": 1, "lead": 1}, 9)


def test_funnel_by_owner_and_source():
    customers = funnel_set()
    config = Config.build({})
    facts_ = derive_all(customers, config, TODAY)
    by_owner = funnel_by(customers, facts_, config, "owner")
    assert sorted(by_owner) == ["lixia", "wangfang"]
    assert by_owner["wangfang"].total == 5 and by_owner["lixia"].total == 4
    by_source = funnel_by(customers, facts_, config, "source")
    assert by_source["referral"].stages[0].reached == 4
    assert by_source["trade_show"].lost == 2


def test_funnel_stages_come_from_kehu_yaml():
    """A team that adds a `trial` stage (in schema/ and in kehu.yaml's stage order) sees it in the funnel."""
    customers = [*funnel_set(), cust(id="C20240501010", stage="trial")]
    config = Config.build({"stages": ["lead", "contacted", "trial", "quoted", "negotiating", "won"]})
    f = funnel(customers, derive_all(customers, config, TODAY), config)
    assert [(s.stage, s.reached) for s in f.stages] == [("lead", 10), ("contacted", 7), ("trial", 6), ("quoted", 5),
                                                        ("negotiating", 3), ("won", 2)]


def test_derived_facts_from_a_real_repository(repo):
    """kehu.yaml on disk (not only Config objects) drives the facts."""
    repo.write_customer(customer_dict(stage="won", annual_value=120000, cooperation_since="2023-01-01",
                                      repurchase_rate=0.9, deals=[deal(120000, "2023-01-01")],
                                      interactions=[call("2024-05-01")]))
    repo.set_config(dormant_days=20, classification={"core": {"min_annual_value": 200000,
                                                               "min_revenue_share": None}})
    r = repo.open()
    loaded = load_yaml_bytes("customers/C20240501001.yaml", (repo.customers / "C20240501001.yaml").read_bytes(),
                             r.msgs, None)
    f = derive_all([customer_from(loaded)], r.config, TODAY)["C20240501001"]
    assert (f.status, f.computed_class) == ("dormant", "key")


# --- customers from before kehu, and dormant ones: one rule for every output ---------------------------


def test_an_imported_customer_created_before_the_import_owes_no_first_followup():
    from kehu.core.derive import predates_kehu

    old = cust(created="2024-05-20", imported="2024-05-30", interactions=[])
    assert predates_kehu(old)
    due = facts(old).due
    assert (due.date, due.reason) == (D(2024, 5, 27), "cadence")  # potential: 7 days from its creation
    new = cust(created="2024-05-30", imported="2024-05-30", interactions=[])  # created on the import day: new
    assert not predates_kehu(new)
    assert facts(new).due.reason == "first_followup"
    assert not predates_kehu(cust(created="2024-05-20", interactions=[]))  # never imported


def test_a_dormant_customer_is_to_revive_not_overdue():
    from kehu.core.derive import revive_list

    quiet = cust(interactions=[call(days_ago(90))], created="2023-01-01")
    f = facts(quiet)
    assert f.status == "dormant" and f.due is None
    awake = cust(id="C20240501002", name="北京天成商贸有限公司", interactions=[call(days_ago(89))],
                 created="2023-01-01")
    assert facts(awake).status == "potential"
    assert facts(awake).due is not None and facts(awake).due.reason == "cadence"
    assert [c.id for c in revive_list([quiet, awake], {quiet.id: f, awake.id: facts(awake)})] == [quiet.id]


def test_a_dormant_customer_with_a_plan_to_revive_it_is_due_and_a_stale_plan_is_not():
    last = days_ago(120)  # dormant since 30 days ago
    planned = cust(interactions=[call(last)], created="2023-01-01",
                   next_action={"date": days_ago(10), "action": "回访，了解新年度预算"})
    due = facts(planned).due
    assert (due.date, due.reason) == (TODAY - dt.timedelta(days=10), "next_action")
    stale = cust(interactions=[call(last)], created="2023-01-01",
                 next_action={"date": days_ago(100), "action": "发送报价"})  # planned before it fell quiet
    assert facts(stale).due is None
    quiet = cust(interactions=[call(last)], created="2023-01-01",
                 quiet_until=(TODAY + dt.timedelta(days=5)).isoformat(),
                 quiet_reason="客户说暂不需要", next_action={"date": days_ago(10), "action": "回访"})
    assert facts(quiet).due.date == TODAY + dt.timedelta(days=5)
    ends = cust(interactions=[call(last)], created="2023-01-01", quiet_until=(TODAY + dt.timedelta(days=5)).isoformat(),
                quiet_reason="客户说暂不需要")  # silence by agreement: its end is a follow-up owed
    assert (facts(ends).status, facts(ends).due.reason) == ("dormant", "quiet_ended")
    long_over = cust(interactions=[call(last)], created="2023-01-01", quiet_until=days_ago(100),
                     quiet_reason="客户说暂不需要")  # ended before it fell dormant: on the revive list only
    assert facts(long_over).due is None
    assert facts(quiet).due.reason == "quiet_ended"


def test_a_deal_without_a_signing_date_is_missing_information():
    c = cust(stage="won", deals=[{"product": "SaaS", "amount": 50000}])
    assert "deals[0].signed" in [m.field for m in facts(c).missing]
    assert "deals[0].signed" not in [m.field for m in facts(cust(stage="won", deals=[deal(1, "2024-01-01")])).missing]


# --- the previous system's last follow-up (imported_last_contact) --------------------------------------------


def test_the_previous_systems_last_follow_up_is_the_last_contact_until_a_newer_interaction():
    # imported on 05-30 from a CRM whose 最后跟进时间 was 05-20: not dormant, not "never contacted", not a new
    # customer owing a first call; its cadence runs from 05-20 (potential: 7 days)
    kept = cust(created="2023-03-01", imported="2024-05-30", imported_last_contact="2024-05-20", interactions=[])
    f = facts(kept)
    assert (f.last_contact, f.days_since_contact, f.last_contact_imported) == (D(2024, 5, 20), 12, True)
    assert f.status == "potential" and (f.due.date, f.due.reason) == (D(2024, 5, 27), "cadence")
    # an interaction recorded in kehu afterwards supersedes it
    later = cust(created="2023-03-01", imported="2024-05-30", imported_last_contact="2024-05-20",
                 interactions=[call("2024-05-31")])
    assert (facts(later).last_contact, facts(later).last_contact_imported) == (D(2024, 5, 31), False)
    # an older interaction (from a follow-up sheet) does not: the old system knew of a newer contact
    older = cust(created="2023-03-01", imported="2024-05-30", imported_last_contact="2024-05-20",
                 interactions=[call("2024-01-10")])
    assert (facts(older).last_contact, facts(older).last_contact_imported) == (D(2024, 5, 20), True)
    # without it the same customer is dormant since its creation
    never = cust(created="2023-03-01", imported="2024-05-30", interactions=[])
    assert (facts(never).last_contact, facts(never).status) == (None, "dormant")


def test_an_old_last_follow_up_makes_the_customer_dormant_to_revive():
    c = cust(created="2022-03-01", imported="2024-05-30", imported_last_contact="2023-11-02", interactions=[])
    f = facts(c)
    assert f.status == "dormant" and f.due is None and f.last_contact_imported


def test_the_presenter_says_the_last_contact_is_the_previous_systems():
    from kehu.core.present import Presenter
    from kehu.repo.schema import SchemaSet

    c = cust(created="2023-03-01", imported="2024-05-30", imported_last_contact="2024-05-20", interactions=[])
    schemas = SchemaSet(None)
    zh, en = Presenter(schemas, "zh-CN"), Presenter(schemas, "en")
    assert zh.last_contact(facts(c)) == "2024-05-20（12天前，原系统记录）"
    assert en.last_contact(facts(c)) == "2024-05-20 (12 days ago, as the previous system recorded it)"
    real = cust(interactions=[call("2024-05-20")])
    assert zh.last_contact(facts(real)) == "2024-05-20（12天前）"
    assert zh.industry("I65") == "I65 软件和信息技术服务业" and zh.industry("待确认") == "待确认"
    assert en.industry("待确认") == "To be confirmed"
