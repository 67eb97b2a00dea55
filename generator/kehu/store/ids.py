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
(李霞 → LX), else of their handle — distinct by default: a member whose initials an earlier member in
team.yaml already has gets three letters of their name (王强 WQ, 吴倩 WUQ; ``repo.idscheme.member_codes``).
Only two codes written the same in team.yaml are an error while the template uses ``{member}``. The creator
is the team member whose email is ``git config user.email`` (else the customer's owner).

:func:`kehu.store.write.create_exclusive` writes a new customer file only if no file of that name exists,
so two processes that pick the same id cannot overwrite one another: the second one moves on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..repo.idscheme import MAX_SEQ, IdError, member_codes, scheme_problem

if TYPE_CHECKING:
    from ..repo.repository import Repo

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
    _heads: dict[int, dict[str, list[str]]] = field(default_factory=dict)  # head length -> head -> ids used

    @classmethod
    def for_repo(cls, repo: Repo, creator: str | None, *, history: bool = True) -> Allocator:
        from ..repo.gitinfo import ids_in_history

        template = repo.config.ids.template
        pattern = repo.config.ids.pattern or None
        problem = scheme_problem(template, pattern)
        if problem:
            raise IdError.coded(f"ids-{problem}", template=template, pattern=pattern or "")
        team = repo.team
        codes = member_codes(team) if team is not None else {}
        member = codes.get(creator or "")
        if member is None and team is not None:
            from ..repo.gitinfo import handle_for_email, user_email

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
            n = 1 + self._highest(date, member)
        for seq in range(n, MAX_SEQ):
            cid = self.format(date, seq, member)
            if self.pattern and not re.fullmatch(self.pattern, cid):
                raise IdError.coded("ids-template-pattern", template=self.template, pattern=self.pattern)
            if cid not in self.used:
                self.taken([cid])
                self._next[key] = seq + 1
                return cid
        raise IdError.coded("ids-exhausted", template=self.template, date=key[0])

    def _highest(self, date: dt.date, member: str) -> int:
        """The highest sequence used on ``date`` by ``member`` (0: none). Only the ids used that begin as that
        day's ids do are read — one look-up, not one formatted id per id ever used: an import of 10,000
        customers created on a thousand days stays linear."""
        samples = [self.format(date, seq, member) for seq in (1, 2, MAX_SEQ - 1)]
        head = _common_start(samples)
        tail = _common_start([x[::-1] for x in samples])[::-1]
        index = self._heads.get(len(head))
        if index is None:
            index = self._heads[len(head)] = {}
            for cid in self.used:
                index.setdefault(cid[:len(head)], []).append(cid)
        best = 0
        for cid in index.get(head, ()):
            middle = cid[len(head):len(cid) - len(tail)]
            if middle.isdigit() and cid.endswith(tail) and int(middle) > best and \
                    self.format(date, int(middle), member) == cid:
                best = int(middle)
        return best

    def taken(self, ids: Iterable[str]) -> None:
        for cid in ids:
            if cid not in self.used:
                self.used.add(cid)
                for length, index in self._heads.items():
                    index.setdefault(cid[:length], []).append(cid)


def _common_start(texts: list[str]) -> str:
    """The characters all ``texts`` begin with."""
    first = texts[0]
    n = 0
    while n < len(first) and all(len(t) > n and t[n] == first[n] for t in texts):
        n += 1
    return first[:n]
