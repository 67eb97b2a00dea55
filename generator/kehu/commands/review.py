"""kehu review [--month YYYY-MM] — the monthly team review: customers whose class or status changed in
the month, and why (a new order, a change of need, months without contact, end of cooperation …),
computed from git history (``kehu.git.monthly``)."""

from __future__ import annotations

import json
import re
from typing import Any

import click
from rich.table import Table

from ..core.derive import ClassChange
from ..core.present import Presenter
from ..git.monthly import MonthReview, review
from ..repo.gitinfo import is_git_repo
from ..repo.repository import Repo
from ..store.transaction import require_sound_repo
from ..util.errors import refuse
from ._args import require_handle
from ._common import RunOptions, repo_from
from ._views import console


def previous_month(repo: Repo) -> str:
    today = repo.config.today
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def reason_text(repo: Repo, code: str, detail: str) -> str:
    """The site's words for why (``change.*``): the terminal says what the review page says."""
    return Presenter.of(repo).change(code, detail)


def _pair(repo: Repo, vocab: str, before: str | None, after: str | None) -> str:
    def one(key: str | None) -> str:
        if key is None:
            return "—"
        return Presenter.of(repo).klass(key) if vocab == "class" else Presenter.of(repo).status(key)

    return one(after) if before == after else f"{one(before)} → {one(after)}"


def as_json(repo: Repo, r: MonthReview) -> dict[str, Any]:
    return {"month": r.month, "start": r.start.isoformat(), "end": r.end.isoformat(),
            "commit_before": r.commit_before, "commit_after": r.commit_after,
            "changes": [{"id": c.id, "name": c.name, "owner": c.owner, "class_before": c.class_before,
                         "class_after": c.class_after, "status_before": c.status_before,
                         "status_after": c.status_after,
                         "reasons": [{"code": code, "detail": detail, "text": reason_text(repo, code, detail)}
                                     for code, detail in c.reasons]} for c in r.changes]}


def review_table(repo: Repo, r: MonthReview, changes: list[ClassChange]) -> Table:
    t = Table(
        title=repo.msgs.word(
            "review.monthly_review_to", month=r.month, start=r.start.isoformat(), end=r.end.isoformat()
        ),
        title_justify="left",
        title_style="bold",
    )
    t.add_column(repo.msgs.word("table.customer"), no_wrap=True)
    t.add_column(repo.msgs.word("table.name"), overflow="fold")
    t.add_column(repo.msgs.word("table.owner"), no_wrap=True)
    t.add_column(repo.msgs.word("table.class"), overflow="fold")
    t.add_column(repo.msgs.word("table.status"), overflow="fold")
    t.add_column(repo.msgs.word("table.why"), overflow="fold")
    for c in changes:
        why = repo.msgs.word("hint_sep").join(reason_text(repo, code, detail) for code, detail in c.reasons) or "—"
        t.add_row(c.id, c.name, Presenter.of(repo).who(c.owner), _pair(repo, "class", c.class_before, c.class_after),
                  _pair(repo, "status", c.status_before, c.status_after), why)
    return t


@click.command("review")
@click.option("--month", metavar="YYYY-MM")
@click.option("--owner", metavar="HANDLE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def command(obj: RunOptions, month: str | None, owner: str | None, fmt: str) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    chosen = (month or previous_month(repo)).strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", chosen):
        raise refuse(repo.msgs, "cli-bad-month", value=month)
    if chosen > repo.config.today.strftime("%Y-%m"):
        raise refuse(repo.msgs, "cli-future-month", value=chosen)
    who = require_handle(repo, "--owner", owner) if owner is not None else None
    if not is_git_repo(repo.root):
        raise refuse(repo.msgs, "cli-no-git", root=repo.root.name)
    r = review(repo, chosen)
    r.changes = [c for c in r.changes if who is None or c.owner == who]
    if fmt == "json":
        click.echo(json.dumps(as_json(repo, r), ensure_ascii=False, indent=2))
        return
    out = console()
    if r.changes:
        out.print(review_table(repo, r, r.changes))
    out.print(repo.msgs.word("review.customers_changed_class", month=r.month, n=len(r.changes)))
