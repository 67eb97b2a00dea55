"""The checker's rules: small functions that look at one file (or the index of
all files) and return problems. Add a rule by writing a function and listing it
in ``FILE_RULES`` or ``REPO_RULES``."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import combinations
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from ..repo.config import Config
from ..repo.model import Customer, as_date
from ..repo.yamlload import LoadedYaml
from ..util.problems import Problem
from ..words.catalogue import Locale
from ..words.input_words import chars, input_words
from ..words.terminal import SUSPECT, text_fault
from .names import NameKey, name_key, similar_pairs, typo_kind
from .normalize import normalize_company, normalize_email, parse_phone
from .privacy import find_bank_card, find_national_id

if TYPE_CHECKING:
    from ..repo.schema import SchemaSet


class _Places:
    """What every rule's context says about where a problem is (a mixin of the two contexts below)."""

    __slots__ = ()
    loaded: LoadedYaml
    msgs: Locale
    schemas: SchemaSet | None
    handles: frozenset[str] | None
    names: dict[str, str]

    def at(self, *path: str | int) -> tuple[int, int]:
        return self.loaded.pos(tuple(path))

    def place(self, *path: str | int) -> str:
        """The place as a person says it: 跟进记录第3条 · 跟进人 (the schema's titles)."""
        if self.schemas is None:
            return _dotted(path)
        return self.schemas.field_words(path, self.msgs.code)

    def label(self, vocabulary: str, key: str | None) -> str:
        """A vocabulary value as people read it (the schema's label): negotiating → 谈判."""
        vocab = self.schemas.vocabularies.get(vocabulary) if self.schemas is not None else None
        return vocab.label(key, self.msgs.code) if vocab is not None and key else str(key or "")

    def members(self) -> str:
        """The team as a hint lists it: 陈静（chenjing） — the name to recognise, the handle to write."""
        return self.msgs.join(self.msgs.word("name_id", name=self.names[h], id=h) if self.names.get(h) else h
                              for h in sorted(self.handles or []))


@dataclass(slots=True)
class RawContext(_Places):
    """A file as loaded, whatever its shape: what RAW_RULES read."""

    loaded: LoadedYaml
    config: Config
    handles: frozenset[str] | None  # None: team.yaml missing or invalid, handle checks are skipped
    msgs: Locale
    today: dt.date
    schemas: SchemaSet | None = None  # the repository's schemas: problems name fields by their titles
    names: dict[str, str] = field(default_factory=dict)  # handle -> the member's name (team.yaml)


@dataclass(slots=True)
class FileContext(_Places):
    """A file that passed the schema, with its typed record: what FILE_RULES read."""

    loaded: LoadedYaml
    customer: Customer
    config: Config
    handles: frozenset[str] | None
    msgs: Locale
    today: dt.date
    schemas: SchemaSet | None = None
    names: dict[str, str] = field(default_factory=dict)
    inactive: frozenset[str] = frozenset()  # members who left (team.yaml active: false)


# Rules that read only the file's data (any shape): they run even on a file that fails the schema, so one
# `kehu check` reports a bad e-mail or an unknown handle together with the schema's errors, not a round later.
RawRule = Callable[[RawContext | FileContext], Iterable[Problem]]


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
    name_key: NameKey | None = None  # what identifies the company (kehu.core.names), for near-duplicates

    def as_list(self) -> list[Any]:
        return [self.file, self.id, list(self.id_pos), self.name, list(self.name_pos), self.norm_name,
                [list(p) for p in self.phones], [list(e) for e in self.emails],
                self.name_key.as_list() if self.name_key else None]

    @classmethod
    def from_list(cls, v: list[Any]) -> IndexEntry:
        return cls(v[0], v[1], tuple(v[2]), v[3], tuple(v[4]), v[5],
                   [tuple(p) for p in v[6]], [tuple(e) for e in v[7]], NameKey.from_list(v[8]) if v[8] else None)


FileRule = Callable[[FileContext], Iterable[Problem]]


