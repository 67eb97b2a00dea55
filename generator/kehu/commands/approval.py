"""kehu approval [--against BASE] — 审批: the changes of a pull request that need a manager, and whether a manager
has approved them (the review job's decision; exit status 1 while one is missing, so branch protection holds it).

In CI the forge is found from the environment — GitHub Actions (GITHUB_API_URL, GITHUB_REPOSITORY, the pull
request's number in KEHU_PULL_REQUEST) or GitLab CI (CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID) — or
given with ``--forge``, ``--api``, ``--project`` and ``--request``; the token is KEHU_FORGE_TOKEN, as for
``kehu intake`` (:mod:`kehu.git.forge`).
Without a forge no approval is known: the command lists what would need one.
"""

from __future__ import annotations

import os

import click

from ..core.present import Presenter
from ..git.approval import Decision, decide, has_commit
from ..git.forge import Request, api_address, client, token
from ..git.review import md
from ..repo.gitinfo import default_base, is_git_repo
from ..repo.repository import Repo
from ..store.transaction import require_sound_repo
from ..util.errors import refuse
from ._common import RunOptions, repo_from

FORGES = ("auto", "github", "gitlab", "none")


def _forge(repo: Repo, forge: str, api: str | None, project: str | None, number: int | None) -> Request | None:
    env = os.environ
    if forge == "auto":
        forge = "github" if env.get("GITHUB_ACTIONS") == "true" else "gitlab" if env.get("GITLAB_CI") else "none"
    if forge == "none":
        return None
    if forge == "github":
        project = project or env.get("GITHUB_REPOSITORY")
        number = number or _number(env.get("KEHU_PULL_REQUEST"))
    else:
        project = project or env.get("CI_PROJECT_ID")
        number = number or _number(env.get("CI_MERGE_REQUEST_IID"))
    if not project or not number:
        raise refuse(repo.msgs, "cli-approval-forge", forge=forge)
    return client(forge, api_address(forge, api), project, token()).request(number)


def _number(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def render(repo: Repo, d: Decision, markdown: bool) -> str:
    """The decision in words: each change that needs approval, approved (by whom) or not, and who may approve."""
    words = Presenter.of(repo)

    def esc(text: str) -> str:
        return md(text) if markdown else text

    lines = [("## " if markdown else "") + esc(words.t("approval.title", n=len(d.needs)))]
    if markdown:
        lines.append("")
    for n in d.needs:
        name = words.t("name_id", name=n.review.name, id=n.review.id)
        state = (words.t("approval.approved_by", who=words.join(words.who(h) for h in n.approved_by))
                 if n.approved_by else words.t("approval.waiting"))
        mark = ("- " if markdown else "  ") + ("✓" if n.approved_by else "✗")
        lines.append(f"{mark} {esc(name)}{esc(words.t('colon'))}{esc(n.text)} — {esc(state)}")
    if markdown:
        lines.append("")
    if not d.needs:
        lines.append(esc(words.t("approval.none")))
    elif d.passed:
        lines.append(esc(words.t("approval.passed", who=words.join(words.who(h) for h in d.approvals))))
    else:
        who = words.join(words.member(h) for h in d.approvers) if d.approvers else words.t("approval.nobody")
        lines.append(esc(words.t("approval.missing", n=len(d.missing), who=who)))
    return "\n".join(lines)


@click.command("approval")
@click.option("--against", metavar="BASE")
@click.option("--head", metavar="REV")
@click.option("--forge", type=click.Choice(FORGES), default="auto", show_default=True)
@click.option("--api", metavar="URL")
@click.option("--project", metavar="OWNER/NAME")
@click.option("--request", "number", type=int, metavar="N")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
@click.pass_obj
def command(obj: RunOptions, against: str | None, head: str | None, forge: str, api: str | None,
            project: str | None, number: int | None, fmt: str) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    if not is_git_repo(repo.root):
        raise refuse(repo.msgs, "cli-not-git", root=repo.root.name)
    request = _forge(repo, forge, api, project, number)
    base = against or (f"origin/{request.base}" if request is not None and request.base else default_base(repo.root))
    if head is None and request is not None and has_commit(repo, request.head):
        head = request.head
    decision = decide(repo, base, head or ("HEAD" if request is not None else None), request)
    click.echo(render(repo, decision, fmt == "markdown"))
    if not decision.passed:
        raise SystemExit(1)
