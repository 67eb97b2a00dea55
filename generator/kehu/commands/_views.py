"""What the commands share to show things in the terminal: the console, the colours of due buckets, and the
words of derived facts and vocabularies (``kehu.core.labels``: the terminal says what the site says)."""

from __future__ import annotations

import os
import sys

from rich.console import Console

from ..core.derive import Due, Facts
from ..core.labels import Labels
from ..repo.repository import Repo
from ..words.terminal import console as terminal_console

BUCKET_STYLE = {"overdue": "bold red", "today": "bold yellow", "soon": "yellow", "later": ""}


def labels(repo: Repo) -> Labels:
    """The words of derived facts (``kehu.core.present``) and the site's: the terminal says what the site says."""
    return Labels(repo.schemas, repo.config.locale, repo.config)


def word(repo: Repo, key: str) -> str:
    """A catalogue word; ``bucket.soon`` with the team's soon window."""
    return labels(repo).bucket("soon") if key == "bucket.soon" else labels(repo).t(key)


def label(repo: Repo, vocab: str, key: str | None) -> str:
    if key is None:
        return ""
    return labels(repo).vocab(vocab, key)


def console() -> Console:
    """A console that does not wrap tables at 80 columns when the output is a pipe or a file
    (tables take their natural width there, so `grep` sees whole rows)."""
    wide = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 400
    return terminal_console(width=wide, markup=False, emoji=False, highlight=False, soft_wrap=False)


def due_reason(repo: Repo, facts: Facts, due: Due | None = None) -> str:
    """Why ``due`` (the follow-up unless another item is given) is owed, as the site and export say it."""
    return labels(repo).due_reason_of(facts, due)
