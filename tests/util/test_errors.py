"""One error type and one handler around ``main`` (issue 11): every failure a user sees is a KehuError,
printed by the handler as one line in the team's language with the exit code the error carries; Ctrl-C,
a closed pipe and kehu's own bugs end without a traceback too."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import time
from pathlib import Path

import kehu as kehu_package
import pytest
from kehu.util.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, KehuError
from kehu.words.catalogue import Locale

from tests.support.commands import assert_refused, kehu, team_repo

ZH, EN = Locale("zh-CN"), Locale("en")
SOURCE = Path(kehu_package.__file__).parent

# Exceptions that never reach a user as such, each saying why in its docstring: internal control flow
# (fastdump's fallback to ruamel, an encoding verdict readers rewords, a kehu.yaml value of the wrong type
# that open_repo turns into a checker problem) and a broken package (a malformed shipped catalogue, which
# the handler reports as an internal error).
INTERNAL = {"kehu.store.fastdump._Fallback", "kehu.io.encoding.EncodingError", "kehu.repo.config.ConfigValueError",
            "kehu.words.catalogue.CatalogueError"}


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo)


# --- the type ------------------------------------------------------------------------------------------------------


def test_a_coded_error_is_worded_in_the_language_of_whoever_reports_it() -> None:
    e = KehuError.coded("sync-dirty", files="customers/C1.yaml")
    zh, en = e.line_for(ZH), e.line_for(EN)
    assert "customers/C1.yaml" in zh and "customers/C1.yaml" in en and zh != en
    assert "；" in zh and "; " in en  # message and hint joined as each language joins clauses
    assert e.exit_code == 2 and e.code == "sync-dirty"


def test_a_located_error_starts_with_file_line_col_and_a_plain_one_does_not() -> None:
    located = KehuError("bad value", "fix it", file="customers/C1.yaml", line=3, col=5)
    assert located.line_for(EN) == "customers/C1.yaml:3:5: bad value; fix it"
    assert str(located) == "customers/C1.yaml:3:5: bad value"
    assert KehuError("no hint").line_for(ZH) == "no hint"
    assert KehuError("x", file="team.yaml").where == "team.yaml"


def test_every_exception_class_of_kehu_is_a_kehu_error_or_a_named_internal_one() -> None:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages([str(SOURCE)], "kehu."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == info.name:
                found[f"{info.name}.{name}"] = value
    assert {"kehu.store.roundtrip.StoreError", "kehu.util.locking.LockTimeout", "kehu.git.sync.SyncError"} <= set(found)
    stray = sorted(n for n, cls in found.items() if not issubclass(cls, KehuError) and n not in INTERNAL)
    assert stray == [], f"user-facing failures must be KehuErrors (or listed as internal, with a reason): {stray}"
    assert set(found) >= INTERNAL  # the allow-list names nothing that is gone
    # one layout: no subclass adds its own constructor
    assert [n for n, cls in found.items() if issubclass(cls, KehuError) and cls.__init__ is not KehuError.__init__] \
        == []


def test_only_the_one_printer_writes_the_error_prefix() -> None:
    # the prefix is a catalogue word (kehu: 错误： / kehu: error:); only the printer asks for it
    literal = re.compile(r"""["'](kehu: error|cli\.error_line)""")  # a string literal, not docstring prose
    writers = sorted(str(p.relative_to(SOURCE)) for p in SOURCE.rglob("*.py")
                     if literal.search(p.read_text(encoding="utf-8")))
    assert writers == ["commands/_common.py"], writers


# --- the handler: refusals -----------------------------------------------------------------------------------------


def test_a_refusal_is_one_line_with_its_hint_in_chinese_by_default(repo) -> None:
    result = kehu(repo, "show", "不存在的客户")
    assert_refused(result, "不存在的客户")
    assert "；" in result.stderr and "Traceback" not in result.stderr


def test_a_refusal_follows_the_team_locale(repo) -> None:
    repo.set_config(locale="en")
    result = kehu(repo, "show", "nosuchcustomer")
    assert_refused(result, "nosuchcustomer")
    assert "；" not in result.stderr and "; " in result.stderr


def test_an_unreadable_file_is_reported_at_its_line_through_the_handler(repo) -> None:
    broken = repo.write_customer("id: C20240502001\nname: [unclosed\nstage: won\n", "C20240502001")
    before = broken.read_bytes()
    result = kehu(repo, "merge", "C20240501001", "C20240502001")
    assert result.exit_code == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kehu: 错误：customers/C20240502001.yaml:"), lines
    assert broken.read_bytes() == before


