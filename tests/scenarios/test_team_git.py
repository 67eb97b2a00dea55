"""Working as a team, piece by piece: ids, the write lock, the fail-safe merge driver, add/add of two
different customers, `kehu sync`, `kehu renumber` and conflict markers in `kehu check`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from kehu.git.gitsetup import EXIT_MARKED, merge_driver_command
from kehu.words.catalogue import Locale

from tests.support.commands import assert_refused, commit, kehu, plain, team_repo
from tests.support.customers import COMMENTED, TODAY, customer_dict, other_customer
from tests.support.git import git, git_env

# --- ids ---------------------------------------------------------------------------------------------------


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo)


def test_member_codes_come_from_team_yaml_or_the_names_pinyin(make_repo) -> None:
    from kehu.repo.idscheme import code_clashes, derived_code, member_code, member_codes, moved_codes
    from kehu.repo.model import Member, Team

    assert derived_code(Member("lixia", "李霞", "sales")) == "LX"
    assert derived_code(Member("ouyang", "欧阳娜娜", "sales")) == "OYN"  # at most three letters
    assert derived_code(Member("john.smith", "John Smith", "sales")) == "JS"
    assert member_code(Member("lixia", "李霞", "sales", code="XIA")) == "XIA"
    # an ordinary team: 王强 and 吴倩 share the initials WQ; the one listed later steps aside, still reading as her name
    team = Team("team.yaml", [Member("wangqiang", "王强", "sales"), Member("wuqian", "吴倩", "sales", line=9)])
    assert member_codes(team) == {"wangqiang": "WQ", "wuqian": "WUQ"} and code_clashes(team) == []
    assert [(m.handle, h.handle, i, c) for m, h, i, c in moved_codes(team)] == [("wuqian", "wangqiang", "WQ", "WUQ")]
    # a code written in team.yaml is kept, and a derived one steps aside for it wherever it is listed
    written = Team("team.yaml", [Member("wuqian", "吴倩", "sales"), Member("wangqiang", "王强", "sales", code="WQ")])
    assert member_codes(written) == {"wuqian": "WUQ", "wangqiang": "WQ"}
    both = Team("team.yaml", [Member("wangqiang", "王强", "sales", code="WQ"),
                              Member("wuqian", "吴倩", "sales", code="WQ", line=9)])
    assert [(a.handle, b.handle, code) for a, b, code in code_clashes(both)] == [("wuqian", "wangqiang", "WQ")]


def test_two_members_with_one_written_code_is_a_team_yaml_error_and_derived_codes_are_told(make_repo) -> None:
    team = ("members:\n  - {handle: wangqiang, name: 王强, role: sales}\n"
            "  - {handle: wuqian, name: 吴倩, role: sales}\n")
    r = make_repo(team=team)
    assert [p for p in r.check_json().problems if p["code"].startswith("team-code")] == []
    said = kehu(r, "check")
    assert "吴倩（wuqian）新建客户的编号代码是 WUQ，因为 WQ 已是王强的" in said.stdout, said.stdout
    clashing = team.replace("name: 王强,", "name: 王强, code: WQ,").replace("name: 吴倩,", "name: 吴倩, code: WQ,")
    r.write("team.yaml", clashing)
    clash = [p for p in r.check_json().problems if p["code"] == "team-code-clash"]
    assert len(clash) == 1 and clash[0]["file"] == "team.yaml" and clash[0]["line"] == 3
    assert "王强" in clash[0]["message"] and "吴倩" in clash[0]["message"] and "WQ" in clash[0]["message"]
    r.write("team.yaml", clashing.replace("name: 吴倩, code: WQ,", "name: 吴倩,"))
    assert [p for p in r.check_json().problems if p["code"] == "team-code-clash"] == []


def test_ids_of_two_clones_differ_by_the_creators_code(repo) -> None:
    first = kehu(repo, "new", "苏州星河智能装备有限公司", "--owner", "lixia", "--industry", "C34")
    assert first.exit_code == 0, first.stderr
    second = kehu(repo, "new", "成都天府软件有限公司", "--owner", "wangfang", "--industry", "I65",
                  env={"GIT_AUTHOR_EMAIL": "x"})
    assert second.exit_code == 0, second.stderr
    git(repo.root, "config", "user.email", "wangfang@example.com")  # the same repository, another person
    third = kehu(repo, "new", "青岛海润冷链物流有限公司", "--owner", "wangfang", "--industry", "G")
    assert third.exit_code == 0, third.stderr
    names = sorted(p.name for p in repo.customers.iterdir())
    assert names == ["C20240501001.yaml", "C20240601LX01.yaml", "C20240601LX02.yaml", "C20240601WF01.yaml"]


def test_an_unknown_creator_uses_the_owners_code(make_repo) -> None:
    repo = team_repo(make_repo, email=None)
    run = kehu(repo, "new", "苏州星河智能装备有限公司", "--owner", "wangfang", "--industry", "C34")
    assert run.exit_code == 0, run.stderr
    assert (repo.customers / "C20240601WF01.yaml").is_file()


def test_import_never_reuses_an_id_that_existed_in_history(repo, tmp_path) -> None:
    from kehu.repo.repository import open_repo
    from kehu.store.ids import Allocator

    deleted = repo.customers / "C20240601LX01.yaml"
    deleted.write_text(COMMENTED.replace("C20240501001", "C20240601LX01").replace("上海启明科技", "南京旧客户"),
                       encoding="utf-8")
    commit(repo, "a customer")
    git(repo.root, "rm", "-q", str(deleted))
    commit(repo, "deleted again")
    allocator = Allocator.for_repo(open_repo(repo.root), "lixia")
    assert allocator.next(__import__("datetime").date(2024, 6, 1)) == "C20240601LX02"
    sheet = tmp_path / "in.csv"
    sheet.write_text("客户名称,所属行业,负责人,创建日期\n广州粤海冷链物流有限公司,G,lixia,2024-06-01\n",
                     encoding="utf-8")
    run = repo.kehu("import", str(sheet))
    assert run.returncode == 0, run.stdout + run.stderr
    assert (repo.customers / "C20240601LX02.yaml").is_file() and not deleted.exists()


@pytest.mark.parametrize(("ids", "code"), [
    ({"template": "C{date:%Y%m%d}{who}{seq:02d}"}, "ids-template-fields"),
    ({"template": "C{date:%Y%m%d}{member}"}, "ids-template-fields"),
    ({"template": "C{date:%Y%m%d}{seq:q}"}, "ids-template-format"),
    ({"pattern": "^C[0-9]{11}$"}, "ids-template-pattern"),
])
def test_an_id_scheme_that_cannot_make_ids_is_a_kehu_yaml_error(make_repo, ids, code) -> None:
    r = make_repo()
    r.set_config(ids=ids)
    run = r.check_json()
    assert [(p["file"], p["code"]) for p in run.problems if p["code"] != "config-invalid"] == [("kehu.yaml", code)]
    assert r.kehu("new", "苏州星河智能装备有限公司", "--owner", "lixia", "--industry", "C34").returncode == 2


def test_the_default_pattern_accepts_old_and_new_ids(make_repo) -> None:
    r = make_repo()
    r.write_customer(customer_dict(id="C20240501001"))
    r.write_customer(customer_dict(id="C20261201LX01", name="杭州云帆网络科技有限公司"))
    r.write_customer(customer_dict(id="C20261201lx01", name="成都天府软件有限公司"))
    problems = [(p["file"], p["code"]) for p in r.check_json().problems if p["code"].startswith("id-")]
    assert problems == [("customers/C20261201lx01.yaml", "id-pattern")]


# --- the write lock: concurrent writers never lose a write ----------------------------------------------------


def _env() -> dict[str, str]:
    return git_env({"KEHU_TODAY": TODAY})


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kehu.cli", "-C", str(root), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env())


@pytest.mark.parametrize("pair", range(4))
def test_two_logs_at_the_same_moment_both_keep_their_entry(repo, pair: int) -> None:
    runs = [_start(repo.root, "log", "C20240501001", "--channel", "call", "--by", who, "--summary",
                   f"第{pair}组并发记录：{who}确认交付时间") for who in ("lixia", "wangfang")]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, out + err
    summaries = [x["summary"] for x in plain(repo.customers / "C20240501001.yaml")["interactions"]]
    assert f"第{pair}组并发记录：lixia确认交付时间" in summaries
    assert f"第{pair}组并发记录：wangfang确认交付时间" in summaries


@pytest.mark.parametrize("pair", range(3))
def test_two_new_customers_at_the_same_moment_get_two_ids(repo, pair: int) -> None:
    names = [f"苏州星河{pair}号智能装备有限公司", f"成都天府{pair}号软件有限公司"]
    runs = [_start(repo.root, "new", name, "--owner", "lixia", "--industry", "C34") for name in names]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, out + err
    made = {yaml.safe_load(p.read_text(encoding="utf-8"))["name"]: p.stem for p in repo.customers.glob("*.yaml")}
    assert set(names) <= set(made) and len({made[n] for n in names}) == 2


def test_a_lock_held_too_long_is_a_one_line_error(tmp_path: Path) -> None:
    from kehu.util.locking import write_lock

    with write_lock(tmp_path):
        with write_lock(tmp_path):  # re-entrant within one process
            pass
        script = ("import sys\nfrom pathlib import Path\nfrom kehu.util.locking import write_lock, LockTimeout\n"
                  "try:\n    write_lock(Path(sys.argv[1]), wait=0.2).__enter__()\n"
                  "except LockTimeout as e:\n    print('timeout', e.holder)\n")
        run = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                             env=_env())
        assert run.stdout.strip() == f"timeout {os.getpid()}", run.stderr


# --- the merge driver, configured the way `kehu init --git-only` configures it -----------------------------


class Clone:
    """A colleague's clone: git and kehu run as 李霞, with ``path`` as PATH if given."""

    def __init__(self, root: Path, python: str | None = None, path: str | None = None) -> None:
        self.root = root
        self.env = git_env({"KEHU_TODAY": TODAY}, config={"user.name": "李霞", "user.email": "lixia@example.com"})
        if path is not None:
            self.env["PATH"] = path
        self.python = python

    def git(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return git(self.root, *args, ok=ok, env=self.env)


def _driver_repo(make_repo, python: str | None, path: str | None) -> Clone:
    r = make_repo()
    clone = Clone(r.root, python, path)
    clone.git("init", "-q", "-b", "main")
    (r.root / ".gitattributes").write_text("customers/*.yaml merge=kehu\n", encoding="utf-8")
    clone.git("config", "merge.kehu.driver", merge_driver_command(python))
    r.write_customer(COMMENTED, "C20240501001")
    clone.git("add", "-A")
    clone.git("commit", "-q", "-m", "base")
    return clone


def _call(text: str, date: str, by: str, summary: str) -> str:
    call = f"  - date: {date}\n    channel: call\n    by: {by}\n    summary: {summary}\n"
    return text.replace("next_action:", call + "next_action:")


def _two_calls(clone: Clone) -> subprocess.CompletedProcess[str]:
    path = clone.root / "customers/C20240501001.yaml"
    clone.git("checkout", "-q", "-b", "colleague")
    path.write_text(_call(COMMENTED, "2024-05-25", "wangfang", "电话确认报价单已收到"), encoding="utf-8")
    clone.git("commit", "-q", "-am", "theirs")
    clone.git("checkout", "-q", "main")
    path.write_text(_call(COMMENTED, "2024-05-25", "lixia", "微信发送合同草稿"), encoding="utf-8")
    clone.git("commit", "-q", "-am", "ours")
    return clone.git("merge", "--no-edit", "colleague", ok=False)


def _bare_path() -> str:
    """A PATH with git and a shell but no kehu (a GUI client, a virtual environment not activated)."""
    keep = [d for d in os.environ["PATH"].split(os.pathsep) if d and not (Path(d) / "kehu").exists()]
    assert shutil.which("git", path=os.pathsep.join(keep))
    return os.pathsep.join(keep)


def test_driver_runs_by_its_python_path_when_kehu_is_not_on_path(make_repo, tmp_path: Path) -> None:
    clone = _driver_repo(make_repo, sys.executable, _bare_path())
    merge = _two_calls(clone)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    text = (clone.root / "customers/C20240501001.yaml").read_text(encoding="utf-8")
    assert "电话确认报价单已收到" in text and "微信发送合同草稿" in text


def test_driver_that_cannot_run_falls_back_to_git_line_merge_with_markers(make_repo, tmp_path: Path) -> None:
    clone = _driver_repo(make_repo, str(tmp_path / "gone" / "python"), _bare_path())
    merge = _two_calls(clone)
    assert merge.returncode != 0 and "CONFLICT" in merge.stdout
    assert "could not run" in merge.stderr and "无法运行 kehu 合并驱动" in merge.stderr
    text = (clone.root / "customers/C20240501001.yaml").read_text(encoding="utf-8")
    # never one side kept silently: both sides are there, between git's markers
    assert "<<<<<<< ours" in text and ">>>>>>> theirs" in text
    assert "电话确认报价单已收到" in text and "微信发送合同草稿" in text


def test_add_add_of_two_different_customers_is_one_whole_file_conflict(make_repo, tmp_path: Path) -> None:
    clone = _driver_repo(make_repo, sys.executable, None)
    new = clone.root / "customers/C20240601LX01.yaml"
    clone.git("checkout", "-q", "-b", "colleague")
    new.write_text(COMMENTED.replace("C20240501001", "C20240601LX01").replace("上海启明科技", "杭州云帆网络")
                   .replace("13800138000", "13912345678").replace("zhang.wei", "li.na"), encoding="utf-8")
    clone.git("add", "-A")
    clone.git("commit", "-q", "-m", "theirs adds 云帆")
    clone.git("checkout", "-q", "main")
    new.write_text(COMMENTED.replace("C20240501001", "C20240601LX01").replace("上海启明科技", "成都天府软件")
                   .replace("13800138000", "13700137000").replace("zhang.wei", "wang.lei"), encoding="utf-8")
    clone.git("add", "-A")
    clone.git("commit", "-q", "-m", "ours adds 天府")
    merge = clone.git("merge", "--no-edit", "colleague", ok=False)
    assert merge.returncode != 0
    assert "两个不同的客户使用了同一编号 C20240601LX01" in merge.stderr
    lines = new.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "<<<<<<< ours" and lines[-1] == ">>>>>>> theirs"
    assert sum(line.startswith("=======") for line in lines) == 1  # one conflict: nothing blended outside it
    assert "13700137000" in "\n".join(lines) and "13912345678" in "\n".join(lines)


def test_the_driver_itself_exits_marked_and_names_the_customer(make_repo, tmp_path: Path) -> None:
    r = make_repo()
    base, ours, theirs = (tmp_path / n for n in ("O", "A", "B"))
    base.write_text(COMMENTED, encoding="utf-8")
    ours.write_text(COMMENTED.replace("region: 上海", "region: 上海市浦东新区"), encoding="utf-8")
    theirs.write_text(COMMENTED.replace("region: 上海", "region: 上海市徐汇区"), encoding="utf-8")
    run = r.kehu("merge-driver", str(base), str(ours), str(theirs), "customers/C20240501001.yaml")
    assert run.returncode == EXIT_MARKED
    assert "C20240501001 上海启明科技有限公司" in run.stderr
    assert "所在地区（我方：上海市浦东新区，对方：上海市徐汇区）" in run.stderr
    big = "x" * 300_000
    theirs.write_text(COMMENTED + f"notes: {big}\n", encoding="utf-8")
    run = r.kehu("merge-driver", str(base), str(ours), str(theirs), "customers/C20240501001.yaml")
    assert run.returncode == EXIT_MARKED and "max_file_bytes" in run.stderr and "Traceback" not in run.stderr


# --- kehu sync ---------------------------------------------------------------------------------------------


class Team:
    """A bare origin and two clones made before anyone works."""

    def __init__(self, make_repo, tmp_path: Path) -> None:
        seed = make_repo()
        self.origin = tmp_path / "origin.git"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.origin))
        first = Clone(seed.root)
        first.git("init", "-q", "-b", "main")
        (seed.root / ".gitattributes").write_text("customers/*.yaml merge=kehu\n", encoding="utf-8")
        seed.write_customer(COMMENTED, "C20240501001")
        seed.write_customer(other_customer())
        first.git("add", "-A")
        first.git("commit", "-q", "-m", "base")
        first.git("push", "-q", str(self.origin), "main")
        self.a = self._clone(tmp_path, "a")
        self.b = self._clone(tmp_path, "b")

    def _clone(self, tmp_path: Path, name: str) -> Clone:
        clone = Clone(tmp_path / name)
        git(tmp_path, "clone", "-q", str(self.origin), str(clone.root), env=clone.env)
        return clone

    @staticmethod
    def kehu(clone: Clone, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kehu.cli", *args], cwd=clone.root, env=clone.env,
                              capture_output=True, text=True, timeout=300)


