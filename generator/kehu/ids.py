"""Customer ids: the one place they are made.

An id is ``C`` + the date + the **member code** of whoever creates the customer + a sequence
(``C20261201LX01``): ``ids.template`` in kehu.yaml, default ``C{date:%Y%m%d}{member}{seq:02d}``.
The member code is what makes ids collision-free across clones by construction: two colleagues
creating customers on their own laptops on the same day draw from different sequences, so their
branches never carry the same id. Within one clone the sequence is the next one never used —
neither by a file on disk nor by any file ever committed (``git log --all``), so a deleted
customer's id is never given to another. Legacy ids (``C20240501001``, all digits) stay valid: the
default pattern accepts both, and the two shapes cannot collide (a member code is letters).

A member's code is ``code:`` in team.yaml, or else the initials of their name's pinyin
(李霞 → LX), else of their handle. Two members with the same code are a team.yaml error while the
template uses ``{member}``. The creator is the team member whose email is ``git config user.email``
(else the customer's owner).

:func:`kehu.store.create_exclusive` writes a new customer file only if no file of that name exists,
so two processes that pick the same id cannot overwrite one another: the second one moves on.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import KehuError

if TYPE_CHECKING:
    from .model import Member, Team
    from .repo import Repo

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
        from .site.pinyin import pinyin_keys

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


# --- allocation ---------------------------------------------------------------------------------


@dataclass
class Allocator:
    """Hands out ids that no file on disk and no commit ever used; remembers what it handed out."""

    template: str
    pattern: str | None
    used: set[str]
    member: str | None = None          # the creator's code; None: unknown (then the owner's code)
    codes: dict[str, str] = field(default_factory=dict)  # handle -> code, for the fallback
    _next: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def for_repo(cls, repo: Repo, creator: str | None, *, history: bool = True) -> Allocator:
        from .gitinfo import ids_in_history

        template = repo.config.ids.template
        pattern = repo.config.ids.pattern or None
        problem = scheme_problem(template, pattern)
        if problem:
            raise IdError.coded(f"ids-{problem}", template=template, pattern=pattern or "")
        team = repo.team
        codes = {m.handle: member_code(m) for m in team.members} if team is not None else {}
        member = codes.get(creator or "")
        if member is None and team is not None:
            from .gitinfo import handle_for_email, user_email

            member = codes.get(handle_for_email(team, user_email(repo.root)) or "")
        used = {p.stem for p in repo.customers_dir.glob("*")} if repo.customers_dir.is_dir() else set()
        if history:
            used |= ids_in_history(repo)
        return cls(template, pattern, used, member, codes)

    def format(self, date: dt.date, seq: int, member: str) -> str:
        return self.template.format(date=date, seq=seq, member=member)

    def next(self, date: dt.date, owner: str | None = None) -> str:
        """The id after the highest sequence used on ``date`` by this member, never one used before.
        The member is the creator; when the creator is not in team.yaml, the customer's ``owner``."""
        member = self.member or self.codes.get(owner or "") or "X"
        key = (date.isoformat(), member)
        n = self._next.get(key)
        if n is None:
            n = 1 + max((s for s in range(1, len(self.used) + 2) if self.format(date, s, member) in self.used),
                        default=0)
        for seq in range(n, MAX_SEQ):
            cid = self.format(date, seq, member)
            if self.pattern and not re.fullmatch(self.pattern, cid):
                raise IdError.coded("ids-template-pattern", template=self.template, pattern=self.pattern)
            if cid not in self.used:
                self.used.add(cid)
                self._next[key] = seq + 1
                return cid
        raise IdError.coded("ids-exhausted", template=self.template, date=key[0])

    def taken(self, ids: Iterable[str]) -> None:
        self.used.update(ids)
