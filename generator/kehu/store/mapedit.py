"""In-place edits of a customer's round-trip map (``CommentedMap``): comments and key order survive.

A new list entry has its keys in schema order and its dates as the store writes them; a new top-level key goes
where the schema puts it, not at the end; a dated entry goes into its list in date order. Nothing here reads
or writes a file (:mod:`kehu.store.transaction` does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..repo.model import as_date
from ..repo.repository import Repo
from ..words.catalogue import is_first_followup_action
from .roundtrip import YamlDate


def yaml_date(value: dt.date) -> YamlDate:
    """A date as the store keeps dates (ISO text, written unquoted) — the same type a loaded file holds."""
    return YamlDate(value.isoformat())


def entry(pairs: Iterable[tuple[str, Any]]) -> CommentedMap:
    """A new list item with its keys in the given (schema) order; empty values left out, dates as the
    store writes them."""
    out = CommentedMap()
    for key, value in pairs:
        if isinstance(value, dt.date):
            value = yaml_date(value)
        if value is not None and value != "":
            out[key] = value
    return out


def set_field(data: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Set a top-level field; a new key goes where the schema puts it, not at the end."""
    if key in data:
        data[key] = value
        return
    position = len(data)
    if key in order:
        later = set(order[order.index(key) + 1:])
        for i, existing in enumerate(data):
            if existing in later:
                position = i
                break
    data.insert(position, key, value)


def append_dated(data: CommentedMap, key: str, item: CommentedMap, order: list[str]) -> int:
    """Add ``item`` to the list ``key`` keeping date order (after entries of the same day).
    Returns its index."""
    seq = data.get(key)
    if not isinstance(seq, list):
        seq = CommentedSeq()
        set_field(data, key, seq, order)
    return insert_dated(seq, item)


def insert_dated(seq: list[Any], item: Any, date_key: str | None = "date") -> int:
    """Insert ``item`` into ``seq`` in date order (after entries of the same day); at the end when it has no
    date. Returns its index."""
    when = as_date(item.get(date_key)) if date_key else None
    position = len(seq)
    if when is not None:
        for i in range(len(seq) - 1, -1, -1):
            other = as_date(seq[i].get(date_key)) if isinstance(seq[i], dict) else None
            if other is None or other <= when:
                position = i + 1
                break
        else:
            position = 0
    seq.insert(position, item)
    return position


def field_order(repo: Repo) -> list[str]:
    return repo.schemas.field_order()


def complete_first_followup(data: CommentedMap) -> bool:
    """A sale is contact: a deal signed (`kehu opp win`, `kehu set … stage won`) completes the first follow-up
    `kehu new` planned, as a logged call does. Returns whether the planned step was cleared."""
    current = data.get("next_action")
    if isinstance(current, dict) and is_first_followup_action(current.get("action")):
        data["next_action"] = None
        return True
    return False
