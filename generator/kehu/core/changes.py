"""Two versions of one customer's data compared as data, field by field — not as a text diff.

``kehu history`` (one file through its commits), ``kehu diff`` (a whole pull request) and
``kehu check --against`` (history must not be rewritten) all ask the same question: which
fields were set, which list entries were added, removed or edited. A list entry is matched
across versions by its record identity (``kehu.core.identity``), so a summary corrected in place
is an edit of that interaction, not a removal plus an addition.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from .identity import identity_of, identity_text

MISSING: Any = object()  # a key absent from one version (distinct from an explicit null)


@dataclass(slots=True)
class Change:
    field: str
    kind: str                 # set | add | remove | edit
    old: Any = None
    new: Any = None
    ident: str = ""           # edit: which item of the list, in words
    sub: str = ""             # edit: which field of the item
    before: Any = None        # edit: the whole item before …
    after: Any = None         # … and after
    index: int = -1           # add/edit: position of the item in the new list; remove: in the old list
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)  # (`field` in here is the attribute above)


def records(value: Any) -> list[dict[str, Any]] | None:
    """The value as a list of mappings, or None when it is not one."""
    if isinstance(value, list) and all(isinstance(x, dict) for x in value):
        return value
    return None


def match(old: list[dict[str, Any]], new: list[dict[str, Any]],
          key: Callable[[dict[str, Any]], Any]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """(pairs of old and new index with one identity but other content, added new indexes, removed old
    indexes). Identical items cancel out first (duplicates counted)."""
    left = list(range(len(old)))
    right = list(range(len(new)))
    for j in list(right):
        i = next((i for i in left if old[i] == new[j]), None)
        if i is not None:
            left.remove(i)
            right.remove(j)
    pairs = []
    for j in list(right):
        ident = key(new[j])
        i = next((i for i in left if key(old[i]) == ident), None)
        if i is not None:
            left.remove(i)
            right.remove(j)
            pairs.append((i, j))
    return pairs, right, left


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == []


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None, order: list[str]) -> list[Change]:
    """Every change from *old* to *new* (either may be None: the file did not exist), in schema order."""
    old, new = old or {}, new or {}
    keys = [k for k in order if k in old or k in new] + sorted(k for k in {*old, *new} if k not in order)
    out: list[Change] = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if a == b or (_empty(a) and _empty(b)):
            continue  # absent, null and empty all say "nothing recorded"
        ra, rb = records([] if a is None else a), records([] if b is None else b)
        if ra is not None and rb is not None and (ra or rb):
            pairs, added, removed = match(ra, rb, partial(identity_of, key))
            for i, j in pairs:
                before, after = ra[i], rb[j]
                for sub in [*before, *(k for k in after if k not in before)]:
                    if before.get(sub, MISSING) != after.get(sub, MISSING):
                        out.append(Change(key, "edit", before.get(sub, MISSING), after.get(sub, MISSING),
                                          identity_text(key, after), sub, before, after, j))
            out.extend(Change(key, "add", new=rb[j], index=j) for j in added)
            out.extend(Change(key, "remove", old=ra[i], index=i) for i in removed)
        elif isinstance(a, list) and isinstance(b, list):
            out.extend(Change(key, "add", new=x) for x in b if x not in a)
            out.extend(Change(key, "remove", old=x) for x in a if x not in b)
        else:
            out.append(Change(key, "set", a, b))
    return out


def brought_in(change: Change, other: dict[str, Any] | None) -> bool:
    """Whether a merge's change is just what the other parent already had."""
    other = other or {}
    value = other.get(change.field, MISSING)
    if change.kind == "set":
        same: bool = value == change.new
        return same
    items = value if isinstance(value, list) else []
    if change.kind == "add":
        return change.new in items
    if change.kind == "remove":
        return change.old not in items
    for item in records(items) or []:
        if identity_text(change.field, item) == change.ident and item.get(change.sub, MISSING) == change.new:
            return True
    return False
