"""A large team's book, end to end (issue 25): ``python -m benchmarks.bench_large [--sizes 1000,10000,100000]``.

For each size N, one after the other, in a temporary folder (``--keep DIR``: in DIR, kept):

  generate     ``python -m tests.support.synth N`` (similar names, ~20 interactions a customer), then the
               site files (mkdocs.yml, site_templates/) copied in and everything committed to a new git repository
  build, cold  ``kehu build`` with no .kehu-cache (bench_site's ``kehu_build``): wall seconds, peak RSS (the
               largest single process, from wait4), the site's size on disk, its number of files, bytes a customer
  first search what a page fetches for search before anyone types (search/search_index.json and kehu's search
               worker) plus the largest term shard and the largest entry chunk — the worst first query —
               gzip-compressed as a static host sends them (bench_search measures queries in a browser)
  check        ``kehu check`` with no .kehu-cache, then again (warm)
  commands     bench_commands' everyday commands after one command made the book index (median of ``--runs``),
               and their ratio to the same command at the smallest size of the run
  import       ``kehu import`` of a generated 纷享销客 export of about N rows into an empty repository (bench_import)
  one change   last, since it is the slowest step but one: the book put back as the cold build saw it (what the
               commands wrote undone) with the cache that build left, one customer's file edited and committed,
               ``kehu build`` again: wall seconds, % of the cold build, files of the site whose bytes changed
               (added and removed included) and files written again (mtime changed)

``--report DIR/results.json …`` prints the tables of kept runs' figures (so far), sizes in order, without running
anything.

Every subprocess step runs under a time limit (``--limit``, 40 minutes by default): a step past it is killed and
reported as such, and the steps that need its result are skipped. A failure (a crash, out of memory) is reported
the same way. The 1-minute load average is recorded after each step. The table gives the figures per size beside
the issue's targets and whether each is met; nothing is asserted. Progress goes to stderr, and with ``--keep`` the
figures so far are written to DIR/results.json after each step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import bench_import
from benchmarks.bench_check import Overtime, edit_one, run, snapshot, tool
from benchmarks.bench_commands import commands
from benchmarks.bench_site import SITE_FILES, kehu_build, site_folder
from tests.support.git import commit_all, git
from tests.support.paths import PROJECT

GIB = 1024**3
COMMANDS = ("show ID", "show NAME", "log ID", "set ID", "new", "due")

# (row label, key in a size's results, unit, the target: (limit, what it is compared with) or None)
Target = tuple[float, str] | None


def targets() -> list[tuple[str, str, str, Target]]:
    rows: list[tuple[str, str, str, Target]] = [
        ("generate book s", "generate_s", "s", None),
        ("git add + commit s", "commit_s", "s", None),
        ("build cold s", "build_s", "s", (360, "≤ 6 min")),
        ("build cold peak RSS MiB", "build_rss_mib", "MiB", (2 * 1024, "≤ 2 GiB")),
        ("site MB", "site_mb", "MB", (1000, "≤ 1 GB")),
        ("site files", "site_files", "", (150_000, "≤ 150,000")),
        ("site KB / customer", "site_kb_per_customer", "KB", (10, "≤ 10 (1 GB / 100,000)")),
        ("first search KB (gzip)", "first_search_kb", "KB", (150, "≤ 150 KB")),
        ("one-change build s", "rebuild_s", "s", None),
        ("one-change build % of cold", "rebuild_pct", "%", (25, "≤ 25 %")),
        ("one-change build peak RSS MiB", "rebuild_rss_mib", "MiB", (2 * 1024, "≤ 2 GiB")),
        ("one-change: site files changed", "changed_files", "", None),
        ("one-change: site files rewritten", "rewritten_files", "", None),
        ("check cold s", "check_cold_s", "s", (60, "≤ 60 s")),
        ("check warm s", "check_warm_s", "s", (2, "≤ 2 s")),
        ("check cold peak RSS MiB", "check_rss_mib", "MiB", None),
    ]
    for label in COMMANDS:
        rows.append((f"{label} s", f"cmd {label}", "s", None))
        rows.append((f"{label} / smallest", f"ratio {label}", "x", (2, "≤ 2x")))
    rows.append(("import rows", "import_rows", "", None))
    rows.append(("import s", "import_s", "s", (300, "≤ 5 min")))
    rows.append(("import: customer files written", "import_files", "", None))
    return rows


# --- measuring a site ---------------------------------------------------------------------------------------


def fingerprint(site: Path) -> dict[str, tuple[int, str]]:
    """Path in the site -> (mtime in ns, BLAKE2 of the bytes), for every file."""
    out = {}
    for path in site.rglob("*"):
        if path.is_file():
            out[path.relative_to(site).as_posix()] = (path.stat().st_mtime_ns,
                                                      hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest())
    return out


def compare(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> tuple[int, int]:
    """(files whose bytes changed, added or removed; files written again: a new mtime, added or removed)."""
    names = before.keys() | after.keys()
    changed = sum(1 for k in names if k not in before or k not in after or before[k][1] != after[k][1])
    rewritten = sum(1 for k in names if k not in before or k not in after or before[k][0] != after[k][0])
    return changed, rewritten


def first_search_bytes(site: Path) -> int:
    """Gzip bytes of what the first search fetches at worst: the page's search part (search_index.json, the
    search worker and kehu's manifest), the largest term shard and the largest chunk of entries."""
    search = site / "search"
    files = [search / "search_index.json", *site.glob("assets/kehu/search-worker*.js"),
             search / "kehu" / "manifest.json"]
    for pattern in ("t*.json", "d*.json"):
        found = sorted((search / "kehu").glob(pattern), key=lambda p: p.stat().st_size)
        files += found[-1:]
    return sum(len(gzip.compress(p.read_bytes(), compresslevel=6, mtime=0)) for p in files if p.is_file())


