"""kehu due [--owner H] [--within DAYS] — the follow-ups owed, overdue first, as on the site.

Due dates, reasons and buckets come from ``kehu.derive`` over every valid
customer; a file with errors is left out and named, never guessed at.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from ..derive import due_bucket
from ..edits import guarded, parse_score, require_handle, require_sound_repo
from ..repo import Repo
from ..terminal import echo
from ._common import repo_from
from .show import BUCKET_STYLE, console, label, reason_text, tr, word

SHOWN = 200  # rows of the terminal table by default


def due_rows(repo: Repo, owner: str | None, within: int | None) -> tuple[list[dict], list[str]]:
    """One row per customer whose follow-up falls due on or before today + ``within`` days
    (every due customer when ``within`` is None), earliest first. The facts are ``kehu.derive``'s, kept
    per file content and day by the book index (kehu.index)."""
    from ..index import book

    index = book(repo)
    today = repo.config.today
    soon = repo.config["due_soon_days"]
    rows = []
    for item, (due, reason, action, klass, status, last) in index.due_rows(today):
        if due is None:
            continue
        data_owner, stage = item.owner, item.stage
        if owner and data_owner != owner:
            continue
        when = dt.date.fromisoformat(due)
        if within is not None and (when - today).days > within:
            continue
        rows.append({
            "id": item.id, "name": item.name, "owner": data_owner, "file": item.file,
            "due": due, "bucket": due_bucket(when, today, soon),
            "days": (when - today).days, "reason": reason, "action": action,
            "reason_text": reason_text(repo, reason, action, klass), "class": klass, "status": status,
            "stage": stage, "last_contact": last,
        })
    rows.sort(key=lambda r: (r["due"], r["id"]))
    return rows, [Path(i.file).name for i in index.items if not i.valid]


def due_table(repo: Repo, rows: list[dict], title: str) -> Table:
    t = Table(title=title, title_justify="left", title_style="bold")
    for zh, en in (("到期", "Due"), ("", ""), ("客户", "Customer"), ("名称", "Name"), ("负责人", "Owner"),
                   ("原因", "Reason"), ("分类", "Class"), ("状态", "Status"), ("阶段", "Stage"),
                   ("最近联系", "Last contact")):
        t.add_column(tr(repo, zh, en))
    for r in rows:
        bucket = Text(word(repo, "bucket." + r["bucket"]), style=BUCKET_STYLE[r["bucket"]])
        status = word(repo, "status." + r["status"])
        t.add_row(r["due"], bucket, r["id"], r["name"], r["owner"], r["reason_text"], label(repo, "class", r["class"]),
                  status, label(repo, "stage", r["stage"]), r["last_contact"] or "—")
    return t


def counts_line(repo: Repo, rows: list[dict]) -> str:
    parts = []
    for bucket in ("overdue", "today", "soon", "later"):
        n = sum(1 for r in rows if r["bucket"] == bucket)
        if n:
            parts.append(f"{word(repo, f'bucket.{bucket}')} {n}")
    return " · ".join(parts) if parts else word(repo, "nothing_due")


@click.command("due")
@click.option("--owner", metavar="HANDLE", help="Only this team member's customers.")
@click.option("--within", metavar="DAYS", help="Due within this many days from today (default: due_soon_days).")
@click.option("--all", "everything", is_flag=True, help="Every scheduled follow-up, however far ahead.")
@click.option("--limit", metavar="N", default=str(SHOWN), show_default=True,
              help="Show at most N rows (earliest first); 0 shows all. The counts always cover all; "
                   "--format json always lists all.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@guarded
def command(obj: dict, owner: str | None, within: str | None, everything: bool, limit: str, fmt: str) -> None:
    """List the follow-ups owed: overdue, today, and within DAYS (the same facts as the site)."""
    repo = repo_from(obj)
    require_sound_repo(repo)
    who = require_handle(repo, "--owner", owner) if owner is not None else None
    days = None if everything else (parse_score(repo.msgs, "--within", within, 0, 3660) if within is not None
                                    else int(repo.config["due_soon_days"]))
    shown = parse_score(repo.msgs, "--limit", limit, 0, 100_000)
    rows, invalid = due_rows(repo, who, days)
    if invalid:
        listed = "、".join(invalid[:5])
        echo(tr(repo, f"kehu: 注意：{len(invalid)} 个客户文件有错误，未计入（运行 kehu check）：{listed}",
                      f"kehu: note: {len(invalid)} customer files have errors and are left out (run kehu check): "
                      f"{', '.join(invalid[:5])}"), err=True)
    if fmt == "json":
        echo(json.dumps({"today": repo.config.today.isoformat(), "within": days, "owner": who, "due": rows,
                               "skipped": invalid}, ensure_ascii=False, indent=2))
        return
    today = repo.config.today.isoformat()
    scope = tr(repo, "全部", "all") if days is None else tr(repo, f"{days} 天内", f"within {days} days")
    title = tr(repo, f"待跟进（{today}，{scope}{'，' + who if who else ''}）",
               f"Follow-ups due ({today}, {scope}{', ' + who if who else ''})")
    out = console()
    if rows:
        # a terminal table of thousands of rows helps nobody and takes seconds to lay out: the earliest N
        out.print(due_table(repo, rows[:shown] if shown else rows, title))
    if shown and len(rows) > shown:
        out.print(tr(repo, f"另有 {len(rows) - shown} 项未显示（--limit 0 显示全部，或用 --owner / --within 缩小范围）",
                     f"{len(rows) - shown} more not shown (--limit 0 shows all; or narrow with --owner / --within)"))
    out.print(counts_line(repo, rows))
