"""kehu handover --from A --to B [--class …] [--region …] [--dry-run] — 离职交接 in one change.

A's customers (owner and ``owner_since``), the open opportunities A works and the open complaints A handles go to
B, in one commit with one message; the planned next steps go with their customers. History stays: past ``by:``
and handlers are A's, and git keeps who owned what when (``kehu.git.handover``). ``--dry-run`` lists what would
move and writes nothing; ``--no-commit`` writes the files and leaves the commit to you.
"""

from __future__ import annotations

import click

from ..book.loader import open_book
from ..core.present import Presenter
from ..git.handover import apply, plan
from ..store.transaction import require_sound_repo
from ..util.errors import refuse
from ..words.terminal import echo
from ._args import require_handle, vocab_key
from ._common import RunOptions, locked, repo_from


@click.command("handover")
@click.option("--from", "source", required=True, metavar="HANDLE")
@click.option("--to", "target", required=True, metavar="HANDLE")
@click.option("--class", "classes", multiple=True, metavar="CLASS")
@click.option("--region", "regions", multiple=True, metavar="TEXT")
@click.option("--dry-run", is_flag=True)
@click.option("--no-commit", is_flag=True)
@click.pass_obj
@locked
def command(obj: RunOptions, source: str, target: str, classes: tuple[str, ...], regions: tuple[str, ...],
            dry_run: bool, no_commit: bool) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    msgs = repo.msgs
    src = require_handle(repo, "--from", source)
    dst = require_handle(repo, "--to", target)
    if src == dst:
        raise refuse(msgs, "cli-handover-same", handle=src)
    if dst in repo.inactive:
        raise refuse(msgs, "cli-handover-inactive", handle=dst)
    vocab = repo.schemas.vocabularies.get("class")
    wanted = tuple(vocab_key(msgs, vocab, "--class", k) for k in classes) if vocab is not None else classes
    handover = plan(open_book(repo), src, dst, wanted, tuple(r for r in regions if r.strip()))
    words = Presenter.of(repo)
    if not handover.items:
        echo(msgs.word("handover.nothing", source=words.member(src)))
        return
    for item in handover.items:
        c = item.customer
        parts = []
        if item.owner:
            parts.append(msgs.word("handover.owner", source=words.member(src), target=words.member(dst)))
        if item.opportunities:
            parts.append(msgs.word("handover.opportunities", ids=msgs.join(item.opportunities)))
        if item.complaints:
            dates = [str(c.complaints[k].date or "") for k in item.complaints]
            parts.append(msgs.word("handover.complaints", dates=msgs.join(dates)))
        if item.next_action:
            parts.append(msgs.word("handover.next_action", action=item.next_action))
        echo(f"{words.t('name_id', name=c.name, id=c.id)}{words.t('colon')}{msgs.join(parts)}")
    totals = msgs.word("handover.totals", customers=handover.customers, opportunities=handover.opportunities,
                       complaints=handover.complaints, files=len(handover.items))
    if dry_run:
        echo(msgs.word("handover.dry_run", totals=totals))
        return
    commit = apply(repo, handover, commit=not no_commit)
    if commit:
        echo(msgs.word("handover.committed", totals=totals, commit=commit))
    else:
        echo(msgs.word("handover.written", totals=totals))
    if src not in repo.inactive:
        echo(msgs.word("handover.still_active", source=words.member(src), handle=src))
