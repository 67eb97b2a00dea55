"""`kehu due` and `kehu show`: the site's facts (from kehu.core.derive) in the terminal."""

from __future__ import annotations

import json

import pytest
from kehu.book.loader import open_book
from kehu.core.derive import RHYTHM_REASONS, derive_all

from tests.support.commands import assert_refused, kehu, team_repo
from tests.support.customers import TODAY, customer_dict, other_customer

NEW_TODAY = customer_dict(id="C20240601001", name="北京星河数据科技有限公司", owner="lixia", stage="lead",
                          created=TODAY, contacts=..., interactions=...)
QUIET = customer_dict(id="C20240401001", name="苏州恒瑞精密机械有限公司", owner="wangfang", stage="contacted",
                      created="2024-04-01", contacts=..., quiet_until="2024-08-01", quiet_reason="预算冻结",
                      interactions=[{"date": "2024-04-02", "channel": "call", "by": "wangfang",
                                     "summary": "客户表示今年预算冻结，三季度再联系"}])
LOST = customer_dict(id="C20240301001", name="广州粤海冷链物流有限公司", owner="lixia", stage="lost",
                     lost_from="quoted", created="2024-03-01", contacts=...,
                     interactions=[{"date": "2024-03-02", "channel": "call", "by": "lixia",
                                    "summary": "客户选择了竞争对手的方案，价格低两成"}])


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo, others=[other_customer(), NEW_TODAY, QUIET, LOST])


def due_json(repo, *args, **kw):
    r = kehu(repo, "due", "--format", "json", *args, **kw)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_due_lists_what_derive_says_is_due_within_the_window(repo):
    out = due_json(repo, "--all")
    assert out["within"] == 7  # due_soon_days
    rows = {r["id"]: r for r in out["due"]}
    assert set(rows) == {"C20240501001", "C20240502001", "C20240601001"}
    facts = derive_all(open_book(repo.open()).customers, repo.open().config)
    for cid, row in rows.items():
        assert row["due"] == facts[cid].due.date.isoformat()
        assert row["reason"] == facts[cid].due.reason
        assert row["class"] == facts[cid].klass and row["status"] == facts[cid].status
    assert rows["C20240501001"]["bucket"] == "overdue" and rows["C20240501001"]["reason"] == "cadence"
    assert (rows["C20240601001"]["bucket"], rows["C20240601001"]["reason"]) == ("soon", "first_followup")
    assert [r["due"] for r in out["due"]] == sorted(r["due"] for r in out["due"])  # earliest first


def test_quiet_customers_wait_and_lost_ones_never_come_due(repo):
    everything = {r["id"]: r for r in due_json(repo, "--all", "--within", "all")["due"]
                  if r["reason"] not in RHYTHM_REASONS}  # the follow-ups (test_rhythms.py has the rest)
    assert everything["C20240401001"]["reason"] == "quiet_ended"
    assert everything["C20240401001"]["due"] == "2024-08-01"
    assert "C20240301001" not in everything
    assert "C20240401001" in {r["id"] for r in due_json(repo, "--all", "--within", "61")["due"]}
    assert "C20240401001" not in {r["id"] for r in due_json(repo, "--all", "--within", "60")["due"]}


def test_due_for_one_owner(repo):
    assert {r["id"] for r in due_json(repo, "--owner", "wangfang")["due"]} == {"C20240502001"}


def test_due_table_in_the_terminal(repo):
    r = kehu(repo, "due", "--all")
    assert r.exit_code == 0, r.stderr
    # the site's words (kehu.core.present): bucket, due reason
    for text in ("C20240501001", "上海启明科技有限公司", "逾期", "未来7天", "新客户首次跟进",
                 "超过潜在客户跟进周期（7天）", "潜在客户"):
        assert text in r.stdout, text
    assert "逾期 2 · 未来7天 1" in r.stdout


def test_due_in_english(repo):
    repo.set_config(locale="en")
    r = kehu(repo, "due", "--all")
    assert r.exit_code == 0, r.stderr
    assert "Overdue" in r.stdout and "First follow-up of a new customer" in r.stdout


@pytest.mark.parametrize(("args", "named"), [
    (["due", "--owner", "zhangsan"], "zhangsan"),
    (["due", "--within", "week"], "--within"),
])
def test_due_bad_input(repo, args, named):
    assert_refused(kehu(repo, *args), named)


def test_due_leaves_out_and_names_an_invalid_file(repo):
    repo.write_customer("id: C20240515001\nname: [broken\n", "C20240515001")
    r = kehu(repo, "due", "--format", "json")
    assert r.exit_code == 0
    assert "C20240515001.yaml" in r.stderr and "kehu check" in r.stderr
    assert json.loads(r.stdout)["skipped"] == ["C20240515001.yaml"]


