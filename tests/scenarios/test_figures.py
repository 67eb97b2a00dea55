"""The figures (kehu.core.figures) on a small book, every number counted by hand — for the team and for one
owner; then the same book built and asked on every screen that shows a figure (the site's dashboard, funnel,
forecast and team pages, `kehu forecast`, `kehu due`, `kehu remind`): one number each. Today is 2024-06-01 (Q2):
this month is June, last month May, last quarter January to March; the forecast window is Q2 and Q3."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from kehu.book.loader import open_book
from kehu.core.derive import derive_all, forecast, funnel
from kehu.core.figures import Figures, figures, figures_by_owner

from tests.support.customers import TODAY, customer_dict
from tests.support.site import (
    DASHBOARD,
    FORECAST,
    FUNNEL,
    MEMBER,
    PERIOD,
    Shown,
    as_shown,
    book_figures,
    cli_figures,
    disagreements,
    page_figures,
)
from tests.support.team_repo import TeamRepo

DAY = dt.date.fromisoformat(TODAY)


def call(date: str, by: str = "lixia") -> dict:
    return {"date": date, "channel": "call", "by": by, "summary": "沟通项目进度，客户确认需求范围"}


def opp(oid: str, amount: int, stage: str, close: str, **kw) -> dict:
    return {"id": oid, "what": f"项目{oid[-4:]}", "amount": amount, "stage": stage, "close": close, **kw}


# Who owes what on 2024-06-01 (the default kehu.yaml: normal cadence 30 days, potential 7, dormant after 90 days,
# the soon window 7 days, a satisfaction follow-up 30 days after cooperation began; created 2024-05-01, so no
# re-verification falls due before July; a deal signed is a day of contact):
BOOK = [
    # won: a won opportunity signed this month; an open one (June, in the window); one worked by wangfang (after it)
    customer_dict(id="C20240101001", name="上海启明科技有限公司", owner="lixia", stage="won",
                  interactions=[call("2024-05-28")],
                  opportunities=[opp("O20240101-000a", 100000, "quoted", "2024-06-20"),                  # 40,000
                                 opp("O20240101-000b", 200000, "negotiating", "2024-12-01", probability=0.75,
                                     owner="wangfang"),                                                  # 150,000
                                 opp("O20240101-000c", 80000, "won", "2024-06-01", closed="2024-06-01")],
                  deals=[{"product": "项目000c", "amount": 80000, "signed": "2024-06-01",
                          "opportunity": "O20240101-000c"}]),
    # quoted, wangfang's, high value (100,000 in 12 months): two items overdue — the monthly re-verification
    # (05-01 + 30) and the satisfaction follow-up (02-10 + 30); its follow-up counts from the deal signed 05-10
    # (05-10 + 30 = 06-09, after the soon window), not from the last call (04-20 + 30 would be overdue);
    # an opportunity won last month by lixia, a deal of last quarter, an open one expected after the window
    customer_dict(id="C20240101002", name="杭州云帆网络科技有限公司", owner="wangfang", stage="quoted",
                  contacts=[{"name": "王强", "phone": "13912345678"}], interactions=[call("2024-04-20", "wangfang")],
                  opportunities=[opp("O20240101-000d", 50000, "contacted", "2024-05-20"),               # 10,000
                                 opp("O20240101-000e", 300000, "lead", "2025-01-15"),                   # 30,000
                                 opp("O20240101-000f", 60000, "won", "2024-05-10", closed="2024-05-10",
                                     owner="lixia")],
                  deals=[{"product": "旧项目", "amount": 40000, "signed": "2024-02-10"},
                         {"product": "项目000f", "amount": 60000, "signed": "2024-05-10",
                          "opportunity": "O20240101-000f"}]),
    # lost from quoted: its open opportunity is in no pipeline
    customer_dict(id="C20240101003", name="北京天成商贸有限公司", owner="lixia", stage="lost", lost_from="quoted",
                  contacts=[{"name": "赵磊", "phone": "13700137000"}],
                  opportunities=[opp("O20240101-000g", 999999, "quoted", "2024-06-30")]),
    # dormant: silent since January — on the revive list, owing nothing
    customer_dict(id="C20240101004", name="深圳宏远电子有限公司", owner="lixia", stage="contacted",
                  created="2023-12-01", contacts=[{"name": "孙丽", "phone": "13600136000"}],
                  interactions=[call("2024-01-10")]),
    # a new lead, never contacted: the first follow-up is due today
    customer_dict(id="C20240101005", name="广州恒泰物流有限公司", owner="lixia", stage="lead", created="2024-05-31",
                  contacts=[{"name": "周敏", "phone": "13500135000"}], interactions=[]),
    # wangfang's: a next action within the week; an open opportunity expected before this quarter (overdue)
    customer_dict(id="C20240101006", name="成都锦程教育咨询有限公司", owner="wangfang", stage="contacted",
                  contacts=[{"name": "陈静", "phone": "13800138006"}], interactions=[call("2024-05-30", "wangfang")],
                  next_action={"date": "2024-06-05", "action": "发送方案"},
                  opportunities=[opp("O20240101-000h", 20000, "quoted", "2024-03-15")]),              # 8,000
    # quiet until 06-04: its follow-up moves there, and it is left out of the counts until then
    customer_dict(id="C20240101007", name="南京紫金医疗器械有限公司", owner="lixia", stage="contacted",
                  contacts=[{"name": "吴刚", "phone": "13800138007"}], interactions=[call("2024-04-01")],
                  quiet_until="2024-06-04", quiet_reason="预算冻结"),
]


@pytest.fixture
def book(repo):
    for c in BOOK:
        repo.write_customer(c)
    assert repo.check().errors == 0
    opened = repo.open()
    customers = open_book(opened).customers
    return customers, derive_all(customers, opened.config, DAY), opened.config


def test_the_team_figures(book):
    customers, facts, config = book
    f = figures(customers, facts, config, DAY)
    assert f.customers == 7
    # open opportunities of customers not lost: 000a, 000b, 000d, 000e, 000h (not the lost customer's 000g)
    assert (f.pipeline.count, f.pipeline.amount, f.pipeline.weighted) == (5, 670000, 238000)
    assert (f.won["this_month"].count, f.won["this_month"].amount) == (1, 80000)
    assert (f.won["last_month"].count, f.won["last_month"].amount) == (1, 60000)
    assert (f.won["this_quarter"].count, f.won["this_quarter"].amount) == (2, 140000)
    assert (f.won["last_quarter"].count, f.won["last_quarter"].amount) == (1, 40000)
    assert f.due == {"overdue": 2, "today": 1, "soon": 1}      # the quiet customer's 06-04 is not counted
    assert f.dormant == 1
    assert f.statuses == {"active": 2, "dormant": 1, "lost": 1, "potential": 3}
    # reached at least: lead 7, contacted 6 (all but the new lead), quoted 3 (+ the lost one), negotiating 1, won 1
    assert [s.reached for s in f.funnel.stages] == [7, 6, 3, 1, 1]
    assert f.conversion == pytest.approx(1 / 7)


def test_the_figures_under_their_names(book):
    customers, facts, config = book
    named = figures(customers, facts, config, DAY).named()
    assert named["pipeline_open"] == 670000 and named["pipeline_weighted"] == 238000 and named["pipeline_count"] == 5
    assert (named["won_this_month_count"], named["won_this_month_amount"]) == (1, 80000)
    assert (named["overdue"], named["today"], named["soon"], named["dormant"]) == (2, 1, 1, 1)
    assert named["conversion"] == 0.1429
    assert [named[f"conversion_{s}"] for s in ("contacted", "quoted", "negotiating", "won")] == [0.8571, 0.5, 0.3333,
                                                                                                   1.0]
    assert "conversion_lead" not in named and named["reached_lead"] == 7


def test_one_owners_figures(book):
    customers, facts, config = book
    lixia = figures(customers, facts, config, DAY, "lixia")
    assert lixia.customers == 5
    assert (lixia.pipeline.count, lixia.pipeline.amount, lixia.pipeline.weighted) == (1, 100000, 40000)  # 000a only
    # 000f on wangfang's customer was lixia's opportunity: its deal is her sale
    assert (lixia.won["this_month"].amount, lixia.won["last_month"].amount) == (80000, 60000)
    assert lixia.won["this_quarter"].count == 2 and lixia.won["last_quarter"].count == 0
    assert lixia.due == {"overdue": 0, "today": 1, "soon": 0} and lixia.dormant == 1
    assert [s.reached for s in lixia.funnel.stages] == [5, 4, 2, 1, 1]
    wangfang = figures(customers, facts, config, DAY, "wangfang")
    assert wangfang.customers == 2
    assert (wangfang.pipeline.count, wangfang.pipeline.amount, wangfang.pipeline.weighted) == (4, 570000, 198000)
    assert (wangfang.won["last_month"].count, wangfang.won["last_quarter"].amount) == (0, 40000)
    assert wangfang.due == {"overdue": 2, "today": 0, "soon": 1} and wangfang.dormant == 0


def test_the_owners_add_up_to_the_team(book):
    customers, facts, config = book
    team = figures(customers, facts, config, DAY)
    owners = figures_by_owner(customers, facts, config, DAY)
    assert set(owners) == {"lixia", "wangfang"}
    for name in ("customers", "pipeline_open", "pipeline_weighted", "pipeline_count", "won_this_quarter_amount",
                 "won_last_quarter_amount", "overdue", "today", "soon", "dormant"):
        assert sum(o.named()[name] for o in owners.values()) == team.named()[name], name
    # grouped by owner first, the same figures as filtering the whole book
    assert owners["lixia"] == figures(customers, facts, config, DAY, "lixia")


def test_the_forecast_breaks_the_pipeline_down_without_losing_any(book):
    customers, facts, config = book
    fc, team = forecast(customers, config, DAY), figures(customers, facts, config, DAY)
    parts = [fc.overdue, fc.total, fc.later, fc.undated]
    assert [p.amount for p in parts] == [20000, 150000, 500000, 0]
    assert sum(p.count for p in parts) == team.pipeline.count
    assert sum(p.amount for p in parts) == team.pipeline.amount
    assert sum(p.weighted for p in parts) == pytest.approx(team.pipeline.weighted)


def test_a_book_without_customers_has_empty_figures(repo):
    f = figures([], {}, repo.open().config, DAY)
    assert isinstance(f, Figures) and f.customers == 0 and f.pipeline.amount == 0
    assert f.conversion is None and f.named()["conversion"] is None and f.due == {"overdue": 0, "today": 0, "soon": 0}


# --- every screen shows the book's figures ----------------------------------------------------------------------
# The site marks each figure it shows with data-figure="<name>" data-value="<the number as JSON writes it>";
# `kehu forecast` and `kehu due` carry them under "figures". One book, built and asked: one set of numbers.

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> TeamRepo:
    repo = TeamRepo.create(tmp_path_factory.mktemp("figures") / "repo")
    for c in BOOK:
        repo.write_customer(c)
    run = repo.kehu("build", env={"NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stderr
    return repo


def page(repo: TeamRepo, src: str) -> str:
    return (repo.root / "site" / src / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def team_screens(built: TeamRepo) -> dict[str, tuple[Shown, set[str]]]:
    return {"dashboard": (page_figures(page(built, ".")), DASHBOARD | PERIOD),
            "funnel page": (page_figures(page(built, "funnel")), FUNNEL),
            "forecast page": (page_figures(page(built, "forecast")), FORECAST | {"period.pipeline_weighted"}),
            "kehu forecast": (as_shown(cli_figures(built, "forecast")), FUNNEL | FORECAST | DASHBOARD),
            "kehu due --all": (as_shown(cli_figures(built, "due", "--all")), FUNNEL | FORECAST | DASHBOARD)}


def test_every_screen_shows_the_same_figures(built, team_screens):
    book = book_figures(built, TODAY)
    assert not disagreements(team_screens, book)
    # and they are the figures counted by hand above, not one mistake copied everywhere
    assert (book["pipeline_open"], book["pipeline_weighted"], book["won_this_month_amount"]) == (670000, 238000, 80000)
    assert (book["overdue"], book["today"], book["soon"], book["dormant"], book["conversion"]) == (2, 1, 1, 1, 0.1429)
    # June so far: 000c won and signed on the 1st; of the open opportunities only 000a (40,000 weighted) closes in June
    assert (book["period.won_count"], book["period.won_amount"], book["period.opps_won"]) == (1, 80000, 1)
    assert (book["period.contacted"], book["period.new_customers"], book["period.pipeline_weighted"]) == (0, 0, 40000)


@pytest.mark.parametrize("owner", ["lixia", "wangfang"])
def test_one_owners_screens_show_their_figures(built, owner):
    mine = cli_figures(built, "due", "--owner", owner)
    assert cli_figures(built, "forecast", "--owner", owner) == mine
    screens = {"team page": (page_figures(page(built, f"team/{owner}")), MEMBER)}
    assert not disagreements(screens, mine)
    # the reminder states the owner's counts: 逾期（n） and 今天（n）, as the catalogue words them
    run = built.kehu("remind", "--owner", owner, "--webhook", "http://127.0.0.1:9/hook", "--kind", "wecom",
                     "--dry-run")
    assert run.returncode == 0, run.stderr
    stated = {bucket: int(n) for bucket, n in re.findall(r"(逾期|今天)（(\d+)）", run.stdout)}
    assert stated == {word: mine[key] for word, key in (("逾期", "overdue"), ("今天", "today")) if mine[key]}
    assert stated  # both owners owe something today: the check above compared numbers, not two empty lists


def test_the_forecast_text_states_the_figures(built):
    book = cli_figures(built, "forecast")
    run = built.kehu("forecast")
    assert run.returncode == 0, run.stderr
    text = re.sub(r"\s+", " ", run.stdout)
    assert f"在途金额(元)：{book['pipeline_open']:,.0f}" in text
    assert f"加权在途金额(元)：{book['pipeline_weighted']:,.0f}" in text
    assert f"本月 ¥{book['won_this_month_amount']:,.0f}" in text


def test_a_screen_showing_another_figure_is_caught(built, team_screens):
    """The test above fails when one screen shows another number: here the dashboard's 在途金额 as it was before
    (the annual value of the customers in the funnel's stages before won)."""
    book = book_figures(built, TODAY)
    opened = built.open()
    customers = open_book(opened).customers
    stages = funnel(customers, derive_all(customers, opened.config, DAY), opened.config).stages
    before = float(sum(s.value for s in stages[:-1]))
    assert before != book["pipeline_open"]
    html = page(built, ".")
    marked = f'data-figure="pipeline_open" data-value="{json.dumps(book["pipeline_open"])}"'
    assert marked in html
    wrong = html.replace(marked, f'data-figure="pipeline_open" data-value="{json.dumps(before)}"')
    screens = {**team_screens, "dashboard": (page_figures(wrong), DASHBOARD)}
    assert disagreements(screens, book) == [f"dashboard: pipeline_open = {before}, the book says 670000.0"]


def test_a_screen_that_stops_showing_a_figure_is_caught(built, team_screens):
    html = page(built, "forecast").replace('data-figure="won_this_month_count"', 'data-x="won_this_month_count"')
    screens = {**team_screens, "forecast page": (page_figures(html), FORECAST)}
    assert disagreements(screens, book_figures(built, TODAY)) == ["forecast page: won_this_month_count not shown"]
