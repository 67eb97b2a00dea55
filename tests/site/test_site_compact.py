"""Compact customer profiles (kehu.site.compact): a book larger than ``site.full_pages`` keeps a full page for
the customers contacted most recently and draws every other profile in the browser from compressed data files.

The browser tests build the demo book plus the fixture customers (the hostile one among them) twice on the same
commit: once as it is (every profile a full page) and once with ``site.full_pages: 0`` (every profile compact).
Each compact profile, drawn by the viewer in Debian's Chromium, must be the full page's profile element for
element and attribute for attribute, with the same title; the hostile one runs nothing; a profile opens from
disk; a customer is reached from the customer list and from search; an unknown id says so.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kehu.core.derive import Facts
from kehu.site import compact
from playwright.sync_api import Browser, Page, expect

from tests.site.test_site_browser import (
    BUILT,
    EVIL_AUTHOR,
    EVIL_COMMIT,
    EVIL_ID,
    FIXTURES,
    SEARCH_FIXTURES,
    TZ_NOON,
    Browsing,
    Recorder,
    kehu,
    search,
    xss_fired,
)
from tests.support.browser import chromium, served
from tests.support.git import commit_all, git
from tests.support.paths import PROJECT, copy_demo_team

NODE = shutil.which("node") or shutil.which("nodejs")
VIEWER_JS = PROJECT / "site_templates" / "static" / compact.SCRIPT


# --- the sites, built once -------------------------------------------------------------------------------


@dataclass
class Sites:
    full: Path
    compact: Path
    ids: list[str]     # every customer of the book
    names: dict[str, str]


def set_full_pages(root: Path, n: int) -> None:
    text = (root / "kehu.yaml").read_text(encoding="utf-8")
    assert "\nsite:\n" in text, "the demo kehu.yaml changed"
    (root / "kehu.yaml").write_text(text.replace("\nsite:\n", f"\nsite:\n  full_pages: {n}\n", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    root = tmp_path_factory.mktemp("compact") / "team"
    root.mkdir()
    copy_demo_team(root)
    for cid in (*SEARCH_FIXTURES, EVIL_ID):
        shutil.copy2(FIXTURES / f"{cid}.yaml", root / "customers" / f"{cid}.yaml")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, EVIL_COMMIT, name=EVIL_AUTHOR, email="outsider@example.org", date=f"{BUILT}T09:00:00+08:00")
    full = root.parent / "full"
    built = kehu(root, "build", "--out", str(full))
    assert built.returncode == 0, built.stdout + built.stderr
    set_full_pages(root, 0)
    small = root.parent / "compact"
    built = kehu(root, "build", "--out", str(small))
    assert built.returncode == 0, built.stdout + built.stderr
    ids = sorted(p.stem for p in (root / "customers").glob("C*.yaml"))
    names = {}
    for cid in ids:
        page = (full / "customers" / cid / "index.html").read_text(encoding="utf-8")
        found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
        assert found is not None
        names[cid] = found.group(1)
    return Sites(full, small, ids, names)


@pytest.fixture(scope="module")
def urls(sites: Sites) -> Iterator[tuple[str, str]]:
    with served(sites.full) as full, served(sites.compact) as small:
        yield full, small


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def browsing_at(browser: Browser, base: str) -> Browsing:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.clock.install(time=BUILT.isoformat() + TZ_NOON)
    rec = Recorder(base)
    context.on("request", lambda r: rec.requests.append(r.url))
    context.route(re.compile(r"^(?!" + re.escape(base) + r"|data:|blob:).*"), lambda route: route.abort())
    return Browsing(context, rec)


def profile(page: Page) -> str:
    page.locator(".kehu-profile").wait_for(timeout=15_000)
    return str(page.locator(".kehu-profile").evaluate("e => e.outerHTML"))


# --- in the browser --------------------------------------------------------------------------------------


def test_every_profile_is_compact_and_small(sites: Sites) -> None:
    for cid in sites.ids:
        stub = (sites.compact / "customers" / cid / "index.html").read_bytes()
        assert len(stub) < 1024 and b"../compact/index.html#" + cid.encode() in stub
        assert sites.names[cid].encode() in stub  # named (escaped as on the full page) for a browser that stays
    full = sum(p.stat().st_size for p in (sites.full / "customers").rglob("*") if p.is_file())
    small = sum(p.stat().st_size for p in (sites.compact / "customers").rglob("*") if p.is_file())
    assert small < full / 3, (small, full)


def test_a_compact_profile_is_the_full_page_s_profile(sites: Sites, urls: tuple[str, str], browser: Browser) -> None:
    full_url, compact_url = urls
    full, small = browsing_at(browser, full_url), browsing_at(browser, compact_url)
    try:
        a = full.open("customers/")
        b = small.open(f"customers/{sites.ids[0]}/")  # the customer's own address: sent on to the viewer
        b.wait_for_url(re.compile(r"/customers/compact/index\.html#"), timeout=15_000)
        for cid in sites.ids:  # then one after another in the viewer, as a link from another profile does
            full.open(f"customers/{cid}/", page=a)
            expected, title = profile(a), a.title()
            b.evaluate("id => { location.hash = '#' + id; }", cid)
            expect(b.locator(".kehu-profile")).to_have_attribute("data-id", cid, timeout=15_000)
            assert profile(b) == expected, cid
            assert b.title() == title
            assert xss_fired(b) is None
        full.rec.assert_clean()
        small.rec.assert_clean()
        assert any(u.endswith(".js") and "/customers/compact/" in u for u in small.rec.requests)
    finally:
        full.context.close()
        small.context.close()


def test_the_hostile_compact_profile_shows_its_values_as_text_and_runs_nothing(sites: Sites, urls: tuple[str, str],
                                                                               browser: Browser) -> None:
    small = browsing_at(browser, urls[1])
    try:
        page = small.open(f"customers/{EVIL_ID}/")
        profile(page)
        heading = page.locator(".kehu-profile h1").inner_text()
        assert "<" in heading  # the name's markup is shown, not made
        page.locator(".kehu-profile").hover()
        page.locator(".kehu-profile a").first.hover()
        assert xss_fired(page) is None
        assert page.locator(".kehu-profile script, .kehu-profile iframe, .kehu-profile [onerror]").count() == 0
        small.rec.assert_clean()
    finally:
        small.context.close()


TAMPERED = ('<div class="kehu kehu-profile" data-id="{id}"><h1 onclick="window.__xss=1">x</h1>'
            '<script>window.__xss=2</script><img src="x.png" onerror="window.__xss=3">'
            '<a id="js" href=" javascript:window.__xss=4">a</a>'
            '<iframe srcdoc="&lt;script&gt;parent.__xss=5&lt;/script&gt;">'
            '</iframe><svg><script>window.__xss=6</script><a href="javascript:window.__xss=7"><text>t</text></a></svg>'
            '<object data="data:text/html,x"></object>'
            '<p style="background:url(javascript:x)">&lt;b&gt;text&lt;/b&gt;</p>'
            '<svg class="kehu-drawn" viewBox="0 0 24 24"><clipPath id="c"><rect width="4" height="4"/></clipPath>'
            '<path d="M0 0h24v24H0z"/></svg>'
            '</div>')


def test_the_viewer_makes_nothing_that_runs_even_from_a_tampered_data_file(sites: Sites, browser: Browser,
                                                                           tmp_path: Path) -> None:
    """kehu's bodies escape every value, so a profile never holds such markup; the viewer still refuses it (a data
    file edited by hand, or a template of the team's own that forgot to escape)."""
    site = tmp_path / "site"
    shutil.copytree(sites.compact, site)
    files = int(re.search(r'data-files="(\d+)"', (site / "customers" / "compact" / "index.html").read_text())[1])
    cid = sites.ids[0]
    chunk = site / compact.chunk_src(compact.file_of(cid, files))
    chunk.write_bytes(compact.chunk_script(compact.file_of(cid, files), {cid: ("t", TAMPERED.format(id=cid))}))
    with served(site) as base:
        _tampered(browsing_at(browser, base), cid)


