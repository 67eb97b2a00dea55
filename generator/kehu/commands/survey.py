"""kehu survey CUSTOMER --quality 5 --attitude 4 … — record a satisfaction survey (scores 1–5)."""

from __future__ import annotations

import click

from ..core.present import Presenter
from ..repo.model import SURVEY_DIMENSIONS
from ..store.mapedit import append_dated, entry, field_order
from ..store.transaction import open_for_edit, require_sound_repo, save
from ..util.errors import refuse
from ..words.terminal import echo
from ._args import parse_date, parse_score
from ._common import RunOptions, locked, repo_from, report_warnings

OPTIONS = {"quality": "--quality", "attitude": "--attitude", "response": "--response", "after_sales": "--after-sales"}


@click.command("survey")
@click.argument("customer")
@click.option("--quality", metavar="1-5")
@click.option("--attitude", metavar="1-5")
@click.option("--response", metavar="1-5")
@click.option("--after-sales", "after_sales", metavar="1-5")
@click.option("--comment")
@click.option("--date", metavar="YYYY-MM-DD")
@click.pass_obj
@locked
def command(obj: RunOptions, customer: str, comment: str | None, date: str | None, **scores: str | None) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    msgs = repo.msgs
    given = {d: parse_score(msgs, OPTIONS[d], scores[d]) for d in SURVEY_DIMENSIONS if scores.get(d) is not None}
    if not given:
        raise refuse(msgs, "cli-missing-option", option=" / ".join(OPTIONS.values()),
                     hint=repo.msgs.word("survey.give_at_least"))
    when = parse_date(msgs, "--date", date) if date is not None else repo.config.today
    ed = open_for_edit(repo, customer)
    item = entry([("date", when), *given.items(), ("comment", (comment or "").strip())])
    append_dated(ed.data, "surveys", item, field_order(repo))
    report_warnings(save(ed), repo.msgs)
    words = Presenter.of(repo)
    shown = words.join(f"{words.field(k, 'survey')} {v}" for k, v in given.items())
    echo(repo.msgs.word("survey.survey_recorded", name=ed.name, when=when.isoformat(), shown=shown))
