"""离职交接: what a member holds goes to a colleague in one change, with one commit message, history kept.

A handover moves, from member A to member B: the owner of A's customers (``owner_since`` becomes the day of the
handover; the pool counts from it), the open opportunities A works on any customer, and the open complaints A
handles — optionally only for customers of some classes or regions. A's past records stay as they are: every
interaction A logged still says ``by: A``, a resolved complaint keeps its handler, git keeps who owned what when.
A customer's planned next step goes with the customer (it has no owner of its own), so it lands on B's due list.

Nothing is written unless every file the handover touches can be written: each one is changed in memory, laid
out as ``kehu fmt`` lays it out and checked as ``kehu check`` checks it first; then all are written (each
atomically) and, in a git repository, committed together — only those files — so that the handover is one
reviewable change. A commit that git (or a hook) refuses puts every file back as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..book.checker import check_customer_bytes
from ..book.loader import Book
from ..core.present import Presenter
from ..repo.gitinfo import is_git_repo
from ..repo.model import Customer
from ..repo.repository import Repo
from ..store.mapedit import field_order, set_field, yaml_date
from ..store.write import dump, load_roundtrip
from ..util.atomic import atomic_write
from ..util.errors import KehuError, refuse
from ..util.gitcmd import git
from ..util.problems import Severity


@dataclass(slots=True)
class HandoverItem:
    """What moves on one customer."""

    customer: Customer
    owner: bool                                          # the customer's owner moves
    opportunities: list[str] = field(default_factory=list)   # ids of open opportunities A works
    complaints: list[int] = field(default_factory=list)      # positions of open complaints A handles
    next_action: str = ""                                # the planned step that goes with the customer ("" none)

    @property
    def moves(self) -> int:
        return int(self.owner) + len(self.opportunities) + len(self.complaints)


@dataclass(slots=True)
class Handover:
    source: str
    target: str
    items: list[HandoverItem]

    @property
    def customers(self) -> int:
        return sum(1 for i in self.items if i.owner)

    @property
    def opportunities(self) -> int:
        return sum(len(i.opportunities) for i in self.items)

    @property
    def complaints(self) -> int:
        return sum(len(i.complaints) for i in self.items)


def _region_matches(region: str | None, wanted: tuple[str, ...]) -> bool:
    text = (region or "").strip()
    return any(w.strip() and w.strip() in text for w in wanted)


def plan(book: Book, source: str, target: str, classes: tuple[str, ...] = (),
         regions: tuple[str, ...] = ()) -> Handover:
    """Everything ``source`` holds (within the classes and regions given), to go to ``target``."""
    facts = book.facts
    items: list[HandoverItem] = []
    for c in book.customers:
        if classes and (c.id not in facts or facts[c.id].klass not in classes):
            continue
        if regions and not _region_matches(c.region, regions):
            continue
        owner = c.owner == source
        opps = [o.id for o in c.opportunities if o.is_open and o.owner == source]
        complaints = [k for k, x in enumerate(c.complaints) if x.status != "resolved" and x.handler == source]
        if not (owner or opps or complaints):
            continue
        planned = ""
        if owner and c.next_action and c.next_action.date:
            planned = f"{c.next_action.date.isoformat()} {c.next_action.action}"
        items.append(HandoverItem(c, owner, opps, complaints, planned))
    return Handover(source, target, items)


def _changed(repo: Repo, item: HandoverItem, target: str, today: dt.date, order: list[str]) -> tuple[Path, bytes,
                                                                                                      str]:
    """(path, bytes before, text after) of one customer file, or a refusal naming the file and its first error."""
    c = item.customer
    path = repo.root / c.file
    raw = path.read_bytes()
    name = c.file
    errors = [p for p in check_customer_bytes(repo, name, raw)[0] if p.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        raise refuse(repo.msgs, "cli-handover-invalid", file=name, first=f"{first.line}:{first.col} {first.message}")
    data: Any = load_roundtrip(path, repo)
    if item.owner:
        data["owner"] = target
        set_field(data, "owner_since", yaml_date(today), order)
    wanted = set(item.opportunities)
    for o in data.get("opportunities") or []:
        if isinstance(o, dict) and str(o.get("id")) in wanted:
            o["owner"] = target
    complaints = data.get("complaints") or []
    for k in item.complaints:
        complaints[k]["handler"] = target
    text = dump(data, repo.schemas, "customer")
    errors = [p for p in check_customer_bytes(repo, name, text.encode("utf-8"))[0] if p.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        raise refuse(repo.msgs, "cli-not-saved", where=first.where, message=first.message, hint=first.hint)
    return path, raw, text


def commit_message(repo: Repo, handover: Handover) -> str:
    """One subject line in the team's language, and the customers it moved."""
    words = Presenter.of(repo)
    subject = repo.msgs.word("handover.commit", source=words.who(handover.source),
                             target=words.who(handover.target), customers=handover.customers,
                             opportunities=handover.opportunities, complaints=handover.complaints)
    body = [f"- {i.customer.id} {i.customer.name}" for i in handover.items]
    return "\n".join([subject, "", *body]) + "\n"


def _dirty(repo: Repo, files: list[str]) -> list[str]:
    out = git(repo.root, "status", "--porcelain", "--", *files)
    return [line[3:] for line in out.lines()] if out.ok else []


def apply(repo: Repo, handover: Handover, commit: bool = True) -> str | None:
    """Write every file of the handover (all checked first) and commit them together. Returns the commit's short
    id, or None when nothing was committed (``commit=False``, or no git repository)."""
    order = field_order(repo)
    today = repo.config.today
    files = [i.customer.file for i in handover.items]
    committing = commit and is_git_repo(repo.root)
    if committing:
        dirty = _dirty(repo, files)
        if dirty:
            raise refuse(repo.msgs, "cli-handover-dirty", files=repo.msgs.join(dirty[:5]), n=len(dirty))
    changes = [_changed(repo, i, handover.target, today, order) for i in handover.items]
    written: list[tuple[Path, bytes]] = []
    try:
        for path, raw, text in changes:
            atomic_write(path, text)
            written.append((path, raw))
    except OSError:
        _restore(written)
        raise
    if not committing:
        return None
    message = commit_message(repo, handover)
    done = git(repo.root, "commit", "-q", "--file=-", "--", *files, stdin=message.encode("utf-8"))
    if not done.ok:
        _restore(written)
        raise KehuError(repo.msgs.word("handover.commit_failed", detail=done.last_line()))
    head = git(repo.root, "rev-parse", "--short", "HEAD")
    return head.out.strip() if head.ok else None


def _restore(written: list[tuple[Path, bytes]]) -> None:
    for path, raw in written:
        atomic_write(path, raw)
