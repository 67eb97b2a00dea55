"""What must never be stored (national ID and bank card numbers) and how
contact details are masked for a wide audience.

The one masking policy (:class:`Masking`): what the team reads — ``kehu show``,
``kehu export``, ``kehu build --internal`` — is unmasked; what a wide audience sees —
the public site, ``kehu show --mask`` while sharing a screen, ``kehu export --mask``,
chat-robot and email reminders — is masked as ``privacy:`` in kehu.yaml says."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Self

from ..repo.model import Customer, customer_from
from ..repo.yamlload import LoadedYaml
from ..words.input_words import chars, section
from .derive import Due, Facts

# Numbers are searched for in a canonical form of the text (normalize_digits, then the separators
# between digits dropped): 110101 1990 0307 1234, １１０１０１… and 110101-19900307-1234 are one number.
# An ID number is found even glued to letters (its date and check digit make it certain);
# a card number is not glued to Latin letters or digits: "SO2024050100112345" is an order number.
_ID_RE = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}"
                    r"[0-9Xx](?![0-9])")
_CARD_RE = re.compile(r"(?<![0-9A-Za-z])[0-9]{16,19}(?![0-9A-Za-z])")
_DIGIT = re.compile(r"\d")  # any script's decimal digit, as str.isdecimal (normalize_digits keeps their number)
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])[ \u00a0\u3000\-\u2010-\u2015\u2212\uff0d._·/]+(?=[0-9Xx])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@lru_cache(maxsize=1)
def _typed_for_ascii() -> dict[int, str]:
    """The full-width + X @ . an input method types (data/input_words.yaml), as their ASCII characters."""
    return str.maketrans(section("typed_for_ascii"))


@lru_cache(maxsize=1)
def _wide_at() -> tuple[str, ...]:
    return tuple(k for k, v in section("typed_for_ascii").items() if v == "@")


def normalize_digits(text: str) -> str:
    """Every decimal digit in any script (full-width １, Arabic-Indic ٣ …) as its ASCII digit, and the
    full-width + X @ . as ASCII: what a number looks like must not decide whether it is found."""
    if text.isascii():
        return text
    out = []
    for ch in text.translate(_typed_for_ascii()):
        if ch.isdecimal() and not ch.isascii():
            out.append(str(unicodedata.decimal(ch)))
        else:
            out.append(ch)
    return "".join(out)


def _canonical_numbers(text: str) -> str:
    return _BETWEEN_DIGITS.sub("", normalize_digits(text))


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
    """The first national ID number in ``text`` (in canonical form), whatever digits and separators it uses."""
    if len(_DIGIT.findall(text)) < 17:  # most cells: too few digits to hold one (17 and a check digit)
        return None
    for m in _ID_RE.finditer(_canonical_numbers(text)):
        if is_national_id(m.group()):
            return m.group()
    return None


def find_bank_card(text: str) -> str | None:
    if len(_DIGIT.findall(text)) < 16:  # most cells: too few digits to hold one (16 to 19)
        return None
    for m in _CARD_RE.finditer(_canonical_numbers(text)):
        digits = m.group()
        if not is_national_id(digits) and luhn_valid(digits):
            return digits
    return None


def mask_phone(phone: str | None) -> str:
    """13800138000 -> 138****8000; keeps a +country prefix readable."""
    if not phone:
        return ""
    if "*" in phone:  # already masked: masking twice must not reveal digits
        return phone
    phone = normalize_digits(phone)
    digits = re.sub(r"[^0-9]", "", phone)
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
    if local.endswith("***"):  # already masked
        return email
    return f"{local[:1]}***@{domain}"


_PHONE_IN_TEXT = re.compile(r"(?<![0-9+])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# six digits or more, not part of an id or contract number (C20240501001, HT202405001): worth hiding
_LONG_DIGITS = re.compile(r"(?<![A-Za-z0-9_])\+?[0-9](?:[ ()\-]?[0-9]){5,}(?![A-Za-z0-9_])")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")


@lru_cache(maxsize=1)
def _at_word() -> re.Pattern[str]:
    """Anything@anything written in text, up to the characters that end an address (data/input_words.yaml)."""
    edge = chars(section("emails")["around_address"])
    return re.compile(rf"[^\s{edge}]*@[^\s{edge}]*")


# --- the book's own contact details, wherever they are repeated --------------------------------------------
# A pattern finds a mainland mobile number; it cannot know that "zw_2024" is a WeChat id or that 9123 4567 is a
# Hong Kong mobile. The contacts of the customers do: every phone (in the forms text writes it: with or without
# its country code or trunk 0) and every WeChat id recorded in a contact field is masked wherever it is typed
# again — a summary, a planned step, a note, a complaint — on every output a wide audience reads.

# a run of digits as text writes a number: separated by spaces, dashes, dots or brackets, maybe after a +
_DIGIT_RUN = re.compile(r"\+?\(?[0-9](?:[ \-.()\u00a0]{0,2}[0-9]){4,}")
# an international number is always worth hiding: + and 8 to 15 digits (E.164), whatever the country
_INTERNATIONAL_DIGITS = range(8, 16)
# what a WeChat id is made of (letters, digits, _ and -): a word of text is compared whole, never in part
_WORD = re.compile(r"[A-Za-z0-9_\-]{3,}")
_MIN_NUMBER_DIGITS = 5  # a shorter number (an amount, a room number) is never taken for a contact's


@dataclass(frozen=True, slots=True)
class Known:
    """The contact details of a book's customers, in the forms free text repeats them: phone numbers as
    digit strings, WeChat ids case-folded (``odd_handles``: the few with characters a word never holds)."""

    digits: frozenset[str] = frozenset()
    handles: frozenset[str] = frozenset()
    odd_handles: tuple[str, ...] = ()

    @classmethod
    def of(cls, customers: Iterable[Any]) -> Known:
        """What the contacts of ``customers`` (anything with ``.contacts`` of ``.phone`` / ``.wechat``, or raw
        customer mappings) hold."""
        digits: set[str] = set()
        handles: set[str] = set()
        odd: set[str] = set()
        for c in customers:
            contacts = c.get("contacts") if isinstance(c, dict) else getattr(c, "contacts", None)
            for x in contacts or []:
                phone = x.get("phone") if isinstance(x, dict) else getattr(x, "phone", None)
                wechat = x.get("wechat") if isinstance(x, dict) else getattr(x, "wechat", None)
                if isinstance(phone, str | int) and not isinstance(phone, bool):
                    digits.update(_number_forms(str(phone)))
                if isinstance(wechat, str) and wechat.strip():
                    text = normalize_digits(wechat.strip())
                    if re.fullmatch(r"\+?[0-9 \-]+", text):
                        digits.update(_number_forms(text))  # a WeChat id that is a phone number
                    elif _WORD.fullmatch(text):
                        handles.add(text.casefold())
                    elif len(text) >= 3:
                        odd.add(text.casefold())
        return cls(frozenset(digits), frozenset(handles), tuple(sorted(odd, key=len, reverse=True)))

    def fingerprint(self) -> str:
        """A key of everything known: a page that masks free text depends on the whole book's contact details
        (a number of another customer's contact, written in a note, is masked)."""
        h = hashlib.blake2b(digest_size=16)
        for part in (sorted(self.digits), sorted(self.handles), self.odd_handles):
            h.update("\x00".join(part).encode())
            h.update(b"\x01")
        return h.hexdigest()

    def __bool__(self) -> bool:
        return bool(self.digits or self.handles or self.odd_handles)


def _number_forms(phone: str) -> set[str]:
    """The digit strings text may write ``phone`` as: all its digits; with a +country code, the national
    number after a code of 1–3 digits, also with a trunk 0 (+86 21 1234 5678 is 021-12345678 at home)."""
    digits = re.sub(r"[^0-9]", "", normalize_digits(phone))
    if len(digits) < _MIN_NUMBER_DIGITS:
        return set()
    forms = {digits}
    if phone.strip().startswith(("+", "＋")) or digits.startswith("00"):
        bare = digits[2:] if digits.startswith("00") else digits
        forms.add(bare)
        for code in (1, 2, 3):
            national = bare[code:]
            if len(national) >= 7:
                forms.update((national, "0" + national))
    elif digits.startswith("0") and len(digits) > 7:
        forms.add(digits[1:])
    return forms


def _mask_known(text: str, known: Known) -> str:
    """Every number and WeChat id of ``known`` in ``text`` masked where it stands, and every international
    number (+ and 8–15 digits) too."""
    ascii_form = normalize_digits(text)
    if len(ascii_form) != len(text):  # a character that became two: mask in the ASCII form
        text = ascii_form
    out = list(text)
    changed = False
    for m in _DIGIT_RUN.finditer(ascii_form):
        run = m.group()
        digits = re.sub(r"[^0-9]", "", run)
        if digits in known.digits or (run.lstrip("(").startswith("+") and len(digits) in _INTERNATIONAL_DIGITS):
            shown = mask_phone(run.lstrip("(")) if run.lstrip("(").startswith("+") else "****" + digits[-4:]
            out[m.start():m.end()] = [shown] + [""] * (m.end() - m.start() - 1)
            changed = True
    if known.handles:
        for m in _WORD.finditer(ascii_form):
            if m.group().casefold() in known.handles:
                out[m.start():m.end()] = [mask_handle(m.group())] + [""] * (m.end() - m.start() - 1)
                changed = True
    text = "".join(out) if changed else text
    for odd in known.odd_handles:
        if odd in text.casefold():
            text = re.sub(re.escape(odd), lambda m: mask_handle(m.group()), text, flags=re.IGNORECASE)
    return text


def mask_in_text(text: str | None, phones: bool = True, emails: bool = True, known: Known | None = None) -> str:
    """THE masking of free text (a summary, a note, a name): every mainland mobile number, international
    number and email address in it masked, and every phone number and WeChat id of the book's contacts
    (``known``), whatever digits it is written with — a number typed into a note must not escape the
    masking of the contact fields. The site, `kehu export --mask`, `kehu show --mask`, the reminders and the
    review comment all mask through here."""
    if not text:
        return ""
    if phones:
        if not text.isascii():
            text = _mask_wide_phones(text)
        text = _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)
        if known is not None or "+" in text or "＋" in text:
            text = _mask_known(text, known or _NOTHING_KNOWN)
    if emails:
        if not text.isascii():
            for at in _wide_at():  # a full-width ＠: the address is found in the ASCII form
                if at in text:
                    text = normalize_digits(text)
                    break
        text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group()), text)
    return text


