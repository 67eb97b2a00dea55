"""Hostile and careless input, second round (issue 21): what a hostile branch, a hostile spreadsheet and a careless
administrator still got through. Each class has the reported case and a sibling (another encoding, another file,
another command); every refusal is one line in the team's language, never an internal error or a traceback, and
leaves every file byte-identical; nothing is executed, no request goes to another host (servers on 127.0.0.1),
and bounded work is run under a memory limit."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.scenarios.test_safety import snapshot
from tests.support.commands import commit, kehu, team_repo
from tests.support.customers import TODAY, customer_dict, other_customer
from tests.support.git import commit_all, git

MEMORY_LIMIT = 1536 * 1024 * 1024  # address space of a command run under a limit (kehu itself needs ~400 MB)


def one_line_error(stderr: str, *expected: str) -> str:
    """The one line a refusal prints (the team's language, never a traceback or an internal error)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith(("kehu: 错误：", "kehu: error: ")), line
    assert "Traceback" not in stderr and "内部错误" not in line and "internal error" not in line, line
    for text in expected:
        assert text in line, (text, line)
    return line


def limited_kehu(root: Path, *args: str, env: dict[str, str] | None = None,
                 limit: int = MEMORY_LIMIT) -> subprocess.CompletedProcess[str]:
    """``kehu -C root ARGS`` in a process whose address space is limited (RLIMIT_AS): bounded work or no work."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    full = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    full.update({"KEHU_TODAY": TODAY, "KEHU_LOCALE": "zh-CN"}, **(env or {}))
    return subprocess.run([sys.executable, "-m", "kehu", "-C", str(root), *args], capture_output=True, text=True,
                          env=full, timeout=300, preexec_fn=cap)


# --- privacy: a customer's own contact details, wherever they are repeated -------------------------------------

WECHAT = "zw_hk2024"
HK_MOBILE = "+85291234567"
PRIVATE = customer_dict(
    id="C20240501001", owner="lixia", stage="negotiating",
    contacts=[{"name": "张伟", "title": "采购经理", "phone": HK_MOBILE, "wechat": WECHAT, "primary": True},
              {"name": "陈立", "phone": "13800138000", "wechat": "chenli_0755"}],
    interactions=[{"date": "2024-05-28", "channel": "wechat", "by": "lixia",
                   "summary": f"加了微信 {WECHAT}，香港手机 +852 9123 4567，客户要求发报价"}],
    next_action={"date": "2024-05-30", "action": f"打 9123-4567 或微信 {WECHAT.upper()} 确认报价"},
    complaints=[{"date": "2024-05-12", "category": "交付", "content": "陈立（微信 chenli_0755）反映发票延迟",
                 "handler": "lixia", "status": "open"}],
)
# what must appear nowhere a wide audience reads; the last digits (4567) and a masked form stay
HIDDEN = [WECHAT, WECHAT.upper(), "chenli_0755", "91234567", "9123 4567", "9123-4567", "+852 9123", HK_MOBILE,
          "13800138000"]


@pytest.fixture(scope="module")
def private_repo(tmp_path_factory: pytest.TempPathFactory):
    from tests.support.customers import TEAM_YAML
    from tests.support.team_repo import TeamRepo

    repo = TeamRepo.create(tmp_path_factory.mktemp("private") / "repo", TEAM_YAML)
    git(repo.root, "init", "-q", "-b", "main")
    repo.write_customer(PRIVATE)
    assert repo.check().errors == 0, [p.message for p in repo.check().problems]
    commit(repo, "a customer with a WeChat id and a Hong Kong mobile")
    return repo


def _leaks(blob: str) -> list[str]:
    return [secret for secret in HIDDEN if secret in blob]


def test_the_masked_site_hides_repeated_contact_details_on_every_page_calendar_and_index(private_repo):
    from kehu.site.generate import generate

    site = generate(private_repo.open(), internal=False, directory_urls=True, search_pages=True)
    for src, text in site.pages.items():
        assert _leaks(text) == [], src
    for src, data in site.files.items():  # calendars, the search shards, the filter data
        assert _leaks(data.decode("utf-8", "replace")) == [], src
    profile = site.pages["customers/C20240501001.md"]
    assert "****4567" in profile and "+852****4567" in profile and "zw***" in profile  # shown masked, not dropped
    due = next(text for src, text in site.pages.items() if src.startswith("due"))
    assert "确认报价" in due and "****4567" in due
    from kehu.site.search import build_index

    shards = build_index([item.entry for item in site.search if item.entry is not None], **site.search_options)
    index = "".join(data.decode("utf-8") for data in shards.values())
    assert _leaks(index) == []
    assert "4567" in index and "91234567" not in index and "1234567" not in index  # only the digits shown
    internal = generate(private_repo.open(), internal=True, directory_urls=True, search_pages=True)
    assert WECHAT in internal.pages["customers/C20240501001.md"]  # the team's own build shows everything


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_mask_hides_them_too(private_repo, tmp_path, fmt):
    out = tmp_path / ("out.json" if fmt == "json" else "out")
    assert kehu(private_repo, "export", "--format", fmt, "--mask", "--out", str(out)).exit_code == 0
    blob = out.read_text(encoding="utf-8") if fmt == "json" else "".join(
        p.read_text(encoding="utf-8-sig") for p in out.iterdir())
    assert _leaks(blob) == []
    assert "发票延迟" in blob and "zw***" in blob


def test_show_mask_and_the_group_chat_reminder_hide_them(private_repo):
    shown = kehu(private_repo, "show", "C20240501001", "--mask")
    assert shown.exit_code == 0, shown.stderr
    assert _leaks(shown.stdout) == []
    dry = kehu(private_repo, "remind", "--owner", "lixia", "--webhook", "http://127.0.0.1:9/robot/send?key=k",
               "--kind", "wecom", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "确认报价" in dry.stdout and _leaks(dry.stdout) == []


def test_masking_knows_the_books_details_in_every_writing(private_repo):
    """A sibling on the policy itself: full-width digits, another spacing, another case, another customer's text."""
    from kehu.core.privacy import Masking

    repo = private_repo.open()
    from kehu.book.loader import open_book

    masking = Masking.of(repo.config, wide=True).knowing(open_book(repo).customers)
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in "9123 4567")
    for text in (f"电话 {wide}", "(852) 9123-4567", "微信号：ZW_HK2024。", "另一位客户说：chenli_0755 已离职",
                 "+44 20 7946 0958 是伦敦办公室"):
        masked = masking.text(text)
        assert not any(d in masked for d in ("91234567", "9123 4567", "ZW_HK2024", "chenli_0755", "7946 0958")), masked
    assert masking.text("合同金额 120000 元，2024-05-01 签约") == "合同金额 120000 元，2024-05-01 签约"
    assert masking.text("zw_hk20245 是另一个账号") == "zw_hk20245 是另一个账号"  # a longer word is another word