def id_matches_file(ctx: FileContext) -> Iterator[Problem]:
    c = ctx.customer
    stem = PurePath(c.file).stem
    if c.id != stem:
        yield ctx.msgs.error(c.file, *ctx.at("id"), "id-filename", id=c.id, stem=stem)
    pattern = ctx.config.ids.pattern
    if pattern and not re.fullmatch(pattern, c.id):
        yield ctx.msgs.error(c.file, *ctx.at("id"), "id-pattern", id=c.id, pattern=pattern)


def handles_known(ctx: RawContext | FileContext) -> Iterator[Problem]:
    """owner, by, handler, an opportunity's owner, who corrected or erased a record: team members. Read from the
    data as written (a raw rule)."""
    if ctx.handles is None:
        return
    data, m, file = _mapping(ctx.loaded.data), ctx.msgs, ctx.loaded.file
    places: list[tuple[tuple[str | int, ...], object]] = [(("owner",), data.get("owner"))]
    for key, sub in (("interactions", "by"), ("complaints", "handler"), ("opportunities", "owner"),
                     ("corrections", "by"), ("forgotten", "by")):
        for i, x in enumerate(_list(data.get(key))):
            if isinstance(x, dict):
                places.append(((key, i, sub), x.get(sub)))
    by_name = {name: h for h, name in ctx.names.items()}
    for path, handle in places:
        if isinstance(handle, str) and handle and handle not in ctx.handles:
            meant = by_name.get(handle.strip())  # a member's name where the handle belongs: 李霞 → lixia
            problem = m.error(file, *ctx.at(*path), "unknown-handle", field=ctx.place(*path), handle=handle,
                              known=ctx.members())
            if meant is not None:
                problem = replace(problem, hint=m.word("write_instead", snippet=f"{path[-1]}: {meant}"))
            yield problem


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def handed_over(ctx: FileContext) -> Iterator[Problem]:
    """A member who left (``active: false``) keeps every past record (``by:``, handlers of resolved complaints);
    what they still hold — the customer, an open opportunity, an open complaint — is a warning to hand over,
    never an error that hides the customer."""
    if not ctx.inactive:
        return
    c, m = ctx.customer, ctx.msgs
    if c.owner in ctx.inactive and c.stage != "lost":
        yield m.warning(c.file, *ctx.at("owner"), "owner-inactive", field="owner", handle=c.owner)
    for i, o in enumerate(c.opportunities):
        if o.is_open and o.owner in ctx.inactive:
            yield m.warning(c.file, *ctx.at("opportunities", i, "owner"), "owner-inactive",
                            field=f"opportunities[{i}].owner", handle=o.owner)
    for i, x in enumerate(c.complaints):
        if x.status != "resolved" and x.handler in ctx.inactive:
            yield m.warning(c.file, *ctx.at("complaints", i, "handler"), "owner-inactive",
                            field=f"complaints[{i}].handler", handle=x.handler)


def dates_plausible(ctx: FileContext) -> Iterator[Problem]:
    c, m, today = ctx.customer, ctx.msgs, ctx.today
    dated: list[tuple[tuple[str | int, ...], dt.date | None]] = [(("created",), c.created),
                                                                  (("imported_last_contact",), c.imported_last_contact)]
    dated += [(("interactions", i, "date"), x.date) for i, x in enumerate(c.interactions)]
    dated += [(("surveys", i, "date"), x.date) for i, x in enumerate(c.surveys)]
    dated += [(("complaints", i, "date"), x.date) for i, x in enumerate(c.complaints)]
    dated += [(("complaints", i, "resolved"), x.resolved) for i, x in enumerate(c.complaints)]
    for path, value in dated:
        if value and value > today:
            yield m.error(c.file, *ctx.at(*path), "future-date", field=ctx.place(*path), value=value, today=today)
    for path, text in _strings({k: ctx.loaded.data.get(k) for k in _DATED}, ()):
        if path[-1] in _DATE_KEYS and _ISO_DAY.fullmatch(text):
            day = as_date(text)
            if day is None or day.year < _FIRST_YEAR:  # 0000-01-01 passes the schema, but no rule can use it
                yield m.error(c.file, *ctx.at(*path), "implausible-date", field=ctx.place(*path), value=text,
                              first=_FIRST_YEAR)
    for i, contact in enumerate(c.contacts):
        if contact.birthday and not _real_month_day(contact.birthday):
            yield m.error(c.file, *ctx.at("contacts", i, "birthday"), "bad-birthday",
                          field=ctx.place("contacts", i, "birthday"), value=contact.birthday)
    for i, x in enumerate(c.complaints):
        if x.resolved and x.date and x.resolved < x.date:
            yield m.error(c.file, *ctx.at("complaints", i, "resolved"), "date-order",
                          field=ctx.place("complaints", i, "resolved"), value=x.resolved,
                          other_field=ctx.place("complaints", i, "date"), other=x.date)


