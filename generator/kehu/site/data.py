"""Page data: everything the templates show, assembled once from the derived facts.

Every number comes from ``kehu.core.derive``; this module groups, sorts, labels and
masks. Masking happens here, before any template or the search index sees a
value: a public build never carries a full phone number or email address in
its page data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..core import derive
from ..core.derive import BUCKETS, CLASSES, STATUSES, Facts
from ..core.figures import Figures, figures, figures_by_owner
from ..core.present import Presenter
from ..core.privacy import Masking, mask_loosely
from ..git.forms import FormLinks
from ..repo.config import Config
from ..repo.model import SURVEY_DIMENSIONS, Customer, Team
from ..util.problems import Problem, Severity
from ..words.pinyin import pinyin_keys, sort_key
from .charts import Chart, column_chart, funnel_chart
from .history import Change

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")



# --- small helpers -------------------------------------------------------------------------------


def clean(value: Any) -> str:
    """A YAML value as display text: control characters removed, line breaks kept as ``\\n``."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def one_line(value: Any) -> str:
    return re.sub(r"\s+", " ", clean(value))


class Privacy(Masking):
    """What a build may show (the policy of :class:`kehu.core.privacy.Masking`), on display text: a public build
    masks phones and emails, also inside free text."""

    __slots__ = ()

    @classmethod
    def of(cls, config: Config, internal: bool) -> Privacy:
        policy = Masking.of(config, wide=not internal)
        return cls(policy.phones, policy.emails)

    def phone(self, value: str | None) -> str:
        return Masking.phone(self, clean(value)) if value else clean(value)

    def email(self, value: str | None) -> str:
        return Masking.email(self, clean(value)) if value else clean(value)

    def handle(self, value: str | None) -> str:
        return Masking.handle(self, clean(value))

    def text(self, value: Any) -> str:
        return Masking.text(self, clean(value))

    def quoted(self, value: Any) -> str:
        """A checker message quotes the value it rejects — a malformed phone or email is still one."""
        text = clean(value)
        return Masking.text(self, mask_loosely(text)) if self.phones or self.emails else text


def customer_src(cid: str) -> str:
    return f"customers/{cid}.md"


def member_src(handle: str) -> str:
    return f"team/{handle}.md"


def calendar_src(handle: str) -> str:
    return f"calendar/{handle}.ics"


def forge_urls(config: Config, file: str, line: int | None = None) -> tuple[str, str]:
    """(edit link, view link with line) for a repository file, or empty strings without ``site.repo_url``."""
    base = config.site.repo_url
    if not base or not re.match(r"^https?://[^\s\"'<>]+$", base):
        return "", ""
    base = base.rstrip("/") + "/"
    edit_uri = config.site.edit_uri.strip("/") + "/"
    view_uri = config.site.view_uri
    if not view_uri:
        view_uri = re.sub(r"(^|/)edit(/|$)", r"\1blob\2", edit_uri, count=1)
    view_uri = view_uri.strip("/") + "/"
    path = quote(file)
    return base + edit_uri + path, base + view_uri + path + (f"#L{line}" if line else "")


# --- per customer --------------------------------------------------------------------------------


@dataclass
class CustomerView:
    id: str
    file: str
    src: str
    name: str
    facts: Facts
    owner: str
    owner_name: str
    fields: list[tuple[str, str, str]]       # (label, text, page it links to or "") of the overview
    badges: list[tuple[str, str, str]]       # (kind, key, label)
    contacts: list[dict[str, Any]]
    deals: list[dict[str, Any]]
    opportunities: list[dict[str, Any]]
    needs: list[tuple[str, str]]
    tags: list[str]
    risks: list[str]
    missing: list[tuple[str, str]]
    timeline: list[dict[str, Any]]
    surveys: list[dict[str, Any]]
    complaints: list[dict[str, Any]]
    notes: str
    extra: list[tuple[str, str]]
    history: list[dict[str, str]]
    edit_url: str
    view_url: str
    due: dict[str, Any] | None
    search_text: list[str] = field(default_factory=list)    # what search finds (masked)
    search_phones: list[str] = field(default_factory=list)  # the contacts' phones as the page shows them
    corrections: list[dict[str, str]] = field(default_factory=list)  # corrections and erasures of past records
    problems: dict[str, Any] | None = None  # its file's problems, marked on the page (None: it has none)
    glance: dict[str, Any] = field(default_factory=dict)  # the first screen: next step, whom to call, open deals
    log_url: str = ""  # 记录跟进 on the forge, pre-filled with the customer and its owner ("": no forge address)


