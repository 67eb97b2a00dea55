"""Delivering a due list to where salespeople read: group robots of WeCom (企业微信), DingTalk (钉钉) and
Feishu (飞书), or email over SMTP.

Each robot gets its documented message format (markdown for WeCom and DingTalk, a ``post`` rich-text
message for Feishu) and, where the group robot is set to verify it, its signature: DingTalk's
``timestamp`` + ``sign`` query parameters (HmacSHA256 of ``timestamp\\nsecret`` keyed by the secret,
base64 then URL-encoded), Feishu's ``timestamp`` + ``sign`` body fields (HmacSHA256 with
``timestamp\\nsecret`` as key over an empty message, base64). Nothing here knows about customers: the
command assembles the :class:`Message`, this module only formats and sends it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from ..util.errors import KehuError

KINDS = ("wecom", "dingtalk", "feishu", "email")
ROBOTS = ("wecom", "dingtalk", "feishu")
TIMEOUT_S = 15
WECOM_MAX_BYTES = 4096  # the markdown content limit of a WeCom group robot message


class DeliveryError(KehuError):
    """A message that could not be delivered: one line that says why. (Its own kind: `kehu remind` reports
    it and goes on with the other owners.)"""


@dataclass
class Message:
    """One owner's reminder: a title and lines of plain text; ``bold`` lines are headings."""

    title: str
    lines: list[tuple[str, bool]] = field(default_factory=list)  # (text, is a heading)
    mention: str | None = None  # a mobile number to @-mention (WeCom, DingTalk)
    # line index -> (label, URL): a link after that line (记录跟进, pre-filled: "tap, type two lines, submit")
    links: dict[int, tuple[str, str]] = field(default_factory=dict)

    def text(self) -> str:
        out = [self.title]
        for i, (t, _) in enumerate(self.lines):
            out.append(t)
            if i in self.links:
                label, url = self.links[i]
                out.append(f"  {label}: {url}")
        return "\n".join(out)

    def markdown(self) -> str:
        out = [f"### {_md(self.title)}"]
        for i, (text, heading) in enumerate(self.lines):
            line = f"\n**{_md(text)}**" if heading else f"- {_md(text)}"
            if i in self.links:
                label, url = self.links[i]
                line += f" [{_md(label)}]({url})"  # kehu's own link: the URL is percent-encoded, no ( ) or space
            out.append(line)
        return "\n".join(out)


# not "*": a masked number (138****8000) must read as on the site, and emphasis harms nobody
_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀", "#": "＃"})


def _md(text: str) -> str:
    """Customer text is data: characters that would make links, mentions or headings become their
    full-width look-alikes (robots render no escapes consistently)."""
    return text.translate(_MARKUP)


# --- payloads ------------------------------------------------------------------------------------


def wecom_payload(msg: Message) -> dict[str, Any]:
    """企业微信群机器人: ``{"msgtype": "markdown", "markdown": {"content": …}}`` (at most 4096 bytes)."""
    content = msg.markdown()
    if msg.mention:
        content += f"\n<@{msg.mention}>"
    data = content.encode("utf-8")
    if len(data) > WECOM_MAX_BYTES:
        content = data[: WECOM_MAX_BYTES - 8].decode("utf-8", "ignore").rsplit("\n", 1)[0] + "\n……"
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(msg: Message) -> dict[str, Any]:
    """钉钉群机器人: markdown with a title (what the notification shows), and who to @-mention."""
    text = msg.markdown() + (f"\n\n@{msg.mention}" if msg.mention else "")
    return {"msgtype": "markdown", "markdown": {"title": msg.title, "text": text},
            "at": {"atMobiles": [msg.mention] if msg.mention else [], "isAtAll": False}}


def feishu_payload(msg: Message) -> dict[str, Any]:
    """飞书群机器人: a ``post`` (rich text) message, one paragraph per line."""
    paragraphs: list[list[dict[str, str]]] = []
    for i, (text, _) in enumerate(msg.lines):
        paragraph = [{"tag": "text", "text": text}]
        if i in msg.links:
            label, url = msg.links[i]
            paragraph += [{"tag": "text", "text": " "}, {"tag": "a", "text": label, "href": url}]
        paragraphs.append(paragraph)
    return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": msg.title, "content": paragraphs}}}}