_DATED = ("created", "imported_last_contact", "cooperation_since", "quiet_until", "next_action", "interactions",
          "deals", "surveys", "complaints")
_DATE_KEYS = frozenset({"created", "imported_last_contact", "cooperation_since", "quiet_until", "date", "signed",
                        "resolved"})
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_FIRST_YEAR = 1900  # a customer record from before this is a typo


def _real_month_day(text: str) -> bool:
    """'05-12' or '02-29' (a leap year knows it), not '02-30' or '04-31' (the schema only checks the form)."""
    try:
        month, day = (int(x) for x in text.split("-"))
        dt.date(2000, month, day)
    except ValueError:
        return False
    return True


def contacts_valid(ctx: RawContext | FileContext) -> Iterator[Problem]:
    """Mobile numbers and e-mails valid, one primary contact. Read from the data as written (a raw rule)."""
    m, file = ctx.msgs, ctx.loaded.file
    region = ctx.config.check.phone_region
    contacts = [x if isinstance(x, dict) else {} for x in _list(_mapping(ctx.loaded.data).get("contacts"))]
    for i, contact in enumerate(contacts):
        phone, email = contact.get("phone"), contact.get("email")
        if isinstance(phone, str) and phone:
            e164, reason = parse_phone(phone, region)
            if e164 is None:
                yield m.error(file, *ctx.at("contacts", i, "phone"), "bad-phone", value=phone,
                              field=ctx.place("contacts", i, "phone"), detail=m.word(f"phone.{reason}"))
        if isinstance(email, str) and email:
            norm, reason = normalize_email(email)
            if norm is None:
                yield m.error(file, *ctx.at("contacts", i, "email"), "bad-email", value=email,
                              field=ctx.place("contacts", i, "email"), detail=m.word(f"email.{reason}"))
    primaries = [i for i, x in enumerate(contacts) if x.get("primary") is True]
    if len(primaries) > 1:  # shown at the second one: that is usually the line to change
        yield m.warning(file, *ctx.at("contacts", primaries[1], "primary"), "many-primary", count=len(primaries))


def no_forbidden_numbers(ctx: RawContext | FileContext) -> Iterator[Problem]:
    """National ID and bank card numbers must never be stored, wherever they hide."""
    if not _may_hold_long_number(ctx.loaded.data):
        return
    file, m = ctx.loaded.file, ctx.msgs
    for path, value in _strings(ctx.loaded.data, ()):
        if find_national_id(value):
            yield m.error(file, *ctx.at(*path), "national-id", field=ctx.place(*path))
        elif path[0] != "former_ids" and find_bank_card(value):  # another system's record id: not a card
            yield m.error(file, *ctx.at(*path), "bank-card", field=ctx.place(*path))


