"""kehu codeowners [--check] — write .github/CODEOWNERS and .gitlab/CODEOWNERS."""

from __future__ import annotations

import sys

import click

from ..codeowners import expected_files, stale_files
from ..store import atomic_write
from ..terminal import echo
from ._common import fail, is_zh, repo_from


@click.command("codeowners")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when a CODEOWNERS file is out of date (for pre-commit and CI).")
@click.pass_obj
def command(obj: dict, check_only: bool) -> None:
    """Write CODEOWNERS so each customer file needs review by its owner (managers as fallback).

    The owner's forge account is `git` in team.yaml; team.yaml, kehu.yaml and schema/ belong to the managers."""
    repo = repo_from(obj)
    zh = is_zh(repo)
    if repo.team is None:
        first = next((p for p in repo.problems if p.file == "team.yaml"), None)
        where = f"team.yaml:{first.line}: {first.message}" if first else "team.yaml is missing or invalid"
        fail(where, "先修正 team.yaml：运行 `kehu check`" if zh else "fix team.yaml first: run `kehu check`")
    expected = expected_files(repo, repo.team)
    stale = stale_files(repo.root, expected)
    if check_only:
        if stale:
            names = ", ".join(stale)
            echo(f"kehu: {names} 已过期，请运行 `kehu codeowners` 并提交" if zh
                       else f"kehu: {names} out of date: run `kehu codeowners` and commit the result", err=True)
            sys.exit(1)
        return
    for name in stale:
        path = repo.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, expected[name])
    if stale:
        echo(("已更新 " if zh else "updated ") + ", ".join(stale))
    else:
        echo("CODEOWNERS 已是最新" if zh else "CODEOWNERS up to date")
