"""kehu init: a fresh team repository that works at once, and never overwrites without --force."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from kehu.commands.init import derive_handle, forge_account
from kehu.git.gitsetup import merge_driver_command

from tests.support.git import git, git_env
from tests.support.paths import SCHEMA_SRC

TODAY = "2024-06-01"


class Env:
    """An isolated user: own git identity (user.name/user.email, none if not given), pre-commit cache and date."""

    def __init__(self, home: Path, name: str | None = "李霞", email: str | None = "Li.Xia@example.com") -> None:
        home.mkdir(parents=True, exist_ok=True)
        identity = {key: value for key, value in (("user.name", name), ("user.email", email)) if value}
        self.env = git_env({"KEHU_TODAY": TODAY, "PRE_COMMIT_HOME": str(home / "pre-commit")}, config=identity)

    def run(self, *args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=cwd, env=self.env, capture_output=True, text=True, timeout=timeout)

    def git(self, *args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return git(cwd, *args, ok=ok, env=self.env)

    def kehu(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return self.run(sys.executable, "-m", "kehu.cli", *args, cwd=cwd)


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path / "home")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


FORMS = [f"{where}/kehu-{kind}.{ext}" for kind in ("complaint", "log", "new", "survey")
         for where, ext in ((".github/ISSUE_TEMPLATE", "yml"), (".gitlab/issue_templates", "md"))]
EXPECTED = sorted([
    ".gitattributes", ".github/CODEOWNERS", ".github/dependabot.yml", ".github/workflows/approval.yml",
    ".github/workflows/check.yml", ".github/workflows/kehu-intake.yml", ".github/workflows/kehu-sync.yml",
    ".github/workflows/pages.yml", ".github/workflows/remind.yml", ".github/workflows/report.yml", ".gitignore",
    ".gitlab-ci.yml", ".gitlab/CODEOWNERS", ".gitlab/approval.gitlab-ci.yml", ".gitlab/intake.gitlab-ci.yml",
    ".gitlab/remind.gitlab-ci.yml", ".gitlab/report.gitlab-ci.yml", ".pre-commit-config.yaml",
    ".vscode/extensions.json", ".vscode/settings.json", "README.md", "customers/C20240601LX01.yaml", "docs/.gitkeep",
    "kehu.yaml", "mkdocs.yml", "renovate.json", "schema/config.schema.json", "schema/customer.schema.json",
    "schema/team.schema.json", "team.yaml", *FORMS,
])


@pytest.fixture
def fresh(env: Env, tmp_path: Path) -> Path:
    target = tmp_path / "team"
    run = env.kehu("init", "--example", str(target), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "git rm customers/C20240601LX01.yaml" in run.stdout  # it counts: init says to delete it
    return target


def test_init_writes_no_example_customer_by_default(env: Env, tmp_path: Path) -> None:
    target = tmp_path / "plain"
    run = env.kehu("init", str(target), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert [p.name for p in (target / "customers").iterdir()] == [".gitkeep"]
    assert "kehu import" in run.stdout and "--example" in run.stdout
    assert env.kehu("check", "--strict", cwd=target).returncode == 0
    due = env.kehu("due", "--format", "json", cwd=target)
    assert due.returncode == 0, due.stderr
    assert json.loads(due.stdout)["due"] == []
    built = env.kehu("build", "--strict", cwd=target)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (target / "site/forecast/index.html").is_file()
    assert not (target / "site/pool").exists()  # the customer pool is off by default: no page, no nav entry
    assert "公海" not in (target / "site/index.html").read_text(encoding="utf-8")


def test_init_writes_a_complete_repository(fresh: Path) -> None:
    assert sorted(_tree(fresh)) == EXPECTED
    for name in ("customer", "team", "config"):
        shipped = SCHEMA_SRC / f"{name}.schema.json"
        assert (fresh / "schema" / f"{name}.schema.json").read_bytes() == shipped.read_bytes()
    from kehu.repo.config import default_config_text

    assert (fresh / "kehu.yaml").read_text(encoding="utf-8") == default_config_text()
    readme = (fresh / "README.md").read_text(encoding="utf-8")
    assert "第一次使用" in readme and "## English" in readme
    settings = json.loads((fresh / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert "customers/*.yaml" in settings["yaml.schemas"]["./schema/customer.schema.json"]


def test_team_member_comes_from_git_config(fresh: Path) -> None:
    team = yaml.safe_load((fresh / "team.yaml").read_text(encoding="utf-8"))
    assert team["members"] == [{"handle": "li.xia", "name": "李霞", "email": "Li.Xia@example.com", "git": None,
                                "role": "manager"}]
    customer = yaml.safe_load((fresh / "customers/C20240601LX01.yaml").read_text(encoding="utf-8"))
    assert customer["owner"] == "li.xia" and customer["interactions"][0]["by"] == "li.xia"
    assert str(customer["created"]) == TODAY


def test_git_is_set_up_with_the_merge_driver_and_hook(env: Env, fresh: Path) -> None:
    assert (fresh / ".git").is_dir()
    driver = env.git("config", "merge.kehu.driver", cwd=fresh)
    assert driver.stdout.strip() == merge_driver_command()
    assert env.git("config", "merge.kehu.name", cwd=fresh).stdout.strip()
    attr = env.git("check-attr", "merge", "customers/C20240601LX01.yaml", cwd=fresh)
    assert attr.stdout.strip().endswith("merge: kehu")
    assert (fresh / ".git/hooks/pre-commit").is_file()
    assert env.git("symbolic-ref", "--short", "HEAD", cwd=fresh).stdout.strip() == "main"


def test_kehu_check_passes(env: Env, fresh: Path) -> None:
    run = env.kehu("check", "--strict", cwd=fresh)
    assert run.returncode == 0, run.stdout + run.stderr


def test_pre_commit_run_all_files_passes_offline(env: Env, fresh: Path) -> None:
    env.git("add", "-A", cwd=fresh)
    run = env.run("pre-commit", "run", "--all-files", cwd=fresh)
    assert run.returncode == 0, run.stdout + run.stderr
    for hook in ("kehu check", "kehu fmt --check"):
        assert hook in run.stdout
    # and a commit goes through the installed hook
    commit = env.git("commit", "-q", "-m", "kehu init", cwd=fresh, ok=False)
    assert commit.returncode == 0, commit.stdout + commit.stderr


def test_pre_commit_hook_blocks_a_broken_customer(env: Env, fresh: Path) -> None:
    path = fresh / "customers/C20240601LX01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("channel: call", "channel: 电话"), encoding="utf-8")
    env.git("add", "-A", cwd=fresh)
    run = env.run("pre-commit", "run", "--all-files", cwd=fresh)
    assert run.returncode == 1
    assert "call" in run.stdout  # the checker names the key to use


def test_site_builds_strictly(env: Env, fresh: Path) -> None:
    run = env.kehu("build", "--strict", cwd=fresh)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (fresh / "site" / "index.html").is_file()


def test_refuses_to_overwrite_and_writes_nothing(env: Env, tmp_path: Path) -> None:
    target = tmp_path / "existing"
    target.mkdir()
    (target / "README.md").write_text("# our notes\n", encoding="utf-8")
    (target / "team.yaml").write_text("members: []\n", encoding="utf-8")
    before = _tree(target)
    run = env.kehu("init", str(target), cwd=tmp_path)
    assert run.returncode == 2
    assert "README.md" in run.stderr and "team.yaml" in run.stderr and "--force" in run.stderr
    assert "Traceback" not in run.stderr
    assert _tree(target) == before
    assert not (target / ".git").exists()


def test_force_overwrites(env: Env, tmp_path: Path) -> None:
    target = tmp_path / "existing"
    target.mkdir()
    (target / "README.md").write_text("# our notes\n", encoding="utf-8")
    run = env.kehu("init", "--force", str(target), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "第一次使用" in (target / "README.md").read_text(encoding="utf-8")


def test_running_init_again_changes_nothing(env: Env, fresh: Path, tmp_path: Path) -> None:
    before = _tree(fresh)
    run = env.kehu("init", "--example", str(fresh), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert _tree(fresh) == before


def test_existing_customers_get_no_example_and_are_in_codeowners(env: Env, fresh: Path, tmp_path: Path) -> None:
    target = tmp_path / "with-customers"
    (target / "customers").mkdir(parents=True)
    example = (fresh / "customers/C20240601LX01.yaml").read_text(encoding="utf-8")
    (target / "customers/C20240520007.yaml").write_text(example.replace("C20240601LX01", "C20240520007"),
                                                        encoding="utf-8")
    run = env.kehu("init", "--git-account", "lixia-gh", str(target), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (target / "customers").iterdir()) == ["C20240520007.yaml"]
    codeowners = (target / ".github/CODEOWNERS").read_text(encoding="utf-8").splitlines()
    assert "/customers/C20240520007.yaml @lixia-gh" in codeowners
    assert "/team.yaml @lixia-gh" in codeowners  # the one who sets up the repository is its manager
    assert yaml.safe_load((target / "team.yaml").read_text(encoding="utf-8"))["members"][0]["git"] == "lixia-gh"
    assert env.kehu("codeowners", "--check", cwd=target).returncode == 0


def test_git_only_sets_up_a_clone_without_writing(env: Env, fresh: Path, tmp_path: Path) -> None:
    env.git("add", "-A", cwd=fresh)
    env.git("commit", "-q", "--no-verify", "-m", "init", cwd=fresh)
    clone = tmp_path / "clone"
    env.git("clone", "-q", str(fresh), str(clone), cwd=tmp_path)
    assert env.git("config", "merge.kehu.driver", cwd=clone, ok=False).returncode == 1  # git config is not cloned
    before = _tree(clone)
    run = env.kehu("init", "--git-only", cwd=clone)
    assert run.returncode == 0, run.stderr
    assert _tree(clone) == before
    assert env.git("config", "merge.kehu.driver", cwd=clone).stdout.strip() == merge_driver_command()


def test_git_only_outside_a_kehu_repository_is_refused(env: Env, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    run = env.kehu("init", "--git-only", cwd=empty)
    assert run.returncode == 2
    assert run.stderr.startswith("kehu: 错误：")
    assert list(empty.iterdir()) == []


def test_bad_handle_is_refused(env: Env, tmp_path: Path) -> None:
    run = env.kehu("init", "--handle", "Li Xia", str(tmp_path / "t"), cwd=tmp_path)
    assert run.returncode == 2
    assert "--handle" in run.stderr
    assert not (tmp_path / "t").exists()


def test_without_git_identity_the_repository_still_checks(tmp_path: Path) -> None:
    env = Env(tmp_path / "home", name=None, email=None)
    target = tmp_path / "anon"
    run = env.kehu("init", str(target), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert env.kehu("check", cwd=target).returncode == 0


@pytest.mark.parametrize(("email", "name", "handle"), [
    ("Li.Xia@example.com", "李霞", "li.xia"),
    ("2024_sales+crm@example.com", None, "sales-crm"),
    (None, "Wang Fang", "wang-fang"),
])
def test_derive_handle(email: str | None, name: str | None, handle: str) -> None:
    assert derive_handle(email, name) == handle


def test_forge_account_from_github_noreply_address() -> None:
    assert forge_account("12345+octocat@users.noreply.github.com") == "octocat"
    assert forge_account("octocat@users.noreply.github.com") == "octocat"
    assert forge_account("li.xia@example.com") is None
