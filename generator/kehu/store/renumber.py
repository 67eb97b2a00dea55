"""Giving a customer another id: the file, its ``id``, and what refers to it.

Used by ``kehu renumber`` (repair a collision, adopt legacy ids) and by ``kehu sync`` when two
different customers were added under one id on two branches. The old id stays findable: it is
written into the customer's notes (``原编号：…``, the line ``kehu import`` and ``kehu merge`` already
use), and pairs in ``check.not_duplicates`` of kehu.yaml follow the new id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..repo.repository import Repo


@dataclass(frozen=True)
class Renumbered:
    old: str
    new: str
    name: str
    path: Path


def with_new_id(repo: Repo, doc: Any, old: str, new: str, note: str | None = None) -> Any:
    """``doc`` (a round-trip map) with ``id: new`` and the old id noted (``note``, or the line import
    uses), so imports and people find it."""

    doc["id"] = new
    note = note or repo.msgs.word("note_old_id", value=old)
    notes = str(doc.get("notes") or "")
    if note not in notes:
        doc["notes"] = (notes.rstrip("\n") + "\n" + note) if notes.strip() else note
    return doc


def follow_in_config(repo: Repo, old: str, new: str) -> bool:
    """Rename ``old`` in kehu.yaml (``check.not_duplicates`` pairs): the id as a whole token, every
    other byte kept. True if kehu.yaml changed."""
    from ..util.atomic import atomic_write

    path = repo.root / "kehu.yaml"
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    changed = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(old)}(?![A-Za-z0-9_])", new, text)
    if changed == text:
        return False
    atomic_write(path, changed)
    return True
