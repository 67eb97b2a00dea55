"""kehu claim CUSTOMER — take a customer from the pool (公海), within the holding cap of kehu.yaml.

It writes the new owner and the day they took it (``owner_since``) — an ordinary change to one file,
so it goes through review: forges read CODEOWNERS from the pull request's base branch, where the
former owner (or a manager) still owns the file and approves the hand-over; the main branch
regenerates CODEOWNERS after the merge (``kehu sync``).
"""

from __future__ import annotations

import click

from ..book.loader import open_book
from ..core.derive import holdings, pool_entry, pool_since
from ..core.present import Presenter
from ..store.mapedit import field_order, set_field, yaml_date
from ..store.transaction import open_for_edit, require_sound_repo, save
from ..util.errors import refuse
from ._args import require_assignable
from ._common import RunOptions, locked, repo_from, report_warnings, require_pool


@click.command("claim")
@click.argument("customer")
@click.option("--by", default=None, metavar="HANDLE")
@click.pass_obj
@locked
def command(obj: RunOptions, customer: str, by: str | None) -> None:
    from ..repo.gitinfo import current_handle

    repo = repo_from(obj)
    require_sound_repo(repo)
    require_pool(repo)
    msgs, cfg, today = repo.msgs, repo.config, repo.config.today
    who = require_assignable(repo, "--by", by) if by is not None else current_handle(repo)
    ed = open_for_edit(repo, customer)  # refuses an unknown or invalid file before anything is counted
    customers = open_book(repo).customers
    target = next(c for c in customers if c.id == ed.path.stem)
    if target.owner == who:
        raise refuse(msgs, "cli-already-yours", file=ed.name)
    if pool_since(target, cfg, today) is None:
        entry = pool_entry(target, cfg, today)
        until = "" if entry is None else msgs.word("claim.until", date=entry.isoformat())
        raise refuse(msgs, "cli-not-in-pool", file=ed.name, owner=target.owner, until=until, id=target.id)
    cap = cfg.pool.cap
    held = holdings(customers, cfg, today).get(who, 0)
    if cap and held >= cap:
        raise refuse(msgs, "cli-pool-cap", who=who, held=held, cap=cap)
    former = ed.data.get("owner")
    ed.data["owner"] = who
    set_field(ed.data, "owner_since", yaml_date(today), field_order(repo))
    report_warnings(save(ed), repo.msgs)
    words = Presenter.of(repo)
    click.echo(msgs.word("claim.done", name=ed.name, former=words.who(former), who=words.who(who),
                          held=f"{held + 1}{'/' + str(cap) if cap else ''}"))

