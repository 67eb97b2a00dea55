"""The site's search: a sharded inverted index served as static files, queried by kehu's search worker.

Material's header search box and result list stay; its worker (lunr over one ``search_index.json`` that
holds every entry, 5.7 MB at 10,000 customers, all loaded for the first query) is replaced by
``assets/kehu/search-worker.js``, which speaks the same messages. The index is split here at build time:

* ``search/search_index.json`` keeps Material's config, the few small entries (team members) and a
  ``kehu`` manifest: how many shards, docs per chunk, the phone digits the build shows;
* ``search/kehu/t<N>.json``: terms → postings, sharded by a hash of the term's first character (its
  first two for Latin), so a query loads one shard per distinct leading character;
* ``search/kehu/d<N>.json``: the shown part of the entries (link, name, a teaser), in chunks of ``CHUNK``
  by document number, loaded only for the results shown.

What is indexed, per customer (everything as the page shows it: phones and emails masked):
Chinese as overlapping character pairs (every substring of two or more characters is found, not only
whole words) plus each run's last character; Latin letters and digits as words; the name also as the
pinyin and initials of every syllable onwards (``zhilian`` and ``zl`` find 北京智联…, as the customers
filter does); the digits a contact's phone shows at its end (``8000`` of ``138****8000``; an internal
build shows — and indexes — all of them). The name's postings carry positions, so the worker can rank a
customer whose name contains the whole query first; word starts (from the segmenter, ``rjieba``) rank a
match that begins a word above one inside a word. Documents are numbered by name length, so among equal
matches the closest name comes first without any extra data.
"""

from __future__ import annotations

import html
import json
import operator
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..util.atomic import atomic_write, new_dir, replace_dir
from ..util.errors import KehuError
from ..words.pinyin import syllables

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[0-9a-z]+")
_DIGIT_TAIL = re.compile(r"(\d+)\D*$")
# zero-width and invisible characters: never indexed, never shown (copied text would carry them)
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
SEGMENTERS = ("rjieba", "jieba", "none")
CHUNK = 32             # documents per d<N>.json
SHARD_BYTES = 24_000   # aim for shards about this big (before compression)
MAX_SHARDS = 8192      # 100,000 customers' index is about 4,000 shards of that size
BELOW = "*"            # a split start's entry of every term below it: "sh*" (no query word has a "*")
MAX_ROUTE = 12         # the longest start of a term that chooses its shard (an id's year and month)
PHONE_DIGITS = 4       # the shortest phone ending that finds a customer
TEASER = 160           # characters of text shown under a result
PINYIN_SUFFIX = 40     # longest pinyin term (queries longer than this match its start)
INDEX_DIR = "kehu"     # search/kehu/


class SegmenterMissing(KehuError, RuntimeError):
    """The word splitter kehu.yaml names is unknown or not installed (message: what to do). Its own kind:
    the MkDocs plugin turns it into MkDocs' PluginError."""


Splitter = Callable[[str], list[str]]


def segmenter(name: str) -> Splitter:
    """The word splitter named in kehu.yaml (``site.search.segmenter``); raises SegmenterMissing when it is
    not installed. It returns the words of a text, in order, covering it."""
    if name == "none":
        return lambda text: [text] if text else []
    if name not in SEGMENTERS:
        raise SegmenterMissing(f"site.search.segmenter: unknown value '{name}' (choose one of {', '.join(SEGMENTERS)})")
    try:
        if name == "rjieba":
            import rjieba

            return lambda text: list(rjieba.cut(text)) if text else []
        import logging

        import jieba
    except ImportError as e:
        raise SegmenterMissing(
            f"site.search.segmenter is '{name}' but {name} is not installed: pip install {name} "
            "(or set site.search.segmenter: none in kehu.yaml; search then ranks without word starts)") from e
    jieba.setLogLevel(logging.WARNING)
    return lambda text: [w for w in jieba.cut(text, HMM=True) if w] if text else []


def normalize(text: str) -> str:
    """What search compares: NFKC (full-width letters and digits become ASCII), case folded, invisible
    characters removed. The worker does the same to the query."""
    return INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def visible(text: str) -> str:
    return INVISIBLE.sub("", text)


