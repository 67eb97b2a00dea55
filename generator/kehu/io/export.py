"""``kehu export``: the repository as csv, xlsx, json, ics or sqlite.

The spreadsheet formats hold one table per kind of record — customers, contacts,
interactions, deals, surveys, complaints — with the schema's titles as headers
(Chinese by default, English with ``locale: en``) and labels instead of keys
(the stage's title, not its key), so people can read them; ``columns`` recognises every one of those
headers and labels, so an export imports back to the same customer files. Columns
marked "(auto)" are facts kehu computes (status, class, next due date); they
are there to read and are ignored on import.

json is one document described by ``schema/export.schema.json``; ics holds the due
follow-ups (``kehu.core.derive``); sqlite has tables with foreign keys that any SQL tool,
datasette or a PostgreSQL import can use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..core.derive import Due, Facts
from ..core.present import Presenter
from ..core.privacy import Masking
from ..repo.model import Customer
from ..repo.repository import Repo
from ..util.atomic import atomic_write, replacing
from ..util.problems import Problem
from ..words.catalogue import Locale
from .cells import to_cell
from .columns import CHILD, LIST_OF

FORMATS = ("csv", "xlsx", "json", "ics", "sqlite")
SUFFIX = {"csv": "", "xlsx": ".xlsx", "json": ".json", "ics": ".ics", "sqlite": ".sqlite"}
EXPORT_FORMAT = "kehu-export"
EXPORT_VERSION = 1

# the columns of each child table, in order (after the customer's id and name)
CHILD_PATHS: dict[str, tuple[str, ...]] = {
    "contacts": ("contact.name", "contact.title", "contact.phone", "contact.email", "contact.wechat",
                 "contact.birthday", "contact.primary"),
    "interactions": ("interaction.date", "interaction.channel", "interaction.by", "interaction.contact",
                     "interaction.summary", "interaction.outcome"),
    "deals": ("deal.contract", "deal.product", "deal.amount", "deal.signed", "deal.opportunity"),
    "opportunities": ("opportunity.id", "opportunity.what", "opportunity.amount", "opportunity.close",
                      "opportunity.stage", "opportunity.probability", "opportunity.owner", "opportunity.created",
                      "opportunity.closed", "opportunity.lost_reason", "opportunity.note"),
    "surveys": ("survey.date", "survey.quality", "survey.attitude", "survey.response", "survey.after_sales",
                "survey.comment"),
    "complaints": ("complaint.date", "complaint.category", "complaint.content", "complaint.handler",
                   "complaint.status", "complaint.resolved", "complaint.result"),
}
DERIVED_COLUMNS = ("derived.status", "derived.class", "derived.value_level", "derived.frequency",
                   "derived.last_contact", "derived.due_date", "derived.due_reason", "derived.errors")
# which vocabulary a field's value is a key of (shown as its label)
VOCAB_OF = {"stage": "stage", "lost_from": "stage", "source": "source", "size": "size", "class": "class",
            "tags": "tag", "risks": "risk", "interaction.channel": "channel",
            "complaint.category": "complaint_category", "complaint.status": "complaint_status",
            "opportunity.stage": "stage", "opportunity.lost_reason": "lost_reason"}


@dataclass
class Table:
    kind: str
    title: str                                  # sheet name / file stem
    columns: list[tuple[str, str]]              # (path, header)
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class ExportSet:
    repo: Repo
    customers: list[Customer]
    facts: dict[str, Facts]
    lang: str
    mask: bool = False
    skipped: list[str] = field(default_factory=list)      # customer files that are no customers (not exported)
    errors: dict[str, tuple[Problem, ...]] = field(default_factory=dict)  # customer id -> its errors (marked)

    @property
    def today(self) -> dt.date:
        return self.repo.config.today

    @cached_property
    def words(self) -> Presenter:
        """How derived facts read: the same words as the site and `kehu show` (``kehu.core.present``)."""
        if self.lang == self.repo.msgs.lang:
            return Presenter.of(self.repo)
        return Presenter(self.repo.schemas, self.lang, self.repo.config, self.repo.team)  # --locale: another language

    @property
    def masking(self) -> Masking:
        """``--mask`` exports for a wide audience: the one policy of the site and `kehu show --mask`."""
        return Masking.of(self.repo.config, wide=self.mask)


def collect(repo: Repo, owner: str | None = None, lang: str | None = None, mask: bool = False) -> ExportSet:
    """Every customer of the book — with its errors marked — and its derived facts, from the one loader; the
    files that are no customers are listed as skipped. Facts are derived from the whole team even when
    ``owner`` narrows the export (the core class depends on the team's revenue)."""
    from ..book.loader import open_book

    book = open_book(repo)
    customers = book.customers
    facts = book.facts
    if mask:  # masked once, here, so that no writer can miss a field (free text and what derives from it)
        masking = Masking.of(repo.config, wide=True).knowing(customers)
        customers = [masking.customer(c) for c in customers]
        facts = {cid: masking.facts(f) for cid, f in facts.items()}
    chosen = [c for c in customers if owner is None or c.owner == owner]
    chosen.sort(key=lambda c: c.id)
    errors = {e.id: e.errors for e in book.entries if e.customer is not None and e.errors}
    return ExportSet(repo, chosen, facts, lang or repo.msgs.lang, mask,
                     book.unreadable_names, errors)


def members(es: ExportSet) -> list[Any]:
    """The team as exported: with --mask, members' emails are masked like the customers' contacts."""
    team = es.repo.team
    out = list(team.members if team else [])
    if es.mask:
        import dataclasses

        masking = es.masking
        out = [dataclasses.replace(m, email=masking.email(m.email) if m.email else m.email) for m in out]
    return out


# --- tables ------------------------------------------------------------------------------------


def header(es: ExportSet, path: str, kind: str) -> str:
    words = Locale(es.lang)
    if words.has(f"col.{path}"):
        return words.word(f"col.{path}")
    if kind != "customers" and path in ("id", "name"):
        return words.word(f"ref.{path}")
    schema = es.repo.schemas.raw["customer"]
    if "." in path:
        prefix, _, name = path.partition(".")
        prop = schema.get("$defs", {}).get(prefix, {}).get("properties", {}).get(name, {})
    else:
        prop = schema.get("properties", {}).get(path, {})
    return str(prop.get("x-title-en" if es.lang == "en" else "title") or path)


def customer_paths(es: ExportSet) -> list[str]:
    paths = []
    for key in es.repo.schemas.raw["customer"].get("properties", {}):
        if key in LIST_OF.values():
            continue
        if key == "next_action":
            paths += ["next_action.date", "next_action"]
        else:
            paths.append(key)
    return paths


def tables(es: ExportSet, derived: bool = True) -> list[Table]:
    out = []
    paths = customer_paths(es) + (list(DERIVED_COLUMNS) if derived else [])
    t = Table("customers", Locale(es.lang).word("kind.customers"), [(p, header(es, p, "customers")) for p in paths])
    for c in es.customers:
        t.rows.append([customer_value(es, c, p) for p in paths])
    out.append(t)
    for kind, child_paths in CHILD_PATHS.items():
        cols = [("id", header(es, "id", kind)), ("name", header(es, "name", kind))]
        cols += [(p, header(es, p, kind)) for p in child_paths]
        t = Table(kind, Locale(es.lang).word(f"kind.{kind}"), cols)
        list_key = CHILD[kind][1]
        for c in es.customers:
            for item in c.raw.get(list_key) or []:
                t.rows.append([c.id, c.name] + [item_value(es, p, item) for p in child_paths])
        out.append(t)
    return out


def _label(es: ExportSet, vocab: str, key: Any) -> Any:
    v = es.repo.schemas.vocabularies.get(vocab)
    return v.label(key, es.lang) if v is not None and isinstance(key, str) else key


def _date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def customer_value(es: ExportSet, c: Customer, path: str) -> Any:
    raw = c.raw
    if path.startswith("derived."):
        return derived_value(es, c, path[len("derived."):])
    if path == "next_action.date":
        return _date((raw.get("next_action") or {}).get("date"))
    if path == "next_action":
        return (raw.get("next_action") or {}).get("action")
    value = raw.get(path)
    if value is None:
        return None
    if path == "industry":
        return f"{value} {_label(es, 'industry', value)}"
    if path in VOCAB_OF:
        if isinstance(value, list):
            return es.words.join(str(_label(es, VOCAB_OF[path], v)) for v in value)
        return _label(es, VOCAB_OF[path], value)
    prop = es.repo.schemas.raw["customer"].get("properties", {}).get(path, {})
    if prop.get("format") == "date":
        return _date(value)
    if isinstance(value, list):
        return es.words.join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return Locale(es.lang).word("yes" if value else "no")
    return value


def item_value(es: ExportSet, path: str, item: dict[str, Any]) -> Any:
    name = path.partition(".")[2]
    value = item.get(name)
    if value is None:
        return None
    if path == "contact.primary":
        return Locale(es.lang).word("yes" if value else "no")
    if path in VOCAB_OF:
        return _label(es, VOCAB_OF[path], value)
    if name in ("date", "signed", "resolved", "close", "created", "closed"):
        return _date(value)
    return value


def derived_value(es: ExportSet, c: Customer, name: str) -> Any:
    f = es.facts.get(c.id)
    if f is None:
        return None
    if name == "status":
        return es.words.status(f.status)
    if name == "class":
        return es.words.klass(f.klass)
    if name == "value_level":
        return es.words.level(f.value_level)
    if name == "frequency":
        return es.words.frequency(f.frequency)
    if name == "last_contact":
        return f.last_contact
    if name == "due_date":
        return f.due.date if f.due else None
    if name == "due_reason":
        return es.words.due_reason_of(f) if f.due else None
    if name == "errors":
        return es.words.join(es.words.problem_line(p) for p in es.errors.get(c.id, ())) or None
    return None


def due_table(es: ExportSet) -> Table:
    """The due follow-ups (read-only: its name carries the "(auto)" mark import skips), in the words of the
    site's due page."""
    words = es.words
    heads = [words.t(f"export.due.{k}") for k in ("date", "bucket", "id", "name", "owner", "reason", "planned")]
    t = Table("due", words.t("export.due.sheet"), [(f"due.{i}", h) for i, h in enumerate(heads)])
    for c, f, due in sorted(_due(es), key=lambda x: (x[2].date, x[0].id)):
        t.rows.append([due.date, words.bucket(words.bucket_of(due.date, es.today)), c.id, c.name, c.owner,
                       words.due_reason_of(f), due.action])
    return t


def _due(es: ExportSet) -> Iterator[tuple[Customer, Facts, Due]]:
    """Each customer with a follow-up due: it, its facts and the follow-up."""
    for c in es.customers:
        f = es.facts.get(c.id)
        if f is not None and f.due is not None:
            yield c, f, f.due


# --- writers -----------------------------------------------------------------------------------


def _text_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_csv(es: ExportSet, out: Path) -> list[Path]:
    """One CSV file per table in the folder ``out`` (UTF-8 with BOM: Excel opens it correctly)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for t in tables(es):
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([h for _, h in t.columns])
        for row in t.rows:
            writer.writerow([to_cell(_text_cell(v)) for v in row])
        path = out / f"{t.title}.csv"
        _atomic_bytes(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))
        written.append(path)
    return written


def write_xlsx(es: ExportSet, out: Path) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    assert book.active is not None  # a new workbook: its one sheet
    book.remove(book.active)
    bold = Font(bold=True)
    for t in [*tables(es), due_table(es)]:
        sheet = book.create_sheet(t.title)
        sheet.append([h for _, h in t.columns])
        for cell in sheet[1]:
            cell.font = bold
        widths = [_width(h) for _, h in t.columns]
        for row in t.rows:
            sheet.append([to_cell(v) for v in row])
            for i, v in enumerate(row):
                widths[i] = max(widths[i], min(_width(_text_cell(v)), 60))
        for i, w in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = w + 2
        for col in sheet.iter_cols(min_row=2):
            for cell in col:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
        if t.rows:
            sheet.auto_filter.ref = sheet.dimensions
    buf = io.BytesIO()
    book.save(buf)
    _atomic_bytes(out, buf.getvalue())
    return [out]


def _width(text: str) -> int:
    # a CJK character takes about two columns
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def export_document(es: ExportSet) -> dict[str, Any]:
    """The json export: see schema/export.schema.json."""
    vocabs = es.repo.schemas.vocabularies
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported": es.today.isoformat(),
        "locale": es.repo.config.locale,
        "team": [{k: v for k, v in (("handle", m.handle), ("name", m.name), ("role", m.role), ("email", m.email),
                                    ("git", m.git), ("active", m.active)) if v is not None}
                 for m in members(es)],
        "customers": [c.raw for c in es.customers],
        "derived": {c.id: derived_json(es.facts[c.id], es.errors.get(c.id, ())) for c in es.customers
                    if c.id in es.facts},
        "vocabularies": {name: [{"key": t.key, "zh": t.zh, "en": t.en} for t in v.terms]
                         for name, v in sorted(vocabs.items())},
    }


def derived_json(f: Facts, errors: tuple[Problem, ...] = ()) -> dict[str, Any]:
    def iso(d: dt.date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "status": f.status, "class": f.klass, "computed_class": f.computed_class,
        "class_overridden": f.class_overridden, "annual_value": f.annual_value, "value_level": f.value_level,
        "frequency": f.frequency, "recent_interactions": f.recent_interactions,
        "last_contact": iso(f.last_contact), "days_since_contact": f.days_since_contact,
        "cooperation_since": iso(f.cooperation_since), "months_cooperating": f.months_cooperating,
        "qualified_lead": f.qualified_lead, "quiet": f.quiet,
        "due": {"date": f.due.date.isoformat(), "reason": f.due.reason, "action": f.due.action} if f.due else None,
        "missing": [m.field for m in f.missing],
        "errors": [{"line": p.line, "code": p.code, "message": p.message} for p in errors],
    }


def write_json(es: ExportSet, out: Path | None) -> str:
    text = json.dumps(export_document(es), ensure_ascii=False, indent=2) + "\n"
    if out is not None:
        _atomic_bytes(out, text.encode("utf-8"))
    return text


def calendar_bytes(es: ExportSet) -> bytes:
    """Every due follow-up as an all-day event (RFC 5545). UIDs are stable, so a calendar that
    subscribes to the file updates events instead of duplicating them."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//kehu//due follow-ups//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", Locale(es.lang).word("ics.calname"))
    stamp = dt.datetime.combine(es.today, dt.time(), tzinfo=dt.UTC)
    for c, f, due in _due(es):
        event = Event()
        event.add("uid", f"{c.id}-{due.reason}@kehu")
        event.add("dtstamp", stamp)
        event.add("dtstart", due.date)
        event.add("dtend", due.date + dt.timedelta(days=1))
        event.add("summary", Locale(es.lang).word("ics.summary", name=c.name))
        lines = [f"{c.id} · {c.owner}", es.words.due_reason_of(f)]
        event.add("description", "\n".join(lines))
        event.add("categories", [c.owner])
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical


