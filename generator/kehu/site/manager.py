"""The manager's pages and the filters that stay: the report page, the handover page, the period and target block of
the dashboard and the forecast page, and the one data file the filters compute from.

Every number is a figure of :mod:`kehu.core.figures` (``report``, ``activity``, ``target_progress``); this module only
shapes them for the templates. The filter data (``assets/kehu/filters.json``) holds what the browser needs to
compute the same figures for another owner, period, class, stage, region or tag: each customer's few facts and
the dated events of the last ``report.site_months`` months, as small integers (days counted from the build
day, names as positions in lookup lists) — the script ``assets/kehu/filters.js`` sums them exactly as
``core/figures`` does, and the pages' ``data-figure`` marks say which number is which.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..core import derive
from ..core.derive import CLASSES, STATUSES, Facts
from ..core.figures import (
    ACTIVITY,
    EVENT_KINDS,
    Event,
    Period,
    Report,
    TargetProgress,
    activity,
    period_of,
    target_progress,
)
from ..core.present import Presenter
from ..repo.config import Config
from ..repo.model import Customer, Team
from ..util.problems import Problem, Severity
from .data import customer_src, member_src, one_line

FILTERS_SRC = "assets/kehu/filters.json"


def window_start(config: Config, today: dt.date) -> dt.date:
    """The first day the filter data and the report page reach back to (``report.site_months`` months)."""
    return derive.add_months(today, -(config.report.site_months - 1))


# --- the filter data ---------------------------------------------------------------------------------------


def filter_data(customers: list[Customer], facts: dict[str, Facts], config: Config, today: dt.date,
                events: list[Event], words: Presenter, team: Team | None) -> dict[str, Any]:
    """What the filters compute from, compact: lookup lists once, then one short array per customer, open
    opportunity and event."""
    stages = [*config.stages, "lost"]
    members = [m.handle for m in team.members] if team is not None else []
    handles = list(dict.fromkeys([*members, *sorted({c.owner for c in customers} | {e.who for e in events})]))
    where = {h: i for i, h in enumerate(handles)}
    regions = sorted({one_line(c.region) for c in customers if c.region})
    tags = sorted({t for c in customers for t in c.tags})
    channels = sorted({e.detail for e in events if e.kind == "interaction"})
    index = {c.id: i for i, c in enumerate(customers)}
    first = window_start(config, today)

    def day(d: dt.date | None) -> int | None:
        return (d - today).days if d is not None else None

    rows = []
    for c in customers:
        f = facts.get(c.id)
        owed = [day(i.date) for i in derive.owed(f)] if f is not None else []
        open_complaints = sum(1 for x in c.complaints if x.status != "resolved")
        rows.append([
            c.id, one_line(c.name), where[c.owner],
            CLASSES.index(f.klass) if f is not None and f.klass in CLASSES else -1,
            stages.index(c.stage) if c.stage in stages else -1,
            STATUSES.index(f.status) if f is not None else -1,
            regions.index(one_line(c.region)) if c.region else -1,
            [tags.index(t) for t in c.tags],
            day(c.created), derive.reached_index(c, config.stages), day(c.quiet_until), owed, open_complaints,
            round(f.annual_value, 2) if f is not None else 0,
        ])
    opps = [[index[c.id], where[derive.opp_owner(o, c)], o.amount, derive.opp_probability(o, config), day(o.close)]
            for c, o in derive.open_opportunities(customers)]
    kinds = {k: i for i, k in enumerate(EVENT_KINDS)}
    details = sorted({e.detail for e in events})
    rows_events = [[kinds[e.kind], day(e.day), where[e.who], index[e.customer], e.amount, details.index(e.detail)]
                   for e in events if e.day >= first and e.customer in index]
    targets = {key: {"team": _target(t.team), "members": {h: _target(v) for h, v in t.members.items()}}
               for key, t in config.targets.items()}
    return {
        "v": 1, "built": today.isoformat(), "first": day(first), "soon": config.due_soon_days,
        "stages": stages, "funnel": list(config.stages), "stage_labels": [words.stage(s) for s in stages],
        "classes": list(CLASSES), "class_labels": [words.klass(k) for k in CLASSES], "statuses": list(STATUSES),
        "owners": handles, "owner_names": [words.who(h) for h in handles],
        "inactive": [h for h in handles if team is not None and h in team.handles and not team.handles[h].active],
        "regions": regions, "tags": tags, "tag_labels": [words.vocab("tag", t) or t for t in tags],
        "channels": channels, "channel_labels": [words.vocab("channel", ch) or ch for ch in channels],
        "event_kinds": list(EVENT_KINDS), "details": details,
        "customers": rows, "opps": opps, "events": rows_events, "targets": targets,
    }


def _target(t: Any) -> dict[str, float] | None:
    if t is None:
        return None
    return {k: v for k in ("won", "new_customers", "visits") if (v := getattr(t, k)) is not None}


# --- the period block of the dashboard and the forecast page -------------------------------------------------


def period_block(customers: list[Customer], events: list[Event], config: Config, today: dt.date,
                 words: Presenter) -> dict[str, Any]:
    """This month's figures for the team (what the page shows before a filter is chosen): the activity, the
    weighted pipeline expected to close by the month's end, and the targets of the month and quarter."""
    month = period_of("month", today)
    done = activity(events, month)
    progress = target_progress(customers, events, config, today)
    weighted = sum(o.amount * derive.opp_probability(o, config) for _, o in derive.open_opportunities(customers)
                   if o.close is not None and today <= o.close <= month.last)
    return {
        "period": month.key, "label": words.t("filter.period.this_month"),
        "figures": [{"name": name, "label": words.t(f"report.figure.{name}"), "value": done.named()[name],
                     "money": name.endswith("_amount")} for name in ACTIVITY],
        "weighted": round(weighted, 2),
        "targets": [_progress(t, words) for t in progress if t.period == month.key],
        "quarter_targets": [_progress(t, words) for t in progress if t.period != month.key],
    }