@pytest.fixture
def pair(make_repo, tmp_path: Path) -> Team:
    return Team(make_repo, tmp_path)


def _edit(clone: Clone, old: str, new: str, message: str, branch: str | None = None) -> None:
    if branch:
        clone.git("switch", "-q", "-c", branch)
    path = clone.root / "customers/C20240501001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    clone.git("commit", "-q", "-am", message)


def test_sync_merges_main_as_data_and_the_forge_merge_is_then_clean(pair: Team) -> None:
    _edit(pair.a, "next_action:", _call("next_action:", "2024-05-25", "lixia", "微信发送合同草稿"), "a's call")
    pair.a.git("push", "-q", "origin", "main")
    _edit(pair.b, "next_action:", _call("next_action:", "2024-05-25", "wangfang", "电话确认报价单已收到"), "b's call",
          branch="work-b")
    run = pair.kehu(pair.b, "sync", "--push")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "kehu 已合并（双方都有修改）：C20240501001 上海启明科技有限公司" in run.stdout
    assert "已推送 work-b" in run.stdout
    subject = pair.b.git("log", "--merges", "-1", "--format=%s").stdout.strip()
    assert subject == Locale("zh-CN").word("sync.merge_commit", target="origin/main", branch="work-b")
    forge = pair._clone(pair.origin.parent, "forge")
    forge.git("merge", "--no-ff", "--no-edit", "origin/work-b")  # a plain textual merge: no driver here
    text = (forge.root / "customers/C20240501001.yaml").read_text(encoding="utf-8")
    assert "微信发送合同草稿" in text and "电话确认报价单已收到" in text


