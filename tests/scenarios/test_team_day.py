"""A team's day on separate clones, with real git: the test the whole design has to pass.

A bare origin; a lead sets the repository up with `kehu init`; four salespeople clone it before
anyone works and enable kehu with `kehu init --git-only` (the hooks it installs check every commit).
Each creates two customers, logs calls on the same two shared customers, files a complaint, records
a survey and moves a stage — through the CLI only — and pushes a branch. Two of them set the same
field of a shared customer to different values. The branches are then merged one by one the way a
forge merges a pull request: a plain textual merge, no custom driver. A pull request that conflicts
is brought up to date with `kehu sync` (by its author, or by the bot command the kehu-sync workflow
runs), and after each merge the bot regenerates CODEOWNERS on main.

Result asserted: no commit refused by a hook, no id collision, every entry of every member on main,
no conflict left for a person except the two different values of one field, `kehu check` clean.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.git import git, git_env

TODAY = "2024-06-03"

TEAM = """\
# yaml-language-server: $schema=schema/team.schema.json
members:
  - {handle: liuyang, name: 刘洋, email: liuyang@example.com, git: liuyang-mgr, role: manager}
  - {handle: lixia, name: 李霞, email: lixia@example.com, git: lixia-sales, role: sales}
  - {handle: wangfang, name: 王芳, email: wangfang@example.com, git: wangfang-sales, role: sales}
  - {handle: zhaolei, name: 赵磊, email: zhaolei@example.com, git: zhaolei-sales, role: sales}
  - {handle: chenjing, name: 陈静, email: chenjing@example.com, git: chenjing-sales, role: sales}
"""

SALES = {"lixia": "李霞", "wangfang": "王芳", "zhaolei": "赵磊", "chenjing": "陈静"}
NEW_CUSTOMERS = {
    "lixia": ["苏州星河智能装备有限公司", "杭州云帆网络科技有限公司"],
    "wangfang": ["成都天府软件有限公司", "青岛海润冷链物流有限公司"],
    "zhaolei": ["武汉光谷生物医药有限公司", "西安秦川精密机械有限公司"],
    "chenjing": ["厦门鹭岛文化传媒有限公司", "长沙湘江新材料有限公司"],
}
SHARED = ["上海启明科技有限公司", "北京远航数据服务有限公司"]


class Person:
    """One colleague on one laptop: own git identity, own pre-commit cache, own clone."""

    def __init__(self, home: Path, handle: str, name: str) -> None:
        home.mkdir(parents=True)
        self.handle = handle
        identity = {"user.name": name, "user.email": f"{handle}@example.com", "init.defaultBranch": "main"}
        self.env = git_env({"KEHU_TODAY": TODAY, "PRE_COMMIT_HOME": str(home.parent / "pre-commit-cache")},
                           config=identity)
        self.clone: Path = home / "clone"
        self.refused: list[str] = []

    def run(self, *args: str, cwd: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
        run = subprocess.run(list(args), cwd=cwd or self.clone, env=self.env, capture_output=True, text=True,
                             timeout=300)
        if ok:
            assert run.returncode == 0, f"{self.handle}: {' '.join(args)}\n{run.stdout}{run.stderr}"
        return run

    def git(self, *args: str, cwd: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return git(cwd or self.clone, *args, ok=ok, env=self.env)

    def kehu(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(sys.executable, "-m", "kehu.cli", *args, ok=ok)

    def commit(self, message: str) -> None:
        """Commit everything through the hooks `kehu init` installed; a refusal is recorded, not skipped."""
        self.git("add", "-A")
        run = self.git("commit", "-q", "-m", message, ok=False)
        if run.returncode != 0:
            self.refused.append(f"{self.handle}: {message}: {run.stdout}{run.stderr}")


def _plain_merge(forge: Person, branch: str) -> bool:
    """What a forge's merge button does: a textual three-way merge with no custom driver, then push."""
    forge.git("fetch", "-q", "origin")
    forge.git("checkout", "-q", "main")
    forge.git("reset", "-q", "--hard", "origin/main")
    run = forge.git("merge", "--no-ff", "--no-edit", "-m", f"Merge pull request: {branch}", f"origin/{branch}",
                    ok=False)
    if run.returncode != 0:
        forge.git("merge", "--abort")
        return False
    forge.git("push", "-q", "origin", "main")
    return True