_NOTHING_KNOWN = Known()


def _mask_wide_phones(text: str) -> str:
    """Phones written with other digits: found in the ASCII form, masked where they stand."""
    ascii_form = normalize_digits(text)
    if len(ascii_form) != len(text):
        return text
    out = list(text)
    for m in _PHONE_IN_TEXT.finditer(ascii_form):
        masked = mask_phone(m.group())
        out[m.start():m.end()] = [masked] + [""] * (m.end() - m.start() - 1)
    return "".join(out)


def mask_loosely(text: str | None) -> str:
    """For what quotes a value that may be a malformed phone or email (a checker message on the public
    site): every run of six or more digits and every word with an @ in it masked."""
    if not text:
        return ""
    text = normalize_digits(text)
    text = _at_word().sub(lambda m: mask_email(m.group()) if "@" in m.group()[1:] else "***", text)
    return _LONG_DIGITS.sub(lambda m: m.group() if _ISO_DATE.fullmatch(m.group()) else mask_phone(m.group()), text)


def mask_handle(text: str | None) -> str:
    """A WeChat id reaches the person like a phone number does."""
    return f"{text[:2]}***" if text else ""


_CONTACT_FIELDS = {"phone": mask_phone, "email": mask_email, "wechat": mask_handle}
_NOT_TEXT = frozenset({"id", "date", "created", "signed", "resolved", "birthday", "quiet_until",
                       "cooperation_since"})


