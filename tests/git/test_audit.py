"""`kehu check --against BASE`: past records are append-only — every kind of erasure fails, naming the
customer, the entry and the line; a declared correction, `kehu forget` and `kehu merge` pass. Real git."""

from __future__ import annotations

import copy
import json

import pytest

from tests.support.commands import commit, kehu, team_repo
from tests.support.customers import customer_dict
from tests.support.git import git

PAST = dict(
    interactions=[{"date": "2024-05-01", "channel": "call", "by": "lixia",
                   "summary": "沟通Q2续约需求，客户对售后服务满意"},
                  {"date": "2024-05-20", "channel": "visit", "by": "wangfang",
                   "summary": "上门演示审批流，客户关注与SAP对接"}],
    surveys=[{"date": "2024-05-21", "quality": 5, "attitude": 4, "response": 4, "after_sales": 5}],
    complaints=[{"date": "2024-05-10", "category": "交付", "content": "发票开具延迟", "handler": "wangfang",
                 "status": "resolved", "resolved": "2024-05-12", "result": "已补开并致歉"},
                {"date": "2024-05-25", "category": "售后", "content": "演示环境无法登录", "handler": "wangfang",
                 "status": "open"}],
    deals=[{"contract": "HT202405001", "product": "办公软件SaaS服务", "amount": 120000, "signed": "2024-05-20"}],
)


def base_customer() -> dict:
    return customer_dict(**copy.deepcopy(PAST))


@pytest.fixture
def repo(make_repo):
    repo = team_repo(make_repo, commented=False, others=[base_customer()])
    git(repo.root, "checkout", "-q", "-b", "feature")
    return repo


def against(repo, base: str = "main") -> list[dict]:
    r = kehu(repo, "check", "--against", base, "--format", "json", "--no-cache")
    data = json.loads(r.stdout)
    assert (r.exit_code == 0) == data["ok"], r.stdout
    return [p for p in data["problems"] if p["code"].startswith("history-")]


def edit(repo, change) -> None:
    data = base_customer()
    change(data)
    repo.write_customer(data)