def test_sync_refuses_uncommitted_changes_and_says_what_to_do(pair: Team) -> None:
    path = pair.b.root / "customers/C20240501001.yaml"
    before = path.read_bytes()
    path.write_bytes(before + b"# draft\n")
    run = pair.kehu(pair.b, "sync")
    assert run.returncode == 2 and "未提交的修改" in run.stderr and "Traceback" not in run.stderr
    assert path.read_bytes() == before + b"# draft\n"


def test_sync_names_the_field_two_people_set_and_finishes_after_the_person(pair: Team) -> None:
    _edit(pair.a, "region: 上海", "region: 上海市浦东新区", "a")
    pair.a.git("push", "-q", "origin", "main")
    _edit(pair.b, "region: 上海", "region: 上海市徐汇区", "b", branch="work-b")
    run = pair.kehu(pair.b, "sync")
    assert run.returncode == 1
    assert ("需要人工处理：C20240501001 上海启明科技有限公司：所在地区（我方：上海市徐汇区，对方：上海市浦东新区）"
            in run.stdout)
    check = pair.kehu(pair.b, "check", "customers/C20240501001.yaml")
    assert check.returncode == 1 and "conflict-markers" in check.stdout and "kehu sync" in check.stdout
    path = pair.b.root / "customers/C20240501001.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if not x.startswith(("<<<<<<<", "=======", ">>>>>>>"))
                    and "徐汇" not in x), encoding="utf-8")
    pair.b.git("add", "-A")
    again = pair.kehu(pair.b, "sync")
    assert again.returncode == 0, again.stdout + again.stderr
    assert pair.b.git("rev-parse", "--verify", "-q", "MERGE_HEAD", ok=False).returncode != 0


