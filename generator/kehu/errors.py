"""A refused input: the one exception the everyday commands raise for what the user must fix.

Kept below everything else (it needs only the catalogue), so that any module — naming a customer
(:mod:`kehu.lookup`), asking git who is working (:mod:`kehu.gitinfo`), taking the write lock — can refuse
without importing the commands' modules.
"""

from __future__ import annotations

from .catalogue import Locale


class CommandError(Exception):
    """A refused input: one line that says what is wrong and what to do. Nothing was written."""


def say(msgs: Locale, code: str, **args: object) -> str:
    """Message and hint of ``code`` joined into the one line a refused command prints."""
    return msgs.line(code, **args)


def refuse(msgs: Locale, code: str, **args: object) -> CommandError:
    return CommandError(say(msgs, code, **args))
