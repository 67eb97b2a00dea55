"""Helpers for the everyday-command tests: a team repository that is a real git repository, the ``kehu``
command run in-process (click's CliRunner) with a pinned today and an isolated git configuration, and the
assertions every write must pass."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.support.customers import COMMENTED, TODAY
from tests.support.git import GIT_ENV, commit_all, git
from tests.support.team_repo import TeamRepo


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def git_init(repo: TeamRepo, email: str | None = "lixia@example.com") -> None:
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "config", "user.name", "Li Xia")
    if email:
        git(repo.root, "config", "user.email", email)
    git(repo.root, "config", "commit.gpgsign", "false")


def commit(repo: TeamRepo, message: str, email: str = "lixia@example.com", name: str = "someone",
           date: str = "2024-05-01T10:00:00+08:00") -> None:
    commit_all(repo.root, message, name=name, email=email, date=date)


def team_repo(make_repo: Callable[..., TeamRepo], email: str | None = "lixia@example.com", commented: bool = True,
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
