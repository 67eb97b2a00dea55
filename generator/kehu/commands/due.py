"""kehu due [--owner H] [--within DAYS] — the follow-ups owed, overdue first, as on the site.

Due dates, reasons and buckets come from ``kehu.derive`` over every valid
customer; a file with errors is left out and named, never guessed at.
"""

from __future__ import annotations

import json

import click
from rich.table import Table
from rich.text import Text

from ..derive import derive_all, due_bucket
from ..edits import guarded, parse_score, require_handle, require_sound_repo
from ..lookup import load_all
from ..repo import Repo
from ._common import repo_from
from .show import BUCKET_STYLE, console, due_reason, label, tr, word


def due_rows(repo: Repo, owner: str | None, within: int | None) -> tuple[list[dict], list[str]]:
    """One row per customer whose follow-up falls due on or before today + ``within`` days
    (every due customer when ``within`` is None), earliest first."""
    loaded = load_all(repo)
    today = repo.config.today
    facts = derive_all(loaded.customers, repo.config, today)
    soon = repo.config["due_soon_days"]
    rows = []
    for c in loaded.customers:
        f = facts[c.id]
        if f.due is None or (owner and c.owner != owner):
            continue
        if within is not None and (f.due.date - today).days > within:
            continue
        rows.append({
            "id": c.id, "name": c.name, "owner": c.owner, "file": c.file,
            "due": f.due.date.isoformat(), "bucket": due_bucket(f.due.date, today, soon),
            "days": (f.due.date - today).days, "reason": f.due.reason, "action": f.due.action,
            "reason_text": due_reason(repo, f), "class": f.klass, "status": f.status, "stage": c.stage,
            "last_contact": f.last_contact.isoformat() if f.last_contact else None,
        })
    rows.sort(key=lambda r: (r["due"], r["id"]))
    return rows, loaded.invalid


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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@guarded
def command(obj: dict, owner: str | None, within: str | None, everything: bool, fmt: str) -> None:
    """List the follow-ups owed: overdue, today, and within DAYS (the same facts as the site)."""
    repo = repo_from(obj)
    require_sound_repo(repo)
    who = require_handle(repo, "--owner", owner) if owner is not None else None
    days = None if everything else (parse_score(repo.msgs, "--within", within, 0, 3660) if within is not None
                                    else int(repo.config["due_soon_days"]))
    rows, invalid = due_rows(repo, who, days)
    if invalid:
        listed = "、".join(invalid[:5])
        click.echo(tr(repo, f"kehu: 注意：{len(invalid)} 个客户文件有错误，未计入（运行 kehu check）：{listed}",
                      f"kehu: note: {len(invalid)} customer files have errors and are left out (run kehu check): "
                      f"{', '.join(invalid[:5])}"), err=True)
    if fmt == "json":
        click.echo(json.dumps({"today": repo.config.today.isoformat(), "within": days, "owner": who, "due": rows,
                               "skipped": invalid}, ensure_ascii=False, indent=2))
        return
    today = repo.config.today.isoformat()
    scope = tr(repo, "全部", "all") if days is None else tr(repo, f"{days} 天内", f"within {days} days")
    title = tr(repo, f"待跟进（{today}，{scope}{'，' + who if who else ''}）",
               f"Follow-ups due ({today}, {scope}{', ' + who if who else ''})")
    out = console()
    if rows:
        out.print(due_table(repo, rows, title))
    out.print(counts_line(repo, rows))
