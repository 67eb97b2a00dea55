"""kehu merge-driver %O %A %B %P — git's merge driver for customer files.

Installed by ``kehu init`` / ``kehu init --git-only`` (``.gitattributes`` says
``customers/*.yaml merge=kehu``; the git config value is :func:`kehu.git.gitsetup.merge_driver_command`).
Git passes the ancestor (%O), our version (%A, which receives the result), theirs (%B) and the path.

Exit 0: merged cleanly, %A holds the result in canonical layout.
Exit 41 (:data:`kehu.git.gitsetup.EXIT_MARKED`): a conflict; %A holds conflict markers, git reports a
conflict. Markers go only around the fields both sides changed differently — except when both sides
*added* the file and they are two different customers under one id: then the whole file is one
conflict (never two companies blended field by field), and ``kehu sync`` or ``kehu renumber`` keeps
both. A file that does not parse, or is over ``check.max_file_bytes``, gets git's own line merge.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..git.gitsetup import EXIT_MARKED
from ..git.merge import describe_conflicts, merge_documents, same_customer, whole_file_conflict
from ..repo.repository import Repo, open_repo
from ..util.gitcmd import git

if TYPE_CHECKING:
    from ._common import RunOptions


def _load(path: Path, repo: Repo) -> Any:  # ruamel data, or None for an empty file
    from ..store import write as store

    if not path.read_bytes().strip():
        return None  # git passes an empty ancestor when both sides added the file
    return store.load_roundtrip(path, msgs=repo.msgs)  # git's temporary files: named as they are


def _line_merge(ours: Path, base: Path, theirs: Path, size: int) -> None:
    """git's own line merge into %A: the conflict git would have reported without us."""
    git(None, "merge-file", f"--marker-size={size}", "-L", "ours", "-L", "base", "-L", "theirs", str(ours), str(base),
        str(theirs))


def _say(repo: Repo, code: str, **args: object) -> None:
    message, hint = repo.msgs.text(code, **args)
    click.echo(f"kehu merge-driver: {message}" + (f" → {hint}" if hint else ""), err=True)


@click.command("merge-driver")
@click.argument("base", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("ours", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("name", required=False, default=None)
@click.option("--marker-size", type=click.IntRange(3, 64), default=7, show_default=True)
@click.pass_obj
def command(obj: RunOptions | None, base: Path, ours: Path, theirs: Path, name: str | None, marker_size: int) -> None:
    from ..store import write as store
    from ..util.atomic import atomic_write

    obj = obj or {}
    repo = open_repo(Path.cwd(), today=obj.get("today"), locale=obj.get("locale"))  # git runs drivers at the top
    label = name or ours.name
    limit = repo.config.check.max_file_bytes
    if max(p.stat().st_size for p in (base, ours, theirs)) > limit:
        _say(repo, "merge-driver-too-large", file=label, limit=limit)
        _line_merge(ours, base, theirs, marker_size)
        sys.exit(EXIT_MARKED)
    try:
        data = [_load(p, repo) for p in (base, ours, theirs)]
        if data[1] is None or data[2] is None:
            raise ValueError("one side is empty")
    except Exception as e:  # any unreadable input: leave it to git's line merge
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__  # a StoreError: file:line:col: what
        _say(repo, "merge-driver-unreadable", file=label, detail=detail)
        _line_merge(ours, base, theirs, marker_size)
        sys.exit(EXIT_MARKED)
    customer = f"{data[1].get('id') or label} {data[1].get('name') or ''}".strip()
    suffixes = repo.config.check.company_suffixes
    if data[0] is None and not same_customer(data[1], data[2], suffixes):
        _say(repo, "merge-driver-two-customers", file=label, id=data[1].get("id") or label,
             ours=data[1].get("name"), theirs=data[2].get("name"))
        atomic_write(ours, whole_file_conflict(ours.read_text(encoding="utf-8"),
                                               theirs.read_text(encoding="utf-8"), marker_size))
        sys.exit(EXIT_MARKED)
    result = merge_documents(data[0], data[1], data[2])

    def dump(doc: object) -> str:
        return store.dump(doc, repo.schemas)

    if result.clean:
        atomic_write(ours, dump(result.data))
        return
    from ..git.merge import render_conflicts

    _say(repo, "merge-driver-conflict", customer=customer, fields=describe_conflicts(repo, result))
    atomic_write(ours, render_conflicts(result, dump, marker_size))
    sys.exit(EXIT_MARKED)
