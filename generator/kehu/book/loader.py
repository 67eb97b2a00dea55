"""THE loader: every output reads the team's customers here — the site, `kehu show`, `due`, `export`,
`forecast`, `pool`, `remind`, `opp list`, `dedupe`, import's grouping and CODEOWNERS.

One book, one truth. A customer is a file of customers/ that loads and passes the schema; it is shown
everywhere, and its problems — its own and those across files (an unknown owner, a phone another customer
has) — are marked wherever it is shown, never a reason to leave it out of one screen while another shows it.
A file that does not load or fails the schema cannot be a customer: it is an :class:`Entry` without one,
named by every output (the site's customer list and problems page, the build line, `kehu due`, export).

The book reads the repository once through the caches of ``.kehu-cache/``, each keyed by file content: the
scan (:mod:`kehu.book.scan`: which content each file holds, without reading an unchanged file), the check's
verdicts (:mod:`kehu.book.checker`), the records (``records-v2.json``: each customer's data and lines, so a
customer is parsed once) and the book index (:mod:`kehu.book.index`: the facts everyday commands need from
every file, per day). Each part is made when first asked for, so `kehu show` does not pay for the site.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePath
from typing import Any

from ..core.derive import Context, Facts, derive, derive_all
from ..repo.files import file_name
from ..repo.model import Customer, Record, customer_from, customer_from_record, record_of
from ..repo.repository import Repo
from ..repo.yamlload import load_yaml_bytes
from ..util.cache import ContentCache, environment
from ..util.gcpause import collector_paused
from ..util.problems import Problem, Severity
from ..util.workers import map_in_workers
from .checker import CheckResult, check
from .index import Index, make_index, name_of_text
from .lookup import resolve_in
from .scan import Scan, scan

RECORDS_FILE = "records-v2.json"


@dataclass(frozen=True, slots=True)
class Entry:
    """One customer file of the book."""

    file: str                        # as messages name it: customers/<id>.yaml
    id: str                          # the book's id for it: the customer's id, its file name when two say one
    name: str                        # the customer's name (read from the text of a file that does not load)
    customer: Customer | None        # None: the file does not load or fails the schema
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)


@dataclass(frozen=True, slots=True)
class Counts:
    """What the build line and the other outputs say about the book as a whole."""

    customers: int      # files that are customers (with or without errors)
    with_errors: int    # customers with at least one error
    unreadable: int     # files that are not customers (they do not load or fail the schema)


class Book:
    """The customers of one repository on one day, read once. Make it with :func:`open_book`."""

    def __init__(self, repo: Repo, *, use_cache: bool = True, jobs: int | None = None) -> None:
        self.repo = repo
        self.use_cache = use_cache
        self.jobs = jobs

    # --- cheap parts: the scan, the verdicts, the index ---------------------------------------------

    @cached_property
    def scan(self) -> Scan:
        return scan(self.repo, use_cache=self.use_cache)

    def check(self, *, records: bool = False) -> CheckResult:
        """The check of every customer file (kehu.yaml and team.yaml problems too), made once."""
        if "_check" not in self.__dict__ or (records and not self.__dict__["_check_records"]):
            self.__dict__["_check"] = check(self.repo, None, use_cache=self.use_cache, jobs=self.jobs,
                                            records=records, files=self.scan)
            self.__dict__["_check_records"] = records
            self.scan.save()
        result: CheckResult = self.__dict__["_check"]
        return result

    @cached_property
    def problems_by_file(self) -> dict[str, tuple[Problem, ...]]:
        """Every customer file's problems (its own and those across files), by file."""
        out: dict[str, list[Problem]] = {}
        for p in self.check().problems:
            out.setdefault(p.file, []).append(p)
        return {file: tuple(ps) for file, ps in out.items()}

    def problems_of(self, file: str) -> tuple[Problem, ...]:
        return self.problems_by_file.get(file, ())

    def errors_of(self, file: str) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems_of(file) if p.severity is Severity.ERROR)

    @cached_property
    def index(self) -> Index:
        """The book index: what everyday commands need from every file, in time that does not grow with it."""
        return make_index(self.repo, self.scan)

    def resolve(self, query: str) -> Path:
        """The one customer file ``query`` names (id, part of the name, pinyin, initials or path)."""
        return resolve_in(self.repo, query, lambda: self.index.candidates())

    @cached_property
    def unreadable_files(self) -> list[str]:
        """Customer files that are not customers (they do not load or fail the schema), by name."""
        result = self.check()
        return [name for name in self.scan.listing if name not in result.customers]

    @property
    def unreadable_names(self) -> list[str]:
        """The same files as outputs list them: by file name (``C20240501001.yaml``)."""
        return [PurePath(name).name for name in self.unreadable_files]

    def name_of(self, file: str) -> str:
        """The name a customer file gives itself, read from its text (also when it does not load)."""
        path = self.scan.listing.get(file)
        if path is None:
            return ""
        try:
            return name_of_text(Path(path).read_bytes().decode("utf-8", "replace"))
        except OSError:
            return ""

    def data_of(self, file: str) -> dict[str, Any]:
        """The mapping a customer file holds as loaded (a customer's data; what a file that fails the schema
        holds; {} for one that does not load): for import, which matches rows with existing files."""
        entry = self.by_file.get(file)
        if entry is not None and entry.customer is not None:
            return entry.customer.raw
        path = self.scan.listing.get(file)
        try:
            raw = Path(path).read_bytes() if path else b""
        except OSError:
            return {}
        loaded = load_yaml_bytes(file, raw, self.repo.msgs, self.repo.config.check.max_file_bytes)
        return loaded.data if isinstance(loaded.data, dict) and not loaded.problems else {}

    # --- one customer (kehu show, log …) --------------------------------------------------------------

    def customer_at(self, path: Path) -> tuple[Customer, Facts] | None:
        """The customer at ``path`` and its facts as ``derive_all`` over the whole book gives them (the one
        fact that depends on the others, the team's revenue, comes from the index); None for a file that is
        no customer. Its problems: :meth:`problems_of`."""
        name = file_name(self.repo.root, path)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        # a customer is a file that loads and passes the schema; its problems are the book's (problems_of),
        # so the rules are not run here a second time
        loaded = load_yaml_bytes(name, raw, self.repo.msgs, self.repo.config.check.max_file_bytes)
        if loaded.problems or not isinstance(loaded.data, dict) or self.repo.schemas.validate(
                "customer", loaded, self.repo.msgs):
            return None
        today = self.repo.config.today
        c = customer_from(loaded)
        return c, derive(c, Context(self.repo.config, today, self.index.team_revenue(today)))

    # --- the whole book (the site, export, forecast, pool, remind …) ----------------------------------

    @cached_property
    def entries(self) -> list[Entry]:
        """Every customer file, by id: the customers with their problems, and the files that are none."""
        with collector_paused():  # millions of small objects, none of them garbage (kehu.util.gcpause)
            result = self.check(records=True)
            customers = _customers(self, result)
            by_file = self.problems_by_file
            out: list[Entry] = []
            for name in self.scan.listing:
                c = customers.get(name)
                if c is not None:
                    out.append(Entry(name, c.id, c.name, c, by_file.get(name, ())))
                else:
                    out.append(Entry(name, PurePath(name).stem, self.name_of(name), None, by_file.get(name, ())))
            return sorted(_unique_ids(out), key=lambda e: (e.id, e.file))

    @cached_property
    def customers(self) -> list[Customer]:
        """Every customer of the book (with or without errors), by id."""
        return [e.customer for e in self.entries if e.customer is not None]

    @cached_property
    def facts(self) -> dict[str, Facts]:
        """The derived facts of every customer, by id (``kehu.core.derive``)."""
        customers = self.customers
        with collector_paused():
            return derive_all(customers, self.repo.config, self.repo.config.today)

    @cached_property
    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    @cached_property
    def by_file(self) -> dict[str, Entry]:
        return {e.file: e for e in self.entries}

    def entry(self, cid: str) -> Entry | None:
        return self.by_id.get(cid)

    @property
    def unreadable(self) -> list[Entry]:
        return [e for e in self.entries if e.customer is None]

    @property
    def with_errors(self) -> list[Entry]:
        return [e for e in self.entries if e.customer is not None and e.errors]

    @property
    def counts(self) -> Counts:
        """How many customers, how many of them with errors, how many files are none (from the check alone)."""
        result = self.check()
        customers = result.customers
        errors = {p.file for p in result.problems if p.severity is Severity.ERROR}
        return Counts(len(customers), len(customers & errors), len(self.scan.listing) - len(customers))


