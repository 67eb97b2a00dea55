"""The one small client of the forges' REST APIs — GitHub and GitLab — and nothing else in kehu talks to a forge.

``kehu intake`` reads an issue, finds the pull (merge) request of a branch, opens one, comments on an issue and
replaces its text; ``kehu approval`` reads what the forge recorded about a pull request (its author, head commit,
target branch and approving reviews: GitHub's reviews, GitLab's approvals).

Where the forge is, and with which token, is read one way (:func:`api_address`, :func:`token`): the API's address
from the caller (``--api``) or from where the job runs (``GITHUB_API_URL`` on GitHub Actions, ``CI_API_V4_URL`` on
GitLab CI); the token from ``KEHU_FORGE_TOKEN``, which the workflow hands over (never read from the repository,
never printed: a failure names the call's address without its query and the HTTP status only). Only http(s)
addresses are called, redirects are never followed and GitHub's ``Link`` pages only on the API's own host (a token
must not travel to another host), every answer is bounded in size and every call has a time limit. The tests point
the address at a server on 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..util.errors import KehuError

TIMEOUT_S = 20
MAX_ANSWER_BYTES = 4 * 1024 * 1024
MAX_PAGES = 20  # 2,000 reviews: more than any pull request gets
DEFAULT_API = {"github": "https://api.github.com", "gitlab": "https://gitlab.com/api/v4"}
TOKEN_ENV = "KEHU_FORGE_TOKEN"


class ForgeError(KehuError):
    """A call to the forge failed: one line naming the call and why (never the token)."""


def api_address(kind: str, given: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The forge's API: the one given, else the CI job's (``GITHUB_API_URL`` / ``CI_API_V4_URL``), else the public
    forge's."""
    env = os.environ if env is None else env
    job = env.get("GITHUB_API_URL") if kind == "github" else env.get("CI_API_V4_URL")
    return given or job or DEFAULT_API[kind]


def token(env: Mapping[str, str] | None = None) -> str | None:
    """The forge token the workflow hands over in ``KEHU_FORGE_TOKEN`` (GitHub: the job's ``github.token`` or a bot's
    secret; GitLab: the ``KEHU_BOT_TOKEN`` variable)."""
    env = os.environ if env is None else env
    return env.get(TOKEN_ENV) or None


# --- what the forge answers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    number: int
    title: str
    body: str
    author: str          # the forge account that opened it
    state: str           # open | closed
    created: str         # ISO 8601 time it was opened
    labels: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class Pull:
    number: int
    url: str
    state: str           # open | merged | closed
    ref: str = ""        # how the forge's Markdown links to it: #12 on GitHub, !12 on GitLab


@dataclass(frozen=True, slots=True)
class Approval:
    """An approving review: who gave it and, where the forge records it, on which commit."""

    user: str              # the forge login
    commit: str | None     # GitHub: the commit it approved; GitLab: None (the approvals of the current version)


@dataclass(frozen=True, slots=True)
class Request:
    """What the forge says about one pull (merge) request, for ``kehu approval``."""

    author: str
    head: str              # the head commit
    base: str              # the target branch
    approvals: tuple[Approval, ...]


class Forge(Protocol):
    """What kehu asks of a forge."""

    kind: str            # github | gitlab

    def issue(self, number: int) -> Issue: ...

    def pulls_of(self, branch: str) -> list[Pull]: ...

    def open_pull(self, branch: str, base: str, title: str, body: str) -> Pull: ...

    def comment(self, number: int, body: str) -> None: ...

    def set_body(self, number: int, body: str) -> None: ...

    def push_auth(self) -> dict[str, str]: ...

    def request(self, number: int) -> Request: ...


# --- the one HTTP client ----------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as the error it is (HTTP 3xx): the token stays with the API's host


