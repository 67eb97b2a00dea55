"""THE cell safety of everything kehu writes to a spreadsheet or CSV, and its inverse on import.

A text cell starting with = + - @ (or a tab or carriage return) is a formula to Excel, LibreOffice and
Google Sheets ("CSV injection", OWASP): a customer name like ``=HYPERLINK(…)`` would run on the reader's
machine. Such a cell is written with a leading apostrophe, as OWASP recommends; so is a cell that already
starts with one, so that import can take exactly one apostrophe off and every value round-trips.
"""

from __future__ import annotations

from typing import Any

_FULL_WIDTH = 0xFEE0  # a printable ASCII character's full-width form is this far above it: = and ＝
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", *(chr(ord(c) + _FULL_WIDTH) for c in "=+-@"))  # also full-width
QUOTE = "'"


def to_cell(value: Any) -> Any:
    """``value`` as written to a cell: text that a spreadsheet would evaluate gets the apostrophe."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, QUOTE)):
        return QUOTE + value
    return value


def from_cell(value: Any) -> Any:
    """The inverse of to_cell for a cell read back (an apostrophe before what to_cell quotes goes)."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:].startswith((*FORMULA_START, QUOTE)):
        return value[1:]
    return value
