"""The team's rules: kehu.yaml merged over the defaults shipped with kehu, as frozen typed objects.

No number from the domain lives in code: every threshold, cadence and limit is read from here.
``data/defaults.yaml`` is the documented default ``kehu.yaml`` and the ONLY source of default values:
the dataclasses below say which keys exist and of which type, never what they default to. Each section
of defaults.yaml is one dataclass (``config.check.max_file_bytes``, ``config.pool.days``); its top-level
numbers are fields of ``Config`` itself (``config.dormant_days``).

A ``Config`` is built once per opening of a repository (``open_repo``), after kehu.yaml passed its
schema: ``Config.build`` checks every value against its field's type (a key the schema leaves open, such
as ``site.chart_months``, can still hold the wrong thing) and raises ``ConfigValueError`` naming the key.

"Today" is a value of the Config, given by the caller (``kehu --today``) or, when not given, the date in
the team's time zone at the moment the Config is built. Nothing in kehu reads it from the environment
except the two edges that say so (the command line and the MkDocs plugin, through ``pinned_today``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml

# where kehu.yaml and customers/ are is decided in root (which --help reads without PyYAML); re-exported here
from .root import CONFIG_FILE as CONFIG_FILE
from .root import CUSTOMERS_DIR as CUSTOMERS_DIR

TEAM_FILE = "team.yaml"
SCHEMA_DIR = "schema"
TODAY_ENV = "KEHU_TODAY"  # read only by pinned_today(), at the edges (cli.main, the MkDocs plugin)

EMPTY: Mapping[str, Any] = types.MappingProxyType({})


def default_config_text() -> str:
    return resources.files("kehu").joinpath("data/defaults.yaml").read_text(encoding="utf-8")


@cache
def _defaults() -> dict[str, Any]:
    defaults: dict[str, Any] = yaml.load(default_config_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return defaults


def default_config() -> dict[str, Any]:
    """defaults.yaml as a plain mapping (a copy: the caller may change it)."""
    return copy.deepcopy(_defaults())


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def pinned_today(option: str | None = None) -> dt.date | None:
    """THE edge where "today" may come from outside: the ``--today`` option, else ``KEHU_TODAY=YYYY-MM-DD``
    (tests, reruns, a team's CI), else None (the real date). Called by ``kehu``'s main and by the MkDocs
    plugin under a plain ``mkdocs build`` only; everything else is handed the date. Raises ValueError for
    text that is no date."""
    text = option or os.environ.get(TODAY_ENV)
    return dt.date.fromisoformat(text) if text else None


class ConfigValueError(ValueError):
    """A kehu.yaml value that cannot be used for its key (``path``: the key as dotted names): of the wrong type
    (``expected`` names the JSON type), or of the right type but not a value that works (``detail`` is then the
    catalogue word saying what to write, ``args`` its fields)."""

    def __init__(self, path: str, value: Any, expected: str, detail: str | None = None,
                 args: Mapping[str, Any] | None = None) -> None:
        super().__init__(f"{path}: expected {detail or expected}, found {value!r}")
        self.path, self.value, self.expected, self.detail = path, value, expected, detail
        self.args_of_detail: dict[str, Any] = dict(args or {})


# --- the sections of defaults.yaml, in its order ---------------------------------------------------------
# A field without a default must be in defaults.yaml (tests/repo/test_config_typed.py keeps them equal); a field
# with a default is an optional key that defaults.yaml leaves out (None: "not set"; extra: keys kehu does not
# know, kept for the team).


@dataclass(frozen=True, slots=True)
class Ids:
    pattern: str
    template: str


@dataclass(frozen=True, slots=True)
class CoreRule:
    min_annual_value: float
    min_revenue_share: float | None
    min_months: int
    min_repurchase_rate: float


@dataclass(frozen=True, slots=True)
class KeyRule:
    min_annual_value: float
    min_months: int
    min_repurchase_rate: float


@dataclass(frozen=True, slots=True)
class PotentialRule:
    min_contacts: int
    window_days: int


@dataclass(frozen=True, slots=True)
class Classification:
    core: CoreRule
    key: KeyRule
    potential: PotentialRule


@dataclass(frozen=True, slots=True)
class PerClass:
    """Days per class (cadence_days, visit_days); None: that class has no such rhythm."""
    core: int | None = None
    key: int | None = None
    normal: int | None = None
    potential: int | None = None

    def of(self, klass: str) -> int | None:
        return getattr(self, klass, None) if klass in ("core", "key", "normal", "potential") else None


@dataclass(frozen=True, slots=True)
class ValueLevels:
    high: float
    mid: float


@dataclass(frozen=True, slots=True)
class Frequency:
    window_days: int
    high: int
    mid: int


@dataclass(frozen=True, slots=True)
class Opportunities:
    probability: Mapping[str, float]
    forecast_quarters: int


@dataclass(frozen=True, slots=True)
class Pool:
    enabled: bool
    days: int
    cap: int


@dataclass(frozen=True, slots=True)
class Target:
    """业绩目标: what one member (or the team) aims for in one month or quarter; None: no target of that kind."""
    won: float | None = None            # amount of the deals signed (CNY)
    new_customers: int | None = None    # customers created
    visits: int | None = None           # interactions on the channel `visit`


@dataclass(frozen=True, slots=True)
class PeriodTargets:
    """The targets of one period (``2026-11`` or ``2026-Q4``): the team's and each member's."""
    team: Target | None = None
    members: Mapping[str, Target] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, slots=True)
class Report:
    to_roles: tuple[str, ...]
    site_months: int


@dataclass(frozen=True, slots=True)
class ApprovalRule:
    """One kind of change that needs a manager's approving review (kehu.core.approval says what each means)."""
    kind: str
    amount: float | None = None          # deal_above: a deal of at least this amount (CNY)
    to: tuple[str, ...] = ()             # class_override: only to these classes (empty: any class)


@dataclass(frozen=True, slots=True)
class Approval:
    roles: tuple[str, ...]
    rules: tuple[ApprovalRule, ...]


@dataclass(frozen=True, slots=True)
class Reverify:
    high: int
    other: int


@dataclass(frozen=True, slots=True)
class Check:
    max_file_bytes: int
    phone_region: str
    near_duplicate_distance: int
    near_duplicate_min_length: int
    company_suffixes: tuple[str, ...]
    not_duplicates: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Imports:
    placeholder_companies: int
    magnitude_factor: int


@dataclass(frozen=True, slots=True)
class Privacy:
    mask_phone: bool
    mask_email: bool


@dataclass(frozen=True, slots=True)
class SiteSearch:
    segmenter: str
    recent_summaries: int
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, slots=True)
class Site:
    title: str
    engine: str
    repo_url: str | None
    url: str | None
    forge: str
    edit_uri: str
    view_uri: str | None
    chart_months: int
    discipline_days: int
    due_rollover_days: int
    full_pages: int
    search: SiteSearch
    # the schema leaves site: open; a team's own keys are kept here
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, slots=True)
class Forgotten:
    """One customer erased by ``kehu forget`` (kehu.yaml ``forgotten:``, written by kehu, not a setting)."""
    id: str
    date: str
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class Config:
    """The merged configuration: read-only, typed, built once (``Config.build``)."""
    locale: str
    timezone: str
    ids: Ids
    stages: tuple[str, ...]
    classification: Classification
    cadence_days: PerClass
    visit_days: PerClass
    value_levels: ValueLevels
    frequency: Frequency
    dormant_days: int
    opportunities: Opportunities
    pool: Pool
    report: Report
    approval: Approval
    first_followup_hours: int
    record_within_hours: int
    due_soon_days: int
    birthday_window_days: int
    survey_every_days: int
    reverify_days: Reverify
    missing_markers: tuple[str, ...]
    recommended_fields: tuple[str, ...]
    vague_summaries: tuple[str, ...]
    summary_max_chars: int
    check: Check
    imports: Imports
    privacy: Privacy
    site: Site
    forgotten: tuple[Forgotten, ...] = ()
    targets: Mapping[str, PeriodTargets] = field(default_factory=lambda: EMPTY)  # period -> targets
    # top-level keys a team's own schema/config.schema.json allows
    extra: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    today: dt.date = dt.date.min      # set by build: the given date, else today in the team's time zone
    fingerprint: str = ""             # the merged mapping as canonical JSON: part of every cache key

    @classmethod
    def build(cls, data: Mapping[str, Any] | None = None, today: dt.date | None = None) -> Config:
        """kehu.yaml's mapping (already valid against the schema) over defaults.yaml; ``today``: the date
        to work on (None: today in the team's time zone). Raises ConfigValueError for a value of the wrong
        type."""
        defaults = _defaults()
        merged = deep_merge(defaults, data or {})
        built: Config = _build(cls, merged, defaults, "")  # every value checked: ConfigValueError names the key
        if today is None:
            today = dt.datetime.now(built.tz).date()
        fingerprint = json.dumps(merged, sort_keys=True, ensure_ascii=False, default=str)
        object.__setattr__(built, "today", today)
        object.__setattr__(built, "fingerprint", fingerprint)
        return built

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# --- building: one generic walk over the dataclasses --------------------------------------------------------

