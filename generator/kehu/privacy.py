"""What must never be stored (national ID and bank card numbers) and how
contact details are masked for a wide audience.

The one masking policy (:class:`Masking`): what the team reads — ``kehu show``,
``kehu export``, ``kehu build --internal`` — is unmasked; what a wide audience sees —
the public site, ``kehu show --mask`` while sharing a screen, ``kehu export --mask``,
chat-robot and email reminders — is masked as ``privacy:`` in kehu.yaml says."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

_ID_RE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                    r"(?![0-9A-Za-z])")
# not glued to Latin letters or digits: "SO2024050100112345" is an order number, "卡号6222…" a card
_CARD_RE = re.compile(r"(?<![0-9A-Za-z])(?:\d[ -]?){15,18}\d(?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def is_national_id(text: str) -> bool:
    """An 18-character mainland resident ID with a valid birth date and check digit."""
    if len(text) != 18 or not text[:17].isdigit():
        return False
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == text[17].upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def find_national_id(text: str) -> str | None:
    for m in _ID_RE.finditer(text):
        if is_national_id(m.group()):
            return m.group()
    return None


def find_bank_card(text: str) -> str | None:
    for m in _CARD_RE.finditer(text):
        digits = re.sub(r"[ -]", "", m.group())
        if 16 <= len(digits) <= 19 and not is_national_id(digits) and luhn_valid(digits):
            return m.group()
    return None


def mask_phone(phone: str | None) -> str:
    """13800138000 -> 138****8000; keeps a +country prefix readable."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    prefix = ""
    if phone.strip().startswith("+"):
        prefix = "+"
        if digits.startswith("86") and len(digits) == 13:  # +86 mobile: mask the 11 national digits
            prefix, digits = "+86 ", digits[2:]
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{prefix}{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_email(email: str | None) -> str:
    """zhang.wei@example.com -> z***@example.com"""
    if not email:
        return ""
    local, _, domain = email.partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


_PHONE_IN_TEXT = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def mask_in_text(text: str | None, phones: bool = True, emails: bool = True) -> str:
    """Free text (a summary, a note) with every mainland mobile number and email address in it masked:
    a number typed into a note must not escape the masking of the contact fields."""
    if not text:
        return ""
    if phones:
        text = _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)
    if emails:
        text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group()), text)
    return text


@dataclass(frozen=True, slots=True)
class Masking:
    """What one audience may read of contact details: phones (and WeChat ids, which reach a person the same
    way) and emails, also inside free text."""

    phones: bool = True
    emails: bool = True

    @classmethod
    def of(cls, config: Any, wide: bool) -> Masking:
        """The policy: a wide audience gets what kehu.yaml's ``privacy:`` masks; the team reads everything."""
        if not wide:
            return cls(False, False)
        return cls(bool(config.get("privacy", "mask_phone", default=True)),
                   bool(config.get("privacy", "mask_email", default=True)))

    def phone(self, value: str | None) -> str:
        return mask_phone(value) if self.phones and value else (value or "")

    def email(self, value: str | None) -> str:
        return mask_email(value) if self.emails and value else (value or "")

    def handle(self, value: str | None) -> str:
        """A WeChat id reaches the person like a phone number does."""
        text = (value or "").strip()
        return f"{text[:2]}***" if self.phones and text else text

    def text(self, value: str | None) -> str:
        return mask_in_text(value or "", self.phones, self.emails)
