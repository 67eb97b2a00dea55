"""kehu set CUSTOMER FIELD VALUE… — change one field: a stage move, a class override (with a
reason), a quiet period, the owner, or any other top-level field the schema allows.

The value is read the way the schema types the field (a vocabulary key, a date,
a number, a handle, text, a list of tags), so a wrong value is refused with the
field named, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from typing import Any

import click
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..core.present import Presenter
from ..repo.model import as_date
from ..repo.repository import Repo
from ..repo.schema import Vocabulary
from ..store.mapedit import complete_first_followup, entry, field_order, insert_dated, set_field, yaml_date
from ..store.transaction import Editing, open_for_edit, require_sound_repo, save
from ..util.errors import refuse
from ..util.problems import Problem
from ..words.terminal import echo
from ._args import is_none_word, parse_amount, parse_date, require_assignable, require_text, vocab_key
from ._common import RunOptions, locked, repo_from, report_warnings, say_changes

# fields `kehu set` leaves to other commands (or to nobody)
NOT_SETTABLE = ("id", "contacts", "deals", "interactions", "surveys", "complaints")  # words: set.not_settable.*


@dataclass(slots=True)
class Spec:
    """How a command-line value becomes the field's value."""

    kind: str             # vocab | handle | date | number | text | text_or_number | list | next_action
    vocab: str | None = None
    nullable: bool = False


def _branch(root: dict[str, Any], schema: dict[str, Any], spec: Spec, vocabularies: dict[str, Vocabulary]) -> None:
    ref = schema.get("$ref", "")
    if ref.startswith("#/$defs/"):
        name = ref.rsplit("/", 1)[1]
        if name in vocabularies:
            spec.kind, spec.vocab = "vocab", name
        elif name == "handle":
            spec.kind = "handle"
        else:
            _branch(root, root.get("$defs", {}).get(name, {}), spec, vocabularies)
        return
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    if "null" in types:
        spec.nullable = True
    if "array" in types:
        item_ref = str(schema.get("items", {}).get("$ref", ""))
        item = item_ref.rsplit("/", 1)[-1]
        spec.kind, spec.vocab = ("list", item) if item in vocabularies else ("records", None)
    elif "object" in types or "required" in schema:
        spec.kind = "next_action" if set(schema.get("required", [])) == {"date", "action"} else "records"
    elif schema.get("format") == "date":
        spec.kind = "date"
    elif "number" in types or "integer" in types:
        spec.kind = "text_or_number" if "string" in types else "number"
    elif "string" in types:
        spec.kind = "text"


def spec_for(repo: Repo, name: str) -> Spec | None:
    root = repo.schemas.raw["customer"]
    schema = root.get("properties", {}).get(name)
    if schema is None:
        return None
    spec = Spec("text")
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "null":
            spec.nullable = True
        else:
            _branch(root, branch, spec, repo.schemas.vocabularies)
    return spec


def _number(repo: Repo, option: str, text: str, allow_text: bool) -> Any:
    clean = text.replace(",", "").replace("，", "").strip()
    if re.fullmatch(r"-?\d+", clean):
        return int(clean)
    if re.fullmatch(r"-?\d*\.\d+", clean):
        return float(clean)
    if allow_text:
        return text.strip()
    raise refuse(repo.msgs, "cli-bad-number", option=option, value=text,
                 expected=repo.msgs.word("set.a_number"), example=f"{option} 50000")


def field_named(repo: Repo, text: str) -> str | None:
    """The field a person names: its key (``stage``) or its title in either language (阶段, 客户阶段, Stage)."""
    from ..core.values import fold
    from ..repo.schema import title_of

    props = repo.schemas.raw["customer"].get("properties", {})
    if text in props:
        return text
    wanted = fold(text)
    for key, spec in props.items():
        titles = {title_of(spec, "zh-CN", key), title_of(spec, "en", key)}
        if wanted in {fold(t) for t in titles} | {fold(re.sub(r"[(（].*?[)）]", "", t)) for t in titles}:
            return str(key)
    short = [str(k) for k, spec in props.items() if len(wanted) >= 2 and wanted in fold(title_of(spec, "zh-CN", k))]
    return short[0] if len(short) == 1 else None  # 阶段 → 客户阶段, when only one title holds it


