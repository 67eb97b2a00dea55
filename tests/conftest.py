"""Shared fixtures: a real team repository in a temporary folder.

``make_repo()`` builds a repository on disk — ``team.yaml``, ``kehu.yaml`` (a
copy of the shipped defaults), ``schema/`` (a copy of the project's schemas) and
an empty ``customers/`` — and returns a :class:`TeamRepo` that writes customer
files (from a dict or from text), changes the configuration, and runs the
checker either in-process or through the real ``kehu`` command.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from kehu.repo.config import default_config_text

PROJECT = Path(__file__).resolve().parents[1]
SCHEMA_SRC = PROJECT / "schema"
TODAY = "2024-06-01"  # the pinned "today" of every test that does not choose its own

# The tools installed with the test extras (check-jsonschema, pre-commit, kehu — which git runs as the merge
# driver) live next to this Python: findable however pytest was started (`.venv/bin/python -m pytest` does
# not put .venv/bin on PATH).
_TOOLS = os.path.dirname(sys.executable)
if _TOOLS not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _TOOLS + os.pathsep + os.environ.get("PATH", "")

TEAM_YAML = """\
members:
  - handle: lixia
    name: 李霞
    email: lixia@example.com
    git: lixia-sales
    role: sales
  - handle: wangfang
    name: 王芳
    email: wangfang@example.com
    git: wangfang-cs
    role: sales
  - handle: liuyang
    name: 刘洋
    email: liuyang@example.com
    role: manager
"""


def customer_dict(**overrides: Any) -> dict[str, Any]:
    """A valid customer that triggers no rule on TODAY; ``overrides`` replace top-level keys
    (a value of ``...`` removes the key)."""
    data: dict[str, Any] = {
        "id": "C20240501001",
        "name": "上海启明科技有限公司",
        "industry": "I65",
        "stage": "negotiating",
        "owner": "lixia",
        "created": "2024-05-01",
        "size": "200-500",
        "region": "上海",
        "source": "referral",
        "needs": "需定制化解决方案，注重响应速度",
        "budget": 200000,
        "decision_process": "采购经理评估后总经理拍板",
        "contacts": [{"name": "张伟", "title": "采购经理", "phone": "13800138000",
                      "email": "zhang.wei@example.com", "primary": True}],
        "interactions": [{"date": "2024-05-01", "channel": "call", "by": "lixia",
                          "summary": "沟通Q2续约需求，客户对售后服务满意"}],
    }
    for key, value in overrides.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


@dataclass
class Run:
    """The outcome of one ``kehu`` command run as a subprocess."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    @property
    def problems(self) -> list[dict[str, Any]]:
        return self.json["problems"]


class TeamRepo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.customers = root / "customers"

    # --- writing files ---------------------------------------------------------------------

    def write_customer(self, content: dict[str, Any] | str | bytes, name: str | None = None) -> Path:
        """Write ``customers/<name>.yaml`` (default name: the id) from a dict, YAML text or raw bytes."""
        if isinstance(content, dict):
            name = name or str(content["id"])
            raw = dump_yaml(content).encode("utf-8")
        else:
            if name is None:
                raise ValueError("give a file name for text content")
            raw = content.encode("utf-8") if isinstance(content, str) else content
        path = self.customers / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
        path.write_bytes(raw)
        return path

    def write(self, relpath: str, text: str | bytes) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def config(self) -> dict[str, Any]:
        return yaml.safe_load((self.root / "kehu.yaml").read_text(encoding="utf-8"))

    def set_config(self, **changes: Any) -> None:
        """Rewrite kehu.yaml with top-level keys replaced (mappings merged one level deep)."""
        data = self.config()
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                merged = copy.deepcopy(data[key])
                merged.update(value)
                data[key] = merged
            else:
                data[key] = value
        self.write("kehu.yaml", dump_yaml(data))

    # --- running the checker ---------------------------------------------------------------

    def open(self, today: str = TODAY):
        from kehu.repo.repository import open_repo

        return open_repo(self.root, today=dt.date.fromisoformat(today))

    def check(self, *files: str | Path, today: str = TODAY, use_cache: bool = False):
        """The checker in-process (same code path as the CLI), returning a CheckResult."""
        from kehu.book.checker import check

        paths = [self.root / f if not Path(f).is_absolute() else Path(f) for f in files] or None
        return check(self.open(today), paths, use_cache=use_cache, jobs=1)

    def kehu(self, *args: str, today: str | None = TODAY, env: dict[str, str] | None = None,
             cwd: Path | None = None) -> Run:
        """Run the real ``kehu`` command (``python -m kehu.cli``) against this repository."""
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
        if today:
            full_env["KEHU_TODAY"] = today
        full_env.update(env or {})
        proc = subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(self.root), *args],
                              capture_output=True, text=True, env=full_env, cwd=cwd or self.root, timeout=120)
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def check_json(self, *args: str, **kw: Any) -> Run:
        return self.kehu("check", "--format", "json", *args, **kw)


def problem_tuples(problems, code: str | None = None) -> list[tuple]:
    """(file, line, col, severity, code) of each problem, from Problem objects or JSON dicts."""
    out = []
    for p in problems:
        d = p if isinstance(p, dict) else p.as_dict()
        if code is None or d["code"] == code:
            out.append((d["file"], d["line"], d["col"], str(d["severity"]), d["code"]))
    return out


def codes(problems) -> list[str]:
    return [p["code"] if isinstance(p, dict) else p.code for p in problems]


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., TeamRepo]:
    """Factory: ``make_repo(team=TEXT, config=TEXT)`` -> a TeamRepo in a fresh tmp folder."""
    counter = {"n": 0}

    def make(team: str | None = TEAM_YAML, config: str | None = None, schema: bool = True) -> TeamRepo:
        counter["n"] += 1
        root = tmp_path / f"repo{counter['n']}"
        (root / "customers").mkdir(parents=True)
        if team is not None:
            (root / "team.yaml").write_text(team, encoding="utf-8")
        (root / "kehu.yaml").write_text(config if config is not None else default_config_text(), encoding="utf-8")
        if schema:
            shutil.copytree(SCHEMA_SRC, root / "schema")
        return TeamRepo(root)

    return make


@pytest.fixture
def repo(make_repo: Callable[..., TeamRepo]) -> TeamRepo:
    """A fresh team repository with no customers."""
    return make_repo()
