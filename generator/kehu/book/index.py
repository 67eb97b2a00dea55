"""The book index: what everyday commands need from the other customer files, in time that does not
grow with the book.

``kehu log qiming``, ``kehu new``, ``kehu show`` and ``kehu due`` each need something from every file —
names and pinyin to find a customer, names, phones and e-mails for the duplicate check, the team's
revenue (it decides the core class) and each customer's due follow-up. Parsing 10,000 files for that
takes seconds, so ``.kehu-cache/index-v1.json`` keeps, for each file *content* (``cache.content_key``:
the file's name and bytes), the facts drawn from it:

* who it is: id, name, its pinyin, owner, stage, valid or not, and what the team's revenue needs: its
  annual value on each of the next ``DAYS`` days (``index-v1.json``, read by every command);
* the checker's duplicate entry (``rules.index_entry``: normalised name, phones, e-mails) for ``kehu new``
  (``index-dup-v1.json``, read only by it);
* its derived facts for ``kehu due`` on each of those days (``kehu.core.derive``), for both answers to the
  one question that depends on the other files — whether the customer holds the core share of the team's
  revenue — so that no other file's change can make them wrong (``index-due-v1.json``, read only by it).

The two side files are kept up to date by the command that reads them: an entry they lack (a file changed
since) is made from its file then.

An entry can never be stale: it belongs to one file content and to one environment (kehu's code, the
schemas, kehu.yaml, team.yaml, the language); anything else is another key. Which content a file holds
now comes from the scan (:mod:`kehu.book.scan`), which knows it without reading a file that did not change.
The index is part of the book (:mod:`kehu.book.loader`): commands ask the book, which asks the index.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.rules import IndexEntry
from ..repo.repository import Repo
from ..util import cache
from ..util.workers import map_in_workers
from .scan import Scan

INDEX_FILE = "index-v1.json"
SIDE_FILES = {"dup": "index-dup-v1.json", "due": "index-due-v1.json"}
DAYS = 7             # facts kept for today and the next six days: a new day needs no re-reading
PARALLEL_FROM = 64   # this many files to read and parse: worth a process per core

# main entry: [id, name, pinyin syllables (space-separated, or null), valid, owner, stage, first day, annual values]
#   annual values: one number (the same on every day) or one per day from the first day
# due entry:  [first day, [[days, row, row when it holds the core share of the team's revenue or null], ...]]
#   row: [due date, due reason, planned action, class, status, last contact]
Row = list[Any]


@dataclass(slots=True)
class Item:
    """One customer file as the index knows it."""

    file: str          # customers/<id>.yaml
    path: str
    key: str           # content key
    entry: list[Any]

    @property
    def id(self) -> str:
        return str(self.entry[0])

    @property
    def name(self) -> str:
        return str(self.entry[1] or "")

    @property
    def syllables(self) -> list[str] | None:
        """Its pinyin; None when the entry was made without it (a few changed files: the pinyin dictionary
        takes a quarter of a second to load, so a lookup that needs it makes it)."""
        return self.entry[2].split() if self.entry[2] is not None else None

    @property
    def valid(self) -> bool:
        return bool(self.entry[3])

    @property
    def owner(self) -> str | None:
        owner: str | None = self.entry[4]
        return owner

    @property
    def stage(self) -> str | None:
        stage: str | None = self.entry[5]
        return stage

    def value_on(self, day: dt.date) -> float | None:
        """The annual value on ``day``, or None when the entry does not reach that day."""
        if not self.entry[6]:
            return None
        n = (day - dt.date.fromisoformat(self.entry[6])).days
        values = self.entry[7]
        if not 0 <= n < DAYS:
            return None
        return float(values[n] if isinstance(values, list) else values)


def environment(repo: Repo) -> str:
    """Everything besides a file's content that its entry depends on (not the date: days are kept apart)."""
    return cache.environment(repo.schemas.fingerprint, repo.config_text, repo.team_text, repo.config.fingerprint,
                             json.dumps(sorted(repo.handles or [])), repo.msgs.lang)


@dataclass(slots=True)
class Candidate:
    """A customer file as naming one from what a person types needs it (:mod:`kehu.book.lookup`)."""

    path: Path
    id: str
    name: str
    syllables: list[str] | None = None  # its pinyin, when the index knows it


