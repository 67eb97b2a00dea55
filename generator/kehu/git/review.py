"""Changes in business words, in the team's language: 客户阶段：报价 → 谈判, 新增跟进：2024-05-21 电话 王芳：…

``kehu diff`` (a pull request), ``kehu history`` (one customer through its commits) and the
append-only check speak of changes the same way, so a reviewer reads in every place what
the profile page shows: field titles and value labels from the schema, team members by name,
phones and emails masked unless asked for the internal view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

from ..book.versions import version
from ..core.approval import Trigger, triggers
from ..core.changes import MISSING, Change
from ..core.identity import PROTECTED
from ..core.present import Presenter
from ..core.privacy import Known, mask_email, mask_handle, mask_in_text, mask_phone
from ..repo.repository import Repo
from ..words.catalogue import every_language

if TYPE_CHECKING:
    from ..repo.gitinfo import FilePair

SUMMARY_CHARS = 60
FORGOTTEN_MARKS = every_language("chg.forget_word")  # what `kehu forget` writes where a person's name was


@dataclass(slots=True)
class Phrase:
    kind: str        # set | add | remove | edit | resolved | rename | created | deleted …
    text: str
    field: str = ""
    past: bool = False   # changes a past record (removal or rewrite of history)


def _ref_name(spec: Any) -> str | None:
    """The ``$defs`` name a property refers to (directly, through anyOf, or for its items)."""
    if not isinstance(spec, dict):
        return None
    if isinstance(spec.get("$ref"), str):
        ref: str = spec["$ref"].rsplit("/", 1)[-1]
        return ref
    for alt in spec.get("anyOf") or []:
        name = _ref_name(alt)
        if name:
            return name
    return _ref_name(spec.get("items")) if isinstance(spec.get("items"), dict) else None


class ChangeDescriber:
    """How one repository's changes are said, masked unless ``internal``. Every word — field titles, value
    labels, members' names, the catalogue's phrases — comes from the repository's wording object
    (``words``, :meth:`kehu.core.present.Presenter.of`); this class only puts them together."""

    def __init__(self, repo: Repo, internal: bool = False) -> None:
        self.words = Presenter.of(repo)
        self.internal = internal
        self.schema = repo.schemas.raw["customer"]
        self.known: Known | None = None  # the contact details of the versions described, masked wherever repeated

    def knowing(self, versions: list[Any]) -> None:
        """Mask the contact details of these customer versions (raw mappings) wherever they are repeated."""
        if not self.internal:
            self.known = Known.of(v for v in versions if isinstance(v, dict))

    # --- names of things ---------------------------------------------------------------------------

    def _spec(self, name: str, within: str | None) -> Any:
        props = self.schema.get("properties", {})
        if within is not None:
            props = self.schema.get("$defs", {}).get(within, {}).get("properties", {})
        return props.get(name)

    def entry_def(self, field: str) -> str | None:
        """The ``$defs`` record of a list field: interactions → interaction."""
        return _ref_name(self._spec(field, None))

    def value(self, v: Any, name: str = "", within: str | None = None) -> str:
        """One value as the profile page shows it."""
        if v is MISSING or v is None or v == "" or v == []:
            return self.words.empty()
        ref = _ref_name(self._spec(name, within)) if name else None
        if ref == "handle":
            return self.words.who(v)
        if ref and ref in self.words.vocabularies:
            if isinstance(v, list):
                return self.words.join(self.words.vocab(ref, str(x)) for x in v)
            return self.words.vocab(ref, str(v))
        if not self.internal and name == "phone":
            return mask_phone(str(v))
        if not self.internal and name == "email":
            return mask_email(str(v))
        if not self.internal and name == "wechat":
            return mask_handle(str(v))
        if isinstance(v, dict):
            inner = _ref_name(self._spec(name, within)) if name else None
            return " ".join(self.value(x, k, inner) for k, x in v.items() if x not in (None, ""))
        if isinstance(v, list):
            return self.words.join(self.value(x) for x in v)
        if isinstance(v, bool):
            return "✓" if v else "✗"
        text = " ".join(str(v).split())
        if not self.internal:  # a phone or email typed into free text is masked like the contact fields
            text = mask_in_text(text, known=self.known)
        return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"

    def entry(self, field: str, x: Any) -> str:
        """One list entry in a line: '2024-05-21 电话 王芳：沟通二期报价…'."""
        d = self.entry_def(field)
        if not isinstance(x, dict):
            return self.value(x, field)

        def v(k: str) -> str:
            return self.value(x.get(k), k, d)

        colon = self.words.t("colon")
        if field == "interactions":
            head = f"{x.get('date')} {v('channel')} {v('by')}"
            return f"{head}{colon}{v('summary')}"
        if field == "complaints":
            cat = f" {v('category')}" if x.get("category") else ""
            extra = f"{self.words.t('sep')}{v('result')}" if x.get("result") else ""
            return self.words.aside(f"{x.get('date')}{cat}{colon}{v('content')}", f"{v('status')}{extra}")
        if field == "surveys":
            scores = [f"{self.words.field(k, d)} {x[k]}" for k in ("quality", "attitude", "response", "after_sales")
                      if x.get(k) is not None]
            comment = f"{colon}{v('comment')}" if x.get("comment") else ""
            return f"{x.get('date')} " + self.words.join(scores) + comment
        if field == "deals":
            parts = [str(x["contract"])] if x.get("contract") else []
            parts.append(v("product"))
            if x.get("amount") is not None:
                amount = x["amount"]
                parts.append(self.words.t("chg.amount", amount=f"{amount:,}" if isinstance(amount, (int, float))
                                          else amount))
            if x.get("signed"):
                parts.append(self.words.t("chg.signed", date=x["signed"]))
            return " ".join(parts)
        if field == "contacts":
            return " ".join(v(k) for k in ("name", "title", "phone", "email") if x.get(k))
        if field == "opportunities":
            head = self.words.aside(v("what"), str(x.get("id") or "")) if x.get("id") else v("what")
            amount = x.get("amount")
            parts = [head, v("stage")]
            if amount is not None:
                parts.append(self.words.t("chg.amount", amount=f"{amount:,}" if isinstance(amount, (int, float))
                                          else amount))
            if x.get("close"):
                parts.append(self.words.t("chg.closing", date=x["close"]))
            if x.get("owner"):
                parts.append(self.words.colon(self.words.field("owner", d), v("owner")))
            return " ".join(parts)
        return " ".join(self.value(val, k, d) for k, val in x.items() if val not in (None, ""))

    def which(self, field: str, x: Any) -> str:
        """Which entry an edit changed, briefly: a contact by name, an opportunity by what it is and its id."""
        if not isinstance(x, dict):
            return self.value(x, field)
        if field == "contacts":
            return self.value(x.get("name"))
        if field == "opportunities":
            what = self.value(x.get("what"))
            return self.words.aside(what, str(x.get("id"))) if x.get("id") else what
        return self.entry(field, x)

    def trigger(self, t: Trigger) -> str:
        """An approval rule a change triggers, in words: 需经理审批：已签约客户退回到 谈判."""
        w, v = self.words, t.values
        if t.rule == "won_moved_back":
            detail = w.t("approval.rule.won_moved_back", stage=w.stage(v[1]))
        elif t.rule == "lost":
            detail = w.t("approval.rule.lost", stage=w.stage(v[0]) if v[0] else w.empty())
        elif t.rule == "class_override":
            detail = w.t("approval.rule.class_override", klass=w.klass(v[0]))
        elif t.rule == "deal_above":
            detail = w.t("approval.rule.deal_above", deal=self.value(v[0]), amount=f"{float(v[1]):,.0f}",
                         limit=f"{float(v[2]):,.0f}")
        elif t.rule == "owner_change":
            detail = w.t("approval.rule.owner_change", old=w.who(v[0]), new=w.who(v[1]))
        else:
            detail = w.t(f"approval.rule.{t.rule}")
        return w.t("approval.needs", rule=detail)

    def what(self, field: str) -> str:
        """The kind of entry, for 'added …': 跟进记录, Interactions."""
        return self.words.field(field)

    # --- phrases -----------------------------------------------------------------------------------

    def phrases(self, changes: list[Change]) -> list[Phrase]:
        w, words = self.words.t, self.words
        out: list[Phrase] = []
        resolved: set[int] = set()
        edits: dict[tuple[str, int], list[Change]] = {}
        for c in changes:
            if c.kind == "edit":
                edits.setdefault((c.field, c.index), []).append(c)
        for (field, _), group in edits.items():
            after, before = group[0].after, group[0].before
            if field == "complaints" and before.get("status") != "resolved" and after.get("status") == "resolved":
                resolved.update(id(c) for c in group)
                out.append(Phrase("resolved", w("chg.resolved", entry=self.entry(field, after)), field))
        for c in changes:
            if id(c) in resolved:
                continue
            if c.kind == "set":
                if c.field == "name":
                    out.append(Phrase("rename", w("chg.renamed", old=self.value(c.old), new=self.value(c.new)),
                                      c.field))
                else:
                    out.append(Phrase("set", w("chg.set", field=words.field(c.field),
                                                    old=self.value(c.old, c.field), new=self.value(c.new, c.field)),
                                      c.field))
            elif c.kind == "add" and c.field == "corrections" and isinstance(c.new, dict):
                what = f"{words.field(str(c.new.get('field')))} {c.new.get('entry')}"
                out.append(Phrase("corrected", w("chg.corrected", entry=what, by=words.who(c.new.get("by")),
                                                      reason=self.value(c.new.get("reason"))), c.field))
            elif c.kind == "add" and c.field == "forgotten" and isinstance(c.new, dict):
                out.append(Phrase("erased", w("chg.tombstone", by=words.who(c.new.get("by")),
                                                   reason=self.value(c.new.get("reason"))), c.field))
            elif c.kind == "add":
                out.append(Phrase("add", w("chg.add", what=self.what(c.field), entry=self.entry(c.field, c.new)),
                                  c.field))
            elif c.kind == "remove":
                out.append(Phrase("remove", w("chg.remove", what=self.what(c.field),
                                                   entry=self.entry(c.field, c.old)), c.field,
                                  past=c.field in PROTECTED and is_past_record(c.field, c.old)))
            elif c.kind == "edit":
                d = self.entry_def(c.field)
                shown = self.which(c.field, c.before)
                out.append(Phrase("edit", w("chg.edit", what=self.what(c.field), entry=shown,
                                                 field=words.field(c.sub, d), old=self.value(c.old, c.sub, d),
                                                 new=self.value(c.new, c.sub, d)), c.field,
                                  past=c.field in PROTECTED and is_past_record(c.field, c.before)))
        return out


def is_past_record(field: str, item: Any) -> bool:
    """Whether an entry belongs to the record of what happened, which is never rewritten silently: every
    interaction and survey, a resolved complaint (an open one is still being worked on), a signed deal."""
    if not isinstance(item, dict):
        return False
    if field in ("interactions", "surveys"):
        return True
    if field == "complaints":
        return item.get("status") == "resolved"
    if field == "deals":
        return bool(item.get("signed"))
    return False



# every ASCII character Markdown gives a meaning to, & included: "&commat;" and "&#64;" would render as @
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+|~!&])")
# what would render as a mention, however typed: @, full-width ＠, small ﹫ (a word joiner after it keeps it text)
_AT = re.compile("[@\uff20\ufe6b]")
# what GitHub turns into a link by itself: a scheme and "//" (https://…), www., mailto: and xmpp:
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|xmpp)(?=:)|(www)(?=\.)")
# bidirectional controls reorder what is read ("\u202e霞李" shows as 李霞): shown as � instead
_LINE_BREAK = re.compile("[\r\n\u2028\u2029\x0b\x0c\x85]+")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def md(text: str) -> str:
    """Customer data, team names and commit authors as literal Markdown text (the review comment, and what
    ``kehu intake`` says on an issue and a pull request): no links (a URL in business text is shown as text),
    images, HTML, tables, entities or @mentions — however the @ is encoded."""
    text = _BIDI.sub("\ufffd", _LINE_BREAK.sub(" ", text))  # one line: a break could open a block of its own
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _AUTOLINK.sub(lambda m: m.group() + "\u2060", text)
    return _AT.sub(lambda m: m.group() + "\u2060", text)


def code(text: str) -> str:
    """``text`` as one inline code span, whatever backticks it holds (a branch name may hold some)."""
    text = _BIDI.sub("\ufffd", " ".join(text.split()))
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""  # CommonMark strips one space each side
    return f"{fence}{pad}{text}{pad}{fence}"


# --- a whole range of changes, customer by customer -------------------------------------------------


@dataclass(slots=True)
class CustomerReview:
    id: str
    name: str
    path: str | None                 # the file (a deleted one: its old name)
    status: str                      # created | changed | deleted | merged | forgotten
    phrases: list[Phrase]
    authors: list[str]
    merged_into: str = ""
    approvals: list[Trigger] = dc_field(default_factory=list)   # the approval rules this change triggers
    approval_texts: list[str] = dc_field(default_factory=list)  # the same, in words (ChangeDescriber.trigger)

    @property
    def past_changes(self) -> int:
        return sum(1 for p in self.phrases if p.past)


def _load(repo: Repo, path: str | None, raw: bytes | None) -> tuple[dict[str, Any] | None, str]:
    v = version(repo, path, raw)
    return v.data, v.problem


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _moves(pairs: list[FilePair]) -> list[FilePair]:
    """A file deleted and one added under another name with the same id (C1.yml → C1.yaml) is one customer
    whose file moved: ids are never reused, so the id says it is the same customer."""
    from ..repo.gitinfo import FilePair

    def ident(raw: bytes | None) -> str | None:
        found = re.search(rb"^id:[ \t]*['\"]?([^'\"\s#]+)", raw or b"", re.M)
        return found.group(1).decode("utf-8", "replace") if found else None

    added = {ident(p.new_raw): p for p in pairs if p.old_path is None and ident(p.new_raw)}
    out, used = [], set()
    for p in pairs:
        if p.new_path is None and p.old_path and ident(p.old_raw) in added:
            new = added[ident(p.old_raw)]
            used.add(id(new))
            out.append(FilePair(p.old_path, new.new_path, p.old_raw, new.new_raw))
        else:
            out.append(p)
    return [p for p in out if id(p) not in used]


def review(repo: Repo, pairs: list[FilePair], authors: dict[str, list[str]], internal: bool = False,
           forgotten: dict[str, str] | None = None) -> list[CustomerReview]:
    """What each changed customer file means, in words (pairs from ``gitinfo.changed_customer_files``);
    *forgotten*: id -> reason of the customers `kehu forget` erased."""
    from ..core.changes import diff
    from ..core.identity import identity_of

    describe = ChangeDescriber(repo, internal)
    words, w = describe.words, describe.words.t
    order = repo.schemas.field_order()
    loaded = [(p, *_load(repo, p.old_path, p.old_raw), *_load(repo, p.new_path, p.new_raw)) for p in _moves(pairs)]
    describe.knowing([side for entry in loaded for side in (entry[1], entry[3])])
    # interactions and contacts each changed customer gained: a deleted customer whose records all went to
    # one of them was merged into it (kehu merge)
    gained: dict[str, set[Any]] = {}
    for _p, old, _, new, _ in loaded:
        if new is not None:
            before = {identity_of(f, x) for f in ("interactions", "contacts") for x in (old or {}).get(f) or []}
            gained[str(new.get("id"))] = {identity_of(f, x) for f in ("interactions", "contacts")
                                          for x in new.get(f) or []} - before
    out: list[CustomerReview] = []
    for p, old, old_broken, new, new_broken in loaded:
        data = new or old or {}
        ident = str(data.get("id") or _stem(p.new_path or p.old_path or ""))  # (a pair has a side)
        name = describe.value(data.get("name")) if data.get("name") else ident
        who = [words.who(a) if a in words.names else a for a in authors.get(p.new_path or p.old_path or "", [])]
        if old_broken or new_broken:
            phrases = [Phrase("unreadable", w("chg.unreadable", detail=new_broken or old_broken))]
            out.append(CustomerReview(ident, name, p.new_path or p.old_path, "changed", phrases, who))
            continue
        if new is None:
            records = {identity_of(f, x) for f in ("interactions", "contacts") for x in (old or {}).get(f) or []}
            into = next((k for k, got in gained.items() if records and records <= got), "") if records else ""
            if forgotten and ident in forgotten:
                status, phrases = "forgotten", [Phrase("forgotten", w(
                    "chg.forgotten", reason=describe.value(forgotten[ident])))]
            elif into:
                target = next((n[3] for n in loaded if n[3] is not None and str(n[3].get("id")) == into), None)
                shown = describe.value(target.get("name")) if target is not None else ""
                into_words = words.aside(shown, into) if shown else into
                status, phrases = "merged", [Phrase("merged", w("chg.merged", into=into_words))]
            else:
                status, phrases = "deleted", [Phrase("deleted", w("chg.deleted"), past=any(
                    is_past_record(f, x) for f in PROTECTED for x in (old or {}).get(f) or []))]
            out.append(CustomerReview(ident, name, p.old_path, status, phrases, who, into))
            continue
        changes = diff(old, new, order)
        if old is None:
            phrases = [Phrase("created", w("chg.created", stage=describe.value(new.get("stage"), "stage"),
                                                 owner=describe.value(new.get("owner"), "owner")))]
            for field in PROTECTED:  # a new customer's records: one line each, or a count for a long list
                added = [c for c in changes if c.kind == "add" and c.field == field]
                items = [c.new for c in added]
                if len(items) == 1:
                    phrases += describe.phrases(added)
                elif items:
                    dates = sorted(str(x.get("date") or x.get("signed") or "") for x in items if isinstance(x, dict))
                    phrases.append(Phrase("add", w("chg.created_list", what=describe.what(field), n=len(items),
                                                         first=dates[0] if dates else "", last=dates[-1] if dates
                                                         else ""), field))
            out.append(CustomerReview(ident, name, p.new_path, "created", phrases, who))
            continue
        phrases = []
        if p.old_path and p.new_path and p.old_path != p.new_path:
            phrases.append(Phrase("moved", w("chg.moved", old=p.old_path, new=p.new_path)))
        phrases += describe.phrases(changes)
        if not phrases:
            phrases = [Phrase("format", w("chg.format"))]
        out.append(CustomerReview(ident, name, p.new_path, "changed", phrases, who))
    rules, stages = repo.config.approval.rules, repo.config.stages
    if rules:
        sides = {(p.new_path or p.old_path): (old, new) for p, old, old_broken, new, new_broken in loaded
                 if not (old_broken or new_broken)}
        for r in out:
            old, new = sides.get(r.path, (None, None))
            if old is not None or new is not None:
                r.approvals = triggers(rules, r.id, old, new, stages)
                r.approval_texts = [describe.trigger(x) for x in r.approvals]
    return sorted(out, key=lambda r: r.id)


def range_reviews(repo: Repo, spec: str | None, internal: bool) -> tuple[list[CustomerReview], str]:
    """The reviews of a range and how the range is written in the summary."""
    from ..repo.gitinfo import authors_of_files, changed_customer_files, is_git_repo, resolve_range
    from ..util.errors import CommandError, refuse
    from .forget import forgotten_ids

    if not is_git_repo(repo.root):
        raise refuse(repo.msgs, "cli-not-git", root=repo.root.name)
    try:
        base, head = resolve_range(repo.root, spec)
    except ValueError as e:
        raise refuse(repo.msgs, "cli-bad-revision", rev=str(e)) from None
    try:
        pairs = changed_customer_files(repo.root, base, head)
    except (OSError, ValueError) as e:
        raise CommandError(str(e)) from None
    authors = authors_of_files(repo.root, base, head, repo.team)
    label = spec or f"{base[:7]}...{Presenter.of(repo).t('chg.uncommitted')}"
    return review(repo, pairs, authors, internal, forgotten_ids(repo, head)), label
