"""kehu complaint CUSTOMER open|progress|resolve … — the complaint handling table (客户投诉处理表).

    kehu complaint 启明 open --category 交付 --content "发票开具延迟" [--handler wangfang]
    kehu complaint 启明 progress [N] [--handler wangfang]
    kehu complaint 启明 resolve [N] --result "已补开并致歉"

N is the complaint's number as `kehu show` lists it (1 = first in the file); it
may be left out when exactly one complaint is still unresolved.
"""

from __future__ import annotations

import datetime as dt

import click
from ruamel.yaml.comments import CommentedMap

from ..repo.model import as_date
from ..repo.repository import Repo
from ..store.edits import complaint_entry
from ..store.mapedit import set_field, yaml_date
from ..store.transaction import Editing, open_for_edit, require_sound_repo, save
from ..util.errors import refuse
from ..words.terminal import echo
from ._args import parse_date, require_assignable, require_text
from ._common import RunOptions, locked, repo_from, report_warnings

ACTIONS = ("open", "progress", "resolve")


COMPLAINT_ORDER = ["date", "category", "content", "handler", "status", "resolved", "result"]


def _pick(repo: Repo, ed: Editing, number: str | None) -> tuple[int, CommentedMap]:
    """The complaint to change: number N (1-based), or the only unresolved one."""
    items = ed.data.get("complaints") or []
    msgs = repo.msgs
    if number is not None:
        if not number.strip().isdigit() or not 1 <= int(number) <= len(items):
            raise refuse(msgs, "cli-complaint-number", value=number, file=ed.name, count=len(items))
        index = int(number) - 1
        item = items[index]
        if item.get("status") == "resolved":
            raise refuse(msgs, "cli-complaint-resolved", number=number, file=ed.name, resolved=item.get("resolved"))
        return index, item
    unresolved = [(i, c) for i, c in enumerate(items) if c.get("status") != "resolved"]
    if not unresolved:
        raise refuse(msgs, "cli-no-open-complaint", file=ed.name)
    if len(unresolved) > 1:
        listed = msgs.word("sep").join(f"#{i + 1} {c.get('date')} {c.get('content')}" for i, c in unresolved)
        raise refuse(msgs, "cli-which-complaint", file=ed.name, count=len(unresolved), listed=listed,
                     first=unresolved[0][0] + 1)
    return unresolved[0]


def _open(repo: Repo, ed: Editing, when: dt.date, category: str | None, content: str | None,
          handler: str | None) -> str:
    index = complaint_entry(repo, ed, when, category, content, handler)
    text = require_text(repo.msgs, "--content", content)
    return repo.msgs.word("complaint.opened", n=index + 1, name=ed.name, date=when.isoformat(), text=text)


def _progress(repo: Repo, ed: Editing, number: str | None, handler: str | None) -> str:
    index, item = _pick(repo, ed, number)
    if handler is not None:
        set_field(item, "handler", require_assignable(repo, "--handler", handler), COMPLAINT_ORDER)
    item["status"] = "in_progress"
    return repo.msgs.word("complaint.in_progress", n=index + 1, name=ed.name)


def _resolve(repo: Repo, ed: Editing, number: str | None, when: dt.date, result: str | None,
             handler: str | None) -> str:
    text = require_text(repo.msgs, "--result", result)
    index, item = _pick(repo, ed, number)
    if handler is not None:
        set_field(item, "handler", require_assignable(repo, "--handler", handler), COMPLAINT_ORDER)
    item["status"] = "resolved"
    set_field(item, "resolved", yaml_date(when), COMPLAINT_ORDER)
    set_field(item, "result", text, COMPLAINT_ORDER)
    opened = as_date(item.get("date"))
    days = f"{(when - opened).days}" if opened else "?"
    return repo.msgs.word("complaint.resolved", n=index + 1, name=ed.name, date=when.isoformat(), days=days)


@click.command("complaint")
@click.argument("customer")
@click.argument("action", metavar="open|progress|resolve")
@click.argument("number", required=False, metavar="[N]")
@click.option("--category", metavar="KEY")
@click.option("--content")
@click.option("--handler", metavar="HANDLE")
@click.option("--result")
@click.option("--date", metavar="YYYY-MM-DD")
@click.pass_obj
@locked
def command(obj: RunOptions, customer: str, action: str, number: str | None, category: str | None, content: str | None,
            handler: str | None, result: str | None, date: str | None) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    msgs = repo.msgs
    if action not in ACTIONS:
        raise refuse(msgs, "cli-bad-action", value=action, allowed=" | ".join(ACTIONS))
    when = parse_date(msgs, "--date", date) if date is not None else repo.config.today
    if action == "open" and number is not None:
        raise refuse(msgs, "cli-bad-action", value=f"open {number}", allowed=" | ".join(ACTIONS))
    ed = open_for_edit(repo, customer)
    if action == "open":
        done = _open(repo, ed, when, category, content, handler)
    elif action == "progress":
        done = _progress(repo, ed, number, handler)
    else:
        done = _resolve(repo, ed, number, when, result, handler)
    report_warnings(save(ed), repo.msgs)
    echo(done)
