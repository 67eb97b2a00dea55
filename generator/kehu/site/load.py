"""Loading every customer for the site: the checker's verdict, then the typed records.

``kehu check`` (with its cache) decides which files are sound and gives every
problem for the data-problems page. Each YAML file is parsed once: the files the
check had to parse hand their records (``model.record_of``) straight to the site,
and the records are kept in ``.kehu-cache/`` by file content, so a build after a
check (pre-commit, CI) or a rebuild reads JSON instead of parsing YAML again.
A file with any error is left out of the site and listed, never guessed at.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..checker import (
    CACHE_DIR,
    PARALLEL_THRESHOLD,
    CheckResult,
    _code_fingerprint,
    _yaml_loader_name,
    check,
    customer_listing,
    load_cache_json,
    save_cache_json,
)
from ..model import Customer, Record, customer_from_record, record_of
from ..problems import Severity
from ..repo import Repo
from ..yamlload import load_yaml_bytes

RECORDS_FILE = "records-v1.json"


@dataclass
class SiteInput:
    customers: list[Customer]
    result: CheckResult
    skipped: list[str] = field(default_factory=list)  # customer files left out because they have errors


class RecordCache:
    """content key -> record, for the files that exist now; keyed also by kehu's code and YAML loader."""

    def __init__(self, root: Path, enabled: bool) -> None:
        self.path = root / CACHE_DIR / RECORDS_FILE
        self.enabled = enabled
        self.env = hashlib.sha256(f"{_code_fingerprint()}\n{_yaml_loader_name()}".encode()).hexdigest()
        self.records: dict[str, Record] = {}
        self.dirty = False
        if enabled:
            data = load_cache_json(self.path)
            if isinstance(data, dict) and data.get("env") == self.env and isinstance(data.get("records"), dict):
                self.records = data["records"]

    def keep_only(self, live: set[str]) -> None:
        if set(self.records) - live:
            self.records = {k: v for k, v in self.records.items() if k in live}
            self.dirty = True

    def save(self) -> None:
        if self.enabled and self.dirty:
            save_cache_json(self.path, {"env": self.env, "records": self.records})


_REPO: Repo | None = None
# file -> (content key, record): under `kehu serve` the process lives on, and an edit re-reads one file
_PARSED: dict[str, tuple[str, Customer]] = {}


def _parse(item: tuple[str, str]) -> Record | None:
    """The record of a file the check found sound but whose record nobody has (its verdict was cached)."""
    name, path = item
    assert _REPO is not None
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    loaded = load_yaml_bytes(name, raw, _REPO.msgs, _REPO.config.check.max_file_bytes)
    if loaded.problems or not isinstance(loaded.data, dict):
        return None
    return record_of(loaded)


def _parse_all(repo: Repo, items: list[tuple[str, str]], jobs: int) -> list[Record | None]:
    global _REPO
    _REPO = repo
    try:
        if jobs <= 1 or len(items) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
            return [_parse(it) for it in items]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_parse, items, chunksize=max(16, len(items) // (jobs * 8)))
    finally:
        _REPO = None


def load_site_input(repo: Repo, jobs: int | None = None, use_cache: bool = True) -> SiteInput:
    """Every sound customer (sorted by id) plus the full check result."""
    jobs = jobs or os.cpu_count() or 1
    result = check(repo, None, use_cache=use_cache, jobs=jobs, records=True)
    broken = {p.file for p in result.problems if p.severity is Severity.ERROR}
    listing = {name: str(repo.root / name) for name in result.keys}
    sound = sorted(name for name in listing if name not in broken)
    cache = RecordCache(repo.root, use_cache)
    customers: dict[str, Customer] = {}
    todo: list[str] = []
    for name in sound:
        key = result.keys[name]
        known = _PARSED.get(name)
        if known is not None and known[0] == key:
            customers[name] = known[1]
            continue
        record = result.records.get(name)
        if record is not None:
            cache.records[key] = record
            cache.dirty = True
        else:
            record = cache.records.get(key)
        if record is None:
            todo.append(name)
        else:
            customers[name] = customer_from_record(name, record)
    for name, record in zip(todo, _parse_all(repo, [(n, listing[n]) for n in todo], jobs), strict=True):
        if record is not None:
            cache.records[result.keys[name]] = record
            cache.dirty = True
            customers[name] = customer_from_record(name, record)
    cache.keep_only({result.keys[name] for name in sound})
    cache.save()
    _PARSED.clear()
    _PARSED.update({name: (result.keys[name], c) for name, c in customers.items()})
    ordered = sorted(customers.values(), key=lambda c: c.id)
    skipped = sorted(name for name in customer_listing(repo) if name in broken)  # one folder scan, no stat
    return SiteInput(ordered, result, skipped)
