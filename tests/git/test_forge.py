"""The one client of the forges (kehu intake and kehu approval): a redirect is never followed and a next page on
another host is never asked for — the token stays with the API's host — and a failure is one line naming the call
without the token. Servers on 127.0.0.1 (the "other host" is the same address under the name localhost)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from kehu.git.forge import ForgeError, GitHub, GitLab, api_address, token
from kehu.words.catalogue import Locale

TOKEN = "s3cr3t-t0ken"


class Server:
    """Answers every GET with ``answer(path) -> (status, headers, JSON)`` and records what was asked."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer = lambda path: (200, {}, {})
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append({"path": self.path, "headers": dict(self.headers)})
                status, headers, data = server.answer(self.path)
                raw = json.dumps(data).encode()
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", "Content-Length": str(len(raw)), **headers}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def url(self, path: str = "", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.http.server_address[1]}{path}"


@pytest.fixture
def servers() -> Iterator[tuple[Server, Server]]:
    made = (Server(), Server())
    yield made
    for s in made:
        s.http.shutdown()
        s.http.server_close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_a_failure_and_is_not_followed(servers: tuple[Server, Server], status: int) -> None:
    api, elsewhere = servers
    api.answer = lambda path: (status, {"Location": elsewhere.url("/steal")}, {})
    for call in (lambda: GitHub(api.url(), "acme/crm", TOKEN).request(7),
                 lambda: GitHub(api.url(), "acme/crm", TOKEN).issue(5),
                 lambda: GitLab(api.url("/api/v4"), "acme/crm", TOKEN).request(7)):
        with pytest.raises(ForgeError) as caught:
            call()
        said = caught.value.line_for(Locale("en"))
        assert f"HTTP {status}" in said and "127.0.0.1" in said and TOKEN not in said and "\n" not in said
    assert elsewhere.requests == [] and len(api.requests) == 3


def test_the_reviews_are_read_page_by_page_on_the_apis_host_only(servers: tuple[Server, Server]) -> None:
    api, elsewhere = servers
    pull = {"user": {"login": "lixia-sales"}, "head": {"sha": "a" * 40}, "base": {"ref": "main"}}

    def review(login: str) -> dict[str, Any]:
        return {"user": {"login": login}, "state": "APPROVED", "commit_id": "a" * 40}

    def answer(path: str) -> tuple[int, dict[str, str], Any]:
        if path == "/repos/acme/crm/pulls/7":
            return 200, {}, pull
        if path.startswith("/repos/acme/crm/pulls/7/reviews?page=2"):
            return 200, {"Link": f'<{elsewhere.url("/reviews?page=3")}>; rel="next"'}, [review("wangfang-cs")]
        return 200, {"Link": f'<{api.url("/repos/acme/crm/pulls/7/reviews?page=2")}>; rel="next"'}, [review("liuyang")]

    api.answer = answer
    found = GitHub(api.url(), "acme/crm", TOKEN).request(7)
    assert sorted(a.user for a in found.approvals) == ["liuyang", "wangfang-cs"] and found.base == "main"
    assert elsewhere.requests == []  # a next page on another host: the token is not sent there
    assert all(r["headers"].get("Authorization") == f"Bearer {TOKEN}" for r in api.requests)


def test_where_the_forge_is_and_its_token_are_read_one_way() -> None:
    assert api_address("github", None, {}) == "https://api.github.com"
    assert api_address("gitlab", None, {"CI_API_V4_URL": "https://git.acme.cn/api/v4"}) == "https://git.acme.cn/api/v4"
    assert api_address("github", "http://127.0.0.1:1", {"GITHUB_API_URL": "https://ghe/api/v3"}) == "http://127.0.0.1:1"
    assert token({"KEHU_FORGE_TOKEN": TOKEN, "GITHUB_TOKEN": "other"}) == TOKEN
    assert token({"GITHUB_TOKEN": "other"}) is None  # only what the workflow hands over as KEHU_FORGE_TOKEN
