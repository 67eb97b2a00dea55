"""kehu report --day|--week|--month|--quarter [--last] [--owner H|--all] [--format text|markdown|json] [--send]

日报 / 周报 / 月报: per member — customers contacted and the interactions by channel, new customers, stage moves
(git history), deals won, opportunities opened / won / lost with their amounts, complaints opened / resolved, and
what is overdue now — and the team's totals against its targets. Every figure comes from ``kehu.core.figures``
(the site's report page and dashboard read the same); every figure names the customers behind it (linked to
their profiles when kehu.yaml gives ``site.url``). ``--send`` delivers it the way ``kehu remind`` does: the
team's report to the members whose role is in ``report.to_roles``, one member's report (``--owner``) to them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import click

from ..book.loader import open_book
from ..book.versions import stage_moves
from ..core.figures import (
    ACTIVITY,
    AMOUNTS,
    MemberReport,
    Period,
    Report,
    TargetProgress,
    events,
    period_of,
    report,
    report_members,
)
from ..core.present import Presenter
from ..io.remind import ROBOTS, Delivery, Message, configured, deliver, md_text, one_line, redact, secrets_env
from ..repo.model import Customer
from ..repo.repository import Repo
from ..store.transaction import require_sound_repo
from ..util.errors import KehuError, refuse
from ._args import parse_date, require_handle
from ._common import RunOptions, print_error, repo_from

TEXT_NAMES = 10  # a terminal lists this many customers behind a figure, then how many more


def _period(repo: Repo, kind: str, last: bool, on: str | None, start: str | None, end: str | None) -> Period:
    msgs, today = repo.msgs, repo.config.today
    if start is not None or end is not None:
        if start is None or end is None:
            raise refuse(msgs, "cli-missing-option", option="--from/--to", hint=msgs.word("report.range_hint"))
        first, final = parse_date(msgs, "--from", start), parse_date(msgs, "--to", end)
        if final < first:
            raise refuse(msgs, "cli-report-range", start=first.isoformat(), end=final.isoformat())
        return Period("range", first, final)
    day = parse_date(msgs, "--on", on) if on is not None else today
    return period_of(kind, day, 1 if last else 0)


class Words:
    """How a report reads, in the team's language: figure names, amounts, members and customers."""

    def __init__(self, repo: Repo, customers: list[Customer]) -> None:
        self.repo = repo
        self.L = Presenter.of(repo)
        self.names = {c.id: one_line(c.name) for c in customers}
        self.url = (repo.config.site.url or "").rstrip("/")

    def title(self, rep: Report, who: str | None) -> str:
        p = rep.period
        head = self.L.t(f"report.title.{p.kind}")
        span = p.start.isoformat() if p.start == p.last else self.L.t("report.span", start=p.start.isoformat(),
                                                                      last=p.last.isoformat())
        return self.L.t("report.heading", title=head, code=p.key, span=span, who=self.member(who),
                        today=rep.today.isoformat())

    def member(self, handle: str | None) -> str:
        return self.L.member(handle) if handle else self.L.t("report.team")

    def figure(self, name: str, value: float) -> str:
        shown = f"{value:,.0f}" if name in AMOUNTS else str(int(value))
        return self.L.t("report.figure_value", label=self.L.t(f"report.figure.{name}"), value=shown)

    def channels(self, by_channel: dict[str, int]) -> str:
        return self.L.join(f"{self.L.vocab('channel', k) or k} {n}" for k, n in by_channel.items())

    def target(self, t: TargetProgress) -> str:
        pct = f"{t.attained:.0%}" if t.attained is not None else "—"
        money = t.metric == "won"
        line = self.L.t(f"report.target.{t.metric}", period=t.period, target=f"{t.target:,.0f}",
                        actual=f"{t.actual:,.0f}" if money else int(t.actual), pct=pct,
                        gap=f"{t.gap:,.0f}" if money else int(t.gap))
        if money and t.gap > 0:
            line += self.L.t("report.target.weighted", weighted=f"{t.weighted:,.0f}")
        return line

    def customer(self, cid: str) -> str:
        return self.L.aside(self.names.get(cid, cid), cid)

    def profile(self, cid: str) -> str:
        return f"{self.url}/customers/{quote(cid)}/" if self.url else ""

    def page(self, rep: Report, who: str | None) -> str:
        """The site's report page for the same member and period (its filters in the address)."""
        if not self.url:
            return ""
        query = {"period": _filter_period(rep.period)}
        if who:
            query["owner"] = who
        return f"{self.url}/report/?{urlencode(query)}"


def _filter_period(p: Period) -> str:
    """The period as the site's filters write it in the address."""
    return p.key if p.kind != "range" else f"{p.start.isoformat()}..{p.last.isoformat()}"


