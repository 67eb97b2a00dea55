"""The YAML language server VS Code's YAML extension runs, driven over stdio the way an editor drives it (LSP:
JSON-RPC with Content-Length headers): open a file, read its diagnostics, ask for completion and hover.

The server is the real one from npm (`yaml-language-server`, installed into .venv/ by
``scripts/setup.sh --with-editor``, pinned there); nothing here imitates it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from tests.support.paths import PROJECT

SERVER = PROJECT / ".venv" / "node_modules" / ".bin" / "yaml-language-server"
SETTINGS = {"validate": True, "hover": True, "completion": True, "format": {"enable": False},
            "schemaStore": {"enable": False}}


class LanguageServer:
    """One server process; a client that answers the server's own requests (its settings) as VS Code does."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen([str(SERVER), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(),
            "capabilities": {"textDocument": {
                "completion": {"completionItem": {"documentationFormat": ["markdown", "plaintext"]}},
                "hover": {"contentFormat": ["markdown", "plaintext"]}},
                "workspace": {"configuration": True}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": SETTINGS}})

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            headers: dict[str, str] = {}
            while True:
                line = out.readline()
                if not line:
                    return
                text = line.decode("ascii").strip()
                if not text:
                    break
                key, _, value = text.partition(":")
                headers[key.lower()] = value.strip()
            self.inbox.put(json.loads(out.read(int(headers["content-length"]))))

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"Content-Length: {len(data)}\r\n\r\n".encode("ascii") + data)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        asked = self.next_id
        self._send({"jsonrpc": "2.0", "id": asked, "method": method, "params": params})
        return self._wait(lambda m: m.get("id") == asked and "method" not in m).get("result")

    def _wait(self, wanted: Any, timeout: float = 60) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("the language server did not answer")
            message = self.inbox.get(timeout=left)
            if "method" in message and "id" in message:  # the server asks: its settings, or a UI request
                items = message.get("params", {}).get("items", [])
                result = [SETTINGS for _ in items] if message["method"] == "workspace/configuration" else None
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
                continue
            if wanted(message):
                return message

    # --- what an editor asks ------------------------------------------------------------------------------

    def open(self, path: Path) -> list[dict[str, Any]]:
        """Open a file as an editor does; its diagnostics."""
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                              "text": path.read_text(encoding="utf-8")}})
        found = self._wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                           and m["params"]["uri"] == uri)
        diagnostics: list[dict[str, Any]] = found["params"]["diagnostics"]
        return diagnostics

    def completion(self, path: Path, line: int, character: int) -> list[dict[str, Any]]:
        result = self.request("textDocument/completion", {"textDocument": {"uri": path.as_uri()},
                                                          "position": {"line": line, "character": character}})
        items: list[dict[str, Any]] = result.get("items", []) if isinstance(result, dict) else result or []
        return items

    def hover(self, path: Path, line: int, character: int) -> str:
        result = self.request("textDocument/hover", {"textDocument": {"uri": path.as_uri()},
                                                     "position": {"line": line, "character": character}})
        contents = (result or {}).get("contents", "")
        return str(contents.get("value", "") if isinstance(contents, dict) else contents)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)


def documentation(item: dict[str, Any]) -> str:
    doc = item.get("documentation") or ""
    return str(doc.get("value", "") if isinstance(doc, dict) else doc)