def failure(e: BaseException) -> str:
    """"failed: exited CODE: the output's last line" (a killed build prints nothing; -9 is often out of memory)."""
    text = str(e).strip()
    code = re.search(r" exited (-?\d+):", text)
    last = text.splitlines()[-1][:160] if text else type(e).__name__
    if code is None:
        return f"failed: {last}"
    return f"failed: exited {code.group(1)}" + ("" if last.endswith(":") else f": {last}")


# --- one size -----------------------------------------------------------------------------------------------


class Steps:
    """The figures of one size, the steps that failed, and the load average after each step."""

    def __init__(self, n: int, save: Callable[[], None]) -> None:
        self.n = n
        self.figures: dict[str, Any] = {"n": n}
        self.failed: dict[str, str] = {}
        self.load: dict[str, float] = {}
        self.save = save

    def step(self, name: str, work: Callable[[], None]) -> bool:
        """Run one step; on a time-out or failure record why and return False."""
        start = time.perf_counter()
        print(f"  N={self.n:,}: {name} …", file=sys.stderr, flush=True)
        try:
            work()
        except Overtime as e:
            self.failed[name] = f"stopped after {e.limit:g} s"
        except subprocess.TimeoutExpired as e:
            self.failed[name] = f"stopped after {e.timeout:g} s"
        except (SystemExit, Exception) as e:  # a crash or out of memory: the figure is that it failed
            self.failed[name] = failure(e)
        self.load[name] = os.getloadavg()[0]
        note = self.failed.get(name, "done")
        print(f"  N={self.n:,}: {name} {note} in {time.perf_counter() - start:.1f} s "
              f"(load {self.load[name]:.2f})", file=sys.stderr, flush=True)
        self.save()
        return name not in self.failed

    def as_json(self) -> dict[str, Any]:
        return {"figures": self.figures, "failed": self.failed, "load": self.load}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Steps:
        steps = cls(int(data["figures"]["n"]), lambda: None)
        steps.figures, steps.failed, steps.load = data["figures"], data["failed"], data["load"]
        return steps


