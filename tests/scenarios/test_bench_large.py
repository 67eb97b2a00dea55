"""benchmarks/bench_large.py's bookkeeping, on nothing large: a run past its time limit is killed with its
children (a step never hangs the benchmark), a step that overruns or fails is a figure in the table and the run
goes on, and a site before and after a build is compared by bytes and by time stamp."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from benchmarks.bench_check import Overtime, wait
from benchmarks.bench_large import Steps, compare, table

SLEEPER = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import time; time.sleep(120)'])"


def test_a_run_past_its_limit_is_killed_with_its_children(tmp_path: Path) -> None:
    start = time.perf_counter()
    with pytest.raises(Overtime, match="stopped after 1 s"):
        wait([sys.executable, "-c", SLEEPER], tmp_path, dict(os.environ), timeout=1)
    assert time.perf_counter() - start < 30
    seconds, code, _, _ = wait([sys.executable, "-c", "print('done')"], tmp_path, dict(os.environ), timeout=30)
    assert code == 0 and seconds < 30


def test_a_step_that_overruns_or_fails_is_reported_and_the_run_goes_on() -> None:
    saved: list[int] = []
    steps = Steps(1000, lambda: saved.append(1))

    def overrun() -> None:
        raise Overtime(["kehu", "build"], 2400)

    def crash() -> None:
        raise SystemExit("kehu check … exited -9:\nKilled")

    assert not steps.step("build cold", overrun)
    assert not steps.step("check", crash)
    assert steps.step("commands", lambda: steps.figures.update({"cmd due": 1.5}))
    assert steps.failed == {"build cold": "stopped after 2400 s", "check": "failed: exited -9: Killed"}
    assert len(saved) == 3 and set(steps.load) == {"build cold", "check", "commands"}
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in table([steps]).splitlines()[2:]}
    assert rows["build cold s"] == rows["site files"] == "stopped after 2400 s"
    assert rows["check warm s"] == "failed: exited -9: Killed"
    assert rows["due s"] == "1.50" and rows["due / smallest"] == "1.00x ok"
    assert rows["import s"] == "-"


def test_sites_are_compared_by_bytes_and_by_time_stamp() -> None:
    before = {"a.html": (1, "x"), "b.html": (1, "y"), "gone.html": (1, "z")}
    after = {"a.html": (2, "x"), "b.html": (2, "Y"), "new.html": (2, "n")}
    assert compare(before, after) == (3, 4)  # b changed, gone removed, new added; a written again with the same bytes
    assert compare(before, before) == (0, 0)
