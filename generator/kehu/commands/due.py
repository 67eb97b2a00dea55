"""kehu due [--owner H | --all] [--within DAYS] — the follow-ups owed, overdue first, as on the site.

Due dates, reasons and buckets come from ``kehu.core.derive`` over every valid
customer; a file with errors is left out and named, never guessed at.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from ..book.loader import open_book
from ..book.queries import due_and_revive
from ..core.figures import figures
from ..core.present import BUCKETS, Presenter
from ..repo.gitinfo import handle_for_email, user_email
from ..repo.repository import Repo
from ..store.transaction import require_sound_repo
from ..words.catalogue import entries
from ..words.terminal import echo
from ._args import parse_score, require_handle
from ._common import RunOptions, book_notes, repo_from
from ._views import BUCKET_STYLE, console

SHOWN = 200  # rows of the terminal table by default


# (header word, row key, kept at narrow widths?) — columns dropped right to left until the table fits
_COLUMNS = (("due.col.due", "due", True), ("", "bucket", True), ("table.customer", "id", True),
            ("table.name", "name", True), ("table.owner", "owner", True), ("due.col.reason", "reason_text", True),
            ("table.class", "class", False), ("table.status", "status", False), ("table.stage", "stage", False),
            ("due.col.last_contact", "last_contact", False))
_NEVER_CUT = {"due", "bucket", "id", "owner", "last_contact"}  # ids and dates are whole or absent, never "C202…"


def _cells(words: Presenter, r: dict[str, Any]) -> dict[str, Text | str]:
    name = Text(r["name"])
    if r["errors"]:  # listed like every customer, and marked
        name.append(" " + words.errors_mark(len(r["errors"])), style="bold red")
    return {"due": r["due"], "bucket": Text(words.bucket(r["bucket"]), style=BUCKET_STYLE[r["bucket"]]),
            "id": r["id"], "name": name, "owner": words.who(r["owner"]), "reason_text": r["reason_text"],
            "class": words.klass(r["class"]), "status": words.status(r["status"]),
            "stage": words.stage(r["stage"]), "last_contact": r["last_contact"] or "—"}


def _build(repo: Repo, rows: list[dict[str, Any]], title: str, keys: list[str]) -> Table:
    words = Presenter.of(repo)
    t = Table(title=title, title_justify="left", title_style="bold")
    for head, key, _ in _COLUMNS:
        if key in keys:
            if key in _NEVER_CUT:
                t.add_column(words.t(head) if head else "", no_wrap=True)
            else:
                t.add_column(words.t(head) if head else "", overflow="fold")  # wrapped onto more lines, never cut
    for r in rows:
        cells = _cells(words, r)
        t.add_row(*(cells[k] for k in keys))
    return t


def revive_table(repo: Repo, revive: list[dict[str, Any]], total: int | None = None) -> Table:
    """The dormant customers to revive (``total``: how many there are, when ``revive`` is the first of them)."""
    words = Presenter.of(repo)
    t = Table(title=words.t("due.revive_title", n=len(revive) if total is None else total), title_justify="left",
              title_style="bold")
    for key in ("table.customer", "table.name", "table.owner", "due.col.last_contact", "due.col.days_silent"):
        t.add_column(words.t(key))
    for r in revive:
        days = r["days_since_contact"]
        t.add_row(r["id"], r["name"], words.who(r["owner"]), r["last_contact"] or "—",
                  "—" if days is None else str(days))
    return t


def due_table(repo: Repo, rows: list[dict[str, Any]], title: str, width: int | None = None,
              one_owner: bool = False) -> Table:
    """The due list as wide as the terminal allows: at 80 columns the class, status, stage and last-contact
    columns are dropped (and the owner when the list is one owner's); names and reasons wrap; ids and dates
    are never cut."""
    keys = [k for _, k, _ in _COLUMNS if not (one_owner and k == "owner")]
    if width is None:
        return _build(repo, rows, title, keys)
    from rich.console import Console

    measure = Console(width=10_000)
    optional = [k for _, k, keep in reversed(_COLUMNS) if not keep]
    while True:
        table = _build(repo, rows, title, keys)
        if measure.measure(table).maximum <= width or not optional:
            return table
        dropped = optional.pop(0)
        if dropped in keys:
            keys.remove(dropped)


def counts_line(repo: Repo, rows: list[dict[str, Any]]) -> str:
    words = Presenter.of(repo)
    parts = []
    for bucket in BUCKETS:
        n = sum(1 for r in rows if r["bucket"] == bucket)
        if n:
            parts.append(f"{words.bucket(bucket)} {n}")
    return " · ".join(parts) if parts else words.t("nothing_due")


def _within(repo: Repo, value: str | None) -> int | None:
    if value is None:
        return repo.config.due_soon_days
    if value.strip().casefold() in {"all", entries()["due.scope_all"].zh}:  # either language's word
        return None
    return parse_score(repo.msgs, "--within", value, 0, 3660)


@click.command("due")
@click.option("--owner", metavar="HANDLE")
@click.option("--all", "everyone", is_flag=True)
@click.option("--within", metavar="DAYS")
@click.option("--limit", metavar="N", default=str(SHOWN), show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def command(obj: RunOptions, owner: str | None, everyone: bool, within: str | None, limit: str, fmt: str) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    if owner is not None:
        who: str | None = require_handle(repo, "--owner", owner)
    elif everyone:
        who = None
    else:
        who = handle_for_email(repo.team, user_email(repo.root))
        if who is None:
            click.echo(Presenter.of(repo).t("due.no_user"), err=True)
    days = _within(repo, within)
    shown = parse_score(repo.msgs, "--limit", limit, 0, 100_000)
    book = open_book(repo)
    rows, revive, invalid = due_and_revive(repo, who, days, book)
    words = Presenter.of(repo)
    marked = sorted({r["id"] for r in [*rows, *revive] if r["errors"]})
    book_notes(repo.msgs, invalid, marked)
    if fmt == "json":
        # the book's figures (kehu.core.figures) for this owner or the team, over every customer — as the site and
        # `kehu forecast` show them; --within narrows the rows, never the figures
        named = figures(book.customers, book.facts, repo.config, repo.config.today, who).named()
        echo(json.dumps({"today": repo.config.today.isoformat(), "within": days, "owner": who, "due": rows,
                         "revive": revive, "figures": named, "skipped": invalid, "with_errors": marked},
                        ensure_ascii=False, indent=2))
        return
    today = repo.config.today.isoformat()
    scope = words.t("due.scope_all") if days is None else words.t("due.scope_within", n=days)
    title = words.t("due.title", today=today, scope=scope, who=words.who(who) if who else words.t("due.whole_team"))
    out = console()
    if rows:
        # a terminal table of thousands of rows helps nobody and takes seconds to lay out: the earliest N
        out.print(due_table(repo, rows[:shown] if shown else rows, title, out.width, one_owner=who is not None))
    if shown and len(rows) > shown:
        out.print(words.t("due.more", n=len(rows) - shown))
    out.print(counts_line(repo, rows))
    if revive:  # as many as the due rows: a large book has thousands of dormant customers
        out.print(revive_table(repo, revive[:shown] if shown else revive, len(revive)))
    if shown and len(revive) > shown:
        out.print(words.t("due.revive_more", n=len(revive) - shown))
