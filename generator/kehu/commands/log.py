"""kehu log CUSTOMER --channel call --summary "…" — record one interaction in one command.

The interaction is inserted in date order, ``next_action`` is updated (set by
``--next``, or cleared when the call just made it obsolete), and the file is
written only when the result passes the checker.
"""

from __future__ import annotations

import datetime as dt

import click
from ruamel.yaml.comments import CommentedMap

from ..book.queries import facts_for
from ..core.present import Presenter
from ..repo.gitinfo import current_handle
from ..repo.model import as_date
from ..repo.repository import Repo
from ..store.mapedit import append_dated, entry, field_order, set_field, yaml_date
from ..store.transaction import open_for_edit, require_sound_repo, save
from ..util.errors import refuse
from ..words.catalogue import is_first_followup_action
from ..words.terminal import echo
from ._args import parse_date, require_handle, require_text, vocab_key
from ._common import RunOptions, locked, repo_from, report_warnings


def _channel(repo: Repo, value: str | None) -> str:
    vocab = repo.schemas.vocabularies["channel"]
    if value is None:
        raise refuse(repo.msgs, "cli-missing-option", option="--channel",
                     hint=repo.msgs.word("sep").join(vocab.keys()))
    return vocab_key(repo.msgs, vocab, "--channel", value)


def _next(repo: Repo, value: tuple[str, str] | None, when: dt.date) -> tuple[dt.date, str] | None:
    if not value:
        return None
    date = parse_date(repo.msgs, "--next", value[0])
    action = require_text(repo.msgs, "--next ACTION", value[1])
    if date <= when:
        raise refuse(repo.msgs, "cli-next-before", next=date, date=when, example=when + dt.timedelta(days=7))
    return date, action


def update_next_action(data: CommentedMap, nxt: tuple[dt.date, str] | None, when: dt.date,
                       order: list[str]) -> str:
    """Set the next step, or clear a planned step this interaction has done (one due by its date, or the
    first follow-up `kehu new` planned, which any contact completes). Returns what happened."""
    current = data.get("next_action")
    if nxt is not None:
        if isinstance(current, CommentedMap):  # change in place: keeps its style and comments
            current["date"], current["action"] = yaml_date(nxt[0]), nxt[1]
        else:
            set_field(data, "next_action", entry([("date", nxt[0]), ("action", nxt[1])]), order)
        return "set"
    if isinstance(current, dict):
        planned = as_date(current.get("date"))
        if (planned is not None and planned <= when) or is_first_followup_action(current.get("action")):
            data["next_action"] = None
            return "cleared"
    return "kept"


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
    require_sound_repo(repo)
    msgs = repo.msgs
    key = _channel(repo, channel)
    text = require_text(msgs, "--summary", summary)
    when = parse_date(msgs, "--date", date) if date is not None else repo.config.today
    nxt = _next(repo, next_, when)
    who = require_handle(repo, "--by", by) if by is not None else None
    ed = open_for_edit(repo, customer)
    who = who or current_handle(repo)
    order = field_order(repo)
    item = entry([("date", when), ("channel", key), ("by", who), ("contact", (contact or "").strip()),
                  ("summary", text), ("outcome", (outcome or "").strip())])
    append_dated(ed.data, "interactions", item, order)
    planned = ed.data.get("next_action")
    done_plan = str(planned.get("action") or "") if isinstance(planned, dict) else ""
    what = update_next_action(ed.data, nxt, when, order)
    report_warnings(save(ed), repo.msgs)
    _, facts = facts_for(repo, ed.path)
    words = Presenter.of(repo)
    due = (f"{facts.due.date.isoformat()} {words.due_reason_of(facts)}" if facts.due else "—")
    channel_label = words.vocab("channel", key)
    echo(
        repo.msgs.word(
            "log.recorded_next_follow",
            name=ed.name,
            when=when.isoformat(),
            channel_label=channel_label,
            who=words.who(who),
            due=due,
        )
    )
    if what == "cleared":
        echo(repo.msgs.word("log.the_planned_next", action=done_plan))