def followups_specific(ctx: FileContext) -> Iterator[Problem]:
    c, m, cfg = ctx.customer, ctx.msgs, ctx.config
    vague = {_squash(v) for v in cfg.vague_summaries}
    limit = cfg.summary_max_chars
    for i, x in enumerate(c.interactions):
        if _squash(x.summary) in vague:
            yield m.warning(c.file, *ctx.at("interactions", i, "summary"), "vague-summary",
                            field=ctx.place("interactions", i, "summary"), value=x.summary)
        if limit and len(x.summary) > limit:
            yield m.error(c.file, *ctx.at("interactions", i, "summary"), "summary-too-long",
                          field=ctx.place("interactions", i, "summary"), length=len(x.summary), limit=limit)


def info_to_collect(ctx: FileContext) -> Iterator[Problem]:
    from .derive import may_hold_marker, missing_info  # derive owns what "missing" means

    c, m = ctx.customer, ctx.msgs
    markers = {x.strip() for x in ctx.config.missing_markers}
    if not may_hold_marker(ctx.loaded.data, markers):  # the usual case
        return
    for item in missing_info(c, ctx.config):
        if item.value is not None and str(item.value).strip() in markers:
            path = tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", item.field) if p)
            yield m.warning(c.file, *ctx.at(*path), "missing-info", field=ctx.place(*path), value=item.value)


def first_followup_in_time(ctx: FileContext) -> Iterator[Problem]:
    from .derive import contact_days, predates_kehu  # derive owns what "a new customer" and "contact" mean

    c, m, cfg = ctx.customer, ctx.msgs, ctx.config
    if not c.created or c.stage == "lost" or predates_kehu(c):
        return  # a customer imported from before kehu was never a new customer here
    hours = cfg.first_followup_hours
    allowed = dt.timedelta(hours=hours)
    dates = sorted(contact_days(c))  # a deal signed or an opportunity won is the first contact too
    if dates:
        first = dates[0]
        if dt.datetime.combine(first, dt.time()) - dt.datetime.combine(c.created, dt.time()) > allowed:
            yield m.warning(c.file, *ctx.at("created"), "no-first-followup", hours=hours, created=c.created,
                            detail=m.word("first_followup_on", date=first))
    elif dt.datetime.combine(ctx.today, dt.time()) - dt.datetime.combine(c.created, dt.time()) > allowed:
        yield m.warning(c.file, *ctx.at("created"), "no-first-followup", hours=hours, created=c.created, detail="")


def stage_consistent(ctx: FileContext) -> Iterator[Problem]:
    c = ctx.customer
    if c.stage != "lost" and c.lost_from:
        yield ctx.msgs.warning(c.file, *ctx.at("lost_from"), "stale-lost-from", stage=ctx.label("stage", c.stage),
                               field=ctx.place("lost_from"))


def booleans_plain(ctx: RawContext | FileContext) -> Iterator[Problem]:
    """``primary: yes`` is true for kehu (YAML 1.1) but the text "yes" for editors and other YAML 1.2
    tools; only true/false mean the same everywhere."""
    for path, text in ctx.loaded.texts.items():
        if text.lower() in _YAML11_BOOLS:
            yield ctx.msgs.error(ctx.loaded.file, *ctx.at(*path), "yaml-bool", field=ctx.place(*path), text=text,
                                 value=str(text.lower() in ("yes", "on", "y")).lower())


_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}


def text_visible(ctx: RawContext | FileContext) -> Iterator[Problem]:
    """Text holds no control characters (escape sequences act on a terminal, a CR hides what came before)
    and a value is not made only of invisible characters (a name of zero-width spaces is no name):
    ``words.terminal.text_fault``, the rule team.yaml's values follow too."""
    file, m = ctx.loaded.file, ctx.msgs
    if not any(isinstance(v, str) and (SUSPECT.search(v) or (v and v.isspace())) for v in _leaves(ctx.loaded.data)):
        return  # the usual case, found without building every field's path
    for path, value in _strings(ctx.loaded.data, ()):
        fault = text_fault(value)
        if fault is None:
            continue
        code, char = fault
        if code == "control-character":
            yield m.error(file, *ctx.at(*path), code, field=ctx.place(*path), char=char)
        else:
            yield m.error(file, *ctx.at(*path), code, field=ctx.place(*path))


