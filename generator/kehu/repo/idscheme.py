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


def _words_of(member: Member) -> list[str]:
    """The name as words of capital letters: pinyin syllables for Chinese (吴倩 → WU QIAN), else its Latin words,
    else the handle's parts."""
    name = unicodedata.normalize("NFKC", member.name or "")
    if re.search(r"[\u3400-\u9fff]", name):
        from ..words.pinyin import syllables

        words = syllables(name)
    else:
        words = re.findall(r"[A-Za-z]+", name)
    if not words:
        words = [p for p in re.split(r"[^a-z]+", member.handle.lower()) if p]
    return [w for w in (re.sub(r"[^A-Z]", "", w.upper()) for w in words) if w]


def derived_code(member: Member) -> str:
    """Initials of the name: of its pinyin for Chinese (李霞 → LX), of its words otherwise (John Smith →
    JS); else of the handle's parts (li.xia → LX). 1–3 capital letters."""
    return _candidates(member)[0]


def _candidates(member: Member) -> list[str]:
    """The codes a member could have, the one people expect first: the initials (吴倩 → WQ), then three letters
    that still read as the name (WUQ, WQI, WQA …), then the initials with any letter."""
    words = _words_of(member)
    if not words:
        return ["X"]
    initials = "".join(w[0] for w in words)
    from_handle = not re.search(r"[A-Za-z\u3400-\u9fff]", member.name or "")
    first = words[0][:2] if from_handle and len(words) == 1 else initials[:3]  # a one-word handle: its first two
    out = [first]
    if len(initials) <= 2:
        letters = "".join(words)  # WUQIAN: three letters in order, starting with the first initial
        spread = [letters[0] + a + b for i, a in enumerate(letters[1:], 1) for b in letters[i + 1:]]
        out += [c for c in spread if c[:1] == initials[0]]
        out += [first + x for x in string.ascii_uppercase]
    else:
        out += [initials[:2] + x for x in string.ascii_uppercase]
    out += [initials[0] + a + b for a in string.ascii_uppercase for b in string.ascii_uppercase]
    return list(dict.fromkeys(c for c in out if CODE_PATTERN.fullmatch(c)))


def member_codes(team: Team) -> dict[str, str]:
    """Every member's code (handle -> code): ``code:`` in team.yaml as written; else derived from the name, and
    distinct from every code before it in team.yaml's order — 王强 keeps WQ, 吴倩 listed after him gets WUQ —
    so an ordinary team never has to pick codes by hand. (Inactive members count: their ids exist.)"""
    written = {m.handle: str(m.code) for m in team.members if m.code}
    taken = set(written.values())
    out: dict[str, str] = {}
    for m in team.members:
        if m.handle in written:
            out[m.handle] = written[m.handle]
            continue
        code = next((c for c in _candidates(m) if c not in taken), "X")
        out[m.handle] = code
        taken.add(code)
    return out


def member_code(member: Member, team: Team | None = None) -> str:
    """The member's code within ``team`` (see :func:`member_codes`); alone, their own initials."""
    if team is not None:
        return member_codes(team).get(member.handle, derived_code(member))
    return member.code if member.code else derived_code(member)


def moved_codes(team: Team) -> list[tuple[Member, Member, str, str]]:
    """(member, earlier member, the initials they share, the member's code instead) for every member whose
    derived code stepped aside — said by `kehu check` and `kehu init`, so nobody wonders why ids read WUQ."""
    codes = member_codes(team)
    out = []
    for m in team.members:
        if m.code:
            continue
        initials = derived_code(m)
        if codes[m.handle] != initials:
            holder = next((o for o in team.members if codes[o.handle] == initials), None)
            if holder is not None:
                out.append((m, holder, initials, codes[m.handle]))
    return out


def code_clashes(team: Team) -> list[tuple[Member, Member, str]]:
    """(later member, earlier member, code) for every code two members wrote the same in team.yaml — the one
    clash kehu cannot settle, since both were chosen by people."""
    seen: dict[str, Member] = {}
    out = []
    for m in team.members:
        if not m.code:
            continue
        code = str(m.code)
        if code in seen:
            out.append((m, seen[code], code))
        else:
            seen[code] = m
    return out
