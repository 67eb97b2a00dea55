"""One git runner: every git command of the package goes through ``kehu.util.gitcmd.git``.

The rule is read from the source (any call that starts a process with "git" as its program, outside
util/gitcmd.py, is a second runner), and it is shown to fail on a package that runs git itself. The runner's
own promises are tried on a real repository: names printed as they are, configuration for one run, input,
environment, a failing command answered rather than raised, and arguments never read by a shell.
"""

from __future__ import annotations

import ast
from pathlib import Path

from kehu.util.gitcmd import git

PACKAGE = Path(__file__).resolve().parent.parent / "generator" / "kehu"
RUNNER = Path("util") / "gitcmd.py"
_PROCESS_CALLS = {("subprocess", name) for name in ("run", "Popen", "call", "check_call", "check_output",
                                                     "getoutput", "getstatusoutput")} | \
                 {("os", name) for name in ("system", "popen", "execvp", "execv", "spawnvp", "spawnlp")}


def _runs_git(call: ast.Call) -> bool:
    """A call whose program (the first word of its command) is git."""
    if not call.args:
        return False
    first = call.args[0]
    if isinstance(first, ast.List | ast.Tuple) and first.elts:
        first = first.elts[0]
    return isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.split(" ")[0] == "git"


def git_runners(package: Path = PACKAGE) -> list[str]:
    """``module:line`` of every call that starts git, outside the one runner."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package) == RUNNER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Name) and (node.func.value.id, node.func.attr) in _PROCESS_CALLS \
                    and _runs_git(node):
                found.append(f"{path.relative_to(package).as_posix()}:{node.lineno}")
    return found


def test_the_package_runs_git_only_through_the_one_runner() -> None:
    assert git_runners() == []


def test_a_second_runner_is_found(tmp_path: Path) -> None:
    """The rule can fail: a module that runs git itself is named; one that runs another program is not."""
    pkg = tmp_path / "kehu"
    (pkg / "util").mkdir(parents=True)
    (pkg / "util" / "gitcmd.py").write_text("import subprocess\nsubprocess.run(['git', 'status'])\n")
    (pkg / "hooks.py").write_text("import subprocess\nsubprocess.run(['pre-commit', 'install'])\n")
    (pkg / "sync.py").write_text("import os, subprocess\n\ndef f():\n    subprocess.run(['git', '-C', '.', 'fetch'])\n"
                                 "    os.system('git push')\n")
    assert git_runners(pkg) == ["sync.py:4", "sync.py:5"]


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    assert git(root, "init", "-q").ok
    return root


def test_names_are_printed_as_they_are(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "客户.yaml").write_text("id: C1\n", encoding="utf-8")
    assert git(root, "add", "客户.yaml").ok
    assert git(root, "ls-files").out.strip() == "客户.yaml"  # not "\345\256\242\346\210\267.yaml"


def test_configuration_input_and_environment_reach_git(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert git(root, "config", "--get", "kehu.probe", config={"kehu.probe": "on"}).out.strip() == "on"
    assert git(root, "config", "--get", "kehu.probe").out.strip() == ""  # for that one run only
    blob = git(root, "hash-object", "--stdin", stdin=b"hello\n").out.strip()
    assert blob == "ce013625030ba8dba906f756967f9e9ca394464a"
    who = git(root, "var", "GIT_AUTHOR_IDENT", env={"GIT_AUTHOR_NAME": "Wang Fang",
                                                   "GIT_AUTHOR_EMAIL": "wang@example.com"})
    assert who.out.startswith("Wang Fang <wang@example.com>")


def test_a_failing_command_is_an_answer_with_what_git_said(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    run = git(root, "rev-parse", "--verify", "--quiet", "no-such-branch^{commit}")
    assert not run.ok and run.returncode != 0
    bad = git(root, "no-such-command")
    assert not bad.ok and "no-such-command" in bad.last_line()
    assert bad.args == ("no-such-command",)


def test_arguments_are_never_read_by_a_shell(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    value = "$(touch pwned); `touch pwned2` | 上海"
    assert git(root, "config", "kehu.name", value).ok
    assert git(root, "config", "--get", "kehu.name").out.rstrip("\n") == value
    assert not (root / "pwned").exists() and not (root / "pwned2").exists()
