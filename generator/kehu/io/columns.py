"""Every column a customer spreadsheet may have, and which field of a customer file it fills.

One table serves both directions: the exporters write these headers (the schema's
titles, Chinese or English) and the importer recognises them, together with the
words teams actually use (客户名称 / 公司名称 / Company, 手机号 / 联系电话 / Phone …),
so an export always imports back. A column is addressed by a *path*:

- a top-level field of the customer file (``name``, ``industry``, ``owner``, any field a
  team added to its schema), or ``next_action.date`` / ``next_action.action``;
- ``contact.<field>``, ``interaction.<field>``, ``deal.<field>``, ``survey.<field>``,
  ``complaint.<field>``: one entry of that list;
- a few columns that need reading: ``next_action`` ('2024-06-10：发送报价单'),
  ``contact.info`` (电话与邮箱 in one cell), ``history`` (互动历史: several dated
  entries), ``address`` (the region is taken from it, the text kept in the notes), ``status``
  (客户状态: a stage when it names one), ``won`` (签约 / 成交状态: yes, no or the signing date),
  ``last_contact`` (最后跟进时间: the previous system's last follow-up), ``turnover`` (年营业额,
  Annual Revenue: the customer's own revenue, kept in the notes — never what it buys from us),
  ``contact.first_name`` / ``contact.last_name`` (joined into the contact's name) and ``sensitive``
  (身份证号, 银行卡号: never read);
- ``derived.<fact>`` (computed by kehu: ignored on import) and ``ignore``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..repo.schema import SchemaSet
from ..words.input_words import chars

KINDS = ("customers", "contacts", "interactions", "deals", "opportunities", "surveys", "complaints")
# a child sheet's kind -> (record prefix in paths, list field in the customer file)
CHILD = {"contacts": ("contact", "contacts"), "interactions": ("interaction", "interactions"),
         "deals": ("deal", "deals"), "opportunities": ("opportunity", "opportunities"),
         "surveys": ("survey", "surveys"), "complaints": ("complaint", "complaints")}
PREFIX_KIND = {prefix: kind for kind, (prefix, _) in CHILD.items()}
LIST_OF = {prefix: key for prefix, key in CHILD.values()}
REF_PATHS = ("id", "name")  # in a child sheet: which customer the row belongs to
SPECIAL = ("next_action", "next_action.date", "next_action.action", "contact.info", "history", "address", "status",
           "won", "last_contact", "turnover", "contact.first_name", "contact.last_name", "sensitive")
# amounts in yuan: a unit in the header (成交金额（万元）) applies to the column's bare numbers
MONEY = ("deal.amount", "annual_value", "budget", "opportunity.amount", "turnover")
# the paths whose cells are dates (the order of day and month is decided per column)
DATE_PATHS = ("created", "cooperation_since", "quiet_until", "verified", "owner_since", "imported",
              "imported_last_contact", "last_contact", "next_action.date", "interaction.date", "deal.signed",
              "survey.date", "complaint.date", "complaint.resolved", "opportunity.close", "opportunity.created",
              "opportunity.closed", "contact.birthday")
DERIVED = ("status", "class", "value_level", "last_contact", "due_date", "due_reason", "frequency")
IGNORE = "ignore"

def _load_headers() -> dict[str, Any]:
    from importlib import resources

    import yaml

    text = resources.files("kehu").joinpath("data/import_headers.yaml").read_text(encoding="utf-8")
    headers: dict[str, Any] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return headers


def _words(items: Any) -> tuple[str, ...]:
    return tuple(str(w) for w in items)


# the header words: data, not code, so the tables grow by editing data/import_headers.yaml
_DATA = _load_headers()
# header words -> path, for any sheet (normalised with hkey before use)
HEADERS: dict[str, tuple[str, ...]] = {str(path): _words(words) for path, words in _DATA["headers"].items()}
# words whose meaning depends on the sheet (日期 is a signing date on a deals sheet): kind -> word -> path
BY_KIND: dict[str, dict[str, str]] = {
    kind: {word: str(path) for path, words in by_path.items() for word in _words(words)}
    for kind, by_path in _DATA["headers_by_sheet"].items()}
# sheet names -> kind, tried in this order (客户跟进记录表 is interactions, not customers)
SHEET_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (str(kind), _words(words)) for kind, words in _DATA["sheet_names"].items())
_DERIVED_MARKS = _words(unicodedata.normalize("NFKC", w).casefold() for w in _DATA["derived_marks"])
_FOLDING = _DATA["folding"]
_HINT = re.compile(f"[{chars(_FOLDING['hint_open'])}][^{chars(_FOLDING['hint_close'])}]*"
                   f"[{chars(_FOLDING['hint_close'])}]")
_IGNORED = re.compile(rf"[\s{chars(_FOLDING['ignored'])}]+")

_CUSTOMER_ONLY_IGNORED = {"id", "name", "owner", "notes", "status", "address"}


def hkey(text: Any) -> str:
    """A header as compared: width- and case-folded, without spaces, punctuation or a bracketed
    hint ('金额(元)', '客户名称*', 'Customer_ID' -> '金额', '客户名称', 'customerid')."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    unbracketed = _HINT.sub("", folded)
    folded = unbracketed if unbracketed.strip() else folded
    return _IGNORED.sub("", folded)


