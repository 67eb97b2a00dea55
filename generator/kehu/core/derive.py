"""Derived facts: the one place that computes status, class, due dates and the funnel.

The checker, the command line and the site all call these functions, so a
customer is never "dormant" on one page and "active" on another. Every
threshold comes from the configuration (kehu.yaml).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..repo.config import Config
from ..repo.model import Contact, Customer, Opportunity
from ..words.catalogue import is_first_followup_action

STATUSES = ("active", "dormant", "lost", "potential")
CLASSES = ("core", "key", "normal", "potential")
LEVELS = ("high", "mid", "low")
DUE_REASONS = ("next_action", "first_followup", "cadence", "visit", "quiet_ended")
RHYTHM_REASONS = ("reverify", "survey")  # due items of their own, beside the follow-up (rhythm_dues)
BUCKETS = ("overdue", "today", "soon", "later")


@dataclass(slots=True)
class Due:
    date: dt.date
    reason: str                 # one of DUE_REASONS
    action: str | None = None   # the planned action, when the reason is next_action
    line: int = 0               # where the reason stands in the file
    every: int | None = None    # the rhythm's interval in days (reverify, survey)


@dataclass(slots=True)
class Missing:
    field: str
    value: Any
    line: int


@dataclass(slots=True)
class Facts:
    last_contact: dt.date | None
    days_since_contact: int | None
    status: str
    computed_class: str
    klass: str
    class_overridden: bool
    class_why: list[str]
    annual_value: float
    value_level: str
    cooperation_since: dt.date | None
    months_cooperating: int | None
    frequency: str
    recent_interactions: int
    qualified_lead: bool
    due: Due | None
    quiet: bool
    rhythms: list[Due] = field(default_factory=list)  # re-verification and satisfaction follow-up (RHYTHM_REASONS)
    last_contact_imported: bool = False  # the last contact is the previous system's (imported_last_contact)
    # the missing information is found when first asked for: the lists and figures of a large book never ask,
    # and walking every value of every record was the costliest fact of all
    missing_of: tuple[Customer, Config] | None = field(default=None, repr=False, compare=False)
    _missing: list[Missing] | None = field(default=None, repr=False, compare=False)

    @property
    def missing(self) -> list[Missing]:
        """The values still to collect (``missing_info``); empty where they were not asked for."""
        if self._missing is None:
            self._missing = missing_info(*self.missing_of) if self.missing_of is not None else []
        return self._missing


@dataclass(slots=True)
class Context:
    config: Config
    today: dt.date
    team_revenue: float = 0.0


def months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def annual_value(c: Customer, today: dt.date) -> float:
    """The recorded annual value, else the deals signed in the last 12 months."""
    if c.annual_value is not None:
        return float(c.annual_value)
    year_ago = today - dt.timedelta(days=365)
    return float(sum(d.amount for d in c.deals if d.signed and year_ago < d.signed <= today))


def cooperation_since(c: Customer) -> dt.date | None:
    if c.cooperation_since:
        return c.cooperation_since
    signed = [d.signed for d in c.deals if d.signed]
    return min(signed) if signed else None


def contact_days(c: Customer) -> list[dt.date]:
    """Every day the team was in contact with the customer: each interaction, and each sale — a deal signed or an
    opportunity won is contact too, so a customer that has just signed is never "owed a first follow-up"."""
    days = [i.date for i in c.interactions if i.date]
    days += [d.signed for d in c.deals if d.signed]
    days += [o.closed for o in c.opportunities if o.stage == "won" and o.closed]
    return days


def last_contact(c: Customer, today: dt.date) -> dt.date | None:
    """The newest contact not after today (an interaction, a deal signed, an opportunity won) — or the previous
    system's last follow-up (``imported_last_contact``) while no contact recorded in kehu is newer."""
    dates = [d for d in contact_days(c) if d <= today]
    newest = max(dates) if dates else None
    before = c.imported_last_contact
    if before is not None and before <= today and (newest is None or before > newest):
        return before
    return newest


