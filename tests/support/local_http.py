"""A small HTTP server on 127.0.0.1 for the tests of what kehu sends and asks: it records every request and answers
GETs from a table of paths (a forge's API) and POSTs as a chat robot does (``{"errcode": 0}``)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class LocalServer:
    def __init__(self, routes: dict[str, Any] | None = None) -> None:
        self.routes: dict[str, Any] = dict(routes or {})   # path (without the query) -> JSON answer, or (status, JSON)
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, data: Any) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                server.requests.append({"method": "GET", "path": self.path, "headers": dict(self.headers)})
                found = server.routes.get(urlsplit(self.path).path)
                if found is None:
                    self._answer(404, {"message": "Not Found"})
                elif isinstance(found, tuple):
                    self._answer(*found)
                else:
                    self._answer(200, found)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                server.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers),
                                        "body": json.loads(body.decode("utf-8"))})
                self._answer(200, {"errcode": 0, "errmsg": "ok"})

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
