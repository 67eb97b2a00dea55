"""kehu opp add|set|win|lose|list — opportunities (商机) of a customer.

An opportunity is named by its id (O20240601-3fa2), by a unique part of what it is about, or by
its number in the file (1, 2 …). Its id carries a random part so that two colleagues adding
opportunities in their own clones never pick the same one (the merge driver tells them apart by id).

The customer's ``stage`` is the relationship stage: when an opportunity moves further than it,
these commands move the customer forward too (never back), and winning one makes the customer won.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

import click
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..book.loader import open_book
from ..core.derive import opp_probability, opp_slipping
from ..core.present import Presenter
from ..repo.repository import Repo
from ..store.mapedit import complete_first_followup, entry, field_order, insert_dated, set_field, yaml_date
from ..store.transaction import Editing, open_for_edit, require_sound_repo, save
from ..util.errors import refuse
from ..words.catalogue import Locale
from ._args import (
    is_none_word,
    parse_amount,
    parse_date,
    parse_probability,
    require_assignable,
    require_handle,
    require_text,
    vocab_key,
)
from ._common import RunOptions, locked, repo_from, report_warnings, say_changes
from ._views import console

ITEM_ORDER = ["id", "what", "amount", "close", "stage", "probability", "owner", "created", "closed", "lost_reason",
              "note"]
SETTABLE = ("what", "amount", "close", "stage", "probability", "owner", "note")
OUTCOMES = {"won": "win", "lost": "lose"}


def new_id(existing: set[str], today: dt.date) -> str:
    """O + today + 4 random hex digits: unique in the file, and across clones with near certainty."""
    while True:
        candidate = f"O{today:%Y%m%d}-{secrets.token_hex(2)}"
        if candidate not in existing:
            return candidate


def _opps(ed: Editing) -> list[CommentedMap]:
    items = ed.data.get("opportunities")
    return list(items) if isinstance(items, list) else []


def _listed(words: Locale, items: list[CommentedMap]) -> str:
    return words.join(f"{o.get('id')} {o.get('what')}" for o in items[:8]) or "—"


def pick(repo: Repo, ed: Editing, query: str) -> CommentedMap:
    """The opportunity ``query`` names: its id, its number (1-based), or a unique part of ``what``."""
    items, text = _opps(ed), (query or "").strip()
    for o in items:
        if str(o.get("id")) == text:
            return o
    if text.isdigit() and 1 <= int(text) <= len(items):
        return items[int(text) - 1]
    hits = [o for o in items if text and text.casefold() in str(o.get("what", "")).casefold()]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise refuse(
            repo.msgs, "cli-ambiguous-opp", query=query, count=len(hits), file=ed.name, listed=_listed(repo.msgs, hits)
        )
    raise refuse(repo.msgs, "cli-no-opp", query=query, file=ed.name, listed=_listed(repo.msgs, items))


def _require_open(repo: Repo, ed: Editing, o: CommentedMap) -> None:
    stage = str(o.get("stage"))
    if stage in OUTCOMES:
        raise refuse(repo.msgs, "cli-opp-closed", id=o.get("id"), file=ed.name,
                     stage=Presenter.of(repo).stage(stage))


def _stage(repo: Repo, option: str, value: str, allow_outcome: bool = False) -> str:
    key = vocab_key(repo.msgs, repo.schemas.vocabularies["stage"], option, value)
    if key in OUTCOMES and not allow_outcome:
        raise refuse(repo.msgs, "cli-opp-outcome", stage=key, command=OUTCOMES[key])
    return key


def advance_customer(repo: Repo, ed: Editing, stage: str) -> str | None:
    """Move the customer's stage forward to ``stage`` (never back, never out of lost). Returns a line to say."""
    stages = repo.config.stages
    current = str(ed.data.get("stage"))
    if current == "lost" or stage not in stages or current not in stages:
        return None
    if stages.index(stage) <= stages.index(current):
        return None
    ed.data["stage"] = stage
    words = Presenter.of(repo)
    return repo.msgs.word("opp.customer_stage", name=ed.name, current=words.stage(current), stage=words.stage(stage))


def _finish(ed: Editing, lines: list[str | None]) -> None:
    report_warnings(save(ed), ed.repo.msgs)
    for line in lines:
        if line:
            click.echo(line)


@click.group("opp")
def command() -> None:
    pass  # the subcommands below do the work; the help text is help.opp in the catalogue


