"""The built site: `kehu build` and `mkdocs build --strict` on real repositories in temporary folders —
safe rendering of hostile values, masking, calendars, search index shape and size, navigation,
English labels, loud failures. (Browser behaviour is tested end to end elsewhere.)"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from icalendar import Calendar

from tests.support.customers import TODAY
from tests.support.paths import PROJECT, SCHEMA_SRC
from tests.support.site import EVIL_ID, PAYLOADS, built_pages, evil, kehu, new_repo, realistic


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """One repository (30 realistic customers, one hostile, one broken), built public and internal."""
    root = tmp_path_factory.mktemp("site") / "repo"
    repo = new_repo(root)
    for i in range(30):
        repo.write_customer(realistic(i))
    repo.write_customer(evil())
    repo.write_customer("id: C20240501999\nname: [unclosed\n", "C20240501999")
    public = kehu(root, "build", "--strict")
    internal = kehu(root, "build", "--internal")
    pages = kehu(root, "build", "--pages-only", str(root / "pages"))
    return {"root": root, "public": public, "internal": internal, "pages": pages,
            "site": root / "site", "internal_site": root / "site-internal"}


def test_build_succeeds_and_makes_a_page_per_sound_customer(built):
    assert built["public"].returncode == 0, built["public"].stderr
    assert "31 个客户" in built["public"].stdout  # the zh-CN result line (progress.yaml build-done)
    site = built["site"]
    pages = sorted(p.parent.name for p in (site / "customers").glob("*/index.html"))
    assert len(pages) == 31 and EVIL_ID in pages
    assert "C20240501999" not in pages      # the broken file is left out ...
    problems = (site / "problems" / "index.html").read_text(encoding="utf-8")
    assert "customers/C20240501999.yaml" in problems    # ... and listed on the data-problems page
    for page in ("index.html", "customers/index.html", "due/index.html", "funnel/index.html",
                 "satisfaction/index.html", "team/index.html", "team/lixia/index.html"):
        assert (site / page).is_file(), page


def test_hostile_values_render_as_text(built):
    page = (built["site"] / "customers" / EVIL_ID / "index.html").read_text(encoding="utf-8")
    main = page[page.index('<div class="kehu kehu-profile"'):]
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "javascript:" not in re.sub(r"\[x\]\(javascript:alert\(1\)\)", "", main)  # only as visible text
    assert 'href="javascript' not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main and "&lt;img src=x onerror=alert(1)&gt;" in main
    assert "{{ 7*7 }}" in main and "{% raw %}" in main and ">49<" not in main
    assert "**bold**" in main and "<strong>bold</strong>" not in main
    assert "&lt;!-- --&gt;" in main and "<!-- -->" not in main
    assert "# 标题" in main and "<h1>标题" not in main and "<pre>" not in main
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.startswith("&lt;script&gt;alert(1)&lt;/script&gt;恶意公司")


def test_hostile_values_in_the_generated_markdown(built):
    folder = built["root"] / "pages"
    text = (folder / "customers" / f"{EVIL_ID}.md").read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    meta = yaml.safe_load(front.removeprefix("---\n"))
    assert meta["title"] == html.escape(evil()["name"])
    assert body.strip().startswith("<div") and body.strip().endswith("</div>")
    assert "\n\n" not in body.strip()          # one raw HTML block: Markdown never sees a value
    for payload in PAYLOADS:
        if "<" in payload:
            assert payload not in body


def search_docs(site: Path) -> dict[str, list[str]]:
    """location -> [location, name, teaser] of every customer in the sharded index (plain text: the search
    worker escapes it)."""
    return {d[0]: d for p in (site / "search" / "kehu").glob("d*.json") for d in json.loads(p.read_text("utf-8"))}


def search_files(site: Path) -> str:
    return "".join(p.read_text("utf-8") for p in sorted((site / "search").rglob("*.json")))


def test_hostile_values_in_search_index_and_everywhere_else(built):
    entry = search_docs(built["site"])[f"customers/{EVIL_ID}/"]
    assert entry[1] == evil()["name"]  # as text; the worker escapes it (tested in the browser)
    small = json.loads((built["site"] / "search" / "search_index.json").read_text("utf-8"))["docs"]
    assert all("<" not in d["title"] + d["text"] for d in small)  # Material's own entries are HTML: escaped
    for name, text in built_pages(built["site"]).items():
        assert "<script>alert(1)" not in text and "onerror=alert(1)>" not in text, name


def test_phones_and_emails_are_masked_everywhere_by_default(built):
    site = built["site"]
    everything = "".join(built_pages(site).values()) + search_files(site)
    everything += "".join(p.read_text("utf-8") for p in (site / "calendar").glob("*.ics"))
    assert "13800138000" not in everything and "zhang.wei@example.com" not in everything
    assert "13810000001" not in everything and "u0k0@example.com" not in everything
    assert "138****8000" in everything and "z***@example.com" in everything


def test_internal_build_shows_contact_details(built):
    assert built["internal"].returncode == 0, built["internal"].stderr
    assert "INTERNAL" in built["internal"].stdout
    page = (built["internal_site"] / "customers" / EVIL_ID / "index.html").read_text(encoding="utf-8")
    assert "13800138000" in page and "zhang.wei@example.com" in page and "kehu-internal" in page
    index = search_files(built["internal_site"])
    assert "13800138000" in index and '"#38000"' in index  # the internal build finds every ending


def test_nothing_is_fetched_from_another_host(built):
    external = re.compile(r"""(?:src|href|action|poster|data)\s*=\s*["']?(?:https?:)?//"""
                          r"""|url\(\s*["']?(?:https?:)?//|@import""", re.I)
    for name, text in built_pages(built["site"]).items():
        assert not external.search(text), (name, external.search(text).group())
    css = "".join(p.read_text("utf-8", errors="replace") for p in built["site"].rglob("*.css"))
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css


