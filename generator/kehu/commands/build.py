"""kehu build — the team's website: generate the pages and run MkDocs (the same as `mkdocs build`).

    kehu build                      # site/ (phones and emails masked)
    kehu build --internal           # site-internal/, contact details unmasked: for the team only
    kehu build --pages-only DIR     # just the generated pages, for a builder that runs no MkDocs plugins

The site is built into a temporary folder next to the output and swapped in
when it is complete: a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import click

from ..repo.repository import Repo
from ..site.engine import environ, internal_env, mkdocs_config_file, mkdocs_logging, use_engine
from ..site.stream import PREVIOUS_SITE_ENV
from ..util.atomic import new_dir, replace_dir
from ..words.catalogue import Locale
from ._common import RunOptions, fail, repo_from, today_from

PAGES_MARKER = ".kehu-pages"  # marks a --pages-only folder as ours, so a rebuild may replace it
SITE_MARKER = ".kehu-site"    # marks a built site as ours, so a rebuild may replace it


def _today_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write YYYY-MM-DD") from None


def keep_out_of_git(folder: Path) -> None:
    """The unmasked site ignores itself, wherever it is built: one `git add -A` must not commit it."""
    (folder / ".gitignore").write_text("# the unmasked internal site of kehu: never commit it\n*\n")


def refuse_unsafe_out(repo: Repo, folder: Path, marker: str) -> None:
    """An output folder is replaced as a whole, so it must be one kehu made (its marker is in it) or new or
    empty — and never the repository, a folder above it or one of its sources (`--out .` once deleted
    the repository with its .git)."""
    target = Path(os.path.abspath(folder))
    shown = str(folder)
    source = repo.source_of(folder)
    if source == ".":
        fail(repo.msgs.line("build-out-repo", out=shown))
    if source is not None:
        fail(repo.msgs.line("build-out-source", out=shown, source=source))
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        fail(repo.msgs.line("build-out-foreign", out=shown))
    if target.is_dir() and any(target.iterdir()) and not (target / marker).is_file():
        fail(repo.msgs.line("build-out-foreign", out=shown))


def run_mkdocs(repo: Repo, out: Path, internal: bool, strict: bool, verbose: bool,
               engine: str | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """MkDocs' build of ``out``; the kehu plugin works on ``today`` (None: the real date)."""
    use_engine(repo, engine)
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from ..site.plugin import given_today

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_dir(out.parent, f".{out.name}.building-")  # beside the site: two renames swap it in
    scratch = Path(tempfile.mkdtemp(prefix="kehu-mkdocs-"))
    try:
        with internal_env(internal), given_today(today), previous_site(out), \
                mkdocs_logging(logging.INFO if verbose else logging.WARNING):
            try:
                cfg = load_config(config_file=str(mkdocs_config_file(repo, scratch)), site_dir=str(tmp), strict=strict)
                cfg.plugins.on_startup(command="build", dirty=False)
                try:
                    build(cfg)
                finally:
                    cfg.plugins.on_shutdown()
            except MkDocsException as e:
                fail(*repo.msgs.text("build-mkdocs-failed", detail=str(e).strip().splitlines()[0] if str(e).strip()
                                     else type(e).__name__))
        plugin = cfg.plugins.get("kehu")
        stats = dict(getattr(plugin, "stats", {}) or {})
        mark_as_ours(tmp, out, SITE_MARKER, "written by kehu build; replaced on every run\n")
        if internal:
            keep_out_of_git(tmp)
        replace_dir(tmp, out)
        return stats
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)


def mark_as_ours(folder: Path, previous: Path, marker: str, text: str) -> None:
    """The marker in ``folder``: the previous build's own file when it says the same (so that only what changed
    has a new time)."""
    old = previous / marker
    try:
        if old.read_text() == text:
            os.link(old, folder / marker)
            return
    except OSError:
        pass
    (folder / marker).write_text(text)


def previous_site(out: Path) -> AbstractContextManager[None]:
    """While the site is built beside ``out``, the kehu plugin may keep ``out``'s customer pages whose inputs
    did not change (``kehu.site.stream``); ``out`` names the site either way (the pages' manifest is its own)."""
    return environ(PREVIOUS_SITE_ENV, str(out))


