"""kehu merge-driver under real `git merge`: customer files merge as data, not as lines.

Each test builds a team repository in a temporary folder, enables the driver the way a
colleague's clone does (`.gitattributes` + `kehu init --git-only`), commits a base
version, edits the file on two branches and merges them with git itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.customers import TODAY
from tests.support.git import git as run_git  # `git` is this module's fixture
from tests.support.git import git_env
from tests.support.team_repo import TeamRepo

BASE = """\
# yaml-language-server: $schema=../schema/customer.schema.json
# 重点跟进的老客户
id: C20240501001
name: 上海启明科技有限公司
industry: I65
stage: negotiating
owner: lixia
created: 2024-05-01
size: "200-500"
region: 上海
source: referral
tags: [定制化开发]
needs: 需定制化解决方案，注重响应速度
budget: 200000
decision_process: 采购经理评估后总经理拍板
contacts:
  - name: 张伟
    title: 采购经理
    phone: "13800138000"
    email: zhang.wei@example.com
    primary: true
interactions:
  - date: 2024-05-02
    channel: call
    by: lixia
    summary: 沟通Q2续约需求，客户对售后服务满意
    outcome: 客户同意下周看方案   # 关键节点
next_action: {date: 2024-06-05, action: 提交续约方案}
surveys:
  - {date: 2024-05-10, quality: 5, attitude: 4, response: 4, after_sales: 5}