_NOT_FROM_FILE = {"extra", "today", "fingerprint"}
_JSON_TYPE = {bool: "boolean", int: "integer", float: "number", str: "string"}


@cache
def field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(cls: type, merged: Mapping[str, Any], defaults: Mapping[str, Any], path: str) -> Any:
    hints = field_types(cls)
    kwargs: dict[str, Any] = {}
    names = {f.name for f in fields(cls)}
    for f in fields(cls):
        if f.name in _NOT_FROM_FILE:
            continue
        key = f"{path}.{f.name}" if path else f.name
        if f.name not in merged:
            if f.default is MISSING and f.default_factory is MISSING:
                raise KeyError(f"data/defaults.yaml has no '{key}'")  # a kehu bug: the test keeps them equal
            continue
        default = defaults.get(f.name) if isinstance(defaults, Mapping) else None
        kwargs[f.name] = _convert(hints[f.name], merged[f.name], default, key)
    if "extra" in names:
        kwargs["extra"] = _freeze({k: v for k, v in merged.items() if k not in names})
    return cls(**kwargs)


def _convert(tp: Any, value: Any, default: Any, path: str) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        tp = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(tp), typing.get_args(tp)
    if value is None and default is not None:
        value = default  # an empty value keeps the default (as `edit_uri:` with nothing after it always did)
    if is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise ConfigValueError(path, value, "object")
        # a field's type hint: the dataclass itself, never an instance of it
        return _build(typing.cast(type, tp), value, default if isinstance(default, Mapping) else EMPTY, path)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise ConfigValueError(path, value, "array")
        return tuple(_convert(args[0], v, None, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is Mapping:
        if not isinstance(value, Mapping):
            raise ConfigValueError(path, value, "object")
        return types.MappingProxyType({str(k): _convert(args[1], v, None, f"{path}.{k}") for k, v in value.items()})
    if tp is Any:
        return _freeze(value)
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, tp)
    if not ok:
        raise ConfigValueError(path, value, _JSON_TYPE.get(tp, "string"))
    _check_value(path, value)
    return value


# --- what a value must be beyond its type ----------------------------------------------------------------------
# Checked here, where the Config is built, and not left to the team's schema/config.schema.json (a copy in the
# team's repository, which a pull request can loosen) nor to the code that uses the value (where a bad one is a
# traceback: ZoneInfoNotFoundError for `timezone: Mars/Olympus`). The limits are the shipped schema's
# (minimum, maximum, enum, pattern, minLength), read once; the few a schema cannot say are functions below.


def _zone_works(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, OSError, LookupError):  # ZoneInfoNotFoundError is a KeyError; "../x" a ValueError
        return False
    return True


def _region_works(code: str) -> bool:
    import phonenumbers

    return code in phonenumbers.SUPPORTED_REGIONS


# key -> (does the value work, the catalogue word saying what to write)
_WORKS: dict[str, tuple[typing.Callable[[Any], bool], str]] = {
    "timezone": (_zone_works, "cfg_timezone"),
    "check.phone_region": (_region_works, "cfg_region"),
}


@cache
def value_limits() -> dict[str, dict[str, Any]]:
    """dotted key ("check.max_file_bytes"; "[]" for list items, "*" for a mapping's own keys) -> the shipped
    schema's limits on its value."""
    schema = json.loads(resources.files("kehu").joinpath("data/schema/config.schema.json").read_text(encoding="utf-8"))
    out: dict[str, dict[str, Any]] = {}

    def walk(spec: Any, path: str) -> None:
        if not isinstance(spec, dict):
            return
        limits = {k: spec[k] for k in ("minimum", "maximum", "enum", "pattern", "minLength", "maxLength") if k in spec}
        if limits and path:
            out[path] = limits
        for key, inner in (spec.get("properties") or {}).items():
            walk(inner, f"{path}.{key}" if path else key)
        if isinstance(spec.get("additionalProperties"), dict):
            walk(spec["additionalProperties"], f"{path}.*")
        if isinstance(spec.get("items"), dict):
            walk(spec["items"], f"{path}[]")

    walk(schema, "")
    return out


def _check_value(path: str, value: Any) -> None:
    """Raise ConfigValueError when ``value`` (of the right type) is not one that works for the key ``path``."""
    import re

    key = re.sub(r"\[[0-9]+\]", "[]", path)
    works = _WORKS.get(key)
    if works is not None and not works[0](value):
        raise ConfigValueError(path, value, "", works[1])
    limits = value_limits().get(key)
    if limits is None and "." in key:
        limits = value_limits().get(key.rsplit(".", 1)[0] + ".*")
    if not limits:
        return
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = limits.get("minimum"), limits.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high) or value != value:
            raise ConfigValueError(path, value, "", "cfg_range", {"low": "" if low is None else low,
                                                                  "high": "" if high is None else high})
    elif isinstance(value, str):
        if "enum" in limits and value not in limits["enum"]:
            raise ConfigValueError(path, value, "", "cfg_one_of", {"choices": " | ".join(map(str, limits["enum"]))})
        if len(value) < limits.get("minLength", 0) or len(value) > limits.get("maxLength", len(value)):
            raise ConfigValueError(path, value, "", "cfg_length", {"low": limits.get("minLength", 0),
                                                                   "high": limits.get("maxLength", "")})
        if "pattern" in limits and not re.search(limits["pattern"], value):
            raise ConfigValueError(path, value, "", "cfg_pattern", {"pattern": limits["pattern"]})


def _freeze(value: Any) -> Any:
    """A read-only copy of a team's own value (mappings become read-only views, lists tuples)."""
    if isinstance(value, Mapping):
        return types.MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value
