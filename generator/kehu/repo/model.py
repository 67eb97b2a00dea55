"""Typed records of a customer file. Every record knows its file and line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..util.sharing import share_texts
from .yamlload import LoadedYaml


def as_date(value: Any) -> dt.date | None:
    """A YAML date value (ISO text as loaded, or a date) as a date; None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _date_of(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=8192)
def _date_of(text: str) -> dt.date | None:
    """One date object for each day (a large book names the same few thousand days a million times)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(slots=True)
class Contact:
    name: str
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    birthday: str | None = None
    primary: bool = False
    line: int = 0


@dataclass(slots=True)
class Deal:
    product: str
    amount: float
    signed: dt.date | None
    contract: str | None = None
    opportunity: str | None = None   # the id of the won opportunity it came from
    line: int = 0


@dataclass(slots=True)
class Opportunity:
    """商机: something that may be sold to the customer. ``stage`` won or lost is its outcome."""

    id: str
    what: str
    amount: float
    close: dt.date | None
    stage: str
    probability: float | None = None   # None: the stage's default (kehu.yaml opportunities.probability)
    owner: str | None = None           # None: the customer's owner
    created: dt.date | None = None
    closed: dt.date | None = None
    lost_reason: str | None = None
    note: str | None = None
    line: int = 0

    @property
    def is_open(self) -> bool:
        return self.stage not in ("won", "lost")


@dataclass(slots=True)
class Interaction:
    date: dt.date | None
    channel: str
    by: str
    summary: str
    outcome: str | None = None
    contact: str | None = None
    line: int = 0


@dataclass(slots=True)
class NextAction:
    date: dt.date | None
    action: str
    line: int = 0


@dataclass(slots=True)
class Survey:
    date: dt.date | None
    scores: dict[str, int]
    comment: str | None = None
    line: int = 0


@dataclass(slots=True)
class Complaint:
    date: dt.date | None
    content: str
    status: str
    category: str | None = None
    handler: str | None = None
    resolved: dt.date | None = None
    result: str | None = None
    line: int = 0


SURVEY_DIMENSIONS = ("quality", "attitude", "response", "after_sales")

# fields read into typed attributes; anything else a team adds lands in Customer.extra
_KNOWN = {
    "id", "name", "industry", "stage", "lost_from", "owner", "owner_since", "created", "imported",
    "imported_last_contact", "size", "region",
    "source", "class",
    "class_reason", "annual_value", "cooperation_since", "repurchase_rate", "tags", "risks", "needs", "budget",
    "decision_process", "contacts", "deals", "opportunities", "interactions", "next_action", "quiet_until",
    "quiet_reason", "verified", "surveys", "complaints", "notes",
}


@dataclass(slots=True)
class Customer:
    file: str
    id: str
    name: str
    industry: str
    stage: str
    owner: str
    created: dt.date | None
    imported: dt.date | None = None   # brought in from an earlier record (a spreadsheet) on this date
    imported_last_contact: dt.date | None = None  # the previous system's last follow-up (derive.last_contact)
    owner_since: dt.date | None = None  # when the current owner took it (kehu claim)
    lost_from: str | None = None
    size: str | None = None
    region: str | None = None
    source: str | None = None
    class_override: str | None = None
    class_reason: str | None = None
    annual_value: float | None = None
    cooperation_since: dt.date | None = None
    repurchase_rate: float | None = None
    tags: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    needs: str | None = None
    budget: str | float | None = None
    decision_process: str | None = None
    contacts: list[Contact] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    next_action: NextAction | None = None
    quiet_until: dt.date | None = None
    quiet_reason: str | None = None
    verified: dt.date | None = None  # profile details last re-verified (reverify_days)
    surveys: list[Survey] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    notes: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # top-level field -> line

    def line_of(self, field_name: str) -> int:
        return self.lines.get(field_name, 1)


def customer_from(loaded: LoadedYaml) -> Customer:
    """Build the typed record from a file that passed the schema."""
    d: dict[str, Any] = loaded.data
    share_texts(d)  # kehu.util.sharing: one copy of each short text, whichever way the data was read
    pos = loaded.positions

    def line(*path: str | int) -> int:
        return pos.get(tuple(path), (1, 1))[0]

    na = d.get("next_action")
    return Customer(
        file=loaded.file,
        id=str(d["id"]), name=d["name"], industry=d["industry"], stage=d["stage"], owner=d["owner"],
        created=as_date(d.get("created")), imported=as_date(d.get("imported")),
        imported_last_contact=as_date(d.get("imported_last_contact")),
        owner_since=as_date(d.get("owner_since")), lost_from=d.get("lost_from"),
        size=d.get("size"), region=d.get("region"),
        source=d.get("source"), class_override=d.get("class"), class_reason=d.get("class_reason"),
        annual_value=d.get("annual_value"), cooperation_since=as_date(d.get("cooperation_since")),
        repurchase_rate=d.get("repurchase_rate"), tags=list(d.get("tags") or []), risks=list(d.get("risks") or []),
        needs=d.get("needs"), budget=d.get("budget"), decision_process=d.get("decision_process"),
        contacts=[Contact(name=c["name"], title=c.get("title"), phone=c.get("phone"), email=c.get("email"),
                          wechat=c.get("wechat"), birthday=c.get("birthday"), primary=bool(c.get("primary")),
                          line=line("contacts", i)) for i, c in enumerate(d.get("contacts") or [])],
        deals=[Deal(product=x["product"], amount=float(x["amount"]), signed=as_date(x.get("signed")),
                    contract=x.get("contract"), opportunity=x.get("opportunity"), line=line("deals", i))
               for i, x in enumerate(d.get("deals") or [])],
        opportunities=[Opportunity(id=str(o["id"]), what=o["what"], amount=float(o["amount"]),
                                   close=as_date(o.get("close")), stage=o["stage"], probability=o.get("probability"),
                                   owner=o.get("owner"), created=as_date(o.get("created")),
                                   closed=as_date(o.get("closed")), lost_reason=o.get("lost_reason"),
                                   note=o.get("note"), line=line("opportunities", i))
                       for i, o in enumerate(d.get("opportunities") or [])],
        interactions=[Interaction(date=as_date(x["date"]), channel=x["channel"], by=x["by"], summary=x["summary"],
                                  outcome=x.get("outcome"), contact=x.get("contact"), line=line("interactions", i))
                      for i, x in enumerate(d.get("interactions") or [])],
        next_action=(NextAction(date=as_date(na["date"]), action=na["action"], line=line("next_action"))
                     if isinstance(na, dict) else None),
        quiet_until=as_date(d.get("quiet_until")), quiet_reason=d.get("quiet_reason"),
        verified=as_date(d.get("verified")),
        surveys=[Survey(date=as_date(s["date"]), scores={k: s[k] for k in SURVEY_DIMENSIONS if k in s},
                        comment=s.get("comment"), line=line("surveys", i))
                 for i, s in enumerate(d.get("surveys") or [])],
        complaints=[Complaint(date=as_date(c["date"]), content=c["content"], status=c["status"],
                              category=c.get("category"), handler=c.get("handler"),
                              resolved=as_date(c.get("resolved")), result=c.get("result"),
                              line=line("complaints", i)) for i, c in enumerate(d.get("complaints") or [])],
        notes=d.get("notes"),
        extra={k: v for k, v in d.items() if k not in _KNOWN},
        raw=d,
        lines={k: line(k) for k in d},
    )


_ITEM_LISTS = ("contacts", "deals", "opportunities", "interactions", "surveys", "complaints")

# A customer record without the YAML: the data plus the lines ``customer_from`` uses, as plain JSON.
# The site caches it by file content, so a build after ``kehu check`` does not parse the YAML again.
Record = list[Any]  # [data, {top-level key: line}, {list field: [line of each item]}]


def record_of(loaded: LoadedYaml) -> Record:
    pos = loaded.positions
    data = loaded.data
    top = {k: pos.get((k,), (1, 1))[0] for k in data}
    items = {name: [pos.get((name, i), (1, 1))[0] for i in range(len(data[name]))]
             for name in _ITEM_LISTS if isinstance(data.get(name), list)}
    return [data, top, items]


def customer_from_record(file: str, record: Record) -> Customer:
    """The same ``Customer`` that ``customer_from`` builds from the file the record was made of."""
    data, top, items = record
    positions: dict[tuple[str | int, ...], tuple[int, int]] = {(k,): (line, 1) for k, line in top.items()}
    for name, lines in items.items():
        positions.update({(name, i): (line, 1) for i, line in enumerate(lines)})
    customer = customer_from(LoadedYaml(file, data, positions))
    customer.lines = top  # the same mapping: one copy a customer, not two (a large book holds every customer)
    return customer


@dataclass(slots=True)
class Member:
    handle: str
    name: str
    role: str
    email: str | None = None
    git: str | None = None
    active: bool = True
    line: int = 0
    code: str | None = None  # the member's part of the ids they create (kehu.store.ids)
    # reminder channels (`kehu remind`), as team.yaml writes them
    remind: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class Team:
    file: str
    members: list[Member] = field(default_factory=list)

    @property
    def handles(self) -> dict[str, Member]:
        return {m.handle: m for m in self.members}


def team_from(loaded: LoadedYaml) -> Team:
    members = []
    for i, m in enumerate((loaded.data or {}).get("members") or []):
        members.append(Member(handle=m["handle"], name=m["name"], role=m["role"], email=m.get("email"),
                              git=m.get("git"), active=m.get("active", True), code=m.get("code"),
                              line=loaded.positions.get(("members", i), (1, 1))[0],
                              remind=[r for r in m.get("remind") or [] if isinstance(r, dict)]))
    return Team(loaded.file, members)
