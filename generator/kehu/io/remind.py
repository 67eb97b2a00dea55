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
import http.client
import json
import os
import re
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

from ..util.errors import KehuError

if TYPE_CHECKING:
    from ..repo.repository import Repo

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
    # line index -> (label, URL): a link after that line (记录跟进, pre-filled: "tap, type two lines, submit")
    links: dict[int, tuple[str, str]] = field(default_factory=dict)
    body: str | None = None     # the Markdown the robots show, when the sender made its own (links escaped by md_text)

    @property
    def mention_mobile(self) -> str | None:
        """The mention as a mobile number (digits, + kept), or None when it is an app's user id."""
        if self.mention and MOBILE.fullmatch(self.mention.strip()):
            return re.sub(r"[\s-]", "", self.mention.strip())
        return None

    def text(self) -> str:
        out = [self.title]
        for i, (t, _) in enumerate(self.lines):
            out.append(t)
            if i in self.links:
                label, url = self.links[i]
                out.append(f"  {label}: {url}")
        return "\n".join(out)

    def markdown(self) -> str:
        if self.body is not None:
            return f"### {_md(self.title)}\n{self.body}"
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


md_text = _md  # for senders that write their own Markdown (kehu report): customer text as data, the same way


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
    """飞书群机器人: a ``post`` (rich text) message, one paragraph per line (a link after its line); a member is
    @-mentioned by their Feishu user id (open_id ``ou_…``) in an ``at`` element — Feishu's robots cannot mention
    by mobile number."""
    paragraphs: list[list[dict[str, str]]] = []
    for i, (text, _) in enumerate(msg.lines):
        paragraph = [{"tag": "text", "text": text}]
        if i in msg.links:
            label, url = msg.links[i]
            paragraph += [{"tag": "text", "text": " "}, {"tag": "a", "text": label, "href": url}]
        paragraphs.append(paragraph)
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


_PLAIN_SEGMENT = re.compile(r"^[A-Za-z][A-Za-z._-]{0,15}$|^v[0-9]$")  # cgi-bin, webhook, send, open-apis, v2 …
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029]")


def redact(url: str) -> str:
    """A webhook URL as it may appear in a log: scheme, host and the plain words of its path; every key,
    token, query value and user name replaced by ``***``. Anything that is no http(s) URL — a secret that
    holds only the key, a value broken by a line break — is ``***`` as a whole: a CI log masks a secret only
    where it appears whole, never a part of it."""
    text = url.strip()
    parts = urllib.parse.urlsplit(text) if not _CONTROL.search(text) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return "***"
    written = parts.netloc.rpartition("@")[2]  # the host as written (a dry run's $KEHU_WECOM_LIXIA keeps its case)
    name = written[:len(parts.hostname)] if written.lower().startswith(parts.hostname) else parts.hostname
    host = name + (f":{parts.port}" if _port(parts) else "")
    path = "/".join(seg if _PLAIN_SEGMENT.match(seg) else "***" for seg in parts.path.split("/"))
    query = "&".join(f"{k}=***" for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
                     if _PLAIN_SEGMENT.match(k))
    return urllib.parse.urlunsplit((parts.scheme, host, path, query, ""))


