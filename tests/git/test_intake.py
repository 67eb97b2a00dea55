"""`kehu intake`: an issue made by a phone form becomes a reviewed change — in a real repository with a bare origin,
against a forge answered by a local server on 127.0.0.1 that records every request.

What is asserted for each event: the branch on the origin, the customer file on it (byte for byte what the
matching command writes for the same input in another clone), the pull request kehu asks for, the comment and
the issue's new text; and for each hostile form: one comment, and nothing else — no branch, no pull request, no
change to the issue's text, the origin as it was.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from kehu.git.forms import BY_KIND, FormLinks, FormWords, gitlab_template
from kehu.git.intake import STUB_MARK

from tests.support.commands import git_init, kehu
from tests.support.customers import COMMENTED, TODAY
from tests.support.git import commit_all, git
from tests.support.team_repo import TeamRepo

ISSUE = 5
CREATED = f"{TODAY}T02:30:00Z"  # 10:30 in Asia/Shanghai, the day the visit is logged


class FakeForge:
    """GitHub's or GitLab's REST API as far as kehu intake uses it: records every request; ``pulls`` is what a
    search for the issue's branch finds; ``issue`` is what GitLab's GET issue answers."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.pulls: list[dict[str, Any]] = []
        self.issue: dict[str, Any] = {}
        forge = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
                forge.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                       "body": json.loads(raw) if raw else None})
                path = self.path.split("?", 1)[0]
                if self.command == "GET" and path.endswith(("/pulls", "/merge_requests")):
                    data: Any = forge.pulls
                elif self.command == "GET" and "/issues/" in path:
                    data = forge.issue
                elif self.command == "POST" and path.endswith("/pulls"):
                    data = {"number": 17, "html_url": "https://github.example/acme/crm/pull/17"}
                elif self.command == "POST" and path.endswith("/merge_requests"):
                    data = {"iid": 17, "web_url": "https://gitlab.example/acme/crm/-/merge_requests/17"}
                else:
                    data = {"id": 1}
                body = json.dumps(data).encode()
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_PUT = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] != "GET"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def forge() -> Iterator[FakeForge]:
    server = FakeForge()
    yield server
    server.close()


@pytest.fixture
def origin(make_repo: Any, tmp_path: Path) -> Path:
    """A bare origin holding a team repository with the commented customer C20240501001."""
    repo = make_repo()
    git_init(repo)
    repo.write_customer(COMMENTED, "C20240501001")
    commit_all(repo.root, "customers", name="Li Xia", email="lixia@example.com")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.root), str(bare))
    return bare


def clone(origin: Path, where: Path) -> TeamRepo:
    git(where.parent, "clone", "-q", str(origin), str(where))
    return TeamRepo(where)


def refs(origin: Path) -> str:
    return git(origin, "for-each-ref").stdout


def github_body(kind: str, values: dict[str, str], repo: TeamRepo) -> str:
    """The issue text GitHub makes of a submitted form: a heading per field, ``_No response_`` when empty."""
    words = FormWords(repo.open())
    return "\n\n".join(f"### {words.label(f)}\n\n{values.get(f.id) or '_No response_'}" for f in BY_KIND[kind].fields)


def github_event(body: str, login: str = "lixia-sales", action: str = "opened", sender: str | None = None,
                 number: int = ISSUE, labels: tuple[str, ...] = ("kehu-log",)) -> dict[str, Any]:
    return {"action": action,
            "issue": {"number": number, "title": "记录跟进：启明", "body": body, "user": {"login": login},
                      "state": "open", "created_at": CREATED, "labels": [{"name": n} for n in labels],
                      "html_url": f"https://github.example/acme/crm/issues/{number}"},
            "repository": {"full_name": "acme/crm", "default_branch": "main"},
            "sender": {"login": sender or login}}


