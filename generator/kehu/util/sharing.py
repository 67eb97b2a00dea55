"""One copy of each short text: a large book says the same owners, channels, outcomes and days a million times,
and each was read into a copy of its own (in a book of 10,000 customers the copies were 40 % of the memory a
customer took). ``sys.intern`` keeps one; a text no one holds any more is let go as any other."""

from __future__ import annotations

import sys
from typing import Any

SHARED_TEXT = 24  # texts up to this long are shared; longer ones (summaries, notes) are rarely said twice


def share_texts(value: dict[str, Any] | list[Any]) -> None:
    """Replace, in place, every short text in ``value`` (a tree of dicts and lists) by its one copy."""
    if isinstance(value, dict):
        for key, item in value.items():
            if type(item) is str:
                if len(item) <= SHARED_TEXT:
                    value[key] = sys.intern(item)
            elif isinstance(item, dict | list):
                share_texts(item)
        return
    for i, item in enumerate(value):
        if type(item) is str:
            if len(item) <= SHARED_TEXT:
                value[i] = sys.intern(item)
        elif isinstance(item, dict | list):
            share_texts(item)


def shared_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``' ``object_pairs_hook``: each object with its short texts shared as it is read, so that a
    large cache never holds the copies at once."""
    return {key: sys.intern(v) if type(v) is str and len(v) <= SHARED_TEXT else v for key, v in pairs}