@command.command("add")
@click.argument("customer")
@click.argument("what")
@click.option("--amount", required=True)
@click.option("--close", "close", required=True, metavar="YYYY-MM-DD")
@click.option("--stage", default=None)
@click.option("--probability", default=None)
@click.option("--owner", default=None, metavar="HANDLE")
@click.option("--note", default=None)
@click.pass_obj
@locked
def add(obj: RunOptions, customer: str, what: str, amount: str, close: str, stage: str | None, probability: str | None,
        owner: str | None, note: str | None) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    msgs = repo.msgs
    item_what = require_text(msgs, "WHAT", what)
    money = parse_amount(msgs, "--amount", amount)
    when = parse_date(msgs, "--close", close)
    key = _stage(repo, "--stage", stage) if stage is not None else repo.config.stages[0]
    chance = parse_probability(msgs, "--probability", probability) if probability is not None else None
    who = require_assignable(repo, "--owner", owner) if owner is not None else None
    ed = open_for_edit(repo, customer)
    today = repo.config.today
    oid = new_id({str(o.get("id")) for o in _opps(ed)}, today)
    item = entry([("id", oid), ("what", item_what), ("amount", money), ("close", when), ("stage", key),
                  ("probability", chance), ("owner", who), ("created", today), ("note", (note or "").strip())])
    seq = ed.data.get("opportunities")
    if not isinstance(seq, list):
        seq = CommentedSeq()
        set_field(ed.data, "opportunities", seq, field_order(repo))
    seq.append(item)
    moved = advance_customer(repo, ed, key)
    _finish(
        ed,
        [
            repo.msgs.word(
                "opp.opportunity_added_closing",
                oid=oid,
                name=ed.name,
                item_what=item_what,
                money=money,
                when=when.isoformat(),
            ),
            moved,
        ],
    )


def opp_field(repo: Repo, text: str) -> str:
    """The field of an opportunity a person names: its key (stage) or its title (阶段, 商机阶段, Stage)."""
    from ..core.values import fold
    from ..repo.schema import title_of

    props = repo.schemas.raw["customer"].get("$defs", {}).get("opportunity", {}).get("properties", {})
    if text in SETTABLE:
        return text
    for key in SETTABLE:
        titles = {fold(title_of(props.get(key), lang, key)) for lang in ("zh-CN", "en")}
        if fold(text) in titles or any(len(fold(text)) >= 2 and fold(text) in t for t in titles):
            return key
    words = Presenter.of(repo)
    raise refuse(repo.msgs, "cli-unknown-field", field=text, suggestion="",
                 allowed=repo.msgs.join(words.field(k, "opportunity") for k in SETTABLE))


@command.command("set")
@click.argument("customer")
@click.argument("opp")
@click.argument("field", metavar="FIELD")
@click.argument("value")
@click.pass_obj
@locked
def set_(obj: RunOptions, customer: str, opp: str, field: str, value: str) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    msgs = repo.msgs
    field = opp_field(repo, field)
    ed = open_for_edit(repo, customer)
    o = pick(repo, ed, opp)
    _require_open(repo, ed, o)
    new: Any
    if field == "what":
        new = require_text(msgs, "what", value)
    elif field == "amount":
        new = parse_amount(msgs, "amount", value)
    elif field == "close":
        new = yaml_date(parse_date(msgs, "close", value))
    elif field == "stage":
        new = _stage(repo, "stage", value)
    elif field == "probability":
        new = None if is_none_word(value) else parse_probability(msgs, "probability", value)
    elif field == "owner":
        new = require_assignable(repo, "owner", value)
    else:
        new = None if is_none_word(value) else require_text(msgs, "note", value)
    old = o.get(field)
    if str(old) == str(new) or (new is None and field not in o):
        shown = Presenter.of(repo).field(field, "opportunity")
        click.echo(repo.msgs.word("opp.of_unchanged_nothing", name=ed.name, oid=o.get('id'), field=shown))
        return
    if new is None:
        del o[field]
    else:
        set_field(o, field, new, ITEM_ORDER)
    if field == "stage":
        advance_customer(repo, ed, new)
    report_warnings(save(ed), repo.msgs)
    say_changes(repo, ed)


