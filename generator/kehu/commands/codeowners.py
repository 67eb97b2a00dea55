"""kehu codeowners [--check] — write .github/CODEOWNERS and .gitlab/CODEOWNERS."""

from __future__ import annotations

import sys

import click

from ..git.codeowners import expected_files, stale_files
from ..util.atomic import atomic_write
from ..words.terminal import echo
from ._common import RunOptions, fail, repo_from


@click.command("codeowners")
@click.option("--check", "check_only", is_flag=True)
@click.pass_obj
def command(obj: RunOptions, check_only: bool) -> None:
    repo = repo_from(obj)
    m = repo.msgs
    if repo.team is None:
        first = next((p for p in repo.problems if p.file == "team.yaml"), None)
        where = f"team.yaml:{first.line}: {first.message}" if first else m.word("codeowners.no_team")
        fail(where, m.word("codeowners.fix_team"))
    expected = expected_files(repo, repo.team)
    stale = stale_files(repo.root, expected)
    if check_only:
        if stale:
            names = ", ".join(stale)
            echo(m.word("codeowners.stale", names=names), err=True)
            sys.exit(1)
        return
    for name in stale:
        path = repo.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, expected[name])
    if stale:
        echo(m.word("codeowners.updated", names=", ".join(stale)))
    else:
        echo(m.word("codeowners.fresh"))
