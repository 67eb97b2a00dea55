"""Sheets -> an import plan: which customer files are created or updated, which rows merge into
which customer, which rows are rejected and why. Nothing is written here (``apply`` writes).

:class:`Planner` runs the jobs, each in its own module, in this order of work:

1. every customer row becomes a draft customer (``sheets``, ``rows``); a bad value drops only that value,
   and only a row that cannot be a customer (no name) is rejected. Title, group-header, blank, summary
   and repeated header rows are skipped and counted;
2. placeholder contacts (dummies, or a value several companies share) are taken off, then drafts that
   share an id, a former id or a normalised company name — never only a phone, e-mail or contact —
   merge with each other and with the existing customer file they match, keeping the best-written name,
   every merge recorded (``grouping``);
3. rows of follow-up, deal, contact, survey and complaint sheets join the customer they
   name (by id, former id or name; ``rows``, then ``grouping``);
4. each draft is finished (id from ``ids.template``, defaults, owner) and merged into the
   existing file's round-trip map, or made a new one; a merge that adds nothing is
   "unchanged", which is what makes a second import of the same file change nothing;
5. the results are checked together with the rest of the repository for cross-file
   duplicates (possible duplicates — a slip in a name, Chinese and English names — are recorded,
   never merged); single-file checks happen where the files are written (``store.save_customer``)
   or, for a dry run, here (``validate``).

The data they share (drafts, outcomes, rejects, the plan) is in ``drafts``.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from ..core.privacy import find_bank_card, find_national_id
from ..core.values import clean_text, industry_key, parse_date
from ..repo.files import file_name, file_names
from ..repo.idscheme import IdError
from ..repo.repository import Repo
from ..store.dedupe import MergeRules, merge_records, rules_for
from ..store.ids import Allocator
from ..util.problems import Problem
from .columns import header_index
from .drafts import (
    Draft,
    Existing,
    ImportPlan,
    Outcome,
    OwnerFallback,
    PossibleDuplicate,
    Reject,
    RowRef,
    RowReject,
    SheetError,
    ToConfirm,
)
from .grouping import Grouping
from .mapping import Mapping
from .readers import Sheet
from .rows import CustomerReading, RowReader
from .sheets import KIND_ORDER, Skipped, column_type_warnings, data_rows, magnitude_warnings, map_sheet
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
        self.skipped = Skipped()
        self.fallbacks: dict[tuple[str, str], OwnerFallback] = {}
        self.to_confirm: list[tuple[RowRef, str, str]] = []  # (row, the name it wrote, the industry word)

    # --- rows -> drafts -> outcomes ----------------------------------------------------------------

    def add_sheets(self, sheets: list[Sheet], progress: Any = None, start: Any = None) -> None:
        """Read every sheet's rows into drafts: the customer sheets first, whose rows are then grouped into
        customers (placeholder contacts taken off first), then the sheets that name those customers.
        ``progress()`` after each row; ``start()`` once, before the first (a progress display must start after
        the worker processes that read the customer rows exist: its refresh thread is not for them)."""
        mapped = []
        for sheet in sheets:
            smap = map_sheet(sheet, self.mapping, self.index)
            if smap is not None:
                mapped.append((sheet, smap))
        mapped.sort(key=lambda x: KIND_ORDER[x[1].kind])
        self.plan.sheets = mapped
        # each sheet's data rows are told from its title, blank and summary rows once, for the warnings and the import
        rows_of = [list(data_rows(sheet, smap, self.skipped)) for sheet, smap in mapped]
        for (sheet, smap), rows in zip(mapped, rows_of, strict=True):
            self.plan.warnings.extend(column_type_warnings(sheet, smap, self.msgs, rows))
            self.plan.warnings.extend(magnitude_warnings(sheet, smap, self.msgs, self.config.imports.magnitude_factor,
                                                         rows))
        customer_sheets = [k for k, (_, smap) in enumerate(mapped) if smap.kind == "customers"]

        def rows_done(n: int) -> None:
            for _ in range(n):
                progress()

        readings = iter(self.rows.read_customer_rows(
            [(mapped[k][1], mapped[k][0].label) for k in customer_sheets],
            [(n, cells) for n, k in enumerate(customer_sheets) for _, cells in rows_of[k]],
            on_start=start, on_done=rows_done if progress is not None else None))
        resolved = False
        for (sheet, smap), rows in zip(mapped, rows_of, strict=True):
            if smap.kind != "customers" and not resolved:
                self._resolve()
                resolved = True
            self.rows.begin_sheet(smap, sheet.label)
            for number, cells in rows:
                ref = RowRef(sheet.label, number)
                self.cells[ref] = [(c.header, cells[c.index] if c.index < len(cells) else None) for c in smap.columns]
                if smap.kind == "customers":
                    self._add_customer(ref, next(readings))
                    continue
                try:
                    child = self.rows.child_row(smap, cells)
                    if child is not None:
                        self.groups.attach(ref, child)
                except RowReject as e:
                    self._reject(ref, str(e.code), **e.values)
                else:
                    self._row_notes(ref, self.rows.drops, self.rows.fallbacks, self.rows.to_confirm)
                if progress is not None:
                    progress()
        if not resolved:
            self._resolve()
        self.plan.merged_rows = self.groups.merged_rows
        self.plan.skipped = {k: v for k, v in self.skipped.rows.items() if v}
        self.plan.sensitive = dict(self.rows.sensitive)
        self.plan.fallbacks = sorted(self.fallbacks.values(), key=lambda f: f.rows[0])

    def _add_customer(self, ref: RowRef, reading: CustomerReading) -> None:
        """A customer row's reading: a draft (grouped with the others) or a rejected row, and what it noted."""
        if reading.reject is not None:
            code, values = reading.reject
            self._reject(ref, code, **values)
            return
        if reading.result is not None:
            data, old_id = reading.result
            self.groups.add(Draft(data, [ref], names=[(data["name"], ref)]), old_id)
        self._row_notes(ref, reading.drops, reading.fallbacks, reading.to_confirm)

    def _resolve(self) -> None:
        placeholders, shared, merges, refused = self.groups.resolve(self.config.imports.placeholder_companies)
        self.plan.placeholders, self.plan.shared, self.plan.merges = placeholders, shared, merges
        for ref, code, values in refused:
            self._reject(ref, code, **values)

    def _row_notes(self, ref: RowRef, drops: list[str], fallbacks: list[tuple[str, str, bool]],
                   to_confirm: list[str]) -> None:
        """What reading a row noted besides its data: values dropped, owners that fell back, industries to
        confirm."""
        self.plan.dropped.extend(Reject(ref, text, self._masked(ref)) for text in drops)
        for value, handle, departed in fallbacks:
            entry = self.fallbacks.setdefault((value, handle), OwnerFallback(value, handle, departed))
            entry.rows.append(ref)
        for word in to_confirm:
            self.to_confirm.append((ref, "", word))

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
        refused, near = cross_file(self.repo, [e.entry for e in groups.existing.values()], self.plan.writes)
        for outcome, problem in refused:
            self.reject_outcome(outcome, problem)
        self._duplicates(near)
        self._industries_to_confirm()
        for (column, value), n in sorted(self.rows.unknown.items()):
            self.plan.warnings.append(self.msgs.word("unknown_value", column=column, value=value, n=n))
        self.plan.rejects.sort(key=lambda r: r.ref)
        self.plan.dropped.sort(key=lambda r: r.ref)
        return self.plan

    def _duplicates(self, near: list[tuple[Outcome, Problem]]) -> None:
        """The possible duplicates the checker's near-duplicate rule names for the planned files (a slip in a
        name, Chinese and English names), each pair once: flagged, never merged."""
        by_file = dict(zip(file_names(self.repo.root, [o.path for o in self.plan.writes]), self.plan.writes,
                           strict=True))
        seen: set[frozenset[str]] = set()
        for outcome, problem in near:
            other_file = problem.related[0] if problem.related else ""
            pair = frozenset((file_name(self.repo.root, outcome.path), other_file))
            if pair in seen:
                continue
            seen.add(pair)
            other = by_file.get(other_file)
            other_where = self._where(other) if other is not None else other_file.rsplit("/", 1)[-1].removesuffix(
                ".yaml")
            existing = self.groups.existing.get(other_where)
            other_name = str(other.data.get("name")) if other is not None else \
                (existing.entry.name if existing is not None and existing.entry.name else other_where)
            why = self._slip(str(outcome.data.get("name")), other_name)
            self.plan.duplicates.append(PossibleDuplicate(str(outcome.data.get("name")), self._where(outcome),
                                                          other_name, other_where, why))

    def _slip(self, name: str, other: str) -> str:
        """The kind of slip between two names, worded (同音字, 中文名与英文名…)."""
        from ..core.names import name_key, typo_kind

        check = self.config.check
        kind = typo_kind(name_key(name, check.company_suffixes), name_key(other, check.company_suffixes),
                         check.near_duplicate_distance, check.near_duplicate_min_length)
        return self.msgs.word(f"typo.{kind}") if kind else ""

    def _where(self, outcome: Outcome) -> str:
        row = outcome.draft.rows[0] if outcome.draft.rows else None
        return self.msgs.word("import.row_of", sheet=row.sheet, row=row.row) if row is not None else outcome.cid

    def _industries_to_confirm(self) -> None:
        """Every written customer whose industry is to be confirmed, with the old system's word."""
        words = {ref: word for ref, _, word in self.to_confirm}
        for o in self.plan.writes:
            if o.action == "new" and o.data.get("industry") == self._industry_marker():
                ref = o.draft.rows[0]
                word = next((words[r] for r in o.draft.rows if r in words), "")
                self.plan.to_confirm.append(ToConfirm(str(o.data.get("name")), ref, word))

    def _industry_marker(self) -> str | None:
        """The value that says "to be confirmed" for an industry, when the team's schema has it (待确认)."""
        vocab = self.rows.resolvers["industry"].vocab
        return next((str(m) for m in self.config.missing_markers if m in vocab), None)

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
            fallback = fallback or self._industry_marker()  # to be confirmed, listed as missing information
            if fallback is None:  # a team schema without 待确认: the row says which word it had
                word = next((w for ref, _, w in self.to_confirm if ref in draft.rows), "")
                raise RowReject.coded("import-no-industry", value=self.msgs.word("in_brackets", text=word)
                                      if word else "")
            data["industry"] = fallback
        if not data.get("stage"):
            data["stage"] = self.rows.resolvers["stage"].key(defaults.get("stage")) if defaults.get("stage") else None
            data["stage"] = data["stage"] or self.config.stages[0]
        if not data.get("id"):  # a row with a kehu id comes from kehu itself (an export): its stage stands
            self._stage_from_opportunities(data)
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

    def _stage_from_opportunities(self, data: dict[str, Any]) -> None:
        """A new customer stands where its furthest opportunity stands (a won one: won), as `kehu opp` moves it;
        a lost customer stays lost."""
        stages = list(self.config.stages)
        if data["stage"] == "lost" or data["stage"] not in stages:
            return
        reached = [stages.index(o["stage"]) for o in data.get("opportunities") or [] if o.get("stage") in stages]
        if reached and max(reached) > stages.index(data["stage"]):
            data["stage"] = stages[max(reached)]

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