"""

FILE = "customers/C20240501001.yaml"


def _call(date: str, by: str, summary: str) -> str:
    return f"  - date: {date}\n    channel: call\n    by: {by}\n    summary: {summary}\n"


def _with_call(text: str, date: str, by: str, summary: str) -> str:
    """``text`` with a call appended to its interactions (they end where next_action starts)."""
    return text.replace("next_action:", _call(date, by, summary) + "next_action:")


class Git:
    """A team repository under git with the kehu merge driver enabled."""

    def __init__(self, repo: TeamRepo, home: Path) -> None:
        self.repo = repo
        self.root = repo.root
        identity = {"user.name": "李霞", "user.email": "lixia@example.com", "init.defaultBranch": "main"}
        self.env = git_env({"KEHU_TODAY": TODAY, "PRE_COMMIT_HOME": str(home / "pre-commit")}, config=identity)

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return run_git(self.root, *args, ok=ok, env=self.env)

    def kehu(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kehu.cli", *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=120)

    def write(self, text: str, rel: str = FILE) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")

    def read(self, rel: str = FILE) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def commit(self, message: str) -> None:
        self("add", "-A")
        self("commit", "-q", "--no-verify", "-m", message)

    def branches(self, ours: str, theirs: str, base: str = BASE) -> subprocess.CompletedProcess[str]:
        """Commit base, edit it as `theirs` on a branch and as `ours` on main, then merge the branch."""
        self.write(base)
        self.commit("base")
        self("checkout", "-q", "-b", "colleague")
        self.write(theirs)
        self.commit("theirs")
        self("checkout", "-q", "main")
        self.write(ours)
        self.commit("ours")
        return self("merge", "--no-edit", "colleague", ok=False)


@pytest.fixture
def git(make_repo, tmp_path: Path) -> Git:
    repo = make_repo()
    home = tmp_path / "home"
    home.mkdir()
    g = Git(repo, home)
    g("init", "-q")
    (repo.root / ".gitattributes").write_text("customers/*.yaml merge=kehu\n", encoding="utf-8")
    setup = g.kehu("init", "--git-only")
    assert setup.returncode == 0, setup.stderr
    assert "merge-driver %O %A %B %P" in g("config", "merge.kehu.driver").stdout
    return g


def _clean(git: Git, merge: subprocess.CompletedProcess[str]) -> str:
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert git("status", "--porcelain").stdout == ""
    check = git.kehu("check", FILE)
    assert check.returncode == 0, check.stdout + check.stderr
    return git.read()


def test_two_calls_on_the_same_day_merge_cleanly_and_both_are_kept(git: Git) -> None:
    ours = _with_call(BASE, "2024-06-01", "lixia", "电话确认方案细节，客户要求加培训")
    theirs = _with_call(BASE, "2024-06-01", "wangfang", "回访售后问题，客户反馈已解决")
    text = _clean(git, git.branches(ours, theirs))
    assert text.count("电话确认方案细节") == 1 and text.count("回访售后问题") == 1
    assert text.index("沟通Q2续约需求") < text.index("电话确认方案细节") < text.index("回访售后问题")
    assert "# 重点跟进的老客户" in text and "# 关键节点" in text  # our comments survive
    fmt = git.kehu("fmt", "--check", FILE)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr  # the result is in canonical layout


def test_without_the_driver_git_reports_a_conflict_for_the_same_edit(git: Git) -> None:
    """The control: plain git cannot merge two appends at the same place."""
    git("config", "--unset", "merge.kehu.driver")
    (git.root / ".gitattributes").write_text("", encoding="utf-8")
    ours = _with_call(BASE, "2024-06-01", "lixia", "电话确认方案细节，客户要求加培训")
    theirs = _with_call(BASE, "2024-06-01", "wangfang", "回访售后问题，客户反馈已解决")
    assert git.branches(ours, theirs).returncode != 0


def test_stage_change_and_new_interaction_merge_cleanly(git: Git) -> None:
    ours = BASE.replace("stage: negotiating", "stage: won")
    theirs = _with_call(BASE, "2024-05-20", "wangfang", "客户确认预算已批，准备签约")
    text = _clean(git, git.branches(ours, theirs))
    assert "stage: won" in text
    assert "客户确认预算已批" in text


def test_interactions_are_kept_in_date_order(git: Git) -> None:
    ours = _with_call(BASE, "2024-05-25", "lixia", "上门拜访，演示定制功能")
    theirs = _with_call(BASE, "2024-05-15", "wangfang", "邮件发送报价单，客户确认收到")
    text = _clean(git, git.branches(ours, theirs))
    assert text.index("2024-05-02") < text.index("邮件发送报价单") < text.index("上门拜访")


def test_identical_entries_added_on_both_sides_are_kept_once(git: Git) -> None:
    same = _with_call(BASE, "2024-05-30", "lixia", "电话沟通合同条款，客户要求延长账期")
    ours = same.replace("tags: [定制化开发]", "tags: [定制化开发, 价格敏感]")
    text = _clean(git, git.branches(ours, same))
    assert text.count("电话沟通合同条款") == 1
    assert "价格敏感" in text


def test_both_changing_stage_differently_is_a_conflict_marked_around_that_field(git: Git) -> None:
    ours = BASE.replace("stage: negotiating", "stage: won").replace(
        "next_action:", _call("2024-05-31", "lixia", "签约，客户支付首付款") + "next_action:")
    theirs = BASE.replace("stage: negotiating", "stage: quoted").replace(
        "next_action:", _call("2024-05-30", "wangfang", "客户要求重新报价，回到报价阶段") + "next_action:")
    merge = git.branches(ours, theirs)
    assert merge.returncode != 0
    assert "CONFLICT" in merge.stdout
    assert git("diff", "--name-only", "--diff-filter=U").stdout.split() == [FILE]
    text = git.read()
    lines = text.splitlines()
    start, mid, end = lines.index("<<<<<<< ours"), lines.index("======="), lines.index(">>>>>>> theirs")
    assert lines[start + 1:mid] == ["stage: won"]
    assert lines[mid + 1:end] == ["stage: quoted"]
    assert text.count("<<<<<<<") == 1  # only the real conflict; both new calls are merged
    assert "签约，客户支付首付款" in text and "客户要求重新报价" in text
    # resolving the marked lines leaves a valid file
    resolved = "\n".join([*lines[:start], "stage: won", *lines[end + 1:]]) + "\n"
    git.write(resolved)
    assert git.kehu("check", FILE).returncode == 0


def test_contacts_merge_by_identity(git: Git) -> None:
    ours = BASE.replace('phone: "13800138000"', 'phone: "13900139000"').replace(
        "interactions:", "  - name: 刘敏\n    title: 财务\ninteractions:")
    theirs = BASE.replace("title: 采购经理", "title: 采购总监").replace(
        "interactions:", "  - name: 陈刚\n    title: 技术负责人\ninteractions:")
    text = _clean(git, git.branches(ours, theirs))
    assert text.count("name: 张伟") == 1
    assert '"13900139000"' in text and "采购总监" in text
    assert "刘敏" in text and "陈刚" in text


def test_deals_merge_by_contract(git: Git) -> None:
    deal = ("deals:\n  - contract: HT202405001\n    product: 办公软件SaaS服务\n    amount: 120000\n"
            "    signed: 2024-05-20\n")
    base = BASE.replace("interactions:", deal + "interactions:")
    ours = base.replace("amount: 120000", "amount: 150000")
    theirs = base.replace("interactions:", "  - contract: HT202405009\n    product: 培训服务\n    amount: 8000\n"
                                           "    signed: 2024-05-28\ninteractions:")
    text = _clean(git, git.branches(ours, theirs, base=base))
    assert text.count("HT202405001") == 1 and "amount: 150000" in text
    assert "HT202405009" in text


def test_surveys_and_complaints_are_unions_and_edits_survive(git: Git) -> None:
    complaint = ("complaints:\n  - {date: 2024-05-12, category: 交付, content: 发票开具延迟, handler: wangfang, "
                 "status: open}\n")
    base = BASE + complaint
    ours = base.replace("status: open}", "status: resolved, resolved: 2024-05-20, result: 已补开并致歉}")
    theirs = base.replace("complaints:", "  - {date: 2024-05-28, quality: 4, attitude: 5}\ncomplaints:")
    text = _clean(git, git.branches(ours, theirs, base=base))
    assert text.count("发票开具延迟") == 1 and "已补开并致歉" in text
    assert "2024-05-28" in text and "2024-05-10" in text


def test_an_entry_deleted_on_one_side_stays_deleted(git: Git) -> None:
    extra = _call("2024-05-03", "lixia", "电话打错了，记录作废")
    base = BASE.replace("next_action:", extra + "next_action:")
    ours = BASE  # removed the wrong entry
    theirs = _with_call(base, "2024-05-28", "wangfang", "回访，确认培训时间")
    text = _clean(git, git.branches(ours, theirs, base=base))
    assert "记录作废" not in text
    assert "确认培训时间" in text


def test_both_planning_a_next_step_keeps_the_sooner_date_and_both_plans(git: Git) -> None:
    ours = BASE.replace("{date: 2024-06-05, action: 提交续约方案}", "{date: 2024-06-10, action: 发送合同草稿}")
    theirs = BASE.replace("{date: 2024-06-05, action: 提交续约方案}", "{date: 2024-06-08, action: 安排技术交流}")
    text = _clean(git, git.branches(ours, theirs))
    # due on the sooner day, and the later plan still says its own day
    assert "next_action: {date: 2024-06-08, action: 安排技术交流；2024-06-10 发送合同草稿}" in text, text


def test_plans_of_four_colleagues_each_keep_their_day(tmp_path: Path) -> None:
    from kehu.git.merge import _merge_plans

    plans = [{"date": f"2024-06-{d:02d}", "action": a}
             for d, a in ((10, "发送合同草稿"), (8, "安排技术交流"), (12, "上门拜访"), (5, "电话确认预算"))]
    merged = plans[0]
    for other in plans[1:]:
        merged = _merge_plans(dict(merged), other)
    assert merged == {"date": "2024-06-05",
                      "action": "电话确认预算；2024-06-08 安排技术交流；2024-06-10 发送合同草稿；2024-06-12 上门拜访"}
    same_day = _merge_plans({"date": "2024-06-05", "action": "甲"}, {"date": "2024-06-05", "action": "乙"})
    assert same_day["action"] == "甲；乙"


def test_unparseable_side_falls_back_to_gits_line_conflict(git: Git) -> None:
    ours = BASE.replace("stage: negotiating", "stage: [won")  # broken YAML
    theirs = BASE.replace("stage: negotiating", "stage: quoted")
    merge = git.branches(ours, theirs)
    assert merge.returncode != 0
    assert "CONFLICT" in merge.stdout
    text = git.read()
    assert "<<<<<<< ours" in text and "stage: [won" in text and "stage: quoted" in text


def test_driver_called_directly(tmp_path: Path, git: Git) -> None:
    """The command itself: exit 0 and the result in %A, or exit 1 with markers; bad input never a traceback."""
    base, ours, theirs = (tmp_path / n for n in ("O.yaml", "A.yaml", "B.yaml"))
    base.write_text(BASE, encoding="utf-8")
    ours.write_text(BASE.replace("stage: negotiating", "stage: won"), encoding="utf-8")
    theirs.write_text(BASE.replace("region: 上海", "region: 上海市浦东新区"), encoding="utf-8")
    run = git.kehu("merge-driver", str(base), str(ours), str(theirs))
    assert run.returncode == 0, run.stderr
    assert "stage: won" in ours.read_text() and "上海市浦东新区" in ours.read_text()

    ours.write_text(BASE.replace("stage: negotiating", "stage: won"), encoding="utf-8")
    theirs.write_text(BASE.replace("stage: negotiating", "stage: lost\nlost_from: negotiating"), encoding="utf-8")
    run = git.kehu("merge-driver", str(base), str(ours), str(theirs), FILE)
    assert run.returncode == 41  # kehu.git.gitsetup.EXIT_MARKED: markers written (git sees a conflict)
    assert "客户阶段（我方：签约，对方：流失）" in run.stderr and "C20240501001 上海启明科技有限公司" in run.stderr
    assert "Traceback" not in run.stderr
    assert "<<<<<<< ours\nstage: won\n=======\nstage: lost\n>>>>>>> theirs\n" in ours.read_text()

    ours.write_text("id: [\n", encoding="utf-8")
    run = git.kehu("merge-driver", str(base), str(ours), str(theirs))
    assert run.returncode == 41 and "Traceback" not in run.stderr


def test_file_added_on_both_sides_merges_as_data(git: Git) -> None:
    """git passes an empty ancestor; identical halves merge, new entries are united."""
    git.write(BASE.replace("C20240501001", "C20240501002"), "customers/C20240501002.yaml.keep")
    git.commit("unrelated base")
    git("checkout", "-q", "-b", "colleague")
    new = BASE.replace("C20240501001", "C20240501003")
    git.write(_with_call(new, "2024-05-20", "wangfang", "首次拜访，介绍产品"),
              "customers/C20240501003.yaml")
    git.commit("theirs adds")
    git("checkout", "-q", "main")
    git.write(_with_call(new, "2024-05-21", "lixia", "电话跟进，客户要报价"),
              "customers/C20240501003.yaml")
    git.commit("ours adds")
    merge = git("merge", "--no-edit", "colleague", ok=False)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    text = git.read("customers/C20240501003.yaml")
    assert "首次拜访" in text and "电话跟进" in text


# --- the data merge itself (kehu.git.merge), on files read the way the driver reads them --------------------


def _merge(tmp_path: Path, base: str, ours: str, theirs: str):
    from kehu.git.merge import merge_documents
    from kehu.store import write as store

    docs = []
    for name, text in (("O", base), ("A", ours), ("B", theirs)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        docs.append(store.load_roundtrip(path))
    result = merge_documents(*docs)
    return result, store.dump(result.data)


def test_set_lists_apply_both_sides_additions_and_removals(tmp_path: Path) -> None:
    base = BASE.replace("tags: [定制化开发]", "tags: [定制化开发, 快速部署]")
    ours = base.replace("tags: [定制化开发, 快速部署]", "tags: [定制化开发]")  # removed one
    theirs = base.replace("tags: [定制化开发, 快速部署]", "tags: [定制化开发, 快速部署, 价格敏感]")  # added one
    result, text = _merge(tmp_path, base, ours, theirs)
    assert result.clean
    assert "tags: [定制化开发, 价格敏感]" in text


def test_an_entry_edited_on_one_side_survives_its_deletion_on_the_other(tmp_path: Path) -> None:
    base = _with_call(BASE, "2024-05-20", "lixia", "电话沟通报价")
    ours = BASE  # deleted it
    theirs = base.replace("summary: 电话沟通报价\n", "summary: 电话沟通报价\n    outcome: 客户要求九折\n")
    result, text = _merge(tmp_path, base, ours, theirs)
    assert result.clean
    assert "客户要求九折" in text


def test_contact_added_on_both_sides_is_one_record_and_real_differences_conflict(tmp_path: Path) -> None:
    ours = BASE.replace("interactions:", "  - name: 刘敏\n    title: 财务\ninteractions:")
    theirs = BASE.replace("interactions:", '  - name: 刘敏\n    phone: "13700137000"\ninteractions:')
    result, text = _merge(tmp_path, BASE, ours, theirs)
    assert result.clean and text.count("刘敏") == 1
    assert "title: 财务" in text and '"13700137000"' in text
    theirs = BASE.replace("interactions:", "  - name: 刘敏\n    title: 财务总监\ninteractions:")
    result, _ = _merge(tmp_path, BASE, ours, theirs)
    assert [c.path for c in result.conflicts] == ["contacts[1].title"]


def test_a_cleared_next_action_yields_to_a_new_plan(tmp_path: Path) -> None:
    ours = BASE.replace("next_action: {date: 2024-06-05, action: 提交续约方案}", "next_action: null")
    theirs = BASE.replace("{date: 2024-06-05, action: 提交续约方案}", "{date: 2024-06-20, action: 推迟到下旬}")
    result, text = _merge(tmp_path, BASE, ours, theirs)
    assert result.clean
    assert "next_action: {date: 2024-06-20, action: 推迟到下旬}" in text


def test_a_field_removed_on_one_side_is_removed(tmp_path: Path) -> None:
    ours = BASE.replace("region: 上海\n", "")
    theirs = _with_call(BASE, "2024-05-21", "wangfang", "邮件发送资料")
    result, text = _merge(tmp_path, BASE, ours, theirs)
    assert result.clean
    assert "region:" not in text and "邮件发送资料" in text


def test_removed_on_one_side_and_changed_on_the_other_is_a_conflict(tmp_path: Path) -> None:
    ours = BASE.replace("region: 上海\n", "")
    theirs = BASE.replace("region: 上海", "region: 杭州")
    result, _ = _merge(tmp_path, BASE, ours, theirs)
    assert [c.path for c in result.conflicts] == ["region"]


def test_scores_changed_differently_in_one_survey_conflict_on_that_score(tmp_path: Path) -> None:
    ours = BASE.replace("quality: 5,", "quality: 4,")
    theirs = BASE.replace("quality: 5,", "quality: 3,")
    result, _ = _merge(tmp_path, BASE, ours, theirs)
    assert [c.path for c in result.conflicts] == ["surveys[0].quality"]


# --- opportunities (商机): identity is the id -------------------------------------------------------

OPP_A = ("  - id: O20240520-a1b2\n    what: 年度SaaS续约\n    amount: 120000\n    close: 2024-06-30\n"
         "    stage: quoted\n")
OPP_B = ("  - id: O20240521-c3d4\n    what: 定制开发项目\n    amount: 300000\n    close: 2024-09-30\n"
         "    stage: contacted\n")


def _with_opps(text: str, *opps: str) -> str:
    return text.replace("interactions:", "opportunities:\n" + "".join(opps) + "interactions:")


def test_opportunities_added_on_both_sides_are_both_kept(git: Git) -> None:
    text = _clean(git, git.branches(_with_opps(BASE, OPP_A), _with_opps(BASE, OPP_B)))
    assert text.count("id: O20240520-a1b2") == 1 and text.count("id: O20240521-c3d4") == 1


def test_one_opportunity_edited_on_both_sides_merges_field_by_field(git: Git) -> None:
    base = _with_opps(BASE, OPP_A)
    ours = base.replace("    stage: quoted\n", "    stage: negotiating\n")
    theirs = base.replace("close: 2024-06-30", "close: 2024-07-15")
    text = _clean(git, git.branches(ours, theirs, base=base))
    assert text.count("id: O20240520-a1b2") == 1
    assert "stage: negotiating" in text and "close: 2024-07-15" in text


def test_the_same_opportunity_field_changed_differently_is_a_conflict(git: Git) -> None:
    base = _with_opps(BASE, OPP_A)
    ours = base.replace("amount: 120000", "amount: 150000")
    theirs = base.replace("amount: 120000", "amount: 90000")
    merge = git.branches(ours, theirs, base=base)
    assert merge.returncode != 0
    assert "150000" in git.read() and "90000" in git.read()
