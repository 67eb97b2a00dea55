"""kehu forecast [--owner H] [--format json] — the weighted pipeline, as on the site's forecast page.

Every figure comes from ``kehu.core.derive.forecast``: open opportunities by expected close month for this
quarter and the next ones, by owner and source; deals won this month and quarter against the
previous ones; the opportunities that are slipping.
"""

from __future__ import annotations

import json

import click
from rich.table import Table

from ..book.lookup import load_all
from ..core.derive import PipelineSum, forecast, opp_owner
from ..core.present import Presenter
from ..store.transaction import require_sound_repo
from ._args import require_handle
from ._common import repo_from
from ._views import console


def _sums(s: PipelineSum) -> dict:
    return {"count": s.count, "amount": round(s.amount, 2), "weighted": round(s.weighted, 2)}


@click.command("forecast")
@click.option("--owner", default=None, metavar="HANDLE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def command(obj: dict, owner: str | None, fmt: str) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    who = require_handle(repo, "--owner", owner) if owner is not None else None
    loaded = load_all(repo)
    today = repo.config.today
    fc = forecast(loaded.customers, repo.config, today, who)
    slipping = [{"customer": c.id, "name": c.name, "id": o.id, "what": o.what, "amount": o.amount,
                 "close": o.close.isoformat() if o.close else None, "stage": o.stage, "owner": opp_owner(o, c),
                 "days_late": (today - o.close).days if o.close else None} for c, o in fc.slipping]
    if fmt == "json":
        click.echo(json.dumps({
            "today": today.isoformat(), "owner": who,
            "months": {k: _sums(s) for k, s in fc.months}, "quarters": {k: _sums(s) for k, s in fc.quarters},
            "total": _sums(fc.total), "later": _sums(fc.later), "overdue": _sums(fc.overdue),
            "by_owner": {k: _sums(s) for k, s in fc.by_owner.items()},
            "by_source": {k: _sums(s) for k, s in fc.by_source.items()},
            "won": {k: {"count": w.count, "amount": w.amount} for k, w in fc.won.items()},
            "slipping": slipping, "skipped": loaded.invalid,
        }, ensure_ascii=False, indent=2))
        return
    out = console()
    t = Table(
        title=repo.msgs.word("forecast.title_who" if who else "forecast.title", today=today.isoformat(), who=who),
        title_justify="left",
        title_style="bold",
    )
    for column in ("month", "count", "amount", "weighted"):
        t.add_column(repo.msgs.word(f"table.{column}"))
    for k, s in [*fc.quarters, *fc.months]:
        t.add_row(k, str(s.count), f"{s.amount:,.0f}", f"{s.weighted:,.0f}")
    t.add_row(repo.msgs.word("forecast.total"), str(fc.total.count), f"{fc.total.amount:,.0f}",
              f"{fc.total.weighted:,.0f}")
    out.print(t)
    won = fc.won
    out.print(
        repo.msgs.word(
            "forecast.won_line",
            this_month=won["this_month"].amount,
            last_month=won["last_month"].amount,
            this_quarter=won["this_quarter"].amount,
            last_quarter=won["last_quarter"].amount,
        )
    )
    if slipping:
        s = Table(title=repo.msgs.word("forecast.slipping_opportunities", n=len(slipping)),
                  title_justify="left", title_style="bold")
        for column in ("customer", "opportunity", "stage", "amount", "close", "days_late", "owner"):
            s.add_column(repo.msgs.word(f"table.{column}"))
        for r in slipping:
            s.add_row(r["name"], f"{r['what']} {r['id']}", Presenter.of(repo).stage(r["stage"]), f"{r['amount']:,.0f}",
                      r["close"] or "—", str(r["days_late"]), r["owner"])
        out.print(s)
