"""The figures: every number that more than one screen shows, computed here once.

The site's dashboard, funnel, forecast and team pages, ``kehu forecast``, ``kehu due --format json`` and
``kehu remind`` read these numbers; none of them counts anything of its own. When two screens computed
"the pipeline" each their own way, one book showed two totals (the value of customers in the funnel on
the dashboard, the open opportunities on the forecast page).

What each figure means (the README says the same, once):

* **open pipeline** (在途金额, ``pipeline_open``): the amounts of every open opportunity (stage neither won nor
  lost) of a customer that is not lost, whatever its expected close date — passed, in the forecast window,
  after it, or none; ``pipeline_count`` how many there are;
* **weighted pipeline** (加权在途金额, ``pipeline_weighted``): the same opportunities, each amount times its win
  probability (its own, else its stage's default in kehu.yaml);
* **won** in a period (this month, last month, this quarter, last quarter): the deals signed then, counted
  and summed — a won opportunity becomes a deal, so each sale counts once;
* **overdue / today / soon** (逾期跟进 / 今天到期 / 未来 N 天到期): the items owed (each customer's follow-up,
  re-verification and satisfaction follow-up, as the due page lists them) whose date falls in that bucket;
  a customer in a quiet period is left out until it ends;
* **dormant** (沉睡客户) and the other statuses: customers by derived status;
* **funnel and conversion**: customers that reached at least each stage (a lost one up to the stage it was
  lost from), the conversion of each step from the one before, and lead → won (``conversion``).

With an ``owner``: the opportunities that member works (its own owner, else the customer's), the deals
they won (the owner of the deal's opportunity, else the customer's), and otherwise their customers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..repo.config import Config
from ..repo.model import Customer, Deal
from .derive import (
    BUCKETS,
    STATUSES,
    Facts,
    Funnel,
    PipelineSum,
    add_months,
    due_bucket,
    funnel,
    open_opportunities,
    opp_probability,
    owed,
    quarter_start,
)

WON_PERIODS = ("this_month", "last_month", "this_quarter", "last_quarter")
DUE_FIGURES = tuple(b for b in BUCKETS if b != "later")  # overdue, today, soon
Number = int | float | None


@dataclass(slots=True)
class WonSum:
    """Deals signed in a period."""

    count: int = 0
    amount: float = 0.0


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one book on one day, for the whole team or one ``owner``."""

    today: dt.date
    owner: str | None
    customers: int
    pipeline: PipelineSum            # open opportunities: count, amount (open pipeline), weighted
    won: dict[str, WonSum]           # per WON_PERIODS
    due: dict[str, int]              # per DUE_FIGURES: items owed in that bucket
    statuses: dict[str, int]         # per STATUSES: customers
    funnel: Funnel

    @property
    def dormant(self) -> int:
        return self.statuses.get("dormant", 0)

    @property
    def conversion(self) -> float | None:
        """Lead → won: of the customers that reached the first stage, the share that reached the last."""
        stages = self.funnel.stages
        if not stages or not stages[0].reached:
            return None
        return stages[-1].reached / stages[0].reached

    def named(self) -> dict[str, Number]:
        """Every figure under its one name, as plain numbers: what the JSON outputs carry and what the site's
        ``data-figure`` attributes name. Amounts to the fen, rates to four places: the same rounding
        everywhere, so that two screens can be compared exactly."""
        out: dict[str, Number] = {
            "customers": self.customers,
            "pipeline_count": self.pipeline.count,
            "pipeline_open": round(self.pipeline.amount, 2),
            "pipeline_weighted": round(self.pipeline.weighted, 2),
        }
        for period in WON_PERIODS:
            out[f"won_{period}_count"] = self.won[period].count
            out[f"won_{period}_amount"] = round(self.won[period].amount, 2)
        out.update(self.due)
        out["dormant"] = self.dormant
        out["conversion"] = rate(self.conversion)
        for s in self.funnel.stages:
            out[f"reached_{s.stage}"] = s.reached
        for s in self.funnel.stages[1:]:
            out[f"conversion_{s.stage}"] = rate(s.conversion)
        return out


def rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def deal_owner(d: Deal, c: Customer) -> str:
    """Who won the deal: the owner of the opportunity it came from, else the customer's."""
    if d.opportunity:
        for o in c.opportunities:
            if o.id == d.opportunity and o.owner:
                return o.owner
    return c.owner


