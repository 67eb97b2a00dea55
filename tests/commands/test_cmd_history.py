"""`kehu history`: who changed which fields when, from real git commits — field by field."""

from __future__ import annotations

import json

import pytest
from kehu.commands.history import diff

from tests.support.commands import assert_refused, commit, kehu, team_repo
from tests.support.git import git

WANGFANG = "wangfang@example.com"
CALL = "电话沟通二期报价，客户认为价格偏高，希望分期付款"


@pytest.fixture
def repo(make_repo):
    """C20240501001 created by lixia, a call logged by wangfang, the stage moved by lixia."""
    repo = team_repo(make_repo)
    assert kehu(repo, "log", "启明", "-c", "call", "-s", CALL, "--by", "wangfang", "--date", "2024-05-21",
                today="2024-05-21").exit_code == 0
    commit(repo, "log a call", email=WANGFANG, date="2024-05-21T18:00:00+08:00")
    assert kehu(repo, "set", "启明", "stage", "negotiating", today="2024-05-22").exit_code == 0
    commit(repo, "negotiating", date="2024-05-22T09:00:00+08:00")
    return repo


def history(repo, *args):
    r = kehu(repo, "history", "启明", "--format", "json", *args)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_each_commit_says_who_changed_which_field(repo):
    entries = history(repo)
    assert [(e["date"], e["author"]) for e in entries] == [
        ("2024-05-01", "lixia"), ("2024-05-21", "wangfang"), ("2024-05-22", "lixia")]
    assert entries[0]["changes"][0] == "创建：上海启明科技有限公司（报价，负责人 李霞）"
    assert entries[1]["changes"] == [f"新增跟进记录：2024-05-21 电话 王芳：{CALL}"]
    assert entries[2]["changes"] == ["客户阶段：报价 → 谈判"]


def test_history_in_english(repo):
    repo.set_config(locale="en")
    assert history(repo)[2]["changes"] == ["Stage: Quoted → Negotiating"]
    line = kehu(repo, "history", "启明").stdout.strip().splitlines()[1]
    assert line.endswith(f"王芳 {line.split()[2].rstrip(':')}: Interactions added: 2024-05-21 Call 王芳: {CALL}")


def test_text_lines(repo):
    r = kehu(repo, "history", "C20240501001")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("2024-05-22 李霞 ") and lines[2].endswith("：客户阶段：报价 → 谈判")
    sha = git(repo.root, "rev-parse", "--short=7", "HEAD").stdout.strip()
    assert sha in lines[2]


def test_edits_inside_a_list_are_named_by_the_item(repo):
    assert kehu(repo, "complaint", "启明", "open", "--content", "发票开具延迟", "--date", "2024-05-28",
                today="2024-05-28").exit_code == 0
    commit(repo, "complaint", email=WANGFANG, date="2024-05-28T10:00:00+08:00")
    assert kehu(repo, "complaint", "启明", "resolve", "--result", "已补开并致歉", today="2024-05-30").exit_code == 0
    commit(repo, "resolved", email=WANGFANG, date="2024-05-30T10:00:00+08:00")
    last = history(repo)[-1]
    assert last["author"] == "wangfang"
    assert last["changes"] == ["投诉已解决：2024-05-28：发票开具延迟（已解决、已补开并致歉）"]


def test_contact_details_are_masked_unless_internal(repo):
    path = repo.customers / "C20240501001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("13800138000", "13900139000"), encoding="utf-8")
    commit(repo, "new phone", date="2024-05-25T10:00:00+08:00")
    assert history(repo)[-1]["changes"] == ["修改联系人（张伟）手机号：138****8000 → 139****9000"]
    assert history(repo, "--internal")[-1]["changes"] == ["修改联系人（张伟）手机号：13800138000 → 13900139000"]


def test_uncommitted_changes_are_shown_last(repo):
    assert kehu(repo, "set", "启明", "region", "上海浦东").exit_code == 0
    last = history(repo)[-1]
    assert last["commit"] == "" and last["changes"] == ["所在地区：上海 → 上海浦东"]
    text = kehu(repo, "history", "启明").stdout.strip().splitlines()[-1]
    assert "未提交" in text


def _merge(repo, branch):
    """Merge ``branch`` into main, leaving the conflict (both sides changed the file) to the test."""
    git(repo.root, "merge", "--no-ff", "--no-commit", branch, ok=False)


def test_a_merge_says_who_merged_whose_changes(repo):
    git(repo.root, "checkout", "-q", "-b", "other")
    other = ["log", "启明", "-c", "visit", "-s", "上门拜访IT总监，确认对接范围", "--by", "wangfang",
             "--date", "2024-05-23"]
    assert kehu(repo, *other, today="2024-05-23").exit_code == 0
    commit(repo, "visit", email=WANGFANG, date="2024-05-23T10:00:00+08:00")
    git(repo.root, "checkout", "-q", "main")
    mine = ["log", "启明", "-c", "call", "-s", "电话确认报价单已收到", "--date", "2024-05-23"]
    assert kehu(repo, *mine, today="2024-05-23").exit_code == 0
    commit(repo, "call", date="2024-05-23T11:00:00+08:00")
    _merge(repo, "other")
    git(repo.root, "checkout", "--ours", "customers/C20240501001.yaml")  # resolve by hand: ours + their visit
    assert kehu(repo, *other, today="2024-05-23").exit_code == 0
    commit(repo, "merge other", date="2024-05-24T10:00:00+08:00")
    entries = history(repo)
    merges = [e for e in entries if e["merge"]]
    assert [m["changes"] for m in merges] == [["李霞 合并", "合并了 王芳 的改动"]]  # the union: nothing else new
    added = [c for e in entries for c in e["changes"] if c.startswith("新增跟进记录")]
    assert len(added) == 3  # wangfang's call, her visit (on the branch), lixia's call — each once


