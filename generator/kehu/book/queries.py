"""Questions the commands ask the book: one customer with its facts, the items falling due, the customers to
revive — answered from the one loader (:mod:`kehu.book.loader`), with each customer's errors marked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..core.derive import RHYTHM_REASONS, Facts, revive_key
from ..core.present import Presenter
from ..repo.files import file_name
from ..repo.model import Customer
from ..repo.repository import Repo
from ..util.errors import refuse
from .checker import first_error
from .loader import Book, open_book


def facts_for(repo: Repo, path: Path, book: Book | None = None) -> tuple[Customer, Facts]:
    """The customer at ``path`` and its facts as ``derive_all`` over every customer gives them, from the book;
    a file that is no customer is refused, naming its first error."""
    found = (book or open_book(repo)).customer_at(path)
    if found is None:
        raise refuse(repo.msgs, "cli-cannot-read", file=file_name(repo.root, path), first=first_error(repo, path))
    return found


def due_rows(repo: Repo, owner: str | None, within: int | None,
             book: Book | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per item falling due on or before today + ``within`` days (every item when ``within`` is
    None), earliest first: each customer's follow-up, and its re-verification and satisfaction follow-up.
    The facts are ``kehu.core.derive``'s, kept per file content and day by the book index (kehu.book.index)."""
    rows, _, invalid = due_and_revive(repo, owner, within, book)
    return rows, invalid


def due_and_revive(repo: Repo, owner: str | None, within: int | None,
                   book: Book | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """The due rows (``due_rows``) and the dormant customers to revive, which are never due rows
    (``derive.revive_due``), longest silent first (``derive.revive_key``); each row carries the errors of its
    customer (``errors``: their lines, as `kehu check` says them), so a customer with errors is listed, marked.
    The third list: the customer files that are no customers (they do not load or fail the schema)."""
    book = book or open_book(repo)
    today = repo.config.today
    words = Presenter.of(repo)
    rows, revive = [], []
    for item, (due, reason, action, klass, status, last, *rest) in book.index.due_rows(today):
        if owner and item.owner != owner:
            continue
        errors = [words.problem_line(p) for p in book.errors_of(item.file)]
        if status == "dormant":
            silent = (today - dt.date.fromisoformat(last)).days if last else None
            revive.append({"id": item.id, "name": item.name, "owner": item.owner, "file": item.file,
                           "last_contact": last, "days_since_contact": silent, "errors": errors})
        rhythms = rest[0] if rest else []
        # the follow-up, then the rhythms (re-verification, satisfaction follow-up) as items of their own
        for date, why, what, every in ([(due, reason, action, None)] if due else []) + [tuple(r) for r in rhythms]:
            when = dt.date.fromisoformat(date)
            if within is not None and (when - today).days > within:
                continue
            rows.append({
                "id": item.id, "name": item.name, "owner": item.owner, "file": item.file,
                "due": date, "bucket": words.bucket_of(when, today),
                "days": (when - today).days, "reason": why, "action": what,
                "reason_text": words.due_reason(why, what, klass, every), "class": klass, "status": status,
                "stage": item.stage, "last_contact": last, "errors": errors,
            })
    rows.sort(key=lambda r: (r["due"], r["id"], r["reason"] in RHYTHM_REASONS))
    revive.sort(key=lambda r: revive_key(r["days_since_contact"], r["id"]))
    return rows, revive, book.unreadable_names