def run_github(work: TeamRepo, forge: FakeForge, event: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / f"event-{len(forge.requests)}.json"
    path.write_text(json.dumps(event, ensure_ascii=False), encoding="utf-8")
    return kehu(work, "intake", "--github", str(path), "--api", forge.api, env={"KEHU_FORGE_TOKEN": "t0ken"})


LOG = {"customer": "C20240501001", "channel": "拜访", "summary": "现场演示二期方案，客户认可交付周期",
       "outcome": "下周报价", "contact": "张伟", "next_date": "2024-06-10", "next_action": "发送报价单",
       "date": "2024-05-31", "by": ""}


def test_a_github_form_becomes_a_pull_request_with_what_kehu_log_writes(origin: Path, forge: FakeForge,
                                                                         tmp_path: Path) -> None:
    work = clone(origin, tmp_path / "ci")
    result = run_github(work, forge, github_event(github_body("log", LOG, work)), tmp_path)
    assert result.exit_code == 0, result.stdout + result.stderr
    # the branch on the origin holds exactly what `kehu log` writes for the same input in another clone
    pushed = git(origin, "show", "kehu/issue-5:customers/C20240501001.yaml").stdout
    by_hand = clone(origin, tmp_path / "laptop")
    logged = kehu(by_hand, "log", "C20240501001", "--channel", "visit", "--summary", LOG["summary"], "--outcome",
                  LOG["outcome"], "--contact", "张伟", "--next", "2024-06-10", "发送报价单", "--by", "lixia",
                  "--date", "2024-05-31")
    assert logged.exit_code == 0, logged.stderr
    assert pushed.encode() == (by_hand.root / "customers/C20240501001.yaml").read_bytes()
    # committed in the member's name, one file
    author = git(origin, "log", "-1", "--format=%an <%ae>", "kehu/issue-5").stdout.strip()
    assert author == "李霞 <lixia@example.com>"
    assert git(origin, "diff", "--name-only", "main", "kehu/issue-5").stdout.split() == ["customers/C20240501001.yaml"]
    # the requests: find the branch's pull requests, open one, comment, replace the text
    methods = [(r["method"], r["path"].split("?")[0]) for r in forge.requests]
    assert methods == [("GET", "/repos/acme/crm/pulls"), ("POST", "/repos/acme/crm/pulls"),
                       ("POST", "/repos/acme/crm/issues/5/comments"), ("PATCH", "/repos/acme/crm/issues/5")]
    assert all(r["headers"]["Authorization"] == "Bearer t0ken" for r in forge.requests)
    pull = forge.requests[1]["body"]
    assert pull["head"] == "kehu/issue-5" and pull["base"] == "main"
    assert pull["title"] == "记录跟进：上海启明科技有限公司（议题 #5）"
    assert pull["body"].startswith("Closes #5\n")
    assert "现场演示二期方案" in pull["body"] and "李霞" in pull["body"]
    comment = forge.requests[2]["body"]["body"]
    assert comment.startswith("✅ 已创建合并请求 #17：https://github.example/acme/crm/pull/17")
    stub = forge.requests[3]["body"]["body"]
    assert STUB_MARK in stub and "编辑历史" in stub and "#17" in stub
    assert "### " not in stub  # the form's text is gone from the issue


def test_the_stub_and_an_issue_of_no_form_are_left_alone(origin: Path, forge: FakeForge, tmp_path: Path) -> None:
    work = clone(origin, tmp_path / "ci")
    before = refs(origin)
    for body in (f"已转为合并请求 #17\n\n{STUB_MARK}", "网站首页打不开了", "### 问题\n\n客户列表太慢"):
        result = run_github(work, forge, github_event(body, labels=()), tmp_path)
        assert result.exit_code == 0, result.stderr
    assert forge.writes() == [] and refs(origin) == before


def gitlab_payload(action: str = "open", username: str = "lixia-sales") -> dict[str, Any]:
    return {"object_kind": "issue", "event_type": "issue", "user": {"username": username},
            "project": {"id": 42, "path_with_namespace": "acme/crm", "default_branch": "main"},
            "object_attributes": {"iid": ISSUE, "action": action, "title": "记录跟进：", "state": "opened",
                                  "created_at": CREATED, "description": "(the hook's copy is not trusted)"}}


def test_a_gitlab_template_becomes_a_merge_request(origin: Path, forge: FakeForge, tmp_path: Path) -> None:
    work = clone(origin, tmp_path / "ci")
    values = {**LOG, "channel": "电话", "summary": "电话沟通续约：客户要求\n分两期付款", "by": "李霞"}
    description = gitlab_template(work.open(), BY_KIND["log"], {})
    for f in BY_KIND["log"].fields:  # the salesperson fills the block on a phone, with full-width colons …
        if f.id in ("customer", "by"):
            continue
        label = FormWords(work.open()).label(f)
        first, *more = (values.get(f.id) or "").split("\n")
        description = description.replace(f"\n{label}:\n", f"\n{label}：{first}\n" + "".join(
            f"{m}\n" for m in more), 1)
    # … below what the reminder's link appended to the template: the customer and the salesperson
    (work.root / "mkdocs.yml").write_text("repo_url: https://gitlab.example/acme/crm\n", encoding="utf-8")
    links = FormLinks.of(work.open())
    assert links is not None
    query = parse_qs(urlsplit(links.log("C20240501001", "李霞")).query)
    assert query["issuable_template"] == ["kehu-log"]
    description += "\n" + query["issue[description]"][0]
    (work.root / "mkdocs.yml").unlink()
    forge.issue = {"iid": ISSUE, "title": "记录跟进：", "description": description, "state": "opened",
                   "author": {"username": "lixia-sales"}, "created_at": CREATED,
                   "web_url": "https://gitlab.example/acme/crm/-/issues/5"}
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(gitlab_payload()), encoding="utf-8")
    result = kehu(work, "intake", "--gitlab", str(payload), "--api", forge.api, env={"KEHU_FORGE_TOKEN": "t0ken"})
    assert result.exit_code == 0, result.stdout + result.stderr
    pushed = git(origin, "show", "kehu/issue-5:customers/C20240501001.yaml").stdout
    by_hand = clone(origin, tmp_path / "laptop")
    kehu(by_hand, "log", "C20240501001", "--channel", "call", "--summary", "电话沟通续约：客户要求\n分两期付款",
         "--outcome", LOG["outcome"], "--contact", "张伟", "--next", "2024-06-10", "发送报价单", "--by", "lixia",
         "--date", "2024-05-31")
    assert pushed.encode() == (by_hand.root / "customers/C20240501001.yaml").read_bytes()
    methods = [(r["method"], r["path"].split("?")[0]) for r in forge.requests]
    assert methods == [("GET", "/projects/42/issues/5"), ("GET", "/projects/42/merge_requests"),
                       ("POST", "/projects/42/merge_requests"), ("POST", "/projects/42/issues/5/notes"),
                       ("PUT", "/projects/42/issues/5")]
    assert all(r["headers"]["Private-Token"] == "t0ken" for r in forge.requests)
    mr = forge.requests[2]["body"]
    assert (mr["source_branch"], mr["target_branch"]) == ("kehu/issue-5", "main")
    assert mr["description"].startswith("Closes #5\n")
    assert "!17" in forge.requests[3]["body"]["body"]
    assert STUB_MARK in forge.requests[4]["body"]["description"]


