"""Rendering the pages from the Jinja2 templates in ``site_templates/``.

Safe by construction: autoescaping is on for every template, values reach the
templates only as text, and every page body is one raw HTML block in the
Markdown file. Markdown does not look inside raw HTML, so a value can be
neither markup nor Markdown (``**x**``, ``[x](javascript:…)``), and an escaped
value can hold no front-matter marker, HTML comment or tag. Values are never
template source, so ``{{ 7*7 }}`` in a note stays text.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

TEMPLATES_DIR = "site_templates"
THEME_OVERRIDES = "theme"  # site_templates/theme: Material partials kehu replaces (see the files' comments)
STATIC_DIR = "static"  # site_templates/static: files copied into the site as they are (vendored CSS and JS)
ASSETS = ("assets/kehu/kehu.css", "assets/kehu/kehu.js", "assets/kehu/filters.js")
SEARCH_WORKER = "assets/kehu/search-worker.js"  # put in place of Material's search worker (kehu.site.search)


def bundled_templates() -> Path:
    """The templates kehu ships (package data; a link to the checkout's site_templates/ in a development
    install). A team repository may have its own site_templates/, tried first."""
    return Path(__file__).resolve().parents[1] / "data" / TEMPLATES_DIR


def template_dirs(root: Path) -> list[Path]:
    dirs = [root / TEMPLATES_DIR, bundled_templates()]
    unique: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def page_url(src: str, directory_urls: bool) -> str:
    """The URL MkDocs gives the page built from ``src`` (relative to the site root)."""
    if not src.endswith(".md"):
        return src
    stem = src[:-3]
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative_url(target: str, from_url: str) -> str:
    """``target`` (site-root relative) as a link from a page at ``from_url``."""
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    rel = posixpath.relpath("/" + target, "/" + base) if target else posixpath.relpath("/", "/" + base)
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == ".":
        rel = "./"
    return quote(rel, safe="/#.-_~:%?=&")


# --- filters: formatting only ------------------------------------------------------------------


def multiline(value: Any) -> Markup:
    """Escaped text whose line breaks become <br> (no raw newline may enter the page's HTML block)."""
    return Markup("<br>").join(escape(line) for line in str(value or "").split("\n"))


def money(value: Any) -> str:
    try:
        return f"{float(value):,.0f}"
    except (TypeError, ValueError):
        return ""


def plain(value: Any) -> str:
    """A figure as the JSON outputs write it (``data-value``: what a script or a test compares)."""
    return json.dumps(value)


def pct(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0%}"


def num1(value: Any) -> str:
    return "—" if value is None else f"{float(value):.1f}"


def yaml_str(value: Any) -> Markup:
    """A front-matter string. The theme prints ``page.meta.title`` without escaping, so it is HTML-escaped
    first; JSON quoting then makes it one YAML scalar whatever it contains."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    return Markup(json.dumps(str(escape(text)), ensure_ascii=True))


def json_script(value: Any) -> Markup:
    """JSON for a <script type="application/json"> element: nothing in it can close the element."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    raw = raw.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(raw)


# the icons kehu.css draws (class kehu-i-<name>); any other is inlined as SVG
CSS_ICONS = frozenset({"material/pencil", "material/star", "material/calendar-sync", "material/cake-variant"})


@functools.lru_cache(maxsize=64)
def icon(name: str) -> Markup:
    """An icon shipped with Material for MkDocs (``material/phone``): no icon font, no request. The ones kehu.css
    draws are a class name (a profile page would otherwise carry dozens of inline <svg>); any other is inlined.
    Icon names are fixed in the templates, never taken from the data."""
    if not re.fullmatch(r"[a-z0-9-]+/[a-z0-9-]+", name):
        return Markup("")
    if name in CSS_ICONS:
        return Markup(f'<span class="kehu-icon kehu-i-{name.split("/")[1]}" aria-hidden="true"></span>')
    try:
        import material

        svg = (Path(material.__file__).parent / "templates" / ".icons" / f"{name}.svg").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return Markup("")
    svg = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "").strip()
    return Markup(svg.replace("<svg ", '<svg class="kehu-icon" aria-hidden="true" ', 1))


def compact(body: str) -> str:
    """Drop blank lines and indentation inside the page body, so it stays one raw HTML block."""
    return "\n".join(line.strip() for line in body.split("\n") if line.strip()) + "\n"


class Renderer:
    def __init__(self, root: Path, directory_urls: bool = True) -> None:
        self.dirs = template_dirs(root)
        if not self.dirs:
            raise FileNotFoundError(f"no {TEMPLATES_DIR}/ folder in {root} or among the templates kehu ships; "
                                    "reinstall kehu")
        self.directory_urls = directory_urls
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(multiline=multiline, money=money, pct=pct, plain=plain, num1=num1,
                                yaml_str=yaml_str, json_script=json_script)
        self.env.globals["icon"] = icon

    def static_file(self, rel: str) -> Path | None:
        for d in self.dirs:
            p = d / STATIC_DIR / rel
            if p.is_file():
                return p
        return None

    def linker(self, src: str) -> Callable[[str], str]:
        here = page_url(src, self.directory_urls)

        def link(target_src: str) -> str:
            return relative_url(page_url(target_src, self.directory_urls), here)

        return link

    def render(self, template: str, src: str, title: str, search: bool = False, **context: Any) -> str:
        """One page: front matter written here (data, not template text) and the compacted HTML body."""
        body = self.env.get_template(template).render(link=self.linker(src), page_src=src, title=title, **context)
        body = compact(body)
        if not (body.startswith("<div") and body.rstrip().endswith("</div>")):
            raise ValueError(f"{template}: the page body must be one <div> element (raw HTML, so Markdown "
                             "never interprets a value)")
        front = [f"title: {yaml_str(title)}", "hide:", "  - toc"]
        if not search:
            front += ["search:", "  exclude: true"]
        return "---\n" + "\n".join(front) + "\n---\n\n" + body