# --- the files MkDocs reads: docs/ and mkdocs.yml ------------------------------------------------------------


@pytest.fixture
def site_repo(make_repo):
    """A team repository with the mkdocs.yml and docs/ `kehu init` writes."""
    from kehu.commands.init import static_files

    repo = team_repo(make_repo, others=[other_customer()])
    files = static_files()
    repo.write("mkdocs.yml", files["mkdocs.yml"])
    (repo.root / "docs").mkdir(exist_ok=True)
    repo.write("docs/handbook.md", "# 销售手册\n")
    return repo


@pytest.mark.parametrize(("link", "target"), [("docs/leak", "../customers"), ("docs/config.txt", "../.git/config"),
                                              ("docs/sub/c.yaml", "../../customers/C20240501001.yaml")])
def test_a_link_in_docs_is_never_published(site_repo, tmp_path, link, target):
    path = site_repo.root / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    before = snapshot(site_repo.root)
    out = tmp_path / "site"
    result = kehu(site_repo, "build", "--out", str(out))
    assert result.exit_code == 2
    one_line_error(result.stderr, link)
    assert not out.exists() and snapshot(site_repo.root) == before


@pytest.mark.parametrize("docs_dir", ["customers", ".", "..", "/etc", ".git", "schema"])
def test_mkdocs_may_not_make_the_site_from_the_sources(site_repo, tmp_path, docs_dir):
    text = (site_repo.root / "mkdocs.yml").read_text(encoding="utf-8")
    site_repo.write("mkdocs.yml", text.replace("docs_dir: docs", f"docs_dir: '{docs_dir}'"))
    result = kehu(site_repo, "build", "--out", str(tmp_path / "site"))
    assert result.exit_code == 2
    one_line_error(result.stderr, "mkdocs.yml", "docs_dir")


