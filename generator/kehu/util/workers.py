"""THE worker pool of kehu: one function applied to many items, in one process per core when that pays.

Every parallel step (checking files, making the book index, parsing records for the site, rendering customer
pages and calendars, writing an import) calls :func:`map_in_workers`. It decides whether a pool pays (enough
items, more than one core, and ``fork`` available: the workers must inherit what the parent has loaded, so
nothing but indices and results crosses a pipe), cuts the items into spans, and hands each worker the
function, its ``state`` and the items through the pool's initializer — with ``fork`` these are inherited,
never pickled, so no caller keeps them in module globals.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

THRESHOLD = 64         # below this many items a process pool costs more than it saves
SPANS_PER_WORKER = 32  # big enough that passing results is cheap, small enough that no worker is left with a
                       # long last span while the others have finished
MIN_SPAN = 16


def cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def map_in_workers(fn: Callable[[S, T], R], items: Sequence[T], state: S, *, jobs: int | None = None,
                   threshold: int = THRESHOLD, span: int | None = None,
                   on_start: Callable[[], None] | None = None,
                   on_done: Callable[[int], None] | None = None) -> list[R]:
    """``[fn(state, item) for item in items]``, in that order, computed by ``jobs`` worker processes (default:
    one per core) when there are at least ``threshold`` items, else in this process.

    ``span``: items per task (default: about :data:`SPANS_PER_WORKER` tasks a worker). ``on_start`` runs once the
    workers exist (a progress display must start after the fork: its refresh thread must not be copied into the
    children); ``on_done(n)`` each time ``n`` more items are done."""
    jobs = jobs or cores()
    if jobs <= 1 or len(items) < max(threshold, 2) or not can_fork():
        if on_start:
            on_start()
        out = []
        for item in items:
            out.append(fn(state, item))
            if on_done:
                on_done(1)
        return out
    import multiprocessing

    size = span or max(MIN_SPAN, -(-len(items) // (jobs * SPANS_PER_WORKER)))
    spans = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    results: list[list[R]] = [[] for _ in spans]
    # Frozen objects are left alone by the collector: otherwise the children scan (and so copy, page by page)
    # everything inherited from the parent at each full collection, a fifth of their time with a big cache.
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(min(jobs, len(spans)), initializer=_install,
                                                    initargs=((fn, state, items),))
    try:
        if on_start:
            on_start()
        for n, chunk in pool.imap_unordered(_run_span, list(enumerate(spans))):
            results[n] = chunk
            if on_done:
                on_done(len(chunk))
    except BaseException:
        pool.terminate()
        raise
    else:
        # The workers are told to end and end by themselves: the pool's own exit (terminate) sends each a
        # SIGTERM, and a worker idle on the task queue's lock at that instant could miss it and be waited
        # for forever (seen: one `kehu import` in five hung after its last file was written).
        pool.close()
    finally:
        pool.join()
        gc.unfreeze()
    return [r for chunk in results for r in chunk]


# In a worker only: what _install received from the parent (inherited through the fork, not pickled).
_TASK: tuple[Callable[[Any, Any], Any], Any, Sequence[Any]] | None = None


def _install(task: tuple[Callable[[Any, Any], Any], Any, Sequence[Any]]) -> None:
    global _TASK
    _TASK = task


def _run_span(numbered: tuple[int, tuple[int, int]]) -> tuple[int, list[Any]]:
    n, (start, end) = numbered
    assert _TASK is not None
    fn, state, items = _TASK
    return n, [fn(state, items[i]) for i in range(start, end)]
