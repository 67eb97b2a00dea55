"""`scripts/demo.sh` on any date shows a book a team works in: `scripts/demo_book.py` moves every date of the demo
customers (and the dates inside their ids) so that the day they were written for becomes the day it is run.

On a date years after the demo was written, the copy passes `kehu check`, and its figures look like a live team's
morning: a handful of overdue items, never more than there are customers, with items coming up this week. The
demo as written, looked at on the same date, is the book nobody touched for years — the failure this prevents.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.git import git
from tests.support.paths import PROJECT

SCRIPT = PROJECT / "scripts" / "demo_book.py"


def _kehu(root: Path, *args: str, today: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env["KEHU_TODAY"] = today
    return subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(root), *args], capture_output=True,
                          text=True, env=env, timeout=300)


def _figures(root: Path, today: str) -> dict[str, int]:
    run = _kehu(root, "due", "--all", "--format", "json", today=today)
    assert run.returncode == 0, run.stderr
    named: dict[str, int] = json.loads(run.stdout)["figures"]
    return named


@pytest.mark.parametrize("today", ["2029-07-02", "2032-02-29"])
def test_the_demo_on_any_day_is_a_live_book(tmp_path: Path, today: str) -> None:
    out = tmp_path / "demo"
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), "--today", today], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    check = _kehu(out, "check", "--format", "json", today=today)
    assert check.returncode == 0, check.stdout + check.stderr  # every file valid, ids = file names, nothing future
    shown = _figures(out, today)
    assert shown["customers"] >= 40
    assert 1 <= shown["overdue"] <= 12, shown  # a handful, as on a working morning
    assert shown["overdue"] <= shown["customers"]
    assert shown["today"] + shown["soon"] >= 5, shown  # and the week ahead has work in it
    assert shown["won_this_quarter_count"] + shown["won_last_quarter_count"] >= 1, shown  # deals are recent
    log = git(out, "log", "--format=%ad %an", "--date=short").stdout.split("\n")
    assert log[0] == f"{today} 刘洋"  # a history of one commit, on the day: the profile pages have one


def test_the_demo_as_written_ages(tmp_path: Path) -> None:
    """Without moving the dates, four weeks after the demo's day shows the failure: more overdue items than there
    are customers (years later every customer is dormant instead)."""
    shown = _figures(PROJECT, "2026-12-21")
    assert shown["overdue"] > shown["customers"]
    assert _figures(PROJECT, "2029-07-02")["dormant"] > shown["customers"] // 2


def test_an_unrelated_folder_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep", encoding="utf-8")
    run = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path / "mine"), "--today", "2030-01-01"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "was not made by this script" in run.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep"
