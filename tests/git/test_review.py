"""`kehu diff`: a pull request's changes per customer in business words, from a real git repository —
a fixture branch with every kind of change, its Markdown summary asserted line by line."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.commands import commit, kehu, team_repo
from tests.support.customers import customer_dict, other_customer
from tests.support.git import git

WANGFANG = "wangfang@example.com"
LIUYANG = "liuyang@example.com"


def _deleted() -> dict:
    return customer_dict(id="C20240503001", name="苏州星河智能装备有限公司", owner="wangfang", stage="contacted",
                         contacts=[{"name": "陈静", "phone": "13700137000"}],
                         interactions=[{"date": "2024-05-03", "channel": "visit", "by": "wangfang",
                                        "summary": "上门了解产线改造需求，客户预算尚未确定"}])


def _dropped() -> dict:
    return customer_dict(id="C20240504001", name="上海启明科技", owner="lixia", stage="contacted",
                         contacts=[{"name": "刘芳", "phone": "13600136000"}],
                         interactions=[{"date": "2024-05-04", "channel": "wechat", "by": "lixia",
                                        "summary": "微信确认启明的第二个采购联系人刘芳"}])


@pytest.fixture
def branch(make_repo):
    """main: 启明 (quoted), 云帆 (an open complaint), 星河, and 启明 again under another id; the branch
    `feature` changes every one of them in another way and adds 北辰, committed by two people."""
    complaint = [{"date": "2024-05-10", "category": "交付", "content": "发票开具延迟", "handler": "wangfang",
                  "status": "open"}]
    repo = team_repo(make_repo, others=[other_customer(complaints=complaint), _deleted(), _dropped()])
    git(repo.root, "config", "user.email", "lixia@example.com")
    git(repo.root, "checkout", "-q", "-b", "feature")
    assert kehu(repo, "set", "C20240501001", "stage", "negotiating", today="2024-05-22").exit_code == 0
    assert kehu(repo, "set", "C20240501001", "owner", "wangfang", today="2024-05-22").exit_code == 0
    assert kehu(repo, "log", "C20240501001", "--by", "wangfang", "-c", "call", "--date", "2024-05-21",
                "-s", "电话沟通二期报价，客户认为价格偏高", today="2024-05-22").exit_code == 0
    assert kehu(repo, "complaint", "C20240501001", "open", "--category", "售后", "--content", "演示环境无法登录",
                "--date", "2024-05-22", today="2024-05-22").exit_code == 0
    path = repo.customers / "C20240501001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "interactions:", "deals:\n  - contract: HT202405001\n    product: 办公软件SaaS服务\n    amount: 120000\n"
        "    signed: 2024-05-20\ninteractions:", 1), encoding="utf-8")
    commit(repo, "启明: negotiating", date="2024-05-22T10:00:00+08:00")
    assert kehu(repo, "survey", "C20240501001", "--quality", "5", "--attitude", "4", "--date", "2024-05-23",
                today="2024-05-23").exit_code == 0
    r = kehu(repo, "complaint", "C20240502001", "resolve", "--result", "已补开并致歉", today="2024-05-24")
    assert r.exit_code == 0, r.stderr
    assert kehu(repo, "set", "C20240502001", "name", "杭州云帆科技集团有限公司", today="2024-05-24").exit_code == 0
    (repo.customers / "C20240503001.yaml").unlink()
    commit(repo, "云帆 resolved, 星河 deleted", email=WANGFANG, name="Wang Fang", date="2024-05-24T10:00:00+08:00")
    r = kehu(repo, "merge", "C20240501001", "C20240504001", today="2024-05-25")
    assert r.exit_code == 0, r.stderr
    repo.write_customer(customer_dict(id="C20240525001", name="北京北辰数据有限公司", owner="lixia", stage="lead",
                                      created="2024-05-25", contacts=[{"name": "周敏", "phone": "13500135000"}],
                                      interactions=[{"date": "2024-05-25", "channel": "inbound_call"
                                                     if False else "call", "by": "lixia",
                                                     "summary": "客户来电咨询数据平台，约下周演示"}]))
    commit(repo, "merge 启明, new 北辰", date="2024-05-25T10:00:00+08:00")
    return repo


def diff_out(repo, *args: str) -> str:
    r = kehu(repo, "diff", *args)
    assert r.exit_code == 0, r.stderr
    return r.stdout


EXPECTED = """\
## kehu 变更摘要 `main...feature`

5 个客户有变化：新建 1、修改 2、删除 1、合并 1 · ⚠ 1 处改动了既往记录 · 需经理审批 2 处

### 上海启明科技有限公司（C20240501001）
提交人：李霞、王芳

- 客户阶段：报价 → 谈判
- 负责人：李霞 → 王芳
- 新增联系人：刘芳 136\\*\\*\\*\\*6000
- 新增合作记录：HT202405001 办公软件SaaS服务 120,000 元 2024-05-20 签约
- 新增跟进记录：2024-05-04 微信 李霞：微信确认启明的第二个采购联系人刘芳
- 新增跟进记录：2024-05-21 电话 王芳：电话沟通二期报价，客户认为价格偏高
- 新增满意度调查：2024-05-23 产品质量 5、服务态度 4
- 新增投诉记录：2024-05-22 售后：演示环境无法登录（待处理）
- 备注：（空） → 原编号：C20240504001 〔合并自 C20240504001〕客户名称: 上海启明科技 〔合并自 C20240…

### 杭州云帆科技集团有限公司（C20240502001）
提交人：王芳

