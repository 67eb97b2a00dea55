"""THE way kehu replaces a file or a folder: readers see the old one or the new one, never half of either.

Every writer of kehu (customer files, kehu.yaml, exports, the site's pages and search index, the caches in
``.kehu-cache/``) calls :func:`atomic_write` (or :func:`create_exclusive`, :func:`replacing`,
:func:`replace_dir`): a temporary file in the same folder, filled, then renamed over the target.

The file gets *the usual mode*: what the target already has, or for a new file what ``open()`` would give it
(``0o666`` less the umask) — never the ``0o600`` of a bare ``mkstemp``, which would leave an export or a
customer file unreadable to the rest of the team. Standard library only, so that any module may use it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

TEMP_SUFFIX = ".kehu-tmp"


def usual_mode(path: Path | str) -> int:
    """The permission bits ``path`` has, or those ``open()`` would give a new file (``0o666`` less the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~current_umask()


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path | str, data: str | bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (``str`` is written as UTF-8, newlines untouched).

    On any error the temporary file is removed, the old file is untouched, and the exception propagates.
    ``durable`` fsyncs the file and its folder, so the new content survives a power cut; ``durable=False``
    (still atomic) is for bulk writers that make thousands of files durable with one ``os.sync()``
    (``kehu import``) and for files that can be made again (caches, the site)."""
    path = Path(path)
    _install(_temporary_copy(path, data, durable), path, durable)


def _install(tmp: str, path: Path, durable: bool) -> None:
    """Rename the complete temporary file ``tmp`` over ``path`` (removed instead if that fails)."""
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        _LIVE_TEMPS.discard(tmp)
    if durable:
        _fsync_dir(path.parent)


def create_exclusive(path: Path | str, data: str | bytes, *, durable: bool = True) -> bool:
    """Write a new file with ``data`` only if ``path`` does not exist yet (atomically: readers never see
    half a file). False when it exists: someone else took that name first. ``durable`` as in
    :func:`atomic_write`."""
    path = Path(path)
    tmp = _temporary_copy(path, data, durable)
    try:
        try:
            os.link(tmp, path)  # fails if the name exists: exclusive, and the content is complete
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: exclusive create, then write
            try:
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                return False
            with os.fdopen(out, "wb") as fh:
                fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        if durable:
            _fsync_dir(path.parent)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        _LIVE_TEMPS.discard(tmp)


@contextlib.contextmanager
def replacing(path: Path | str, *, durable: bool = True) -> Iterator[str]:
    """The name of an empty temporary file beside ``path``, for a writer that needs a file name (SQLite);
    when the block ends without an error it gets the usual mode and replaces ``path``, else it is removed."""
    path = Path(path)
    fd, tmp = _new_temp(path)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, usual_mode(path))
        if durable:
            _fsync_file(tmp)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        _LIVE_TEMPS.discard(tmp)
        raise
    _install(tmp, path, durable)


def new_dir(parent: Path, prefix: str) -> Path:
    """An empty folder in ``parent`` (put it beside the target, so :func:`replace_dir` is two renames), with
    the mode of an ordinary folder (``mkdtemp`` makes 0700, which a web server running as another user could
    not read)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    path.chmod(0o777 & ~current_umask())
    return path


def replace_dir(built: Path, target: Path) -> None:
    """Replace the folder ``target`` by the complete folder ``built`` (two renames; the old one is removed
    afterwards). Between the renames the target is missing for an instant, never half there."""
    import shutil

    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    os.replace(built, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --- the temporary file ------------------------------------------------------------------------------


def _temporary_copy(path: Path, data: str | bytes, durable: bool) -> str:
    """``data`` in a temporary file beside ``path``, with the mode ``path`` has (or would get)."""
    fd, tmp = _new_temp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            # a new file keeps what it was created with (0o666 less the umask, as open() makes it)
            with contextlib.suppress(FileNotFoundError):
                os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))  # the target's own mode survives
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        _LIVE_TEMPS.discard(tmp)
        raise
    return tmp


# SIGTERM (a CI timeout, `kill`, a pool shutting its workers down) ends a process without running
# `finally`: the temporary files being written are removed by a handler instead, so that no
# .kehu-tmp file is left for `git add -A` to pick up. The process then ends as the signal says.
_LIVE_TEMPS: set[str] = set()
_HANDLED: set[int] = set()


def _new_temp(path: Path) -> tuple[int, str]:
    """A new temporary file beside ``path`` (mode 0o666 less the umask, unlike ``mkstemp``'s 0o600), known to
    the termination handler from the moment it exists."""
    blocked = _remove_temps_on_termination()
    if blocked:
        signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        while True:
            tmp = os.path.join(path.parent, f".{path.name}.{os.getpid()}-{next(_SERIAL)}{TEMP_SUFFIX}")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            except FileExistsError:  # left by a killed process that had this pid
                continue
            _LIVE_TEMPS.add(tmp)
            return fd, tmp
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)


_SERIAL = itertools.count()


def _remove_temps_on_termination() -> set[int]:
    """Install the handlers (once per process); the signals they handle, to block while a temporary
    file is being created (empty where signals cannot be handled or masked)."""
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        return set()  # only the main thread may set handlers (and kehu writes from it)
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is None or sig in _HANDLED:
            continue
        previous = signal.getsignal(sig)
        if previous is signal.SIG_IGN:
            continue

        def handler(signum: int, frame: object, previous: object = previous) -> None:
            for tmp in list(_LIVE_TEMPS):
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            _LIVE_TEMPS.clear()
            if callable(previous):
                previous(signum, frame)
                return
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        signal.signal(sig, handler)
        _HANDLED.add(sig)
    return _HANDLED


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    # make the rename itself durable; not every platform can open a directory
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