def convert(repo: Repo, field: str, spec: Spec, values: tuple[str, ...]) -> Any:
    """The schema value for ``values`` (None clears a nullable field). Refusals name the field by its title."""
    msgs = repo.msgs
    key, field = field, Presenter.of(repo).field(field)
    if spec.kind == "list":
        if len(values) == 1 and is_none_word(values[0]):
            return CommentedSeq()
        parts = [p for v in values for p in re.split(r"[,，、]", v) if p.strip()]
        vocab = repo.schemas.vocabularies[spec.vocab or ""]
        return CommentedSeq(dict.fromkeys(vocab_key(msgs, vocab, field, p) for p in parts))
    if spec.kind == "next_action":
        if len(values) == 1 and is_none_word(values[0]):
            return None
        if len(values) != 2:
            raise refuse(msgs, "cli-missing-option", option="DATE ACTION",
                         hint=repo.msgs.word("set.e_g_kehu"))
        return entry([("date", parse_date(msgs, field, values[0])), ("action", require_text(msgs, field, values[1]))])
    text = " ".join(values) if spec.kind == "text" else _single(repo, field, values)
    if spec.nullable and (is_none_word(text) or (key == "class" and text.strip() == "auto")):
        return None  # `class auto`: back to the computed class
    if spec.kind == "vocab":
        return vocab_key(msgs, repo.schemas.vocabularies[spec.vocab or ""], field, text)
    if spec.kind == "handle":
        return require_assignable(repo, field, text)
    if spec.kind == "date":
        return yaml_date(parse_date(msgs, field, text))
    if spec.kind in ("number", "text_or_number"):
        return _number(repo, field, text, spec.kind == "text_or_number")
    return require_text(msgs, field, text)


def _single(repo: Repo, field: str, values: tuple[str, ...]) -> str:
    if len(values) != 1:
        raise refuse(repo.msgs, "cli-one-value", field=field, count=len(values))
    return values[0]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        return as_date(a) == as_date(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: str(v) for k, v in a.items()} == {k: str(v) for k, v in b.items()}
    if isinstance(a, list) and isinstance(b, list):
        return list(a) == list(b)
    same: bool = a == b
    return same


# --- the special fields ----------------------------------------------------------------------


def _stage_changes(repo: Repo, ed: Editing, new: str, lost_from: str | None) -> dict[str, Any]:
    msgs, data = repo.msgs, ed.data
    stages = repo.schemas.vocabularies["stage"]
    current = str(data.get("stage"))
    if new != "lost":
        if lost_from is not None:
            raise refuse(msgs, "cli-option-not-here", option="--lost-from", field=f"stage {new}",
                         hint=repo.msgs.word("set.lost_from_goes"))
        return {"stage": new, **({"lost_from": None} if data.get("lost_from") is not None else {})}
    if lost_from is not None:
        origin = vocab_key(msgs, stages, "--lost-from", lost_from)
        if origin == "lost":
            raise refuse(msgs, "cli-unknown-value", option="--lost-from", value=lost_from, suggestion="",
                         allowed=msgs.word("sep").join(t.key for t in stages.terms if t.key != "lost"))
    elif current == "lost":
        raise refuse(msgs, "cli-already-lost", file=ed.name, lost_from=data.get("lost_from"))
    else:
        origin = current  # lost from where it stands now
    return {"stage": "lost", "lost_from": origin}