def write_ics(es: ExportSet, out: Path | None) -> bytes:
    data = calendar_bytes(es)
    if out is not None:
        _atomic_bytes(out, data)
    return data


# --- sqlite ------------------------------------------------------------------------------------

SQL_SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE members (
  handle TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT, email TEXT, git TEXT, active INTEGER
);
CREATE TABLE vocabulary (
  vocabulary TEXT NOT NULL, key TEXT NOT NULL, label_zh TEXT, label_en TEXT, PRIMARY KEY (vocabulary, key)
);
CREATE TABLE customers (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, industry TEXT NOT NULL, stage TEXT NOT NULL, lost_from TEXT,
  owner TEXT NOT NULL, owner_since DATE, created DATE NOT NULL, imported DATE, imported_last_contact DATE,
  size TEXT, region TEXT, source TEXT,
  class_override TEXT,
  class_reason TEXT, annual_value REAL, cooperation_since DATE, repurchase_rate REAL, needs TEXT, budget TEXT,
  decision_process TEXT, next_action_date DATE, next_action TEXT, quiet_until DATE, quiet_reason TEXT, notes TEXT,
  extra_json TEXT,
  status TEXT, class TEXT, computed_class TEXT, value_level TEXT, derived_annual_value REAL, frequency TEXT,
  last_contact DATE, due_date DATE, due_reason TEXT, errors TEXT
);
CREATE TABLE tags (
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('need', 'risk')),
  tag TEXT NOT NULL, PRIMARY KEY (customer_id, kind, tag)
);
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL, title TEXT, phone TEXT, email TEXT, wechat TEXT, birthday TEXT, is_primary INTEGER
);
CREATE TABLE interactions (
  id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  date DATE NOT NULL, channel TEXT NOT NULL, by_member TEXT NOT NULL, contact TEXT, summary TEXT NOT NULL, outcome TEXT
);
CREATE TABLE opportunities (
  customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  id TEXT NOT NULL, position INTEGER NOT NULL,
  what TEXT NOT NULL, amount REAL NOT NULL, close DATE NOT NULL, stage TEXT NOT NULL, probability REAL,
  owner TEXT, created DATE, closed DATE, lost_reason TEXT, note TEXT,
  effective_probability REAL NOT NULL, weighted_amount REAL NOT NULL, slipping INTEGER NOT NULL,
  PRIMARY KEY (customer_id, id)
);
CREATE TABLE deals (
  id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  contract TEXT, product TEXT NOT NULL, amount REAL NOT NULL, signed DATE, opportunity TEXT,
  FOREIGN KEY (customer_id, opportunity) REFERENCES opportunities(customer_id, id)
);
CREATE TABLE surveys (
  id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  date DATE NOT NULL, quality INTEGER, attitude INTEGER, response INTEGER, after_sales INTEGER, comment TEXT
);
CREATE TABLE complaints (
  id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  date DATE NOT NULL, category TEXT, content TEXT NOT NULL, handler TEXT, status TEXT NOT NULL, resolved DATE,
  result TEXT
);
CREATE INDEX contacts_customer ON contacts(customer_id);
CREATE INDEX interactions_customer ON interactions(customer_id);
CREATE INDEX interactions_date ON interactions(date);
CREATE INDEX deals_customer ON deals(customer_id);
CREATE INDEX opportunities_close ON opportunities(close);
CREATE INDEX surveys_customer ON surveys(customer_id);
CREATE INDEX complaints_customer ON complaints(customer_id);
"""

_CUSTOMER_COLUMNS = ("id", "name", "industry", "stage", "lost_from", "owner", "owner_since", "created", "imported",
                     "imported_last_contact", "size", "region", "source", "class", "class_reason", "annual_value",
                     "cooperation_since", "repurchase_rate", "needs", "budget", "decision_process")
_KNOWN_TOP = set(_CUSTOMER_COLUMNS) | {"next_action", "quiet_until", "quiet_reason", "notes", "tags", "risks",
                                       "contacts", "deals", "opportunities", "interactions", "surveys",
                                       "complaints"}
_ITEM_COLUMNS = {
    "contacts": ("name", "title", "phone", "email", "wechat", "birthday", "primary"),
    "interactions": ("date", "channel", "by", "contact", "summary", "outcome"),
    "deals": ("contract", "product", "amount", "signed", "opportunity"),
    "surveys": ("date", "quality", "attitude", "response", "after_sales", "comment"),
    "complaints": ("date", "category", "content", "handler", "status", "resolved", "result"),
}
_SQL_NAMES = {"primary": "is_primary", "by": "by_member"}


def write_sqlite(es: ExportSet, out: Path) -> list[Path]:
    """Build the database in a temporary file beside ``out``, then move it into place."""
    with replacing(out) as tmp:  # an empty file: SQLite takes it for an empty database
        db = sqlite3.connect(tmp)
        try:
            db.executescript(SQL_SCHEMA)
            _fill(db, es)
            db.commit()
        finally:
            db.close()
    return [out]


def _fill(db: sqlite3.Connection, es: ExportSet) -> None:
    db.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?, ?)",
                   [(m.handle, m.name, m.role, m.email, m.git, int(m.active)) for m in members(es)])
    db.executemany("INSERT INTO vocabulary VALUES (?, ?, ?, ?)",
                   [(name, t.key, t.zh, t.en) for name, v in sorted(es.repo.schemas.vocabularies.items())
                    for t in v.terms])
    placeholders = ", ".join("?" * 37)
    for c in es.customers:
        raw, f = c.raw, es.facts.get(c.id)
        na = raw.get("next_action") or {}
        extra = {k: v for k, v in raw.items() if k not in _KNOWN_TOP}
        budget = raw.get("budget")
        row = [raw.get(k) for k in _CUSTOMER_COLUMNS]
        row[_CUSTOMER_COLUMNS.index("budget")] = None if budget is None else str(budget)
        row += [na.get("date"), na.get("action"), raw.get("quiet_until"), raw.get("quiet_reason"), raw.get("notes"),
                json.dumps(extra, ensure_ascii=False) if extra else None]
        if f is not None:
            row += [f.status, f.klass, f.computed_class, f.value_level, f.annual_value, f.frequency,
                    f.last_contact.isoformat() if f.last_contact else None,
                    f.due.date.isoformat() if f.due else None, f.due.reason if f.due else None]
        else:
            row += [None] * 9
        row.append("\n".join(es.words.problem_line(p) for p in es.errors.get(c.id, ())) or None)
        db.execute(f"INSERT INTO customers VALUES ({placeholders})", [_sql(v) for v in row])
        db.executemany("INSERT INTO tags VALUES (?, ?, ?)",
                       [(c.id, "need", t) for t in raw.get("tags") or []] +
                       [(c.id, "risk", t) for t in raw.get("risks") or []])
        _opportunity_rows(db, es, c)
        for table, columns in _ITEM_COLUMNS.items():
            names = ", ".join(_SQL_NAMES.get(col, col) for col in columns)
            sql = f"INSERT INTO {table} (customer_id, position, {names}) VALUES (?, ?, {', '.join('?' * len(columns))})"
            rows = []
            known_opps = {o.id for o in c.opportunities}
            for i, item in enumerate(raw.get(table) or []):
                values = [_sql(item.get(col)) for col in columns]
                if table == "deals" and values[-1] not in known_opps:
                    values[-1] = None  # a link to no opportunity (the checker reports it) is no foreign key
                rows.append([c.id, i, *values])
            db.executemany(sql, rows)


def _opportunity_rows(db: sqlite3.Connection, es: ExportSet, c: Customer) -> None:
    from ..core.derive import opp_probability, opp_slipping

    rows = []
    for i, o in enumerate(c.opportunities):
        p = opp_probability(o, es.repo.config)
        rows.append([c.id, o.id, i, o.what, o.amount, _sql(o.close), o.stage, o.probability, o.owner,
                     _sql(o.created), _sql(o.closed), o.lost_reason, o.note, p, o.amount * p if o.is_open else 0.0,
                     int(opp_slipping(o, c, es.today))])
    db.executemany(f"INSERT INTO opportunities VALUES ({', '.join('?' * 16)})", rows)


def _sql(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


# --- shared ------------------------------------------------------------------------------------


def _atomic_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` whole, with the usual file mode (the team may read what one of them exported)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)


def default_out(fmt: str, today: dt.date) -> Path:
    return Path(f"kehu-export-{today.isoformat()}{SUFFIX[fmt]}")


WRITERS: dict[str, Callable[..., Any]] = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json,
                                          "ics": write_ics, "sqlite": write_sqlite}
