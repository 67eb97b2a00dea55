"""The repository's write lock: one kehu command at a time changes customer files in a clone.

Every command that reads a customer file, changes it and writes it back (``log``, ``set``, ``new``,
``import``, ``merge``, ``fmt``, ``renumber`` …) holds this lock from before the read until after the
write, so two runs at the same moment (two terminals, a script) both keep their change: the second
waits for the first. The lock is an advisory ``flock`` on ``.kehu-cache/write.lock``; the kernel
releases it when the process ends, however it ends, so a crashed command never leaves it held.
Re-entrant within one process (a command that calls another part that locks again).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import KehuError

LOCK_FILE = ".kehu-cache/write.lock"
WAIT_SECONDS = 120.0  # a command that holds the lock longer than this is stuck, not busy

_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, depth)


class LockTimeout(KehuError):
    """Another kehu command kept the lock for longer than ``WAIT_SECONDS``; ``holder`` is its process id."""

    @property
    def holder(self) -> str:
        return str(self.values.get("holder", "?"))


@contextlib.contextmanager
def write_lock(root: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    path = Path(root) / LOCK_FILE
    key = str(path)
    if key in _held:
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[key]
            _held[key] = (fd, depth - 1)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        _acquire(fd, path, wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        _held[key] = (fd, 1)
        try:
            yield
        finally:
            del _held[key]
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _acquire(fd: int, path: Path, wait: float) -> None:
    try:
        import fcntl
    except ImportError:  # no flock on this platform: nothing to coordinate with but ourselves
        return
    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                try:
                    holder = path.read_text(encoding="utf-8").strip()
                except OSError:
                    holder = "?"
                raise LockTimeout.coded("cli-locked", file=LOCK_FILE, holder=holder) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
