"""The book as git holds it: a customer file's version in a commit, and the customers of a commit.

`kehu history`, `kehu diff` (the review), `kehu check --against` (the audit) and the monthly review read
past versions of the files; they read them here, with the one strict loader and today's schema, so a
version loads (or fails, with its first problem) the same way for each of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..core.figures import StageMove
from ..repo.gitinfo import blobs, handle_for_email, is_git_repo
from ..repo.model import Customer, customer_from
from ..repo.repository import Repo
from ..repo.yamlload import LoadedYaml, load_yaml_bytes
from ..util.gitcmd import git


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a customer file: its data when it loads as a mapping, else the first problem."""

    loaded: LoadedYaml | None
    problem: str = ""     # "line:col message" of the first problem of a version that does not load

    @property
    def data(self) -> dict[str, Any] | None:
        return self.loaded.data if self.loaded is not None else None


def version(repo: Repo, name: str | None, raw: bytes | None) -> Version:
    """The version ``raw`` of file ``name`` (None: the file is absent in it)."""
    if raw is None or name is None:
        return Version(None)
    loaded = load_yaml_bytes(name, raw, repo.msgs)
    if loaded.problems or not isinstance(loaded.data, dict):
        first = loaded.problems[0] if loaded.problems else None
        return Version(None, f"{first.line}:{first.col} {first.message}" if first else "?")
    return Version(loaded)


def blob_id(raw: bytes) -> str:
    """The id git gives these bytes as a blob (so a file unchanged since a commit is recognised unread)."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


def customers_at(repo: Repo, commit: str | None, known: dict[str, Customer] | None = None) -> list[Customer]:
    """The customers of ``customers/`` in ``commit`` that pass today's schema (others are left out). ``known``:
    customers already parsed, by blob id — a file that has not changed since is not parsed again."""
    if commit is None:
        return []
    listing = git(repo.root, "ls-tree", "-r", commit, "--", "customers/")
    entries = []  # (blob id, path)
    for line in listing.out.split("\n") if listing.ok else []:
        meta, _, name = line.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and name.endswith((".yaml", ".yml")):
            entries.append((parts[2], name))
    known = known or {}
    out = [known[sha] for sha, _ in entries if sha in known]
    unread = [(sha, name) for sha, name in entries if sha not in known]
    limit = repo.config.check.max_file_bytes
    for (_, name), raw in zip(unread, blobs(repo.root, [f"{commit}:{n}" for _, n in unread]), strict=True):
        if raw is None:
            continue
        loaded = load_yaml_bytes(name, raw, repo.msgs, limit)
        if loaded.problems or not isinstance(loaded.data, dict) or repo.schemas.validate("customer", loaded,
                                                                                          repo.msgs):
            continue
        out.append(customer_from(loaded))
    return out


def known_customers(repo: Repo, customers: list[Customer]) -> dict[str, Customer]:
    """The customers as loaded now, by the blob id of their file's bytes."""
    out = {}
    for c in customers:
        try:
            out[blob_id((repo.root / c.file).read_bytes())] = c
        except OSError:
            continue
    return out


# --- stage moves: what git history says about who moved which customer when ---------------------------------

_STAGE_LINE = re.compile(rb"^stage:[ \t]*['\"]?([^'\"\s#]+)['\"]?[ \t]*(?:#.*)?$", re.M)
_SEP, _REC = "\x1f", "\x1e"


def stage_in(repo: Repo, name: str, raw: bytes | None) -> str | None:
    """The ``stage`` a version of a customer file holds: read from its top-level line (every file kehu writes has
    one), else with the strict loader (a file written in flow style); None when it has none."""
    if raw is None:
        return None
    found = _STAGE_LINE.search(raw)
    if found:
        return found.group(1).decode("utf-8", "replace")
    data = version(repo, name, raw).data
    stage = data.get("stage") if data is not None else None
    return str(stage) if isinstance(stage, str) else None


def stage_moves(repo: Repo, start: dt.date, last: dt.date) -> list[StageMove] | None:
    """Every change of a customer's stage committed from ``start`` to ``last`` (the author's date, in the team's
    time zone), each counted for the commit's author — one ``git log`` and one ``git cat-file`` for the whole span.
    Merge commits are left out (each side's own commit holds the move). None outside a git repository."""
    if not is_git_repo(repo.root):
        return None
    zone = repo.config.tz
    # git filters by commit date, which is never before the author date: begin a day early, then filter exactly
    since = dt.datetime.combine(start - dt.timedelta(days=1), dt.time(), tzinfo=zone)
    fmt = _REC + _SEP.join(("%H", "%P", "%aI", "%ae", "%an"))
    out = git(repo.root, "log", "--no-merges", "--no-renames", "--diff-filter=M", "--name-only",
              f"--since={since.isoformat()}", f"--format={fmt}", "HEAD", "--", "customers/")
    if not out.ok:
        return []
    changed: list[tuple[dt.date, str, str, str, str]] = []  # day, who, path, commit, parent
    for chunk in out.out.split(_REC)[1:]:
        lines = chunk.split("\n")
        commit, parents, when, email, name = ([*lines[0].split(_SEP), "", "", "", ""])[:5]
        if not parents.split():
            continue
        day = dt.datetime.fromisoformat(when).astimezone(zone).date()
        if not start <= day <= last:
            continue
        who = handle_for_email(repo.team, email) or name
        for path in lines[1:]:
            path = path.strip()
            if path.startswith("customers/") and path.endswith((".yaml", ".yml")) and "/" not in path[10:]:
                changed.append((day, who, path, commit, parents.split()[0]))
    specs = [spec for _, _, path, commit, parent in changed for spec in (f"{parent}:{path}", f"{commit}:{path}")]
    contents = blobs(repo.root, specs)
    moves = []
    for k, (day, who, path, _, _) in enumerate(changed):
        old, new = stage_in(repo, path, contents[2 * k]), stage_in(repo, path, contents[2 * k + 1])
        if old and new and old != new:
            moves.append(StageMove(day, who, PurePosixPath(path).stem, old, new))
    moves.sort(key=lambda m: (m.day, m.customer, m.who))
    return moves
