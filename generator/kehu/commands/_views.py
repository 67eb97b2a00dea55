"""What the commands share to show things in the terminal: the console and the colours of due buckets. (The
words come from the repository's wording object, ``kehu.core.present.Presenter.of``: the terminal says what the
site says.)"""

from __future__ import annotations

import os
import sys

from rich.console import Console

from ..words.terminal import console as terminal_console

BUCKET_STYLE = {"overdue": "bold red", "today": "bold yellow", "soon": "yellow", "later": ""}


def console() -> Console:
    """A console that does not wrap tables at 80 columns when the output is a pipe or a file
    (tables take their natural width there, so `grep` sees whole rows)."""
    wide = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 400
    return terminal_console(width=wide, markup=False, emoji=False, highlight=False, soft_wrap=False)