def han_terms(text: str) -> Iterable[tuple[str, int]]:
    """(term, position) for every pair of adjacent Chinese characters and the last character of each run."""
    for m in _HAN.finditer(text):
        run, start = m.group(), m.start()
        for i in range(len(run) - 1):
            yield run[i:i + 2], start + i
        yield run[-1], start + len(run) - 1


def han_pairs(text: str) -> set[str]:
    """The terms of ``han_terms`` without their positions (the text fields need none)."""
    out: set[str] = set()
    for run in _HAN.findall(text):
        out.update(map(operator.add, run, run[1:]))
        out.add(run[-1])
    return out


def latin_terms(text: str) -> Iterable[str]:
    return (w for w in _LATIN.findall(text) if len(w) >= 2)


def phone_terms(shown: str) -> list[str]:
    """``#`` + each ending (of PHONE_DIGITS digits or more) of the digits the phone shows at its end:
    a masked 138****8000 gives only #8000; nothing hidden by the mask is indexed."""
    m = _DIGIT_TAIL.search(shown or "")
    if not m:
        return []
    tail = m.group(1)
    return ["#" + tail[i:] for i in range(len(tail) - PHONE_DIGITS + 1)]


_TERM_END = "\x00"   # between the terms of a packed list (no term holds it: see Entry.of)
_POSITION = "\x01"   # between a name term and its position


@dataclass(slots=True)
class Entry:
    """One customer (or member) as search holds it; made in the workers that render the pages.

    The terms are packed into one string each: a large book holds every customer's entry until the index is
    written, and a hundred small strings an entry took ten times the memory of one."""
    location: str
    title: str                                   # as shown (plain text, no invisible characters)
    teaser: str
    names: str = ""                              # the name terms: term \x01 position (or flags), \x00 between
    texts: str = ""                              # the text terms, \x00 between

    @classmethod
    def of(cls, location: str, title: str, teaser: str, name_terms: Iterable[tuple[str, int]],
           text_terms: Iterable[str]) -> Entry:
        names = _TERM_END.join(f"{_term(t)}{_POSITION}{int(p)}" for t, p in name_terms)
        return cls(location, title, teaser, names, _TERM_END.join(_term(t) for t in text_terms))

    @property
    def name_terms(self) -> list[tuple[str, int]]:
        """(term, position or flags) of the name."""
        out = []
        for item in self.names.split(_TERM_END) if self.names else ():
            term, _, position = item.rpartition(_POSITION)
            out.append((term, int(position)))
        return out

    @property
    def text_terms(self) -> list[str]:
        return self.texts.split(_TERM_END) if self.texts else []

    def as_doc(self) -> dict[str, str]:
        """A Material search document (HTML-escaped: the result list renders title and text as HTML)."""
        return {"location": self.location, "title": html.escape(self.title, quote=False),
                "text": html.escape(self.teaser, quote=False)}


def make_entry(location: str, title: str, parts: Iterable[str], split: Splitter, phones: Iterable[str] = (),
               key: str = "") -> Entry:
    """An index entry: the name ``title``, the texts ``parts`` (already masked), the ``phones`` as shown,
    ``key`` (the id) as an exact name-level term."""
    shown = [visible(" ".join(p.split())) for p in parts if p and p.strip()]
    name = normalize(title)
    starts = _word_starts(name, split)
    name_terms = [(t, pos * 2 + (pos in starts)) for t, pos in han_terms(name)]
    syl = syllables(title)
    for i in range(len(syl)):
        name_terms.append(("".join(syl[i:])[:PINYIN_SUFFIX], i * 2 + 1))
        initials = "".join(s[0] for s in syl[i:])
        if len(initials) >= 2:
            name_terms.append((initials, i * 2 + 1))
    if key:
        name_terms.append((normalize(key), 1))
    text = normalize(" ".join(shown))
    text_terms = han_pairs(text)
    text_terms.update(latin_terms(text))
    for p in phones:
        text_terms.update(phone_terms(p))
    teaser = " · ".join(shown)
    if len(teaser) > TEASER:
        teaser = teaser[:TEASER - 1] + "…"
    return Entry.of(location, visible(title), teaser, sorted(set(name_terms)), sorted(text_terms))


def _term(term: str) -> str:
    """A term as a packed list can hold it (an id is the one term not made of letters, digits and Han)."""
    return term.replace(_TERM_END, "").replace(_POSITION, "")


