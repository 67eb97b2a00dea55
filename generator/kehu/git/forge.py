"""One small client for what the forge recorded about a pull request: its author, its head commit and the approving
reviews (GitHub: the pull request's reviews; GitLab: the merge request's approvals).

Only reading, over HTTPS with the job's token (GitHub: ``github.token`` with ``pull-requests: read``; GitLab: a
token with ``read_api``), following GitHub's ``Link`` pages. Any failure — no answer, a refusal, a page that is not
the expected JSON — is one :class:`ForgeError` line naming the request (never the token); the review job then
fails, which is the safe side of a decision about approval.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from ..util.errors import KehuError

TIMEOUT_S = 20
MAX_PAGES = 20  # 2,000 reviews: more than any pull request gets


class ForgeError(KehuError):
    """The forge could not be asked, or answered something else than expected."""


@dataclass(frozen=True, slots=True)
class Approval:
    """An approving review: who gave it and, where the forge records it, on which commit."""

    user: str              # the forge login
    commit: str | None     # GitHub: the commit it approved; GitLab: None (the approvals of the current version)


@dataclass(frozen=True, slots=True)
class Request:
    """What the forge says about one pull (merge) request."""

    author: str
    head: str              # the head commit
    base: str              # the target branch
    approvals: tuple[Approval, ...]


def _get(url: str, headers: dict[str, str]) -> tuple[Any, str]:
    """The JSON at ``url`` and the next page's address (GitHub's ``Link: <…>; rel="next"``), or a ForgeError."""
    parts = urllib.parse.urlsplit(url)
    shown = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ForgeError.coded("forge-bad-url", url=shown)
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "kehu", **headers})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # the scheme is checked: http(s) only
            raw = response.read(8 * 1024 * 1024)
            link = response.headers.get("Link") or ""
    except urllib.error.HTTPError as e:
        raise ForgeError.coded("forge-http", url=shown, status=e.code) from None
    except (urllib.error.URLError, OSError) as e:
        raise ForgeError.coded("forge-unreachable", url=shown, reason=getattr(e, "reason", e)) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ForgeError.coded("forge-not-json", url=shown) from None
    found = re.search(r'<([^>]+)>;\s*rel="next"', link)
    return data, found.group(1) if found else ""


def _field(data: Any, *path: str) -> str:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, str) else ""


def github(api: str, repository: str, number: int, token: str | None) -> Request:
    """GitHub: ``GET /repos/{repository}/pulls/{number}`` and its ``/reviews``; a reviewer's latest APPROVED,
    CHANGES_REQUESTED or DISMISSED review is their word (comments say nothing), so a dismissed or superseded
    approval does not count."""
    base = api.rstrip("/") + f"/repos/{repository}/pulls/{number}"
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    pull, _ = _get(base, headers)
    latest: dict[str, dict[str, Any]] = {}
    url = base + "/reviews?per_page=100"
    for _ in range(MAX_PAGES):
        page, url = _get(url, headers)
        for review in page if isinstance(page, list) else []:
            state, user = _field(review, "state"), _field(review, "user", "login")
            if user and state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
                latest[user.casefold()] = review
        if not url:
            break
    approvals = tuple(Approval(_field(r, "user", "login"), _field(r, "commit_id") or None)
                      for r in latest.values() if _field(r, "state") == "APPROVED")
    return Request(_field(pull, "user", "login"), _field(pull, "head", "sha"), _field(pull, "base", "ref"), approvals)


def gitlab(api: str, project: str, iid: int, token: str | None) -> Request:
    """GitLab: ``GET /projects/{project}/merge_requests/{iid}`` and its ``/approvals`` (``approved_by``) — the
    approvals of the merge request as it is now (GitLab can reset them when commits are added)."""
    base = api.rstrip("/") + f"/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{iid}"
    headers = {"PRIVATE-TOKEN": token} if token else {}
    merge, _ = _get(base, headers)
    approvals, _ = _get(base + "/approvals", headers)
    users = approvals.get("approved_by") if isinstance(approvals, dict) else None
    found = tuple(Approval(_field(u, "user", "username"), None) for u in users or [] if _field(u, "user", "username"))
    return Request(_field(merge, "author", "username"), _field(merge, "sha"), _field(merge, "target_branch"), found)
