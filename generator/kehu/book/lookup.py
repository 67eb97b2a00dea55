"""Finding one customer file from what a salesperson types: the id, part of the name,
its pinyin (``qiming``) or initials (``shqm``), or the file's path.

The tiers are tried in order and the first tier with any match decides: an exact
id beats a name, a name beats pinyin. More than one match in that tier is an
error that lists the candidates — never a guess.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..repo.files import customer_listing
from ..repo.model import Customer, customer_from
from ..repo.repository import Repo
from ..repo.yamlload import LoadedYaml, load_yaml_bytes
from ..util import cache
from ..util.errors import refuse
from ..words.pinyin import syllables  # THE pinyin of a name (the site's filter and sort use it too)

MAX_LISTED = 8  # candidates named in an "ambiguous" error



@dataclass(slots=True)
class Candidate:
    path: Path
    id: str
    name: str
    syllables: list[str] | None = None  # its pinyin, when the book index knows it


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def candidates(repo: Repo) -> list[Candidate]:
    """Every customer file with its name and pinyin, from the book index (kehu.book.index)."""
    from .index import book

    return [Candidate(Path(i.path), Path(i.file).stem, i.name, i.syllables) for i in book(repo).items]


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


def resolve(repo: Repo, query: str) -> Path:
    """The one customer file ``query`` names; raises CommandError when none or several match."""
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
    pool = candidates(repo)
    for tier in _tiers(text, pool):
        if len(tier) == 1:
            return tier[0].path
        if len(tier) > 1:
            listed = msgs.word("sep").join(f"{c.id} {c.name}" for c in tier[:MAX_LISTED])
            if len(tier) > MAX_LISTED:
                listed += msgs.word("duplicates_also", n=len(tier) - MAX_LISTED)
            raise refuse(msgs, "cli-ambiguous", query=query, count=len(tier), candidates=listed)
    raise refuse(msgs, "cli-no-customer", query=query)


# --- loading every customer, through a data cache -------------------------------------------
#
# Derived facts need every customer (the team's revenue decides the core class), and the strict
# loader costs milliseconds per file, so `kehu log` in a repository of thousands of customers
# would wait seconds for its "next follow-up" line. The data of each file is therefore cached
# in .kehu-cache/ under the hash of its bytes and of everything that decides how bytes become
# data (kehu's code and the schemas): a stale entry cannot be hit.

DATA_CACHE = "data-v1.json"


@dataclass(slots=True)
class Loaded:
    customers: list[Customer]
    invalid: list[str]  # files skipped because they do not load or fail the schema


@dataclass(slots=True)
class FileData:
    path: Path
    name: str                 # as users see it: customers/<id>.yaml
    data: dict | None         # None: the file does not load as a mapping
    valid: bool               # passes the schema


def _environment(repo: Repo) -> str:
    return cache.environment(repo.schemas.fingerprint, str(repo.config.check.max_file_bytes))


def _read(repo: Repo, name: str, raw: bytes) -> list[Any]:
    loaded = load_yaml_bytes(name, raw, repo.msgs, repo.config.check.max_file_bytes)
    if loaded.problems or not isinstance(loaded.data, dict):
        return [None, False]
    return [loaded.data, not repo.schemas.validate("customer", loaded, repo.msgs)]


def all_data(repo: Repo, use_cache: bool = True) -> list[FileData]:
    """The data of every customer file (loadable or not), read through the cache."""
    kept = cache.ContentCache(repo.root, DATA_CACHE, _environment(repo), section="files", enabled=use_cache)
    out: list[FileData] = []
    live: set[str] = set()
    for name, where in customer_listing(repo).items():
        path = Path(where)
        try:
            raw = path.read_bytes()
        except OSError:
            out.append(FileData(path, name, None, False))
            continue
        key = cache.content_key(name, raw)
        hit = kept.entries.get(key)
        if hit is None:
            hit = _read(repo, name, raw)
            kept.put(key, hit)
        live.add(key)
        out.append(FileData(path, name, hit[0], bool(hit[1])))
    kept.keep_only(live)
    kept.save()
    return out


def load_all(repo: Repo) -> Loaded:
    """Every customer that passes the schema, as typed records (for kehu.core.derive)."""
    out = Loaded([], [])
    for item in all_data(repo):
        if item.valid and item.data is not None:
            out.customers.append(customer_from(LoadedYaml(item.name, item.data)))
        else:
            out.invalid.append(item.path.name)
    return out
