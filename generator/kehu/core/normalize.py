"""Normal forms used to recognise the same customer: names, phones, emails.

One place, so the checker, the importer and ``kehu dedupe`` agree on what
"the same" means.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..words.input_words import chars, section


@lru_cache(maxsize=1)
def _punctuation() -> re.Pattern[str]:
    """Spaces, punctuation and brackets between the parts of a company name (data/input_words.yaml)."""
    words = section("company_names")
    brackets = words["brackets"]["open"] + words["brackets"]["close"]
    return re.compile(rf"[\s{chars(words['separators'] + brackets)}]+")


def normalize_company(name: str, suffixes: tuple[str, ...]) -> str:
    """Full-width to half-width, case-folded, spaces and punctuation gone,
    legal-form suffixes (有限公司, 集团, Co. Ltd …) stripped from the end."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    folded_suffixes = _folded_suffixes(tuple(suffixes))
    text = _punctuation().sub("", text)
    changed = True
    while changed and text:
        changed = False
        for suffix in folded_suffixes:
            if suffix and text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
                break
    return text


@lru_cache(maxsize=16)
def _folded_suffixes(suffixes: tuple[str, ...]) -> list[str]:
    """The suffixes in the names' normal form, longest first (once per configuration, not once per name)."""
    return sorted({_punctuation().sub("", unicodedata.normalize("NFKC", s).casefold()) for s in suffixes},
                  key=len, reverse=True)


@lru_cache(maxsize=65536)
def parse_phone(raw: str, region: str) -> tuple[str | None, str]:
    """Return (E.164 form, "") for a valid number or (None, why): ``empty``, ``not_number``, ``invalid`` or
    ``not_mobile`` — the catalogue's ``phone.<why>`` says it in the team's language.

    Without a ``+country`` prefix a number must be a mobile number of ``region``
    (11 digits in mainland China); with one, any valid number is accepted.
    """
    import phonenumbers  # imported on first use: its import is a good part of a cached check's start-up

    text = unicodedata.normalize("NFKC", str(raw)).strip()
    digits = re.sub(r"[\s\-().]", "", text)
    if not digits:
        return None, "empty"
    try:
        number = phonenumbers.parse(digits, None if digits.startswith("+") else region)
    except phonenumbers.NumberParseException:  # its explanation is English: the reason is a code (phone.*)
        return None, "not_number"
    if not phonenumbers.is_valid_number(number):
        return None, "invalid"
    if not digits.startswith("+"):
        kind = phonenumbers.number_type(number)
        if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
            return None, "not_mobile"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


@lru_cache(maxsize=1)
def _placeholders() -> tuple[frozenset[str], re.Pattern[str], frozenset[str], re.Pattern[str]]:
    words = section("placeholders")
    phones = frozenset(re.sub(r"\D", "", p) for p in words["phones"])
    emails = frozenset(e.casefold() for e in words["emails"])
    return (phones, re.compile("|".join(f"(?:{p})" for p in words["phone_patterns"])), emails,
            re.compile("|".join(f"(?:{p})" for p in words["email_patterns"]), re.I))


def placeholder_contact(kind: str, value: str, region_prefix: str = "86") -> bool:
    """A well-known dummy an old system was fed to get past a required field (13800000000, 123@qq.com;
    data/input_words.yaml ``placeholders``): it belongs to no customer. ``kind``: phone | email."""
    phones, phone_pattern, emails, email_pattern = _placeholders()
    if kind == "email":
        text = unicodedata.normalize("NFKC", value).strip().casefold()
        return text in emails or bool(email_pattern.match(text))
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", value))
    if digits.startswith(region_prefix) and len(digits) > 11:
        digits = digits[len(region_prefix):]
    return digits in phones or bool(phone_pattern.fullmatch(digits))


@lru_cache(maxsize=65536)  # the checker asks twice per address (index and rule); the validator is slow
def normalize_email(raw: str) -> tuple[str | None, str]:
    """Return (normalised address, "") or (None, why): a code of ``email.<why>`` in the catalogue (email-validator
    explains in English only, so its explanation is read here and never shown). No network look-up."""
    from email_validator import EmailNotValidError, validate_email

    try:
        info = validate_email(str(raw).strip(), check_deliverability=False)
    except EmailNotValidError as e:
        return None, email_reason(str(e))
    return info.normalized.casefold(), ""


# email-validator's explanations (English, its own words) -> the catalogue's reasons (email.<why>), first match
_EMAIL_REASONS = (
    ("fullwidth_at", r"full-width|small commercial at"),
    ("no_at", r"must have an @-sign"),
    ("nothing_before", r"something before the @-sign"),
    ("nothing_after", r"something after the @-sign"),
    ("too_long", r"too long|so many characters"),
    ("periods", r"period|hyphen|dashes"),
    ("no_domain", r"should have a period|top-level domain|special-use|reserved"),
    ("non_ascii", r"ASCII|[Ii]nternationali[sz]ed|Unicode|IDNA"),
    ("extra", r"display name|angle bracket|anything after the email|quot"),
    ("bad_domain", r"after the @-sign"),
    ("bad_local", r"before the @-sign|invalid character"),
)


def email_reason(explanation: str) -> str:
    """Why an address is not one, as a catalogue code (``email.<code>``)."""
    for code, pattern in _EMAIL_REASONS:
        if re.search(pattern, explanation):
            return code
    return "other"
