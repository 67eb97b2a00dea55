"""One git runner: every git command of the package goes through ``kehu.util.gitcmd.git``.

The rule is read from the source (any call that starts a process with "git" as its program, outside
util/gitcmd.py, is a second runner), and it is shown to fail on a package that runs git itself. The runner's
own promises are tried on a real repository: names printed as they are, configuration for one run, input,
environment, a failing command answered rather than raised, and arguments never read by a shell.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from kehu.util.gitcmd import Value, git

# tests/util/this file -> the repository root (three folders up); the scan must see the package, not nothing
PACKAGE = Path(__file__).resolve().parents[2] / "generator" / "kehu"
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
    assert (PACKAGE / "util" / "gitcmd.py").is_file()  # the scan reads the package (it would pass on nothing)
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
    assert git(root, "config", "kehu.probe", config={"kehu.probe": "on"}).out.strip() == "on"
    assert git(root, "config", "kehu.probe").out.strip() == ""  # for that one run only
    (root / "hello.txt").write_bytes(b"hello\n")
    assert git(root, "add", "hello.txt").ok
    answer = git(root, "cat-file", "--batch", stdin=b":hello.txt\n").out  # the index's blob, named on stdin
    assert answer.startswith("ce013625030ba8dba906f756967f9e9ca394464a blob 6\nhello\n")
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
    assert git(root, "config", "kehu.name").out.rstrip("\n") == value
    assert not (root / "pwned").exists() and not (root / "pwned2").exists()


# --- no value is ever read as an option -------------------------------------------------------------------


def _options_given(package: Path = PACKAGE) -> dict[str, str]:
    """option -> ``module:line`` of every option the package writes into a git call: string constants (and the
    constant start of f-strings) that begin with "-", among the arguments of ``git(…)`` / ``_git(…)`` and in list
    literals that a call then spreads (``args = ["diff", "-z", …]``)."""
    found: dict[str, str] = {}

    def note(node: ast.expr, where: str) -> None:
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            node = node.values[0]
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("-") \
                and node.value not in ("--", "--end-of-options"):
            found.setdefault(node.value.partition("=")[0], where)

    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        name = path.relative_to(package).as_posix()
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, "id", getattr(n.func, "attr", None)) in ("git", "_git")]
        for call in calls:
            for arg in call.args:
                note(arg, f"{name}:{call.lineno}")
        if calls:
            for node in ast.walk(tree):
                if isinstance(node, ast.List) and node.elts and isinstance(node.elts[0], ast.Constant) \
                        and node.elts[0].value in ("diff", "log", "show", "rev-list", "ls-files", "ls-tree"):
                    for element in node.elts:
                        note(element, f"{name}:{node.lineno}")
    return found


def test_every_option_the_package_gives_git_is_one_the_runner_knows() -> None:
    from kehu.util.gitcmd import OPTIONS

    unknown = {option: where for option, where in _options_given().items() if option not in OPTIONS}
    assert unknown == {}, f"add these to kehu.util.gitcmd.OPTIONS (or pass the value after --): {unknown}"
    assert len(_options_given()) >= 30  # the scan sees the calls (it would pass vacuously on none)


@pytest.mark.parametrize("args", [
    ("fetch", "--upload-pack=touch pwned", "origin"),        # an option git would run
    ("fetch", "--quiet", Value("--all")),                     # a value that is also one of kehu's options
    ("commit", "-m", "--amend"),                              # the value of an option
    ("log", "--output=pwned"),                                # an option kehu never gives
    ("rev-parse", "--verify", "-q^{commit}"),
])
def test_a_value_that_starts_with_a_dash_is_refused_and_nothing_runs(tmp_path: Path, args: tuple[str, ...]) -> None:
    from kehu.util.gitcmd import GitValueRefused

    root = _repo(tmp_path)
    with pytest.raises(GitValueRefused) as refused:
        git(root, *args)
    assert refused.value.code == "git-value-option" and refused.value.values["value"].startswith("-")
    assert not (root / "pwned").exists()


def test_after_the_end_of_options_anything_goes_and_kehus_own_options_pass(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "-odd.yaml").write_text("id: x\n", encoding="utf-8")
    assert git(root, "add", "--", "-odd.yaml").ok                       # a path after --: never an option
    assert git(root, "ls-files", "-z", "--", "-odd.yaml").out == "-odd.yaml\0"
    assert git(root, "commit", "-q", "-m", "kehu: a message", config={"user.name": "k", "user.email": "k@x"}).ok
    assert git(root, "rev-list", "-1", "--format=%s", "HEAD").ok


def test_sync_remote_upload_pack_runs_nothing(tmp_path: Path) -> None:
    """The reported case end to end: ``kehu sync --remote '--upload-pack=CMD'`` is one line, exit 2, and CMD
    never runs (neither through fetch nor through push)."""
    import os
    import subprocess
    import sys

    from tests.support.git import commit_all
    from tests.support.git import git as support_git

    root = _repo(tmp_path)
    (root / "kehu.yaml").write_text("locale: en\n", encoding="utf-8")
    (root / "team.yaml").write_text("members:\n  - {handle: lixia, name: Li Xia, role: sales}\n", encoding="utf-8")
    commit_all(root, "base", name="Li Xia", email="lixia@example.com")
    # an origin to fetch from: before the rule, `git fetch --quiet --upload-pack=CMD` ran CMD against it
    support_git(tmp_path, "clone", "-q", "--bare", str(root), str(tmp_path / "origin.git"))
    support_git(root, "remote", "add", "origin", str(tmp_path / "origin.git"))
    marker = tmp_path / "pwned"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    for args in (["sync", "--remote", f"--upload-pack=touch {marker}"], ["sync", "--push", "--remote", "--all"],
                 ["sync", "--branches", f"--upload-pack=touch {marker}"], ["diff", "--", f"--output={marker}...HEAD"]):
        run = subprocess.run([sys.executable, "-m", "kehu", "-C", str(root), *args], capture_output=True, text=True,
                             env=env, timeout=120)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kehu: error: ") and "starts with '-'" in lines[0], run.stderr
        assert not marker.exists()
