"""Every ``--help`` in the team's language, and click's own words (headings, usage errors) with it.

The commands declare their arguments and options without help texts; the texts are entries of
``data/catalogue/help.yaml`` — ``help.<command>`` for a command, ``help.<command>.<--option>`` for
an option — filled in just before click formats a command, in the locale of the repository kehu runs
in (``-C``/``--repo``, else the working folder; see :mod:`kehu.repo.root`). ``kehu --help`` lists the
commands with the first sentence of each ``help.<command>``, which is also what click shows as that
command's own short help, so the two cannot drift apart.

Click passes every word it prints itself through a module-level gettext function ``_``; kehu
supplies the catalogue's ``click.*`` entries there instead of gettext ``.mo`` files.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click

from .repo.root import team_locale
from .words.catalogue import Entry, area_entries, lang_of

HELP_OPTION = "help.--help"
_CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
                  "click.termui", "click.types")
_state = {"lang": "zh"}


def _table() -> dict[str, Entry]:
    return area_entries("help")


def key_of(path: str, param: click.Parameter | None = None) -> str:
    """The catalogue key of a command (``path`` like ``opp.add``) or of one of its options."""
    return f"help.{path}" if param is None else f"help.{path}.{max(param.opts, key=len)}"


def word(key: str, lang: str) -> str:
    """A help text as click expects it: a catalogue line ``\\b`` is click's no-rewrap marker."""
    text = _table()[key].text(lang)
    return "\n".join("\b" if line == "\\b" else line for line in text.split("\n"))


def first_sentence(text: str, limit: int = 1000) -> str:
    """A command's short help: the first sentence of its help ("。", or "." before a space or the end),
    cut to ``limit`` terminal columns with "…" (a Chinese character takes two; click counts it as one)."""
    words = " ".join(text.split("\n\n")[0].replace("\b", " ").split())
    end = next((m.end() for m in re.finditer(r"。|\.(?=\s|$)", words)), len(words))
    sentence, out, used = words[:end], [], 0
    if sum(map(_columns, sentence)) <= limit:
        return sentence
    for ch in sentence:
        if used + _columns(ch) > limit - 1:
            break
        out.append(ch)
        used += _columns(ch)
    return "".join(out).rstrip() + "…"


def _columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def short_help(name: str, lang: str) -> str:
    """A command's line in ``kehu --help`` (and its own short help): the first sentence of its help."""
    return first_sentence(word(key_of(name), lang))


def documented(command: click.Command, path: str) -> Iterator[tuple[str, click.Command, click.Option | None]]:
    """(key, command, option) for a command, each visible option and, for a group, each subcommand."""
    yield key_of(path), command, None
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            yield key_of(path, param), command, param
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from documented(sub, f"{path}.{name}")


def localise(command: click.Command, path: str, lang: str, ctx: click.Context) -> click.Command:
    """Give ``command`` (and its options and subcommands) their help texts in ``lang``."""
    for key, owner, option in documented(command, path):
        if option is None:
            owner.help = word(key, lang)
            owner.short_help = first_sentence(owner.help)
            help_option = owner.get_help_option(ctx)
            if help_option is not None:
                help_option.help = word(HELP_OPTION, lang)
        else:
            option.help = word(key, lang)
    return command


def _gettext(message: str) -> str:
    if _state["lang"] == "en":
        return message
    return _click_words().get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _gettext(singular if count == 1 else plural)


def _click_words() -> dict[str, str]:
    """click's own English text -> the team's word (the ``click.*`` entries)."""
    return {e.en: e.zh for key, e in _table().items() if key.startswith("click.")}


def speak(lang: str) -> None:
    """Make click print its own words (headings, usage errors, prompts) in ``lang`` from now on."""
    _state["lang"] = lang
    translations: dict[str, Callable[..., str]] = {"_": _gettext, "ngettext": _ngettext}
    for name in _CLICK_MODULES:
        module = sys.modules.get(name)
        for attr, function in translations.items():
            if module is not None and hasattr(module, attr):
                setattr(module, attr, function)


def repo_argument(args: Sequence[str]) -> Path | None:
    """The ``-C``/``--repo`` among kehu's own options, read before click parses them (``--help`` is
    answered while parsing, and must already know which repository's language to speak)."""
    tokens = list(args)
    i = 0
    while i < len(tokens) and tokens[i].startswith("-") and tokens[i] != "--":
        token = tokens[i]
        if token in ("-C", "--repo"):
            return Path(tokens[i + 1]) if i + 1 < len(tokens) else None
        if token.startswith("--repo="):
            return Path(token.removeprefix("--repo="))
        if token.startswith("-C") and len(token) > 2:
            return Path(token[2:])
        i += 2 if token == "--today" else 1
    return None


def team_lang(args: Sequence[str], forced: str | None = None) -> str:
    """The language a command line speaks, ``zh`` or ``en``: ``forced`` (the locale the run was started with),
    else that of the repository it works in."""
    if forced:
        return lang_of(forced)
    start = repo_argument(args)
    if start is not None and not start.is_dir():
        start = None
    return lang_of(team_locale(start))