class Index:
    """The index of one repository, brought up to date with the files on disk by :func:`make_index`."""

    def __init__(self, repo: Repo, items: list[Item], env: str) -> None:
        self.repo = repo
        self.items = items
        self.env = env

    def candidates(self) -> list[Candidate]:
        """Every customer file with its name and pinyin, for naming a customer."""
        return [Candidate(Path(i.path), Path(i.file).stem, i.name, i.syllables) for i in self.items]

    def duplicate_entries(self) -> list[IndexEntry]:
        """The checker's duplicate entry of every customer file (readable or not)."""
        side = self._side("dup", self.repo.config.today)
        return [IndexEntry.from_list(side[i.key]) if i.key in side else IndexEntry(i.file) for i in self.items]

    def team_revenue(self, day: dt.date) -> float:
        """``derive.team_revenue`` over every valid customer, from the kept annual values."""
        self._reach(day)
        return float(sum(i.value_on(day) or 0.0 for i in self.items if i.valid and i.stage != "lost"))

    def due_rows(self, day: dt.date) -> list[tuple[Item, Row]]:
        """(item, row) of every valid customer on ``day``: its facts for ``kehu due``, as ``derive_all`` says."""
        revenue = self.team_revenue(day)
        share = self.repo.config.classification.core.min_revenue_share
        side = self._side("due", day)
        out = []
        for item in self.items:
            kept = _on_day(side[item.key], day) if item.valid and item.key in side else None
            if kept is None:  # not valid, or changed while this command ran: as if it were not there yet
                continue
            plain, shared = kept
            value = item.value_on(day) or 0.0
            holds = bool(share and revenue > 0 and value / revenue >= share)
            out.append((item, shared if holds and shared is not None else plain))
        return out

    def _reach(self, day: dt.date) -> None:
        """Every valid entry reaches ``day``; entries made on an earlier day are made again from their file."""
        stale = [i for i in self.items if i.valid and i.value_on(day) is None]
        if stale:
            made = {m.file: m for m in _entries(self.repo, [(i.file, i.path) for i in stale], day)}
            for item in stale:
                m = made.get(item.file)
                if m is not None and m.key:
                    item.key, item.entry = m.key, m.main
            if len(made) >= PARALLEL_FROM:
                _merge_sides(self.repo, self.env, list(made.values()), {i.key for i in self.items})
            kept = _cache(self.repo, _MAIN, self.env)
            kept.replace({i.key: i.entry for i in self.items if i.key})
            kept.save()

    def _side(self, section: str, day: dt.date) -> dict[str, Any]:
        """The side file's entries of every item (made now for items it lacks, then saved)."""
        kept = _cache(self.repo, section, self.env)
        entries: dict[str, Any] = kept.entries
        lacking = [i for i in self.items if i.key and (i.key not in entries or
                   (section == "due" and i.valid and _on_day(entries[i.key], day) is None))]
        if not lacking and len(entries) == sum(1 for i in self.items if i.key):
            return entries
        made = {m.file: m for m in _entries(self.repo, [(i.file, i.path) for i in lacking], day)}
        for item in lacking:
            m = made.get(item.file)
            if m is not None and m.key == item.key:
                entries[item.key] = m.dup if section == "dup" else m.due
        kept.dirty = True
        kept.keep_only({i.key for i in self.items})
        kept.save()
        return kept.entries


def _on_day(due_entry: list[Any], day: dt.date) -> tuple[Row, Row | None] | None:
    first, runs = due_entry
    if not first:
        return None
    n = (day - dt.date.fromisoformat(first)).days
    if not 0 <= n < DAYS:
        return None
    for count, plain, shared in runs:
        if n < count:
            return plain, shared
        n -= count
    return None


def make_index(repo: Repo, files: Scan) -> Index:
    """The index, with every changed, added, deleted or renamed customer file (``files``: the book's scan)
    taken in."""
    env = environment(repo)
    kept = _cache(repo, _MAIN, env)
    entries: dict[str, list[Any]] = kept.entries
    items: list[Item] = []
    unknown: list[Item] = []
    for name, path in files.listing.items():
        key = files.keys.get(name)
        if key is None:  # changed since last read (or never read): its content is worked out now
            try:
                key = cache.content_key(name, Path(path).read_bytes())
            except OSError:
                continue
            files.learn(name, key)
        item = Item(name, path, key, entries.get(key, []))
        items.append(item)
        if not item.entry:  # a content the index has not seen (touched, reverted or renamed back: it has)
            unknown.append(item)
    if unknown:
        made = {m.file: m for m in _entries(repo, [(i.file, i.path) for i in unknown], repo.config.today)}
        for item in unknown:
            m = made.get(item.file)
            if m is not None and m.key:
                item.key, item.entry = m.key, m.main
                files.learn(item.file, m.key)
            else:
                item.key, item.entry = "", _unreadable(item.file)
        if len(made) >= PARALLEL_FROM:  # many files parsed: keep what the side files need too, not parse them twice
            _merge_sides(repo, env, list(made.values()), {i.key for i in items})
    if unknown or len(entries) != len({i.key for i in items if i.key}):
        kept.replace({i.key: i.entry for i in items if i.key})
        kept.save()
    files.save()
    return Index(repo, items, env)


