"""The filters that stay, in a real browser (Debian's Chromium through Playwright), on a site built from five weeks
of real commits by three salespeople (tests/support/history.py), one of whom has since left.

Choosing a member and a period on the dashboard turns its figures into `kehu report`'s for that member and period
(and its targets, the team's monthly pipeline and won figures into kehu's own for that member); a reload keeps
the filter; links to the other filterable pages carry it along; the report page lists the customers behind each
figure; the due and customer lists show only what the filter keeps; the handover page lists the customers of the
member who left, who stay on every other page. No request leaves 127.0.0.1 and the console stays clean."""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import QuietHandler, chromium
from tests.support.commands import kehu as kehu_in_process
from tests.support.git import commit_all
from tests.support.history import TODAY, History, make_history, set_targets

NOON = "T12:00:00+08:00"


@dataclass
class Built:
    history: History
    out: Path
    base: str = ""
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    h = make_history(tmp_path_factory.mktemp("filters") / "team")
    set_targets(h.repo, {"2026-10": {"members": {"lixia": {"won": 300000, "new_customers": 3}}},
                         "2026-11": {"team": {"won": 900000}, "members": {"lixia": {"won": 400000}}}})
    team = (h.repo.root / "team.yaml").read_text(encoding="utf-8")
    (h.repo.root / "team.yaml").write_text(team.replace("    role: sales\n  - handle: liuyang",
                                                        "    role: sales\n    active: false\n  - handle: liuyang"),
                                           encoding="utf-8")
    commit_all(h.repo.root, "zhaolei left; targets", name="刘洋", email="liuyang@example.com",
               date=f"{TODAY.isoformat()}T09:00:00+08:00")
    out = h.repo.root.parent / "site"
    env = {"KEHU_TODAY": TODAY.isoformat(), "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(h.repo.root), "build", "--out", str(out)],
                         capture_output=True, text=True, env={**_plain_env(), **env}, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Built(h, out, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


def _plain_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("KEHU_", "GIT_"))}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Browser, built: Built) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.clock.install(time=TODAY.isoformat() + NOON)
    context.on("request", lambda r: built.requests.append(r.url))
    context.route(re.compile(r"^(?!" + re.escape(built.base) + r"|data:|blob:).*"), lambda route: route.abort())
    p = context.new_page()
    p.on("console", lambda m: built.errors.append(f"{p.url}: {m.text}") if m.type == "error" else None)
    p.on("pageerror", lambda e: built.errors.append(f"{p.url}: {e}"))
    try:
        yield p
    finally:
        context.close()
    host = urlsplit(built.base).netloc
    assert [u for u in built.requests if urlsplit(u).netloc not in (host, "")] == [], "a request left the machine"
    assert built.errors == [], "console errors"


def _report(built: Built, *args: str) -> dict:
    run = kehu_in_process(built.history.repo, "report", *args, "--format", "json", today=TODAY.isoformat())
    assert run.exit_code == 0, run.stderr
    return json.loads(run.stdout)


def _figures(page: Page, prefix: str) -> dict[str, float]:
    selector = f'[data-figure^="{prefix}"]' if prefix else "[data-figure]"  # ^="" matches nothing
    values = page.eval_on_selector_all(
        selector, "els => els.map(e => [e.getAttribute('data-figure'), e.getAttribute('data-value')])")
    return {name[len(prefix):]: json.loads(value) for name, value in values}


def _ready(page: Page) -> None:
    page.wait_for_selector(".kehu-filterbar:not([hidden]) select", timeout=20_000)


def _filtered(page: Page) -> None:
    page.wait_for_selector(".kehu-filterbar.kehu-filter-on", timeout=20_000)


ACTIVITY = ("contacted", "interactions", "visits", "new_customers", "stage_moves", "won_count", "won_amount",
            "opps_opened", "opps_opened_amount", "opps_won", "opps_won_amount", "opps_lost", "opps_lost_amount",
            "complaints_opened", "complaints_resolved")


@pytest.mark.parametrize(("owner", "period", "args"), [
    ("lixia", "last_month", ("--month", "--last")),
    ("wangfang", "this_month", ("--month",)),
    ("zhaolei", "last_week", ("--week", "--last")),
])
def test_the_dashboard_filtered_by_a_member_and_a_period_says_what_kehu_report_says(page: Page, built: Built, owner,
                                                                                  period, args):
    page.goto(built.base, wait_until="load")
    _ready(page)
    team = _figures(page, "period.")
    assert {k: team[k] for k in ACTIVITY} == pytest.approx({k: _report(built, "--month")["team"][k] for k in ACTIVITY})
    page.select_option(".kehu-filterbar .kehu-filter-owner", owner)
    page.select_option(".kehu-filterbar .kehu-filter-period", period)
    _filtered(page)
    want = next(m for m in _report(built, *args, "--owner", owner)["members"] if m["handle"] == owner)
    shown = _figures(page, "period.")
    assert {k: shown[k] for k in ACTIVITY} == pytest.approx({k: want[k] for k in ACTIVITY})
    assert f"owner={owner}" in page.url and f"period={period}" in page.url
    # the book's figures for that member, as kehu's own figures count them
    forecast = json.loads(kehu_in_process(built.history.repo, "forecast", "--owner", owner, "--format", "json",
                                          today=TODAY.isoformat()).stdout)["figures"]
    book = _figures(page, "")
    for name in ("overdue", "today", "soon", "dormant", "customers", "pipeline_open", "pipeline_weighted",
                 "won_this_month_amount"):
        assert book[name] == pytest.approx(forecast[name]), name
    page.reload(wait_until="load")
    _filtered(page)
    assert page.input_value(".kehu-filterbar .kehu-filter-owner") == owner
    assert page.input_value(".kehu-filterbar .kehu-filter-period") == period
    again = _figures(page, "period.")
    assert {k: again[k] for k in ACTIVITY} == pytest.approx({k: want[k] for k in ACTIVITY})


