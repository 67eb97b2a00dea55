"""The monthly review of classification changes, from git history: the customer files as they were
committed before a month began and before it ended, derived on those days (``derive.month_changes``).

Git is the record of what the team knew when: a customer lost in the month, a deal added, a need
rewritten — the files at each commit say it, whatever the files say today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..book.versions import customers_at, known_customers
from ..core.derive import ClassChange, month_changes
from ..repo.model import Customer
from ..repo.repository import Repo
from ..util.gitcmd import git


@dataclass
class MonthReview:
    month: str                  # YYYY-MM
    start: dt.date
    end: dt.date                # the month's last day, or today within the current month
    commit_before: str | None   # the last commit before the month (None: the repository began in it)
    commit_after: str | None
    changes: list[ClassChange]


def month_bounds(month: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM`` (ValueError when it is not a month); the end never after today."""
    year, mon = (int(x) for x in month.split("-"))
    start = dt.date(year, mon, 1)
    following = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return start, min(following - dt.timedelta(days=1), today)


def _commit_before(repo: Repo, moment: dt.datetime) -> str | None:
    out = git(repo.root, "rev-list", "-1", f"--before={moment.isoformat()}", "HEAD")
    commit = out.out.strip() if out.ok else ""
    return commit or None


def review(repo: Repo, month: str, known: dict[str, Customer] | None = None) -> MonthReview:
    """The changes of one month. Needs a git repository (the caller says so when there is none)."""
    start, end = month_bounds(month, repo.config.today)
    zone = repo.config.tz
    begin = dt.datetime(start.year, start.month, start.day, tzinfo=zone)
    finish = dt.datetime(end.year, end.month, end.day, tzinfo=zone) + dt.timedelta(days=1)
    before, after = _commit_before(repo, begin), _commit_before(repo, finish)
    changes = month_changes(customers_at(repo, before, known), customers_at(repo, after, known), repo.config,
                            start, end)
    return MonthReview(month, start, end, before, after, changes)



def recent_reviews(repo: Repo, customers: list[Customer]) -> list[MonthReview]:
    """This month (to date) and last month — the site's review page; nothing outside a git repository."""
    from ..repo.gitinfo import is_git_repo

    if not is_git_repo(repo.root):
        return []
    today = repo.config.today
    last = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    known = known_customers(repo, customers)
    return [review(repo, today.strftime("%Y-%m"), known), review(repo, last, known)]
