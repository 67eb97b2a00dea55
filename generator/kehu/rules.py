"""The checker's rules: small functions that look at one file (or the index of
all files) and return problems. Add a rule by writing a function and listing it
in ``FILE_RULES`` or ``REPO_RULES``."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, combinations
from operator import itemgetter
from pathlib import PurePath
from typing import Any

from .config import Config
from .messages import Messages
from .model import Customer
from .normalize import normalize_company, normalize_email, parse_phone
from .privacy import find_bank_card, find_national_id
from .problems import Problem
from .yamlload import LoadedYaml


@dataclass(slots=True)
class FileContext:
    loaded: LoadedYaml
    customer: Customer
    config: Config
    handles: frozenset[str] | None  # None: team.yaml missing or invalid, handle checks are skipped
    msgs: Messages
    today: dt.date

    def at(self, *path: str | int) -> tuple[int, int]:
        return self.loaded.pos(tuple(path))


@dataclass(slots=True)
class IndexEntry:
    """What cross-file rules need to know about one customer file."""

    file: str
    id: str | None = None
    id_pos: tuple[int, int] = (1, 1)
    name: str | None = None
    name_pos: tuple[int, int] = (1, 1)
    norm_name: str = ""
    phones: list[tuple[str, str, int, int]] = field(default_factory=list)  # (e164, as written, line, col)
    emails: list[tuple[str, str, int, int]] = field(default_factory=list)

    def as_list(self) -> list[Any]:
        return [self.file, self.id, list(self.id_pos), self.name, list(self.name_pos), self.norm_name,
                [list(p) for p in self.phones], [list(e) for e in self.emails]]

    @classmethod
    def from_list(cls, v: list[Any]) -> IndexEntry:
        return cls(v[0], v[1], tuple(v[2]), v[3], tuple(v[4]), v[5],
                   [tuple(p) for p in v[6]], [tuple(e) for e in v[7]])


FileRule = Callable[[FileContext], Iterable[Problem]]


def id_matches_file(ctx: FileContext) -> Iterator[Problem]:
    c = ctx.customer
    stem = PurePath(c.file).stem
    if c.id != stem:
        yield ctx.msgs.error(c.file, *ctx.at("id"), "id-filename", id=c.id, stem=stem)
    pattern = ctx.config["ids"]["pattern"]
    if pattern and not re.fullmatch(pattern, c.id):
        yield ctx.msgs.error(c.file, *ctx.at("id"), "id-pattern", id=c.id, pattern=pattern)


def handles_known(ctx: FileContext) -> Iterator[Problem]:
    if ctx.handles is None:
        return
    c, m = ctx.customer, ctx.msgs
    known = m.word("sep").join(sorted(ctx.handles))
    if c.owner not in ctx.handles:
        yield m.error(c.file, *ctx.at("owner"), "unknown-handle", field="owner", handle=c.owner, known=known)
    for i, x in enumerate(c.interactions):
        if x.by not in ctx.handles:
            yield m.error(c.file, *ctx.at("interactions", i, "by"), "unknown-handle",
                          field=f"interactions[{i}].by", handle=x.by, known=known)
    for i, x in enumerate(c.complaints):
        if x.handler and x.handler not in ctx.handles:
            yield m.error(c.file, *ctx.at("complaints", i, "handler"), "unknown-handle",
                          field=f"complaints[{i}].handler", handle=x.handler, known=known)
    for key in ("corrections", "forgotten"):  # who corrected or erased a past record is a team member too
        for i, x in enumerate(c.extra.get(key) or []):
            by = x.get("by") if isinstance(x, dict) else None
            if isinstance(by, str) and by not in ctx.handles:
                yield m.error(c.file, *ctx.at(key, i, "by"), "unknown-handle", field=f"{key}[{i}].by", handle=by,
                              known=known)


def dates_plausible(ctx: FileContext) -> Iterator[Problem]:
    c, m, today = ctx.customer, ctx.msgs, ctx.today
    dated: list[tuple[tuple[str | int, ...], dt.date | None]] = [(("created",), c.created)]
    dated += [(("interactions", i, "date"), x.date) for i, x in enumerate(c.interactions)]
    dated += [(("surveys", i, "date"), x.date) for i, x in enumerate(c.surveys)]
    dated += [(("complaints", i, "date"), x.date) for i, x in enumerate(c.complaints)]
    dated += [(("complaints", i, "resolved"), x.resolved) for i, x in enumerate(c.complaints)]
    for path, value in dated:
        if value and value > today:
            yield m.error(c.file, *ctx.at(*path), "future-date", field=_dotted(path), value=value, today=today)
    for i, contact in enumerate(c.contacts):
        if contact.birthday and not _real_month_day(contact.birthday):
            yield m.error(c.file, *ctx.at("contacts", i, "birthday"), "bad-birthday",
                          field=f"contacts[{i}].birthday", value=contact.birthday)
    for i, x in enumerate(c.complaints):
        if x.resolved and x.date and x.resolved < x.date:
            yield m.error(c.file, *ctx.at("complaints", i, "resolved"), "date-order",
                          field=f"complaints[{i}].resolved", value=x.resolved,
                          other_field=f"complaints[{i}].date", other=x.date)


def _real_month_day(text: str) -> bool:
    """'05-12' or '02-29' (a leap year knows it), not '02-30' or '04-31' (the schema only checks the form)."""
    try:
        month, day = (int(x) for x in text.split("-"))
        dt.date(2000, month, day)
    except ValueError:
        return False
    return True


def contacts_valid(ctx: FileContext) -> Iterator[Problem]:
    c, m = ctx.customer, ctx.msgs
    region = ctx.config["check"]["phone_region"]
    for i, contact in enumerate(c.contacts):
        if contact.phone:
            e164, reason = parse_phone(contact.phone, region)
            if e164 is None:
                yield m.error(c.file, *ctx.at("contacts", i, "phone"), "bad-phone", value=contact.phone,
                              detail=f" ({reason})" if reason not in ("invalid", "empty") else "")
        if contact.email:
            norm, reason = normalize_email(contact.email)
            if norm is None:
                yield m.error(c.file, *ctx.at("contacts", i, "email"), "bad-email", value=contact.email,
                              detail=reason)
    primaries = [i for i, x in enumerate(c.contacts) if x.primary]
    if len(primaries) > 1:  # shown at the second one: that is usually the line to change
        yield m.warning(c.file, *ctx.at("contacts", primaries[1], "primary"), "many-primary", count=len(primaries))


def no_forbidden_numbers(ctx: FileContext) -> Iterator[Problem]:
    """National ID and bank card numbers must never be stored, wherever they hide."""
    if not _may_hold_long_number(ctx.loaded.data):
        return
    c, m = ctx.customer, ctx.msgs
    for path, value in _strings(ctx.loaded.data, ()):
        if find_national_id(value):
            yield m.error(c.file, *ctx.at(*path), "national-id", field=_dotted(path))
        elif find_bank_card(value):
            yield m.error(c.file, *ctx.at(*path), "bank-card", field=_dotted(path))


def followups_specific(ctx: FileContext) -> Iterator[Problem]:
    c, m, cfg = ctx.customer, ctx.msgs, ctx.config
    vague = {_squash(v) for v in cfg["vague_summaries"]}
    limit = cfg["summary_max_chars"]
    for i, x in enumerate(c.interactions):
        if _squash(x.summary) in vague:
            yield m.warning(c.file, *ctx.at("interactions", i, "summary"), "vague-summary",
                            field=f"interactions[{i}].summary", value=x.summary)
        if limit and len(x.summary) > limit:
            yield m.error(c.file, *ctx.at("interactions", i, "summary"), "summary-too-long",
                          field=f"interactions[{i}].summary", length=len(x.summary), limit=limit)


def info_to_collect(ctx: FileContext) -> Iterator[Problem]:
    from .derive import missing_info  # derive owns what "missing" means

    c, m = ctx.customer, ctx.msgs
    markers = {x.strip() for x in ctx.config["missing_markers"]}
    if not _holds_marker(ctx.loaded.data, markers):  # the usual case, found without building every field's path
        return
    for item in missing_info(c, ctx.config):
        if item.value is not None and str(item.value).strip() in markers:
            path = tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", item.field) if p)
            yield m.warning(c.file, *ctx.at(*path), "missing-info", field=item.field, value=item.value)


def first_followup_in_time(ctx: FileContext) -> Iterator[Problem]:
    c, m, cfg = ctx.customer, ctx.msgs, ctx.config
    if not c.created or c.stage == "lost":
        return
    hours = cfg["first_followup_hours"]
    allowed = dt.timedelta(hours=hours)
    dates = sorted(x.date for x in c.interactions if x.date)
    if dates:
        first = dates[0]
        if dt.datetime.combine(first, dt.time()) - dt.datetime.combine(c.created, dt.time()) > allowed:
            detail = f": {first}"
            yield m.warning(c.file, *ctx.at("created"), "no-first-followup", hours=hours, created=c.created,
                            detail=detail)
    elif dt.datetime.combine(ctx.today, dt.time()) - dt.datetime.combine(c.created, dt.time()) > allowed:
        yield m.warning(c.file, *ctx.at("created"), "no-first-followup", hours=hours, created=c.created, detail="")


def stage_consistent(ctx: FileContext) -> Iterator[Problem]:
    c = ctx.customer
    if c.stage != "lost" and c.lost_from:
        yield ctx.msgs.warning(c.file, *ctx.at("lost_from"), "stale-lost-from", stage=c.stage)


def booleans_plain(ctx: FileContext) -> Iterator[Problem]:
    """``primary: yes`` is true for kehu (YAML 1.1) but the text "yes" for editors and other YAML 1.2
    tools; only true/false mean the same everywhere."""
    for path, text in ctx.loaded.texts.items():
        if text.lower() in _YAML11_BOOLS:
            yield ctx.msgs.error(ctx.customer.file, *ctx.at(*path), "yaml-bool", field=_dotted(path), text=text,
                                 value=str(text.lower() in ("yes", "on", "y")).lower())


_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}

FILE_RULES: list[FileRule] = [
    id_matches_file, handles_known, dates_plausible, contacts_valid, no_forbidden_numbers,
    followups_specific, info_to_collect, first_followup_in_time, stage_consistent, booleans_plain,
]


def index_entry(loaded: LoadedYaml, config: Config) -> IndexEntry:
    """The facts cross-file rules compare, taken even from a file that failed the schema."""
    data = loaded.data if isinstance(loaded.data, dict) else {}
    entry = IndexEntry(loaded.file)
    if isinstance(data.get("id"), str | int):
        entry.id, entry.id_pos = str(data["id"]), loaded.pos(("id",))
    if isinstance(data.get("name"), str):
        entry.name, entry.name_pos = data["name"], loaded.pos(("name",))
        entry.norm_name = normalize_company(data["name"], tuple(config["check"]["company_suffixes"]))
    region = config["check"]["phone_region"]
    for i, contact in enumerate(data.get("contacts") or []):
        if not isinstance(contact, dict):
            continue
        phone, email = contact.get("phone"), contact.get("email")
        if isinstance(phone, str | int) and phone:
            e164, _ = parse_phone(str(phone), region)
            if e164:
                entry.phones.append((e164, str(phone), *loaded.pos(("contacts", i, "phone"))))
        if isinstance(email, str) and email:
            norm, _ = normalize_email(email)
            if norm:
                entry.emails.append((norm, email, *loaded.pos(("contacts", i, "email"))))
    return entry


def repo_rules(entries: list[IndexEntry], selected: set[str], config: Config, msgs: Messages) -> list[Problem]:
    """Cross-file rules: unique ids, duplicate customers (撞单), near-identical names.

    Only problems in ``selected`` files are returned, but they name the other file.
    """
    problems: list[Problem] = []
    allowed = {frozenset(pair) for pair in config["check"]["not_duplicates"]}

    def exempt(a: IndexEntry, b: IndexEntry) -> bool:
        return frozenset((a.id, b.id)) in allowed

    def report(a: IndexEntry, b: IndexEntry, make: Callable[[IndexEntry, IndexEntry], Problem]) -> None:
        if a.file in selected:
            problems.append(make(a, b))
        if b.file in selected:
            problems.append(make(b, a))

    # A group yields problems only through a selected file: in a run on a few files, group only the
    # values those files hold (the same problems, without indexing every value of the repository).
    picked = [e for e in entries if e.file in selected]
    few = len(picked) < len(entries)
    ids = {e.id for e in picked} if few else None
    names = {e.norm_name for e in picked} if few else None
    for group in _groups(entries, lambda e: [e.id] if e.id and (ids is None or e.id in ids) else []):
        for a, b in combinations(group, 2):
            report(a, b, lambda x, y: msgs.error(x.file, *x.id_pos, "id-duplicate", (y.file,), id=x.id, other=y.file))
    for group in _groups(entries, lambda e: [e.norm_name] if e.norm_name and (names is None or e.norm_name in names)
                         else []):
        for a, b in combinations(group, 2):
            if not exempt(a, b):
                report(a, b, lambda x, y: msgs.error(x.file, *x.name_pos, "duplicate-name", (y.file,),
                                                     name=x.name, other=y.file))
    for attr, code in (("phones", "duplicate-phone"), ("emails", "duplicate-email")):
        by_value: defaultdict[str, list[tuple[IndexEntry, tuple]]] = defaultdict(list)
        values = {it[0] for e in picked for it in getattr(e, attr)} if few else None
        for e in entries:
            items = getattr(e, attr)
            if values is not None and not any(it[0] in values for it in items):
                continue
            for item in {it[0]: it for it in items}.values():
                by_value[item[0]].append((e, item))
        for holders in by_value.values():
            for (a, ia), (b, ib) in combinations(holders, 2):
                if a.file == b.file or exempt(a, b):
                    continue
                if a.file in selected:
                    problems.append(msgs.error(a.file, ia[2], ia[3], code, (b.file,), value=ia[1], other=b.file))
                if b.file in selected:
                    problems.append(msgs.error(b.file, ib[2], ib[3], code, (a.file,), value=ib[1], other=a.file))
    for a, b in near_duplicates(entries, selected, config):
        if not exempt(a, b):
            report(a, b, lambda x, y: msgs.warning(x.file, *x.name_pos, "near-duplicate-name", (y.file,),
                                                   name=x.name, other_name=y.name, other=y.file))
    return problems


def near_duplicates(entries: list[IndexEntry], selected: set[str],
                    config: Config) -> list[tuple[IndexEntry, IndexEntry]]:
    """Pairs whose normalised names differ by 1..k edits.

    A few selected files are compared with every name directly (rapidfuzz, C++);
    a full run finds candidate pairs with a filter that never misses a pair
    (``_candidates``), then measures only those: the same pairs, without
    comparing all pairs.
    """
    from rapidfuzz import process  # imported here: a check answered from the cache never needs it
    from rapidfuzz.distance import Levenshtein

    k = int(config["check"]["near_duplicate_distance"])
    min_len = int(config["check"]["near_duplicate_min_length"])
    named = [e for e in entries if len(e.norm_name) >= min_len]
    if k <= 0 or not named:
        return []
    names = [e.norm_name for e in named]
    pairs: set[tuple[int, int]] = set()
    chosen = [i for i, e in enumerate(named) if e.file in selected]
    if len(chosen) * len(named) <= 2_000_000:
        for i in chosen:
            a = names[i]
            # one name against all the others in one C++ call: (name, distance, index) of those within k
            for _, _, j in process.extract(a, names, scorer=Levenshtein.distance, score_cutoff=k, limit=None):
                if i != j and a != names[j]:
                    pairs.add((min(i, j), max(i, j)))
    else:
        for i, j in _candidates(names, k):
            a, b = names[i], names[j]
            if a != b and Levenshtein.distance(a, b, score_cutoff=k) <= k:
                pairs.add((i, j))
    return [(named[i], named[j]) for i, j in sorted(pairs)]


def _candidates(names: list[str], k: int) -> set[tuple[int, int]]:
    """Index pairs (i < j) that include every pair of names at most ``k`` edits apart."""
    if k == 2:  # the default; for k = 1 deletions are cheaper, for k >= 3 the bigram filter lets too much through
        return _bigram_candidates(names, k)
    return _deletion_candidates(names, k)


def _deletion_candidates(names: list[str], k: int) -> set[tuple[int, int]]:
    """Names k edits apart share a string made by deleting at most k characters of each."""
    variants = [_deletions(name, k) for name in names]
    # count first (in C), then bucket only the variants two names share
    counts = Counter(chain.from_iterable(variants))
    shared = {v for v, n in counts.items() if n > 1}
    del counts
    buckets: defaultdict[str, list[int]] = defaultdict(list)
    for i, mine in enumerate(variants):
        for variant in mine & shared:
            buckets[variant].append(i)
    # ascending and distinct within a bucket: each name's variants are a set
    return {pair for members in buckets.values() for pair in combinations(members, 2)}


def _bigram_candidates(names: list[str], k: int) -> set[tuple[int, int]]:
    """Prefix filter on bigrams: exact, and several times faster than deletion neighbourhoods for k >= 2.

    One edit destroys at most two bigrams, so names k edits apart share at least
    max(bigrams) - 2k of them (counting repeats). Then, for one global order of
    the bigrams, the 2k + 1 first (rarest) bigrams of the two names meet: index
    names by those only. When both names have at most 2k bigrams that bound says
    nothing, so such short names are also paired by deletion neighbourhoods.
    """
    grams: list[list] = []
    for s in names:
        tokens: list = [s[x:x + 2] for x in range(len(s) - 1)]
        if len(set(tokens)) < len(tokens):  # a repeated bigram: its n-th repeat is a token of its own
            seen: dict[str, int] = {}
            for x, g in enumerate(tokens):
                n = seen[g] = seen.get(g, -1) + 1
                if n:
                    tokens[x] = (g, n)
        grams.append(tokens)
    freq = Counter(chain.from_iterable(grams))
    # rarest first, ties in first-seen order: any order will do, as long as it is the same for every name
    rank = {t: r for r, (t, _) in enumerate(sorted(freq.items(), key=itemgetter(1)))}
    index: defaultdict[int, list[int]] = defaultdict(list)
    short: list[int] = []
    for i, tokens in enumerate(grams):
        if len(tokens) <= 2 * k:
            short.append(i)
        for r in sorted([rank[t] for t in tokens])[: 2 * k + 1]:
            index[r].append(i)
    out = {pair for members in index.values() for pair in combinations(members, 2)}
    if len(short) > 1:
        out |= {(short[a], short[b]) for a, b in _deletion_candidates([names[i] for i in short], k)}
    return out


def _deletions(word: str, k: int) -> set[str]:
    """Every string made by deleting at most ``k`` characters of ``word``."""
    out = {word}
    frontier = {word}
    for _ in range(k):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _groups(entries: list[IndexEntry], keys: Callable[[IndexEntry], list[str]]) -> Iterator[list[IndexEntry]]:
    groups: defaultdict[str, list[IndexEntry]] = defaultdict(list)
    for e in entries:
        for k in keys(e):
            groups[k].append(e)
    return (g for g in groups.values() if len(g) > 1)


# an ID number has 18 characters, 17 of them digits; a card number at least 16 digits
_LONG_NUMBER_MIN_CHARS = 16
_MANY_DIGITS = re.compile(r"(?:\D*\d){16}")


def _leaves(data: Any) -> Iterator[Any]:
    """Every scalar in ``data`` (a loaded file: dicts, lists and scalars)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        else:
            yield value


def _may_hold_long_number(data: Any) -> bool:
    """False when no string (or number) in ``data`` has 16 digits: then none holds an ID or card number.

    A cheap pass that spares the two detailed searches on nearly every file."""
    for value in _leaves(data):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and len(value) >= _LONG_NUMBER_MIN_CHARS and _MANY_DIGITS.match(value):
            return True
    return False


def _holds_marker(data: Any, markers: set[str]) -> bool:
    """Whether any text in ``data`` is a "not known yet" marker (what missing_info reports as a value)."""
    return any(isinstance(value, str) and value.strip() in markers for value in _leaves(data))


def _strings(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path, str(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))


_SQUASHED = re.compile(r"[\s。.，,!！~]+")  # compiled once: _squash runs for every interaction


def _squash(text: str) -> str:
    return _SQUASHED.sub("", str(text)).casefold()


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
