"""kehu intake --github EVENT | --gitlab PAYLOAD — turn an issue made by a kehu form into a pull request.

Run by the workflow `kehu init` writes (GitHub: on ``issues: opened, edited`` with ``$GITHUB_EVENT_PATH``; GitLab:
in a pipeline an issue webhook triggers, with ``$TRIGGER_PAYLOAD``). The forge token comes from
``KEHU_FORGE_TOKEN``, the API's address from the CI job (``GITHUB_API_URL``, ``CI_API_V4_URL``) or ``--api``.
``--dry-run`` calls no forge and pushes nothing: it prints the pull request and the comment it would make (the
branch with the change stays in the clone to look at). See :mod:`kehu.git.intake`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from ..git.forge import Forge, ForgeError, GitHub, GitLab, Issue, api_address
from ..git.forge import token as forge_token
from ..git.intake import github_event, gitlab_event, gitlab_issue_number, intake
from ..repo.root import find_root
from ..util.errors import KehuError, refuse
from ..words.terminal import echo
from ._common import RunOptions, repo_from, today_from


def _payload(repo_msgs: Any, path: Path, forge: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise refuse(repo_msgs, "intake-event", file=path.name, forge=forge, detail=type(e).__name__) from None


@click.command("intake")
@click.option("--github", "github_path", type=click.Path(dir_okay=False, path_type=Path), metavar="EVENT")
@click.option("--gitlab", "gitlab_path", type=click.Path(dir_okay=False, path_type=Path), metavar="PAYLOAD")
@click.option("--api", metavar="URL")
@click.option("--remote", default="origin", show_default=True)
@click.option("--dry-run", is_flag=True)
@click.pass_obj
def command(obj: RunOptions, github_path: Path | None, gitlab_path: Path | None, api: str | None, remote: str,
            dry_run: bool) -> None:
    repo = repo_from(obj)
    msgs = repo.msgs
    if (github_path is None) == (gitlab_path is None):
        raise refuse(msgs, "cli-missing-option", option="--github EVENT / --gitlab PAYLOAD",
                     hint="$GITHUB_EVENT_PATH / $TRIGGER_PAYLOAD")
    token = forge_token()
    if token is None and not dry_run:
        raise refuse(msgs, "intake-no-token")
    forge: Forge | None = None
    try:
        if github_path is not None:
            data = _payload(msgs, github_path, "GitHub")
            try:
                event = github_event(data)
            except (ValueError, KehuError) as e:
                raise refuse(msgs, "intake-event", file=github_path.name, forge="GitHub", detail=str(e)) from None
            repository = str((data.get("repository") or {}).get("full_name") or os.environ.get("GITHUB_REPOSITORY", ""))
            if token is not None and not dry_run:
                forge = GitHub(api_address("github", api), repository, token)
        else:
            assert gitlab_path is not None
            data = _payload(msgs, gitlab_path, "GitLab")
            try:
                project, number = gitlab_issue_number(data)
            except ValueError as e:
                raise refuse(msgs, "intake-event", file=gitlab_path.name, forge="GitLab", detail=str(e)) from None
            lab = GitLab(api_address("gitlab", api), project, token)
            if token is None:  # a dry run without a token reads the issue from the payload as it was sent
                attrs = data.get("object_attributes") or {}
                issue = Issue(number, str(attrs.get("title") or ""), str(attrs.get("description") or ""),
                              str((data.get("user") or {}).get("username") or ""),
                              "open" if attrs.get("state") == "opened" else str(attrs.get("state") or ""),
                              str(attrs.get("created_at") or ""), (), str(attrs.get("url") or ""))
            else:
                issue = lab.issue(number)
            event = gitlab_event(data, issue)
            if event.action not in ("open", "update", "reopen", ""):
                echo(msgs.word("intake.ignored", issue=number))
                return
            if not dry_run:
                forge = lab
        if event.forge == "github" and event.action not in ("opened", "edited", "reopened", ""):
            echo(msgs.word("intake.ignored", issue=event.issue.number))
            return
        intake(find_root(obj.get("repo") if obj else None), event, forge, remote=remote, today=today_from(obj),
               dry_run=dry_run, say=echo)
    except ForgeError as e:
        raise KehuError(*e.words(msgs), exit_code=1) from None