def test_a_new_customer_form_writes_what_kehu_new_writes(origin: Path, forge: FakeForge, tmp_path: Path) -> None:
    work = clone(origin, tmp_path / "ci")
    by_hand = clone(origin, tmp_path / "laptop")  # cloned before: ids are never reused, even one of a pushed branch
    values = {"name": "苏州星河智能装备有限公司", "industry": "C34 通用设备制造业", "source": "官网表单",
              "size": "50-200人", "region": "苏州", "contact_name": "王磊", "phone": "13900139111"}
    result = run_github(work, forge, github_event(github_body("new", values, work), labels=("kehu-new",)), tmp_path)
    assert result.exit_code == 0, result.stdout + result.stderr
    added = git(origin, "diff", "--name-only", "main", "kehu/issue-5").stdout.split()
    assert len(added) == 1 and re.fullmatch(r"customers/C20240601LX01\.yaml", added[0]), added
    made = kehu(by_hand, "new", "苏州星河智能装备有限公司", "--owner", "lixia", "--industry", "C34", "--source",
                "website", "--size", "50-200", "--region", "苏州", "--contact-name", "王磊", "--phone", "13900139111",
                env={"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.email",
                     "GIT_CONFIG_VALUE_0": "lixia@example.com"})
    assert made.exit_code == 0, made.stderr
    assert git(origin, "show", f"kehu/issue-5:{added[0]}").stdout.encode() == (by_hand.root / added[0]).read_bytes()


# --- hostile and careless forms: one comment each, nothing else ----------------------------------------------


def _only_a_comment(forge: FakeForge, origin: Path, before: str, *expected: str) -> str:
    writes = forge.writes()
    assert len(writes) == 1 and writes[0]["path"].endswith("/issues/5/comments"), writes
    assert refs(origin) == before
    comment = writes[0]["body"]["body"]
    for text in expected:
        assert text in comment, (text, comment)
    return comment


