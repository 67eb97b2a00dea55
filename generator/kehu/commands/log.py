"""kehu log CUSTOMER --channel call --summary "…" — record one interaction in one command.

The interaction is inserted in date order, ``next_action`` is updated (set by
``--next``, or cleared when the call just made it obsolete), and the file is
written only when the result passes the checker.
"""

from __future__ import annotations

import click

from ..book.queries import facts_for
from ..core.present import Presenter
from ..store.edits import log_interaction
from ..words.terminal import echo
from ._common import RunOptions, locked, repo_from, report_warnings


@click.command("log")
@click.argument("customer")
@click.option("-c", "--channel", metavar="KEY")
@click.option("-s", "--summary")
@click.option("-o", "--outcome")
@click.option("--contact")
@click.option("--next", "next_", nargs=2, metavar="DATE ACTION")
@click.option("--by", metavar="HANDLE")
@click.option("--date", metavar="YYYY-MM-DD")
@click.pass_obj
@locked
def command(obj: RunOptions, customer: str, channel: str | None, summary: str | None, outcome: str | None,
            contact: str | None, next_: tuple[str, str] | None, by: str | None, date: str | None) -> None:
    repo = repo_from(obj)
    done = log_interaction(repo, customer, channel=channel, summary=summary, outcome=outcome, contact=contact,
                           next_=next_, by=by, date=date)
    ed = done.editing
    report_warnings(done.warnings, repo.msgs)
    _, facts = facts_for(repo, ed.path)
    words = Presenter.of(repo)
    due = (f"{facts.due.date.isoformat()} {words.due_reason_of(facts)}" if facts.due else "—")
    channel_label = words.vocab("channel", done.channel)
    echo(
        repo.msgs.word(
            "log.recorded_next_follow",
            name=ed.name,
            when=done.when.isoformat(),
            channel_label=channel_label,
            who=words.who(done.by),
            due=due,
        )
    )
    if done.next_step == "cleared":
        echo(repo.msgs.word("log.the_planned_next", action=done.cleared_plan))
