"""Customer pages streamed to disk, outside MkDocs' page loop (a large team's book: issue 25).

MkDocs keeps every page it builds in memory until the end of the build and renders the theme once a page,
about 110 KB of memory and 5 ms a customer: 10 GiB and eight minutes at 100,000 customers. Every customer
page sits at the same depth (``customers/<id>/``) and is left out of the navigation, so its theme "shell" —
head, header, navigation, footer — is the same for all of them but for the title. MkDocs therefore builds
one page only, the *shell* (``customers/<SHELL_ID>.md``, its title and content marks), and the workers that
render the customers put each body into it and write the page straight to disk: nothing is held, and the page
is the one MkDocs would have written, byte for byte (``tests/site/test_site_stream.py``).

A build that has the previous site beside it (``kehu build`` replacing its output) links the pages whose
inputs did not change from there instead of rendering them again; :class:`PageManifest` (in ``.kehu-cache/``)
says which inputs made each page and the size and time of the file that holds it, so a page touched since is
rendered again.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..util.atomic import atomic_write
from ..util.cache import ContentCache, environment
from .render import page_url
from .search import Entry

SHELL_ID = "kehu-shell-5f3a9c"          # a customer id no id template makes (ids have no lowercase words)
TITLE_MARK = "kehuShellTitle5f3a9c"
BODY_START = "kehuShellBodyStart5f3a9c"
BODY_END = "kehuShellBodyEnd5f3a9c"
PREVIOUS_SITE_ENV = "KEHU_PREVIOUS_SITE"  # set by `kehu build`: the site it replaces, whose pages may be kept
MANIFEST = "site-pages-v3.json"


def shell_src() -> str:
    return f"customers/{SHELL_ID}.md"


def shell_markdown() -> str:
    """The shell page as the kehu plugin hands it to MkDocs: the title and the content are marks. The content
    has an ``<h1>``, as every customer page has (Material adds a heading to a page without one)."""
    front = ["title: " + TITLE_MARK, "hide:", "  - toc", "search:", "  exclude: true"]
    return "---\n" + "\n".join(front) + "\n---\n\n" + f"{BODY_START}<h1>{BODY_END}"


def dest_of(src: str, directory_urls: bool) -> str:
    """The file MkDocs writes for the page ``src`` (relative to the site folder)."""
    url = page_url(src, directory_urls)
    return url + "index.html" if url.endswith("/") or not url else url


@dataclass(frozen=True)
class Shell:
    """What MkDocs wrote for the shell page, cut around its content."""

    head: str
    tail: str

    @classmethod
    def of(cls, output: str) -> Shell | None:
        start, end = output.find(BODY_START), output.find(BODY_END)
        if start < 0 or end < start:
            return None
        return cls(output[:start], output[end + len(BODY_END):])

    def page(self, cid: str, title: str, content: str) -> bytes:
        """A customer's page: ``title`` and ``content`` as MkDocs reads them from the page kehu renders (its
        front matter's title, already HTML-escaped, which Material prints as it is; the rest of the page, which
        the kehu plugin hands MkDocs as the page's HTML)."""
        name, path = title, quote(cid)
        text = (self.head.replace(TITLE_MARK, name).replace(SHELL_ID, path) + content
                + self.tail.replace(TITLE_MARK, name).replace(SHELL_ID, path))
        return text.encode("utf-8", errors="xmlcharrefreplace")  # as MkDocs writes a page