def won_between(customers: Iterable[Customer], start: dt.date, end: dt.date, owner: str | None = None) -> WonSum:
    """Deals signed in [start, end) — won by ``owner`` when one is given."""
    out = WonSum()
    for c in customers:
        for d in c.deals:
            if d.signed and start <= d.signed < end and (owner is None or deal_owner(d, c) == owner):
                out.count += 1
                out.amount += d.amount
    return out


def won_periods(customers: list[Customer], today: dt.date, owner: str | None = None) -> dict[str, WonSum]:
    month = dt.date(today.year, today.month, 1)
    quarter = quarter_start(today)
    return {
        "this_month": won_between(customers, month, add_months(month, 1), owner),
        "last_month": won_between(customers, add_months(month, -1), month, owner),
        "this_quarter": won_between(customers, quarter, add_months(quarter, 3), owner),
        "last_quarter": won_between(customers, add_months(quarter, -3), quarter, owner),
    }


def pipeline(customers: Iterable[Customer], config: Config, owner: str | None = None) -> PipelineSum:
    out = PipelineSum()
    for _, o in open_opportunities(customers, owner):
        out.add(o.amount, opp_probability(o, config))
    return out


def due_counts(customers: Iterable[Customer], facts: dict[str, Facts], today: dt.date,
               soon_days: int) -> dict[str, int]:
    """Items owed per bucket (DUE_FIGURES); a quiet customer's wait for the end of its quiet period (the due
    page holds them back until then)."""
    counts: Counter[str] = Counter()
    for c in customers:
        f = facts.get(c.id)
        if f is None or f.quiet:
            continue
        for item in owed(f):
            counts[due_bucket(item.date, today, soon_days)] += 1
    return {b: counts.get(b, 0) for b in DUE_FIGURES}


def figures(customers: list[Customer], facts: dict[str, Facts], config: Config, today: dt.date,
            owner: str | None = None) -> Figures:
    """The figures of ``customers`` (their ``facts`` derived on ``today``), for the team or one ``owner``."""
    mine = [c for c in customers if owner is None or c.owner == owner]
    statuses = Counter(facts[c.id].status for c in mine if c.id in facts)
    return Figures(
        today=today,
        owner=owner,
        customers=len(mine),
        pipeline=pipeline(customers, config, owner),
        won=won_periods(customers, today, owner),
        due=due_counts(mine, facts, today, config.due_soon_days),
        statuses={s: statuses.get(s, 0) for s in STATUSES},
        funnel=funnel(mine, facts, config),
    )


def figures_by_owner(customers: list[Customer], facts: dict[str, Facts], config: Config,
                     today: dt.date) -> dict[str, Figures]:
    """The figures of every member who owns a customer, works an opportunity or won a deal — each computed over
    only the customers that concern them, so a large team costs one pass over the book, not one per member."""
    concerns: defaultdict[str, list[Customer]] = defaultdict(list)
    for c in customers:
        handles = {c.owner, *(o.owner for o in c.opportunities if o.owner)}
        for h in handles:
            concerns[h].append(c)
    return {h: figures(cs, facts, config, today, h) for h, cs in sorted(concerns.items())}


# --- what happened in a period: kehu report, the site's report page, the dashboard's period filter ----------------
# One list of dated events, made once from the customers (and the stage moves git history holds); every period
# figure of every screen is a count or a sum over it, for the team or one member. The site writes the same events
# into its filter data and its script sums them the same way (site/static/assets/kehu/filters.js), so the
# dashboard filtered by a member and a period shows what `kehu report` says for them.

EVENT_KINDS = ("interaction", "new", "deal", "opp_opened", "opp_won", "opp_lost", "complaint_opened",
               "complaint_resolved", "stage_move")
# the period figures, in the order every screen shows them
ACTIVITY = ("contacted", "interactions", "visits", "new_customers", "stage_moves", "won_count", "won_amount",
            "opps_opened", "opps_opened_amount", "opps_won", "opps_won_amount", "opps_lost", "opps_lost_amount",
            "complaints_opened", "complaints_resolved")
