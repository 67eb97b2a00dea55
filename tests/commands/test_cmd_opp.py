"""`kehu opp add|set|win|lose|list`: opportunities (商机) of a customer, written round-trip and checked."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.commands import assert_refused, assert_written_well, kehu, plain, team_repo
from tests.support.customers import other_customer


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo, others=[other_customer()])


def target(repo):
    return repo.customers / "C20240501001.yaml"


def opps(repo) -> list[dict]:
    return plain(target(repo)).get("opportunities", [])


def add(repo, *extra: str, what: str = "年度SaaS续约") -> str:
    r = kehu(repo, "opp", "add", "启明", what, "--amount", "12万", "--close", "2024-06-30", *extra)
    assert r.exit_code == 0, r.stderr
    found = re.search(r"(O20240601-[0-9a-f]{4})", r.stdout)
    assert found, r.stdout
    return found.group(1)


def test_add_writes_an_opportunity_with_an_id_and_keeps_comments(repo):
    oid = add(repo, "--stage", "quoted")
    assert opps(repo) == [{"id": oid, "what": "年度SaaS续约", "amount": 120000, "close": "2024-06-30",
                           "stage": "quoted", "created": "2024-06-01"}]
    text = target(repo).read_text(encoding="utf-8")
    assert "# 工商注册全称" in text
    assert text.index("opportunities:") > text.index("name:")
    assert_written_well(repo, target(repo))


def test_ids_differ_even_for_the_same_day(repo):
    first, second = add(repo), add(repo, what="定制开发项目")
    assert first != second and len(opps(repo)) == 2


def test_add_moves_the_customer_stage_forward_never_back(repo):
    add(repo, "--stage", "negotiating")
    assert plain(target(repo))["stage"] == "negotiating"
    add(repo, "--stage", "lead", what="培训服务")
    assert plain(target(repo))["stage"] == "negotiating"


def test_add_refuses_bad_input_and_writes_nothing(repo):
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, "opp", "add", "启明", "续约", "--amount", "很多", "--close", "2024-06-30"), "--amount")
    assert_refused(kehu(repo, "opp", "add", "启明", "续约", "--amount", "1000", "--close", "6/30"), "--close")
    assert_refused(kehu(repo, "opp", "add", "启明", "续约", "--amount", "1000", "--close", "2024-06-30",
                        "--stage", "quote"), "quoted")  # a near miss gets the key (a label, 报价, is accepted)
    assert_refused(kehu(repo, "opp", "add", "启明", "续约", "--amount", "1000", "--close", "2024-06-30",
                        "--stage", "won"), "kehu opp win")
    assert_refused(kehu(repo, "opp", "add", "启明", "续约", "--amount", "1000", "--close", "2024-06-30",
                        "--probability", "150"), "--probability")
    assert_refused(kehu(repo, "opp", "add", "启明", "续约", "--amount", "1000", "--close", "2024-06-30",
                        "--owner", "lisa"), "lisa")
    assert target(repo).read_bytes() == before


def test_set_changes_one_field_and_probability_none_clears_it(repo):
    oid = add(repo)
    assert kehu(repo, "opp", "set", "启明", oid, "close", "2024-07-15").exit_code == 0
    assert kehu(repo, "opp", "set", "启明", "续约", "probability", "70%").exit_code == 0
    assert kehu(repo, "opp", "set", "启明", "1", "owner", "wangfang").exit_code == 0
    o = opps(repo)[0]
    assert (o["close"], o["probability"], o["owner"]) == ("2024-07-15", 0.7, "wangfang")
    assert kehu(repo, "opp", "set", "启明", oid, "probability", "none").exit_code == 0
    assert "probability" not in opps(repo)[0]
    assert_written_well(repo, target(repo))


def test_set_names_the_opportunity_or_says_which_exist(repo):
    add(repo)
    add(repo, what="定制开发项目")
    assert_refused(kehu(repo, "opp", "set", "启明", "培训", "amount", "1"), "培训", "年度SaaS续约")
    r = kehu(repo, "opp", "set", "启明", "O2024", "amount", "1")
    assert_refused(r, "2")


def test_win_records_the_deal_and_the_customer_is_won(repo):
    oid = add(repo, "--stage", "negotiating")
    r = kehu(repo, "opp", "win", "启明", oid, "--signed", "2024-05-31", "--contract", "HT202405031")
    assert r.exit_code == 0, r.stderr
    data = plain(target(repo))
    assert data["stage"] == "won"
    assert data["deals"][-1] == {"contract": "HT202405031", "product": "年度SaaS续约", "amount": 120000,
                                 "signed": "2024-05-31", "opportunity": oid}
    o = data["opportunities"][0]
    assert (o["stage"], o["closed"]) == ("won", "2024-05-31")
    assert repo.check(target(repo)).errors == 0
    assert_refused(kehu(repo, "opp", "win", "启明", oid), "已签约")  # only once
    assert_written_well(repo, target(repo))


def test_lose_needs_a_reason_from_the_vocabulary(repo):
    oid = add(repo)
    assert_refused(kehu(repo, "opp", "lose", "启明", oid, "--reason", "贵"), "--reason")
    assert_refused(kehu(repo, "opp", "lose", "启明", oid, "--reason", "prise"), "price")
    r = kehu(repo, "opp", "lose", "启明", oid, "--reason", "competitor", "--note", "对手报价低20%")
    assert r.exit_code == 0, r.stderr
    o = opps(repo)[0]
    assert (o["stage"], o["lost_reason"], o["closed"], o["note"]) == ("lost", "competitor", "2024-06-01",
                                                                       "对手报价低20%")
    assert plain(target(repo))["stage"] == "quoted"  # the relationship goes on
    assert_written_well(repo, target(repo))


def test_list_shows_weighted_amounts_from_the_stage_defaults(repo):
    add(repo, "--stage", "quoted")
    kehu(repo, "opp", "add", "云帆", "私有化部署", "--amount", "300000", "--close", "2024-05-20",
         "--stage", "contacted")
    r = kehu(repo, "opp", "list", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = json.loads(r.stdout)["opportunities"]
    assert [(x["customer"], x["probability"], x["weighted"], x["slipping"]) for x in rows] == [
        ("C20240502001", 0.2, 60000.0, True),   # expected 05-20, no activity since 05-02: slipping
        ("C20240501001", 0.4, 48000.0, False)]
    mine = json.loads(kehu(repo, "opp", "list", "--owner", "wangfang", "--format", "json").stdout)
    assert [x["customer"] for x in mine["opportunities"]] == ["C20240502001"]
    text = kehu(repo, "opp", "list", "启明").stdout
    assert "年度SaaS续约" in text and "私有化部署" not in text


def test_show_lists_the_opportunities(repo):
    add(repo, "--stage", "quoted")
    r = kehu(repo, "show", "启明")
    assert r.exit_code == 0, r.stderr
    assert "商机" in r.stdout and "年度SaaS续约" in r.stdout and "40%" in r.stdout


def _first_followup_due(repo, cid: str) -> bool:
    r = kehu(repo, "due", "--all", "--within", "30", "--format", "json")
    assert r.exit_code == 0, r.stderr
    return any(row["id"] == cid and (row["reason"] == "first_followup" or row["action"] == "首次跟进")
               for row in json.loads(r.stdout)["due"])


def test_winning_an_opportunity_is_contact_and_completes_the_first_follow_up(repo):
    """A customer that has just signed is never "owed a first follow-up": the win is contact."""
    new = kehu(repo, "new", "苏州达易信息技术有限公司", "--owner", "wangfang", "--industry", "I65")
    assert new.exit_code == 0, new.stderr
    cid = re.search(r"(C20240601\w+)", new.stdout).group(1)
    path = repo.customers / f"{cid}.yaml"
    assert _first_followup_due(repo, cid)                                    # planned by `kehu new`
    r = kehu(repo, "opp", "add", cid, "系统集成", "--amount", "15万", "--close", "2024-06-30")
    assert r.exit_code == 0, r.stderr
    oid = re.search(r"(O20240601-[0-9a-f]{4})", r.stdout).group(1)
    assert _first_followup_due(repo, cid)                                    # an opportunity alone is not contact
    r = kehu(repo, "opp", "win", cid, oid, "--signed", "2024-06-01")
    assert r.exit_code == 0, r.stderr
    assert not _first_followup_due(repo, cid)
    assert not plain(path).get("next_action")                                # the planned step is done
    assert repo.check(path).errors == 0
    assert_written_well(repo, path)
