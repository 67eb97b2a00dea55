"""`kehu remind`: each owner's due list for today reaches WeCom, DingTalk and Feishu group robots (their
documented message formats and signatures) or email — received by real servers on 127.0.0.1."""

from __future__ import annotations

import base64
import email
import hashlib
import hmac
import json
import socketserver
import threading
import urllib.parse
from collections.abc import Iterator
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.commands import assert_refused, commit, kehu, team_repo
from tests.support.customers import customer_dict

PHONE = "13800138000"


class Robot:
    """A group-robot endpoint: records every request, answers as the robot does."""

    def __init__(self, answer: dict | None = None, status: int = 200) -> None:
        self.requests: list[dict] = []
        self.answer = answer or {"errcode": 0, "errmsg": "ok"}
        self.status = status
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                robot.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "body": json.loads(body.decode("utf-8"))})
                data = json.dumps(robot.answer).encode()
                self.send_response(robot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """A minimal SMTP server (RFC 5321 without extensions) that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        box = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 localhost ready\r\n")
                sender, rcpts = "", []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode().strip()
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.wfile.write(b"250 localhost\r\n")
                    elif verb == "MAIL":
                        sender = cmd.split(":", 1)[1].strip().strip("<>")
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == "RCPT":
                        rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                        self.wfile.write(b"250 ok\r\n")
                    elif verb == "DATA":
                        self.wfile.write(b"354 go ahead\r\n")
                        data = b""
                        while True:
                            chunk = self.rfile.readline()
                            if chunk in (b".\r\n", b""):
                                break
                            data += chunk[1:] if chunk.startswith(b"..") else chunk
                        box.messages.append((sender, rcpts, data))
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot() -> Iterator[Robot]:
    r = Robot()
    yield r
    r.close()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    m = Mailbox()
    yield m
    m.close()


TEAM = """\
members:
  - handle: lixia
    name: 李霞
    email: lixia@example.com
    role: sales
    remind:
      - {kind: wecom, webhook_env: KEHU_WECOM_LIXIA, mention: "13900000001"}
      - {kind: dingtalk, webhook_env: KEHU_DING_LIXIA, secret_env: KEHU_DING_SECRET}
      - {kind: email}
  - handle: wangfang
    name: 王芳
    email: wangfang@example.com
    role: sales
    remind:
      - {kind: feishu, webhook_env: KEHU_FEISHU_WANGFANG, secret_env: KEHU_FEISHU_SECRET}
  - handle: zhaolei
    name: 赵磊
    email: zhaolei@example.com
    role: sales
"""

# lixia: overdue (cadence), due today (planned, with a phone number in the action), quiet, a birthday
OVERDUE = customer_dict(id="C20240501001", name="上海启明科技有限公司", owner="lixia", stage="contacted",
                        contacts=[{"name": "张伟", "phone": PHONE, "birthday": "06-05", "primary": True}],
                        interactions=[{"date": "2024-05-10", "channel": "call", "by": "lixia",
                                       "summary": "沟通需求，客户关注交付周期"}])
TODAY_PLAN = customer_dict(id="C20240502001", name="杭州云帆网络科技有限公司", owner="lixia", stage="quoted",
                           contacts=[{"name": "王强", "phone": "13912345678", "primary": True}],
                           interactions=[{"date": "2024-05-30", "channel": "visit", "by": "lixia",
                                          "summary": "上门演示审批流，客户关注与SAP对接"}],
                           next_action={"date": "2024-06-01", "action": "致电王总 13711112222 确认报价"})
QUIET = customer_dict(id="C20240401001", name="苏州恒瑞精密机械有限公司", owner="lixia", stage="contacted",
                      created="2024-04-01", quiet_until="2024-08-01", quiet_reason="预算冻结",
                      contacts=[{"name": "刘洋", "phone": "13698765432", "birthday": "06-03", "primary": True}],
                      interactions=[{"date": "2024-04-02", "channel": "call", "by": "lixia",
                                     "summary": "客户表示今年预算冻结，三季度再联系"}])
WANG = customer_dict(id="C20240503001", name="北京星河数据科技有限公司", owner="wangfang", stage="contacted",
                     contacts=[{"name": "陈晨", "phone": "13512345678", "primary": True}],
                     interactions=[{"date": "2024-05-01", "channel": "call", "by": "wangfang",
                                    "summary": "初次沟通数据平台需求"}])


@pytest.fixture
def repo(make_repo):
    r = make_repo(team=TEAM)
    return team_repo(lambda: r, commented=False, others=[OVERDUE, TODAY_PLAN, QUIET, WANG])


def _env(robot: Robot, mailbox: Mailbox | None = None, **extra: str) -> dict[str, str]:
    env = {"KEHU_WECOM_LIXIA": robot.url("/cgi-bin/webhook/send?key=wecom-key"),
           "KEHU_DING_LIXIA": robot.url("/robot/send?access_token=ding-token"), "KEHU_DING_SECRET": "SECding",
           "KEHU_FEISHU_WANGFANG": robot.url("/open-apis/bot/v2/hook/feishu-token"), "KEHU_FEISHU_SECRET": "fs"}
    if mailbox:
        env.update(KEHU_SMTP_HOST="127.0.0.1", KEHU_SMTP_PORT=str(mailbox.port), KEHU_SMTP_SECURITY="none",
                   KEHU_SMTP_FROM="crm@example.com")
    env.update(extra)
    return env


def _by_path(robot: Robot, prefix: str) -> list[dict]:
    return [r for r in robot.requests if r["path"].startswith(prefix)]


def test_every_configured_channel_gets_its_documented_payload(repo, robot, mailbox):
    r = kehu(repo, "remind", env=_env(robot, mailbox))
    assert r.exit_code == 0, r.stderr
    assert "zhaolei" not in r.stdout  # no channel configured: nothing sent, nothing said

    # WeCom: markdown cannot @-mention a mobile number (only <@userid>); a text message's mentioned_mobile_list can,
    # so the list is followed by a short text message that mentions the member
    wecom, ping = _by_path(robot, "/cgi-bin/webhook/send")
    assert wecom["path"] == ping["path"] == "/cgi-bin/webhook/send?key=wecom-key"
    assert ping["body"] == {"msgtype": "text", "text": {"content": "今日待跟进 · 李霞（lixia） · 2024-06-01",
                                                         "mentioned_mobile_list": ["13900000001"]}}
    assert wecom["headers"]["Content-Type"].startswith("application/json")
    body = wecom["body"]
    assert body["msgtype"] == "markdown" and set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    assert content.startswith("### 今日待跟进 · 李霞（lixia） · 2024-06-01")
    assert "C20240501001 上海启明科技有限公司" in content and "逾期" in content
    assert "C20240502001 杭州云帆网络科技有限公司" in content and "今天" in content
    assert "137****2222" in content and "13711112222" not in content  # masked as on the site
    assert "2024-06-05 张伟" in content  # the birthday
    assert "恒瑞" not in content and "刘洋" not in content  # a quiet customer: no reminder, no birthday
    assert "北京星河" not in content  # another owner's customer
    assert "<@" not in content and "13900000001" not in content
    assert len(content.encode()) <= 4096

    (ding,) = _by_path(robot, "/robot/send")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(ding["path"]).query)
    assert query["access_token"] == ["ding-token"]
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECding", f"{timestamp}\nSECding".encode(), hashlib.sha256).digest())
    assert sign == expected.decode()  # parse_qs undid the URL encoding
    assert ding["body"]["msgtype"] == "markdown"
    assert ding["body"]["markdown"]["title"] == "今日待跟进 · 李霞（lixia） · 2024-06-01"
    assert "C20240501001" in ding["body"]["markdown"]["text"]
    assert ding["body"]["at"] == {"atMobiles": [], "isAtAll": False}

    (feishu,) = _by_path(robot, "/open-apis/bot/v2/hook/")
    assert feishu["path"] == "/open-apis/bot/v2/hook/feishu-token"
    fb = feishu["body"]
    assert fb["msg_type"] == "post"
    post = fb["content"]["post"]["zh_cn"]
    assert post["title"] == "今日待跟进 · 王芳（wangfang） · 2024-06-01"
    texts = [p[0]["text"] for p in post["content"]]
    assert any("C20240503001 北京星河数据科技有限公司" in t for t in texts)
    assert all(p[0]["tag"] == "text" for p in post["content"])
    fs_expected = base64.b64encode(hmac.new(f"{fb['timestamp']}\nfs".encode(), b"", hashlib.sha256).digest())
    assert fb["sign"] == fs_expected.decode()

    (mail,) = mailbox.messages
    sender, rcpts, data = mail
    assert (sender, rcpts) == ("crm@example.com", ["lixia@example.com"])
    parsed = email.message_from_bytes(data, policy=default_policy)
    assert parsed["Subject"] == "今日待跟进 · 李霞（lixia） · 2024-06-01"
    text = parsed.get_content()
    assert "C20240501001 上海启明科技有限公司" in text and "137****2222" in text and "13711112222" not in text
    assert "4 条提醒" in r.stdout or "共发送 4 条提醒" in r.stdout
    assert "已发送：李霞 → 企业微信" in r.stdout and "已发送：王芳 → 飞书" in r.stdout  # names and apps, as people say


def test_one_owner_to_one_webhook(repo, robot):
    url = robot.url("/robot/send?access_token=t")
    r = kehu(repo, "remind", "--owner", "wangfang", "--webhook", url, "--kind", "dingtalk")
    assert r.exit_code == 0, r.stderr
    (only,) = robot.requests
    assert "timestamp" not in only["path"]  # no secret: unsigned
    assert "北京星河" in only["body"]["markdown"]["text"] and "上海启明" not in only["body"]["markdown"]["text"]
    assert "access_token=***" in r.stdout and "access_token=t" not in r.stdout  # the token is not printed


def test_the_owner_of_a_webhook_try_defaults_to_me(repo, robot):
    r = kehu(repo, "remind", "--webhook", robot.url("/hook"), "--kind", "wecom")
    assert r.exit_code == 0, r.stderr
    assert "李霞" in robot.requests[0]["body"]["markdown"]["content"]


def test_a_signing_secret_from_the_environment(repo, robot):
    r = kehu(repo, "remind", "--owner", "wangfang", "--webhook", robot.url("/open-apis/bot/v2/hook/x"),
             "--kind", "feishu", "--secret-env", "MY_SECRET", env={"MY_SECRET": "abc"})
    assert r.exit_code == 0, r.stderr
    body = robot.requests[0]["body"]
    assert body["sign"] == base64.b64encode(
        hmac.new(f"{body['timestamp']}\nabc".encode(), b"", hashlib.sha256).digest()).decode()


def test_dry_run_prints_and_sends_nothing(repo, robot):
    r = kehu(repo, "remind", "--dry-run", env=_env(robot))
    assert r.exit_code == 0, r.stderr
    assert robot.requests == []
    assert '"msgtype": "markdown"' in r.stdout and '"msg_type": "post"' in r.stdout
    assert "→ 邮件 lixia@example.com" in r.stdout  # the zh-CN dry-run line (progress.yaml remind-dry-email)
    assert "wecom-key" not in r.stdout and "ding-token" not in r.stdout and "SECding" not in r.stdout


def test_secrets_may_come_as_the_forge_json(repo, robot):
    packed = json.dumps({"KEHU_WECOM_LIXIA": robot.url("/cgi-bin/webhook/send?key=k"),
                         "KEHU_DING_LIXIA": robot.url("/robot/send?access_token=d"), "KEHU_DING_SECRET": "s",
                         "KEHU_FEISHU_WANGFANG": robot.url("/open-apis/bot/v2/hook/f"), "KEHU_FEISHU_SECRET": "f"})
    r = kehu(repo, "remind", "--owner", "wangfang", env={"KEHU_SECRETS": packed})
    assert r.exit_code == 0, r.stderr
    assert [q["path"] for q in robot.requests] == ["/open-apis/bot/v2/hook/f"]


def test_a_failed_delivery_is_reported_and_the_others_still_go(repo, robot, mailbox):
    env = _env(robot, mailbox, KEHU_WECOM_LIXIA="http://127.0.0.1:9/closed")  # nothing listens on port 9
    r = kehu(repo, "remind", env=env)
    assert r.exit_code == 1
    assert "李霞：企业微信：" in r.stderr and "Traceback" not in r.stderr
    # what went wrong in the team's words, never the library's ("[Errno 111] Connection refused")
    assert "对方拒绝连接" in r.stderr and "Errno" not in r.stderr and "refused" not in r.stderr
    assert len(_by_path(robot, "/robot/send")) == 1 and len(mailbox.messages) == 1


def test_a_robot_that_refuses_is_a_failure(repo):
    refusing = Robot(answer={"errcode": 310000, "errmsg": "sign not match"})
    try:
        r = kehu(repo, "remind", "--owner", "lixia", "--webhook", refusing.url("/robot/send"), "--kind", "dingtalk")
    finally:
        refusing.close()
    assert r.exit_code == 1 and "310000" in r.stderr and "sign not match" in r.stderr


def test_a_missing_variable_is_named(repo, robot):
    env = _env(robot)
    del env["KEHU_FEISHU_SECRET"]
    r = kehu(repo, "remind", "--owner", "wangfang", env=env)
    assert r.exit_code == 1 and "KEHU_FEISHU_SECRET" in r.stderr
    assert robot.requests == []


def test_nothing_due_sends_nothing(repo, robot):
    r = kehu(repo, "remind", "--owner", "zhaolei", "--webhook", robot.url("/hook"), "--kind", "wecom")
    assert r.exit_code == 0 and robot.requests == [] and "赵磊" in r.stdout


@pytest.mark.parametrize(("args", "named"), [
    (["--webhook", "http://127.0.0.1:1/x"], "--kind"),
    (["--webhook", "ftp://example.com/x", "--kind", "wecom"], "--webhook"),
    (["--owner", "nobody", "--webhook", "http://127.0.0.1:1/x", "--kind", "wecom"], "nobody"),
    (["--webhook", "http://127.0.0.1:1/x", "--kind", "feishu", "--secret-env", "UNSET_SECRET"], "UNSET_SECRET"),
])
def test_bad_input_is_one_line(repo, args, named):
    assert_refused(kehu(repo, "remind", *args), named)


def test_no_channels_anywhere_is_explained(make_repo):
    repo = team_repo(make_repo)
    assert_refused(kehu(repo, "remind"), "remind")


def test_team_yaml_may_not_hold_a_webhook_url(repo):
    text = (repo.root / "team.yaml").read_text(encoding="utf-8")
    (repo.root / "team.yaml").write_text(text.replace("webhook_env: KEHU_WECOM_LIXIA",
                                                      "webhook_env: https://qyapi.weixin.qq.com/x?key=1"),
                                         encoding="utf-8")
    r = repo.check()
    assert r.errors >= 1 and any("team.yaml" in p.file for p in r.problems)


def test_english_reminder(repo, robot):
    repo.set_config(locale="en")
    commit(repo, "en")
    r = kehu(repo, "remind", "--owner", "lixia", "--webhook", robot.url("/hook"), "--kind", "wecom")
    assert r.exit_code == 0, r.stderr
    content = robot.requests[0]["body"]["markdown"]["content"]
    assert "Follow-ups due today" in content and "days late" in content


def test_markup_in_customer_text_stays_text(make_repo, robot):
    odd = customer_dict(id="C20240502001", name="[点我](http://evil.example) <@all> **公司**", owner="lixia",
                        stage="contacted", contacts=[{"name": "王强", "phone": "13912345678", "primary": True}],
                        interactions=[{"date": "2024-05-10", "channel": "call", "by": "lixia",
                                       "summary": "沟通需求，客户关注交付周期"}])
    repo = team_repo(make_repo, commented=False, others=[odd])
    assert kehu(repo, "remind", "--webhook", robot.url("/hook"), "--kind", "wecom").exit_code == 0
    content = robot.requests[0]["body"]["markdown"]["content"]
    assert "](http" not in content and "<@all>" not in content


MENTIONS = """\
members:
  - handle: lixia
    name: 李霞
    email: lixia@example.com
    role: sales
    remind:
      - {kind: wecom, webhook_env: KEHU_WECOM, mention: lixia.wecom}
      - {kind: dingtalk, webhook_env: KEHU_DING, mention: "139-0000-0001"}
      - {kind: dingtalk, webhook_env: KEHU_DING_ID, mention: manager4721}
      - {kind: feishu, webhook_env: KEHU_FEISHU, mention: ou_7d8a6e6df7621556ce0d21922b676706}
  - handle: wangfang
    name: 王芳
    email: wangfang@example.com
    role: sales
    remind:
      - {kind: feishu, webhook_env: KEHU_FEISHU_WANG, mention: "13900000002"}
"""


def test_each_robot_mentions_the_way_it_documents(make_repo, robot):
    """WeCom: a user id as <@userid> inside the markdown; DingTalk: at.atMobiles / at.atUserIds, each also written
    as @… in the text; Feishu: an `at` element with the open_id — and a mobile number, which Feishu cannot mention
    by, is said (the message still goes)."""
    r0 = make_repo(team=MENTIONS)
    repo = team_repo(lambda: r0, commented=False, others=[OVERDUE, WANG])
    env = {"KEHU_WECOM": robot.url("/cgi-bin/webhook/send?key=w"),
           "KEHU_DING": robot.url("/robot/send?access_token=m"),
           "KEHU_DING_ID": robot.url("/robot/send?access_token=u"),
           "KEHU_FEISHU": robot.url("/open-apis/bot/v2/hook/a"),
           "KEHU_FEISHU_WANG": robot.url("/open-apis/bot/v2/hook/b")}
    r = kehu(repo, "remind", env=env)
    assert r.exit_code == 1, r.stderr  # wangfang's mention cannot work: said, exit 1 …
    assert "王芳：飞书机器人不能按手机号 @ 成员" in r.stderr
    (wecom,) = _by_path(robot, "/cgi-bin/webhook/send")  # … and every message still went
    assert wecom["body"]["markdown"]["content"].endswith("\n<@lixia.wecom>")
    by_token = {q["path"].rsplit("=", 1)[1]: q["body"] for q in _by_path(robot, "/robot/send")}
    assert by_token["m"]["at"] == {"atMobiles": ["13900000001"], "isAtAll": False}
    assert by_token["m"]["markdown"]["text"].endswith("\n\n@13900000001")
    assert by_token["u"]["at"] == {"atMobiles": [], "isAtAll": False, "atUserIds": ["manager4721"]}
    assert by_token["u"]["markdown"]["text"].endswith("\n\n@manager4721")
    feishu = {q["path"][-1]: q["body"]["content"]["post"]["zh_cn"]["content"]
              for q in _by_path(robot, "/open-apis/bot/v2/hook/")}
    assert feishu["a"][-1] == [{"tag": "at", "user_id": "ou_7d8a6e6df7621556ce0d21922b676706"}]
    assert all(p[0]["tag"] == "text" for p in feishu["b"])


def test_a_dry_run_shows_the_message_even_before_the_webhook_is_set(repo):
    r = kehu(repo, "remind", "--owner", "lixia", "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert "$KEHU_WECOM_LIXIA" in r.stdout and '"msgtype": "markdown"' in r.stdout


def test_a_mail_server_that_is_down_is_said_in_the_team_words(repo):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"KEHU_SMTP_HOST": "127.0.0.1", "KEHU_SMTP_PORT": str(port), "KEHU_SMTP_FROM": "crm@example.com"}
    r = kehu(repo, "remind", "--owner", "lixia", "--email", "lixia@example.com", env=env)
    assert r.exit_code == 1
    assert f"李霞：邮件：邮件服务器 127.0.0.1:{port}：对方拒绝连接" in r.stderr
    assert "Errno" not in r.stderr
