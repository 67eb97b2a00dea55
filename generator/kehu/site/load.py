"""Loading every customer for the site: the checker's verdict, then the typed records.

``kehu check`` (with its cache) decides which files are sound and gives every
problem for the data-problems page; the sound files are then read into
``Customer`` records, in parallel like the checker. A file with any error is
left out of the site and listed, never guessed at.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..checker import PARALLEL_THRESHOLD, CheckResult, check
from ..model import Customer, customer_from
from ..problems import Severity
from ..repo import Repo, rel
from ..yamlload import load_yaml_bytes


@dataclass
class SiteInput:
    customers: list[Customer]
    result: CheckResult
    skipped: list[str] = field(default_factory=list)  # customer files left out because they have errors


_REPO: Repo | None = None
# file -> (content hash, record): under `kehu serve` the process lives on, and an edit re-reads one file
_PARSED: dict[str, tuple[str, Customer]] = {}


def _read(item: tuple[str, str]) -> Customer | None:
    name, path = item
    assert _REPO is not None
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    loaded = load_yaml_bytes(name, raw, _REPO.msgs, _REPO.config["check"]["max_file_bytes"])
    if loaded.problems or not isinstance(loaded.data, dict):
        return None
    return customer_from(loaded)


def _read_all(repo: Repo, items: list[tuple[str, str]], jobs: int) -> list[Customer | None]:
    global _REPO
    _REPO = repo
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return [_read(it) for it in items]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(_read, items, chunksize=max(16, len(items) // (jobs * 8)))


def _digest(path: str) -> str:
    try:
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return ""


def load_site_input(repo: Repo, jobs: int | None = None, use_cache: bool = True) -> SiteInput:
    """Every sound customer (sorted by id) plus the full check result."""
    jobs = jobs or os.cpu_count() or 1
    result = check(repo, None, use_cache=use_cache, jobs=jobs)
    broken = {p.file for p in result.problems if p.severity is Severity.ERROR}
    items = [(rel(repo.root, p), str(p)) for p in repo.customer_files()]
    sound = [it for it in items if it[0] not in broken]
    digests = {name: _digest(path) for name, path in sound}
    fresh = [it for it in sound if _PARSED.get(it[0], ("",))[0] != digests[it[0]] or not digests[it[0]]]
    for (name, _), customer in zip(fresh, _read_all(repo, fresh, jobs), strict=True):
        if customer is None:
            _PARSED.pop(name, None)
        else:
            _PARSED[name] = (digests[name], customer)
    for name in set(_PARSED) - set(digests):
        del _PARSED[name]
    customers = [_PARSED[name][1] for name, _ in sound if name in _PARSED]
    customers.sort(key=lambda c: c.id)
    skipped = sorted(name for name, _ in items if name in broken)
    return SiteInput(customers, result, skipped)
