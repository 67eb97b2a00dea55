"""kehu history CUSTOMER — the audit trail of one customer: who changed which fields when.

Each commit's version of the file is read with the strict loader and compared with the
version before it as data (``kehu.core.changes``), and said in the team's words (``kehu.git.review``):

    2024-05-20 Li Xia a1b2c3d: Stage: Quoted → Negotiating; Interactions added: 2024-05-19 Call Li Xia: …

A merge commit says who merged whose changes; where both sides had changed a field
differently since they parted, it says which side's value the merge kept (or what it set).
What a branch brought in is shown at the branch's own commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import click

from ..book.versions import version
from ..core.changes import brought_in, diff
from ..core.present import Presenter
from ..git.review import ChangeDescriber
from ..repo.gitinfo import Revision, blobs, handle_for_email, is_git_repo, revisions
from ..repo.repository import Repo
from ..store.transaction import require_sound_repo
from ..util.errors import CommandError, refuse
from ..util.gitcmd import git
from ..words.terminal import echo, terminal_text
from ._common import RunOptions, repo_from

__all__ = ["command", "diff", "trail"]


@dataclass(slots=True)
class Entry:
    commit: str
    date: str
    author: str
    subject: str
    merge: bool
    changes: list[str]


def _data(repo: Repo, name: str, raw: bytes | None) -> tuple[dict[str, Any] | None, str]:
    """The file's data (None when absent) and, for a version that does not load, the first problem."""
    v = version(repo, name, raw)
    return v.data, v.problem


def _merge_sides(repo: Repo, rev: Revision) -> tuple[list[str], bytes | None]:
    """Who made each parent of a merge (its commit's author) and the file where the sides parted."""
    out = git(repo.root, "log", "--no-walk=unsorted", "--format=%ae\x1f%an", *rev.parents)
    who = []
    for line in out.out.splitlines():
        email, name = [*line.split("\x1f"), ""][:2]
        who.append(handle_for_email(repo.team, email) or name)
    base = git(repo.root, "merge-base", *rev.parents[:2])
    raw = None
    if base.ok and rev.parent_path:
        raw = blobs(repo.root, [f"{base.out.strip()}:{rev.parent_path}"])[0]
    return [*who, "?", "?"][: max(2, len(rev.parents))], raw


def _merge_phrases(repo: Repo, describe: ChangeDescriber, rev: Revision, new: dict[str, Any],
                   parents: list[dict[str, Any] | None]) -> list[str]:
    words = describe.words
    sides, base_raw = _merge_sides(repo, rev)
    base = _data(repo, rev.parent_path or "", base_raw)[0] or {}
    ours, theirs = parents[0] or {}, (parents[1] if len(parents) > 1 else None) or {}
    out: list[str] = []
    for key in repo.schemas.field_order() + sorted(k for k in new if k not in repo.schemas.field_order()):
        a, b, o = ours.get(key), theirs.get(key), base.get(key)
        if a in (b, o) or b == o or isinstance(a, list) or isinstance(b, list):
            continue  # not a field both sides changed differently
        args = dict(field=words.field(key), a=words.who(sides[0]), b=words.who(sides[1]),
                    va=describe.value(a, key), vb=describe.value(b, key))
        got = new.get(key)
        if got in (a, b):
            out.append(words.t("chg.merge_kept", kept=words.who(sides[0] if got == a else sides[1]), **args))
        else:
            out.append(words.t("chg.merge_own", new=describe.value(got, key), **args))
    changes = [c for c in diff(parents[0], new, repo.schemas.field_order())
               if not any(brought_in(c, p) for p in parents[1:])]
    own = [ph.text for ph in describe.phrases(changes) if not (ph.kind == "set" and any(
        line.startswith(words.field(ph.field)) for line in out))]
    lead = [words.t("chg.merged_by", who=words.who(rev.author)),
            words.t("chg.merge_in", who=words.join(words.who(s) for s in sides[1:]))]
    return lead + out + own


def trail(repo: Repo, revs: list[Revision], internal: bool) -> list[Entry]:
    describe = ChangeDescriber(repo, internal)
    words = describe.words
    order = repo.schemas.field_order()
    out: list[Entry] = []
    describe.knowing([_data(repo, rev.path or "", rev.raw)[0] for rev in revs])
    for rev in revs:
        name = rev.path or ""
        new, broken = _data(repo, name, rev.raw)
        parents = [_data(repo, name, raw)[0] for raw in rev.parent_raw] or [None]
        if broken:
            phrases = [words.t("chg.unreadable", detail=broken)]
        elif rev.raw is None or new is None:  # (a version that is there and loads has its data)
            phrases = [words.t("chg.deleted")]
        elif parents[0] is None and not rev.is_merge:
            phrases = [words.t("chg.history_created", name=describe.value(new.get("name")),
                               stage=describe.value(new.get("stage"), "stage"),
                               owner=describe.value(new.get("owner"), "owner"))]
        elif rev.is_merge:
            phrases = _merge_phrases(repo, describe, rev, new, parents)
        else:
            phrases = [ph.text for ph in describe.phrases(diff(parents[0], new, order))]
            if rev.path and rev.parent_path and rev.path != rev.parent_path:
                phrases.insert(0, words.t("chg.moved", old=rev.parent_path, new=rev.path))
            if not phrases:
                phrases = [words.t("chg.format")]
        out.append(Entry(rev.commit, rev.date, rev.author, rev.subject, rev.is_merge, phrases))
    return out


def line_of(repo: Repo, e: Entry) -> str:
    words = repo.msgs
    where = e.commit[:7] if e.commit else words.word("history.uncommitted")
    merge = words.word("history.merge") if e.merge else ""
    said = words.word("hint_sep").join(e.changes)
    who = Presenter.of(repo).who(e.author) if e.author else ""
    line = words.colon(f"{e.date} {who} {where}{merge}", said)
    return terminal_text(line, one_line=True)


@click.command("history")
@click.argument("customer")
@click.option("--internal", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def command(obj: RunOptions, customer: str, internal: bool, fmt: str) -> None:
    from ..book.loader import open_book

    repo = repo_from(obj)
    require_sound_repo(repo)
    path = open_book(repo).resolve(customer)
    if not is_git_repo(repo.root):
        raise refuse(repo.msgs, "cli-not-git", root=repo.root.name)
    try:
        entries = trail(repo, revisions(repo, path), internal)
    except (OSError, ValueError) as err:  # git missing or its output not understood
        raise CommandError(str(err)) from None
    if fmt == "json":
        echo(json.dumps([{"commit": e.commit, "date": e.date, "author": e.author, "subject": e.subject,
                                "merge": e.merge, "changes": e.changes} for e in entries],
                              ensure_ascii=False, indent=2))
        return
    for e in entries:
        echo(line_of(repo, e))