class PageManifest:
    """The pages of the last streamed build of one site folder: src -> [inputs' key, size, mtime_ns, search
    entry (location, title, teaser, packed name terms, packed text terms)]. Kept in ``.kehu-cache/`` (one file,
    signed as every cache is), valid for one shell and one site folder."""

    def __init__(self, root: Path, site: Path, shell: Shell, enabled: bool = True) -> None:
        env = environment(str(site.resolve()), shell.head, shell.tail)
        self.cache = ContentCache(root, MANIFEST, env, section="pages", enabled=enabled)
        self.kept: dict[str, list[Any]] = {}

    def _known(self, src: str, key: str, previous: Path) -> list[Any] | None:
        """The record of ``src`` when ``previous`` holds the file made from the inputs ``key``, untouched since
        (its size and time as recorded)."""
        known = self.cache.entries.get(src)
        if not isinstance(known, list) or len(known) != 4 or known[0] != key:
            return None
        try:
            st = previous.stat()
        except OSError:
            return None
        if st.st_size != known[1] or st.st_mtime_ns != known[2]:
            return None
        return known

    def unchanged(self, src: str, key: str, previous: Path) -> bool:
        """``previous`` holds the file (not a page: a compact data file) made from the inputs ``key``."""
        return self._known(src, key, previous) is not None

    def reusable(self, src: str, key: str, previous: Path) -> Entry | None:
        """The search entry of ``src`` when ``previous`` holds the page made from the inputs ``key``,
        untouched since."""
        known = self._known(src, key, previous)
        if known is None:
            return None
        try:
            location, title, teaser, names, texts = known[3]
        except (TypeError, ValueError):
            return None
        fields = (location, title, teaser, names, texts)
        return Entry(*fields) if all(isinstance(f, str) for f in fields) else None

    def record(self, src: str, key: str, path: Path, entry: Entry) -> None:
        st = path.stat()
        # the entry's own strings, not a copy (a large book's entries are a good part of the build's memory)
        self.kept[src] = [key, st.st_size, st.st_mtime_ns,
                          (entry.location, entry.title, entry.teaser, entry.names, entry.texts)]

    def record_file(self, src: str, key: str, path: Path) -> None:
        st = path.stat()
        self.kept[src] = [key, st.st_size, st.st_mtime_ns, None]

    def save(self) -> None:
        self.cache.replace(self.kept)
        self.cache.save()


def keep_from(previous: Path, path: Path) -> bool:
    """Put the previous build's file in place (a hard link: same bytes, same time); False when it cannot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.link(previous, path)
        return True
    except OSError:
        return False


def write_page(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, durable=False)  # the site is made again by the next build


def keep_unchanged(site: Path, previous: Path, skip: Iterable[str] = ()) -> int:
    """Every file of ``site`` whose bytes equal the previous build's is replaced by that file (a hard link), so
    a file's time says whether it changed; ``skip``: files (relative, as ``dest_of`` names them) already
    decided. Returns how many were kept."""
    skipped = set(skip)
    kept = 0
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder) / name
            rel = path.relative_to(site).as_posix()
            old = previous / rel
            try:
                if rel in skipped:
                    continue
                was, now = old.stat(), path.stat()
                if (was.st_dev, was.st_ino) == (now.st_dev, now.st_ino):  # kept already (rename would do nothing)
                    kept += 1
                    continue
                if was.st_size != now.st_size or old.read_bytes() != path.read_bytes():
                    continue
                tmp = path.with_name(f".{name}.keep")
                os.link(old, tmp)
                os.replace(tmp, path)
                kept += 1
            except OSError:
                continue
    return kept


def drop_shell(site: Path, directory_urls: bool) -> None:
    """The shell page out of the built site: its file and its line in the sitemap."""
    dest = site / dest_of(shell_src(), directory_urls)
    dest.unlink(missing_ok=True)
    if directory_urls:
        with contextlib.suppress(OSError):
            dest.parent.rmdir()
    sitemap = site / "sitemap.xml"
    try:
        text = sitemap.read_text(encoding="utf-8")
    except OSError:
        return
    kept = re.sub(r"\s*<url>(?:(?!</url>).)*" + re.escape(SHELL_ID) + r"(?:(?!</url>).)*</url>", "", text,
                  flags=re.S)
    if kept != text:
        import gzip

        sitemap.write_text(kept, encoding="utf-8")
        gz = site / "sitemap.xml.gz"
        if gz.exists():
            gz.write_bytes(gzip.compress(kept.encode("utf-8"), mtime=0))
