"""kehu remind — each owner's due list for today, pushed to chat robots or email.

The list is `kehu due`'s for today (overdue and due today, quiet customers left out because their due
date moved to the end of the quiet period) plus the birthdays coming up, masked as the public site is
(a group chat is a wide audience: ``privacy.Masking``). Where each member's list goes is ``remind:``
in team.yaml; the webhook URLs, signing secrets and SMTP password come from environment variables
(forge secrets; on GitHub also the ``KEHU_SECRETS`` JSON of ``toJSON(secrets)``), never from the
repository. ``--webhook URL --kind K`` sends one owner's list to one robot (to try it out);
``--dry-run`` prints what would be sent and sends nothing.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import click

from ..book.loader import open_book
from ..book.queries import due_rows
from ..core.derive import upcoming_birthdays
from ..core.figures import figures
from ..core.present import Presenter
from ..core.privacy import Masking
from ..git.forms import FormLinks
from ..io.remind import ROBOTS, Delivery, Message, configured, deliver, one_line, redact, secrets_env
from ..repo.gitinfo import current_handle
from ..repo.model import Customer
from ..repo.repository import Repo
from ..store.transaction import require_sound_repo
from ..util.errors import KehuError, refuse
from ._args import require_handle
from ._common import RunOptions, print_error, repo_from


def owner_message(repo: Repo, owner: str, customers: list[Customer], rows: list[dict[str, Any]], masking: Masking,
                  due: dict[str, int]) -> Message:
    """Today's list of one owner: overdue, due today, birthdays (quiet customers left out). ``due``: the owner's
    due figures (``kehu.core.figures``), the counts the site's team page shows."""
    today = repo.config.today
    words = Presenter.of(repo)
    links = FormLinks.of(repo)
    who = words.member(owner)
    msg = Message(repo.msgs.word("remind.follow_ups_due", who=who, today=today.isoformat()))
    for bucket in ("overdue", "today"):
        mine = [r for r in rows if r["bucket"] == bucket]
        if not mine:
            continue
        msg.lines.append((repo.msgs.word("remind.bucket_count", bucket=words.bucket(bucket),
                                         n=due[bucket]), True))
        for r in mine:
            late = -int(r["days"])
            when = r["due"] + (repo.msgs.word("remind.days_late", late=late) if late > 0 else "")
            reason = masking.text(one_line(r["reason_text"]))
            msg.lines.append((repo.msgs.word("remind.due_line", when=when, id=r["id"], name=one_line(r["name"]),
                                             reason=reason), False))
            if links is not None:  # 记录跟进, pre-filled with the customer and this owner
                msg.links[len(msg.lines) - 1] = (repo.msgs.word("form.log.button"),
                                                 links.log(str(r["id"]), owner, one_line(r["name"])))
    window = repo.config.birthday_window_days
    birthdays = []
    for c in customers:
        if c.owner != owner or c.stage == "lost" or (c.quiet_until and c.quiet_until > today):
            continue
        for contact, when in upcoming_birthdays(c, today, window):
            birthdays.append((when, contact.name, c.name, c.id))
    if birthdays:
        msg.lines.append((repo.msgs.word("remind.birthdays_within_days", window=window, n=len(birthdays)), True))
        for when, person, company, cid in sorted(birthdays):
            msg.lines.append((repo.msgs.word("remind.birthday_line", when=when.isoformat(), person=one_line(person),
                                             company=one_line(company), cid=cid), False))
    return msg


@click.command("remind")
@click.option("--owner", metavar="HANDLE")
@click.option("--webhook", metavar="URL")
@click.option("--kind", type=click.Choice(ROBOTS))
@click.option("--secret-env", metavar="NAME")
@click.option("--email", "email_to", metavar="ADDRESS")
@click.option("--dry-run", is_flag=True)
@click.pass_obj
def command(obj: RunOptions, owner: str | None, webhook: str | None, kind: str | None, secret_env: str | None,
            email_to: str | None, dry_run: bool) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    env = secrets_env()
    problems: list[str] = []
    if webhook is not None or email_to is not None:
        if webhook is not None and kind is None:
            raise refuse(repo.msgs, "cli-remind-kind")
        if webhook is not None and not re.match(r"^https?://[^\s/]+", webhook.strip()):
            raise refuse(repo.msgs, "cli-remind-url", value=redact(webhook))
        secret = None
        if secret_env:
            secret = env.get(secret_env)
            if not secret:
                raise refuse(repo.msgs, "cli-remind-env", name=secret_env)
        who = require_handle(repo, "--owner", owner) if owner is not None else current_handle(repo)
        channels: list[tuple[str, str, str, str | None, str | None]] = []
        if webhook is not None:
            channels.append((who, str(kind), webhook.strip(), secret, None))
        if email_to is not None:
            channels.append((who, "email", email_to.strip(), None, None))
    else:
        members = [m for m in (repo.team.members if repo.team else []) if m.active and m.remind]
        if owner is not None:
            who = require_handle(repo, "--owner", owner)
            members = [m for m in members if m.handle == who]
        if not members:
            raise refuse(repo.msgs, "cli-remind-no-channel")
        channels, problems = configured(repo, [m.handle for m in members], env, dry_run)
    book = open_book(repo)
    customers, facts = book.customers, book.facts
    masking = Masking.of(repo.config, wide=True).knowing(customers)  # a group chat is a wide audience
    today = repo.config.today
    deliveries: list[Delivery] = []
    empty: set[str] = set()
    lists: dict[str, Message | None] = {}
    for who, chan_kind, target, secret, mention in channels:
        if who not in lists:
            rows, _ = due_rows(repo, who, 0, book)
            mine = figures(customers, facts, repo.config, today, who)
            made = owner_message(repo, who, customers, rows, masking, mine.due)
            lists[who] = made if made.lines else None
        message = lists[who]
        if message is None:
            empty.add(who)
            continue
        if mention:  # (a robot says why it cannot mention as configured: remind.feishu_mobile)
            message = dataclasses.replace(message, mention=str(mention))
        deliveries.append(Delivery(who, chan_kind, target, secret, message))
    words = Presenter.of(repo)
    for who in sorted(empty):
        click.echo(repo.msgs.word("remind.nothing_due_today", who=words.who(who)))
    sent, failed = deliver(repo, deliveries, env, dry_run, click.echo)
    problems += failed
    for p in problems:
        print_error(KehuError(p), repo.msgs)
    if problems and not dry_run:
        raise SystemExit(1)  # the others were sent: a partial failure, not a refusal
    if not dry_run and deliveries:
        click.echo(repo.msgs.word("remind.reminders_sent", sent=sent))