def last_contact_imported(c: Customer, today: dt.date) -> bool:
    """Whether the last contact is the previous system's record, not a contact kehu recorded."""
    before = c.imported_last_contact
    return before is not None and before <= today and last_contact(c, today) == before and \
        before not in contact_days(c)


def value_level(value: float, cfg: Config) -> str:
    levels = cfg.value_levels
    if value >= levels.high:
        return "high"
    if value >= levels.mid:
        return "mid"
    return "low"


def computed_class(c: Customer, value: float, months: int | None, team_revenue: float,
                   cfg: Config) -> tuple[str, list[str]]:
    """The highest class whose every rule holds, with the reasons that decided it."""
    rules = cfg.classification
    if not c.deals and not value:
        return "potential", ["no_deal"]
    core, key = rules.core, rules.key
    rate = c.repurchase_rate
    share = core.min_revenue_share
    value_ok = value >= core.min_annual_value or bool(share and team_revenue > 0 and value / team_revenue >= share)
    if (value_ok and months is not None and months >= core.min_months
            and rate is not None and rate >= core.min_repurchase_rate):
        return "core", ["value", "months", "repurchase"]
    if (value >= key.min_annual_value and months is not None and months >= key.min_months
            and (rate is None or rate > key.min_repurchase_rate)):
        return "key", ["value", "months"]
    return "normal", ["below_key"]


def interactions_within(c: Customer, today: dt.date, days: int) -> int:
    start = today - dt.timedelta(days=days)
    return sum(1 for i in c.interactions if i.date and start < i.date <= today)


def frequency(recent: int, cfg: Config) -> str:
    f = cfg.frequency
    if recent >= f.high:
        return "high"
    if recent >= f.mid:
        return "mid"
    return "low"


def status(c: Customer, last: dt.date | None, today: dt.date, cfg: Config) -> str:
    if c.stage == "lost":
        return "lost"
    reference = last or c.created
    if reference and (today - reference).days >= cfg.dormant_days:
        return "dormant"
    if not c.deals and c.stage != "won":
        return "potential"
    return "active"


def next_due(c: Customer, klass: str, last: dt.date | None, cfg: Config) -> Due | None:
    """The earliest follow-up owed: the explicit next action, the first follow-up,
    the class cadence or a due visit; pushed to the end of a quiet period."""
    if c.stage == "lost":
        return None
    candidates: list[Due] = []
    na = c.next_action
    # the first follow-up `kehu new` planned is done by any contact (a call, a deal signed, an opportunity won)
    first_done = last is not None and is_first_followup_action(na.action if na else None)
    if na and na.date and (last is None or na.date > last) and not first_done:
        candidates.append(Due(na.date, "next_action", na.action, na.line))
    if last is None and not predates_kehu(c):
        if c.created:
            days = math.ceil(cfg.first_followup_hours / 24)
            candidates.append(Due(c.created + dt.timedelta(days=days), "first_followup", None, c.line_of("created")))
    elif last is None:  # an imported customer never contacted in kehu: the cadence runs from its creation
        cadence = cfg.cadence_days.of(klass)
        if cadence and c.created:
            candidates.append(Due(c.created + dt.timedelta(days=cadence), "cadence", None, c.line_of("created")))
    else:
        cadence = cfg.cadence_days.of(klass)
        if cadence:
            candidates.append(Due(last + dt.timedelta(days=cadence), "cadence", None, c.line_of("interactions")))
        visit_every = cfg.visit_days.of(klass)
        if visit_every:
            visits = [i.date for i in c.interactions if i.channel == "visit" and i.date]
            since = max(visits) if visits else (cooperation_since(c) or c.created)
            if since:
                candidates.append(Due(since + dt.timedelta(days=visit_every), "visit", None, c.line_of("interactions")))
    if not candidates:
        return None
    due = min(candidates, key=lambda d: (d.date, DUE_REASONS.index(d.reason)))
    if c.quiet_until and due.date < c.quiet_until:
        due = Due(c.quiet_until, "quiet_ended", None, c.line_of("quiet_until"))
    return due