def test_a_coded_error_from_a_command_that_never_loads_its_words_is_still_worded(repo, monkeypatch) -> None:
    """The lock raises a coded error; `kehu fmt` imports none of the command catalogues."""
    from kehu.util import locking

    def busy(fd: int, path: Path, wait: float) -> None:
        raise locking.LockTimeout.coded("cli-locked", file=locking.LOCK_FILE, holder="4242")

    monkeypatch.setattr(locking, "_acquire", busy)
    result = kehu(repo, "fmt")
    assert_refused(result, "4242", locking.LOCK_FILE, "另一个 kehu 命令")


def test_a_lock_held_by_another_process_is_one_line_naming_it(repo, monkeypatch) -> None:
    from kehu.util import locking

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\nfrom kehu.util.locking import write_lock\n"
         "with write_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    sys.stdin.read()\n",
         str(repo.root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        real = locking._acquire
        monkeypatch.setattr(locking, "_acquire", lambda fd, path, wait: real(fd, path, 0.05))
        before = (repo.customers / "C20240501001.yaml").read_bytes()
        result = kehu(repo, "log", "C20240501001", "--channel", "call", "--summary", "电话回访")
        assert_refused(result, str(holder.pid))
        assert (repo.customers / "C20240501001.yaml").read_bytes() == before
    finally:
        holder.communicate("")
    assert holder.returncode == 0


# --- the handler: interruptions and bugs ---------------------------------------------------------------------------


def _raising(monkeypatch, error: BaseException) -> None:
    """Make every command's first step (opening the repository) raise ``error``."""
    from kehu.commands import _common

    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(_common, "open_repo", boom)


def test_ctrl_c_is_one_line_and_exit_130(repo, monkeypatch) -> None:
    _raising(monkeypatch, KeyboardInterrupt())
    result = kehu(repo, "due")
    assert result.exit_code == EXIT_INTERRUPTED
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and "已中断" in result.stderr
    assert "Traceback" not in result.stderr and "Aborted" not in result.stderr


def test_a_closed_pipe_ends_quietly(repo, monkeypatch) -> None:
    _raising(monkeypatch, BrokenPipeError(32, "Broken pipe"))
    result = kehu(repo, "due")
    assert result.exit_code == 141 and result.stderr == ""


def test_a_bug_is_one_line_that_says_so_and_exit_70(repo, monkeypatch) -> None:
    _raising(monkeypatch, ZeroDivisionError("division by zero"))
    result = kehu(repo, "due")
    assert result.exit_code == EXIT_INTERNAL
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "ZeroDivisionError" in result.stderr and "KEHU_DEBUG" in result.stderr and "内部错误" in result.stderr


def test_kehu_debug_shows_the_traceback_of_a_bug(repo, monkeypatch) -> None:
    _raising(monkeypatch, ZeroDivisionError("division by zero"))
    with pytest.raises(ZeroDivisionError):
        kehu(repo, "due", env={"KEHU_DEBUG": "1"})


def test_usage_errors_stay_click_s(repo) -> None:
    result = kehu(repo, "show")  # missing argument
    assert result.exit_code == 2 and "用法" in result.stderr and "Traceback" not in result.stderr  # zh-CN repo


def test_ctrl_c_in_a_real_process_leaves_no_traceback(make_repo) -> None:
    """SIGINT to the installed command while it waits for the lock another process holds."""
    repo = team_repo(make_repo)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\nfrom kehu.util.locking import write_lock\n"
         "with write_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    sys.stdin.read()\n",
         str(repo.root)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
        waiter = subprocess.Popen([sys.executable, "-m", "kehu.cli", "-C", str(repo.root), "fmt"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        lock = repo.root / ".kehu-cache" / "write.lock"
        deadline = time.monotonic() + 60
        while waiter.poll() is None and time.monotonic() < deadline:  # until it is waiting for the lock
            if _waits_on(waiter.pid, lock):
                break
            time.sleep(0.05)
        waiter.send_signal(2)
        _out, err = waiter.communicate(timeout=60)
    finally:
        holder.communicate("")
    assert waiter.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "已中断" in err


def _waits_on(pid: int, path: Path) -> bool:
    """The process has ``path`` open (so it is past start-up and in the lock's wait loop)."""
    try:
        return any(os.path.realpath(f"/proc/{pid}/fd/{fd}") == str(path.resolve())
                   for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False
