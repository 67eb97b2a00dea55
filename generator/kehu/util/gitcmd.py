"""THE way kehu runs git: one function, so every call gets the same care.

``git(folder, *args)`` runs ``git -C folder -c core.quotepath=off [-c key=value …] args`` — an argument list,
never a shell, so no customer name or branch can be read as shell syntax — and hands back what git said as
bytes (``.stdout``) and as text (``.out``). Paths are printed as they are (``core.quotepath=off``): customer
files and their folders may carry Chinese names, which git would otherwise print as octal escapes. The
exit status is the caller's to judge (``.ok``): "not a repository" is an answer for some, a failure for
others. That git cannot be started at all (not installed, or the timeout passed) raises ``OSError`` or
``subprocess.TimeoutExpired``, which callers turn into their own words.

**No value is ever read as an option.** A remote, a branch or a revision comes from a person, a CI variable or
a file; ``kehu sync --remote '--upload-pack=CMD'`` must not make git run CMD. So, before the end of the options
(``--`` or ``--end-of-options``), every argument that starts with ``-`` must be one of kehu's own options
(:data:`OPTIONS`, written in the code, never typed by anyone) — any other is refused (:class:`GitValueRefused`,
nothing is run) — and the argument after an option that takes its value separately (``-m MESSAGE``) must not
start with ``-``. A value that could collide with one of kehu's own options (a remote named ``--all``) is passed
as :class:`Value`, which is refused whenever it starts with ``-``. Paths go after ``--``, where git reads
nothing as an option.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import KehuError

GIT = "git"

# Every option kehu itself gives git (the part before "=" for --name=value). A new git call with an option not
# listed here is refused until the option is added: tests/util/test_git_runner.py names it.
OPTIONS = frozenset({
    "-1", "-B", "-L", "-M", "-e", "-f", "-m", "-q", "-r", "-u", "-z",
    "--abort", "--all", "--author", "--batch", "--before", "--cached", "--diff-filter", "--error-unmatch",
    "--exclude-standard", "--file", "--follow", "--force", "--format", "--full-history", "--hard", "--initial-branch",
    "--is-ancestor", "--is-inside-work-tree", "--marker-size", "--name-only", "--name-status", "--no-edit",
    "--no-merges", "--no-renames", "--no-verify", "--no-walk", "--others", "--porcelain", "--quiet", "--reverse",
    "--short", "--since", "--theirs", "--untracked-files", "--verify",
})
# options whose value is the next argument (which therefore must not look like an option)
TAKES_VALUE = frozenset({"-B", "-L", "-m"})
END_OF_OPTIONS = frozenset({"--", "--end-of-options"})


class GitValueRefused(KehuError):
    """A value that git would read as an option (worded by the catalogue's ``git-value-option``)."""


class Value(str):
    """A value that came from outside (a remote, a branch, a revision): never an option, whatever it says."""

    __slots__ = ()


def check_args(args: tuple[str, ...]) -> None:
    """Refuse ``args`` when git could read a value among them as an option (see the module's note)."""
    value_next = False
    for arg in args:
        if arg in END_OF_OPTIONS and not value_next:
            return
        looks_like_option = arg.startswith("-")
        if looks_like_option and (value_next or isinstance(arg, Value)
                                  or arg.partition("=")[0] not in OPTIONS):
            raise GitValueRefused.coded("git-value-option", value=arg)
        value_next = looks_like_option and arg in TAKES_VALUE and not value_next


@dataclass(frozen=True, slots=True)
class GitRun:
    """What one run of git said."""

    args: tuple[str, ...]   # the git arguments as the caller gave them (for messages: ``git <args>``)
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def out(self) -> str:
        """Standard output as text (git prints paths and messages in UTF-8)."""
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    def last_line(self) -> str:
        """The last thing git said — standard error, else standard output — for a one-line message."""
        lines = (self.err or self.out).strip().splitlines()
        return lines[-1] if lines else ""

    def lines(self) -> list[str]:
        """The non-empty lines of standard output."""
        return [line for line in self.out.split("\n") if line.strip()]


def git(folder: Path | None, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None,
        config: Mapping[str, str] | None = None, timeout: float | None = None) -> GitRun:
    """Run git in ``folder`` (None: the working folder) with ``args``; ``stdin`` is fed to it, ``env`` adds
    variables to the environment, ``config`` sets git configuration for this one run (``-c key=value``).
    Raises :class:`GitValueRefused`, running nothing, when a value among ``args`` would be read as an option."""
    check_args(args)
    command = [GIT]
    if folder is not None:
        command += ["-C", str(folder)]
    command += ["-c", "core.quotepath=off"]
    for key, value in (config or {}).items():
        command += ["-c", f"{key}={value}"]
    command += [str(a) for a in args]
    done = subprocess.run(command, input=stdin, capture_output=True, check=False, timeout=timeout,
                          env={**os.environ, **env} if env else None)
    return GitRun(tuple(args), done.returncode, done.stdout, done.stderr)
