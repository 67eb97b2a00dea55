"""Sheets -> an import plan: which customer files are created or updated, which rows merge into
which customer, which rows are rejected and why. Nothing is written here (``apply`` writes).

The order of work:

1. every customer row becomes a draft customer (or a reject: no name, an ID number in any
   cell, a phone that cannot be repaired, an unknown owner …);
2. drafts that share an id, a normalised name, a phone or an e-mail — the checker's own
   notion of "the same customer" — merge with each other and with the existing customer
   file they match, so a duplicate is merged, never multiplied;
3. rows of follow-up, deal, contact, survey and complaint sheets join the customer they
   name (by id, former id or name);
4. each draft is finished (id from ``ids.template``, defaults, owner) and merged into the
   existing file's round-trip map, or made a new one; a merge that adds nothing is
   "unchanged", which is what makes a second import of the same file change nothing;
5. the results are checked together with the rest of the repository for cross-file
   duplicates; single-file checks happen where the files are written (``store.save_customer``)
   or, for a dry run, here.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checker import check_customer_bytes
from ..dedupe import MergeRules, MergeStats, merge_records, rules_for
from ..errors import KehuError
from ..ids import Allocator, IdError
from ..normalize import normalize_company, parse_phone
from ..privacy import find_bank_card, find_national_id
from ..problems import Problem, Severity
from ..repo import Repo, rel
from ..rules import IndexEntry, index_entry, repo_rules
from ..yamlload import LoadedYaml, load_yaml_bytes
from .columns import (
    CHILD,
    IGNORE,
    KINDS,
    LIST_OF,
    SheetMap,
    find_header_row,
    header_index,
    is_derived_header,
    kind_of_sheet,
    recognise,
)
from .mapping import Mapping, MappingError
from .readers import Sheet
from .text import reason, word
from .values import (
    CellError,
    Resolver,
    clean_text,
    email_key,
    industry_key,
    looks_like_date,
    parse_bool,
    parse_date,
    parse_email_cell,
    parse_month_day,
    parse_number,
    parse_phone_cell,
    parse_rate,
    parse_score,
    size_key,
    split_contact_info,
    split_dated,
    split_history,
    split_list,
)
from .values import is_empty as cell_empty

_TOTAL_ROW = re.compile(r"^(合计|总计|小计|总数|total|sum)$", re.I)
_OLD_ID_NOTE = re.compile(r"(?:原编号|former id)[:：]\s*(\S+)")
_REGION = re.compile(r"^((?:[^省市]{2,7}?(?:省|自治区))?(?:[^省市区县]{2,7}?市)?)")
_KIND_ORDER = {k: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True, order=True)
class RowRef:
    sheet: str
    row: int  # 1-based, as the spreadsheet numbers it


@dataclass
class Reject:
    ref: RowRef
    reason: str
    cells: list[tuple[str, Any]]  # (header, value) as in the file, ID and card numbers blanked


class SheetError(KehuError):
    """A whole sheet cannot be read (no header row, no name column), worded by its catalogue code."""


class RowReject(KehuError):
    """A row (or a draft) that cannot be imported, worded by its catalogue code. Internal control flow:
    the planner catches it and records the row in the rejects file, so it never reaches the handler."""


@dataclass
class Draft:
    """One customer as the rows describe it, before it meets the repository. Defaults (owner,
    stage, created …) are added only to a *new* customer when it is finished, never to a draft
    that updates an existing file: a default is not a fact, so it never overrides one."""

    data: dict[str, Any]
    rows: list[RowRef]
    existing: str | None = None   # the id of the repository file it updates
    alive: bool = True


@dataclass
class Outcome:
    action: str                  # new | update | same
    cid: str
    path: Path
    data: Any                    # the CommentedMap to write
    draft: Draft
    stats: MergeStats | None = None


@dataclass
class Existing:
    cid: str
    path: Path
    entry: IndexEntry
    owner: str | None
    data: dict[str, Any]  # as the checker's loader reads it (dates as ISO text)


@dataclass
class ImportPlan:
    sheets: list[tuple[Sheet, SheetMap]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    dropped: list[Reject] = field(default_factory=list)  # one bad value of a row that was imported without it
    merged_rows: int = 0
    warnings: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def writes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action in ("new", "update")]


class Planner:
    def __init__(self, repo: Repo, mapping: Mapping, default_owner: str | None = None) -> None:
        self.repo = repo
        self.msgs = repo.msgs
        self.config = repo.config
        self.mapping = mapping
        self.today: dt.date = repo.config.today
        self.region: str = repo.config.check.phone_region
        self.suffixes = repo.config.check.company_suffixes
        self.marker: str = str((repo.config.missing_markers or ["待确认"])[0])
        self.limit: int = repo.config.summary_max_chars
        schema = repo.schemas.raw["customer"]
        self.props: dict[str, dict] = schema.get("properties", {})
        self.defs: dict[str, dict] = schema.get("$defs", {})
        vocabs = repo.schemas.vocabularies
        self.resolvers = {name: Resolver(v, mapping.values.get(name)) for name, v in vocabs.items()}
        self.index = header_index(repo.schemas, mapping.columns)
        self.rules: MergeRules = rules_for(repo, word(self.msgs, "note_import"))
        channel = self.resolvers["channel"]
        # words that name a channel inside a summary ('电话确认报价' -> call), longest first
        self.channel_words = sorted(((t.zh.casefold(), t.key) for t in channel.vocab.terms if len(t.zh) >= 2),
                                    key=lambda x: -len(x[0]))
        self.channel_words += sorted(((w, k) for w, k in channel.table.items() if len(w) >= 2 and not w.isascii()),
                                     key=lambda x: -len(x[0]))
        self.owners = self._owner_table()
        self.default_owner = self._default_owner(default_owner)
        self.plan = ImportPlan()
        self.drafts: list[Draft] = []
        self.parent: list[int] = []
        self.draft_keys: dict[str, int] = {}
        self.draft_of_existing: dict[str, int] = {}
        self.existing: dict[str, Existing] = {}
        self.existing_keys: dict[str, set[str]] = {}
        self.cells: dict[RowRef, list[tuple[str, Any]]] = {}
        self.unknown: Counter[tuple[str, str]] = Counter()
        self.lenient = False  # a customer row: a bad value drops only that value (recorded in drops)
        self.drops: list[str] = []
        self._load_existing()

    # --- the team and the repository ----------------------------------------------------------

    def _owner_table(self) -> dict[str, str]:
        from .values import fold

        table: dict[str, str] = {}
        team = self.repo.team
        for m in team.members if team else []:
            for w in (m.handle, m.name, m.email, m.git):
                if w:
                    table[fold(w)] = m.handle
        handles = set(self.repo.handles or ())
        for name, handle in self.mapping.owners.items():
            if handles and handle not in handles:
                raise MappingError.coded("import-bad-mapping", file="--mapping",
                                         detail=f"owners: '{name}: {handle}': '{handle}' is not a member of team.yaml")
            table[fold(name)] = handle
        return table

    def _default_owner(self, given: str | None) -> str | None:
        value = given or self.mapping.defaults.get("owner")
        if value is None:  # like --owner and --by everywhere: whoever `git config user.email` names
            from ..gitinfo import handle_for_email, user_email

            return handle_for_email(self.repo.team, user_email(self.repo.root))
        handle = self._owner(value)
        if handle is None:
            raise MappingError.coded("import-bad-owner", owner=value,
                                     known=self.msgs.word("sep").join(sorted(self.repo.handles or ())))
        return handle

    def _owner(self, value: Any) -> str | None:
        from .values import fold

        text = clean_text(value)
        if text is None:
            return None
        hit = self.owners.get(fold(text))
        if hit is None:
            bare = re.sub(r"[(（\[【].*?[)）\]】]", "", text).strip()
            hit = self.owners.get(fold(bare)) if bare else None
        if hit is None and self.repo.handles is None and re.fullmatch(r"[a-z][a-z0-9_.-]*", text):
            hit = text  # no team.yaml to compare with: a handle-shaped value is taken as written
        return hit

    def _load_existing(self) -> None:
        limit = self.config.check.max_file_bytes
        for path in self.repo.customer_files():
            name = rel(self.repo.root, path)
            try:
                raw = path.read_bytes()
            except OSError:
                continue
            loaded = load_yaml_bytes(name, raw, self.msgs, limit)
            entry = index_entry(loaded, self.config)
            cid = entry.id or path.stem
            data = loaded.data if isinstance(loaded.data, dict) else {}
            owner = data.get("owner") if isinstance(data.get("owner"), str) else None
            self.existing[cid] = Existing(cid, path, entry, owner, data)
            keys = {f"id:{cid}"}
            if entry.norm_name:
                keys.add(f"name:{entry.norm_name}")
            keys |= {f"phone:{p[0]}" for p in entry.phones} | {f"email:{e[0]}" for e in entry.emails}
            for old in _OLD_ID_NOTE.findall(str(data.get("notes") or "")):
                keys.add(f"old:{old}")
            for k in keys:
                self.existing_keys.setdefault(k, set()).add(cid)

    # --- sheets ---------------------------------------------------------------------------------

    def map_sheet(self, sheet: Sheet) -> SheetMap | None:
        """The header row and column mapping of one sheet; None for an empty sheet."""
        if is_derived_header(sheet.name) or not any(any(not cell_empty(c) for c in row) for row in sheet.rows):
            return None  # empty, or computed by kehu (an export's 待跟进（自动） sheet)
        if self.mapping.header_row:
            header_at: int | None = self.mapping.header_row - 1
        else:
            header_at = find_header_row(sheet.rows, self.index)
        if header_at is None or header_at >= len(sheet.rows):
            raise SheetError.coded("import-no-header", sheet=sheet.label)
        kind = self.mapping.sheets.get(sheet.name) or kind_of_sheet(sheet.name)
        smap = recognise(sheet.rows[header_at], self.index, kind, self.mapping.columns)
        smap.header_row = header_at + 1
        if not smap.paths() & {"name", "id"}:
            raise SheetError.coded("import-no-name-column", sheet=sheet.label)
        return smap

    def add_sheets(self, sheets: list[Sheet], progress: Any = None) -> None:
        mapped = []
        for sheet in sheets:
            smap = self.map_sheet(sheet)
            if smap is not None:
                mapped.append((sheet, smap))
        # customers first: the other sheets name them
        mapped.sort(key=lambda x: _KIND_ORDER[x[1].kind])
        self.plan.sheets = mapped
        for sheet, smap in mapped:
            self.plan.warnings.extend(self._column_types(sheet, smap))
        for sheet, smap in mapped:
            for number, cells in self._data_rows(sheet, smap):
                ref = RowRef(sheet.label, number)
                self.cells[ref] = [(c.header, cells[c.index] if c.index < len(cells) else None) for c in smap.columns]
                self.drops = []
                try:
                    if smap.kind == "customers":
                        self.lenient = True
                        self._customer_row(ref, smap, cells)
                    else:
                        self._child_row(ref, smap, cells)
                except RowReject as e:
                    self._reject(ref, e.code, **e.values)
                else:
                    self.plan.dropped.extend(Reject(ref, text, self._masked(ref)) for text in self.drops)
                finally:
                    self.lenient = False
                if progress is not None:
                    progress()

    def _column_types(self, sheet: Sheet, smap: SheetMap) -> list[str]:
        """Column-type sanity for the preview: dates in a column of amounts or text, or values that are
        not dates in a date column — usually a shifted or mislabelled column."""
        out = []
        for col in smap.columns:
            expected = _EXPECTED_TYPE.get(col.path or "")
            if expected is None:
                continue
            odd: list[tuple[int, Any]] = []
            for number, cells in self._data_rows(sheet, smap):
                value = cells[col.index] if col.index < len(cells) else None
                if cell_empty(value):
                    continue
                is_date = looks_like_date(value) or (expected == "date" and _parses_as_date(value))
                if is_date != (expected == "date"):
                    odd.append((number, value))
            if odd:
                found = "text" if expected == "date" else "date"
                out.append(word(self.msgs, "column_type", sheet=sheet.label, column=col.header,
                                expected=word(self.msgs, f"type.{expected}"), n=len(odd),
                                found=word(self.msgs, f"type.{found}"), row=odd[0][0], value=_shown(odd[0][1])))
        return out

    def _data_rows(self, sheet: Sheet, smap: SheetMap) -> Iterator[tuple[int, list[Any]]]:
        for i in range(smap.header_row, len(sheet.rows)):
            cells = sheet.rows[i]
            if all(cell_empty(c) for c in cells):
                continue  # blank rows between blocks
            yield i + 1, cells

    def _reject(self, ref: RowRef, code: str, **args: object) -> None:
        self.plan.rejects.append(Reject(ref, reason(self.msgs, code, **args), self._masked(ref)))

    def _masked(self, ref: RowRef) -> list[tuple[str, Any]]:
        out = []
        for header, value in self.cells.get(ref, []):
            text = clean_text(value)
            if text and (find_national_id(text) or find_bank_card(text)):
                value = "***"
            out.append((header, value))
        return out

    # --- reading one row --------------------------------------------------------------------------

    def _values(self, smap: SheetMap, cells: list[Any]) -> dict[str, list[tuple[str, Any]]]:
        """path -> [(header, value)] of the row's non-empty cells; refuses ID and card numbers first."""
        out: dict[str, list[tuple[str, Any]]] = {}
        for col in smap.columns:
            value = cells[col.index] if col.index < len(cells) else None
            text = clean_text(value)
            if text is None:
                continue
            if find_national_id(text):
                raise RowReject.coded("import-national-id", column=col.header)
            if find_bank_card(text) and col.path not in ("contact.phone", "contact.info"):
                raise RowReject.coded("import-bank-card", column=col.header)
            if col.path is None or col.path == IGNORE or col.derived:
                continue
            out.setdefault(col.path, []).append((col.header, value))
        return out

    def _parse(self, vals: dict, path: str, parser: Any, *extra: Any) -> Any:
        """The first cell of ``path`` through ``parser``; a cell it refuses rejects the row — or, on a
        customer row, is dropped alone (and reported) while the rest of the row is imported."""
        for header, value in vals.get(path, []):
            if cell_empty(value):
                continue
            try:
                return parser(value, *extra)
            except CellError as e:
                self._bad_cell(e, header)
        return None

    def _bad_cell(self, e: CellError, header: str) -> None:
        """Raise the row's reject, or on a customer row record that only this value was dropped."""
        rejected = self._cell_reject(e, header)
        if not self.lenient:
            raise rejected from None
        self.drops.append(reason(self.msgs, "import-value-dropped", detail=reason(self.msgs, rejected.code,
                                                                                 **rejected.values)))

    def _cell_reject(self, e: CellError, header: str) -> RowReject:
        args = {k: v for k, v in e.values.items() if k != "column"}
        if e.code == "import-bad-phone":
            args["detail"] = word(self.msgs, f"phone.{args.get('detail', 'invalid')}")
        return RowReject.coded(str(e.code), column=header, **args)

    def _text(self, vals: dict, path: str) -> str | None:
        for _, value in vals.get(path, []):
            text = clean_text(value)
            if text is not None:
                return text
        return None

    def _vocab(self, vals: dict, path: str, vocab: str, notes: list[str], title: str | None = None) -> str | None:
        """A vocabulary key; a word that names none is kept in the notes and reported, not lost."""
        for header, value in vals.get(path, []):
            if cell_empty(value):
                continue
            resolver = self.resolvers[vocab]
            key = industry_key(value, resolver) if vocab == "industry" else \
                size_key(value, resolver) if vocab == "size" else resolver.key(value)
            if key is not None:
                return key
            text = clean_text(value) or ""
            self.unknown[(header, text)] += 1
            notes.append(word(self.msgs, "note_unknown", title=title or header, value=text))
        return None

    # --- customer rows ----------------------------------------------------------------------------

    def _customer_row(self, ref: RowRef, smap: SheetMap, cells: list[Any]) -> None:
        vals = self._values(smap, cells)
        name = self._text(vals, "name")
        if name is None:
            if not vals:
                return  # only ignored columns filled in
            raise RowReject.coded("import-no-name")
        if _TOTAL_ROW.match(name):
            raise RowReject.coded("import-total-row")
        data, old_id = self._customer_fields(vals, name)
        keys = self._keys(data, old_id)
        self._place(Draft(data, [ref]), keys)

    def _customer_fields(self, vals: dict, name: str) -> tuple[dict, str | None]:
        notes: list[str] = []
        data: dict[str, Any] = {}
        old_id = None
        cid = self._text(vals, "id")
        if cid is not None:
            # an id from a cell becomes a file name: it must be a plain one (no '../', '/', leading '.')
            if re.fullmatch(self.config.ids.pattern or ".*", cid) and self.repo.path_for_id(cid) is not None:
                data["id"] = cid
            else:
                old_id = cid
                notes.append(word(self.msgs, "note_old_id", value=cid))
        data["name"] = name
        for key in self.props:
            if key in ("id", "name", "notes", "next_action") or key in LIST_OF.values():
                continue
            value = self._field(vals, key, notes)
            if value is not None:
                data[key] = value
        if "stage" not in data and vals.get("status"):
            stage = self.resolvers["stage"].key(self._text(vals, "status"))
            if stage is not None:
                data["stage"] = stage
        if "region" not in data and vals.get("address"):
            region = _REGION.match(self._text(vals, "address") or "")
            if region and region.group(1):
                data["region"] = region.group(1)
        if data.get("class") and not data.get("class_reason"):
            data["class_reason"] = word(self.msgs, "class_reason")
        self._next_action(vals, data, notes)
        contact = self._child("contact", vals, notes)
        if contact:
            data["contacts"] = [contact]
        interactions = self._optional(self._interactions, vals, data, notes)
        if interactions:
            data["interactions"] = interactions
        deal = self._optional(self._deal_in_customer_row, vals, data, notes)
        if deal:
            data["deals"] = [deal]
        for prefix in ("opportunity", "survey", "complaint"):
            if any(p.startswith(prefix + ".") for p in vals):
                item = self._optional(self._child, prefix, vals, notes)
                if item and prefix == "opportunity" and not vals.get("opportunity.stage") and \
                        data.get("stage") in self.config.stages[:-1]:
                    item["stage"] = data["stage"]  # on the customer's row: where the customer stands
                if item:
                    data[LIST_OF[prefix]] = [item]
        own_notes = vals.get("notes", [])
        if len(own_notes) == 1:
            notes.insert(0, clean_text(own_notes[0][1]) or "")
        else:
            notes[:0] = [f"{h}: {clean_text(v)}" for h, v in own_notes]
        lines = [n for n in notes if n.strip()]
        if lines:
            text = "\n".join(lines)
            # multi-line notes end with a line break (YAML's block style), as `kehu fmt` writes them;
            # so does a note whose cell ended with one (an exported `notes: |` block)
            ends = any(isinstance(v, str) and v.rstrip(" \t\u3000").endswith("\n") for _, v in own_notes)
            data["notes"] = text + "\n" if "\n" in text or ends else text
        return data, old_id

    def _optional(self, make: Any, *args: Any) -> Any:
        """A record written on a customer's row (a follow-up, a deal …): one that cannot be made is
        dropped and reported, and the customer is imported without it."""
        try:
            return make(*args)
        except RowReject as e:
            if not self.lenient:
                raise
            self.drops.append(reason(self.msgs, "import-value-dropped", detail=reason(self.msgs, e.code, **e.values)))
            return None

    def _field(self, vals: dict, key: str, notes: list[str]) -> Any:
        """A top-level field, read the way its schema says."""
        if key not in vals:
            return None
        prop = self.props.get(key, {})
        title = self.rules.title(key)
        if key == "owner":
            return self._owner_cell(vals, "owner")
        if key == "lost_from":
            return self._vocab(vals, key, "stage", notes, title)
        if key == "repurchase_rate":
            return self._parse(vals, key, parse_rate)
        if key == "budget":
            return self._budget(vals, notes)
        vocab = _vocab_name(prop, self.resolvers)
        if vocab:
            return self._vocab(vals, key, vocab, notes, title)
        items = prop.get("items") if prop.get("type") == "array" else None
        if isinstance(items, dict):
            ref = _vocab_name(items, self.resolvers)
            out = []
            for _, value in vals.get(key, []):
                for part in split_list(value):
                    hit = self.resolvers[ref].key(part) if ref else part
                    if hit is None:
                        self.unknown[(title, part)] += 1
                        notes.append(word(self.msgs, "note_unknown", title=title, value=part))
                    elif hit not in out:
                        out.append(hit)
            return out or None
        types = _types(prop)
        if prop.get("format") == "date":
            return self._parse(vals, key, parse_date)
        if "integer" in types or "number" in types:
            number = self._parse(vals, key, parse_number)
            return int(number) if number is not None and "integer" in types else number
        if "boolean" in types:
            return parse_bool(self._text(vals, key))
        return self._text(vals, key)

    def _budget(self, vals: dict, notes: list[str]) -> Any:
        """预算: an amount in 元 or 万 (50万 -> 500000, 120,000元, ¥8k) as a number; a range or words
        (30-50万, 待确认) as written; a date is not a budget: dropped and reported (a shifted column)."""
        for header, value in vals.get("budget", []):
            if cell_empty(value):
                continue
            if looks_like_date(value):
                self._bad_cell(CellError.coded("import-type-date", expected=word(self.msgs, "type.amount"),
                                         value=_shown(value)), header)
                return None
            text = clean_text(value) or ""
            try:
                return parse_number(value)
            except CellError:
                return text
        return None

    def _owner_cell(self, vals: dict, path: str) -> str | None:
        for header, value in vals.get(path, []):
            if cell_empty(value):
                continue
            handle = self._owner(value)
            if handle is None:
                known = self.msgs.word("sep").join(sorted(self.repo.handles or ()))
                raise RowReject.coded("import-unknown-owner", column=header, value=clean_text(value), known=known)
            return handle
        return None

    def _next_action(self, vals: dict, data: dict, notes: list[str]) -> None:
        text = self._text(vals, "next_action") or self._text(vals, "next_action.action")
        when = self._parse(vals, "next_action.date", parse_date)
        if text:
            lead, rest = split_dated(text)
            when = when or lead
            text = rest if lead else text
        if when and text:
            data["next_action"] = {"date": when, "action": text}
        elif when:
            data["next_action"] = {"date": when, "action": self.marker}
        elif text:
            notes.append(f"{self.rules.title('next_action')}: {text}")

    def _interactions(self, vals: dict, data: dict, notes: list[str]) -> list[dict]:
        out = []
        if vals.get("interaction.summary") or vals.get("interaction.date"):
            if self._text(vals, "interaction.summary") and vals.get("interaction.date"):
                item = self._child("interaction", vals, notes)
                if item:
                    out.append(item)
            else:  # half an interaction (a date without what happened, or the reverse): kept in the notes
                for path in ("interaction.date", "interaction.summary"):
                    if vals.get(path):
                        notes.append(f"{vals[path][0][0]}: {_shown(vals[path][0][1])}")
        for item in out:  # a follow-up written on the customer's row was logged by the row's owner
            if not item.get("by") and data.get("owner"):
                item["by"] = data["owner"]
        history = self._text(vals, "history")
        if history:
            entries = split_history(history)
            for when, summary in entries:
                if when > self.today:
                    continue
                channel = self._guess_channel(summary)
                out.append(self._interaction_item(when, channel, data.get("owner"), summary, None, None, notes))
            if not entries:
                notes.append(f"{vals['history'][0][0]}: {history}")
        return out

    def _guess_channel(self, summary: str) -> str:
        """Where the sheet gives no channel: the one the summary names ('电话确认报价' -> call,
        '上门拜访' -> visit), else other."""
        text = summary.casefold()
        for w, key in self.channel_words:
            if w in text:
                return key
        return "other"

    def _deal_in_customer_row(self, vals: dict, data: dict, notes: list[str]) -> dict | None:
        """合作金额 / 签约 on a customer's row. An amount is a deal (signed on 签约日期, or on the date a
        签约 column holds; no date given -> no ``signed``, listed as missing information, never
        invented), unless the row says it is not signed (签约 = 否), when the amount goes to the notes.
        A deal, or 签约 = 是, means the customer was won (a lost customer stays lost)."""
        won, won_date = self._won(vals, notes)
        if not any(p.startswith("deal.") for p in vals) and won is None:
            return None
        amount = self._parse(vals, "deal.amount", parse_number)
        signed = self._parse(vals, "deal.signed", parse_date) or won_date
        if signed is not None and signed > self.today:
            self._bad_cell(CellError.coded("import-future", value=signed, today=self.today),
                           self._header(vals, "deal.signed", "deal.signed"))
            signed = None
        contract, product = self._text(vals, "deal.contract"), self._text(vals, "deal.product")
        deal = None
        if amount is not None and amount < 0:
            self._bad_cell(CellError.coded("import-bad-number", value=amount), self._header(vals, "deal.amount",
                                                                                     "deal.amount"))
            amount = None
        if amount is not None and won is not False:
            deal = {"contract": contract, "product": product or self.marker, "amount": amount, "signed": signed}
            deal = {k: v for k, v in deal.items() if v is not None}
        else:
            for path in ("deal.amount", "deal.signed", "deal.contract", "deal.product"):
                if vals.get(path):
                    notes.append(f"{vals[path][0][0]}: {_shown(vals[path][0][1])}")
        if (deal is not None or won) and data.get("stage") != "lost":
            data["stage"] = "won"
        return deal

    def _won(self, vals: dict, notes: list[str]) -> tuple[bool | None, dt.date | None]:
        """A 签约 / 是否成交 column: yes, no, or the signing date (which also means yes)."""
        for header, value in vals.get("won", []):
            if cell_empty(value):
                continue
            if looks_like_date(value):
                try:
                    return True, parse_date(value)
                except CellError as e:
                    self._bad_cell(e, header)
                    return True, None
            text = clean_text(value) or ""
            flag = parse_bool(text)
            if flag is None and self.resolvers["stage"].key(text) == "won":
                flag = True
            if flag is None and text.startswith(("未", "没", "无", "不")):
                flag = False
            if flag is None:
                self.unknown[(header, text)] += 1
                notes.append(word(self.msgs, "note_unknown", title=header, value=text))
            return flag, None
        return None, None

    # --- records of the lists (contacts, interactions, deals, surveys, complaints) ----------------

    def _child(self, prefix: str, vals: dict, notes: list[str]) -> dict | None:
        parse = {"contact": self._contact_item, "interaction": self._interaction_item_from, "deal": self._deal_item,
                 "opportunity": self._opportunity_item, "survey": self._survey_item,
                 "complaint": self._complaint_item}[prefix]
        return parse(vals, notes)

    def _contact_item(self, vals: dict, notes: list[str]) -> dict | None:
        phone = self._parse(vals, "contact.phone", parse_phone_cell, self.region)
        phone = phone[0] if phone else None
        email = self._parse(vals, "contact.email", parse_email_cell)
        info = self._text(vals, "contact.info")
        if info:
            try:
                phones, emails = split_contact_info(info, self.region)
            except CellError as e:
                self._bad_cell(e, vals["contact.info"][0][0])
                phones, emails = [], []
            phone = phone or (phones[0] if phones else None)
            email = email or (emails[0] if emails else None)
        item = {
            "name": self._text(vals, "contact.name"),
            "title": self._text(vals, "contact.title"),
            "phone": phone,
            "email": email,
            "wechat": self._text(vals, "contact.wechat"),
            "birthday": self._parse(vals, "contact.birthday", parse_month_day),
        }
        primary = parse_bool(self._text(vals, "contact.primary")) if vals.get("contact.primary") else None
        if not any(v for v in item.values()):
            return None
        if not item["name"]:
            item["name"] = self.marker  # a number without a person: "to be confirmed", listed as missing
        if primary is not None:
            item["primary"] = primary
        return {k: v for k, v in item.items() if v is not None}

    def _interaction_item(self, when: dt.date, channel: str, by: str | None, summary: str, outcome: str | None,
                          contact: str | None, notes: list[str]) -> dict:
        if self.limit and len(summary) > self.limit:
            notes.append(summary)
            cut = word(self.msgs, "truncated")
            summary = summary[: max(self.limit - len(cut), 1)] + cut
        item = {"date": when, "channel": channel, "by": by, "contact": contact, "summary": summary,
                "outcome": outcome}
        return {k: v for k, v in item.items() if v is not None}

    def _interaction_item_from(self, vals: dict, notes: list[str]) -> dict:
        when = self._parse(vals, "interaction.date", parse_date)
        summary = self._text(vals, "interaction.summary")
        if when is None:
            raise RowReject.coded("import-missing", column=self._header(vals, "interaction.date", "interaction.date"),
                            what=self._what("interactions"))
        if not summary:
            raise RowReject.coded("import-missing", column=self._header(vals, "interaction.summary",
                                                                 "interaction.summary"),
                            what=self._what("interactions"))
        self._not_future(vals, "interaction.date", when)
        channel_text = self._text(vals, "interaction.channel")
        channel = self.resolvers["channel"].key(channel_text) if channel_text else None
        if channel is None:
            fallback = self.resolvers["channel"].key(self.mapping.defaults.get("channel")) \
                if self.mapping.defaults.get("channel") else None
            if channel_text:  # kept visible in the summary rather than lost
                summary = f"【{channel_text}】{summary}"
                self.unknown[(self._header(vals, "interaction.channel", "interaction.channel"), channel_text)] += 1
            channel = fallback or self._guess_channel(summary)
        by = self._owner_cell(vals, "interaction.by")
        return self._interaction_item(when, channel, by, summary, self._text(vals, "interaction.outcome"),
                                      self._text(vals, "interaction.contact"), notes)

    def _deal_item(self, vals: dict, notes: list[str]) -> dict:
        amount = self._parse(vals, "deal.amount", parse_number)
        signed = self._parse(vals, "deal.signed", parse_date)
        for path, value in (("deal.amount", amount), ("deal.signed", signed)):
            if value is None:
                raise RowReject.coded("import-missing", column=self._header(vals, path, path), what=self._what("deals"))
        if amount < 0:
            raise RowReject.coded("import-bad-number", column=self._header(vals, "deal.amount", "deal.amount"),
                                  value=amount)
        item = {"contract": self._text(vals, "deal.contract"),
                "product": self._text(vals, "deal.product") or self.marker,
                "amount": amount, "signed": signed, "opportunity": self._text(vals, "deal.opportunity")}
        return {k: v for k, v in item.items() if v is not None}

    def _opportunity_item(self, vals: dict, notes: list[str]) -> dict:
        """商机: what, expected amount and close date are needed; the id is the sheet's (an export's) or
        made from what and when, so importing the same sheet again finds the same opportunity."""
        amount = self._parse(vals, "opportunity.amount", parse_number)
        close = self._parse(vals, "opportunity.close", parse_date)
        for path, value in (("opportunity.amount", amount), ("opportunity.close", close)):
            if value is None:
                raise RowReject.coded("import-missing", column=self._header(vals, path, path),
                                what=self._what("opportunities"))
        if amount < 0:
            raise RowReject.coded("import-bad-number", column=self._header(vals, "opportunity.amount",
                                                                      "opportunity.amount"), value=amount)
        what = self._text(vals, "opportunity.what") or self.marker
        given = self._text(vals, "opportunity.id")
        oid = given if given and re.fullmatch(r"O[0-9A-Za-z-]{1,40}", given) else \
            f"O{close:%Y%m%d}-{hashlib.sha1(what.encode('utf-8')).hexdigest()[:4]}"
        local: list[str] = []
        stage = self._vocab(vals, "opportunity.stage", "stage", local) or self.config.stages[0]
        item = {"id": oid, "what": what, "amount": amount, "close": close, "stage": stage,
                "probability": self._parse(vals, "opportunity.probability", parse_rate),
                "owner": self._owner_cell(vals, "opportunity.owner"),
                "created": self._parse(vals, "opportunity.created", parse_date),
                "closed": self._parse(vals, "opportunity.closed", parse_date),
                "lost_reason": self._vocab(vals, "opportunity.lost_reason", "lost_reason", local),
                "note": "\n".join([self._text(vals, "opportunity.note") or "", *local]).strip() or None}
        for key in ("created", "closed"):
            if item[key] is not None:
                self._not_future(vals, f"opportunity.{key}", item[key])
        return {k: v for k, v in item.items() if v is not None}

    def _survey_item(self, vals: dict, notes: list[str]) -> dict:
        when = self._parse(vals, "survey.date", parse_date)
        if when is None:
            raise RowReject.coded("import-missing", column=self._header(vals, "survey.date", "survey.date"),
                            what=self._what("surveys"))
        self._not_future(vals, "survey.date", when)
        item: dict[str, Any] = {"date": when}
        for dim in ("quality", "attitude", "response", "after_sales"):
            score = self._parse(vals, f"survey.{dim}", parse_score)
            if score is not None:
                item[dim] = score
        if len(item) == 1:
            raise RowReject.coded("import-missing", column=self._header(vals, "survey.quality", "survey.quality"),
                            what=self._what("surveys"))
        comment = self._text(vals, "survey.comment")
        if comment:
            item["comment"] = comment
        return item

    def _complaint_item(self, vals: dict, notes: list[str]) -> dict:
        when = self._parse(vals, "complaint.date", parse_date)
        content = self._text(vals, "complaint.content")
        for path, value in (("complaint.date", when), ("complaint.content", content)):
            if value is None:
                raise RowReject.coded("import-missing", column=self._header(vals, path, path),
                                      what=self._what("complaints"))
        self._not_future(vals, "complaint.date", when)
        resolved = self._parse(vals, "complaint.resolved", parse_date)
        local: list[str] = []
        status = self._vocab(vals, "complaint.status", "complaint_status", local)
        status = status or ("resolved" if resolved else "open")
        category = self._vocab(vals, "complaint.category", "complaint_category", local)
        if category is None and local:
            category = "其他" if "其他" in self.resolvers["complaint_category"].vocab else None
        item = {"date": when, "category": category, "content": content,
                "handler": self._owner_cell(vals, "complaint.handler"), "status": status, "resolved": resolved,
                "result": self._text(vals, "complaint.result")}
        if status == "resolved" and not resolved:
            raise RowReject.coded("import-missing",
                                  column=self._header(vals, "complaint.resolved", "complaint.resolved"),
                                  what=self._what("complaints"))
        return {k: v for k, v in item.items() if v is not None}

    def _not_future(self, vals: dict, path: str, when: dt.date) -> None:
        """What has happened cannot be dated after today (the checker's future-date rule, per row)."""
        if when > self.today:
            raise RowReject.coded("import-future", column=self._header(vals, path, path), value=when, today=self.today)

    def _header(self, vals: dict, path: str, fallback: str) -> str:
        cells = vals.get(path)
        if cells:
            return str(cells[0][0])
        prefix, _, name = fallback.partition(".")
        defs = self.defs.get(prefix, {}).get("properties", {}).get(name, {})
        return str(defs.get("x-title-en" if self.msgs.lang == "en" else "title") or fallback)

    def _what(self, kind: str) -> str:
        return word(self.msgs, f"kind.{kind}")

    # --- child sheets: rows that belong to a customer ---------------------------------------------

    def _child_row(self, ref: RowRef, smap: SheetMap, cells: list[Any]) -> None:
        vals = self._values(smap, cells)
        if not vals:
            return
        prefix = CHILD[smap.kind][0]
        cid = self._text(vals, "id")
        name = self._text(vals, "name")
        if cid is None and name is None:
            raise RowReject.coded("import-missing", column=word(self.msgs, "ref.name"), what=self._what(smap.kind))
        notes: list[str] = []
        item = self._interaction_item_from(vals, notes) if prefix == "interaction" else self._child(prefix, vals, notes)
        if not item:
            return
        target = self._find_customer(cid, name)
        if target is None:
            raise RowReject.coded("import-no-customer", value=cid or name)
        draft = self.drafts[target]
        probe = {LIST_OF[prefix]: [item]}
        if notes:
            probe["notes"] = "\n".join(notes)
        merge_records(draft.data, probe, self.rules)
        draft.rows.append(ref)

    def _find_customer(self, cid: str | None, name: str | None) -> int | None:
        keys = []
        if cid:
            keys += [f"id:{cid}", f"old:{cid}"]
        if name:
            norm = normalize_company(name, self.suffixes)
            if norm:
                keys.append(f"name:{norm}")
        for k in keys:
            if k in self.draft_keys:
                return self._root(self.draft_keys[k])
        for k in keys:
            ids = self.existing_keys.get(k, set())
            if len(ids) == 1:
                return self._draft_for_existing(next(iter(ids)))
        return None

    def _draft_for_existing(self, cid: str) -> int:
        if cid in self.draft_of_existing:
            return self._root(self.draft_of_existing[cid])
        self.drafts.append(Draft({}, [], existing=cid))
        self.parent.append(len(self.drafts) - 1)
        i = len(self.drafts) - 1
        self.draft_of_existing[cid] = i
        return i

    # --- matching and merging drafts ------------------------------------------------------------

    def _keys(self, data: dict, old_id: str | None) -> set[str]:
        keys = set()
        if data.get("id"):
            keys.add(f"id:{data['id']}")
        if old_id:
            keys.add(f"old:{old_id}")
        norm = normalize_company(data["name"], self.suffixes)
        if norm:
            keys.add(f"name:{norm}")
        for c in data.get("contacts", []):
            if c.get("phone"):
                e164, _ = parse_phone(str(c["phone"]), self.region)
                if e164:
                    keys.add(f"phone:{e164}")
            if c.get("email"):
                norm_email, _ = email_key(str(c["email"]))
                if norm_email:
                    keys.add(f"email:{norm_email}")
        return keys

    def _root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def _place(self, draft: Draft, keys: set[str]) -> None:
        """Merge the row's draft with every draft and existing customer it shares a key with."""
        existing: set[str] = set()
        roots: set[int] = set()
        for k in keys:
            existing |= self.existing_keys.get(k, set())
            if k in self.draft_keys:
                roots.add(self._root(self.draft_keys[k]))
        for r in roots:
            if self.drafts[r].existing:
                existing.add(self.drafts[r].existing)
        if len(existing) > 1:
            first, second = sorted(existing)[:2]
            raise RowReject.coded("import-ambiguous", first=first, second=second)
        if existing:
            roots.add(self._draft_for_existing(next(iter(existing))))
        self.drafts.append(draft)
        self.parent.append(len(self.drafts) - 1)
        mine = len(self.drafts) - 1
        if roots:
            if any(self.drafts[r].rows for r in roots):
                self.plan.merged_rows += 1
            target = min(roots)
            for r in sorted(roots | {mine}):
                if r != target:
                    self._absorb(target, r)
            mine = target
        for k in keys:
            self.draft_keys[k] = mine

    def _absorb(self, target: int, other: int) -> None:
        a, b = self.drafts[target], self.drafts[other]
        merge_records(a.data, b.data, self.rules)
        a.rows.extend(b.rows)
        a.existing = a.existing or b.existing
        if b.existing:
            self.draft_of_existing[b.existing] = target
        b.alive = False
        self.parent[other] = target

    # --- finishing ----------------------------------------------------------------------------------

    def finish(self, validate: bool) -> ImportPlan:
        """Turn live drafts into outcomes. ``validate``: run the single-file checks here too (a dry run
        shows exactly what a real run would reject; a real run leaves them to ``save_customer``)."""
        from ruamel.yaml.comments import CommentedMap

        from ..gitinfo import handle_for_email, user_email
        from ..store import SCHEMA_COMMENT, StoreError, load_roundtrip

        creator = handle_for_email(self.repo.team, user_email(self.repo.root)) or self.default_owner
        allocator = Allocator.for_repo(self.repo, creator)
        allocator.taken(set(self.existing) | {d.data["id"] for d in self.drafts if d.alive and d.data.get("id")})
        for i, draft in enumerate(self.drafts):
            if not draft.alive or self._root(i) != i or not draft.rows:
                continue
            try:
                if draft.existing:
                    info = self.existing[draft.existing]
                    self._fill_by(draft, str(info.owner or ""))
                    # most rows of a re-import add nothing: find that out on the plain data (fast),
                    # and read the file for a round-trip edit only when something changes
                    if not merge_records(copy.deepcopy(info.data), draft.data, self.rules).changed:
                        self.plan.outcomes.append(Outcome("same", info.cid, info.path, info.data, draft))
                        continue
                    try:
                        doc = load_roundtrip(info.path, self.repo)
                    except StoreError as e:
                        raise RowReject.coded("import-existing-invalid", file=rel(self.repo.root, info.path),
                                        message=str(e)) from None
                    self._existing_sound(info)
                    stats = merge_records(doc, draft.data, self.rules)
                    action = "update" if stats.changed else "same"
                    self.plan.outcomes.append(Outcome(action, info.cid, info.path, doc, draft, stats))
                else:
                    self._complete_new(draft, allocator)
                    cid = draft.data["id"]
                    path = self.repo.customers_dir / f"{cid}.yaml"
                    # store.dump puts it in canonical order and style when it is written
                    doc = CommentedMap(draft.data)
                    doc.yaml_set_start_comment(SCHEMA_COMMENT)
                    self.plan.outcomes.append(Outcome("new", cid, path, doc, draft))
            except RowReject as e:
                self._reject_draft(draft, e.code, **e.values)
        if validate:
            self._validate_each()
        self._cross_file()
        for (column, value), n in sorted(self.unknown.items()):
            self.plan.warnings.append(word(self.msgs, "unknown_value", column=column, value=value, n=n))
        self.plan.rejects.sort(key=lambda r: r.ref)
        self.plan.dropped.sort(key=lambda r: r.ref)
        return self.plan

    def _existing_sound(self, info: Existing) -> None:
        problems, _ = check_customer_bytes(self.repo, rel(self.repo.root, info.path), info.path.read_bytes())
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors:
            p = errors[0]
            raise RowReject.coded("import-existing-invalid", file=p.file, message=f"{p.line}:{p.col} {p.message}")

    def _fill_by(self, draft: Draft, owner: str) -> None:
        for item in draft.data.get("interactions", []):
            if not item.get("by") and owner:
                item["by"] = owner
                order = list(self.rules.item_order.get("interactions", []))
                item_sorted = {k: item[k] for k in order if k in item}
                item.clear()
                item.update(item_sorted)

    def _complete_new(self, draft: Draft, allocator: Allocator) -> None:
        data, defaults = draft.data, self.mapping.defaults
        if not data.get("owner"):
            if not self.default_owner:
                raise RowReject.coded("import-no-owner")
            data["owner"] = self.default_owner
        if not data.get("industry"):
            fallback = industry_key(defaults.get("industry"), self.resolvers["industry"]) \
                if defaults.get("industry") else None
            if fallback is None:
                unknown = [v for (c, v) in self.unknown if c in self._headers_of("industry")]
                raise RowReject.coded("import-no-industry", value=f"（{unknown[0]}）" if unknown else "")
            data["industry"] = fallback
        if not data.get("stage"):
            data["stage"] = self.resolvers["stage"].key(defaults.get("stage")) if defaults.get("stage") else None
            data["stage"] = data["stage"] or self.config.stages[0]
        if data["stage"] == "lost" and not data.get("lost_from"):
            guess = "won" if data.get("deals") else self.config.stages[0]
            data["lost_from"] = guess
            self._note(data, word(self.msgs, "note_lost_from", stage=self.resolvers["stage"].vocab.label(
                guess, self.msgs.lang)))
        if not data.get("created"):
            given = defaults.get("created")
            data["created"] = parse_date(given) if given else self._known_since(data)
        # brought in from an earlier record today: if it was created before, it is not a new customer
        # (derive.predates_kehu), so no first follow-up within 24 h is owed. A row with a kehu id
        # comes from kehu itself (an export): it keeps what it says.
        if not data.get("id") and not data.get("imported"):
            data["imported"] = self.today
        self._fill_by(draft, data["owner"])
        if not data.get("id"):
            try:
                data["id"] = allocator.next(data["created"], data["owner"])
            except IdError as e:
                raise RowReject.coded("import-no-id", date=data["created"], template=allocator.template) from e
        allocator.taken([data["id"]])
        order = self.rules.order
        draft.data = {k: data[k] for k in order if k in data} | {k: v for k, v in data.items() if k not in order}

    def _known_since(self, data: dict) -> dt.date:
        """A new customer's creation date when the sheet gives none: the earliest date its records
        carry (it was a customer by then), else today. Ids carry this date, and a template like
        C{date}{member}{seq:02d} reads best with few customers a day, so a large sheet must not put all on
        today."""
        dates = [x.get(k) for key, k in (("interactions", "date"), ("deals", "signed"), ("surveys", "date"),
                                         ("complaints", "date")) for x in data.get(key) or []]
        known = [d for d in dates if isinstance(d, dt.date)]
        return min([*known, self.today])

    def _headers_of(self, path: str) -> set[str]:
        return {c.header for _, smap in self.plan.sheets for c in smap.columns if c.path == path}

    def _note(self, data: dict, line: str) -> None:
        notes = str(data.get("notes") or "")
        data["notes"] = (notes.rstrip("\n") + "\n" + line) if notes.strip() else line

    def _reject_draft(self, draft: Draft, code: str, **args: object) -> None:
        text = reason(self.msgs, code, **args)
        rows = set(draft.rows)
        self.plan.dropped = [d for d in self.plan.dropped if d.ref not in rows]  # the whole row is rejected
        for ref in draft.rows:
            self.plan.rejects.append(Reject(ref, text, self._masked(ref)))
        draft.alive = False

    def reject_outcome(self, outcome: Outcome, problem: Problem) -> None:
        self.plan.outcomes.remove(outcome)
        self._reject_draft(outcome.draft, "import-fails-check", message=f"{problem.line}:{problem.col} "
                           f"{problem.message}", hint=problem.hint)

    def _validate_each(self) -> None:
        from ..store import dump

        for outcome in list(self.plan.writes):
            text = dump(outcome.data, self.repo.schemas)
            problems, _ = check_customer_bytes(self.repo, self._name(outcome.path), text.encode("utf-8"))
            errors = [p for p in problems if p.severity is Severity.ERROR]
            if errors:
                self.reject_outcome(outcome, errors[0])

    # --- across files -------------------------------------------------------------------------------

    def _name(self, path: Path) -> str:
        """A file's name as the checker reports it (customers/C….yaml), without touching the disk."""
        try:
            return path.relative_to(self.repo.root).as_posix()
        except ValueError:
            return rel(self.repo.root, path)

    def _cross_file(self) -> None:
        """Refuse a write that would leave two files describing one customer (or sharing an id)
        when the repository did not already have that problem; list new near-identical names.
        One run of the checker's cross-file rules over the repository as it will be."""
        planned = {self._name(o.path): o for o in self.plan.writes}
        if not planned:
            return
        existing = [e.entry for e in self.existing.values()]
        entries = [e for e in existing if e.file not in planned]
        entries += [index_entry(LoadedYaml(name, _plain(o.data)), self.config) for name, o in planned.items()]
        updated = {name for name, o in planned.items() if o.action == "update"}
        before = {(p.file, p.code, p.related) for p in repo_rules(existing, updated, self.config, self.msgs)} \
            if updated else set()
        for p in repo_rules(entries, set(planned), self.config, self.msgs):
            outcome = planned.get(p.file)
            if outcome is None or (p.file, p.code, p.related) in before:
                continue
            if p.severity is Severity.ERROR:
                planned.pop(p.file)
                self.reject_outcome(outcome, p)
            elif p.code == "near-duplicate-name" and outcome.action == "new":
                row = outcome.draft.rows[0] if outcome.draft.rows else None
                where = f"{row.sheet}:{row.row}: " if row else ""
                self.plan.warnings.append(f"{where}{p.message} → {p.hint}")