def opportunities_sound(ctx: FileContext) -> Iterator[Problem]:
    """商机: unique ids, known owners, a won one has its deal, a lost one its reason, an open one a
    close date still ahead, and the customer's stage not behind its opportunities."""
    c, m, today = ctx.customer, ctx.msgs, ctx.today
    from_deals = {d.opportunity for d in c.deals if d.opportunity}
    if not c.opportunities and not from_deals:
        return
    ids = {o.id for o in c.opportunities}
    for i, d in enumerate(c.deals):
        if d.opportunity and d.opportunity not in ids:
            yield m.error(c.file, *ctx.at("deals", i, "opportunity"), "deal-unknown-opportunity", id=d.opportunity,
                          known=m.word("sep").join(sorted(ids)) or "—")
    seen: dict[str, int] = {}
    stages = ctx.config.stages
    furthest = -1
    for i, o in enumerate(c.opportunities):
        if o.id in seen:
            yield m.error(c.file, *ctx.at("opportunities", i, "id"), "opp-duplicate-id", id=o.id, first=seen[o.id])
        else:
            seen[o.id] = ctx.at("opportunities", i)[0]
        for key, value in (("created", o.created), ("closed", o.closed)):
            if value and value > today:
                yield m.error(c.file, *ctx.at("opportunities", i, key), "future-date",
                              field=ctx.place("opportunities", i, key), value=value, today=today)
        if o.stage == "won" and o.id not in from_deals:
            yield m.error(c.file, *ctx.at("opportunities", i, "stage"), "opp-won-without-deal", id=o.id, what=o.what)
        elif o.stage == "lost" and not o.lost_reason:
            yield m.warning(c.file, *ctx.at("opportunities", i, "stage"), "opp-lost-without-reason", id=o.id)
        elif o.is_open and o.close and o.close < today:
            yield m.warning(c.file, *ctx.at("opportunities", i, "close"), "opp-close-passed", id=o.id,
                            close=o.close, what=o.what)
        if o.stage != "lost" and o.stage in stages:
            furthest = max(furthest, stages.index(o.stage))
    if c.stage != "lost" and c.stage in stages and stages.index(c.stage) < furthest:
        yield m.warning(c.file, *ctx.at("stage"), "stage-behind-opportunity", stage=c.stage, opp_stage=stages[furthest],
                        stage_label=ctx.label("stage", c.stage), opp_label=ctx.label("stage", stages[furthest]))


FILE_RULES: list[FileRule] = [
    id_matches_file, handles_known, handed_over, dates_plausible, contacts_valid, no_forbidden_numbers,
    followups_specific, info_to_collect, first_followup_in_time, stage_consistent, booleans_plain, text_visible,
    opportunities_sound,
]
# the rules that read the data as written, whatever its shape: also run on a file the schema refuses
RAW_RULES: list[RawRule] = [handles_known, contacts_valid, no_forbidden_numbers, booleans_plain, text_visible]


def index_entry(loaded: LoadedYaml, config: Config) -> IndexEntry:
    """The facts cross-file rules compare, taken even from a file that failed the schema."""
    data = loaded.data if isinstance(loaded.data, dict) else {}
    entry = IndexEntry(loaded.file)
    if isinstance(data.get("id"), str | int):
        entry.id, entry.id_pos = str(data["id"]), loaded.pos(("id",))
    if isinstance(data.get("name"), str):
        entry.name, entry.name_pos = data["name"], loaded.pos(("name",))
        suffixes = config.check.company_suffixes
        entry.norm_name = normalize_company(data["name"], suffixes)
        entry.name_key = name_key(data["name"], suffixes)
    region = config.check.phone_region
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


