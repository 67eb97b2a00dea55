"""Per-owner iCalendar feeds (RFC 5545) of due follow-ups, for calendar apps to subscribe to.

One all-day VEVENT per due item. The UID depends only on the customer (one
follow-up is owed per customer at a time), so when the due date moves after a
new interaction, subscribed calendars move the event instead of adding a
second one. An overdue item is placed on the build date — a follow-up that
slid into the past must not vanish from the agenda — and says since when it
is late.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from icalendar import Calendar, Event

PRODID = "-//kehu//customer follow-ups//ZH"


def owner_calendar(owner: str, owner_name: str, items: list[dict[str, Any]], today: dt.date, site_title: str,
                   labels: Any, uid_domain: str = "kehu") -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{site_title} · {owner_name}")
    stamp = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
    for item in items:
        if item["hold"]:
            continue  # quiet period: no reminder until it ends
        due = dt.date.fromisoformat(item["date"])
        when = max(due, today)
        summary = labels.t("ics.summary", name=item["name"])  # as `kehu export --format ics` says it
        if due < today:
            summary = f"[{labels.t('days_late', n=(today - due).days)}] {summary}"
        event = Event()
        # one follow-up is owed per customer at a time, and one of each rhythm: the UID stays when the date moves
        event.add("uid", f"{item['id']}-{item.get('kind', 'followup')}@{uid_domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", when)
        event.add("dtend", when + dt.timedelta(days=1))
        event.add("summary", summary)
        event.add("description", f"{item['reason_text']}\n{labels.colon(labels.t('due_date'), item['date'])}")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
