"""kehu codeowners: each customer file is owned by its owner's forge account, managers as fallback."""

from __future__ import annotations

from conftest import TeamRepo, customer_dict

TEAM = """\
members:
  - handle: lixia
    name: 李霞
    git: lixia-sales
    role: sales
  - handle: wangfang
    name: 王芳
    role: sales
  - handle: zhaolei
    name: 赵磊
    git: zhaolei-sales
    role: sales
    active: false
  - handle: liuyang
    name: 刘洋
    git: liuyang-mgr
    role: manager
  - handle: chenjing
    name: 陈静
    git: "@chenjing-mgr"
    role: manager
  - handle: admin
    name: 管理员
    git: it-admin
    role: admin
"""


def _repo(make_repo) -> TeamRepo:
    repo = make_repo(team=TEAM)
    repo.write_customer(customer_dict(id="C20240501001", owner="lixia"))
    repo.write_customer(customer_dict(id="C20240501002", name="北京远航", owner="wangfang"))
    repo.write_customer(customer_dict(id="C20240501003", name="杭州云帆", owner="zhaolei"))
    # an owner written in flow style still counts (the fast path falls back to the YAML loader)
    repo.write_customer("{id: C20240501004, name: 深圳星河, industry: I65, stage: lead, owner: lixia, "
                        "created: 2024-05-01}\n", name="C20240501004")
    return repo


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_github_codeowners_content(make_repo) -> None:
    repo = _repo(make_repo)
    run = repo.kehu("codeowners")
    assert run.returncode == 0, run.stderr
    lines = _lines((repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8"))
    managers = "@chenjing-mgr @liuyang-mgr"  # sorted, '@' not doubled, admins not needed when managers exist
    assert f"/team.yaml {managers}" in lines
    assert f"/kehu.yaml {managers}" in lines
    assert f"/schema/ {managers}" in lines
    assert f"/.github/ {managers}" in lines
    assert f"/customers/ {managers}" in lines
    assert "/customers/C20240501001.yaml @lixia-sales" in lines
    assert "/customers/C20240501004.yaml @lixia-sales" in lines
    # no forge account, or no longer active: the managers review
    assert f"/customers/C20240501002.yaml {managers}" in lines
    assert f"/customers/C20240501003.yaml {managers}" in lines
    # GitHub: the last matching line wins, so the per-file lines come after the folder default
    assert lines.index(f"/customers/ {managers}") < lines.index("/customers/C20240501001.yaml @lixia-sales")


def test_gitlab_codeowners_uses_sections_with_manager_defaults(make_repo) -> None:
    repo = _repo(make_repo)
    assert repo.kehu("codeowners").returncode == 0
    lines = _lines((repo.root / ".gitlab/CODEOWNERS").read_text(encoding="utf-8"))
    assert "[Team rules] @chenjing-mgr @liuyang-mgr" in lines
    assert "[Customers] @chenjing-mgr @liuyang-mgr" in lines
    customers = lines[lines.index("[Customers] @chenjing-mgr @liuyang-mgr") + 1:]
    assert "/customers/C20240501001.yaml @lixia-sales" in customers
    assert "/customers/C20240501002.yaml" in customers  # no owner given: the section's default owners
    assert lines.index("[Team rules] @chenjing-mgr @liuyang-mgr") < lines.index("/team.yaml")


def test_admins_are_the_fallback_when_there_is_no_manager_account(make_repo) -> None:
    repo = make_repo(team=TEAM.replace("    git: liuyang-mgr\n", "").replace('    git: "@chenjing-mgr"\n', ""))
    repo.write_customer(customer_dict(id="C20240501002", owner="wangfang"))
    assert repo.kehu("codeowners").returncode == 0
    lines = _lines((repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8"))
    assert "/customers/C20240501002.yaml @it-admin" in lines


def test_output_is_deterministic_and_rerun_changes_nothing(make_repo) -> None:
    repo = _repo(make_repo)
    assert repo.kehu("codeowners").returncode == 0
    first = {p: (repo.root / p).read_bytes() for p in (".github/CODEOWNERS", ".gitlab/CODEOWNERS")}
    again = repo.kehu("codeowners")
    assert again.returncode == 0
    assert {p: (repo.root / p).read_bytes() for p in first} == first
    assert "up to date" in again.stdout or "最新" in again.stdout
    lines = _lines(first[".github/CODEOWNERS"].decode())
    per_file = [line for line in lines if line.startswith("/customers/C")]
    assert per_file == sorted(per_file)


def test_check_fails_when_out_of_date_and_passes_when_current(make_repo) -> None:
    repo = _repo(make_repo)
    missing = repo.kehu("codeowners", "--check")
    assert missing.returncode == 1
    assert "kehu codeowners" in missing.stderr
    assert not (repo.root / ".github/CODEOWNERS").exists()  # --check writes nothing
    assert repo.kehu("codeowners").returncode == 0
    assert repo.kehu("codeowners", "--check").returncode == 0
    # a customer changes hands: the files are stale until regenerated
    path = repo.customers / "C20240501002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("owner: wangfang", "owner: lixia"), encoding="utf-8")
    stale = repo.kehu("codeowners", "--check")
    assert stale.returncode == 1
    assert ".github/CODEOWNERS" in stale.stderr
    assert repo.kehu("codeowners").returncode == 0
    assert "/customers/C20240501002.yaml @lixia-sales" in (repo.root / ".github/CODEOWNERS").read_text()
    assert repo.kehu("codeowners", "--check").returncode == 0


def test_hand_edit_of_codeowners_is_reported(make_repo) -> None:
    repo = _repo(make_repo)
    assert repo.kehu("codeowners").returncode == 0
    path = repo.root / ".gitlab/CODEOWNERS"
    path.write_text(path.read_text(encoding="utf-8") + "/customers/ @someone\n", encoding="utf-8")
    run = repo.kehu("codeowners", "--check")
    assert run.returncode == 1
    assert ".gitlab/CODEOWNERS" in run.stderr


def test_invalid_team_file_is_a_one_line_error_and_writes_nothing(make_repo) -> None:
    repo = make_repo(team="members:\n  - handle: Li Xia\n    name: 李霞\n    role: sales\n")
    repo.write_customer(customer_dict())
    run = repo.kehu("codeowners")
    assert run.returncode == 2
    assert run.stderr.startswith("kehu: error: team.yaml:")
    assert "Traceback" not in run.stderr
    assert not (repo.root / ".github").exists()