@pytest.mark.parametrize(("values", "expected"), [
    ({"customer": "C20990101001"}, "没有与 'C20990101001' 匹配的客户"),
    ({"customer": "../../../etc/passwd"}, "匹配的客户"),
    ({"customer": "customers/../team.yaml"}, "客户"),
    ({"channel": "飞鸽传书"}, "'飞鸽传书'"),
    ({"summary": "好" * 10_000}, "10000 字，超过 500 字上限"),
    ({"summary": "核对开票信息，法人身份证 11010519491231002X 已拍照"}, "身份证号"),
    ({"date": "明天"}, "'明天' 不是有效日期"),
    ({"date": "2099-01-01"}, "2099-01-01"),
    ({"by": "zhangsan"}, "'zhangsan' 不是 team.yaml 中的成员"),
    ({"next_date": "2024-06-10", "next_action": ""}, "缺少 下一步计划"),
    ({"summary": ""}, "缺少 沟通内容"),
])
def test_bad_input_gets_one_comment_saying_what_to_fix(origin: Path, forge: FakeForge, tmp_path: Path,
                                                       values: dict[str, str], expected: str) -> None:
    work = clone(origin, tmp_path / "ci")
    before = refs(origin)
    result = run_github(work, forge, github_event(github_body("log", {**LOG, **values}, work)), tmp_path)
    assert result.exit_code == 0, result.stderr
    comment = _only_a_comment(forge, origin, before, "⚠️ 未能记录", "请编辑本议题")
    assert "11010519491231002X" not in comment  # an ID number is never repeated back


@pytest.mark.parametrize("field", [f.id for f in BY_KIND["log"].fields])
@pytest.mark.parametrize("markup", ["<img src=x onerror=alert(1)>", "[点这里](https://evil.example)",
                                    "![](https://evil.example/p.png)", "<!-- hidden -->"])
def test_markdown_and_html_in_any_field_are_refused(origin: Path, forge: FakeForge, tmp_path: Path, field: str,
                                                    markup: str) -> None:
    work = clone(origin, tmp_path / "ci")
    before = refs(origin)
    run_github(work, forge, github_event(github_body("log", {**LOG, field: f"C20240501001 {markup}"}, work)), tmp_path)
    comment = _only_a_comment(forge, origin, before, "不能包含 HTML 或 Markdown")
    assert markup not in comment  # quoted, and inert: every < [ ( ! escaped
    assert not re.search(r"(?<!\\)[<\[]", comment.split("未能记录", 1)[1]), comment


def test_an_author_who_is_not_a_member_changes_nothing(origin: Path, forge: FakeForge, tmp_path: Path) -> None:
    work = clone(origin, tmp_path / "ci")
    before = refs(origin)
    run_github(work, forge, github_event(github_body("log", LOG, work), login="stranger"), tmp_path)
    _only_a_comment(forge, origin, before, "议题作者 stranger 不是团队成员")
    # a member's issue edited by someone who is not one
    forge.requests.clear()
    run_github(work, forge, github_event(github_body("log", LOG, work), action="edited", sender="mallory"), tmp_path)
    _only_a_comment(forge, origin, before, "mallory 不是团队成员")


def test_a_member_without_a_forge_account_cannot_be_impersonated(origin: Path, forge: FakeForge,
                                                                 tmp_path: Path) -> None:
    """刘洋 has no git: account in team.yaml: nobody's account is his."""
    work = clone(origin, tmp_path / "ci")
    before = refs(origin)
    run_github(work, forge, github_event(github_body("log", LOG, work), login="liuyang"), tmp_path)
    _only_a_comment(forge, origin, before, "不是团队成员")


@pytest.mark.parametrize(("state", "expected"), [("open", "已转为合并请求 #9"), ("merged", "已在合并请求 #9 中合并")])
def test_an_issue_already_in_a_pull_request_is_not_made_twice(origin: Path, forge: FakeForge, tmp_path: Path,
                                                               state: str, expected: str) -> None:
    """The same event twice, or the issue edited after its pull request: one comment, no second change."""
    work = clone(origin, tmp_path / "ci")
    before = refs(origin)
    forge.pulls = [{"number": 9, "html_url": "https://github.example/acme/crm/pull/9", "state":
                    "closed" if state == "merged" else "open", "merged_at": "2024-06-01T08:00:00Z"
                    if state == "merged" else None}]
    run_github(work, forge, github_event(github_body("log", LOG, work), action="edited"), tmp_path)
    _only_a_comment(forge, origin, before, expected)


