"""Applying field changes to a customer's round-trip map, and checking the values first.

The everyday commands (``kehu log``, ``set``, ``survey``, ``complaint``, ``new``)
all follow one path: find the file, refuse it when it is invalid, turn each
command-line value into what the schema expects (or say exactly why not), change
the ``CommentedMap`` in place so comments and key order survive, then let
``store.save_customer`` format, validate and write it atomically. This module is
the middle part: value parsing and in-place edits. It never writes files.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..book.checker import check_customer_bytes
from ..repo.model import as_date
from ..repo.repository import Repo, rel
from ..repo.schema import Vocabulary
from ..util.errors import CommandError as CommandError  # the commands take these from here too
from ..util.errors import refuse as refuse
from ..util.problems import Problem, Severity
from ..words.catalogue import Locale
from ..words.input_words import section
from .write import YamlDate


def problem_line(p: Problem) -> str:
    return f"{p.file}:{p.line}:{p.col}: {p.message}"


# --- the repository and the file must be sound before anything is changed ----------------


def require_sound_repo(repo: Repo) -> None:
    """kehu.yaml or team.yaml errors change every verdict: refuse to write until they are fixed."""
    errors = [p for p in repo.problems if p.severity is Severity.ERROR]
    if errors:
        p = errors[0]
        raise refuse(repo.msgs, "cli-config-invalid", where=f"{p.file}:{p.line}:{p.col}", message=p.message)


# --- command-line values -> schema values ----------------------------------------------------


def parse_date(msgs: Locale, option: str, value: str) -> dt.date:
    """A date typed the ways import reads them: 2026-12-01, 2026/12/01, 2026.12.1, 2026年12月1日, 20261201."""
    from ..core.values import CellError, parse_date_text

    try:
        return parse_date_text(value or "")
    except CellError:
        raise refuse(msgs, "cli-bad-date", option=option, value=value) from None


def require_text(msgs: Locale, option: str, value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise refuse(msgs, "cli-empty", option=option)
    return text


def require_handle(repo: Repo, option: str, value: str) -> str:
    handles = repo.handles
    handle = (value or "").strip()
    if handles is not None and handle not in handles:
        raise refuse(repo.msgs, "cli-unknown-handle", option=option, value=value,
                     known=repo.msgs.word("sep").join(sorted(handles)))
    return handle


def vocab_key(msgs: Locale, vocab: Vocabulary, option: str, value: str) -> str:
    """The key for what a person typed: the key itself or one of its labels (电话 → call; a file must hold
    the key, a person may type the label). Anything else is refused, naming the closest key: a word
    spreadsheets use for it (phone → call), or a near spelling."""
    from ..core.values import fold
    from ..words.input_words import synonyms

    text = (value or "").strip()
    if text in vocab:
        return text
    key = vocab.key_for_label(text)
    if key is not None:
        return key
    synonym = {fold(w): k for w, k in synonyms().get(vocab.name, {}).items() if k in vocab}.get(fold(text))
    if synonym is None:
        words = vocab.keys() + [t.zh for t in vocab.terms] + [t.en.casefold() for t in vocab.terms]
        close = difflib.get_close_matches(text.casefold(), words, n=1, cutoff=0.5)
        synonym = vocab.key_for_label(close[0]) if close else None
    suggestion = ""
    if synonym is not None:
        term = vocab.by_key[synonym]
        shown = f"{synonym}({term.label(msgs.lang)})" if term.zh != synonym else synonym
        suggestion = msgs.word("did_you_mean", x=shown)
    allowed = msgs.word("sep").join(
        f"{t.key}({t.label(msgs.lang)})" if t.key != t.zh else t.key for t in vocab.terms[:40])
    raise refuse(msgs, "cli-unknown-value", option=option, value=value, suggestion=suggestion, allowed=allowed)


def parse_score(msgs: Locale, option: str, value: str, low: int = 1, high: int = 5) -> int:
    text = (value or "").strip()
    if not re.fullmatch(r"[0-9]+", text) or not low <= int(text) <= high:
        expected = msgs.word("edits.a_whole_number", low=low, high=high)
        raise refuse(msgs, "cli-bad-number", option=option, value=value, expected=expected, example=f"{option} {high}")
    return int(text)


def parse_amount(msgs: Locale, option: str, value: str) -> int | float:
    """An amount in CNY: 120000, 120,000, 12万, 1.2w, ¥8k — never negative."""
    from ..core.values import CellError, parse_number

    try:
        number = parse_number(value)
    except CellError:
        number = -1
    if number < 0:
        expected = msgs.word("edits.an_amount_in")
        raise refuse(msgs, "cli-bad-number", option=option, value=value, expected=expected,
                     example=f"{option} 120000")
    return number


def parse_probability(msgs: Locale, option: str, value: str) -> float:
    """0.6, 60% or 60 -> 0.6."""
    text = (value or "").strip().rstrip("%％")
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if 1 < number <= 100:
        number /= 100
    if not 0 <= number <= 1:
        expected = msgs.word("edits.a_probability_or")
        raise refuse(msgs, "cli-bad-number", option=option, value=value, expected=expected, example=f"{option} 0.6")
    return round(number, 4)


def is_none_word(value: str) -> bool:
    return value.strip().casefold() in section("commands")["clear_field"] or value.strip() == ""


# --- in-place edits of a round-trip map -----------------------------------------------------


def yaml_date(value: dt.date) -> YamlDate:
    """A date as the store keeps dates (ISO text, written unquoted) — the same type a loaded file holds."""
    return YamlDate(value.isoformat())


def entry(pairs: Iterable[tuple[str, Any]]) -> CommentedMap:
    """A new list item with its keys in the given (schema) order; empty values left out, dates as the
    store writes them."""
    out = CommentedMap()
    for key, value in pairs:
        if isinstance(value, dt.date):
            value = yaml_date(value)
        if value is not None and value != "":
            out[key] = value
    return out


def set_field(data: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Set a top-level field; a new key goes where the schema puts it, not at the end."""
    if key in data:
        data[key] = value
        return
    position = len(data)
    if key in order:
        later = set(order[order.index(key) + 1:])
        for i, existing in enumerate(data):
            if existing in later:
                position = i
                break
    data.insert(position, key, value)


