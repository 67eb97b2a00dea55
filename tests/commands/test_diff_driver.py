"""The diff driver `kehu init --git-only` sets up: hunk headers of `git diff` and `git log -p` name the
customer and the entry's date — asserted from real git output."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from kehu.commands.diff_driver import annotated
from kehu.commands.init import static_files

from tests.support.commands import commit, team_repo
from tests.support.git import GIT_ENV, git


@pytest.fixture
def repo(make_repo):
    repo = team_repo(make_repo)
    repo.write(".gitattributes", static_files()[".gitattributes"])
    commit(repo, "attributes")
    run = subprocess.run([sys.executable, "-m", "kehu.cli", "init", "--git-only"], cwd=repo.root,
                         env={**os.environ, **GIT_ENV}, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    (repo.root / ".git/hooks/pre-commit").unlink(missing_ok=True)  # this test commits without the hooks
    assert git(repo.root, "config", "diff.kehu.xfuncname").stdout.strip() == "^[ ]*# kehu: (.+)$"
    assert "-m kehu.cli diff-driver" in git(repo.root, "config", "diff.kehu.textconv").stdout
    return repo


def headers(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^@@ [^@]+ @@ ?(.*)$", text, re.M)]


def test_hunk_headers_name_the_customer_and_the_entry(repo):
    path = repo.customers / "C20240501001.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("上门演示审批流，客户关注与SAP对接", "上门演示审批流，客户关注与SAP及钉钉对接")
    text = text.replace("stage: quoted", "stage: negotiating")
    path.write_text(text, encoding="utf-8")
    diff = git(repo.root, "diff", "-U1").stdout
    assert headers(diff) == ["上海启明科技有限公司 (C20240501001)", "上海启明科技有限公司 · 跟进记录 2024-05-20"]
    assert "+    summary: 上门演示审批流，客户关注与SAP及钉钉对接" in diff
    commit(repo, "edit", date="2024-05-21T10:00:00+08:00")
    log = git(repo.root, "log", "-p", "-1", "-U1").stdout
    assert headers(log) == headers(diff)
    # what tools read (kehu sync, patches) stays the plain file: conversion is for display only
    assert git(repo.root, "show", "HEAD:customers/C20240501001.yaml").stdout == path.read_text(encoding="utf-8")
    assert "# kehu:" not in git(repo.root, "format-patch", "-1", "--stdout").stdout


def test_the_team_language_names_the_list(repo):
    repo.set_config(locale="en")
    commit(repo, "en")
    path = repo.customers / "C20240501001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("客户关注与SAP对接", "客户关注与钉钉对接"), encoding="utf-8")
    assert headers(git(repo.root, "diff", "-U1").stdout) == ["上海启明科技有限公司 · Interactions 2024-05-20"]


def test_a_file_that_does_not_load_is_shown_as_it_is():
    raw = b"id: C1\nname: [unclosed\n"
    assert annotated(raw) == raw
    ok = "id: C1\nname: 甲\ninteractions:\n  - {date: 2024-05-01, channel: call, by: a, summary: b}\n".encode()
    assert annotated(ok, {"interactions": "跟进记录"}).decode().splitlines() == [
        "# kehu: 甲 (C1)", "id: C1", "name: 甲", "interactions:", "  # kehu: 甲 · 跟进记录 2024-05-01",
        "  - {date: 2024-05-01, channel: call, by: a, summary: b}"]


def test_the_diff_still_works_when_kehu_cannot_run(repo):
    """A textconv that cannot start would make git diff fail: the configured command falls back to the file."""
    from kehu.git.gitsetup import textconv_command

    git(repo.root, "config", "diff.kehu.textconv", textconv_command("/nonexistent/python"))
    path = repo.customers / "C20240501001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stage: quoted", "stage: won"), encoding="utf-8")
    out = git(repo.root, "diff", ok=False, env={"PATH": "/usr/bin:/bin"})  # no kehu on PATH either
    assert out.returncode == 0 and "+stage: won" in out.stdout and "# kehu:" not in out.stdout
