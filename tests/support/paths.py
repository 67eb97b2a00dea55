"""Where things are in this checkout: every test and benchmark names a project path from here."""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
PACKAGE = PROJECT / "generator" / "kehu"  # the kehu package's source
SCHEMA_SRC = PROJECT / "schema"           # the schemas a team repository carries (copies of the package's)