def _tampered(small: Browsing, cid: str) -> None:
    try:
        page = small.open(f"customers/compact/#{cid}")
        profile(page)
        page.locator(".kehu-profile h1").click()
        page.locator(".kehu-profile a").first.click()
        page.locator(".kehu-profile svg a").click(force=True)
        page.wait_for_timeout(300)
        assert xss_fired(page) is None
        made = page.locator(".kehu-profile")
        assert made.locator("script, iframe, object, [onerror], [onclick], [srcdoc], [style]").count() == 0
        assert made.locator("a[href*='javascript']").count() == 0
        assert made.locator("p").inner_text() == "<b>text</b>"
        drawn = made.locator("svg.kehu-drawn")  # an icon's SVG as the HTML parser makes it: names keep their case
        assert drawn.evaluate("e => [e.namespaceURI, e.getAttribute('viewBox'), e.firstChild.localName, "
                              "e.lastChild.localName, e.lastChild.namespaceURI]") == [
            "http://www.w3.org/2000/svg", "0 0 24 24", "clipPath", "path", "http://www.w3.org/2000/svg"]
    finally:
        small.context.close()


def test_a_compact_profile_opens_from_disk(sites: Sites, browser: Browser) -> None:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        cid = sites.ids[0]
        page.goto((sites.compact / "customers" / cid / "index.html").as_uri(), wait_until="load")
        profile(page)
        assert page.locator(".kehu-profile").get_attribute("data-id") == cid
        links = page.locator(".kehu-profile a[href$='/']").count()
        assert links == 0  # from disk a folder link names its index.html (kehu.js, on what the viewer built)
        assert [e for e in errors if "search_index" not in e] == []  # search needs a server (kehu.js says so)
    finally:
        context.close()


