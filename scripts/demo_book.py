"""The demo book as it would be today: a copy of this repository's demo team with every date moved forward.

The demo customers were written for one day — the day of their newest interaction. Shown on any later day they
would be a book nobody has touched for months: everything overdue, every opportunity slipping. A demo must look
like a live team's book on the day it is run, so this copies the team repository (customers/, team.yaml, kehu.yaml,
schema/, mkdocs.yml, site_templates/) into OUT with every date — and the dates inside ids (C20240501001,
O20261120-b1b9, HT202405001) — moved by the same number of days, so that the demo's day becomes TODAY; then makes
OUT a git repository of one commit, so the site has a history. Nothing in this checkout changes.

    python scripts/demo_book.py --out .demo [--today YYYY-MM-DD]   (scripts/demo.sh runs it)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("team.yaml", "schema", "mkdocs.yml", "site_templates")
ISO_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
CUSTOMER_ID = re.compile(r"(?<![A-Za-z0-9])C(\d{4})(\d{2})(\d{2})(?=[0-9A-Z])")
OPPORTUNITY_ID = re.compile(r"(?<![A-Za-z0-9])O(\d{4})(\d{2})(\d{2})(?=-)")
CONTRACT = re.compile(r"(?<![A-Za-z0-9])HT(\d{4})(\d{2})(?=\d{3})")


def demo_day(root: Path) -> dt.date:
    """The day the demo book was written for: its newest interaction (read by kehu's own loader)."""
    from kehu.book.loader import open_book
    from kehu.repo.repository import open_repo

    book = open_book(open_repo(root))
    return max(i.date for c in book.customers for i in c.interactions if i.date)


def _day(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def shifted(text: str, by: dt.timedelta) -> str:
    """``text`` with every ISO date and every date inside an id moved by ``by``."""

    def iso(m: re.Match[str]) -> str:
        day = _day(m.group(1), m.group(2), m.group(3))
        return (day + by).isoformat() if day else m.group(0)

    def customer(m: re.Match[str]) -> str:
        day = _day(m.group(1), m.group(2), m.group(3))
        return f"C{(day + by):%Y%m%d}" if day else m.group(0)

    def opportunity(m: re.Match[str]) -> str:
        day = _day(m.group(1), m.group(2), m.group(3))
        return f"O{(day + by):%Y%m%d}" if day else m.group(0)

    def contract(m: re.Match[str]) -> str:
        day = _day(m.group(1), m.group(2), "15")
        return f"HT{(day + by):%Y%m}" if day else m.group(0)

    for pattern, repl in ((ISO_DAY, iso), (CUSTOMER_ID, customer), (OPPORTUNITY_ID, opportunity),
                          (CONTRACT, contract)):
        text = pattern.sub(repl, text)
    return text


def make(out: Path, today: dt.date) -> dt.timedelta:
    """Write the demo book as of ``today`` into ``out`` (replacing what an earlier run left there)."""
    if out.resolve() in (ROOT.resolve(), *ROOT.resolve().parents):
        raise SystemExit(f"demo_book: {out} would replace this repository")
    if out.exists():
        if not (out / ".demo-book").is_file():
            raise SystemExit(f"demo_book: {out} exists and was not made by this script; choose another --out")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / ".demo-book").write_text("made by scripts/demo_book.py: replaced on every run\n", encoding="utf-8")
    by = today - demo_day(ROOT)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, out / name)
        elif source.is_file():
            shutil.copy2(source, out / name)
    (out / "kehu.yaml").write_text(shifted((ROOT / "kehu.yaml").read_text(encoding="utf-8"), by), encoding="utf-8")
    (out / "customers").mkdir()
    for path in sorted((ROOT / "customers").glob("*.yaml")):
        (out / "customers" / shifted(path.name, by)).write_text(shifted(path.read_text(encoding="utf-8"), by),
                                                                encoding="utf-8")
    _commit(out, today)
    return by


def _commit(out: Path, today: dt.date) -> None:
    """One commit, by the team's manager on the demo's day: the site's change history has something to show."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="刘洋", GIT_AUTHOR_EMAIL="liuyang@example.com", GIT_COMMITTER_NAME="刘洋",
               GIT_COMMITTER_EMAIL="liuyang@example.com", GIT_AUTHOR_DATE=f"{today}T09:00:00+08:00",
               GIT_COMMITTER_DATE=f"{today}T09:00:00+08:00", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "演示数据"]):
        subprocess.run(["git", *args], cwd=out, env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                        help="default: today in the team's time zone (kehu.yaml), or KEHU_TODAY")
    args = parser.parse_args()
    if args.today is None:
        from kehu.repo.repository import open_repo  # kehu's own "today": the team's time zone, KEHU_TODAY

        args.today = open_repo(ROOT).config.today
    by = make(args.out, args.today)
    print(f"demo book as of {args.today} (dates moved {by.days} days) → {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