def open_book(repo: Repo, *, use_cache: bool = True, jobs: int | None = None) -> Book:
    """The book of ``repo`` (nothing is read until a part of it is asked for)."""
    return Book(repo, use_cache=use_cache, jobs=jobs)


# --- records: each customer parsed once -------------------------------------------------------------

# file -> (content key, customer): under `kehu serve` the process lives on, and an edit re-reads one file
_PARSED: dict[str, tuple[str, Customer]] = {}


def record_cache(root: Path, enabled: bool) -> ContentCache:
    """content key -> record, for the files that exist now; keyed also by kehu's code and YAML loader."""
    return ContentCache(root, RECORDS_FILE, environment(), section="records", enabled=enabled, share=True)


def _parse(repo: Repo, item: tuple[str, str]) -> Record | None:
    """The record of a customer file whose verdict was cached but whose record nobody kept."""
    name, path = item
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return None
    loaded = load_yaml_bytes(name, raw, repo.msgs, repo.config.check.max_file_bytes)
    if loaded.problems or not isinstance(loaded.data, dict):
        return None
    return record_of(loaded)


def _customers(book: Book, result: CheckResult) -> dict[str, Customer]:
    """Every customer file's customer: made already (`kehu serve`), from the check's or the records cache's
    record, or parsed (in workers) when neither has it."""
    repo = book.repo
    cache = record_cache(repo.root, book.use_cache)
    out: dict[str, Customer] = {}
    todo: list[str] = []
    for name in sorted(result.customers):
        key = result.keys[name]
        known = _PARSED.get(name)
        if known is not None and known[0] == key:
            out[name] = known[1]
            continue
        record = result.records.get(name)
        if record is not None:
            cache.put(key, record)
        else:
            record = cache.entries.get(key)
        if record is None:
            todo.append(name)
        else:
            out[name] = customer_from_record(name, record)
    parsed = map_in_workers(_parse, [(n, book.scan.listing[n]) for n in todo], repo, jobs=book.jobs)
    for name, record in zip(todo, parsed, strict=True):
        if record is not None:
            cache.put(result.keys[name], record)
            out[name] = customer_from_record(name, record)
    cache.keep_only({result.keys[name] for name in result.customers})
    cache.save()
    result.records.clear()  # each is a customer now; the rest of a record (its lines) is not needed again
    _PARSED.clear()
    _PARSED.update({name: (result.keys[name], c) for name, c in out.items()})
    return out


def forget_parsed() -> None:
    """Let go of the customers this process keeps for its next read (``kehu serve`` re-reads only what
    changed): a one-time build frees its book once the pages are written, before the search index is made."""
    _PARSED.clear()


def _unique_ids(entries: list[Entry]) -> list[Entry]:
    """The book names a customer by its id. When several files say one id (an error in each of them), the
    one whose file is named so keeps it and each other is named by its file, so that none hides another."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.id, []).append(e)
    if all(len(group) == 1 for group in groups.values()):
        return entries
    taken = set(groups)
    renamed: dict[str, str] = {}
    new_id: str | None
    for cid, group in groups.items():
        if len(group) == 1:
            continue
        keeper = next((e for e in group if PurePath(e.file).stem == cid), None)
        for e in group:
            if e is keeper:
                continue
            stem = PurePath(e.file).stem
            new_id = stem if stem not in taken else PurePath(e.file).name
            taken.add(new_id)
            renamed[e.file] = new_id
    out = []
    for e in entries:
        new_id = renamed.get(e.file)
        if new_id is not None:
            customer = dataclasses.replace(e.customer, id=new_id) if e.customer is not None else None
            e = dataclasses.replace(e, id=new_id, customer=customer)
        out.append(e)
    return out
