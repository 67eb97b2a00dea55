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

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .problems import Problem, Severity

LANGS = ("zh", "en")


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


@lru_cache(maxsize=1)
def entries() -> dict[str, Entry]:
    """Every entry of every catalogue file, by key (loaded once per process)."""
    import yaml  # here: `kehu.install` (run by `pip show`-style checks) must import without PyYAML

    folder = resources.files("kehu").joinpath("data/catalogue")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out: dict[str, Entry] = {}
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if not file.name.endswith(".yaml"):
            continue
        area = file.name.removesuffix(".yaml")
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=loader) or {}
        for key, value in data.items():
            entry = _entry(area, key, value)
            if key in out:
                raise CatalogueError(f"{area}.yaml: {key!r} is already defined in {out[key].area}.yaml")
            out[key] = entry
    return out


class _Blank(dict):
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

    def word(self, key: str, **args: Any) -> str:
        """A word or line; ``{name}`` fields are filled from ``args`` (left as written when none are given)."""
        text = entries()[key].text(self.lang)
        return text.format(**args) if args else text

    t = word

    def has(self, key: str) -> bool:
        return key in entries()

    def text(self, code: str, **args: object) -> tuple[str, str]:
        """A problem's message and hint (missing arguments read as empty)."""
        entry = entries()[code]
        values = _Blank(args)
        return entry.text(self.lang).format_map(values), entry.hint(self.lang).format_map(values)

    def line(self, code: str, **args: object) -> str:
        """A problem as one line: the message, then what to do."""
        message, hint = self.text(code, **args)
        if not hint:
            return message
        return f"{message}{self.word('hint_sep')}{hint}"

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
