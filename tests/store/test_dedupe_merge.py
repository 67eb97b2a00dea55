"""kehu dedupe lists likely duplicates (the checker's notion of "the same customer", ranked);
kehu merge KEEP DROP makes one file of two, or refuses and changes nothing."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.support.customers import customer_dict
from tests.support.git import git


@pytest.fixture
def dupes(repo):
    """A: 上海启明科技有限公司; B: the same company as 上海启明科技集团 with another owner;
    C: another name but A's phone; D/E: names one character apart; F: unrelated."""
    repo.write_customer(customer_dict())  # A, phone 13800138000
    repo.write_customer(customer_dict(
        id="C20240510001", name="上海启明科技集团", owner="wangfang", created="2024-05-10", stage="quoted",
        budget=300000, size=..., contacts=[{"name": "李娜", "phone": "13900139000", "email": "li.na@example.com"}],
        interactions=[{"date": "2024-05-10", "channel": "visit", "by": "wangfang", "summary": "现场演示数据看板"},
                      {"date": "2024-05-01", "channel": "call", "by": "lixia",
                       "summary": "沟通Q2续约需求，客户对售后服务满意"}],
        deals=[{"contract": "HT202405009", "product": "数据中台建设", "amount": 80000, "signed": "2024-05-20"}],
        surveys=[{"date": "2024-05-25", "quality": 4, "comment": "交付及时"}],
        complaints=[{"date": "2024-05-26", "content": "培训资料不完整", "status": "open"}],
        tags=["价格敏感"], notes="王芳在展会上认识的对接人"))
    repo.write_customer(customer_dict(id="C20240511001", name="苏州恒瑞精密机械有限公司", created="2024-05-11",
                                      interactions=[{"date": "2024-05-11", "channel": "call", "by": "lixia",
                                                     "summary": "介绍设备联网方案"}],
                                      contacts=[{"name": "吴建国", "phone": "138-0013-8000"}]))
    repo.write_customer(customer_dict(id="C20240512001", name="杭州云帆网络科技有限公司", created="2024-05-12",
                                      interactions=[{"date": "2024-05-12", "channel": "call", "by": "lixia",
                                                     "summary": "电商看板需求调研"}], contacts=[]))
    repo.write_customer(customer_dict(id="C20240513001", name="杭州云帆网罗科技有限公司", created="2024-05-13",
                                      interactions=[{"date": "2024-05-13", "channel": "call", "by": "lixia",
                                                     "summary": "直播数据看板需求"}], contacts=[]))
    repo.write_customer(customer_dict(id="C20240514001", name="成都天府软件有限公司", created="2024-05-14",
                                      interactions=[{"date": "2024-05-14", "channel": "call", "by": "lixia",
                                                     "summary": "了解采购流程"}],
                                      contacts=[{"name": "周敏", "phone": "13600136000"}]))
    git(repo.root, "init", "-q")
    git(repo.root, "add", ".")
    git(repo.root, "commit", "-qm", "customers", name="t", email="t@example.com")
    return repo


# --- dedupe ---------------------------------------------------------------------------------------


def test_dedupe_lists_pairs_by_score_with_reasons(dupes):
    run = dupes.kehu("dedupe")
    assert run.returncode == 0
    lines = run.stdout.splitlines()
    assert len(lines) == 3
    assert "C20240501001" in lines[0] and "C20240510001" in lines[0] and "规范化名称相同" in lines[0]
    assert lines[0].startswith("0.90")
    assert "C20240501001" in lines[1] and "C20240511001" in lines[1] and "手机号相同" in lines[1]
    assert "138****8000" in lines[1] and "13800138000" not in lines[1]  # masked
    assert "C20240512001" in lines[2] and "C20240513001" in lines[2] and "同音字" in lines[2]
    scores = [float(line.split()[0]) for line in lines]
    assert scores == sorted(scores, reverse=True)