def test_codeowners_needs_a_manager_for_the_sites_own_files(site_repo):
    team = (site_repo.root / "team.yaml").read_text(encoding="utf-8")
    site_repo.write("team.yaml", team.replace("    role: manager", "    git: liuyang-mgr\n    role: manager"))
    assert kehu(site_repo, "codeowners").exit_code == 0
    rules = (site_repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8").splitlines()
    for folder in ("/docs/", "/overrides/", "/mkdocs.yml"):
        assert any(line.split()[0] == folder for line in rules if line and not line.startswith("#")), folder


BILLION_LAUGHS = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9 if i else ['"lol"'] * 9) + "]\n"
                         for i in range(10))


@pytest.mark.parametrize(("addition", "named"), [
    ('x: !!python/object/apply:os.system ["touch {marker}"]\n', "!!python/object/apply:os.system"),
    ('x: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]\n', "!!python/object/new:subprocess.Popen"),
    ("x: !!python/name:os.system\n", "!!python/name:os.system"),
    ("hooks: [docs/evil.py]\n", "hooks"),
    ("INHERIT: ../../elsewhere.yml\n", "INHERIT"),
    ("extra:\n  token: !ENV GITHUB_TOKEN\n", "GITHUB_TOKEN"),
    (BILLION_LAUGHS, "100000"),
    ("loop: &a [*a]\n", "mkdocs.yml"),
    ("x: " + "[" * 600 + "]" * 600 + "\n", "mkdocs.yml"),
])
def test_a_hostile_mkdocs_yml_is_refused_before_mkdocs_reads_it(site_repo, tmp_path, addition, named):
    marker = tmp_path / "pwned"
    (site_repo.root / "docs" / "evil.py").write_text(f"open({str(marker)!r}, 'w')\n", encoding="utf-8")
    text = (site_repo.root / "mkdocs.yml").read_text(encoding="utf-8")
    site_repo.write("mkdocs.yml", text + addition.replace("{marker}", str(marker)))
    before = snapshot(site_repo.root)
    for args in (("build", "--out", str(tmp_path / "site")), ("serve", "--dev-addr", "127.0.0.1:0")):
        run = limited_kehu(site_repo.root, *args)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        one_line_error(run.stderr, "mkdocs.yml", named)
        assert not marker.exists() and not (tmp_path / "site").exists()
    assert snapshot(site_repo.root) == before


def test_the_tags_mkdocs_and_material_document_still_build(site_repo, tmp_path):
    text = (site_repo.root / "mkdocs.yml").read_text(encoding="utf-8")
    site_repo.write("mkdocs.yml", text + (
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"
        "  - toc:\n      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}\n"
        "extra:\n  version: !ENV [KEHU_SITE_VERSION, '1']\n  logo_dir: !relative $config_dir\n"))
    from kehu.repo.mkdocsfile import check_mkdocs_file
    from kehu.words.catalogue import Locale

    checked = check_mkdocs_file(site_repo.root, Locale())
    assert checked is not None and checked.docs_dir == "docs" and checked.custom_dir is None
    result = kehu(site_repo, "build", "--pages-only", str(tmp_path / "pages"))
    assert result.exit_code == 0, result.stderr


# --- remind: secrets, redirects, addresses ---------------------------------------------------------------------


class Robot:
    """A group-robot endpoint on 127.0.0.1 that records every request; answers ``status`` (a redirect to
    ``location`` when given) or errcode 0."""

    def __init__(self, status: int = 200, location: str | None = None) -> None:
        self.requests: list[tuple[str, str]] = []
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                size = int(self.headers.get("Content-Length", "0") or 0)
                self.rfile.read(size)
                robot.requests.append((self.command, self.path))
                body = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robots() -> Iterator[list[Robot]]:
    made: list[Robot] = []
    yield made
    for r in made:
        r.close()


