"""Rows -> drafts: one row of a sheet read into a draft customer's data (a customer row) or into the
record it adds to a customer (a follow-up, deal, contact, survey or complaint row).

Every cell is read the way the schema says (dates, amounts, phones, choices from a vocabulary, owners
from team.yaml); an ID or bank card number anywhere rejects the row. On a customer row a bad value is
dropped alone and reported (``drops``), and a word that names no choice is kept in the notes and counted
(``unknown``); on other rows any bad value rejects the row (:class:`RowReject`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..core.privacy import find_bank_card, find_national_id
from ..core.values import (
    CellError,
    Resolver,
    clean_text,
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
from ..words.input_words import section
from .columns import CHILD, IGNORE, LIST_OF, SheetMap
from .drafts import RowReject
from .mapping import Mapping, MappingError
from .sheets import shown

Values = dict[str, list[tuple[str, Any]]]  # a row's non-empty cells: path -> [(header, value)]
_TOTAL_ROW = re.compile(r"^(合计|总计|小计|总数|total|sum)$", re.I)
_REGION = re.compile(r"^((?:[^省市]{2,7}?(?:省|自治区))?(?:[^省市区县]{2,7}?市)?)")


@dataclass
class ChildRow:
    """What a row of a child sheet adds: ``item`` to the customer's list ``key``, and notes."""

    cid: str | None        # the customer it names, by id (or former id) …
    name: str | None       # … or by name
    key: str               # interactions, deals, contacts, surveys, complaints, opportunities
    item: dict[str, Any]
    notes: list[str]


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
        vocabs = repo.schemas.vocabularies
        self.resolvers = {name: Resolver(v, mapping.values.get(name)) for name, v in vocabs.items()}
        channel = self.resolvers["channel"]
        # words that name a channel inside a summary ('电话确认报价' -> call), longest first
        self.channel_words = sorted(((t.zh.casefold(), t.key) for t in channel.vocab.terms if len(t.zh) >= 2),
                                    key=lambda x: -len(x[0]))
        self.channel_words += sorted(((w, k) for w, k in channel.table.items() if len(w) >= 2 and not w.isascii()),
                                     key=lambda x: -len(x[0]))
        self.owners = self._owner_table()
        self.default_owner = self._default_owner(default_owner)
        self.unknown: Counter[tuple[str, str]] = Counter()  # (column, word) that names no choice -> rows
        self.lenient = False  # a customer row: a bad value drops only that value (recorded in drops)
        self.drops: list[str] = []

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
                raise MappingError.coded("import-bad-mapping", file="--mapping",
                                         detail=f"owners: '{name}: {handle}': '{handle}' is not a member of team.yaml")
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
        """path -> [(header, value)] of the row's non-empty cells; refuses ID and card numbers first."""
        out: Values = {}
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

    def _parse(self, vals: Values, path: str, parser: Any, *extra: Any) -> Any:
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
            key = industry_key(value, resolver) if vocab == "industry" else \
                size_key(value, resolver) if vocab == "size" else resolver.key(value)
            if key is not None:
                return key
            text = clean_text(value) or ""
            self.unknown[(header, text)] += 1
            notes.append(self.msgs.word("note_unknown", title=title or header, value=text))
        return None

    # --- customer rows --------------------------------------------------------------------------------------

    def customer_row(self, smap: SheetMap, cells: list[Any]) -> tuple[dict[str, Any], str | None] | None:
        """A customer row as (customer data, a former id it names); None when it holds nothing to import.
        A bad value drops only that value (listed in ``drops``); a missing name rejects the row."""
        self.drops = []
        self.lenient = True
        try:
            vals = self._values(smap, cells)
            name = self._text(vals, "name")
            if name is None:
                if not vals:
                    return None  # only ignored columns filled in
                raise RowReject.coded("import-no-name")
            if _TOTAL_ROW.match(name):
                raise RowReject.coded("import-total-row")
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
                notes.append(self.msgs.word("note_old_id", value=cid))
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

    def _owner_cell(self, vals: Values, path: str) -> str | None:
        for header, value in vals.get(path, []):
            if cell_empty(value):
                continue
            handle = self._owner(value)
            if handle is None:
                known = self.msgs.word("sep").join(sorted(self.repo.handles or ()))
                raise RowReject.coded("import-unknown-owner", column=header, value=clean_text(value), known=known)
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
        customer it names; None when it holds nothing. Any bad value rejects the row."""
        self.drops = []
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
        return ChildRow(cid, name, LIST_OF[prefix], item, notes)

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
        item = {"date": when, "category": category, "content": content,
                "handler": self._owner_cell(vals, "complaint.handler"), "status": status, "resolved": resolved,
                "result": self._text(vals, "complaint.result")}
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
