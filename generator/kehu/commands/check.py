"""kehu check [FILES...] — validate customer files, team.yaml and kehu.yaml."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..checker import check
from ..repo import open_repo
from ..reporters import REPORTERS


@click.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True,
              help="text for people, json for machines, github for pull-request annotations.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--errors-only", is_flag=True, help="Do not show warnings.")
@click.option("--no-cache", is_flag=True, help="Check every file again, ignoring .kehu-cache/.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default: one per core).")
@click.pass_obj
def command(obj: dict, files: tuple[Path, ...], fmt: str, strict: bool, errors_only: bool, no_cache: bool,
            jobs: int | None) -> None:
    """Check customer files (default: all of them) and report every problem as file:line:col.

    Exit status: 0 when there are no errors, 1 when there are (or warnings with --strict)."""
    repo = open_repo(obj.get("repo"))
    result = check(repo, list(files) if files else None, use_cache=not no_cache, jobs=jobs)
    out = REPORTERS[fmt](result, repo.msgs, color=sys.stdout.isatty(), show_warnings=not errors_only)
    click.echo(out)
    failed = result.errors > 0 or (strict and result.warnings > 0)
    sys.exit(1 if failed else 0)