AMOUNTS = frozenset(f for f in ACTIVITY if f.endswith("_amount"))
# which events each figure counts (and sums, for the amounts)
FIGURE_EVENTS = {"contacted": "interaction", "interactions": "interaction", "visits": "interaction",
                 "new_customers": "new", "stage_moves": "stage_move", "won_count": "deal", "won_amount": "deal",
                 "opps_opened": "opp_opened", "opps_opened_amount": "opp_opened", "opps_won": "opp_won",
                 "opps_won_amount": "opp_won", "opps_lost": "opp_lost", "opps_lost_amount": "opp_lost",
                 "complaints_opened": "complaint_opened", "complaints_resolved": "complaint_resolved"}
PERIOD_KINDS = ("day", "week", "month", "quarter")
TARGET_METRICS = ("won", "new_customers", "visits")
TARGET_FIGURES = {"won": "won_amount", "new_customers": "new_customers", "visits": "visits"}


@dataclass(frozen=True, slots=True)
class StageMove:
    """A customer's stage changed in a commit (git history: kehu.book.versions.stage_moves)."""

    day: dt.date        # the commit's author date, in the team's time zone
    who: str            # the commit's author (a team handle when team.yaml knows the email)
    customer: str       # the customer's id
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened on a day, counted for one member."""

    kind: str           # one of EVENT_KINDS
    day: dt.date
    who: str            # the member it counts for
    customer: str       # the customer's id
    amount: float = 0.0
    detail: str = ""    # an interaction's channel; a stage move's "old>new"


def complaint_handler(handler: str | None, c: Customer) -> str:
    """Who a complaint counts for: its handler, else the customer's owner."""
    return handler or c.owner


def events(customers: Iterable[Customer], moves: Iterable[StageMove] = ()) -> list[Event]:
    """Every dated event of the book: interactions (for whoever logged them), customers created (their owner),
    deals signed (who won them), opportunities opened, won and lost (who works them), complaints opened and
    resolved (their handler, else the owner) and the stage moves git recorded (who committed them)."""
    out: list[Event] = []
    for c in customers:
        for i in c.interactions:
            if i.date:
                out.append(Event("interaction", i.date, i.by, c.id, 0.0, i.channel))
        if c.created:
            out.append(Event("new", c.created, c.owner, c.id))
        for d in c.deals:
            if d.signed:
                out.append(Event("deal", d.signed, deal_owner(d, c), c.id, d.amount))
        for o in c.opportunities:
            who = o.owner or c.owner
            if o.created:
                out.append(Event("opp_opened", o.created, who, c.id, o.amount))
            if o.closed and o.stage in ("won", "lost"):
                out.append(Event(f"opp_{o.stage}", o.closed, who, c.id, o.amount))
        for x in c.complaints:
            if x.date:
                out.append(Event("complaint_opened", x.date, complaint_handler(x.handler, c), c.id))
            if x.resolved and x.status == "resolved":
                out.append(Event("complaint_resolved", x.resolved, complaint_handler(x.handler, c), c.id))
    out += [Event("stage_move", m.day, m.who, m.customer, 0.0, f"{m.old}>{m.new}") for m in moves]
    out.sort(key=lambda e: (e.day, e.kind, e.customer, e.who))
    return out


@dataclass(frozen=True, slots=True)
class Period:
    """A span of days: ``start`` up to and including ``last``."""

    kind: str           # day | week | month | quarter | range
    start: dt.date
    last: dt.date

    @property
    def end(self) -> dt.date:
        """The day after the period (exclusive bound)."""
        return self.last + dt.timedelta(days=1)

    @property
    def key(self) -> str:
        """2026-11-23, 2026-W48, 2026-11, 2026-Q4, or 2026-11-01..2026-11-15."""
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}..{self.last.isoformat()}"

    def holds(self, day: dt.date) -> bool:
        return self.start <= day <= self.last


def period_of(kind: str, day: dt.date, back: int = 0) -> Period:
    """The ``kind`` period (day, week from Monday, month, quarter) holding ``day``, or the one ``back`` before it."""
    if kind == "day":
        start = day - dt.timedelta(days=back)
        return Period(kind, start, start)
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday() + 7 * back)
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "month":
        start = add_months(day, -back)
        return Period(kind, start, add_months(start, 1) - dt.timedelta(days=1))
    if kind == "quarter":
        start = add_months(quarter_start(day), -3 * back)
        return Period(kind, start, add_months(start, 3) - dt.timedelta(days=1))
    raise ValueError(kind)