REMIND_TEAM = """\
members:
  - handle: lixia
    name: 李霞
    email: lixia@example.com
    role: sales
    remind:
      - {kind: wecom, webhook_env: KEHU_WECOM_LIXIA}
  - handle: wangfang
    name: 王芳
    email: wangfang@example.com
    role: sales
    remind:
      - {kind: dingtalk, webhook_env: KEHU_DING_WANGFANG, secret_env: KEHU_DING_SECRET}
"""
DUE_LIXIA = customer_dict(id="C20240501001", owner="lixia", stage="contacted")
DUE_WANGFANG = other_customer(id="C20240502001", owner="wangfang", stage="contacted",
                              interactions=[{"date": "2024-05-01", "channel": "call", "by": "wangfang",
                                             "summary": "初次沟通数据平台需求"}])


@pytest.fixture
def remind_repo(make_repo):
    repo = make_repo(team=REMIND_TEAM)
    return team_repo(lambda: repo, commented=False, others=[DUE_LIXIA, DUE_WANGFANG])


KEY = "a3f9c2e4-5b6d-4e8f-9a0b-1c2d3e4f5a6b"


@pytest.mark.parametrize("broken", [
    "{url}?key=" + KEY[:18] + "\n" + KEY[18:],      # pasted with a line break in the middle
    KEY,                                             # the key alone, not the URL
    "{url}?key=" + KEY + " {url}?key=other",         # two values in one
])
def test_a_broken_webhook_secret_is_one_line_without_it_and_the_others_still_get_theirs(remind_repo, robots, broken):
    ok, bad = Robot(), Robot()
    robots += [ok, bad]
    env = {"KEHU_WECOM_LIXIA": broken.replace("{url}", bad.url("/cgi-bin/webhook/send")),
           "KEHU_DING_WANGFANG": ok.url("/robot/send?access_token=tok-ding-123"), "KEHU_DING_SECRET": "SECsecret9"}
    result = kehu(remind_repo, "remind", env=env)
    assert result.exit_code == 1, result.stderr
    assert len(ok.requests) == 1  # wangfang got hers
    problems = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(problems) == 1 and "李霞" in problems[0] and "企业微信" in problems[0], result.stderr
    out = result.stdout + result.stderr
    for piece in (KEY, KEY[:18], KEY[18:], KEY[:12], "tok-ding-123", "SECsecret9"):
        assert piece not in out, piece
    assert "Traceback" not in out and "内部错误" not in out


def test_a_paste_ending_in_a_line_break_is_still_delivered_and_the_key_never_shown(remind_repo, robots):
    """The sibling that must keep working: a secret store keeps the newline a paste ends with; kehu trims it."""
    lixia, wangfang = Robot(), Robot()
    robots += [lixia, wangfang]
    env = {"KEHU_WECOM_LIXIA": lixia.url("/cgi-bin/webhook/send") + "?key=" + KEY + "\n",
           "KEHU_DING_WANGFANG": wangfang.url("/robot/send?access_token=tok-ding-123"),
           "KEHU_DING_SECRET": "SECsecret9"}
    result = kehu(remind_repo, "remind", env=env)
    assert result.exit_code == 0, result.stderr
    assert len(lixia.requests) == 1 and lixia.requests[0][1].endswith("key=" + KEY)
    out = result.stdout + result.stderr
    for piece in (KEY, KEY[:18], "tok-ding-123", "SECsecret9"):
        assert piece not in out, piece


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_robot_that_redirects_is_a_failure_naming_the_host_and_nothing_follows(remind_repo, robots, status):
    elsewhere = Robot()
    redirecting = Robot(status=status, location=elsewhere.url("/collect", host="localhost"))
    robots += [elsewhere, redirecting]
    result = kehu(remind_repo, "remind", "--owner", "lixia", "--webhook",
                  redirecting.url("/cgi-bin/webhook/send?key=k"), "--kind", "wecom")
    assert result.exit_code == 1
    assert elsewhere.requests == [] and len(redirecting.requests) == 1
    assert "localhost" in result.stderr and str(status) in result.stderr and "已发送" not in result.stdout


@pytest.mark.parametrize("address", ["lixia@example.com\r\nBcc: evil@example.net", "lixia@example.com\nx",
                                     "lixia@example.com, evil@example.net"])
