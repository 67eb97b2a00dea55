"""``kehu check``: load every file, validate it, run the rules, collect problems.

This module only sequences the steps: which files (:mod:`kehu.book.scan`), each file's verdict — its
bytes loaded (:mod:`kehu.repo.yamlload`), the schema, the single-file rules (:mod:`kehu.core.rules`) —
answered from the verdict cache (:mod:`kehu.util.cache`) or worked out in parallel
(:mod:`kehu.util.workers`), then the rules across files.

A cached verdict can never be stale: it is keyed by the file's content *and* everything the verdict depends
on (kehu's own code, the schemas, kehu.yaml, team.yaml), and it holds the days it is true for. A few rules
compare a date of the file with today (a date in the future, a first follow-up owed, an opportunity's close
date passed); a verdict is therefore kept with the first day and the day before which its answer cannot
change (``valid_until``), so a new morning re-checks only the files whose verdict changes that day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.normalize import normalize_email, parse_phone
from ..core.rules import FILE_RULES, RAW_RULES, FileContext, IndexEntry, RawContext, index_entry, repo_rules
from ..core.values import meant
from ..repo.config import CONFIG_FILE, SCHEMA_DIR, TEAM_FILE
from ..repo.files import file_name, odd_file_code, read_file
from ..repo.model import Customer, Record, as_date, customer_from, record_of
from ..repo.repository import Repo, is_plain_file
from ..repo.yamlload import LoadedYaml, load_yaml_bytes
from ..util.cache import CACHE_DIR, ContentCache, content_key, environment, load_cache_json, save_cache_json
from ..util.problems import Problem, Severity
from ..util.workers import THRESHOLD as PARALLEL_THRESHOLD
from ..util.workers import map_in_workers
from .scan import Scan, scan

# the cache's folder and files, and the pool's threshold, are named from here too (commands and tests do)
__all__ = ["CACHE_DIR", "PARALLEL_THRESHOLD", "CheckResult", "check", "check_customer_bytes", "customer_problems",
           "load_cache_json", "save_cache_json"]

CACHE_FILE = "check-v3.json"


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    files_total: int = 0
    cached: int = 0
    keys: dict[str, str] = field(default_factory=dict)      # file -> content key (files that could be read)
    customers: set[str] = field(default_factory=set)        # files that load and pass the schema: customers
    records: dict[str, Record] = field(default_factory=dict)  # file -> record, for customer files read afresh

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.WARNING)

    @property
    def files_with_errors(self) -> int:
        return len({p.file for p in self.problems if p.severity is Severity.ERROR})


def check_customer_bytes(repo: Repo, file: str, raw: bytes) -> tuple[list[Problem], IndexEntry]:
    """All single-file rules for one customer file; never raises on bad input."""
    problems, entry, _, _ = check_loaded(repo, file, raw)
    return problems, entry


def first_error(repo: Repo, path: Path) -> str:
    """``line:col message`` of the first error of a customer file (for "run kehu check" refusals)."""
    problems, _ = check_customer_bytes(repo, file_name(repo.root, path), path.read_bytes())
    errors = [p for p in problems if p.severity is Severity.ERROR] or problems
    return f"{errors[0].line}:{errors[0].col} {errors[0].message}" if errors else "?"


def check_loaded(repo: Repo, file: str, raw: bytes) -> tuple[list[Problem], IndexEntry, LoadedYaml | None,
                                                              dt.date | None]:
    """The problems and index entry of one file, the loaded file when it passed the schema (a customer, with
    or without rule errors), and the first day on which its verdict may differ (None: never)."""
    config = repo.config
    problems, loaded, customer = _file_problems(repo, file, raw)
    entry = index_entry(loaded, config)
    if customer is None:
        return problems, entry, None, None
    return problems, entry, loaded, valid_until(customer, problems, config.today, config.first_followup_hours)


def customer_problems(repo: Repo, file: str, raw: bytes) -> list[Problem]:
    """The problems of :func:`check_customer_bytes` alone, without the facts for the cross-file rules (a file
    about to be written, whose facts its writer has: an import checks 10,000 of them)."""
    return _file_problems(repo, file, raw)[0]


def _file_problems(repo: Repo, file: str, raw: bytes) -> tuple[list[Problem], LoadedYaml, Customer | None]:
    """(problems, the loaded file, the customer when it passed the schema) of one file's single-file rules."""
    msgs, config = repo.msgs, repo.config
    loaded = load_yaml_bytes(file, raw, msgs, config.check.max_file_bytes)
    if loaded.problems or not isinstance(loaded.data, dict):
        return loaded.problems, loaded, None
    problems = repo.schemas.validate("customer", loaded, msgs, meant)
    names = {m.handle: m.name for m in repo.team.members} if repo.team is not None else {}
    if problems:
        # one pass reports everything it can: the rules that read the data as written run too, except where
        # the schema already pointed (no second message for one value)
        written = RawContext(loaded, config, repo.handles, msgs, config.today, schemas=repo.schemas, names=names)
        seen = {(p.line, p.col) for p in problems}
        problems += [p for rule in RAW_RULES for p in rule(written) if (p.line, p.col) not in seen]
        return problems, loaded, None
    customer = customer_from(loaded)
    ctx = FileContext(loaded, customer, config, repo.handles, msgs, config.today, schemas=repo.schemas,
                      names=names, inactive=repo.inactive)
    for rule in FILE_RULES:
        problems.extend(rule(ctx))
    return problems, loaded, customer


