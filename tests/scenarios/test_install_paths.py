"""The documented ways to install kehu work without kehu on a public index, tried in clean virtual
environments against a local bare repository as "the remote" with a version tag:

* pip, pipx and `uv tool install` from the git URL and tag;
* the release build (wheel + sdist, `twine check --strict`) served as an internal index;
* the pre-commit remote hook repository, run by someone whose PATH has no kehu and no activated
  virtual environment.

These install kehu's dependencies for real (from the package index pip is configured with), so they
take a minute or two; nothing else in the suite does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml
from kehu import __version__

from tests.support.git import GIT_ENV, commit_all, git
from tests.support.paths import PROJECT

TAG = f"v{__version__}"
BARE_PATH = "/usr/bin:/bin"  # a shell with no virtual environment active and no kehu installed


def _run(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
         timeout: int = 900) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("KEHU_", "VIRTUAL_ENV"))}
    full.update(GIT_ENV)
    full.update(env or {})
    return subprocess.run(args, cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout)


def _ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, (proc.args, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files (as they are now), committed and tagged, cloned bare: kehu's "remote"."""
    root = tmp_path_factory.mktemp("kehu-remote")
    src = root / "src"
    listed = git(PROJECT, "ls-files", "-co", "--exclude-standard", "-z").stdout
    for name in filter(None, listed.split("\0")):
        path = PROJECT / name
        if path.is_file() and not path.is_symlink():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / name)
        elif path.is_symlink():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).symlink_to(os.readlink(path))
    git(src, "init", "-q", "-b", "main")
    commit_all(src, "release", name="kehu", email="kehu@example.com")
    git(src, "tag", TAG)
    git(root, "clone", "-q", "--bare", str(src), str(root / "kehu.git"))
    return root / "kehu.git"


