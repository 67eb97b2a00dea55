"""One messy spreadsheet cell -> the value the schema expects.

Every parser takes what a spreadsheet gives (text with full-width spaces, the
float ``13800138000.0``, an Excel serial number, a ``datetime``) and returns the
clean value, or raises :class:`CellError` with the catalogue code that says why
it cannot. Phone and e-mail validity come from ``kehu.core.normalize``, the checker's
own rules; labels from the schema vocabularies plus the words spreadsheets use.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..repo.schema import Vocabulary
from ..util.errors import KehuError
from ..words.input_words import any_of, chars, section, synonyms
from .normalize import normalize_email, parse_phone


@dataclass(frozen=True)
class _Words:
    """What cells may say (data/input_words.yaml), as the sets and patterns the parsers use: built once."""

    ws: str                      # trimmed from a cell
    drop_invisible: dict[int, int | None]
    empty: frozenset[str]        # a placeholder for nothing (casefolded)
    excel_errors: frozenset[str]
    true: frozenset[str]
    false: frozenset[str]
    multipliers: dict[str, int]
    currency: re.Pattern[str]
    currency_word: re.Pattern[str]   # a cell that says it is in yuan (元, ¥, RMB): no header unit applies
    number: re.Pattern[str]
    percent: str
    score: str
    dates: tuple[re.Pattern[str], ...]
    numeric_dates: re.Pattern[str]   # 31/05/2025, 5/31/2025 14:30: day and month in an order the column decides
    month_names: dict[str, int]
    month_first: re.Pattern[str]     # May 31, 2025 07:00 AM
    day_first: re.Pattern[str]       # 31 May 2025
    leading_date: re.Pattern[str]
    month_day: re.Pattern[str]
    between_entries: re.Pattern[str]
    between_items: re.Pattern[str]
    phone_label: re.Pattern[str]
    between_phones: re.Pattern[str]
    inside_phone: re.Pattern[str]
    email_label: re.Pattern[str]
    between_emails: re.Pattern[str]
    between_parts: re.Pattern[str]
    between_industry_parts: re.Pattern[str]
    industry_ending: re.Pattern[str]
    size_at_least: re.Pattern[str]


@lru_cache(maxsize=1)
def _words() -> _Words:
    cells, dates, numbers = section("cells"), section("dates"), section("numbers")
    phones, emails, vocab = section("phones"), section("emails"), section("vocabularies")
    booleans = section("booleans")
    invisible = cells["invisible"]
    year, month, day = (f"[-/.{chars(dates['year'])}]", f"[-/.{chars(dates['month'])}]", f"[{chars(dates['day'])}]?")
    date = rf"\d{{4}}\s*{year}\s*\d{{1,2}}\s*{month}\s*\d{{1,2}}\s*{day}"
    multipliers = {str(k).casefold(): int(v) for k, v in numbers["multipliers"].items()}
    errors = frozenset(w.casefold() for w in cells["excel_errors"])
    return _Words(
        ws=" \t\r\n" + cells["spaces"] + invisible,
        drop_invisible=str.maketrans("", "", invisible),
        empty=frozenset(w.casefold() for w in cells["empty"]) | errors,
        excel_errors=errors,
        true=frozenset(fold(w) for w in booleans["yes"]),
        false=frozenset(fold(w) for w in booleans["no"]),
        multipliers=multipliers,
        currency=re.compile(r"[,\s]|" + any_of(w.casefold() for w in numbers["currency"])),
        currency_word=re.compile(any_of(w.casefold() for w in numbers["currency"])),
        number=re.compile(rf"(-?\d+(?:\.\d+)?)({any_of(multipliers)})?"),
        percent=numbers["percent"],
        score=numbers["score"],
        dates=(re.compile(rf"(\d{{4}})\s*{year}\s*(\d{{1,2}})\s*{month}\s*(\d{{1,2}})\s*{day}(?:[\sT].*)?"),
               re.compile(r"(\d{4})(\d{2})(\d{2})")),
        numeric_dates=re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?:[\sT,].*)?"),
        month_names=(names := {n.casefold(): int(k) for k, ns in dates["months"].items() for n in ns}),
        month_first=re.compile(rf"({any_of(names)})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?:[\sT,].*)?",
                               re.I),
        day_first=re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?[\s-]+({any_of(names)})\.?[\s-]+(\d{{4}})(?:[\sT,].*)?",
                             re.I),
        leading_date=re.compile(rf"^\s*({date})\s*[{chars(dates['after_date'])}\s]\s*(.*)$", re.S),
        month_day=re.compile(rf"(\d{{1,2}})\s*{month}\s*(\d{{1,2}})\s*{day}"),
        between_entries=re.compile(rf"[{chars(dates['between_entries'])}\n]+"),
        between_items=re.compile(rf"[{chars(section('lists')['between_items'])}\n]+"),
        phone_label=re.compile(rf"^(?:{any_of(phones['labels'])})\s*[{chars(phones['label_end'])}]?\s*", re.I),
        between_phones=re.compile(rf"[{chars(phones['between_numbers'])}]|{any_of(phones['between_numbers_words'])}"
                                  r"|\s{2,}|\n"),
        inside_phone=re.compile(rf"[\s{chars(phones['inside_number'])}]"),
        email_label=re.compile(rf"^(?:{any_of(emails['labels'])})\s*[{chars(emails['label_end'])}]?\s*", re.I),
        between_emails=re.compile(rf"[\s{chars(emails['between_addresses'])}]+"),
        between_parts=re.compile(rf"[{chars(vocab['between_parts'])}]+"),
        between_industry_parts=re.compile(rf"\s*[{chars(vocab['between_industry_parts'])}]+\s*"),
        industry_ending=re.compile(rf"({any_of(vocab['industry_endings'])})$"),
        size_at_least=re.compile(any_of(vocab["size_at_least"])),
    )


class CellError(KehuError, ValueError):
    """A value that cannot be used, worded by its catalogue ``code`` (``values`` fill it). Import turns it
    into a row's reject reason or a dropped value, naming the column; commands into a refusal."""


