"""Writing an import plan: every customer through ``store.save_customer`` (format, check, atomic
write — a file that would fail ``kehu check`` is never written), and the rejected rows to a CSV
file people can fix and import again.

New files are plain data, which ``store.dump`` writes without ruamel (kehu.store.fastdump); checking
and writing still cost about half a millisecond a file, so a large import writes from several
processes at once (10,000 rows: about 2 s less than one process on 2 cores); each process writes
whole files, atomically, exactly as a single one would.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

from ..repo.files import file_names
from ..repo.repository import Repo
from ..util.problems import Problem, Severity
from ..util.workers import cores, map_in_workers
from ..words.catalogue import Locale
from .cells import to_cell
from .plan import ImportPlan, Outcome, Planner, Reject

PARALLEL_THRESHOLD = 200  # below this many files one process is faster than starting a pool


def _save(repo: Repo, job: tuple[Path, object, bool, str]) -> list[dict[str, object]]:
    """Write one customer (file, data, is a new customer, the file's name); the errors that refused it."""
    from ..store.write import save_customer

    path, data, new, name = job
    try:
        # one os.sync() after the batch
        problems = save_customer(repo, path, data, durable=False, new=new, name=name)
    except FileExistsError:  # another process created this id meanwhile: never overwrite it
        problems = [repo.msgs.error(name, 1, 1, "id-duplicate", id=path.stem, other=name)]
    return [p.as_dict() for p in problems if p.severity is Severity.ERROR]


def write_plan(planner: Planner, plan: ImportPlan, jobs: int | None = None,
               progress: Callable[[], None] | None = None, start: Callable[[], None] | None = None) -> int:
    """Write every new and updated customer; a refused one turns into rejected rows.
    Returns the number of files written. ``start`` runs once the workers exist (a progress display
    must start after the fork: its refresh thread must not be copied into the children)."""
    writes: list[Outcome] = plan.writes
    # twice the cores: a process waiting on the disk leaves its core to another that formats
    jobs = jobs or 2 * cores()

    def done(n: int) -> None:
        assert progress is not None
        for _ in range(n):
            progress()

    names = file_names(planner.repo.root, [o.path for o in writes])
    results = map_in_workers(_save, [(o.path, o.data, o.action == "new", name) for o, name in zip(writes, names,
                                                                                                   strict=True)],
                             planner.repo, jobs=jobs,
                             threshold=PARALLEL_THRESHOLD, span=16, on_start=start,
                             on_done=done if progress else None)
    os.sync()  # every file was written atomically; now all of them are durable at once
    refused = [(o, Problem.from_dict(problems[0])) for o, problems in zip(writes, results, strict=True) if problems]
    for outcome, problem in refused:
        planner.reject_outcome(outcome, problem)
    return len(writes) - len(refused)


def rejects_csv(rejects: list[Reject], lang: str) -> str:
    """The rejected rows: sheet, original row number, reason, then the row's own columns — so the
    file can be corrected and imported again. UTF-8 with BOM, which Excel opens correctly."""
    headers: list[str] = []
    for r in rejects:
        for header, _ in r.cells:
            if header not in headers:
                headers.append(header)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    words = Locale(lang)
    first = [words.word("rejects.sheet"), words.word("rejects.row"), words.word("rejects.reason")]
    writer.writerow(first + headers)
    for r in rejects:
        cells = dict(r.cells)
        row = [r.ref.sheet, r.ref.row, r.reason, *(_cell(cells.get(h)) for h in headers)]
        writer.writerow([to_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def _cell(value: object) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_rejects(path: Path, rejects: list[Reject], lang: str) -> None:
    from ..util.atomic import atomic_write

    atomic_write(path, rejects_csv(rejects, lang))


def default_rejects_path(first_input: Path) -> Path:
    base = first_input if first_input.is_dir() else first_input.parent
    stem = first_input.name if first_input.is_dir() else first_input.stem
    return base / f"{stem}.rejects.csv"


def default_report_path(first_input: Path) -> Path:
    """The import report beside the rejects file: FILE.import-report.md."""
    base = first_input if first_input.is_dir() else first_input.parent
    stem = first_input.name if first_input.is_dir() else first_input.stem
    return base / f"{stem}.import-report.md"