@dataclass(slots=True)
class Activity:
    """The period figures of one member (or the team): each count or sum, the interactions per channel, and the
    customers behind each figure (ids, sorted)."""

    figures: dict[str, float]
    by_channel: dict[str, int]
    customers: dict[str, list[str]]

    def named(self) -> dict[str, Number]:
        return {k: round(v, 2) if k in AMOUNTS else int(v) for k, v in self.figures.items()}


def activity(all_events: Iterable[Event], period: Period, owner: str | None = None) -> Activity:
    """What ``owner`` (None: the team) did in ``period``: ``contacted`` counts distinct customers, every other
    count is of events; the amounts are summed. The team's ``contacted`` is of distinct customers too, so it
    may be less than the sum of its members'."""
    counts: dict[str, float] = dict.fromkeys(ACTIVITY, 0.0)
    behind: dict[str, set[str]] = {k: set() for k in ACTIVITY}
    channels: Counter[str] = Counter()
    for e in all_events:
        if (owner is not None and e.who != owner) or not period.holds(e.day):
            continue
        for name, kind in FIGURE_EVENTS.items():
            if kind != e.kind or (name == "visits" and e.detail != "visit"):
                continue
            behind[name].add(e.customer)
            if name in AMOUNTS:
                counts[name] += e.amount
            elif name != "contacted":
                counts[name] += 1
        if e.kind == "interaction":
            channels[e.detail] += 1
    counts["contacted"] = len(behind["contacted"])
    return Activity(counts, dict(sorted(channels.items())), {k: sorted(v) for k, v in behind.items()})


# --- targets (业绩目标) ---------------------------------------------------------------------------------------


def target_periods(day: dt.date) -> tuple[Period, Period]:
    """The month and the quarter holding ``day``: the periods targets are set for."""
    return period_of("month", day), period_of("quarter", day)


def target(config: Config, period: Period, owner: str | None, metric: str) -> float | None:
    """The target of ``owner`` (None: the team) for ``metric`` in a month or quarter, as kehu.yaml sets it: its
    own, else — for a quarter — the sum of its months' (those that set one), else — for the team — the sum of its
    members'. None: no target."""
    def own(key: str, who: str | None) -> float | None:
        targets = config.targets.get(key)
        if targets is None:
            return None
        found = targets.team if who is None else targets.members.get(who)
        value = getattr(found, metric) if found is not None else None
        return float(value) if value is not None else None

    def of(p: Period, who: str | None) -> float | None:
        value = own(p.key, who)
        if value is None and p.kind == "quarter":
            months = [own(period_of("month", add_months(p.start, i)).key, who) for i in range(3)]
            given = [m for m in months if m is not None]
            value = sum(given) if given else None
        return value

    value = of(period, owner)
    if value is None and owner is None:
        members: set[str] = set()
        for p in [period, *([period_of("month", add_months(period.start, i)) for i in range(3)]
                            if period.kind == "quarter" else [])]:
            targets = config.targets.get(p.key)
            if targets is not None:
                members.update(targets.members)
        given = [v for v in (of(period, m) for m in sorted(members)) if v is not None]
        value = sum(given) if given else None
    return value


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """How far one member (or the team) is towards one target of a month or quarter, up to a day."""

    period: str            # 2026-11 or 2026-Q4
    metric: str            # won | new_customers | visits
    target: float
    actual: float          # so far (up to the report's last day)
    weighted: float        # won only: the weighted pipeline expected to close in the rest of the period

    @property
    def gap(self) -> float:
        """What is still missing (0 once the target is reached)."""
        return max(self.target - self.actual, 0.0)

    @property
    def attained(self) -> float | None:
        return self.actual / self.target if self.target else None


def target_progress(customers: Iterable[Customer], all_events: list[Event], config: Config, day: dt.date,
                    owner: str | None = None) -> list[TargetProgress]:
    """Every target set for the month and the quarter holding ``day``: what was done from the period's start up to
    ``day``, and for amounts won the weighted pipeline of open opportunities expected to close from ``day`` to the
    period's end (those of ``owner``: the opportunities they work)."""
    out: list[TargetProgress] = []
    opps = list(open_opportunities(customers, owner))
    for p in target_periods(day):
        done = activity(all_events, Period(p.kind, p.start, min(p.last, day)), owner)
        for metric in TARGET_METRICS:
            goal = target(config, p, owner, metric)
            if goal is None:
                continue
            weighted = 0.0
            if metric == "won":
                weighted = sum(o.amount * opp_probability(o, config) for _, o in opps
                               if o.close is not None and day <= o.close <= p.last)
            out.append(TargetProgress(p.key, metric, goal, done.figures[TARGET_FIGURES[metric]], round(weighted, 2)))
    return out