def bench_size(n: int, tmp: Path, limit: float, runs: int, save: Callable[[Steps], None]) -> Steps:
    repo = tmp / f"repo-{n}"
    env = snapshot(tmp / f"code-{n}")  # bench_check's: the package copied and compiled, KEHU_TODAY set
    steps = Steps(n, lambda: save(steps))
    f = steps.figures
    kehu = tool("kehu")
    shutil.rmtree(repo, ignore_errors=True)
    shutil.rmtree(site_folder(repo), ignore_errors=True)

    def generate() -> None:
        f["generate_s"] = run([sys.executable, "-m", "tests.support.synth", str(n), str(repo)], PROJECT,
                              dict(os.environ), timeout=limit)[0]
        for name in SITE_FILES:
            src = PROJECT / name
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, repo / name)
        t0 = time.perf_counter()
        git(repo, "init", "-q")
        commit_all(repo, "synthetic customers", name="bench", email="bench@example.com")
        f["commit_s"] = time.perf_counter() - t0

    if not steps.step("generate", generate):
        return steps
    site = site_folder(repo)
    before: dict[str, tuple[int, str]] = {}

    def build_cold() -> None:
        b = kehu_build(repo, env, cold=True, keep=True, timeout=limit)
        files = sum(1 for p in site.rglob("*") if p.is_file())
        f.update(build_s=b.seconds, build_rss_mib=b.rss_kb / 1024, site_mb=b.site_bytes / 1e6, site_files=files,
                 site_kb_per_customer=b.site_bytes / n / 1000, first_search_kb=first_search_bytes(site) / 1000,
                 build_phases=b.detail)  # the plugin's own seconds: load, pinyin, customers, reports, search …
        before.update(fingerprint(site))

    cache, built = repo / ".kehu-cache", tmp / f"cache-after-build-{n}"
    if steps.step("build cold", build_cold):
        shutil.rmtree(built, ignore_errors=True)
        shutil.copytree(cache, built)  # for the one-change build, which runs last (it is as slow as a cold one)
    head = git(repo, "rev-parse", "HEAD").stdout.strip()

    def check() -> None:
        shutil.rmtree(repo / ".kehu-cache", ignore_errors=True)
        seconds, _, rss, _ = run([*kehu, "check"], repo, env, (0, 1), timeout=limit)
        f.update(check_cold_s=seconds, check_rss_mib=rss / 1024)
        f["check_warm_s"] = run([*kehu, "check"], repo, env, (0, 1), timeout=limit)[0]

    steps.step("check", check)

    def everyday() -> None:
        first = sorted((repo / "customers").glob("*.yaml"))[0].stem
        f["first_command_s"] = run([*kehu, "show", first], repo, env, timeout=limit)[0]  # the book index is made
        times: dict[str, list[float]] = {}
        for r in range(runs):
            for label, args in commands(repo, r).items():
                if label in COMMANDS:
                    times.setdefault(label, []).append(run([*kehu, *args], repo, env, (0, 1), timeout=limit)[0])
        for label, seconds in times.items():
            f[f"cmd {label}"] = statistics.median(seconds)

    steps.step("commands", everyday)

    def import_rows() -> None:
        folder = tmp / f"import-{n}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        try:
            t0 = time.perf_counter()
            root, book, today, extra, rows, _ = bench_import.fxiaoke_export(folder, n)
            f["import_book_s"] = time.perf_counter() - t0
            f["import_rows"] = rows
            f["import_s"], _, f["import_summary"] = bench_import.run(root, book, today, *extra, timeout=limit)
            f["import_files"] = sum(1 for _ in (root / "customers").glob("*.yaml"))
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    steps.step("import", import_rows)

    def build_one_change() -> None:
        git(repo, "reset", "-q", "--hard", head)  # what the commands wrote undone, the cold build's cache back
        git(repo, "clean", "-q", "-f", "-d", "-e", ".kehu-cache")
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(built, cache)
        target = sorted((repo / "customers").glob("*.yaml"))[n // 2]
        edit_one(repo, target, 0)
        git(repo, "commit", "-q", "-m", f"one customer changed: {target.stem}", "--", str(target.relative_to(repo)),
            name="bench", email="bench@example.com")
        b = kehu_build(repo, env, cold=False, keep=True, timeout=limit)
        f.update(rebuild_s=b.seconds, rebuild_rss_mib=b.rss_kb / 1024, rebuild_pct=100 * b.seconds / f["build_s"],
                 rebuild_phases=b.detail)
        f["changed_files"], f["rewritten_files"] = compare(before, fingerprint(site))

    if "build cold" not in steps.failed:
        steps.step("one-change build", build_one_change)
    before.clear()
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(built, ignore_errors=True)
    return steps


# --- report -------------------------------------------------------------------------------------------------


def fmt(value: Any, unit: str) -> str:
    if isinstance(value, int) or unit == "":
        return f"{value:,.0f}"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:,.1f}" if value >= 10 or unit in ("MiB", "MB", "%") else f"{value:.2f}"


