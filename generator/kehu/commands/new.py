"""kehu new NAME --owner H [--industry … --phone …] — create a customer file.

The id comes from :mod:`kehu.store.ids` (``ids.template`` in kehu.yaml, with the creator's member
code: never the same as another clone's, never one used before, even by a deleted file), and the
file is created exclusively under the repository's write lock. The duplicate check runs
first: the same company (normalised name), phone or email as an existing
customer is refused; a near-identical name is refused unless ``--force``. The
first follow-up is planned within ``first_followup_hours``. Missing required
values are asked for when a person is typing; in a script they are an error.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..core.normalize import normalize_company, normalize_email, parse_phone
from ..core.rules import IndexEntry, near_duplicates_of
from ..repo.files import file_name
from ..repo.gitinfo import handle_for_email, user_email
from ..repo.repository import Repo
from ..store.ids import Allocator
from ..store.mapedit import entry, yaml_date
from ..store.transaction import new_warnings, require_sound_repo
from ..util.errors import CommandError, refuse
from ..words.terminal import echo
from ._args import require_assignable, require_text, vocab_key
from ._common import RunOptions, locked, repo_from, report_warnings

# --- ids -----------------------------------------------------------------------------------------


def create_file(repo: Repo, fields: dict[str, Any], creator: str | None) -> Path:
    """Allocate the next id (kehu.store.ids) and create its file exclusively; a name another process took
    meanwhile is skipped. Refuses (writing nothing) when the new file would fail the checker."""
    from ..store.write import new_customer_map, save_customer

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


# --- duplicates ------------------------------------------------------------------------------------


def existing_entries(repo: Repo) -> list[IndexEntry]:
    """Name, phones and emails of every customer file, even one that fails the schema (the checker's
    duplicate entries, from the book index)."""
    from ..book.loader import open_book

    return open_book(repo).index.duplicate_entries()


def check_duplicates(repo: Repo, entries: list[IndexEntry], name: str, phone: str | None, email: str | None,
                     force: bool) -> None:
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


# --- values, asked for when missing -----------------------------------------------------------------


def interactive() -> bool:
    return sys.stdin.isatty()


def ask(repo: Repo, value: str | None, option: str, question: str, check: Callable[[str], str],
        default: str | None = None, hint: str = "") -> str:
    """The option's value checked; when missing, asked for at a terminal, else a one-line error."""
    if value is not None:
        return check(value)
    if not interactive():
        raise refuse(repo.msgs, "cli-missing-option", option=option, hint=hint)

    def proc(text: str) -> str:
        try:
            return check(text)
        except CommandError as e:
            raise click.BadParameter(e.line_for(repo.msgs)) from None

    return click.prompt(question, default=default, value_proc=proc)


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


def build_fields(repo: Repo, opts: dict[str, Any], on_name: Callable[[str], None]) -> dict[str, Any]:
    """Every value checked (asking for missing required ones), in schema order. ``on_name``
    refuses a known customer before anything else is asked."""
    msgs, vocab = repo.msgs, repo.schemas.vocabularies
    name = ask(repo, opts["name"], "NAME", repo.msgs.word("new.customer_name"),
               lambda v: require_text(msgs, "NAME", v),
               hint=repo.msgs.word("new.kehu_new_acme"))
    on_name(name)
    me = handle_for_email(repo.team, user_email(repo.root))
    # like --by everywhere: whoever `git config user.email` names in team.yaml, asked only when unknown
    owner = ask(repo, opts["owner"] if opts["owner"] is not None else me, "--owner",
                repo.msgs.word("new.owner_handle"),
                lambda v: require_assignable(repo, "--owner", v), default=me,
                hint=msgs.word("sep").join(sorted(repo.handles or [])))
    industry = ask(repo, opts["industry"], "--industry", repo.msgs.word("new.industry_code_gb"),
                   lambda v: vocab_key(msgs, vocab["industry"], "--industry", v),
                   hint=repo.msgs.word("new.a_gb_t"))
    stage = vocab_key(msgs, vocab["stage"], "--stage", opts["stage"] or "lead")
    if stage == "lost":
        raise refuse(msgs, "cli-lost-new")
    phone, e164 = _phone(repo, opts["phone"])
    email, norm_email = _email(repo, opts["email"])
    contact_name = opts["contact_name"]
    if (phone or email or opts["title"]) and not contact_name:
        contact_name = ask(repo, None, "--contact-name", repo.msgs.word("new.contact_name"),
                           lambda v: require_text(msgs, "--contact-name", v),
                           hint=repo.msgs.word("new.a_phone_or"))
    today = repo.config.today
    days = math.ceil(repo.config.first_followup_hours / 24)
    fields = {
        "name": name, "industry": industry, "stage": stage, "owner": owner, "created": yaml_date(today),
        "size": vocab_key(msgs, vocab["size"], "--size", opts["size"]) if opts["size"] else None,
        "region": (opts["region"] or "").strip() or None,
        "source": vocab_key(msgs, vocab["source"], "--source", opts["source"]) if opts["source"] else None,
        "needs": (opts["needs"] or "").strip() or None,
        "contacts": [entry([("name", contact_name.strip()), ("title", (opts["title"] or "").strip()),
                            ("phone", phone), ("email", email), ("primary", True)])] if contact_name else None,
        "next_action": entry([("date", today + dt.timedelta(days=days)),
                              ("action", msgs.word("first_followup_action"))]),
    }
    fields = {k: v for k, v in fields.items() if v is not None}
    return {"_e164": e164, "_email": norm_email, **fields}


@click.command("new")
@click.argument("name", required=False)
@click.option("--owner", metavar="HANDLE")
@click.option("--industry", metavar="CODE")
@click.option("--stage", metavar="KEY")
@click.option("--source", metavar="KEY")
@click.option("--size", metavar="KEY")
@click.option("--region")
@click.option("--needs")
@click.option("--contact-name")
@click.option("--title")
@click.option("--phone")
@click.option("--email")
@click.option("--force", is_flag=True)
@click.pass_obj
@locked
def command(obj: RunOptions, **opts: str | None) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    force = bool(opts["force"])
    entries = existing_entries(repo)
    fields = build_fields(repo, opts, lambda name: check_duplicates(repo, entries, name, None, None, force))
    e164, norm_email = fields.pop("_e164"), fields.pop("_email")
    check_duplicates(repo, entries, fields["name"], e164, norm_email, force)
    path = create_file(repo, fields, handle_for_email(repo.team, user_email(repo.root)))
    report_warnings([p for p in new_warnings(repo, path, set()) if p.code != "missing-info"], repo.msgs)
    due = str(fields["next_action"]["date"])
    name, owner, where = fields["name"], fields["owner"], file_name(repo.root, path)
    echo(repo.msgs.word("new.created_owner_first", where=where, name=name, owner=owner, due=due))
