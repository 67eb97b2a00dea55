"""The one small client of the forges' REST APIs that ``kehu intake`` needs: read an issue, find the pull
(merge) request of a branch, open one, comment on an issue and replace its text — on GitHub and on GitLab.

Nothing else in kehu talks to a forge. The API's address comes from where the job runs (``GITHUB_API_URL`` on
GitHub Actions, ``CI_API_V4_URL`` on GitLab CI) or the caller; the tests point it at a server on 127.0.0.1.
The token is passed in by the caller (``KEHU_FORGE_TOKEN``) and never printed: a failure names the call and
the HTTP status only. Only http(s) addresses are called, redirects are not followed (a token must not travel
to another host), and every call has a time limit.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from ..util.errors import KehuError

TIMEOUT_S = 20
MAX_ANSWER_BYTES = 4 * 1024 * 1024


class ForgeError(KehuError):
    """A call to the forge failed: one line naming the call and why (never the token)."""


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


class Forge(Protocol):
    """What ``kehu intake`` asks of a forge."""

    kind: str            # github | gitlab

    def issue(self, number: int) -> Issue: ...

    def pulls_of(self, branch: str) -> list[Pull]: ...

    def open_pull(self, branch: str, base: str, title: str, body: str) -> Pull: ...

    def comment(self, number: int, body: str) -> None: ...

    def set_body(self, number: int, body: str) -> None: ...

    def push_auth(self) -> dict[str, str]: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as the error it is


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class _Http:
    api: str
    headers: dict[str, str]

    def call(self, method: str, path: str, what: str, data: dict[str, Any] | None = None,
             query: dict[str, str] | None = None) -> Any:
        url = self.api.rstrip("/") + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ForgeError.coded("intake-forge", what=what, detail=url.split(":", 1)[0])
        body = json.dumps(data, ensure_ascii=False).encode("utf-8") if data is not None else None
        request = urllib.request.Request(url, data=body, method=method, headers={
            **self.headers, "Accept": "application/json", "User-Agent": "kehu-intake",
            **({"Content-Type": "application/json; charset=utf-8"} if body is not None else {})})
        try:
            with _OPENER.open(request, timeout=TIMEOUT_S) as response:  # the scheme is checked above
                raw = response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as e:
            raise ForgeError.coded("intake-forge", what=what, detail=f"HTTP {e.code}") from None
        except (urllib.error.URLError, OSError) as e:
            raise ForgeError.coded("intake-forge", what=what, detail=getattr(e, "reason", e)) from None
        try:
            return json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError):
            raise ForgeError.coded("intake-forge", what=what, detail="not JSON") from None


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class GitHub:
    """GitHub's REST API (api.github.com, or GitHub Enterprise's /api/v3) for one repository ``owner/name``."""

    kind = "github"

    def __init__(self, api: str, repository: str, token: str) -> None:
        self.repository = repository
        self.token = token
        self.http = _Http(api, {"Authorization": f"Bearer {token}", "X-GitHub-Api-Version": "2022-11-28"})
        self.base = f"/repos/{urllib.parse.quote(repository, safe='/')}"

    def issue(self, number: int) -> Issue:
        x = self.http.call("GET", f"{self.base}/issues/{number}", "GET issue")
        return github_issue(x)

    def pulls_of(self, branch: str) -> list[Pull]:
        owner = self.repository.split("/", 1)[0]
        found = self.http.call("GET", f"{self.base}/pulls", "GET pulls",
                               query={"head": f"{owner}:{branch}", "state": "all", "per_page": "100"})
        out = []
        for x in found if isinstance(found, list) else []:
            state = "merged" if x.get("merged_at") else _text(x.get("state"))
            number = int(x.get("number") or 0)
            out.append(Pull(number, _text(x.get("html_url")), state, f"#{number}"))
        return out

    def open_pull(self, branch: str, base: str, title: str, body: str) -> Pull:
        x = self.http.call("POST", f"{self.base}/pulls", "POST pull",
                           {"title": title, "head": branch, "base": base, "body": body})
        number = int(x.get("number") or 0)
        return Pull(number, _text(x.get("html_url")), "open", f"#{number}")

    def comment(self, number: int, body: str) -> None:
        self.http.call("POST", f"{self.base}/issues/{number}/comments", "POST comment", {"body": body})

    def set_body(self, number: int, body: str) -> None:
        self.http.call("PATCH", f"{self.base}/issues/{number}", "PATCH issue", {"body": body})

    def push_auth(self) -> dict[str, str]:
        """The header git sends when pushing over https (as actions/checkout sets it)."""
        basic = base64.b64encode(f"x-access-token:{self.token}".encode()).decode("ascii")
        return {"http.extraheader": f"AUTHORIZATION: basic {basic}"}


def github_issue(x: Any) -> Issue:
    """An issue as GitHub's API and its ``issues`` event write it."""
    if not isinstance(x, dict) or not isinstance(x.get("number"), int):
        raise ForgeError.coded("intake-forge", what="issue", detail="no issue number")
    user = as_object(x.get("user"))
    labels = tuple(_text(label.get("name")) for label in x.get("labels") or [] if isinstance(label, dict))
    return Issue(x["number"], _text(x.get("title")), _text(x.get("body")), _text(user.get("login")),
                 _text(x.get("state")), _text(x.get("created_at")), labels, _text(x.get("html_url")))