def test_an_address_that_would_add_mail_headers_is_refused_by_check_and_never_sent(make_repo, address):
    team = REMIND_TEAM.replace("      - {kind: wecom, webhook_env: KEHU_WECOM_LIXIA}",
                               f"      - {{kind: email, to: {json.dumps(address)}}}")
    repo = team_repo(lambda: make_repo(team=team), commented=False, others=[DUE_LIXIA])
    run = repo.check_json()
    bad = [p for p in run.problems if p["file"] == "team.yaml"]
    if "," in address:  # one line, but two addresses: refused where it is sent
        assert bad == [], bad
        result = kehu(repo, "remind", "--owner", "lixia", env={"KEHU_SMTP_HOST": "127.0.0.1", "KEHU_SMTP_PORT": "9",
                                                              "KEHU_SMTP_FROM": "crm@example.com"})
        assert result.exit_code == 1 and "lixia" in result.stderr and "Traceback" not in result.stderr
        return
    assert run.returncode == 1 and [p["code"] for p in bad] == ["control-character"] and bad[0]["line"] == 7
    before = snapshot(repo.root)
    one_line_error(kehu(repo, "remind").stderr, "team.yaml")
    assert snapshot(repo.root) == before


@pytest.mark.parametrize(("field", "value"), [("name", "\u202e霞李"), ("name", "\u200b\u200b"),
                                              ("email", "lixia@example.com\r\n"), ("git", "lixia\u2066")])
def test_a_team_yaml_value_with_a_control_or_bidi_character_fails_check(make_repo, field, value):
    team = yaml.safe_load(REMIND_TEAM)
    team["members"][0][field] = value
    repo = make_repo(team=yaml.safe_dump(team, allow_unicode=True))
    run = repo.check_json()
    assert run.returncode == 1
    found = [p for p in run.problems if p["file"] == "team.yaml"]
    assert found and found[0]["code"] in ("control-character", "invisible-text", "bad-pattern"), found
    assert f"members[0].{field}" in found[0]["message"] or found[0]["code"] == "bad-pattern"


# --- the review comment and CI annotations (a hostile pull request) --------------------------------------------

MENTIONS = ["&commat;lixia-sales", "&#64;org/team", "&#x40;lixia", "＠lixia-sales", "﹫org/team", "@\u200blixia",
            "@lixia-sales", "@org/team"]
LINKS = ["https://evil.example/pay", "www.evil.example", "mailto:x@evil.example", "[点我](https://evil.example)"]


def _rendered_links_and_mentions(markdown: str) -> tuple[list[str], list[str]]:
    """What a Markdown renderer makes of the comment: the links it renders, and the text that would read as a
    @mention (an @ that is directly followed by a user name after entities are decoded)."""
    import re

    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    links = re.findall(r"<a href", html)
    import html as html_lib

    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    mentions = re.findall(r"(?<![\w@])[@\uff20\ufe6b][A-Za-z0-9-]+(?:/[A-Za-z0-9-]+)?", text)
    bare = re.findall(r"(?i)\b(?:https?://|www\.)[^\s\u2060]*", text)
    return links + bare, mentions


