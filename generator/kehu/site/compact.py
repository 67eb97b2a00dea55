"""Compact customer pages: a large book's quieter profiles as data the browser renders (issue 25).

A customer's page is about 25 KB, half of it the theme's shell. GitHub Pages and GitLab Pages publish at most
1 GB, reached near 40,000 customers. A book larger than ``site.full_pages`` therefore keeps a full page for
that many customers only: the ones contacted most recently, the ones the team works on. Every other profile
is the same body HTML, kept with about 63 others in one gzip-compressed data file (``customers/compact/<n>.js``,
about 1 KB a customer). One MkDocs page, the *viewer* (``customers/compact/``), loads the file of the customer
named after its ``#``, reads the body with its own small tokenizer (kehu's templates write every tag the same
way and escape every value) and builds the profile with ``createElement`` and ``createTextNode`` (``compact.js``):
the browser never parses the data as HTML, an element that could run anything is never made, the data file is a
``<script>`` so it also opens from disk, and nothing is fetched from another host.

Every customer keeps its address: ``customers/<id>/`` of a compact customer is a few hundred bytes that send
the browser on to the viewer, so the customer list, search, reports and bookmarks need no other link.

Which file holds a customer is a hash of its id (FNV-1a, as the viewer computes it) modulo a power of two, so
a customer stays in its file while the book grows, and one change rewrites one file.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from ..core.derive import Facts
from ..repo.model import Customer
from .render import page_url, relative_url

VIEWER_SRC = "customers/compact.md"   # customer ids have no lowercase words: no customer is called this
CHUNK_FOLDER = "customers/compact"
SCRIPT = "assets/kehu/compact.js"    # the viewer's script, on the viewer page only
PER_FILE = 64                          # customers a data file holds at most on average (32–64; 50–65 KB)
MAX_FILES = 1 << 16


def full_page_ids(customers: Sequence[Customer], facts: dict[str, Facts], limit: int) -> set[str]:
    """The customers that keep a full page: all of them in a book of at most ``limit``; else the ``limit``
    contacted most recently (never contacted last; then the newer id first)."""
    if len(customers) <= limit:
        return {c.id for c in customers}
    ranked = sorted(customers, key=lambda c: (_last(facts.get(c.id)), c.id), reverse=True)
    return {c.id for c in ranked[:limit]}


def _last(f: Facts | None) -> str:
    return f.last_contact.isoformat() if f is not None and f.last_contact is not None else ""


def file_count(compact: int) -> int:
    """How many data files hold ``compact`` customers: a power of two, about PER_FILE customers each."""
    n = 1
    while n * PER_FILE < compact and n < MAX_FILES:
        n *= 2
    return n


def file_of(cid: str, files: int) -> int:
    """The data file that holds customer ``cid``: FNV-1a (32 bits) of its UTF-8 bytes, modulo ``files`` (the
    viewer computes the same in compact.js)."""
    h = 0x811C9DC5
    for b in cid.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h % files


def chunk_src(n: int) -> str:
    return f"{CHUNK_FOLDER}/{n}.js"


@dataclass(frozen=True)
class Plan:
    """Which customers are compact and where each is kept."""

    files: int
    members: dict[int, list[int]]   # data file -> indices (into the book's customers) of the customers it holds
    directory_urls: bool

    @classmethod
    def of(cls, customers: Sequence[Customer], full: set[str], directory_urls: bool) -> Plan | None:
        compact = [i for i, c in enumerate(customers) if c.id not in full]
        if not compact:
            return None
        files = file_count(len(compact))
        members: dict[int, list[int]] = {}
        for i in compact:
            members.setdefault(file_of(customers[i].id, files), []).append(i)
        return cls(files, members, directory_urls)

    def viewer_link(self, cid: str) -> str:
        """The viewer's address for ``cid``, relative to the customer's own page. The folder's index.html is
        named, so that the link also works from disk."""
        target = page_url(VIEWER_SRC, self.directory_urls)
        if target.endswith("/"):
            target += "index.html"
        return relative_url(target, page_url(f"customers/{cid}.md", self.directory_urls)) + "#" + quote(cid)

    def chunk_base(self) -> str:
        """The data files' folder relative to the viewer page."""
        return relative_url(CHUNK_FOLDER + "/", page_url(VIEWER_SRC, self.directory_urls))


def chunk_script(n: int, profiles: dict[str, tuple[str, str]]) -> bytes:
    """A data file: ``kehuCompact(n, "<base64 of gzip of JSON {id: [title, body]}>")``: the title as text, the
    body as kehu's HTML (every value escaped), which the viewer reads with its own small tokenizer into elements
    and text. Base64 keeps the file plain ASCII whatever the data holds; gzip (mtime 0, so the same data gives
    the same bytes) makes it about a twelfth of the pages."""
    data = json.dumps(profiles, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    packed = base64.b64encode(gzip.compress(data, compresslevel=6, mtime=0)).decode("ascii")
    return f'kehuCompact({n},"{packed}");\n'.encode("ascii")


def stub_page(title_html: str, link: str, lang: str) -> bytes:
    """A compact customer's own address: a page that sends the browser on to the viewer (and names the customer
    and links there for a browser that does not follow). ``title_html`` is already HTML-escaped."""
    to = html.escape(link, quote=True)
    return ('<!doctype html>\n<html lang="' + html.escape(lang, quote=True) + '">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="robots" content="noindex">\n<meta http-equiv="refresh" content="0; url=' + to + '">\n'
            "<title>" + title_html + "</title>\n</head>\n<body>\n<p><a href=\"" + to + "\">" + title_html
            + "</a></p>\n</body>\n</html>\n").encode("utf-8")
