"""kehu show CUSTOMER — one customer's profile and derived facts in the terminal.

Every derived fact (status, class, due follow-up, last contact, missing
information) comes from ``kehu.derive`` over the whole folder, exactly as the
site computes it. It shows what the team may read (unmasked); ``--mask`` masks phones,
WeChat ids and emails — also inside free text — as the public site does (``privacy.Masking``).
This module also holds the terminal labels ``kehu due`` shares.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..derive import (
    RHYTHM_REASONS,
    Due,
    Facts,
    due_bucket,
    opp_owner,
    opp_probability,
    opp_slipping,
    upcoming_birthdays,
)
from ..edits import first_error, refuse, require_sound_repo
from ..lookup import resolve
from ..model import SURVEY_DIMENSIONS, Customer
from ..privacy import Masking
from ..repo import Repo, rel
from ..site.labels import Labels
from ..terminal import console as terminal_console
from ._common import repo_from

BUCKET_STYLE = {"overdue": "bold red", "today": "bold yellow", "soon": "yellow", "later": ""}


def labels(repo: Repo) -> Labels:
    """The site's words (derived states, due reasons): the terminal says what the site says."""
    return Labels(repo.schemas, repo.config.locale)


def word(repo: Repo, key: str) -> str:
    """A site word: ``status.dormant``, ``bucket.soon``, ``level.high``, ``freq.low`` …"""
    return labels(repo).t(key, n=repo.config.due_soon_days) if key == "bucket.soon" else labels(repo).t(key)


def tr(repo: Repo, zh: str, en: str) -> str:
    return en if repo.msgs.lang == "en" else zh


def label(repo: Repo, vocab: str, key: str | None) -> str:
    if key is None:
        return ""
    v = repo.schemas.vocabularies.get(vocab)
    return v.label(key, repo.config.locale) if v else key


def console() -> Console:
    """A console that does not wrap tables at 80 columns when the output is a pipe or a file
    (tables take their natural width there, so `grep` sees whole rows)."""
    wide = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 400
    return terminal_console(width=wide, markup=False, emoji=False, highlight=False, soft_wrap=False)


def due_reason(repo: Repo, facts: Facts, due: Due | None = None) -> str:
    """Why ``due`` (the follow-up unless another item is given) is owed, worded as the site words it
    (kehu.site.data)."""
    due = due or facts.due
    return reason_text(repo, due.reason, due.action, facts.klass, due.every) if due is not None else ""


def reason_text(repo: Repo, reason: str, action: str | None, klass_key: str, every: int | None = None) -> str:
    L = labels(repo)
    if reason in RHYTHM_REASONS:
        return L.t(f"reason.{reason}", days=every)
    klass = label(repo, "class", klass_key)
    if reason == "next_action":
        return f"Planned: {action}" if L.en else f"{L.t('reason.next_action')}：{action}"
    if reason == "cadence":
        return L.t("reason.cadence", klass=klass, days=repo.config.cadence_days.of(klass_key))
    if reason == "visit":
        return L.t("reason.visit", klass=klass, days=repo.config.visit_days.of(klass_key))
    return L.t(f"reason.{reason}")


def due_text(repo: Repo, facts: Facts, due: Due | None = None) -> Text:
    due = due or facts.due
    if due is None:
        return Text("—")
    today = repo.config.today
    bucket = due_bucket(due.date, today, repo.config.due_soon_days)
    out = Text(f"{due.date.isoformat()} ")
    out.append(word(repo, f"bucket.{bucket}"), style=BUCKET_STYLE[bucket])
    out.append(f"  {due_reason(repo, facts, due)}")
    return out


def last_contact_text(repo: Repo, facts: Facts) -> str:
    if facts.last_contact is None:
        return tr(repo, "尚无跟进", "never")
    days = facts.days_since_contact or 0
    return f"{facts.last_contact.isoformat()}（{days} 天前）" if repo.msgs.lang == "zh" \
        else f"{facts.last_contact.isoformat()} ({days} days ago)"


def member_name(repo: Repo, handle: str | None) -> str:
    if not handle:
        return ""
    member = repo.team.handles.get(handle) if repo.team else None
    return f"{member.name} ({handle})" if member else handle