def write_pages(repo: Repo, folder: Path, internal: bool) -> int:
    """The generated pages, feeds and assets as plain files (no MkDocs run)."""
    from ..site.generate import generate

    refuse_unsafe_out(repo, folder, PAGES_MARKER)
    folder = folder.resolve()
    site = generate(repo, internal=internal, directory_urls=True, search_pages=True)  # or SegmenterMissing
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_dir(folder.parent, f".{folder.name}.writing-")
    try:
        for src, text in site.pages.items():
            path = tmp / src
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for src, data in site.files.items():
            path = tmp / src
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        (tmp / PAGES_MARKER).write_text("written by kehu build --pages-only; replaced on every run\n")
        if internal:
            keep_out_of_git(tmp)
        replace_dir(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return len(site.pages)


PAGES_BYTES = 1_000_000_000  # what GitHub Pages and GitLab Pages publish at most
PAGES_FILES = 200_000        # GitLab Pages' limit on files


def site_size(folder: Path) -> tuple[int, int]:
    """The bytes and the number of files of a built site."""
    size = files = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            try:
                size += os.lstat(os.path.join(parent, name)).st_size
            except OSError:
                continue
            files += 1
    return size, files


def pages_limit_note(msgs: Locale, size: int, files: int) -> str:
    """A line when the site is more than the forges' Pages publish (nothing when it fits)."""
    if size <= PAGES_BYTES and files <= PAGES_FILES:
        return ""
    return msgs.word("build.pages_limit", mb=f"{size / 1e6:,.0f}", files=f"{files:,}")


def problems_note(msgs: Locale, stats: dict[str, Any]) -> str:
    """What the build line says about customers with errors and files that are no customers (none: nothing)."""
    parts = []
    if stats.get("errors_count"):
        parts.append(msgs.word("build.with_errors", n=stats["errors_count"]))
    if stats.get("unreadable_count"):
        parts.append(msgs.counted("build.unreadable", stats["unreadable_count"]))
    return msgs.word("build.problems", what=msgs.word("build.problems_sep").join(parts)) if parts else ""


@click.command("build")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--internal", is_flag=True)
@click.option("--pages-only", "pages_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR")
@click.option("--strict", is_flag=True)
@click.option("--today", callback=_today_option, default=None, metavar="YYYY-MM-DD")
@click.option("--engine", type=click.Choice(["mkdocs", "properdocs"]), default=None)
@click.option("-v", "--verbose", is_flag=True)
@click.pass_obj
def command(obj: RunOptions, out: Path | None, internal: bool, pages_dir: Path | None, strict: bool,
            today: dt.date | None, engine: str | None, verbose: bool) -> None:
    today = today or today_from(obj)
    repo = repo_from(obj, today)
    if not repo.config_ok:
        first = next((p for p in repo.problems if p.file == "kehu.yaml"), None)
        fail(*(repo.msgs.text("build-config-problem", file=first.file, line=first.line, message=first.message)
               if first else repo.msgs.text("build-config-invalid")))
    start = time.perf_counter()
    if pages_dir is not None:
        n = write_pages(repo, pages_dir, internal)
        click.echo(repo.msgs.word("build.pages_done", count=n, out=pages_dir,
                                  seconds=f"{time.perf_counter() - start:.1f}"))
        return
    out = out or repo.root / ("site-internal" if internal else "site")
    refuse_unsafe_out(repo, out, SITE_MARKER)
    stats = run_mkdocs(repo, out, internal, strict, verbose, engine, today)
    total = time.perf_counter() - start
    index = stats.get("search_index_bytes")
    from ..site.engine import logger_name

    msgs = repo.msgs
    click.echo(msgs.word("build.done", count=stats.get("customer_count", "?"), out=out, seconds=f"{total:.1f}",
                         problems=problems_note(msgs, stats),
                         engine=logger_name(), generate=f"{stats.get('generate', 0):.1f}",
                         index=msgs.word("build.index", kb=f"{index / 1024:.0f}") if index else "",
                         internal=msgs.word("build.internal") if internal else ""))
    too_large = pages_limit_note(msgs, *site_size(out))
    if too_large:
        click.echo(too_large, err=True)