def test_the_same_form_submitted_twice_is_recorded_once(origin: Path, forge: FakeForge, tmp_path: Path) -> None:
    work = clone(origin, tmp_path / "ci")
    run_github(work, forge, github_event(github_body("log", LOG, work)), tmp_path)
    assert "kehu/issue-5" in refs(origin)
    before = refs(origin)
    forge.requests.clear()
    second = clone(origin, tmp_path / "ci2")
    run_github(second, forge, github_event(github_body("log", LOG, second), number=6), tmp_path)
    writes = forge.writes()
    assert len(writes) == 1 and writes[0]["path"].endswith("/issues/6/comments"), writes
    assert "已有同样的跟进记录（合并请求 #5）" in writes[0]["body"]["body"]
    assert refs(origin) == before


def test_a_closed_pull_request_lets_the_edited_issue_try_again(origin: Path, forge: FakeForge,
                                                               tmp_path: Path) -> None:
    work = clone(origin, tmp_path / "ci")
    forge.pulls = [{"number": 9, "html_url": "https://github.example/acme/crm/pull/9", "state": "closed",
                    "merged_at": None}]
    result = run_github(work, forge, github_event(github_body("log", LOG, work), action="edited"), tmp_path)
    assert result.exit_code == 0, result.stderr
    assert [r["method"] for r in forge.writes()] == ["POST", "POST", "PATCH"]


def test_without_a_token_it_refuses_and_a_dry_run_calls_nobody(origin: Path, forge: FakeForge,
                                                               tmp_path: Path) -> None:
    work = clone(origin, tmp_path / "ci")
    event = tmp_path / "event.json"
    event.write_text(json.dumps(github_event(github_body("log", LOG, work))), encoding="utf-8")
    refused = kehu(work, "intake", "--github", str(event), "--api", forge.api)
    assert refused.exit_code == 2 and "KEHU_FORGE_TOKEN" in refused.stderr
    before = refs(origin)
    dry = kehu(work, "intake", "--github", str(event), "--api", forge.api, "--dry-run",
               env={"KEHU_FORGE_TOKEN": "t0ken"})
    assert dry.exit_code == 0, dry.stderr
    assert "Closes #5" in dry.stdout and forge.requests == [] and refs(origin) == before


def test_a_broken_event_file_is_one_line(origin: Path, tmp_path: Path) -> None:
    work = clone(origin, tmp_path / "ci")
    bad = tmp_path / "event.json"
    bad.write_text("{not json", encoding="utf-8")
    result = kehu(work, "intake", "--github", str(bad), env={"KEHU_FORGE_TOKEN": "t"})
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr


# --- links that open a form pre-filled ----------------------------------------------------------------------


@pytest.mark.parametrize(("url", "start"), [
    ("https://github.com/acme/crm", "https://github.com/acme/crm/issues/new?template=kehu-log.yml&"),
    ("https://gitlab.com/acme/crm", "https://gitlab.com/acme/crm/-/issues/new?issuable_template=kehu-log&"),
])
def test_links_open_the_log_form_with_customer_and_salesperson(make_repo: Any, url: str, start: str) -> None:
    repo = make_repo()
    (repo.root / "mkdocs.yml").write_text(f"site_name: x\nrepo_url: {url}\n", encoding="utf-8")
    links = FormLinks.of(repo.open())
    assert links is not None
    link = links.log("C20240501001", "lixia", "上海启明")
    assert link.startswith(start)
    if "github" in url:
        assert "customer=C20240501001" in link and "by=lixia" in link
    else:
        assert "C20240501001" in link.replace("%20", " ") and "kehu%3A%20log" in link


@pytest.mark.parametrize("mkdocs", ["site_name: x\n", "site_name: x\nrepo_url: javascript:alert(1)\n",
                                    "site_name: x\n  repo_url: https://github.com/acme/crm\n"])
def test_no_forge_address_no_link(make_repo: Any, mkdocs: str) -> None:
    repo = make_repo()
    (repo.root / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
    assert FormLinks.of(repo.open()) is None