def is_derived_header(text: Any) -> bool:
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return any(mark in folded for mark in _DERIVED_MARKS)


@dataclass
class Column:
    index: int
    header: str
    path: str | None            # None: not recognised
    derived: bool = False
    source: str = "auto"        # auto | mapping | profile (a known export's own meaning)
    unit: int | None = None     # an amount column: what a bare number counts (10000 under 万元)
    unit_word: str = ""         # … as the header wrote it
    date_order: str | None = None  # dmy | mdy: how 03/04/2025 reads in this column
    order_told: bool = False    # … decided by a date of the column (31/05/2025), not by default


@dataclass
class SheetMap:
    kind: str
    header_row: int             # 1-based
    columns: list[Column] = field(default_factory=list)
    export: str | None = None   # the known export it was recognised as (io.profiles)

    def paths(self) -> set[str]:
        return {c.path for c in self.columns if c.path and c.path != IGNORE}

    @property
    def unmapped(self) -> list[Column]:
        return [c for c in self.columns if c.path is None and not c.derived]

    @property
    def derived(self) -> list[Column]:
        return [c for c in self.columns if c.derived]


def header_index(schemas: SchemaSet, mapping_columns: dict[str, str] | None = None) -> dict[str, str]:
    """Every recognised header word (normalised) -> path: schema titles, then the table above,
    then the team's mapping file, each overriding the one before."""
    index: dict[str, str] = {}
    customer = schemas.raw["customer"]
    for key, prop in customer.get("properties", {}).items():
        if _is_record_list(prop):
            continue
        for title in (prop.get("title"), prop.get("x-title-en"), key):
            if title:
                index[hkey(title)] = key
    defs = customer.get("$defs", {})
    for prefix in LIST_OF:
        for key, prop in defs.get(prefix, {}).get("properties", {}).items():
            for title in (prop.get("title"), prop.get("x-title-en")):
                if title and hkey(title) not in index and hkey(title) not in _GENERIC_WORDS:
                    index[hkey(title)] = f"{prefix}.{key}"
    for path, words in HEADERS.items():
        for w in words:
            index[hkey(w)] = path
    for lang in ("zh", "en"):  # the exporters' own headers always import back
        for path, text in export_header_words(lang).items():
            if not path.startswith("derived."):  # computed columns are recognised by their (自动) mark
                index[hkey(text)] = path
    for header, path in (mapping_columns or {}).items():
        index[hkey(header)] = path
    return index


_GENERIC_WORDS = {hkey(w) for table in BY_KIND.values() for w in table}
_EVERY_SHEET = {hkey(w) for w in _DATA["every_sheet"]}


def _is_record_list(prop: dict[str, Any]) -> bool:
    items = prop.get("items") if isinstance(prop, dict) else None
    return isinstance(items, dict) and "$ref" in items and prop.get("type") == "array" and \
        items["$ref"].rsplit("/", 1)[-1] in LIST_OF


def export_header_words(lang: str) -> dict[str, str]:
    from ..words.catalogue import Locale

    return {key[4:]: text for key, text in Locale(lang).words("io").items() if key.startswith("col.")}


def kind_of_sheet(name: str) -> str | None:
    folded = unicodedata.normalize("NFKC", name).casefold()
    for kind, words in SHEET_WORDS:
        if any(w in folded for w in words):
            return kind
    return None


def header_unit(text: Any) -> tuple[int, str] | None:
    """(what a bare number counts, the unit as written) of an amount column's header: 成交金额（万元） ->
    (10000, 万元), 金额(千元), Amount (K), 成交金额万元; None when the header names no unit."""
    from ..words.input_words import section

    units = {str(k).casefold(): int(v) for k, v in section("numbers")["header_units"].items()}
    folded = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    for m in re.finditer(r"[(\[]([^)\]]*)[)\]]", folded):
        inner = re.sub(r"^(单位|unit|in)\s*[:：]?\s*", "", m.group(1).strip()).strip()
        if inner in units:
            return units[inner], inner
    for word in sorted((w for w in units if not w.isascii()), key=len, reverse=True):
        if folded.endswith(word) and len(folded) > len(word) + 1:
            return units[word], word
    return None


def _without_unit(key: str) -> str:
    """A header key without a unit written after it (成交金额万元 -> 成交金额), to look it up again."""
    from ..words.input_words import section

    for word in sorted((str(w) for w in section("numbers")["header_units"] if not str(w).isascii()), key=len,
                       reverse=True):
        if key.endswith(word) and len(key) > len(word) + 1:
            return key[: -len(word)]
    return key


