"""`kehu survey` and `kehu complaint open / progress / resolve`."""

from __future__ import annotations

import pytest

from tests.support.commands import assert_refused, assert_written_well, kehu, plain, team_repo
from tests.support.customers import TODAY


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo)


def target(repo):
    return repo.customers / "C20240501001.yaml"


# --- survey --------------------------------------------------------------------------------------


def test_survey_is_recorded(repo):
    r = kehu(repo, "survey", "启明", "--quality", "5", "--attitude", "4", "--response", "3", "--after-sales", "5",
             "--comment", "响应可以更快")
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["surveys"] == [{"date": TODAY, "quality": 5, "attitude": 4, "response": 3,
                                               "after_sales": 5, "comment": "响应可以更快"}]
    assert "# 工商注册全称" in target(repo).read_text(encoding="utf-8")
    assert_written_well(repo, target(repo))


def test_surveys_stay_in_date_order(repo):
    assert kehu(repo, "survey", "启明", "--quality", "4").exit_code == 0
    assert kehu(repo, "survey", "启明", "--quality", "3", "--date", "2024-05-15").exit_code == 0
    assert [s["date"] for s in plain(target(repo))["surveys"]] == ["2024-05-15", TODAY]


@pytest.mark.parametrize(("args", "named"), [
    (["survey", "启明"], "--quality"),
    (["survey", "启明", "--quality", "6"], "--quality"),
    (["survey", "启明", "--attitude", "0"], "--attitude"),
    (["survey", "启明", "--response", "good"], "good"),
    (["survey", "启明", "--quality", "5", "--date", "2024-06-31"], "2024-06-31"),
    (["survey", "启明", "--quality", "5", "--date", "2024-06-02"], "2024-06-02"),   # in the future
    (["survey", "nobody", "--quality", "5"], "nobody"),
], ids=["no-score", "over-5", "under-1", "not-a-number", "bad-date", "future", "unknown-customer"])
def test_bad_survey_changes_nothing(repo, args, named):
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, *args), named)
    assert target(repo).read_bytes() == before


# --- complaints ----------------------------------------------------------------------------------


def test_open_then_resolve_the_only_open_complaint(repo):
    r = kehu(repo, "complaint", "启明", "open", "--category", "交付", "--content", "发票开具延迟",
             "--handler", "wangfang", "--date", "2024-05-28")
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["complaints"] == [{"date": "2024-05-28", "category": "交付", "content": "发票开具延迟",
                                                  "handler": "wangfang", "status": "open"}]
    assert_written_well(repo, target(repo))
    r = kehu(repo, "complaint", "启明", "resolve", "--result", "已补开并致歉")
    assert r.exit_code == 0, r.stderr
    assert "4" in r.stdout  # days to resolve
    item = plain(target(repo))["complaints"][0]
    assert (item["status"], item["resolved"], item["result"]) == ("resolved", TODAY, "已补开并致歉")
    assert list(item) == ["date", "category", "content", "handler", "status", "resolved", "result"]
    assert_written_well(repo, target(repo))


def test_progress_then_resolve_by_number(repo):
    for content in ("发票开具延迟", "实施人员更换频繁"):
        assert kehu(repo, "complaint", "启明", "open", "--content", content, "--date", "2024-05-30").exit_code == 0
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, "complaint", "启明", "resolve", "--result", "已处理"), "#1", "#2")
    assert target(repo).read_bytes() == before
    r = kehu(repo, "complaint", "启明", "progress", "2", "--handler", "liuyang")
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["complaints"][1]["status"] == "in_progress"
    r = kehu(repo, "complaint", "启明", "resolve", "2", "--result", "固定实施顾问")
    assert r.exit_code == 0, r.stderr
    statuses = [c["status"] for c in plain(target(repo))["complaints"]]
    assert statuses == ["open", "resolved"]
    assert_refused(kehu(repo, "complaint", "启明", "resolve", "2", "--result", "again"), "已于")


@pytest.mark.parametrize(("args", "named"), [
    (["complaint", "启明", "open", "--content", "  "], "--content"),
    (["complaint", "启明", "open", "--content", "慢", "--category", "Deliveries"], "'交付'"),
    (["complaint", "启明", "open", "--content", "慢", "--category", "物流"], "物流"),
    (["complaint", "启明", "open", "--content", "慢", "--handler", "zhangsan"], "zhangsan"),
    (["complaint", "启明", "close"], "close"),
    (["complaint", "启明", "resolve", "--result", "已处理"], "open"),        # nothing unresolved
    (["complaint", "启明", "resolve", "3", "--result", "已处理"], "3"),
    (["complaint", "启明", "open", "--content", "慢", "--date", "06/01/2024"], "06/01/2024"),
], ids=["empty-content", "category-near-miss", "unknown-category", "unknown-handler", "bad-action", "none-open",
        "no-such-number", "bad-date"])
def test_bad_complaint_changes_nothing(repo, args, named):
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, *args), named)
    assert target(repo).read_bytes() == before


def test_resolving_before_it_was_received_is_refused(repo):
    assert kehu(repo, "complaint", "启明", "open", "--content", "发票开具延迟", "--date", "2024-05-28").exit_code == 0
    before = target(repo).read_bytes()
    r = kehu(repo, "complaint", "启明", "resolve", "--result", "已补开", "--date", "2024-05-20")
    assert_refused(r, "2024-05-20")
    assert target(repo).read_bytes() == before


def test_resolve_needs_a_result(repo):
    assert kehu(repo, "complaint", "启明", "open", "--content", "发票开具延迟").exit_code == 0
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, "complaint", "启明", "resolve"), "--result")
    assert target(repo).read_bytes() == before
