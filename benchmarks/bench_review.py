"""Speed of the pull-request review commands on a synthetic repository: `kehu diff BASE...HEAD` (Markdown)
and `kehu check --against BASE`, for a pull request that changes many customers in several commits.

    python -m benchmarks.bench_review [--customers 1000] [--changed 300,1000] [--runs 3]

Prints wall-clock medians; no test asserts a time.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_check import tool
from tests.support.git import GIT_ENV, commit_all, git
from tests.support.synth import TODAY, make_repo

NEXT = {"lead": "contacted", "contacted": "quoted", "quoted": "negotiating", "negotiating": "won",
        "won": "won", "lost": "lost"}
ENV = {**GIT_ENV, "KEHU_TODAY": TODAY.isoformat()}


def pull_request(root: Path, changed: int) -> None:
    """Branch `pr`: the stage of `changed` customers moves on, in three commits by three people."""
    git(root, "checkout", "-q", "-B", "pr", "main")
    files = sorted((root / "customers").glob("*.yaml"))[:changed]
    for part, who in enumerate(("a@example.com", "b@example.com", "c@example.com")):
        for path in files[part::3]:
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"^stage: (\w+)$", lambda m: f"stage: {NEXT.get(m.group(1), m.group(1))}", text,
                          count=1, flags=re.M)
            path.write_text(text.replace("\nregion: ", "\nregion: 新", 1), encoding="utf-8")
        commit_all(root, f"part {part}", name=who, email=who)


def timed(cmd: list[str], cwd: Path, runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, env={**os.environ, **ENV})
        times.append(time.perf_counter() - start)
        size = len(out.stdout)
        if out.returncode not in (0, 1):
            raise SystemExit(out.stderr.decode())
    return statistics.median(times), size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1000)
    ap.add_argument("--changed", default="300,1000")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    kehu = tool("kehu")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        make_repo(root, args.customers)
        git(root, "init", "-q", "-b", "main")
        commit_all(root, "customers", name="bench@example.com", email="bench@example.com")
        print(f"load average {os.getloadavg()[0]:.1f}; {args.customers} customers")
        print("| changed customers | kehu diff --format markdown | output | kehu check --against main |")
        print("|---|---|---|---|")
        for n in (int(x) for x in args.changed.split(",")):
            pull_request(root, n)
            diff_s, size = timed([*kehu, "diff", "main...pr", "--format", "markdown"], root, args.runs)
            check_s, _ = timed([*kehu, "check", "--against", "main", "--no-cache"], root, args.runs)
            print(f"| {n} | {diff_s:.2f} s | {size / 1024:.0f} KB | {check_s:.2f} s |")
        print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
