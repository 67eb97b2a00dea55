"""THE way kehu runs git: one function, so every call gets the same care.

``git(folder, *args)`` runs ``git -C folder -c core.quotepath=off [-c key=value …] args`` — an argument list,
never a shell, so no customer name or branch can be read as shell syntax — and hands back what git said as
bytes (``.stdout``) and as text (``.out``). Paths are printed as they are (``core.quotepath=off``): customer
files and their folders may carry Chinese names, which git would otherwise print as octal escapes. The
exit status is the caller's to judge (``.ok``): "not a repository" is an answer for some, a failure for
others. That git cannot be started at all (not installed, or the timeout passed) raises ``OSError`` or
``subprocess.TimeoutExpired``, which callers turn into their own words.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

GIT = "git"


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
    variables to the environment, ``config`` sets git configuration for this one run (``-c key=value``)."""
    command = [GIT]
    if folder is not None:
        command += ["-C", str(folder)]
    command += ["-c", "core.quotepath=off"]
    for key, value in (config or {}).items():
        command += ["-c", f"{key}={value}"]
    command += args
    done = subprocess.run(command, input=stdin, capture_output=True, check=False, timeout=timeout,
                          env={**os.environ, **env} if env else None)
    return GitRun(tuple(args), done.returncode, done.stdout, done.stderr)
