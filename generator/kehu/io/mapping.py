"""The team's mapping file (``kehu import --mapping map.yaml``) for what is not recognised by itself.

```yaml
columns:          # a header as written in the spreadsheet -> the field it fills (or ignore)
  客户全称: name
  对接人手机: contact.phone
  内部编码: ignore
values:           # per field: a word in the spreadsheet -> the schema key
  stage: {A类: won, 跟进中: contacted}
  industry: {软件开发: I65}
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
from .columns import CHILD, IGNORE, KINDS, SPECIAL

DEFAULTABLE = ("industry", "stage", "owner", "source", "size", "region", "channel", "created")


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


def _bad(file: str, detail: str) -> MappingError:
    return MappingError.coded("import-bad-mapping", file=file, detail=detail)


def load_mapping(path: Path | None, top_level: list[str], item_fields: dict[str, list[str]],
                 vocabularies: set[str]) -> Mapping:
    """Read and check the mapping file; an unknown field or kind names the entry to fix."""
    if path is None:
        return Mapping()
    name = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise _bad(name, e.strerror or str(e)) from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise _bad(name, f"not valid YAML: {str(e).splitlines()[0]}") from None
    if data is None:
        return Mapping()
    if not isinstance(data, dict):
        raise _bad(name, "expected a mapping with columns:, values:, owners:, defaults:, sheets:")
    unknown = set(data) - {"columns", "values", "owners", "defaults", "sheets", "header_row"}
    if unknown:
        raise _bad(name, f"unknown section(s) {', '.join(sorted(map(str, unknown)))}")
    out = Mapping()
    paths = known_paths(top_level, item_fields)
    for header, target in _section(data, "columns", name).items():
        if str(target) not in paths:
            raise _bad(name, f"columns: '{header}: {target}': '{target}' is not a field "
                                     f"(e.g. name, contact.phone, interaction.summary, ignore)")
        out.columns[str(header)] = str(target)
    for vocab, table in _section(data, "values", name).items():
        if vocab not in vocabularies:
            raise _bad(name, f"values: '{vocab}' is not a list of choices ({', '.join(sorted(vocabularies))})")
        if not isinstance(table, dict):
            raise _bad(name, f"values: {vocab}: expected 'word: key' pairs")
        out.values[str(vocab)] = {str(k): str(v) for k, v in table.items()}
    out.owners = {str(k): str(v) for k, v in _section(data, "owners", name).items()}
    for key, value in _section(data, "defaults", name).items():
        if key not in DEFAULTABLE:
            raise _bad(name, f"defaults: '{key}' cannot have a default ({', '.join(DEFAULTABLE)})")
        out.defaults[str(key)] = value
    for sheet, kind in _section(data, "sheets", name).items():
        if kind not in KINDS:
            raise _bad(name, f"sheets: '{sheet}: {kind}': kind must be one of {', '.join(KINDS)}")
        out.sheets[str(sheet)] = str(kind)
    row = data.get("header_row")
    if row is not None:
        if not isinstance(row, int) or isinstance(row, bool) or row < 1:
            raise _bad(name, "header_row: expected a row number (1 = the first row)")
        out.header_row = row
    return out


def _section(data: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise _bad(name, f"{key}: expected 'name: value' pairs")
    return value
