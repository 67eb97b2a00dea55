"""`kehu new`: the next free id, the duplicate check first, the first follow-up planned."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from tests.support.commands import assert_refused, assert_written_well, commit, kehu, plain, team_repo
from tests.support.customers import TODAY
from tests.support.git import GIT_ENV, git

NEW = ["new", "北京星河数据科技有限公司", "--owner", "wangfang", "--industry", "I65"]


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo)


def files(repo):
    return sorted(p.name for p in repo.customers.iterdir())


def test_creates_the_next_id_for_today_with_the_first_follow_up(repo):
    r = kehu(repo, *NEW, "--source", "trade_show", "--size", "50-200", "--region", "北京",
             "--contact-name", "李娜", "--title", "CTO", "--phone", "13912345678",
             "--email", "li.na@xinghe.example.com")
    assert r.exit_code == 0, r.stderr
    path = repo.customers / "C20240601LX01.yaml"
    assert "customers/C20240601LX01.yaml" in r.stdout
    data = plain(path)
    assert data["id"] == "C20240601LX01" and data["created"] == TODAY
    assert data["stage"] == "lead" and data["owner"] == "wangfang" and data["source"] == "trade_show"
    assert data["contacts"] == [{"name": "李娜", "title": "CTO", "phone": "13912345678",
                                 "email": "li.na@xinghe.example.com", "primary": True}]
    assert data["next_action"]["date"] == "2024-06-02"  # first_followup_hours: 24
    assert_written_well(repo, path)


def test_sequence_continues_after_the_highest_id_of_today(repo):
    assert kehu(repo, *NEW).exit_code == 0
    r = kehu(repo, "new", "广州粤海冷链物流有限公司", "--owner", "lixia", "--industry", "G")
    assert r.exit_code == 0, r.stderr
    assert "C20240601LX02.yaml" in files(repo)


def test_an_id_used_before_is_never_reused(repo):
    assert kehu(repo, *NEW).exit_code == 0
    commit(repo, "add")
    git(repo.root, "rm", "-q", "customers/C20240601LX01.yaml")
    commit(repo, "remove")
    r = kehu(repo, "new", "广州粤海冷链物流有限公司", "--owner", "lixia", "--industry", "G")
    assert r.exit_code == 0, r.stderr
    assert "C20240601LX02.yaml" in files(repo) and "C20240601LX01.yaml" not in files(repo)


def test_the_id_template_comes_from_kehu_yaml(repo):
    repo.set_config(ids={"pattern": "^CUST[0-9]{4}$", "template": "CUST{seq:04d}"})
    r = kehu(repo, *NEW)
    assert r.exit_code == 0, r.stderr
    assert "CUST0001.yaml" in files(repo)
    assert_written_well(repo, repo.customers / "CUST0001.yaml")


def test_first_follow_up_window_comes_from_kehu_yaml(repo):
    repo.set_config(first_followup_hours=72)
    assert kehu(repo, *NEW).exit_code == 0
    assert plain(repo.customers / "C20240601LX01.yaml")["next_action"]["date"] == "2024-06-04"


@pytest.mark.parametrize(("args", "named"), [
    (["new", "上海启明科技", "--owner", "lixia", "--industry", "I65"], "C20240501001"),            # same company
    (["new", "上海启明科技有限公司", "--owner", "lixia", "--industry", "I65"], "C20240501001"),
    (["new", "另一家公司有限公司", "--owner", "lixia", "--industry", "I65", "--contact-name", "张伟",
      "--phone", "138 0013 8000"], "C20240501001"),                                                 # same phone
    (["new", "另一家公司有限公司", "--owner", "lixia", "--industry", "I65", "--contact-name", "张伟",
      "--email", "Zhang.Wei@Example.com"], "C20240501001"),                                         # same email
])
def test_an_existing_customer_is_refused_naming_its_file(repo, args, named):
    before = files(repo)
    r = kehu(repo, *args)
    assert_refused(r, named, "customers/C20240501001.yaml")
    assert files(repo) == before


def test_a_near_identical_name_needs_force(repo):
    r = kehu(repo, "new", "上海启鸣科技有限公司", "--owner", "lixia", "--industry", "I65")
    assert_refused(r, "上海启明科技有限公司", "同音字", "--force")
    assert files(repo) == ["C20240501001.yaml"]
    r = kehu(repo, "new", "上海启鸣科技有限公司", "--owner", "lixia", "--industry", "I65", "--force")
    assert r.exit_code == 0, r.stderr
    assert "C20240601LX01.yaml" in files(repo)


def test_a_similar_but_different_company_is_created(repo):
    """One other character that is neither a homophone nor a look-alike: another company (the checker's policy)."""
    r = kehu(repo, "new", "上海启民科技有限公司", "--owner", "lixia", "--industry", "I65")
    assert r.exit_code == 0, r.stderr
    assert "C20240601LX01.yaml" in files(repo)


@pytest.mark.parametrize(("args", "named"), [
    ([*NEW, "--contact-name", "李娜", "--phone", "1391234567"], "1391234567"),   # 10 digits
    ([*NEW, "--contact-name", "李娜", "--phone", "02112345678"], "--phone"),     # a landline
    ([*NEW, "--contact-name", "李娜", "--email", "li.na@"], "--email"),
    ([*NEW, "--phone", "13912345678"], "--contact-name"),
    (["new", "北京星河数据科技有限公司", "--owner", "wangfang"], "--industry"),
    (["new", "--owner", "wangfang", "--industry", "I65"], "NAME"),
    (["new", "北京星河数据科技有限公司", "--owner", "zhangsan", "--industry", "I65"], "zhangsan"),
    ([*NEW, "--source", "展览"], "展览"),
    ([*NEW, "--stage", "lost"], "--stage"),
    ([*NEW, "--size", "huge"], "huge"),
], ids=["short-phone", "landline", "bad-email", "phone-without-name", "no-industry", "no-name",
        "unknown-owner", "unknown-source", "lost", "bad-size"])
def test_bad_input_creates_nothing(repo, args, named):
    before = files(repo)
    r = kehu(repo, *args)
    assert_refused(r, named)
    assert files(repo) == before


def test_missing_fields_are_asked_for_at_a_terminal(repo):
    """With a terminal on stdin, missing required values are prompted for (a bad answer is asked again)."""
    main, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.update(GIT_ENV, KEHU_TODAY=TODAY)
    proc = subprocess.Popen([sys.executable, "-m", "kehu.cli", "-C", str(repo.root), "new", "北京星河数据科技有限公司"],
                            stdin=secondary, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    os.close(secondary)
    # owner: lixia, from git (not asked); industry: an unknown word (asked again), then the key
    os.write(main, "软件\nI65\n".encode())
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(main)
    assert proc.returncode == 0, err.decode()
    data = plain(repo.customers / "C20240601LX01.yaml")
    assert data["owner"] == "lixia" and data["industry"] == "I65"
    assert "I65" in out.decode()  # the prompt says what to type


def test_english_output(repo):
    repo.set_config(locale="en")
    r = kehu(repo, *NEW)
    assert r.exit_code == 0
    assert r.stdout.startswith("created customers/C20240601LX01.yaml")
    bad = kehu(repo, "new", "上海启明科技", "--owner", "lixia", "--industry", "I65")
    assert_refused(bad, "already a customer")