def repo_rules(entries: list[IndexEntry], selected: set[str], config: Config, msgs: Locale) -> list[Problem]:
    """Cross-file rules: unique ids, duplicate customers (撞单), near-identical names.

    Only problems in ``selected`` files are returned, but they name the other file.
    """
    problems: list[Problem] = []
    allowed = {frozenset(pair) for pair in config.check.not_duplicates}

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
        by_value: defaultdict[str, list[tuple[IndexEntry, tuple[str, str, int, int]]]] = defaultdict(list)
        values = {it[0] for e in picked for it in getattr(e, attr)} if few else None
        for e in entries:
            items = getattr(e, attr)
            if values is not None and not any(it[0] in values for it in items):
                continue
            for item in {it[0]: it for it in items}.values():
                by_value[item[0]].append((e, item))
        # a contact detail two companies share is a question, not proof that they are one: a switchboard, an
        # agent, a placeholder typed into the old system (13800000000). The same company is the name's to say
        # (duplicate-name above, near-duplicate-name below); a shared phone or e-mail is a warning.
        for holders in by_value.values():
            for (a, ia), (b, ib) in combinations(holders, 2):
                if a.file == b.file or exempt(a, b):
                    continue
                if a.file in selected:
                    problems.append(msgs.warning(a.file, ia[2], ia[3], code, (b.file,), value=ia[1], other=b.file,
                                                 other_name=b.name or ""))
                if b.file in selected:
                    problems.append(msgs.warning(b.file, ib[2], ib[3], code, (a.file,), value=ib[1], other=a.file,
                                                 other_name=a.name or ""))
    for a, b, kind in near_duplicates(entries, selected, config):
        if not exempt(a, b):
            why = msgs.word(f"typo.{kind}")

            def near(x: IndexEntry, y: IndexEntry, why: str = why) -> Problem:  # (mypy types no lambda default)
                return msgs.warning(x.file, *x.name_pos, "near-duplicate-name", (y.file,),
                                    name=x.name, other_name=y.name, other=y.file, why=why)

            report(a, b, near)
    return problems


def near_duplicates(entries: list[IndexEntry], selected: set[str],
                    config: Config) -> list[tuple[IndexEntry, IndexEntry, str]]:
    """Pairs (with the kind of slip) that ``kehu.core.names`` calls the same company typed differently —
    not those with the same normalised name, which are exact duplicates."""
    k = config.check.near_duplicate_distance
    min_len = config.check.near_duplicate_min_length
    if k <= 0:
        return []
    keys = [e.name_key for e in entries]
    chosen = None if len(selected) >= len(entries) else [i for i, e in enumerate(entries) if e.file in selected]
    return [(entries[i], entries[j], kind) for i, j, kind in similar_pairs(keys, chosen, k, min_len)
            if entries[i].norm_name != entries[j].norm_name and entries[i].file != entries[j].file]


def near_duplicates_of(name: str, entries: Iterable[IndexEntry], config: Config) -> list[tuple[IndexEntry, str]]:
    """The entries a new customer called ``name`` would be a near-duplicate of (the checker's rule, for
    ``kehu new`` and the importer), with the kind of slip."""
    check = config.check
    k, min_len = check.near_duplicate_distance, check.near_duplicate_min_length
    if k <= 0:
        return []
    suffixes = check.company_suffixes
    mine, norm = name_key(name, suffixes), normalize_company(name, suffixes)
    out = []
    for e in entries:
        if e.name_key is None or e.norm_name == norm or \
                (e.name_key.latin == mine.latin and abs(len(e.name_key.core) - len(mine.core)) > 1):
            continue  # (a Chinese and a Latin name are compared whatever their lengths: translation)
        kind = typo_kind(mine, e.name_key, k, min_len)
        if kind:
            out.append((e, kind))
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


@lru_cache(maxsize=1)
def _squashed() -> re.Pattern[str]:
    """The marks a vague summary may carry (data/input_words.yaml): compiled once, _squash runs for every
    interaction."""
    return re.compile(rf"[\s{chars(input_words()['vague_summary_marks'])}]+")


def _squash(text: str) -> str:
    return _squashed().sub("", str(text)).casefold()


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