def test_customer_pages_stay_out_of_the_navigation(built):
    home = (built["site"] / "index.html").read_text(encoding="utf-8")
    nav = home[home.index('<nav class="md-nav md-nav--primary"'):]
    nav = nav[: nav.index("</nav>")]
    assert "customers/C2024" not in nav and "team/lixia" not in nav
    assert "customers/" in nav and "due/" in nav and "funnel/" in nav


def test_search_index_is_shaped_and_small(built):
    site = built["site"]
    data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [d["location"] for d in data["docs"]]                    # what Material hands the worker
    assert locations and all(loc.startswith("team/") for loc in locations)
    docs = search_docs(site)
    assert len(docs) == 31 and all(loc.startswith("customers/C") for loc in docs)  # one entry per customer
    manifest = json.loads((site / "search" / "kehu" / "manifest.json").read_text("utf-8"))
    assert manifest["docs"] == 31 and manifest["phone_tail"] == 4 and "{n}" in manifest["more"]
    shards = [json.loads(p.read_text("utf-8")) for p in (site / "search" / "kehu").glob("t*.json")]
    assert len(shards) == manifest["shards"]
    terms = {t for s in shards for t in s}
    assert {"云帆", "sap", "对接", "#0001", "张伟"} <= terms
    for spelled in ("hangzhouyunfan", "yunfan", "hzyf", "yf"):                 # pinyin and initials, from any syllable
        assert any(t.startswith(spelled) for t in terms), spelled
    assert "13810000001" not in terms and "#10000001" not in terms       # only the digits the mask shows
    total = sum(p.stat().st_size for p in (site / "search").rglob("*.json"))
    assert total / 31 <= 4096                                           # on disk; a search loads a few files
    assert not re.search("[\u200b-\u200d\u2060\ufeff]", search_files(site))