def rhythm_dues(c: Customer, level: str, since: dt.date | None, cfg: Config) -> list[Due]:
    """The rhythms the templates prescribe, each a due item of its own (never folded into the follow-up):
    re-verifying the profile's details (``reverify_days``: high-value customers monthly, others quarterly,
    from ``verified`` or the creation date) and the satisfaction follow-up of a cooperating customer
    (``survey_every_days`` after the newest survey, or after cooperation began). None for a lost customer;
    a quiet period moves them to its end, as it does the follow-up."""
    if c.stage == "lost":
        return []
    out: list[Due] = []
    days = cfg.reverify_days.high if level == "high" else cfg.reverify_days.other
    start = c.verified or c.created
    if days and start:
        out.append(Due(start + dt.timedelta(days=int(days)), "reverify", None,
                       c.line_of("verified") if c.verified else c.line_of("created"), int(days)))
    survey_days = cfg.survey_every_days
    cooperating = bool(c.deals) or c.stage == "won"
    if survey_days and cooperating:
        surveyed = [s.date for s in c.surveys if s.date]
        start = max(surveyed) if surveyed else (since or c.created)
        if start:
            out.append(Due(start + dt.timedelta(days=int(survey_days)), "survey", None,
                           c.line_of("surveys") if surveyed else c.line_of("deals"), int(survey_days)))
    if c.imported:  # kehu owes nothing from before it knew the customer: an imported one counts from its import
        out = [Due(max(d.date, c.imported + dt.timedelta(days=d.every or 0)), d.reason, d.action, d.line, d.every)
               for d in out]
    if c.quiet_until:
        out = [Due(c.quiet_until, d.reason, None, d.line, d.every) if d.date < c.quiet_until else d for d in out]
    return out


# --- customers from before kehu, and dormant ones ---------------------------------------------------
# One rule, used by every output (dashboard, due page, `kehu due`, calendars, checker): a customer
# imported with a creation date before its import is not a new customer (no first follow-up within
# 24 h is owed), and a dormant customer owes no routine follow-up — it is on the revive list.


def predates_kehu(c: Customer) -> bool:
    """Imported (``imported:``) with a creation date before the import: it existed before the team
    kept it in kehu, so the rules for new customers (first follow-up within 24 h) do not apply."""
    return c.imported is not None and c.created is not None and c.created < c.imported


def dormant_since(c: Customer, last: dt.date | None, cfg: Config) -> dt.date | None:
    reference = last or c.created
    return reference + dt.timedelta(days=cfg.dormant_days) if reference else None


def revive_due(c: Customer, last: dt.date | None, cfg: Config) -> Due | None:
    """A dormant customer's due follow-up: none from the cadence, visits or the first call (it is
    listed to revive instead, not counted overdue); only a plan made for after it fell dormant is
    due — a next action dated then, or the end of a quiet period (silence by agreement) then."""
    since = dormant_since(c, last, cfg)
    if since is None:
        return None
    na, quiet = c.next_action, c.quiet_until
    candidates = []
    if na and na.date and na.date >= since:
        candidates.append(Due(na.date, "next_action", na.action, na.line))
    if quiet and quiet >= since:
        candidates.append(Due(quiet, "quiet_ended", None, c.line_of("quiet_until")))
    if not candidates:
        return None
    due = min(candidates, key=lambda d: (d.date, DUE_REASONS.index(d.reason)))
    if quiet and due.date < quiet:
        due = Due(quiet, "quiet_ended", None, c.line_of("quiet_until"))
    return due


def revive_key(days_since_contact: int | None, cid: str) -> tuple[int, str]:
    """The order of the revive list: longest silent first (never contacted before all), then by id."""
    return (-(days_since_contact if days_since_contact is not None else 10**6), cid)


def revive_list(customers: Iterable[Customer], facts: dict[str, Facts]) -> list[Customer]:
    """Dormant customers to revive (回访), longest silent first."""
    out = [c for c in customers if c.id in facts and facts[c.id].status == "dormant"]
    out.sort(key=lambda c: revive_key(facts[c.id].days_since_contact, c.id))
    return out


