"""Time ``kehu check`` the way users run it, on synthetic repositories.

    python -m benchmarks.bench_check                       # N = 1000 and 10000
    python -m benchmarks.bench_check --sizes 10000 --runs 5

For each size N a repository of N customers (tests/support/synth.py) is written to
a temporary git repository, and the real ``kehu`` command is run as a
subprocess:

  cold     ``kehu check`` with no .kehu-cache (every file parsed and validated)
  warm     ``kehu check`` again, nothing changed (every verdict from the cache)
  1 file   one customer file edited, ``kehu check <that file>`` with a warm cache
           (what the pre-commit hook runs; the file named by ``git diff``)
  c-js     ``check-jsonschema --schemafile schema/customer.schema.json`` on the
           same customer files (schema validation only, no other rules)

The kehu package is copied into the temporary folder first and run from
there (compiled once, as an installed package is), so code edited while the
benchmark runs cannot change the figures or invalidate the cache between runs.

Each figure is the median wall-clock time of ``--runs`` runs (check-jsonschema
runs once when one run takes longer than ``--slow`` seconds). Peak RSS is the
largest resident set of any single process of the run (the main process or one
of its workers), from wait4(). Nothing here asserts a time: it prints figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.quality import Quality, measure
from tests.support.git import commit_all, git
from tests.support.paths import PACKAGE
from tests.support.synth import TODAY, make_repo

TARGETS = {10000: {"cold": 8.0, "warm": 1.5, "one": 1.0}}


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the process and its workers
    rss_kb: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


def tool(name: str) -> list[str]:
    """The console script installed next to this Python (not a shell shim), else the one on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return [str(local)]
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"'{name}' is not installed; run: pip install -e '.[test]'")
    return [found]


class Overtime(Exception):
    """A run stopped because it took longer than its time limit (it and its children were killed)."""

    def __init__(self, cmd: list[str], limit: float) -> None:
        super().__init__(f"{' '.join(cmd[:3])} … stopped after {limit:g} s")
        self.limit = limit


