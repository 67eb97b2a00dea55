"""kehu check [FILES...] — validate customer files, team.yaml and kehu.yaml."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..book.checker import check
from ..book.reporters import REPORTERS
from ..repo.repository import open_repo

if TYPE_CHECKING:
    from ..repo.repository import Repo
    from ..util.problems import Problem
    from ._common import RunOptions


@click.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True)
@click.option("--strict", is_flag=True)
@click.option("--errors-only", is_flag=True)
@click.option("--no-cache", is_flag=True)
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None)
@click.option("--against", metavar="BASE", default=None)
@click.pass_obj
def command(obj: RunOptions, files: tuple[Path, ...], fmt: str, strict: bool, errors_only: bool, no_cache: bool,
            jobs: int | None, against: str | None) -> None:
    repo = open_repo(obj.get("repo"), today=obj.get("today"), locale=obj.get("locale"))
    result = check(repo, list(files) if files else None, use_cache=not no_cache, jobs=jobs)
    if against is not None:
        result.problems.extend(_history_problems(repo, against))
    out = REPORTERS[fmt](result, repo.msgs, color=sys.stdout.isatty(), show_warnings=not errors_only)
    click.echo(out)
    if fmt == "text" and (not files or any(Path(f).name == "team.yaml" for f in files)):
        _say_member_codes(repo)
    failed = result.errors > 0 or (strict and result.warnings > 0)
    sys.exit(1 if failed else 0)


def _say_member_codes(repo: Repo) -> None:
    """Which members' ids do not read as their initials, and why: told, never left for the team to puzzle out."""
    from ..repo.idscheme import moved_codes, template_fields
    from ..words.terminal import echo

    if repo.team is None or "member" not in template_fields(repo.config.ids.template):
        return
    for member, holder, initials, code in moved_codes(repo.team):
        echo(repo.msgs.word("check.code_moved", name=member.name, handle=member.handle, code=code,
                            initials=initials, other=holder.name or holder.handle))


def _history_problems(repo: Repo, against: str) -> list[Problem]:
    """Past records changed since *against* (kehu.git.audit); a BASE git does not know is one clear error."""
    from ..git.audit import history_problems
    from ..git.forget import forgotten_ids
    from ..repo.gitinfo import changed_customer_files, is_git_repo, resolve_range
    from ._common import fail

    if not is_git_repo(repo.root):
        fail(repo.msgs.line("cli-not-git", root=repo.root.name))
    try:
        base, _ = resolve_range(repo.root, f"{against}..")
        pairs = changed_customer_files(repo.root, base, None)
    except ValueError as e:
        fail(repo.msgs.line("cli-bad-revision", rev=str(e)))
    return history_problems(repo, pairs, against, forgotten_ids(repo))
