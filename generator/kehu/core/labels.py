"""The site's words: the presenter's (``kehu.core.present``: derived facts, schema labels) and the site's own.

Values of closed lists (stage, class, channel, source …) and field names come from the schema
(``title`` / ``x-title-en``), so a team that extends its vocabulary sees its own labels; how a
derived fact reads comes from :class:`kehu.core.present.Presenter`, the same words the terminal and
export use. This class adds what only the site says: change reasons of the monthly review.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..repo.schema import SchemaSet
from .present import Presenter

if TYPE_CHECKING:
    from ..repo.config import Config


class Labels(Presenter):
    """Words for one locale: the site's own (``t``), the schema's (``vocab``, ``field``) and the derived facts'."""

    def __init__(self, schemas: SchemaSet, locale: str, config: Config | None = None) -> None:
        super().__init__(schemas, locale, config)
        self.locale = locale

    def change(self, code: str, detail: str) -> str:
        """Why a class or status changed (the monthly review), with what the reason names when known."""
        if not detail and self.words_of.has(f"change.{code}.bare"):
            return self.t(f"change.{code}.bare")
        return self.t(f"change.{code}", detail=detail) if "{detail}" in self.words_of.word(f"change.{code}") \
            else self.t(f"change.{code}")

    def words(self) -> dict[str, str]:
        """Every site word in this locale (templates and the browser scripts read them)."""
        return self.words_of.words("site")
