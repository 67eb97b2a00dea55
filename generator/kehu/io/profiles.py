"""The standard exports of other CRMs (``data/import_profiles.yaml``) and their industry picklists
(``data/industry_map.yaml``): which export a sheet is, what its headers mean there, and which GB/T code an
industry label of one of those systems stands for.

A sheet is recognised by its headers alone: the export whose signature it holds most of (at least
``MIN_HITS`` headers and a third of the signature, with every ``required`` one). What an export says is data,
so a system that renames a column is one line of YAML.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

MIN_HITS = 4          # headers of an export's signature a sheet must have to be taken for that export
MIN_SHARE = 1 / 3     # … and this share of the signature


def fold_label(text: Any) -> str:
    """A picklist label as compared: width- and case-folded, without spaces and punctuation
    (COMPUTER_SOFTWARE = Computer Software, IT / 通信 = IT/通信)."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s\W_]+", "", folded)


@dataclass(frozen=True)
class Profile:
    """One known export: how to tell it and what its headers and words mean."""

    id: str
    kind: str                                   # the kind of sheet it is (customers, contacts, opportunities …)
    signature: frozenset[str]                   # header keys (io.columns.hkey) that tell it apart
    required: frozenset[str]                    # header keys it always has
    columns: dict[str, str]                     # header key -> field path, where it differs from the general table
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # vocabulary -> word -> key
    industry: str | None = None                 # its industry picklist in industry_map.yaml
    dates: str = "ymd"                          # how it writes 03/04/2025 (dmy | mdy); ymd: never so
    person_customers: bool = False              # a row is a person (企业微信): no company -> the person


def _load(name: str) -> Any:
    text = resources.files("kehu").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=1)
def profiles() -> dict[str, Profile]:
    from .columns import hkey

    out = {}
    for pid, p in _load("import_profiles.yaml")["profiles"].items():
        out[str(pid)] = Profile(
            id=str(pid), kind=str(p["kind"]),
            signature=frozenset(hkey(h) for h in p.get("signature") or []),
            required=frozenset(hkey(h) for h in p.get("required") or []),
            columns={hkey(h): str(path) for h, path in (p.get("columns") or {}).items()},
            values={str(v): {str(w): str(k) for w, k in table.items()} for v, table in (p.get("values") or {}).items()},
            industry=str(p["industry"]) if p.get("industry") else None,
            dates=str(p.get("dates") or "ymd"), person_customers=bool(p.get("person_customers")))
    return out


def recognise_export(headers: list[Any]) -> Profile | None:
    """The known export a header row belongs to, or None for a spreadsheet of a team's own."""
    from .columns import hkey

    keys = {hkey(h) for h in headers if h not in (None, "")}
    best, best_hits = None, 0
    for p in profiles().values():
        hits = len(p.signature & keys)
        if hits < MIN_HITS or hits < MIN_SHARE * len(p.signature) or not p.required <= keys:
            continue
        if hits > best_hits:
            best, best_hits = p, hits
    return best


@lru_cache(maxsize=1)
def industry_tables() -> dict[str, dict[str, str]]:
    """System -> {folded label: GB/T key} (data/industry_map.yaml)."""
    return {str(system): {fold_label(label): str(key) for label, key in table.items()}
            for system, table in _load("industry_map.yaml").items()}


def industry_from_table(value: Any, system: str | None, others: bool = True) -> tuple[str, str] | None:
    """(GB/T key, the system whose table said so) of a picklist label: the named system's table first, then
    (``others``) every other; None when no table has it."""
    label = fold_label(value)
    if not label:
        return None
    tables = industry_tables()
    order = ([system] if system in tables else []) + ([s for s in tables if s != system] if others else [])
    for name in order:
        hit = tables[name].get(label)
        if hit is not None:
            return hit, name
    return None
