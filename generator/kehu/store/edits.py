"""The everyday changes to a customer, from what a person typed: one interaction (``kehu log``), a satisfaction
survey (``kehu survey``), a complaint opened (``kehu complaint … open``) and a new customer (``kehu new``).

The command line and ``kehu intake`` (a form submitted on the forge) both make these changes through the
functions here, so the same input writes the same bytes whichever way it came in, and is refused for the same
reasons. Every value is read by :mod:`kehu.core.inputs`; ``names`` says how the person named each value, so a
refusal speaks of ``--channel`` on the command line and of the form's field on the forge.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ..core.inputs import parse_date, parse_score, require_assignable, require_handle, require_text, vocab_key
from ..core.normalize import normalize_company, normalize_email, parse_phone
from ..core.rules import IndexEntry, near_duplicates_of
from ..repo.gitinfo import current_handle
from ..repo.model import SURVEY_DIMENSIONS, as_date
from ..repo.repository import Repo
from ..util.errors import refuse
from ..util.problems import Problem
from ..words.catalogue import is_first_followup_action
from .ids import Allocator
from .mapedit import append_dated, entry, field_order, set_field, yaml_date
from .transaction import Editing, open_for_edit, require_sound_repo, save

# how the command line names each value (a form names them by its fields' labels)
LOG_OPTIONS = {"channel": "--channel", "summary": "--summary", "date": "--date", "next": "--next",
               "next_action": "--next ACTION", "by": "--by"}
SURVEY_OPTIONS = {"quality": "--quality", "attitude": "--attitude", "response": "--response",
                  "after_sales": "--after-sales", "date": "--date"}
COMPLAINT_OPTIONS = {"category": "--category", "content": "--content", "handler": "--handler", "date": "--date"}
NEW_OPTIONS = {"name": "NAME", "owner": "--owner", "industry": "--industry", "stage": "--stage", "source": "--source",
               "size": "--size", "contact_name": "--contact-name"}


def _named(defaults: Mapping[str, str], names: Mapping[str, str] | None) -> dict[str, str]:
    return {**defaults, **(names or {})}


# --- kehu log ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    """What ``log_interaction`` wrote: the customer, the interaction's date, channel and author, what happened to
    the planned next step (set, cleared or kept) and the warnings the change introduced."""

    editing: Editing
    when: dt.date
    channel: str
    by: str
    next_step: str
    warnings: list[Problem]
    cleared_plan: str = ""  # the planned action this interaction did, when next_step is "cleared"


def channel_key(repo: Repo, value: str | None, option: str = "--channel") -> str:
    vocab = repo.schemas.vocabularies["channel"]
    if value is None:
        raise refuse(repo.msgs, "cli-missing-option", option=option,
                     hint=repo.msgs.word("sep").join(vocab.keys()))
    return vocab_key(repo.msgs, vocab, option, value)


def next_step(repo: Repo, value: tuple[str, str] | None, when: dt.date,
              names: Mapping[str, str] | None = None) -> tuple[dt.date, str] | None:
    """The planned next step (date, action), which must come after the interaction."""
    if not value:
        return None
    named = _named(LOG_OPTIONS, names)
    date = parse_date(repo.msgs, named["next"], value[0])
    action = require_text(repo.msgs, named["next_action"], value[1])
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


def log_interaction(repo: Repo, customer: str, *, channel: str | None, summary: str | None,
                    outcome: str | None = None, contact: str | None = None,
                    next_: tuple[str, str] | None = None, by: str | None = None, date: str | None = None,
                    names: Mapping[str, str] | None = None) -> Logged:
    """Record one interaction (inserted in date order), update the planned next step and save — or refuse,
    writing nothing. ``by`` None: whoever ``git config user.email`` names in team.yaml."""
    require_sound_repo(repo)
    msgs, named = repo.msgs, _named(LOG_OPTIONS, names)
    key = channel_key(repo, channel, named["channel"])
    text = require_text(msgs, named["summary"], summary)
    when = parse_date(msgs, named["date"], date) if date is not None else repo.config.today
    nxt = next_step(repo, next_, when, names)
    who = require_handle(repo, named["by"], by) if by is not None else None
    ed = open_for_edit(repo, customer)
    who = who or current_handle(repo)
    order = field_order(repo)
    item = entry([("date", when), ("channel", key), ("by", who), ("contact", (contact or "").strip()),
                  ("summary", text), ("outcome", (outcome or "").strip())])
    append_dated(ed.data, "interactions", item, order)
    planned = ed.data.get("next_action")
    done_plan = str(planned.get("action") or "") if isinstance(planned, dict) else ""
    what = update_next_action(ed.data, nxt, when, order)
    warnings = save(ed)
    return Logged(ed, when, key, who, what, warnings, done_plan)


# --- kehu survey ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Surveyed:
    editing: Editing
    when: dt.date
    scores: dict[str, int]
    warnings: list[Problem]


def add_survey(repo: Repo, customer: str, scores: Mapping[str, str | None], comment: str | None = None,
               date: str | None = None, names: Mapping[str, str] | None = None) -> Surveyed:
    """Record a satisfaction survey: at least one score of 1–5 (SURVEY_DIMENSIONS), a comment."""
    require_sound_repo(repo)
    msgs, named = repo.msgs, _named(SURVEY_OPTIONS, names)
    given = {d: parse_score(msgs, named[d], scores[d]) for d in SURVEY_DIMENSIONS if scores.get(d) is not None}
    if not given:
        raise refuse(msgs, "cli-missing-option", option=" / ".join(named[d] for d in SURVEY_DIMENSIONS),
                     hint=msgs.word("survey.give_at_least"))
    when = parse_date(msgs, named["date"], date) if date is not None else repo.config.today
    ed = open_for_edit(repo, customer)
    item = entry([("date", when), *given.items(), ("comment", (comment or "").strip())])
    append_dated(ed.data, "surveys", item, field_order(repo))
    return Surveyed(ed, when, given, save(ed))


# --- kehu complaint … open -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    editing: Editing
    number: int      # the complaint's number as `kehu show` lists it (1 = first in the file)
    when: dt.date
    content: str
    warnings: list[Problem]


def complaint_entry(repo: Repo, ed: Editing, when: dt.date, category: str | None, content: str | None,
                    handler: str | None, names: Mapping[str, str] | None = None) -> int:
    """Append an open complaint to the file being edited; its index in the list."""
    msgs, named = repo.msgs, _named(COMPLAINT_OPTIONS, names)
    text = require_text(msgs, named["content"], content)
    cat = vocab_key(msgs, repo.schemas.vocabularies["complaint_category"], named["category"], category) \
        if category is not None else None
    who = require_assignable(repo, named["handler"], handler) if handler is not None else None
    item = entry([("date", when), ("category", cat), ("content", text), ("handler", who), ("status", "open")])
    return append_dated(ed.data, "complaints", item, field_order(repo))


def open_complaint(repo: Repo, customer: str, *, category: str | None, content: str | None,
                   handler: str | None = None, date: str | None = None,
                   names: Mapping[str, str] | None = None) -> Opened:
    require_sound_repo(repo)
    named = _named(COMPLAINT_OPTIONS, names)
    when = parse_date(repo.msgs, named["date"], date) if date is not None else repo.config.today
    ed = open_for_edit(repo, customer)
    index = complaint_entry(repo, ed, when, category, content, handler, names)
    text = require_text(repo.msgs, named["content"], content)
    return Opened(ed, index + 1, when, text, save(ed))


# --- kehu new ------------------------------------------------------------------------------------------

# (value given or None, how it is named, the question to ask, its check, default, hint) -> the checked value
Asker = Callable[[str | None, str, str, Callable[[str], str], str | None, str], str]


def never_ask(repo: Repo) -> Asker:
    """Where nobody can be asked (a script, a form): a missing required value is one refusal line."""

    def ask(value: str | None, option: str, question: str, check: Callable[[str], str], default: str | None,
            hint: str) -> str:
        if value is not None:
            return check(value)
        raise refuse(repo.msgs, "cli-missing-option", option=option, hint=hint)

    return ask


def create_file(repo: Repo, fields: dict[str, Any], creator: str | None) -> Path:
    """Allocate the next id (kehu.store.ids) and create its file exclusively; a name another process took
    meanwhile is skipped. Refuses (writing nothing) when the new file would fail the checker."""
    from .write import new_customer_map, save_customer

    today = repo.config.today
    allocator = Allocator.for_repo(repo, creator)  # IdError: the handler words the id scheme's refusal
    repo.customers_dir.mkdir(exist_ok=True)
    while True:
        new_id = allocator.next(today, fields["owner"])
        path = repo.customers_dir / f"{new_id}.yaml"
        try:
            problems = save_customer(repo, path, new_customer_map({"id": new_id, **fields}), new=True)
        except FileExistsError:
            continue
        break
    errors = [p for p in problems if str(p.severity) == "error"]
    if errors:
        p = errors[0]
        raise refuse(repo.msgs, "cli-not-saved", where=f"{p.file}:{p.line}:{p.col}", message=p.message, hint=p.hint)
    return path


def existing_entries(repo: Repo) -> list[IndexEntry]:
    """Name, phones and emails of every customer file, even one that fails the schema (the checker's
    duplicate entries, from the book index)."""
    from ..book.loader import open_book

    return open_book(repo).index.duplicate_entries()


def check_duplicates(repo: Repo, entries: list[IndexEntry], name: str, phone: str | None, email: str | None,
                     force: bool) -> None:
    """The same company (normalised name), phone or email as a customer: refused; a near-identical name:
    refused unless ``force``."""
    cfg = repo.config.check
    norm = normalize_company(name, cfg.company_suffixes)
    what_words = {"name": repo.msgs.word("new.company_name"), "phone": repo.msgs.word("new.phone_number"),
                  "email": repo.msgs.word("new.email")}
    for e in entries:
        what = ("name" if norm and e.norm_name == norm else
                "phone" if phone and any(p[0] == phone for p in e.phones) else
                "email" if email and any(m[0] == email for m in e.emails) else None)
        if what:
            raise refuse(repo.msgs, "cli-duplicate", file=e.file, name=e.name, id=e.id, what=what_words[what])
    if force:
        return
    for e, kind in near_duplicates_of(name, entries, repo.config):
        raise refuse(repo.msgs, "cli-near-duplicate", name=name, file=e.file, other=e.name,
                     why=repo.msgs.word(f"typo.{kind}"))


def _phone(repo: Repo, value: str | None) -> tuple[str | None, str | None]:
    """(as written, E.164) — or refused."""
    if value is None or not value.strip():
        return None, None
    e164, _ = parse_phone(value.strip(), repo.config.check.phone_region)
    if e164 is None:
        raise refuse(repo.msgs, "cli-bad-phone", value=value)
    return value.strip(), e164


def _email(repo: Repo, value: str | None) -> tuple[str | None, str | None]:
    if value is None or not value.strip():
        return None, None
    norm, _ = normalize_email(value.strip())
    if norm is None:
        raise refuse(repo.msgs, "cli-bad-email", value=value)
    return value.strip(), norm


def build_fields(repo: Repo, opts: Mapping[str, str | None], on_name: Callable[[str], None], ask: Asker,
                 me: str | None, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every value of a new customer checked (asking for missing required ones), in schema order. ``on_name``
    refuses a known customer before anything else is asked; ``me``: the member creating it (the owner when
    none is given)."""
    msgs, vocab, named = repo.msgs, repo.schemas.vocabularies, _named(NEW_OPTIONS, names)
    name = ask(opts.get("name"), named["name"], msgs.word("new.customer_name"),
               lambda v: require_text(msgs, named["name"], v), None, msgs.word("new.kehu_new_acme"))
    on_name(name)
    owner_given = opts.get("owner")
    owner = ask(owner_given if owner_given is not None else me, named["owner"], msgs.word("new.owner_handle"),
                lambda v: require_assignable(repo, named["owner"], v), me,
                msgs.word("sep").join(sorted(repo.handles or [])))
    industry = ask(opts.get("industry"), named["industry"], msgs.word("new.industry_code_gb"),
                   lambda v: vocab_key(msgs, vocab["industry"], named["industry"], v), None,
                   msgs.word("new.a_gb_t"))
    stage = vocab_key(msgs, vocab["stage"], named["stage"], opts.get("stage") or "lead")
    if stage == "lost":
        raise refuse(msgs, "cli-lost-new")
    phone, e164 = _phone(repo, opts.get("phone"))
    email, norm_email = _email(repo, opts.get("email"))
    contact_name = opts.get("contact_name")
    if (phone or email or opts.get("title")) and not contact_name:
        contact_name = ask(None, named["contact_name"], msgs.word("new.contact_name"),
                           lambda v: require_text(msgs, named["contact_name"], v), None, msgs.word("new.a_phone_or"))
    today = repo.config.today
    days = math.ceil(repo.config.first_followup_hours / 24)
    size, source = opts.get("size"), opts.get("source")
    fields = {
        "name": name, "industry": industry, "stage": stage, "owner": owner, "created": yaml_date(today),
        "size": vocab_key(msgs, vocab["size"], named["size"], size) if size else None,
        "region": (opts.get("region") or "").strip() or None,
        "source": vocab_key(msgs, vocab["source"], named["source"], source) if source else None,
        "needs": (opts.get("needs") or "").strip() or None,
        "contacts": [entry([("name", contact_name.strip()), ("title", (opts.get("title") or "").strip()),
                            ("phone", phone), ("email", email), ("primary", True)])] if contact_name else None,
        "next_action": entry([("date", today + dt.timedelta(days=days)),
                              ("action", msgs.word("first_followup_action"))]),
    }
    fields = {k: v for k, v in fields.items() if v is not None}
    return {"_e164": e164, "_email": norm_email, **fields}


@dataclass(frozen=True)
class Created:
    path: Path
    fields: dict[str, Any]


def new_customer(repo: Repo, opts: Mapping[str, str | None], *, force: bool, creator: str | None, me: str | None,
                 ask: Asker | None = None, names: Mapping[str, str] | None = None) -> Created:
    """Check every value and for duplicates, then create the customer's file with a new id (``creator``'s
    member code). Refuses, writing nothing, on any bad value or a duplicate."""
    require_sound_repo(repo)
    entries = existing_entries(repo)
    fields = build_fields(repo, opts, lambda name: check_duplicates(repo, entries, name, None, None, force),
                          ask or never_ask(repo), me, names)
    e164, norm_email = fields.pop("_e164"), fields.pop("_email")
    check_duplicates(repo, entries, fields["name"], e164, norm_email, force)
    return Created(create_file(repo, fields, creator), fields)
