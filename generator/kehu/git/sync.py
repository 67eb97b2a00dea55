"""``kehu sync``: bring the main branch into the current branch, the way kehu merges customer files.

Forges merge pull requests with git's plain line merge: they never run a custom merge driver. So a
pull request that logged a call on a customer someone else also changed conflicts on the forge,
although kehu's driver would merge it. ``kehu sync`` does that merge where the driver runs — in a
clone, or in the bot workflow after every push to main:

1. fetch; merge ``origin/<main>`` into the current branch with the kehu driver enabled on the command
   line (so it works in a clone where ``kehu init --git-only`` never ran);
2. settle what kehu can settle: two *different* customers added under one id on both sides keep both
   (the branch's one gets a new id, :mod:`kehu.store.renumber`); a CODEOWNERS conflict takes main's version —
   only the main branch regenerates CODEOWNERS (see :mod:`kehu.git.codeowners`);
3. commit the merge when nothing is left for a person; otherwise leave git's usual merge state with
   markers only around the fields two people set differently, and say which;
4. on the main branch itself, regenerate CODEOWNERS from the owners and commit it;
5. check what the merge made: errors in the customers this branch changed (two colleagues who each added the
   same company, a customer both sides broke differently) are listed with the fix, and nothing is pushed;
6. ``push``: push the branch. ``only_if_clean`` (the bot): leave the branch exactly as it was when a
   person is needed.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..repo.config import CUSTOMERS_DIR
from ..repo.repository import Repo
from ..repo.yamlload import conflict_marker_line
from ..util.errors import KehuError
from ..util.gitcmd import GitRun, git
from ..util.problems import Problem, Severity
from .codeowners import GITHUB_FILE, GITLAB_FILE
from .gitsetup import merge_config

CODEOWNERS_FILES = (GITHUB_FILE, GITLAB_FILE)
_NAME = re.compile(r"^name:[ \t]*[\"']?(.+?)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)


class SyncError(KehuError):
    """Sync cannot start or finish, worded by its catalogue ``code``. Nothing was changed unless the message
    says so. (Its own kind: syncing several branches reports one branch's failure and goes on.)"""


@dataclass
class Conflict:
    file: str
    customer: str       # "C… name"
    fields: str         # worded for a person
    kind: str = "fields"  # fields | unreadable | other


@dataclass
class SyncReport:
    branch: str
    target: str
    up_to_date: bool = False
    merged: list[str] = field(default_factory=list)       # customers both sides changed, merged by kehu
    incoming: list[str] = field(default_factory=list)     # customers changed on the main branch only
    renumbered: list[tuple[str, str, str]] = field(default_factory=list)  # (id, new id, name)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)  # what `kehu check` refuses in this branch's customers
    codeowners: str = ""   # "" | "restored" (as on main) | "regenerated" (on main)
    committed: bool = False
    aborted: bool = False
    pushed: bool = False


def _git(root: Path, *args: str, config: bool = False, check: bool = True) -> GitRun:
    """git in the repository (with kehu's merge driver when ``config``); a failure to run it, or with ``check``
    a non-zero exit, is a SyncError naming the command and what git said last."""
    try:
        run = git(root, *args, config=merge_config() if config else None, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SyncError.coded("sync-git-failed", command=f"git {' '.join(args)}", detail=str(e)) from None
    if check and not run.ok:
        raise SyncError.coded("sync-git-failed", command=f"git {' '.join(args)}", detail=run.last_line())
    return run


def _name_in(text: str | None) -> str:
    found = _NAME.search(text or "")
    return found.group(1) if found else ""


def _show(root: Path, spec: str) -> str | None:
    run = _git(root, "show", spec, check=False)
    return run.out if run.ok else None


def _customer(root: Path, path: str, text: str | None = None) -> str:
    if text is None:
        try:
            text = (root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
    return f"{Path(path).stem} {_name_in(text)}".strip()


def is_customer_file(path: str) -> bool:
    return path.startswith(f"{CUSTOMERS_DIR}/") and path.endswith((".yaml", ".yml")) and path.count("/") == 1


# --- where to merge from ---------------------------------------------------------------------------------


def default_remote(root: Path) -> str | None:
    remotes = _git(root, "remote", check=False).lines()
    return "origin" if "origin" in remotes else (remotes[0] if remotes else None)


def default_base(root: Path, remote: str | None) -> str:
    if remote:
        head = _git(root, "symbolic-ref", "--quiet", "--short", f"refs/remotes/{remote}/HEAD", check=False)
        if head.ok and head.out.strip():
            return head.out.strip().split("/", 1)[1]
    for name in ("main", "master"):
        ref = f"refs/remotes/{remote}/{name}" if remote else f"refs/heads/{name}"
        if _git(root, "rev-parse", "--verify", "--quiet", ref, check=False).returncode == 0:
            return name
    return "main"


def current_branch(root: Path) -> str:
    run = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if run.returncode != 0:
        raise SyncError.coded("sync-detached")
    return run.out.strip()


def _merging(root: Path) -> bool:
    return _git(root, "rev-parse", "--verify", "--quiet", "MERGE_HEAD", check=False).returncode == 0


def _unmerged(root: Path) -> list[str]:
    return sorted(set(_git(root, "diff", "--name-only", "--diff-filter=U", check=False).lines()))


# --- the merge ----------------------------------------------------------------------------------------------


def sync(repo: Repo, *, base: str | None = None, remote: str | None = None, fetch: bool = True,
         push: bool = False, only_if_clean: bool = False, creator: str | None = None) -> SyncReport:
    root = repo.root
    if _git(root, "rev-parse", "--is-inside-work-tree", check=False).out.strip() != "true":
        raise SyncError.coded("sync-not-git")
    branch = current_branch(root)
    remote = remote if remote is not None else default_remote(root)
    base = base or default_base(root, remote)
    target = f"{remote}/{base}" if remote else base
    report = SyncReport(branch, target)
    if _merging(root):  # a person resolved an earlier sync's conflicts: finish that merge
        return _continue(repo, report, push, remote)
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no").lines()
    if dirty:
        raise SyncError.coded("sync-dirty", files=", ".join(line[3:] for line in dirty[:5]))
    if fetch and remote:
        _git(root, "fetch", "--quiet", remote)
    if _git(root, "rev-parse", "--verify", "--quiet", target, check=False).returncode != 0:
        raise SyncError.coded("sync-no-base", target=target)
    before = _git(root, "rev-parse", "HEAD").out.strip()
    if _git(root, "merge-base", "--is-ancestor", target, "HEAD", check=False).returncode == 0:
        report.up_to_date = True
    else:
        _merge(repo, report, before, only_if_clean, creator)
    if report.aborted or report.conflicts:
        return report
    if report.committed:
        report.errors = _errors_in_ours(repo, report.target)
        if report.errors:
            if only_if_clean:  # the bot: the branch as it was, for a person
                _git(root, "reset", "--quiet", "--hard", before)
                report.committed, report.aborted = False, True
            return report
    if branch == base:
        _regenerate_codeowners(repo, report)
    else:
        _restore_codeowners(repo, report, target)
    if push and remote:
        _push(root, remote, branch)
        report.pushed = True
    return report


def sync_branches(repo: Repo, branches: tuple[str, ...] | list[str], *, base: str | None = None,
                  remote: str | None = None, fetch: bool = True, push: bool = False,
                  creator: str | None = None) -> list[tuple[str, SyncReport | SyncError]]:
    """The bot: sync each branch of the shared repository, pushing it when kehu settled every conflict and
    leaving it untouched when a person is needed; back on the starting branch at the end."""
    root = repo.root
    start = current_branch(root)
    remote = remote if remote is not None else default_remote(root)
    if fetch and remote:
        _git(root, "fetch", "--quiet", remote)
    out: list[tuple[str, SyncReport | SyncError]] = []
    try:
        for branch in branches:
            try:
                source = f"{remote}/{branch}" if remote else branch
                _git(root, "checkout", "--quiet", "-B", branch, source)
                out.append((branch, sync(repo, base=base, remote=remote, fetch=False, push=push, only_if_clean=True,
                                         creator=creator)))
            except SyncError as e:
                if _merging(root):
                    _git(root, "merge", "--abort", check=False)
                out.append((branch, e))
    finally:
        _git(root, "checkout", "--quiet", start, check=False)
    return out


def _merge(repo: Repo, report: SyncReport, before: str, only_if_clean: bool, creator: str | None) -> None:
    root = repo.root
    fork = _git(root, "merge-base", "HEAD", report.target).out.strip()
    ours = set(_git(root, "diff", "--name-only", fork, before, "--", CUSTOMERS_DIR).lines())
    theirs = set(_git(root, "diff", "--name-only", fork, report.target, "--", CUSTOMERS_DIR).lines())
    message = repo.msgs.word("sync.merge_commit", target=report.target, branch=report.branch)
    run = _git(root, "merge", "--no-edit", "-m", message, report.target, config=True, check=False)
    both = sorted(p for p in ours & theirs if is_customer_file(p))
    report.incoming = sorted(_customer(root, p) for p in theirs - ours if is_customer_file(p))
    if run.returncode == 0:
        report.merged = [_customer(root, p) for p in both]
        report.committed = True
        return
    unmerged = _unmerged(root)
    if not unmerged:  # git refused before merging anything (e.g. an untracked file in the way)
        raise SyncError.coded("sync-git-failed", command="git merge", detail=run.last_line())
    for path in unmerged:
        if path in CODEOWNERS_FILES:
            _git(root, "checkout", "--theirs", "--", path)
            _git(root, "add", "--", path)
            report.codeowners = "restored"
        elif is_customer_file(path):
            _settle_customer(repo, report, path, creator)
        else:
            report.conflicts.append(Conflict(path, path, "", "other"))
    settled = {c.file for c in report.conflicts} | {f"{CUSTOMERS_DIR}/{old}.yaml" for old, _, _ in report.renumbered}
    report.merged = [_customer(root, p) for p in both if p not in settled]
    if report.conflicts:
        if only_if_clean:
            _git(root, "merge", "--abort")
            report.aborted = True
        return
    _git(root, "commit", "--no-edit", "--no-verify", "-m", message)
    report.committed = True


def _settle_customer(repo: Repo, report: SyncReport, path: str, creator: str | None) -> None:
    """A conflicted customer file: two customers under one id are both kept; else say what needs a person."""
    root = repo.root
    stages = {line.split()[2] for line in _git(root, "ls-files", "-u", "--", path).lines() if len(line.split()) > 2}
    base, ours, theirs = (_show(root, f":{n}:{path}") if str(n) in stages else None for n in (1, 2, 3))
    if base is None and ours is not None and theirs is not None and _two_customers(repo, path, ours, theirs):
        _keep_both(repo, report, path, ours, theirs, creator)
        return
    report.conflicts.append(_describe(repo, path, base, ours, theirs))


def _parse(repo: Repo, path: str, text: str | None) -> Any:
    from ..store.write import parse_bytes

    if not text or not text.strip():
        return None
    return parse_bytes(path, text.encode("utf-8"), repo.msgs, repo.config.check.max_file_bytes)[0]


def _two_customers(repo: Repo, path: str, ours: str, theirs: str) -> bool:
    from ..store.write import StoreError
    from .merge import same_customer

    try:
        a, b = _parse(repo, path, ours), _parse(repo, path, theirs)
    except StoreError:
        return False
    return a is not None and b is not None and not same_customer(a, b, repo.config.check.company_suffixes)


def _keep_both(repo: Repo, report: SyncReport, path: str, ours: str, theirs: str, creator: str | None) -> None:
    """The main branch's customer keeps the id (it is already there for everyone); ours moves to the next
    free id."""
    from ..repo.model import as_date
    from ..store.ids import Allocator
    from ..store.renumber import with_new_id
    from ..store.write import dump
    from ..util.atomic import atomic_write

    root = repo.root
    doc = _parse(repo, path, ours)
    old = str(doc.get("id") or Path(path).stem)
    allocator = Allocator.for_repo(repo, creator)
    allocator.taken([old])
    new = allocator.next(as_date(doc.get("created")) or repo.config.today, str(doc.get("owner") or ""))
    new_path = f"{CUSTOMERS_DIR}/{new}.yaml"
    # the old id now belongs to main's customer: the note says whose it is, so nobody follows it to the wrong one
    note = repo.msgs.word("note_old_id_taken", value=old, other=_name_in(theirs) or old)
    atomic_write(root / new_path, dump(with_new_id(repo, doc, old, new, note=note), repo.schemas))
    atomic_write(root / path, theirs)
    _git(root, "add", "--", path, new_path)
    report.renumbered.append((old, new, str(doc.get("name") or "")))


def _errors_in_ours(repo: Repo, target: str) -> list[Problem]:
    """The errors `kehu check` finds after the merge in the customers this branch changed since it left
    ``target`` (and in the customers they clash with): what the forge's check would refuse."""
    from ..book.loader import open_book
    from ..repo.repository import open_repo

    root = repo.root
    ours: set[str] = set()
    for spec in (f"{target}...HEAD^1", target):  # this branch's own changes; what the merge differs in from main
        run = _git(root, "diff", "--name-only", spec, *(("HEAD",) if spec == target else ()), "--", CUSTOMERS_DIR,
                   check=False)
        if run.ok:
            ours |= {p for p in run.lines() if is_customer_file(p)}
    if not ours:
        return []
    merged = open_repo(root, today=repo.config.today, locale=repo.msgs.code)
    problems = open_book(merged).check().problems
    return [p for p in problems if p.severity is Severity.ERROR and ({p.file, *p.related} & ours)]


def _describe(repo: Repo, path: str, base: str | None, ours: str | None, theirs: str | None) -> Conflict:
    from ..store.write import StoreError
    from .merge import merge_documents

    root = repo.root
    customer = _customer(root, path, ours or theirs)
    try:
        docs = [_parse(repo, path, t) for t in (base, ours, theirs)]
        if docs[1] is None or docs[2] is None:
            raise ValueError("deleted on one side")
        result = merge_documents(docs[0], docs[1], docs[2])
    except (StoreError, ValueError, TypeError):
        return Conflict(path, customer, "", "unreadable")
    from .merge import describe_conflicts

    return Conflict(path, customer, describe_conflicts(repo, result))


def _continue(repo: Repo, report: SyncReport, push: bool, remote: str | None) -> SyncReport:
    root = repo.root
    left = _unmerged(root)
    if left:
        for path in left:
            report.conflicts.append(Conflict(path, _customer(root, path) if is_customer_file(path) else path, "",
                                             "markers"))
        return report
    staged = _git(root, "diff", "--name-only", "--cached", "--", CUSTOMERS_DIR).lines()
    still = [p for p in staged if (root / p).is_file()
             and conflict_marker_line((root / p).read_text(encoding="utf-8", errors="replace")) is not None]
    if still:
        report.conflicts.extend(Conflict(p, _customer(root, p), "", "markers") for p in still)
        return report
    _git(root, "commit", "--no-edit", "--no-verify")
    report.committed = True
    report.errors = _errors_in_ours(repo, report.target)
    if push and remote and not report.errors:
        _push(root, remote, report.branch)
        report.pushed = True
    return report


# --- CODEOWNERS: only the main branch regenerates it ---------------------------------------------------


def _restore_codeowners(repo: Repo, report: SyncReport, target: str) -> None:
    """A branch keeps main's CODEOWNERS: a pull request that changes it would conflict with every other one."""
    root = repo.root
    present = [f for f in CODEOWNERS_FILES
               if _git(root, "cat-file", "-e", f"{target}:{f}", check=False).returncode == 0]
    if not present:
        return
    if _git(root, "diff", "--quiet", target, "HEAD", "--", *present, check=False).returncode == 0:
        return
    _git(root, "checkout", target, "--", *present)
    _git(root, "commit", "--no-verify", "-q", "-m", repo.msgs.word("sync.codeowners_commit", target=target), "--",
         *present)
    report.codeowners = "restored"


def _regenerate_codeowners(repo: Repo, report: SyncReport) -> None:
    from ..util.atomic import atomic_write
    from .codeowners import expected_files, stale_files

    root = repo.root
    if repo.team is None or not any((root / f).is_file() for f in CODEOWNERS_FILES):
        return
    expected = expected_files(repo, repo.team)
    stale = [f for f in stale_files(root, expected) if (root / f).is_file()]
    if not stale:
        return
    for name in stale:
        atomic_write(root / name, expected[name])
    _git(root, "add", "--", *stale)
    _git(root, "commit", "--no-verify", "-q", "-m", "kehu: CODEOWNERS from the customers' owners", "--", *stale)
    report.codeowners = "regenerated"


def _push(root: Path, remote: str, branch: str) -> None:
    run = _git(root, "push", "--quiet", remote, f"HEAD:refs/heads/{branch}", check=False)
    if not run.ok:
        raise SyncError.coded("sync-push-failed", remote=remote, branch=branch, detail=run.last_line())