def facts_for(repo: Repo, path: Path) -> tuple[Customer, Facts]:
    """The customer at ``path`` and its facts, as ``derive_all`` over every customer gives them: the one
    fact that depends on the others, the team's revenue, comes from the book index (kehu.index)."""
    from ..checker import _check_loaded
    from ..derive import Context, derive
    from ..index import book
    from ..model import customer_from

    name = rel(repo.root, path)
    try:
        raw = path.read_bytes()
    except OSError:
        raw = None
    loaded = _check_loaded(repo, name, raw)[2] if raw is not None else None
    if loaded is None:
        raise refuse(repo.msgs, "cli-cannot-read", file=name, first=first_error(repo, path))
    today = repo.config.today
    c = customer_from(loaded)
    return c, derive(c, Context(repo.config, today, book(repo).team_revenue(today)))


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
    t = _kv_table(f"{c.id}  {c.name}")
    row = t.add_row
    row(tr(repo, "行业", "Industry"), f"{c.industry} {label(repo, 'industry', c.industry)}")
    stage = label(repo, "stage", c.stage)
    if c.stage == "lost" and c.lost_from:
        stage += tr(repo, f"（流失前：{label(repo, 'stage', c.lost_from)}）",
                    f" (lost from {label(repo, 'stage', c.lost_from)})")
    row(tr(repo, "阶段", "Stage"), stage)
    row(tr(repo, "负责人", "Owner"), member_name(repo, c.owner))
    row(tr(repo, "创建日期", "Created"), c.created.isoformat() if c.created else "")
    for key, zh, en, vocab in (("size", "规模", "Size", "size"), ("region", "地区", "Region", None),
                               ("source", "来源", "Source", "source")):
        value = getattr(c, key)
        if value:
            row(tr(repo, zh, en), label(repo, vocab, value) if vocab else str(value))
    klass = label(repo, "class", f.klass)
    if c.class_override:
        klass += tr(repo, f"（人工指定：{c.class_reason or ''}；计算结果：{label(repo, 'class', f.computed_class)}）",
                    f" (set by hand: {c.class_reason or ''}; computed: {label(repo, 'class', f.computed_class)})")
    row(tr(repo, "客户分类", "Class"), klass)
    level = word(repo, "level." + f.value_level)
    row(tr(repo, "价值等级", "Value level"), tr(repo, f"{level}（{f.annual_value:,.0f} 元/年）",
                                            f"{level} ({f.annual_value:,.0f} CNY/year)"))
    row(tr(repo, "客户状态", "Status"), word(repo, f"status.{f.status}"))
    window, n = repo.config.frequency.window_days, f.recent_interactions
    freq = word(repo, "freq." + f.frequency)
    row(tr(repo, "互动频率", "Frequency"),
        tr(repo, f"{freq}（近 {window} 天 {n} 次）", f"{freq} ({n} in {window} days)"))
    row(tr(repo, "最近联系", "Last contact"), last_contact_text(repo, f))
    row(tr(repo, "下次跟进", "Next follow-up"), due_text(repo, f))
    for rhythm in f.rhythms:
        row(tr(repo, "定期事项", "Rhythm"), due_text(repo, f, rhythm))
    if c.verified:
        row(tr(repo, "资料核实日期", "Profile verified"), c.verified.isoformat())
    plan = planned_text(c)
    if plan and not (f.due and f.due.reason == "next_action" and f.due.date == c.next_action.date):
        row(tr(repo, "下一步计划", "Planned next step"), plan)
    if c.quiet_until:
        quiet = c.quiet_until.isoformat() + (f" {c.quiet_reason}" if c.quiet_reason else "")
        row(tr(repo, "静默期至", "Quiet until"), quiet)
    if c.tags:
        row(tr(repo, "需求标签", "Tags"), "、".join(c.tags))
    if c.risks:
        row(tr(repo, "风险标签", "Risks"), Text("、".join(c.risks), style="red"))
    for key, zh, en in (("needs", "需求/痛点", "Needs"), ("budget", "预算", "Budget"),
                        ("decision_process", "决策流程", "Decision process")):
        value = getattr(c, key)
        if value not in (None, ""):
            row(tr(repo, zh, en), masking.text(str(value)))
    if f.missing:
        row(tr(repo, "待补充", "To collect"), Text("、".join(m.field for m in f.missing), style="yellow"))
    return t


def _table(title: str, *columns: str) -> Table:
    t = Table(title=title, title_justify="left", title_style="bold", show_lines=False)
    for col in columns:
        t.add_column(col)
    return t


def contacts_table(repo: Repo, c: Customer, masking: Masking) -> Table:
    t = _table(tr(repo, "联系人", "Contacts"), *(tr(repo, zh, en) for zh, en in (
        ("姓名", "Name"), ("职务", "Title"), ("手机", "Phone"), ("邮箱", "Email"), ("微信", "WeChat"),
        ("生日", "Birthday"), ("主要", "Primary"))))
    for x in c.contacts:
        t.add_row(x.name, x.title or "", masking.phone(x.phone), masking.email(x.email), masking.handle(x.wechat),
                  x.birthday or "",
                  "✓" if x.primary else "")
    return t


def deals_table(repo: Repo, c: Customer) -> Table:
    t = _table(tr(repo, "合作记录", "Deals"), *(tr(repo, zh, en) for zh, en in (
        ("合同编号", "Contract"), ("产品/服务", "Product"), ("金额(元)", "Amount (CNY)"), ("签约日期", "Signed"))))
    for d in c.deals:
        t.add_row(d.contract or "", d.product, f"{d.amount:,.0f}", d.signed.isoformat() if d.signed else "")
    return t