def may_hold_marker(raw: Any, markers: set[str]) -> bool:
    """Whether some text in ``raw`` may be a "not known yet" marker: one C-speed pass over the record as JSON
    (escaping is per character, so a value holding a marker holds its escaped form). Usually not, and then
    no field's path is built — a path per value made ``missing_info`` the costliest fact of a large book."""
    text = json.dumps(raw, ensure_ascii=False, default=str)
    return any(json.dumps(m, ensure_ascii=False)[1:-1] in text for m in markers)


def missing_info(c: Customer, cfg: Config) -> list[Missing]:
    markers = {m.strip() for m in cfg.missing_markers}
    out: list[Missing] = []

    def walk(value: Any, path: str, line: int) -> None:
        if isinstance(value, str):
            if value.strip() in markers:
                out.append(Missing(path, value, line))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else k, line if path else c.line_of(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]", line)

    if may_hold_marker(c.raw, markers):
        walk(c.raw, "", 1)
    for name in cfg.recommended_fields:
        if c.raw.get(name) in (None, "", []):
            out.append(Missing(name, None, c.line_of(name) if name in c.raw else 1))
    if not c.contacts:
        out.append(Missing("contacts", None, c.line_of("contacts")))
    for i, d in enumerate(c.deals):  # an imported deal whose signing date the sheet did not give
        if d.signed is None:
            out.append(Missing(f"deals[{i}].signed", None, d.line or c.line_of("deals")))
    return out


def derive(c: Customer, ctx: Context, with_missing: bool = True) -> Facts:
    """Every derived fact of ``c`` (``with_missing=False``: without the missing-information list, which
    the book index does not keep)."""
    cfg, today = ctx.config, ctx.today
    last = last_contact(c, today)
    value = annual_value(c, today)
    since = cooperation_since(c)
    months = months_between(since, today) if since else None
    klass, why = computed_class(c, value, months, ctx.team_revenue, cfg)
    chosen = c.class_override or klass
    recent = interactions_within(c, today, cfg.frequency.window_days)
    potential = cfg.classification.potential
    qualified = interactions_within(c, today, potential.window_days) >= potential.min_contacts
    state = status(c, last, today, cfg)
    due = revive_due(c, last, cfg) if state == "dormant" else next_due(c, chosen, last, cfg)
    return Facts(
        last_contact=last,
        days_since_contact=(today - last).days if last else None,
        status=state,
        computed_class=klass,
        klass=chosen,
        class_overridden=bool(c.class_override and c.class_override != klass),
        class_why=why,
        annual_value=value,
        value_level=value_level(value, cfg),
        cooperation_since=since,
        months_cooperating=months,
        frequency=frequency(recent, cfg),
        recent_interactions=recent,
        qualified_lead=qualified,
        due=due,
        quiet=bool(c.quiet_until and c.quiet_until > today),
        missing_of=(c, cfg) if with_missing else None,
        rhythms=[] if state == "dormant" else rhythm_dues(c, value_level(value, cfg), since, cfg),  # revive instead
        last_contact_imported=last_contact_imported(c, today),
    )


def team_revenue(customers: Iterable[Customer], today: dt.date) -> float:
    return float(sum(annual_value(c, today) for c in customers if c.stage != "lost"))


def derive_all(customers: list[Customer], config: Config, today: dt.date | None = None) -> dict[str, Facts]:
    today = today or config.today
    ctx = Context(config, today, team_revenue(customers, today))
    return {c.id: derive(c, ctx) for c in customers}


def owed(f: Facts) -> list[Due]:
    """Every item a customer owes, as the due lists show them: its follow-up, then its rhythms."""
    return ([f.due] if f.due else []) + f.rhythms


def due_bucket(due: dt.date, today: dt.date, soon_days: int) -> str:
    """overdue / today / soon (within ``soon_days``) / later — the site's JavaScript mirrors this."""
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    if (due - today).days <= soon_days:
        return "soon"
    return "later"


