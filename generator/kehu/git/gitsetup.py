"""How a clone is set up for kehu: the merge driver and the diff driver in git config.

git config is not cloned, so every colleague's clone enables the drivers once (``kehu init`` /
``kehu init --git-only``), and ``kehu sync`` passes the merge driver's setting on its own command line.

The driver must **fail safe**. When git runs a configured driver that cannot start (``kehu`` not on
PATH in a GUI client, a virtual environment that is not active, a deleted one), git reports a
conflict and keeps *our* side of the file without any marker: the other side's entries would be gone
without a word. So the configured command is a small shell program: it runs kehu by the absolute
path of the Python that set it up (else ``kehu`` from PATH), and when neither runs it does git's own
line merge with conflict markers (``git merge-file``) and says so. ``kehu merge-driver`` exits 0 for a
clean merge and :data:`EXIT_MARKED` after writing conflict markers itself; any other exit status means
kehu did not do its work, and the line merge happens instead.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from ..util.gitcmd import git

MERGE_NAME = "kehu: three-way merge of customer files"
EXIT_MARKED = 41  # kehu merge-driver wrote the file with conflict markers (git sees any non-zero as conflict)
XFUNCNAME = "^[ ]*# kehu: (.+)$"  # the comment lines `kehu diff-driver` writes make the hunk headers


def merge_driver_command(python: str | None = None) -> str:
    """The value of ``merge.kehu.driver``: kehu's data merge, or git's line merge when kehu cannot run."""
    exe = shlex.quote(python or sys.executable)
    args = "merge-driver %O %A %B %P --marker-size %L"
    return (f"if [ -x {exe} ]; then {exe} -m kehu.cli {args}; "
            f"elif command -v kehu >/dev/null 2>&1; then kehu {args}; else false; fi; "
            f"r=$?; [ $r -eq 0 ] && exit 0; [ $r -eq {EXIT_MARKED} ] && exit 1; "
            "git merge-file --marker-size=%L -L ours -L base -L theirs %A %O %B; "
            f"echo \"{_fallback_words()}\" >&2; exit 1")


def _fallback_words() -> str:
    """What git prints when kehu cannot run at all: in both languages, as the clone's kehu.yaml is then
    unknown to the shell (from the catalogue: no quote, $ or backtick other than git's %P and $r)."""
    from ..words.catalogue import entries

    entry = entries()["merge_driver.not_run"]
    return " / ".join(text.format(status="$r", file="%P") for text in (entry.en, entry.zh))


def merge_config(python: str | None = None) -> dict[str, str]:
    return {"merge.kehu.name": MERGE_NAME, "merge.kehu.driver": merge_driver_command(python)}


def diff_config(python: str | None = None) -> dict[str, str]:
    """git config for ``diff=kehu`` (.gitattributes): hunk headers of git diff / git log -p name the customer
    and the entry (kehu diff-driver); the converted text is cached by git per file version."""
    return {"diff.kehu.textconv": textconv_command(python), "diff.kehu.xfuncname": XFUNCNAME,
            "diff.kehu.cachetextconv": "true"}


def configure(root: Path) -> list[tuple[str, str]]:
    """Write the merge driver and the diff driver into this clone's git config. Returns the (key, what git
    said) that failed."""
    warnings = []
    for key, value in {**merge_config(), **diff_config()}.items():
        try:
            done = git(root, "config", key, value)
        except OSError as e:
            warnings.append((key, str(e)))
            continue
        if not done.ok:
            warnings.append((key, done.err.strip()))
    return warnings


def textconv_command(python: str | None = None) -> str:
    """The value of ``diff.kehu.textconv``. Git appends the file (``sh -c 'CMD "$@"'``); like the merge
    driver it runs kehu by the Python that set it up, else ``kehu`` from PATH, and when neither runs it shows
    the file as it is — a diff must never fail because kehu cannot start."""
    exe = shlex.quote(python or sys.executable)
    return (f'f() {{ if [ -x {exe} ] && {exe} -m kehu.cli diff-driver "$1" 2>/dev/null; then :; '
            f'elif command -v kehu >/dev/null 2>&1 && kehu diff-driver "$1" 2>/dev/null; then :; '
            f'else cat "$1"; fi; }}; f')
