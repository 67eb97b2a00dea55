#!/usr/bin/env bash
# The whole test suite, from a fresh clone: sets up .venv (with Chromium and the YAML language server), lints,
# type-checks, runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser --with-editor
export PATH="$PWD/.venv/bin:$PATH"  # the tools the tests run (pre-commit, check-jsonschema, kehu) come from .venv
.venv/bin/ruff check generator tests benchmarks
.venv/bin/mypy generator/kehu  # strict: the configuration is [tool.mypy] in pyproject.toml
# this project's workflows, by the tools that audit them (tests/scenarios/test_workflow_lint.py also runs them on
# the workflows of a repository made by `kehu init`)
.venv/bin/zizmor --offline --quiet .github/workflows
.venv/bin/actionlint .github/workflows/*.yml
.venv/bin/python -m pytest -q "$@"