def test_the_change_summary_keeps_mentions_and_links_inert_however_written(make_repo):
    repo = team_repo(make_repo)
    summary = "，".join(MENTIONS + LINKS)
    repo.write_customer(customer_dict(interactions=[
        {"date": "2024-05-01", "channel": "call", "by": "lixia", "summary": "沟通Q2续约需求，客户对售后服务满意"},
        {"date": "2024-05-20", "channel": "call", "by": "lixia", "summary": "客户说 " + summary}]))
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "hostile", name="@org/team &commat;lixia-sales https://evil.example",
        email="evil@example.net")
    result = kehu(repo, "diff", "HEAD~1...HEAD", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    links, mentions = _rendered_links_and_mentions(result.stdout)
    assert links == [] and mentions == [], (links, mentions)
    assert "客户说" in result.stdout and "org/team" in result.stdout  # shown, as text


@pytest.mark.parametrize("name", ["C1\n::stop-commands::pwned\n::notice::injected.yaml",
                                  "C1\r::error file=x::forged.yaml", "C1%0A::notice::x.yaml"])
def test_check_github_format_never_prints_a_workflow_command_of_its_own(make_repo, name):
    repo = team_repo(make_repo)
    (repo.customers / name).write_bytes((repo.customers / "C20240501001.yaml").read_bytes())
    repo.write_customer(other_customer(notes="第一行\n::warning::伪造的注释\n%0A::error::x"))
    result = repo.kehu("check", "--format", "github")
    lines = result.stdout.rstrip("\n").split("\n")  # as a runner reads them: a CR inside a line would be a fault
    commands = [line for line in lines if line.startswith("::")]
    assert all(line.startswith(("::error ", "::warning ")) for line in commands), commands
    assert len(commands) + 1 == len(lines), lines  # every other line is the summary
    # a line GitHub reads as a command starts with "::"; inside a message "::" is text
    assert not any(line.startswith(("::notice", "::stop-commands")) for line in lines), lines
    assert all(not any(ch in line for ch in "\r\x85\u2028\u2029") for line in lines), lines
    if not name.isprintable():
        bad = [line for line in commands if "title=bad-file-name" in line]
        assert len(bad) == 1, commands


# --- spreadsheets: bounded work --------------------------------------------------------------------------------


def _sheet(path: Path, far_cell: str | None = None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["客户名称", "手机号", "负责人"])
    sheet.append(["宁波海曙贸易有限公司", "13900001111", "lixia"])
    if far_cell:
        sheet[far_cell] = "x"
    book.save(path)
    return path


def _shared_strings_bomb(path: Path, unpacked_mb: int) -> Path:
    """A small valid xlsx whose shared strings unpack to ``unpacked_mb`` MB (one long string)."""
    _sheet(path)
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    blob = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    blob += b"A" * (unpacked_mb * 1024 * 1024) + b"</t></si></sst>"
    parts["xl/sharedStrings.xml"] = blob
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


def _far_xls(path: Path) -> Path:
    """The committed .xls fixture with one cell moved to IV65536, the last cell of a BIFF8 sheet (a 4-byte edit)."""
    from tests.support.xls import FIXTURE

    data = bytearray(FIXTURE.read_bytes())
    at = data.find(b"\x03\x02\x0e\x00")  # a NUMBER record: row, column
    data[at + 4:at + 8] = (65535).to_bytes(2, "little") + (255).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("kind", "why"), [("xlsx-XFD1048576", "XFD1048576"), ("xlsx-Z1048576", "Z1048576"),
                                           ("xlsx-shared-strings", "MB"), ("xls-IV65536", "IV65536")])
def test_a_spreadsheet_that_would_take_gigabytes_is_refused_in_one_line_under_a_memory_limit(repo, tmp_path, kind,
                                                                                               why):
    if kind.startswith("xlsx-") and kind[5:] != "shared-strings":
        sheet = _sheet(tmp_path / "客户.xlsx", kind[5:])
    elif kind == "xlsx-shared-strings":
        sheet = _shared_strings_bomb(tmp_path / "客户.xlsx", 24)
    else:
        sheet = _far_xls(tmp_path / "客户.xls")
    assert sheet.stat().st_size < 200_000  # a small file
    before = snapshot(repo.root)
    run = limited_kehu(repo.root, "import", str(sheet), "--owner", "lixia")
    assert run.returncode == 2, (run.returncode, run.stderr[-2000:])
    one_line_error(run.stderr, sheet.name, why)
    assert snapshot(repo.root) == before


ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_TYPE}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')


