"""Changes that need a manager (审批): each rule of kehu.yaml `approval.rules` triggers on its change and on no other
(read by `kehu diff --against`), and `kehu approval` — the review job's decision — follows the reviews the forge
recorded, asked of a GitHub and a GitLab API answered by a server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml

from tests.support.commands import commit, git_init, kehu
from tests.support.customers import customer_dict, dump_yaml, team_yaml
from tests.support.git import git
from tests.support.local_http import LocalServer
from tests.support.team_repo import TeamRepo

TEAM = team_yaml("lixia", "wangfang", "liuyang", "zhoumin", liuyang={"git": "liuyang-mgr"},
                 zhoumin={"active": False})
RULES = [{"kind": "won_moved_back"}, {"kind": "lost"}, {"kind": "class_override", "to": ["core"]},
         {"kind": "deal_above", "amount": 500000}, {"kind": "owner_change"}, {"kind": "customer_deleted"}]
WON, OPEN, SMALL = "C20240501001", "C20240502001", "C20240503001"
DEAL = {"contract": "HT202405001", "product": "办公软件SaaS服务", "amount": 120000, "signed": "2024-05-20"}


def _book() -> list[dict[str, Any]]:
    return [
        customer_dict(id=WON, stage="won", deals=[DEAL]),
        customer_dict(id=OPEN, name="杭州云帆网络科技有限公司", stage="quoted",
                      contacts=[{"name": "王强", "phone": "13912345678"}]),
        customer_dict(id=SMALL, name="北京智联数据有限公司", stage="won",
                      contacts=[{"name": "刘敏", "phone": "13712345678"}],
                      deals=[{**DEAL, "contract": "HT202405002", "amount": 100000}]),
    ]


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> TeamRepo:
    repo = TeamRepo.create(tmp_path_factory.mktemp("approval") / "team", team=TEAM)
    repo.set_config(approval={"roles": ["manager"], "rules": RULES})
    git_init(repo)
    for data in _book():
        repo.write_customer(data)
    commit(repo, "the book")
    return repo


def _edit(repo: TeamRepo, cid: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = repo.customers / f"{cid}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = json.loads(json.dumps(data, default=str))
    change(data)
    path.write_text(dump_yaml(data), encoding="utf-8")


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.update(values)


def _add_deal(amount: int, contract: str) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.setdefault("deals", []).append({**DEAL, "contract": contract, "amount": amount,
                                                       "signed": "2024-05-30"})


def _raise_deal(d: dict[str, Any]) -> None:
    d["deals"][0]["amount"] = 600000


def _log(d: dict[str, Any]) -> None:
    d["interactions"].append({"date": "2024-05-30", "channel": "visit", "by": "lixia", "summary": "上门演示二期方案"})


CASES = {  # name: (customer, change, the rules it must trigger)
    "won moved back": (WON, _set(stage="negotiating"), ["won_moved_back"]),
    "won lost": (WON, _set(stage="lost", lost_from="won"), ["lost"]),
    "open lost": (OPEN, _set(stage="lost", lost_from="quoted"), ["lost"]),
    "forward": (OPEN, _set(stage="negotiating"), []),
    "class core by hand": (OPEN, _set(**{"class": "core", "class_reason": "战略客户"}), ["class_override"]),
    "class key by hand": (OPEN, _set(**{"class": "key", "class_reason": "重点培育"}), []),
    "deal over the line": (OPEN, _add_deal(600000, "HT202405009"), ["deal_above"]),
    "deal under the line": (OPEN, _add_deal(100000, "HT202405010"), []),
    "deal raised over the line": (SMALL, _raise_deal, ["deal_above"]),
    "owner": (OPEN, _set(owner="wangfang"), ["owner_change"]),
    "a call": (WON, _log, []),
    "region": (OPEN, _set(region="杭州市西湖区"), []),
}


@pytest.fixture
def branch(team: TeamRepo) -> Iterator[TeamRepo]:
    git(team.root, "checkout", "-q", "-B", "change", "main")
    yield team
    git(team.root, "checkout", "-q", "-f", "main")


def _needs(repo: TeamRepo) -> list[tuple[str, str]]:
    run = kehu(repo, "diff", "--against", "main", "--format", "json")
    assert run.exit_code == 0, run.stderr
    return sorted((n["customer"], n["rule"]) for n in json.loads(run.stdout)["needs_approval"])


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_triggers_on_its_change_and_not_on_others(branch: TeamRepo, case: str):
    cid, change, rules = CASES[case]
    _edit(branch, cid, change)
    commit(branch, case)
    assert _needs(branch) == [(cid, r) for r in rules]


def test_a_deleted_customer_and_the_words(branch: TeamRepo):
    (branch.customers / f"{SMALL}.yaml").unlink()
    _edit(branch, WON, _set(stage="quoted"))
    commit(branch, "delete one, move one back")
    assert _needs(branch) == [(WON, "won_moved_back"), (SMALL, "customer_deleted")]
    text = kehu(branch, "diff", "--against", "main").stdout
    assert "⚑ 需经理审批：已签约客户退回到 报价" in text and "⚑ 需经理审批：删除了客户文件" in text
    assert "需经理审批 2 处" in text.splitlines()[1]
    markdown = kehu(branch, "diff", "main...HEAD", "--format", "markdown").stdout
    assert "- **⚑** 需经理审批：已签约客户退回到 报价" in markdown


def test_no_rules_no_needs(branch: TeamRepo):
    _edit(branch, WON, _set(stage="negotiating"))
    commit(branch, "back")
    branch.set_config(approval={"roles": ["manager"], "rules": []})
    try:
        assert _needs(branch) == []
    finally:
        branch.set_config(approval={"roles": ["manager"], "rules": RULES})


# --- the decision: the forge's recorded reviews ----------------------------------------------------------------


def _head(repo: TeamRepo, rev: str = "HEAD") -> str:
    return git(repo.root, "rev-parse", rev).stdout.strip()


def _github(server: LocalServer, author: str, head: str, reviews: list[dict[str, Any]]) -> None:
    server.routes = {"/repos/acme/customers/pulls/7": {"user": {"login": author}, "head": {"sha": head},
                                                       "base": {"ref": "main"}},
                     "/repos/acme/customers/pulls/7/reviews": reviews}


def _review(login: str, state: str, commit_id: str) -> dict[str, Any]:
    return {"user": {"login": login}, "state": state, "commit_id": commit_id, "submitted_at": "2024-06-01T10:00:00Z"}


def _decide(repo: TeamRepo, server: LocalServer, forge: str = "github") -> Any:
    project = "acme/customers"
    return kehu(repo, "approval", "--against", "main", "--forge", forge, "--api", server.url("/api/v4" if forge ==
                "gitlab" else ""), "--project", project, "--request", "7", env={"KEHU_FORGE_TOKEN": "t0k3n"})


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer()
    yield s
    s.close()


def test_the_decision_follows_the_recorded_reviews(branch: TeamRepo, server: LocalServer):
    _edit(branch, WON, _set(stage="negotiating"))
    commit(branch, "move back")
    first = _head(branch)
    cases = [  # (reviews, passes)
        ([], False),
        ([_review("wangfang-cs", "APPROVED", first)], False),                       # not a manager
        ([_review("zhoumin-mgr", "APPROVED", first)], False),                       # a manager who left
        ([_review("liuyang-mgr", "COMMENTED", first)], False),                      # a comment approves nothing
        ([_review("liuyang-mgr", "APPROVED", first)], True),
        ([_review("@LiuYang-MGR", "APPROVED", first)], True),                       # logins are case-blind
        ([_review("liuyang-mgr", "APPROVED", first), _review("liuyang-mgr", "CHANGES_REQUESTED", first)], False),
        ([_review("liuyang-mgr", "APPROVED", first), _review("liuyang-mgr", "DISMISSED", first)], False),
        ([_review("liuyang-mgr", "APPROVED", first), _review("liuyang-mgr", "COMMENTED", first)], True),
    ]
    for reviews, passes in cases:
        _github(server, "lixia-sales", first, reviews)
        run = _decide(branch, server)
        assert run.exit_code == (0 if passes else 1), (reviews, run.stdout, run.stderr)
    assert "✗ 深圳" not in run.stdout and "刘洋 已批准" in run.stdout
    asked = [r for r in server.requests if r["path"].startswith("/repos/acme/customers/pulls/7")]
    assert asked and all(r["headers"].get("Authorization") == "Bearer t0k3n" for r in asked)
    assert "t0k3n" not in run.stdout + run.stderr


def test_an_approval_covers_what_it_saw(branch: TeamRepo, server: LocalServer):
    _edit(branch, WON, _set(stage="negotiating"))
    commit(branch, "move back")
    seen = _head(branch)
    _edit(branch, OPEN, _log)                   # a later push with nothing that needs approval: still approved
    commit(branch, "a call")
    _github(server, "lixia-sales", _head(branch), [_review("liuyang-mgr", "APPROVED", seen)])
    assert _decide(branch, server).exit_code == 0
    _edit(branch, OPEN, _add_deal(800000, "HT202405011"))   # another change over the line: a new approval is needed
    commit(branch, "a big deal")
    _github(server, "lixia-sales", _head(branch), [_review("liuyang-mgr", "APPROVED", seen)])
    run = _decide(branch, server)
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert any(line.strip().startswith("✓") and WON in line for line in lines)
    assert any(line.strip().startswith("✗") and OPEN in line and "800,000" in line for line in lines)
    _github(server, "lixia-sales", _head(branch), [_review("liuyang-mgr", "APPROVED", _head(branch))])
    assert _decide(branch, server).exit_code == 0
    _github(server, "lixia-sales", _head(branch), [_review("liuyang-mgr", "APPROVED", "f" * 40)])  # force-pushed away
    assert _decide(branch, server).exit_code == 1


def test_the_author_cannot_approve_their_own_change(branch: TeamRepo, server: LocalServer):
    _edit(branch, OPEN, _set(owner="wangfang"))
    commit(branch, "owner")
    _github(server, "liuyang-mgr", _head(branch), [_review("liuyang-mgr", "APPROVED", _head(branch))])
    assert _decide(branch, server).exit_code == 1


def test_nothing_to_approve_passes_whatever_the_reviews(branch: TeamRepo, server: LocalServer):
    _edit(branch, OPEN, _log)
    commit(branch, "a call")
    _github(server, "lixia-sales", _head(branch), [])
    run = _decide(branch, server)
    assert run.exit_code == 0 and "没有需要经理审批的变更" in run.stdout


def test_gitlab_approvals(branch: TeamRepo, server: LocalServer):
    _edit(branch, WON, _set(stage="lead"))
    commit(branch, "back to lead")
    base = "/api/v4/projects/acme%2Fcustomers/merge_requests/7"
    for approvers, passes in (([], False), (["wangfang-cs"], False), (["liuyang-mgr"], True)):
        server.routes = {base: {"author": {"username": "lixia-sales"}, "sha": _head(branch), "target_branch": "main"},
                         base + "/approvals": {"approved_by": [{"user": {"username": u}} for u in approvers]}}
        run = _decide(branch, server, "gitlab")
        assert run.exit_code == (0 if passes else 1), (approvers, run.stdout, run.stderr)
    assert all(r["headers"].get("Private-Token") == "t0k3n" for r in server.requests)


def test_a_forge_that_does_not_answer_fails_with_one_line(branch: TeamRepo, server: LocalServer):
    _edit(branch, WON, _set(stage="lead"))
    commit(branch, "back to lead")
    server.routes = {"/repos/acme/customers/pulls/7": (500, {"message": "boom"})}
    run = _decide(branch, server)
    assert run.exit_code == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "HTTP 500" in run.stderr and "t0k3n" not in run.stderr


def test_without_a_forge_it_lists_what_needs_approval(branch: TeamRepo):
    _edit(branch, WON, _set(stage="lead"))
    run = kehu(branch, "approval", "--against", "main", "--forge", "none")
    assert run.exit_code == 1
    assert "✗ 上海启明科技有限公司（C20240501001）：需经理审批：已签约客户退回到 线索 — 待批准" in run.stdout
    assert "刘洋（liuyang）" in run.stdout and "周敏" not in run.stdout
    git(branch.root, "checkout", "--", ".")
