"""kehu forecast [--owner H] [--format json] — the weighted pipeline, as on the site's forecast page.

The breakdown comes from ``kehu.core.derive.forecast``: open opportunities by expected close month for this
quarter and the next ones, by owner and source; the opportunities that are slipping. The open and weighted
pipeline and the deals won this month and quarter against the previous ones are the book's figures
(``kehu.core.figures``), the same numbers the site shows.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from ..book.loader import open_book
from ..core.derive import PipelineSum, forecast, open_opportunities, opp_owner
from ..core.figures import events, named_targets, target_progress
from ..core.figures import figures as figures_of
from ..core.present import Presenter
from ..repo.model import Customer
from ..store.transaction import require_sound_repo
from ._args import require_handle
from ._common import RunOptions, book_notes, repo_from
from ._views import console


def _sums(s: PipelineSum) -> dict[str, Any]:
    return {"count": s.count, "amount": round(s.amount, 2), "weighted": round(s.weighted, 2)}


@click.command("forecast")
@click.option("--owner", default=None, metavar="HANDLE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def command(obj: RunOptions, owner: str | None, fmt: str) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    who = require_handle(repo, "--owner", owner) if owner is not None else None
    book = open_book(repo)
    today = repo.config.today
    fc = forecast(book.customers, repo.config, today, who)
    figures = figures_of(book.customers, book.facts, repo.config, today, who)
    # targets of this month and quarter: won so far, the weighted pipeline expected to close by the period's end
    targets = target_progress(book.customers, events(book.customers), repo.config, today, who)
    L = Presenter.of(repo)

    def errors(c: Customer) -> list[str]:
        return [L.problem_line(p) for p in entry.errors] if (entry := book.entry(c.id)) else []

    slipping: list[dict[str, Any]]
    slipping = [{"customer": c.id, "name": c.name, "id": o.id, "what": o.what, "amount": o.amount,
                 "close": o.close.isoformat() if o.close else None, "stage": o.stage, "owner": opp_owner(o, c),
                 "days_late": (today - o.close).days if o.close else None, "errors": errors(c)}
                for c, o in fc.slipping]
    # every customer whose open opportunities the forecast counts: one with errors is counted, and named
    counted = {c.id for c, _ in open_opportunities(book.customers, who)}
    marked = sorted(e.id for e in book.with_errors if e.id in counted)
    book_notes(repo.msgs, book.unreadable_names, marked)
    if fmt == "json":
        click.echo(json.dumps({
            "today": today.isoformat(), "owner": who,
            "months": {k: _sums(s) for k, s in fc.months}, "quarters": {k: _sums(s) for k, s in fc.quarters},
            "total": _sums(fc.total), "later": _sums(fc.later), "overdue": _sums(fc.overdue),
            "undated": _sums(fc.undated), "pipeline": _sums(figures.pipeline),
            "by_owner": {k: _sums(s) for k, s in fc.by_owner.items()},
            "by_source": {k: _sums(s) for k, s in fc.by_source.items()},
            "won": {k: {"count": w.count, "amount": w.amount} for k, w in figures.won.items()},
            "figures": {**figures.named(), **named_targets(targets, today)},
            "targets": [{"period": t.period, "metric": t.metric, "target": t.target, "actual": t.actual,
                         "gap": round(t.gap, 2), "weighted_pipeline": t.weighted} for t in targets],
            "slipping": slipping, "skipped": book.unreadable_names, "with_errors": marked,
        }, ensure_ascii=False, indent=2))
        return
    out = console()
    t = Table(
        title=repo.msgs.word("forecast.title_who" if who else "forecast.title", today=today.isoformat(),
                             who=Presenter.of(repo).who(who) if who else ""),
        title_justify="left",
        title_style="bold",
    )
    t.add_column(repo.msgs.word("table.month"))
    for figure in ("pipeline_count", "pipeline_open", "pipeline_weighted"):
        t.add_column(repo.msgs.word(f"figure.{figure}"))
    for k, sums in [*fc.quarters, *fc.months]:
        t.add_row(k, str(sums.count), f"{sums.amount:,.0f}", f"{sums.weighted:,.0f}")
    t.add_row(repo.msgs.word("forecast.total"), str(fc.total.count), f"{fc.total.amount:,.0f}",
              f"{fc.total.weighted:,.0f}")
    out.print(t)
    words = {f"{name}_label": repo.msgs.word(f"figure.pipeline_{name}") for name in ("open", "weighted", "count")}
    out.print(repo.msgs.word("forecast.pipeline_line", **words, open=figures.pipeline.amount,
                             weighted=figures.pipeline.weighted, count=figures.pipeline.count,
                             overdue=fc.overdue.amount, later=fc.later.amount))
    won = figures.won
    out.print(
        repo.msgs.word(
            "forecast.won_line",
            this_month=won["this_month"].amount,
            last_month=won["last_month"].amount,
            this_quarter=won["this_quarter"].amount,
            last_quarter=won["last_quarter"].amount,
        )
    )
    for goal in targets:
        money = goal.metric == "won"
        shown = {k: f"{v:,.0f}" if money else str(int(v)) for k, v in (("target", goal.target),
                                                                            ("actual", goal.actual), ("gap", goal.gap))}
        pct = f"{goal.attained:.0%}" if goal.attained is not None else "—"
        line = repo.msgs.word(f"report.target.{goal.metric}", period=goal.period, pct=pct, **shown)
        if money and goal.gap > 0:
            line += repo.msgs.word("report.target.weighted", weighted=f"{goal.weighted:,.0f}")
        out.print(Text(line))
    if slipping:
        s = Table(title=repo.msgs.word("forecast.slipping_opportunities", n=len(slipping)),
                  title_justify="left", title_style="bold")
        for column in ("customer", "opportunity", "stage", "amount", "close", "days_late", "owner"):
            s.add_column(repo.msgs.word(f"table.{column}"))
        for r in slipping:
            name = Text(r["name"])
            if r["errors"]:
                name.append(" " + L.errors_mark(len(r["errors"])), style="bold red")
            s.add_row(name, f"{r['what']} {r['id']}", L.stage(r["stage"]), f"{r['amount']:,.0f}",
                      r["close"] or "—", str(r["days_late"]), L.who(r["owner"]))
        out.print(s)
