"""What a person typed — on the command line or in a form on the forge — as the schema's value, or one line
saying exactly why not.

Dates are read the ways import reads them, amounts in the ways people write money (12万, ¥8k), vocabulary
values by key, label or a spreadsheet's synonym; a member by handle (any case) or by their name in team.yaml.
Every refusal names the option (or the form's field), what was typed and what would do. The commands
(``commands/_args.py``) and ``kehu intake`` (``git/intake.py``) read through these same functions, so a value one
accepts the other accepts.
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


def members_shown(repo: Repo) -> str:
    """The team as a hint lists it: 陈静（chenjing）、李霞（lixia） — the name to recognise, the handle a file holds."""
    if repo.team is None:
        return ""
    return repo.msgs.join(repo.msgs.word("name_id", name=m.name, id=m.handle) if m.name else m.handle
                          for m in sorted(repo.team.members, key=lambda m: m.handle))


def require_handle(repo: Repo, option: str, value: str) -> str:
    """A team member as a person names them: the handle (any case) or the name in team.yaml (李娜 → lina)."""
    from ..core.values import fold

    handle = (value or "").strip()
    if repo.team is None or repo.handles is None or handle in repo.handles:
        return handle
    by_handle = [m for m in repo.team.members if fold(m.handle) == fold(handle)]
    named = by_handle or [m for m in repo.team.members if m.name and fold(m.name) == fold(handle)]
    if len(named) == 1:
        return named[0].handle
    if len(named) > 1:
        raise refuse(repo.msgs, "cli-ambiguous-member", option=option, value=value,
                     candidates=repo.msgs.join(repo.msgs.word("name_id", name=m.name, id=m.handle) for m in named))
    raise refuse(repo.msgs, "cli-unknown-handle", option=option, value=value, known=members_shown(repo))


def require_assignable(repo: Repo, option: str, value: str) -> str:
    """A member something is given to (an owner, a complaint's handler, an opportunity): one of team.yaml's who has
    not left — a member marked ``active: false`` keeps their past records but takes on nothing new."""
    handle = require_handle(repo, option, value)
    if handle in repo.inactive:
        raise refuse(repo.msgs, "cli-handle-inactive", option=option, value=handle)
    return handle


def vocab_key(msgs: Locale, vocab: Vocabulary, option: str, value: str) -> str:
    """The key for what a person typed, read as import reads a cell (core/values.meant): the key, one of its
    labels (电话 → call), a word spreadsheets use (展会 → trade_show, phone → call), a part of exactly one industry
    (软件 → I65), a head count (120人 → 50-200). Anything else is refused with the closest choices: of a long list
    (117 industries) only those that share the word typed, never the whole list."""
    from ..core.values import meant

    text = (value or "").strip()
    if text in vocab:
        return text
    key = meant(vocab, "string", text) if text else None
    if isinstance(key, str) and key in vocab:
        return key
    words = vocab.keys() + [t.zh for t in vocab.terms] + [t.en.casefold() for t in vocab.terms]
    close = difflib.get_close_matches(text.casefold(), words, n=1, cutoff=0.5)
    guess = vocab.key_for_label(close[0]) if close else None
    suggestion = msgs.word("did_you_mean", x=vocab.shown(guess, msgs.lang)) if guess is not None else ""
    raise refuse(msgs, "cli-unknown-value", option=option, value=value, suggestion=suggestion,
                 allowed=vocab.choices(msgs.lang, text))


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
