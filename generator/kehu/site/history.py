"""Change history of every customer file from one ``git log`` pass.

Running ``git log --follow`` once per file costs a process per customer; one
``git log --name-status`` over ``customers/`` gives the same audit trail for all
files at once. Renames are followed by hand: walking from the newest commit to
the oldest, a rename ``old -> new`` makes older commits of ``old`` count for the
file that ``new`` finally became.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..repo.config import CUSTOMERS_DIR
from ..repo.gitinfo import handle_for_email, is_git_repo
from ..repo.model import Team
from ..util.gitcmd import git

_SEP = "\x1f"
_REC = "\x1e"


@dataclass(frozen=True, slots=True)
class Change:
    commit: str
    date: str       # author date YYYY-MM-DD
    author: str     # team handle when the author's email is in team.yaml, else the git name
    message: str    # the commit subject

    @property
    def short(self) -> str:
        return self.commit[:7]


def file_histories(root: Path, team: Team | None) -> dict[str, list[Change]]:
    """``customers/<file>`` -> its commits, newest first. Empty outside a git repository."""
    if not is_git_repo(root):
        return {}
    fmt = _REC + _SEP.join(("%H", "%aI", "%an", "%ae", "%s"))
    out = git(root, "log", "-M", "--name-status", f"--format={fmt}", "--", f"{CUSTOMERS_DIR}/")
    if not out.ok:
        return {}
    return parse_log(out.out, team)


def parse_log(text: str, team: Team | None) -> dict[str, list[Change]]:
    histories: dict[str, list[Change]] = {}
    final: dict[str, str] = {}  # a path in an older commit -> the path that file has now
    for chunk in text.split(_REC)[1:]:
        lines = chunk.split("\n")
        commit, date, name, email, subject = ([*lines[0].split(_SEP), "", "", "", "", ""])[:5]
        change = Change(commit, date[:10], handle_for_email(team, email) or name, subject)
        for line in lines[1:]:
            row = line.split("\t")
            if len(row) < 2:
                continue
            if row[0].startswith(("R", "C")) and len(row) >= 3:
                now = final.get(row[2], row[2])
                if row[0].startswith("R"):
                    final[row[1]] = now
            else:
                now = final.get(row[1], row[1])
            seen = histories.setdefault(now, [])
            if not seen or seen[-1].commit != commit:
                seen.append(change)
    return histories
