"""Python's cycle collector paused while a large book is read into memory.

Reading 10,000 customers makes millions of small dicts and lists at once, none of them garbage; the collector
runs again and again as they pile up and walks all of them each time — a third of `kehu forecast`'s time at
10,000 customers. The records hold no reference cycles (plain data, freed by reference counting as ever),
so the collector has nothing to find there: it waits until the book is read, and what was read then moves
out of its way (``gc.freeze``) — else the first collections after it would walk every new object once more,
generation by generation. Frozen objects are still freed by reference counting when nothing uses them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off inside; when the outermost use ends, what exists is frozen and it runs again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