def _figures_line(w: Words, part: MemberReport) -> str:
    parts = []
    for name in ACTIVITY:
        text = w.figure(name, part.activity.figures[name])
        if name == "interactions" and part.activity.by_channel:
            text = w.L.aside(text, w.channels(part.activity.by_channel))
        parts.append(text)
    parts.append(w.figure("overdue", part.overdue))
    return w.L.t("report.dot").join(parts)


def _behind(part: MemberReport) -> list[tuple[str, list[str]]]:
    """(figure, customers) for every figure with customers behind it, overdue last."""
    out = [(name, part.activity.customers[name]) for name in ACTIVITY  # interactions: the customers contacted
           if part.activity.customers.get(name) and name not in AMOUNTS and name != "interactions"]
    if part.overdue_customers:
        out.append(("overdue", part.overdue_customers))
    return out


def as_text(w: Words, rep: Report, parts: list[MemberReport]) -> str:
    lines = [w.title(rep, None if len(parts) != 1 or parts[0].handle is None else parts[0].handle)]
    if not rep.moves_known:
        lines.append(w.L.t("report.no_git"))
    for part in parts:
        lines += ["", w.member(part.handle), "  " + _figures_line(w, part)]
        lines += ["  " + w.target(t) for t in part.targets]
        for name, ids in _behind(part):
            shown = [w.customer(cid) for cid in ids[:TEXT_NAMES]]
            more = w.L.t("report.more", n=len(ids) - TEXT_NAMES) if len(ids) > TEXT_NAMES else ""
            lines.append("  " + w.L.colon(w.L.t(f"report.figure.{name}"), w.L.join(shown) + more))
    return "\n".join(lines)


def _md_customer(w: Words, cid: str) -> str:
    name = md_text(w.customer(cid))
    url = w.profile(cid)
    return f"[{name}]({url})" if url else name


def markdown_body(w: Words, rep: Report, parts: list[MemberReport], who: str | None) -> str:
    """The report as Markdown: a section per member, each figure a line naming (linking) its customers."""
    out: list[str] = []
    if not rep.moves_known:
        out.append(md_text(w.L.t("report.no_git")))
    page = w.page(rep, who)
    if page:
        out.append(f"[{md_text(w.L.t('report.on_site'))}]({page})")
    for part in parts:
        out += ["", f"#### {md_text(w.member(part.handle))}", ""]
        by_figure = dict(_behind(part))
        for name in (*ACTIVITY, "overdue"):
            value = part.overdue if name == "overdue" else part.activity.figures[name]
            line = f"- {md_text(w.figure(name, value))}"
            if name == "interactions" and part.activity.by_channel:
                line += md_text(w.L.aside("", w.channels(part.activity.by_channel)))
            ids = by_figure.get(name, [])
            if ids:
                line += md_text(w.L.t("colon")) + md_text(w.L.t("sep")).join(_md_customer(w, c) for c in ids)
            out.append(line)
        out += [f"- {md_text(w.target(t))}" for t in part.targets]
    return "\n".join(out).strip("\n")


def as_markdown(w: Words, rep: Report, parts: list[MemberReport], who: str | None) -> str:
    return f"## {md_text(w.title(rep, who))}\n\n{markdown_body(w, rep, parts, who)}\n"


def _json_part(w: Words, part: MemberReport) -> dict[str, Any]:
    return {
        "handle": part.handle, "name": w.L.who(part.handle) if part.handle else None,
        **part.named(),
        "by_channel": part.activity.by_channel,
        "targets": [{"period": t.period, "metric": t.metric, "target": t.target, "actual": t.actual,
                     "gap": round(t.gap, 2), "attained": None if t.attained is None else round(t.attained, 4),
                     "weighted_pipeline": t.weighted} for t in part.targets],
        "customers": {**{k: v for k, v in part.activity.customers.items() if v and k not in AMOUNTS},
                      **({"overdue": part.overdue_customers} if part.overdue_customers else {})},
    }


def as_json(w: Words, rep: Report, parts: list[MemberReport], team: bool) -> str:
    p = rep.period
    return json.dumps({
        "period": {"kind": p.kind, "key": p.key, "start": p.start.isoformat(), "last": p.last.isoformat()},
        "today": rep.today.isoformat(), "stage_moves_from_git": rep.moves_known,
        "members": [_json_part(w, part) for part in parts if part.handle is not None],
        "team": _json_part(w, rep.team) if team else None,
        "site": w.page(rep, None if team else (parts[0].handle if parts else None)) or None,
    }, ensure_ascii=False, indent=2)


def _message(w: Words, rep: Report, parts: list[MemberReport], who: str | None) -> Message:
    """The report for a chat robot or an e-mail: plain lines (e-mail, Feishu) and its own Markdown (WeCom,
    DingTalk), both naming the customers behind each figure."""
    msg = Message(w.title(rep, who))
    for line in as_text(w, rep, parts).split("\n")[1:]:
        if line.strip():
            msg.lines.append((line.strip(), not line.startswith(" ")))
    page = w.page(rep, who)
    if page:
        msg.lines.append((w.L.colon(w.L.t("report.on_site"), page), False))
    msg.body = markdown_body(w, rep, parts, who)
    return msg