def _port(parts: urllib.parse.SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:
        return None


def secret_pieces(*secrets: str | None) -> list[str]:
    """Every piece of these secrets that must never reach a log: each whole, each of its lines, and each
    query value and path segment of a URL (a CI log masks only the exact secret, so a message quoting part
    of it would leak that part). Longest first, for :func:`scrub`."""
    pieces: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        pieces.add(secret)
        pieces.update(line.strip() for line in secret.splitlines())
        parts = urllib.parse.urlsplit(secret.strip().split()[0] if secret.strip() else "")
        pieces.update(seg for seg in parts.path.split("/") if not _PLAIN_SEGMENT.match(seg))
        pieces.update(v for _, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        if parts.password:
            pieces.add(parts.password)
    return sorted((p for p in pieces if len(p) >= 4), key=len, reverse=True)


def scrub(text: str, pieces: list[str]) -> str:
    """``text`` with every piece of a secret (:func:`secret_pieces`) replaced by ``***``."""
    for piece in pieces:
        text = text.replace(piece, "***")
    return text


def check_url(url: str) -> str:
    """The webhook URL to post to: an http(s) URL with a host and nothing that is no part of a URL (a line
    break or a space — a secret pasted with its newline, or two values in one)."""
    text = url.strip()
    parts = urllib.parse.urlsplit(text) if not _CONTROL.search(text) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError.coded("remind-bad-url", url=redact(url))
    try:
        parts.port  # noqa: B018 (a port that is no number raises)
    except ValueError:
        raise DeliveryError.coded("remind-bad-url", url=redact(url)) from None
    return text


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A message is posted where the team said, or not at all: a robot answering with a redirect is a
    failure naming where it pointed (following it would post the due list — or, after a 302, fetch an
    answer — from another host)."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        target = urllib.parse.urlsplit(newurl if not _CONTROL.search(newurl) else "")
        raise DeliveryError.coded("remind-redirect", url=redact(req.full_url), status=code,
                                  host=target.hostname or "?")


_OPENER = urllib.request.build_opener(_NoRedirect)


def send_robot(kind: str, url: str, msg: Message, secret: str | None = None) -> None:
    """POST the message(s); the robot's own answer (errcode / code 0) decides success. Never follows a redirect."""
    for target, body in robot_requests(kind, check_url(url), msg, secret):
        _post(kind, url, target, body)


def _post(kind: str, url: str, target: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(target, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with _OPENER.open(request, timeout=TIMEOUT_S) as response:  # the scheme is checked: http(s) only
            raw = response.read(65536)
    except urllib.error.HTTPError as e:
        raise DeliveryError.coded("remind-http", url=redact(url), status=e.code) from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
        # what the library says may quote the URL (InvalidURL does): only a code of ours (net.*) is shown
        raise DeliveryError.coded("remind-unreachable", url=redact(url), why=network_why(e)) from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DeliveryError.coded("remind-not-json", url=redact(url)) from None
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0))) if isinstance(answer, dict) else 0
    if code not in (0, "0"):
        detail = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        raise DeliveryError.coded("remind-refused", url=redact(url), kind=kind, status=code,
                                  detail=_CONTROL.sub(" ", str(detail))[:200])


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
        if not plain_address(sender) or _CONTROL.search(host):
            raise DeliveryError.coded("remind-smtp-bad-value", name="KEHU_SMTP_FROM" if _CONTROL.search(host) is None
                                      else "KEHU_SMTP_HOST")
        return cls(host, port, sender, user, env.get("KEHU_SMTP_PASSWORD") or None, security)


def plain_address(address: str) -> bool:
    """One mail address and nothing else: no line break (which would add headers: "a@b\\r\\nBcc: …"), no space,
    no second address."""
    return bool(re.fullmatch(r"[^\s@,;<>\"]+@[^\s@,;<>\"]+", address)) and not _CONTROL.search(address)


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
    if not plain_address(to):
        raise DeliveryError.coded("remind-bad-address", address=_CONTROL.sub("␤", to)[:80])
    try:
        mail = email_message(smtp, to, msg)
    except ValueError:  # a header the email package refuses: nothing was sent
        raise DeliveryError.coded("remind-bad-address", address=_CONTROL.sub("␤", to)[:80]) from None
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
    except (smtplib.SMTPException, OSError, ValueError) as e:
        # the reason is a code of ours (net.*): what a server or the library said may quote anything
        raise DeliveryError.coded("remind-smtp", host=smtp.host, port=smtp.port, why=network_why(e)) from None


# --- where each member's messages go, and sending them (kehu remind, kehu report --send) ------------------------


@dataclass
class Delivery:
    """One message to one place."""

    owner: str
    kind: str
    target: str             # webhook URL or email address (secret: never printed whole)
    secret: str | None
    message: Message


def secrets_env() -> dict[str, str]:
    """The environment, plus the forge secrets GitHub hands over as one JSON (``KEHU_SECRETS``)."""
    env = dict(os.environ)
    packed = env.get("KEHU_SECRETS")
    if packed:
        try:
            extra = json.loads(packed)
        except ValueError:
            extra = {}
        if isinstance(extra, dict):
            env = {**{k: str(v) for k, v in extra.items() if isinstance(v, str)}, **env}
    return env


_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: object) -> str:
    """Customer text on one line of a message: control characters and line breaks become spaces."""
    return _LINE_BREAKS.sub(" ", str(text or "")).strip()