def test_targets_and_their_gap_follow_the_filter(page: Page, built: Built):
    page.goto(built.base + "?owner=lixia&period=last_month", wait_until="load")
    _filtered(page)
    want = next(m for m in _report(built, "--month", "--last", "--owner", "lixia")["members"])
    targets = {(t["period"], t["metric"]): t for t in want["targets"]}
    shown = _figures(page, "period.target.")
    assert shown["2026-10.won"] == targets[("2026-10", "won")]["target"] == 300000
    assert shown["2026-10.won_gap"] == pytest.approx(targets[("2026-10", "won")]["gap"])
    assert shown["2026-10.new_customers_actual"] == targets[("2026-10", "new_customers")]["actual"]
    assert shown["2026-Q4.won"] == targets[("2026-Q4", "won")]["target"] == 700000  # the quarter: its months' sum
    assert shown["2026-Q4.won_actual"] == pytest.approx(targets[("2026-Q4", "won")]["actual"])


def test_the_filter_goes_along_to_the_other_pages_and_the_report_names_the_customers(page: Page, built: Built):
    page.goto(built.base + "?owner=wangfang&period=this_week", wait_until="load")
    _filtered(page)
    page.click('nav a[href*="report/"]')
    page.wait_for_url(re.compile(r"report/\?owner=wangfang&period=this_week"))
    _filtered(page)
    want = _report(built, "--week", "--owner", "wangfang")["members"][0]
    shown = _figures(page, "report.wangfang.")
    assert {k: shown[k] for k in ACTIVITY} == pytest.approx({k: want[k] for k in ACTIVITY})
    links = page.eval_on_selector_all('#kehu-report-body [data-owner="wangfang"] li a',
                                      "els => els.map(a => a.getAttribute('href'))")
    behind = {cid for name, ids in want["customers"].items() for cid in ids}
    assert {re.search(r"(C\d+)", h).group(1) for h in links} == behind


def test_due_and_customer_lists_keep_only_what_the_filter_keeps(page: Page, built: Built):
    h = built.history
    mine = {cid for cid, c in h.customers.items() if c["owner"] == "lixia"}
    page.goto(built.base + "due/?owner=lixia", wait_until="load")
    _filtered(page)
    shown = set(page.eval_on_selector_all(".kehu-due-item:not([hidden]):not(.kehu-filtered-out)",
                                          "els => els.map(e => e.getAttribute('data-id'))"))
    assert shown and shown <= mine
    page.goto(built.base + "customers/?owner=lixia", wait_until="load")
    _filtered(page)
    ids = set(page.eval_on_selector_all("#kehu-index tbody td:first-child .kehu-muted",
                                        "els => els.map(e => e.textContent)"))
    assert ids == mine
    region = next(c["region"] for c in h.customers.values() if c["owner"] == "lixia")
    page.select_option(".kehu-filterbar .kehu-filter-region", region)
    _filtered(page)
    ids = set(page.eval_on_selector_all("#kehu-index tbody td:first-child .kehu-muted",
                                        "els => els.map(e => e.textContent)"))
    assert ids == {cid for cid in mine if h.customers[cid]["region"] == region}
    page.click(".kehu-filter-clear")
    page.wait_for_function("() => !document.querySelector('.kehu-filter-on')")
    assert "owner=" not in page.url
    assert page.locator("#kehu-index tbody tr").count() == len(h.customers)


def test_the_member_who_left_is_listed_for_handover_and_stays_everywhere(page: Page, built: Built):
    theirs = {cid for cid, c in built.history.customers.items() if c["owner"] == "zhaolei" and c["stage"] != "lost"}
    page.goto(built.base + "handover/", wait_until="load")
    listed = set(page.eval_on_selector_all('.kehu-handover-group[data-owner="zhaolei"] tr[data-id]',
                                           "els => els.map(e => e.getAttribute('data-id'))"))
    assert listed == theirs
    assert "kehu handover --from zhaolei" in page.inner_text(".kehu-handover-group")
    page.goto(built.base + "customers/", wait_until="load")
    page.wait_for_selector("#kehu-index tbody tr td a")
    shown = set(page.eval_on_selector_all("#kehu-index tbody td:first-child .kehu-muted",
                                          "els => els.map(e => e.textContent)"))
    assert theirs <= shown
    assert (built.out / "handover" / "index.html").is_file()
    assert 'href="handover/"' in (built.out / "index.html").read_text(encoding="utf-8")  # in the navigation


def test_the_data_is_small(built: Built):
    size = (built.out / "assets" / "kehu" / "filters.json").stat().st_size
    assert size / len(built.history.customers) < 1500  # bytes per customer (the README says what it measures)



