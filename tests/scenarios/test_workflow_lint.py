"""Every GitHub workflow — this project's and every one a repository made by `kehu init` holds, whichever
workflows later issues add — passes the tools that audit workflows: zizmor (offline: permissions, credentials,
pinning, secrets, template injection) and actionlint (syntax, expressions, the actions' runtimes, and shellcheck
on every `run:` script). The Dependabot and Renovate configurations pass their vendored schemas. Each tool is shown
to find the mistakes of the first round on a workflow that makes them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.paths import PROJECT

PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}  # v[0-9]+\.[0-9]+\.[0-9]+$")


def _tool(name: str) -> str:
    """A tool of the test extras, next to this Python (also when pytest was started without .venv/bin on PATH)."""
    exe = shutil.which(name, path=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    assert exe, f"{name} is a test dependency (pip install -e '.[test]')"
    return exe


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])}
    env.pop("GITHUB_TOKEN", None)  # offline: no look-up of the actions' repositories
    return subprocess.run(list(args), capture_output=True, text=True, timeout=600, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def init_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository made by `kehu init`, as a team gets it: every workflow it writes, today and later."""
    root = tmp_path_factory.mktemp("init-lint") / "team"
    made = _run(sys.executable, "-m", "kehu", "init", str(root), "--name", "李霞", "--email", "lixia@example.com",
                "--handle", "lixia", "--git-account", "lixia-sales")
    assert made.returncode == 0, made.stdout + made.stderr
    return root


def _workflows(root: Path) -> list[Path]:
    found = sorted((root / ".github" / "workflows").glob("*.y*ml"))
    assert found, root
    return found


@pytest.fixture(params=["project", "init"])
def workflows_of(request: pytest.FixtureRequest, init_repo: Path) -> Path:
    return PROJECT if request.param == "project" else init_repo


def test_zizmor_finds_nothing(workflows_of: Path) -> None:
    run = _run(_tool("zizmor"), "--offline", "--no-progress", *map(str, _workflows(workflows_of)))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No findings to report" in run.stdout + run.stderr


def test_actionlint_with_shellcheck_finds_nothing(workflows_of: Path) -> None:
    _tool("shellcheck")  # actionlint runs it on every run: script when it is on PATH
    run = _run(_tool("actionlint"), *map(str, _workflows(workflows_of)))
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_action_is_pinned_to_a_commit_with_its_version(workflows_of: Path) -> None:
    for path in _workflows(workflows_of):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith(("- uses:", "uses:")):
                ref = line.split("uses:", 1)[1].strip()
                assert PINNED.match(ref), f"{path.name}: {ref}"


def test_no_job_gets_every_secret_and_permissions_are_per_job(workflows_of: Path) -> None:
    for path in _workflows(workflows_of):
        text = path.read_text(encoding="utf-8")
        assert "toJSON(secrets)" not in text and "secrets[" not in text, path.name
        wf = yaml.safe_load(text)
        assert wf.get("permissions") == {}, f"{path.name}: the workflow grants nothing; each job asks for its own"
        for name, job in wf["jobs"].items():
            assert "permissions" in job, f"{path.name}: job {name}"
            writes = {k for k, v in job["permissions"].items() if v == "write"}
            pushes = any("--push" in str(step.get("run", "")) for step in job.get("steps", []))
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    keeps = (step.get("with") or {}).get("persist-credentials")
                    assert keeps is bool(pushes), f"{path.name}: job {name}"
            if {"pages", "id-token"} & writes:
                assert not any("kehu build" in str(s.get("run", "")) for s in job.get("steps", [])), \
                    f"{path.name}: the job that builds the site (and runs its templates) may not publish"


@pytest.mark.parametrize(("schema", "rel"), [("vendor.dependabot", ".github/dependabot.yml"),
                                             ("vendor.renovate", "renovate.json")])
def test_dependency_update_configurations_are_valid(init_repo: Path, schema: str, rel: str) -> None:
    targets = [init_repo / rel] + ([PROJECT / rel] if (PROJECT / rel).exists() else [])
    run = _run(_tool("check-jsonschema"), "--builtin-schema", schema, *map(str, targets))
    assert run.returncode == 0, run.stdout + run.stderr
    if rel.endswith("dependabot.yml"):
        for target in targets:
            updates = yaml.safe_load(target.read_text(encoding="utf-8"))["updates"]
            assert [u["package-ecosystem"] for u in updates] == ["github-actions"]


FIRST_ROUND = """\
on: [push, pull_request]
permissions:
  contents: write
  pages: write
  id-token: write
jobs:
  remind:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
      - run: echo "${{ github.event.pull_request.title }}"
      - run: kehu remind
        env:
          KEHU_SECRETS: ${{ toJSON(secrets) }}
  build:
    runs-on: ubuntu-latest
    steps:
      - run: kehu build --strict
"""


def test_the_tools_find_what_the_first_round_let_through(tmp_path: Path) -> None:
    """The checks can fail: unpinned actions on the Node 20 runtime, persisted credentials, workflow-wide write
    permissions, every secret handed to a step and a title in a shell line are all found."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    bad = folder / "bad.yml"
    bad.write_text(FIRST_ROUND, encoding="utf-8")
    audit = _run(_tool("zizmor"), "--offline", "--no-progress", str(bad))
    said = audit.stdout + audit.stderr
    assert audit.returncode != 0
    for finding in ("unpinned-uses", "artipacked", "excessive-permissions", "overprovisioned-secrets",
                    "template-injection"):
        assert finding in said, finding
    lint = _run(_tool("actionlint"), str(bad))
    assert lint.returncode != 0 and "node20" in lint.stdout, lint.stdout