def opportunities_table(repo: Repo, c: Customer) -> Table:
    t = _table(tr(repo, "商机", "Opportunities"), *(tr(repo, zh, en) for zh, en in (
        ("编号", "Id"), ("内容", "What"), ("阶段", "Stage"), ("金额(元)", "Amount (CNY)"), ("概率", "Prob."),
        ("预计成交", "Close"), ("负责人", "Owner"), ("", ""))))
    today = repo.config.today
    for o in c.opportunities:
        t.add_row(o.id, o.what, label(repo, "stage", o.stage), f"{o.amount:,.0f}",
                  f"{opp_probability(o, repo.config):.0%}", o.close.isoformat() if o.close else "",
                  opp_owner(o, c), tr(repo, "延误", "slipping") if opp_slipping(o, c, today) else
                  label(repo, "lost_reason", o.lost_reason))
    return t


def interactions_table(repo: Repo, c: Customer, last: int | None, masking: Masking) -> Table:
    rows = c.interactions if last is None else c.interactions[-last:]
    title = tr(repo, "跟进记录", "Interactions")
    if len(rows) < len(c.interactions):
        title += tr(repo, f"（最近 {len(rows)} 条，共 {len(c.interactions)} 条；--all 显示全部）",
                    f" (last {len(rows)} of {len(c.interactions)}; --all shows every one)")
    t = _table(title, *(tr(repo, zh, en) for zh, en in (
        ("日期", "Date"), ("方式", "Channel"), ("跟进人", "By"), ("对接人", "Contact"), ("沟通内容", "Summary"),
        ("客户反馈/结果", "Outcome"))))
    for x in rows:
        t.add_row(x.date.isoformat() if x.date else "", label(repo, "channel", x.channel), x.by, x.contact or "",
                  masking.text(x.summary), masking.text(x.outcome))
    return t


def surveys_table(repo: Repo, c: Customer) -> Table:
    names = {"quality": ("质量", "Quality"), "attitude": ("态度", "Attitude"), "response": ("响应", "Response"),
             "after_sales": ("售后", "After-sales")}
    t = _table(tr(repo, "满意度调查", "Surveys"), tr(repo, "日期", "Date"),
               *(tr(repo, *names[d]) for d in SURVEY_DIMENSIONS), tr(repo, "意见", "Comment"))
    for s in c.surveys:
        t.add_row(s.date.isoformat() if s.date else "", *(str(s.scores.get(d, "")) for d in SURVEY_DIMENSIONS),
                  s.comment or "")
    return t


def complaints_table(repo: Repo, c: Customer) -> Table:
    t = _table(tr(repo, "投诉记录", "Complaints"), "#", *(tr(repo, zh, en) for zh, en in (
        ("日期", "Date"), ("类别", "Category"), ("内容", "Content"), ("处理人", "Handler"), ("状态", "Status"),
        ("解决日期", "Resolved"), ("处理结果", "Result"))))
    for i, x in enumerate(c.complaints, 1):
        status = Text(label(repo, "complaint_status", x.status), style="" if x.status == "resolved" else "bold red")
        t.add_row(str(i), x.date.isoformat() if x.date else "", x.category or "", x.content, x.handler or "", status,
                  x.resolved.isoformat() if x.resolved else "", x.result or "")
    return t


def birthdays_line(repo: Repo, c: Customer, today: dt.date) -> str:
    found = upcoming_birthdays(c, today, repo.config.birthday_window_days)
    if not found:
        return ""
    items = "、".join(f"{contact.name} {when.isoformat()}" for contact, when in found)
    return tr(repo, f"近期生日：{items}", f"Birthdays coming up: {items}")


@click.command("show")
@click.argument("customer")
@click.option("--mask", is_flag=True, help="Mask phones, WeChat ids and emails as the public site does "
                                           "(for sharing a screen).")
@click.option("--internal", is_flag=True, hidden=True)  # the default now; kept so older scripts still run
@click.option("--all", "show_all", is_flag=True, help="Show every interaction, not only the latest ones.")
@click.option("--last", type=click.IntRange(1, None), default=10, show_default=True,
              help="How many of the latest interactions to show.")
@click.pass_obj
def command(obj: dict, customer: str, mask: bool, internal: bool, show_all: bool, last: int) -> None:
    """Show one customer: profile, class, status, due follow-up, contacts, history.

    CUSTOMER is the id, a unique part of the name, its pinyin or initials."""
    repo = repo_from(obj)
    require_sound_repo(repo)
    path = resolve(repo, customer)
    c, f = facts_for(repo, path)
    masking = Masking.of(repo.config, wide=mask)
    out = console()
    out.print(profile_table(repo, c, f, masking))
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
        out.print(Text(tr(repo, "备注：", "Notes: ") + masking.text(c.notes.strip())))