def test_the_bot_leaves_a_branch_that_needs_a_person_as_it_was(pair: Team) -> None:
    _edit(pair.a, "region: 上海", "region: 上海市浦东新区", "a")
    pair.a.git("push", "-q", "origin", "main")
    _edit(pair.b, "region: 上海", "region: 上海市徐汇区", "b", branch="work-b")
    pair.b.git("push", "-q", "origin", "work-b")
    tip = pair.b.git("rev-parse", "HEAD").stdout
    run = pair.kehu(pair.a, "sync", "--branches", "work-b", "--push")
    assert run.returncode == 1 and "保持原样" in run.stdout
    remote_tip = pair.a.git("rev-parse", "origin/work-b").stdout
    assert remote_tip == tip and pair.a.git("symbolic-ref", "--short", "HEAD").stdout.strip() == "main"
    assert pair.a.git("status", "--porcelain", "--untracked-files=no").stdout == ""


def test_sync_keeps_both_customers_added_under_one_id(pair: Team) -> None:
    for clone, name, phone in ((pair.a, "杭州云帆数据", "13700137000"), (pair.b, "成都天府软件", "13600136000")):
        if clone is pair.b:
            clone.git("switch", "-q", "-c", "work-b")
        path = clone.root / "customers/C20240601LX01.yaml"
        path.write_text(COMMENTED.replace("C20240501001", "C20240601LX01").replace("上海启明科技", name)
                        .replace("13800138000", phone).replace("zhang.wei", f"x{phone}"), encoding="utf-8")
        clone.git("add", "-A")
        clone.git("commit", "-q", "-m", f"add {name}")
    pair.a.git("push", "-q", "origin", "main")
    run = pair.kehu(pair.b, "sync")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "本分支的“成都天府软件有限公司”已改为 C20240501LX01" in run.stdout  # ids carry the creation date
    kept = yaml.safe_load((pair.b.root / "customers/C20240601LX01.yaml").read_text(encoding="utf-8"))
    moved = yaml.safe_load((pair.b.root / "customers/C20240501LX01.yaml").read_text(encoding="utf-8"))
    assert kept["name"] == "杭州云帆数据有限公司" and moved["name"] == "成都天府软件有限公司"
    assert moved["id"] == "C20240501LX01" and "原编号：C20240601LX01" in moved["notes"]
    # the old id is now the other customer's: the note says whose, and the renumbering is not called a merge
    assert "与“杭州云帆数据有限公司”同时新建" in moved["notes"]
    assert "已合并（双方都有修改）" not in run.stdout
    assert pair.kehu(pair.b, "check").returncode == 0


