"""pytest fixtures only; what they build lives in tests/support (``make_repo`` → TeamRepo.create)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.customers import TEAM_YAML
from tests.support.team_repo import TeamRepo

# The tools installed with the test extras (check-jsonschema, pre-commit, kehu — which git runs as the merge
# driver) live next to this Python: findable however pytest was started (`.venv/bin/python -m pytest` does
# not put .venv/bin on PATH).
_TOOLS = os.path.dirname(sys.executable)
if _TOOLS not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _TOOLS + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., TeamRepo]:
    """Factory: ``make_repo(team=TEXT, config=TEXT)`` -> a TeamRepo in a fresh tmp folder."""
    counter = {"n": 0}

    def make(team: str | None = TEAM_YAML, config: str | None = None, schema: bool = True) -> TeamRepo:
        counter["n"] += 1
        return TeamRepo.create(tmp_path / f"repo{counter['n']}", team, config, schema)

    return make


@pytest.fixture
def repo(make_repo: Callable[..., TeamRepo]) -> TeamRepo:
    """A fresh team repository with no customers."""
    return make_repo()