def upcoming_birthdays(c: Customer, today: dt.date, window_days: int) -> list[tuple[Contact, dt.date]]:
    out = []
    for contact in c.contacts:
        if not contact.birthday:
            continue
        month, day = (int(x) for x in contact.birthday.split("-"))
        for year in (today.year, today.year + 1):
            try:
                when = dt.date(year, month, day)
            except ValueError:  # 02-29 outside leap years: greet on 02-28
                when = dt.date(year, month, 28)
            if 0 <= (when - today).days <= window_days:
                out.append((contact, when))
                break
    return out


# --- the monthly review of classification changes ---------------------------------------------------

# why a customer's class or status changed, as the templates list the triggers of the monthly review
CHANGE_REASONS = ("new_customer", "new_deal", "need_changed", "no_contact", "contact_resumed", "lost",
                  "override", "value", "removed")


@dataclass(slots=True)
class ClassChange:
    """One customer whose class or status differs between the start and the end of a month."""

    id: str
    name: str
    owner: str
    class_before: str | None
    class_after: str | None
    status_before: str | None
    status_after: str | None
    reasons: list[tuple[str, str]]  # (one of CHANGE_REASONS, detail: contract, dates, values …)


def month_changes(before: list[Customer], after: list[Customer], config: Config, start: dt.date,
                  end: dt.date) -> list[ClassChange]:
    """Customers whose class or status changed from the day before ``start`` to ``end``, and why: the files
    as they were then (``before``) and as they are at ``end`` (``after``), each derived on its own day."""
    eve = start - dt.timedelta(days=1)
    was, now = derive_all(before, config, eve), derive_all(after, config, end)
    old = {c.id: c for c in before}
    out: list[ClassChange] = []
    for c in after:
        a, prev = now[c.id], old.get(c.id)
        b = was.get(c.id) if prev else None
        if b is not None and (a.klass, a.status) == (b.klass, b.status):
            continue
        reasons: list[tuple[str, str]] = []
        if prev is None:
            reasons.append(("new_customer", c.created.isoformat() if c.created else ""))
        for d in c.deals:
            if d.signed and start <= d.signed <= end:
                reasons.append(("new_deal", f"{d.contract or d.product} {d.amount:,.0f}"))
        if prev is not None:
            if (prev.needs, sorted(prev.tags)) != (c.needs, sorted(c.tags)):
                reasons.append(("need_changed", " / ".join(c.tags) or (c.needs or "")))
            if c.stage == "lost" and prev.stage != "lost":
                reasons.append(("lost", c.lost_from or ""))
            if b is not None and a.status == "dormant" and b.status != "dormant":
                reasons.append(("no_contact", a.last_contact.isoformat() if a.last_contact else ""))
            if b is not None and b.status == "dormant" and a.status != "dormant":
                reasons.append(("contact_resumed", a.last_contact.isoformat() if a.last_contact else ""))
            if (prev.class_override, prev.class_reason) != (c.class_override, c.class_reason) and c.class_override:
                reasons.append(("override", c.class_reason or ""))
            if b is not None and a.klass != b.klass and not reasons:
                reasons.append(("value", f"{b.annual_value:,.0f} → {a.annual_value:,.0f}"))
        out.append(ClassChange(c.id, c.name, c.owner, b.klass if b else None, a.klass, b.status if b else None,
                               a.status, reasons))
    gone = {c.id for c in after}
    for c in before:
        if c.id not in gone:
            b = was[c.id]
            out.append(ClassChange(c.id, c.name, c.owner, b.klass, None, b.status, None, [("removed", "")]))
    out.sort(key=lambda x: x.id)
    return out


# --- funnel --------------------------------------------------------------------------------


@dataclass(slots=True)
class FunnelStage:
    stage: str
    reached: int          # customers that reached at least this stage
    current: int          # customers at this stage now
    conversion: float | None  # reached / reached of the previous stage
    value: float          # annual value of customers at this stage now


@dataclass(slots=True)
class Funnel:
    stages: list[FunnelStage]
    lost: int
    lost_from: dict[str, int]
    total: int


