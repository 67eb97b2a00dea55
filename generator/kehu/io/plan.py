"""Sheets -> an import plan: which customer files are created or updated, which rows merge into
which customer, which rows are rejected and why. Nothing is written here (``apply`` writes).

:class:`Planner` runs the jobs, each in its own module, in this order of work:

1. every customer row becomes a draft customer (``sheets``, ``rows``; or a reject: no name, an ID
   number in any cell, a phone that cannot be repaired, an unknown owner …);
2. drafts that share an id, a normalised name, a phone or an e-mail — the checker's own
   notion of "the same customer" — merge with each other and with the existing customer
   file they match, so a duplicate is merged, never multiplied (``grouping``);
3. rows of follow-up, deal, contact, survey and complaint sheets join the customer they
   name (by id, former id or name; ``rows``, then ``grouping``);
4. each draft is finished (id from ``ids.template``, defaults, owner) and merged into the
   existing file's round-trip map, or made a new one; a merge that adds nothing is
   "unchanged", which is what makes a second import of the same file change nothing;
5. the results are checked together with the rest of the repository for cross-file
   duplicates; single-file checks happen where the files are written (``store.save_customer``)
   or, for a dry run, here (``validate``).

The data they share (drafts, outcomes, rejects, the plan) is in ``drafts``.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from ..core.privacy import find_bank_card, find_national_id
from ..core.values import clean_text, industry_key, parse_date
from ..repo.files import file_name
from ..repo.idscheme import IdError
from ..repo.repository import Repo
from ..store.dedupe import MergeRules, merge_records, rules_for
from ..store.ids import Allocator
from ..util.problems import Problem
from .columns import header_index
from .drafts import Draft, Existing, ImportPlan, Outcome, Reject, RowRef, RowReject, SheetError
from .grouping import Grouping
from .mapping import Mapping
from .readers import Sheet
from .rows import RowReader
from .sheets import KIND_ORDER, column_type_warnings, data_rows, map_sheet
from .validate import cross_file, existing_error, planned_error

__all__ = ["Draft", "Existing", "ImportPlan", "Outcome", "Planner", "Reject", "RowRef", "RowReject", "SheetError"]


class Planner:
    """One import: ``add_sheets`` reads the rows into drafts and groups them, ``finish`` makes the plan."""

    def __init__(self, repo: Repo, mapping: Mapping, default_owner: str | None = None) -> None:
        self.repo = repo
        self.msgs = repo.msgs
        self.config = repo.config
        self.mapping = mapping
        self.today: dt.date = repo.config.today
        self.index = header_index(repo.schemas, mapping.columns)
        self.rules: MergeRules = rules_for(repo, self.msgs.word("note_import"))
        self.rows = RowReader(repo, mapping, self.rules, default_owner)  # MappingError: an unknown owner
        self.groups = Grouping(repo, self.rules)
        self.plan = ImportPlan()
        self.cells: dict[RowRef, list[tuple[str, Any]]] = {}  # each row as the file has it, for the rejects file

    # --- rows -> drafts -> outcomes ----------------------------------------------------------------

    def add_sheets(self, sheets: list[Sheet], progress: Any = None) -> None:
        """Read every sheet's rows into drafts (customer sheets first: the other sheets name them)."""
        mapped = []
        for sheet in sheets:
            smap = map_sheet(sheet, self.mapping, self.index)
            if smap is not None:
                mapped.append((sheet, smap))
        mapped.sort(key=lambda x: KIND_ORDER[x[1].kind])
        self.plan.sheets = mapped
        for sheet, smap in mapped:
            self.plan.warnings.extend(column_type_warnings(sheet, smap, self.msgs))
        for sheet, smap in mapped:
            for number, cells in data_rows(sheet, smap):
                ref = RowRef(sheet.label, number)
                self.cells[ref] = [(c.header, cells[c.index] if c.index < len(cells) else None) for c in smap.columns]
                try:
                    if smap.kind == "customers":
                        read = self.rows.customer_row(smap, cells)
                        if read is not None:
                            data, old_id = read
                            self.groups.place(Draft(data, [ref]), self.groups.keys(data, old_id))
                    else:
                        child = self.rows.child_row(smap, cells)
                        if child is not None:
                            self.groups.attach(ref, child)
                except RowReject as e:
                    self._reject(ref, str(e.code), **e.values)
                else:
                    self.plan.dropped.extend(Reject(ref, text, self._masked(ref)) for text in self.rows.drops)
                if progress is not None:
                    progress()
        self.plan.merged_rows = self.groups.merged_rows

    def finish(self, validate: bool) -> ImportPlan:
        """Turn live drafts into outcomes. ``validate``: run the single-file checks here too (a dry run
        shows exactly what a real run would reject; a real run leaves them to ``save_customer``)."""
        from ruamel.yaml.comments import CommentedMap

        from ..repo.gitinfo import handle_for_email, user_email
        from ..store.write import SCHEMA_COMMENT, StoreError, load_roundtrip

        creator = handle_for_email(self.repo.team, user_email(self.repo.root)) or self.rows.default_owner
        allocator = Allocator.for_repo(self.repo, creator)
        groups = self.groups
        allocator.taken(set(groups.existing) | {d.data["id"] for d in groups.drafts if d.alive and d.data.get("id")})
        for draft in list(groups.groups()):
            try:
                if draft.existing:
                    info = groups.existing[draft.existing]
                    self._fill_by(draft, str(info.owner or ""))
                    # most rows of a re-import add nothing: find that out on the plain data (fast),
                    # and read the file for a round-trip edit only when something changes
                    if not merge_records(copy.deepcopy(info.data), draft.data, self.rules).changed:
                        self.plan.outcomes.append(Outcome("same", info.cid, info.path, info.data, draft))
                        continue
                    try:
                        doc = load_roundtrip(info.path, self.repo)
                    except StoreError as e:
                        raise RowReject.coded("import-existing-invalid", file=file_name(self.repo.root, info.path),
                                              message=str(e)) from None
                    problem = existing_error(self.repo, info.path)
                    if problem is not None:
                        raise RowReject.coded("import-existing-invalid", file=problem.file,
                                              message=f"{problem.line}:{problem.col} {problem.message}")
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
                self._reject_draft(draft, str(e.code), **e.values)
        if validate:
            for outcome in list(self.plan.writes):
                problem = planned_error(self.repo, outcome)
                if problem is not None:
                    self.reject_outcome(outcome, problem)
        refused, warnings = cross_file(self.repo, [e.entry for e in groups.existing.values()], self.plan.writes)
        for outcome, problem in refused:
            self.reject_outcome(outcome, problem)
        self.plan.warnings.extend(warnings)
        for (column, value), n in sorted(self.rows.unknown.items()):
            self.plan.warnings.append(self.msgs.word("unknown_value", column=column, value=value, n=n))
        self.plan.rejects.sort(key=lambda r: r.ref)
        self.plan.dropped.sort(key=lambda r: r.ref)
        return self.plan

    # --- finishing a new customer ----------------------------------------------------------------

    def _complete_new(self, draft: Draft, allocator: Allocator) -> None:
        data, defaults = draft.data, self.mapping.defaults
        if not data.get("owner"):
            if not self.rows.default_owner:
                raise RowReject.coded("import-no-owner")
            data["owner"] = self.rows.default_owner
        if not data.get("industry"):
            fallback = industry_key(defaults.get("industry"), self.rows.resolvers["industry"]) \
                if defaults.get("industry") else None
            if fallback is None:
                unknown = [v for (c, v) in self.rows.unknown if c in self._headers_of("industry")]
                raise RowReject.coded("import-no-industry", value=self.msgs.word("in_brackets", text=unknown[0])
                                      if unknown else "")
            data["industry"] = fallback
        if not data.get("stage"):
            data["stage"] = self.rows.resolvers["stage"].key(defaults.get("stage")) if defaults.get("stage") else None
            data["stage"] = data["stage"] or self.config.stages[0]
        if data["stage"] == "lost" and not data.get("lost_from"):
            guess = "won" if data.get("deals") else self.config.stages[0]
            data["lost_from"] = guess
            self._note(data, self.msgs.word("note_lost_from", stage=self.rows.resolvers["stage"].vocab.label(
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

    def _fill_by(self, draft: Draft, owner: str) -> None:
        for item in draft.data.get("interactions", []):
            if not item.get("by") and owner:
                item["by"] = owner
                order = list(self.rules.item_order.get("interactions", []))
                item_sorted = {k: item[k] for k in order if k in item}
                item.clear()
                item.update(item_sorted)

    def _known_since(self, data: dict[str, Any]) -> dt.date:
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

    def _note(self, data: dict[str, Any], line: str) -> None:
        notes = str(data.get("notes") or "")
        data["notes"] = (notes.rstrip("\n") + "\n" + line) if notes.strip() else line

    # --- rejects -----------------------------------------------------------------------------------

    def _reject(self, ref: RowRef, code: str, **args: object) -> None:
        self.plan.rejects.append(Reject(ref, self.msgs.line(code, **args), self._masked(ref)))

    def _masked(self, ref: RowRef) -> list[tuple[str, Any]]:
        out = []
        for header, value in self.cells.get(ref, []):
            text = clean_text(value)
            if text and (find_national_id(text) or find_bank_card(text)):
                value = "***"
            out.append((header, value))
        return out

    def _reject_draft(self, draft: Draft, code: str, **args: object) -> None:
        text = self.msgs.line(code, **args)
        rows = set(draft.rows)
        self.plan.dropped = [d for d in self.plan.dropped if d.ref not in rows]  # the whole row is rejected
        for ref in draft.rows:
            self.plan.rejects.append(Reject(ref, text, self._masked(ref)))
        draft.alive = False

    def reject_outcome(self, outcome: Outcome, problem: Problem) -> None:
        self.plan.outcomes.remove(outcome)
        self._reject_draft(outcome.draft, "import-fails-check", message=f"{problem.line}:{problem.col} "
                           f"{problem.message}", hint=problem.hint)
