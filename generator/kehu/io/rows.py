"""Rows -> drafts: one row of a sheet read into a draft customer's data (a customer row) or into the
record it adds to a customer (a follow-up, deal, contact, survey or complaint row).

Every cell is read the way the schema says (dates in the order its column writes them, amounts in the unit
its header names, phones, choices from a vocabulary — a known export's words first —, owners from team.yaml).
A bad value drops only that value, and is reported (``drops``): an ID or bank card number is never read (nor
quoted in any message), an owner who is not (or no longer) in the team falls back to ``--owner`` with the old
name in the notes (``fallbacks``), an industry no table maps is recorded as to be confirmed (``to_confirm``),
a word that names no choice is kept in the notes and counted (``unknown``). A row is refused
(:class:`RowReject`) only when it cannot be a record at all: a customer row without a name, a follow-up
without its date or content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.privacy import find_bank_card, find_national_id
from ..core.values import (
    CellError,
    Resolver,
    clean_text,
    fold,
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
from ..core.values import is_empty as cell_empty
from ..repo.repository import Repo
from ..store.dedupe import MergeRules
from ..util.workers import map_in_workers
from ..words.input_words import section
from .columns import CHILD, IGNORE, LIST_OF, Column, SheetMap
from .drafts import RowReject
from .mapping import Mapping, MappingError
from .profiles import Profile, industry_from_table
from .sheets import export_of, shown

Values = dict[str, list[tuple[str, Any]]]  # a row's non-empty cells: path -> [(header, value)]
# columns whose long numbers are no bank cards: phones, and the identifiers of the old system (Zoho's record ids
# run to 19 digits, a sixteenth of which pass the Luhn check)
_NOT_CARDS = ("contact.phone", "contact.info", "id", "opportunity.id", "deal.contract")
PARALLEL_ROWS = 500  # below this many customer rows one process is faster than starting a pool
_REGION = re.compile(r"^((?:[^省市]{2,7}?(?:省|自治区))?(?:[^省市区县]{2,7}?市)?)")


@dataclass
class ChildRow:
    """What a row of a child sheet adds: ``item`` to the customer's list ``key``, and notes."""

    cid: str | None        # the customer it names, by id (or former id) …
    name: str | None       # … or by name
    key: str               # interactions, deals, contacts, surveys, complaints, opportunities
    item: dict[str, Any]
    notes: list[str]
    also: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # a won opportunity's deal
    last_contact: dt.date | None = None  # a contact's last activity: the customer's imported_last_contact


@dataclass
class CustomerReading:
    """What reading one customer row gave: its data and the former id it names (``result``, None when the row
    holds nothing to import) or why it was refused (``reject``: a catalogue code and its values), and what it
    noted besides — made in a worker process and handed back, so the planner applies it as if read here."""

    result: tuple[dict[str, Any], str | None] | None
    reject: tuple[str, dict[str, Any]] | None
    drops: list[str]
    fallbacks: list[tuple[str, str, bool]]
    to_confirm: list[str]
    unknown: Counter[tuple[str, str]]
    sensitive: Counter[tuple[str, str]]


def _read_customer(state: tuple[RowReader, list[tuple[SheetMap, str]]],
                   item: tuple[int, list[Any]]) -> CustomerReading:
    """One customer row of sheet ``item[0]`` read by ``state``'s reader; the counters it adds to are its own for
    the row (the reader's are put back), so a reading is the same whichever process made it."""
    reader, sheets = state
    k, cells = item
    smap, label = sheets[k]
    if reader.smap is not smap:
        reader.begin_sheet(smap, label)
    kept = reader.unknown, reader.sensitive
    reader.unknown, reader.sensitive = Counter(), Counter()
    try:
        try:
            result, reject = reader.customer_row(smap, cells), None
        except RowReject as e:
            result, reject = None, (str(e.code), dict(e.values))
        return CustomerReading(result, reject, reader.drops, reader.fallbacks, reader.to_confirm, reader.unknown,
                               reader.sensitive)
    finally:
        reader.unknown, reader.sensitive = kept


