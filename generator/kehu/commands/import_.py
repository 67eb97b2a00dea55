"""kehu import FILE... — customers from Excel (.xlsx/.xls/.ods) or CSV files into customer files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..words.terminal import echo
from ._common import RunOptions, fail, locked, repo_from

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

EXIT_REJECTED = 1  # the import ran, but some rows or values were rejected (listed, and in the reject file)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--sheet", "sheets", multiple=True, metavar="NAME")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--owner", default=None, metavar="HANDLE")
@click.option("--dry-run", is_flag=True)
@click.option("--encoding", default=None)
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--preview", type=click.IntRange(0, 1000), default=10, show_default=True)
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None)
@click.pass_obj
@locked
def command(obj: RunOptions, files: tuple[Path, ...], sheets: tuple[str, ...], mapping: Path | None, owner: str | None,
            dry_run: bool, encoding: str | None, rejects: Path | None, report: Path | None, preview: int,
            jobs: int | None) -> None:
    from ..core.present import Presenter
    from ..io.apply import default_rejects_path, default_report_path, write_plan, write_rejects
    from ..io.mapping import load_mapping
    from ..io.plan import Planner
    from ..io.readers import read_paths
    from ..io.report import mapping_lines, markdown_report, preview_lines, summary_lines
    from ..store.transaction import require_sound_repo
    from ..util.atomic import atomic_write

    repo = repo_from(obj)
    msgs = repo.msgs
    require_sound_repo(repo)
    rejects_target = rejects or default_rejects_path(files[0])
    report_target = report or default_report_path(files[0])
    for option, target in (("--rejects", rejects_target), ("--report", report_target)):
        if repo.source_of(target) is not None:  # checked before anything is written
            fail(msgs.line("out-is-source", option=option, out=target, source=repo.source_of(target)))
    tables = read_paths(list(files), sheets, encoding)
    filled = [sum(1 for row in t.rows if any(str(v).strip() for v in row if v is not None)) for t in tables]
    if all(n <= 1 for n in filled):  # nothing, or a header row and nothing under it
        message, hint = msgs.text("import-no-rows", files=", ".join(str(f) for f in files))
        fail(message, hint)
    customer = repo.schemas.raw["customer"]
    defs = customer.get("$defs", {})
    item_fields = {p: list(defs.get(p, {}).get("properties", {}))
                   for p in ("contact", "interaction", "deal", "survey", "complaint")}
    team_map = load_mapping(mapping, list(customer.get("properties", {})), item_fields,
                            {name: v.keys() for name, v in repo.schemas.vocabularies.items()})
    planner = Planner(repo, team_map, owner)
    progress = _progress()
    total_rows = sum(len(t.rows) for t in tables)
    reading: dict[str, TaskID] = {}

    def begin() -> None:
        progress.start()
        reading["t"] = progress.add_task(msgs.word("kind.customers"), total=total_rows)

    try:  # a SheetError (no header, no name column) stops the import before anything is written
        planner.add_sheets(tables, lambda: progress.advance(reading["t"]), begin)
    finally:
        progress.stop()
    plan = planner.finish(validate=dry_run)
    out: list[str] = []
    words = Presenter.of(repo)
    columns: list[str] = []
    for sheet, smap in plan.sheets:
        columns.extend(mapping_lines(sheet, smap, msgs, words))
    out.extend(columns)
    if dry_run:
        out.extend(preview_lines(plan, msgs, preview, words))
    if not dry_run and plan.writes:
        progress = _progress()
        task_holder: dict[str, TaskID] = {}

        def start() -> None:
            progress.start()
            task_holder["t"] = progress.add_task(msgs.word("kind.customers"), total=len(plan.writes))

        try:
            write_plan(planner, plan, jobs, lambda: progress.advance(task_holder["t"]), start)
        finally:
            progress.stop()
    out.extend(summary_lines(plan, msgs))
    if not dry_run:
        text = markdown_report(plan, msgs, [str(f) for f in files], repo.config.today.isoformat(), dry_run, columns)
        try:
            atomic_write(report_target, text)
            out.append(msgs.word("import.report_file", path=report_target))
        except OSError as e:
            out.append(f"kehu: {report_target}: {e.strerror or e}")
    if (plan.rejects or plan.dropped) and not dry_run:
        try:
            write_rejects(rejects_target, sorted(plan.rejects + plan.dropped, key=lambda r: r.ref), msgs.lang)
            out.append(msgs.word("rejects_file", path=rejects_target))
        except OSError as e:
            out.append(f"kehu: {rejects_target}: {e.strerror or e}")
    if dry_run:
        out.append(msgs.word("dry_run"))
    echo("\n".join(out))
    sys.exit(EXIT_REJECTED if plan.rejects or plan.dropped else 0)


def _progress() -> Progress:
    """A progress bar on stderr when it is a terminal; silent in pipes, CI and tests."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True, disable=not console.is_terminal)
    return bar