def named_targets(progress: Iterable[TargetProgress], today: dt.date) -> dict[str, Number]:
    """Targets as figures of their own name (the site's data-figure): ``target_won_this_month``,
    ``target_won_gap_this_month`` … for the month and quarter holding ``today``."""
    month, quarter = target_periods(today)
    names = {month.key: "this_month", quarter.key: "this_quarter"}
    out: dict[str, Number] = {}
    for t in progress:
        when = names.get(t.period)
        if when is None:
            continue
        out[f"target_{t.metric}_{when}"] = round(t.target, 2)
        out[f"target_{t.metric}_gap_{when}"] = round(t.gap, 2)
    return out


# --- the report (日报 / 周报 / 月报): per member and for the team ---------------------------------------------


@dataclass(slots=True)
class MemberReport:
    """One member's part of a report (``handle`` None: the team's totals)."""

    handle: str | None
    activity: Activity
    overdue: int                    # items owed and overdue now (the due figures' ``overdue``)
    overdue_customers: list[str]    # the customers behind them
    targets: list[TargetProgress]   # the month's and the quarter's targets, up to the period's last day

    def named(self) -> dict[str, Number]:
        """Every figure of this part under its one name: the period figures, ``overdue`` and the targets."""
        out = self.activity.named()
        out["overdue"] = self.overdue
        for t in self.targets:
            out[f"target_{t.metric}_{t.period}"] = round(t.target, 2)
            out[f"target_{t.metric}_gap_{t.period}"] = round(t.gap, 2)
        return out


@dataclass(slots=True)
class Report:
    period: Period
    today: dt.date
    members: list[MemberReport]
    team: MemberReport
    moves_known: bool               # stage moves were read from git history (False: not a git repository)


def overdue_of(customers: Iterable[Customer], facts: dict[str, Facts], today: dt.date, soon_days: int,
               owner: str | None) -> tuple[int, list[str]]:
    """Items owed and overdue now (as ``due_counts`` counts them), and the customers that owe them."""
    mine = [c for c in customers if owner is None or c.owner == owner]
    ids = []
    for c in mine:
        f = facts.get(c.id)
        if f is not None and not f.quiet and any(due_bucket(i.date, today, soon_days) == "overdue" for i in owed(f)):
            ids.append(c.id)
    return due_counts(mine, facts, today, soon_days)["overdue"], sorted(ids)


def report(customers: list[Customer], facts: dict[str, Facts], config: Config, today: dt.date, period: Period,
           handles: list[str], moves: list[StageMove] | None) -> Report:
    """The report of ``period`` for each of ``handles`` and for the team (every event, whoever it counts for)."""
    every = events(customers, moves or [])
    progress_day = min(period.last, today)
    counted_for: dict[str, list[Event]] = {}  # each member's events: a member's figures read only theirs
    for e in every:
        counted_for.setdefault(e.who, []).append(e)

    def part(handle: str | None) -> MemberReport:
        overdue, behind = overdue_of(customers, facts, today, config.due_soon_days, handle)
        theirs = every if handle is None else counted_for.get(handle, [])
        return MemberReport(handle, activity(theirs, period, handle), overdue, behind,
                            target_progress(customers, theirs, config, progress_day, handle))

    return Report(period, today, [part(h) for h in handles], part(None), moves is not None)


def report_members(customers: Iterable[Customer], team_handles: list[str], inactive: frozenset[str],
                   all_events: Iterable[Event], period: Period) -> list[str]:
    """Who a team report lists: every active member of team.yaml in its order, then anyone else something in the
    period counts for, or who still owns customers (a member who left and has not handed over)."""
    out = [h for h in team_handles if h not in inactive]
    seen = set(out)
    extra = {e.who for e in all_events if period.holds(e.day)} | {c.owner for c in customers}
    for h in [*team_handles, *sorted(extra)]:
        if h not in seen and h in extra:
            out.append(h)
            seen.add(h)
    return out
