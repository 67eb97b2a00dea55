"""THE wording object: how every derived fact, vocabulary value, field and team member reads — once, for the
site, the terminal, reviews and export alike.

``kehu.core.derive`` computes the facts (status, class, value level, interaction frequency, the due
follow-up and its bucket, days since the last contact, missing information); this module says
them in the team's language. The site (``site/data.py``, its templates as ``L``), every command
(``kehu show``, ``due``, ``history``, ``diff``, ``review`` …), the change descriptions of reviews
(:mod:`kehu.git.review`), export (spreadsheets and the calendar) and the site's calendar feeds all ask a
:class:`Presenter` — the one a repository has (:meth:`Presenter.of`) — so the same customer reads the same
everywhere.

Where the words come from:
- values of closed lists (stage, class, channel, source …), field names and team roles: the
  schema (``title`` / ``x-title-en``), so a team that extends its vocabulary sees its own labels;
- team members' names: team.yaml;
- the derived states kehu names itself (status, bucket, level, frequency, due reasons, relative
  dates, why a class changed): the catalogue (``data/catalogue/site.yaml``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from ..repo.schema import SchemaSet, Vocabulary, _is_vocab, _vocab_from, field_words, title_of
from ..util.problems import Problem, Severity
from ..words.catalogue import Locale
from .derive import BUCKETS, RHYTHM_REASONS, Due, Facts, due_bucket

# the audit trail of a file (kehu check --against, kehu forget): its own section, never "other fields"
AUDIT_FIELDS = ("corrections", "forgotten")
_MEMO_KEY = "presenter"  # where a repository keeps its wording object (Repo.memo)

if TYPE_CHECKING:
    from ..repo.config import Config
    from ..repo.model import Team
    from ..repo.repository import Repo

__all__ = ["BUCKETS", "Presenter"]


class Presenter:
    """The words of one locale for one repository's schema (and, for due reasons and buckets, its
    configuration: the cadence of a class, the soon window; for members, its team)."""

    def __init__(self, schemas: SchemaSet, locale: str | None, config: Config | None = None,
                 team: Team | None = None) -> None:
        self.words_of = Locale(locale)
        self.locale = self.words_of.code
        self.en = self.words_of.en
        self.config = config
        self.names = {h: m.name for h, m in team.handles.items()} if team is not None else {}
        self.vocabularies = schemas.vocabularies
        self._schema = schemas.raw["customer"]
        self._team_schema = schemas.raw.get("team", {})

    @classmethod
    def of(cls, repo: Repo) -> Presenter:
        """The repository's wording object, in the language it speaks (``repo.msgs``), built on first use and
        kept with the repository: every caller of one run shares it."""
        found = repo.memo.get(_MEMO_KEY)
        if not isinstance(found, Presenter):
            found = repo.memo[_MEMO_KEY] = cls(repo.schemas, repo.msgs.code, repo.config, repo.team)
        return found

    # --- plain words ---------------------------------------------------------------------------

    def t(self, key: str, **args: Any) -> str:
        return self.words_of.word(key, **args)

    def join(self, items: Any) -> str:
        return self.words_of.join(items)

    def colon(self, label: str, value: object) -> str:
        return self.words_of.colon(label, value)

    def aside(self, text: str, note: str) -> str:
        """``text (note)``, with full-width brackets in Chinese."""
        return self.t("with_detail", text=text, detail=note)

    # --- a customer's problems, as every output marks them ------------------------------------------

    def problems_mark(self, problems: Any) -> str:
        """How a customer with problems is marked in lists, tables and exports: '2 个错误、1 个警告';
        '' for none."""
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        warnings = sum(1 for p in problems if p.severity is Severity.WARNING)
        parts = ([self.words_of.counted("problems.errors", errors)] if errors else []) + \
            ([self.words_of.counted("problems.warnings", warnings)] if warnings else [])
        return self.join(parts)

    def errors_mark(self, errors: int) -> str:
        """The mark beside a customer's name in a terminal table: '⚠1 个错误' ('' for none)."""
        return f"⚠{self.words_of.counted('problems.errors', errors)}" if errors else ""

    def problem_line(self, p: Problem) -> str:
        """One problem of a customer, where it is: '第 9 行：owner：'lisa' 不是 team.yaml 中的成员'."""
        return self.t("problems.at_line", line=p.line, message=p.message)

    # --- the schema's labels ---------------------------------------------------------------------

    def vocab(self, name: str, key: str | None) -> str:
        if key is None or key == "":
            return ""
        v = self.vocabularies.get(name)
        return v.label(key, self.locale) if v else str(key)

    def field(self, name: str, within: str | None = None) -> str:
        """The schema title of a top-level field (or of a field of a ``$defs`` object)."""
        props = self._schema.get("properties", {})
        if within is not None:
            props = self._schema.get("$defs", {}).get(within, {}).get("properties", {})
        return title_of(props.get(name), self.locale, name)

    def field_path(self, path: str | tuple[str | int, ...]) -> str:
        """A field path as a reader says it, by the schema's titles: ``budget`` → 预算, ``contacts[0].phone``
        → 联系人第1条 · 手机 (Contacts 1 · Phone)."""
        return field_words(self._schema, path, self.locale)

    def stage(self, key: str | None, lost_from: str | None = None) -> str:
        """A lifecycle stage; a lost customer says the stage it was lost from."""
        label = self.vocab("stage", key)
        if key == "lost" and lost_from:
            return self.t("stage.lost_from", stage=label, before=self.vocab("stage", lost_from))
        return label

    def klass(self, key: str | None) -> str:
        return self.vocab("class", key)

    def class_of(self, facts: Facts, reason: str | None = None) -> str:
        """The class in force; one set by hand says why and what the rules would give."""
        label = self.klass(facts.klass)
        if not facts.class_overridden:
            return label
        note = self.t("hint_sep").join([self.colon(self.t("overridden"), reason or ""),
                                        self.colon(self.t("computed"), self.klass(facts.computed_class))])
        return self.aside(label, note)

    def who(self, handle: object) -> str:
        """A team member by name (a handle team.yaml does not know, as it is); nothing as the empty value."""
        if handle in (None, ""):
            return self.empty()
        return self.names.get(str(handle), str(handle))

    def member(self, handle: str | None) -> str:
        """A team member with their handle: 王芳（wangfang）; a handle team.yaml does not know, as it is."""
        if not handle:
            return ""
        name = self.names.get(handle)
        return self.aside(name, handle) if name is not None else handle

    def role(self, key: str | None) -> str:
        """A team member's role (team.schema.json's titles): ``manager`` → Manager."""
        if not key:
            return ""
        v = self._roles()
        return v.label(key, self.locale) if v else str(key)

    def _roles(self) -> Vocabulary | None:
        spec = self._team_schema.get("properties", {}).get("members", {}).get("items", {}) \
            .get("properties", {}).get("role")
        return _vocab_from("role", spec) if isinstance(spec, dict) and _is_vocab(spec) else None

    # --- derived states ----------------------------------------------------------------------------

    def status(self, key: str) -> str:
        return self.t(f"status.{key}")

    def level(self, key: str) -> str:
        return self.t(f"level.{key}")

    def frequency(self, key: str) -> str:
        return self.t(f"freq.{key}")

    @property
    def soon_days(self) -> int:
        return self.config.due_soon_days if self.config is not None else 7

    def bucket_of(self, date: dt.date, today: dt.date) -> str:
        return due_bucket(date, today, self.soon_days)

    def bucket(self, key: str) -> str:
        return self.t(f"bucket.{key}", n=self.soon_days) if key == "soon" else self.t(f"bucket.{key}")

    def due_reason(self, reason: str, action: str | None, klass: str | None, every: int | None = None) -> str:
        """Why an item is owed: the follow-up's reason, or a rhythm's (re-verification, survey)."""
        if reason in RHYTHM_REASONS:
            return self.t(f"reason.{reason}", days=every)
        if reason == "next_action":
            return self.colon(self.t("reason.next_action"), action or "") if action else self.t("reason.next_action")
        if reason == "cadence":
            days = self.config.cadence_days.of(klass or "") if self.config is not None else ""
            return self.t("reason.cadence", klass=self.klass(klass), days=days)
        if reason == "visit":
            days = self.config.visit_days.of(klass or "") if self.config is not None else ""
            return self.t("reason.visit", klass=self.klass(klass), days=days)
        return self.t(f"reason.{reason}")

    def due_reason_of(self, facts: Facts, due: Due | None = None, action: str | None = None) -> str:
        """Why ``due`` (the follow-up unless another item is given) is owed; ``action``: the planned
        action as the reader may see it (masked), when not the one recorded."""
        due = due or facts.due
        if due is None:
            return ""
        return self.due_reason(due.reason, action if action is not None else due.action, facts.klass, due.every)

    def change(self, code: str, detail: str) -> str:
        """Why a class or status changed (the monthly review), with what the reason names when known."""
        if not detail and self.words_of.has(f"change.{code}.bare"):
            return self.t(f"change.{code}.bare")
        return self.t(f"change.{code}", detail=detail) if "{detail}" in self.words_of.word(f"change.{code}") \
            else self.t(f"change.{code}")

    def value_level_of(self, facts: Facts) -> str:
        """The value level with the annual value it comes from: 高（180,000 元/年）; 低（暂无成交） without a deal."""
        if not facts.annual_value:
            return self.t("value.none", level=self.level(facts.value_level))
        return self.t("show.value_amount", level=self.level(facts.value_level), amount=f"{facts.annual_value:,.0f}")

    def frequency_of(self, facts: Facts) -> str:
        """The interaction frequency with its count: 中频（近 30 天 2 次）."""
        window = self.config.frequency.window_days if self.config is not None else 30
        return self.t("show.frequency_count", freq=self.frequency(facts.frequency), window=window,
                      n=facts.recent_interactions)

    # --- dates ---------------------------------------------------------------------------------------

    def days_ago(self, n: int) -> str:
        """How long ago, in days: today, yesterday, 3 days ago (ahead: tomorrow, in 3 days)."""
        if n == 0:
            return self.t("rel.today")
        if n == 1:
            return self.t("rel.yesterday")
        if n == -1:
            return self.t("rel.tomorrow")
        if n < 0:
            return self.t("in_days", n=-n)
        return self.t("days_ago", n=n)

    def relative(self, date: dt.date, today: dt.date) -> str:
        return self.days_ago((today - date).days)

    def last_contact(self, facts: Facts) -> str:
        """The last contact with how long ago it was: ``2024-05-20 (12 days ago)``, or never; the previous
        system's record says so (``2024-05-20 (12 days ago, as the previous system recorded it)``)."""
        if facts.last_contact is None:
            return self.t("never")
        text = facts.last_contact.isoformat()
        if facts.days_since_contact is None:
            return self.aside(text, self.t("last_contact.imported")) if facts.last_contact_imported else text
        ago = self.days_ago(facts.days_since_contact)
        if facts.last_contact_imported:
            ago = self.t("last_contact.imported_ago", ago=ago)
        return self.aside(text, ago)

    def industry(self, key: str | None) -> str:
        """An industry as a profile shows it: its GB/T code and label (I65 软件和信息技术服务业), or the label alone
        for a value that is no code (待确认)."""
        label = self.vocab("industry", key)
        if not key or not re.fullmatch(r"[A-Z][0-9]{0,4}", str(key)):
            return label or str(key or "")
        return f"{key} {label}"

    # --- lists ------------------------------------------------------------------------------------------

    def missing(self, facts: Facts) -> str:
        """The information still to collect, by the fields' names, as one list."""
        return self.join(self.field_path(m.field) for m in facts.missing)

    def empty(self) -> str:
        """What an empty value reads as (history, change descriptions)."""
        return self.t("empty_value")

    def own_fields(self, extra: dict[str, Any]) -> list[tuple[str, str]]:
        """A team's own fields (added to its schema): their titles and values as text, in file order."""
        return [(self.field(key), self.plain(value)) for key, value in extra.items()
                if key not in AUDIT_FIELDS and value not in (None, "", [], {})]

    def plain(self, value: Any) -> str:
        """A value of a team's own field as one line of text."""
        if isinstance(value, dict):
            return self.join(self.colon(str(k), self.plain(v)) for k, v in value.items())
        if isinstance(value, list):
            return self.join(self.plain(v) for v in value)
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return "" if value is None else str(value)
