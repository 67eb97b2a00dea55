"""The one cycle every writing command runs on a customer file: open → change → check → save.

The everyday commands (``kehu log``, ``set``, ``survey``, ``complaint``, ``claim``, ``opp``, ``forget``) all
follow one path: find the file, refuse it when it is invalid (and refuse to write at all while kehu.yaml or
team.yaml has errors), change the round-trip map in place (:mod:`kehu.store.mapedit`), then let
``store.save_customer`` format, validate and write it atomically — refusing, with nothing written, when the
change would make the file invalid, and handing back the warnings the change introduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from ..book.checker import check_customer_bytes
from ..repo.files import file_name
from ..repo.repository import Repo
from ..util.errors import refuse
from ..util.problems import Problem, Severity

# --- the repository and the file must be sound before anything is changed ----------------


def require_sound_repo(repo: Repo) -> None:
    """kehu.yaml or team.yaml errors change every verdict: refuse to write until they are fixed."""
    errors = [p for p in repo.problems if p.severity is Severity.ERROR]
    if errors:
        p = errors[0]
        raise refuse(repo.msgs, "cli-config-invalid", where=p.where, message=p.message)


@dataclass
class Editing:
    """One customer file opened for a change: its bytes before, and the round-trip map to change."""

    repo: Repo
    path: Path
    name: str
    raw: bytes
    data: CommentedMap
    warnings_before: set[tuple[str, str]]


def open_for_edit(repo: Repo, query: str) -> Editing:
    """Resolve ``query`` to one file, refuse it when invalid, load it for a round-trip edit."""
    from ..book.loader import open_book
    from .write import load_roundtrip

    require_sound_repo(repo)
    path = open_book(repo).resolve(query)
    name = file_name(repo.root, path)
    raw = path.read_bytes()
    problems, _ = check_customer_bytes(repo, name, raw)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        first = f"{errors[0].line}:{errors[0].col} {errors[0].message}"
        raise refuse(repo.msgs, "cli-file-invalid", file=name, first=first)
    data = load_roundtrip(path, repo)
    return Editing(repo, path, name, raw, data, {(p.code, p.message) for p in problems})


def save(ed: Editing) -> list[Problem]:
    """Format, validate and write atomically; refuse (writing nothing) on any error.
    Returns the warnings the change introduced, for the command to show."""
    from .write import save_customer

    problems = save_customer(ed.repo, ed.path, ed.data)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        p = errors[0]
        raise refuse(ed.repo.msgs, "cli-not-saved", where=p.where, message=p.message,
                     hint=p.hint)
    return new_warnings(ed.repo, ed.path, ed.warnings_before)


def new_warnings(repo: Repo, path: Path, before: set[tuple[str, str]]) -> list[Problem]:
    """The checker's warnings on the file as written that it did not have before the change."""
    problems, _ = check_customer_bytes(repo, file_name(repo.root, path), path.read_bytes())
    return [p for p in problems if p.severity is Severity.WARNING and (p.code, p.message) not in before]