def reached_index(c: Customer, stages: Sequence[str]) -> int:
    """How far down the funnel a customer got (a lost customer: the stage it was lost from)."""
    stage = c.lost_from if c.stage == "lost" else c.stage
    return stages.index(stage) if stage in stages else -1


def funnel(customers: list[Customer], facts: dict[str, Facts], config: Config) -> Funnel:
    stages = config.stages
    reached: Counter[str] = Counter()
    current: Counter[str] = Counter()
    value: defaultdict[str, float] = defaultdict(float)
    lost_from: Counter[str] = Counter()
    for c in customers:
        idx = reached_index(c, stages)
        for s in stages[: idx + 1]:
            reached[s] += 1
        if c.stage == "lost":
            lost_from[c.lost_from or "?"] += 1
        else:
            current[c.stage] += 1
            value[c.stage] += facts[c.id].annual_value if c.id in facts else 0.0
    rows = []
    previous: int | None = None
    for s in stages:
        conv = (reached[s] / previous) if previous else None
        rows.append(FunnelStage(s, reached[s], current[s], conv, value[s]))
        previous = reached[s]
    return Funnel(rows, sum(lost_from.values()), dict(lost_from), len(customers))


def funnel_by(customers: list[Customer], facts: dict[str, Facts], config: Config, key: str) -> dict[str, Funnel]:
    """The funnel per owner (``key="owner"``) or per source (``key="source"``)."""
    groups: defaultdict[str, list[Customer]] = defaultdict(list)
    for c in customers:
        groups[str(getattr(c, key) or "")].append(c)
    return {g: funnel(cs, facts, config) for g, cs in sorted(groups.items())}


# --- report aggregates (the site's dashboard, satisfaction and team pages) -----------------------


def month_keys(today: dt.date, months: int) -> list[str]:
    """The last ``months`` calendar months up to today's, oldest first, as ``YYYY-MM``."""
    keys = []
    year, month = today.year, today.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def interactions_per_month(customers: Iterable[Customer], today: dt.date, months: int) -> list[tuple[str, int]]:
    """How many interactions were recorded in each of the last ``months`` months."""
    keys = month_keys(today, months)
    counts = Counter(i.date.strftime("%Y-%m") for c in customers for i in c.interactions
                     if i.date and i.date <= today)
    return [(k, counts.get(k, 0)) for k in keys]


@dataclass(slots=True)
class Satisfaction:
    surveys: int
    averages: dict[str, float | None]             # per survey dimension, over every survey
    overall: float | None                         # mean of every score given
    trend: list[tuple[str, float | None, int]]    # (YYYY-MM, mean score that month, surveys that month)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def satisfaction(customers: Iterable[Customer], today: dt.date, months: int) -> Satisfaction:
    from ..repo.model import SURVEY_DIMENSIONS

    per_dim: dict[str, list[float]] = {d: [] for d in SURVEY_DIMENSIONS}
    per_month: defaultdict[str, list[float]] = defaultdict(list)
    surveys_in_month: Counter[str] = Counter()
    n = 0
    for c in customers:
        for s in c.surveys:
            if s.date and s.date > today:
                continue
            n += 1
            for dim, score in s.scores.items():
                per_dim.setdefault(dim, []).append(float(score))
            if s.date:
                key = s.date.strftime("%Y-%m")
                per_month[key].extend(float(v) for v in s.scores.values())
                surveys_in_month[key] += 1
    every = [v for values in per_dim.values() for v in values]
    trend = [(k, _mean(per_month.get(k, [])), surveys_in_month.get(k, 0)) for k in month_keys(today, months)]
    return Satisfaction(n, {d: _mean(v) for d, v in per_dim.items()}, _mean(every), trend)


@dataclass(slots=True)
class ComplaintStats:
    total: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    resolved: int
    mean_days_to_resolve: float | None
    median_days_to_resolve: float | None
    unresolved: list[tuple[Customer, Any, int]]   # (customer, complaint, days open), oldest first