_OPENER = urllib.request.build_opener(_NoRedirect)
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def _shown(url: str) -> str:
    """An address as a failure may name it: scheme, host and path (no query, no user name or password)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", ""))


@dataclass
class _Http:
    api: str
    headers: dict[str, str]

    def _open(self, method: str, url: str, data: dict[str, Any] | None) -> tuple[Any, str]:
        """The JSON answer at ``url`` and the next page's address (``Link: <…>; rel="next"``), or a ForgeError."""
        shown = _shown(url)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ForgeError.coded("forge-bad-url", url=shown)
        body = json.dumps(data, ensure_ascii=False).encode("utf-8") if data is not None else None
        request = urllib.request.Request(url, data=body, method=method, headers={
            **self.headers, "Accept": "application/json", "User-Agent": "kehu",
            **({"Content-Type": "application/json; charset=utf-8"} if body is not None else {})})
        try:
            with _OPENER.open(request, timeout=TIMEOUT_S) as response:  # the scheme is checked: http(s) only
                raw = response.read(MAX_ANSWER_BYTES)
                link = response.headers.get("Link") or ""
        except urllib.error.HTTPError as e:
            raise ForgeError.coded("forge-http", url=shown, status=e.code) from None
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
            # what the library says may quote the address: only its plain reason, or its kind
            reason = getattr(e, "reason", None)
            said = reason.strerror if isinstance(reason, OSError) and reason.strerror else \
                reason if isinstance(reason, str) else type(e).__name__
            raise ForgeError.coded("forge-unreachable", url=shown, reason=said) from None
        try:
            answer = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError):
            raise ForgeError.coded("forge-not-json", url=shown) from None
        found = _NEXT.search(link)
        return answer, found.group(1) if found else ""

    def url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        return self.api.rstrip("/") + path + (f"?{urllib.parse.urlencode(query)}" if query else "")

    def call(self, method: str, path: str, data: dict[str, Any] | None = None,
             query: Mapping[str, str] | None = None) -> Any:
        return self._open(method, self.url(path, query), data)[0]

    def pages(self, path: str, query: Mapping[str, str] | None = None) -> Iterator[Any]:
        """Every page of a list, following ``Link`` to the next one on the API's own host only."""
        home = urllib.parse.urlsplit(self.api)
        url = self.url(path, query)
        for _ in range(MAX_PAGES):
            page, url = self._open("GET", url, None)
            yield page
            there = urllib.parse.urlsplit(url)
            if not url or (there.scheme, there.netloc) != (home.scheme, home.netloc):
                return


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _field(data: Any, *path: str) -> str:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return _text(data)


# --- GitHub -----------------------------------------------------------------------------------------------------


class GitHub:
    """GitHub's REST API (api.github.com, or GitHub Enterprise's /api/v3) for one repository ``owner/name``."""

    kind = "github"

    def __init__(self, api: str, repository: str, token: str | None) -> None:
        self.repository = repository
        self.token = token or ""
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = _Http(api, headers)
        self.base = f"/repos/{urllib.parse.quote(repository, safe='/')}"

    def issue(self, number: int) -> Issue:
        return github_issue(self.http.call("GET", f"{self.base}/issues/{number}"))

    def pulls_of(self, branch: str) -> list[Pull]:
        owner = self.repository.split("/", 1)[0]
        found = self.http.call("GET", f"{self.base}/pulls",
                               query={"head": f"{owner}:{branch}", "state": "all", "per_page": "100"})
        out = []
        for x in found if isinstance(found, list) else []:
            state = "merged" if x.get("merged_at") else _text(x.get("state"))
            number = int(x.get("number") or 0)
            out.append(Pull(number, _text(x.get("html_url")), state, f"#{number}"))
        return out

    def open_pull(self, branch: str, base: str, title: str, body: str) -> Pull:
        x = as_object(self.http.call("POST", f"{self.base}/pulls",
                                     {"title": title, "head": branch, "base": base, "body": body}))
        number = int(x.get("number") or 0)
        return Pull(number, _text(x.get("html_url")), "open", f"#{number}")

    def comment(self, number: int, body: str) -> None:
        self.http.call("POST", f"{self.base}/issues/{number}/comments", {"body": body})

    def set_body(self, number: int, body: str) -> None:
        self.http.call("PATCH", f"{self.base}/issues/{number}", {"body": body})

    def push_auth(self) -> dict[str, str]:
        """The header git sends when pushing over https (as actions/checkout sets it)."""
        basic = base64.b64encode(f"x-access-token:{self.token}".encode()).decode("ascii")
        return {"http.extraheader": f"AUTHORIZATION: basic {basic}"}

    def request(self, number: int) -> Request:
        """``GET /repos/{repository}/pulls/{number}`` and its ``/reviews``; a reviewer's latest APPROVED,
        CHANGES_REQUESTED or DISMISSED review is their word (comments say nothing), so a dismissed or superseded
        approval does not count."""
        path = f"{self.base}/pulls/{number}"
        pull = self.http.call("GET", path)
        latest: dict[str, dict[str, Any]] = {}
        for page in self.http.pages(path + "/reviews", {"per_page": "100"}):
            for review in page if isinstance(page, list) else []:
                state, user = _field(review, "state"), _field(review, "user", "login")
                if user and state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
                    latest[user.casefold()] = review
        approvals = tuple(Approval(_field(r, "user", "login"), _field(r, "commit_id") or None)
                          for r in latest.values() if _field(r, "state") == "APPROVED")
        return Request(_field(pull, "user", "login"), _field(pull, "head", "sha"), _field(pull, "base", "ref"),
                       approvals)


