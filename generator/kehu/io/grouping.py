"""Grouping of duplicates: which rows of an import describe one customer, and which existing customer file
each of those customers is.

Rows (and files) that share an id, a former id (``原编号：`` in the notes), a normalised name, a phone or an
e-mail — the checker's own notion of "the same customer" — are one customer: their drafts merge (a
union-find over drafts), and with the existing file they match, so a duplicate is merged, never
multiplied. A row that matches two existing customers is rejected: a person must say which.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..book.loader import open_book
from ..core.normalize import normalize_company, parse_phone
from ..core.rules import IndexEntry
from ..core.values import email_key
from ..repo.repository import Repo
from ..store.dedupe import MergeRules, merge_records
from .drafts import Draft, Existing, RowRef, RowReject
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
            keys |= {f"phone:{p[0]}" for p in entry.phones} | {f"email:{e[0]}" for e in entry.emails}
            for old in _OLD_ID_NOTE.findall(str(data.get("notes") or "")):
                keys.add(f"old:{old}")
            for k in keys:
                self.existing_keys.setdefault(k, set()).add(cid)

    # --- customer rows: one draft per customer, however many rows name it ---------------------------

    def keys(self, data: dict[str, Any], old_id: str | None) -> set[str]:
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
        merge_records(a.data, b.data, self.rules)
        a.rows.extend(b.rows)
        a.existing = a.existing or b.existing
        if b.existing:
            self.draft_of_existing[b.existing] = target
        b.alive = False
        self.parent[other] = target

    def _root(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    # --- rows of child sheets: the customer they name -------------------------------------------------

    def attach(self, ref: RowRef, child: ChildRow) -> None:
        """Add a child sheet's record to the customer it names (a draft of this import, or an existing
        customer); rejects the row when it names none, or several."""
        target = self.find_customer(child.cid, child.name)
        if target is None:
            raise RowReject.coded("import-no-customer", value=child.cid or child.name)
        draft = self.drafts[target]
        probe: dict[str, Any] = {child.key: [child.item]}
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

    def groups(self) -> Iterator[Draft]:
        """One draft per customer the rows describe (the rest were merged into it), in row order."""
        for i, draft in enumerate(self.drafts):
            if draft.alive and self._root(i) == i and draft.rows:
                yield draft
