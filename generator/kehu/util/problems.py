"""Problems are values: collected, sorted and reported together, never raised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, located at ``file:line:col``.

    ``code`` names the rule (its words: ``data/catalogue/problems.yaml``); ``args`` fill its message;
    ``hint`` says what to do next.
    """

    file: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    hint: str = ""
    related: tuple[str, ...] = field(default=())  # other files involved (duplicates)

    @property
    def where(self) -> str:
        """``file:line:col``, as every message that points at a problem starts."""
        return f"{self.file}:{self.line}:{self.col}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.col, self.code)

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        d["related"] = list(self.related)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Problem:
        return cls(
            file=d["file"], line=d["line"], col=d["col"], severity=Severity(d["severity"]),
            code=d["code"], message=d["message"], hint=d.get("hint", ""), related=tuple(d.get("related", ())),
        )


def error(file: str, line: int, col: int, code: str, message: str, hint: str = "",
          related: Iterable[str] = ()) -> Problem:
    return Problem(file, line, col, Severity.ERROR, code, message, hint, tuple(related))


def warning(file: str, line: int, col: int, code: str, message: str, hint: str = "",
            related: Iterable[str] = ()) -> Problem:
    return Problem(file, line, col, Severity.WARNING, code, message, hint, tuple(related))
