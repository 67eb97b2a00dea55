"""Loading every customer for the site: the checker's verdict, then the typed records.

``kehu check`` (with its cache) decides which files are sound and gives every
problem for the data-problems page. Each YAML file is parsed once: the files the
check had to parse hand their records (``model.record_of``) straight to the site,
and the records are kept in ``.kehu-cache/`` by file content, so a build after a
check (pre-commit, CI) or a rebuild reads JSON instead of parsing YAML again.
A file with any error is left out of the site and listed, never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..repo.files import customer_listing
from ..repo.model import Customer, Record, customer_from_record, record_of
from ..repo.repository import Repo
from ..repo.yamlload import load_yaml_bytes
from ..util.cache import ContentCache, environment
from ..util.problems import Severity
from ..util.workers import map_in_workers
from .checker import CheckResult, check

RECORDS_FILE = "records-v1.json"


@dataclass
class SiteInput:
    customers: list[Customer]
    result: CheckResult
    skipped: list[str] = field(default_factory=list)  # customer files left out because they have errors


def record_cache(root: Path, enabled: bool) -> ContentCache:
    """content key -> record, for the files that exist now; keyed also by kehu's code and YAML loader."""
    return ContentCache(root, RECORDS_FILE, environment(), section="records", enabled=enabled)


# file -> (content key, record): under `kehu serve` the process lives on, and an edit re-reads one file
_PARSED: dict[str, tuple[str, Customer]] = {}


def _parse(repo: Repo, item: tuple[str, str]) -> Record | None:
    """The record of a file the check found sound but whose record nobody has (its verdict was cached)."""
    name, path = item
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    loaded = load_yaml_bytes(name, raw, repo.msgs, repo.config.check.max_file_bytes)
    if loaded.problems or not isinstance(loaded.data, dict):
        return None
    return record_of(loaded)


def load_site_input(repo: Repo, jobs: int | None = None, use_cache: bool = True) -> SiteInput:
    """Every sound customer (sorted by id) plus the full check result."""
    result = check(repo, None, use_cache=use_cache, jobs=jobs, records=True)
    broken = {p.file for p in result.problems if p.severity is Severity.ERROR}
    listing = {name: str(repo.root / name) for name in result.keys}
    sound = sorted(name for name in listing if name not in broken)
    cache = record_cache(repo.root, use_cache)
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
            cache.put(key, record)
        else:
            record = cache.entries.get(key)
        if record is None:
            todo.append(name)
        else:
            customers[name] = customer_from_record(name, record)
    parsed = map_in_workers(_parse, [(n, listing[n]) for n in todo], repo, jobs=jobs)
    for name, record in zip(todo, parsed, strict=True):
        if record is not None:
            cache.put(result.keys[name], record)
            customers[name] = customer_from_record(name, record)
    cache.keep_only({result.keys[name] for name in sound})
    cache.save()
    _PARSED.clear()
    _PARSED.update({name: (result.keys[name], c) for name, c in customers.items()})
    ordered = sorted(customers.values(), key=lambda c: c.id)
    skipped = sorted(name for name in customer_listing(repo) if name in broken)  # one folder scan, no stat
    return SiteInput(ordered, result, skipped)
