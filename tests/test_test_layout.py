"""The tests live like the code: one folder per floor of the package plus scenarios/, shared helpers imported from
the tests.support package, and git run through its one runner.

Read from the source, every file of tests/ and benchmarks/ fails here when it imports a module by its file name
(``conftest``, ``cmd_support``, another test file: what only a sys.path entry makes work), touches ``sys.path``,
loads a module from a file path, or runs git itself (an argument list that starts with "git") outside
tests/support. A conftest.py holds pytest fixtures and hooks only.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from tests.support.paths import PACKAGE, PROJECT

TESTS = PROJECT / "tests"
SUPPORT = TESTS / "support"
BENCHMARKS = PROJECT / "benchmarks"
FLOORS = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}  # util, words, repo … commands
TEST_FOLDERS = FLOORS | {"scenarios"}
TOP_LEVEL = {"test_architecture.py", "test_test_layout.py"}  # tests of the whole tree
# the names only a sys.path entry made importable: every module file here, and the helpers that were files once
BY_FILE_NAME = ({p.stem for folder in (TESTS, BENCHMARKS) for p in folder.rglob("*.py")} | {"conftest", "cmd_support"}
                ) - set(sys.stdlib_module_names) - {"__init__"}
LOADERS = {"spec_from_file_location", "run_path", "SourceFileLoader", "load_source"}
RUNNERS = {"run", "Popen", "check_output", "check_call", "call", "system"}


def _argv_of_git(node: ast.expr) -> bool:
    """["git", …] or ("git", …): an argument list that runs git."""
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        first = node.elts[0]
        return isinstance(first, ast.Constant) and first.value == "git"
    return False


def _command_of_git(node: ast.expr) -> bool:
    """ "git" or "git …" handed to a runner as its command."""
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.split()[:1] == ["git"]


def offences(source: str, where: Path) -> list[str]:
    """What in ``source`` (the text of the file at ``where``) breaks the layout, one line each."""
    tree = ast.parse(source, str(where))
    may_run_git = where.is_relative_to(SUPPORT)
    found: list[str] = []

    def say(node: ast.AST, what: str) -> None:
        found.append(f"{where.relative_to(PROJECT)}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.level:
                continue
            for name in names:
                if name.split(".")[0] in BY_FILE_NAME:
                    say(node, f"imports {name} by its file name: import it from tests.support (or its package)")
            if isinstance(node, ast.ImportFrom) and node.module == "sys" and any(a.name == "path" for a in node.names):
                say(node, "imports sys.path")
            for alias in node.names if isinstance(node, ast.ImportFrom) else ():
                if alias.name in LOADERS:
                    say(node, f"loads a module from a file path ({alias.name})")
        elif isinstance(node, ast.Attribute):
            if node.attr == "path" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                say(node, "touches sys.path")
            elif node.attr in LOADERS:
                say(node, f"loads a module from a file path ({node.attr})")
        elif isinstance(node, ast.Name) and node.id in LOADERS:
            say(node, f"loads a module from a file path ({node.id})")
        elif isinstance(node, ast.Call) and not may_run_git and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if _argv_of_git(node.args[0]) or (name in RUNNERS and _command_of_git(node.args[0])):
                say(node, "runs git itself: use tests.support.git.git")
        elif isinstance(node, ast.Assign) and not may_run_git and _argv_of_git(node.value):
            say(node, "runs git itself: use tests.support.git.git")  # a command kept for later
    if where.name == "conftest.py":
        for stmt in tree.body:
            if isinstance(stmt, ast.ClassDef) or (isinstance(stmt, ast.FunctionDef) and not _is_fixture_or_hook(stmt)):
                say(stmt, f"{stmt.name} is not a fixture: helpers live in tests/support")
    return found


def _is_fixture_or_hook(func: ast.FunctionDef) -> bool:
    def fixture(d: ast.expr) -> bool:
        d = d.func if isinstance(d, ast.Call) else d
        return isinstance(d, ast.Attribute) and d.attr == "fixture"

    return func.name.startswith("pytest_") or any(fixture(d) for d in func.decorator_list)


def _python_files() -> list[Path]:
    return sorted(p for folder in (TESTS, BENCHMARKS) for p in folder.rglob("*.py"))


def test_no_file_imports_by_file_name_touches_sys_path_or_runs_its_own_git() -> None:
    found = [line for path in _python_files() for line in offences(path.read_text(encoding="utf-8"), path)]
    assert found == []


def test_each_way_around_the_layout_is_caught() -> None:
    """The rules can fail: each offence in a made-up test file is named, and the support package may run git."""
    bad = """\
import subprocess
import sys
from importlib.util import spec_from_file_location
import conftest
from cmd_support import kehu
from test_site_render import evil
sys.path.insert(0, "benchmarks")
spec = spec_from_file_location("synth", "benchmarks/synth.py")
subprocess.run(["git", "init"], check=True)
subprocess.check_output(("git", "log"))
subprocess.run("git status", shell=True)
run("git", "add", "-A")
command = ["git", "push"]
"""
    found = offences(bad, TESTS / "util" / "test_made_up.py")
    reasons = [line.split(": ", 1)[1] for line in found]
    assert sum("by its file name" in r for r in reasons) == 3, found
    assert sum(r == "touches sys.path" for r in reasons) == 1, found
    assert sum("from a file path" in r for r in reasons) == 2, found  # the import and the call
    assert sorted(int(line.split(":")[1]) for line in found if "runs git" in line) == [9, 10, 11, 12, 13], found
    # the same git calls are the runner's own business in tests/support; clean code is not an offence
    git_only = "\n".join(bad.splitlines()[8:]) + "\n"
    assert offences(git_only, SUPPORT / "git.py") == []
    clean = """\
from tests.support.git import git
git(root, "init", "-q")
shutil.which("git")
pytest.mark.parametrize("how", [1, 2], ids=["git", "index"])
assert words.split()[:1] == ["git"]
"""
    assert offences(clean, TESTS / "util" / "test_made_up.py") == []


def test_a_conftest_holds_fixtures_only() -> None:
    source = """\
import pytest

@pytest.fixture
def repo(): ...

@pytest.fixture(scope="session")
def site(): ...

def pytest_configure(config): ...

def customer_dict(): ...

class TeamRepo: ...
"""
    found = offences(source, TESTS / "conftest.py")
    assert [line.split(": ", 1)[1].split(" ")[0] for line in found] == ["customer_dict", "TeamRepo"]


def test_test_files_sit_in_the_folder_of_their_floor_or_in_scenarios() -> None:
    misplaced = []
    for path in sorted(TESTS.rglob("test_*.py")):
        folder = path.parent.relative_to(TESTS).parts
        if folder == () and path.name in TOP_LEVEL:
            continue
        if len(folder) != 1 or folder[0] not in TEST_FOLDERS:
            misplaced.append(str(path.relative_to(TESTS)))
    assert misplaced == [], f"put each in the folder of the package it tests ({sorted(FLOORS)}) or in scenarios/"
    folders = {p.parent.name for p in TESTS.glob("*/test_*.py")}
    assert folders == TEST_FOLDERS  # every floor has its tests, and nothing else has a folder of tests
    for name in {*TEST_FOLDERS, "support"}:  # packages: tests.<floor>.test_x never collides with another test_x
        assert (TESTS / name / "__init__.py").is_file(), name
