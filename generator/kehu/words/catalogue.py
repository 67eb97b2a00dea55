"""kehu's one catalogue of words, and the locale object everything speaks through.

Every user-facing word — a problem's message and hint, a command's result line, a ``--help``
text, a site heading, an export header — is one entry of ``data/catalogue/*.yaml``, Chinese and
English side by side. The files split the catalogue by area only so that a word is easy to
find; the keys form one namespace and a key defined twice is refused when the catalogue loads.
Nothing is added to the catalogue at import time, and no module holds words of its own.

A :class:`Locale` is the team's language (``locale:`` in kehu.yaml, ``zh-CN`` by default): the
CLI, the checker, the site, export, the merge driver and ``--help`` all ask one for their words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..util.errors import one_line
from ..util.problems import Problem, Severity

LANGS = ("zh", "en")
# a plain folder (kehu is never run from a zip): importlib.resources would import zipfile, tempfile and more
# into every `kehu --help`
FOLDER = Path(__file__).resolve().parents[1] / "data" / "catalogue"


@dataclass(frozen=True)
class Entry:
    """One word (or one problem, when it has a hint) in both languages."""

    key: str
    area: str
    zh: str
    en: str
    hint_zh: str = ""
    hint_en: str = ""

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def hint(self, lang: str) -> str:
        return self.hint_en if lang == "en" else self.hint_zh


class CatalogueError(Exception):
    """The shipped catalogue itself is malformed: a packaging error, caught by the test suite."""


def _entry(area: str, key: object, value: object) -> Entry:
    if not isinstance(key, str) or not isinstance(value, dict) or set(value) - {"zh", "en", "hint"}:
        raise CatalogueError(f"{area}.yaml: entry {key!r} must be a mapping of zh, en (and hint)")
    hint = value.get("hint") or {}
    texts = [value.get("zh"), value.get("en"), hint.get("zh", ""), hint.get("en", "")]
    if not all(isinstance(t, str) for t in texts) or not texts[0] or not texts[1]:
        raise CatalogueError(f"{area}.yaml: entry {key!r} needs non-empty zh and en texts")
    return Entry(key, area, *texts)


# One entry in the plain form help.yaml keeps to: `key:`, then `  zh: "…"` / `  en: "…"` (a JSON-style
# double-quoted line) or `  zh: |-` followed by a block indented by four spaces.
_PLAIN_KEY = re.compile(r"([A-Za-z0-9_.-]+):")
_PLAIN_TEXT = re.compile(r'  (zh|en): ("(?:[^"\\]|\\.)*")')


def _plain(text: str) -> dict[str, dict[str, str]] | None:
    """The entries of a catalogue file written in the plain form, read without loading PyYAML (so that
    `kehu --help` starts as fast as before it was translated); None when the file uses any other form."""
    out: dict[str, dict[str, str]] = {}
    lines = text.split("\n")
    i, key = 0, None
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip() or line.startswith("#"):
            continue
        if found := _PLAIN_KEY.fullmatch(line):
            key = found[1]
            if key in out:
                return None  # let the YAML loader report it the usual way
            out[key] = {}
            continue
        if key is None:
            return None
        if found := _PLAIN_TEXT.fullmatch(line):
            try:
                out[key][found[1]] = json.loads(found[2])
            except ValueError:
                return None
            continue
        if line in ("  zh: |-", "  en: |-"):
            block: list[str] = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                block.append(lines[i][4:])
                i += 1
            while block and not block[-1]:
                block.pop()
            out[key][line[2:4]] = "\n".join(block)
            continue
        return None
    return out


@cache
def area_entries(area: str) -> dict[str, Entry]:
    """The entries of one catalogue file (``--help`` reads only help.yaml)."""
    text = (FOLDER / f"{area}.yaml").read_text(encoding="utf-8")
    data: Any = _plain(text)
    if data is None:
        import yaml  # only here: the plain form needs no YAML library

        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    return {key: _entry(area, key, value) for key, value in data.items()}


def areas() -> list[str]:
    return sorted(f.name.removesuffix(".yaml") for f in FOLDER.iterdir() if f.name.endswith(".yaml"))


@lru_cache(maxsize=1)
def entries() -> dict[str, Entry]:
    """Every entry of every catalogue file, by key (loaded once per process)."""
    out: dict[str, Entry] = {}
    for area in areas():
        for key, entry in area_entries(area).items():
            if key in out:
                raise CatalogueError(f"{area}.yaml: {key!r} is already defined in {out[key].area}.yaml")
            out[key] = entry
    return out


class _Blank(dict[str, object]):
    """Missing arguments of a message read as empty rather than failing the report."""

    def __missing__(self, key: str) -> str:
        return ""


def lang_of(locale: str | None) -> str:
    return "en" if (locale or "").lower().startswith("en") else "zh"


class Locale:
    """The team's language: every word kehu prints, writes or renders is asked of one."""

    def __init__(self, locale: str | None = "zh-CN") -> None:
        self.lang = lang_of(locale)
        self.code = "en" if self.lang == "en" else "zh-CN"

    @property
    def en(self) -> bool:
        return self.lang == "en"

    def word(self, key: str, /, **args: Any) -> str:
        """A word or line; ``{name}`` fields are filled from ``args`` (left as written when none are given)."""
        text = entries()[key].text(self.lang)
        return text.format(**args) if args else text

    t = word

    def has(self, key: str) -> bool:
        return key in entries()

    def text(self, code: str, /, **args: object) -> tuple[str, str]:
        """A problem's message and hint (missing arguments read as empty)."""
        entry = entries()[code]
        values = _Blank(args)
        return entry.text(self.lang).format_map(values), entry.hint(self.lang).format_map(values)

    def line(self, code: str, /, **args: object) -> str:
        """A problem as one line: the message, then what to do."""
        return one_line(*self.text(code, **args), self)

    def counted(self, key: str, n: int) -> str:
        """``n`` things: ``key`` words the count (``{n} 个错误`` / ``{n} errors``), ``key.one`` the English singular."""
        one = f"{key}.one"
        return self.word(one if n == 1 and one in entries() else key, n=n)

    def join(self, items: Any) -> str:
        """A list inside a sentence: 、 in Chinese, a comma in English."""
        return self.word("sep").join(str(i) for i in items)

    def colon(self, label: str, value: object) -> str:
        """``label：value`` — the full-width colon belongs to Chinese only."""
        return self.word("label_value", label=label, value=value)

    def words(self, area: str) -> dict[str, str]:
        """Every word of one catalogue file in this language (templates and browser scripts read them)."""
        return {e.key: e.text(self.lang) for e in entries().values() if e.area == area}

    def make(self, severity: Severity, file: str, line: int, col: int, code: str,
             related: tuple[str, ...] = (), **args: object) -> Problem:
        message, hint = self.text(code, **args)
        return Problem(file, line, col, severity, code, message, hint, tuple(related))

    def error(self, file: str, line: int, col: int, code: str, related: tuple[str, ...] = (),
              **args: object) -> Problem:
        return self.make(Severity.ERROR, file, line, col, code, related, **args)

    def warning(self, file: str, line: int, col: int, code: str, related: tuple[str, ...] = (),
                **args: object) -> Problem:
        return self.make(Severity.WARNING, file, line, col, code, related, **args)


def both(key: str) -> str:
    """English, then Chinese: for files every member reads whatever their language (generated configs)."""
    entry = entries()[key]
    return f"{entry.en}\n{entry.zh}"


def every_language(key: str) -> tuple[str, ...]:
    """A word as every language writes it: for recognising what kehu wrote in a file, whatever its locale."""
    entry = entries()[key]
    return entry.zh, entry.en


def is_first_followup_action(action: object) -> bool:
    """The ``next_action`` `kehu new` plans (in either language): any interaction logged completes it."""
    return isinstance(action, str) and action.strip().casefold() in {
        w.casefold() for w in every_language("first_followup_action")}
