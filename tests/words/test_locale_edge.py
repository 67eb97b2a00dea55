"""The language of a run is chosen once, where the run starts, and handed down.

KEHU_LOCALE is read by the command line (``kehu.cli``) and by the site plugin (a plain ``mkdocs build``) and
nowhere else — read from the source, with a package that breaks the rule to show the rule can fail. Below the
edge the language is a parameter (``open_repo(locale=…)``): opening a repository never looks at the
environment, and a run started in English speaks English in its messages and in the words of facts alike.
"""

from __future__ import annotations

import ast
from pathlib import Path

from kehu.core.present import Presenter
from kehu.repo.repository import open_repo
from kehu.site.plugin import KehuPlugin

PACKAGE = Path(__file__).resolve().parent.parent / "generator" / "kehu"
EDGES = {"cli.py", "site/plugin.py"}
VARIABLE = "KEHU_LOCALE"

CUSTOMER = """\
id: C20240501001
name: 上海启明科技有限公司
industry: I65
stage: won
owner: lixia
created: 2024-05-01
contacts:
  - name: 张伟
    phone: "13800138000"
    primary: true
"""


def readers(package: Path = PACKAGE) -> list[str]:
    """``module:line`` of every use of the variable's name as a value (a docstring that mentions it is not
    one) outside the edges."""
    found = []
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if name in EDGES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value == VARIABLE:
                found.append(f"{name}:{node.lineno}")
    return found


def test_only_the_edges_read_the_locale_variable() -> None:
    assert readers() == []


def test_a_reader_below_the_edge_is_found(tmp_path: Path) -> None:
    pkg = tmp_path / "kehu"
    (pkg / "store").mkdir(parents=True)
    (pkg / "cli.py").write_text("import os\nLOCALE = os.environ.get('KEHU_LOCALE')\n")
    (pkg / "store" / "fmt.py").write_text('"""Messages in KEHU_LOCALE\'s language."""\nimport os\n\n\n'
                                          "def words():\n    return os.environ.get('KEHU_LOCALE', 'zh-CN')\n")
    assert readers(pkg) == ["store/fmt.py:6"]


def test_opening_a_repository_never_reads_the_environment(make_repo, monkeypatch) -> None:
    repo = make_repo()
    monkeypatch.setenv(VARIABLE, "en")
    opened = open_repo(repo.root)
    assert opened.msgs.code == "zh-CN" and Presenter.of(opened).stage("won") == "签约"
    english = open_repo(repo.root, locale="en")
    assert english.msgs.code == "en" and Presenter.of(english).stage("won") == "Won"
    assert english.config.locale == "zh-CN"  # what kehu.yaml says is still what it says


def test_the_command_line_hands_its_choice_down(make_repo) -> None:
    repo = make_repo()
    repo.write_customer(CUSTOMER, "C20240501001")
    chinese = repo.kehu("show", "C20240501001")
    assert chinese.returncode == 0, chinese.stderr
    assert "签约" in chinese.stdout and "李霞（lixia）" in chinese.stdout
    english = repo.kehu("show", "C20240501001", env={VARIABLE: "en"})
    assert english.returncode == 0, english.stderr
    assert "Won" in english.stdout and "李霞 (lixia)" in english.stdout and "签约" not in english.stdout
    refused = repo.kehu("show", "C20990101999", env={VARIABLE: "en"})
    assert refused.returncode == 2 and "错误" not in refused.stderr and "error" in refused.stderr


def test_the_site_plugin_reads_it_for_a_plain_mkdocs_build(monkeypatch) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    assert KehuPlugin.locale() is None
    monkeypatch.setenv(VARIABLE, "en")
    assert KehuPlugin.locale() == "en"
