"""The commands' typed command-line values: they live one floor down (:mod:`kehu.core.inputs`), where
``kehu intake`` reads a form's fields through the same functions; re-exported here for the commands."""

from __future__ import annotations

from ..core.inputs import (
    is_none_word,
    members_shown,
    parse_amount,
    parse_date,
    parse_probability,
    parse_score,
    require_assignable,
    require_handle,
    require_text,
    vocab_key,
)

__all__ = ["is_none_word", "members_shown", "parse_amount", "parse_date", "parse_probability", "parse_score",
           "require_assignable", "require_handle", "require_text", "vocab_key"]
