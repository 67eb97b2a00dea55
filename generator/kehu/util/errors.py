"""THE error a user sees: a message, a hint that says what to do, where (file, line), and an exit code.

Every refused input or failed command raises :class:`KehuError` (or a subclass where some caller catches
that one kind; subclasses add no attributes). One handler, around ``main`` in ``cli.py``, prints it as
one line ``kehu: error: file:line:col: message; hint`` in the team's language and exits with its code;
nothing else prints errors, so no command carries its own copy of the format.

This module imports nothing from kehu: any module may raise from here without an import circle.
"""

from __future__ import annotations

from typing import Any, Protocol, Self

EXIT_BAD_INPUT = 2  # bad input or a refused write: nothing was changed
EXIT_INTERNAL = 70  # a bug in kehu (sysexits' EX_SOFTWARE): nothing the user typed is to blame
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


def one_line(message: str, hint: str, msgs: Wording) -> str:
    """Message and hint as one line, joined as the language joins clauses (the catalogue word hint_sep)."""
    return f"{message}{msgs.word('hint_sep')}{hint}" if hint else message


class Wording(Protocol):
    """What words a catalogue code: ``kehu.words.catalogue.Locale`` (kept abstract here so this module imports
    nothing from kehu)."""

    def word(self, key: str, /, **args: object) -> str: ...

    def text(self, code: str, /, **args: object) -> tuple[str, str]: ...


class KehuError(Exception):
    """A failure to show the user as one line, and the exit code to leave with.

    Either ``message`` (and ``hint``) are already in the team's words, or they are left empty and ``code``
    names the catalogue entry that words them, with ``values`` to fill it: raisers that do not know the
    team's language (a cell parser, the lock, git plumbing) use :meth:`coded`, and whoever reports the
    error words it with the team's ``Messages`` (:meth:`words`). ``code`` is also what a caller that
    re-words a known kind (import's reject reasons) looks at.
    """

    def __init__(self, message: str = "", hint: str = "", *, file: str | None = None, line: int | None = None,
                 col: int | None = None, exit_code: int = EXIT_BAD_INPUT, code: str | None = None,
                 values: dict[str, Any] | None = None) -> None:
        super().__init__(message or code or "")
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line
        self.col = col
        self.exit_code = exit_code
        self.code = code
        self.values: dict[str, Any] = dict(values or {})

    @classmethod
    def coded(cls, code: str, /, **values: Any) -> Self:
        """The error worded by catalogue entry ``code`` filled with ``values`` once the language is known."""
        return cls(code=code, values=values)

    @property
    def where(self) -> str:
        """``file:line:col`` (as much of it as is known), or ``""``."""
        if not self.file:
            return ""
        return ":".join([self.file, *(str(n) for n in (self.line, self.col) if n)])

    def words(self, msgs: Wording) -> tuple[str, str]:
        """Message and hint in the words of ``msgs``; the message carries the location."""
        message, hint = self.message, self.hint
        if not message and self.code:
            message, hint = msgs.text(self.code, **self.values)
        if self.where:
            message = f"{self.where}: {message}"
        return message, hint

    def line_for(self, msgs: Wording) -> str:
        """The one line that says what went wrong and what to do."""
        return one_line(*self.words(msgs), msgs)

    def __str__(self) -> str:
        """The located message (without the hint) when already worded, else the code: for logs and tests."""
        text = self.message or self.code or ""
        return f"{self.where}: {text}" if self.where else text


class CommandError(KehuError):
    """A refused input: what is wrong and what to do. Nothing was written. (Its own kind because
    ``kehu import`` and ``merge`` catch a lookup's refusal.) Kept here, below everything, so that any
    module — naming a customer (:mod:`kehu.book.lookup`), asking git who is working (:mod:`kehu.repo.gitinfo`),
    taking the write lock — can refuse without importing the commands' modules."""


def refuse(msgs: Wording, code: str, **args: object) -> CommandError:
    return CommandError(*msgs.text(code, **args), code=code, values=args)
