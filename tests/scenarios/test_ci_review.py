"""The review steps of the CI files run for real: the GitHub steps (change summary into the job summary, one
pull-request comment created then updated — `gh` replaced by a recorder, since tests reach no forge) and the
GitLab job's script, in a clone with a bare origin and a pull-request branch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from kehu.commands.init import static_files

from tests.support.commands import commit, kehu, team_repo
from tests.support.git import GIT_ENV, git
from tests.support.paths import PROJECT

FAKE_GH = """#!/bin/sh
# records each call; answers the comment listing with $FAKE_GH_IDS
printf '%s\\n' "$*" >> "$FAKE_GH_LOG"
for a in "$@"; do printf '%s\\0' "$a"; done >> "$FAKE_GH_LOG.args"
printf '\\001' >> "$FAKE_GH_LOG.args"
case "$*" in *"--paginate"*) [ -n "$FAKE_GH_IDS" ] && printf '%s\\n' $FAKE_GH_IDS ;; esac
exit 0
"""


def _steps(text: str) -> dict[str, dict]:
    wf = yaml.safe_load(text)
    return {s["name"]: s for s in wf["jobs"]["review"]["steps"] if "name" in s}


@pytest.fixture
def pr(make_repo, tmp_path):
    """A clone of a bare origin, checked out on a pull-request branch that moves a customer's stage."""
    repo = team_repo(make_repo)
    origin = tmp_path / "origin.git"
    git(repo.root, "clone", "-q", "--bare", str(repo.root), str(origin))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    git(clone, "checkout", "-q", "-b", "pr")
    repo.root = clone
    repo.customers = clone / "customers"
    git(clone, "config", "user.email", "lixia@example.com")
    assert kehu(repo, "set", "C20240501001", "stage", "negotiating").exit_code == 0
    commit(repo, "stage")
    return repo


def _bash(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **GIT_ENV, **env}
    full.pop("KEHU_LOCALE", None)
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=full, capture_output=True, text=True)


@pytest.mark.parametrize("where", ["init", "root"])
def test_github_summary_and_one_comment_kept_up_to_date(pr, tmp_path, where):
    text = static_files()[".github/workflows/check.yml"].decode() if where == "init" else \
        (PROJECT / ".github/workflows/ci.yml").read_text(encoding="utf-8")
    steps = _steps(text)
    comment = steps["Pull-request comment (one, kept up to date)"]
    assert comment["env"]["GH_TOKEN"] == "${{ github.token }}"  # the forge's own token, no secret
    assert "github.event.pull_request.head.repo.full_name == github.repository" in comment["if"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    runner = tmp_path / "runner"
    runner.mkdir()
    env = {"GITHUB_BASE_REF": "main", "RUNNER_TEMP": str(runner), "GITHUB_STEP_SUMMARY": str(runner / "summary"),
           "GITHUB_REPOSITORY": "team/customers", "PR": "7", "GH_TOKEN": "t", "KEHU_TODAY": "2024-06-01",
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "FAKE_GH_LOG": str(tmp_path / "gh.log")}
    run = _bash(steps["Change summary"]["run"], pr.root, env)
    assert run.returncode == 0, run.stderr
    summary = (runner / "summary").read_text(encoding="utf-8")
    assert summary.startswith("## kehu 变更摘要 `origin/main...HEAD`")
    assert "- 客户阶段：报价 → 谈判" in summary
    # first push: no comment of ours yet → one is created
    run = _bash(comment["run"], pr.root, {**env, "FAKE_GH_IDS": ""})
    assert run.returncode == 0, run.stderr
    # a later push: our comment 4242 exists → it is updated, not a second one
    run = _bash(comment["run"], pr.root, {**env, "FAKE_GH_IDS": "4242"})
    assert run.returncode == 0, run.stderr
    records = (tmp_path / "gh.log.args").read_text(encoding="utf-8").split("\1")[:-1]
    calls = [c.split("\0")[:-1] for c in records]
    assert [c[:4] for c in calls if "--paginate" not in c] == [
        ["api", "--method", "POST", "repos/team/customers/issues/7/comments"],
        ["api", "--method", "PATCH", "repos/team/customers/issues/comments/4242"]]
    body = next(c for c in calls if "PATCH" in c)[-1]
    assert body.startswith("body=<!-- kehu-change-summary -->\n## kehu 变更摘要")
    listing = next(c for c in calls if "--paginate" in c)
    jq = listing[listing.index("--jq") + 1]
    assert 'github-actions[bot]' in jq and "<!-- kehu-change-summary -->" in jq
    if shutil.which("jq"):  # the filter picks only our own comment
        comments = [{"id": 1, "user": {"login": "someone"}, "body": "<!-- kehu-change-summary --> fake"},
                    {"id": 2, "user": {"login": "github-actions[bot]"}, "body": "<!-- kehu-change-summary -->\nx"}]
        out = subprocess.run(["jq", jq], input=json.dumps(comments), capture_output=True, text=True)
        assert out.stdout.split() == ["2"]
    check = _bash(steps["Past records are append-only"]["run"], pr.root, env)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("where", ["init", "root"])
def test_gitlab_review_job_writes_the_artifact_and_fails_on_erased_history(pr, where):
    text = static_files()[".gitlab-ci.yml"].decode() if where == "init" else \
        (PROJECT / ".gitlab-ci.yml").read_text(encoding="utf-8")
    job = yaml.safe_load(text)["review"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert job["artifacts"]["expose_as"] and job["artifacts"]["paths"] == ["kehu-summary.md"]
    assert job["artifacts"]["when"] == "always"
    script = "\n".join(s for s in job["script"] if "pip install" not in s)
    env = {"CI_MERGE_REQUEST_DIFF_BASE_SHA": git(pr.root, "merge-base", "origin/main", "HEAD").stdout.strip(),
           "KEHU_TODAY": "2024-06-01"}
    run = _bash(script, pr.root, env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "- 客户阶段：报价 → 谈判" in (pr.root / "kehu-summary.md").read_text(encoding="utf-8")
    path = pr.customers / "C20240501001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("沟通Q2续约需求，客户对售后服务满意", "改写"),
                    encoding="utf-8")
    commit(pr, "rewrite history")
    run = _bash(script, pr.root, env)
    assert run.returncode == 1 and "history-rewritten" in run.stdout
    assert "⚠" in (pr.root / "kehu-summary.md").read_text(encoding="utf-8")