def wait(cmd: list[str], cwd: Path, env: dict[str, str],
         timeout: float | None = None) -> tuple[float, int, os.struct_rusage, str]:
    """(wall seconds, exit code, rusage, output) of one run; the rusage is the child's and everything it waited
    for (ru_maxrss: the largest single process). The output goes to a file, as a terminal would get it (a pipe
    nobody reads could block a large report). With ``timeout`` the run gets a process group of its own, which
    is killed when the time is up: :class:`Overtime`."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=timeout is not None)
        timer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL)) if timeout is not None else None
        if timer is not None:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer is not None:
                timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if timeout is not None and seconds >= timeout and proc.returncode == -signal.SIGKILL:
        raise Overtime(cmd, timeout)
    return seconds, proc.returncode, usage, text


def run(cmd: list[str], cwd: Path, env: dict[str, str],
        ok_codes: tuple[int, ...] = (0,), timeout: float | None = None) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in KiB, last output line) of one run (:func:`wait`)."""
    seconds, code, usage, text = wait(cmd, cwd, env, timeout)
    if code not in ok_codes:
        raise SystemExit(f"{' '.join(cmd[:3])} … exited {code}:\n{text[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss, text.strip().splitlines()[-1] if text.strip() else ""


def edit_one(repo: Path, target: Path, round_: int) -> list[str]:
    """Change one interaction's summary (differently each round, so the cache cannot know it); return git's list."""
    text = target.read_text(encoding="utf-8")
    marker = "    summary: "
    at = text.rindex(marker) + len(marker)
    end = text.index("\n", at)
    target.write_text(text[:at] + f"电话回访第{round_ + 1}次，客户确认需求" + text[end:], encoding="utf-8")
    return [line for line in git(repo, "diff", "--name-only").stdout.splitlines() if line]


def snapshot(dest: Path) -> dict[str, str]:
    """Copy the kehu package to ``dest`` and return an environment that runs it (and compiles it once)."""
    shutil.copytree(PACKAGE, dest / "kehu", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "kehu")], check=True)
    env = {**os.environ, "KEHU_TODAY": TODAY.isoformat(),
           "PYTHONPATH": os.pathsep.join([str(dest), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("KEHU_LOCALE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' installed packages have their bytecode
    return env


def bench_size(n: int, runs: int, slow: float, with_cjs: bool, keep: Path | None,
               names: str = "similar") -> tuple[dict[str, Timing], Quality | None]:
    tmp = Path(tempfile.mkdtemp(prefix=f"kehu-bench-{n}-"))
    repo = keep / f"repo-{n}" if keep else tmp / "repo"
    try:
        env = snapshot(tmp / "code")
        t0 = time.perf_counter()
        make_repo(repo, n, names=names, typos=n // 50 if names == "similar" else 0)
        git(repo, "init", "-q")
        commit_all(repo, "synthetic customers", name="bench", email="bench@example.com")
        print(f"  N={n}: repository written and committed in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        kehu = tool("kehu")
        cache = repo / ".kehu-cache"
        res: dict[str, Timing] = {k: Timing() for k in ("cold", "warm", "one", "cjs")}

        def record(key: str, cmd: list[str], ok: tuple[int, ...] = (0,)) -> str:
            s, cpu, rss, last = run(cmd, repo, env, ok)
            res[key].seconds.append(s)
            res[key].cpu.append(cpu)
            res[key].rss_kb = max(res[key].rss_kb, rss)
            return last

        # planted slips that normalise away (a stray space) are duplicate-name errors: exit status 1
        ok = (0, 1) if (repo / "planted.json").exists() else (0,)
        for _ in range(runs):
            shutil.rmtree(cache, ignore_errors=True)
            summary = record("cold", [*kehu, "check"], ok)
        print(f"  N={n}: {summary}", file=sys.stderr)
        for _ in range(runs):
            record("warm", [*kehu, "check"], ok)
        quality = None
        if (repo / "planted.json").exists():  # the warm cache answers: the same problems as the cold run
            out = subprocess.run([*kehu, "check", "--format", "json"], cwd=repo, env=env, capture_output=True,
                                 text=True)
            data = json.loads(out.stdout)
            quality = measure(repo, data["problems"] if isinstance(data, dict) else data)
        target = sorted((repo / "customers").glob("*.yaml"))[n // 2]
        for r in range(runs):
            changed = edit_one(repo, target, r)
            record("one", [*kehu, "check", *changed], ok)
        if with_cjs:
            files = [str(p.relative_to(repo)) for p in sorted((repo / "customers").glob("*.yaml"))]
            cmd = [*tool("check-jsonschema"), "--schemafile", "schema/customer.schema.json", *files]
            record("cjs", cmd)
            if res["cjs"].seconds[0] < slow:
                for _ in range(runs - 1):
                    record("cjs", cmd)
        return res, quality
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def table(results: dict[int, dict[str, Timing]]) -> str:
    """Wall-clock seconds, and in brackets CPU seconds (all processes): on a busy machine the CPU figure is steadier."""
    rows = [("N", "cold s (cpu)", "warm s (cpu)", "1 file s (cpu)", "check-jsonschema s", "c-js / cold",
             "peak RSS MiB (cold/warm/1)")]

    def fig(t: Timing) -> str:
        return f"{t.median:.2f} ({t.cpu_median:.2f})"

    for n, r in results.items():
        cjs = r["cjs"].median
        ratio = f"{cjs / r['cold'].median:.1f}x" if r["cjs"].seconds else "-"
        rows.append((f"{n:,}", fig(r["cold"]), fig(r["warm"]), fig(r["one"]),
                     f"{cjs:.2f}" + (" (1 run)" if len(r["cjs"].seconds) == 1 else "") if r["cjs"].seconds else "-",
                     ratio, "/".join(str(r[k].rss_kb // 1024) for k in ("cold", "warm", "one"))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def verdicts(results: dict[int, dict[str, Timing]]) -> list[str]:
    out = []
    for n, goals in TARGETS.items():
        if n in results:
            for key, limit in goals.items():
                got = results[n][key].median
                out.append(f"N={n:,} {key}: {got:.2f} s (target < {limit} s) {'ok' if got < limit else 'MISSED'}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark kehu check (see the module docstring).")
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of customers (default 1000,10000)")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown (default 3)")
    ap.add_argument("--slow", type=float, default=20.0,
                    help="run check-jsonschema only once when one run takes longer than this (default 20 s)")
    ap.add_argument("--no-check-jsonschema", dest="cjs", action="store_false", help="skip check-jsonschema")
    ap.add_argument("--keep", type=Path, help="write the repositories here and keep them")
    ap.add_argument("--names", choices=("similar", "codewords"), default="similar",
                    help="similar: a real book's similar names plus N/50 planted slips (default); "
                         "codewords: no two names alike")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(f"cores: {os.cpu_count()}, load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    both = {n: bench_size(n, args.runs, args.slow, args.cjs, args.keep, args.names) for n in sizes}
    results = {n: r for n, (r, _) in both.items()}
    print(table(results))
    for line in verdicts(results):
        print(line)
    for n, (_, quality) in both.items():
        if quality is not None:
            print(f"N={n:,} duplicate warnings: {quality.line()}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