class Assembler:
    """Turns customers, facts and the team into the data of every page."""

    def __init__(self, customers: list[Customer], facts: dict[str, Facts], config: Config, team: Team | None,
                 labels: Presenter, privacy: Privacy, today: dt.date,
                 problems: dict[str, tuple[Problem, ...]] | None = None) -> None:
        self.customers = customers
        self.facts = facts
        self.problems = problems or {}  # customer id -> its file's problems (the book's)
        self.config = config
        self.team = team
        self.L = labels
        if labels.config is None:  # due reasons and the soon window read the build's configuration
            labels.config = config
        self.privacy = privacy
        self.today = today
        self.soon = config.due_soon_days
        self.members = {m.handle: m for m in team.members} if team else {}
        self._figures: Figures | None = None
        self._by_owner: dict[str, Figures] | None = None
        self.forms: FormLinks | None = None  # the 记录跟进 links (kehu.git.forms), when the forge's address is known

    # --- figures: every number two pages show, from kehu.core.figures (read here, never counted) -----------

    @property
    def figures(self) -> Figures:
        if self._figures is None:
            self._figures = figures(self.customers, self.facts, self.config, self.today)
        return self._figures

    def figures_of(self, owner: str) -> Figures:
        if self._by_owner is None:
            self._by_owner = figures_by_owner(self.customers, self.facts, self.config, self.today)
        found = self._by_owner.get(owner)
        return found if found is not None else figures([], self.facts, self.config, self.today, owner)

    def conversion_label(self) -> str:
        stages = self.config.stages
        return self.L.t("figure.conversion", first=self.L.stage(stages[0]), last=self.L.stage(stages[-1]))

    # --- words -----------------------------------------------------------------------------

    def member_name(self, handle: str | None) -> str:
        """A member's name as display text (the wording object's, cleaned of control characters)."""
        return clean(self.L.who(handle)) if handle else ""

    def reason_text(self, f: Facts, due: derive.Due | None = None) -> str:
        """Why ``due`` (the follow-up unless another item is given) is owed, the planned action masked."""
        due = due or f.due
        if due is None:
            return ""
        return self.L.due_reason_of(f, due, action=self.privacy.text(due.action))

    def bucket_on(self, date: dt.date) -> str:
        """The bucket ``date`` falls in today (overdue, today, soon, later)."""
        return self.L.bucket_of(date, self.today)

    def errors_of(self, c: Customer) -> int:
        """How many errors the customer's file has (it is shown all the same, marked)."""
        return sum(1 for p in self.problems.get(c.id, ()) if p.severity is Severity.ERROR)

    def problems_view(self, c: Customer) -> dict[str, Any] | None:
        """The customer's problems as its page marks them: how many, each at its line, masked like all text."""
        problems = self.problems.get(c.id, ())
        if not problems:
            return None
        ordered = sorted(problems, key=lambda p: (p.severity is not Severity.ERROR, p.line, p.col))
        return {"mark": self.L.problems_mark(problems), "errors": self.errors_of(c),
                "items": [{"severity": str(p.severity), "text": self.privacy.quoted(self.L.problem_line(p)),
                           "hint": self.privacy.quoted(p.hint)} for p in ordered]}

    def due_view(self, c: Customer, f: Facts, due: derive.Due | None = None) -> dict[str, Any] | None:
        due = due or f.due
        if due is None:
            return None
        bucket = self.bucket_on(due.date)
        return {"date": due.date.isoformat(), "bucket": bucket, "bucket_label": self.L.bucket(bucket),
                "days": (due.date - self.today).days, "reason": due.reason, "reason_text": self.reason_text(f, due),
                "hold": c.quiet_until.isoformat() if f.quiet and c.quiet_until else ""}

    # --- one customer -------------------------------------------------------------------------

    def customer(self, c: Customer, history: list[Change]) -> CustomerView:
        f = self.facts[c.id]
        L, P = self.L, self.privacy
        edit_url, view_url = forge_urls(self.config, c.file)
        badges = [("class", f.klass, self.L.klass(f.klass)), ("stage", c.stage, L.stage(c.stage, c.lost_from)),
                  ("status", f.status, L.status(f.status))]
        return CustomerView(
            id=c.id, file=c.file, src=customer_src(c.id), name=one_line(c.name), facts=f, owner=c.owner,
            owner_name=self.member_name(c.owner), fields=self._overview(c, f), badges=badges,
            contacts=[{"name": one_line(x.name), "title": one_line(x.title), "phone": P.phone(x.phone),
                       "email": P.email(x.email), "wechat": P.handle(x.wechat), "birthday": clean(x.birthday),
                       "primary": x.primary} for x in c.contacts],
            deals=[{"contract": one_line(d.contract), "product": one_line(d.product), "amount": d.amount,
                    "signed": d.signed.isoformat() if d.signed else ""} for d in c.deals],
            opportunities=self._opportunities(c),
            needs=[(L.field(k), P.text(v)) for k, v in (("needs", c.needs), ("budget", c.budget),
                                                       ("decision_process", c.decision_process)) if clean(v)],
            tags=[L.vocab("tag", t) for t in c.tags], risks=[L.vocab("risk", r) for r in c.risks],
            missing=[(L.field_path(m.field), P.text(m.value) if m.value is not None
                      else L.t("missing_field")) for m in f.missing],
            timeline=self._timeline(c),
            surveys=[{"date": s.date.isoformat() if s.date else "", "scores": [s.scores.get(d) for d in
                      SURVEY_DIMENSIONS], "comment": P.text(s.comment)}
                     for s in sorted(c.surveys, key=lambda s: s.date or dt.date.min, reverse=True)],
            complaints=[self._complaint(x) for x in sorted(c.complaints, key=lambda x: x.date or dt.date.min,
                                                           reverse=True)],
            notes=P.text(c.notes),
            extra=[(clean(title), P.text(text)) for title, text in self.L.own_fields(c.extra)],
            corrections=self._corrections(c),
            history=[{"date": h.date, "author": self.member_name(h.author) if h.author in self.members
                      else clean(h.author), "message": P.text(one_line(h.message)), "commit": h.short}
                     for h in history],
            edit_url=edit_url, view_url=view_url, due=self.due_view(c, f),
            search_text=self._search_text(c),
            search_phones=[P.phone(x.phone) for x in c.contacts if x.phone],
            problems=self.problems_view(c),
            glance=self._glance(c, f),
            log_url=self.log_url(c),
        )

    def _glance(self, c: Customer, f: Facts) -> dict[str, Any]:
        """What a salesperson opening the profile needs before scrolling: when the next follow-up is due and why
        (and how the planned step relates to it), whom to call, and the opportunities still open."""
        L, P = self.L, self.privacy
        plan = c.next_action if c.next_action is not None and c.next_action.date else None
        due = self.due_view(c, f)
        plan_is_due = bool(plan and f.due and f.due.reason == "next_action" and f.due.date == plan.date)
        plan_view = None
        if plan is not None and plan.date is not None and not plan_is_due:
            plan_view = {"date": plan.date.isoformat(), "action": P.text(plan.action),
                         "note": L.t("profile.next_earlier" if f.due and f.due.date < plan.date else
                                     "profile.next_plan")}
        contacts = sorted(c.contacts, key=lambda x: not x.primary)[:1]  # the one to call; the rest a tap away
        opps = [o for o in self._opportunities(c) if o["open"]][:3]
        return {"due": due, "plan": plan_view, "quiet": c.quiet_until.isoformat() if f.quiet and c.quiet_until else "",
                "contacts": [{"name": one_line(x.name), "title": one_line(x.title), "phone": P.phone(x.phone),
                              "email": P.email(x.email), "tel": re.sub(r"[^\d+]", "", x.phone or "")
                              if x.phone and not P.phones else "", "primary": x.primary} for x in contacts],
                "more_contacts": max(0, len(c.contacts) - len(contacts)),
                "opportunities": opps,
                "open_total": sum(o["amount"] for o in self._opportunities(c) if o["open"])}

    def log_url(self, c: Customer) -> str:
        """The link that opens 记录跟进 with the customer and its owner filled in ("" without a forge address)."""
        return self.forms.log(c.id, c.owner, one_line(c.name)) if self.forms is not None else ""

    def _opportunities(self, c: Customer) -> list[dict[str, Any]]:
        """The profile's opportunities: open ones first (by expected close), then won and lost."""
        out = []
        for o in sorted(c.opportunities, key=lambda o: (not o.is_open, o.close or dt.date.max, o.id)):
            p = derive.opp_probability(o, self.config)
            slipping = derive.opp_slipping(o, c, self.today)
            out.append({"id": clean(o.id), "what": one_line(o.what), "stage": o.stage,
                        "stage_label": self.L.stage(o.stage), "amount": o.amount, "probability": p,
                        "weighted": o.amount * p if o.is_open else None, "open": o.is_open,
                        "close": o.close.isoformat() if o.close else "", "owner_name": self.member_name(
                            derive.opp_owner(o, c)), "slipping": slipping,
                        # open, and its expected close date has passed (slipping: and nothing recorded since)
                        "overdue": bool(o.is_open and o.close and o.close < self.today),
                        "lost_reason": self.L.vocab("lost_reason", o.lost_reason) if o.lost_reason else "",
                        "note": self.privacy.text(o.note)})
        return out

    def _overview(self, c: Customer, f: Facts) -> list[tuple[str, str, str]]:
        L = self.L
        klass = L.class_of(f, one_line(c.class_reason))
        last = L.last_contact(f)
        rows = [
            (L.field("id"), c.id),
            (L.t("owner"), self.member_name(c.owner)),
            (L.t("last_contact"), last),
        ]
        if c.quiet_until:
            quiet = c.quiet_until.isoformat() + (f" {one_line(c.quiet_reason)}" if c.quiet_reason else "")
            rows.append((L.field("quiet_until"), quiet))
        rows += [
            (L.t("class"), klass),
            (L.t("value_level"), L.value_level_of(f)),
            (L.t("frequency"), L.frequency_of(f)),
            (L.field("industry"), L.industry(c.industry)),
            (L.field("size"), L.vocab("size", c.size)),
            (L.field("region"), one_line(c.region)),
            (L.field("source"), L.vocab("source", c.source)),
            (L.field("created"), c.created.isoformat() if c.created else ""),
        ]
        if f.cooperation_since:
            rows.append((L.field("cooperation_since"), f.cooperation_since.isoformat()))
        if c.repurchase_rate is not None:
            rows.append((L.field("repurchase_rate"), f"{c.repurchase_rate:.0%}"))
        return [(k, v, member_src(c.owner) if k == L.t("owner") else "") for k, v in rows if v]

    def _timeline(self, c: Customer) -> list[dict[str, Any]]:
        P = self.privacy
        items = sorted(c.interactions, key=lambda i: (i.date or dt.date.min, i.line), reverse=True)
        return [{"date": i.date.isoformat() if i.date else "", "channel": i.channel,
                 "channel_label": self.L.vocab("channel", i.channel), "by": self.member_name(i.by),
                 "contact": one_line(i.contact), "summary": P.text(i.summary), "outcome": P.text(i.outcome)}
                for i in items]

    def _corrections(self, c: Customer) -> list[dict[str, str]]:
        """Corrections of past records and erasures of a person's data, newest first: a reader of the
        profile sees that the record was changed, by whom and why (kehu check --against requires them)."""
        L, P = self.L, self.privacy
        rows = []
        for x in c.extra.get("corrections") or []:
            if isinstance(x, dict):
                what = f"{L.field(str(x.get('field')))} {clean(x.get('entry'))}" if x.get("field") else ""
                rows.append({"date": clean(x.get("date")), "by": self.member_name(str(x.get("by"))), "what": what,
                             "reason": P.text(x.get("reason")), "kind": "correction"})
        for x in c.extra.get("forgotten") or []:
            if isinstance(x, dict):
                rows.append({"date": clean(x.get("date")), "by": self.member_name(str(x.get("by"))),
                             "what": L.t("profile.erased"), "reason": P.text(x.get("reason")), "kind": "erasure"})
        return sorted(rows, key=lambda r: r["date"], reverse=True)

    def _complaint(self, x: Any) -> dict[str, Any]:
        return {"date": x.date.isoformat() if x.date else "",
                "category": self.L.vocab("complaint_category", x.category),
                "content": self.privacy.text(x.content), "handler": self.member_name(x.handler),
                "status": x.status, "status_label": self.L.vocab("complaint_status", x.status),
                "resolved": x.resolved.isoformat() if x.resolved else "", "result": self.privacy.text(x.result)}

    def _search_text(self, c: Customer) -> list[str]:
        """What people search a customer by besides its name and id: contacts, owner, tags, needs and the
        newest summaries, as the page shows them (masked)."""
        P = self.privacy
        parts: list[str] = []
        for x in c.contacts:
            parts.append(" ".join(p for p in (one_line(x.name), one_line(x.title), P.phone(x.phone),
                                              P.email(x.email)) if p))
        parts.append(self.member_name(c.owner))
        parts += [self.L.vocab("tag", t) for t in c.tags] + [self.L.vocab("risk", r) for r in c.risks]
        if clean(c.needs):
            parts.append(one_line(P.text(c.needs)))
        recent = self.config.site.search.recent_summaries
        newest = sorted(c.interactions, key=lambda i: (i.date or dt.date.min, i.line), reverse=True)[:recent]
        parts += [one_line(P.text(i.summary)) for i in newest]
        return [text for text in parts if text]

    # --- the index ------------------------------------------------------------------------------

    def index_rows(self, spelled: dict[str, tuple[str, str]] | None = None) -> dict[str, Any]:
        """The customers table as compact JSON: lookup tables once, then one short array per customer,
        in the order of the names' pinyin (phrase-aware: the city Changsha under C, not Z), which is the order
        the name column sorts in. ``spelled``: page src -> (pinyin, initials), when already computed.
        ``owner_keys``: what the filter box finds each owner by (handle, name, its pinyin and initials)."""
        owners = sorted({c.owner for c in self.customers})
        industries = sorted({c.industry for c in self.customers})
        stages = [*self.config.stages, "lost"]
        rows = []
        for c in sorted(self.customers, key=lambda c: (sort_key(c.name), c.name, c.id)):
            f = self.facts[c.id]
            full, initials = (spelled or {}).get(customer_src(c.id)) or pinyin_keys(c.name)
            rows.append([
                c.id, one_line(c.name), full, initials,
                CLASSES.index(f.klass) if f.klass in CLASSES else -1,
                stages.index(c.stage) if c.stage in stages else -1,
                STATUSES.index(f.status),
                owners.index(c.owner), industries.index(c.industry), one_line(c.region),
                f.last_contact.isoformat() if f.last_contact else "",
                f.due.date.isoformat() if f.due else "",
                self.errors_of(c),
            ])
        return {
            "classes": [self.L.klass(k) for k in CLASSES],
            "stages": [self.L.stage(s) for s in stages],
            "statuses": [self.L.status(s) for s in STATUSES],
            "owners": [self.member_name(o) for o in owners],
            "owner_keys": [" ".join((o, self.member_name(o), *pinyin_keys(self.member_name(o)))).casefold()
                           for o in owners],
            "industries": [self.L.vocab("industry", i) or i for i in industries],
            "errors_mark": self.L.t("problems.marked"),
            "rows": rows,
        }

    # --- the due page ---------------------------------------------------------------------------

    def due_items(self) -> list[dict[str, Any]]:
        """Every follow-up that is due, or becomes due within the soon window plus the rollover margin
        (kept hidden so a page viewed on a later day can show it)."""
        horizon = self.today + dt.timedelta(days=self.soon + self.config.site.due_rollover_days)
        items = []
        for c in self.customers:
            f = self.facts[c.id]
            # the follow-up, then the rhythms (re-verification, satisfaction follow-up), each with its reason
            for due in derive.owed(f):
                if due.date > horizon:
                    continue
                view = self.due_view(c, f, due)
                assert view is not None
                view.update({"id": c.id, "kind": due.reason if due.reason in derive.RHYTHM_REASONS else "followup",
                             "name": one_line(c.name), "src": customer_src(c.id), "owner": c.owner,
                             "owner_name": self.member_name(c.owner), "class_label": self.L.klass(f.klass),
                             "errors": self.errors_of(c), "log_url": self.log_url(c),
                             "shown": not view["hold"] and view["bucket"] != "later"})
                items.append(view)
        items.sort(key=lambda d: (d["date"], d["id"], d["reason"] in derive.RHYTHM_REASONS))
        return items

    def due_rows(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The due items as a salesperson works through them: one row per customer — whom to call (the primary
        contact and the number the page may show), its earliest date, and every reason it is owed."""
        by_customer: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            by_customer.setdefault(item["id"], []).append(item)
        customers = {c.id: c for c in self.customers}
        rows = []
        for cid, owed in by_customer.items():
            c = customers[cid]
            contact = next((x for x in c.contacts if x.primary), c.contacts[0] if c.contacts else None)
            first = owed[0]
            rows.append({"id": cid, "name": first["name"], "src": first["src"], "class_label": first["class_label"],
                         "owner": first["owner"], "owner_name": first["owner_name"], "errors": first["errors"],
                         "log_url": first["log_url"],
                         "date": first["date"], "bucket": first["bucket"], "bucket_label": first["bucket_label"],
                         "items": owed, "shown": any(i["shown"] for i in owed),
                         "contact": {"name": one_line(contact.name), "title": one_line(contact.title),
                                     "phone": self.privacy.phone(contact.phone),
                                     "tel": re.sub(r"[^\d+]", "", contact.phone or "")
                                     if contact.phone and not self.privacy.phones else ""} if contact else None})
        return rows

    def due_page(self) -> dict[str, Any]:
        items = self.due_items()
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            groups.setdefault(item["owner"], []).append(item)
        counts = self.figures.due  # the items shown above, counted once (kehu.core.figures)
        window = self.config.birthday_window_days
        return {
            "groups": [{"owner": o, "owner_name": self.member_name(o), "src": member_src(o),
                        "calendar": calendar_src(o), "items": groups[o], "rows": self.due_rows(groups[o]),
                        "shown": sum(1 for i in groups[o] if i["shown"])} for o in sorted(groups)],
            "owners": [(o, self.member_name(o)) for o in sorted(groups, key=lambda o: sort_key(self.member_name(o)))],
            "counts": {b: counts.get(b, 0) for b in BUCKETS},
            "dormant": self.dormant(),
            "birthdays": self.birthdays(window),
            "birthday_window": window,
        }

    def dormant(self) -> list[dict[str, Any]]:
        out = []
        for c in derive.revive_list(self.customers, self.facts):
            f = self.facts[c.id]
            out.append({"id": c.id, "name": one_line(c.name), "src": customer_src(c.id),
                        "owner_name": self.member_name(c.owner),
                        "last_contact": f.last_contact.isoformat() if f.last_contact else "",
                        "days": f.days_since_contact, "class_label": self.L.klass(f.klass)})
        return out

    def birthdays(self, window: int) -> list[dict[str, Any]]:
        margin = self.config.site.due_rollover_days
        out = []
        for c in self.customers:
            if c.stage == "lost":
                continue
            for contact, when in derive.upcoming_birthdays(c, self.today, window + margin):
                days = (when - self.today).days
                out.append({"contact": one_line(contact.name), "title": one_line(contact.title), "id": c.id,
                            "name": one_line(c.name), "src": customer_src(c.id),
                            "owner_name": self.member_name(c.owner), "date": when.isoformat(), "days": days,
                            "shown": days <= window})
        out.sort(key=lambda d: (d["date"], d["id"]))
        return out

    # --- reports ---------------------------------------------------------------------------------

    def funnel_page(self) -> dict[str, Any]:
        L = self.L
        f = self.figures.funnel
        return {
            "overall": self._funnel_rows(f),
            "chart": funnel_chart([(self.L.stage(s.stage), s.reached,
                                    f"{s.reached}" + (f" · {s.conversion:.0%}" if s.conversion is not None else ""))
                                   for s in f.stages], L.t("funnel")),
            "lost": f.lost,
            "lost_from": [(self.L.stage(s) if s != "?" else L.t("unknown"), n)
                          for s, n in sorted(f.lost_from.items(), key=lambda kv: -kv[1])],
            "total": f.total,
            "stages": [self.L.stage(s) for s in self.config.stages],
            "by_owner": [(self.member_name(k), self._funnel_rows(v))
                         for k, v in derive.funnel_by(self.customers, self.facts, self.config, "owner").items()],
            "by_source": [(L.vocab("source", k) if k else L.t("unknown"), self._funnel_rows(v))
                          for k, v in derive.funnel_by(self.customers, self.facts, self.config, "source").items()],
            "figures": self.figures.named(),
            "conversion_label": self.conversion_label(),
        }

    def forecast_page(self) -> dict[str, Any]:
        L = self.L
        fc = derive.forecast(self.customers, self.config, self.today)

        def sums(s: derive.PipelineSum) -> dict[str, Any]:
            return {"count": s.count, "amount": s.amount, "weighted": s.weighted}

        won: dict[str, dict[str, Any]] = {k: {"count": w.count, "amount": w.amount}
                                          for k, w in self.figures.won.items()}
        for now, before in (("this_month", "last_month"), ("this_quarter", "last_quarter")):
            won[now]["change"] = (won[now]["amount"] - won[before]["amount"]) / won[before]["amount"] \
                if won[before]["amount"] else None
        slipping = []
        for c, o in fc.slipping:
            slipping.append({"id": c.id, "name": one_line(c.name), "src": customer_src(c.id),
                             "opp": clean(o.id), "what": one_line(o.what), "amount": o.amount,
                             "stage_label": self.L.stage(o.stage),
                             "close": o.close.isoformat() if o.close else "",
                             "days": (self.today - o.close).days if o.close else 0,
                             "owner_name": self.member_name(derive.opp_owner(o, c))})
        return {
            "chart": column_chart([(k[2:], s.weighted, money_short(s.weighted, L)) for k, s in fc.months],
                                  L.t("forecast.by_month")),
            "months": [(k, sums(s)) for k, s in fc.months],
            "quarters": [(k, sums(s)) for k, s in fc.quarters],
            "total": sums(fc.total), "later": sums(fc.later), "overdue": sums(fc.overdue),
            "undated": sums(fc.undated), "pipeline": sums(self.figures.pipeline), "figures": self.figures.named(),
            "by_owner": [(self.member_name(k), sums(v)) for k, v in fc.by_owner.items()],
            "by_source": [(L.vocab("source", k) if k else L.t("unknown"), sums(v)) for k, v in fc.by_source.items()],
            "won": [(k, L.t(f"forecast.{k}"), won[k]) for k in ("this_month", "last_month", "this_quarter",
                                                               "last_quarter")],
            "slipping": slipping,
            # how weighting works, for the salespeople who read the page: the stages' chances, not a settings file
            "note": L.t("forecast.note", defaults=L.join(
                f"{L.stage(stage)} {chance:.0%}" for stage, chance in self.config.opportunities.probability.items()
                if stage in self.config.stages)),
        }

    def pool_page(self) -> dict[str, Any]:
        """The customer pool (gonghai): who is in it since when, and what each member holds against the cap."""
        rows = []
        for c in self.customers:
            since = derive.pool_since(c, self.config, self.today)
            if since is None:
                continue
            silent = derive.pool_reference(c, self.today)
            rows.append({"id": c.id, "name": one_line(c.name), "src": customer_src(c.id),
                         "former_owner": self.member_name(c.owner), "since": since.isoformat(),
                         "days": (self.today - since).days, "silent_since": silent.isoformat() if silent else "",
                         "stage_label": self.L.stage(c.stage),
                         "class_label": self.L.klass(self.facts[c.id].klass)})
        rows.sort(key=lambda r: (r["since"], r["id"]))
        held = derive.holdings(self.customers, self.config, self.today)
        cap = self.config.pool.cap
        members = [{"name": m.name, "handle": m.handle, "held": held.get(m.handle, 0), "cap": cap,
                    "full": bool(cap and held.get(m.handle, 0) >= cap)}
                   for m in (self.team.members if self.team else []) if m.active]
        return {"rows": rows, "members": members, "days": self.config.pool.days, "cap": cap}

    def _funnel_rows(self, f: derive.Funnel) -> dict[str, Any]:
        return {"stages": [{"stage": s.stage, "label": self.L.stage(s.stage), "reached": s.reached,
                            "current": s.current,
                            "conversion": s.conversion, "value": s.value} for s in f.stages],
                "lost": f.lost, "total": f.total}

    def satisfaction_page(self) -> dict[str, Any]:
        L = self.L
        months = self.config.site.chart_months
        s = derive.satisfaction(self.customers, self.today, months)
        cs = derive.complaint_stats(self.customers, self.today)
        return {
            "surveys": s.surveys,
            "dimensions": [(L.field(d, within="survey"), s.averages.get(d)) for d in SURVEY_DIMENSIONS],
            "overall": s.overall,
            "trend": column_chart([(k[2:], v or 0.0, f"{v:.1f}" if v is not None else "") for k, v, _ in s.trend],
                                  L.t("trend")),
            "complaints": cs.total,
            "by_status": [(L.vocab("complaint_status", k), cs.by_status.get(k, 0))
                          for k in self._vocab_keys("complaint_status")],
            "by_category": [(L.vocab("complaint_category", k) or L.t("not_recorded"), n)
                            for k, n in sorted(cs.by_category.items(), key=lambda kv: -kv[1])],
            "resolved": cs.resolved, "mean_days": cs.mean_days_to_resolve, "median_days": cs.median_days_to_resolve,
            "unresolved": [{**self._complaint(x), "id": c.id, "name": one_line(c.name), "src": customer_src(c.id),
                            "owner_name": self.member_name(c.owner), "days_open": days}
                           for c, x, days in cs.unresolved],
        }

    def _vocab_keys(self, name: str) -> list[str]:
        v = self.L.vocabularies.get(name)
        return v.keys() if v else []

    def dashboard(self, due: dict[str, Any], funnel: dict[str, Any], sat: dict[str, Any]) -> dict[str, Any]:
        """The dashboard: the book's figures (kehu.core.figures) as tiles, counts by class, stage and status."""
        L, fig = self.L, self.figures
        named = fig.named()
        months = self.config.site.chart_months
        per_month = derive.interactions_per_month(self.customers, self.today, months)
        classes = Counter(self.facts[c.id].klass for c in self.customers)
        stages = Counter(c.stage for c in self.customers)

        def tile(name: str, link: str, kind: str = "count", note: str = "", note_figure: str = "") -> dict[str, Any]:
            label = self.conversion_label() if name == "conversion" else L.t(f"figure.{name}", n=self.soon)
            return {"key": name, "figure": name, "value": named[name], "label": label, "link": link, "kind": kind,
                    "note": note, "note_figure": note_figure, "count": "",
                    "note_value": named[note_figure] if note_figure else None}

        won_count = fig.won["this_month"].count
        bucket_tiles = [tile("overdue", "due.md"), tile("today", "due.md"), tile("soon", "due.md")]
        for t in bucket_tiles:  # recounted in the browser on the viewer's date, as the due page is
            t["count"] = t["key"]
        kpis = [tile("customers", "customers.md"), *bucket_tiles, tile("dormant", "due.md"),
                {"key": "complaints", "figure": "", "value": len(sat["unresolved"]), "label": L.t("kpi.complaints"),
                 "link": "satisfaction.md", "kind": "count", "note": "", "note_figure": "", "note_value": None,
                 "count": ""},
                tile("pipeline_open", "forecast.md", "money",
                     L.words_of.counted("kpi.pipeline_opps", fig.pipeline.count), "pipeline_count"),
                tile("pipeline_weighted", "forecast.md", "money"),
                tile("won_this_month_amount", "forecast.md", "money",
                     L.words_of.counted("figure.won_count", won_count), "won_this_month_count"),
                tile("conversion", "funnel.md", "pct")]
        return {
            "kpis": kpis,
            # every owed item the due page carries (dates and quiet periods only): the tiles above are recounted from
            # them on the viewer's date, so the dashboard and the due page agree whatever day they are looked at
            "due_dates": [(i["date"], i["hold"]) for g in due["groups"] for i in g["items"]],
            "by_class": [(self.L.klass(k), classes.get(k, 0)) for k in CLASSES],
            "by_stage": [(self.L.stage(k), stages.get(k, 0)) for k in [*self.config.stages, "lost"]],
            "by_status": [(L.status(k), fig.statuses.get(k, 0)) for k in STATUSES],
            "per_month": column_chart([(k[2:], float(n), str(n)) for k, n in per_month], L.t("per_month", n=months)),
            "funnel": funnel["chart"],
        }

    # --- team --------------------------------------------------------------------------------------

    def team_pages(self, due: dict[str, Any]) -> list[dict[str, Any]]:
        window = self.config.site.discipline_days
        recorded = derive.interactions_by_member(self.customers, self.today, window)
        handles = list(self.members) + sorted({c.owner for c in self.customers} - set(self.members))
        due_by_owner = {g["owner"]: g for g in due["groups"]}
        pages = []
        for h in handles:
            m = self.members.get(h)
            mine = sorted((c for c in self.customers if c.owner == h), key=lambda c: (sort_key(c.name), c.id))
            pages.append({
                "handle": h, "name": self.member_name(h), "role": self.L.role(clean(m.role)) if m else "",
                "active": m.active if m else True, "src": member_src(h), "calendar": calendar_src(h),
                "figures": self.figures_of(h).named(), "interactions": recorded.get(h, 0), "window": window,
                "customers": [self._member_row(c) for c in mine],
                "due": due_by_owner.get(h, {"items": [], "rows": [], "shown": 0}),
            })
        return pages

    def _member_row(self, c: Customer) -> dict[str, Any]:
        f = self.facts[c.id]
        return {"id": c.id, "name": one_line(c.name), "src": customer_src(c.id),
                "class_label": self.L.klass(f.klass), "stage_label": self.L.stage(c.stage),
                "status": f.status, "status_label": self.L.status(f.status),
                "last_contact": f.last_contact.isoformat() if f.last_contact else "",
                "due": self.due_view(c, f)}

    # --- data problems ---------------------------------------------------------------------------------

    # --- the monthly review ------------------------------------------------------------------

    def review_page(self, reviews: list[Any]) -> dict[str, Any]:
        """The monthly reviews (``kehu.git.monthly.MonthReview``) as display rows, reasons in the team's words."""
        L, current = self.L, {c.id for c in self.customers}

        def pair(before: str | None, after: str | None, word: Any) -> str:
            def one(key: str | None) -> str:
                return word(key) if key else "—"

            return one(after) if before == after else f"{one(before)} → {one(after)}"

        sep = L.t("hint_sep")
        months = []
        for r in reviews:
            rows = [{"id": x.id, "name": one_line(x.name), "src": customer_src(x.id) if x.id in current else "",
                     "owner_name": self.member_name(x.owner),
                     "class": pair(x.class_before, x.class_after, self.L.klass),
                     "status": pair(x.status_before, x.status_after, L.status),
                     "why": sep.join(self.privacy.text(L.change(code, detail)) for code, detail in x.reasons)}
                    for x in r.changes]
            months.append({"month": r.month, "heading": L.t("review_month", month=r.month, start=r.start.isoformat(),
                                                            end=r.end.isoformat()), "rows": rows})
        return {"months": months}

    def problems_page(self, problems: list[Problem], skipped: list[tuple[str, str]]) -> dict[str, Any]:
        """Every problem of the book, and the files that are no customers (file, the name they give)."""
        rows = []
        for p in problems:
            _, view = forge_urls(self.config, p.file, p.line)
            rows.append({"severity": str(p.severity), "severity_label": self.L.t(f"severity.{p.severity}"),
                         "file": clean(p.file), "line": p.line, "col": p.col, "code": clean(p.code),
                         "message": self.privacy.quoted(p.message), "hint": self.privacy.quoted(p.hint),
                         "link": view})
        return {"rows": rows, "skipped": [(f, one_line(name), forge_urls(self.config, f)[1]) for f, name in skipped],
                "errors": sum(1 for p in problems if p.severity is Severity.ERROR),
                "warnings": sum(1 for p in problems if p.severity is Severity.WARNING)}


def money_short(value: float, words: Presenter) -> str:
    """A chart's bar label: 12.5 ten-thousands in Chinese, 125k in English; small amounts in full (8,000)."""
    unit = 1000 if words.en else 10000
    if value < unit:
        return f"{value:,.0f}"
    n = f"{value / unit:,.0f}" if words.en else f"{value / unit:.1f}".removesuffix(".0")
    return words.t("money.short", n=n)


__all__ = ["Assembler", "Chart", "CustomerView", "Privacy", "calendar_src", "customer_src", "forge_urls",
           "member_src"]
