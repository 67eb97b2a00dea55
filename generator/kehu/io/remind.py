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
import re
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
MOBILE = re.compile(r"\+?[0-9][0-9 -]{5,19}")  # a mention that is a phone number, not an app's user id


class DeliveryError(KehuError):
    """A message that could not be delivered: one line that says why. (Its own kind: `kehu remind` reports
    it and goes on with the other owners.) The networking libraries explain in English only, so the reason is
    a code (``why``: ``net.<why>`` in the catalogue), never their text."""

    def words(self, msgs: Any) -> tuple[str, str]:
        if "why" in self.values and "reason" not in self.values:
            self.values["reason"] = msgs.word(f"net.{self.values['why']}")
        return super().words(msgs)


def network_why(e: BaseException) -> str:
    """Why a connection failed, as a code of the catalogue's ``net.*`` (what the library said stays unshown)."""
    import socket

    reason = getattr(e, "reason", None)
    if isinstance(reason, BaseException):
        e = reason
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return "auth"
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        return "recipient"
    if isinstance(e, smtplib.SMTPSenderRefused):
        return "sender"
    if isinstance(e, smtplib.SMTPNotSupportedError):
        return "starttls"
    if isinstance(e, smtplib.SMTPServerDisconnected | ConnectionResetError | BrokenPipeError):
        return "reset"
    if isinstance(e, smtplib.SMTPException):
        return "smtp"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    if isinstance(e, socket.timeout | TimeoutError):
        return "timeout"
    if isinstance(e, socket.gaierror):
        return "dns"
    if isinstance(e, ssl.SSLError):
        return "tls"
    if isinstance(e, OSError) and e.errno in (101, 113):  # ENETUNREACH, EHOSTUNREACH
        return "unreachable"
    return "other"


@dataclass
class Message:
    """One owner's reminder: a title and lines of plain text; ``bold`` lines are headings."""

    title: str
    lines: list[tuple[str, bool]] = field(default_factory=list)  # (text, is a heading)
    mention: str | None = None  # who to @-mention: a mobile number, or the member's user id in that app

    @property
    def mention_mobile(self) -> str | None:
        """The mention as a mobile number (digits, + kept), or None when it is an app's user id."""
        if self.mention and MOBILE.fullmatch(self.mention.strip()):
            return re.sub(r"[\s-]", "", self.mention.strip())
        return None

    def text(self) -> str:
        return "\n".join([self.title, *(t for t, _ in self.lines)])

    def markdown(self) -> str:
        out = [f"### {_md(self.title)}"]
        for text, heading in self.lines:
            out.append(f"\n**{_md(text)}**" if heading else f"- {_md(text)}")
        return "\n".join(out)


# not "*": a masked number (138****8000) must read as on the site, and emphasis harms nobody
_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "`": "｀", "#": "＃"})


def _md(text: str) -> str:
    """Customer text is data: characters that would make links, mentions or headings become their
    full-width look-alikes (robots render no escapes consistently)."""
    return text.translate(_MARKUP)


# --- payloads ------------------------------------------------------------------------------------


def wecom_payloads(msg: Message) -> list[dict[str, Any]]:
    """企业微信群机器人: ``{"msgtype": "markdown", "markdown": {"content": …}}`` (at most 4096 bytes). A member is
    @-mentioned as WeCom documents it: a user id inside the markdown (``<@userid>``); a mobile number only works in
    a text message's ``mentioned_mobile_list``, so a short text message with it follows the list."""
    content = msg.markdown()
    mobile = msg.mention_mobile
    if msg.mention and mobile is None:
        content += f"\n<@{msg.mention.strip()}>"
    data = content.encode("utf-8")
    if len(data) > WECOM_MAX_BYTES:
        content = data[: WECOM_MAX_BYTES - 8].decode("utf-8", "ignore").rsplit("\n", 1)[0] + "\n……"
    out: list[dict[str, Any]] = [{"msgtype": "markdown", "markdown": {"content": content}}]
    if mobile is not None:
        out.append({"msgtype": "text", "text": {"content": msg.title, "mentioned_mobile_list": [mobile]}})
    return out


def dingtalk_payload(msg: Message) -> dict[str, Any]:
    """钉钉群机器人: markdown with a title (what the notification shows); a member is @-mentioned by mobile number
    (``at.atMobiles``) or user id (``at.atUserIds``), each also written as @… in the text, as DingTalk requires."""
    mobile = msg.mention_mobile
    at: dict[str, Any] = {"atMobiles": [mobile] if mobile else [], "isAtAll": False}
    text = msg.markdown()
    if msg.mention:
        who = mobile or msg.mention.strip()
        text += f"\n\n@{who}"
        if mobile is None:
            at["atUserIds"] = [who]
    return {"msgtype": "markdown", "markdown": {"title": msg.title, "text": text}, "at": at}


def feishu_payload(msg: Message) -> dict[str, Any]:
    """飞书群机器人: a ``post`` (rich text) message, one paragraph per line; a member is @-mentioned by their Feishu
    user id (open_id ``ou_…``) in an ``at`` element — Feishu's robots cannot mention by mobile number."""
    paragraphs: list[list[dict[str, str]]] = [[{"tag": "text", "text": text}] for text, _ in msg.lines]
    if msg.mention and msg.mention_mobile is None:
        paragraphs.append([{"tag": "at", "user_id": msg.mention.strip()}])
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


def robot_requests(kind: str, url: str, msg: Message, secret: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(URL, JSON body) of each robot message one reminder takes, signed when a secret is given."""
    if kind == "wecom":
        return [(url, body) for body in wecom_payloads(msg)]
    if kind == "dingtalk":
        return [((dingtalk_signed_url(url, secret) if secret else url), dingtalk_payload(msg))]
    if kind == "feishu":
        body = feishu_payload(msg)
        return [(url, ({**feishu_sign(secret), **body} if secret else body))]
    raise ValueError(kind)


def mention_problem(kind: str, mention: str | None) -> str | None:
    """Why a robot cannot @-mention as configured (a catalogue word), or None: Feishu needs a user id."""
    if kind == "feishu" and mention and MOBILE.fullmatch(mention.strip()):
        return "remind.feishu_mobile"
    return None


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
    """POST the message(s); the robot's own answer (errcode / code 0) decides success."""
    for target, body in robot_requests(kind, check_url(url), msg, secret):
        _post(kind, url, target, body)


def _post(kind: str, url: str, target: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(target, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # the scheme is checked: http(s) only
            raw = response.read(65536)
    except urllib.error.HTTPError as e:
        raise DeliveryError.coded("remind-http", url=redact(url), status=e.code) from None
    except (urllib.error.URLError, OSError) as e:
        raise DeliveryError.coded("remind-unreachable", url=redact(url), why=network_why(e)) from None
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
        raise DeliveryError.coded("remind-smtp", host=smtp.host, port=smtp.port, why=network_why(e)) from None
