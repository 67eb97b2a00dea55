"""The site on both engines: MkDocs 1.6 and ProperDocs 1.6 (MkDocs' maintained fork, a test dependency from
PyPI) build the same pages from the same repository; kehu.yaml's site.engine, KEHU_SITE_ENGINE and
``kehu build --engine`` choose; ProperDocs runs without loading a line of MkDocs."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.site import built_pages, evil, kehu, new_repo, realistic

GENERATOR = re.compile(r'<meta name="generator" content="[^"]*">')


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("engines") / "repo"
    repo = new_repo(root)
    for i in range(6):
        repo.write_customer(realistic(i))
    repo.write_customer(evil())
    mk = kehu(root, "build", "--strict", "--out", str(root / "site-mk"))
    pd = kehu(root, "build", "--strict", "--engine", "properdocs", "--out", str(root / "site-pd"))
    return {"root": root, "repo": repo, "mk": mk, "pd": pd}


def test_both_engines_build_the_same_pages(two_sites):
    root = two_sites["root"]
    assert two_sites["mk"].returncode == 0, two_sites["mk"].stderr
    assert two_sites["pd"].returncode == 0, two_sites["pd"].stderr
    # the zh-CN result line names the engine: ✓ N 个客户 → site，用时 … 秒（mkdocs；…）
    assert "（mkdocs；" in two_sites["mk"].stdout and "（properdocs；" in two_sites["pd"].stdout
    mk, pd = built_pages(root / "site-mk"), built_pages(root / "site-pd")
    assert sorted(mk) == sorted(pd) and len(mk) > 10
    assert "ProperDocs 1.6" in GENERATOR.search(pd["index.html"]).group(0)
    assert "mkdocs-1.6" in GENERATOR.search(mk["index.html"]).group(0)
    differing = [page for page in mk if GENERATOR.sub("", mk[page]) != GENERATOR.sub("", pd[page])]
    assert differing == []
    other = sorted(p.relative_to(root / "site-mk").as_posix() for p in (root / "site-mk").rglob("*")
                   if p.is_file() and p.suffix != ".html")
    assert other == sorted(p.relative_to(root / "site-pd").as_posix() for p in (root / "site-pd").rglob("*")
                           if p.is_file() and p.suffix != ".html")
    assert "<script>alert(1)</script>" not in pd[f"customers/{'C20240520666'}/index.html"]


def test_kehu_yaml_chooses_the_engine_and_mkdocs_is_never_loaded(two_sites, tmp_path):
    root = two_sites["root"]
    text = (root / "kehu.yaml").read_text(encoding="utf-8")
    (root / "kehu.yaml").write_text(text.replace("  engine: mkdocs", "  engine: properdocs"), encoding="utf-8")
    try:
        probe = tmp_path / "probe.py"
        probe.write_text(
            "import sys\n"
            "from kehu.cli import main\n"
            "try:\n"
            f"    main(['-C', {str(root)!r}, 'build', '--out', {str(root / 'site-yaml')!r}])\n"
            "except SystemExit as e:\n"
            "    assert not e.code, e.code\n"
            "real = [m for m, mod in sys.modules.items() if '/mkdocs/' in (getattr(mod, '__file__', '') or '')]\n"
            "print('REAL-MKDOCS', real)\n", encoding="utf-8")
        env_run = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True, timeout=300,
                                 env={**_env(), "KEHU_TODAY": "2024-06-01"})
        assert env_run.returncode == 0, env_run.stderr
        assert "（properdocs；" in env_run.stdout and "REAL-MKDOCS []" in env_run.stdout
        assert "ProperDocs" in (root / "site-yaml" / "index.html").read_text(encoding="utf-8")
    finally:
        (root / "kehu.yaml").write_text(text, encoding="utf-8")


def test_an_unknown_engine_is_a_one_line_error(two_sites):
    run = kehu(two_sites["root"], "build", "--out", str(two_sites["root"] / "site-x"),
               env={"KEHU_SITE_ENGINE": "hugo"})
    assert run.returncode == 2
    assert "hugo" in run.stderr and "Traceback" not in run.stderr
    assert not (two_sites["root"] / "site-x").exists()


def test_the_config_schema_knows_the_engine(two_sites):
    repo = two_sites["repo"]
    text = (repo.root / "kehu.yaml").read_text(encoding="utf-8")
    (repo.root / "kehu.yaml").write_text(text.replace("  engine: mkdocs", "  engine: jekyll"), encoding="utf-8")
    try:
        assert any("engine" in p.message for p in repo.check().problems)
    finally:
        (repo.root / "kehu.yaml").write_text(text, encoding="utf-8")


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