def _add(clone: Clone, cid: str, name: str, phone: str, branch: str | None = None) -> None:
    if branch:
        clone.git("switch", "-q", "-c", branch)
    (clone.root / f"customers/{cid}.yaml").write_text(
        COMMENTED.replace("C20240501001", cid).replace("上海启明科技", name).replace("13800138000", phone)
        .replace("zhang.wei", f"x{phone}"), encoding="utf-8")
    clone.git("add", "-A")
    clone.git("commit", "-q", "-m", f"add {name}")


def test_sync_checks_what_it_would_push_and_says_what_to_do(pair: Team) -> None:
    """Two colleagues each add the same company (same phone) under their own ids: git merges it cleanly, and
    the branch would fail `kehu check` on the forge — sync says so, with the fix, and pushes nothing."""
    _add(pair.a, "C20240601LX01", "杭州云帆数据", "13700137000")
    pair.a.git("push", "-q", "origin", "main")
    _add(pair.b, "C20240601WF01", "杭州云帆数据", "13700137000", branch="work-b")
    run = pair.kehu(pair.b, "sync", "--push")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "未推送" in run.stdout and "duplicate-name" in run.stdout and "kehu merge" in run.stdout
    assert "customers/C20240601WF01.yaml" in run.stdout and "Traceback" not in run.stderr
    assert pair.b.git("ls-remote", "--heads", "origin", "work-b").stdout.strip() == ""
    # the bot leaves such a branch exactly as it was
    pair.b.git("reset", "-q", "--hard", "HEAD^1")
    pair.b.git("push", "-q", "origin", "work-b")
    tip = pair.b.git("rev-parse", "HEAD").stdout
    pair.a.git("fetch", "-q", "origin")
    bot = pair.kehu(pair.a, "sync", "--branches", "work-b", "--push")
    assert bot.returncode == 1 and "保持原样" in bot.stdout and "duplicate-name" in bot.stdout
    assert pair.a.git("rev-parse", "origin/work-b").stdout == tip
    # made one customer, the same sync pushes
    pair.b.git("rm", "-q", "customers/C20240601WF01.yaml")
    pair.b.git("commit", "-q", "-m", "the same customer as lixia's")
    again = pair.kehu(pair.b, "sync", "--push")
    assert again.returncode == 0 and "已推送 work-b" in again.stdout, again.stdout + again.stderr


