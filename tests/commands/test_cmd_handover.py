"""When someone leaves: `active: false` keeps their history valid and turns what they still hold into warnings to
hand over; `kehu handover` moves exactly that — owners, open opportunities, open complaints — in one commit,
keeping every past record, and `kehu check` is clean afterwards (also against the commit before)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.commands import assert_refused, commit, git_init, kehu, plain
from tests.support.customers import TODAY, customer_dict, team_yaml
from tests.support.git import git
from tests.support.team_repo import TeamRepo

TEAM = team_yaml("lixia", "wangfang", "zhaolei", "liuyang", lixia={"active": False}, wangfang={"git": None},
                 zhaolei={"git": None})
A, B, C, D = "C20240501001", "C20240502001", "C20240503001", "C20240504001"


def _opp(oid: str, stage: str, owner: str | None = None, **more) -> dict:
    o = {"id": oid, "what": "年度服务", "amount": 80000, "close": "2024-07-30", "stage": stage, "created": "2024-05-10"}
    if owner:
        o["owner"] = owner
    o.update(more)
    return o


def _complaint(status: str, handler: str) -> dict:
    x = {"date": "2024-05-12", "category": "交付", "content": "发票开具延迟", "handler": handler, "status": status}
    if status == "resolved":
        x.update(resolved="2024-05-14", result="已补开并致歉")
    return x


def _book() -> list[dict]:
    calls = [{"date": "2024-05-01", "channel": "call", "by": "lixia", "summary": "沟通Q2续约需求，客户对售后服务满意"}]
    return [
        customer_dict(id=A, name="上海启明科技有限公司", region="上海", interactions=calls,
                      next_action={"date": "2024-06-10", "action": "提交续约方案"},
                      complaints=[_complaint("open", "lixia"), _complaint("resolved", "lixia")]),
        customer_dict(id=B, name="杭州云帆网络科技有限公司", region="杭州", interactions=calls,
                      contacts=[{"name": "王强", "phone": "13912345678"}],
                      opportunities=[_opp("O20240510-aaaa", "quoted", "lixia"),
                                     _opp("O20240510-bbbb", "lost", "lixia", closed="2024-05-20",
                                          lost_reason="price")]),
        customer_dict(id=C, name="北京智联数据有限公司", region="北京", owner="wangfang", interactions=calls,
                      contacts=[{"name": "刘敏", "phone": "13712345678"}],
                      opportunities=[_opp("O20240510-cccc", "negotiating", "lixia")],
                      complaints=[_complaint("in_progress", "lixia"), _complaint("resolved", "lixia")]),
        customer_dict(id=D, name="南京安泰贸易有限公司", region="南京", owner="wangfang", interactions=calls,
                      contacts=[{"name": "周杰", "phone": "13612345678"}]),
    ]


@pytest.fixture
def team(make_repo) -> TeamRepo:
    repo = make_repo(team=TEAM)
    git_init(repo, "liuyang@example.com")
    for data in _book():
        repo.write_customer(data)
    commit(repo, "the book; lixia has left")
    return repo


def _codes(repo: TeamRepo) -> list[tuple[str, str, str]]:
    run = repo.check_json()
    return sorted((Path(p["file"]).stem, p["code"], p["severity"]) for p in run.problems)


def test_a_member_who_left_keeps_their_history_and_what_they_hold_is_to_hand_over(team: TeamRepo):
    run = team.check_json()
    assert run.returncode == 0, run.stdout  # warnings, never an error that hides a customer
    inactive = sorted((Path(p["file"]).stem, p["message"].split("：")[0]) for p in run.problems
                      if p["code"] == "owner-inactive")
    assert inactive == [(A, "complaints[0].handler"), (A, "owner"), (B, "opportunities[0].owner"), (B, "owner"),
                        (C, "complaints[0].handler"), (C, "opportunities[0].owner")]
    assert not [p for p in run.problems if p["code"] == "unknown-handle"]  # past by:/handlers stay legal


def test_a_member_removed_from_team_yaml_is_an_error_naming_the_handle(team: TeamRepo):
    without_lixia = "members:\n  - handle: wangfang\n" + TEAM.split("  - handle: wangfang\n", 1)[1]
    team.write("team.yaml", without_lixia)
    run = team.check_json()
    assert run.returncode == 1
    assert {(Path(p["file"]).stem, p["code"]) for p in run.problems if p["severity"] == "error"} >= {
        (A, "unknown-handle"), (B, "unknown-handle")}


def test_dry_run_lists_and_writes_nothing(team: TeamRepo):
    before = git(team.root, "rev-parse", "HEAD").stdout
    run = kehu(team, "handover", "--from", "lixia", "--to", "zhaolei", "--dry-run")
    assert run.exit_code == 0, run.stderr
    assert all(cid in run.stdout for cid in (A, B, C)) and D not in run.stdout
    assert "3 个客户" not in run.stdout and "2 个客户、2 个商机、2 个投诉（3 个文件）" in run.stdout
    assert git(team.root, "status", "--porcelain", "--", "customers").stdout == ""
    assert git(team.root, "rev-parse", "HEAD").stdout == before


def test_a_handover_moves_exactly_what_it_should_in_one_commit(team: TeamRepo):
    before = {cid: plain(team.customers / f"{cid}.yaml") for cid in (A, B, C, D)}
    head = git(team.root, "rev-parse", "HEAD").stdout.strip()
    run = kehu(team, "handover", "--from", "lixia", "--to", "zhaolei")
    assert run.exit_code == 0, run.stderr
    assert git(team.root, "rev-list", "--count", f"{head}..HEAD").stdout.strip() == "1"
    subject = git(team.root, "log", "-1", "--format=%s").stdout.strip()
    assert subject == "交接：李霞 → 赵磊（2 个客户，2 个商机，2 个投诉）"
    changed = git(team.root, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert sorted(changed) == [f"customers/{cid}.yaml" for cid in (A, B, C)]
    after = {cid: plain(team.customers / f"{cid}.yaml") for cid in (A, B, C, D)}
    a, b, c = after[A], after[B], after[C]
    assert (a["owner"], a["owner_since"], b["owner"], b["owner_since"]) == ("zhaolei", TODAY, "zhaolei", TODAY)
    assert [x["handler"] for x in a["complaints"]] == ["zhaolei", "lixia"]          # open moves, resolved stays
    assert a["next_action"] == before[A]["next_action"]                            # goes with the customer
    assert [o["owner"] for o in b["opportunities"]] == ["zhaolei", "lixia"]       # open moves, lost stays
    assert (c["owner"], c["opportunities"][0]["owner"]) == ("wangfang", "zhaolei")
    assert [x["handler"] for x in c["complaints"]] == ["zhaolei", "lixia"]
    for cid in (A, B, C):
        assert after[cid]["interactions"] == before[cid]["interactions"]           # history kept: by: lixia
    assert after[D] == before[D]
    assert _codes(team) == []                                                       # kehu check clean
    audit = team.kehu("check", "--against", head)
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_only_the_region_asked_for(team: TeamRepo):
    run = kehu(team, "handover", "--from", "lixia", "--to", "zhaolei", "--region", "上海")
    assert run.exit_code == 0, run.stderr
    changed = git(team.root, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert changed == [f"customers/{A}.yaml"]
    assert plain(team.customers / f"{B}.yaml")["owner"] == "lixia"


def test_only_the_class_asked_for(team: TeamRepo):
    run = kehu(team, "handover", "--from", "lixia", "--to", "zhaolei", "--class", "core", "--dry-run")
    assert run.exit_code == 0 and "没有需要交接" in run.stdout  # nobody's customer here is core


def test_refusals_change_nothing(team: TeamRepo):
    head = git(team.root, "rev-parse", "HEAD").stdout
    assert_refused(kehu(team, "handover", "--from", "wangfang", "--to", "lixia"), "--to", "lixia")
    assert_refused(kehu(team, "handover", "--from", "lixia", "--to", "lixia"), "--from")
    assert_refused(kehu(team, "handover", "--from", "lisa", "--to", "zhaolei"), "--from", "lisa")
    path = team.customers / f"{B}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "notes: 本地未提交的修改\n", encoding="utf-8")
    assert_refused(kehu(team, "handover", "--from", "lixia", "--to", "zhaolei"), f"customers/{B}.yaml")
    git(team.root, "checkout", "--", ".")
    bad = team.customers / f"{C}.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("owner: wangfang", "owner: lisa"), encoding="utf-8")
    commit(team, "a slip")
    head = git(team.root, "rev-parse", "HEAD").stdout
    assert_refused(kehu(team, "handover", "--from", "lixia", "--to", "zhaolei"), f"customers/{C}.yaml")
    assert git(team.root, "status", "--porcelain", "--", "customers").stdout == ""
    assert git(team.root, "rev-parse", "HEAD").stdout == head


def test_a_member_who_left_takes_on_nothing_new(team: TeamRepo):
    assert_refused(kehu(team, "set", D, "owner", "lixia"), "负责人", "lixia", "active: false")  # the field by its title
    assert_refused(kehu(team, "complaint", D, "open", "--category", "交付", "--content", "发票开具延迟",
                        "--handler", "lixia"), "--handler", "lixia")
    assert_refused(kehu(team, "opp", "add", D, "年度服务", "--amount", "8万", "--close", "2024-07-01",
                        "--owner", "lixia"), "--owner", "lixia")
    assert git(team.root, "status", "--porcelain", "--", "customers").stdout == ""
    late = kehu(team, "log", D, "--by", "lixia", "--channel", "call",
                "--summary", "补记离职前最后一次电话回访，客户确认续约意向")  # a past record: still theirs to have made
    assert late.exit_code == 0, late.stderr
