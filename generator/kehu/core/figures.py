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
