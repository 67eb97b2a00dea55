"""The one way tests and benchmarks run git: in a folder, with the machine's configuration shut out.

A developer's ``~/.gitconfig`` (user.email, commit.gpgsign, hooks, init.defaultBranch) must never change what a
test sees, and git must never wait for a password. Identities are given per call (``name``/``email``/``date``:
author and committer) or per person as configuration in the environment (``config``), which the git that kehu
and the hooks run below a test sees as well.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

# what shuts the machine's configuration out; also given to kehu run in-process, whose own git calls inherit it
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}


def git_env(env: Mapping[str, str] | None = None, *, name: str | None = None, email: str | None = None,
            date: str | None = None, config: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment git runs in: this process's without its GIT_* and KEHU_* variables, GIT_ENV, then ``env``.

    ``name``, ``email`` and ``date`` set author and committer; ``config`` entries (``{"user.email": …}``) are
    configuration passed through the environment (GIT_CONFIG_COUNT), read by every git started with it."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "KEHU_"))}
    full.update(GIT_ENV)
    full.update(env or {})
    for role in ("AUTHOR", "COMMITTER"):
        if name is not None:
            full[f"GIT_{role}_NAME"] = name
        if email is not None:
            full[f"GIT_{role}_EMAIL"] = email
        if date is not None:
            full[f"GIT_{role}_DATE"] = date
    if config:
        full["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (key, value) in enumerate(config.items()):
            full[f"GIT_CONFIG_KEY_{i}"] = key
            full[f"GIT_CONFIG_VALUE_{i}"] = value
    return full


def git(cwd: Path, *args: str, ok: bool = True, env: Mapping[str, str] | None = None, name: str | None = None,
        email: str | None = None, date: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``git ARGS`` in ``cwd`` (environment: :func:`git_env`). With ``ok`` (the default) a failure fails the
    caller, naming the command and what git said; ``ok=False`` returns any outcome for the caller to judge."""
    run = subprocess.run(["git", *args], cwd=cwd, env=git_env(env, name=name, email=email, date=date),
                         capture_output=True, text=True, timeout=timeout)
    if ok and run.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} (in {cwd}) exited {run.returncode}:\n{run.stdout}{run.stderr}")
    return run


def commit_all(root: Path, message: str, *, name: str, email: str, date: str | None = None,
               env: Mapping[str, str] | None = None) -> None:
    """Stage everything in ``root`` and commit it as ``name <email>`` (at ``date``)."""
    git(root, "add", "-A", env=env)
    git(root, "commit", "-q", "-m", message, env=env, name=name, email=email, date=date)
