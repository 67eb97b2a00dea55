"""Which customer files there are, and which content each holds — known without reading a file that has not
changed since kehu last read it.

A file's content is named by its content key (``cache.content_key``: its name and bytes); every answer kept
in ``.kehu-cache/`` (the checker's verdicts, the records, the book index) belongs to a content key. Reading
10,000 files only to learn that none changed costs a command more than everything else it does, so
``.kehu-cache/scan-v1.json`` keeps, for each file, its size, modification time, change time and inode as
they were when its key was last worked out: while all four are the same, so is the content — git's own rule
for its index, with its guard against "racily clean" files: a file modified within ``RACY_SECONDS`` of the
scan that read it is read again every time until it is older. A changed, added, deleted or renamed file is
therefore always seen; only a rewrite that keeps all four (possible only by resetting the clock) would not
be, and ``KEHU_INDEX_VERIFY=1`` reads every file.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from ..repo.files import customer_scan
from ..repo.repository import Repo
from ..util import cache

SCAN_FILE = "scan-v1.json"
RACY_SECONDS = 2.0  # a file modified this close to the scan that read it is read again next time
VERIFY_ENV = "KEHU_INDEX_VERIFY"


@dataclass
class Scan:
    """The customer files of one moment: ``listing`` (name -> path, in name order), ``odd`` (names of links,
    folders and special files that look like customer files: reported, never read) and ``keys`` (name ->
    content key, for every file whose content is known without reading it)."""

    listing: dict[str, str]
    odd: list[str]
    keys: dict[str, str] = field(default_factory=dict)
    _stats: dict[str, list[int]] = field(default_factory=dict)
    _learned: bool = False
    _kept: cache.ContentCache | None = None
    _started: float = 0.0

    def learn(self, name: str, key: str) -> None:
        """``name`` was read now and holds the content ``key``: remember it for the next command."""
        if self.keys.get(name) != key:
            self.keys[name] = key
            self._learned = True

    def save(self) -> None:
        """Keep what was learned (and forget files that are gone) for the next command."""
        if self._kept is None or not (self._learned or len(self._stats) != len(self._kept.entries)):
            return
        kept = {name: [*self._stats[name], key] for name, key in self.keys.items() if name in self._stats}
        self._kept.replace(kept)
        self._kept.set(scanned=self._started)
        self._kept.save()
        self._learned = False


def scan(repo: Repo, *, use_cache: bool = True) -> Scan:
    """The customer files now; ``keys`` holds the content of each file that is as it was when last read."""
    listing, odd = customer_scan(repo.root)
    kept = cache.ContentCache(repo.root, SCAN_FILE, cache.environment(), section="files", enabled=use_cache)
    known: dict[str, list[Any]] = kept.entries
    scanned = float(kept.fields.get("scanned", 0.0))
    verify = os.environ.get(VERIFY_ENV) == "1" or not use_cache
    out = Scan(listing, odd, _kept=kept if use_cache else None, _started=time.time())
    for name, path in listing.items():
        try:
            st = os.stat(path)
        except OSError:
            continue
        sig = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        out._stats[name] = sig
        before = known.get(name)
        racy = max(st.st_mtime_ns, st.st_ctime_ns) / 1e9 >= scanned - RACY_SECONDS
        if not verify and before and before[:4] == sig and not racy and isinstance(before[4], str):
            out.keys[name] = before[4]
        elif racy and before:
            out._learned = True  # read again now; saved with this scan's time, so it is trusted once older
    return out