def test_dedupe_combines_evidence_and_honours_not_duplicates(dupes):
    from kehu.store.dedupe import find_pairs, repo_entries

    dupes.write_customer(customer_dict(id="C20240515001", name="成都天府软件集团", created="2024-05-15",
                                       interactions=[{"date": "2024-05-15", "channel": "call", "by": "lixia",
                                                      "summary": "补充采购流程"}],
                                       contacts=[{"name": "周敏", "phone": "+86 136 0013 6000"}]))
    repo = dupes.open()
    pairs = find_pairs(repo_entries(repo), repo.config)
    top = pairs[0]
    assert {top.a.id, top.b.id} == {"C20240514001", "C20240515001"}
    assert {k for k, _ in top.reasons} == {"name", "phone"} and top.score == pytest.approx(0.98)
    dupes.set_config(check={"not_duplicates": [["C20240512001", "C20240513001"]]})
    repo = dupes.open()
    ids = [{p.a.id, p.b.id} for p in find_pairs(repo_entries(repo), repo.config)]
    assert {"C20240512001", "C20240513001"} not in ids


def test_dedupe_json_and_min_score(dupes):
    run = dupes.kehu("dedupe", "--format", "json", "--min-score", "0.8")
    pairs = json.loads(run.stdout)
    assert [(p["a"]["id"], p["b"]["id"]) for p in pairs] == [("C20240501001", "C20240510001"),
                                                             ("C20240501001", "C20240511001")]
    assert pairs[0]["reasons"][0]["kind"] == "name"


def test_dedupe_on_a_clean_repository(repo):
    repo.write_customer(customer_dict())
    run = repo.kehu("dedupe")
    assert run.returncode == 0 and "没有发现疑似重复的客户" in run.stdout


# --- merge ------------------------------------------------------------------------------------------


def test_merge_keeps_the_further_stage_and_says_what_it_brought_in(repo):
    """Two records of one customer: the relationship has come as far as either shows (KEEP at 接洽, DROP at 谈判:
    谈判), and an opportunity moved over is in the summary, not only in the file."""
    repo.write_customer(customer_dict(stage="contacted"))
    repo.write_customer(customer_dict(
        id="C20240510001", name="上海启明科技集团", stage="negotiating", contacts=[],
        interactions=[{"date": "2024-05-10", "channel": "visit", "by": "wangfang", "summary": "现场演示数据看板"}],
        opportunities=[{"id": "O20240510-a1b2", "what": "数据看板", "amount": 80000, "close": "2024-07-01",
                        "stage": "negotiating", "created": "2024-05-10"}]))
    run = repo.kehu("merge", "C20240501001", "C20240510001")
    assert run.returncode == 0, run.stderr
    data = yaml.safe_load((repo.customers / "C20240501001.yaml").read_text(encoding="utf-8"))
    assert data["stage"] == "negotiating" and [o["id"] for o in data["opportunities"]] == ["O20240510-a1b2"]
    assert "并入：跟进记录 1 条、商机 1 条" in run.stdout
    assert "客户阶段取 谈判（C20240510001 的，较 C20240501001 的 接洽 更靠后）" in run.stdout
    assert "〔合并自 C20240510001〕客户阶段: 接洽" in data["notes"]  # the other value is never lost
    assert repo.check().errors == 0


def test_merge_unites_records_keeps_keep_values_and_deletes_drop(dupes):
    run = dupes.kehu("merge", "C20240501001", "C20240510001")
    assert run.returncode == 0, run.stderr
    assert not (dupes.customers / "C20240510001.yaml").exists()
    data = yaml.safe_load((dupes.customers / "C20240501001.yaml").read_text(encoding="utf-8"))
    assert [c["name"] for c in data["contacts"]] == ["张伟", "李娜"]
    assert [(str(i["date"]), i["summary"]) for i in data["interactions"]] == [
        ("2024-05-01", "沟通Q2续约需求，客户对售后服务满意"),  # in both files: kept once
        ("2024-05-10", "现场演示数据看板")]
    assert data["deals"][0]["contract"] == "HT202405009"
    assert len(data["surveys"]) == 1 and len(data["complaints"]) == 1
    assert data["tags"] == ["价格敏感"]
    assert data["owner"] == "lixia" and data["stage"] == "negotiating" and data["budget"] == 200000
    assert data["size"] == "200-500"
    notes = data["notes"].splitlines()
    assert "王芳在展会上认识的对接人" in notes
    assert "〔合并自 C20240510001〕负责人: 王芳" in notes  # a member by name: notes are read by people
    assert "〔合并自 C20240510001〕客户阶段: 报价" in notes
    assert "〔合并自 C20240510001〕预算: 300000" in notes
    assert "原编号：C20240510001" in notes
    # the summary is ready for the commit message
    lines = run.stdout.splitlines()
    assert lines[0] == "合并客户 C20240510001 到 C20240501001（上海启明科技有限公司）"
    assert "并入：联系人 1 条、跟进记录 1 条、合作记录 1 条、满意度调查 1 条、投诉记录 1 条" in run.stdout
    assert "保留 C20240501001 的 负责人（李霞）；C20240510001 的取值 王芳 已记入备注" in run.stdout
    assert "删除 customers/C20240510001.yaml" in run.stdout
    problems = dupes.check().problems
    # what is left is the fixture's other pair (A and C share a phone), listed by dedupe: a warning, since a
    # shared number alone does not make two differently named companies one
    assert not [p for p in problems if p.severity == "error"]
    assert {(p.code, p.file) for p in problems if p.code.startswith("duplicate")} == {
        ("duplicate-phone", "customers/C20240501001.yaml"), ("duplicate-phone", "customers/C20240511001.yaml")}
    git(dupes.root, "add", "-A")
    git(dupes.root, "commit", "-qm", run.stdout, name="t", email="t@example.com")
    assert "merge" not in git(dupes.root, "status", "--porcelain").stdout


