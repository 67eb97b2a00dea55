"""How long `kehu --help` and `kehu COMMAND --help` take, in a zh-CN and an en repository.

    python -m benchmarks.bench_help [--runs 15] [--baseline OTHER/generator]

Each figure is the median CPU time (user + system: less disturbed by other jobs than wall time on a
shared machine) of a fresh `python -c "from kehu.cli import main; main([...])"`
(the console script does the same). ``--baseline`` runs the same with another checkout's
``generator/`` first on PYTHONPATH (e.g. `mkdir -p benchmarks/out/before && git archive main generator |
tar -x -C benchmarks/out/before`, then ``--baseline benchmarks/out/before/generator``), for a before/after
comparison on the same machine at the same load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.paths import PROJECT

GENERATOR = PROJECT / "generator"
PROBE = "import sys\nfrom kehu.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"


def median_time(pythonpath: Path, cwd: Path, args: list[str], runs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    env.pop("KEHU_LOCALE", None)
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="runs per figure; the median is shown (default 15)")
    ap.add_argument("--baseline", type=Path, default=None, help="another checkout's generator/ to compare with")
    opts = ap.parse_args()
    trees = [("this tree", GENERATOR)] + ([("baseline", opts.baseline)] if opts.baseline else [])
    with tempfile.TemporaryDirectory() as scratch:
        repos = {}
        for locale in ("zh-CN", "en"):
            root = Path(scratch) / locale
            (root / "customers").mkdir(parents=True)
            (root / "kehu.yaml").write_text(f"locale: {locale}\n", encoding="utf-8")
            repos[locale] = root
        print(f"load average {os.getloadavg()[0]:.2f}; median of {opts.runs} runs")
        print(f"{'command':<22}{'repo':<8}" + "".join(f"{name:>12}" for name, _ in trees))
        for args in (["--help"], ["new", "--help"], ["opp", "add", "--help"]):
            for locale, root in repos.items():
                cells = [median_time(path, root, args, opts.runs) for _, path in trees]
                print(f"{'kehu ' + ' '.join(args):<22}{locale:<8}" + "".join(f"{c:>11.3f}s" for c in cells))
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
