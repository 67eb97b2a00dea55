"""The team's rules: kehu.yaml merged over the defaults shipped with kehu.

No number from the domain lives in code: every threshold, cadence and limit is
read from here. ``data/defaults.yaml`` is the documented default ``kehu.yaml``.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from functools import cached_property
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml

CONFIG_FILE = "kehu.yaml"
TEAM_FILE = "team.yaml"
CUSTOMERS_DIR = "customers"
SCHEMA_DIR = "schema"


def default_config_text() -> str:
    return resources.files("kehu").joinpath("data/defaults.yaml").read_text(encoding="utf-8")


def default_config() -> dict[str, Any]:
    return yaml.safe_load(default_config_text())


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) replaces."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class Config:
    """Read-only view of the merged configuration."""

    def __init__(self, data: dict[str, Any] | None = None, today: dt.date | None = None) -> None:
        self.data = deep_merge(default_config(), data or {})
        self._today = today

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, *path: str, default: Any = None) -> Any:
        node: Any = self.data
        for key in path:
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    @property
    def locale(self) -> str:
        return str(self.data.get("locale", "zh-CN"))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.data.get("timezone") or "Asia/Shanghai")

    @property
    def today(self) -> dt.date:
        """Today in the team's time zone; ``KEHU_TODAY=YYYY-MM-DD`` pins it (tests, reruns)."""
        if self._today is not None:
            return self._today
        pinned = os.environ.get("KEHU_TODAY")
        if pinned:
            return dt.date.fromisoformat(pinned)
        return dt.datetime.now(self.tz).date()

    @cached_property
    def stages(self) -> list[str]:
        return list(self.data["stages"])

    def cadence_days(self, klass: str) -> int | None:
        return self.data["cadence_days"].get(klass)
