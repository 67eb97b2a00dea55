"""``kehu intake``: a form submitted on the forge becomes a reviewed change.

An issue made by one of the forms (:mod:`kehu.git.forms`) is read, its author checked against the team (a
member whose ``git:`` is the forge account), every field checked by the same code as ``kehu log`` / ``new`` /
``complaint`` / ``survey`` (:mod:`kehu.store.edits`), and the change written on a branch of its own
(``kehu/issue-N``), committed in the member's name, pushed, and proposed in a pull request that closes the
issue. The issue then gets a comment with the link, and its text is replaced by a summary (the original stays in
the forge's edit history). Bad input gets one comment saying what to fix — editing the issue runs intake again —
and changes nothing else. Every refusal is a comment; a failure of the forge or of git is an error of the run.

Nothing here opens a network connection of its own: the forge is called through the :class:`~kehu.git.forge.Forge`
it is given, and git pushes to the remote the clone has.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..core.identity import plain
from ..core.inputs import require_handle
from ..core.normalize import normalize_company
from ..repo.config import CUSTOMERS_DIR
from ..repo.files import file_name
from ..repo.gitinfo import FilePair
from ..repo.model import Member
from ..repo.repository import Repo, open_repo
from ..repo.yamlload import load_yaml_bytes
from ..store.edits import add_survey, log_interaction, new_customer, open_complaint
from ..util.errors import CommandError, KehuError, refuse
from ..util.gitcmd import GitRun, git
from ..util.locking import write_lock
from .forge import Forge, Issue, Pull, as_object
from .forms import (
    BY_KIND,
    FormWords,
    gitlab_block,
    kind_of_github_issue,
    option_key,
    read_github_body,
    read_gitlab_block,
)
from .review import md, review

BODY_MAX = 65_536            # characters: GitHub's own limit of an issue's text
STUB_MARK = "<!-- kehu-intake -->"
BRANCH = "kehu/issue-{number}"
COMMAND = {"log": "log", "new": "new", "complaint": "complaint … open", "survey": "survey"}
WHAT = {"interactions": "intake.what.interaction", "surveys": "intake.what.survey",
        "complaints": "intake.what.complaint"}
# HTML, and Markdown that makes a link or an image: a form's field is plain text
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>|<!--|!\[|\[[^\]\n]*\]\s*[(\[]|<https?:|javascript:", re.I)


@dataclass(frozen=True)
class Event:
    """One issue event, whichever forge sent it."""

    forge: str                 # github | gitlab
    issue: Issue
    editor: str                # the account that made this event (opened or edited the issue)
    base: str                  # the default branch: where the change is proposed
    action: str                # opened | edited (GitHub), open | update | reopen (GitLab)


@dataclass
class Outcome:
    """What intake did: ``kind`` ignored | handled | refused | final | opened, the comment it left (if any) and
    the pull request (if one was opened)."""

    kind: str
    line: str
    comment: str = ""
    pull: Pull | None = None
    branch: str = ""
    body: str = ""           # the issue's new text (the stub), when it was replaced
    pr_title: str = ""
    pr_body: str = ""
    files: list[str] = field(default_factory=list)


class Refused(KehuError):
    """A form that is answered with a comment (what to fix) and changes nothing; ``final``: editing the issue
    cannot fix it (already merged, already a pull request)."""

    final = False


class Final(Refused):
    final = True


# --- the event ------------------------------------------------------------------------------------------


def github_event(data: Any) -> Event:
    """The ``issues`` event GitHub Actions writes to ``$GITHUB_EVENT_PATH``."""
    from .forge import github_issue

    if not isinstance(data, dict) or not isinstance(data.get("issue"), dict):
        raise ValueError("no issue")
    issue = github_issue(data["issue"])
    sender = as_object(data.get("sender"))
    repository = as_object(data.get("repository"))
    base = str(repository.get("default_branch") or "main")
    return Event("github", issue, str(sender.get("login") or issue.author), base, str(data.get("action") or ""))


def gitlab_event(data: Any, issue: Issue) -> Event:
    """GitLab's issue webhook (the pipeline trigger's ``$TRIGGER_PAYLOAD``) with the issue as the API gives it now
    (the author's account and the current text are read from the API, not the hook)."""
    if not isinstance(data, dict) or data.get("object_kind") != "issue":
        raise ValueError("object_kind is not issue")
    user = as_object(data.get("user"))
    project = as_object(data.get("project"))
    attributes = as_object(data.get("object_attributes"))
    base = str(project.get("default_branch") or "main")
    return Event("gitlab", issue, str(user.get("username") or issue.author), base, str(attributes.get("action") or ""))


def gitlab_issue_number(data: Any) -> tuple[str, int]:
    """(project id, issue iid) named by a GitLab issue webhook."""
    if not isinstance(data, dict) or data.get("object_kind") != "issue":
        raise ValueError("object_kind is not issue")
    project = as_object(data.get("project"))
    attributes = as_object(data.get("object_attributes"))
    pid, iid = project.get("id"), attributes.get("iid")
    if not isinstance(pid, int | str) or not isinstance(iid, int):
        raise ValueError("no project id or issue iid")
    return str(pid), iid


# --- who ------------------------------------------------------------------------------------------------


def member_of(repo: Repo, account: str) -> Member | None:
    """The active member whose ``git:`` is this forge account (forges compare user names case-insensitively)."""
    if repo.team is None or not account:
        return None
    wanted = account.strip().casefold()
    return next((m for m in repo.team.members if m.active and m.git and m.git.strip().casefold() == wanted), None)


# --- the fields -----------------------------------------------------------------------------------------


def read_values(repo: Repo, event: Event) -> tuple[str, dict[str, str]] | None:
    """(form kind, field values) of the issue, or None when no kehu form made it."""
    body = event.issue.body
    if event.forge == "github":
        kind = kind_of_github_issue(repo, event.issue.labels, body)
        return (kind, read_github_body(repo, BY_KIND[kind], body)) if kind else None
    block = gitlab_block(body)
    if block is None:
        return None
    kind, text = block
    return kind, read_gitlab_block(repo, BY_KIND[kind], text)


def guard_values(repo: Repo, kind: str, values: Mapping[str, str]) -> None:
    """What a form's field may not hold whatever the field: HTML or Markdown that links or shows an image, or more
    text than the field is for. (The checker's own limits — a summary's length, an ID number — come after.)"""
    w = FormWords(repo)
    for f in BY_KIND[kind].fields:
        value = values.get(f.id, "")
        found = _MARKUP.search(value)
        if found:
            sample = value[max(0, found.start() - 10):found.end() + 10].replace("\n", " ")
            raise Refused(*repo.msgs.text("intake-markup", field=w.label(f), sample=sample), code="intake-markup")
        limit = f.max_chars
        if f.id == "summary":
            limit = max(limit, repo.config.summary_max_chars)  # the checker says it in its own words
        if len(value) > limit and f.id != "summary":
            raise Refused(*repo.msgs.text("intake-too-long", field=w.label(f), length=len(value), limit=limit),
                          code="intake-too-long")


def _given(values: Mapping[str, str], fid: str) -> str | None:
    value = values.get(fid, "").strip()
    return value or None


def created_on(repo: Repo, issue: Issue) -> str | None:
    """The day the issue was opened, in the team's time zone: the interaction's date when the form leaves it empty
    (a visit logged at 23:50 and read the next morning happened the day before)."""
    try:
        when = dt.datetime.fromisoformat(issue.created.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.date().isoformat()
    return when.astimezone(ZoneInfo(str(repo.config.timezone))).date().isoformat()


@dataclass(frozen=True)
class Change:
    """The change a form made on the working tree."""

    path: Path
    customer: str              # the customer's name
    record: tuple[str, Any] | None   # (list, the new entry as plain data) for log, survey and complaint


def apply_form(repo: Repo, kind: str, values: Mapping[str, str], author: Member, default_date: str | None) -> Change:
    """Make the form's change exactly as the matching command does, naming each value by its field's label."""
    form = BY_KIND[kind]
    w = FormWords(repo)
    names = {f.id: w.label(f) for f in form.fields}
    for f in form.fields:  # GitHub checks required fields only in public repositories: check them here
        if f.required and not _given(values, f.id):
            raise refuse(repo.msgs, "cli-missing-option", option=names[f.id], hint=w.t(f.about) if f.about else "")

    def member(fid: str, default: str | None) -> str | None:
        given = _given(values, fid)
        return require_handle(repo, names[fid], given) if given else default

    def choice(fid: str) -> str | None:
        given = _given(values, fid)
        return option_key(repo, form.field(fid), given) if given else None

    date = _given(values, "date") or default_date
    customer = _given(values, "customer") or ""
    if kind == "log":
        nxt_date, nxt_action = _given(values, "next_date"), _given(values, "next_action")
        if bool(nxt_date) != bool(nxt_action):
            missing = "next_action" if nxt_date else "next_date"
            raise refuse(repo.msgs, "cli-missing-option", option=names[missing], hint=w.t("form.about.next_date"))
        done = log_interaction(
            repo, customer, channel=choice("channel"), summary=_given(values, "summary"),
            outcome=_given(values, "outcome"), contact=_given(values, "contact"),
            next_=(nxt_date, nxt_action) if nxt_date and nxt_action else None, by=member("by", author.handle),
            date=date, names={"channel": names["channel"], "summary": names["summary"], "date": names["date"],
                              "next": names["next_date"], "next_action": names["next_action"], "by": names["by"]})
        return _change(done.editing.path, done.editing.name, "interactions", done.editing.data, done.when)
    if kind == "survey":
        scores = {d: _given(values, d) for d in ("quality", "attitude", "response", "after_sales")}
        sv = add_survey(repo, customer, scores, _given(values, "comment"), date,
                        names={**{d: names[d] for d in scores}, "date": names["date"]})
        return _change(sv.editing.path, sv.editing.name, "surveys", sv.editing.data, sv.when)
    if kind == "complaint":
        op = open_complaint(repo, customer, category=choice("category"), content=_given(values, "content"),
                            handler=member("handler", None), date=date,
                            names={"category": names["category"], "content": names["content"],
                                   "handler": names["handler"], "date": names["date"]})
        return _change(op.editing.path, op.editing.name, "complaints", op.editing.data, op.when)
    opts = {fid: _given(values, fid) for fid in ("name", "stage", "source", "size", "region", "needs",
                                                 "contact_name", "title", "phone", "email")}
    opts.update(industry=choice("industry"), stage=choice("stage"), source=choice("source"), size=choice("size"),
                owner=member("owner", author.handle))
    created = new_customer(repo, opts, force=False, creator=author.handle, me=author.handle,
                           names={k: names[k] for k in ("name", "owner", "industry", "stage", "source", "size",
                                                        "contact_name")})
    return Change(created.path, str(created.fields["name"]), None)


def _change(path: Path, name: str, listed: str, data: Any, when: dt.date) -> Change:
    """The entry this change added: the last one of that date in the file (append_dated keeps date order)."""
    items = [x for x in data.get(listed) or [] if str(x.get("date")) == when.isoformat()]
    return Change(path, str(data.get("name") or name), (listed, plain(items[-1])) if items else None)


# --- git ------------------------------------------------------------------------------------------------


def _git(root: Path, *args: str, env: Mapping[str, str] | None = None) -> GitRun:
    return git(root, *args, env=env)


def _must(run: GitRun, what: str) -> GitRun:
    if not run.ok:
        raise KehuError.coded("intake-push", branch=what, detail=run.last_line())
    return run


def _auth_env(auth: Mapping[str, str]) -> dict[str, str]:
    """git configuration through the environment (GIT_CONFIG_COUNT …): a token never appears in a command line."""
    env = {"GIT_CONFIG_COUNT": str(len(auth))}
    for i, (key, value) in enumerate(auth.items()):
        env[f"GIT_CONFIG_KEY_{i}"], env[f"GIT_CONFIG_VALUE_{i}"] = key, value
    return env


def start_branch(root: Path, remote: str, base: str, branch: str, auth: Mapping[str, str]) -> None:
    """The branch for this issue, fresh from the remote's base branch (a branch left by a closed pull request is
    started again)."""
    env = _auth_env(auth)
    _must(_git(root, "fetch", "--quiet", remote, f"+refs/heads/{base}:refs/remotes/{remote}/{base}", env=env), base)
    _must(_git(root, "checkout", "--quiet", "-B", branch, f"refs/remotes/{remote}/{base}"), branch)


def others_have(repo: Repo, remote: str, base_ref: str, own: str, change: Change) -> str | None:
    """Where the same record already is: the base branch's file, or another issue's branch (not merged yet)."""
    rel = file_name(repo.root, change.path)
    refs = _git(repo.root, "for-each-ref", "--format=%(refname)", f"refs/remotes/{remote}/kehu/").lines()
    for ref in refs:
        if ref.endswith(f"/{own}"):
            continue
        if change.record is not None:
            shown = _git(repo.root, "show", f"{ref}:{rel}")
            if shown.ok and _holds(repo, rel, shown.stdout, change.record):
                return ref.rsplit("/", 1)[-1]
        else:
            added = _git(repo.root, "diff", "--name-only", "--diff-filter=A", f"{base_ref}...{ref}", "--",
                         f"{CUSTOMERS_DIR}/").lines()
            for path in added:
                shown = _git(repo.root, "show", f"{ref}:{path}")
                if shown.ok and _same_company(repo, shown.stdout, change.customer):
                    return ref.rsplit("/", 1)[-1]
    return None


def _holds(repo: Repo, rel: str, raw: bytes, record: tuple[str, Any]) -> bool:
    loaded = load_yaml_bytes(rel, raw, repo.msgs)
    data = loaded.data if isinstance(loaded.data, dict) else {}
    listed, entry = record
    return any(plain(x) == entry for x in data.get(listed) or [])


def _same_company(repo: Repo, raw: bytes, name: str) -> bool:
    loaded = load_yaml_bytes("new.yaml", raw, repo.msgs)
    data = loaded.data if isinstance(loaded.data, dict) else {}
    suffixes = repo.config.check.company_suffixes
    return bool(data.get("name")) and normalize_company(str(data.get("name")), suffixes) == \
        normalize_company(name, suffixes)


# --- the run --------------------------------------------------------------------------------------------


def summary_of(repo: Repo, base_ref: str, change: Change) -> str:
    """The change in business words, masked, each value escaped: what the reviewer and the author read."""
    rel = file_name(repo.root, change.path)
    before = _git(repo.root, "show", f"{base_ref}:{rel}")
    pair = FilePair(rel if before.ok else None, rel, before.stdout if before.ok else None, change.path.read_bytes())
    words = FormWords(repo).words
    lines = []
    for r in review(repo, [pair], {}):
        lines.append(f"**{md(words.t('name_id', name=r.name, id=r.id))}**")
        lines += [f"- {md(p.text)}" for p in r.phrases]
    return "\n".join(lines)


def intake(root: Path, event: Event, forge: Forge | None, *, remote: str = "origin", today: dt.date | None = None,
           dry_run: bool = False, say: Callable[[str], None] = print) -> Outcome:
    """Handle one issue event (``forge`` None: a dry run that calls no forge and pushes nothing)."""
    repo = open_repo(root, today=today)
    issue = event.issue
    if STUB_MARK in issue.body:
        return Outcome("handled", repo.msgs.word("intake.stub_seen", issue=issue.number))
    if len(issue.body) > BODY_MAX:
        return _answer(repo, event, forge, Refused(*repo.msgs.text("intake-body-too-long", length=len(issue.body),
                                                                   limit=BODY_MAX)), say)
    read = read_values(repo, event)
    if read is None:
        return Outcome("ignored", repo.msgs.word("intake.ignored", issue=issue.number))
    kind, values = read
    author = member_of(repo, issue.author)
    try:
        if author is None:
            raise Refused(*repo.msgs.text("intake-not-member", login=issue.author or "?"), code="intake-not-member")
        if event.editor and member_of(repo, event.editor) is None:
            raise Refused(*repo.msgs.text("intake-editor-not-member", login=event.editor), code="intake-not-member")
        branch = BRANCH.format(number=issue.number)
        for pull in forge.pulls_of(branch) if forge is not None else []:
            state = repo.msgs.word(f"intake.state.{pull.state}")
            if pull.state == "merged":
                raise Final(*repo.msgs.text("intake-merged", ref=pull.ref), code="intake-merged")
            if pull.state == "open":
                raise Final(*repo.msgs.text("intake-already", ref=pull.ref, state=state), code="intake-already")
        if issue.state == "closed":
            return Outcome("ignored", repo.msgs.word("intake.ignored", issue=issue.number))
        guard_values(repo, kind, values)
        return _propose(repo, event, forge, kind, values, author, branch, remote, today, dry_run, say)
    except (Refused, CommandError) as e:
        return _answer(repo, event, forge, e, say)


def _propose(repo: Repo, event: Event, forge: Forge | None, kind: str, values: Mapping[str, str], author: Member,
             branch: str, remote: str, today: dt.date | None, dry_run: bool, say: Callable[[str], None]) -> Outcome:
    issue = event.issue
    root = repo.root
    dirty = _git(root, "status", "--porcelain", "--", CUSTOMERS_DIR).lines()
    if dirty:
        raise KehuError.coded("intake-push", branch=branch, detail=dirty[0])
    auth = forge.push_auth() if forge is not None else {}
    with write_lock(root):
        start_branch(root, remote, event.base, branch, auth)
        repo = open_repo(root, today=today)  # the team and the rules as the base branch has them
        change = apply_form(repo, kind, values, author, created_on(repo, issue))
        base_ref = f"refs/remotes/{remote}/{event.base}"
        where = None
        if change.record is not None and _base_holds(repo, base_ref, change):
            where = repo.msgs.word("intake.where_main")
        else:
            other = others_have(repo, remote, base_ref, branch, change)
            if other is not None:
                number = other.rsplit("-", 1)[-1]
                ref = ("!" if event.forge == "gitlab" else "#") + number
                where = repo.msgs.word("intake.where_pull", ref=ref)
        if where is not None:
            _git(root, "checkout", "--quiet", "-f", base_ref, "--", ".")
            _git(root, "clean", "--quiet", "-f", "--", CUSTOMERS_DIR)
            what = repo.msgs.word(WHAT[change.record[0]] if change.record else "form.new.name")
            raise Final(*repo.msgs.text("intake-duplicate", customer=change.customer, what=what, where=where),
                        code="intake-duplicate")
        w = FormWords(repo)
        form_name = w.title(BY_KIND[kind])
        summary = summary_of(repo, base_ref, change)
        rel = file_name(root, change.path)
        _must(_git(root, "add", "--", rel), branch)
        message = repo.msgs.word("intake.commit", form=form_name, name=change.customer, issue=issue.number)
        email = author.email or f"{author.handle}@users.noreply.invalid"
        committer = {} if _git(root, "config", "user.email").out.strip() else {
            "GIT_COMMITTER_NAME": "kehu intake", "GIT_COMMITTER_EMAIL": "kehu-intake@users.noreply.invalid"}
        _must(_git(root, "commit", "--quiet", "--no-verify", "-m", message, f"--author={author.name} <{email}>",
                   env=committer), branch)
    title = repo.msgs.word("intake.pr_title", form=form_name, name=change.customer, issue=issue.number)
    pr_body = repo.msgs.word("intake.pr_body", issue=issue.number, who=md(author.name), form=form_name,
                             summary=summary, command=COMMAND[kind])
    if forge is None or dry_run:
        say(repo.msgs.word("intake.dry_run", branch=branch, title=title, issue=issue.number))
        say(pr_body)
        return Outcome("opened", title, branch=branch, pr_title=title, pr_body=pr_body, files=[rel])
    _must(_git(root, "push", "--quiet", "--force", remote, f"HEAD:refs/heads/{branch}", env=_auth_env(auth)), branch)
    pull = forge.open_pull(branch, event.base, title, pr_body)
    comment = repo.msgs.word("intake.comment_done", ref=pull.ref, url=pull.url, summary=summary)
    stub = repo.msgs.word("intake.stub", ref=pull.ref, url=pull.url, summary=summary) + "\n\n" + STUB_MARK
    forge.comment(issue.number, comment)
    forge.set_body(issue.number, stub)
    line = repo.msgs.word("intake.opened", issue=issue.number, ref=pull.ref, url=pull.url)
    say(line)
    return Outcome("opened", line, comment, pull, branch, stub, title, pr_body, [rel])


def _base_holds(repo: Repo, base_ref: str, change: Change) -> bool:
    assert change.record is not None
    rel = file_name(repo.root, change.path)
    shown = _git(repo.root, "show", f"{base_ref}:{rel}")
    return shown.ok and _holds(repo, rel, shown.stdout, change.record)


def _answer(repo: Repo, event: Event, forge: Forge | None, e: KehuError, say: Callable[[str], None]) -> Outcome:
    """One comment: what is wrong and what to do (every value in it escaped); nothing else changes."""
    line = re.sub(r"\\([#!])([0-9]+)\b", r"\1\2", md(e.line_for(repo.msgs)))  # #12 and !12 still link
    final = isinstance(e, Refused) and e.final
    comment = repo.msgs.word("intake.comment_final" if final else "intake.comment_refused", line=line)
    if forge is None:
        say(repo.msgs.word("intake.dry_comment", issue=event.issue.number))
        say(comment)
    else:
        forge.comment(event.issue.number, comment)
        say(repo.msgs.word("intake.commented", issue=event.issue.number, line=e.line_for(repo.msgs)))
    return Outcome("final" if final else "refused", e.line_for(repo.msgs), comment)
