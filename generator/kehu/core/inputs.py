"""What a person typed — on the command line or in a form on the forge — as the schema's value, or one line
saying exactly why not.

Dates are read the ways import reads them, amounts in the ways people write money (12万, ¥8k), vocabulary
values by key, label or a spreadsheet's synonym; a handle must be one of team.yaml's. Every refusal names
the option (or the form's field), what was typed and what would do. The commands (``commands/_args.py``) and
``kehu intake`` (``git/intake.py``) read through these same functions, so a value one accepts the other accepts.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from ..repo.repository import Repo
from ..repo.schema import Vocabulary
from ..util.errors import refuse
from ..words.catalogue import Locale
from ..words.input_words import section


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


def require_assignable(repo: Repo, option: str, value: str) -> str:
    """A member something is given to (an owner, a complaint's handler, an opportunity): one of team.yaml's who has
    not left — a member marked ``active: false`` keeps their past records but takes on nothing new."""
    handle = require_handle(repo, option, value)
    if handle in repo.inactive:
        raise refuse(repo.msgs, "cli-handle-inactive", option=option, value=handle)
    return handle


def member_handle(repo: Repo, option: str, value: str) -> str:
    """A member named by handle or by their name as team.yaml writes it (李霞 → lixia), then checked as
    :func:`require_handle` checks a handle."""
    text = (value or "").strip()
    if repo.team is not None and text not in repo.team.handles:
        named = [m.handle for m in repo.team.members if (m.name or "").strip() == text]
        if len(named) == 1:
            text = named[0]
    return require_handle(repo, option, text)


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


def parse_score(msgs: Locale, option: str, value: str | None, low: int = 1, high: int = 5) -> int:
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
