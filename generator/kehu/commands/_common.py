"""Shared helpers for commands: refusing (``fail``), how an error is printed, repository opening."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypedDict

import click

from ..core.derive import pool_enabled
from ..repo.repository import Repo, open_repo
from ..repo.root import find_root
from ..util.errors import EXIT_BAD_INPUT, KehuError, Wording, refuse
from ..util.locking import write_lock
from ..util.problems import Problem

if TYPE_CHECKING:
    from ..store.transaction import Editing
    from ..words.catalogue import Locale

__all__ = ["EXIT_BAD_INPUT", "RunOptions", "fail", "locked", "print_error", "repo_from", "report_warnings",
           "require_pool", "say_changes"]


class RunOptions(TypedDict, total=False):
    """click's ``obj``: what the command line settles for every command (``kehu.cli.main``)."""

    repo: Path | None        # -C / --repo
    today: dt.date | None    # --today (or KEHU_TODAY); None: today in the team's time zone
    locale: str | None       # the run's language (KEHU_LOCALE); None: the repository's own


def fail(message: str, hint: str = "") -> NoReturn:
    """Refuse: raise the error the handler around ``main`` prints (exit 2). Nothing may have been written."""
    raise KehuError(message, hint)


def print_error(e: KehuError, msgs: Wording) -> None:
    """``kehu: 错误：file:line:col: message；hint`` (``kehu: error: …`` in English) on stderr, as one line:
    the handler around ``main`` prints fatal errors so, and commands that go on after a failed item
    (``kehu fmt``) print that item's."""
    from ..words.terminal import terminal_text  # an argument or a file's value may hold escape sequences

    click.echo(msgs.word("cli.error_line", line=terminal_text(e.line_for(msgs), one_line=True)), err=True)


def report_warnings(warnings: list[Problem], msgs: Wording) -> None:
    """``kehu: 警告：file:line:col: message → hint`` on stderr, one line per warning a change introduced."""
    for p in warnings:
        line = f"{p.where}: {p.message}" + (f" → {p.hint}" if p.hint else "")
        click.echo(msgs.word("cli.warning_line", line=line), err=True)


def today_from(obj: RunOptions | None) -> dt.date | None:
    """The date ``kehu --today`` (or KEHU_TODAY) pinned; None: today in the team's time zone."""
    return (obj or {}).get("today")


def repo_from(obj: RunOptions | None, today: dt.date | None = None) -> Repo:
    """The repository of ``kehu -C``, working on ``today`` (default: the date the command line pinned), in the
    language the command line chose (KEHU_LOCALE) or else its own."""
    obj = obj or {}
    return open_repo(obj.get("repo"), today=today or today_from(obj), locale=obj.get("locale"))


def require_pool(repo: Repo) -> None:
    """``kehu pool`` and ``kehu claim`` work only when kehu.yaml turns the customer pool on."""
    if not pool_enabled(repo.config):
        raise refuse(repo.msgs, "cli-pool-off")


def locked(func: Callable[..., Any]) -> Callable[..., Any]:
    """Hold the repository's write lock for the whole command (its read-modify-write of customer
    files): a second kehu command at the same moment waits instead of overwriting this one's change.
    The command's first argument is click's ``obj`` (which carries ``--repo``)."""

    @functools.wraps(func)
    def wrapper(obj: Any, *args: Any, **kwargs: Any) -> Any:
        with write_lock(find_root((obj or {}).get("repo"))):
            return func(obj, *args, **kwargs)

    return wrapper


def book_notes(msgs: Locale, unreadable: list[str], with_errors: list[str]) -> None:
    """On stderr, what a list leaves out and what it marks: the customer files that are no customers, and the
    customers (listed as usual) whose files have errors — the same notes for every command that lists the book."""
    from ..words.terminal import echo

    shown = 5
    if unreadable:
        echo(msgs.word("book.note_unreadable", n=len(unreadable), files=msgs.join(unreadable[:shown])), err=True)
    if with_errors:
        echo(msgs.word("book.note_with_errors", n=len(with_errors), ids=msgs.join(with_errors[:shown])), err=True)


def say_changes(repo: Repo, ed: Editing) -> int:
    """What a write changed, said as `kehu diff` and `kehu history` say it — field titles, value labels, members by
    name (上海启明科技有限公司 · 客户阶段：报价 → 谈判) — one line each; the number of lines said."""
    from ..core.changes import diff
    from ..core.identity import plain
    from ..git.review import ChangeDescriber
    from ..repo.yamlload import load_yaml_bytes
    from ..words.terminal import echo

    before = load_yaml_bytes(ed.name, ed.raw, repo.msgs).data
    after = plain(ed.data)
    changes = diff(before if isinstance(before, dict) else None, after, repo.schemas.field_order())
    phrases = ChangeDescriber(repo, internal=True).phrases(changes)  # the team's own terminal: as `kehu show`
    name = str(after.get("name") or ed.path.stem)
    for phrase in phrases:
        echo(repo.msgs.word("cli.changed", name=name, change=phrase.text))
    return len(phrases)
