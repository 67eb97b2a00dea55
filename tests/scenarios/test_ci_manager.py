"""The workflows `kehu init` writes for the manager's week: the approval check (GitHub: on pull requests and on every
review; GitLab: on merge requests) and the scheduled reports (off until the team turns them on) — valid for
check-jsonschema's vendored GitHub and GitLab schemas, written in the hardened style: pinned actions, minimal
permissions per job, no credentials left in the checkout, no expression inside a shell line."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from kehu.commands.init import static_files

PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("init-manager")
    for rel, data in static_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _validate(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test dependency"
    return subprocess.run([exe, "--builtin-schema", schema, *map(str, paths)], capture_output=True, text=True,
                          timeout=300)


def test_the_workflows_are_valid(files: Path):
    run = _validate("vendor.github-workflows", files / ".github/workflows/approval.yml",
                    files / ".github/workflows/report.yml")
    assert run.returncode == 0, run.stdout + run.stderr
    run = _validate("vendor.gitlab-ci", files / ".gitlab-ci.yml", files / ".gitlab/approval.gitlab-ci.yml",
                    files / ".gitlab/report.gitlab-ci.yml")
    assert run.returncode == 0, run.stdout + run.stderr
    include = _load(files / ".gitlab-ci.yml")["include"]
    assert {"local": ".gitlab/approval.gitlab-ci.yml"} in include
    assert {"local": ".gitlab/report.gitlab-ci.yml"} in include


@pytest.mark.parametrize("name", ["approval.yml", "report.yml"])
def test_hardened_style(files: Path, name: str):
    wf = _load(files / ".github/workflows" / name)
    assert wf["permissions"] == {}
    for job in wf["jobs"].values():
        assert set(job["permissions"]) <= {"contents", "pull-requests"}
        assert all(v == "read" for v in job["permissions"].values())
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.match(step["uses"]), step["uses"]
                if step["uses"].startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
            assert "${{" not in step.get("run", ""), step


def test_the_approval_check_runs_on_reviews_and_decides_with_the_forge(files: Path):
    wf = _load(files / ".github/workflows/approval.yml")
    on = wf[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in on and on["pull_request_review"]["types"] == ["submitted", "dismissed"]
    step = wf["jobs"]["approval"]["steps"][-1]
    assert "kehu approval --against" in step["run"] and step["env"]["KEHU_FORGE_TOKEN"] == "${{ github.token }}"
    assert wf["jobs"]["approval"]["permissions"] == {"contents": "read", "pull-requests": "read"}
    job = _load(files / ".gitlab/approval.gitlab-ci.yml")["kehu-approval"]
    assert job["script"][-1].startswith('KEHU_FORGE_TOKEN="$KEHU_BOT_TOKEN" kehu approval --against')


def test_the_reports_are_off_until_turned_on(files: Path):
    wf = _load(files / ".github/workflows/report.yml")
    assert wf["jobs"]["report"]["if"] == "vars.KEHU_REPORT == 'true'"
    assert sorted(c["cron"] for c in wf[True]["schedule"]) == ["0 1 * * 1", "0 1 1 * *"]
    step = wf["jobs"]["report"]["steps"][-1]
    assert "kehu report" in step["run"] and "KEHU_SMTP_PASSWORD" in step["env"]
    assert all(value == f"${{{{ secrets.{name} }}}}" for name, value in step["env"].items() if name.startswith("KEHU_"))
    job = _load(files / ".gitlab/report.gitlab-ci.yml")["kehu-report"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule" && $KEHU_REPORT == "true"'}]