# what a column should hold, for the column-type warnings of the preview
_EXPECTED_TYPE = {
    **dict.fromkeys(("annual_value", "budget", "repurchase_rate", "deal.amount"), "amount"),
    **dict.fromkeys(("name", "needs", "decision_process", "contact.name", "contact.title", "interaction.summary",
                     "deal.product", "complaint.content"), "text"),
    **dict.fromkeys(("created", "cooperation_since", "quiet_until", "next_action.date", "deal.signed",
                     "interaction.date", "survey.date", "complaint.date", "complaint.resolved"), "date"),
}


def _parses_as_date(value: Any) -> bool:
    try:
        parse_date(value)
    except CellError:
        return False
    return True


def _vocab_name(schema: dict, resolvers: dict[str, Resolver]) -> str | None:
    """The vocabulary a property draws from ($ref to a list of choices, possibly or null)."""
    refs = [schema.get("$ref")] + [s.get("$ref") for s in schema.get("anyOf", []) if isinstance(s, dict)]
    for ref in refs:
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.rsplit("/", 1)[-1]
            if name in resolvers:
                return name
    return None


def _types(prop: dict) -> set[str]:
    t = prop.get("type")
    return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()


def _plain(value: Any) -> Any:
    """A round-trip map as the checker's loader sees it (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return parse_date(value).isoformat()
    return clean_text(value) or ""