def test_compact_customers_are_reached_from_the_list_and_from_search(sites: Sites, urls: tuple[str, str],
                                                                    browser: Browser) -> None:
    small = browsing_at(browser, urls[1])
    try:
        page = small.open("customers/")
        base = page.evaluate("location.origin") + "/"
        linked = page.locator("#kehu-index tbody td:first-child a").evaluate_all("els => els.map(e => e.href)")
        paths = {unquote(urlsplit(h.removeprefix(base)).path) for h in linked}
        assert paths == {f"customers/{c}/" for c in sites.ids}
        for cid in (sites.ids[0], EVIL_ID, sites.ids[-1]):
            assert search(page, cid)[:1] == [f"customers/{cid}/"], cid
        page.locator(".md-search-result__item > a").first.click()
        expect(page.locator(".kehu-profile")).to_have_attribute("data-id", sites.ids[-1], timeout=15_000)
        small.rec.assert_clean()
    finally:
        small.context.close()


def test_an_unknown_customer_says_so(sites: Sites, urls: tuple[str, str], browser: Browser) -> None:
    small = browsing_at(browser, urls[1])
    try:
        page = small.open("customers/compact/#C19990101001")
        expect(page.locator(".kehu-compact-missing")).to_be_visible(timeout=15_000)
        expect(page.locator(".kehu-compact-wait")).to_be_hidden()
        page.evaluate(f"location.hash = '#{sites.ids[0]}'")  # another customer in the same tab
        expect(page.locator(".kehu-profile")).to_have_attribute("data-id", sites.ids[0], timeout=15_000)
        small.rec.assert_clean()
    finally:
        small.context.close()


# --- the pieces --------------------------------------------------------------------------------------------


