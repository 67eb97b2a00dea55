"""The MkDocs plugin ``kehu``: ``mkdocs build`` / ``mkdocs serve`` generate the pages themselves.

    plugins:
      - kehu                # pages from customers/, team.yaml and kehu.yaml
      - search

The pages never exist on disk: ``on_files`` adds them as generated files — all but the customers' pages,
which the workers write into the one customer page MkDocs builds, the shell, in ``on_post_build``
(``kehu.site.stream``; ``customer_pages: mkdocs`` has MkDocs build each of them, as ``kehu serve`` does).
Customer and team-member pages are kept out of the navigation (it is embedded
in every page; with thousands of customers it would make the site quadratic)
and out of Material's search; ``on_post_build`` writes kehu's sharded index of
one entry per customer instead, and kehu's search worker (``kehu.site.search``).
``mkdocs serve`` also watches the customer files, the team and configuration
files and the templates.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
import mkdocs
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from ..book.loader import forget_parsed
from ..repo.config import CONFIG_FILE, CUSTOMERS_DIR, TEAM_FILE, TODAY_ENV, pinned_today
from ..repo.repository import Repo, open_repo
from ..util.atomic import atomic_write
from .generate import GeneratedSite, generate, nav_pages
from .render import ASSETS, TEMPLATES_DIR, THEME_OVERRIDES, bundled_templates, page_url
from .search import Entry, SegmenterMissing, make_entry, segmenter, write_index
from .stream import PREVIOUS_SITE_ENV, PageManifest, Shell, drop_shell, keep_unchanged, shell_src

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer

# under the engine's own logger ('mkdocs' or, on ProperDocs, 'properdocs'), so that --strict counts kehu's warnings
log = logging.getLogger(f"{mkdocs.__name__}.plugins.kehu")
INTERNAL_ENV = "KEHU_INTERNAL"  # set by `kehu build --internal` / `kehu serve --internal`
LOCALE_ENV = "KEHU_LOCALE"  # the language of one build, whatever kehu.yaml says (as for the command line)
PAGES_CACHE_ENV = "KEHU_PAGES_CACHE"  # set by `kehu serve`: keep pages on disk so dirty reload skips unchanged ones


# (the ignores: mkdocs leaves __init_subclass__ unannotated)
class KehuConfig(base.Config):  # type: ignore[no-untyped-call]
    repo = c.Optional(c.Type(str))        # the team repository (default: the folder of mkdocs.yml)
    internal = c.Type(bool, default=False)  # show phone numbers and emails unmasked
    # customer pages written by kehu into MkDocs' page shell (kehu.site.stream), or built by MkDocs one by one
    customer_pages = c.Choice(("streamed", "mkdocs"), default="streamed")


class KehuPlugin(BasePlugin[KehuConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False
    # the date `kehu build --today` / `kehu --today serve` hands the plugin it runs (given_today); None: the
    # plugin runs under a plain `mkdocs build`, where KEHU_TODAY or the real date applies (pinned_today)
    given_today: dt.date | None = None

    def __init__(self) -> None:
        self.repo: Repo | None = None
        self.site: GeneratedSite | None = None
        self.stats: dict[str, float] = {}
        self._html: dict[str, str] = {}
        self.shell: Shell | None = None
        self._keep_after: tuple[Path, set[str]] | None = None  # the previous site, and the pages already kept

    def today(self) -> dt.date | None:
        """The plugin's edge for "today": the date the kehu command running it gave, else KEHU_TODAY (a team's
        CI running `mkdocs build`), else None (the real date, taken at each build: `mkdocs serve` runs for days)."""
        try:
            return type(self).given_today or pinned_today()
        except ValueError:
            raise PluginError(f"kehu: {TODAY_ENV}: '{os.environ.get(TODAY_ENV)}' is not a date; write YYYY-MM-DD") \
                from None

    @staticmethod
    def locale() -> str | None:
        """The plugin's edge for the language: KEHU_LOCALE, as the command line reads it (``kehu build`` runs the
        plugin in its own process), else None: the repository's own."""
        return os.environ.get(LOCALE_ENV) or None

    @property
    def internal(self) -> bool:
        return self.config.internal or os.environ.get(INTERNAL_ENV) == "1"

    @event_priority(100)  # before the search plugin reads the theme language
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(self.config.repo) if self.config.repo else Path(config.config_file_path or ".").parent
        repo = open_repo(root.resolve(), today=self.today(), locale=self.locale())
        if not repo.config_ok:
            first = next((p for p in repo.problems if p.file == CONFIG_FILE), None)
            where = f"{first.file}:{first.line}: {first.message}" if first else CONFIG_FILE
            raise PluginError(f"kehu: {where} — fix kehu.yaml (run `kehu check`) before building the site")
        try:
            segmenter(repo.config.site.search.segmenter)
        except SegmenterMissing as e:
            raise PluginError(f"kehu: {e}") from None
        self.repo = repo
        config.theme["language"] = "en" if repo.msgs.en else "zh"
        # kehu's few theme partials first: the repository link without Material's call to the forge's API
        config.theme.dirs.insert(0, str(bundled_templates() / THEME_OVERRIDES))
        # the team's title, else the locale's own (a Chinese title only on a Chinese site); printed unescaped
        title = repo.config.site.title or repo.msgs.word("site.title")
        config.site_name = html.escape(str(title))
        if config.nav is None:
            config.nav = nav_pages(repo.config, repo.team)
        for rel in ASSETS:
            bucket = config.extra_css if rel.endswith(".css") else config.extra_javascript
            if rel not in [str(x) for x in bucket]:
                bucket.append(rel)
        return config

    @event_priority(50)
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.repo is not None
        start = time.perf_counter()
        # read again: under `mkdocs serve` the files change
        repo = open_repo(self.repo.root, today=self.today(), locale=self.locale())
        cache = os.environ.get(PAGES_CACHE_ENV)
        # `kehu serve` rebuilds on every edit and keeps its pages on disk: MkDocs' own page loop serves it
        stream = self.config.customer_pages == "streamed" and not cache
        self.shell = None
        try:
            self.site = site = generate(repo, internal=self.internal, directory_urls=config.use_directory_urls,
                                        stream=stream)
        except SegmenterMissing as e:
            raise PluginError(f"kehu: {e}") from None
        except (jinja2.TemplateError, ValueError, OSError) as e:
            where = f"{e.filename}:{e.lineno}: " if isinstance(e, jinja2.TemplateSyntaxError) else ""
            raise PluginError(f"kehu: cannot render the site: {where}{e}") from None
        for src, text in site.pages.items():
            inclusion = InclusionLevel.NOT_IN_NAV if src in site.not_in_nav else InclusionLevel.UNDEFINED
            if cache:
                file = File.generated(config, src, abs_src_path=str(_keep(Path(cache) / src, text)),
                                      inclusion=inclusion)
            else:
                file = File.generated(config, src, content=text, inclusion=inclusion)
            self._replace(files, file)
        for src, data in site.files.items():
            if src in ASSETS and files.get_file_from_path(src) is not None:
                continue  # the docs folder has its own copy
            self._replace(files, File.generated(config, src, content=data))
        self.stats = {**site.timings, "generate": round(time.perf_counter() - start, 3),
                      "customer_count": site.counts.customers, "errors_count": site.counts.with_errors,
                      "unreadable_count": site.counts.unreadable}
        log.info(f"kehu: {site.counts.customers} customers, {len(site.pages)} pages generated in "
                 f"{self.stats['generate']} s "
                 f"({', '.join(f'{k} {v}' for k, v in site.timings.items())})"
                 + (" (INTERNAL build: contact details unmasked)" if self.internal else ""))
        return files

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A generated page is one raw HTML block that Markdown would pass through unchanged; hand it
        over directly instead of having Python-Markdown parse the HTML (half of a build's time)."""
        if self.site is not None and page.file.src_uri in self.site.pages:
            self._html[page.file.src_uri] = markdown
            return ""
        return markdown

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        return self._html.pop(page.file.src_uri, html)

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        if page.file.src_uri == shell_src() and self.site is not None and self.site.customer_pages is not None:
            self.shell = Shell.of(output)
        return output

    @staticmethod
    def _replace(files: Files, file: File) -> None:
        old = files.get_file_from_path(file.src_uri)
        if old is not None:
            files.remove(old)
        files.append(file)

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.site is None or self.repo is None:
            return
        self._keep_after = None
        customers = [item.entry for item in self.site.search if item.entry is not None]
        if self.site.customer_pages is not None:
            customers = self._write_customers(config)
            # the book is not needed for the index: a large one is most of the build's memory
            self.site.customer_pages = None
            forget_parsed()
        try:
            self._search_index(config, customers)
        finally:
            if self._keep_after is not None:  # every other file with the previous build's bytes: that file
                self.stats["site_files_kept"] = keep_unchanged(Path(config.site_dir), *self._keep_after)

    def _search_index(self, config: MkDocsConfig, customers: list[Entry]) -> None:
        assert self.site is not None and self.repo is not None
        path = Path(config.site_dir) / "search" / "search_index.json"
        if not path.is_file():
            return
        split = segmenter(self.repo.config.site.search.segmenter)
        start = time.perf_counter()
        small = [make_entry(quote(page_url(item.src, config.use_directory_urls)), item.title, item.parts, split)
                 for item in self.site.search if item.entry is None]
        sizes = write_index(Path(config.site_dir), customers, small, self.site.search_worker,
                            **self.site.search_options)
        self.stats.update(sizes, search_entries=len(customers) + len(small),
                          search_seconds=round(time.perf_counter() - start, 3))
        if not sizes["search_worker"]:
            log.warning("kehu: the theme's search worker (assets/javascripts/workers/search.*.js) was not found, "
                        "so the header search finds team members only; use the Material theme")

    def _write_customers(self, config: MkDocsConfig) -> list[Entry]:
        """The customers' pages into the shell MkDocs built (``kehu.site.stream``); their search entries."""
        assert self.site is not None and self.site.customer_pages is not None and self.repo is not None
        if self.shell is None:
            raise PluginError("kehu: the theme did not print the page's content or title; customer pages need "
                              "a theme that does (Material for MkDocs)")
        start = time.perf_counter()
        site = Path(config.site_dir)
        drop_shell(site, config.use_directory_urls)
        given = os.environ.get(PREVIOUS_SITE_ENV)
        previous = Path(given) if given else None
        usable = previous if previous is not None and previous.is_dir() and previous.resolve() != site.resolve() \
            else None
        manifest = PageManifest(self.repo.root, previous or site, self.shell)
        done = self.site.customer_pages.write(self.shell, site, usable, manifest)
        self.stats.update(customer_pages_seconds=round(time.perf_counter() - start, 3),
                          customer_pages_written=done.written)
        if usable is not None:
            self._keep_after = (usable, done.files)
        return done.entries

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Callable[..., Any]) -> LiveReloadServer:
        assert self.repo is not None
        root = self.repo.root
        for rel in (CUSTOMERS_DIR, TEAM_FILE, CONFIG_FILE, TEMPLATES_DIR, "schema"):
            if (root / rel).exists():
                server.watch(str(root / rel))
        return server


@contextmanager
def given_today(today: dt.date | None) -> Iterator[None]:
    """While kehu runs MkDocs in this process, the kehu plugin works on ``today`` (None: as without kehu)."""
    old = KehuPlugin.given_today
    KehuPlugin.given_today = today
    try:
        yield
    finally:
        KehuPlugin.given_today = old


def _keep(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` only when it differs, so the file's time says whether the page changed."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return path
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, durable=False)  # the site is made again by the next build
    return path