def complaint_stats(customers: Iterable[Customer], today: dt.date) -> ComplaintStats:
    by_status: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    days: list[int] = []
    unresolved = []
    total = 0
    for c in customers:
        for x in c.complaints:
            total += 1
            by_status[x.status] += 1
            by_category[x.category or ""] += 1  # "": not categorised
            if x.status == "resolved":
                if x.date and x.resolved:
                    days.append((x.resolved - x.date).days)
            else:
                unresolved.append((c, x, (today - x.date).days if x.date else 0))
    unresolved.sort(key=lambda t: -t[2])
    days.sort()
    median = None
    if days:
        mid = len(days) // 2
        median = float(days[mid]) if len(days) % 2 else (days[mid - 1] + days[mid]) / 2
    return ComplaintStats(total, dict(by_status), dict(by_category), len(days), _mean([float(d) for d in days]),
                          median, unresolved)


def interactions_by_member(customers: Iterable[Customer], today: dt.date, window_days: int) -> Counter[str]:
    """How many interactions each member recorded in the last ``window_days`` days (their follow-up discipline;
    what they owe is ``kehu.core.figures``, per owner)."""
    start = today - dt.timedelta(days=window_days)
    return Counter(i.by for c in customers for i in c.interactions if i.date and start < i.date <= today)


# --- opportunities (商机) and the forecast (业绩预测) --------------------------------------------
# The customer's ``stage`` is the relationship stage (how far the relationship has come); each
# opportunity has its own stage. `kehu opp` moves the customer's stage forward when an opportunity
# goes further (never back), and the checker warns when a customer's stage lags behind one.


def opp_probability(o: Opportunity, cfg: Config) -> float:
    """The opportunity's own probability, else its stage's default from kehu.yaml (won 1, lost 0)."""
    if o.probability is not None:
        return float(o.probability)
    defaults = cfg.opportunities.probability
    if o.stage in defaults:
        return float(defaults[o.stage])
    return 1.0 if o.stage == "won" else 0.0


def opp_owner(o: Opportunity, c: Customer) -> str:
    return o.owner or c.owner


def opp_slipping(o: Opportunity, c: Customer, today: dt.date) -> bool:
    """Open, its expected close date passed, and nothing recorded with the customer since that date."""
    if not o.is_open or o.close is None or o.close >= today:
        return False
    last = last_contact(c, today)
    return last is None or last <= o.close


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(slots=True)
class PipelineSum:
    count: int = 0
    amount: float = 0.0
    weighted: float = 0.0

    def add(self, amount: float, probability: float) -> None:
        self.count += 1
        self.amount += amount
        self.weighted += amount * probability


@dataclass(slots=True)
class Forecast:
    """The open pipeline (``kehu.core.figures``) by expected close date: ``overdue`` + the window's quarters +
    ``later`` + ``undated`` hold every open opportunity once."""

    months: list[tuple[str, PipelineSum]]        # (YYYY-MM, open opportunities expected to close then)
    quarters: list[tuple[str, PipelineSum]]      # (YYYY-Qn, the same by quarter)
    later: PipelineSum                           # expected after the window
    overdue: PipelineSum                         # expected before this quarter and still open
    undated: PipelineSum                         # open, no expected close date (the schema asks for one)
    by_owner: dict[str, PipelineSum]             # over the window
    by_source: dict[str, PipelineSum]
    slipping: list[tuple[Customer, Opportunity]]
    total: PipelineSum                           # every open opportunity in the window


def open_opportunities(customers: Iterable[Customer], owner: str | None = None
                       ) -> Iterator[tuple[Customer, Opportunity]]:
    """What the pipeline holds: every open opportunity of a customer that is not lost (worked by ``owner``: its
    own owner, else the customer's) — the one rule for the figures, the forecast and its breakdowns."""
    for c in customers:
        if c.stage == "lost":
            continue
        for o in c.opportunities:
            if o.is_open and (owner is None or opp_owner(o, c) == owner):
                yield c, o


