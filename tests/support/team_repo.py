"""A real team repository in a folder, and what tests read from the checker.

``TeamRepo.create(root)`` writes ``team.yaml``, ``kehu.yaml`` (the shipped defaults), ``schema/`` (a copy of the
project's schemas) and an empty ``customers/``; a :class:`TeamRepo` writes customer files (from a dict or from
text), changes the configuration, and runs the checker either in-process or through the real ``kehu`` command.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from tests.support.customers import TEAM_YAML, TODAY, dump_yaml
from tests.support.paths import SCHEMA_SRC

if TYPE_CHECKING:
    from kehu.book.checker import CheckResult
    from kehu.repo.repository import Repo


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

    @classmethod
    def create(cls, root: Path, team: str | None = TEAM_YAML, config: str | None = None,
               schema: bool = True) -> TeamRepo:
        """A new repository at ``root``: ``team``/``config`` texts (None: no team.yaml / the shipped defaults)."""
        from kehu.repo.config import default_config_text

        (root / "customers").mkdir(parents=True)
        if team is not None:
            (root / "team.yaml").write_text(team, encoding="utf-8")
        (root / "kehu.yaml").write_text(config if config is not None else default_config_text(), encoding="utf-8")
        if schema:
            shutil.copytree(SCHEMA_SRC, root / "schema")
        return cls(root)

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

    def open(self, today: str = TODAY) -> Repo:
        from kehu.repo.repository import open_repo

        return open_repo(self.root, today=dt.date.fromisoformat(today))

    def check(self, *files: str | Path, today: str = TODAY, use_cache: bool = False) -> CheckResult:
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


def problem_tuples(problems: Iterable[Any], code: str | None = None) -> list[tuple[Any, ...]]:
    """(file, line, col, severity, code) of each problem, from Problem objects or JSON dicts."""
    out = []
    for p in problems:
        d = p if isinstance(p, dict) else p.as_dict()
        if code is None or d["code"] == code:
            out.append((d["file"], d["line"], d["col"], str(d["severity"]), d["code"]))
    return out


def codes(problems: Iterable[Any]) -> list[str]:
    return [p["code"] if isinstance(p, dict) else p.code for p in problems]


def write_earlier_schema(root: Path) -> Path:
    """``root``'s customer schema as kehu wrote it before the editors' keywords: each vocabulary a ``oneOf`` of
    consts, with no ``enum``, ``markdownEnumDescriptions`` or ``errorMessage``. Returns the schema's path."""
    path = root / "schema" / "customer.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    for d in schema["$defs"].values():
        if "x-terms" in d:
            d["oneOf"] = d.pop("x-terms")
            for key in ("enum", "markdownEnumDescriptions", "errorMessage"):
                d.pop(key)
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