def configured(repo: Repo, owners: list[str], env: dict[str, str],
               dry_run: bool = False) -> tuple[list[tuple[str, str, str, str | None, str | None]], list[str]]:
    """(owner, kind, target, secret, mention) of every channel in team.yaml, and the problems (a missing
    variable) — one line each, naming the member and the app as people say them. In a dry run a missing
    variable still shows the message, addressed to the variable's name."""
    from ..core.present import Presenter

    out, problems = [], []
    assert repo.team is not None  # the owners are its members
    words = Presenter.of(repo)
    for owner in owners:
        member = repo.team.handles[owner]
        who = words.who(owner)
        for entry in member.remind:
            kind = str(entry.get("kind"))
            app = kind_word(repo, kind)
            if kind in ROBOTS:
                name = entry.get("webhook_env")
                url = env.get(str(name)) if name else None
                secret_name = entry.get("secret_env")
                secret = env.get(str(secret_name)) if secret_name else None
                mention = entry.get("mention")
                why_not = mention_problem(kind, str(mention) if mention else None)
                if why_not:
                    problems.append(repo.msgs.word(why_not, owner=who))
                if not name:
                    problems.append(repo.msgs.word("remind.the_channel_has", owner=who, kind=app))
                elif not url and not dry_run:
                    problems.append(repo.msgs.word("remind.environment_variable_the", owner=who, name=name, kind=app))
                elif secret_name and not secret and not dry_run:
                    problems.append(repo.msgs.word("remind.environment_variable_the2", owner=who,
                                                   secret_name=secret_name, kind=app))
                else:
                    out.append((owner, kind, url or f"https://${name}", secret, mention))
            elif kind == "email":
                to = entry.get("to") or member.email
                if not to:
                    problems.append(repo.msgs.word("remind.the_email_channel", owner=who))
                else:
                    out.append((owner, kind, str(to), None, None))
    return out, problems


def kind_word(repo: Repo, kind: str) -> str:
    """The app a channel goes to, as people name it: 企业微信, 钉钉, 飞书, 邮件."""
    return repo.msgs.word(f"remind.kind.{kind}") if repo.msgs.has(f"remind.kind.{kind}") else kind


def _print_dry(repo: Repo, d: Delivery, echo: Callable[[str], None]) -> None:
    from ..core.present import Presenter

    who, app = Presenter.of(repo).who(d.owner), kind_word(repo, d.kind)
    if d.kind == "email":
        echo(repo.msgs.word("remind.dry_email", target=d.target, owner=who))
        echo(d.message.text())
    else:
        for url, body in robot_requests(d.kind, d.target, d.message, d.secret):
            echo(repo.msgs.word("remind.dry_robot", kind=app, target=redact(url), owner=who))
            echo(json.dumps(body, ensure_ascii=False, indent=2))
    echo("")


def deliver(repo: Repo, deliveries: list[Delivery], env: dict[str, str], dry_run: bool,
            echo: Callable[[str], None]) -> tuple[int, list[str]]:
    """Send every delivery (``dry_run``: print it instead, webhook keys as ***): how many were sent, and one line
    for each that failed (the others are still sent)."""
    from ..core.present import Presenter

    words = Presenter.of(repo)
    sent = 0
    problems: list[str] = []
    smtp: Smtp | None = None
    for d in deliveries:
        if dry_run:
            _print_dry(repo, d, echo)
            continue
        # Every failure is one line for this member — the secret, and every part of it, redacted — and the
        # others are still sent: one broken secret or address never keeps the team's messages back.
        hidden = secret_pieces(d.target if d.kind != "email" else None, d.secret, env.get("KEHU_SMTP_PASSWORD"))
        try:
            if d.kind == "email":
                smtp = smtp or Smtp.from_env(env)
                send_email(smtp, d.target, d.message)
                shown = d.target
            else:
                send_robot(d.kind, d.target, d.message, d.secret)
                shown = redact(d.target)
        except DeliveryError as e:
            problems.append(scrub(repo.msgs.word("remind.failed", owner=words.who(d.owner),
                                                 kind=kind_word(repo, d.kind), reason=e.line_for(repo.msgs)), hidden))
            continue
        except Exception as e:  # one delivery failed: its kind only (its text may quote a secret)
            reason = repo.msgs.text("remind-crashed", kind=d.kind, reason=type(e).__name__)[0]
            problems.append(repo.msgs.word("remind.failed", owner=words.who(d.owner), kind=kind_word(repo, d.kind),
                                           reason=reason))
            continue
        sent += 1
        echo(repo.msgs.word("remind.sent", owner=words.who(d.owner), kind=kind_word(repo, d.kind), shown=shown))
    return sent, problems