def _recipients(repo: Repo, who: str | None) -> list[str]:
    """Whose channels get the report: one member's own, or the team's to its managers (``report.to_roles``)."""
    members = [m for m in (repo.team.members if repo.team else []) if m.active and m.remind]
    if who is not None:
        return [m.handle for m in members if m.handle == who]
    return [m.handle for m in members if m.role in repo.config.report.to_roles]


@click.command("report")
@click.option("--day", "kind", flag_value="day")
@click.option("--week", "kind", flag_value="week", default=True)
@click.option("--month", "kind", flag_value="month")
@click.option("--quarter", "kind", flag_value="quarter")
@click.option("--last", is_flag=True)
@click.option("--on", "on", default=None, metavar="YYYY-MM-DD")
@click.option("--from", "start", default=None, metavar="YYYY-MM-DD")
@click.option("--to", "end", default=None, metavar="YYYY-MM-DD")
@click.option("--owner", default=None, metavar="HANDLE")
@click.option("--all", "everyone", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--send", is_flag=True)
@click.option("--webhook", metavar="URL")
@click.option("--kind", "robot", type=click.Choice(ROBOTS))
@click.option("--secret-env", metavar="NAME")
@click.option("--email", "email_to", metavar="ADDRESS")
@click.option("--dry-run", is_flag=True)
@click.pass_obj
def command(obj: RunOptions, kind: str, last: bool, on: str | None, start: str | None, end: str | None,
            owner: str | None, everyone: bool, fmt: str, send: bool, webhook: str | None, robot: str | None,
            secret_env: str | None, email_to: str | None, dry_run: bool) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    msgs = repo.msgs
    if owner is not None and everyone:
        raise refuse(msgs, "cli-report-owner-all")
    who = require_handle(repo, "--owner", owner) if owner is not None else None
    period = _period(repo, kind, last, on, start, end)
    book = open_book(repo)
    customers, today = book.customers, repo.config.today
    moves = stage_moves(repo, period.start, period.last)
    if who is not None:
        handles = [who]
    else:
        team = [m.handle for m in (repo.team.members if repo.team else [])]
        handles = report_members(customers, team, repo.inactive, events(customers, moves or []), period)
    rep = report(customers, book.facts, repo.config, today, period, handles, moves)
    parts = rep.members if who is not None else [rep.team, *rep.members]
    w = Words(repo, customers)
    if not (send or webhook or email_to):
        if fmt == "json":
            click.echo(as_json(w, rep, parts, who is None))
        elif fmt == "markdown":
            click.echo(as_markdown(w, rep, parts, who))
        else:
            click.echo(as_text(w, rep, parts))
        return
    _send(repo, w, rep, parts, who, webhook, robot, secret_env, email_to, dry_run)


def _send(repo: Repo, w: Words, rep: Report, parts: list[MemberReport], who: str | None, webhook: str | None,
          robot: str | None, secret_env: str | None, email_to: str | None, dry_run: bool) -> None:
    msgs = repo.msgs
    env = secrets_env()
    message = _message(w, rep, parts, who)
    problems: list[str] = []
    owner = who or "team"
    if webhook is not None or email_to is not None:
        if webhook is not None and robot is None:
            raise refuse(msgs, "cli-remind-kind")
        secret = None
        if secret_env:
            secret = env.get(secret_env)
            if not secret:
                raise refuse(msgs, "cli-remind-env", name=secret_env)
        deliveries = []
        if webhook is not None:
            deliveries.append(Delivery(owner, str(robot), webhook.strip(), secret, message))
        if email_to is not None:
            deliveries.append(Delivery(owner, "email", email_to.strip(), None, message))
    else:
        recipients = _recipients(repo, who)
        if not recipients:
            raise refuse(msgs, "cli-report-no-channel", roles=msgs.join(repo.config.report.to_roles))
        channels, problems = configured(repo, recipients, env)
        seen: set[tuple[str, str]] = set()
        deliveries = []
        for handle, chan_kind, target, secret, _mention in channels:  # a report mentions nobody
            if (chan_kind, target) in seen:  # a group robot two managers share gets the report once
                continue
            seen.add((chan_kind, target))
            deliveries.append(Delivery(handle, chan_kind, target, secret, message))
    sent, failed = deliver(repo, deliveries, env, dry_run, click.echo)
    for p in problems + failed:
        print_error(KehuError(p), msgs)
    if problems or failed:
        raise SystemExit(1)  # the others were sent: a partial failure, not a refusal
    if not dry_run:
        click.echo(msgs.word("report.sent", sent=sent, shown=msgs.join(redact(d.target) if d.kind != "email"
                                                                        else d.target for d in deliveries)))

