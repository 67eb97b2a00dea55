"""The reminder workflows `kehu init` writes (GitHub and GitLab: valid, scheduled, secrets only from the
forge's secret store), how init's files install kehu (kehu.git.install: a git URL with a tag, an index, a local
folder) and the pre-commit configuration for each, validated by the real tools."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from kehu import __version__
from kehu.commands.init import static_files
from kehu.git.install import Install, from_direct_url, from_spec, precommit_config

from tests.support.paths import PROJECT

GIT = from_spec("kehu @ git+https://git.example.com/tools/kehu@v0.1.0")
INDEX = Install(f"kehu=={__version__}")
LOCAL = Install(f"kehu=={__version__}", local=True)
ROBOT_HOSTS = ("qyapi.weixin.qq.com", "oapi.dingtalk.com", "open.feishu.cn", "larksuite.com")


def _write(root: Path, install: Install) -> Path:
    for rel, data in static_files(install).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


@pytest.fixture(scope="module")
def git_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("init-git"), GIT)


def _validate(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test dependency"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- the reminder workflows ---------------------------------------------------------------------


def test_the_github_reminder_workflow_is_valid(git_files: Path) -> None:
    path = str(git_files / ".github/workflows/remind.yml")
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        run = _validate("--builtin-schema", schema, path)
        assert run.returncode == 0, run.stdout + run.stderr


def test_the_gitlab_reminder_job_is_valid_and_included(git_files: Path) -> None:
    for rel in (".gitlab-ci.yml", ".gitlab/remind.gitlab-ci.yml"):
        run = _validate("--builtin-schema", "vendor.gitlab-ci", str(git_files / rel))
        assert run.returncode == 0, rel + run.stdout + run.stderr
    main = _load(git_files / ".gitlab-ci.yml")
    assert {"local": ".gitlab/remind.gitlab-ci.yml"} in main["include"]
    job = _load(git_files / ".gitlab/remind.gitlab-ci.yml")["remind"]
    assert job["stage"] in main["stages"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule" && $KEHU_REMIND == "true"'}]
    assert job["script"][-1] == "kehu remind"


def test_github_reminders_run_on_working_day_mornings_when_turned_on(git_files: Path) -> None:
    wf = _load(git_files / ".github/workflows/remind.yml")
    on = wf.get("on", wf.get(True))
    assert [s["cron"] for s in on["schedule"]] == ["30 0 * * 1-5"]  # 08:30 Asia/Shanghai
    assert "workflow_dispatch" in on
    assert wf["permissions"] == {}  # the job asks for what it needs
    job = wf["jobs"]["remind"]
    assert job["permissions"] == {"contents": "read"}
    assert job["if"] == "vars.KEHU_REMIND == 'true'"  # a team without channels gets no failing job
    send = job["steps"][-1]
    assert send["run"] == "kehu remind"
    # only the secrets kehu remind reads reach it, each by name — never every secret (toJSON(secrets))
    assert all(value == f"${{{{ secrets.{name} }}}}" for name, value in send["env"].items()), send["env"]
    assert {"KEHU_SMTP_HOST", "KEHU_SMTP_PASSWORD", "KEHU_SMTP_FROM"} <= set(send["env"])
    assert "toJSON" not in (git_files / ".github/workflows/remind.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("rel", [".github/workflows/remind.yml", ".gitlab/remind.gitlab-ci.yml"])
def test_no_webhook_or_secret_is_in_the_repository(git_files: Path, rel: str) -> None:
    text = (git_files / rel).read_text(encoding="utf-8")
    for host in ROBOT_HOSTS:
        assert host not in text
    assert "key=" not in text and "access_token" not in text
    # a password or URL is never written here: each variable is the forge secret of its name
    for line in text.splitlines():
        if line.strip().startswith("KEHU_") and ":" in line and not line.strip().startswith("#"):
            name, _, value = line.strip().partition(":")
            assert value.strip() in (f"${{{{ secrets.{name} }}}}", '"@KEHU_PACKAGE@"') or name == "KEHU_PACKAGE", line


# --- how init's files install kehu -------------------------------------------------------------------


@pytest.mark.parametrize(("install", "spec"), [
    (GIT, "kehu @ git+https://git.example.com/tools/kehu@v0.1.0"), (INDEX, f"kehu=={__version__}")])
def test_every_workflow_installs_the_same_kehu(tmp_path: Path, install: Install, spec: str) -> None:
    root = _write(tmp_path, install)
    for rel in (".github/workflows/check.yml", ".github/workflows/pages.yml", ".github/workflows/remind.yml",
                ".gitlab-ci.yml"):
        text = (root / rel).read_text(encoding="utf-8")
        assert f'KEHU_PACKAGE: "{spec}"' in text, rel
        assert "@KEHU_PACKAGE@" not in text and "@KEHU_VERSION@" not in text


@pytest.mark.parametrize(("info", "expected"), [
    (None, Install(f"kehu=={__version__}")),
    ({"url": "https://git.example.com/tools/kehu", "vcs_info": {"vcs": "git", "requested_revision": "v0.1.0",
                                                                "commit_id": "a" * 40}},
     Install("kehu @ git+https://git.example.com/tools/kehu@v0.1.0", "https://git.example.com/tools/kehu", "v0.1.0")),
    ({"url": "ssh://git@git.example.com/tools/kehu", "vcs_info": {"vcs": "git", "commit_id": "b" * 40}},
     Install(f"kehu @ git+ssh://git@git.example.com/tools/kehu@{'b' * 40}", "ssh://git@git.example.com/tools/kehu",
             "b" * 40)),
    ({"url": "file:///home/me/kehu", "dir_info": {"editable": True}}, Install(f"kehu=={__version__}", local=True)),
    ({"url": "file:///srv/git/kehu.git", "vcs_info": {"vcs": "git", "requested_revision": "v0.1.0"}},
     Install(f"kehu=={__version__}", local=True)),  # a path on one machine means nothing to CI
])
def test_how_kehu_was_installed(info: dict | None, expected: Install) -> None:
    assert from_direct_url(info) == expected


@pytest.mark.parametrize(("spec", "repo", "rev"), [
    ("kehu @ git+https://github.com/acme/kehu@v0.2.0", "https://github.com/acme/kehu", "v0.2.0"),
    ("kehu @ git+ssh://git@gitlab.example.com/tools/kehu.git@v1.0", "ssh://git@gitlab.example.com/tools/kehu.git",
     "v1.0"),
    ("kehu==0.1.0", None, None),
    ("kehu @ git+https://github.com/acme/kehu", None, None),  # no tag: not a pinned hook repository
])
def test_package_given_by_hand(spec: str, repo: str | None, rev: str | None) -> None:
    got = from_spec(spec)
    assert (got.spec, got.repo, got.rev, got.local) == (spec, repo, rev, False)


# --- the pre-commit configuration for each ----------------------------------------------------------


@pytest.mark.parametrize("install", [GIT, INDEX, LOCAL], ids=["git", "index", "local"])
def test_pre_commit_config_is_valid(tmp_path: Path, install: Install) -> None:
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(precommit_config(install), encoding="utf-8")
    run = subprocess.run(["pre-commit", "validate-config", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    (repo,) = _load(path)["repos"]
    manifest = [h["id"] for h in _load(PROJECT / ".pre-commit-hooks.yaml")]
    if install is GIT:
        # the remote hook repository: pre-commit installs kehu from the tag itself, nothing to activate
        assert (repo["repo"], repo["rev"]) == ("https://git.example.com/tools/kehu", "v0.1.0")
        assert [h["id"] for h in repo["hooks"]] == manifest
        return
    assert repo["repo"] == "local"
    hooks = {h["id"]: h for h in repo["hooks"]}
    assert list(hooks) == manifest
    shipped = {h["id"]: h for h in _load(PROJECT / ".pre-commit-hooks.yaml")}
    for hook_id, hook in hooks.items():  # the same hooks as the manifest, whichever form
        for key in ("entry", "files"):
            assert hook[key] == shipped[hook_id][key], (hook_id, key)
        assert hook.get("pass_filenames", True) == shipped[hook_id].get("pass_filenames", True)
    if install is INDEX:
        assert all(h["language"] == "python" and h["additional_dependencies"] == [install.spec]
                   for h in hooks.values())
    else:
        assert all(h["language"] == "system" for h in hooks.values())


def test_init_takes_the_package_it_is_told(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from kehu.cli import main

    from tests.support.git import GIT_ENV

    result = CliRunner().invoke(main, ["init", str(tmp_path / "team"), "--name", "李霞", "--email",
                                       "lixia@example.com", "--package",
                                       "kehu @ git+https://git.example.com/tools/kehu@v0.1.0"],
                                env={**GIT_ENV, "PATH": "/usr/bin:/bin"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    config = _load(tmp_path / "team" / ".pre-commit-config.yaml")
    assert config["repos"][0]["rev"] == "v0.1.0"
    assert 'KEHU_PACKAGE: "kehu @ git+https://git.example.com/tools/kehu@v0.1.0"' in (
        tmp_path / "team" / ".github/workflows/remind.yml").read_text(encoding="utf-8")