def test_a_merge_that_changes_something_new_is_shown(repo):
    git(repo.root, "checkout", "-q", "-b", "other")
    assert kehu(repo, "set", "启明", "region", "上海浦东").exit_code == 0
    commit(repo, "region", email=WANGFANG, date="2024-05-23T10:00:00+08:00")
    git(repo.root, "checkout", "-q", "main")
    assert kehu(repo, "set", "启明", "region", "上海徐汇").exit_code == 0
    commit(repo, "region", date="2024-05-23T11:00:00+08:00")
    _merge(repo, "other")
    git(repo.root, "checkout", "--ours", "customers/C20240501001.yaml")
    assert kehu(repo, "set", "启明", "region", "上海").exit_code == 0  # neither side's value
    commit(repo, "merge other", date="2024-05-24T10:00:00+08:00")
    last = history(repo)[-1]
    assert last["merge"] and last["changes"] == [
        "李霞 合并", "合并了 王芳 的改动", "所在地区：两边不同（李霞：上海徐汇；王芳：上海浦东），合并时改为 上海"]


def test_a_merge_says_which_side_it_kept(repo):
    git(repo.root, "checkout", "-q", "-b", "other")
    assert kehu(repo, "set", "启明", "region", "上海浦东").exit_code == 0
    commit(repo, "region", email=WANGFANG, date="2024-05-23T10:00:00+08:00")
    git(repo.root, "checkout", "-q", "main")
    assert kehu(repo, "set", "启明", "region", "上海徐汇").exit_code == 0
    commit(repo, "region", date="2024-05-23T11:00:00+08:00")
    _merge(repo, "other")
    git(repo.root, "checkout", "--theirs", "customers/C20240501001.yaml")  # the merger keeps wangfang's value
    commit(repo, "merge other", email="liuyang@example.com", date="2024-05-24T10:00:00+08:00")
    last = history(repo)[-1]
    assert last["merge"] and last["author"] == "liuyang"
    assert "所在地区：两边不同（李霞：上海徐汇；王芳：上海浦东），合并时保留了 王芳 的值" in last["changes"]
    text = kehu(repo, "history", "启明").stdout.strip().splitlines()[-1]
    assert text.startswith("2024-05-24 刘洋 ") and "（合并）：刘洋 合并；合并了 王芳 的改动" in text


def test_not_a_git_repository(make_repo):
    from tests.support.customers import customer_dict

    repo = make_repo()
    repo.write_customer(customer_dict())
    assert_refused(kehu(repo, "history", "启明"), "git")


def test_unknown_customer(repo):
    assert_refused(kehu(repo, "history", "nobody"), "nobody")


def test_diff_of_data():
    order = ["stage", "tags", "interactions"]
    old = {"stage": "lead", "tags": ["降本增效"], "interactions": [{"date": "2024-05-01", "channel": "call",
                                                                   "by": "lixia", "summary": "a"}]}
    new = {"stage": "contacted", "tags": ["降本增效", "快速部署"],
           "interactions": [{"date": "2024-05-01", "channel": "call", "by": "lixia", "summary": "a, corrected"}]}
    changes = [(c.field, c.kind, c.old, c.new, c.sub) for c in diff(old, new, order)]
    assert changes == [("stage", "set", "lead", "contacted", ""), ("tags", "add", None, "快速部署", ""),
                       ("interactions", "edit", "a", "a, corrected", "summary")]
    assert diff({"lost_from": None}, {}, order) == []  # absent and null both mean "not recorded"


def test_history_follows_a_renamed_file(make_repo):
    from tests.support.commands import git_init
    from tests.support.customers import COMMENTED

    repo = make_repo()
    git_init(repo)
    repo.write_customer(COMMENTED, "C20240501009")  # first saved under a wrong name ...
    commit(repo, "add")
    git(repo.root, "mv", "customers/C20240501009.yaml", "customers/C20240501001.yaml")  # ... then renamed
    commit(repo, "rename", date="2024-05-02T10:00:00+08:00")
    assert kehu(repo, "set", "启明", "stage", "negotiating").exit_code == 0
    commit(repo, "stage", date="2024-05-03T10:00:00+08:00")
    entries = history(repo)
    assert [e["changes"] for e in entries][1:] == [
        ["文件改名：customers/C20240501009.yaml → customers/C20240501001.yaml"], ["客户阶段：报价 → 谈判"]]
    assert entries[0]["changes"][0].startswith("创建")