@command.command("win")
@click.argument("customer")
@click.argument("opp")
@click.option("--signed", default=None, metavar="YYYY-MM-DD")
@click.option("--amount", default=None)
@click.option("--contract", default=None)
@click.option("--product", default=None)
@click.pass_obj
@locked
def win(obj: RunOptions, customer: str, opp: str, signed: str | None, amount: str | None, contract: str | None,
        product: str | None) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    msgs = repo.msgs
    when = parse_date(msgs, "--signed", signed) if signed is not None else repo.config.today
    ed = open_for_edit(repo, customer)
    o = pick(repo, ed, opp)
    _require_open(repo, ed, o)
    money = parse_amount(msgs, "--amount", amount) if amount is not None else o.get("amount")
    deal = entry([("contract", (contract or "").strip()), ("product", (product or "").strip() or o.get("what")),
                  ("amount", money), ("signed", when), ("opportunity", o.get("id"))])
    deals = ed.data.get("deals")
    if not isinstance(deals, list):
        deals = CommentedSeq()
        set_field(ed.data, "deals", deals, field_order(repo))
    insert_dated(deals, deal, "signed")
    complete_first_followup(ed.data)
    o["stage"] = "won"
    o.pop("probability", None)
    set_field(o, "closed", yaml_date(when), ITEM_ORDER)
    lines: list[str | None] = [
        repo.msgs.word("opp.opportunity_won_deal", oid=o.get("id"), name=ed.name, money=money, when=when.isoformat())
    ]
    if str(ed.data.get("stage")) != "won":
        old = ed.data.get("stage")
        ed.data["stage"] = "won"
        if "lost_from" in ed.data:
            del ed.data["lost_from"]
        words = Presenter.of(repo)
        lines.append(repo.msgs.word("opp.customer_stage", name=ed.name, current=words.stage(str(old)),
                                    stage=words.stage("won")))
    _finish(ed, lines)


@command.command("lose")
@click.argument("customer")
@click.argument("opp")
@click.option("--reason", required=True)
@click.option("--note", default=None)
@click.option("--date", "day", default=None, metavar="YYYY-MM-DD")
@click.pass_obj
@locked
def lose(obj: RunOptions, customer: str, opp: str, reason: str, note: str | None, day: str | None) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    msgs = repo.msgs
    why = vocab_key(msgs, repo.schemas.vocabularies["lost_reason"], "--reason", reason)
    when = parse_date(msgs, "--date", day) if day is not None else repo.config.today
    ed = open_for_edit(repo, customer)
    o = pick(repo, ed, opp)
    _require_open(repo, ed, o)
    o["stage"] = "lost"
    o.pop("probability", None)
    set_field(o, "closed", yaml_date(when), ITEM_ORDER)
    set_field(o, "lost_reason", why, ITEM_ORDER)
    if note and note.strip():
        set_field(o, "note", note.strip(), ITEM_ORDER)
    reason_label = Presenter.of(repo).vocab("lost_reason", why)
    _finish(ed, [repo.msgs.word("opp.opportunity_lost", oid=o.get("id"), name=ed.name, reason=reason_label)])


@command.command("list")
@click.argument("customer", required=False)
@click.option("--owner", default=None, metavar="HANDLE")
@click.option("--open", "only_open", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def list_(obj: RunOptions, customer: str | None, owner: str | None, only_open: bool, fmt: str) -> None:
    from rich.table import Table


    repo = repo_from(obj)
    require_sound_repo(repo)
    who = require_handle(repo, "--owner", owner) if owner is not None else None
    only = open_book(repo).resolve(customer).stem if customer else None
    today = repo.config.today
    rows: list[dict[str, Any]] = []
    for c in open_book(repo).customers:
        if only and c.id != only:
            continue
        for o in c.opportunities:
            holder = o.owner or c.owner
            if (who and holder != who) or (only_open and not o.is_open):
                continue
            p = opp_probability(o, repo.config)
            rows.append({"customer": c.id, "name": c.name, "id": o.id, "what": o.what, "amount": o.amount,
                         "close": o.close.isoformat() if o.close else None, "stage": o.stage, "probability": p,
                         "weighted": round(o.amount * p, 2) if o.is_open else 0.0, "owner": holder,
                         "slipping": opp_slipping(o, c, today)})
    rows.sort(key=lambda r: (r["close"] or "", r["customer"], r["id"]))
    if fmt == "json":
        click.echo(json.dumps({"today": today.isoformat(), "opportunities": rows}, ensure_ascii=False, indent=2))
        return
    t = Table(title=repo.msgs.word("opp.opportunities", n=len(rows)), title_justify="left",
              title_style="bold")
    for column in ("customer", "opportunity", "what", "stage", "amount", "probability", "weighted", "close",
                   "owner"):
        t.add_column(repo.msgs.word(f"table.{column}"))
    t.add_column("")
    words = Presenter.of(repo)
    for r in rows:
        t.add_row(r["name"], r["id"], r["what"], words.stage(r["stage"]), f"{r['amount']:,.0f}",
                  f"{r['probability']:.0%}", f"{r['weighted']:,.0f}", r["close"] or "—", words.who(r["owner"]),
                  repo.msgs.word("opp.slipping2") if r["slipping"] else "")
    console().print(t)
