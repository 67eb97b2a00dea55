"""kehu show CUSTOMER — one customer's profile and derived facts in the terminal.

Every derived fact (status, class, due follow-up, last contact, missing
information) comes from ``kehu.core.derive`` over the whole folder, exactly as the
site computes it. It shows what the team may read (unmasked); ``--mask`` masks phones,
WeChat ids and emails — also inside free text — as the public site does (``privacy.Masking``).
Every derived fact is worded by ``kehu.core.present`` (as the site and export word it).
"""

from __future__ import annotations

import datetime as dt

import click
from rich.table import Table
from rich.text import Text

from ..book.loader import open_book
from ..book.queries import facts_for
from ..core.derive import Due, Facts, opp_owner, opp_probability, opp_slipping, upcoming_birthdays
from ..core.present import Presenter
from ..core.privacy import Masking
from ..repo.files import file_name
from ..repo.model import SURVEY_DIMENSIONS, Customer
from ..repo.repository import Repo
from ..store.transaction import require_sound_repo
from ..util.problems import Problem, Severity
from ._common import RunOptions, repo_from
from ._views import BUCKET_STYLE, console


def due_text(repo: Repo, facts: Facts, due: Due | None = None) -> Text:
    due = due or facts.due
    if due is None:
        return Text("—")
    words = Presenter.of(repo)
    bucket = words.bucket_of(due.date, repo.config.today)
    out = Text(f"{due.date.isoformat()} ")
    out.append(words.bucket(bucket), style=BUCKET_STYLE[bucket])
    out.append(f"  {words.due_reason_of(facts, due)}")
    return out


# --- the sections of `kehu show` ---------------------------------------------------------------


def _kv_table(title: str) -> Table:
    t = Table(title=title, show_header=False, box=None, pad_edge=False, title_justify="left",
              title_style="bold")
    t.add_column(style="dim", no_wrap=True)
    t.add_column()
    return t


def planned_text(c: Customer) -> str | None:
    """The planned next step as written (``kehu log --next``), when it is not what falls due first."""
    na = c.next_action
    if na is None or na.date is None:
        return None
    return f"{na.date.isoformat()} {na.action or ''}".strip()


def profile_table(repo: Repo, c: Customer, f: Facts, masking: Masking | None = None) -> Table:
    masking = masking or Masking(False, False)
    L = Presenter.of(repo)
    t = _kv_table(f"{c.id}  {c.name}")
    row = t.add_row
    row(L.t("show.industry"), L.industry(c.industry))
    row(L.t("show.stage"), L.stage(c.stage, c.lost_from))
    row(L.t("show.owner"), L.member(c.owner))
    row(L.t("show.created"), c.created.isoformat() if c.created else "")
    for key, vocab in (("size", "size"), ("region", None), ("source", "source")):
        value = getattr(c, key)
        if value:
            row(L.t(f"show.{key}"), L.vocab(vocab, value) if vocab else str(value))
    row(L.t("show.class"), L.class_of(f, c.class_reason))
    row(L.t("show.value_level"), L.value_level_of(f))
    row(L.t("show.status"), L.status(f.status))
    row(L.t("show.frequency"), L.frequency_of(f))
    row(L.t("show.last_contact"), L.last_contact(f))
    row(L.t("show.next_due"), due_text(repo, f))
    for rhythm in f.rhythms:
        row(L.t("show.rhythm"), due_text(repo, f, rhythm))
    if c.verified:
        row(L.t("show.verified"), c.verified.isoformat())
    plan = planned_text(c)
    if plan and not (f.due and f.due.reason == "next_action" and c.next_action is not None
                     and f.due.date == c.next_action.date):
        row(L.t("show.planned"), plan)
    if c.quiet_until:
        quiet = c.quiet_until.isoformat() + (f" {c.quiet_reason}" if c.quiet_reason else "")
        row(L.t("show.quiet"), quiet)
    if c.tags:
        row(L.t("show.tags"), L.join(L.vocab("tag", x) for x in c.tags))
    if c.risks:
        row(L.t("show.risks"), Text(L.join(L.vocab("risk", x) for x in c.risks), style="red"))
    for key in ("needs", "budget", "decision_process"):
        value = getattr(c, key)
        if value not in (None, ""):
            row(L.t(f"show.{key}"), masking.text(str(value)))
    for title, text in L.own_fields(c.extra):
        row(title, masking.text(text))
    if f.missing:
        row(L.t("show.missing"), Text(L.missing(f), style="yellow"))
    return t


def _table(title: str, *columns: str) -> Table:
    t = Table(title=title, title_justify="left", title_style="bold", show_lines=False)
    for col in columns:
        t.add_column(col)
    return t


def _columns(L: Presenter, *keys: str) -> list[str]:
    return [L.t(f"show.col.{k}") if k else "" for k in keys]


def contacts_table(repo: Repo, c: Customer, masking: Masking) -> Table:
    L = Presenter.of(repo)
    t = _table(L.t("show.contacts"), *_columns(L, "name", "title", "phone", "email", "wechat", "birthday",
                                               "primary"))
    for x in c.contacts:
        t.add_row(x.name, x.title or "", masking.phone(x.phone), masking.email(x.email), masking.handle(x.wechat),
                  x.birthday or "",
                  "✓" if x.primary else "")
    return t


def deals_table(repo: Repo, c: Customer) -> Table:
    L = Presenter.of(repo)
    t = _table(L.t("show.deals"), *_columns(L, "contract", "product", "amount", "signed"))
    for d in c.deals:
        t.add_row(d.contract or "", d.product, f"{d.amount:,.0f}", d.signed.isoformat() if d.signed else "")
    return t


