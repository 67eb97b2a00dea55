"""kehu pool — the customer pool (公海), when kehu.yaml turns it on; `kehu claim` takes a customer from it.

A customer is in the pool when its owner has not followed it up for ``pool.days`` (``kehu.core.derive.pool_since``:
a derived fact, nobody's file changes). ``kehu claim`` takes one: it writes the new owner and the day
they took it — an ordinary change, so it goes through review, and the CODEOWNERS files (already in the
repository) are brought up to date so the former owner reviews the hand-over.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table

from ..book.loader import open_book
from ..core.derive import holdings, pool_reference, pool_since
from ..core.present import Presenter
from ..store.transaction import require_sound_repo
from ._common import RunOptions, repo_from, require_pool
from ._views import console


@click.command("pool")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def command(obj: RunOptions, fmt: str) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    require_pool(repo)
    cfg, today = repo.config, repo.config.today
    customers = open_book(repo).customers
    rows: list[dict[str, Any]] = []
    for c in customers:
        since = pool_since(c, cfg, today)
        if since is None:
            continue
        mine = [i.date for i in c.interactions if i.by == c.owner and i.date and i.date <= today]
        rows.append({"id": c.id, "name": c.name, "former_owner": c.owner, "since": since.isoformat(),
                     "days_in_pool": (today - since).days, "stage": c.stage,
                     "owner_last_followup": max(mine).isoformat() if mine else None,
                     "silent_since": (pool_reference(c, today) or since).isoformat()})
    rows.sort(key=lambda r: (r["since"], r["id"]))
    held = holdings(customers, cfg, today)
    cap = cfg.pool.cap
    members = {m.handle: held.get(m.handle, 0) for m in (repo.team.members if repo.team else []) if m.active}
    if fmt == "json":
        click.echo(json.dumps({"today": today.isoformat(), "days": cfg.pool.days,
                               "cap": cap, "pool": rows, "holdings": members}, ensure_ascii=False, indent=2))
        return
    t = Table(title=repo.msgs.word("pool.customers_in_the", n=len(rows)),
              title_justify="left", title_style="bold")
    for column in ("customer", "name", "former_owner", "pool_since", "owner_last_followup"):
        t.add_column(repo.msgs.word(f"table.{column}"))
    words = Presenter.of(repo)
    for r in rows:
        t.add_row(r["id"], r["name"], words.who(r["former_owner"]), r["since"], r["owner_last_followup"] or "—")
    out = console()
    out.print(t)
    shown = repo.msgs.join(f"{words.who(h)} {n}" + (f"/{cap}" if cap else "") for h, n in sorted(members.items()))
    out.print(repo.msgs.word("pool.customers_held", shown=shown))
