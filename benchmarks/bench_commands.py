"""Time a salesperson's everyday commands at several sizes of book, the way they are run.

    python -m benchmarks.bench_commands                      # N = 100, 1000 and 10000, median of 3 runs
    python -m benchmarks.bench_commands --sizes 100,10000 --runs 5

For each N a repository of N customers (tests/support/synth.py, similar names) is committed to a temporary
git repository, the kehu package is copied next to it (as bench_check.py does), one command runs first
so the book index exists ("warm: after any earlier command has run once"), and then each command below
runs ``--runs`` times as a subprocess; the median wall-clock time is shown, with the ratio to the
smallest N. Nothing here asserts a time: it prints figures, and the load average next to them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_check import run, snapshot, tool
from tests.support.git import commit_all, git
from tests.support.synth import make_repo

# target ratio to the smallest book (the issue's): due within 3x, every other command within 2x
TARGETS = {"due": 3.0}
TARGET = 2.0


def commands(repo: Path, r: int) -> dict[str, list[str]]:
    """The commands of round ``r`` (each round writes something new, so no run repeats another's work)."""
    files = sorted((repo / "customers").glob("*.yaml"))
    target = files[len(files) // 2].stem
    name_line = next(line for line in files[len(files) // 3].read_text(encoding="utf-8").splitlines()
                     if line.startswith("name: "))
    by_name = name_line[len("name: "):].strip('"')
    return {
        "--help": ["--help"],
        "show ID": ["show", target],
        "show NAME": ["show", by_name],
        "log ID": ["log", target, "--by", "lixia", "--channel", "call",
                   "--summary", f"沟通二期续约需求第{r + 1}轮，客户同意下周看方案"],
        "set ID": ["set", target, "owner", ["wangfang", "zhaolei", "lixia", "chenjing"][r % 4]],
        "survey ID": ["survey", target, "--quality", "5", "--attitude", "4", "--response", str(3 + r % 3),
                      "--after-sales", "5"],
        "complaint ID": ["complaint", target, "open", "--category", "交付", "--content", f"发票开具延迟第{r + 1}次"],
        "new": ["new", f"宁夏银川星河{'甲乙丙丁戊己庚辛'[r % 8]}{r}号智能装备有限公司", "--owner", "lixia",
                "--industry", "C34"],
        "due": ["due"],
    }


def bench_size(n: int, runs: int) -> dict[str, list[float]]:
    tmp = Path(tempfile.mkdtemp(prefix=f"kehu-cmds-{n}-"))
    repo = tmp / "repo"
    try:
        env = snapshot(tmp / "code")
        t0 = time.perf_counter()
        make_repo(repo, n)
        git(repo, "init", "-q")
        commit_all(repo, "synthetic customers", name="bench", email="bench@example.com")
        kehu = tool("kehu")
        first = run([*kehu, "show", sorted((repo / "customers").glob("*.yaml"))[0].stem], repo, env)[0]
        print(f"  N={n}: repository in {time.perf_counter() - t0:.1f} s; first command (index made) {first:.1f} s",
              file=sys.stderr)
        out: dict[str, list[float]] = {}
        for r in range(runs):
            for label, args in commands(repo, r).items():
                out.setdefault(label, []).append(run([*kehu, *args], repo, env, (0, 1))[0])
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark the everyday commands (see the module docstring).")
    ap.add_argument("--sizes", default="100,1000,10000", help="comma-separated numbers of customers")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown (default 3)")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(f"cores: {os.cpu_count()}, load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    results = {n: bench_size(n, args.runs) for n in sizes}
    base = sizes[0]
    header = ["command", *[f"{n:,} s" for n in sizes], *[f"{n:,} / {base:,}" for n in sizes[1:]], "target"]
    rows = [header]
    for label in results[base]:
        med = {n: statistics.median(results[n][label]) for n in sizes}
        limit = TARGETS.get(label.split()[0], TARGET)
        worst = max(med[n] / med[base] for n in sizes[1:]) if len(sizes) > 1 else 0.0
        rows.append([label, *[f"{med[n]:.2f}" for n in sizes], *[f"{med[n] / med[base]:.2f}x" for n in sizes[1:]],
                     f"≤ {limit:g}x {'ok' if worst <= limit else 'MISSED'}" if label != "--help"
                     else f"< 0.15 s {'ok' if max(med.values()) < 0.15 else 'MISSED'}"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("\n".join(lines))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