# --- show ----------------------------------------------------------------------------------------


def test_show_has_the_profile_and_derived_facts_with_masked_contacts(repo):
    r = kehu(repo, "show", "启明", "--mask")
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    for text in ("C20240501001", "上海启明科技有限公司", "I65 软件和信息技术服务业", "报价", "李霞（lixia）",
                 "潜在客户", "2024-05-27", "逾期", "超过潜在客户跟进周期", "2024-05-20（12天前）", "上门演示审批流"):
        assert text in out, text
    assert "138****8000" in out and "z***@example.com" in out
    assert "13800138000" not in out and "zhang.wei@example.com" not in out


@pytest.mark.parametrize("args", [(), ("--internal",)])
def test_show_is_unmasked_for_the_team_by_default(repo, args):
    r = kehu(repo, "show", "启明", *args)
    assert r.exit_code == 0, r.stderr
    assert "13800138000" in r.stdout and "zhang.wei@example.com" in r.stdout


def test_show_class_override_quiet_and_lost(repo):
    assert kehu(repo, "set", "启明", "class", "key", "--reason", "战略合作").exit_code == 0
    out = kehu(repo, "show", "启明").stdout
    assert "重点客户" in out and "战略合作" in out and "计算结果：潜在客户" in out
    quiet = kehu(repo, "show", "C20240401001").stdout
    assert "2024-08-01" in quiet and "静默期结束" in quiet and "预算冻结" in quiet
    lost = kehu(repo, "show", "粤海").stdout
    assert "流失" in lost and "流失前：报价" in lost


def test_show_complaints_are_numbered(repo):
    assert kehu(repo, "complaint", "启明", "open", "--content", "发票开具延迟", "--category", "交付").exit_code == 0
    out = kehu(repo, "show", "启明").stdout
    assert "投诉记录" in out and "发票开具延迟" in out and "待处理" in out


def test_show_in_english(repo):
    repo.set_config(locale="en")
    r = kehu(repo, "show", "启明")
    assert r.exit_code == 0, r.stderr
    assert "Software and IT services" in r.stdout and "Next follow-up" in r.stdout


def test_show_refuses_an_invalid_file(repo):
    path = repo.customers / "C20240501001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("industry: I65", "industry: 软件"), encoding="utf-8")
    assert_refused(kehu(repo, "show", "启明"), "customers/C20240501001.yaml", "kehu check")


@pytest.mark.parametrize(("query", "named"), [("科技", "C20240502001"), ("nothing", "nothing")])
def test_show_unknown_or_ambiguous(repo, query, named):
    assert_refused(kehu(repo, "show", query), named)


def test_real_command_line(repo):
    r = repo.kehu("show", "shqm", "--mask")
    assert r.returncode == 0, r.stderr
    assert "上海启明科技有限公司" in r.stdout and "138****8000" in r.stdout


def test_the_book_index_never_serves_a_stale_file(repo):
    first = {r["id"]: r for r in due_json(repo, "--all")["due"]}
    assert (repo.root / ".kehu-cache" / "index-v1.json").is_file()
    path = repo.customers / "C20240601001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("owner: lixia", "owner: wangfang"), encoding="utf-8")
    again = {r["id"]: r for r in due_json(repo, "--all")["due"]}
    assert (first["C20240601001"]["owner"], again["C20240601001"]["owner"]) == ("lixia", "wangfang")
    (repo.root / ".kehu-cache" / "index-v1.json").write_text("{not json", encoding="utf-8")
    assert {r["id"] for r in due_json(repo, "--all")["due"]} == set(again)


def silent_since_2022(i: int) -> dict:
    return customer_dict(id=f"C2022010100{i}", name=f"沉睡测试{'甲乙丙丁'[i]}贸易有限公司", owner="lixia",
                         stage="contacted", created="2022-01-01", contacts=...,
                         interactions=[{"date": "2022-01-02", "channel": "call", "by": "lixia",
                                        "summary": "初次电话，之后再无联系"}])


def test_the_revive_list_is_as_long_as_the_limit_and_says_how_many_more(make_repo):
    repo = team_repo(make_repo, others=[silent_since_2022(i) for i in range(4)])
    listed = due_json(repo, "--all")["revive"]
    assert len(listed) >= 4
    few = kehu(repo, "due", "--all", "--limit", "2")
    assert few.exit_code == 0, few.stderr
    shown = [cid for cid in (r["id"] for r in listed) if cid in few.stdout]
    assert shown == [r["id"] for r in listed[:2]]
    assert f"另有 {len(listed) - 2} 个沉睡客户未显示" in few.stdout and f"（待回访，{len(listed)} 个）" in few.stdout
    every = kehu(repo, "due", "--all", "--limit", "0")
    assert all(r["id"] in every.stdout for r in listed) and "沉睡客户未显示" not in every.stdout