def github_issue(x: Any) -> Issue:
    """An issue as GitHub's API and its ``issues`` event write it."""
    if not isinstance(x, dict) or not isinstance(x.get("number"), int):
        raise ForgeError.coded("forge-no-issue", what="GitHub")
    user = as_object(x.get("user"))
    labels = tuple(_text(label.get("name")) for label in x.get("labels") or [] if isinstance(label, dict))
    return Issue(x["number"], _text(x.get("title")), _text(x.get("body")), _text(user.get("login")),
                 _text(x.get("state")), _text(x.get("created_at")), labels, _text(x.get("html_url")))


# --- GitLab -----------------------------------------------------------------------------------------------------


class GitLab:
    """GitLab's REST API v4 for one project (its numeric id or ``group/name``)."""

    kind = "gitlab"

    def __init__(self, api: str, project: str, token: str | None) -> None:
        self.token = token or ""
        self.http = _Http(api, {"PRIVATE-TOKEN": token} if token else {})
        self.base = f"/projects/{urllib.parse.quote(project, safe='')}"

    def issue(self, number: int) -> Issue:
        x = self.http.call("GET", f"{self.base}/issues/{number}")
        if not isinstance(x, dict):
            raise ForgeError.coded("forge-no-issue", what="GitLab")
        author = as_object(x.get("author"))
        labels = tuple(str(label) for label in x.get("labels") or [] if isinstance(label, str))
        return Issue(int(x.get("iid") or number), _text(x.get("title")), _text(x.get("description")),
                     _text(author.get("username")), "open" if x.get("state") == "opened" else _text(x.get("state")),
                     _text(x.get("created_at")), labels, _text(x.get("web_url")))

    def pulls_of(self, branch: str) -> list[Pull]:
        found = self.http.call("GET", f"{self.base}/merge_requests",
                               query={"source_branch": branch, "state": "all", "per_page": "100"})
        out = []
        for x in found if isinstance(found, list) else []:
            state = {"opened": "open", "merged": "merged"}.get(_text(x.get("state")), "closed")
            number = int(x.get("iid") or 0)
            out.append(Pull(number, _text(x.get("web_url")), state, f"!{number}"))
        return out

    def open_pull(self, branch: str, base: str, title: str, body: str) -> Pull:
        x = as_object(self.http.call("POST", f"{self.base}/merge_requests",
                                     {"source_branch": branch, "target_branch": base, "title": title,
                                      "description": body, "remove_source_branch": True}))
        number = int(x.get("iid") or 0)
        return Pull(number, _text(x.get("web_url")), "open", f"!{number}")

    def comment(self, number: int, body: str) -> None:
        self.http.call("POST", f"{self.base}/issues/{number}/notes", {"body": body})

    def set_body(self, number: int, body: str) -> None:
        self.http.call("PUT", f"{self.base}/issues/{number}", {"description": body})

    def push_auth(self) -> dict[str, str]:
        basic = base64.b64encode(f"oauth2:{self.token}".encode()).decode("ascii")
        return {"http.extraheader": f"AUTHORIZATION: basic {basic}"}

    def request(self, number: int) -> Request:
        """``GET /projects/{project}/merge_requests/{iid}`` and its ``/approvals`` (``approved_by``) — the approvals
        of the merge request as it is now (GitLab can reset them when commits are added)."""
        path = f"{self.base}/merge_requests/{number}"
        merge = self.http.call("GET", path)
        answer = self.http.call("GET", path + "/approvals")
        users = answer.get("approved_by") if isinstance(answer, dict) else None
        found = tuple(Approval(_field(u, "user", "username"), None) for u in users or []
                      if _field(u, "user", "username"))
        return Request(_field(merge, "author", "username"), _field(merge, "sha"), _field(merge, "target_branch"),
                       found)


def client(kind: str, api: str, project: str, token: str | None) -> Forge:
    """The client of one forge's project (``kind``: github | gitlab)."""
    return GitHub(api, project, token) if kind == "github" else GitLab(api, project, token)
