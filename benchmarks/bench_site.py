"""Time ``kehu build`` and ``kehu serve`` on synthetic repositories, against bare MkDocs in the same run.

    python -m benchmarks.bench_site                    # N = 1000 and 10000
    python -m benchmarks.bench_site --sizes 1000 --serve-edits 5

For each size N a repository of N customers (tests/support/synth.py) plus this project's
mkdocs.yml and site_templates/ is written to a temporary git repository and committed; then

  kehu build   the real command, cold (no .kehu-cache). The plugin's own timings give the
               project's share — loading, deriving, history, rendering (``generate``) and
               the compact search entries added after MkDocs wrote its index — and the
               rest of the wall-clock time is MkDocs, Material and Python start-up.
  kehu build   again, with the .kehu-cache/ the first build left (check verdicts and parsed records):
  (cached)     a local rebuild, or CI restoring the cache between runs.
  bare mkdocs  ``mkdocs build`` on an equivalent folder of plain Markdown pages: one page per
               customer with the same content (facts, contacts masked, needs, the whole
               timeline, notes), customers out of the navigation, the same theme, language,
               search separator and report-page navigation, no kehu plugin.

and prints, for both: seconds, peak memory (the largest single process, from wait4), site size,
search-index size and bytes per customer, and for kehu the bytes per customer of the customers-
index data the browser filters. With ``--serve`` (on by default for the smallest size) it starts
``kehu serve`` on the repository, edits one customer file a few times and polls the served page
until each change shows, printing the seconds.

The kehu package is copied into the temporary folder and run from there, so code edited while the
benchmark runs cannot change the figures. Nothing here asserts a time: it prints figures and the
issue's targets next to them.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import yaml

from benchmarks.bench_check import tool, wait
from tests.support.git import commit_all, git
from tests.support.paths import PACKAGE, PROJECT
from tests.support.synth import TODAY, make_repo

SITE_FILES = ("mkdocs.yml", "site_templates")
TARGETS = {"ratio": 1.25, "own_share": 0.20, "index_per_customer": 2048, "data_per_customer": 300, "serve": 3.0}
REPORT_PAGES = ["index.md", "customers.md", "due.md", "funnel.md", "satisfaction.md", "team/index.md", "problems.md"]
STATS_MARK = "KEHU-BENCH-STATS "

# `kehu build` exactly as the console script runs it, printing the plugin's timings on the way out
BUILD_DRIVER = f"""
import json, sys
import kehu.commands.build as b
from kehu.cli import main
_run = b.run_mkdocs
def run_mkdocs(*args, **kwargs):
    stats = _run(*args, **kwargs)
    print({STATS_MARK!r} + json.dumps(stats), file=sys.stderr)
    return stats
b.run_mkdocs = run_mkdocs
sys.argv[0] = "kehu"
sys.exit(main())
"""


@dataclass
class Build:
    seconds: float = 0.0
    own: float = float("nan")              # the project's share (kehu builds only)
    rss_kb: int = 0
    site_bytes: int = 0
    pages: int = 0
    page_bytes: float = 0.0                # average customer page (HTML) size
    index_bytes: int = 0
    data_bytes: int = 0                    # customers-index JSON (kehu builds only)
    detail: dict[str, float] = field(default_factory=dict)


# --- running things ------------------------------------------------------------------------------------


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in KiB of the largest process, output) of one run (bench_check's ``wait``)."""
    seconds, code, usage, text = wait(cmd, cwd, env, timeout)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} … exited {code}:\n{text[-3000:]}")
    return seconds, usage.ru_maxrss, text