def test_the_customers_contacted_most_recently_keep_full_pages() -> None:
    ids = ["C20240101001", "C20240101002", "C20240101003", "C20240101004"]
    last = {"C20240101001": dt.date(2026, 11, 1), "C20240101002": None, "C20240101003": dt.date(2026, 12, 1),
            "C20240101004": dt.date(2026, 11, 1)}

    class Book:
        def __init__(self, cid: str) -> None:
            self.id = cid

    customers = [Book(cid) for cid in ids]
    facts = {cid: _facts(last[cid]) for cid in ids}
    assert compact.full_page_ids(customers, facts, 2) == {"C20240101003", "C20240101004"}  # type: ignore[arg-type]
    three = {"C20240101003", "C20240101004", "C20240101001"}
    assert compact.full_page_ids(customers, facts, 3) == three  # type: ignore[arg-type]
    assert compact.full_page_ids(customers, facts, 4) == set(ids)  # type: ignore[arg-type]
    assert compact.full_page_ids(customers, facts, 0) == set()  # type: ignore[arg-type]


def _facts(last: dt.date | None) -> Facts:
    f = Facts.__new__(Facts)
    f.last_contact = last
    return f


def test_a_data_file_holds_the_profiles_and_the_same_profiles_give_the_same_bytes() -> None:
    profiles = {"C20240101001": ("上海 <启明> & Co", '<div class="kehu kehu-profile"><h1>上海 &lt;启明&gt;</h1></div>')}
    script = compact.chunk_script(7, profiles)
    assert script == compact.chunk_script(7, dict(profiles))
    found = re.fullmatch(rb'kehuCompact\(7,"([A-Za-z0-9+/=]+)"\);\n', script)
    assert found is not None  # plain ASCII: nothing in it can end the script
    assert json.loads(gzip.decompress(base64.b64decode(found.group(1)))) == {k: list(v) for k, v in profiles.items()}


def test_files_grow_by_powers_of_two() -> None:
    assert [compact.file_count(n) for n in (1, 64, 65, 128, 129, 90_000)] == [1, 1, 2, 2, 4, 2048]


@pytest.mark.parametrize(("directory_urls", "link", "base"), [
    (True, "../compact/index.html#C20240101001", "./"),
    (False, "compact.html#C20240101001", "compact/"),
])
def test_a_stub_leads_to_the_viewer(directory_urls: bool, link: str, base: str) -> None:
    plan = compact.Plan(1, {0: [0]}, directory_urls)
    assert plan.viewer_link("C20240101001") == link
    assert plan.chunk_base() == base
    stub = compact.stub_page("A &amp; B", link, "zh").decode()
    assert f'content="0; url={link}"' in stub and "<title>A &amp; B</title>" in stub


HARNESS = r"""
const src = require("fs").readFileSync(process.argv[1], "utf8");
const body = src.slice(src.indexOf("function fileOf"), src.indexOf("\n  }\n", src.indexOf("function fileOf")) + 4);
const fileOf = new Function(body + "; return fileOf;")();
const asked = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(asked.map(([id, n]) => fileOf(id, n))));
"""


@pytest.mark.skipif(NODE is None, reason="Node.js runs the viewer's hash outside a browser; the browser runs it too")
@settings(max_examples=5, deadline=None)  # each example starts Node once: many ids an example
@given(st.lists(st.tuples(st.text(min_size=1, max_size=20), st.sampled_from([1, 2, 64, 1024, 65536])), min_size=1,
                max_size=300))
def test_the_viewer_finds_the_file_the_build_put_a_customer_in(asked: list[tuple[str, int]]) -> None:
    asked = [(cid, n) for cid, n in asked if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in cid)]  # no lone halves
    done = subprocess.run([NODE or "node", "-e", HARNESS, "--", str(VIEWER_JS)], input=json.dumps(asked),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [compact.file_of(cid, n) for cid, n in asked]
