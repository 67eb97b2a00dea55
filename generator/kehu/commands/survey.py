"""kehu survey CUSTOMER --quality 5 --attitude 4 … — record a satisfaction survey (scores 1–5)."""

from __future__ import annotations

import click

from ..core.present import Presenter
from ..store.edits import add_survey
from ..words.terminal import echo
from ._common import RunOptions, locked, repo_from, report_warnings


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
    done = add_survey(repo, customer, scores, comment, date)
    report_warnings(done.warnings, repo.msgs)
    words = Presenter.of(repo)
    shown = words.join(f"{words.field(k, 'survey')} {v}" for k, v in done.scores.items())
    echo(repo.msgs.word("survey.survey_recorded", name=done.editing.name, when=done.when.isoformat(), shown=shown))