def snapshot(dest: Path) -> dict[str, str]:
    """Copy the kehu package to ``dest``; the environment that runs it (compiled once, like an install)."""
    shutil.copytree(PACKAGE, dest / "kehu", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "kehu")], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.update(KEHU_TODAY=TODAY.isoformat(), NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=os.pathsep.join([str(dest), *filter(None, [os.environ.get("PYTHONPATH")])]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure_site(out: Path, build: Build) -> None:
    build.site_bytes = folder_bytes(out)
    pages = list((out / "customers").glob("*/index.html"))
    build.pages = sum(1 for _ in out.rglob("*.html"))
    build.page_bytes = statistics.fmean(p.stat().st_size for p in pages) if pages else 0.0
    index = out / "search"  # Material's search_index.json and kehu's sharded index (search/kehu/)
    build.index_bytes = folder_bytes(index) if index.is_dir() else 0
    listing = out / "customers" / "index.html"
    if listing.is_file():
        m = re.search(r'<script type="application/json" id="kehu-customers-data">(.*?)</script>',
                      listing.read_text(encoding="utf-8"), re.S)
        build.data_bytes = len(m.group(1).encode("utf-8")) if m else 0


# --- kehu build ------------------------------------------------------------------------------------------


def kehu_build(repo: Path, env: dict[str, str], cold: bool = True, keep: bool = False,
               timeout: float | None = None) -> Build:
    """``cold``: without .kehu-cache (a fresh clone); otherwise with the cache the build before left.
    ``keep``: leave the site in :func:`site_folder` (else it is deleted once measured)."""
    if cold:
        shutil.rmtree(repo / ".kehu-cache", ignore_errors=True)
    out = site_folder(repo)
    seconds, rss, text = run([sys.executable, "-c", BUILD_DRIVER, "build", "--out", str(out)], repo, env, timeout)
    stats_line = next((line for line in text.splitlines() if line.startswith(STATS_MARK)), None)
    if stats_line is None:
        raise SystemExit(f"kehu build printed no timings:\n{text[-2000:]}")
    stats = json.loads(stats_line[len(STATS_MARK):])
    build = Build(seconds, float(stats.get("generate", 0)) + float(stats.get("search_seconds", 0)), rss)
    build.detail = {k: float(v) for k, v in stats.items()  # seconds only; "customer_count" is a count
                    if isinstance(v, int | float)
                    and k not in ("customer_count", "search_index_bytes", "search_entries", "search_shards",
                                  "search_shard_max_bytes", "search_worker")}
    measure_site(out, build)
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    return build


def site_folder(repo: Path) -> Path:
    """Where :func:`kehu_build` writes the site of ``repo``."""
    return repo.parent / "site-kehu"


# --- bare MkDocs on plain Markdown ---------------------------------------------------------------------


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else value


def mask_email(value: str) -> str:
    user, _, domain = value.partition("@")
    return f"{user[:1]}***@{domain}" if domain else value


def cell(value: object) -> str:
    return html.escape(str(value if value is not None else "")).replace("|", "\\|").replace("\n", " ")


def plain_page(data: dict) -> str:
    """A customer as plain Markdown with the content of kehu's profile page."""
    facts = [("客户编号", data.get("id")), ("负责人", data.get("owner")), ("行业", data.get("industry")),
             ("阶段", data.get("stage")), ("规模", data.get("size")), ("地区", data.get("region")),
             ("来源", data.get("source")), ("创建日期", data.get("created")), ("年度价值", data.get("annual_value")),
             ("下一步", (data.get("next_action") or {}).get("action"))]
    lines = [f"# {cell(data.get('name'))}", "", "| 字段 | 内容 |", "|---|---|"]
    lines += [f"| {k} | {cell(v)} |" for k, v in facts if v is not None]
    lines += ["", "## 联系人", "", "| 姓名 | 职务 | 手机号 | 邮箱 | 生日 |", "|---|---|---|---|---|"]
    for c in data.get("contacts") or []:
        lines.append(f"| {cell(c.get('name'))} | {cell(c.get('title'))} | {mask_phone(str(c.get('phone') or ''))} | "
                     f"{mask_email(str(c.get('email') or ''))} | {cell(c.get('birthday'))} |")
    tags, risks = "、".join(data.get("tags") or []), "、".join(data.get("risks") or [])
    lines += ["", "## 需求与标签", "", f"- 需求：{cell(data.get('needs'))}", f"- 预算：{cell(data.get('budget'))}",
              f"- 标签：{cell(tags)}", f"- 风险：{cell(risks)}"]
    if data.get("deals"):
        lines += ["", "## 合作记录", "", "| 合同 | 产品 | 金额 | 签约 |", "|---|---|---|---|"]
        lines += [f"| {cell(d.get('contract'))} | {cell(d.get('product'))} | {cell(d.get('amount'))} | "
                  f"{cell(d.get('signed'))} |" for d in data["deals"]]
    lines += ["", "## 跟进时间线", ""]
    for i in sorted(data.get("interactions") or [], key=lambda i: str(i.get("date")), reverse=True):
        outcome = f" —— {cell(i['outcome'])}" if i.get("outcome") else ""
        lines.append(f"- **{i.get('date')}** {cell(i.get('channel'))} · {cell(i.get('by'))}：{cell(i.get('summary'))}"
                     f"{outcome}")
    for key, title in (("surveys", "满意度"), ("complaints", "投诉")):
        if data.get(key):
            lines += ["", f"## {title}", ""] + [f"- {cell(json.dumps(x, ensure_ascii=False, default=str))}"
                                                 for x in data[key]]
    if data.get("notes"):
        lines += ["", "## 备注", "", cell(data["notes"])]
    return "\n".join(lines) + "\n"


def bare_folder(repo: Path, dest: Path) -> Path:
    """A plain MkDocs project: the same theme and search settings as kehu's mkdocs.yml, customers out of nav."""
    kehu_cfg = yaml.safe_load((repo / "mkdocs.yml").read_text(encoding="utf-8"))
    docs = dest / "docs"
    (docs / "customers").mkdir(parents=True)
    for rel in REPORT_PAGES:
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {rel[:-3]}\n\n报告页（占位）。\n", encoding="utf-8")
    for src in sorted((repo / "customers").glob("*.yaml")):
        data = yaml.safe_load(src.read_text(encoding="utf-8"))
        (docs / "customers" / f"{src.stem}.md").write_text(plain_page(data), encoding="utf-8")
    search = next((p for p in kehu_cfg.get("plugins", []) if isinstance(p, dict) and "search" in p), {"search": {}})
    cfg = {"site_name": kehu_cfg.get("site_name", "客户档案"), "docs_dir": "docs", "site_dir": "site",
           "use_directory_urls": True, "theme": kehu_cfg["theme"], "plugins": [search],
           "extra": {"generator": False}, "nav": REPORT_PAGES, "not_in_nav": "/customers/\n"}
    (dest / "mkdocs.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def bare_build(folder: Path, env: dict[str, str]) -> Build:
    out = folder / "site"
    seconds, rss, _ = run([*tool("mkdocs"), "build", "-q", "-f", str(folder / "mkdocs.yml"), "-d", str(out)],
                          folder, env)
    build = Build(seconds, rss_kb=rss)
    measure_site(out, build)
    return build


# --- kehu serve -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, marker: str, limit: float) -> float | None:
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        page = fetch(url)
        if page is not None and marker in page:
            return time.perf_counter() - start
        time.sleep(0.05)
    return None


def edit_summary(path: Path, text: str) -> None:
    """Replace the last interaction's summary (atomically, as an editor that saves by rename does)."""
    raw = path.read_text(encoding="utf-8")
    at = raw.rindex("    summary: ") + len("    summary: ")
    end = raw.index("\n", at)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(raw[:at] + text + raw[end:], encoding="utf-8")
    os.replace(tmp, path)


def bench_serve(repo: Path, env: dict[str, str], edits: int) -> tuple[float, list[float | None]]:
    """(seconds until the first page is served, seconds until each edit shows)."""
    port = free_port()
    target = sorted((repo / "customers").glob("*.yaml"))[len(list((repo / "customers").glob("*.yaml"))) // 2]
    url = f"http://127.0.0.1:{port}/customers/{target.stem}/"
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen([*tool("kehu"), "serve", "-a", f"127.0.0.1:{port}"], cwd=repo, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return _time_edits(log, url, target, start, edits)
        finally:
            os.killpg(proc.pid, 15)  # the process group started just above
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


def _time_edits(log: IO[bytes], url: str, target: Path, start: float, edits: int) -> tuple[float, list[float | None]]:
    if wait_for(url, target.stem, 600) is None:
        log.seek(0)
        raise SystemExit(f"kehu serve did not serve {url}:\n{log.read().decode('utf-8', 'replace')[-3000:]}")
    ready = time.perf_counter() - start
    time.sleep(1.0)  # let the watcher settle after the first build
    shown = []
    for k in range(edits):
        marker = f"基准测试修改第{k + 1}次，客户确认需求"
        edit_summary(target, marker)
        shown.append(wait_for(url, marker, 60))
        time.sleep(0.5)
    return ready, shown


# --- one size -------------------------------------------------------------------------------------------


def bench_size(n: int, env: dict[str, str], tmp: Path, serve_edits: int) -> dict[str, object]:
    repo = tmp / f"repo-{n}"
    t0 = time.perf_counter()
    make_repo(repo, n)
    for name in SITE_FILES:
        src = PROJECT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, repo / name)
    git(repo, "init", "-q")
    commit_all(repo, "synthetic customers", name="bench", email="bench@example.com")
    folder = bare_folder(repo, tmp / f"bare-{n}")
    print(f"  N={n:,}: repository and plain pages written in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    kehu = kehu_build(repo, env)
    print(f"  N={n:,}: kehu build {kehu.seconds:.1f} s (" + ", ".join(f"{k} {v:g}" for k, v in kehu.detail.items())
          + ")", file=sys.stderr)
    again = kehu_build(repo, env, cold=False)
    print(f"  N={n:,}: kehu build again {again.seconds:.1f} s ("
          + ", ".join(f"{k} {v:g}" for k, v in again.detail.items()) + ")", file=sys.stderr)
    bare = bare_build(folder, env)
    print(f"  N={n:,}: bare mkdocs build {bare.seconds:.1f} s", file=sys.stderr)
    result: dict[str, object] = {"n": n, "kehu": kehu, "rebuild": again, "bare": bare}
    if serve_edits:
        ready, shown = bench_serve(repo, env, serve_edits)
        result["serve"] = (ready, shown)
    shutil.rmtree(folder, ignore_errors=True)
    return result


# --- report ---------------------------------------------------------------------------------------------


def mib(kb: int) -> str:
    return f"{kb / 1024:.0f}"


def table(results: list[dict[str, object]]) -> str:
    rows = [("N", "build", "total s", "own s (share)", "MkDocs s", "peak RSS MiB", "site MB", "site KB/cust",
             "page KB", "search index KB", "index B/cust", "filter data B/cust")]
    for r in results:
        n = int(r["n"])  # type: ignore[call-overload]
        for label, name in (("kehu", "kehu build, cold"), ("rebuild", "kehu build, cached"), ("bare", "bare mkdocs")):
            b: Build = r[label]  # type: ignore[assignment]
            ours = label != "bare"
            own = f"{b.own:.1f} ({b.own / b.seconds:.0%})" if ours else "-"
            rest = f"{b.seconds - b.own:.1f}" if ours else f"{b.seconds:.1f}"
            rows.append((f"{n:,}", name, f"{b.seconds:.1f}", own, rest,
                         mib(b.rss_kb), f"{b.site_bytes / 1e6:.1f}", f"{b.site_bytes / n / 1024:.1f}",
                         f"{b.page_bytes / 1024:.1f}", f"{b.index_bytes / 1024:,.0f}", f"{b.index_bytes / n:,.0f}",
                         f"{b.data_bytes / n:.0f}" if ours else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def verdicts(results: list[dict[str, object]]) -> list[str]:
    out = []

    def line(what: str, got: float, limit: float, unit: str = "") -> str:
        return f"{what}: {got:.2f}{unit} (target ≤ {limit:g}{unit}) {'ok' if got <= limit else 'MISSED'}"

    for r in results:
        n = int(r["n"])  # type: ignore[call-overload]
        k: Build = r["kehu"]  # type: ignore[assignment]
        b: Build = r["bare"]  # type: ignore[assignment]
        again: Build = r["rebuild"]  # type: ignore[assignment]
        out.append(line(f"N={n:,} kehu build / bare mkdocs", k.seconds / b.seconds, TARGETS["ratio"], "x"))
        out.append(line(f"N={n:,} project's own share of its build, cold", k.own / k.seconds, TARGETS["own_share"]))
        out.append(line(f"N={n:,} project's own share of its build, cached", again.own / again.seconds,
                        TARGETS["own_share"]))
        out.append(line(f"N={n:,} project's own work / bare mkdocs build, cold", k.own / b.seconds,
                        TARGETS["own_share"]))
        out.append(line(f"N={n:,} search index per customer", k.index_bytes / n, TARGETS["index_per_customer"], " B"))
        out.append(line(f"N={n:,} customers filter data per customer", k.data_bytes / n,
                        TARGETS["data_per_customer"], " B"))
        if "serve" in r:
            ready, shown = r["serve"]  # type: ignore[misc]
            seen = [s for s in shown if s is not None]
            out.append(f"N={n:,} kehu serve: first page after {ready:.1f} s; edits shown after "
                       + ", ".join("never (60 s)" if s is None else f"{s:.2f} s" for s in shown))
            if seen:
                out.append(line(f"N={n:,} kehu serve edit → page (median)", statistics.median(seen), TARGETS["serve"],
                                " s") + ("" if len(seen) == len(shown) else " (some edits never showed)"))
    if len(results) > 1:
        first, last = results[0], results[-1]
        per = [r["kehu"].site_bytes / int(r["n"]) for r in (first, last)]  # type: ignore[attr-defined,call-overload]
        out.append(f"site size per customer: {per[0] / 1024:.1f} KB at N={int(first['n']):,}, "  # type: ignore
                   f"{per[1] / 1024:.1f} KB at N={int(last['n']):,} (linear if about equal)")  # type: ignore
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the site build (see the module docstring).")
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of customers (default 1000,10000)")
    ap.add_argument("--serve-edits", type=int, default=3,
                    help="edits timed under `kehu serve` on the smallest size (0: skip; default 3)")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    args = ap.parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()}, load average: {load}", file=sys.stderr)
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="kehu-bench-site-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        env = snapshot(tmp / "code")
        results = [bench_size(n, env, tmp, args.serve_edits if i == 0 else 0) for i, n in enumerate(sizes)]
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average before: {load}")
    print(table(results))
    for line in verdicts(results):
        print(line)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