def valid_until(c: Customer, problems: list[Problem], today: dt.date, followup_hours: float) -> dt.date | None:
    """The first day after ``today`` on which a rule that compares today with the file's dates may answer
    otherwise (None: no such day). Every date written in the file counts, and the day after it (a rule asks
    "after today" or "before today"), and the day a first follow-up becomes owed; a verdict that quotes today
    (a date in the future) holds for today only. A new rule that compares today with anything else must add
    that day here."""
    if any(p.code == "future-date" for p in problems):
        return today + dt.timedelta(days=1)
    later: list[dt.date] = []
    for day in _dates(c.raw):
        later += [d for d in (day, day + dt.timedelta(days=1)) if d > today]
    if c.created:
        owed = c.created + dt.timedelta(days=int(followup_hours // 24) + 1)
        later += [d for d in (owed, owed + dt.timedelta(days=1)) if d > today]
    return min(later) if later else None


def _dates(value: Any) -> Iterator[dt.date]:
    """Every date written anywhere in a customer's data (YAML dates and ISO date strings)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _dates(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dates(v)
    elif isinstance(value, dt.date | str) and (isinstance(value, dt.date) or len(value) == 10):
        day = as_date(value)
        if day is not None:
            yield day


def _holds(verdict: list[Any], today: dt.date) -> bool:
    """A cached verdict ([problems, entry, first day, valid until, a customer?]) answers for ``today``."""
    first, until = verdict[2], verdict[3]
    return first <= today.isoformat() and (until is None or today.isoformat() < until)


# --- one file's verdict (in a worker, when there are many) ---------------------------------------------

# file, content key (None: unreadable), problems, index entry, valid until, a customer?, record (when asked for)
Verdict = tuple[str, str | None, list[dict[str, Any]], list[Any], str | None, bool, Record | None]


def _verdict(task: tuple[Repo, bool], item: tuple[str, bytes | str]) -> Verdict:
    """The verdict on one file, given its bytes or (read here, in the worker) its path."""
    repo, records = task
    file, source = item
    raw = read_file(file, source, repo) if isinstance(source, str) else source
    if isinstance(raw, dict):
        return file, None, [raw], IndexEntry(file).as_list(), None, False, None
    problems, entry, loaded, until = check_loaded(repo, file, raw)
    return (file, content_key(file, raw), [p.as_dict() for p in problems], entry.as_list(),
            until.isoformat() if until else None, loaded is not None,
            record_of(loaded) if records and loaded is not None else None)


def _verdicts(repo: Repo, items: list[tuple[str, bytes | str]], jobs: int | None, records: bool) -> list[Verdict]:
    if len(items) >= PARALLEL_THRESHOLD:
        _warm_up(repo)
    return map_in_workers(_verdict, items, (repo, records), jobs=jobs, threshold=PARALLEL_THRESHOLD)


def _warm_up(repo: Repo) -> None:
    """Load in the parent what every child needs (lazily imported libraries, phone metadata), so that
    each child does not load it again after the fork."""
    parse_phone("13800138000", repo.config.check.phone_region)
    normalize_email("warm.up@example.com")


def environment_key(repo: Repo) -> str:
    """Everything besides the file itself that a verdict depends on."""
    # config.fingerprint is kehu.yaml merged over kehu's defaults: a changed default changes the key too;
    # not the date: each verdict holds the days it is true for
    return environment(repo.schemas.fingerprint, repo.config_text, repo.team_text, repo.config.fingerprint,
                       json.dumps(sorted(repo.handles or [])), repo.msgs.lang)


# --- the check ---------------------------------------------------------------------------------


def check(repo: Repo, paths: list[Path] | None = None, use_cache: bool = True, jobs: int | None = None,
          records: bool = False, files: Scan | None = None) -> CheckResult:
    """Check the given files (default: all) against everything in the repository.

    ``records``: also return the record (``model.record_of``) of every customer file (one that loads and
    passes the schema) that had to be read, so that a caller needing the customers does not parse those files
    again. ``files``: the scan of customers/ the caller already made (the book's), else one is made here; a
    file it knows unchanged is not read when its verdict is cached."""
    result = CheckResult()
    root = repo.root
    today = repo.config.today
    found = files if files is not None else scan(repo, use_cache=use_cache)
    listing, odd = dict(found.listing), found.odd
    refused: list[Problem] = [repo.msgs.error(name, 1, 1, odd_file_code(name)) for name in odd]
    selected_meta: set[str] = {CONFIG_FILE, TEAM_FILE}
    named: set[str] = set()  # files named on the command line: always read (pre-commit hands over changed files)
    if paths is None:
        selected = set(listing)
    else:
        selected = set()
        selected_meta = set()
        odd_names = set(odd)
        refused = []
        for p in paths:
            name = file_name(root, p)
            if name in (CONFIG_FILE, TEAM_FILE) or name.startswith(f"{SCHEMA_DIR}/"):
                selected_meta.add(name)
            elif name in odd_names or (os.path.lexists(p) and repo.customer_file(p) is None):
                # never read: a link may point outside the repository, a FIFO would hang
                refused.append(repo.msgs.error(name, 1, 1, odd_file_code(name) if not name.isprintable()
                                               else "not-customer-file" if is_plain_file(Path(p))
                                               else "not-regular-file"))
            else:
                selected.add(name)
                named.add(name)
        if selected_meta:  # a changed kehu.yaml, team.yaml or schema can break any customer file
            selected |= listing.keys()
            refused += [repo.msgs.error(name, 1, 1, odd_file_code(name)) for name in odd]
        for name in sorted(selected - listing.keys()):
            listing[name] = os.path.join(root, name)
    # kehu.yaml and team.yaml problems are always shown: they change every other verdict
    result.problems.extend(repo.problems)
    result.problems.extend(refused)
    if not repo.config_ok:
        result.problems.append(repo.msgs.error(CONFIG_FILE, 1, 1, "config-invalid"))
        result.problems.sort(key=Problem.sort_key)
        return result
    cache = ContentCache(root, CACHE_FILE, environment_key(repo), section="files", enabled=use_cache)
    keys: dict[str, str] = {}
    key: str | None  # a file's content key (None in a verdict: the file could not be read)
    todo: list[tuple[str, bytes | str]] = []
    verdicts: dict[str, tuple[list[dict[str, Any]], list[Any]]] = {}
    customers: set[str] = set()
    # With nothing cached there is nothing to look up: the workers read the files themselves, so that
    # reading (slow when the files are not in the page cache) overlaps with checking.
    cold = not cache.entries
    for name, path in listing.items():
        if cold:
            todo.append((name, path))
            continue
        known = found.keys.get(name) if name not in named else None
        hit = cache.entries.get(known) if known is not None else None
        if known is not None and hit is not None and _holds(hit, today):  # unchanged, and not read again
            keys[name] = known
            verdicts[name] = (hit[0], hit[1])
            if hit[4]:
                customers.add(name)
            result.cached += 1
            continue
        raw = read_file(name, path, repo)
        if isinstance(raw, dict):
            verdicts[name] = ([raw], IndexEntry(name).as_list())
            continue
        key = content_key(name, raw)
        keys[name] = key
        found.learn(name, key)
        hit = cache.entries.get(key)
        if hit is not None and _holds(hit, today):
            verdicts[name] = (hit[0], hit[1])
            if hit[4]:
                customers.add(name)
            result.cached += 1
        else:
            todo.append((name, raw))
    first = today.isoformat()
    for name, key, problems, entry, until, is_customer, record in _verdicts(repo, todo, jobs, records):
        verdicts[name] = (problems, entry)
        if is_customer:
            customers.add(name)
        if record is not None:
            result.records[name] = record
        if key is not None:
            keys[name] = key
            found.learn(name, key)
            cache.put(key, [problems, entry, first, until, is_customer])
    del todo
    repo_key = hashlib.sha256(json.dumps([sorted(keys.items()), sorted(selected)]).encode()).hexdigest()
    if cache.fields.get("repo_key") == repo_key:
        cross = [Problem.from_dict(d) for d in cache.fields.get("repo_problems", [])]
    else:
        # in file order, whatever order the workers finished in: the same input gives the same report
        entries = [IndexEntry.from_list(verdicts[name][1]) for name in listing]
        cross = repo_rules(entries, selected, repo.config, repo.msgs)
        cache.set(repo_key=repo_key, repo_problems=[p.as_dict() for p in cross])
    cache.keep_only(set(keys.values()))
    cache.save()
    if files is None:
        found.save()
    for name in sorted(selected):
        result.problems.extend(Problem.from_dict(d) for d in verdicts.get(name, ([], None))[0])
    result.problems.extend(cross)
    if paths is not None:
        # kehu.yaml and team.yaml problems stay: a single-file run must not pass on a broken team.yaml
        shown = selected | {p.file for p in refused} | {CONFIG_FILE, TEAM_FILE}
        result.problems = [p for p in result.problems if p.file in shown]
    result.problems.sort(key=Problem.sort_key)
    result.keys = keys
    result.customers = customers & selected
    result.files_checked = len(selected)
    result.files_total = len(listing)
    return result
