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
from pathlib import Path

from ..util.cache import ContentCache, environment
from ..util.workers import map_in_workers

_SPLIT = re.compile(r"[^0-9a-z]+")


# names read ahead in the workers (prepare): a large book's names cost ~0.3 ms each, and several screens sort by them
_KNOWN: dict[str, tuple[str, ...]] = {}


def _read(name: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin  # imported late: the dictionary costs ~0.3 s

    out: list[str] = []
    for part in lazy_pinyin(unicodedata.normalize("NFKC", name)):
        out.extend(w for w in _SPLIT.split(part.casefold()) if w)
    return tuple(out)


def _read_one(names: list[str], i: int) -> tuple[str, ...]:
    return _read(names[i])


PINYIN_CACHE = "pinyin-v1.json"


def prepare(names: list[str], jobs: int | None = None, root: Path | None = None) -> None:
    """Read the pinyin of ``names`` once, in parallel, for every later call in this process (and the workers it
    starts after). ``root``: the repository whose ``.kehu-cache/`` keeps them for the next build."""
    todo = sorted({n for n in names if n not in _KNOWN})
    cache = ContentCache(root, PINYIN_CACHE, environment()) if root is not None and todo else None
    if cache is not None:
        for name, kept in cache.entries.items():
            if isinstance(kept, list) and all(isinstance(s, str) for s in kept):
                _KNOWN.setdefault(name, tuple(kept))
        todo = [n for n in todo if n not in _KNOWN]
    read = map_in_workers(_read_one, range(len(todo)), todo, jobs=jobs, threshold=2000)
    _KNOWN.update(zip(todo, read, strict=True))
    if cache is not None and (todo or len(cache.entries) > len(names)):
        cache.replace({n: list(_KNOWN[n]) for n in names})
        cache.save()


@lru_cache(maxsize=1 << 18)  # larger than a large book (100,000 names): a smaller cache re-reads every name
def _syllables(name: str) -> tuple[str, ...]:
    known = _KNOWN.get(name)
    return known if known is not None else _read(name)


def syllables(name: str) -> list[str]:
    """The name's pinyin syllables (and Latin words, digits), lowercase ASCII, in order."""
    return list(_syllables(name))


@lru_cache(maxsize=1 << 18)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lowercase ASCII; other letters and digits are kept as they are."""
    syl = _syllables(name)
    return "".join(syl), "".join(s[0] for s in syl)


def sort_key(name: str) -> str:
    """The key names sort by: syllables separated by spaces, so names sort syllable by syllable as a
    dictionary orders them (chang an, chang chun, chang sha, chen …)."""
    return " ".join(_syllables(name))
