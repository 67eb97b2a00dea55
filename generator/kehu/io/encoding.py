"""Which encoding a CSV file is in: UTF-8 (with or without BOM), UTF-16, GBK/GB18030 or Big5.

Chinese Excel saves "CSV" as GBK (GB18030 is its superset) and "CSV UTF-8" with a
BOM; WPS and scripts write plain UTF-8. A byte-order mark decides at once; bytes
that decode as UTF-8 are UTF-8 (non-ASCII text that happens to be valid UTF-8 in
another encoding is vanishingly rare); otherwise charset-normalizer measures
which of the remaining candidates yields readable text.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

# longest BOM first: the UTF-32-LE mark starts with the UTF-16-LE one
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# what Chinese-speaking teams' files are in, most likely first: ties go to the earlier one
# (a short GBK text is often equally readable as Big5; mainland teams use GBK)
CANDIDATES = ("gb18030", "big5", "utf_16")
_TIE = 0.05  # chaos scores this close are a tie
_SAMPLE = 1 << 20  # detection reads at most this much; decoding then covers the whole file


class EncodingError(ValueError):
    """The bytes are in no encoding we can read; args[0] is the codec that failed ("" when none fits).
    Internal: ``readers`` turns it into the ReadError the user sees (with the file's name and what to
    do), so it is not a KehuError."""


def detect_encoding(raw: bytes) -> str:
    """The codec name to decode ``raw`` with."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    matches = list(from_bytes(raw[:_SAMPLE], cp_isolation=list(CANDIDATES)))
    readable = [m for m in matches if _decodes(raw, m.encoding)]
    if not readable:
        raise EncodingError("")  # no codec named: none of the candidates reads it
    best = min(m.chaos for m in readable)
    tied = [m.encoding for m in readable if m.chaos <= best + _TIE]
    return min(tied, key=lambda e: CANDIDATES.index(e) if e in CANDIDATES else len(CANDIDATES))


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). An explicit ``encoding`` (``--encoding gbk``) is used as given."""
    name = encoding or detect_encoding(raw)
    if name.replace("-", "").replace("_", "").lower() in ("gbk", "gb2312", "cp936"):
        name = "gb18030"  # the superset: decodes every GBK file and the characters GBK lacks
    try:
        return raw.decode(name), _display(name)
    except (UnicodeDecodeError, LookupError):
        raise EncodingError(name) from None


def _display(name: str) -> str:
    return {"utf-8-sig": "UTF-8 (BOM)", "utf-8": "UTF-8", "gb18030": "GB18030/GBK", "big5": "Big5",
            "utf_16": "UTF-16", "utf-16": "UTF-16", "utf-32": "UTF-32"}.get(name, name)
