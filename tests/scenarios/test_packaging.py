"""kehu installed from a wheel (not from this checkout) still has its schemas, templates and site settings."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.paths import PROJECT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(out), str(PROJECT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (found,) = out.glob("kehu-*.whl")
    return found


def test_the_wheel_carries_templates_assets_schemas_and_the_init_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (PROJECT / "site_templates").rglob("*"):
        if template.is_file():
            assert f"kehu/data/site_templates/{template.relative_to(PROJECT / 'site_templates')}" in names
    for schema in (PROJECT / "schema").glob("*.json"):
        assert f"kehu/data/schema/{schema.name}" in names
    assert "kehu/data/init/mkdocs.yml" in names
    assert "kehu/data/defaults.yaml" in names


def test_a_wheel_install_builds_the_site_of_a_new_repository(wheel: Path, tmp_path: Path) -> None:
    """Installed elsewhere, with no checkout to fall back on: `kehu init` and `kehu build` work."""
    target = tmp_path / "installed"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.update(PYTHONPATH=str(target), KEHU_TODAY="2024-06-01", GIT_AUTHOR_NAME="李霞",
               GIT_AUTHOR_EMAIL="lixia@example.com", GIT_COMMITTER_NAME="李霞", GIT_COMMITTER_EMAIL="lixia@example.com")
    where = subprocess.run([sys.executable, "-c", "import kehu; print(kehu.__file__)"], env=env, capture_output=True,
                           text=True, cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(target)  # the wheel's copy, not this checkout

    repo = tmp_path / "team"
    init = subprocess.run([sys.executable, "-m", "kehu.cli", "init", str(repo)], env=env, capture_output=True,
                          text=True, cwd=tmp_path)
    assert init.returncode == 0, init.stdout + init.stderr
    assert not (repo / "site_templates").exists()
    for with_mkdocs_yml in (True, False):
        if not with_mkdocs_yml:
            (repo / "mkdocs.yml").unlink()  # then kehu's own settings are used
        build = subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(repo), "build", "--strict"], env=env,
                               capture_output=True, text=True, cwd=repo, timeout=300)
        assert build.returncode == 0, build.stdout + build.stderr
        assert "Traceback" not in build.stderr
        due = (repo / "site" / "due" / "index.html").read_text(encoding="utf-8")
        assert "kehu-due" in due and 'lang="zh"' in due
        assert (repo / "site" / "assets" / "kehu" / "kehu.css").is_file()
