"""The review job's decision: may this pull request merge, given the changes that need a manager (kehu.yaml
``approval.rules``) and the approving reviews the forge recorded?

Who may approve: an active member of team.yaml whose role is in ``approval.roles`` and whose forge account is
``git:`` — never the pull request's author (GitHub refuses it anyway; GitLab may be set to allow it). An approval
covers what it saw: on GitHub a review names the commit it approved, and it counts for the changes that needed
approval at that commit — a later push that adds another such change (a second deal over the line) needs a new
approval, while one that only merges the main branch in (the sync bot) or changes something else does not.
GitLab records approvals of the merge request as it is (reset on push when the project says so), so they count
for everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.approval import Trigger
from ..repo.repository import Repo
from ..util.gitcmd import git
from .forge import Request
from .review import CustomerReview, range_reviews


@dataclass(frozen=True, slots=True)
class Need:
    """One change that needs approval, and whether an approval covers it."""

    review: CustomerReview
    trigger: Trigger
    text: str
    approved_by: tuple[str, ...] = ()     # the members whose approval covers it


@dataclass(slots=True)
class Decision:
    needs: list[Need]
    approvers: list[str]                  # handles who may approve
    approvals: list[str] = field(default_factory=list)   # handles who approved (and may)
    author: str = ""

    @property
    def missing(self) -> list[Need]:
        return [n for n in self.needs if not n.approved_by]

    @property
    def passed(self) -> bool:
        return not self.missing


def _login(name: str) -> str:
    return name.strip().lstrip("@").casefold()


def approvers(repo: Repo) -> dict[str, str]:
    """forge login -> handle of every member who may approve."""
    roles = repo.config.approval.roles
    members = repo.team.members if repo.team is not None else []
    return {_login(m.git): m.handle for m in members if m.active and m.role in roles and m.git and m.git.strip()}


def has_commit(repo: Repo, commit: str) -> bool:
    return bool(commit) and git(repo.root, "cat-file", "-e", f"{commit}^{{commit}}").ok


def needs_at(repo: Repo, base: str, head: str | None) -> list[tuple[CustomerReview, Trigger, str]]:
    """Every change of ``base...head`` (None: the working tree) that needs approval."""
    spec = f"{base}...{head}" if head else base
    reviews, _ = range_reviews(repo, spec, internal=False)
    return [(r, t, text) for r in reviews for t, text in zip(r.approvals, r.approval_texts, strict=True)]


def decide(repo: Repo, base: str, head: str | None, request: Request | None) -> Decision:
    """The decision for ``base...head``, with the approvals ``request`` holds (None: none known)."""
    found = needs_at(repo, base, head)
    may = approvers(repo)
    decision = Decision([], sorted(set(may.values())), author=request.author if request else "")
    covered: dict[str, list[str]] = {}
    if request is not None:
        author = _login(request.author)
        for a in request.approvals:
            handle = may.get(_login(a.user))
            if handle is None or _login(a.user) == author:
                continue
            decision.approvals.append(handle)
            if a.commit is None or a.commit == request.head or a.commit == head:
                keys = {t.key for _, t, _ in found}
            elif has_commit(repo, a.commit):
                keys = {t.key for _, t, _ in needs_at(repo, base, a.commit)}
            else:  # a commit force-pushed away: what it saw is unknown
                keys = set()
            for key in keys:
                covered.setdefault(key, []).append(handle)
    decision.needs = [Need(r, t, text, tuple(dict.fromkeys(covered.get(t.key, [])))) for r, t, text in found]
    decision.approvals = sorted(set(decision.approvals))
    return decision