def append_dated(data: CommentedMap, key: str, item: CommentedMap, order: list[str]) -> int:
    """Add ``item`` to the list ``key`` keeping date order (after entries of the same day).
    Returns its index."""
    seq = data.get(key)
    if not isinstance(seq, list):
        seq = CommentedSeq()
        set_field(data, key, seq, order)
    return insert_dated(seq, item)


def insert_dated(seq: list, item: Any, date_key: str | None = "date") -> int:
    """Insert ``item`` into ``seq`` in date order (after entries of the same day); at the end when it has no
    date. Returns its index."""
    when = as_date(item.get(date_key)) if date_key else None
    position = len(seq)
    if when is not None:
        for i in range(len(seq) - 1, -1, -1):
            other = as_date(seq[i].get(date_key)) if isinstance(seq[i], dict) else None
            if other is None or other <= when:
                position = i + 1
                break
        else:
            position = 0
    seq.insert(position, item)
    return position


def field_order(repo: Repo) -> list[str]:
    return repo.schemas.field_order()


# --- the edit cycle every writing command runs ---------------------------------------------


@dataclass
class Editing:
    """One customer file opened for a change: its bytes before, and the round-trip map to change."""

    repo: Repo
    path: Path
    name: str
    raw: bytes
    data: CommentedMap
    warnings_before: set[tuple[str, str]]


def open_for_edit(repo: Repo, query: str) -> Editing:
    """Resolve ``query`` to one file, refuse it when invalid, load it for a round-trip edit."""
    from ..book.lookup import resolve
    from .write import load_roundtrip

    require_sound_repo(repo)
    path = resolve(repo, query)
    name = rel(repo.root, path)
    raw = path.read_bytes()
    problems, _ = check_customer_bytes(repo, name, raw)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        first = f"{errors[0].line}:{errors[0].col} {errors[0].message}"
        raise refuse(repo.msgs, "cli-file-invalid", file=name, first=first)
    data = load_roundtrip(path, repo)
    return Editing(repo, path, name, raw, data, {(p.code, p.message) for p in problems})


def save(ed: Editing) -> list[Problem]:
    """Format, validate and write atomically; refuse (writing nothing) on any error.
    Returns the warnings the change introduced, for the command to show."""
    from .write import save_customer

    problems = save_customer(ed.repo, ed.path, ed.data)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        p = errors[0]
        raise refuse(ed.repo.msgs, "cli-not-saved", where=f"{p.file}:{p.line}:{p.col}", message=p.message,
                     hint=p.hint)
    return new_warnings(ed.repo, ed.path, ed.warnings_before)


def new_warnings(repo: Repo, path: Path, before: set[tuple[str, str]]) -> list[Problem]:
    """The checker's warnings on the file as written that it did not have before the change."""
    problems, _ = check_customer_bytes(repo, rel(repo.root, path), path.read_bytes())
    return [p for p in problems if p.severity is Severity.WARNING and (p.code, p.message) not in before]


def report_warnings(warnings: list[Problem], msgs: Locale) -> None:
    import click

    for p in warnings:
        line = problem_line(p) + (f" → {p.hint}" if p.hint else "")
        click.echo(msgs.word("cli.warning_line", line=line), err=True)