def test_customers_index_data_is_compact(built):
    page = (built["site"] / "customers" / "index.html").read_text(encoding="utf-8")
    raw = re.search(r'<script type="application/json" id="kehu-customers-data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(raw)
    assert len(data["rows"]) == 31
    assert len(raw.encode("utf-8")) / 31 <= 300
    assert "</script" not in raw and "<script" not in raw     # the hostile name cannot close the element
    row = next(r for r in data["rows"] if r[0] == "C20240501001")
    assert row[2].startswith("hangzhouyunfan") and row[3].startswith("hzyf")


def test_due_page_carries_build_date_and_due_dates(built):
    page = (built["site"] / "due" / "index.html").read_text(encoding="utf-8")
    assert f'data-built="{TODAY}"' in page and 'data-tz="Asia/Shanghai"' in page
    item = re.search(rf'<span class="kehu-due-item" data-due="2024-06-01" data-hold="" data-bucket="today" '
                     rf'data-id="{EVIL_ID}"', page)
    assert item is not None


def test_calendars_are_valid_icalendar(built):
    feed = (built["site"] / "calendar" / "lixia.ics").read_bytes()
    cal = Calendar.from_ical(feed)
    events = cal.walk("VEVENT")
    assert events and cal["VERSION"] == "2.0" and cal["PRODID"]
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)) and f"{EVIL_ID}-followup@kehu" in uids
    evil_event = next(e for e in events if str(e["UID"]).startswith(EVIL_ID))
    assert evil_event["DTSTART"].dt.isoformat() == TODAY
    assert all(e.get("DTSTAMP") for e in events)
    # a second build gives the same UIDs: calendar apps update events instead of duplicating them
    again = Calendar.from_ical((built["internal_site"] / "calendar" / "lixia.ics").read_bytes())
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(uids)


def test_pages_only_writes_plain_files(built):
    assert built["pages"].returncode == 0, built["pages"].stderr
    folder = built["root"] / "pages"
    assert len(list((folder / "customers").glob("*.md"))) == 31
    assert (folder / "calendar" / "lixia.ics").is_file() and (folder / "assets" / "kehu" / "kehu.js").is_file()
    customer = (folder / "customers" / "C20240501001.md").read_text(encoding="utf-8")
    assert "exclude: true" not in customer.split("\n---\n")[0]    # a builder without the plugin indexes it
    assert "exclude: true" in (folder / "customers.md").read_text(encoding="utf-8").split("\n---\n")[0]


def test_pages_only_refuses_a_folder_it_did_not_write(built, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    run = kehu(built["root"], "build", "--pages-only", str(tmp_path))
    assert run.returncode == 2 and "kehu build" in run.stderr and "Traceback" not in run.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


# --- English, failures, the demo repository ------------------------------------------------------------


def test_english_locale(tmp_path):
    root = tmp_path / "repo"
    repo = new_repo(root, {"locale": "en", "site": {"title": "Customers"}})
    repo.write_customer(realistic(1))
    run = kehu(root, "build")
    assert run.returncode == 0, run.stderr
    site = root / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in home and "Dashboard" in home and "Open pipeline (CNY)" in home
    profile = (site / "customers" / "C20240501001" / "index.html").read_text(encoding="utf-8")
    assert "Timeline" in profile and "Contacts" in profile and "Contacted" in profile
    # what an empty table says (kehu.js writes it from the page's words) and the search worker's words
    assert '<span data-key="no_data">No data</span>' in profile and "暂无" not in profile
    manifest = json.loads((site / "search" / "kehu" / "manifest.json").read_text("utf-8"))
    assert manifest["more"].startswith("{n} more results")
    due = (site / "due" / "index.html").read_text(encoding="utf-8")
    assert "Due follow-ups" in due and "Next 7 days" in due


def test_missing_segmenter_fails_loudly(tmp_path):
    root = tmp_path / "repo"
    new_repo(root).write_customer(realistic(1))
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "rjieba.py").write_text("raise ImportError('rjieba is not installed here')\n")
    env = {"PYTHONPATH": os.pathsep.join([str(shadow), os.environ.get("PYTHONPATH", "")])}
    run = kehu(root, "build", env=env)
    assert run.returncode == 2 and "rjieba" in run.stderr and "pip install rjieba" in run.stderr
    assert "Traceback" not in run.stderr and not (root / "site").exists()


