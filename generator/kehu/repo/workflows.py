"""What team.yaml and the reminder (and report) workflows must agree on.

The scheduled reminder workflow (``.github/workflows/remind.yml``, written by ``kehu init``) hands ``kehu remind``
only the secrets it names, one by one — never ``toJSON(secrets)``, which puts every secret of the repository
(the bot token, the index token …) into the step's environment. So a variable team.yaml names under ``remind:``
(``webhook_env``, ``secret_env``) that the workflow does not pass would leave that member without reminders, and
nobody would know until a morning passes. ``kehu check`` says so the day team.yaml changes: a warning on the line
of the entry, naming the line to add. (GitLab passes every CI/CD variable to every job: nothing to check there.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..util.problems import Problem
from ..words.catalogue import Locale
from .yamlload import LoadedYaml

REMIND_WORKFLOW = ".github/workflows/remind.yml"
REPORT_WORKFLOW = ".github/workflows/report.yml"  # the same hand-over, for the members reports go to
_MAX_BYTES = 256 * 1024


def remind_env_problems(root: Path, team: LoadedYaml, msgs: Locale,
                        report_roles: tuple[str, ...] = ()) -> list[Problem]:
    """Warnings for every variable team.yaml names under ``remind:`` that the reminder workflow does not pass —
    and the report workflow, for the members the reports go to (``report_roles``) — and for a workflow that
    passes every secret."""
    out: list[Problem] = []
    for rel, command, roles in ((REMIND_WORKFLOW, "kehu remind", None), (REPORT_WORKFLOW, "kehu report", report_roles)):
        out += _workflow_problems(root, team, msgs, rel, command, roles)
    return out


def _workflow_problems(root: Path, team: LoadedYaml, msgs: Locale, rel: str, command: str,
                       roles: tuple[str, ...] | None) -> list[Problem]:
    """The problems of one workflow that runs ``command`` with team.yaml's variables (``roles`` None: every member's
    channels; otherwise only those of a member with one of these roles)."""
    path = root / rel
    if path.is_symlink() or not path.is_file() or path.stat().st_size > _MAX_BYTES:
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    if command not in text:
        return []
    out: list[Problem] = []
    if "toJSON(secrets)" in text.replace(" ", ""):
        line = next((n for n, t in enumerate(text.splitlines(), 1) if "toJSON(secrets)" in t.replace(" ", "")), 1)
        out.append(msgs.warning(rel, line, 1, "remind-all-secrets", workflow=rel))
    passed = _env_names(text)
    if passed is None:
        return out
    members = (team.data or {}).get("members") if isinstance(team.data, dict) else None
    for i, member in enumerate(members if isinstance(members, list) else []):
        if not isinstance(member, dict) or (roles is not None and member.get("role") not in roles):
            continue
        entries = member.get("remind")
        for j, entry in enumerate(entries if isinstance(entries, list) else []):
            for key in ("webhook_env", "secret_env"):
                name = entry.get(key) if isinstance(entry, dict) else None
                if isinstance(name, str) and name and name not in passed:
                    where = team.pos(("members", i, "remind", j, key))
                    out.append(msgs.warning(team.file, *where, "remind-env-not-passed", name=name, workflow=rel,
                                            command=command))
    return out


def _env_names(text: str) -> set[str] | None:
    """Every variable the workflow sets (workflow, job and step ``env:``); None when it cannot be read."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    names: set[str] = set()

    def take(env: Any) -> None:
        if isinstance(env, dict):
            names.update(str(k) for k in env)

    take(data.get("env"))
    jobs = data.get("jobs")
    for job in jobs.values() if isinstance(jobs, dict) else []:
        if isinstance(job, dict):
            take(job.get("env"))
            for step in job.get("steps") or []:
                if isinstance(step, dict):
                    take(step.get("env"))
    return names
