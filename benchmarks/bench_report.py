"""Time the manager's week at several sizes of book: `kehu report` (day, week, month, quarter; text and JSON),
`kehu forecast` with targets, the stage moves read from git history, and the size of the site's filter data.

    python -m benchmarks.bench_report                    # N = 1000 and 10000, median of 3 runs
    python -m benchmarks.bench_report --sizes 1000 --runs 5 --moves 2000

For each N a repository of N synthetic customers (tests/support/synth.py) is committed, then ``--moves`` commits
by four members over the last 13 weeks each move one customer's stage (so git history holds what a team leaves);
the package is copied next to it (as bench_check.py does) and one command makes the caches first. Each report
runs ``--runs`` times as a subprocess; the median wall-clock time is shown. The filter data
(``assets/kehu/filters.json``) is made in-process, as a build makes it, and measured in bytes per customer.
Nothing here asserts a time: it prints figures, and the load average next to them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_check import run, snapshot, tool
from tests.support.git import commit_all, git
from tests.support.synth import TODAY, make_repo

MEMBERS = ("lixia", "wangfang", "zhaolei", "chenjing")
STAGES = ("lead", "contacted", "quoted", "negotiating")


def add_moves(repo: Path, moves: int, seed: int = 7) -> None:
    """``moves`` commits over the last 13 weeks, each moving one customer's stage, by one of four members."""
    rng = random.Random(seed)
    files = sorted((repo / "customers").glob("*.yaml"))
    start = TODAY - dt.timedelta(weeks=13)
    for k in range(moves):
        path = files[rng.randrange(len(files))]
        text = path.read_text(encoding="utf-8")
        found = re.search(r"^stage: (\w+)$", text, re.M)
        if not found or found.group(1) in ("won", "lost"):
            continue
        new = rng.choice([s for s in STAGES if s != found.group(1)])
        path.write_text(text[:found.start()] + f"stage: {new}" + text[found.end():], encoding="utf-8")
        when = start + dt.timedelta(days=int(k * 91 / max(moves, 1)))
        who = MEMBERS[k % len(MEMBERS)]
        commit_all(repo, f"{path.stem} stage {new}", name=who, email=f"{who}@example.com",
                   date=f"{when.isoformat()}T10:00:00+08:00")


def filter_bytes(repo: Path) -> tuple[int, int, float]:
    """(bytes of filters.json, customers, seconds to make it with its events and stage moves) — in-process."""
    from kehu.book.loader import open_book
    from kehu.book.versions import stage_moves
    from kehu.core.figures import events
    from kehu.core.present import Presenter
    from kehu.repo.repository import open_repo
    from kehu.site.manager import filter_data, window_start

    r = open_repo(repo, today=TODAY)
    book = open_book(r)
    customers, facts = book.customers, book.facts
    t0 = time.perf_counter()
    moves = stage_moves(r, window_start(r.config, TODAY), TODAY)
    data = filter_data(customers, facts, r.config, TODAY, events(customers, moves or []), Presenter.of(r), r.team)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return len(raw), len(customers), time.perf_counter() - t0


def bench_size(n: int, runs: int, moves: int) -> tuple[dict[str, list[float]], tuple[int, int, float]]:
    tmp = Path(tempfile.mkdtemp(prefix=f"kehu-report-{n}-"))
    repo = tmp / "repo"
    try:
        env = {**snapshot(tmp / "code"), "KEHU_TODAY": TODAY.isoformat()}
        t0 = time.perf_counter()
        make_repo(repo, n)
        git(repo, "init", "-q")
        commit_all(repo, "synthetic customers", name="bench", email="bench@example.com",
                   date=f"{(TODAY - dt.timedelta(weeks=14)).isoformat()}T10:00:00+08:00")
        add_moves(repo, moves)
        kehu = tool("kehu")
        first = run([*kehu, "check"], repo, env, (0, 1))[0]
        print(f"  N={n}: repository and {moves} stage moves in {time.perf_counter() - t0:.1f} s; "
              f"first command {first:.1f} s", file=sys.stderr)
        cases = {
            "report --day": ["report", "--day"],
            "report --week --last": ["report", "--week", "--last"],
            "report --month": ["report", "--month"],
            "report --quarter --format json": ["report", "--quarter", "--format", "json"],
            "report --month --owner lixia": ["report", "--month", "--owner", "lixia"],
            "forecast (with targets)": ["forecast"],
        }
        out: dict[str, list[float]] = {}
        for _ in range(runs):
            for label, args in cases.items():
                out.setdefault(label, []).append(run([*kehu, *args], repo, env)[0])
        return out, filter_bytes(repo)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark kehu report and the filter data (see the module docstring).")
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of customers")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown (default 3)")
    ap.add_argument("--moves", type=int, default=1000, help="stage-move commits in the last 13 weeks (default 1000)")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(f"cores: {os.cpu_count()}, load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    results = {n: bench_size(n, args.runs, args.moves) for n in sizes}
    header = ["command", *[f"{n:,} s" for n in sizes]]
    rows = [header]
    for label in results[sizes[0]][0]:
        rows.append([label, *[f"{statistics.median(results[n][0][label]):.2f}" for n in sizes]])
    rows.append(["filter data, bytes per customer", *[f"{results[n][1][0] / max(results[n][1][1], 1):.0f}"
                                                      for n in sizes]])
    rows.append(["filter data with stage moves, s", *[f"{results[n][1][2]:.2f}" for n in sizes]])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("\n".join(lines))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
