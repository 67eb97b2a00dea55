"""Which entries of a customer's lists are "the same record": across two versions of one file, and
across two customers that turn out to be one.

One rule, used wherever versions are compared: the merge driver (an entry edited on one
side is still that entry), ``kehu history`` and ``kehu diff`` (a changed entry is an edit,
not a removal plus an addition) and ``kehu check --against`` (a past interaction that was
rewritten, not one that was removed). An interaction is who, when and how; a survey its
date; a complaint its date and content; a contact its name (else phone); a deal its
contract number (else product and signing date); an opportunity its id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from .normalize import normalize_email, parse_phone

Identity = Callable[[Any], Any]

# the lists that are the record of what happened: append-only (kehu.git.audit), marked when changed (kehu.git.review)
PROTECTED = ("interactions", "surveys", "complaints", "deals")


def plain(value: Any) -> Any:
    """JSON-like form used for comparisons: quoting, style and comments do not matter."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def _field(item: Any, name: str) -> Any:
    return plain(item.get(name)) if isinstance(item, Mapping) else None


def _contact(item: Any) -> Any:
    name = _field(item, "name")
    return ("name", name) if name else ("phone", _field(item, "phone"))


def _deal(item: Any) -> Any:
    contract = _field(item, "contract")
    return ("contract", contract) if contract else ("deal", _field(item, "product"), _field(item, "signed"))


RECORD_IDENTITY: dict[str, Identity] = {
    "interactions": lambda x: ("interaction", *(_field(x, k) for k in ("date", "channel", "by"))),
    "surveys": lambda x: ("survey", _field(x, "date")),
    "complaints": lambda x: ("complaint", _field(x, "date"), _field(x, "content")),
    "contacts": _contact,
    "deals": _deal,
    "opportunities": lambda x: ("opportunity", _field(x, "id")),
}


def identity_of(field: str, item: Any) -> Any:
    """The identity of an entry of the list ``field`` (the whole entry for a team's own lists)."""
    rule = RECORD_IDENTITY.get(field)
    return rule(item) if rule is not None else repr(plain(item))


def identity_text(field: str, item: Any) -> str:
    """The identity in words, for messages: '2024-05-10 call lixia', 'HT202405001'."""
    key = identity_of(field, item) if field in RECORD_IDENTITY else None
    if not isinstance(key, tuple):
        return "?"
    return " ".join(str(v) for v in key[1:] if v is not None) or "?"


# --- the same fact, recorded for two customers that are one (kehu merge, import of duplicate rows) -------


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def comparable(value: Any) -> object:
    """Dates, numbers and text compared by what they mean, not how YAML typed them."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return tuple(sorted((str(k), comparable(v)) for k, v in value.items() if not is_empty(v)))
    if isinstance(value, list):
        return tuple(comparable(v) for v in value)
    return value


def squash(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).casefold()


def _contact_keys(c: dict[str, Any], region: str) -> set[str]:
    keys = set()
    if c.get("phone"):
        e164, _ = parse_phone(str(c["phone"]), region)
        if e164:
            keys.add("p:" + e164)
    if c.get("email"):
        norm, _ = normalize_email(str(c["email"]))
        if norm:
            keys.add("e:" + norm)
    return keys


def same_fact(key: str, a: dict[str, Any], b: dict[str, Any], region: str) -> bool:
    """Two entries of two customers being merged record one fact (kept once): looser than a version's
    identity above, because two people typed them — normalised phones and emails, text without spaces."""
    if key == "contacts":
        ka, kb = _contact_keys(a, region), _contact_keys(b, region)
        if ka & kb:
            return True
        names_match = squash(a.get("name")) == squash(b.get("name"))
        # same name and nothing that tells them apart (no two different phones or emails)
        return names_match and not (ka and kb)
    if key == "interactions":
        fields = ("date", "channel", "by")
        return all(comparable(a.get(f)) == comparable(b.get(f)) for f in fields) and \
            squash(a.get("summary")) == squash(b.get("summary"))
    if key == "deals":
        if a.get("contract") and b.get("contract"):
            return squash(a["contract"]) == squash(b["contract"])
        return all(comparable(a.get(f)) == comparable(b.get(f)) for f in ("product", "amount", "signed"))
    if key == "opportunities":
        return comparable(a.get("id")) == comparable(b.get("id"))
    if key == "surveys":
        return all(comparable(a.get(f)) == comparable(b.get(f))
                   for f in ("date", "quality", "attitude", "response", "after_sales"))
    if key == "complaints":
        return comparable(a.get("date")) == comparable(b.get("date")) and \
            squash(a.get("content")) == squash(b.get("content"))
    return comparable(a) == comparable(b)
