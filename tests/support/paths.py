"""Where things are in this checkout: every test and benchmark names a project path from here."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PACKAGE = PROJECT / "generator" / "kehu"  # the kehu package's source
SCHEMA_SRC = PROJECT / "schema"           # the schemas a team repository carries (copies of the package's)
DEMO_TEAM = ("customers", "team.yaml", "kehu.yaml", "schema", "mkdocs.yml", "site_templates")  # the demo team's files


def copy_demo_team(root: Path) -> None:
    """The demo team's files (customers, team, configuration, schema, site) into ``root``, without caches."""
    for name in DEMO_TEAM:
        src = PROJECT / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns(".kehu-cache", "__pycache__"))
        else:
            shutil.copy2(src, root / name)
