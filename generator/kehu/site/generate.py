"""Generating the site's pages: load, derive once, assemble, render.

The MkDocs plugin, ``kehu build`` and ``kehu build --pages-only`` all call
``generate``; it returns the pages as Markdown text, the other files (feeds,
vendored assets) as bytes, and the entries of the search index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..book.loader import Counts, open_book
from ..book.versions import stage_moves
from ..core import derive
from ..core.figures import events, report, report_members
from ..core.present import BUCKETS, Presenter
from ..git.forms import FormLinks
from ..repo.config import Config
from ..repo.model import Customer, Team
from ..repo.repository import Repo
from ..util import cache as kept
from ..util.workers import THRESHOLD, cores, map_in_workers
from ..words import pinyin
from ..words.catalogue import Locale
from ..words.pinyin import pinyin_keys
from . import compact
from .data import Assembler, CustomerView, Privacy, calendar_src, customer_src, member_src
from .history import Change, file_histories
from .ics import owner_calendar
from .manager import FILTERS_SRC, filter_data, handover_page, period_block, report_page, report_period, window_start
from .render import ASSETS, SEARCH_WORKER, Renderer, page_url
from .search import PHONE_DIGITS, Entry, Splitter, make_entry, segmenter
from .stream import PageManifest, Shell, dest_of, keep_from, shell_markdown, shell_src, write_page

# the report pages, in navigation order; customer and team-member pages stay out of the navigation
NAV = ["index.md", "customers.md", "due.md", "funnel.md", "forecast.md", "report.md", "satisfaction.md",
       "team/index.md", "review.md",
       "problems.md"]
CALENDARS_CACHE = "calendars-v1.json"
POOL_PAGE = "pool.md"  # only when kehu.yaml turns the customer pool on
HANDOVER_PAGE = "handover.md"  # in the navigation while team.yaml has a member who left


def nav_pages(config: Config, team: Team | None = None) -> list[str]:
    """The report pages in navigation order; the pool page only for a team that uses the pool, the handover page
    while a member has left (``active: false``)."""
    pages = list(NAV)
    if derive.pool_enabled(config):
        pages.insert(pages.index("forecast.md") + 1, POOL_PAGE)
    if team is not None and any(not m.active for m in team.members):
        pages.insert(pages.index("team/index.md") + 1, HANDOVER_PAGE)
    return pages


@dataclass
class SearchItem:
    src: str
    title: str
    parts: list[str]                # what else it is found by
    entry: Entry | None = None      # a customer's (made in the workers that render the pages): in the shards


@dataclass
class GeneratedSite:
    pages: dict[str, str] = field(default_factory=dict)     # src (docs-relative .md) -> Markdown
    files: dict[str, bytes] = field(default_factory=dict)   # src -> bytes (calendars, vendored assets)
    not_in_nav: set[str] = field(default_factory=set)
    search: list[SearchItem] = field(default_factory=list)
    search_options: dict[str, object] = field(default_factory=dict)  # for search.build_index
    search_worker: bytes | None = None
    timings: dict[str, float] = field(default_factory=dict)
    counts: Counts = field(default_factory=lambda: Counts(0, 0, 0))  # customers, with errors, files that are none
    customer_pages: CustomerPages | None = None  # streamed: the customers' pages, written after MkDocs' own


class _Clock:
    def __init__(self, into: dict[str, float]) -> None:
        self.into = into
        self.t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.into[name] = round(now - self.t, 3)
        self.t = now


def site_context(repo: Repo, labels: Presenter, today: dt.date, internal: bool) -> dict[str, Any]:
    cfg = repo.config
    return {"title": (cfg.site.title or labels.t("site.title")), "built": today.isoformat(),
            "internal": internal, "timezone": str(cfg.tz), "soon_days": cfg.due_soon_days,
            "locale": cfg.locale, "lang": "en" if labels.en else "zh",
            "recent_summaries": cfg.site.search.recent_summaries,
            "buckets": [(b, labels.bucket(b)) for b in BUCKETS]}


def generate(repo: Repo, internal: bool = False, directory_urls: bool = True, jobs: int | None = None,
             search_pages: bool = False, stream: bool = False) -> GeneratedSite:
    """Every page of the site for the repository as it is on disk now.

    ``search_pages``: let the builder index customer and member pages itself (``--pages-only``, for a
    builder without this plugin); otherwise they are excluded and the plugin adds compact entries.
    ``stream``: the customers' pages are not among ``pages`` but the shell page is (``kehu.site.stream``), and
    ``customer_pages`` writes them once MkDocs has built the shell."""
    out = GeneratedSite()
    clock = _Clock(out.timings)
    cfg = repo.config
    today = cfg.today
    split = segmenter(cfg.site.search.segmenter)  # missing: fails now
    split(
        Locale("zh-CN").word("change.new_customer.bare")
    )  # any Chinese text: a segmenter loads its dictionary on first use: here, once, not in every worker
    jobs = jobs or cores()
    book = open_book(repo, jobs=jobs)
    customers = book.customers
    skipped = [(e.file, e.name) for e in book.unreadable]
    out.counts = book.counts
    clock.lap("load")
    pinyin.prepare([c.name for c in customers] + ([m.name for m in repo.team.members] if repo.team else []), jobs,
                   repo.root)
    clock.lap("pinyin")
    facts = book.facts
    clock.lap("derive")
    histories = file_histories(repo.root, repo.team)
    clock.lap("history")
    labels = Presenter.of(repo)
    privacy = Privacy.of(cfg, internal).knowing(customers)  # their contact details masked wherever repeated
    asm = Assembler(customers, facts, cfg, repo.team, labels, privacy, today,
                    {e.id: e.problems for e in book.entries if e.customer is not None and e.problems})
    asm.forms = FormLinks.of(repo)
    r = Renderer(repo.root, directory_urls)
    out.search_options = {"phone_tail": PHONE_DIGITS if privacy.phones else 0,
                          "more": labels.t("search_more"), "more_location": page_url("customers.md", directory_urls)}
    worker = r.static_file(SEARCH_WORKER)
    out.search_worker = worker.read_bytes() if worker is not None else None
    common: dict[str, Any] = {"L": labels, "site": site_context(repo, labels, today, internal)}

    def page(src: str, template: str, title: str, nav: bool = True, **ctx: object) -> None:
        out.pages[src] = r.render(template, src, title, search=search_pages and not nav, **common, **ctx)
        if not nav:
            out.not_in_nav.add(src)

    spelled: dict[str, tuple[str, str]] = {}
    env = environment(repo, r, today, internal, directory_urls, search_pages, labels.locale,
                      asm.forms.base if asm.forms else "", privacy.known.fingerprint())
    if stream:
        r.env.get_template("customer.md.j2")  # compiled once, before the workers fork
        task = (asm, r, histories, common, customers, search_pages, split)
        plan = compact.Plan.of(customers, compact.full_page_ids(customers, facts, cfg.site.full_pages),
                               directory_urls)
        out.customer_pages = CustomerPages(task, [_page_key(c, asm, histories, env) for c in customers], jobs, plan)
        out.pages[shell_src()] = shell_markdown()
        out.not_in_nav.add(shell_src())
        if plan is not None:
            page(compact.VIEWER_SRC, "compact.md.j2", labels.t("page.compact"), nav=False, files=plan.files,
                 base=plan.chunk_base(), script=compact.SCRIPT)
            viewer = r.static_file(compact.SCRIPT)
            if viewer is not None:
                out.files[compact.SCRIPT] = viewer.read_bytes()
    else:
        for src, text, title, entry, keys in _render_customers(asm, r, histories, common, customers, jobs,
                                                               search_pages, env, split):
            spelled[src] = keys
            out.pages[src] = text
            out.not_in_nav.add(src)
            out.search.append(SearchItem(src, title, [], entry))
    clock.lap("customers")
    due = asm.due_page()
    funnel = asm.funnel_page()
    sat = asm.satisfaction_page()
    team = asm.team_pages(due)
    moves = stage_moves(repo, window_start(cfg, today), today)  # git history: who moved which stage when
    every = events(customers, moves or [])
    pb = period_block(customers, every, cfg, today, labels)
    common["filters"] = {"src": FILTERS_SRC}
    page("index.md", "dashboard.md.j2", labels.t("page.dashboard"), d=asm.dashboard(due, funnel, sat), pb=pb)
    page("customers.md", "customers.md.j2", labels.t("page.customers"), data=asm.index_rows(spelled),
         skipped=skipped)
    page("due.md", "due.md.j2", labels.t("page.due"), due=due)
    page("funnel.md", "funnel.md.j2", labels.t("page.funnel"), f=funnel)
    page("forecast.md", "forecast.md.j2", labels.t("page.forecast"), f=asm.forecast_page(), pb=pb)
    names = {c.id: c.name for c in customers}
    week = report_period(today)
    members = report_members(customers, [m.handle for m in repo.team.members] if repo.team else [], repo.inactive,
                             every, week)
    page("report.md", "report.md.j2", labels.t("page.report"),
         r=report_page(report(customers, facts, cfg, today, week, members, moves), labels, names))
    page(HANDOVER_PAGE, "handover.md.j2", labels.t("page.handover"), nav=HANDOVER_PAGE in nav_pages(cfg, repo.team),
         h=handover_page(customers, facts, repo.team, labels, asm.problems))
    out.files[FILTERS_SRC] = json.dumps(filter_data(customers, facts, cfg, today, every, labels, repo.team),
                                        ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if derive.pool_enabled(cfg):
        page(POOL_PAGE, "pool.md.j2", labels.t("page.pool"), p=asm.pool_page())
    page("satisfaction.md", "satisfaction.md.j2", labels.t("page.satisfaction"), s=sat)
    page("team/index.md", "team.md.j2", labels.t("page.team"), team=team,
         window=cfg.site.discipline_days)
    for m in team:
        page(member_src(m["handle"]), "member.md.j2", m["name"], nav=False, m=m)
        out.search.append(SearchItem(m["src"], m["name"], [m["handle"], m["role"]]))
    calendars = _calendars(team, today, common["site"]["title"], labels, jobs, repo.root)
    out.files.update((calendar_src(m["handle"]), ics) for m, ics in zip(team, calendars, strict=True))
    from ..git.monthly import recent_reviews  # git history: only the review page needs it

    page("review.md", "review.md.j2", labels.t("page.review"),
         rv=asm.review_page(recent_reviews(repo, customers)))
    page("problems.md", "problems.md.j2", labels.t("page.problems"),
         p=asm.problems_page(book.check().problems, skipped))
    for rel in ASSETS:
        path = r.static_file(rel)
        if path is not None:
            out.files[rel] = path.read_bytes()
    clock.lap("reports")
    return out


# --- calendars: icalendar takes about 0.25 ms an event, so a large team's feeds are made in parallel ------

def _calendar(task: tuple[list[dict[str, Any]], dt.date, str, Presenter], i: int) -> bytes:
    team, today, title, labels = task
    m = team[i]
    return owner_calendar(m["handle"], m["name"], m["due"]["items"], today, title, labels)


def _calendars(team: list[dict[str, Any]], today: dt.date, title: str, labels: Presenter, jobs: int,
               root: Path) -> list[bytes]:
    """Every member's feed; one whose items did not change since the last build is taken from
    ``.kehu-cache/calendars-v1.json`` (a merge changes one owner's feed, and a large team's feeds cost minutes)."""
    cache = kept.ContentCache(root, CALENDARS_CACHE, kept.environment(labels.locale))
    keys = [_calendar_key(m, today, title) for m in team]
    made: dict[int, bytes] = {}
    for i, key in enumerate(keys):
        feed = cache.entries.get(key)
        if isinstance(feed, str):
            made[i] = feed.encode("utf-8")
    todo = [i for i in range(len(team)) if i not in made]
    events = sum(len(team[i]["due"]["items"]) for i in todo)
    if events < THRESHOLD * 16:  # a pool pays for many events, not for many members
        made.update((i, _calendar((team, today, title, labels), i)) for i in todo)
    else:  # the largest feeds first and one a task, so that no worker is left with a long one at the end
        order = sorted(todo, key=lambda i: -len(team[i]["due"]["items"]))
        made.update(zip(order, map_in_workers(_calendar, order, (team, today, title, labels), jobs=jobs, threshold=2,
                                              span=1), strict=True))
    feeds = [made[i] for i in range(len(team))]
    if todo or len(cache.entries) != len(set(keys)):
        cache.replace({key: feed.decode("utf-8") for key, feed in zip(keys, feeds, strict=True)})
        cache.save()
    return feeds


def _calendar_key(member: dict[str, Any], today: dt.date, title: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(json.dumps([member["handle"], member["name"], member["due"]["items"], today.isoformat(), title],
                        sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()


# --- customer pages, rendered in parallel on a large repository -------------------------------------

Rendered = tuple[str, str, str, Entry, tuple[str, str]]  # src, page, title, search entry, pinyin keys of the name
_RenderTask = tuple[Assembler, Renderer, dict[str, list[Change]], dict[str, Any], list[Customer], bool, Splitter]


def _render_one(task: _RenderTask, i: int) -> Rendered:
    asm, r, histories, common, customers, search_pages, split = task
    c: Customer = customers[i]
    view: CustomerView = asm.customer(c, histories.get(c.file, []))
    text = r.render("customer.md.j2", view.src, view.name, search=search_pages, c=view, **common)
    # the search entry (word splitting) and pinyin cost about as much as the page: in the workers too
    entry = make_entry(quote(page_url(view.src, r.directory_urls)), view.name, view.search_text, split,
                       view.search_phones, key=c.id)
    return view.src, text, view.name, entry, pinyin_keys(c.name)


# page src -> (everything the page depends on, hashed; what rendering it gave). Under `kehu serve` an edit
# re-renders only the customers whose data, derived facts or history changed.
_RENDERED: dict[str, tuple[str, Rendered]] = {}


def _page_key(c: Customer, asm: Assembler, histories: dict[str, list[Change]], env: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(env.encode())
    h.update(json.dumps(c.raw, sort_keys=True, ensure_ascii=False, default=str).encode())
    h.update(repr(asm.facts[c.id]).encode())
    h.update(repr(asm.problems.get(c.id, ())).encode())
    h.update(repr(histories.get(c.file, [])).encode())
    return h.hexdigest()


def environment(repo: Repo, r: Renderer, *parts: object) -> str:
    """What every customer page depends on besides its own data: rules, team, schema, templates, options."""
    h = hashlib.blake2b(digest_size=16)
    for part in (repo.config_text, repo.team_text, repo.schemas.fingerprint, *map(repr, parts)):
        h.update(str(part).encode())
    for d in r.dirs:
        for path in sorted(d.rglob("*.j2")):
            h.update(path.read_bytes())
    return h.hexdigest()


def _render_customers(asm: Assembler, r: Renderer, histories: dict[str, list[Change]], common: dict[str, Any],
                      customers: list[Customer], jobs: int, search_pages: bool, env: str,
                      split: Splitter) -> list[Rendered]:
    keys = [_page_key(c, asm, histories, env) for c in customers]
    todo = [i for i, c in enumerate(customers) if _RENDERED.get(customer_src(c.id), ("",))[0] != keys[i]]
    r.env.get_template("customer.md.j2")  # compiled once, before the workers fork
    fresh = map_in_workers(_render_one, todo, (asm, r, histories, common, customers, search_pages, split),
                           jobs=jobs)
    for i, result in zip(todo, fresh, strict=True):
        _RENDERED[result[0]] = (keys[i], result)
    live = {customer_src(c.id) for c in customers}
    for src in set(_RENDERED) - live:
        del _RENDERED[src]
    return [_RENDERED[customer_src(c.id)][1] for c in customers]


# --- customer pages streamed to disk (kehu.site.stream) ----------------------------------------------------

_WriteTask = tuple[_RenderTask, Shell, Path]  # render task, shell, site folder


@dataclass
class CustomerPages:
    """The customers' pages of a streamed build: what renders them, the key of each page's inputs, and which
    customers are compact (``kehu.site.compact``; None: none is)."""

    task: _RenderTask
    keys: list[str]
    jobs: int
    plan: compact.Plan | None = None

    def write(self, shell: Shell, site: Path, previous: Path | None, manifest: PageManifest) -> StreamedPages:
        """Every customer's page in ``site``: kept from ``previous`` when its inputs did not change (the
        manifest says so), else rendered in the workers and written there. A compact customer's data file is
        kept only when every customer it holds is."""
        customers = self.task[4]
        directory_urls = self.task[1].directory_urls
        plan = self.plan
        entries: list[Entry | None] = [None] * len(customers)
        files: set[str] = set()

        def kept(i: int, key: str) -> Entry | None:
            src = customer_src(customers[i].id)
            dest = dest_of(src, directory_urls)
            old = previous / dest if previous is not None else None
            return manifest.reusable(src, key, old) if old is not None else None

        in_chunk = {i for members in plan.members.values() for i in members} if plan is not None else set()
        todo: list[int] = []
        for i, c in enumerate(customers):
            if i in in_chunk:
                continue
            src = customer_src(c.id)
            dest = dest_of(src, directory_urls)
            files.add(dest)
            entry = kept(i, self.keys[i])
            if entry is not None and previous is not None and keep_from(previous / dest, site / dest):
                entries[i] = entry
                manifest.record(src, self.keys[i], site / dest, entry)
            else:
                todo.append(i)
        chunks: list[int] = []
        linked: set[int] = set()  # compact customers whose own page is kept, in a data file made again
        if plan is not None:
            for n, members in sorted(plan.members.items()):
                src = compact.chunk_src(n)
                files.add(src)  # (a compact customer's own page is left to keep_unchanged: its bytes say)
                key = self._chunk_key(n, members)
                found = [kept(i, self._stub_key(i)) for i in members]
                if previous is not None and all(e is not None for e in found) \
                        and manifest.unchanged(src, key, previous / src) \
                        and all(keep_from(previous / d, site / d) for d in
                                [src, *(dest_of(customer_src(customers[i].id), directory_urls) for i in members)]):
                    manifest.record_file(src, key, site / src)
                    for i, entry in zip(members, found, strict=True):
                        assert entry is not None
                        entries[i] = entry
                        manifest.record(customer_src(customers[i].id), self._stub_key(i),
                                        site / dest_of(customer_src(customers[i].id), directory_urls), entry)
                else:
                    chunks.append(n)
                    for i, entry in zip(members, found, strict=True):  # an unchanged customer keeps its page
                        dest = dest_of(customer_src(customers[i].id), directory_urls)
                        if entry is not None and previous is not None and keep_from(previous / dest, site / dest):
                            linked.add(i)
        fresh = map_in_workers(_write_one, todo, (self.task, shell, site), jobs=self.jobs)
        for i, entry in zip(todo, fresh, strict=True):
            src = customer_src(customers[i].id)
            entries[i] = entry
            manifest.record(src, self.keys[i], site / dest_of(src, directory_urls), entry)
        if plan is not None and chunks:
            made = map_in_workers(_write_chunk, chunks, (self.task, plan, site, linked), jobs=self.jobs,
                                  threshold=2, span=1)
            for n, chunk_entries in zip(chunks, made, strict=True):
                manifest.record_file(compact.chunk_src(n), self._chunk_key(n, plan.members[n]),
                                     site / compact.chunk_src(n))
                for i, entry in zip(plan.members[n], chunk_entries, strict=True):
                    src = customer_src(customers[i].id)
                    entries[i] = entry
                    manifest.record(src, self._stub_key(i), site / dest_of(src, directory_urls), entry)
        manifest.save()
        done = [e for e in entries if e is not None]
        written = len(todo) + sum(len(plan.members[n]) for n in chunks) if plan is not None else len(todo)
        return StreamedPages(done, files, written)

    def _stub_key(self, i: int) -> str:
        return "compact:" + self.keys[i]  # the same inputs make a different file when the customer is compact

    def _chunk_key(self, n: int, members: list[int]) -> str:
        assert self.plan is not None
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{n}/{self.plan.files}".encode())
        for i in members:
            h.update(self.keys[i].encode())
        return h.hexdigest()


@dataclass
class StreamedPages:
    entries: list[Entry]   # the customers' search entries, in the book's order
    files: set[str]        # the full pages and the data files, relative to the site folder
    written: int           # how many customers were rendered (the others were kept)


def _write_one(task: _WriteTask, i: int) -> Entry:
    render, shell, site = task
    from mkdocs.utils.meta import get_data  # MkDocs' own reading of a page's front matter

    src, text, _, entry, _ = _render_one(render, i)
    content, meta = get_data(text)
    page = shell.page(render[4][i].id, str(meta.get("title", "")), content)
    write_page(site / dest_of(src, render[1].directory_urls), page)
    return entry


def _write_chunk(task: tuple[_RenderTask, compact.Plan, Path, set[int]], n: int) -> list[Entry]:
    """One data file of compact customers, and each one's page that leads to the viewer (but those already
    linked from the previous site)."""
    render, plan, site, linked = task
    from mkdocs.utils.meta import get_data

    customers = render[4]
    lang = render[3]["site"]["lang"]
    profiles: dict[str, tuple[str, str]] = {}
    entries: list[Entry] = []
    for i in plan.members[n]:
        src, text, _, entry, _ = _render_one(render, i)
        content, meta = get_data(text)
        title = str(meta.get("title", ""))  # HTML-escaped (render.yaml_str)
        cid = customers[i].id
        profiles[cid] = (html.unescape(title), content)
        if i not in linked:
            write_page(site / dest_of(src, plan.directory_urls),
                       compact.stub_page(title, plan.viewer_link(cid), lang))
        entries.append(entry)
    write_page(site / compact.chunk_src(n), compact.chunk_script(n, profiles))
    return entries
