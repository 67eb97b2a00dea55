"""记录跟进 in a real browser: the profile page's button, a due item's button and a reminder's link open the forge's
log form with the customer and the salesperson filled in.

The forge is a server on 127.0.0.1 that answers ``/acme/crm/issues/new`` as GitHub does for an issue form: the
form of ``.github/ISSUE_TEMPLATE/<template>`` with each input whose id is a query parameter filled in. The site is
built by the real ``kehu build`` with ``site.repo_url`` pointing there; the reminder is what ``kehu remind``
would send to a WeCom robot.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import kehu as kehu_package
import pytest
import yaml
from kehu.git.forms import form_files
from kehu.site.render import THEME_OVERRIDES, bundled_templates
from playwright.sync_api import Browser, Page

from tests.support.browser import QuietHandler, chromium
from tests.support.customers import TODAY, customer_dict
from tests.support.site import kehu, new_repo

ID = "C20240501001"


def _serve(handler: type[http.server.BaseHTTPRequestHandler] | functools.partial[QuietHandler]
           ) -> http.server.HTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class World:
    site: str          # the built site's address
    forge: str         # the forge's address (repo_url)
    reminder: str      # the markdown a WeCom robot would get


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    forms: dict[str, bytes] = {}

    class Forge(http.server.BaseHTTPRequestHandler):
        """GitHub's 'new issue' page for an issue form, as far as pre-filling goes."""

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            form = yaml.safe_load(forms.get(f".github/ISSUE_TEMPLATE/{query.get('template')}", b"{}")) or {}
            if url.path != "/acme/crm/issues/new" or not form:
                self.send_error(404)
                return
            rows = [f'<h1 id="form-name">{html.escape(form["name"])}</h1>',
                    f'<input id="title" value="{html.escape(query.get("title", ""))}">']
            for item in form["body"]:
                if item["type"] == "input":
                    value = html.escape(query.get(item["id"], ""))
                    rows.append(f'<label>{html.escape(item["attributes"]["label"])}'
                                f'<input id="{item["id"]}" value="{value}"></label>')
            data = ("<!doctype html><meta charset=utf-8><title>new issue</title>" + "".join(rows)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    forge = _serve(Forge)
    forge_url = f"http://127.0.0.1:{forge.server_address[1]}/acme/crm"
    root = tmp_path_factory.mktemp("button") / "crm"
    repo = new_repo(root, {"site": {"repo_url": forge_url, "forge": "github", "edit_uri": "edit/main/"}})
    due = customer_dict(next_action={"date": TODAY, "action": "发送报价单"})
    repo.write_customer(due, ID)
    forms.update(form_files(repo.open()))
    built = kehu(root, "build", "--out", str(root / "site"))
    assert built.returncode == 0, built.stdout + built.stderr
    reminded = kehu(root, "remind", "--owner", "lixia", "--webhook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                    "--kind", "wecom", "--dry-run")
    assert reminded.returncode == 0, reminded.stdout + reminded.stderr
    payload = json.loads(reminded.stdout[reminded.stdout.index("{"):reminded.stdout.rindex("}") + 1])
    site = _serve(functools.partial(QuietHandler, directory=str(root / "site")))
    try:
        yield World(f"http://127.0.0.1:{site.server_address[1]}/", forge_url, payload["markdown"]["content"])
    finally:
        for server in (site, forge):
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def _the_form_is_filled(page: Page, world: World) -> None:
    page.wait_for_url(re.compile(re.escape(world.forge) + r"/issues/new\?"))
    assert page.locator("#form-name").inner_text() == "记录跟进"
    assert page.locator("#customer").input_value() == ID
    assert page.locator("#by").input_value() == "lixia"
    assert page.locator("#title").input_value().startswith("记录跟进：")


def test_the_profile_button_opens_the_filled_form(world: World, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(world.site + f"customers/{ID}/")
    button = page.locator("a.kehu-log-button")
    assert button.count() == 1 and button.inner_text() == "记录跟进"
    button.click()
    _the_form_is_filled(page, world)


def test_a_due_item_button_opens_the_filled_form(world: World, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(world.site + "due/")
    row = page.locator(f'tr.kehu-due-row[data-id="{ID}"]').first
    row.locator("a.kehu-log-button").click()
    _the_form_is_filled(page, world)


def test_a_reminder_link_opens_the_filled_form(world: World, browser: Browser) -> None:
    links = re.findall(r"\[记录跟进\]\((\S+?)\)", world.reminder)
    assert links, world.reminder
    page = browser.new_page()
    page.goto(links[0])
    _the_form_is_filled(page, world)


def test_without_a_forge_address_there_is_no_button(tmp_path: Path) -> None:
    root = tmp_path / "crm"
    repo = new_repo(root)
    repo.write_customer(customer_dict(next_action={"date": TODAY, "action": "发送报价单"}), ID)
    built = kehu(root, "build", "--out", str(root / "site"))
    assert built.returncode == 0, built.stderr
    profile = (root / "site" / "customers" / ID / "index.html").read_text(encoding="utf-8")
    due = (root / "site" / "due" / "index.html").read_text(encoding="utf-8")
    assert "kehu-log-button" not in profile and "kehu-log-button" not in due
    reminded = kehu(root, "remind", "--owner", "lixia", "--webhook", "https://example.invalid/hook", "--kind",
                    "wecom", "--dry-run")
    assert reminded.returncode == 0 and "记录跟进" not in reminded.stdout, reminded.stdout + reminded.stderr


def test_mkdocs_repo_url_sends_nothing_to_the_forge(tmp_path: Path, browser: Browser) -> None:
    """MkDocs' own ``repo_url`` puts Material's repository link in the header, whose script would ask
    api.github.com for stars and forks; kehu's partial keeps the link and the site asks no other host."""
    root = tmp_path / "crm"
    repo = new_repo(root)
    shipped = Path(kehu_package.__file__).parent / "data" / "init" / "mkdocs.yml"  # what `kehu init` writes
    mkdocs = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    # the site's static pages in a folder of the repository (a docs_dir outside it is refused: see Safety)
    shutil.copytree(bundled_templates() / "static", root / "docs", dirs_exist_ok=True)
    mkdocs.update(docs_dir="docs", repo_url="https://github.com/acme/crm")
    (root / "mkdocs.yml").write_text(yaml.safe_dump(mkdocs, allow_unicode=True), encoding="utf-8")
    repo.write_customer(customer_dict(next_action={"date": TODAY, "action": "发送报价单"}), ID)
    built = kehu(root, "build", "--out", str(root / "site"))
    assert built.returncode == 0, built.stdout + built.stderr
    site = _serve(functools.partial(QuietHandler, directory=str(root / "site")))
    base = f"http://127.0.0.1:{site.server_address[1]}/"
    elsewhere: list[str] = []
    try:
        context = browser.new_context()
        context.route(re.compile(r"^(?!" + re.escape(base) + r"|data:|blob:).*"),
                      lambda route: (elsewhere.append(route.request.url), route.abort()))
        page = context.new_page()
        for path in ("", f"customers/{ID}/", "due/"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            link = page.locator("header a.md-source")
            assert link.count() == 1 and link.get_attribute("href") == "https://github.com/acme/crm"
        context.close()
    finally:
        site.shutdown()
        site.server_close()
    assert elsewhere == []


def test_material_would_ask_the_forge_without_kehus_partial() -> None:
    """The failing twin: Material's own partial carries the component whose script calls the forge's API, so the
    test above holds because of kehu's partial, not by chance."""
    import material

    theirs = (Path(material.__file__).parent / "templates" / "partials" / "source.html").read_text(encoding="utf-8")
    ours = (bundled_templates() / THEME_OVERRIDES / "partials" / "source.html").read_text(encoding="utf-8")
    assert 'data-md-component="source"' in theirs
    assert 'data-md-component="source"' not in ours and 'class="md-source"' in ours