def recognise(headers: list[Any], index: dict[str, str], kind: str | None,
              mapping_columns: dict[str, str] | None = None, export: Any = None) -> SheetMap:
    """Map one header row. ``kind`` from the sheet name, or decided here from the columns; ``export``: the known
    export (io.profiles.Profile) the headers were recognised as, whose own meanings win over the general table
    (a team's mapping file wins over both)."""
    mapped = {hkey(h) for h in (mapping_columns or {})}
    own: dict[str, str] = export.columns if export is not None else {}
    first: list[Column] = []
    for i, raw in enumerate(headers):
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        k = hkey(text)
        if k in mapped:
            first.append(Column(i, text, index[k], source="mapping"))
        elif k in own:
            first.append(Column(i, text, own[k], source="profile"))
        elif is_derived_header(text):
            first.append(Column(i, text, None, derived=True))
        else:
            first.append(Column(i, text, index.get(k) or index.get(_without_unit(k))))
    if export is not None and not kind:
        kind = export.kind
    kind = kind or _kind_from_paths({c.path for c in first if c.path}, [hkey(c.header) for c in first])
    generic = {hkey(w): p for w, p in BY_KIND.get(kind, {}).items()}
    for col in first:
        if col.source in ("mapping", "profile") or col.derived:
            continue
        k = hkey(col.header)
        if k in generic:  # the sheet's own meaning of a generic word wins
            col.path = generic[k]
        elif col.path is not None and kind != "customers":
            col.path = _in_child_sheet(col.path, kind)
    for col in first:
        unit = header_unit(col.header) if col.path in MONEY else None
        if unit is not None:
            col.unit, col.unit_word = unit
    for col in first:  # a customer list's 商机阶段 is the customer's stage
        if kind == "customers" and col.path == "opportunity.stage" and col.source != "mapping":
            col.path = "stage"
    if kind == "customers" and not any(c.path == "owner" for c in first):
        followers = [c for c in first if c.path == "interaction.by" and c.source != "mapping"]
        if len(followers) == 1:  # a customer list's only 跟进人 / 跟进销售 is the one who owns the customer
            followers[0].path = "owner"
    return SheetMap(kind, 0, first)


def _in_child_sheet(path: str, kind: str) -> str | None:
    """On a follow-up sheet, 负责人 is who followed up and 联系人 who was talked to."""
    prefix = CHILD[kind][0]
    if kind == "interactions":
        if path == "last_contact":
            return "interaction.date"
        if path == "owner":
            return "interaction.by"
        if path == "contact.name":
            return "interaction.contact"
        if path == "notes":
            return "interaction.outcome"
    if kind == "complaints" and path == "owner":
        return "complaint.handler"
    if kind == "opportunities" and path in ("owner", "stage", "notes"):
        return {"owner": "opportunity.owner", "stage": "opportunity.stage", "notes": "opportunity.note"}[path]
    if path in REF_PATHS or path.startswith(prefix + ".") or path in (IGNORE, "sensitive"):
        return path
    return path if kind == "contacts" and path == "contact.info" else None


def _kind_from_paths(paths: set[str], words: list[str]) -> str:
    """A sheet with customer fields beyond name/owner is a customer list; otherwise the kind whose
    fields (or generic words: 日期, 方式, 内容) it has most of, e.g. a follow-up log."""
    top = {p for p in paths if "." not in p and p not in ("history",)}
    if top - _CUSTOMER_ONLY_IGNORED - {"next_action", IGNORE, "sensitive"}:
        return "customers"
    counts = {kind: sum(1 for p in paths if p.startswith(prefix + ".")) for kind, (prefix, _) in CHILD.items()}
    counts["contacts"] += sum(1 for p in paths if p == "contact.info")
    for kind in CHILD:
        if kind == "opportunities":  # its generic words (金额, 日期 …) are a deal sheet's too: named sheets only
            continue
        generic = {hkey(w) for w, p in BY_KIND[kind].items() if p != IGNORE}
        counts[kind] += sum(1 for w in words if w in generic and w not in _EVERY_SHEET)
    best = max(counts, key=lambda k: counts[k])
    if counts[best] == 0 or (best == "contacts" and "contact.name" not in paths):
        return "customers"
    if best == "contacts" and not (paths & {"id"}) and "name" in paths and len(paths - {"name"}) <= 3:
        return "customers"  # 客户名称 + 联系人 + 手机号: a minimal customer list
    return best


def find_header_row(rows: list[list[Any]], index: dict[str, str], limit: int = 15) -> int | None:
    """0-based index of the row that looks most like a header (most recognised cells) among the
    first ``limit`` rows; title rows ('客户信息表') above it are skipped."""
    best, best_score = None, 0
    for i, row in enumerate(rows[:limit]):
        score = sum(1 for cell in row if cell not in (None, "") and (hkey(cell) in index or is_derived_header(cell)))
        if score > best_score:
            best, best_score = i, score
    return best
