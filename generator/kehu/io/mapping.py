"""The team's mapping file (``kehu import --mapping map.yaml``) for what is not recognised by itself.

```yaml
columns:          # a header as written in the spreadsheet -> the field it fills (or ignore)
  客户全称: name
  对接人手机: contact.phone
  内部编码: ignore
values:           # per list of choices: a word in the spreadsheet -> the schema key (or key: [words])
  stage: {A类: won, 跟进中: contacted}
  industry: {软件开发: I65, 医疗健康: Q84}
owners:           # a name in the spreadsheet -> a handle from team.yaml
  李经理: lixia
defaults:         # used when a row leaves the field empty
  industry: I65
  stage: lead
  channel: call
sheets:           # a sheet name -> customers | contacts | interactions | deals | surveys | complaints
  Sheet1: customers
header_row: 2     # the header row (1-based), when it is not found by itself
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..util.errors import KehuError
from .columns import CHILD, IGNORE, KINDS, SPECIAL, hkey

DEFAULTABLE = ("industry", "stage", "owner", "source", "size", "region", "channel", "created")
SECTIONS = ("columns", "values", "owners", "defaults", "sheets", "header_row")


class MappingError(KehuError, ValueError):
    """The --mapping file (or an owner it or --owner names) cannot be used, worded by its catalogue code."""


@dataclass
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    sheets: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None


def known_paths(top_level: list[str], item_fields: dict[str, list[str]]) -> set[str]:
    paths = set(top_level) | set(SPECIAL) | {IGNORE}
    for prefix, _ in CHILD.values():
        paths |= {f"{prefix}.{f}" for f in item_fields.get(prefix, [])}
    return paths


def _bad(file: str, code: str, **values: Any) -> MappingError:
    """A mapping file's mistake, worded in the team's language by catalogue entry ``code``."""
    return MappingError.coded(code, file=file, **values)


def load_mapping(path: Path | None, top_level: list[str], item_fields: dict[str, list[str]],
                 vocabularies: dict[str, list[str]]) -> Mapping:
    """Read and check the mapping file; an unknown field, kind or key names the entry to fix.
    ``vocabularies``: each list of choices with its keys."""
    if path is None:
        return Mapping()
    name = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise _bad(name, "mapping-unreadable", detail=e.strerror or str(e)) from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise _bad(name, "mapping-not-yaml", detail=str(e).splitlines()[0]) from None
    if data is None:
        return Mapping()
    if not isinstance(data, dict):
        raise _bad(name, "mapping-not-a-mapping", sections=", ".join(SECTIONS))
    unknown = set(map(str, data)) - set(SECTIONS)
    if unknown:
        raise _bad(name, "mapping-unknown-section", found=", ".join(sorted(unknown)), sections=", ".join(SECTIONS))
    out = Mapping()
    paths = known_paths(top_level, item_fields)
    for header, target in _section(data, "columns", name).items():
        if str(target) not in paths:
            raise _bad(name, "mapping-not-a-field", header=header, target=target)
        if str(target) == "annual_value" and hkey(header) in _turnover_headers():
            raise _bad(name, "mapping-turnover", header=header)
        out.columns[str(header)] = str(target)
    for vocab, table in _section(data, "values", name).items():
        if vocab not in vocabularies:
            raise _bad(name, "mapping-not-a-list", vocab=vocab, lists=", ".join(sorted(vocabularies)))
        if not isinstance(table, dict):
            raise _bad(name, "mapping-pairs", section=f"values: {vocab}")
        out.values[str(vocab)] = _value_table(name, str(vocab), table, vocabularies[str(vocab)])
    out.owners = {str(k): str(v) for k, v in _section(data, "owners", name).items()}
    for key, value in _section(data, "defaults", name).items():
        if key not in DEFAULTABLE:
            raise _bad(name, "mapping-no-default", key=key, fields=", ".join(DEFAULTABLE))
        out.defaults[str(key)] = value
    for sheet, kind in _section(data, "sheets", name).items():
        if kind not in KINDS:
            raise _bad(name, "mapping-bad-kind", sheet=sheet, kind=kind, kinds=", ".join(KINDS))
        out.sheets[str(sheet)] = str(kind)
    row = data.get("header_row")
    if row is not None:
        if not isinstance(row, int) or isinstance(row, bool) or row < 1:
            raise _bad(name, "mapping-header-row", value=row)
        out.header_row = row
    return out


def _value_table(file: str, vocab: str, table: dict[Any, Any], keys: list[str]) -> dict[str, str]:
    """``values:`` of one list of choices, written either way round: ``word: key`` (跟进中: contacted) or ``key:
    [words]`` (won: [已成交, 多次成交]), as the synonyms of kehu's own data are. A target that is no key of the
    list is refused naming the keys."""
    out: dict[str, str] = {}
    for left, right in table.items():
        if str(left) in keys and (isinstance(right, list) or str(right) not in keys):
            for word in right if isinstance(right, list) else [right]:
                out[str(word)] = str(left)
            continue
        if isinstance(right, list | dict) or str(right) not in keys:
            raise _bad(file, "mapping-not-a-key", vocab=vocab, word=left, target=right, keys=", ".join(keys))
        out[str(left)] = str(right)
    return out


def _turnover_headers() -> set[str]:
    from .columns import HEADERS

    return {hkey(w) for w in HEADERS.get("turnover", ())}


def _section(data: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise _bad(name, "mapping-pairs", section=key)
    return value