@dataclass(slots=True)
class DealGiven:
    """A deal given with `kehu set … stage won` (--product, --amount, --signed, --contract)."""

    product: str | None = None
    amount: str | None = None
    signed: str | None = None
    contract: str | None = None

    def any(self) -> bool:
        return any(v is not None for v in (self.product, self.amount, self.signed, self.contract))


def won_deal(repo: Repo, ed: Editing, given: DealGiven) -> CommentedMap | None:
    """The deal a customer moved to won needs when it has none: from the options, else asked for on a
    terminal, else refused saying what is missing. None when the customer already has a deal."""
    import sys

    msgs = repo.msgs
    if ed.data.get("deals") and not given.any():
        return None
    product, amount, signed, contract = given.product, given.amount, given.signed, given.contract
    if product is None or amount is None:
        if not sys.stdin.isatty():
            raise refuse(msgs, "cli-won-needs-deal", file=ed.name, id=ed.path.stem)
        product = product or click.prompt(repo.msgs.word("set.product_or_service"))
        amount = amount or click.prompt(repo.msgs.word("set.amount_cny"))
        signed = signed or click.prompt(repo.msgs.word("set.signed"), default=repo.config.today.isoformat())
        contract = contract or click.prompt(repo.msgs.word("set.contract_no_may"), default="",
                                            show_default=False)
    when = parse_date(msgs, "--signed", signed) if signed else repo.config.today
    return entry([("contract", (contract or "").strip()), ("product", require_text(msgs, "--product", product)),
                  ("amount", parse_amount(msgs, "--amount", amount)), ("signed", when)])


def won_moved_back(repo: Repo, ed: Editing, old: Any, new: Any) -> list[Problem]:
    """A won customer moved back to an earlier stage: a warning naming its newest deal (and, when kehu.yaml's
    approval rules say so, that the change needs a manager's approving review before it merges)."""
    stages = repo.config.stages
    if str(old) != "won" or str(new) not in stages or stages.index(str(new)) >= stages.index("won"):
        return []
    msgs = repo.msgs
    signed = [d for d in ed.data.get("deals") or [] if isinstance(d, dict)]
    newest = max(signed, key=lambda d: str(d.get("signed") or ""), default=None)
    deal = (msgs.word("set.won_back_deal", contract=newest.get("contract") or newest.get("product"),
                      amount=f"{newest.get('amount') or 0:,}", signed=newest.get("signed") or "—")
            if newest is not None else msgs.word("set.won_back_no_deal"))
    needs = any(rule.kind == "won_moved_back" for rule in repo.config.approval.rules)
    line = ed.data.lc.data.get("stage", (0, 0))[0] + 1 if hasattr(ed.data, "lc") else 1
    label = Presenter.of(repo).stage(str(new))
    return [msgs.warning(ed.name, line, 1, "won-moved-back", stage=label, deal=deal,
                         approval=msgs.word("set.won_back_approval") if needs else "", id=ed.path.stem)]