@pytest.fixture
def team(tmp_path: Path) -> dict[str, Person]:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    lead = Person(tmp_path / "liuyang", "liuyang", "刘洋")
    lead.git("clone", "-q", str(origin), str(lead.clone), cwd=tmp_path)
    init = lead.kehu("init", "--git-account", "liuyang-mgr")
    assert "pre-commit" not in init.stderr, init.stderr  # the hook was installed
    (lead.clone / "team.yaml").write_text(TEAM, encoding="utf-8")
    for example in (lead.clone / "customers").glob("*.yaml"):
        example.unlink()
    for name in SHARED:
        lead.kehu("new", name, "--owner", "lixia", "--industry", "I65", "--source", "referral",
                  "--contact-name", "张伟", "--phone", "13800138000" if "启明" in name else "13900139000")
    lead.kehu("codeowners")
    lead.commit("Team repository with two shared customers")
    assert not lead.refused, lead.refused
    lead.git("push", "-q", "-u", "origin", "main")
    people = {"liuyang": lead}
    for handle, name in SALES.items():  # everyone clones in the morning, before anyone works
        p = Person(tmp_path / handle, handle, name)
        p.git("clone", "-q", str(origin), str(p.clone), cwd=tmp_path)
        p.kehu("init", "--git-only")
        people[handle] = p
    bot = Person(tmp_path / "bot", "liuyang", "kehu bot")
    bot.git("clone", "-q", str(origin), str(bot.clone), cwd=tmp_path)
    forge = Person(tmp_path / "forge", "liuyang", "forge")
    forge.git("clone", "-q", str(origin), str(forge.clone), cwd=tmp_path)
    people["bot"], people["forge"] = bot, forge
    return people


def _shared_ids(p: Person) -> list[str]:
    ids = {}
    for path in (p.clone / "customers").glob("*.yaml"):
        ids[yaml.safe_load(path.read_text(encoding="utf-8"))["name"]] = path.stem
    return [ids[name] for name in SHARED]


