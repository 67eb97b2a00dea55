"""What the site's search transfers, measured in Chromium: ``python -m benchmarks.bench_search``.

For each N (default 10,000) it writes a synthetic repository (``synth.make_repo``), builds the site with
the real ``kehu build``, serves it from 127.0.0.1 the way a static host does (gzip when the browser accepts
it, like GitHub Pages, GitLab Pages or nginx with ``gzip_static``), and opens it in Debian's Chromium
(Playwright, ``/usr/bin/chromium``) with an empty cache for every query:

* **page load**: what a page fetches for search before anyone types (``search_index.json``, the worker,
  the manifest) and the whole page;
* **first search**: everything fetched from typing the query until the results are shown, plus the page
  load's search part — the figure the target is about (≤ 1 MB compressed at 10,000 customers).

Bytes are the response bodies as the server sent them (gzip-compressed; headers not counted), recorded by
the server; "raw" is the files' size on disk. Queries are a customer's name part, a common word, one
character, pinyin, initials, a phone ending and two words. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.bench_site import SITE_FILES, folder_bytes, snapshot
from tests.support.git import commit_all, git
from tests.support.paths import PROJECT
from tests.support.synth import make_repo

TARGET = 1_000_000
COMPRESS = (".html", ".json", ".js", ".css", ".svg")


SENT: list[tuple[str, int]] = []  # (path, body bytes) of every response, in order: what went over the wire


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """A static host: gzip-compressed bodies for text files when the browser accepts them."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the base class redirects /x to /x/
            path = path / "index.html"
        if not (path.suffix in COMPRESS and path.is_file() and "gzip" in self.headers.get("Accept-Encoding", "")):
            SENT.append((self.path, path.stat().st_size if path.is_file() else 0))
            return super().send_head()
        body = _gzipped(path)
        SENT.append((self.path, len(body)))
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@functools.lru_cache(maxsize=4096)
def _gzipped(path: Path) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def queries(repo: Path) -> list[tuple[str, str]]:
    """(what, query) from the synthetic data itself, so they find something."""
    import yaml

    first = sorted((repo / "customers").glob("*.yaml"))[len(list((repo / "customers").glob("*.yaml"))) // 2]
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    name = data["name"]
    from kehu.words.pinyin import syllables

    syl = syllables(name)
    phone = next((c["phone"] for c in data.get("contacts", []) if c.get("phone")), "")
    return [("part of a name", name[2:6]), ("common word", "科技"), ("one character", name[2]),
            ("pinyin", "".join(syl[2:4])), ("initials", "".join(s[0] for s in syl[:4])),
            ("phone ending", phone[-4:]), ("two words", f"{name[2:4]} {data['contacts'][0]['name']}")]


def measure(base: str, query: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        SENT.clear()
        page.goto(base, wait_until="networkidle")
        loaded = list(SENT)
        SENT.clear()
        box = page.locator('input[data-md-component="search-query"]')
        box.click()
        start = time.perf_counter()
        box.fill(query)
        box.press("End")
        meta = page.locator(".md-search-result__meta")
        page.wait_for_function("""() => { const m = document.querySelector('.md-search-result__meta');
            return m && !/键入以开始搜索|正在初始化|Type to start|Initializing/.test(m.textContent); }""",
                               timeout=60_000)
        page.wait_for_load_state("networkidle")
        seconds = time.perf_counter() - start
        results = meta.inner_text()
        typed = list(SENT)
        browser.close()

    def is_search(url: str) -> bool:
        return "/search/" in url or "/workers/" in url

    load_all = sum(b for _, b in loaded)
    load_search = sum(b for u, b in loaded if is_search(u))
    query_bytes = sum(b for _, b in typed)
    return {"query": query, "results": results, "page": load_all, "load_search": load_search,
            "query_bytes": query_bytes, "files": len(typed), "first_search": load_search + query_bytes,
            "seconds": seconds}


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MB"


def bench(n: int, tmp: Path) -> None:
    repo = tmp / f"repo-{n}"
    make_repo(repo, n)
    for name in SITE_FILES:
        src = PROJECT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, repo / name)
    git(repo, "init", "-q")
    commit_all(repo, "synthetic customers", name="bench", email="bench@example.com")
    env = snapshot(tmp / f"pkg-{n}")
    out = tmp / f"site-{n}"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kehu.cli", "build", "--out", str(out)], cwd=repo, env=env, check=True,
                   capture_output=True)
    print(f"  N={n:,}: built in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    index = out / "search"
    shards = sorted((index / "kehu").glob("t*.json"), key=lambda p: p.stat().st_size)
    print(f"\nN = {n:,} customers; load average {os.getloadavg()[0]:.1f}")
    print(f"index on disk: {kb(folder_bytes(index))} raw in {len(list((index / 'kehu').iterdir()))} files "
          f"({len(shards)} shards, largest {kb(shards[-1].stat().st_size)} raw, "
          f"{kb(len(_gzipped(shards[-1])))} gzip; whole index "
          f"{kb(sum(len(_gzipped(p)) for p in index.rglob('*.json')))} gzip)")
    server, base = serve(out)
    try:
        print("| query | | results | page load (all) | search on load | typed query | files | first search "
              "| ≤ 1 MB | seconds |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for what, q in queries(repo):
            m = measure(base, q)
            ok = "yes" if int(m["first_search"]) <= TARGET else "NO"  # type: ignore[arg-type]
            print(f"| {what} | `{q}` | {m['results']} | {kb(m['page'])} | {kb(m['load_search'])} | "  # type: ignore[arg-type]
                  f"{kb(m['query_bytes'])} | {m['files']} | {kb(m['first_search'])} | {ok} | {m['seconds']:.2f} |")  # type: ignore[arg-type]
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Measure what the site's search transfers (see the module docstring).")
    ap.add_argument("--sizes", default="10000", help="comma-separated numbers of customers (default 10000)")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    args = ap.parse_args(argv)
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="kehu-bench-search-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        for n in (int(x) for x in args.sizes.split(",")):
            bench(n, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