def test_merge_records_the_same_drop_only_once():
    """Merging the same content again adds nothing (what makes a re-import change nothing)."""
    from kehu.store.dedupe import MergeRules, merge_records

    rules = MergeRules(["name", "owner", "notes", "contacts"], {"contacts": ["name", "phone"]}, "CN", str, "〔x〕")
    keep = {"name": "甲", "owner": "lixia", "contacts": [{"name": "张伟", "phone": "13800138000"}]}
    drop = {"name": "甲集团", "owner": "wangfang", "contacts": [{"name": "张伟", "phone": "+86 138 0013 8000"},
                                                                {"name": "李娜"}]}
    first = merge_records(keep, drop, rules)
    assert first.changed and first.added["contacts"] == 1
    assert keep["notes"] == "〔x〕name: 甲集团\n〔x〕owner: wangfang\n"
    second = merge_records(keep, drop, rules)
    assert not second.changed


def test_merge_refuses_when_the_result_would_fail_the_check(dupes):
    bad = dupes.customers / "C20240510001.yaml"
    text = bad.read_text(encoding="utf-8").replace("by: wangfang", "by: nobody")
    bad.write_text(text, encoding="utf-8")
    keep_before = (dupes.customers / "C20240501001.yaml").read_bytes()
    run = dupes.kehu("merge", "C20240501001", "C20240510001")
    assert run.returncode == 2
    assert run.stderr.startswith("kehu: 错误：") and "nobody" in run.stderr and "Traceback" not in run.stderr
    assert (dupes.customers / "C20240501001.yaml").read_bytes() == keep_before
    assert bad.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("args", [("C20240501001", "C20240501001"), ("C20240501001", "C29999999999")])
def test_merge_bad_arguments_change_nothing(dupes, args):
    before = {p.name: p.read_bytes() for p in dupes.customers.glob("*.yaml")}
    run = dupes.kehu("merge", *args)
    assert run.returncode == 2 and run.stderr.startswith("kehu: 错误：")
    assert {p.name: p.read_bytes() for p in dupes.customers.glob("*.yaml")} == before


def test_after_a_merge_an_import_naming_drop_finds_keep(dupes, tmp_path):
    from openpyxl import Workbook

    dupes.kehu("merge", "C20240501001", "C20240510001")
    book = Workbook()
    sheet = book.active
    sheet.title = "跟进记录"
    sheet.append(["客户编号", "跟进日期", "跟进方式", "跟进内容", "跟进人"])
    sheet.append(["C20240510001", "2024-05-28", "电话", "确认二期需求范围", "wangfang"])
    book.save(tmp_path / "f.xlsx")
    run = dupes.kehu("import", str(tmp_path / "f.xlsx"))
    assert run.returncode == 0, run.stdout
    assert not (dupes.customers / "C20240510001.yaml").exists()
    data = yaml.safe_load((dupes.customers / "C20240501001.yaml").read_text(encoding="utf-8"))
    assert data["interactions"][-1]["summary"] == "确认二期需求范围"
