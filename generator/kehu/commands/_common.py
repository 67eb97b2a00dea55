"""Shared helpers for commands: refusing (``fail``), how an error is printed, repository opening."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NoReturn

import click

from ..errors import EXIT_BAD_INPUT, KehuError, Wording
from ..repo import Repo, open_repo

__all__ = ["EXIT_BAD_INPUT", "fail", "here", "print_error", "repo_from"]


def fail(message: str, hint: str = "") -> NoReturn:
    """Refuse: raise the error the handler around ``main`` prints (exit 2). Nothing may have been written."""
    raise KehuError(message, hint)


def print_error(e: KehuError, msgs: Wording) -> None:
    """``kehu: 错误：file:line:col: message；hint`` (``kehu: error: …`` in English) on stderr, as one line:
    the handler around ``main`` prints fatal errors so, and commands that go on after a failed item
    (``kehu fmt``) print that item's."""
    from ..terminal import terminal_text  # an argument or a file's value may hold escape sequences

    click.echo(msgs.word("cli.error_line", line=terminal_text(e.line_for(msgs), one_line=True)), err=True)


def today_from(obj: dict | None) -> dt.date | None:
    """The date ``kehu --today`` (or KEHU_TODAY) pinned; None: today in the team's time zone."""
    return (obj or {}).get("today")


def repo_from(obj: dict | None, today: dt.date | None = None) -> Repo:
    """The repository of ``kehu -C``, working on ``today`` (default: the date the command line pinned)."""
    return open_repo((obj or {}).get("repo"), today=today or today_from(obj))



def here(path: Path, repo: Repo) -> str:
    from ..repo import rel

    return rel(repo.root, path)
