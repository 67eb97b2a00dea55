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