def dingtalk_signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """The webhook URL with DingTalk's ``timestamp`` (ms) and ``sign`` query parameters."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def feishu_sign(secret: str, now_s: int | None = None) -> dict[str, str]:
    """Feishu's ``timestamp`` (s) and ``sign`` body fields."""
    timestamp = str(now_s if now_s is not None else int(time.time()))
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return {"timestamp": timestamp, "sign": base64.b64encode(digest).decode("ascii")}


def robot_request(kind: str, url: str, msg: Message, secret: str | None = None) -> tuple[str, dict[str, Any]]:
    """(URL, JSON body) of one robot message, signed when a secret is given."""
    if kind == "wecom":
        return url, wecom_payload(msg)
    if kind == "dingtalk":
        return (dingtalk_signed_url(url, secret) if secret else url), dingtalk_payload(msg)
    if kind == "feishu":
        body = feishu_payload(msg)
        return url, ({**feishu_sign(secret), **body} if secret else body)
    raise ValueError(kind)


def redact(url: str) -> str:
    """A webhook URL without its key or token (what may appear in a log)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if "/hook/" in path:  # feishu: the token is the last path segment
        path = path.rsplit("/", 1)[0] + "/***"
    query = "&".join(f"{k}=***" for k, _ in urllib.parse.parse_qsl(parts.query))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DeliveryError.coded("remind-bad-url", url=redact(url))
    return url.strip()


def send_robot(kind: str, url: str, msg: Message, secret: str | None = None) -> None:
    """POST the message; the robot's own answer (errcode / code 0) decides success."""
    target, body = robot_request(kind, check_url(url), msg, secret)
    request = urllib.request.Request(target, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # the scheme is checked: http(s) only
            raw = response.read(65536)
    except urllib.error.HTTPError as e:
        raise DeliveryError.coded("remind-http", url=redact(url), status=e.code) from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise DeliveryError.coded("remind-unreachable", url=redact(url), reason=reason) from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DeliveryError.coded("remind-not-json", url=redact(url)) from None
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0))) if isinstance(answer, dict) else 0
    if code not in (0, "0"):
        detail = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise DeliveryError.coded("remind-refused", url=redact(url), kind=kind, status=code, detail=detail)


# --- email ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Smtp:
    """Where email goes, from the environment (forge secrets): KEHU_SMTP_HOST, _PORT, _USER, _PASSWORD,
    _FROM and _SECURITY (starttls | ssl | none; default starttls, ssl on port 465)."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    security: str = "starttls"

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Smtp:
        host = (env.get("KEHU_SMTP_HOST") or "").strip()
        if not host:
            raise DeliveryError.coded("remind-smtp-unset", name="KEHU_SMTP_HOST")
        port_text = (env.get("KEHU_SMTP_PORT") or "").strip()
        try:
            port = int(port_text) if port_text else 587
        except ValueError:
            raise DeliveryError.coded("remind-smtp-port", port=port_text) from None
        security = (env.get("KEHU_SMTP_SECURITY") or ("ssl" if port == 465 else "starttls")).strip().lower()
        if security not in ("starttls", "ssl", "none"):
            raise DeliveryError.coded("remind-smtp-security", security=security)
        user = (env.get("KEHU_SMTP_USER") or "").strip() or None
        sender = (env.get("KEHU_SMTP_FROM") or user or "").strip()
        if not sender:
            raise DeliveryError.coded("remind-smtp-unset", name="KEHU_SMTP_FROM")
        return cls(host, port, sender, user, env.get("KEHU_SMTP_PASSWORD") or None, security)


def email_message(smtp: Smtp, to: str, msg: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = msg.title
    mail["From"] = smtp.sender
    mail["To"] = to
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    mail.set_content(msg.text() + "\n", charset="utf-8")
    return mail


def send_email(smtp: Smtp, to: str, msg: Message) -> None:
    mail = email_message(smtp, to, msg)
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_S,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_S)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.user and smtp.password:
                client.login(smtp.user, smtp.password)
            client.send_message(mail)
    except (smtplib.SMTPException, OSError) as e:
        raise DeliveryError.coded("remind-smtp", host=smtp.host, port=smtp.port, detail=e) from None
