"""CI and hook files — this repository's and the ones `kehu init` writes — pass the real validators
(check-jsonschema's vendored GitHub/GitLab schemas, pre-commit's own config checks) and say what we mean."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from kehu import __version__
from kehu.commands.init import static_files

from tests.support.paths import PROJECT

INIT_WORKFLOWS = (".github/workflows/check.yml", ".github/workflows/pages.yml", ".github/workflows/kehu-sync.yml")
ROOT_WORKFLOWS = (".github/workflows/ci.yml", ".github/workflows/pages.yml", ".github/workflows/kehu-sync.yml")


@pytest.fixture(scope="module")
def init_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files `kehu init` ships, as written to a new repository (version filled in)."""
    root = tmp_path_factory.mktemp("init-files")
    for rel, data in static_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _validate(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test dependency"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300)


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _on(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true


@pytest.mark.parametrize("where", ["root", "init"])
def test_github_workflows_are_valid(where: str, init_files: Path) -> None:
    base, names = (PROJECT, ROOT_WORKFLOWS) if where == "root" else (init_files, INIT_WORKFLOWS)
    files = [str(base / n) for n in names]
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        run = _validate("--builtin-schema", schema, *files)
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("where", ["root", "init"])
def test_gitlab_ci_is_valid(where: str, init_files: Path) -> None:
    base = PROJECT if where == "root" else init_files
    run = _validate("--builtin-schema", "vendor.gitlab-ci", str(base / ".gitlab-ci.yml"))
    assert run.returncode == 0, run.stdout + run.stderr


def test_validator_rejects_a_broken_workflow(tmp_path: Path) -> None:
    """The validator really validates: a job without runs-on or steps is refused."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request\njobs:\n  check:\n    step:\n      - run: true\n", encoding="utf-8")
    assert _validate("--builtin-schema", "vendor.github-workflows", str(bad)).returncode == 1
    bad_gitlab = tmp_path / ".gitlab-ci.yml"
    bad_gitlab.write_text("pages:\n  stage: deploy\n  artifacts:\n    paths: public\n", encoding="utf-8")
    assert _validate("--builtin-schema", "vendor.gitlab-ci", str(bad_gitlab)).returncode == 1


@pytest.mark.parametrize("where", ["root", "init"])
def test_pull_requests_run_pre_commit_and_a_strict_site_build(where: str, init_files: Path) -> None:
    path = PROJECT / ROOT_WORKFLOWS[0] if where == "root" else init_files / INIT_WORKFLOWS[0]
    wf = _load(path)
    assert "pull_request" in _on(wf)
    runs = [step.get("run", "") for job in wf["jobs"].values() for step in job["steps"]]
    assert any("pre-commit run --all-files" in r for r in runs)
    assert any(r.strip() == "kehu build --strict" for r in runs)


@pytest.mark.parametrize("where", ["root", "init"])
def test_pages_deploys_on_push_to_main_and_daily(where: str, init_files: Path) -> None:
    wf = _load((PROJECT if where == "root" else init_files) / ".github/workflows/pages.yml")
    on = _on(wf)
    assert on["push"]["branches"] == ["main"]
    assert [s["cron"] for s in on["schedule"]] == ["0 22 * * *"]  # every day, 06:00 Asia/Shanghai
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    # only the deploy job may publish; the build job (which runs the site's code) reads
    assert wf["permissions"] == {} and build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    uses = [s.get("uses", "") for s in build["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(s.get("run", "").strip() == "kehu build --strict" for s in build["steps"])
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])


@pytest.mark.parametrize("where", ["root", "init"])
def test_gitlab_checks_merge_requests_and_publishes_pages(where: str, init_files: Path) -> None:
    ci = _load((PROJECT if where == "root" else init_files) / ".gitlab-ci.yml")
    check = ci["check"]
    assert check["stage"] == "test"
    assert check["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert any("pre-commit run --all-files" in s for s in check["script"])
    assert "kehu build --strict" in check["script"]
    pages = ci["pages"]
    assert pages["stage"] == "deploy"
    assert {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in pages["rules"]
    assert {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"} in pages["rules"]
    assert pages["artifacts"]["paths"] == ["public"]


def test_init_workflows_install_this_kehu_version(init_files: Path) -> None:
    for rel in (*INIT_WORKFLOWS, ".gitlab-ci.yml"):
        text = (init_files / rel).read_text(encoding="utf-8")
        assert f'KEHU_PACKAGE: "kehu=={__version__}"' in text
        assert "@KEHU_VERSION@" not in text


@pytest.mark.parametrize("config", [".pre-commit-config.yaml", "init"])
def test_pre_commit_configs_are_valid_local_hooks(config: str, init_files: Path) -> None:
    path = PROJECT / config if config != "init" else init_files / ".pre-commit-config.yaml"
    run = subprocess.run(["pre-commit", "validate-config", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    repos = _load(path)["repos"]
    assert [r["repo"] for r in repos] == ["local"]  # offline: nothing to download
    hooks = {h["id"]: h for h in repos[0]["hooks"]}
    assert hooks["kehu-check"]["entry"] == "kehu check"
    assert hooks["kehu-fmt"]["entry"] == "kehu fmt --check"
    assert "kehu-codeowners" not in hooks  # only the main branch regenerates CODEOWNERS: no hook may refuse
    assert all(h["language"] == "system" for h in hooks.values())


def test_pre_commit_hooks_manifest_is_valid() -> None:
    path = PROJECT / ".pre-commit-hooks.yaml"
    run = subprocess.run(["pre-commit", "validate-manifest", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    ids = [h["id"] for h in _load(path)]
    assert ids == ["kehu-check", "kehu-check-all", "kehu-fmt"]


@pytest.mark.parametrize("where", ["root", "init"])
def test_gitattributes_route_customer_files_to_the_merge_driver(where: str, init_files: Path) -> None:
    text = ((PROJECT if where == "root" else init_files) / ".gitattributes").read_text(encoding="utf-8")
    assert "customers/*.yaml merge=kehu" in text.splitlines()


@pytest.mark.parametrize("where", ["root", "init"])
def test_vscode_settings_map_every_schema(where: str, init_files: Path) -> None:
    settings = json.loads(((PROJECT if where == "root" else init_files) / ".vscode/settings.json").read_text())
    schemas = settings["yaml.schemas"]
    assert schemas["./schema/customer.schema.json"][0] == "customers/*.yaml"
    assert schemas["./schema/team.schema.json"] == ["team.yaml"]
    assert schemas["./schema/config.schema.json"] == ["kehu.yaml"]
    for path in schemas:
        assert (PROJECT / path).is_file()  # the same file names `kehu init` copies into schema/


@pytest.mark.parametrize("where", ["root", "init"])
def test_the_sync_bot_runs_after_every_push_to_main_with_the_forges_token(where: str, init_files: Path) -> None:
    wf = _load((PROJECT if where == "root" else init_files) / ".github/workflows/kehu-sync.yml")
    assert _on(wf)["push"]["branches"] == ["main"]
    assert wf["permissions"] == {}
    assert wf["jobs"]["sync"]["permissions"] == {"contents": "write", "pull-requests": "read"}
    steps = wf["jobs"]["sync"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "kehu sync --push" in runs  # CODEOWNERS regenerated on main
    assert any("--branches" in r and "kehu sync" in r and "gh pr list" in r for r in runs)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["token"] == "${{ secrets.KEHU_BOT_TOKEN || github.token }}"
    text = (PROJECT if where == "root" else init_files).joinpath(".github/workflows/kehu-sync.yml").read_text()
    assert "secrets." in text and text.count("secrets.") == 1  # nothing but an optional bot token


@pytest.mark.parametrize("where", ["root", "init"])
def test_gitlab_sync_bot_runs_on_the_default_branch(where: str, init_files: Path) -> None:
    job = _load((PROJECT if where == "root" else init_files) / ".gitlab-ci.yml")["kehu-sync"]
    assert job["rules"] == [{"if": '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"'}]
    script = "\n".join(job["script"])
    assert "kehu sync --push" in script and "--branches" in script and "KEHU_BOT_TOKEN" in script
