"""Helpers for the everyday-command tests (test_cmd_*.py): a team repository that is a real
git repository, the ``kehu`` command run in-process (click's CliRunner) with a pinned
today and an isolated git configuration, and the assertions every write must pass."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import TODAY, TeamRepo, customer_dict

# git must not read the machine's own configuration (a developer's user.email would leak in)
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}

COMMENTED = """\
# yaml-language-server: $schema=../schema/customer.schema.json
id: C20240501001
name: 上海启明科技有限公司   # 工商注册全称
industry: I65
stage: quoted
owner: lixia
created: 2024-05-01
size: "200-500"
region: 上海
source: referral
needs: 需定制化解决方案，注重响应速度
budget: 200000
decision_process: 采购经理评估后总经理拍板
contacts:
  - name: 张伟
    title: 采购经理
    phone: "13800138000"
    email: zhang.wei@example.com
    primary: true
# 跟进记录按日期排列
interactions:
  - date: 2024-05-01  # 首次接触
    channel: call
    by: lixia
    summary: 沟通Q2续约需求，客户对售后服务满意
  # 上门演示
  - date: 2024-05-20
    channel: visit
    by: wangfang
    summary: 上门演示审批流，客户关注与SAP对接
next_action: {date: 2024-06-05, action: 发送报价单}
"""


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full = {**os.environ, **GIT_ENV, **(env or {})}
    out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, env=full, check=True)
    return out.stdout


def git_init(repo: TeamRepo, email: str | None = "lixia@example.com") -> None:
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.name", "Li Xia")
    if email:
        git(repo.root, "config", "user.email", email)
    git(repo.root, "config", "commit.gpgsign", "false")


def commit(repo: TeamRepo, message: str, email: str = "lixia@example.com", name: str = "someone",
           date: str = "2024-05-01T10:00:00+08:00") -> None:
    env = {"GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_NAME": name, "GIT_COMMITTER_EMAIL": email,
           "GIT_COMMITTER_NAME": name, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", message, env=env)


def team_repo(make_repo, email: str | None = "lixia@example.com", commented: bool = True,
              others: list[dict[str, Any]] | None = None) -> TeamRepo:
    """A git repository with the commented customer C20240501001 (and ``others``), committed."""
    repo = make_repo()
    git_init(repo, email)
    if commented:
        repo.write_customer(COMMENTED, "C20240501001")
    for data in others or []:
        repo.write_customer(data)
    commit(repo, "customers")
    return repo


def other_customer(**overrides: Any) -> dict[str, Any]:
    """A second valid customer, distinct from C20240501001 in name, phone and email."""
    base = dict(id="C20240502001", name="杭州云帆网络科技有限公司", owner="wangfang", stage="contacted",
                contacts=[{"name": "王强", "phone": "13912345678", "email": "wang.qiang@yunfan.example.com",
                           "primary": True}],
                interactions=[{"date": "2024-05-02", "channel": "email", "by": "wangfang",
                               "summary": "发送产品白皮书和报价区间，客户关注私有化部署"}])
    base.update(overrides)
    return customer_dict(**base)


def kehu(repo: TeamRepo, *args: str, today: str | None = TODAY, env: dict[str, str] | None = None,
         input: str | None = None) -> Result:
    """Run ``kehu -C REPO ARGS`` in-process, the way the installed command runs it."""
    from kehu.cli import main

    full_env = {k: None for k in os.environ if k.startswith("KEHU_")}
    full_env.update(GIT_ENV)
    if today:
        full_env["KEHU_TODAY"] = today
    full_env.update(env or {})
    result = CliRunner().invoke(main, ["-C", str(repo.root), *args], env=full_env, input=input,
                                catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def assert_refused(result: Result, *expected: str) -> None:
    """Exit 2 with exactly one line on stderr that says ``expected``."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(("kehu: 错误：", "kehu: error: ")), lines[0]  # zh-CN or en
    for text in expected:
        assert text in lines[0], (text, lines[0])


def assert_written_well(repo: TeamRepo, path: Path) -> None:
    """The file passes `kehu check` and is exactly what `kehu fmt` makes of it; no temp files left."""
    from kehu.store.write import dump, load_roundtrip

    result = repo.check(path)
    assert result.errors == 0, [p.message for p in result.problems]
    text = path.read_text(encoding="utf-8")
    assert dump(load_roundtrip(path), repo.open().schemas) == text
    fmt = kehu(repo, "fmt", "--check", str(path))
    assert fmt.exit_code == 0, fmt.stdout + fmt.stderr
    assert path.read_text(encoding="utf-8") == text
    leftovers = [p.name for p in path.parent.iterdir() if not p.name.endswith(".yaml")]
    assert leftovers == [], leftovers


def plain(path: Path) -> dict[str, Any]:
    """The file's data as the strict loader reads it (dates stay ISO strings)."""
    from kehu.repo.yamlload import load_yaml_bytes
    from kehu.words.catalogue import Locale

    loaded = load_yaml_bytes(path.name, path.read_bytes(), Locale())
    assert not loaded.problems, loaded.problems
    return loaded.data
