"""Which entries of a customer's lists are "the same record" across two versions of the file.

One rule, used wherever versions are compared: the merge driver (an entry edited on one
side is still that entry), ``kehu history`` and ``kehu diff`` (a changed entry is an edit,
not a removal plus an addition) and ``kehu check --against`` (a past interaction that was
rewritten, not one that was removed). An interaction is who, when and how; a survey its
date; a complaint its date and content; a contact its name (else phone); a deal its
contract number (else product and signing date); an opportunity its id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

Identity = Callable[[Any], Any]

# the lists that are the record of what happened: append-only (kehu.audit), marked when changed (kehu.review)
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
