"""The import planner's data: rows of sheets, the draft customers they describe, and the plan they become
(what is written, merged, rejected). Only data and the two kinds of refusal; the jobs that fill them are
``sheets`` / ``rows`` (rows -> drafts), ``grouping`` (duplicates) and ``validate`` (checks), run by ``plan``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.rules import IndexEntry
from ..store.dedupe import MergeStats
from ..util.errors import KehuError
from .columns import SheetMap
from .readers import Sheet


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

    code: str  # always made with .coded()


@dataclass
class Draft:
    """One customer as the rows describe it, before it meets the repository. Defaults (owner,
    stage, created …) are added only to a *new* customer when it is finished, never to a draft
    that updates an existing file: a default is not a fact, so it never overrides one."""

    data: dict[str, Any]
    rows: list[RowRef]
    existing: str | None = None   # the id of the repository file it updates
    alive: bool = True
    names: list[tuple[str, RowRef]] = field(default_factory=list)  # the company name each customer row wrote


@dataclass
class Merge:
    """Rows that are one company (the same name written differently, or the same former id): the name kept
    and where it stands (a row, or the existing customer ``cid``), and every other row with its own name."""

    name: str
    ref: RowRef | None
    cid: str | None
    others: list[tuple[str, RowRef]]


@dataclass
class Placeholder:
    """A phone or e-mail that belongs to nobody: a well-known dummy (13800000000, 123@qq.com) or one that
    several differently named companies share. Stored on none of them."""

    kind: str                          # phone | email
    value: str                         # as the sheet wrote it (masked wherever it is shown)
    dummy: bool                        # a well-known dummy, not only shared
    companies: list[tuple[str, RowRef]]


@dataclass
class SharedContact:
    """A phone or e-mail two differently named companies share (not enough to be a placeholder): kept on
    both, never a reason to merge them; the checker warns about it too."""

    kind: str
    value: str
    holders: list[tuple[str, str]]     # (company name, where: a row or an existing customer's id)


@dataclass
class OwnerFallback:
    """An owner the sheet names who is not (or no longer) in the team: the rows went to ``handle``."""

    value: str
    handle: str
    departed: bool                     # in team.yaml, but no longer active
    rows: list[RowRef] = field(default_factory=list)


@dataclass
class ToConfirm:
    """A customer whose industry maps to no GB/T code: recorded as 待确认, the old word in the notes."""

    name: str
    ref: RowRef
    value: str                         # the old system's word ('' when the sheet gave none)


@dataclass
class PossibleDuplicate:
    """Two customers a person would take for one (a slip in the name, Chinese and English names): flagged,
    never merged by themselves."""

    name: str
    where: str                         # a row (sheet:row) or an id
    other_name: str
    other: str                         # the other customer's id or row
    why: str                           # the kind of slip, worded


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
    skipped: dict[str, list[RowRef]] = field(default_factory=dict)   # kind (sheets.SKIPPED_KINDS) -> rows
    merges: list[Merge] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    shared: list[SharedContact] = field(default_factory=list)
    fallbacks: list[OwnerFallback] = field(default_factory=list)
    to_confirm: list[ToConfirm] = field(default_factory=list)
    duplicates: list[PossibleDuplicate] = field(default_factory=list)
    sensitive: dict[tuple[str, str], int] = field(default_factory=dict)  # (sheet, column) -> values never read

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def writes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action in ("new", "update")]