def test_four_salespeople_on_four_clones_merge_through_a_forge(team: dict[str, Person]) -> None:
    sales = [team[h] for h in SALES]
    shared = _shared_ids(team["liuyang"])
    for i, p in enumerate(sales):
        p.git("switch", "-q", "-c", f"work-{p.handle}")
        for name in NEW_CUSTOMERS[p.handle]:  # kehu new writes files that the hooks must accept as they are
            p.kehu("new", name, "--owner", p.handle, "--industry", "C34", "--source", "website")
            p.commit(f"New customer {name}")
        for cid in shared:
            p.kehu("log", cid, "--channel", "call", "--summary",
                   f"{SALES[p.handle]}电话沟通第{i + 1}季度需求，客户关注交付周期",
                   "--next", f"2024-06-{4 + i:02d}", f"{SALES[p.handle]}发送方案")
        p.commit("Calls on the shared customers")
        p.kehu("complaint", shared[0], "open", "--category", "交付", "--content",
               f"{SALES[p.handle]}反馈：到货延迟{i + 1}天")
        p.kehu("survey", shared[1], "--quality", str(5 - i % 2), "--attitude", "4", "--response", str(3 + i % 3),
               "--after-sales", "5", "--comment", f"{SALES[p.handle]}回访")
        p.commit("Complaint and survey")
        own = sorted(x.stem for x in (p.clone / "customers").glob("*.yaml") if x.stem not in shared)
        mine = [c for c in own if yaml.safe_load((p.clone / "customers" / f"{c}.yaml").read_text())["owner"]
                == p.handle]
        p.kehu("set", mine[0], "stage", "contacted")
        p.commit("Stage move")
    # two people set the same field of a shared customer to different values: the one real conflict
    team["lixia"].kehu("set", shared[0], "region", "上海市浦东新区")
    team["lixia"].commit("Region of 启明")
    team["zhaolei"].kehu("set", shared[0], "region", "上海市徐汇区")
    team["zhaolei"].commit("Region of 启明")
    refused = [r for p in sales for r in p.refused]
    assert refused == []  # no commit refused by kehu's own hooks on files kehu wrote
    for p in sales:
        p.git("push", "-q", "-u", "origin", f"work-{p.handle}")

    forge, bot = team["forge"], team["bot"]
    needed_sync = []
    needed_person = []
    for n, p in enumerate(sales):
        branch = f"work-{p.handle}"
        if not _plain_merge(forge, branch):
            needed_sync.append(p.handle)
            if n % 2:  # the bot's command, as the kehu-sync workflow runs it
                run = bot.kehu("sync", "--branches", branch, "--push", ok=False)
                if run.returncode != 0:  # the bot leaves it for a person: the author syncs in their clone
                    assert "需要人工处理" in run.stdout, run.stdout + run.stderr
                    p.git("pull", "-q", "--ff-only", "origin", branch)
            if not _plain_merge(forge, branch):
                run = p.kehu("sync", "--push", ok=False)
                if run.returncode == 1:  # a person is needed: exactly the field two people set differently
                    needed_person.append(run.stdout)
                    path = p.clone / "customers" / f"{shared[0]}.yaml"
                    _resolve_keeping_ours(path)
                    p.git("add", "--", str(path))
                    run = p.kehu("sync", "--push")
                assert run.returncode == 0, run.stdout + run.stderr
                assert _plain_merge(forge, branch), f"{branch} still conflicts after kehu sync"
        bot.git("checkout", "-q", "main")
        bot.git("pull", "-q", "--ff-only", "origin", "main")
        bot.kehu("sync", "--push")  # CI on main: CODEOWNERS regenerated from the new customers' owners
    assert needed_sync, "the shared customers must have made some pull request conflict on the forge"
    assert len(needed_person) == 1, needed_person
    assert "所在地区（我方：上海市徐汇区，对方：上海市浦东新区）" in needed_person[0]

    final = team["liuyang"]
    final.git("checkout", "-q", "main")
    final.git("pull", "-q", "--ff-only", "origin", "main")
    files = sorted((final.clone / "customers").glob("*.yaml"))
    docs = {f.stem: yaml.safe_load(f.read_text(encoding="utf-8")) for f in files}
    new_ids = [cid for cid in docs if cid not in shared]
    assert len(new_ids) == 8 and len(set(new_ids)) == 8  # no id collision, nothing overwritten
    assert sorted(d["name"] for cid, d in docs.items() if cid in new_ids) == sorted(
        n for names in NEW_CUSTOMERS.values() for n in names)
    for cid in shared:
        summaries = [x["summary"] for x in docs[cid]["interactions"]]
        for i, name in enumerate(SALES.values()):
            assert f"{name}电话沟通第{i + 1}季度需求，客户关注交付周期" in summaries
    assert len(docs[shared[0]]["complaints"]) == 4
    assert len(docs[shared[1]]["surveys"]) == 4
    assert docs[shared[0]]["region"] == "上海市徐汇区"  # the person's choice
    for p in sales:
        own = [d for cid, d in docs.items() if d["owner"] == p.handle and cid in new_ids]
        assert sorted(d["stage"] for d in own) == ["contacted", "lead"]
    check = final.kehu("check", ok=False)
    assert check.returncode == 0, check.stdout + check.stderr
    codeowners = (final.clone / ".github/CODEOWNERS").read_text(encoding="utf-8")
    for cid, d in docs.items():
        assert f"/customers/{cid}.yaml @{d['owner']}-sales" in codeowners
    status = final.git("status", "--porcelain").stdout
    assert status == ""


def _resolve_keeping_ours(path: Path) -> None:
    """What the person does: keep their own value between the markers."""
    out, side = [], None
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("<<<<<<<"):
            side = "ours"
        elif line.startswith("=======") and side:
            side = "theirs"
        elif line.startswith(">>>>>>>") and side:
            side = None
        elif side != "theirs":
            out.append(line)
    path.write_text("".join(out), encoding="utf-8")