class GitLab:
    """GitLab's REST API v4 for one project (its numeric id or ``group/name``)."""

    kind = "gitlab"

    def __init__(self, api: str, project: str, token: str) -> None:
        self.token = token
        self.http = _Http(api, {"PRIVATE-TOKEN": token})
        self.base = f"/projects/{urllib.parse.quote(project, safe='')}"

    def issue(self, number: int) -> Issue:
        x = self.http.call("GET", f"{self.base}/issues/{number}", "GET issue")
        if not isinstance(x, dict):
            raise ForgeError.coded("intake-forge", what="GET issue", detail="no issue")
        author = as_object(x.get("author"))
        labels = tuple(str(label) for label in x.get("labels") or [] if isinstance(label, str))
        return Issue(int(x.get("iid") or number), _text(x.get("title")), _text(x.get("description")),
                     _text(author.get("username")), "open" if x.get("state") == "opened" else _text(x.get("state")),
                     _text(x.get("created_at")), labels, _text(x.get("web_url")))

    def pulls_of(self, branch: str) -> list[Pull]:
        found = self.http.call("GET", f"{self.base}/merge_requests", "GET merge_requests",
                               query={"source_branch": branch, "state": "all", "per_page": "100"})
        out = []
        for x in found if isinstance(found, list) else []:
            state = {"opened": "open", "merged": "merged"}.get(_text(x.get("state")), "closed")
            number = int(x.get("iid") or 0)
            out.append(Pull(number, _text(x.get("web_url")), state, f"!{number}"))
        return out

    def open_pull(self, branch: str, base: str, title: str, body: str) -> Pull:
        x = self.http.call("POST", f"{self.base}/merge_requests", "POST merge_request",
                           {"source_branch": branch, "target_branch": base, "title": title, "description": body,
                            "remove_source_branch": True})
        number = int(x.get("iid") or 0)
        return Pull(number, _text(x.get("web_url")), "open", f"!{number}")

    def comment(self, number: int, body: str) -> None:
        self.http.call("POST", f"{self.base}/issues/{number}/notes", "POST note", {"body": body})

    def set_body(self, number: int, body: str) -> None:
        self.http.call("PUT", f"{self.base}/issues/{number}", "PUT issue", {"description": body})

    def push_auth(self) -> dict[str, str]:
        basic = base64.b64encode(f"oauth2:{self.token}".encode()).decode("ascii")
        return {"http.extraheader": f"AUTHORIZATION: basic {basic}"}
