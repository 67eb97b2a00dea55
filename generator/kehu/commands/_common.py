"""Shared helpers for commands: one-line errors with exit status 2, repository opening."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

import click

from ..repo import Repo, open_repo

EXIT_BAD_INPUT = 2  # bad input or a refused write: nothing was changed


def fail(message: str, hint: str = "") -> NoReturn:
    """Print ``kehu: error: message`` (and a hint) to stderr and exit 2. Nothing may have been written."""
    from ..terminal import terminal_text  # an argument or a file's value may hold escape sequences

    click.echo(f"kehu: error: {terminal_text(message, one_line=True)}", err=True)
    if hint:
        click.echo(f"    → {terminal_text(hint, one_line=True)}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def today_from(obj: dict | None) -> dt.date | None:
    """The date ``kehu --today`` (or KEHU_TODAY) pinned; None: today in the team's time zone."""
    return (obj or {}).get("today")


def repo_from(obj: dict | None, today: dt.date | None = None) -> Repo:
    """The repository of ``kehu -C``, working on ``today`` (default: the date the command line pinned)."""
    return open_repo((obj or {}).get("repo"), today=today or today_from(obj))



def here(path: Path, repo: Repo) -> str:
    from ..repo import rel

    return rel(repo.root, path)
