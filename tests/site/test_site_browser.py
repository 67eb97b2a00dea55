"""The built demo site in a real browser: Debian's headless Chromium driven by Playwright.

Once per session the repository's demo data (customers/, team.yaml, kehu.yaml, schema/, mkdocs.yml,
site_templates/) plus the fixture customers of tests/site/fixtures/ (one hostile, three for search) is copied
into a temporary git repository, committed, and built with ``kehu build`` on a pinned date; a local
``http.server`` on 127.0.0.1 serves the result. The browser's clock is pinned too, so nothing here depends on
the real date.

What is checked: Chinese search (company, contact, a word of a summary) finds the profile, ranks a name that
contains the whole query first, matches pinyin, initials and the last digits of a phone (never revealing the
number), and nothing shown or copied carries a zero-width character; the customers filter box matches pinyin,
initials and owners, and names sort by pinyin; at 390 px the pages do not overflow, the customers list keeps
name, owner and due, chart labels stay readable and an empty table says 暂无; the due page lists exactly
what ``kehu.core.derive`` says is due and re-buckets on a later day; every page loads with no request to another
host and no console error; hostile values render literally and run nothing; phone numbers are masked on the
page and in the search index.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import itertools
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from kehu.book.loader import open_book
from kehu.core import derive
from kehu.core.figures import figures
from kehu.repo.model import Customer
from kehu.repo.repository import open_repo
from kehu.words.catalogue import Locale
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.browser import QuietHandler, chromium
from tests.support.git import commit_all, git
from tests.support.paths import PROJECT, copy_demo_team

BUILT = dt.date(2026, 11, 23)          # the date the site is built on (KEHU_TODAY)
TZ_NOON = "T12:00:00+08:00"            # midday in the team's time zone (Asia/Shanghai): no edge of a day
FIXTURES = PROJECT / "tests" / "site" / "fixtures"
EVIL_ID = "C20261101099"               # tests/site/fixtures/C20261101099.yaml
EVIL_COMMIT = "add <script>window.__xss=5</script> customer"
EVIL_AUTHOR = 'x" onmouseover="window.__xss=4" data-x="y'  # git drops < and > from names; quotes stay
QIMING = "C20240501001"                # 上海启明科技有限公司 in the demo data
ANTAI = "C20261101101"                 # tests/site/fixtures: 南京启明安泰贸易有限公司
TWICE = "C20261101102"                 # 启明星启明照明器材有限公司, 安泰 only in its needs
ZHILIAN = "C20261101103"               # 北京智联科技有限公司, a contact's phone ends in 6688
SEARCH_FIXTURES = (ANTAI, TWICE, ZHILIAN)
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
PHONE = (390, 844)                     # a phone-sized viewport (CSS px)


# --- the site, built once --------------------------------------------------------------------------


@dataclass
class Site:
    repo: Path
    out: Path
    customers: dict[str, Customer]
    facts: dict[str, derive.Facts]
    soon_days: int
    rollover_days: int
    pages: list[str] = field(default_factory=list)   # every HTML page, as a URL path ("customers/X/")


def kehu(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env["KEHU_TODAY"] = BUILT.isoformat()
    return subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(root), *args], capture_output=True,
                          text=True, env=env, cwd=root, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("browser") / "team"
    root.mkdir()
    copy_demo_team(root)
    for cid in SEARCH_FIXTURES:  # customers the search tests need (ranking, pinyin, phone endings)
        shutil.copy2(FIXTURES / f"{cid}.yaml", root / "customers" / f"{cid}.yaml")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "demo data", name="李霞", email="lixia@example.com", date=f"{BUILT}T09:00:00+08:00")
    # the hostile customer arrives in its own commit, by an outsider whose name and message are payloads too
    shutil.copy2(FIXTURES / f"{EVIL_ID}.yaml", root / "customers" / f"{EVIL_ID}.yaml")
    commit_all(root, EVIL_COMMIT, name=EVIL_AUTHOR, email="outsider@example.org", date=f"{BUILT}T09:00:00+08:00")

    checked = kehu(root, "check", f"customers/{EVIL_ID}.yaml")
    assert checked.returncode == 0, f"the hostile fixture must pass kehu check:\n{checked.stdout}{checked.stderr}"
    out = root.parent / "site"
    built = kehu(root, "build", "--out", str(out))
    assert built.returncode == 0, built.stdout + built.stderr

    repo = open_repo(root, today=BUILT)
    customers = {c.id: c for c in open_book(repo).customers}
    pages = sorted(str(p.parent.relative_to(out)) + "/" if p.name == "index.html" else str(p.relative_to(out))
                   for p in out.rglob("*.html"))
    return Site(root, out, customers, derive.derive_all(list(customers.values()), repo.config, BUILT),
                repo.config.due_soon_days, repo.config.site.due_rollover_days,
                [p.removeprefix("./") for p in pages])


@pytest.fixture(scope="module")
def base_url(site: Site) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site.out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


# --- a browsing session that records everything the pages do ----------------------------------------


@dataclass
class Recorder:
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def external(self) -> list[str]:
        host = urlsplit(self.base).netloc
        return [u for u in self.requests if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != host]

    def assert_clean(self) -> None:
        assert self.requests, "the browser made no request at all: the recorder is not wired up"
        assert self.external() == [], "requests left the machine"
        assert self.errors == [], "console errors"
        assert self.dialogs == [], "a dialog was opened"


@dataclass
class Browsing:
    context: BrowserContext
    rec: Recorder

    def open(self, path: str, today: dt.date = BUILT, page: Page | None = None) -> Page:
        """``path`` in a new tab (or in ``page``) with the browser's calendar on ``today``."""
        # the clock keeps running (Material's scripts wait on timers); only its starting day is chosen
        self.context.clock.set_system_time(today.isoformat() + TZ_NOON)
        if page is None:
            page = self.context.new_page()
            page.on("console", lambda m: self.rec.errors.append(f"{page.url}: {m.text}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: self.rec.errors.append(f"{page.url}: {e}"))
            page.on("dialog", lambda d: (self.rec.dialogs.append(f"{page.url}: {d.type} {d.message}"),
                                         d.dismiss()))
        page.goto(self.rec.base + path, wait_until="load")
        return page


@pytest.fixture
def browsing(browser: Browser, base_url: str) -> Iterator[Browsing]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.clock.install(time=BUILT.isoformat() + TZ_NOON)
    rec = Recorder(base_url)
    context.on("request", lambda r: rec.requests.append(r.url))
    # anything bound elsewhere is recorded above and then refused, so a failure never waits on the network
    context.route(re.compile(r"^(?!" + re.escape(base_url) + r"|data:|blob:).*"), lambda route: route.abort())
    try:
        yield Browsing(context, rec)
    finally:
        context.close()


def search(page: Page, query: str) -> list[str]:
    """Type ``query`` into Material's search box and return the result links (site-relative, decoded)."""
    box = page.locator('input[data-md-component="search-query"]')
    meta = page.locator(".md-search-result__meta")
    box.click()
    if box.input_value():  # an earlier query's results stay until the next answer: back to the prompt first
        box.fill("")
        box.press("End")
        expect(meta).to_have_text(re.compile(r"^\s*(键入以开始搜索|Type to start searching)\s*$"), timeout=10_000)
    box.fill(query)
    # Material reads the box on keyup; Chinese typed through an input method ends with one, fill() sends none
    box.press("End")
    # neither the prompt nor "initialising" (shown while the index loads, a moment longer on a busy machine)
    expect(meta).not_to_have_text(re.compile(r"^\s*(键入以开始搜索|Type to start searching|正在初始化搜索引擎|"
                                             r"Initializing search)\s*$"), timeout=10_000)
    base = page.evaluate("location.origin") + "/"
    links = page.locator(".md-search-result__item > a").evaluate_all("els => els.map(e => e.href)")
    return [unquote(urlsplit(h.removeprefix(base)).path) for h in links]


def xss_fired(page: Page) -> object:
    return page.evaluate("typeof window.__xss === 'undefined' ? null : window.__xss")


# --- expected values from kehu.core.derive -----------------------------------------------------------------


def expected_due(site: Site, viewer: dt.date) -> dict[str, str]:
    """id/kind -> bucket of every item the due page should show to someone viewing it on ``viewer``: each
    customer's follow-up and rhythms (re-verification, satisfaction follow-up), derived on the build date and
    bucketed against the viewer's day; quiet customers left out."""
    out = {}
    for cid, f in site.facts.items():
        quiet_until = site.customers[cid].quiet_until
        if quiet_until and quiet_until > viewer:
            continue
        for due in ([f.due] if f.due else []) + f.rhythms:
            bucket = derive.due_bucket(due.date, viewer, site.soon_days)
            if bucket != "later":
                out[f"{cid}/{due.reason if due.reason in derive.RHYTHM_REASONS else 'followup'}"] = bucket
    return out


def shown_due(page: Page) -> dict[str, str]:
    rows = page.locator(".kehu-due-item:visible")
    return dict(rows.evaluate_all("rs => rs.map(r => [r.dataset.id + '/' + r.dataset.kind, r.dataset.bucket])"))


def phones(site: Site) -> set[str]:
    return {re.sub(r"\D", "", x.phone) for c in site.customers.values() for x in c.contacts if x.phone}


# --- the tests ------------------------------------------------------------------------------------------


def test_every_page_loads_offline_without_errors(site: Site, browsing: Browsing) -> None:
    assert len(site.pages) > len(site.customers)  # every customer, every report, every team member
    page = None
    for path in site.pages:
        page = browsing.open(path, page=page)
        assert page.locator("article").count() == 1, path
        assert xss_fired(page) is None, path
    requested = {urlsplit(u).path for u in browsing.rec.requests}
    assert "/search/search_index.json" in requested  # the search really started on every page
    browsing.rec.assert_clean()


def test_no_page_names_another_host(site: Site) -> None:
    """The static twin of the browser check: no src/href in any page points at another host."""
    remote = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
    offenders = [str(p.relative_to(site.out)) for p in site.out.rglob("*.html")
                 if remote.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("query", ["启明", "张伟", "报销"])
def test_search_finds_the_profile(site: Site, browsing: Browsing, query: str) -> None:
    qiming = site.customers[QIMING]
    assert "启明" in qiming.name and any(x.name == "张伟" for x in qiming.contacts)
    newest = sorted(qiming.interactions, key=lambda i: i.date or dt.date.min, reverse=True)[:3]
    assert any("报销" in (i.summary or "") for i in newest), "the demo data changed: pick another summary word"

    page = browsing.open("")
    found = search(page, query)
    assert f"customers/{QIMING}/" in found, found
    if query == "启明":
        assert found[0] == f"customers/{QIMING}/"
    page.locator(f'.md-search-result__item > a[href*="{QIMING}"]').first.click()
    expect(page.locator("article h1")).to_have_text(qiming.name)
    browsing.rec.assert_clean()


@pytest.mark.parametrize("typed", ["qiming", "shqm", "启明"])
def test_customers_filter_matches_pinyin_and_initials(site: Site, browsing: Browsing, typed: str) -> None:
    page = browsing.open("customers/")
    rows = page.locator("#kehu-index tbody tr")
    expect(rows).to_have_count(len(site.customers))
    page.locator("#kehu-filter").fill(typed)
    names = rows.locator("td:first-child a").all_text_contents()
    assert "上海启明科技有限公司" in names
    assert 0 < len(names) < len(site.customers)
    page.locator("#kehu-index tbody a", has_text="上海启明科技有限公司").click()
    expect(page).to_have_url(re.compile(f"/customers/{QIMING}/$"))
    browsing.rec.assert_clean()


def test_due_page_lists_what_derive_says(site: Site, browsing: Browsing) -> None:
    expected = expected_due(site, BUILT)
    assert {"overdue", "soon"} <= set(expected.values()), "the demo data should have overdue and coming items"
    page = browsing.open("due/")
    assert shown_due(page) == expected
    for bucket in ("overdue", "today", "soon"):
        count = sum(1 for b in expected.values() if b == bucket)
        expect(page.locator(f'[data-count="{bucket}"]')).to_have_text(str(count))
    expect(page.locator(".kehu-rebucket")).to_be_hidden()  # viewed on the day it was built
    browsing.rec.assert_clean()


def test_due_page_rebuckets_on_a_later_day(site: Site, browsing: Browsing) -> None:
    today = expected_due(site, BUILT)
    soon = sorted((f.due.date, cid) for cid, f in site.facts.items()
                  if today.get(f"{cid}/followup") == "soon" and f.due)
    due_date, cid = soon[0]
    later = due_date + dt.timedelta(days=1)
    assert later <= BUILT + dt.timedelta(days=site.rollover_days), "the page only carries this many days ahead"

    page = browsing.open("due/")
    row = page.locator(f'.kehu-due-item[data-id="{cid}"][data-kind="followup"]')
    expect(row).to_have_attribute("data-bucket", "soon")
    page.close()

    page = browsing.open("due/", today=later)
    row = page.locator(f'.kehu-due-item[data-id="{cid}"][data-kind="followup"]')
    expect(row).to_be_visible()
    expect(row).to_have_attribute("data-bucket", "overdue")
    expect(row.locator(".kehu-bucket")).to_have_text("逾期")
    assert shown_due(page) == expected_due(site, later)
    expect(page.locator(".kehu-rebucket")).to_be_visible()
    expect(page.locator(".kehu-viewer-today")).to_have_text(later.isoformat())
    browsing.rec.assert_clean()


def test_hostile_values_render_as_text_and_run_nothing(site: Site, browsing: Browsing) -> None:
    evil = site.customers[EVIL_ID]
    page = browsing.open(f"customers/{EVIL_ID}/")
    expect(page.locator("article h1")).to_have_text(evil.name)
    notes = page.locator(".kehu-notes").inner_text()
    for line in (evil.notes or "").strip().split("\n"):
        assert line in notes
    body = page.locator("article").inner_text()
    for payload in ("<script>window.__xss=1</script>", '<img src=x onerror="window.__xss=2">',
                    "[x](javascript:window.__xss=3)", "{{ 7*7 }}", "<!-- c -->", "**bold**", "---",
                    EVIL_COMMIT, EVIL_AUTHOR):
        assert payload in body, payload
    # {{ 7*7 }} was not evaluated: no 49 of its own (commit hashes on the page may hold the digits)
    assert not re.search(r"(?<![0-9a-fA-F])49(?![0-9a-fA-F])", body)
    article = page.locator("article")
    assert article.locator("script").count() == 0
    assert article.locator('img[src="x"]').count() == 0
    assert article.locator('a[href^="javascript:"]').count() == 0
    assert article.locator("strong", has_text="bold").count() == 0  # the page's own dates are strong
    assert page.title().startswith(evil.name)
    assert xss_fired(page) is None

    # the name also reaches the customers index (built by script), the search results and the due list
    page.close()
    page = browsing.open("customers/")
    page.locator("#kehu-filter").fill("毒药")
    expect(page.locator("#kehu-index tbody tr")).to_have_count(1)
    expect(page.locator("#kehu-index tbody a")).to_have_text(evil.name)
    found = search(page, "毒药")
    assert found == [f"customers/{EVIL_ID}/"]
    assert page.locator(".md-search-result img, .md-search-result script").count() == 0
    assert xss_fired(page) is None
    page.close()
    page = browsing.open("due/")
    expect(page.locator(f'tr.kehu-due-row[data-id="{EVIL_ID}"] a')).to_have_text(evil.name)
    assert xss_fired(page) is None
    browsing.rec.assert_clean()


def test_phone_numbers_are_masked(site: Site, browsing: Browsing) -> None:
    page = browsing.open(f"customers/{QIMING}/")
    contacts = page.locator(".kehu-contacts").inner_text()
    assert "138****8000" in contacts
    assert "z***@example.com" in contacts
    html = page.content()
    for number in phones(site):
        assert number not in html
    assert "zhang.wei@example.com" not in html

    raw = "".join(p.read_text(encoding="utf-8") for p in sorted(site.out.joinpath("search").rglob("*.json")))
    assert "138****8000" in raw  # the masked form is what search holds
    written = {x.phone for c in site.customers.values() for x in c.contacts if x.phone}  # as typed in YAML
    assert sorted(n for n in phones(site) | written if n in raw) == []
    emails = {x.email for c in site.customers.values() for x in c.contacts if x.email}
    assert sorted(e for e in emails if e in raw) == []
    browsing.rec.assert_clean()


def test_channel_icons_are_drawn(site: Site, browsing: Browsing) -> None:
    """The timeline's channel icons come from kehu.css (a CSS mask of a data: URL): each is drawn, with the
    size the stylesheet gives it, and two channels draw two different icons."""
    page = browsing.open(f"customers/{QIMING}/")
    icons = page.locator(".kehu-timeline .kehu-channel .kehu-icon")
    assert icons.count() >= 2
    drawn = icons.evaluate_all("""els => els.map(e => {
        const s = getComputedStyle(e), r = e.getBoundingClientRect();
        return [e.parentElement.className, s.maskImage || s.webkitMaskImage, r.width, r.height];
    })""")
    for cls, mask, width, height in drawn:
        assert mask.startswith('url("data:image/svg+xml'), (cls, mask[:80])
        assert width > 10 and height > 10, cls
    by_channel = {cls: mask for cls, mask, _, _ in drawn}
    assert len(set(by_channel.values())) == len(by_channel) >= 2, sorted(by_channel)
    browsing.rec.assert_clean()


# --- search that finds what people type ----------------------------------------------------------------


def test_search_ranks_a_name_containing_the_whole_query_first(site: Site, browsing: Browsing) -> None:
    assert site.customers[TWICE].name.count("启明") == 2 and "安泰" in (site.customers[TWICE].needs or "")
    page = browsing.open("")
    found = search(page, "启明安泰")
    assert found[0] == f"customers/{ANTAI}/", found
    assert f"customers/{TWICE}/" in found  # 启明 in its name, 安泰 in its needs: a partial match, ranked below
    # the shorter name that contains the query as a word comes first among equals
    assert search(page, "启明")[0] == f"customers/{QIMING}/"
    browsing.rec.assert_clean()


@pytest.mark.parametrize(("typed", "first"), [("zhilian", True), ("zl", False), ("bjzl", True), ("ZhiLian", True),
                                               ("ｚｈｉｌｉａｎ", True)])
def test_search_matches_pinyin_and_initials(site: Site, browsing: Browsing, typed: str, first: bool) -> None:
    page = browsing.open("")
    found = search(page, typed)
    assert f"customers/{ZHILIAN}/" in found, found
    if first:
        assert found[0] == f"customers/{ZHILIAN}/", found
    assert len(found) < len(site.customers)
    browsing.rec.assert_clean()


def test_search_for_a_word_that_is_nowhere_finds_nothing(site: Site, browsing: Browsing) -> None:
    page = browsing.open("")
    assert search(page, "量子引力") == []
    expect(page.locator(".md-search-result__meta")).to_have_text(re.compile("没有找到"))
    browsing.rec.assert_clean()


@pytest.mark.parametrize("typed", ["6688", "226688", "186 1122 6688", "18611226688"])
def test_search_finds_a_phone_by_its_last_digits_without_revealing_it(site: Site, browsing: Browsing,
                                                                      typed: str) -> None:
    number = next(x.phone for x in site.customers[ZHILIAN].contacts if x.phone)
    assert number == "18611226688"
    page = browsing.open("")
    found = search(page, typed.replace(" ", ""))
    assert f"customers/{ZHILIAN}/" in found, found
    results = page.locator(".md-search-result").inner_text()
    assert "186****6688" in results and number not in results
    # nothing the site serves holds more of the number than the mask shows
    hidden = number[3:-4]
    for path in [*site.out.joinpath("search").rglob("*.json"), *site.out.rglob("*.html")]:
        raw = path.read_text(encoding="utf-8")
        assert number not in raw and hidden + number[-4:] not in raw, path
    browsing.rec.assert_clean()


def test_nothing_shown_or_copied_has_zero_width_characters(site: Site, browsing: Browsing) -> None:
    page = browsing.open("")
    found = search(page, "启明")
    assert len(found) >= 3
    results = page.locator(".md-search-result")
    assert not INVISIBLE.search(results.inner_text())
    assert not INVISIBLE.search(results.inner_html())
    # what a person copies (the result list itself is not selectable): the page a result opens
    page.locator(f'.md-search-result__item > a[href*="{QIMING}"]').first.click()
    expect(page.locator("article h1")).to_have_text(site.customers[QIMING].name)
    copied = page.locator("article").evaluate("""el => { const r = document.createRange(); r.selectNodeContents(el);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); return s.toString(); }""")
    assert site.customers[QIMING].name in copied and not INVISIBLE.search(copied + page.title())
    for path in [*site.out.joinpath("search").rglob("*.json"), *site.out.rglob("*.html")]:
        assert not INVISIBLE.search(path.read_text(encoding="utf-8")), path
    browsing.rec.assert_clean()


@pytest.mark.parametrize("typed", ["王芳", "wangfang", "wf"])
def test_customers_filter_matches_owner_names(site: Site, browsing: Browsing, typed: str) -> None:
    page = browsing.open("customers/")
    rows = page.locator("#kehu-index tbody tr")
    expect(rows).to_have_count(len(site.customers))
    page.locator("#kehu-filter").fill(typed)
    theirs = {c.name for c in site.customers.values() if c.owner == "wangfang"}
    owners = rows.locator("td:nth-child(5)").all_text_contents()
    names = set(rows.locator("td:first-child a").all_text_contents())
    assert theirs <= names
    if typed != "wf":  # initials may also be part of a name's initials
        assert set(owners) == {"王芳"} and names == theirs
    browsing.rec.assert_clean()


def test_customers_sort_by_phrase_aware_pinyin(site: Site, browsing: Browsing) -> None:
    from kehu.words.pinyin import sort_key

    page = browsing.open("customers/")
    names = page.locator("#kehu-index tbody td:first-child a").all_text_contents()
    assert names == sorted(names, key=lambda n: (sort_key(n), n))
    changsha = names.index("长沙湘江连锁超市有限公司")
    assert names.index("北京星河互联科技有限公司") < changsha < names.index("成都锦城置业有限公司")  # C, not Z
    assert changsha < names.index("郑州中原建工有限公司")
    page.locator('#kehu-index th[data-sort="1"]').click()  # the same column again: descending
    assert page.locator("#kehu-index tbody td:first-child a").all_text_contents() == names[::-1]
    browsing.rec.assert_clean()


def test_an_empty_table_says_so(site: Site, browsing: Browsing) -> None:
    page = browsing.open("customers/")
    page.locator("#kehu-filter").fill("没有这样的客户")
    rows = page.locator("#kehu-index tbody tr:visible")
    expect(rows).to_have_count(1)
    expect(rows).to_have_text("暂无")
    page.locator("#kehu-filter").fill("")
    expect(page.locator("#kehu-index tbody tr.kehu-empty")).to_be_hidden()
    browsing.rec.assert_clean()


# --- a phone-sized site ------------------------------------------------------------------------------------

PHONE_PAGES = ["", "customers/", "due/", "funnel/", "satisfaction/", "team/", "review/", "problems/",
               f"customers/{QIMING}/", "team/lixia/"]


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[Browsing]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": PHONE[0],
                                  "height": PHONE[1]}, device_scale_factor=1, is_mobile=True, has_touch=True)
    context.clock.install(time=BUILT.isoformat() + TZ_NOON)
    rec = Recorder(base_url)
    context.on("request", lambda r: rec.requests.append(r.url))
    context.route(re.compile(r"^(?!" + re.escape(base_url) + r"|data:|blob:).*"), lambda route: route.abort())
    try:
        yield Browsing(context, rec)
    finally:
        context.close()


def test_phone_sized_pages_do_not_overflow(site: Site, phone: Browsing, tmp_path_factory: pytest.TempPathFactory
                                           ) -> None:
    shots = Path(os.environ.get("KEHU_SCREENSHOTS") or tmp_path_factory.mktemp("screens-390"))
    page = None
    for path in PHONE_PAGES:
        page = phone.open(path, page=page)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / f"{path.strip('/').replace('/', '-') or 'index'}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE[0], (path, width)
        wide = page.evaluate("""w => [...document.querySelectorAll('article *')].filter(e => {
            const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 1 &&
            !e.closest('.kehu-table, .md-typeset__scrollwrap, table, pre'); })
            .map(e => e.tagName + '.' + e.className)""", PHONE[0])
        assert wide == [], (path, wide[:5])
        # the customers list and the due lists wrap instead of scrolling sideways inside their box
        scrolled = page.evaluate("""() => [...document.querySelectorAll('#kehu-index, .kehu-due-table table')]
            .filter(t => t.offsetParent && t.scrollWidth > t.clientWidth + 1).map(t => t.className || t.id)""")
        assert scrolled == [], (path, scrolled)
    phone.rec.assert_clean()


def test_phone_sized_customers_list_shows_name_owner_and_due(site: Site, phone: Browsing) -> None:
    page = phone.open("customers/")
    table = page.locator("#kehu-index")
    expect(table.locator("tbody tr")).to_have_count(len(site.customers))
    scroll = table.evaluate("t => [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right]")
    assert scroll[0] <= scroll[1] and scroll[2] <= PHONE[0], scroll
    heads = table.locator("thead th")
    visible = [h.inner_text() for h in heads.all() if h.is_visible()]
    assert visible == ["客户名称", "负责人", "下次跟进"], visible
    for h in heads.all():
        if h.is_visible():
            box = h.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
    due = site.facts[QIMING].due
    row = table.locator("tbody tr", has_text=site.customers[QIMING].name)
    cells = [c.inner_text() for c in row.locator("td").all() if c.is_visible()]
    assert cells[1] == "李霞" and cells[2] == (due.date.isoformat() if due else "")
    phone.rec.assert_clean()


def test_phone_sized_chart_labels_are_readable(site: Site, phone: Browsing) -> None:
    page = phone.open("")
    labels = page.locator(".kehu-chart text").evaluate_all("""els => els
        .filter(e => getComputedStyle(e).display !== 'none').map(e => { const r = e.getBoundingClientRect();
                    return [e.textContent, r.left, r.right, r.top, r.height,
                    e.closest('svg').getBoundingClientRect().width]; })""")
    assert len(labels) >= 10
    for text, _, _, _, height, svg_width in labels:
        assert svg_width <= PHONE[0] and height >= 10, (text, height)  # about 11 px type, not 6
    by_row: dict[int, list[tuple[float, float, str]]] = {}
    for text, left, right, top, _, _ in labels:
        by_row.setdefault(round(top), []).append((left, right, text))
    for row in by_row.values():
        row.sort()
        for (_, r1, t1), (l2, _, t2) in itertools.pairwise(row):
            assert r1 <= l2 + 0.5, f"chart labels overlap: {t1} / {t2}"
    phone.rec.assert_clean()

# --- opportunities and the forecast ------------------------------------------------------------------------


def test_forecast_page_shows_what_derive_says(site: Site, browsing: Browsing) -> None:
    repo = open_repo(site.repo, today=BUILT)
    fc = derive.forecast(list(site.customers.values()), repo.config, BUILT)
    page = browsing.open("forecast/")
    expect(page.locator("article h1")).to_have_text("业绩预测")
    bars = page.locator("article svg .kehu-bar")
    assert bars.count() == len(fc.months) == 6  # this quarter and the next, month by month
    header = page.locator("article p.kehu-muted").first.inner_text()
    customers = list(site.customers.values())
    pipeline = figures(customers, site.facts, repo.config, BUILT).pipeline  # all open, not the window
    assert f"{pipeline.amount:,.0f}" in header and f"{pipeline.weighted:,.0f}" in header
    slipping = page.locator(".kehu-slipping tbody tr")
    assert slipping.count() == len(fc.slipping) >= 2
    text = page.locator(".kehu-slipping").inner_text()
    assert "康复管理系统" in text
    evil = site.customers[EVIL_ID]
    expect(page.locator(".kehu-slipping a", has_text="毒药测试")).to_have_text(evil.name)
    assert "<script>window.__xss=1</script>毒药报表" in text  # hostile text shown as text
    assert page.locator("article script, article img[src='x']").count() == 0
    assert xss_fired(page) is None
    browsing.rec.assert_clean()


def test_profile_lists_opportunities_masked_and_safe(site: Site, browsing: Browsing) -> None:
    page = browsing.open(f"customers/{EVIL_ID}/")
    table = page.locator(".kehu-opportunities")
    expect(table.locator("tbody tr")).to_have_count(1)
    text = table.inner_text()
    assert "毒药报表" in text and "已延误" in text and "20%" in text  # contacted: 20 % by default
    assert "139****5678" in text and "13912345678" not in page.content()  # a phone in a note is masked
    assert "**bold**" in text and table.locator("strong, img, script").count() == 0
    assert xss_fired(page) is None
    page.close()
    page = browsing.open(f"customers/{QIMING}/")
    rows = page.locator(".kehu-opportunities tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("年度SaaS续约扩容")  # open ones by expected close date
    browsing.rec.assert_clean()


def test_pool_page_lists_the_customers_in_the_pool(site: Site, browsing: Browsing) -> None:
    repo = open_repo(site.repo, today=BUILT)
    expected = sorted(c.id for c in site.customers.values() if derive.pool_since(c, repo.config, BUILT))
    assert expected  # the demo team uses the pool
    page = browsing.open("pool/")
    expect(page.locator("article h1")).to_have_text("公海")
    shown = sorted(page.locator(".kehu-pool tbody tr").evaluate_all("rows => rows.map(r => r.dataset.id)"))
    assert shown == expected
    assert "kehu claim" in page.locator(".kehu-pool").inner_text()
    held = page.locator(".kehu-pool-held tbody tr")
    assert held.count() == len([m for m in repo.team.members if m.active])
    nav = page.locator(".md-nav__link", has_text="公海")
    assert nav.count() >= 1  # in the navigation when kehu.yaml turns the pool on
    browsing.rec.assert_clean()


# --- what a salesperson needs first, at 1280 and 390 px --------------------------------------------------

FIRST_SCREEN = {"laptop": (1280, 800), "phone": PHONE}


def _first_screen_profile(site: Site) -> str:
    """A customer with a due follow-up, a contact and an open opportunity: what the first screen must hold."""
    return next(cid for cid, c in sorted(site.customers.items()) if site.facts[cid].due and c.contacts
                and any(o.is_open for o in c.opportunities) and cid not in (EVIL_ID, *SEARCH_FIXTURES))


@pytest.mark.parametrize("screen", sorted(FIRST_SCREEN))
def test_profile_first_screen_has_the_next_step_whom_to_call_and_open_deals(site: Site, browsing: Browsing,
                                                                             screen: str) -> None:
    cid = _first_screen_profile(site)
    c, f = site.customers[cid], site.facts[cid]
    width, height = FIRST_SCREEN[screen]
    page = browsing.open(f"customers/{cid}/")
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("window.scrollTo(0, 0)")
    for card in (".kehu-glance-next", ".kehu-glance-contacts", ".kehu-glance-opps"):
        box = page.locator(card).bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, (screen, card, box)
    assert f.due is not None
    expect(page.locator(".kehu-glance-next")).to_contain_text(f.due.date.isoformat())
    primary = next((x for x in c.contacts if x.primary), c.contacts[0])
    expect(page.locator(".kehu-glance-contacts")).to_contain_text(primary.name)
    first_open = min((o for o in c.opportunities if o.is_open), key=lambda o: (o.close or dt.date.max, o.id))
    expect(page.locator(".kehu-glance-opps")).to_contain_text(first_open.what)
    browsing.rec.assert_clean()


def test_profile_marks_an_opportunity_past_its_close_date_and_says_which_next_date_wins(site: Site,
                                                                                        browsing: Browsing) -> None:
    late = next((cid, o) for cid, c in sorted(site.customers.items()) for o in c.opportunities
                if o.is_open and o.close and o.close < BUILT)
    page = browsing.open(f"customers/{late[0]}/")
    row = page.locator(".kehu-opportunities tr", has_text=late[1].what)
    expect(row.locator(".kehu-bucket-overdue")).to_have_text(Locale("zh-CN").word("opp.slipping"))
    # a plan later than what the class's rhythm asks for: both dates shown, and which one the follow-up takes
    both = next(cid for cid, c in sorted(site.customers.items()) if c.next_action and c.next_action.date
                and site.facts[cid].due and site.facts[cid].due.reason != "next_action"
                and site.facts[cid].due.date < c.next_action.date and cid not in (EVIL_ID, *SEARCH_FIXTURES))
    page = browsing.open(f"customers/{both}/")
    expect(page.locator(".kehu-next-plan")).to_contain_text("下次跟进取两者中较早的日期")
    browsing.rec.assert_clean()


PERSON_PAGES = ("", "customers/", "due/", f"customers/{QIMING}/", "satisfaction/", "forecast/")


def test_phone_sized_headers_and_names_never_break_per_character(site: Site, phone: Browsing) -> None:
    """姓/名, 负/责/人, 陈/超: a table header or a person's name on one line, whatever the column's width."""
    page = None
    for path in PERSON_PAGES:
        page = phone.open(path, page=page)
        broken = page.evaluate("""() => [...document.querySelectorAll('article th, article .kehu-person')]
            .filter(e => e.offsetParent && e.textContent.trim())
            .filter(e => { const r = document.createRange(); r.selectNodeContents(e);
                           const tops = new Set([...r.getClientRects()].filter(x => x.width > 0)
                                                .map(x => Math.round(x.top)));
                           return tops.size > 1; })
            .map(e => e.textContent.trim())""")
        assert broken == [], (path, broken[:8])
    phone.rec.assert_clean()


def test_due_page_one_row_per_customer_with_whom_to_call_and_only_mine(site: Site, browsing: Browsing) -> None:
    page = browsing.open("due/")
    ids = page.locator("section.kehu-due-group:not([hidden])").evaluate_all(
        "gs => gs.map(g => [...g.querySelectorAll('tr.kehu-due-row:not([hidden])')].map(r => r.dataset.id))")
    for group in ids:
        assert len(group) == len(set(group)), group  # one row per customer
    several = next(cid for cid, f in sorted(site.facts.items())
                   if sum(1 for d in [f.due, *f.rhythms] if d and derive.due_bucket(d.date, BUILT, site.soon_days)
                          != "later") >= 2 and not site.customers[cid].quiet_until)
    row = page.locator(f'tr.kehu-due-row[data-id="{several}"]')
    expect(row).to_have_count(1)
    assert row.locator(".kehu-due-item:visible").count() >= 2
    c = site.customers[several]
    contact = next((x for x in c.contacts if x.primary), c.contacts[0] if c.contacts else None)
    if contact is not None:
        expect(row.locator(".kehu-due-contact")).to_contain_text(contact.name)
    # only one person's list: the others' groups hidden, the counts that person's, and remembered
    owner = c.owner
    name = {m: g for m, g in page.locator(".kehu-owner-pick option").evaluate_all(
        "os => os.map(o => [o.value, o.textContent])")}[owner]
    page.locator(".kehu-owner-pick").select_option(owner)
    shown = page.locator("section.kehu-due-group:visible").evaluate_all("gs => gs.map(g => g.dataset.owner)")
    assert shown == [owner], (shown, name)
    mine = {k: v for k, v in expected_due(site, BUILT).items() if site.customers[k.split("/")[0]].owner == owner}
    for bucket in ("overdue", "today", "soon"):
        expect(page.locator(f'[data-count="{bucket}"]')).to_have_text(str(sum(1 for b in mine.values() if b == bucket)))
    page.reload()
    expect(page.locator(".kehu-owner-pick")).to_have_value(owner)
    assert page.locator("section.kehu-due-group:visible").evaluate_all("gs => gs.map(g => g.dataset.owner)") \
        == [owner]
    page.locator(".kehu-owner-pick").select_option("")
    browsing.rec.assert_clean()


@pytest.mark.parametrize("days_later", [0, 2, 6])
def test_dashboard_and_due_page_agree_on_the_viewers_date(site: Site, browsing: Browsing, days_later: int) -> None:
    viewer = BUILT + dt.timedelta(days=days_later)
    expected = expected_due(site, viewer)
    counts = {b: sum(1 for v in expected.values() if v == b) for b in ("overdue", "today", "soon")}
    for path in ("", "due/"):
        page = browsing.open(path, today=viewer)
        page.evaluate("window.localStorage.clear()")
        page.reload()
        for bucket, n in counts.items():
            expect(page.locator(f'[data-count="{bucket}"]')).to_have_text(str(n))
        if days_later:
            expect(page.locator(".kehu-viewer-today")).to_have_text(viewer.isoformat())
    browsing.rec.assert_clean()


def test_the_site_opened_from_disk_navigates(site: Site, browser: Browser) -> None:
    """Someone double-clicks site/index.html: the links lead to pages, not folder listings, and a line says that
    search needs `kehu serve`."""
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto((site.out / "index.html").as_uri(), wait_until="load")
        expect(page.locator(".kehu-file-notice")).to_contain_text("kehu serve")
        page.locator("nav a", has_text="客户列表").first.click()
        expect(page).to_have_url(re.compile(r"/customers/index\.html$"))
        expect(page.locator("article h1")).to_have_text("客户列表")
        page.locator("#kehu-index tbody a", has_text=site.customers[QIMING].name).click()
        expect(page).to_have_url(re.compile(rf"/customers/{QIMING}/index\.html$"))
        expect(page.locator("article h1")).to_have_text(site.customers[QIMING].name)
    finally:
        context.close()


def test_every_customer_is_reachable_from_the_list_and_from_search(site: Site, browsing: Browsing) -> None:
    """Customer pages are written by kehu into MkDocs' page shell (kehu.site.stream): every customer of the book
    is linked from the customers list to a page that names it, and search by the id finds that page first."""
    page = browsing.open("customers/")
    rows = page.locator("#kehu-index tbody tr")
    expect(rows).to_have_count(len(site.customers))
    base = page.evaluate("location.origin") + "/"
    linked = page.locator("#kehu-index tbody td:first-child a").evaluate_all("els => els.map(e => e.href)")
    by_path = {unquote(urlsplit(h.removeprefix(base)).path): h for h in linked}
    assert set(by_path) == {f"customers/{cid}/" for cid in site.customers}
    profile = browsing.context.new_page()
    for cid, customer in site.customers.items():
        profile.goto(by_path[f"customers/{cid}/"], wait_until="load")
        expect(profile.locator("article h1")).to_have_text(customer.name)
        assert profile.title().startswith(" ".join(customer.name.split())), profile.title()
    for cid in site.customers:
        assert search(page, cid)[:1] == [f"customers/{cid}/"], cid
    browsing.rec.assert_clean()