- 投诉已解决：2024-05-10 交付：发票开具延迟（已解决、已补开并致歉）
- 客户名称：杭州云帆网络科技有限公司 → 杭州云帆科技集团有限公司

### 苏州星河智能装备有限公司（C20240503001）
提交人：王芳

- **⚠** 删除了客户文件
- **⚑** 需经理审批：删除了客户文件

### 上海启明科技（C20240504001）
提交人：李霞

- 已合并到 上海启明科技有限公司（C20240501001）
- **⚑** 需经理审批：删除了客户文件

### 北京北辰数据有限公司（C20240525001）
提交人：李霞

- 新建客户：线索，负责人 李霞
- 新增跟进记录：2024-05-25 电话 李霞：客户来电咨询数据平台，约下周演示
"""


def test_markdown_summary_line_by_line(branch):
    got = diff_out(branch, "main...feature", "--format", "markdown").splitlines()
    want = EXPECTED.splitlines()
    for n, (a, b) in enumerate(zip(got, want, strict=False), 1):
        assert a == b, f"line {n}"
    assert len(got) == len(want)


def test_text_and_json_say_the_same(branch):
    text = diff_out(branch, "main...feature")
    assert "  ⚠ 删除了客户文件" in text
    assert "  - 新建客户：线索，负责人 李霞" in text
    assert "  - 客户阶段：报价 → 谈判" in text
    assert "138****8000" not in text and "13600136000" not in text  # masked
    data = json.loads(diff_out(branch, "main...feature", "--format", "json"))
    by_id = {c["id"]: c for c in data["customers"]}
    assert [c["status"] for c in data["customers"]] == ["changed", "changed", "deleted", "merged", "created"]
    assert by_id["C20240504001"]["merged_into"] == "C20240501001"
    assert by_id["C20240501001"]["authors"] == ["李霞", "王芳"]
    assert {"kind": "set", "field": "stage", "text": "客户阶段：报价 → 谈判", "past_record": False} in \
        by_id["C20240501001"]["changes"]
    assert by_id["C20240503001"]["changes"][0]["past_record"] is True
    internal = diff_out(branch, "main...feature", "--internal")
    assert "13600136000" in internal


def test_english_labels(branch):
    branch.set_config(locale="en")
    text = diff_out(branch, "main...feature")
    assert "  - Stage: Quoted → Negotiating" in text
    assert "  - Owner: 李霞 → 王芳" in text
    assert "上海启明科技 (C20240504001)" in text and "merged into 上海启明科技有限公司 (C20240501001)" in text


def test_working_tree_against_the_main_branch(branch):
    git(branch.root, "checkout", "-q", "main")
    assert kehu(branch, "set", "C20240501001", "stage", "won", "--product", "办公软件SaaS服务", "--amount", "12万",
                "--signed", "2024-05-22", today="2024-05-22").exit_code == 0  # won needs its deal
    text = diff_out(branch)  # default: main...the working tree
    assert "...未提交" in text.splitlines()[0]
    assert "  - 客户阶段：报价 → 签约" in text
    assert "C20240503001" not in text  # the branch's changes are not in main's working tree


def test_markdown_cannot_inject(make_repo):
    repo = team_repo(make_repo)
    git(repo.root, "checkout", "-q", "-b", "x")
    evil = "[点我](https://evil.example) @octocat **粗体** | 表格 <img src=x onerror=alert(1)>"
    assert kehu(repo, "log", "C20240501001", "--by", "lixia", "-c", "call", "--date", "2024-05-21",
                "-s", evil, today="2024-05-22").exit_code == 0
    commit(repo, "evil")
    out = diff_out(repo, "main...x", "--format", "markdown")
    line = next(ln for ln in out.splitlines() if "evil" in ln)
    for raw in ("](", "<img", "**", "|"):  # each special character arrives escaped, so it is literal text
        assert re.search(r"(?<!\\)" + re.escape(raw[0]), line) is None, raw
    assert "@octocat" not in line and "@\u2060octocat" in line
    # the link's text stays, as text: a word joiner after the scheme keeps GitHub from making a link of it
    assert "\\[点我\\]\\(https\u2060://evil.example\\)" in line and "https://" not in line


def test_unknown_revision_is_one_line(branch):
    r = kehu(branch, "diff", "nosuchbranch...HEAD")
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert "nosuchbranch" in r.stderr


def test_a_long_summary_is_cut_with_a_pointer(branch):
    from kehu.commands.diff import as_markdown, range_reviews
    from kehu.core.present import Presenter

    repo = branch.open()
    reviews, label = range_reviews(repo, "main...feature", internal=False)
    full = as_markdown(reviews, Presenter.of(repo), label)
    cut = as_markdown(reviews, Presenter.of(repo), label, limit=400)
    assert len(cut) < 500 < len(full)
    assert cut.splitlines()[-1].startswith("… +") and cut.splitlines()[-1].endswith("(`kehu diff main...feature`)")
    assert full.startswith(cut.rsplit("\n", 2)[0])


def test_a_moved_file_is_one_customer(make_repo):
    repo = team_repo(make_repo)
    git(repo.root, "checkout", "-q", "-b", "x")
    git(repo.root, "mv", "customers/C20240501001.yaml", "customers/C20240501001.yml")
    commit(repo, "yml")
    text = diff_out(repo, "main...x")
    assert text.splitlines()[1] == "1 个客户有变化：修改 1"
    assert "  - 文件改名：customers/C20240501001.yaml → customers/C20240501001.yml" in text
    assert kehu(repo, "check", "--against", "main").exit_code == 0