class RowReader:
    """Reads the rows of one import: the team, the schema and the mapping file, set up once."""

    def __init__(self, repo: Repo, mapping: Mapping, rules: MergeRules, default_owner: str | None = None) -> None:
        self.repo = repo
        self.msgs = repo.msgs
        self.config = repo.config
        self.mapping = mapping
        self.rules = rules
        self.today: dt.date = repo.config.today
        self.region: str = repo.config.check.phone_region
        self.marker: str = str((repo.config.missing_markers or [self.msgs.word("import.missing_marker")])[0])
        self.limit: int = repo.config.summary_max_chars
        schema = repo.schemas.raw["customer"]
        self.props: dict[str, dict[str, Any]] = schema.get("properties", {})
        self.defs: dict[str, dict[str, Any]] = schema.get("$defs", {})
        self.tz = repo.config.tz
        self._resolver_sets: dict[str | None, dict[str, Resolver]] = {}
        self.resolvers = self._resolvers_for(None)
        channel = self.resolvers["channel"]
        # words that name a channel inside a summary ('电话确认报价' -> call), longest first
        self.channel_words = sorted(((t.zh.casefold(), t.key) for t in channel.vocab.terms if len(t.zh) >= 2),
                                    key=lambda x: -len(x[0]))
        self.channel_words += sorted(((w, k) for w, k in channel.table.items() if len(w) >= 2 and not w.isascii()),
                                     key=lambda x: -len(x[0]))
        self.owners = self._owner_table()
        team = repo.team
        self.departed = {m.handle for m in team.members if not m.active} if team else set()
        self.default_owner = self._default_owner(default_owner)
        self.unknown: Counter[tuple[str, str]] = Counter()  # (column, word) that names no choice -> rows
        self.sensitive: Counter[tuple[str, str]] = Counter()  # (sheet, column) of ID / card numbers -> values
        self.lenient = False  # a customer row: a bad value drops only that value (recorded in drops)
        self.drops: list[str] = []
        self.fallbacks: list[tuple[str, str, bool]] = []  # this row's owners not in the team: (value, handle, left)
        self.to_confirm: list[str] = []                    # this row's industry words that map to no GB/T code
        self.smap: SheetMap | None = None
        self.export: Profile | None = None
        self.by_header: dict[str, Column] = {}
        self.sheet = ""

    def begin_sheet(self, smap: SheetMap, sheet: str) -> None:
        """The sheet the next rows come from: its columns, the export it was recognised as, its words."""
        self.smap, self.sheet = smap, sheet
        self.export = export_of(smap)
        self.by_header = {}
        for c in smap.columns:
            self.by_header.setdefault(c.header, c)
        self.resolvers = self._resolvers_for(self.export)

    def _resolvers_for(self, export: Profile | None) -> dict[str, Resolver]:
        """Every vocabulary's resolver: the schema's labels and synonyms, then the export's own words, then the
        team's mapping file (which wins)."""
        key = export.id if export is not None else None
        if key not in self._resolver_sets:
            own = export.values if export is not None else {}
            self._resolver_sets[key] = {
                name: Resolver(v, {**own.get(name, {}), **self.mapping.values.get(name, {})})
                for name, v in self.repo.schemas.vocabularies.items()}
        return self._resolver_sets[key]

    # --- the team: who a cell names -------------------------------------------------------------------------

    def _owner_table(self) -> dict[str, str]:
        from ..core.values import fold

        table: dict[str, str] = {}
        team = self.repo.team
        for m in team.members if team else []:
            for w in (m.handle, m.name, m.email, m.git):
                if w:
                    table[fold(w)] = m.handle
        handles = set(self.repo.handles or ())
        for name, handle in self.mapping.owners.items():
            if handles and handle not in handles:
                raise MappingError.coded("mapping-not-a-member", file="--mapping", name=name, handle=handle,
                                         known=self.msgs.word("sep").join(sorted(handles)))
            table[fold(name)] = handle
        return table

    def _default_owner(self, given: str | None) -> str | None:
        value = given or self.mapping.defaults.get("owner")
        if value is None:  # like --owner and --by everywhere: whoever `git config user.email` names
            from ..repo.gitinfo import handle_for_email, user_email

            return handle_for_email(self.repo.team, user_email(self.repo.root))
        handle = self._owner(value)
        if handle is None:
            raise MappingError.coded("import-bad-owner", owner=value,
                                     known=self.msgs.word("sep").join(sorted(self.repo.handles or ())))
        return handle

    def _owner_or_fallback(self, header: str, value: Any) -> str | None:
        """A cell naming a team member: their handle. Someone who is not (or no longer) in the team: the fallback
        owner (``--owner``), recorded in ``fallbacks`` with the name as the sheet wrote it — or, without a
        fallback, the row is refused naming the value and what to do."""
        handle = self._owner(value)
        if handle is not None and handle not in self.departed:
            return handle
        text = clean_text(value) or ""
        if self.default_owner is None:
            known = self.msgs.word("sep").join(sorted(self.repo.handles or ()))
            raise RowReject.coded("import-unknown-owner", column=header, value=text, known=known)
        self.fallbacks.append((text, self.default_owner, handle is not None))
        return self.default_owner

    def _owner(self, value: Any) -> str | None:
        from ..core.values import fold

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

    # --- reading one row ------------------------------------------------------------------------------------

    def _values(self, smap: SheetMap, cells: list[Any]) -> Values:
        """path -> [(header, value)] of the row's non-empty cells. An ID or bank card number is never read: a
        column of them (身份证号) is counted once per sheet, one inside another cell drops that cell's value
        (reported without the number)."""
        out: Values = {}
        for col in smap.columns:
            value = cells[col.index] if col.index < len(cells) else None
            text = clean_text(value)
            if text is None:
                continue
            if col.path == "sensitive":
                self.sensitive[(self.sheet, col.header)] += 1
                continue
            national = find_national_id(text)
            if national or (find_bank_card(text) and col.path not in _NOT_CARDS):
                if col.path is None or col.path == IGNORE or col.derived:
                    self.sensitive[(self.sheet, col.header)] += 1
                else:
                    what = self.msgs.word("import.id_number" if national else "import.card_number")
                    self.drops.append(self.msgs.line("import-sensitive-dropped", column=col.header, what=what))
                continue
            if col.path is None or col.path == IGNORE or col.derived:
                continue
            out.setdefault(col.path, []).append((col.header, value))
        return out

    def _parse(self, vals: Values, path: str, parser: Any, *extra: Any) -> Any:
        """The first cell of ``path`` through ``parser`` (a date in the order its column writes day and month, in
        the team's time zone; an amount in the unit its header names); a cell it refuses rejects the row — or,
        on a customer row, is dropped alone (and reported) while the rest of the row is imported."""
        for header, value in vals.get(path, []):
            if cell_empty(value):
                continue
            try:
                col = self.by_header.get(header)
                if parser is parse_date:
                    return parse_date(value, col.date_order if col else None, self.tz)
                if parser is parse_number:
                    return parse_number(value, (col.unit or 1) if col else 1)
                return parser(value, *extra)
            except CellError as e:
                self._bad_cell(e, header)
        return None

    def _latest(self, vals: Values, path: str) -> dt.date | None:
        """The newest date of every cell of ``path`` (Last Activity Date and Last Contacted: the later one)."""
        found = []
        for header, value in vals.get(path, []):
            if cell_empty(value):
                continue
            col = self.by_header.get(header)
            try:
                found.append(parse_date(value, col.date_order if col else None, self.tz))
            except CellError as e:
                self._bad_cell(e, header)
        return max(found) if found else None

    def _bad_cell(self, e: CellError, header: str) -> None:
        """Raise the row's reject, or on a customer row record that only this value was dropped."""
        rejected = self._cell_reject(e, header)
        if not self.lenient:
            raise rejected from None
        self.drops.append(self.msgs.line("import-value-dropped", detail=self.msgs.line(rejected.code,
                                                                                 **rejected.values)))

    def _cell_reject(self, e: CellError, header: str) -> RowReject:
        args = {k: v for k, v in e.values.items() if k != "column"}
        if e.code == "import-bad-phone":
            args["detail"] = self.msgs.word(f"phone.{args.get('detail', 'invalid')}")
        elif e.code == "import-bad-email":
            args["detail"] = self.msgs.word(f"email.{args.get('detail', 'other')}")
        return RowReject.coded(str(e.code), column=header, **args)

    def _text(self, vals: Values, path: str) -> str | None:
        for _, value in vals.get(path, []):
            text = clean_text(value)
            if text is not None:
                return text
        return None

    def _vocab(self, vals: Values, path: str, vocab: str, notes: list[str], title: str | None = None) -> str | None:
        """A vocabulary key; a word that names none is kept in the notes and reported, not lost."""
        for header, value in vals.get(path, []):
            if cell_empty(value):
                continue
            resolver = self.resolvers[vocab]
            key = self._industry(value, resolver) if vocab == "industry" else \
                size_key(value, resolver) if vocab == "size" else resolver.key(value)
            if key is not None:
                return key
            text = clean_text(value) or ""
            self.unknown[(header, text)] += 1
            notes.append(self.msgs.word("note_unknown", title=title or header, value=text))
            if vocab == "industry":
                self.to_confirm.append(text)
        return None

    def _industry(self, value: Any, resolver: Resolver) -> str | None:
        """GB/T key of an industry cell: the team's mapping; the picklist of the export the sheet is
        (data/industry_map.yaml); the schema's codes, labels and synonyms; the picklists of the other known
        systems; then a fragment of a label (零售行业)."""
        text = clean_text(value)
        if text is None:
            return None
        own = resolver.table.get(fold(text)) if self.mapping.values.get("industry") else None
        if own is not None:
            return own
        system = self.export.industry if self.export else None
        for only in ((system,) if system else ()):
            listed = industry_from_table(text, only, others=False)
            if listed is not None and listed[0] in resolver.vocab:
                return listed[0]
        code = re.match(r"^([A-T](?:\d{2})?)(?:\s|$)", text)
        exact = code.group(1) if code and code.group(1) in resolver.vocab else resolver.table.get(fold(text))
        if exact is not None:
            return exact
        listed = industry_from_table(text, system)
        if listed is not None and listed[0] in resolver.vocab:
            return listed[0]
        return industry_key(value, resolver)

    def read_customer_rows(self, sheets: list[tuple[SheetMap, str]], items: list[tuple[int, list[Any]]],
                           on_start: Callable[[], None] | None = None,
                           on_done: Callable[[int], None] | None = None) -> list[CustomerReading]:
        """Every customer row of ``items`` ((index into ``sheets``, cells)) read, in order; rows are independent,
        so a large sheet is read by one process per core (10,000 rows: about 7 s of work). The counters of
        unknown words and of ID numbers take each reading's share here, as if read in this process."""
        readings = map_in_workers(_read_customer, items, (self, sheets), threshold=PARALLEL_ROWS, on_start=on_start,
                                  on_done=on_done)
        for reading in readings:
            self.unknown.update(reading.unknown)
            self.sensitive.update(reading.sensitive)
        return readings

    # --- customer rows --------------------------------------------------------------------------------------

    def customer_row(self, smap: SheetMap, cells: list[Any]) -> tuple[dict[str, Any], str | None] | None:
        """A customer row as (customer data, a former id it names); None when it holds nothing to import.
        A bad value drops only that value (listed in ``drops``); a missing name rejects the row."""
        self.drops, self.fallbacks, self.to_confirm = [], [], []
        self.lenient = True
        try:
            vals = self._values(smap, cells)
            name = self._text(vals, "name")
            if name is None and self.export is not None and self.export.person_customers:
                name = self._text(vals, "contact.name")  # a person with no company (企业微信): a customer of its own
            if name is None:
                if not vals:
                    return None  # only ignored columns filled in
                raise RowReject.coded("import-no-name")
            return self._customer_fields(vals, name)
        finally:
            self.lenient = False

    def _customer_fields(self, vals: Values, name: str) -> tuple[dict[str, Any], str | None]:
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
                data["former_ids"] = [cid]  # another system's id: kept, and found again by a later import
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
        address = self._text(vals, "address")
        if address:
            region = _REGION.match(address)
            if "region" not in data and region and region.group(1):
                data["region"] = region.group(1)
            notes.append(self.msgs.word("note_address", title=vals["address"][0][0], value=address))
        for header, value in vals.get("turnover", []):  # the customer's own revenue, never what it buys from us
            notes.append(self.msgs.word("note_turnover", title=header, value=self._turnover(header, value)))
        last = self._latest(vals, "last_contact")
        if last is not None and last > self.today:
            self._bad_cell(CellError.coded("import-future", value=last, today=self.today),
                           self._header(vals, "last_contact", "imported_last_contact"))
            last = None
        if last is not None and self._text(vals, "interaction.summary") and not vals.get("interaction.date"):
            vals["interaction.date"] = [(vals["last_contact"][0][0], last)]  # the content of that last follow-up
        elif last is not None:
            data["imported_last_contact"] = last
        if data.get("class") and not data.get("class_reason"):
            data["class_reason"] = self.msgs.word("class_reason")
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

    def _turnover(self, header: str, value: Any) -> str:
        """A turnover cell as the notes show it: in yuan when it is a number (with the header's unit)."""
        try:
            col = self.by_header.get(header)
            return f"{parse_number(value, (col.unit or 1) if col else 1):,}"
        except CellError:
            return clean_text(value) or ""

    def _optional(self, make: Any, *args: Any) -> Any:
        """A record written on a customer's row (a follow-up, a deal …): one that cannot be made is
        dropped and reported, and the customer is imported without it."""
        try:
            return make(*args)
        except RowReject as e:
            if not self.lenient:
                raise
            self.drops.append(self.msgs.line("import-value-dropped", detail=self.msgs.line(e.code, **e.values)))
            return None

    def _field(self, vals: Values, key: str, notes: list[str]) -> Any:
        """A top-level field, read the way its schema says."""
        if key not in vals:
            return None
        prop = self.props.get(key, {})
        title = self.rules.title(key)
        if key == "owner":
            return self._owner_cell(vals, "owner", notes)
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
                        notes.append(self.msgs.word("note_unknown", title=title, value=part))
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

    def _budget(self, vals: Values, notes: list[str]) -> Any:
        """预算: an amount in 元 or 万 (50万 -> 500000, 120,000元, ¥8k) as a number; a range or words
        (30-50万, 待确认) as written; a date is not a budget: dropped and reported (a shifted column)."""
        for header, value in vals.get("budget", []):
            if cell_empty(value):
                continue
            if looks_like_date(value):
                self._bad_cell(CellError.coded("import-type-date", expected=self.msgs.word("type.amount"),
                                         value=shown(value)), header)
                return None
            text = clean_text(value) or ""
            try:
                return parse_number(value)
            except CellError:
                return text
        return None

    def _owner_cell(self, vals: Values, path: str, notes: list[str] | None = None) -> str | None:
        """The member a cell names; one not (or no longer) in the team falls back to ``--owner`` and the name
        the sheet wrote is kept in ``notes`` (a customer's owner, an opportunity's owner)."""
        for header, value in vals.get(path, []):
            if cell_empty(value):
                continue
            before = len(self.fallbacks)
            handle = self._owner_or_fallback(header, value)
            if len(self.fallbacks) > before and notes is not None:
                notes.append(self.msgs.word("note_former_owner", title=header, value=clean_text(value)))
            return handle
        return None

    def _next_action(self, vals: Values, data: dict[str, Any], notes: list[str]) -> None:
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

    def _interactions(self, vals: Values, data: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
        out = []
        if vals.get("interaction.summary") or vals.get("interaction.date"):
            if self._text(vals, "interaction.summary") and vals.get("interaction.date"):
                item = self._child("interaction", vals, notes)
                if item:
                    out.append(item)
            else:  # half an interaction (a date without what happened, or the reverse): kept in the notes
                for path in ("interaction.date", "interaction.summary"):
                    if vals.get(path):
                        notes.append(f"{vals[path][0][0]}: {shown(vals[path][0][1])}")
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

    def _deal_in_customer_row(self, vals: Values, data: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
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
                    notes.append(f"{vals[path][0][0]}: {shown(vals[path][0][1])}")
        if (deal is not None or won) and data.get("stage") != "lost":
            data["stage"] = "won"
        return deal

    def _won(self, vals: Values, notes: list[str]) -> tuple[bool | None, dt.date | None]:
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
            if flag is None and text.startswith(tuple(section("booleans")["no_prefixes"])):
                flag = False
            if flag is None:
                self.unknown[(header, text)] += 1
                notes.append(self.msgs.word("note_unknown", title=header, value=text))
            return flag, None
        return None, None

    # --- records of the lists (contacts, interactions, deals, surveys, complaints) --------------------------

    def child_row(self, smap: SheetMap, cells: list[Any]) -> ChildRow | None:
        """A row of a follow-up, deal, contact, survey or complaint sheet as the record it adds and the
        customer it names; None when it holds nothing. A value that cannot be read rejects the row when the
        record needs it (a follow-up's date), else it is dropped alone."""
        self.drops, self.fallbacks, self.to_confirm = [], [], []
        vals = self._values(smap, cells)
        if not vals:
            return None
        prefix = CHILD[smap.kind][0]
        cid = self._text(vals, "id")
        name = self._text(vals, "name")
        if cid is None and name is None:
            raise RowReject.coded("import-missing", column=self.msgs.word("ref.name"), what=self._what(smap.kind))
        notes: list[str] = []
        item = self._interaction_item_from(vals, notes) if prefix == "interaction" else self._child(prefix, vals, notes)
        if not item:
            return None
        row = ChildRow(cid, name, LIST_OF[prefix], item, notes)
        if prefix == "opportunity" and item.get("stage") == "won":
            row.also.append(("deals", self._deal_of_won(item)))
        return row

    def _deal_of_won(self, opp: dict[str, Any]) -> dict[str, Any]:
        """A won opportunity of another system is a deal too (the checker asks every won opportunity for the deal
        it became): what, amount, signed on the day it closed (not invented when that day is to come)."""
        signed = opp.get("closed") or opp.get("close")
        deal = {"product": opp["what"], "amount": opp["amount"],
                "signed": signed if signed is not None and signed <= self.today else None, "opportunity": opp["id"]}
        return {k: v for k, v in deal.items() if v is not None}

    def _child(self, prefix: str, vals: Values, notes: list[str]) -> dict[str, Any] | None:
        parse = {"contact": self._contact_item, "interaction": self._interaction_item_from, "deal": self._deal_item,
                 "opportunity": self._opportunity_item, "survey": self._survey_item,
                 "complaint": self._complaint_item}[prefix]
        return parse(vals, notes)

    def _contact_item(self, vals: Values, notes: list[str]) -> dict[str, Any] | None:
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
            "name": self._text(vals, "contact.name") or self._joined_name(vals),
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

    def _joined_name(self, vals: Values) -> str | None:
        """First and last name columns as one name: 张 + 伟 = 张伟 (Chinese: family name first, no space), Wei
        Zhang as 'Wei Zhang'."""
        first, last = self._text(vals, "contact.first_name"), self._text(vals, "contact.last_name")
        if not first or not last:
            return first or last
        if re.search(r"[\u3400-\u9fff]", first + last):
            return f"{last}{first}"
        return f"{first} {last}"

    def _interaction_item(self, when: dt.date, channel: str, by: str | None, summary: str, outcome: str | None,
                          contact: str | None, notes: list[str]) -> dict[str, Any]:
        if self.limit and len(summary) > self.limit:
            notes.append(summary)
            cut = self.msgs.word("truncated")
            summary = summary[: max(self.limit - len(cut), 1)] + cut
        item = {"date": when, "channel": channel, "by": by, "contact": contact, "summary": summary,
                "outcome": outcome}
        return {k: v for k, v in item.items() if v is not None}

    def _interaction_item_from(self, vals: Values, notes: list[str]) -> dict[str, Any]:
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
                summary = self.msgs.word("import.channel_in_summary", channel=channel_text, summary=summary)
                self.unknown[(self._header(vals, "interaction.channel", "interaction.channel"), channel_text)] += 1
            channel = fallback or self._guess_channel(summary)
        by = self._owner_cell(vals, "interaction.by")
        if self.fallbacks and by == self.default_owner:  # who followed up is history: kept in what happened
            summary = self.msgs.word("import.by_in_summary", by=self.fallbacks[-1][0], summary=summary)
        return self._interaction_item(when, channel, by, summary, self._text(vals, "interaction.outcome"),
                                      self._text(vals, "interaction.contact"), notes)

    def _deal_item(self, vals: Values, notes: list[str]) -> dict[str, Any]:
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

    def _opportunity_item(self, vals: Values, notes: list[str]) -> dict[str, Any]:
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
        owner = self._owner_cell(vals, "opportunity.owner", local)
        item = {"id": oid, "what": what, "amount": amount, "close": close, "stage": stage,
                "probability": self._parse(vals, "opportunity.probability", parse_rate),
                "owner": None if self.fallbacks else owner,  # a former owner's: the customer's owner works it
                "created": self._parse(vals, "opportunity.created", parse_date),
                "closed": self._parse(vals, "opportunity.closed", parse_date),
                "lost_reason": self._vocab(vals, "opportunity.lost_reason", "lost_reason", local),
                "note": "\n".join([self._text(vals, "opportunity.note") or "", *local]).strip() or None}
        for key in ("created", "closed"):
            if item[key] is not None:
                self._not_future(vals, f"opportunity.{key}", item[key])
        if stage in ("won", "lost") and item["closed"] is None and close <= self.today:
            item["closed"] = close  # another system's closed deal closed on its close date
        return {k: v for k, v in item.items() if v is not None}

    def _survey_item(self, vals: Values, notes: list[str]) -> dict[str, Any]:
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

    def _complaint_item(self, vals: Values, notes: list[str]) -> dict[str, Any]:
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
            other = section("vocabularies")["catch_all"]["complaint_category"]
            category = other if other in self.resolvers["complaint_category"].vocab else None
        former: list[str] = []
        handler = self._owner_cell(vals, "complaint.handler", former)
        result = "\n".join(x for x in [self._text(vals, "complaint.result") or "", *former] if x) or None
        item = {"date": when, "category": category, "content": content,
                "handler": None if self.fallbacks else handler, "status": status, "resolved": resolved,
                "result": result}
        if status == "resolved" and not resolved:
            raise RowReject.coded("import-missing",
                                  column=self._header(vals, "complaint.resolved", "complaint.resolved"),
                                  what=self._what("complaints"))
        return {k: v for k, v in item.items() if v is not None}

    def _not_future(self, vals: Values, path: str, when: dt.date) -> None:
        """What has happened cannot be dated after today (the checker's future-date rule, per row)."""
        if when > self.today:
            raise RowReject.coded("import-future", column=self._header(vals, path, path), value=when, today=self.today)

    def _header(self, vals: Values, path: str, fallback: str) -> str:
        cells = vals.get(path)
        if cells:
            return str(cells[0][0])
        prefix, _, name = fallback.partition(".")
        defs = self.defs.get(prefix, {}).get("properties", {}).get(name, {})
        return str(defs.get("x-title-en" if self.msgs.lang == "en" else "title") or fallback)

    def _what(self, kind: str) -> str:
        return self.msgs.word(f"kind.{kind}")


def _vocab_name(schema: dict[str, Any], resolvers: dict[str, Resolver]) -> str | None:
    """The vocabulary a property draws from ($ref to a list of choices, possibly or null)."""
    refs = [schema.get("$ref")] + [s.get("$ref") for s in schema.get("anyOf", []) if isinstance(s, dict)]
    for ref in refs:
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.rsplit("/", 1)[-1]
            if name in resolvers:
                return name
    return None


def _types(prop: dict[str, Any]) -> set[str]:
    t = prop.get("type")
    return set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()
