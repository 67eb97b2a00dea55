"""`kehu history`: who changed which fields when, from real git commits — field by field."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from cmd_support import GIT_ENV, assert_refused, commit, git, kehu, team_repo
from kehu.commands.history import diff

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
    assert entries[0]["changes"][0].startswith("创建：上海启明科技有限公司")
    assert entries[1]["changes"] == [f"interactions +1 (2024-05-21 call wangfang: {CALL})"]
    assert entries[2]["changes"] == ["stage quoted → negotiating"]


def test_text_lines(repo):
    r = kehu(repo, "history", "C20240501001")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("2024-05-22 lixia ") and lines[2].endswith(": stage quoted → negotiating")
    sha = git(repo.root, "rev-parse", "--short=7", "HEAD").strip()
    assert sha in lines[2]


def test_edits_inside_a_list_are_named_by_the_item(repo):
    assert kehu(repo, "complaint", "启明", "open", "--content", "发票开具延迟", "--date", "2024-05-28",
                today="2024-05-28").exit_code == 0
    commit(repo, "complaint", email=WANGFANG, date="2024-05-28T10:00:00+08:00")
    assert kehu(repo, "complaint", "启明", "resolve", "--result", "已补开并致歉", today="2024-05-30").exit_code == 0
    commit(repo, "resolved", email=WANGFANG, date="2024-05-30T10:00:00+08:00")
    last = history(repo)[-1]
    assert last["author"] == "wangfang"
    assert last["changes"] == ["complaints[2024-05-28 发票开具延迟].status open → resolved",
                               "complaints[2024-05-28 发票开具延迟].resolved ∅ → 2024-05-30",
                               "complaints[2024-05-28 发票开具延迟].result ∅ → 已补开并致歉"]


def test_contact_details_are_masked_unless_internal(repo):
    path = repo.customers / "C20240501001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("13800138000", "13900139000"), encoding="utf-8")
    commit(repo, "new phone", date="2024-05-25T10:00:00+08:00")
    assert history(repo)[-1]["changes"] == ["contacts[张伟].phone 138****8000 → 139****9000"]
    assert history(repo, "--internal")[-1]["changes"] == ["contacts[张伟].phone 13800138000 → 13900139000"]


def test_uncommitted_changes_are_shown_last(repo):
    assert kehu(repo, "set", "启明", "region", "上海浦东").exit_code == 0
    last = history(repo)[-1]
    assert last["commit"] == "" and last["changes"] == ["region 上海 → 上海浦东"]
    text = kehu(repo, "history", "启明").stdout.strip().splitlines()[-1]
    assert "未提交" in text


def _merge(repo, branch):
    """Merge ``branch`` into main, leaving the conflict (both sides changed the file) to the test."""
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "-C", str(repo.root), "merge", "--no-ff", "--no-commit", branch],
                   capture_output=True, text=True, env=env, check=False)


def test_a_merge_shows_only_what_neither_side_had(repo):
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
    assert not any(e["merge"] for e in entries)  # the union brought in nothing new
    added = [c for e in entries for c in e["changes"] if c.startswith("interactions +1")]
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
    assert last["merge"] and last["changes"] == ["region 上海徐汇 → 上海"]


def test_not_a_git_repository(make_repo):
    from conftest import customer_dict

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
    from cmd_support import COMMENTED, git_init

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
        ["改名：customers/C20240501009.yaml → customers/C20240501001.yaml"], ["stage quoted → negotiating"]]
    assert entries[0]["changes"][0].startswith("创建")