def opportunities_table(repo: Repo, c: Customer) -> Table:
    L = Presenter.of(repo)
    t = _table(L.t("show.opportunities"), L.t("show.col.id"), L.t("table.what"), L.t("table.stage"),
               L.t("show.col.amount"), L.t("table.probability"), L.t("table.close"), L.t("table.owner"), "")
    today = repo.config.today
    for o in c.opportunities:
        t.add_row(o.id, o.what, L.stage(o.stage), f"{o.amount:,.0f}",
                  f"{opp_probability(o, repo.config):.0%}", o.close.isoformat() if o.close else "",
                  L.who(opp_owner(o, c)), L.t("show.slipping") if opp_slipping(o, c, today) else
                  L.vocab("lost_reason", o.lost_reason))
    return t


def interactions_table(repo: Repo, c: Customer, last: int | None, masking: Masking) -> Table:
    L = Presenter.of(repo)
    rows = c.interactions if last is None else c.interactions[-last:]
    title = L.t("show.interactions")
    if len(rows) < len(c.interactions):
        title += L.t("show.interactions_shown", shown=len(rows), total=len(c.interactions))
    t = _table(title, *_columns(L, "date", "channel", "by", "contact", "summary", "outcome"))
    for x in rows:
        t.add_row(x.date.isoformat() if x.date else "", L.vocab("channel", x.channel), L.who(x.by), x.contact or "",
                  masking.text(x.summary), masking.text(x.outcome))
    return t


def surveys_table(repo: Repo, c: Customer) -> Table:
    """The surveys, each dimension under its schema title (as the site's satisfaction page names it)."""
    L = Presenter.of(repo)
    t = _table(L.t("show.surveys"), L.t("show.col.date"), *(L.field(d, within="survey") for d in SURVEY_DIMENSIONS),
               L.t("show.col.comment"))
    for s in c.surveys:
        t.add_row(s.date.isoformat() if s.date else "", *(str(s.scores.get(d, "")) for d in SURVEY_DIMENSIONS),
                  s.comment or "")
    return t


def complaints_table(repo: Repo, c: Customer) -> Table:
    L = Presenter.of(repo)
    t = _table(L.t("show.complaints"), "#", *_columns(L, "date", "category", "content", "handler", "status",
                                                      "resolved", "result"))
    for i, x in enumerate(c.complaints, 1):
        status = Text(L.vocab("complaint_status", x.status), style="" if x.status == "resolved" else "bold red")
        t.add_row(str(i), x.date.isoformat() if x.date else "", L.vocab("complaint_category", x.category),
                  x.content, L.who(x.handler) if x.handler else "", status,
                  x.resolved.isoformat() if x.resolved else "", x.result or "")
    return t


def birthdays_line(repo: Repo, c: Customer, today: dt.date) -> str:
    found = upcoming_birthdays(c, today, repo.config.birthday_window_days)
    if not found:
        return ""
    L = Presenter.of(repo)
    return L.colon(L.t("show.birthdays"), L.join(f"{contact.name} {when.isoformat()}" for contact, when in found))


def problems_block(repo: Repo, problems: tuple[Problem, ...]) -> Text | None:
    """The customer's problems, marked as on the site: how many, each at its line, and what to do."""
    if not problems:
        return None
    L = Presenter.of(repo)
    errors = any(p.severity is Severity.ERROR for p in problems)
    out = Text("⚠ " + L.aside(L.problems_mark(problems), L.t("problems.fix")), style="bold red" if errors else "yellow")
    for p in problems:
        out.append("\n  " + L.problem_line(p), style="red" if p.severity is Severity.ERROR else "yellow")
    return out


@click.command("show")
@click.argument("customer")
@click.option("--mask", is_flag=True)
@click.option("--internal", is_flag=True, hidden=True)  # the default now; kept so older scripts still run
@click.option("--all", "show_all", is_flag=True)
@click.option("--last", type=click.IntRange(1, None), default=10, show_default=True)
@click.pass_obj
def command(obj: RunOptions, customer: str, mask: bool, internal: bool, show_all: bool, last: int) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    book = open_book(repo)
    path = book.resolve(customer)
    c, f = facts_for(repo, path, book)
    problems = book.problems_of(file_name(repo.root, path))
    masking = Masking.of(repo.config, wide=mask)
    if mask:  # the book's contact details, masked wherever this customer repeats them (read only when asked)
        masking = masking.knowing(book.customers)
    c, f = masking.customer(c), masking.facts(f)  # --mask: every field and fact as a wide audience may read it
    out = console()
    out.print(profile_table(repo, c, f, masking))
    marked = problems_block(repo, problems)
    if marked is not None:
        out.print(marked)
    sections = [contacts_table(repo, c, masking) if c.contacts else None,
                deals_table(repo, c) if c.deals else None,
                opportunities_table(repo, c) if c.opportunities else None,
                interactions_table(repo, c, None if show_all else last, masking) if c.interactions else None,
                surveys_table(repo, c) if c.surveys else None,
                complaints_table(repo, c) if c.complaints else None]
    for section in sections:
        if section is not None:
            out.print()
            out.print(section)
    extra = birthdays_line(repo, c, repo.config.today)
    if extra:
        out.print()
        out.print(extra)
    if c.notes:
        out.print()
        words = Presenter.of(repo)
        out.print(Text(words.colon(words.t("show.notes"), masking.text(c.notes.strip()))))
