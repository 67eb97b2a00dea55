"""Finding one customer file from what a salesperson types: the id, part of the name,
its pinyin (``qiming``) or initials (``shqm``), or the file's path.

The tiers are tried in order and the first tier with any match decides: an exact
id beats a name, a name beats pinyin. More than one match in that tier is an
error that lists the candidates — never a guess. The candidates come from the book
(:meth:`kehu.book.loader.Book.resolve`), which takes them from its index.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from ..repo.repository import Repo
from ..util.errors import refuse
from ..words.pinyin import syllables  # THE pinyin of a name (the site's filter and sort use it too)
from .index import Candidate

MAX_LISTED = 8  # candidates named in an "ambiguous" error


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def pinyin_matches(query: str, syllables: list[str]) -> bool:
    """``query`` spells consecutive syllables (the last one may be cut short): qiming, qimingke."""
    if not query:
        return False
    for start in range(len(syllables)):
        rest = query
        for syl in syllables[start:]:
            if rest.startswith(syl):
                rest = rest[len(syl):]
                if not rest:
                    return True
            elif syl.startswith(rest):
                return True
            else:
                break
    return False


def initials_match(query: str, syllables: list[str]) -> bool:
    return len(query) >= 2 and query in "".join(s[0] for s in syllables)


def _tiers(query: str, pool: list[Candidate]) -> list[list[Candidate]]:
    q = _fold(query)
    ascii_q = re.sub(r"[^0-9a-z]", "", q)
    tiers = [
        [c for c in pool if c.id.casefold() == q],
        [c for c in pool if c.name and _fold(c.name) == q],
        [c for c in pool if q in c.id.casefold()],
        [c for c in pool if c.name and q in _fold(c.name)],
    ]
    if ascii_q and ascii_q == q:  # only a latin query can be pinyin
        spelled = [(c, c.syllables if c.syllables is not None else syllables(c.name)) for c in pool if c.name]
        tiers.append([c for c, syl in spelled if pinyin_matches(q, syl)])
        tiers.append([c for c, syl in spelled if initials_match(q, syl)])
    return tiers


def _looks_like_path(text: str) -> bool:
    return ("/" in text or "\\" in text or text.startswith(".") or text.endswith((".yaml", ".yml"))
            or os.path.isabs(text) or "\0" in text)


def resolve_in(repo: Repo, query: str, candidates: Callable[[], list[Candidate]]) -> Path:
    """The one customer file ``query`` names among ``candidates()`` (asked for only when the query is not an
    id); raises CommandError when none or several match."""
    msgs = repo.msgs
    text = (query or "").strip()
    if not text:
        raise refuse(msgs, "cli-no-customer", query=query)
    if _looks_like_path(text):
        # a path names a file, never a search: it must be a customer file of this repository
        for base in (Path.cwd(), repo.root, repo.customers_dir):
            found = repo.customer_file(base / text)
            if found is not None:
                return found
        raise refuse(msgs, "cli-not-customer-file", query=query)
    direct = repo.customer_file(repo.customers_dir / f"{text}.yaml")
    if direct is not None:  # the common case, without reading any other file
        return direct
    pool = candidates()
    for tier in _tiers(text, pool):
        if len(tier) == 1:
            return tier[0].path
        if len(tier) > 1:
            listed = msgs.word("sep").join(f"{c.id} {c.name}" for c in tier[:MAX_LISTED])
            if len(tier) > MAX_LISTED:
                listed += msgs.word("duplicates_also", n=len(tier) - MAX_LISTED)
            raise refuse(msgs, "cli-ambiguous", query=query, count=len(tier), candidates=listed)
    raise refuse(msgs, "cli-no-customer", query=query)