# --- text -------------------------------------------------------------------------------------


def clean_text(value: Any) -> str | None:
    """A cell as trimmed text (full-width and no-break spaces too); None when it holds nothing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        value = int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value.replace(microsecond=0)
    words = _words()
    text = str(value).strip(words.ws).translate(words.drop_invisible)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or (text[0] == "#" and text.casefold() in words.excel_errors):
        return None
    return text


def is_empty(value: Any) -> bool:
    """Nothing, or a placeholder (-, /, N/A, 无) where a value was expected."""
    text = clean_text(value)
    return text is None or text.casefold() in _words().empty


def fold(text: str) -> str:
    """Width- and case-insensitive, without spaces: for comparing words, never for storing them."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


# --- dates ------------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (after its 1900 leap-year bug)
_SERIAL_RANGE = (60, 2958465)         # 1900-03-01 .. 9999-12-31


DATE_ORDERS = ("dmy", "mdy")  # how 03/04/2025 is read: 3 April (most of the world) or March 4 (the US)


def parse_date(value: Any, order: str | None = None, tz: dt.tzinfo | None = None) -> dt.date:
    """2024-05-10, 2024/5/10, 2024.5.10, 2024年5月10日, 20240510, an Excel serial or a date cell; and as other
    systems export them: 2025-05-31T14:30:00+08:00 (in the team's time zone ``tz`` when given), May 31, 2025
    07:00 AM, 31 May 2025, 31/05/2025 14:30 — ``order`` says how a date with day and month both ≤ 12 reads
    (dmy or mdy; a day above 12 tells by itself; none given: mdy, as US systems write it)."""
    if isinstance(value, dt.datetime):
        if tz is not None and value.tzinfo is not None:
            return value.astimezone(tz).date()
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 29991231:
            return _date_or_fail(str(int(value)), value)
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError.coded("import-bad-date", value=value)
    text = clean_text(value)
    if text is None:
        raise CellError.coded("import-bad-date", value="")
    text = unicodedata.normalize("NFKC", text)
    if re.fullmatch(r"\d+(\.\d+)?", text) and not re.fullmatch(r"\d{8}", text):
        return parse_date(float(text))  # a serial number that went through CSV
    if tz is not None and "T" in text and re.search(r"(Z|[+-]\d{2}:?\d{2})$", text):
        instant = _iso_instant(text)
        if instant is not None:
            return instant.astimezone(tz).date()
    return _date_or_fail(text, value, order)