STEP_OF = {"generate_s": "generate", "commit_s": "generate", "check": "check", "cmd": "commands",
           "ratio": "commands", "import": "import", "rebuild": "one-change build", "changed": "one-change build",
           "rewritten": "one-change build"}


def step_of(key: str) -> str:
    for prefix, step in STEP_OF.items():
        if key.startswith(prefix):
            return step
    return "build cold"


def add_ratios(results: list[Steps]) -> None:
    """Each everyday command's time over its time at the smallest size of the run."""
    base = results[0].figures
    for s in results:
        for label in COMMANDS:
            got, first = s.figures.get(f"cmd {label}"), base.get(f"cmd {label}")
            if got is not None and first:
                s.figures[f"ratio {label}"] = got / first


def table(results: list[Steps]) -> str:
    add_ratios(results)
    rows = [["", *[f"N = {s.n:,}" for s in results], "target (issue 25)"]]
    for label, key, unit, target in targets():
        cells = []
        for s in results:
            value = s.figures.get(key)
            if value is None:
                cells.append(s.failed.get(step_of(key), "-"))
                continue
            mark = "" if target is None else (" ok" if value <= target[0] else " MISSED")
            cells.append(fmt(value, unit) + mark)
        rows.append([label, *cells, target[1] if target else ""])
    rows.append(["load average (1 min) after build", *[f"{s.load.get('build cold', float('nan')):.2f}"
                                                         for s in results], ""])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def load_table(results: list[Steps]) -> str:
    names = list(dict.fromkeys(k for s in results for k in s.load))
    lines = ["| load average (1 min) after | " + " | ".join(f"N = {s.n:,}" for s in results) + " |",
             "|---|" + "---|" * len(results)]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(f"{s.load[name]:.2f}" if name in s.load else "-" for s in results)
                     + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark a large book end to end (see the module docstring).")
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated numbers of customers")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    ap.add_argument("--limit", type=float, default=2400, help="seconds a step may take before it is stopped")
    ap.add_argument("--runs", type=int, default=3, help="runs of each everyday command; the median is shown")
    ap.add_argument("--report", type=Path, nargs="+", metavar="JSON",
                    help="only print the tables of the results.json files --keep runs wrote (running ones, too)")
    args = ap.parse_args(argv)
    if args.report:
        loaded = [Steps.from_json(d) for path in args.report for d in json.loads(path.read_text(encoding="utf-8"))]
        report(sorted(loaded, key=lambda s: s.n))
        return 0
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / GIB
    print(f"{started}; cores: {os.cpu_count()}, memory {memory:.0f} GiB, load average: {load}", file=sys.stderr)
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="kehu-bench-large-"))
    tmp.mkdir(parents=True, exist_ok=True)
    results: list[Steps] = []

    def save(current: Steps) -> None:
        if args.keep:
            done = [s.as_json() for s in results if s is not current] + [current.as_json()]
            (tmp / "results.json").write_text(json.dumps(done, ensure_ascii=False, indent=1), encoding="utf-8")

    try:
        for n in sizes:
            results.append(bench_size(n, tmp, args.limit, args.runs, save))
            if not args.keep:
                shutil.rmtree(tmp / f"repo-{n}", ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"started {started}; cores: {os.cpu_count()}; load average before: {load}")
    report(results)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def report(results: list[Steps]) -> None:
    print(table(results))
    print()
    print(load_table(results))
    for s in results:
        for step, why in s.failed.items():
            print(f"N={s.n:,} {step}: {why}")


if __name__ == "__main__":
    sys.exit(main())