def test_a_branch_keeps_main_codeowners(pair: Team) -> None:
    for clone in (pair.a,):
        assert Team.kehu(clone, "codeowners").returncode == 0
        clone.git("add", "-A")
        clone.git("commit", "-q", "-m", "codeowners")
        clone.git("push", "-q", "origin", "main")
    pair.b.git("pull", "-q", "origin", "main")
    pair.b.git("switch", "-q", "-c", "work-b")
    (pair.b.root / ".github/CODEOWNERS").write_text("/customers/ @someone\n", encoding="utf-8")
    pair.b.git("commit", "-q", "-am", "an old kehu regenerated CODEOWNERS on the branch")
    _edit(pair.a, "region: 上海", "region: 上海市浦东新区", "a")
    pair.a.git("push", "-q", "origin", "main")
    run = pair.kehu(pair.b, "sync")
    assert run.returncode == 0, run.stdout + run.stderr
    assert pair.b.git("diff", "origin/main", "HEAD", "--", ".github/CODEOWNERS").stdout == ""


# --- kehu renumber ------------------------------------------------------------------------------------------


def test_renumber_moves_the_file_notes_the_old_id_and_follows_kehu_yaml(repo) -> None:
    repo.write_customer(other_customer())
    repo.set_config(check={"not_duplicates": [["C20240501001", "C20240502001"]]})
    commit(repo, "two")
    run = kehu(repo, "renumber", "C20240502001")
    assert run.exit_code == 0, run.stderr
    assert "C20240502001 改为 C20240501LX01" in run.stdout  # the id carries the customer's creation date
    moved = plain(repo.customers / "C20240501LX01.yaml")
    assert moved["id"] == "C20240501LX01" and "原编号：C20240502001" in moved["notes"]
    assert not (repo.customers / "C20240502001.yaml").exists()
    assert repo.config()["check"]["not_duplicates"] == [["C20240501001", "C20240501LX01"]]
    staged = git(repo.root, "status", "--porcelain", "--", "customers").stdout
    assert "customers/C20240501LX01.yaml" in staged and "D  customers/C20240502001.yaml" in staged
    assert repo.kehu("check").returncode == 0