def _ods(path: Path, content: str) -> Path:
    """An .ods as LibreOffice packs one: the stored mimetype first, the manifest, the content."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODS_TYPE)
        z.writestr("META-INF/manifest.xml", ODS_MANIFEST, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_with_libreoffices_trailing_repeats_still_imports(repo, tmp_path):
    """The sibling that must keep working: LibreOffice ends every sheet with a million repeated empty rows."""
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    rows = "".join("<table:table-row>" + "".join(cell.format(v) for v in r) + "</table:table-row>"
                   for r in (["客户名称", "手机号", "所属行业", "负责人"],
                             ["宁波海曙贸易有限公司", "13900001111", "I65 软件和信息技术服务业", "lixia"]))
    rows += ('<table:table-row table:number-rows-repeated="1048574">'
             '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="客户">{rows}</table:table></office:spreadsheet>'
               '</office:body></office:document-content>')
    path = _ods(tmp_path / "客户.ods", content)
    far = content.replace('<table:table-cell table:number-columns-repeated="1024"/></table:table-row>',
                          '<table:table-cell table:number-columns-repeated="1024"/>'
                          + cell.format("x") + "</table:table-row>")
    bomb = _ods(tmp_path / "远.ods", far)
    refused = limited_kehu(repo.root, "import", str(bomb), "--owner", "lixia")
    assert refused.returncode == 2
    one_line_error(refused.stderr, "远.ods")
    run = limited_kehu(repo.root, "import", str(path), "--owner", "lixia")
    assert run.returncode == 0, run.stderr
    assert len(list(repo.customers.glob("*.yaml"))) == 1


# --- deep files ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["flow", "block", "map"])
def test_a_file_nested_600_deep_is_one_error_at_its_line_for_check_diff_and_build(make_repo, tmp_path, shape):
    repo = team_repo(make_repo)
    deep = {"flow": "notes: " + "[" * 600 + "]" * 600 + "\n",
            "map": "notes: " + "{a: " * 600 + "1" + "}" * 600 + "\n",
            # one space a level: at two, 600 levels pass max_file_bytes and are refused as too large first
            "block": "notes:\n" + "".join(" " * i + "-\n" for i in range(1, 600))}[shape]
    path = repo.customers / "C20240501001.yaml"
    path.write_text(path.read_text(encoding="utf-8") + deep, encoding="utf-8")
    lines = path.read_text(encoding="utf-8").count("\n")
    run = limited_kehu(repo.root, "check", "--format", "json")
    assert run.returncode == 1, run.stderr
    deep_problems = [p for p in json.loads(run.stdout)["problems"] if p["code"] == "too-deep"]
    assert len(deep_problems) == 1 and deep_problems[0]["file"] == "customers/C20240501001.yaml"
    assert 1 < deep_problems[0]["line"] <= lines
    for args in (("diff", "--format", "markdown"), ("build", "--pages-only", str(tmp_path / "pages")),
                 ("show", "C20240501001")):
        other = limited_kehu(repo.root, *args)
        assert other.returncode in (0, 1, 2), (args, other.returncode, other.stderr)
        assert "Traceback" not in other.stderr and "RecursionError" not in other.stderr + other.stdout, args


def test_team_yaml_and_kehu_yaml_nested_deep_are_errors_too(make_repo):
    repo = make_repo()
    repo.write("team.yaml", (repo.root / "team.yaml").read_text(encoding="utf-8")
               + "extra: " + "[" * 600 + "]" * 600 + "\n")
    run = limited_kehu(repo.root, "check", "--format", "json")
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert any(p["file"] == "team.yaml" and p["code"] == "too-deep" for p in json.loads(run.stdout)["problems"])


# --- kehu.yaml: a typo is a line naming the key, with no date pinned ---------------------------------------------


@pytest.mark.parametrize(("change", "key"), [
    ({"timezone": "Mars/Olympus"}, "timezone"), ({"timezone": "Asia/Shanghai "}, "timezone"),
    ({"dormant_days": 10**15}, "dormant_days"), ({"site": {"chart_months": 10**9}}, "site.chart_months"),
    ({"first_followup_hours": 10**12}, "first_followup_hours"), ({"site": {"full_pages": -1}}, "site.full_pages"),
])
def test_a_bad_kehu_yaml_value_is_one_line_for_check_due_and_build_on_the_real_date(make_repo, tmp_path, change, key):
    repo = team_repo(make_repo)
    repo.set_config(**change)
    before = snapshot(repo.root)
    env = {"KEHU_TODAY": ""}  # the real date: the time zone is needed to know it
    run = limited_kehu(repo.root, "check", "--format", "json", env=env)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    errors = [p for p in json.loads(run.stdout)["problems"] if p["severity"] == "error"]
    assert {p["file"] for p in errors} == {"kehu.yaml"} and any(key in p["message"] for p in errors), errors
    for args in (("due",), ("build", "--pages-only", str(tmp_path / "pages"))):
        other = limited_kehu(repo.root, *args, env=env)
        assert other.returncode == 2, (args, other.stdout, other.stderr)
        one_line_error(other.stderr, "kehu.yaml", key.split(".")[-1])
    assert snapshot(repo.root) == before


def test_a_loosened_team_schema_does_not_let_a_bad_value_through(make_repo):
    """kehu.yaml's schema is a file of the team's repository; the limits kehu needs are its own."""
    repo = team_repo(make_repo)
    path = repo.root / "schema" / "config.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["dormant_days"] = {"type": "integer"}
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    repo.set_config(dormant_days=-5)
    run = repo.check_json()
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert any(p["file"] == "kehu.yaml" and "dormant_days" in p["message"] for p in run.problems), run.problems


# --- the merge driver's add/add ----------------------------------------------------------------------------------


ME, MAIL = "李霞", "lixia@example.com"


def _add_add(make_repo, ours: dict, theirs: dict):
    """Both sides add customers/C20240601LX01.yaml; the merge runs the real kehu merge driver."""
    from kehu.git.gitsetup import merge_driver_command

    from tests.support.team_repo import TeamRepo

    seed = make_repo()
    root = seed.root
    git(root, "init", "-q", "-b", "main")
    (root / ".gitattributes").write_text("customers/*.yaml merge=kehu\n", encoding="utf-8")
    git(root, "config", "merge.kehu.driver", merge_driver_command(sys.executable))
    seed.write_customer(customer_dict())
    commit_all(root, "base", name=ME, email=MAIL)
    git(root, "checkout", "-q", "-b", "colleague")
    TeamRepo(root).write_customer(theirs, "C20240601LX01")
    commit_all(root, "theirs", name=ME, email=MAIL)
    git(root, "checkout", "-q", "main")
    TeamRepo(root).write_customer(ours, "C20240601LX01")
    commit_all(root, "ours", name=ME, email=MAIL)
    merge = git(root, "merge", "--no-edit", "colleague", ok=False, name=ME, email=MAIL)
    return merge, (root / "customers" / "C20240601LX01.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("shared", ["email", "phone"])
def test_add_add_of_two_companies_sharing_one_contact_detail_is_never_blended(make_repo, shared):
    common = {"email": "purchase@shared-agent.example"} if shared == "email" else {"phone": "13700137000"}
    ours = customer_dict(id="C20240601LX01", name="成都天府软件有限公司",
                         contacts=[{"name": "王磊", **common, **({"phone": "13912345678"} if shared == "email"
                                                                  else {})}])
    theirs = customer_dict(id="C20240601LX01", name="杭州云帆网络科技有限公司",
                           contacts=[{"name": "李娜", **common, **({"phone": "13612345678"} if shared == "email"
                                                                   else {})}])
    merge, text = _add_add(make_repo, ours, theirs)
    assert merge.returncode != 0
    lines = text.splitlines()
    assert lines[0] == "<<<<<<< ours" and lines[-1] == ">>>>>>> theirs"
    assert sum(line.startswith("=======") for line in lines) == 1  # one whole-file conflict, nothing blended


def test_add_add_of_one_company_typed_with_a_slip_still_merges(make_repo):
    ours = customer_dict(id="C20240601LX01", name="成都天府软件有限公司",
                         contacts=[{"name": "王磊", "phone": "13912345678"}])
    theirs = customer_dict(id="C20240601LX01", name="成都天府软件有限公",  # a broken legal form: the same company
                           contacts=[{"name": "王磊", "phone": "13912345678"}],
                           interactions=[{"date": "2024-05-20", "channel": "call", "by": "wangfang",
                                          "summary": "电话确认报价单已收到"}])
    merge, text = _add_add(make_repo, ours, theirs)
    lines = text.splitlines()
    # one record: only the two spellings of the name are left for a person; the rest is combined
    start, middle, end = lines.index("<<<<<<< ours"), lines.index("======="), lines.index(">>>>>>> theirs")
    assert lines[start + 1:end] == ["name: 成都天府软件有限公司", "=======", "name: 成都天府软件有限公"], text
    assert start > 0 and middle == start + 2 and text.count("<<<<<<<") == 1
    assert "电话确认报价单已收到" in "\n".join(lines[end + 1:]), (merge.stdout, merge.stderr, text)
