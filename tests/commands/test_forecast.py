"""The forecast (业绩预测) on a fixture: every number counted by hand (today is 2024-06-01, in Q2;
the window is Q2 and Q3, April to September)."""

from __future__ import annotations

import json

import pytest

from tests.support.customers import customer_dict


def opp(oid: str, amount: int, close: str, stage: str, **kw) -> dict:
    return {"id": oid, "what": f"项目{oid[-4:]}", "amount": amount, "close": close, "stage": stage, **kw}


def call(date: str, by: str = "lixia") -> dict:
    return {"date": date, "channel": "call", "by": by, "summary": "沟通项目进度，客户确认需求范围"}


@pytest.fixture
def team(repo):
    repo.write_customer(customer_dict(
        id="C20240101001", name="上海启明科技有限公司", owner="lixia", source="referral", stage="negotiating",
        interactions=[call("2024-05-28")],
        opportunities=[opp("O20240101-000a", 100000, "2024-06-20", "quoted"),            # June: 40,000
                       opp("O20240101-000b", 200000, "2024-08-15", "negotiating", probability=0.75),  # Aug
                       opp("O20240101-000c", 80000, "2024-05-10", "won", closed="2024-05-10")],
        deals=[{"product": "项目000c", "amount": 80000, "signed": "2024-05-10", "opportunity": "O20240101-000c"}]))
    repo.write_customer(customer_dict(
        id="C20240101002", name="杭州云帆网络科技有限公司", owner="wangfang", source="trade_show", stage="quoted",
        contacts=[{"name": "王强", "phone": "13912345678"}], interactions=[call("2024-05-02", "wangfang")],
        opportunities=[opp("O20240101-000d", 50000, "2024-05-20", "contacted"),   # May, and slipping
                       opp("O20240101-000e", 300000, "2024-12-01", "lead"),       # after the window
                       opp("O20240101-000f", 60000, "2024-03-15", "quoted")],     # before it, touched since
        deals=[{"product": "旧项目", "amount": 40000, "signed": "2024-02-10"}]))
    repo.write_customer(customer_dict(
        id="C20240101003", name="北京天成商贸有限公司", stage="lost", lost_from="quoted",
        contacts=[{"name": "赵磊", "phone": "13700137000"}],
        opportunities=[opp("O20240101-000g", 999999, "2024-06-30", "quoted")]))  # a lost customer: none
    repo.write_customer(customer_dict(
        id="C20240101004", name="深圳宏远电子有限公司", owner="lixia", source="website", stage="contacted",
        contacts=[{"name": "孙丽", "phone": "13600136000"}],
        opportunities=[opp("O20240101-000h", 10000, "2024-07-10", "contacted", probability=0),
                       opp("O20240101-000i", 70000, "2024-06-10", "lost", lost_reason="price")]))
    assert repo.check().errors == 0
    return repo


def forecast(repo, *args: str) -> dict:
    run = repo.kehu("forecast", "--format", "json", *args)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def s(count: int, amount: float, weighted: float) -> dict:
    return {"count": count, "amount": amount, "weighted": weighted}


def test_the_weighted_pipeline_by_month_quarter_owner_and_source(team):
    f = forecast(team)
    assert f["months"] == {"2024-04": s(0, 0, 0), "2024-05": s(1, 50000, 10000), "2024-06": s(1, 100000, 40000),
                           "2024-07": s(1, 10000, 0), "2024-08": s(1, 200000, 150000), "2024-09": s(0, 0, 0)}
    assert f["quarters"] == {"2024-Q2": s(2, 150000, 50000), "2024-Q3": s(2, 210000, 150000)}
    assert f["total"] == s(4, 360000, 200000)
    assert f["later"] == s(1, 300000, 30000)      # lead: 10 % by default
    assert f["overdue"] == s(1, 60000, 24000)
    assert f["by_owner"] == {"lixia": s(3, 310000, 190000), "wangfang": s(1, 50000, 10000)}
    assert f["by_source"] == {"referral": s(2, 300000, 190000), "trade_show": s(1, 50000, 10000),
                              "website": s(1, 10000, 0)}


def test_won_this_month_and_quarter_against_the_last(team):
    assert forecast(team)["won"] == {"this_month": {"count": 0, "amount": 0},
                                     "last_month": {"count": 1, "amount": 80000},
                                     "this_quarter": {"count": 1, "amount": 80000},
                                     "last_quarter": {"count": 1, "amount": 40000}}


def test_slipping_means_close_date_passed_and_no_activity_since(team):
    slipping = forecast(team)["slipping"]
    assert [(x["id"], x["days_late"], x["owner"]) for x in slipping] == [("O20240101-000d", 12, "wangfang")]


def test_an_owner_sees_their_own_forecast(team):
    f = forecast(team, "--owner", "wangfang")
    assert f["total"] == s(1, 50000, 10000)
    assert f["by_owner"] == {"wangfang": s(1, 50000, 10000)}
    assert f["won"]["last_quarter"] == {"count": 1, "amount": 40000}
    assert f["won"]["last_month"] == {"count": 0, "amount": 0}


def test_default_probabilities_and_the_window_come_from_kehu_yaml(team):
    team.set_config(opportunities={"probability": {"lead": 0.5, "contacted": 0.5, "quoted": 0.5,
                                                   "negotiating": 0.5, "won": 1, "lost": 0},
                                   "forecast_quarters": 1})
    f = forecast(team)
    assert list(f["months"]) == ["2024-04", "2024-05", "2024-06"]
    assert f["total"] == s(2, 150000, 75000)


def test_text_output_and_bad_owner(team):
    run = team.kehu("forecast")
    assert run.returncode == 0, run.stderr
    assert "2024-Q2" in run.stdout and "延误的商机" in run.stdout
    bad = team.kehu("forecast", "--owner", "lisa")
    assert bad.returncode == 2 and bad.stderr.startswith("kehu: 错误：")