def line_of(repo, text: str) -> int:
    lines = (repo.customers / "C20240501001.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, ln in enumerate(lines, 1) if text in ln)


ERASURES = {
    "interaction removed": (lambda d: d["interactions"].pop(0), "history-removed", "interactions:",
                            "删除了既往跟进记录：2024-05-01 电话 李霞：沟通Q2续约需求"),
    "interaction rewritten": (lambda d: d["interactions"][1].update(summary="上门演示，客户很满意"),
                              "history-rewritten", "上门演示，客户很满意", "改写了既往跟进记录：2024-05-20 拜访 王芳"),
    "survey removed": (lambda d: d.pop("surveys"), "history-removed", None, "删除了既往满意度调查：2024-05-21"),
    "survey rewritten": (lambda d: d["surveys"][0].update(attitude=5), "history-rewritten", "attitude: 5",
                         "服务态度 4 → 5"),
    "resolved complaint removed": (lambda d: d["complaints"].pop(0), "history-removed", "complaints:",
                                   "删除了既往投诉记录：2024-05-10 交付：发票开具延迟"),
    "resolved complaint rewritten": (lambda d: d["complaints"][0].update(result="客户撤诉"), "history-rewritten",
                                     "客户撤诉", "处理结果 已补开并致歉 → 客户撤诉"),
    "signed deal removed": (lambda d: d.pop("deals"), "history-removed", None, "删除了既往合作记录：HT202405001"),
    "signed deal rewritten": (lambda d: d["deals"][0].update(amount=99000), "history-rewritten", "amount: 99000",
                              "金额(元) 120000 → 99000"),
}


@pytest.mark.parametrize("kind", list(ERASURES))
def test_each_kind_of_erasure_fails(repo, kind):
    change, code, line_text, words = ERASURES[kind]
    edit(repo, change)
    problems = against(repo)
    assert [p["code"] for p in problems] == [code], problems
    p = problems[0]
    assert p["file"] == "customers/C20240501001.yaml"
    assert "上海启明科技有限公司（C20240501001）" in p["message"] and words in p["message"], p["message"]
    if line_text:
        assert p["line"] == line_of(repo, line_text)
    assert "corrections" in p["hint"]


def test_the_rest_of_the_file_may_change(repo):
    def change(d):
        d["stage"] = "won"
        d["interactions"].append({"date": "2024-05-28", "channel": "call", "by": "lixia", "summary": "确认签约细节"})
        d["complaints"][1].update(status="resolved", resolved="2024-05-28", result="已修复登录问题")  # was open
        d["contacts"][0]["phone"] = "13900139000"
    edit(repo, change)
    assert against(repo) == []


def test_a_declared_correction_passes_and_an_old_one_does_not(repo):
    correction = {"date": "2024-05-28", "by": "lixia", "field": "interactions", "entry": "2024-05-20",
                  "reason": "拜访记录写错了客户关注点"}

    def change(d):
        d["interactions"][1]["summary"] = "上门演示审批流，客户关注与用友对接"
        d["corrections"] = [correction]
    edit(repo, change)
    assert against(repo) == []
    assert repo.check().errors == 0  # the correction is valid data
    assert "  - 更正：跟进记录 2024-05-20（李霞：拜访记录写错了客户关注点）" in kehu(repo, "diff").stdout
    commit(repo, "correction")
    # a later change cannot reuse that correction to rewrite the same entry again
    data = json.loads(json.dumps(base_customer()))
    data["interactions"][1]["summary"] = "又改了一次"
    data["corrections"] = [correction]
    repo.write_customer(data)
    assert [p["code"] for p in against(repo, "feature")] == ["history-rewritten"]


def test_a_correction_for_another_entry_does_not_count(repo):
    def change(d):
        d["interactions"].pop(0)
        d["corrections"] = [{"date": "2024-05-28", "by": "lixia", "field": "interactions", "entry": "2024-05-20",
                             "reason": "另一条"}]
    edit(repo, change)
    assert [p["code"] for p in against(repo)] == ["history-removed"]


def test_deleting_the_file_fails(repo):
    (repo.customers / "C20240501001.yaml").unlink()
    problems = against(repo)
    assert [(p["code"], p["file"], p["line"]) for p in problems] == [
        ("history-file-deleted", "customers/C20240501001.yaml", 1)]
    assert "kehu forget C20240501001" in problems[0]["hint"]


def test_forget_a_contact_passes(repo):
    r = kehu(repo, "forget", "C20240501001", "--contact", "张伟", "--reason", "本人要求删除", "--by", "lixia")
    assert r.exit_code == 0, r.stderr
    assert "git filter-repo" in r.stdout and "git clone" in r.stdout
    assert "#   张伟==>〔已删除〕" in r.stdout and "#   13800138000==>〔已删除〕" in r.stdout
    text = (repo.customers / "C20240501001.yaml").read_text(encoding="utf-8")
    assert "张伟" not in text and "13800138000" not in text and "zhang.wei" not in text
    assert "forgotten:" in text and "本人要求删除" in text
    assert against(repo) == []
    assert repo.check().errors == 0
    assert "  - 按个人信息删除请求删除了一位联系人的信息（李霞：本人要求删除）" in kehu(repo, "diff").stdout


def test_forget_a_contact_named_in_past_records(repo):
    def change(d):
        d["interactions"][0]["contact"] = "张伟"
        d["interactions"][0]["summary"] = "与张伟沟通Q2续约需求"
    edit(repo, change)
    commit(repo, "contact named")
    r = kehu(repo, "forget", "C20240501001", "--contact", "张伟", "--reason", "本人要求删除", "--by", "lixia")
    assert r.exit_code == 0, r.stderr
    text = (repo.customers / "C20240501001.yaml").read_text(encoding="utf-8")
    assert "张伟" not in text and "与〔已删除〕沟通Q2续约需求" in text
    assert against(repo, "feature") == []
    # the same rewrite without the tombstone is an erasure of history
    repo.write_customer(text.replace("forgotten:", "notes_x:").split("notes_x:")[0], "C20240501001")
    assert {p["code"] for p in against(repo, "feature")} == {"history-rewritten"}


def test_forget_a_customer_passes_and_leaves_a_tombstone(repo):
    r = kehu(repo, "forget", "C20240501001", "--reason", "客户要求删除全部信息", "--by", "lixia")
    assert r.exit_code == 0, r.stderr
    assert not (repo.customers / "C20240501001.yaml").exists()
    config = (repo.root / "kehu.yaml").read_text(encoding="utf-8")
    assert "forgotten:" in config and "C20240501001" in config and "上海启明" not in config
    assert "--invert-paths --path customers/C20240501001.yaml" in r.stdout
    assert against(repo) == []
    full = kehu(repo, "check", "--against", "main")
    assert full.exit_code == 0, full.stdout
    commit(repo, "forget")
    summary = kehu(repo, "diff", "main...feature").stdout
    assert "  - 按个人信息删除请求删除（客户要求删除全部信息）" in summary and "上海启明科技有限公司" in summary
    git(repo.root, "checkout", "-q", "main")  # the tombstone is read from the compared commit, not the work tree
    data = json.loads(kehu(repo, "diff", "main...feature", "--format", "json").stdout)
    assert [c["status"] for c in data["customers"]] == ["forgotten"] and data["past_records_changed"] == 0


def test_forget_refuses_an_unknown_contact(repo):
    before = (repo.customers / "C20240501001.yaml").read_bytes()
    r = kehu(repo, "forget", "C20240501001", "--contact", "李四", "--reason", "x", "--by", "lixia")
    assert r.exit_code == 2 and "张伟" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert (repo.customers / "C20240501001.yaml").read_bytes() == before


def test_merge_passes(make_repo):
    other = customer_dict(id="C20240502001", name="上海启明科技", stage="contacted",
                          contacts=[{"name": "刘芳", "phone": "13600136000"}],
                          interactions=[{"date": "2024-05-04", "channel": "wechat", "by": "lixia",
                                         "summary": "微信确认第二个采购联系人"}])
    repo = team_repo(make_repo, commented=False, others=[base_customer(), other])
    git(repo.root, "checkout", "-q", "-b", "feature")
    assert kehu(repo, "merge", "C20240501001", "C20240502001").exit_code == 0
    assert against(repo) == []


def test_unknown_base_is_one_line(repo):
    r = kehu(repo, "check", "--against", "nosuch")
    assert r.exit_code == 2 and r.stderr.strip().count("\n") == 0 and "nosuch" in r.stderr


def test_the_profile_page_shows_corrections_and_erasures(repo, tmp_path):
    def change(d):
        d["interactions"][1]["summary"] = "上门演示审批流，客户关注与用友对接"
        d["corrections"] = [{"date": "2024-05-28", "by": "wangfang", "field": "interactions", "entry": "2024-05-20",
                             "reason": "拜访记录写错了系统名称<b>"}]
    edit(repo, change)
    assert kehu(repo, "forget", "C20240501001", "--contact", "张伟", "--reason", "本人要求删除",
                "--by", "lixia").exit_code == 0
    out = tmp_path / "pages"
    r = kehu(repo, "build", "--pages-only", str(out))
    assert r.exit_code == 0, r.stderr
    page = next(out.rglob("C20240501001*.md")).read_text(encoding="utf-8")
    section = page[page.index('id="corrections"'):page.index('id="timeline"')]
    assert "更正与删除记录" in section
    assert ("<td>2024-05-28</td><td>王芳</td><td>跟进记录 2024-05-20</td><td>拜访记录写错了系统名称&lt;b&gt;</td>"
            in section)
    assert "<td>李霞</td><td>按请求删除了一位联系人的个人信息</td><td>本人要求删除</td>" in section
    assert 'id="extra"' not in page  # not repeated as "other fields"


def test_a_correction_names_a_team_member(repo):
    def change(d):
        d["corrections"] = [{"date": "2024-05-28", "by": "nobody", "field": "interactions", "entry": "2024-05-20",
                             "reason": "x"}]
    edit(repo, change)
    result = repo.check()
    assert [(p.code, p.line) for p in result.problems if p.code == "unknown-handle"] == [
        ("unknown-handle", line_of(repo, "by: nobody"))]
