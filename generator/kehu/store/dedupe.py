"""Duplicate customers: finding likely pairs (``kehu dedupe``) and merging two records into one
(``kehu merge``, and the importer when a row names a customer that already exists).

"The same customer" means what ``kehu check`` means by it — the checker's own index
entries (``rules.index_entry``: normalised name, phones, e-mails) and its
near-duplicate search (``rules.near_duplicates``, the policy of ``kehu.core.names``) — so dedupe lists exactly
the pairs the checker complains about, ranked.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any, cast

from ..book.loader import open_book
from ..core.identity import comparable, is_empty, same_fact
from ..core.rules import IndexEntry, near_duplicates
from ..repo.config import Config
from ..repo.model import as_date
from ..repo.repository import Repo
from ..repo.schema import title_of

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap

# how strongly each kind of evidence says "the same customer" (0..1); several combine as
# 1 - Π(1 - s), so a pair with the same name *and* the same phone ranks above either alone
WEIGHTS = {"name": 0.9, "phone": 0.8, "email": 0.75}
NEAR = 0.75           # a name one typing slip from the other (kehu.core.names)

RECORD_LISTS = ("contacts", "interactions", "deals", "opportunities", "surveys", "complaints")
RECORD_OF = {"contacts": "contact", "interactions": "interaction", "deals": "deal", "opportunities": "opportunity",
             "surveys": "survey", "complaints": "complaint"}  # list field -> its $defs record
TAG_LISTS = ("tags", "risks", "former_ids")  # lists of words: merged as a union
NEWEST_WINS = ("imported_last_contact",)  # a date that only moves forward: the newer of two is kept


# --- finding pairs --------------------------------------------------------------------------


@dataclass
class Pair:
    a: IndexEntry
    b: IndexEntry
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)
    score: float = 0.0


def repo_entries(repo: Repo) -> list[IndexEntry]:
    """The checker's index entry of every customer file (files that do not parse still count with what
    could be read), from the book's index."""
    return open_book(repo).index.duplicate_entries()


def find_pairs(entries: list[IndexEntry], config: Config) -> list[Pair]:
    """Likely duplicate pairs, best first. Pairs listed in check.not_duplicates are left out."""
    allowed = {frozenset(map(str, p)) for p in config.check.not_duplicates}
    pairs: dict[tuple[str, str], Pair] = {}

    def add(a: IndexEntry, b: IndexEntry, kind: str, detail: str) -> None:
        if a.file == b.file or frozenset((a.id, b.id)) in allowed:
            return
        if a.file > b.file:
            a, b = b, a
        pair = pairs.setdefault((a.file, b.file), Pair(a, b))
        if (kind, detail) not in pair.reasons:
            pair.reasons.append((kind, detail))

    keys: Callable[[IndexEntry], list[str]]
    for kind, keys in (("name", lambda e: [e.norm_name] if e.norm_name else []),
                       ("phone", lambda e: sorted({p[0] for p in e.phones})),
                       ("email", lambda e: sorted({m[0] for m in e.emails}))):
        groups: defaultdict[str, list[IndexEntry]] = defaultdict(list)
        for e in entries:
            for k in keys(e):
                groups[k].append(e)
        for value, group in groups.items():
            for a, b in combinations(group, 2):
                add(a, b, kind, value)
    for a, b, kind in near_duplicates(entries, {e.file for e in entries}, config):
        add(a, b, "near", kind)
    for pair in pairs.values():
        pair.score = score(pair.reasons)
    return sorted(pairs.values(), key=lambda p: (-p.score, p.a.file, p.b.file))


def score(reasons: Iterable[tuple[str, str]]) -> float:
    miss = 1.0
    for kind, _detail in reasons:
        s = NEAR if kind == "near" else WEIGHTS[kind]
        miss *= 1 - s
    return round(1 - miss, 3)


# --- merging two records ----------------------------------------------------------------------


@dataclass
class MergeStats:
    added: Counter[str] = field(default_factory=Counter)                     # list field -> entries added
    filled: list[str] = field(default_factory=list)                     # fields that were empty
    conflicts: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, kept, other)
    advanced: list[tuple[str, Any, Any]] = field(default_factory=list)   # (field, was, taken from the source)
    notes_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) or self.filled or self.notes_added)


