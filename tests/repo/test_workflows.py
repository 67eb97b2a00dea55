"""kehu check warns where team.yaml and the workflows that send (remind.yml, report.yml) disagree: a variable named
under ``remind:`` that the workflow does not pass (the member would silently get nothing), and a workflow that hands
a step every secret. The report workflow is held to the members the reports go to (kehu.yaml report.to_roles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import PROJECT
from tests.support.team_repo import TeamRepo

WORKFLOWS = PROJECT / "generator" / "kehu" / "data" / "init" / "dot-github" / "workflows"
TEAM = """\
members:
  - handle: lixia
    name: 李霞
    email: lixia@example.com
    role: sales
    remind:
      - {kind: wecom, webhook_env: KEHU_WECOM_LIXIA}
  - handle: liuyang
    name: 刘洋
    email: liuyang@example.com
    role: manager
    remind:
      - {kind: dingtalk, webhook_env: KEHU_DING_LIUYANG, secret_env: KEHU_DING_LIUYANG_SECRET}
"""


def _warnings(repo: TeamRepo) -> list[tuple[str, str]]:
    run = repo.check_json()
    return sorted((p["file"], p["message"]) for p in run.problems if p["code"] == "remind-env-not-passed"
                  or p["code"] == "remind-all-secrets")


def _with_workflows(make_repo, **extra_env: list[str]) -> TeamRepo:
    """A repository with the workflows kehu init writes, each step's env: given the extra lines named for it."""
    repo: TeamRepo = make_repo(team=TEAM)
    for name in ("remind", "report"):
        text = (WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8")
        anchor = "          KEHU_SMTP_SECURITY: ${{ secrets.KEHU_SMTP_SECURITY }}\n"
        lines = "".join(f"          {v}: ${{{{ secrets.{v} }}}}\n" for v in extra_env.get(name, []))
        repo.write(f".github/workflows/{name}.yml", text.replace(anchor, anchor + lines))
    return repo


def test_every_variable_passed_no_warning(make_repo) -> None:
    repo = _with_workflows(make_repo, remind=["KEHU_WECOM_LIXIA", "KEHU_DING_LIUYANG", "KEHU_DING_LIUYANG_SECRET"],
                           report=["KEHU_DING_LIUYANG", "KEHU_DING_LIUYANG_SECRET"])
    assert _warnings(repo) == []


def test_a_managers_variable_the_report_workflow_does_not_pass(make_repo) -> None:
    # the salesperson's robot gets no report, so report.yml need not pass it; the manager's must
    repo = _with_workflows(make_repo, remind=["KEHU_WECOM_LIXIA", "KEHU_DING_LIUYANG", "KEHU_DING_LIUYANG_SECRET"],
                           report=["KEHU_DING_LIUYANG"])
    found = _warnings(repo)
    assert len(found) == 1 and found[0][0] == "team.yaml"
    assert "KEHU_DING_LIUYANG_SECRET" in found[0][1] and ".github/workflows/report.yml" in found[0][1]
    assert "kehu report" in found[0][1]


def test_a_variable_the_reminder_workflow_does_not_pass(make_repo) -> None:
    repo = _with_workflows(make_repo, remind=["KEHU_DING_LIUYANG", "KEHU_DING_LIUYANG_SECRET"],
                           report=["KEHU_DING_LIUYANG", "KEHU_DING_LIUYANG_SECRET"])
    found = _warnings(repo)
    assert len(found) == 1 and "KEHU_WECOM_LIXIA" in found[0][1] and "remind.yml" in found[0][1]


@pytest.mark.parametrize("name", ["remind", "report"])
def test_a_workflow_that_passes_every_secret_is_named(make_repo, name: str) -> None:
    repo = _with_workflows(make_repo, remind=["KEHU_WECOM_LIXIA", "KEHU_DING_LIUYANG", "KEHU_DING_LIUYANG_SECRET"],
                           report=["KEHU_DING_LIUYANG", "KEHU_DING_LIUYANG_SECRET"])
    path = Path(".github/workflows") / f"{name}.yml"
    text = (repo.root / path).read_text(encoding="utf-8")
    repo.write(str(path), text.replace("          KEHU_SMTP_HOST:", "          KEHU_SECRETS: ${{ toJSON(secrets) }}\n"
                                                                    "          KEHU_SMTP_HOST:"))
    found = _warnings(repo)
    assert [f for f, _ in found] == [str(path)] and "toJSON(secrets)" in found[0][1]