def _changes(repo: Repo, ed: Editing, field: str, values: tuple[str, ...], reason: str | None,
             lost_from: str | None) -> dict[str, Any]:
    """Field -> new value for everything this `kehu set` changes."""
    msgs, words = repo.msgs, Presenter.of(repo)
    typed, field = field, field_named(repo, field) or field
    if field in NOT_SETTABLE:
        raise refuse(msgs, "cli-not-editable", field=words.field(field), hint=msgs.word(f"set.not_settable.{field}"))
    spec = spec_for(repo, field)
    if spec is None:
        fields = [f for f in repo.schemas.field_order() if f not in NOT_SETTABLE]
        close = difflib.get_close_matches(typed, fields, n=1, cutoff=0.6)
        raise refuse(msgs, "cli-unknown-field", field=typed,
                     suggestion=msgs.word("did_you_mean", x=words.field(close[0])) if close else "",
                     allowed=msgs.join(words.field(f) for f in fields))
    if spec.kind == "records":
        raise refuse(msgs, "cli-not-editable", field=words.field(field), hint=repo.msgs.word("set.it_is_a"))
    if lost_from is not None and field != "stage":
        raise refuse(msgs, "cli-option-not-here", option="--lost-from", field=words.field(field),
                     hint=repo.msgs.word("set.lost_from_goes"))
    if reason is not None and field not in ("class", "quiet_until"):
        raise refuse(msgs, "cli-option-not-here", option="--reason", field=words.field(field),
                     hint=repo.msgs.word("set.reason_goes_with"))
    value = convert(repo, field, spec, values)
    if field == "stage":
        return _stage_changes(repo, ed, value, lost_from)
    if field == "class":
        if value is None:
            return {"class": None, "class_reason": None}
        why = require_text(msgs, "--reason", reason) if reason is not None else None
        if why is None:
            raise refuse(msgs, "cli-missing-option", option="--reason",
                         hint=repo.msgs.word("set.a_class_set"))
        return {"class": value, "class_reason": why}
    if field == "quiet_until":
        if value is None:
            return {"quiet_until": None, "quiet_reason": None}
        out: dict[str, Any] = {"quiet_until": value}
        if reason is not None:
            out["quiet_reason"] = require_text(msgs, "--reason", reason)
        return out
    return {field: value}


def apply(data: CommentedMap, changes: dict[str, Any], order: list[str]) -> dict[str, tuple[Any, Any]]:
    """Apply the changes that differ; clearing a field that is not there is no change."""
    done: dict[str, tuple[Any, Any]] = {}
    for key, value in changes.items():
        old = data.get(key)
        if _same(old, value) or (value is None and key not in data):
            continue
        if isinstance(old, CommentedMap) and isinstance(value, dict):
            for k, v in value.items():  # keep the mapping's own style and comments
                old[k] = v
        else:
            set_field(data, key, value, order)
        done[key] = (old, value)
    return done


@click.command("set", context_settings={"ignore_unknown_options": True})  # `annual_value -5` is a value
@click.argument("customer")
@click.argument("field")
@click.argument("values", nargs=-1, required=True, metavar="VALUE…")
@click.option("--reason")
@click.option("--lost-from", metavar="STAGE")
@click.option("--product", default=None)
@click.option("--amount", default=None)
@click.option("--signed", default=None, metavar="YYYY-MM-DD")
@click.option("--contract", default=None)
@click.pass_obj
@locked
def command(obj: RunOptions, customer: str, field: str, values: tuple[str, ...], reason: str | None,
            lost_from: str | None, product: str | None, amount: str | None, signed: str | None,
            contract: str | None) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    ed = open_for_edit(repo, customer)
    given = DealGiven(product, amount, signed, contract)
    changes = _changes(repo, ed, field.strip(), values, reason, lost_from)
    if given.any() and changes.get("stage") != "won":
        raise refuse(repo.msgs, "cli-option-not-here", option="--product/--amount/--signed/--contract",
                     field=Presenter.of(repo).field(field_named(repo, field.strip()) or field),
                     hint=repo.msgs.word("set.they_go_with"))
    deal = won_deal(repo, ed, given) if changes.get("stage") == "won" and ed.data.get("stage") != "won" else None
    done = apply(ed.data, changes, field_order(repo))
    if deal is not None:
        deals = ed.data.get("deals")
        if not isinstance(deals, list):
            deals = CommentedSeq()
            set_field(ed.data, "deals", deals, field_order(repo))
        insert_dated(deals, deal, "signed")
        complete_first_followup(ed.data)
        done["deals"] = (None, deal)
    if not done:
        shown = Presenter.of(repo).field(field_named(repo, field.strip()) or field)
        echo(repo.msgs.word("set.unchanged_nothing_written", name=ed.name, field=shown))
        return
    warnings = save(ed)
    if "stage" in done:
        warnings += won_moved_back(repo, ed, *done["stage"])
    report_warnings(warnings, repo.msgs)
    say_changes(repo, ed)