@dataclass
class MergeRules:
    """What a merge needs to know about the team's schema and rules."""

    order: list[str]                   # top-level field order (new keys go where the schema puts them)
    item_order: dict[str, list[str]]   # list field -> its entries' key order
    region: str                        # phone region (kehu.yaml check.phone_region)
    title: Callable[[str], str]        # field -> its title, for the notes
    note_prefix: str                   # 〔导入〕 or 〔合并自 C…〕
    show: Callable[[str, Any], str] = lambda key, value: _shown(value)  # a value as the notes show it
    stages: list[str] | None = None    # `kehu merge`: of two stages, the one further along the funnel is kept


def rules_for(repo: Repo, note_prefix: str, further_stage: bool = False) -> MergeRules:
    """How records merge in this repository; ``further_stage``: two records of one customer (``kehu merge``) keep
    the stage further along the funnel — how far the relationship has come is the furthest either shows."""
    customer = repo.schemas.raw["customer"]
    defs = customer.get("$defs", {})
    items = {key: list(defs.get(RECORD_OF[key], {}).get("properties", {})) for key in RECORD_LISTS}
    props = customer.get("properties", {})

    def title(name: str) -> str:
        return title_of(props.get(name), repo.msgs.lang, name)

    vocabs = repo.schemas.vocabularies
    names = {m.handle: m.name for m in repo.team.members} if repo.team is not None else {}

    def show(key: str, value: Any) -> str:
        """A choice as its label (签约, not won), a member by name: the notes and the summary are read by people."""
        prop = props.get(key, {})
        refs = [prop.get("$ref")] + [s.get("$ref") for s in prop.get("anyOf", []) if isinstance(s, dict)]
        for ref in refs:
            name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None
            if name in vocabs and isinstance(value, str):
                return vocabs[name].label(value, repo.msgs.lang)
            if name == "handle" and isinstance(value, str):
                return names.get(value, value)
        return _shown(value)

    stages = list(repo.config.stages) if further_stage else None
    return MergeRules(list(props), items, repo.config.check.phone_region, title, note_prefix, show, stages)


def merge_records(target: MutableMapping[str, Any], source: MutableMapping[str, Any], rules: MergeRules,
                  soft: frozenset[str] | set[str] = frozenset()) -> MergeStats:
    """Merge ``source`` into ``target`` in place: union of contacts, interactions, deals, surveys
    and complaints (identical entries once), union of tags; an empty field takes the source's
    value; a field both hold differently keeps the target's and the source's goes into the notes
    (once: merging the same source again changes nothing). ``soft`` fields of the source are
    defaults, not facts: they fill gaps and never count as a conflict."""
    stats = MergeStats()
    note_lines: list[str] = []
    for key, value in source.items():
        if key in ("id", "notes") or is_empty(value):
            continue
        if key in RECORD_LISTS:
            stats.added[key] += _merge_list(target, key, value, rules, note_lines)
        elif key in TAG_LISTS:
            stats.added[key] += _merge_tags(target, key, value, rules)
        elif key == "lost_from" and target.get("stage") != "lost":
            continue  # only a lost customer records where it was lost from
        elif key == "class_reason" and not is_empty(target.get("class")) and \
                comparable(target.get("class")) != comparable(source.get("class")):
            continue  # the reason belongs to the other class, recorded with it
        elif is_empty(target.get(key)):
            _set(target, key, copy.deepcopy(value), rules.order)
            stats.filled.append(key)
        elif key == "stage" and rules.stages and _further(rules.stages, value, target[key]):
            stats.advanced.append((key, target[key], value))  # the source is further along: the customer is too
            note_lines.append(f"{rules.note_prefix}{rules.title(key)}: {rules.show(key, target[key])}")
            _set(target, key, copy.deepcopy(value), rules.order)
        elif key in NEWEST_WINS:
            if _newer(value, target[key]):  # a later export knows a later contact: not a conflict
                _set(target, key, copy.deepcopy(value), rules.order)
                stats.filled.append(key)
        elif comparable(target[key]) != comparable(value) and key not in soft:
            stats.conflicts.append((key, target[key], value))
            note_lines.append(f"{rules.note_prefix}{rules.title(key)}: {rules.show(key, value)}")
    source_notes = source.get("notes")
    lines = [ln for ln in str(source_notes).splitlines() if ln.strip()] if not is_empty(source_notes) else []
    stats.notes_added = _add_note_lines(target, lines + note_lines, rules.order)
    return stats


