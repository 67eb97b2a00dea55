"""Pinyin of a name: syllables, the keys of the customers filter, and the order names sort in.

"qiming" finds 上海启明科技有限公司 through the full spelling
(``shanghaiqimingkejiyouxiangongsi``) and "shqm" through the initials
(``shqmkjyxgs``); the browser only does substring matching. Readings are
phrase-aware (pypinyin's phrase dictionary): 长沙 is "changsha", so it sorts
under C, where a browser's per-character collation reads 长 as "zhang".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPLIT = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def _syllables(name: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin  # imported late: the dictionary costs ~0.3 s

    out: list[str] = []
    for part in lazy_pinyin(unicodedata.normalize("NFKC", name)):
        out.extend(w for w in _SPLIT.split(part.casefold()) if w)
    return tuple(out)


def syllables(name: str) -> list[str]:
    """The name's pinyin syllables (and Latin words, digits), lowercase ASCII, in order."""
    return list(_syllables(name))


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lowercase ASCII; other letters and digits are kept as they are."""
    syl = _syllables(name)
    return "".join(syl), "".join(s[0] for s in syl)


def sort_key(name: str) -> str:
    """The key names sort by: syllables separated by spaces, so names sort syllable by syllable as a
    dictionary orders them (chang an, chang chun, chang sha, chen …)."""
    return " ".join(_syllables(name))