def forecast(customers: list[Customer], config: Config, today: dt.date, owner: str | None = None) -> Forecast:
    """The probability-weighted pipeline of open opportunities by expected close month, for this quarter
    and the next ones (``opportunities.forecast_quarters``), by owner and source, and the opportunities
    that are slipping. ``owner``: only the opportunities that member works (its own owner, else the
    customer's). Deals won are figures (``kehu.core.figures.won_periods``)."""
    quarters = config.opportunities.forecast_quarters
    start = quarter_start(today)
    end = add_months(start, 3 * quarters)
    months = {add_months(start, i).strftime("%Y-%m"): PipelineSum() for i in range(3 * quarters)}
    qsums = {f"{add_months(start, 3 * i).year}-Q{(add_months(start, 3 * i).month - 1) // 3 + 1}": PipelineSum()
             for i in range(quarters)}
    later, overdue, undated, total = PipelineSum(), PipelineSum(), PipelineSum(), PipelineSum()
    by_owner: defaultdict[str, PipelineSum] = defaultdict(PipelineSum)
    by_source: defaultdict[str, PipelineSum] = defaultdict(PipelineSum)
    slipping: list[tuple[Customer, Opportunity]] = []
    for c, o in open_opportunities(customers, owner):
        p = opp_probability(o, config)
        if o.close is None:
            undated.add(o.amount, p)
            continue
        if opp_slipping(o, c, today):
            slipping.append((c, o))
        if o.close < start:
            overdue.add(o.amount, p)
        elif o.close >= end:
            later.add(o.amount, p)
        else:
            months[o.close.strftime("%Y-%m")].add(o.amount, p)
            q = f"{o.close.year}-Q{(o.close.month - 1) // 3 + 1}"
            qsums[q].add(o.amount, p)
            total.add(o.amount, p)
            by_owner[opp_owner(o, c)].add(o.amount, p)
            by_source[c.source or ""].add(o.amount, p)
    slipping.sort(key=lambda co: (co[1].close or today, co[0].id, co[1].id))
    return Forecast(list(months.items()), list(qsums.items()), later, overdue, undated,
                    dict(sorted(by_owner.items())), dict(sorted(by_source.items())), slipping, total)


# --- the customer pool (公海) ---------------------------------------------------------------------
# Off unless kehu.yaml says ``pool.enabled: true``. Being in the pool is a derived fact, never a
# commit: nobody's file changes until a colleague claims the customer (`kehu claim`).


def pool_enabled(cfg: Config) -> bool:
    return cfg.pool.enabled


def pool_reference(c: Customer, today: dt.date) -> dt.date | None:
    """The day the owner's silence counts from: their last interaction with the customer (or the previous
    system's last follow-up), the day they took it (``owner_since``) or its creation, whichever is latest."""
    mine = [i.date for i in c.interactions if i.by == c.owner and i.date and i.date <= today]
    before = c.imported_last_contact if c.imported_last_contact and c.imported_last_contact <= today else None
    return max([d for d in (*mine, before, c.owner_since, c.created) if d], default=None)


def pool_keeps(c: Customer) -> bool:
    """Won and lost customers, and those with an open opportunity, stay with their owner."""
    return c.stage in ("won", "lost") or any(o.is_open for o in c.opportunities)


def pool_entry(c: Customer, cfg: Config, today: dt.date) -> dt.date | None:
    """The day ``c`` enters (or entered) the pool: ``pool.days`` after the owner's silence began."""
    reference = pool_reference(c, today)
    if not pool_enabled(cfg) or pool_keeps(c) or reference is None:
        return None
    return reference + dt.timedelta(days=cfg.pool.days)


def pool_since(c: Customer, cfg: Config, today: dt.date) -> dt.date | None:
    """Since when ``c`` is in the pool: its owner has not followed it up for ``pool.days``. None: not in it."""
    entry = pool_entry(c, cfg, today)
    return entry if entry is not None and entry <= today else None


def holdings(customers: Iterable[Customer], cfg: Config, today: dt.date) -> Counter[str]:
    """How many customers each member holds for the pool's cap: their customers neither lost nor in the pool."""
    return Counter(c.owner for c in customers if c.stage != "lost" and pool_since(c, cfg, today) is None)
