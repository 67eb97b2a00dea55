"""Validation: the planned files checked before anything is written — an existing file an import would
update must pass ``kehu check`` first, a dry run checks every planned file as ``store.save_customer``
would, and the plan as a whole must not leave two files describing one customer (or sharing an id).
The functions only find problems; the planner rejects the rows behind them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..book.checker import check_customer_bytes
from ..core.rules import IndexEntry, index_entry, repo_rules
from ..repo.files import file_name, file_names
from ..repo.repository import Repo
from ..repo.yamlload import LoadedYaml
from ..util.problems import Problem, Severity
from .drafts import Outcome


def first_error(repo: Repo, name: str, raw: bytes) -> Problem | None:
    """The checker's first error on ``raw`` as the file ``name``; None when it has none."""
    problems, _ = check_customer_bytes(repo, name, raw)
    return next((p for p in problems if p.severity is Severity.ERROR), None)


def existing_error(repo: Repo, path: Path) -> Problem | None:
    """An existing customer file an import would update must pass the checker first."""
    return first_error(repo, file_name(repo.root, path), path.read_bytes())


def planned_error(repo: Repo, outcome: Outcome) -> Problem | None:
    """The first error the checker finds on a planned file as ``store.save_customer`` would write it."""
    from ..store.write import dump

    return first_error(repo, file_name(repo.root, outcome.path), dump(outcome.data, repo.schemas).encode("utf-8"))


def cross_file(repo: Repo, existing: list[IndexEntry], writes: list[Outcome]) \
        -> tuple[list[tuple[Outcome, Problem]], list[tuple[Outcome, Problem]]]:
    """(planned files to refuse with the problem why, possible duplicates) of one run of the checker's
    cross-file rules over the repository as it will be: a write is refused when it would leave two files
    describing one customer (or sharing an id) and the repository did not already have that problem; a
    planned customer whose name is nearly another's (a slip, its English name) is a possible duplicate."""
    planned = dict(zip(file_names(repo.root, [o.path for o in writes]), writes, strict=True))
    refused: list[tuple[Outcome, Problem]] = []
    warnings: list[tuple[Outcome, Problem]] = []
    if not planned:
        return refused, warnings
    config, msgs = repo.config, repo.msgs
    entries = [e for e in existing if e.file not in planned]
    entries += [index_entry(LoadedYaml(name, _plain(o.data)), config) for name, o in planned.items()]
    updated = {name for name, o in planned.items() if o.action == "update"}
    before = {(p.file, p.code, p.related) for p in repo_rules(existing, updated, config, msgs)} if updated else set()
    for p in repo_rules(entries, set(planned), config, msgs):
        outcome = planned.get(p.file)
        if outcome is None or (p.file, p.code, p.related) in before:
            continue
        if p.severity is Severity.ERROR:
            planned.pop(p.file)
            refused.append((outcome, p))
        elif p.code == "near-duplicate-name":
            warnings.append((outcome, p))
    return refused, warnings


def _plain(value: Any) -> Any:
    """A round-trip map as the checker's loader sees it (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value