def _word_starts(name: str, split: Splitter) -> set[int]:
    starts, pos = set(), 0
    for w in split(name):
        starts.add(pos)
        pos += len(w)
    return starts if pos == len(name) else {0}


# --- the files ---------------------------------------------------------------------------------------------


def route(term: str, deep: dict[str, str] | None = None) -> str:
    """The start of ``term`` that chooses its shard: its first character (first two if Latin), one character
    longer for as long as that start is one the build split (``deep``: a start -> the characters that follow it
    in the longer starts it was split into) — the same function as ``route`` in search-worker.js."""
    key = term[:2] if term[:1].isascii() else term[:1]
    while deep and key in deep and len(term) > len(key):
        key = term[:len(key) + 1]
    return key


def shard_of(term: str, shards: int, deep: dict[str, str] | None = None) -> int:
    """FNV-1a over the UTF-16 code units of the term's route — the same function as ``shardOf`` in
    search-worker.js."""
    return _fnv(route(term, deep)) % shards


def split_routes(sizes: dict[str, int], limit: int) -> dict[str, str]:
    """Which starts of terms to split by one more character: those whose terms hold more than ``limit`` bytes
    (all the ids of a book start with the same two characters, the pinyin of many names with "xi" or "sh"), so
    that no shard holds much more than ``limit``. A query as short as a split start reads every shard below it."""
    deep: dict[str, str] = {}
    groups: dict[str, list[str]] = defaultdict(list)
    for term in sizes:
        groups[route(term)].append(term)
    while groups:
        key, terms = groups.popitem()
        if sum(sizes[t] for t in terms) <= limit or len(key) >= MAX_ROUTE:
            continue
        longer: dict[str, list[str]] = defaultdict(list)
        for t in terms:
            if len(t) > len(key):
                longer[t[:len(key) + 1]].append(t)
        if not longer:  # every term is the start itself: it cannot be split
            continue
        deep[key] = "".join(sorted(k[-1] for k in longer))
        groups.update(longer)
    return dict(sorted(deep.items()))


@lru_cache(maxsize=65536)
def _fnv(key: str) -> int:
    data = key.encode("utf-16-le")
    h = 0x811C9DC5
    for i in range(0, len(data), 2):
        h ^= data[i] | data[i + 1] << 8
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def _deltas(numbers: Sequence[int]) -> list[int]:
    return [b - a for a, b in zip([0, *numbers], numbers, strict=False)]


def build_index(entries: list[Entry], phone_tail: int, more: str = "", more_location: str = "",
                shard_bytes: int = SHARD_BYTES) -> dict[str, bytes]:
    """The files of search/kehu/ (name -> bytes), manifest.json among them.

    ``phone_tail``: how many trailing phone digits a page shows (4 when masked, 0 for all of them);
    ``more``: the last result's text when more matched than are listed ({n}), linking to ``more_location``;
    ``shard_bytes``: about how large a shard may be."""
    order = sorted(range(len(entries)), key=lambda i: (len(entries[i].title), entries[i].title, i))
    # postings as 4-byte arrays: a large book has tens of millions of them
    names: defaultdict[str, array[int]] = defaultdict(lambda: array("i"))
    texts: defaultdict[str, array[int]] = defaultdict(lambda: array("i"))
    for doc, i in enumerate(order):  # in document order, so every list is sorted as it is built
        e = entries[i]
        base = doc * 128
        for term, pos in e.name_terms:
            names[term].append(base + (pos if pos < 127 else 127))
        for term in e.text_terms:  # unique per entry
            texts[term].append(doc)
    terms = sorted(names.keys() | texts.keys())  # sorted: the same data gives the same files
    none = array("i")
    sizes = {t: len(t) * 3 + 8 + 3 * (len(names.get(t, none)) + len(texts.get(t, none))) for t in terms}
    size = sum(sizes.values())
    shards = 1
    while shards < MAX_SHARDS and size / shards > shard_bytes:
        shards *= 2
    deep = split_routes(sizes, shard_bytes) if shards > 1 else {}
    del sizes
    in_shard: list[list[str]] = [[] for _ in range(shards)]
    for term in terms:
        in_shard[shard_of(term, shards, deep)].append(term)
    below: list[list[tuple[str, tuple[list[int], list[int]]]]] = [[] for _ in range(shards)]
    for start, postings in _below(deep, terms, names, texts).items():
        below[shard_of(start, shards, deep)].append((start, postings))
    del terms
    files: dict[str, bytes] = {}
    for n in range(shards):  # one shard's lists at a time
        shard: dict[str, list[list[int]]] = {}
        for term in in_shard[n]:
            name = names.get(term, none)
            shard[term] = [_deltas(sorted(name) if len(name) > 1 else name), _deltas(texts.get(term, none))]
        for start, (name_docs, text_docs) in below[n]:
            shard[start + BELOW] = [_deltas(name_docs), _deltas(text_docs)]
        files[f"t{n}.json"] = _json(shard)
    for c in range(0, len(order), CHUNK):
        docs = [[entries[i].location, entries[i].title, entries[i].teaser] for i in order[c:c + CHUNK]]
        files[f"d{c // CHUNK}.json"] = _json(docs)
    files["manifest.json"] = _json({"version": 1, "docs": len(order), "shards": shards, "chunk": CHUNK,
                                    "phone_tail": phone_tail, "phone_min": PHONE_DIGITS,
                                    "pinyin_max": PINYIN_SUFFIX, "more": more, "more_location": more_location,
                                    **({"deep": deep} if deep else {})})
    return files