def _clean_venv(where: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(where)  # no system site-packages, nothing but pip
    # Python 3.11's bundled pip (23.x) rejects `kehu @ git+file:///…` (a file: URL in a PEP 508 requirement);
    # an https remote works with it, a local bare repository needs a current pip
    _ok(_run([str(where / "bin" / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip"]))
    return where / "bin"


def _team_repo(kehu_exe: Path, where: Path, *init_args: str) -> Path:
    _ok(_run([str(kehu_exe), "init", str(where), "--name", "李霞", "--email", "lixia@example.com", *init_args],
             env={"PATH": BARE_PATH, "KEHU_TODAY": "2024-06-01"}))
    git(where, "config", "user.email", "lixia@example.com")
    git(where, "config", "user.name", "李霞")
    return where


def test_pip_from_the_git_tag_in_a_clean_environment(remote: Path, tmp_path: Path) -> None:
    bin_dir = _clean_venv(tmp_path / "venv")
    url = f"git+file://{remote}@{TAG}"
    _ok(_run([str(bin_dir / "python"), "-m", "pip", "install", "-q", f"kehu @ {url}"]))
    kehu = bin_dir / "kehu"
    version = _ok(_run([str(kehu), "--version"], env={"PATH": BARE_PATH}))
    assert __version__ in version.stdout
    where = _ok(_run([str(bin_dir / "python"), "-c", "import kehu; print(kehu.__file__)"]))
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv")  # not this checkout
    # pip recorded the tag it installed (PEP 610): what `kehu init` writes into CI for an https remote
    direct = _ok(_run([str(bin_dir / "python"), "-c",
                       "from importlib.metadata import distribution; print(distribution('kehu').read_text("
                       "'direct_url.json'))"]))
    info = json.loads(direct.stdout)
    assert info["vcs_info"]["requested_revision"] == TAG and info["url"] == f"file://{remote}"
    # the installed command runs without an activated environment: a new team repository checks and builds
    team = _team_repo(kehu, tmp_path / "team")
    _ok(_run([str(kehu), "-C", str(team), "check"], env={"PATH": BARE_PATH, "KEHU_TODAY": "2024-06-01"}))
    build = _run([str(kehu), "-C", str(team), "build", "--strict"], env={"PATH": BARE_PATH, "KEHU_TODAY": "2024-06-01"})
    assert build.returncode == 0, build.stderr[-2000:]
    assert (team / "site" / "index.html").is_file()


def test_the_release_build_is_checked_and_serves_as_an_internal_index(remote: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", "--branch", TAG, str(remote), str(checkout))
    dist = tmp_path / "dist"
    _ok(_run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(checkout)]))
    files = sorted(p.name for p in dist.iterdir())
    assert files == [f"kehu-{__version__}-py3-none-any.whl", f"kehu-{__version__}.tar.gz"]
    check = _ok(_run([sys.executable, "-m", "twine", "check", "--strict", *(str(dist / f) for f in files)]))
    assert check.stdout.count("PASSED") == 2
    # the folder of release files is an internal index (pip --find-links; a devpi or GitLab registry alike)
    bin_dir = _clean_venv(tmp_path / "venv")
    _ok(_run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
              "--find-links", str(dist), f"kehu=={__version__}"]))
    shown = _ok(_run([str(bin_dir / "python"), "-m", "pip", "show", "kehu"])).stdout
    assert f"Version: {__version__}" in shown
    # installed from an index, kehu init's hooks install kehu from that index themselves
    spec = _ok(_run([str(bin_dir / "python"), "-c", "from kehu.git.install import current; print(current().spec)"],
                    env={"PYTHONPATH": ""}))
    assert spec.stdout.strip() == f"kehu=={__version__}"


def test_pre_commit_remote_hooks_work_without_an_activated_environment(remote: Path, tmp_path: Path) -> None:
    """A colleague with pre-commit and nothing else: the hooks install kehu from the tag themselves."""
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
    assert pre_commit, "pre-commit is a test dependency"
    team = _team_repo(Path(sys.executable).parent / "kehu", tmp_path / "team", "--package",
                      f"kehu @ git+file://{remote}@{TAG}")
    config = yaml.safe_load((team / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["repo"] == f"file://{remote}" and config["repos"][0]["rev"] == TAG
    git(team, "add", "-A")
    env = {"PATH": BARE_PATH, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "KEHU_TODAY": "2024-06-01"}
    run = _run([pre_commit, "run", "--all-files"], cwd=team, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "kehu check (customer files)" in run.stdout and "Passed" in run.stdout
    # and it really checks: a broken customer file fails the commit with kehu's own message
    (team / "customers" / "C20240601009.yaml").write_text("id: C20240601009\nname: 坏文件\n", encoding="utf-8")
    git(team, "add", "-A")
    bad = _run([pre_commit, "run", "--all-files"], cwd=team, env=env)
    assert bad.returncode == 1 and "C20240601009.yaml" in bad.stdout and "error[" in bad.stdout


@pytest.mark.parametrize("tool", ["pipx", "uv"])
def test_pipx_and_uv_tool_install_from_the_git_tag(remote: Path, tmp_path: Path, tool: str) -> None:
    """What the README tells a person to run: `pipx install` / `uv tool install "kehu @ git+…@TAG"`, each
    tool in a clean environment of its own, the `kehu` command then on a PATH with no environment active."""
    tools = _clean_venv(tmp_path / "tools")
    _ok(_run([str(tools / "python"), "-m", "pip", "install", "-q", tool]))
    home, bin_dir = tmp_path / "home", tmp_path / "bin"
    spec = f"kehu @ git+file://{remote}@{TAG}"
    env = {"PATH": f"{tools}:{BARE_PATH}", "PIPX_HOME": str(home), "PIPX_BIN_DIR": str(bin_dir),
           "UV_TOOL_DIR": str(home), "UV_TOOL_BIN_DIR": str(bin_dir), "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
           "HOME": str(tmp_path)}
    command = [str(tools / "pipx"), "install", spec] if tool == "pipx" else [str(tools / "uv"), "tool", "install",
                                                                             "--python", sys.executable, spec]
    _ok(_run(command, env=env))
    version = _ok(_run([str(bin_dir / "kehu"), "--version"], env={"PATH": BARE_PATH}))
    assert __version__ in version.stdout
    team = _team_repo(bin_dir / "kehu", tmp_path / "team")
    _ok(_run([str(bin_dir / "kehu"), "-C", str(team), "check"], env={"PATH": BARE_PATH, "KEHU_TODAY": "2024-06-01"}))