def _further(stages: list[str], candidate: Any, current: Any) -> bool:
    """Whether ``candidate`` is further along the funnel than ``current`` (lost is never further: a lost record
    beside a live one says the other is the truth)."""
    return (candidate in stages and current in stages and stages.index(candidate) > stages.index(current))


def _newer(value: Any, than: Any) -> bool:
    a, b = as_date(value), as_date(than)
    return a is not None and (b is None or a > b)


def _shown(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "，".join(f"{k}={_shown(v)}" for k, v in value.items() if not is_empty(v))
    if isinstance(value, list):
        return "、".join(_shown(v) for v in value)
    return str(value)


def _add_note_lines(target: MutableMapping[str, Any], lines: list[str], order: list[str]) -> int:
    """Append the lines the notes do not already hold; returns how many were added."""
    existing = str(target.get("notes") or "")
    have = {ln.strip() for ln in existing.splitlines()}
    new = []
    for ln in lines:
        if ln.strip() and ln.strip() not in have:
            new.append(ln.rstrip())
            have.add(ln.strip())
    if not new:
        return 0
    text = "\n".join([existing.rstrip("\n"), *new] if existing.strip() else new) + "\n"
    _set(target, "notes", text if "\n" in text.rstrip("\n") else text.rstrip("\n"), order)
    return len(new)


def _set(target: MutableMapping[str, Any], key: str, value: Any, order: list[str]) -> None:
    if hasattr(target, "insert"):  # a round-trip CommentedMap: new keys where the schema puts them
        from .mapedit import set_field

        set_field(cast("CommentedMap", target), key, value, order)
    else:
        target[key] = value


def _merge_tags(target: MutableMapping[str, Any], key: str, values: list[Any], rules: MergeRules) -> int:
    current: Any = target.get(key)
    if is_empty(current):
        _set(target, key, list(values), rules.order)
        return len(values)
    added = 0
    for v in values:
        if v not in current:
            current.append(v)
            added += 1
    return added


def _merge_list(target: MutableMapping[str, Any], key: str, items: list[Any], rules: MergeRules,
                note_lines: list[str]) -> int:
    current = target.get(key)
    if not isinstance(current, list):
        current = None
    added = 0
    for item in items:
        if not isinstance(item, dict):
            continue
        match = next((x for x in (current or []) if isinstance(x, dict) and same_fact(key, x, item, rules.region)),
                     None)
        if match is not None:
            if key == "contacts":
                _fill_contact(match, item, rules, note_lines)
            continue
        new = _ordered(copy.deepcopy(dict(item)), rules.item_order.get(key, []))
        if key == "contacts" and new.get("primary") and any(isinstance(x, dict) and x.get("primary")
                                                            for x in current or []):
            new.pop("primary")  # one primary contact: the target's
        if current is None:
            current = []
            _set(target, key, current, rules.order)
            current = target[key]
        _append(current, key, new)
        added += 1
    return added


def _ordered(item: dict[str, Any], order: list[str]) -> dict[str, Any]:
    keys = [k for k in order if k in item] + [k for k in item if k not in order]
    return {k: item[k] for k in keys if not is_empty(item[k]) or k == "primary"}


def _append(seq: list[Any], key: str, item: dict[str, Any]) -> None:
    """Dated entries go in date order (after entries of the same day); others at the end."""
    from .mapedit import insert_dated

    if hasattr(seq, "yaml_add_eol_comment"):  # a round-trip sequence: keep the entry a block mapping
        from ruamel.yaml.comments import CommentedMap

        item = CommentedMap(item)
    date_key = "date" if key in ("interactions", "surveys", "complaints") else "signed" if key == "deals" else None
    insert_dated(seq, item, date_key)


def _fill_contact(target: dict[str, Any], source: dict[str, Any], rules: MergeRules, note_lines: list[str]) -> None:
    for k, v in source.items():
        if is_empty(v) or k == "primary":
            continue
        if is_empty(target.get(k)):
            target[k] = copy.deepcopy(v)
        elif k not in ("phone", "email") and comparable(target[k]) != comparable(v):
            note_lines.append(f"{rules.note_prefix}{target.get('name')}: {v}")
        elif k in ("phone", "email") and comparable(target[k]) != comparable(v):
            # a second number for the same person cannot live in the contact: a new contact entry
            # would duplicate the person, so the differing value is reported, not stored in notes
            # (phone numbers in free text would escape masking on the site)
            continue