def _below(deep: dict[str, str], terms: list[str], names: dict[str, array[int]],
           texts: dict[str, array[int]]) -> dict[str, tuple[list[int], list[int]]]:
    """For each split start, every document of the terms longer than it that begin with it — a query that short
    reads that one entry (``start*``, in the start's shard) instead of every shard below. Name postings as
    ``doc * 128 + 1`` when a match there begins a word (else ``+ 0``), text postings as documents."""
    if not deep:
        return {}
    name_of: dict[str, dict[int, int]] = defaultdict(dict)  # route -> doc -> word-start bit
    text_of: dict[str, set[int]] = defaultdict(set)
    for term in terms:
        key = route(term, deep)
        if key[:-1] not in deep:  # only what a split start gathers: its own longer starts
            continue
        starts = name_of[key]
        for n in names.get(term, ()):
            starts[n // 128] = starts.get(n // 128, 0) | (n & 1)
        text_of[key].update(texts.get(term, ()))
    gathered: dict[str, dict[int, int]] = {}
    gathered_texts: dict[str, set[int]] = {}
    for start in sorted(deep, key=len, reverse=True):  # the longest first: a start gathers what is below it
        found: dict[int, int] = {}
        docs: set[int] = set()
        for nxt in deep[start]:
            child = start + nxt
            for source in (name_of.get(child), gathered.get(child)):
                for doc, bit in (source or {}).items():
                    found[doc] = found.get(doc, 0) | bit
            docs |= text_of.get(child, set())
            docs |= gathered_texts.get(child, set())
        gathered[start], gathered_texts[start] = found, docs
    return {start: (sorted(doc * 128 + bit for doc, bit in found.items()), sorted(gathered_texts[start]))
            for start, found in gathered.items()}


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_index(site_dir: Path, entries: list[Entry], docs: list[Entry], worker: bytes | None,
                **options: Any) -> dict[str, int]:
    """Write the sharded index of ``entries`` into search/kehu/, replace the entries of the search_index.json
    Material wrote by ``docs`` (the few small ones), and put kehu's worker where Material's pages load their
    worker from. ``options`` go to build_index. Returns sizes: the whole index and its largest shard."""
    search = site_dir / "search"
    path = search / "search_index.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    files = build_index(entries, **options)
    data["docs"] = [d.as_doc() for d in docs]
    target = search / INDEX_DIR
    fresh = new_dir(search, ".kehu-")
    for name, raw in files.items():
        (fresh / name).write_bytes(raw)
    replace_dir(fresh, target)
    raw = _json(data)
    atomic_write(path, raw, durable=False)  # the site is made again by the next build
    replaced = 0
    if worker is not None:
        for script in (site_dir / "assets" / "javascripts" / "workers").glob("search.*.js"):
            atomic_write(script, worker, durable=False)
            replaced += 1
        for stale in (site_dir / "assets" / "javascripts" / "workers").glob("search.*.js.map"):
            stale.unlink()
    shards = [len(v) for k, v in files.items() if k.startswith("t")]
    return {"search_index_bytes": len(raw) + sum(len(v) for v in files.values()),
            "search_shards": len(shards), "search_shard_max_bytes": max(shards, default=0),
            "search_worker": replaced}