def test_renumber_refuses_an_id_used_before_and_a_bad_one(repo) -> None:
    before = (repo.customers / "C20240501001.yaml").read_bytes()
    assert_refused(kehu(repo, "renumber", "C20240501001", "C20240501001"), "已被使用")
    assert_refused(kehu(repo, "renumber", "C20240501001", "X1"), "不符合团队编号规则")
    assert (repo.customers / "C20240501001.yaml").read_bytes() == before


def test_renumber_adopts_a_legacy_id(repo) -> None:
    legacy = repo.customers / "KH-0042.yaml"
    legacy.write_text(COMMENTED.replace("C20240501001", "KH-0042").replace("上海启明科技", "南京老客户")
                      .replace("13800138000", "13500135000").replace("zhang.wei", "old"), encoding="utf-8")
    assert repo.kehu("check").returncode == 1  # the legacy id does not match the pattern
    run = kehu(repo, "renumber", "KH-0042", "C20240501002")
    assert run.exit_code == 0, run.stderr
    assert repo.kehu("check").returncode == 0


def test_check_names_conflict_markers_in_one_line(make_repo) -> None:
    r = make_repo()
    r.write_customer(COMMENTED.replace("region: 上海\n", "<<<<<<< ours\nregion: 上海\n=======\nregion: 北京\n"
                                       ">>>>>>> theirs\n"), "C20240501001")
    run = r.check_json()
    assert [(p["code"], p["line"]) for p in run.problems] == [("conflict-markers", 9)]
