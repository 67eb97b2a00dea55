"""What the everyday commands ask git: who is typing (``git config user.email`` matched
against team.yaml), which ids were ever used, and every committed version of one
customer file (for ``kehu history``).

Git is optional for everything but history: outside a repository these helpers
answer "unknown" instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..util.errors import refuse
from ..util.gitcmd import git
from .files import file_name
from .model import Team

if TYPE_CHECKING:  # a repository is only passed in: importing repo here would close a circle (repo → ids → here)
    from .repository import Repo

_SEP = "\x1f"
_REC = "\x1e"


def is_git_repo(root: Path) -> bool:
    try:
        out = git(root, "rev-parse", "--is-inside-work-tree")
    except OSError:  # git is not installed
        return False
    return out.ok and out.out.strip() == "true"


def user_email(root: Path) -> str | None:
    try:
        out = git(root, "config", "user.email")
    except OSError:
        return None
    email = out.out.strip()
    return email or None


def handle_for_email(team: Team | None, email: str | None) -> str | None:
    if team is None or not email:
        return None
    wanted = email.strip().casefold()
    for member in team.members:
        if member.email and member.email.strip().casefold() == wanted:
            return member.handle
    return None


def current_handle(repo: Repo) -> str:
    """The handle of whoever runs the command, from their git email; refuses when unknown."""
    email = user_email(repo.root)
    handle = handle_for_email(repo.team, email)
    if handle:
        return handle
    msgs = repo.msgs
    detail = msgs.word("gitinfo.email_not_in_team", email=email) if email else msgs.word("gitinfo.no_email")
    raise refuse(msgs, "cli-who", detail=detail)


def ids_in_history(repo: Repo) -> set[str]:
    """Ids of customer files that were ever committed (ids are never reused, even after deletion)."""
    if not is_git_repo(repo.root):
        return set()
    out = git(repo.root, "log", "--all", "--format=", "--name-only", "--diff-filter=A", "--", "customers/")
    names = out.out.split("\n") if out.ok else []
    return {PurePosixPath(n).stem for n in names if n.strip().endswith((".yaml", ".yml"))}


# --- the versions of one file ------------------------------------------------------------


@dataclass(slots=True)
class Revision:
    commit: str                 # "" for the uncommitted working copy
    parents: list[str]
    date: str                   # author date, YYYY-MM-DD
    author: str                 # team handle when the email is known, else the git name
    subject: str
    path: str | None            # the file's path in this commit (None: deleted here)
    raw: bytes | None = None    # the file's bytes in this commit
    parent_raw: list[bytes | None] = field(default_factory=list)  # the file in each parent
    parent_path: str | None = None  # the file's path in the parents (differs when renamed here)

    @property
    def short(self) -> str:
        return self.commit[:7] if self.commit else ""

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def _names(root: Path, relpath: str) -> list[str]:
    """Every path the file had (``--follow`` finds renames, but it hides merge commits, so it is
    only used for this)."""
    out = git(root, "log", "--follow", "--name-only", "--format=", "--", relpath)
    names = {relpath}
    if out.ok:
        names |= set(out.lines())
    return sorted(names)


def _log(root: Path, relpath: str) -> list[tuple[list[str], list[list[str]]]]:
    """Newest first: (header fields, name-status rows) of each commit that shaped the file, merges included."""
    fmt = _REC + _SEP.join(("%H", "%P", "%aI", "%an", "%ae", "%s"))
    out = git(root, "log", "--full-history", "--name-status", f"--format={fmt}", "--", *_names(root, relpath))
    if not out.ok:
        return []
    records = []
    for chunk in out.out.split(_REC)[1:]:
        lines = chunk.split("\n")
        header = lines[0].split(_SEP)
        status = [ln.split("\t") for ln in lines[1:] if ln.strip()]
        records.append((header, status))
    return records


def _paths(status: list[list[str]], current: str) -> tuple[str | None, str]:
    """(the file's path in this commit or None when deleted, its path in the parents) from name-status
    rows; no rows (a merge) means it kept its path."""
    kinds = {row[0][:1]: row for row in status if row}
    if "R" in kinds and len(kinds["R"]) >= 3:
        return kinds["R"][2], kinds["R"][1]
    kept = next((row[-1] for row in status if row and row[0][:1] in "AMCT"), None)
    if kept is not None:
        gone = next((row[1] for row in status if row and row[0][:1] == "D" and row[1] != kept), None)
        return kept, gone or kept  # a rename git did not detect: D old + A new
    if "D" in kinds:
        return None, kinds["D"][1] if len(kinds["D"]) >= 2 else current
    return current, current


def blobs(root: Path, specs: list[str]) -> list[bytes | None]:
    """Contents of ``commit:path`` specs, read by one ``git cat-file --batch``."""
    if not specs:
        return []
    out = git(root, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in specs).encode("utf-8"))
    data = out.stdout
    result: list[bytes | None] = []
    pos = 0
    for _ in specs:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            result.append(data[pos:pos + size])
            pos += size + 1
        else:
            result.append(None)
    return result


def revisions(repo: Repo, path: Path, include_worktree: bool = True) -> list[Revision]:
    """Every commit that touched the file (following renames), oldest first, each with the
    file's bytes there and in its parents; plus the uncommitted working copy when it differs."""
    root = repo.root
    relpath = file_name(root, path)
    current = relpath
    revs: list[Revision] = []
    before: dict[str, str] = {}  # commit -> the file's path in its parents (differs after a rename)
    for header, status in _log(root, relpath):
        commit, parents, date, name, email, subject = (header + [""] * 6)[:6]
        where, current = _paths(status, current)
        author = handle_for_email(repo.team, email) or name
        before[commit] = current
        revs.append(Revision(commit, parents.split(), date[:10], author, subject, where, parent_path=current))
    revs.reverse()
    specs: list[str] = []
    for r in revs:
        specs.append(f"{r.commit}:{r.path}" if r.path else "")
        specs.extend(f"{p}:{before[r.commit]}" for p in r.parents)
    contents = iter(blobs(root, [s or "0:missing" for s in specs]))
    for r in revs:
        r.raw = next(contents)
        r.raw = r.raw if r.path else None
        r.parent_raw = [next(contents) for _ in r.parents]
    if include_worktree and path.is_file():
        raw = path.read_bytes()
        last = revs[-1].raw if revs else None
        if raw != last:
            me = handle_for_email(repo.team, user_email(root)) or ""
            revs.append(Revision("", [revs[-1].commit] if revs else [], repo.config.today.isoformat(), me,
                                 "", relpath, raw, [last] if revs else []))
    return revs



# --- the customer files a range of commits changed (kehu diff, kehu check --against) ---------------


@dataclass(slots=True)
class FilePair:
    """One customer file before and after a range: None for a side where it does not exist."""
    old_path: str | None
    new_path: str | None
    old_raw: bytes | None = None
    new_raw: bytes | None = None


def _commit_of(root: Path, name: str) -> str | None:
    out = git(root, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
    return out.out.strip() if out.ok else None


def default_base(root: Path) -> str:
    """The branch a pull request goes to: main, else master, else their copies on origin."""
    for name in ("main", "master", "origin/main", "origin/master", "origin/HEAD"):
        if _commit_of(root, name):
            return name
    return "main"


def resolve_range(root: Path, spec: str | None) -> tuple[str, str | None]:
    """(base commit, head commit or None for the working tree) of ``A...B`` (from where B left A),
    ``A..B`` (from A), ``A`` (A...the working tree) or nothing (the main branch...the working tree).
    Raises ValueError naming a revision git does not know."""
    spec = (spec or "").strip() or default_base(root)
    if "..." in spec:
        left, right = spec.split("...", 1)
        three_dot = True
    elif ".." in spec:
        left, right = spec.split("..", 1)
        three_dot = False
    else:
        left, right, three_dot = spec, "", True
    left = left or "HEAD"
    base = _commit_of(root, left)
    if base is None:
        raise ValueError(left)
    head = None
    if right:
        head = _commit_of(root, right)
        if head is None:
            raise ValueError(right)
    if three_dot:
        out = git(root, "merge-base", base, head or "HEAD")
        if out.ok:
            base = out.out.strip()
    return base, head


def _is_customer(path: str) -> bool:
    return path.startswith("customers/") and path.endswith((".yaml", ".yml")) and "/" not in path[10:]


def changed_customer_files(root: Path, base: str, head: str | None) -> list[FilePair]:
    """Every customer file that differs between *base* and *head* (None: the working tree, untracked
    files included), renames paired, with both versions' bytes (read by one ``git cat-file``)."""
    args = ["diff", "-z", "--name-status", "--no-renames", base]
    if head:
        args.append(head)
    out = git(root, *args, "--", "customers/")
    if not out.ok:
        raise ValueError(out.err.strip().splitlines()[0] if out.err.strip() else base)
    fields = out.out.split("\0")
    pairs: list[FilePair] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[:1] in "RC":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
            pairs.append(FilePair(old if status[0] == "R" else None, new))
            continue
        path = fields[i + 1]
        i += 2
        if status[:1] == "A":
            pairs.append(FilePair(None, path))
        elif status[:1] == "D":
            pairs.append(FilePair(path, None))
        else:
            pairs.append(FilePair(path, path))
    if head is None:
        extra = git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", "customers/")
        pairs.extend(FilePair(None, p) for p in extra.out.split("\0") if p)
    pairs = [p for p in pairs if _is_customer(p.new_path or p.old_path or "")]
    specs = [f"{base}:{p.old_path}" if p.old_path else "0:missing" for p in pairs]
    if head:
        specs += [f"{head}:{p.new_path}" if p.new_path else "0:missing" for p in pairs]
    contents = blobs(root, specs)
    for k, p in enumerate(pairs):
        p.old_raw = contents[k] if p.old_path else None
        if head:
            p.new_raw = contents[len(pairs) + k] if p.new_path else None
        elif p.new_path:
            try:
                p.new_raw = (root / p.new_path).read_bytes()
            except OSError:
                p.new_raw = None
    return pairs


def authors_of_files(root: Path, base: str, head: str | None, team: Team | None) -> dict[str, list[str]]:
    """customers/<file> (its path at *head*) -> who committed changes to it after *base*, in order of
    their first commit (team handles when the email is in team.yaml, else the git name)."""
    fmt = _REC + _SEP.join(("%ae", "%an"))
    out = git(root, "log", "--reverse", "--no-renames", "--name-only", f"--format={fmt}",
              f"{base}..{head or 'HEAD'}", "--", "customers/")
    result: dict[str, list[str]] = {}
    if not out.ok:
        return result
    for chunk in out.out.split(_REC)[1:]:
        lines = chunk.split("\n")
        email, name = ([*lines[0].split(_SEP), ""])[:2]
        who = handle_for_email(team, email) or name
        for path in lines[1:]:
            if path.strip():
                seen = result.setdefault(path.strip(), [])
                if who not in seen:
                    seen.append(who)
    return result
