"""Short forms of the locale's calls that import, export, dedupe and merge use.

Their words are catalogue entries (``data/catalogue/io.yaml``); ``msgs`` may be the
:class:`~kehu.catalogue.Locale` or just its language.
"""

from __future__ import annotations

from ..catalogue import Locale


def word(msgs: Locale | str, key: str, **args: object) -> str:
    return (Locale(msgs) if isinstance(msgs, str) else msgs).word(key, **args)


def reason(msgs: Locale, code: str, **args: object) -> str:
    """A catalogue entry as one line: message, then what to do."""
    return msgs.line(code, **args)
