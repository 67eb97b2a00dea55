"""Pinyin keys of a name, computed at build time for the customers filter box.

"qiming" finds 上海启明科技有限公司 through the full spelling
(``shanghaiqimingkejiyouxiangongsi``) and "shqm" through the initials
(``shqmkjyxgs``); the browser only does substring matching.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_KEEP = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials), lowercase ASCII; other letters and digits are kept as they are."""
    from pypinyin import lazy_pinyin  # imported late: the dictionary costs ~0.3 s

    syllables = [_KEEP.sub("", s.casefold()) for s in lazy_pinyin(unicodedata.normalize("NFKC", name))]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)