def _iso_instant(text: str) -> dt.datetime | None:
    """2025-05-31T14:30:00+08:00, 2025-05-31T06:30:00.000Z, 2025-05-31T06:30:00.000+0000 as an aware time."""
    fixed = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace("Z", "+00:00"))
    try:
        instant = dt.datetime.fromisoformat(fixed)
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None


def date_order_of(values: list[Any]) -> str | None:
    """How a column writes day and month: 'dmy' when one of its dates has a first number above 12 (31/05/2025),
    'mdy' when a second one does (5/31/2025), None when none tells (every day and month ≤ 12, or no such date)."""
    pattern = _words().numeric_dates
    for value in values:
        if not isinstance(value, str):
            continue
        m = pattern.fullmatch(unicodedata.normalize("NFKC", value).strip())
        if m:
            first, second = int(m.group(1)), int(m.group(2))
            if first > 12 >= second:
                return "dmy"
            if second > 12 >= first:
                return "mdy"
    return None


def has_numeric_date(values: list[Any]) -> bool:
    """Whether a column holds dates like 03/04/2025, whose order of day and month must be decided."""
    pattern = _words().numeric_dates
    return any(isinstance(v, str) and pattern.fullmatch(unicodedata.normalize("NFKC", v).strip()) for v in values)


def parse_date_text(text: str) -> dt.date:
    """A date a person types (2024-05-10, 2024/5/10, 2024.5.10, 2024年5月10日, 20240510), never a serial number:
    the command line reads dates as import does — except a numeric date whose day and month could be either way
    (06/01/2024): a spreadsheet's column tells its order, one typed value does not, so it is refused."""
    normal = unicodedata.normalize("NFKC", text)
    m = _words().numeric_dates.fullmatch(normal.strip())
    if m and int(m.group(1)) <= 12 and int(m.group(2)) <= 12:
        raise CellError.coded("import-bad-date", value=text)
    return _date_or_fail(normal, text)


def looks_like_date(value: Any) -> bool:
    """A date cell or date-shaped text (2024-07-01, 2024年7月1日) — not a bare number, which may be an amount."""
    if isinstance(value, dt.date):
        return True
    text = clean_text(value)
    if not text or re.fullmatch(r"[\d.,\s]+", text):
        return False
    try:
        parse_date(text)
    except CellError:
        return False
    return True


