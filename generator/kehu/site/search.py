"""The search index, shaped: one small entry per customer with what people search by.

Material's search plugin would index every word of every page (about 5 KB a
page, 52 MB at 10,000 customers). Instead the customer and report pages are
excluded from its index and, after it has written ``search/search_index.json``,
one entry per customer (name; id, contacts — masked —, tags, needs and the
newest summaries) and per team member is added here.

Chinese has no spaces, and the browser's query only matches the start of an
indexed word, so the text is split into words at build time (``jieba``) with
zero-width spaces, the separator Material's Chinese configuration already
splits on; the browser then segments the query against the indexed words.
Which splitter is used is ``site.search.segmenter``; a configured splitter
that is not installed stops the build.
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
ZWSP = "\u200b"
SEGMENTERS = ("jieba", "none")


class SegmenterMissing(RuntimeError):
    pass


def segmenter(name: str) -> Callable[[str], str]:
    """The word splitter named in kehu.yaml; raises SegmenterMissing when it is not installed."""
    if name == "none":
        return lambda text: text
    if name != "jieba":
        raise SegmenterMissing(f"site.search.segmenter: unknown value '{name}' (choose one of {', '.join(SEGMENTERS)})")
    try:
        import logging

        import jieba
    except ImportError as e:
        raise SegmenterMissing(
            "site.search.segmenter is 'jieba' but jieba is not installed: pip install jieba "
            "(or set site.search.segmenter: none in kehu.yaml; Chinese search then only matches word starts)") from e
    jieba.setLogLevel(logging.WARNING)

    def split(text: str) -> str:
        return _HAN.sub(lambda m: ZWSP + ZWSP.join(w for w in jieba.cut(m.group(), HMM=True) if w) + ZWSP,
                        text).strip(ZWSP)

    return split


@dataclass(slots=True)
class Entry:
    location: str
    title: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"location": self.location, "title": self.title, "text": self.text}


def make_entry(location: str, title: str, parts: Iterable[tuple[str, bool]], split: Callable[[str], str]) -> Entry:
    """An index entry from (text, split into words?) parts. Title and text are HTML-escaped: the search
    results render them as HTML."""
    text = " · ".join(split(html.escape(p, quote=False)) if words else html.escape(p, quote=False)
                      for p, words in parts if p)
    return Entry(location, split(html.escape(title, quote=False)), text)


def rewrite_index(path: Path, entries: list[Entry], drop_prefixes: tuple[str, ...] = ()) -> int:
    """Add ``entries`` to the index Material wrote (replacing any of the same pages); returns the bytes written.
    Written as UTF-8 rather than ``\\uXXXX`` escapes: a Chinese character costs 3 bytes instead of 6."""
    data = json.loads(path.read_text(encoding="utf-8"))
    ours = {e.location for e in entries}
    docs = [d for d in data.get("docs", [])
            if d.get("location", "").split("#")[0] not in ours and not d.get("location", "").startswith(drop_prefixes)]
    data["docs"] = docs + [e.as_dict() for e in entries]
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".search-", suffix=".tmp")
    mask = os.umask(0)
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)  # mkstemp makes 0600; the index must be as readable as every other page
    with os.fdopen(fd, "wb") as fh:
        fh.write(raw)
    os.replace(tmp, path)
    return len(raw)