def _merge_sides(repo: Repo, env: str, made: list[Made], live: set[str]) -> None:
    for section in SIDE_FILES:
        kept = _cache(repo, section, env)
        for m in made:
            if m.key:
                kept.put(m.key, m.dup if section == "dup" else m.due)
        kept.keep_only(live)
        kept.save()


def _unreadable(file: str) -> list[Any]:
    return [Path(file).stem, "", "", False, None, None, None, 0]


# --- making entries ------------------------------------------------------------------------------


@dataclass(slots=True)
class Made:
    file: str
    key: str            # '' when the file could not be read
    main: list[Any]
    dup: list[Any]
    due: list[Any]


def _entries(repo: Repo, todo: list[tuple[str, str]], day: dt.date) -> list[Made]:
    """The entries of each (file, path), made in parallel when there are many (and only then with pinyin)."""
    pinyin = len(todo) >= PARALLEL_FROM
    return map_in_workers(_made_in_worker, todo, (repo, day, pinyin), threshold=PARALLEL_FROM)


def _made_in_worker(task: tuple[Repo, dt.date, bool], item: tuple[str, str]) -> Made:
    repo, day, pinyin = task
    return _made(repo, *item, day, pinyin=pinyin)


_NAME_LINE = re.compile(r"^name:[ \t]*(.+?)[ \t]*$", re.MULTILINE)


def name_of_text(text: str) -> str:
    """The top-level name of a customer file's text (even of a file that does not load)."""
    m = _NAME_LINE.search(text)
    if not m:
        return ""
    try:
        value = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return m.group(1)
    return str(value) if value is not None else ""



def _made(repo: Repo, name: str, path: str, day: dt.date, pinyin: bool = True) -> Made:
    from ..core.rules import index_entry
    from ..repo.yamlload import load_yaml_bytes
    from ..words.pinyin import syllables

    try:
        raw = Path(path).read_bytes()
    except OSError:
        return Made(name, "", _unreadable(name), IndexEntry(name).as_list(), [None, []])
    loaded = load_yaml_bytes(name, raw, repo.msgs, repo.config.check.max_file_bytes)
    data = loaded.data if isinstance(loaded.data, dict) else None
    dup = index_entry(loaded, repo.config).as_list()
    shown = str(data["name"]) if data is not None and data.get("name") is not None else \
        name_of_text(raw.decode("utf-8", "replace"))
    valid = data is not None and not loaded.problems and not repo.schemas.validate("customer", loaded, repo.msgs)
    cid = str(data["id"]) if data is not None and isinstance(data.get("id"), str | int) else Path(name).stem
    spelled = (" ".join(syllables(shown)) if shown else "") if pinyin else None
    key = cache.content_key(name, raw)
    if not valid or data is None:
        return Made(name, key, [cid, shown, spelled, False, None, None, None, 0], dup, [None, []])
    values, runs = _days(repo, loaded, day)
    main = [cid, shown, spelled, True, data.get("owner"), data.get("stage"), day.isoformat(),
            values[0] if len(set(values)) == 1 else values]
    return Made(name, key, main, dup, [day.isoformat(), runs])


def _days(repo: Repo, loaded: Any, first: dt.date) -> tuple[list[float], list[list[Any]]]:
    """The annual value on each of ``DAYS`` days from ``first``, and the runs of days with the same rows."""
    from ..core.derive import Context, annual_value, derive
    from ..repo.model import customer_from

    c = customer_from(loaded)
    cfg = repo.config
    share = cfg.classification.core.min_revenue_share
    core_value = cfg.classification.core.min_annual_value
    values: list[float] = []
    runs: list[list[Any]] = []
    for n in range(DAYS):
        day = first + dt.timedelta(days=n)
        value = annual_value(c, day)
        plain = _row(derive(c, Context(cfg, day, 0.0), with_missing=False))
        shared = None
        if share and 0 < value < core_value:  # whether it holds the share decides its class: keep both answers
            shared = _row(derive(c, Context(cfg, day, value / share * (1 - 1e-12)), with_missing=False))
            shared = None if shared == plain else shared
        values.append(value)
        if runs and runs[-1][1] == plain and runs[-1][2] == shared:
            runs[-1][0] += 1
        else:
            runs.append([1, plain, shared])
    return values, runs


def _row(f: Any) -> Row:
    due = f.due
    rhythms = [[r.date.isoformat(), r.reason, r.action, r.every] for r in getattr(f, "rhythms", [])]
    return [due.date.isoformat() if due else None, due.reason if due else None, due.action if due else None,
            f.klass, f.status, f.last_contact.isoformat() if f.last_contact else None, rhythms]


# --- the files --------------------------------------------------------------------------------------

_MAIN = "main"


def _cache(repo: Repo, section: str, env: str) -> cache.ContentCache:
    return cache.ContentCache(repo.root, INDEX_FILE if section == _MAIN else SIDE_FILES[section], env)
