"""The id scheme: which fields ``ids.template`` may use, whether it can make ids, and each member's code.

Checked when a repository is opened (kehu.yaml and team.yaml problems), used by the allocator
(``kehu.store.ids``) when an id is made. A member's code is ``code:`` in team.yaml, or else the
initials of their name's pinyin (李霞 → LX), else of their handle.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from typing import TYPE_CHECKING

from ..util.errors import KehuError

if TYPE_CHECKING:
    from .model import Member, Team

FIELDS = {"date", "seq", "member"}
CODE_PATTERN = re.compile(r"[A-Z]{1,3}")
MAX_SEQ = 100_000  # a day's sequence per member; beyond it the template is wrong, not the team busy


class IdError(KehuError, ValueError):
    """The id scheme cannot make an id, worded by catalogue code ``ids-<reason>``. (Its own kind: import
    turns it into a row's reject reason.)"""


def template_fields(template: str) -> set[str]:
    try:
        return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}
    except ValueError:
        return {"?"}


def scheme_problem(template: str, pattern: str | None) -> str | None:
    """Why ``ids.template`` / ``ids.pattern`` cannot make ids, or None when they can."""
    fields = template_fields(template)
    if not fields <= FIELDS or "seq" not in fields:
        return "template-fields"
    try:
        sample = template.format(date=dt.date(2024, 5, 1), seq=1, member="AB")
    except (ValueError, KeyError, IndexError, AttributeError):
        return "template-format"
    if pattern:
        try:
            if not re.fullmatch(pattern, sample):
                return "template-pattern"
        except re.error:
            return "pattern-invalid"
    return None


# --- member codes -------------------------------------------------------------------------------


def derived_code(member: Member) -> str:
    """Initials of the name: of its pinyin for Chinese (李霞 → LX), of its words otherwise (John Smith →
    JS); else of the handle's parts (li.xia → LX). 1–3 capital letters."""
    name = unicodedata.normalize("NFKC", member.name or "")
    if re.search(r"[\u3400-\u9fff]", name):
        from ..words.pinyin import pinyin_keys

        letters = pinyin_keys(name)[1]
    else:
        letters = "".join(w[0] for w in re.findall(r"[A-Za-z]+", name))
    letters = re.sub(r"[^A-Z]", "", letters.upper())
    if not letters:
        parts = [p for p in re.split(r"[^a-z]+", member.handle.lower()) if p]
        letters = "".join(p[0] for p in parts).upper() if len(parts) > 1 else member.handle[:2].upper()
        letters = re.sub(r"[^A-Z]", "", letters)
    return letters[:3] or "X"


def member_code(member: Member) -> str:
    return member.code if member.code else derived_code(member)


def code_clashes(team: Team) -> list[tuple[Member, Member, str]]:
    """(later member, earlier member, code) for every code two members share — inactive ones included,
    since their ids exist."""
    seen: dict[str, Member] = {}
    out = []
    for m in team.members:
        code = member_code(m)
        if code in seen:
            out.append((m, seen[code], code))
        else:
            seen[code] = m
    return out
