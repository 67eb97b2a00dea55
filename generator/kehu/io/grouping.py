"""Grouping: which rows of an import describe one customer, and which existing customer file each of those
customers is.

Identity is the company's, never a contact's. Rows (and files) are one customer when they share an id, a
former id (``原编号：`` in the notes) or a company name that is one: the same normalised name (the checker's
``duplicate-name``) or the same region, trade name and industry written with a stray space, another legal
form or a broken one (有限公, 股份有限公, 股技有限公司), in traditional characters (kehu.core.names: the slips that
leave a name's core as it is). A phone, e-mail or contact name two differently named companies share is never
a reason to merge them:

* a well-known dummy (13800000000, 123@qq.com — ``placeholders`` in data/input_words.yaml) or a value that
  ``imports.placeholder_companies`` differently named companies share is a *placeholder*: reported, and
  stored on none of them;
* a value fewer companies share is kept on each and reported as *shared* (the checker warns about it too).

Rows that are one company keep the best-written name (no stray space, no broken legal form; then the one
most rows use) and every merge is recorded (``merges``) with both names and rows. Near-duplicate names that
are not one by these rules (a homophone, the English name) are flagged by the checker's rules when the plan
is validated, never merged here. A row that matches two existing customers is rejected: a person must say
which.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..book.loader import open_book
from ..core.names import name_key, writing_flaws
from ..core.normalize import normalize_company, parse_phone, placeholder_contact
from ..core.rules import IndexEntry
from ..core.values import email_key
from ..repo.model import as_date
from ..repo.repository import Repo
from ..store.dedupe import MergeRules, merge_records
from .drafts import Draft, Existing, Merge, Placeholder, RowRef, RowReject, SharedContact
from .rows import ChildRow

_OLD_ID_NOTE = re.compile(r"(?:原编号|former id)[:：]\s*(\S+)")


class Grouping:
    """The drafts of one import and the repository's customers, indexed by what identifies a customer."""

    def __init__(self, repo: Repo, rules: MergeRules) -> None:
        self.repo = repo
        self.msgs = repo.msgs
        self.config = repo.config
        self.rules = rules
        self.region: str = repo.config.check.phone_region
        self.suffixes = repo.config.check.company_suffixes
        self.drafts: list[Draft] = []
        self.parent: list[int] = []  # union-find over drafts: a merged draft points at the one it joined
        self.draft_keys: dict[str, int] = {}
        self.draft_of_existing: dict[str, int] = {}
        self.existing: dict[str, Existing] = {}
        self.existing_keys: dict[str, set[str]] = {}
        self.existing_contacts: dict[str, set[str]] = {}  # phone:/email: key -> existing customers holding it
        self.pending: list[tuple[Draft, str | None]] = []  # customer rows read, placed by resolve()
        self.merged_rows = 0  # customer rows that joined another row or an existing customer
        self._load_existing()

    def _load_existing(self) -> None:
        """Every customer file of the book (also one that is no customer: what could be read of it)."""
        book = open_book(self.repo)
        dup = {e.file: e for e in book.index.duplicate_entries()}
        for item in book.index.items:
            entry = dup.get(item.file) or IndexEntry(item.file)
            cid = entry.id or Path(item.file).stem
            data = book.data_of(item.file)
            owner = data.get("owner") if isinstance(data.get("owner"), str) else None
            self.existing[cid] = Existing(cid, self.repo.root / item.file, entry, owner, data)
            keys = {f"id:{cid}"}
            if entry.norm_name:
                keys.add(f"name:{entry.norm_name}")
            if entry.name_key is not None and entry.name_key.core:
                keys.add(f"core:{entry.name_key.core}")
            listed = data.get("former_ids")
            former: list[Any] = listed if isinstance(listed, list) else []
            for old in [*_OLD_ID_NOTE.findall(str(data.get("notes") or "")), *map(str, former)]:
                keys.add(f"old:{old}")
            for k in keys:
                self.existing_keys.setdefault(k, set()).add(cid)
            for k in {f"phone:{p[0]}" for p in entry.phones} | {f"email:{e[0]}" for e in entry.emails}:
                self.existing_contacts.setdefault(k, set()).add(cid)

    # --- customer rows: one draft per customer, however many rows name it ---------------------------

    def keys(self, data: dict[str, Any], old_id: str | None) -> set[str]:
        """What makes two rows one customer: an id, a former id, the company name (normalised, or its core: the
        name without its legal form, broken or not) — never a contact."""
        keys = set()
        if data.get("id"):
            keys.add(f"id:{data['id']}")
        if old_id:
            keys.add(f"old:{old_id}")
        norm = normalize_company(data["name"], self.suffixes)
        if norm:
            keys.add(f"name:{norm}")
        core = name_key(data["name"], self.suffixes).core
        if core:
            keys.add(f"core:{core}")
        return keys

    def add(self, draft: Draft, old_id: str | None) -> None:
        """A customer row's draft, placed when every customer row has been read (``resolve``)."""
        self.pending.append((draft, old_id))

    def resolve(self, placeholder_companies: int) -> tuple[list[Placeholder], list[SharedContact], list[Merge],
                                                           list[tuple[RowRef, str, dict[str, Any]]]]:
        """Place every customer row read: placeholders taken off first, then rows grouped by company.
        Returns (placeholders, shared contacts, merges, rows rejected with their catalogue code and values)."""
        placeholders, shared = self._contacts(placeholder_companies)
        refused: list[tuple[RowRef, str, dict[str, Any]]] = []
        for draft, old_id in self.pending:
            try:
                self.place(draft, self.keys(draft.data, old_id))
            except RowReject as e:
                refused.append((draft.rows[0], str(e.code), e.values))
        self.pending = []
        return placeholders, shared, self._names(), refused

    def _contacts(self, threshold: int) -> tuple[list[Placeholder], list[SharedContact]]:
        """Which phones and e-mails of the rows belong to nobody (placeholders, taken off every contact) and
        which two companies share (kept, reported)."""
        # contact key -> (normalised company name, company name, row, the value as written)
        holders: defaultdict[str, list[tuple[str, str, RowRef, str]]] = defaultdict(list)
        for draft, _ in self.pending:
            norm = normalize_company(draft.data["name"], self.suffixes)
            for c in draft.data.get("contacts", []):
                for kind, key in self._contact_keys(c):
                    holders[key].append((norm, draft.data["name"], draft.rows[0], str(c[kind])))
        placeholders: list[Placeholder] = []
        shared: list[SharedContact] = []
        gone: set[str] = set()
        for key, rows in holders.items():
            kind = key.split(":", 1)[0]
            existing = self.existing_contacts.get(key, set())
            # a customer of the book counts by its name: the rows that import it again are no other company
            of_book = {cid: self.existing[cid].entry.norm_name or f"id:{cid}" for cid in existing}
            companies = {norm for norm, _, _, _ in rows} | set(of_book.values())
            dummy = placeholder_contact(kind, rows[0][3])
            if dummy or len(companies) >= threshold:
                gone.add(key)
                placeholders.append(Placeholder(kind, rows[0][3], dummy, [(name, ref) for _, name, ref, _ in rows]))
            elif len(companies) > 1:
                seen: dict[str, tuple[str, str]] = {}
                for norm, name, ref, _ in rows:
                    seen.setdefault(norm, (name, self.msgs.word("import.row_of", sheet=ref.sheet, row=ref.row)))
                for cid in sorted(existing):
                    seen.setdefault(of_book[cid], (self.existing[cid].entry.name or cid, cid))
                shared.append(SharedContact(kind, rows[0][3], list(seen.values())))
        if gone:
            for draft, _ in self.pending:
                self._drop_contacts(draft.data, gone)
        return placeholders, shared

    def _contact_keys(self, contact: dict[str, Any]) -> Iterator[tuple[str, str]]:
        if contact.get("phone"):
            e164, _ = parse_phone(str(contact["phone"]), self.region)
            if e164:
                yield "phone", f"phone:{e164}"
        if contact.get("email"):
            norm, _ = email_key(str(contact["email"]))
            if norm:
                yield "email", f"email:{norm}"

    def _drop_contacts(self, data: dict[str, Any], gone: set[str]) -> None:
        """Take placeholder phones and e-mails off a draft's contacts; a contact left with nothing but a name
        that says "to be confirmed" goes too."""
        marker = {str(m) for m in self.config.missing_markers}
        kept = []
        for c in data.get("contacts", []):
            for kind, key in list(self._contact_keys(c)):
                if key in gone:
                    c.pop(kind, None)
            if set(c) - {"name", "primary"} or c.get("name") not in marker:
                kept.append(c)
        if kept:
            data["contacts"] = kept
        else:
            data.pop("contacts", None)

    def place(self, draft: Draft, keys: set[str]) -> None:
        """Merge the row's draft with every draft and existing customer it shares a key with."""
        existing: set[str] = set()
        roots: set[int] = set()
        for k in keys:
            existing |= self.existing_keys.get(k, set())
            if k in self.draft_keys:
                roots.add(self._root(self.draft_keys[k]))
        for r in roots:
            draft_of = self.drafts[r].existing
            if draft_of:
                existing.add(draft_of)
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
                self.merged_rows += 1
            target = min(roots)
            for r in sorted(roots | {mine}):
                if r != target:
                    self._absorb(target, r)
            mine = target
        for k in keys:
            self.draft_keys[k] = mine

    def _absorb(self, target: int, other: int) -> None:
        a, b = self.drafts[target], self.drafts[other]
        incoming = {k: v for k, v in b.data.items() if k != "name"}  # the name is chosen once all rows are in
        earliest = min((d for d in (as_date(a.data.get("created")), as_date(b.data.get("created"))) if d),
                       default=None)
        merge_records(a.data, incoming, self.rules, soft={"created"})
        if earliest is not None and a.data.get("created") is not None:
            a.data["created"] = earliest  # the company was known since its earliest row (企业微信: the first added)
        if "name" not in a.data and "name" in b.data:
            a.data["name"] = b.data["name"]
        a.rows.extend(b.rows)
        a.names.extend(b.names)
        a.existing = a.existing or b.existing
        if b.existing:
            self.draft_of_existing[b.existing] = target
        b.alive = False
        self.parent[other] = target

    def _names(self) -> list[Merge]:
        """Each customer's name among the ways its rows wrote it, and the merges to report: the best-written
        name (no stray space, no broken legal form), then the one most rows use, then the first; a customer
        that exists keeps its file's name."""
        merges = []
        for draft in self.groups():
            if not draft.names:
                continue
            if draft.existing:
                info = self.existing[draft.existing]
                kept = info.entry.name or draft.names[0][0]
                if any(self._one_name(n, kept) for n, _ in draft.names):
                    draft.data["name"] = kept  # the same name written otherwise: not a difference to note
                merges.append(Merge(kept, None, draft.existing, list(draft.names)))
                continue
            counts = Counter(_plain(n) for n, _ in draft.names)
            order = {name: i for i, (name, _) in reversed(list(enumerate(draft.names)))}
            best = min(order, key=lambda n: (writing_flaws(n, self.suffixes), -counts[_plain(n)], order[n]))
            draft.data["name"] = best
            for name in dict.fromkeys(n for n, _ in draft.names):  # merged by a former id: another name to keep
                if not self._one_name(name, best):
                    merge_records(draft.data, {"name": name}, self.rules)
            if len(draft.names) > 1:
                ref = draft.names[order[best]][1]
                merges.append(Merge(best, ref, None, [(n, r) for i, (n, r) in enumerate(draft.names)
                                                      if i != order[best]]))
        return merges

    def _one_name(self, a: str, b: str) -> bool:
        """Two ways of writing one name (the keys above): not a difference worth a note."""
        return normalize_company(a, self.suffixes) == normalize_company(b, self.suffixes) or \
            name_key(a, self.suffixes).core == name_key(b, self.suffixes).core

    # --- rows of child sheets: the customer they name -------------------------------------------------

    def attach(self, ref: RowRef, child: ChildRow) -> None:
        """Add a child sheet's record to the customer it names (a draft of this import, or an existing
        customer); rejects the row when it names none, or several."""
        target = self.find_customer(child.cid, child.name)
        if target is None:
            raise RowReject.coded("import-no-customer", value=child.cid or child.name)
        draft = self.drafts[target]
        probe: dict[str, Any] = {child.key: [child.item]}
        for key, item in child.also:
            probe.setdefault(key, []).append(item)
        if child.notes:
            probe["notes"] = "\n".join(child.notes)
        merge_records(draft.data, probe, self.rules)
        draft.rows.append(ref)

    def find_customer(self, cid: str | None, name: str | None) -> int | None:
        keys = []
        if cid:
            keys += [f"id:{cid}", f"old:{cid}"]
        if name:
            norm = normalize_company(name, self.suffixes)
            if norm:
                keys.append(f"name:{norm}")
            core = name_key(name, self.suffixes).core
            if core:
                keys.append(f"core:{core}")
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

    def _root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def groups(self) -> Iterator[Draft]:
        """One draft per customer the rows describe (the rest were merged into it), in row order."""
        for i, draft in enumerate(self.drafts):
            if draft.alive and self._root(i) == i and draft.rows:
                yield draft


def _plain(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip()