def test_invalid_kehu_yaml_changes_nothing(tmp_path):
    root = tmp_path / "repo"
    new_repo(root).write_customer(realistic(1))
    assert kehu(root, "build").returncode == 0
    before = (root / "site" / "index.html").read_text(encoding="utf-8")
    (root / "kehu.yaml").write_text("due_soon_days: soon\n", encoding="utf-8")
    run = kehu(root, "build")
    assert run.returncode == 2 and "kehu.yaml" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) <= 2
    assert (root / "site" / "index.html").read_text(encoding="utf-8") == before


def test_demo_repository_builds_strict(tmp_path):
    """`mkdocs build --strict` on a copy of this repository's demo data and mkdocs.yml."""
    root = tmp_path / "demo"
    root.mkdir()
    for name in ("customers", "schema", "site_templates"):
        shutil.copytree(PROJECT / name, root / name)
    for name in ("team.yaml", "kehu.yaml", "mkdocs.yml"):
        shutil.copy(PROJECT / name, root / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.update(KEHU_TODAY="2026-12-01", NO_MKDOCS_2_WARNING="1")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root, capture_output=True,
                         text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    from kehu.book.checker import check
    from kehu.repo.repository import open_repo
    from kehu.util.problems import Severity

    result = check(open_repo(root), use_cache=False, jobs=1)
    broken = {p.file for p in result.problems if p.severity is Severity.ERROR}
    sound = {p.stem for p in (root / "customers").glob("*.yaml") if f"customers/{p.name}" not in broken}
    built = {p.parent.name for p in (root / "site" / "customers").glob("*/index.html")}
    assert sound and built == sound


# --- icons: drawn by kehu.css, not inlined in every page -------------------------------------------------

KEHU_CSS = PROJECT / "site_templates" / "static" / "assets" / "kehu" / "kehu.css"


def test_every_icon_a_template_names_is_drawn_by_kehu_css():
    from kehu.site.render import CSS_ICONS, icon

    css = KEHU_CSS.read_text(encoding="utf-8")
    named = set()
    for path in (PROJECT / "site_templates").glob("*.j2"):
        named |= set(re.findall(r'icon\("([a-z0-9/-]+)"\)', path.read_text(encoding="utf-8")))
    assert named and named <= CSS_ICONS
    for name in CSS_ICONS:
        short = name.split("/")[1]
        assert re.search(rf"\.kehu-i-{short} \{{ --kehu-icon: url\(\"data:image/svg\+xml", css), name
        assert str(icon(name)) == f'<span class="kehu-icon kehu-i-{short}" aria-hidden="true"></span>'
    # an icon kehu.css does not draw is still shown, inlined; a malformed name gives nothing
    assert str(icon("material/phone")).startswith('<svg class="kehu-icon" aria-hidden="true"')
    assert str(icon("../etc/passwd")) == ""


def test_every_channel_has_its_own_icon_in_kehu_css():
    css = KEHU_CSS.read_text(encoding="utf-8")
    schema = json.loads((SCHEMA_SRC / "customer.schema.json").read_text(encoding="utf-8"))
    channels = [c["const"] for c in schema["$defs"]["channel"]["x-terms"]]
    drawn = set(re.findall(r"\.kehu-channel-([a-z_]+) \.kehu-icon \{ --kehu-icon: url\(\"data:", css))
    assert set(channels) - {"other"} <= drawn  # "other" (and any unknown key) gets the default icon
    assert re.search(r"\.kehu-channel \.kehu-icon \{[^}]*--kehu-icon: url\(\"data:", css)
    assert not re.search(r"url\((?!\"data:)", css)  # the icons make no request either