def _date_or_fail(text: str, original: Any, order: str | None = None) -> dt.date:
    words = _words()
    text = text.strip()
    for pattern in words.dates:
        m = pattern.fullmatch(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    found: tuple[int, int, int] | None = None
    m = words.numeric_dates.fullmatch(text)
    if m:
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day_first = first > 12 or (second <= 12 and order == "dmy")
        found = (year, second, first) if day_first else (year, first, second)
    m = m or words.month_first.fullmatch(text)
    if found is None and m:
        found = (int(m.group(3)), words.month_names[m.group(1).casefold()], int(m.group(2)))
    m = m or words.day_first.fullmatch(text)
    if found is None and m:
        found = (int(m.group(3)), words.month_names[m.group(2).casefold()], int(m.group(1)))
    if found is not None:
        try:
            return dt.date(*found)
        except ValueError:
            pass
    raise CellError.coded("import-bad-date", value=original)


def split_dated(text: str) -> tuple[dt.date | None, str]:
    """'2023-11-01：安排产品演示' -> (date, '安排产品演示'); text without a leading date -> (None, text)."""
    m = _words().leading_date.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None, text.strip()
    try:
        return parse_date(m.group(1)), m.group(2).strip()
    except CellError:
        return None, text.strip()


def split_history(text: str) -> list[tuple[dt.date, str]]:
    """'2023-10-10:会议讨论需求;2023-10-15:发送报价单' -> dated entries (互动历史 columns)."""
    out = []
    for part in _words().between_entries.split(text):
        when, rest = split_dated(part)
        if when and rest:
            out.append((when, rest))
    return out


def parse_month_day(value: Any) -> str:
    """A contact's birthday as MM-DD: 05-12, 5月12日, 5/12, or a full date (only month and day are kept)."""
    if isinstance(value, dt.date | dt.datetime):
        return f"{value.month:02d}-{value.day:02d}"
    text = unicodedata.normalize("NFKC", clean_text(value) or "")
    m = _words().month_day.fullmatch(text)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        try:
            dt.date(2000, month, day)  # a leap year: 02-29 is a birthday
        except ValueError:
            raise CellError.coded("import-bad-date", value=value) from None
        return f"{month:02d}-{day:02d}"
    when = parse_date(value)
    return f"{when.month:02d}-{when.day:02d}"


# --- numbers ----------------------------------------------------------------------------------

def parse_number(value: Any, unit: int = 1) -> int | float:
    """120000, '120,000', '¥120000.00', '12万', '1.2w', '120000元' -> a number (int when whole). ``unit``: what a
    bare number counts (10000 under a 万元 header); a cell that writes its own unit (18.9万, 196,000元) keeps it."""
    if isinstance(value, bool):
        raise CellError.coded("import-bad-number", value=value)
    if isinstance(value, int | float):
        number = float(value) * unit
    else:
        words = _words()
        text = unicodedata.normalize("NFKC", clean_text(value) or "").casefold()
        in_yuan = bool(words.currency_word.search(text))
        text = words.currency.sub("", text)
        m = words.number.fullmatch(text)
        if not m:
            raise CellError.coded("import-bad-number", value=value)
        factor = words.multipliers[m.group(2)] if m.group(2) else 1 if in_yuan else unit
        number = float(m.group(1)) * factor
    if math.isnan(number) or math.isinf(number):
        raise CellError.coded("import-bad-number", value=value)
    number = round(number, 6)
    return int(number) if number.is_integer() else number


def parse_rate(value: Any) -> float:
    """'85%', 0.85 or 85 -> 0.85."""
    text = clean_text(value) or ""
    marks = _words().percent
    percent = text.endswith(tuple(marks))
    number = float(parse_number(text.rstrip(marks) if percent else value))
    if percent or 1 < number <= 100:
        number /= 100
    if not 0 <= number <= 1:
        raise CellError.coded("import-bad-number", value=value)
    return round(number, 6)


def parse_score(value: Any, low: int = 1, high: int = 5) -> int:
    """A satisfaction score: 4, '4分', 4.0."""
    text = unicodedata.normalize("NFKC", clean_text(value) or "").rstrip(_words().score)
    try:
        number = parse_number(text)
    except CellError:
        raise CellError.coded("import-bad-number", value=value) from None
    if not float(number).is_integer() or not low <= number <= high:
        raise CellError.coded("import-bad-number", value=value)
    return int(number)


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = fold(clean_text(value) or "")
    words = _words()
    if text in words.true:
        return True
    if text in words.false:
        return False
    return None


def split_list(value: Any) -> list[str]:
    """'降本增效、快速部署' / '降本增效,快速部署' / one per line -> items."""
    text = clean_text(value) or ""
    ws = _words().ws
    return [p.strip(ws) for p in _words().between_items.split(text) if p.strip(ws)]


# --- phones and e-mail ------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^(\d)(?:\.(\d+))?e\+?(\d+)$", re.I)


def parse_phone_cell(value: Any, region: str) -> tuple[str, list[str]]:
    """A phone cell -> (the number in one form, other numbers that were in the cell).

    Mainland numbers (``138-0013-8000``, ``+86 138 0013 8000``, ``13800138000.0`` from Excel,
    ``0086…``) become the 11 national digits; landlines and other countries +E.164. Raises
    CellError when the cell holds no number that can be repaired, e.g. Excel's lossy
    ``1.38001E+10``.
    """
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError.coded("import-bad-phone", value=value, detail="fraction")
        value = int(value)
    text = unicodedata.normalize("NFKC", clean_text(value) or "")
    parts = [p for p in _words().between_phones.split(text) if p.strip()]
    if not parts:
        raise CellError.coded("import-bad-phone", value=value, detail="empty")
    first = _one_phone(parts[0], region, value)
    others = []
    for p in parts[1:]:
        try:
            others.append(_one_phone(p, region, p))
        except CellError:
            continue
    return first, others


def _one_phone(text: str, region: str, original: Any) -> str:
    text = _words().phone_label.sub("", text.strip())
    sci = _SCIENTIFIC.match(text)
    if sci:
        digits = (sci.group(1) + (sci.group(2) or ""))
        if len(digits) < int(sci.group(3)) + 1:  # Excel dropped digits: the number cannot be known
            raise CellError.coded("import-bad-phone", value=original, detail="lost_digits")
        text = str(int(float(text)))
    text = re.sub(r"\.0+$", "", text)  # 13800138000.0: a number cell read as text
    compact = _words().inside_phone.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif re.fullmatch(r"86\d{11}", compact):
        compact = "+" + compact
    if not re.fullmatch(r"\+?\d{5,20}", compact):
        raise CellError.coded("import-bad-phone", value=original, detail="not_number")
    e164, why = parse_phone(compact, region)
    if e164 is not None and not compact.startswith("+"):
        return e164[len(_country_prefix(region)):]  # a mobile of the team's region, as written nationally
    if e164 is None and why == "not_mobile":
        e164, why = _landline(compact, region)
    if e164 is None:
        raise CellError.coded("import-bad-phone", value=original,
                        detail="not_mobile" if why == "not_mobile" else "invalid")
    return _stored_form(e164, region)


@lru_cache(maxsize=64)
def _country_prefix(region: str) -> str:
    import phonenumbers

    return f"+{phonenumbers.country_code_for_region(region)}"


def _landline(compact: str, region: str) -> tuple[str | None, str]:
    """A valid fixed-line number of ``region`` (021-12345678): stored with its country code,
    which the checker accepts for any valid number."""
    import phonenumbers

    try:
        number = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException as e:
        return None, str(e)
    if not phonenumbers.is_valid_number(number):
        return None, "invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def _stored_form(e164: str, region: str) -> str:
    """One form per number: a mobile of the team's region as its national digits (how the team
    writes it), anything else as +E.164."""
    import phonenumbers

    number = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(number) == region:
        national = phonenumbers.national_significant_number(number)
        again, _ = parse_phone(national, region)
        if again == e164:
            return national
    return e164


_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def parse_email_cell(value: Any) -> str:
    text = unicodedata.normalize("NFKC", clean_text(value) or "")
    text = _words().email_label.sub("", text).strip()
    text = _words().between_emails.split(text)[0] if text else text
    norm, why = email_key(text)
    if norm is None:
        raise CellError.coded("import-bad-email", value=value, detail=why)
    return text  # as written (case kept); kehu.core.normalize decides equality


@lru_cache(maxsize=65536)
def email_key(text: str) -> tuple[str | None, str]:
    """kehu.core.normalize's e-mail normal form, remembered (an import asks for each address twice)."""
    return normalize_email(text)


def split_contact_info(value: Any, region: str) -> tuple[list[str], list[str]]:
    """A 联系方式 cell ('电话：138…；邮箱：a@b.com') -> (phones, emails)."""
    text = unicodedata.normalize("NFKC", clean_text(value) or "")
    emails = _EMAIL_IN_TEXT.findall(text)
    rest = _EMAIL_IN_TEXT.sub(" ", text)
    phones = []
    for chunk in re.findall(r"\+?[\d][\d\s\-()]{5,}\d", rest):
        try:
            phones.append(_one_phone(chunk, region, chunk))
        except CellError:
            if len(re.sub(r"\D", "", chunk)) >= 7:
                raise
    return phones, emails


# --- vocabularies -----------------------------------------------------------------------------

class Resolver:
    """A vocabulary's keys from the words people write: the key, its Chinese or English label,
    a spreadsheet synonym (``synonyms:`` of data/input_words.yaml), or a team's own mapping
    (``values:`` in the mapping file)."""

    def __init__(self, vocab: Vocabulary, extra: dict[str, str] | None = None) -> None:
        self.vocab = vocab
        table: dict[str, str] = {}
        for word, key in synonyms().get(vocab.name, {}).items():
            if key in vocab:
                table[fold(word)] = key
        for t in vocab.terms:  # the schema's own labels win over synonyms
            for w in (t.key, t.zh, t.en):
                table[fold(w)] = t.key
        for word, key in (extra or {}).items():  # the team's mapping wins over everything
            table[fold(str(word))] = str(key)
        self.table = table
        self.folded_labels = [(t, fold(t.zh)) for t in vocab.terms]  # folded once, not once a cell

    def key(self, value: Any) -> str | None:
        text = clean_text(value)
        if text is None:
            return None
        hit = self.table.get(fold(text))
        if hit is not None:
            return hit
        for part in _words().between_parts.split(text):  # 'A类-重点客户', '潜在（需求明确）'
            if part.strip() and fold(part) in self.table:
                return self.table[fold(part)]
        return None


def industry_key(value: Any, resolver: Resolver) -> str | None:
    """GB/T 4754 key of an industry cell: 'I65', 'I65 软件和信息技术服务业', a label, a synonym, or a
    fragment of exactly one label ('零售行业' -> F, '制造业-计算机、通信和其他电子设备制造业' -> C39)."""
    text = clean_text(value)
    if text is None:
        return None
    code = re.match(r"^([A-T](?:\d{2})?)(?:\s|$)", text)
    if code and code.group(1) in resolver.vocab:
        return code.group(1)
    exact = resolver.table.get(fold(text))
    if exact is not None:
        return exact
    parts = [p for p in _words().between_industry_parts.split(text) if p.strip()]
    for part in reversed(parts):  # the most specific part is written last
        hit = resolver.table.get(fold(part)) or _label_fragment(part, resolver)
        if hit:
            return hit
    return resolver.key(text)


def _label_fragment(text: str, resolver: Resolver) -> str | None:
    word = _words().industry_ending.sub("", fold(text))
    if len(word) < 2:
        return None
    if word in resolver.table:
        return resolver.table[word]
    holders = [t for t, label in resolver.folded_labels if word in label]
    if not holders:
        return None
    shortest = min(len(t.zh) for t in holders)
    best = [t for t in holders if len(t.zh) == shortest]
    return best[0].key if len(best) == 1 else None


def size_key(value: Any, resolver: Resolver) -> str | None:
    """Company size: a key or label, or a head count / range ('120', '500-1000人') placed in the
    vocabulary's bands, which are read from the keys themselves (<50, 50-200, …, >500)."""
    direct = resolver.key(value)
    if direct is not None:
        return direct
    text = unicodedata.normalize("NFKC", clean_text(value) or "")
    numbers = [int(n) for n in re.findall(r"\d+", text.replace(",", ""))]
    if not numbers:
        return None
    head = max(numbers) if _words().size_at_least.search(text) else (numbers[0] + numbers[-1]) / 2
    for key in [t.key for t in resolver.vocab.terms]:
        band = _band(key)
        if band and band[0] <= head < band[1]:
            return key
    return None


def _band(key: str) -> tuple[float, float] | None:
    m = re.fullmatch(r"<\s*(\d+)", key)
    if m:
        return 0, float(m.group(1))
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", key)
    if m:
        return float(m.group(1)), float(m.group(2))
    m = re.fullmatch(r">\s*(\d+)", key)
    if m:
        return float(m.group(1)), math.inf
    return None


# --- what a value written the wrong way means ---------------------------------------------------------


def meant(vocab: Vocabulary | None, expected: str, value: Any) -> Any:
    """What a person most likely meant by ``value`` where the schema wants a ``vocab`` key or an ``expected``
    JSON type — read the way import and the command line read it: '100人' → '50-200', '展会' → 'trade_show',
    'phone' → 'call', '软件' → 'I65', '12万' → 120000, '2024/5/1' → '2024-05-01'. None when it cannot be read
    with certainty (the checker then lists the choices). The checker's hints use it (kehu.repo.schema.Reader)."""
    if vocab is not None:
        resolver = Resolver(vocab)
        if vocab.name == "industry":
            key = industry_key(value, resolver)
        elif vocab.name == "size":
            key = size_key(value, resolver)
        else:
            key = resolver.key(value)
        return key if key in vocab else None
    try:
        if expected in ("number", "integer"):
            number = parse_number(value)
            return number if expected == "number" or isinstance(number, int) else None
        if expected == "date":
            return parse_date(value).isoformat()
        if expected == "boolean":
            return parse_bool(value)
    except CellError:
        return None
    return None