def _progress(t: TargetProgress, words: Presenter) -> dict[str, Any]:
    return {"period": t.period, "metric": t.metric, "label": words.t(f"target.{t.metric}"), "target": t.target,
            "actual": t.actual, "gap": round(t.gap, 2), "attained": t.attained, "weighted": t.weighted,
            "money": t.metric == "won"}


# --- the report page ---------------------------------------------------------------------------------------


def report_page(rep: Report, words: Presenter, names: dict[str, str]) -> dict[str, Any]:
    """This week's report as the page shows it before a filter is chosen: a section per member (and the team), each
    figure with the customers behind it."""
    def part(p: Any) -> dict[str, Any]:
        named = p.activity.named()
        rows = []
        for name in (*ACTIVITY, "overdue"):
            ids = p.overdue_customers if name == "overdue" else ([] if name in ("interactions",) or
                                                                  name.endswith("_amount")
                                                                  else p.activity.customers[name])
            rows.append({"name": name, "label": words.t(f"report.figure.{name}"),
                         "value": p.overdue if name == "overdue" else named[name], "money": name.endswith("_amount"),
                         "customers": [{"id": cid, "name": names.get(cid, cid), "src": customer_src(cid)}
                                       for cid in ids]})
        return {"handle": p.handle or "", "name": words.who(p.handle) if p.handle else words.t("report.team"),
                "src": member_src(p.handle) if p.handle else "", "rows": rows,
                "targets": [_progress(t, words) for t in p.targets]}

    period = rep.period
    return {"period": period.key, "start": period.start.isoformat(), "last": period.last.isoformat(),
            "moves_known": rep.moves_known, "parts": [part(rep.team), *(part(m) for m in rep.members)]}


def report_period(today: dt.date) -> Period:
    return period_of("week", today)


# --- the handover page ----------------------------------------------------------------------------------------


def handover_page(customers: list[Customer], facts: dict[str, Facts], team: Team | None, words: Presenter,
                  problems: dict[str, tuple[Problem, ...]]) -> dict[str, Any]:
    """What members who left (``active: false``) — or who are no longer in team.yaml — still hold: their customers,
    open opportunities and open complaints, by member, with the command that hands them over."""
    known = team.handles if team is not None else {}
    gone = {h for h, m in known.items() if not m.active}

    def left(handle: str | None) -> bool:
        return bool(handle) and (handle in gone or (team is not None and handle not in known))

    groups: dict[str, list[dict[str, Any]]] = {}
    for c in customers:
        holders: dict[str, list[str]] = {}
        if left(c.owner) and c.stage != "lost":
            holders.setdefault(c.owner, []).append(words.t("handover.page.owner"))
        for o in c.opportunities:
            if o.is_open and left(o.owner):
                holders.setdefault(str(o.owner), []).append(words.t("handover.page.opportunity", what=one_line(o.what),
                                                                    amount=f"{o.amount:,.0f}"))
        for x in c.complaints:
            if x.status != "resolved" and left(x.handler):
                holders.setdefault(str(x.handler), []).append(words.t("handover.page.complaint",
                                                                      date=x.date.isoformat() if x.date else ""))
        f = facts.get(c.id)
        for handle, what in holders.items():
            groups.setdefault(handle, []).append({
                "id": c.id, "name": one_line(c.name), "src": customer_src(c.id), "what": words.join(what),
                "class_label": words.klass(f.klass) if f is not None else "", "stage_label": words.stage(c.stage),
                "due": f.due.date.isoformat() if f is not None and f.due else "",
                "errors": sum(1 for p in problems.get(c.id, ()) if p.severity is Severity.ERROR)})
    return {"groups": [{"handle": h, "name": words.who(h), "in_team": h in known, "rows": rows,
                        "command": words.t("handover.page.command", handle=h)}
                       for h, rows in sorted(groups.items())]}
