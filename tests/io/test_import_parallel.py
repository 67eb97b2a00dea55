"""A large sheet's customer rows are read by one process per core (io/rows.read_customer_rows): the plan must be
exactly the plan one process makes — the same customers with the same data, the same merges, rejected rows,
dropped values, owner fallbacks, ID-number counts, warnings and skipped rows, in the same order."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from kehu.io import rows as rows_module
from kehu.io.mapping import Mapping
from kehu.io.plan import ImportPlan, Planner
from kehu.io.readers import read_paths
from kehu.repo.repository import open_repo
from kehu.util.workers import can_fork, cores

from tests.support import exports
from tests.support.team_repo import TeamRepo


def _plan(root: Path, files: list[Path]) -> tuple[ImportPlan, int]:
    """The plan of importing ``files``, and how many rows the progress display was told of."""
    repo = open_repo(root, today=exports.TODAY)
    planner = Planner(repo, Mapping(), exports.FALLBACK)
    done: list[int] = []
    planner.add_sheets(read_paths(files), lambda: done.append(1))
    return planner.finish(validate=True), len(done)


def _comparable(made: tuple[ImportPlan, int]) -> dict[str, Any]:
    plan, progressed = made
    return {
        "progressed": progressed,
        "outcomes": [(o.action, o.cid, dict(o.data), o.draft.rows) for o in plan.outcomes],
        "rejects": [(r.ref, r.reason, r.cells) for r in plan.rejects],
        "dropped": [(r.ref, r.reason, r.cells) for r in plan.dropped],
        **{f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)
           if f.name in ("merged_rows", "warnings", "skipped", "merges", "placeholders", "shared", "fallbacks",
                         "to_confirm", "duplicates", "sensitive")},
    }


def test_rows_read_in_workers_make_the_plan_one_process_makes(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    repo = TeamRepo.create(tmp_path / "team", team=exports.TEAM_YAML)
    export = exports.fxiaoke(tmp_path, n=700, seed=23)
    rows = sum(len(c.rows) for c in export.companies)
    assert rows > rows_module.PARALLEL_ROWS and cores() > 1 and can_fork()  # the workers' path is the one taken
    in_workers = _comparable(_plan(repo.root, export.files))
    monkeypatch.setattr(rows_module, "PARALLEL_ROWS", 10**9)
    in_one = _comparable(_plan(repo.root, export.files))
    assert in_workers["progressed"] >= rows
    assert in_workers["outcomes"] and in_workers["dropped"] and in_workers["fallbacks"] and in_workers["sensitive"]
    assert in_workers == in_one