def mask_tree(data: object, phones: bool = True, emails: bool = True, key: str = "",
              known: Known | None = None) -> object:
    """A customer's (or any record's) data with every contact detail masked: the phone, email and
    wechat fields, and every phone and email inside the other text — with the record's own contact details
    (and those of ``known``) wherever they are repeated. Numbers and dates are kept."""
    if known is None and isinstance(data, dict) and phones:
        known = Known.of([data])
    if isinstance(data, dict):
        return {k: mask_tree(v, phones, emails, str(k), known) for k, v in data.items()}
    if isinstance(data, list):
        return [mask_tree(v, phones, emails, key, known) for v in data]
    if not isinstance(data, str) or key in _NOT_TEXT:
        return data
    if (key in ("phone", "wechat") and phones) or (key == "email" and emails):
        return _CONTACT_FIELDS[key](data)
    return mask_in_text(data, phones, emails, known)


@dataclass(frozen=True, slots=True)
class Masking:
    """What one audience may read of contact details: phones (and WeChat ids, which reach a person the same
    way) and emails, also inside free text."""

    phones: bool = True
    emails: bool = True
    known: Known = field(default_factory=Known)  # the book's contact details, masked wherever repeated

    @classmethod
    def of(cls, config: Any, wide: bool) -> Masking:
        """The policy: a wide audience gets what kehu.yaml's ``privacy:`` masks; the team reads everything."""
        if not wide:
            return cls(False, False)
        return cls(config.privacy.mask_phone, config.privacy.mask_email)

    def knowing(self, customers: Iterable[Any]) -> Self:
        """This policy, also masking the contact details of ``customers`` wherever they are repeated (every
        output a wide audience reads hands over the customers it shows: the site, reminders, masked exports)."""
        if not self.phones:
            return self
        return dataclasses.replace(self, known=Known.of(customers))

    def phone(self, value: str | None) -> str:
        return mask_phone(value) if self.phones and value else (value or "")

    def email(self, value: str | None) -> str:
        return mask_email(value) if self.emails and value else (value or "")

    def handle(self, value: str | None) -> str:
        """A WeChat id reaches the person like a phone number does."""
        text = (value or "").strip()
        return mask_handle(text) if self.phones and text else text

    def text(self, value: str | None) -> str:
        return mask_in_text(value or "", self.phones, self.emails, self.known if self.known else None)

    def customer(self, c: Customer) -> Customer:
        """A whole customer masked as this policy says — contacts, free text, planned steps, reasons — for an
        output that shows many of its fields (``kehu export --mask``, ``kehu show --mask``)."""
        if not (self.phones or self.emails):
            return c
        return customer_from(LoadedYaml(c.file, self.tree(c.raw)))

    def facts(self, f: Facts) -> Facts:
        """A customer's derived facts with what repeats its free text masked: the planned action of what falls
        due (and of each rhythm) and the values listed as missing information."""
        if not (self.phones or self.emails):
            return f

        def due(d: Due | None) -> Due | None:
            return dataclasses.replace(d, action=self.text(d.action)) if d is not None and d.action else d

        return dataclasses.replace(
            f, due=due(f.due), rhythms=[d for d in map(due, f.rhythms) if d is not None],
            missing_of=None,  # the list is found now, from the unmasked facts, and kept masked
            _missing=[dataclasses.replace(m, value=self.text(m.value)) if isinstance(m.value, str) else m
                      for m in f.missing])

    def tree(self, data: object) -> object:
        """A whole record with every contact detail masked as this policy says (export, history)."""
        if not (self.phones or self.emails):
            return data
        known = self.known if self.known else (Known.of([data]) if isinstance(data, dict) else None)
        return mask_tree(data, self.phones, self.emails, known=known)
