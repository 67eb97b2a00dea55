"""The manager's week on a real history: five weeks of commits by three salespeople (each commit dated on its day,
by its author), then `kehu report` for days, weeks, months and a range of one's own. Every figure of every member
equals what the test counts from its own record of the actions; the team's totals, the targets and their gap, the
customers behind each figure (linked to the site), and the report sent to a chat robot on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.support.commands import assert_refused, kehu
from tests.support.history import SALES, TODAY, History, expected, make_history, set_targets
from tests.support.local_http import LocalServer

PERIODS = [  # (kehu report arguments, first day, last day)
    (("--week", "--last"), dt.date(2026, 11, 16), dt.date(2026, 11, 22)),
    (("--week",), dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
    (("--month", "--last"), dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    (("--month",), dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
    (("--day", "--last"), dt.date(2026, 11, 24), dt.date(2026, 11, 24)),
    (("--from", "2026-10-20", "--to", "2026-11-03"), dt.date(2026, 10, 20), dt.date(2026, 11, 3)),
    (("--quarter",), dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return make_history(tmp_path_factory.mktemp("week") / "team")


def _report(h: History, *args: str) -> dict:
    run = kehu(h.repo, "report", *args, "--format", "json", today=TODAY.isoformat())
    assert run.exit_code == 0, run.stderr
    return json.loads(run.stdout)


def test_the_history_is_real(history: History):
    kinds = {a.kind for a in history.actions}
    assert {"new", "call", "visit", "opp", "win", "lose", "complaint", "resolve"} <= kinds
    assert sum(a.moved for a in history.actions) >= 5 and len({a.who for a in history.actions}) == 3


@pytest.mark.parametrize(("args", "start", "last"), PERIODS, ids=[" ".join(p[0]) for p in PERIODS])
def test_each_members_figures_are_what_they_did(history: History, args, start, last):
    data = _report(history, *args)
    assert (data["period"]["start"], data["period"]["last"]) == (start.isoformat(), last.isoformat())
    assert data["stage_moves_from_git"] is True
    members = {m["handle"]: m for m in data["members"]}
    assert set(SALES) <= set(members)
    for who in SALES:
        want = expected(history.actions, start, last, who)
        got = {k: members[who][k] for k in want}
        assert got == pytest.approx(want), who
    team = {k: data["team"][k] for k in expected(history.actions, start, last, None)}
    assert team == pytest.approx(expected(history.actions, start, last, None))


def test_one_member_alone_and_the_customers_behind_each_figure(history: History):
    start, last = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    data = _report(history, "--month", "--owner", "wangfang")
    assert [m["handle"] for m in data["members"]] == ["wangfang"] and data["team"] is None
    mine = [a for a in history.actions if a.who == "wangfang" and start <= a.day <= last]
    behind = data["members"][0]["customers"]
    assert set(behind.get("contacted", [])) == {a.customer for a in mine if a.kind in ("new", "call", "visit")}
    assert set(behind.get("won_count", [])) == {a.customer for a in mine if a.kind == "win"}
    assert set(behind.get("stage_moves", [])) == {a.customer for a in mine if a.moved}


def test_a_target_shows_its_gap(history: History, tmp_path: Path):
    won = expected(history.actions, dt.date(2026, 11, 1), TODAY, "lixia")["won_amount"]
    new = expected(history.actions, dt.date(2026, 10, 1), TODAY, None)["new_customers"]
    set_targets(history.repo, {"2026-11": {"members": {"lixia": {"won": won + 100000}}},
                               "2026-Q4": {"team": {"new_customers": new + 5}}})
    try:
        data = _report(history, "--week")
        lixia = next(m for m in data["members"] if m["handle"] == "lixia")
        target = next(t for t in lixia["targets"] if t["period"] == "2026-11")
        assert (target["metric"], target["target"], target["actual"], target["gap"]) == ("won", won + 100000, won,
                                                                                         100000)
        team = {(t["period"], t["metric"]): t for t in data["team"]["targets"]}
        assert team[("2026-Q4", "new_customers")]["gap"] == 5
        assert team[("2026-11", "won")]["target"] == won + 100000  # the team without its own: its members' sum
        wang = next(m for m in data["members"] if m["handle"] == "wangfang")
        assert wang["targets"] == []
        text = kehu(history.repo, "report", "--week", "--owner", "lixia", today=TODAY.isoformat())
        assert "目标 2026-11：成交" in text.stdout and "差距 100,000 元" in text.stdout
    finally:
        set_targets(history.repo, {})


def test_markdown_links_every_customer_to_its_profile(history: History):
    history.repo.set_config(site={"url": "https://acme.example/customers"})
    try:
        run = kehu(history.repo, "report", "--month", "--owner", "lixia", "--format", "markdown",
                   today=TODAY.isoformat())
    finally:
        history.repo.set_config(site={"url": None})
    assert run.exit_code == 0, run.stderr
    some = next(a.customer for a in history.actions if a.who == "lixia" and a.day.month == 11)
    assert f"](https://acme.example/customers/customers/{some}/)" in run.stdout
    assert "(https://acme.example/customers/report/?period=2026-11&owner=lixia)" in run.stdout


def test_the_report_goes_to_the_managers_robot(history: History):
    team = (history.repo.root / "team.yaml").read_text(encoding="utf-8")
    robot = LocalServer()
    (history.repo.root / "team.yaml").write_text(
        team + "    remind:\n      - {kind: wecom, webhook_env: KEHU_WECOM_MGR}\n", encoding="utf-8")
    try:
        run = kehu(history.repo, "report", "--week", "--last", "--send", today=TODAY.isoformat(),
                   env={"KEHU_WECOM_MGR": robot.url("/cgi-bin/webhook/send?key=abc")})
    finally:
        (history.repo.root / "team.yaml").write_text(team, encoding="utf-8")
        robot.close()
    assert run.exit_code == 0, run.stderr
    assert len(robot.requests) == 1
    content = robot.requests[0]["body"]["markdown"]["content"]
    assert content.startswith("### 周报 2026-W47") and "#### 李霞（lixia）" in content and "key=abc" not in run.stdout


def test_bad_input_is_one_line(history: History):
    assert_refused(kehu(history.repo, "report", "--owner", "lisa", today=TODAY.isoformat()), "--owner", "lisa")
    assert_refused(kehu(history.repo, "report", "--from", "2026-11-05", "--to", "2026-11-01",
                        today=TODAY.isoformat()), "--from")
    assert_refused(kehu(history.repo, "report", "--owner", "lixia", "--all", today=TODAY.isoformat()), "--all")
    assert_refused(kehu(history.repo, "report", "--send", today=TODAY.isoformat()), "report.to_roles")
