"""The site's words, in Chinese and English.

Values of closed lists (stage, class, channel, source …) and field names come
from the schema (``title`` / ``x-title-en``), so a team that extends its
vocabulary sees its own labels. The words below are the site's own: page
titles, column headings, derived states (status, bucket, due reason).
"""

from __future__ import annotations

from typing import Any

from ..catalogue import Locale
from ..schema import SchemaSet, title_of


class Labels:
    """Words for one locale: the site's own (``t``) and the schema's (``vocab``, ``field``)."""

    def __init__(self, schemas: SchemaSet, locale: str) -> None:
        self.locale = locale
        self.words_of = Locale(locale)
        self.en = self.words_of.en
        self.vocabularies = schemas.vocabularies
        self._schema = schemas.raw["customer"]

    def t(self, key: str, **args: Any) -> str:
        return self.words_of.word(key, **args)

    def change(self, code: str, detail: str) -> str:
        """Why a class or status changed (the monthly review), with what the reason names when known."""
        if not detail and self.words_of.has(f"change.{code}.bare"):
            return self.t(f"change.{code}.bare")
        return self.t(f"change.{code}", detail=detail) if "{detail}" in self.words_of.word(f"change.{code}") \
            else self.t(f"change.{code}")

    def vocab(self, name: str, key: str | None) -> str:
        if key is None or key == "":
            return ""
        v = self.vocabularies.get(name)
        return v.label(key, self.locale) if v else str(key)

    def field(self, name: str, within: str | None = None) -> str:
        """The schema title of a top-level field (or of a field of a ``$defs`` object)."""
        props = self._schema.get("properties", {})
        if within is not None:
            props = self._schema.get("$defs", {}).get(within, {}).get("properties", {})
        return title_of(props.get(name), self.locale, name)

    def words(self) -> dict[str, str]:
        """Every site word in this locale (templates and the browser scripts read them)."""
        return self.words_of.words("site")
