"""kehu codeowners: each customer file is reviewed by its owner's forge account or a manager; new
customers and the team's rules by a manager. The approvals each kind of change needs are checked by
reading the generated files the way GitHub and GitLab read them."""

from __future__ import annotations

import pytest

from tests.support.customers import customer_dict
from tests.support.team_repo import TeamRepo

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
    assert f"/customers/C20240501001.yaml @lixia-sales {managers}" in lines
    assert f"/customers/C20240501004.yaml @lixia-sales {managers}" in lines
    # no forge account, or no longer active: the managers review
    assert f"/customers/C20240501002.yaml {managers}" in lines
    assert f"/customers/C20240501003.yaml {managers}" in lines
    # GitHub: the last matching line wins, so the per-file lines come after the folder default
    assert lines.index(f"/customers/ {managers}") < lines.index(f"/customers/C20240501001.yaml @lixia-sales {managers}")


def test_gitlab_codeowners_uses_sections_with_manager_defaults(make_repo) -> None:
    repo = _repo(make_repo)
    assert repo.kehu("codeowners").returncode == 0
    lines = _lines((repo.root / ".gitlab/CODEOWNERS").read_text(encoding="utf-8"))
    assert "[Team rules] @chenjing-mgr @liuyang-mgr" in lines
    assert "[Customers] @chenjing-mgr @liuyang-mgr" in lines
    customers = lines[lines.index("[Customers] @chenjing-mgr @liuyang-mgr") + 1:]
    assert "/customers/C20240501001.yaml @lixia-sales @chenjing-mgr @liuyang-mgr" in customers
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
    assert "/customers/C20240501002.yaml @lixia-sales @chenjing-mgr @liuyang-mgr" in (
        repo.root / ".github/CODEOWNERS").read_text()
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
    assert run.stderr.startswith("kehu: 错误：team.yaml:")
    assert "Traceback" not in run.stderr
    assert not (repo.root / ".github").exists()


# --- the approvals each kind of change needs, read as the forges read the files ------------------------


def _matches(pattern: str, path: str) -> bool:
    """The patterns kehu writes: '/dir/' (everything below) and '/file' (that file), both anchored."""
    pattern = pattern.replace("\\ ", " ")
    if pattern.endswith("/"):
        return ("/" + path).startswith(pattern)
    return "/" + path == pattern


def github_owners(text: str, path: str) -> set[str]:
    """GitHub: the last matching line decides."""
    owners: set[str] = set()
    for line in _lines(text):
        pattern, *accounts = line.split()
        if _matches(pattern, path):
            owners = set(accounts)
    return owners


def gitlab_owners(text: str, path: str) -> set[str]:
    """GitLab: per section, the last matching entry decides; an entry without owners takes the section's."""
    section_default: list[str] = []
    found: dict[int, set[str]] = {}
    section = -1
    for line in _lines(text):
        if line.startswith("["):
            section += 1
            section_default = line.split("]", 1)[1].split()
            continue
        pattern, *accounts = line.split()
        if _matches(pattern, path):
            found[section] = set(accounts or section_default)
    return set().union(*found.values()) if found else set()


def approvers(owners: set[str], author: str) -> set[str]:
    """Who can give the required approval: a code owner other than the pull request's author."""
    return owners - {author}


MANAGERS = {"@chenjing-mgr", "@liuyang-mgr"}


@pytest.mark.parametrize("forge", ["github", "gitlab"])
@pytest.mark.parametrize(("change", "path", "author", "expected"), [
    ("an owner edits their own customer: a manager approves", "customers/C20240501001.yaml", "@lixia-sales",
     MANAGERS),
    ("a colleague edits someone's customer: its owner or a manager", "customers/C20240501001.yaml",
     "@zhaolei-sales", {"@lixia-sales"} | MANAGERS),
    ("a new customer (not on the base branch yet): a manager", "customers/C20261201LX01.yaml", "@lixia-sales",
     MANAGERS),
    ("a customer whose owner has no forge account: a manager", "customers/C20240501002.yaml", "@lixia-sales",
     MANAGERS),
    ("a customer whose owner left: a manager", "customers/C20240501003.yaml", "@lixia-sales", MANAGERS),
    ("the team file: a manager", "team.yaml", "@lixia-sales", MANAGERS),
    ("the rules: a manager", "kehu.yaml", "@lixia-sales", MANAGERS),
    ("the schema: a manager", "schema/customer.schema.json", "@lixia-sales", MANAGERS),
    ("the workflows: a manager", ".github/workflows/kehu-sync.yml", "@lixia-sales", MANAGERS),
    ("a manager's own change to the rules: the other manager", "kehu.yaml", "@liuyang-mgr", {"@chenjing-mgr"}),
])
def test_each_kind_of_change_needs_the_documented_approval(make_repo, forge: str, change: str, path: str,
                                                           author: str, expected: set[str]) -> None:
    repo = _repo(make_repo)
    assert repo.kehu("codeowners").returncode == 0
    text = (repo.root / f".{forge}/CODEOWNERS").read_text(encoding="utf-8")
    owners = github_owners(text, path) if forge == "github" else gitlab_owners(text, path)
    assert approvers(owners, author) == expected, change


def test_a_handover_is_approved_by_the_previous_owner_or_a_manager(make_repo) -> None:
    """Forges read CODEOWNERS from the base branch: a pull request moving lixia's customer to zhaolei is
    reviewed by lixia (or a manager); once merged and regenerated, by the new owner."""
    repo = _repo(make_repo)
    assert repo.kehu("codeowners").returncode == 0
    base_text = (repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    path = repo.customers / "C20240501004.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("owner: lixia", "owner: liuyang"), encoding="utf-8")
    assert github_owners(base_text, "customers/C20240501004.yaml") == {"@lixia-sales"} | MANAGERS
    assert repo.kehu("codeowners").returncode == 0
    after = (repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert github_owners(after, "customers/C20240501004.yaml") == MANAGERS  # the new owner is a manager
