"""The words and characters people type, as data: ``data/input_words.yaml``, loaded once.

Knowledge about input — the placeholders that mean "empty", the words for yes and no, units, date
characters, phone and e-mail labels, the spreadsheet synonyms of each vocabulary, the parts of a
company name — lives in that file, so a team extending a synonym edits one line of data. The modules
that read input (``io/values.py``, ``names.py``, ``normalize.py``, ``privacy.py``, ``rules.py``) build
their patterns from it here, with every word escaped. Spreadsheet headers are ``data/import_headers.yaml``
(read by ``io/columns.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

FILE = "data/input_words.yaml"


@lru_cache(maxsize=1)
def input_words() -> dict[str, Any]:
    """The whole file as data (a packaging error when it is malformed: the test suite loads it)."""
    text = resources.files("kehu").joinpath(FILE).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, dict):
        raise ValueError(f"{FILE}: must be a mapping of sections")
    _check(data, FILE)
    return data


def _check(value: Any, where: str) -> None:
    """Every leaf is text (or a number, for multipliers): YAML's yes/no/null slipping in unquoted is refused."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} must be quoted text")
            _check(item, f"{where}: {key}")
    elif isinstance(value, list):
        for item in value:
            if not isinstance(item, str):
                raise ValueError(f"{where}: {item!r} must be quoted text")
    elif not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"{where}: {value!r} must be quoted text")


def section(name: str) -> dict[str, Any]:
    words: dict[str, Any] = input_words()[name]
    return words


def chars(text: str) -> str:
    """A string of single characters as the inside of a regex character class."""
    return "".join(re.escape(c) for c in text)


def any_of(words: Iterable[str]) -> str:
    """Words as a regex alternation, longest first (so that 手机号码 is taken whole, not as 手机); no words
    match nothing (an empty alternation would match everywhere)."""
    ordered = sorted((w for w in words if w), key=len, reverse=True)
    return "|".join(re.escape(w) for w in ordered) if ordered else "(?!)"


def synonyms() -> dict[str, dict[str, str]]:
    """Vocabulary -> {spreadsheet word: schema key}."""
    return _synonyms()


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, dict[str, str]]:
    return {vocab: {word: str(key) for key, words in by_key.items() for word in words}
            for vocab, by_key in section("synonyms").items()}
