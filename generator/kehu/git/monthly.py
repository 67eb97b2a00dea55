"""The monthly review of classification changes, from git history: the customer files as they were
committed before a month began and before it ended, derived on those days (``derive.month_changes``).

Git is the record of what the team knew when: a customer lost in the month, a deal added, a need
rewritten — the files at each commit say it, whatever the files say today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from ..core.derive import ClassChange, month_changes
from ..repo.gitinfo import blobs
from ..repo.model import Customer, customer_from
from ..repo.repository import Repo
from ..repo.yamlload import load_yaml_bytes
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


def blob_id(raw: bytes) -> str:
    """The id git gives these bytes as a blob (so a file unchanged since a commit is recognised unread)."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


def customers_at(repo: Repo, commit: str | None, known: dict[str, Customer] | None = None) -> list[Customer]:
    """The customers of ``customers/`` in ``commit`` that pass today's schema (others are left out). ``known``:
    customers already parsed, by blob id — a file that has not changed since is not parsed again."""
    if commit is None:
        return []
    listing = git(repo.root, "ls-tree", "-r", commit, "--", "customers/")
    entries = []  # (blob id, path)
    for line in listing.out.split("\n") if listing.ok else []:
        meta, _, name = line.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and name.endswith((".yaml", ".yml")):
            entries.append((parts[2], name))
    known = known or {}
    out = [known[sha] for sha, _ in entries if sha in known]
    unread = [(sha, name) for sha, name in entries if sha not in known]
    limit = repo.config.check.max_file_bytes
    for (_, name), raw in zip(unread, blobs(repo.root, [f"{commit}:{n}" for _, n in unread]), strict=True):
        if raw is None:
            continue
        loaded = load_yaml_bytes(name, raw, repo.msgs, limit)
        if loaded.problems or not isinstance(loaded.data, dict) or repo.schemas.validate("customer", loaded,
                                                                                          repo.msgs):
            continue
        out.append(customer_from(loaded))
    return out


def known_customers(repo: Repo, customers: list[Customer]) -> dict[str, Customer]:
    """The customers as loaded now, by the blob id of their file's bytes."""
    out = {}
    for c in customers:
        try:
            out[blob_id((repo.root / c.file).read_bytes())] = c
        except OSError:
            continue
    return out


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
