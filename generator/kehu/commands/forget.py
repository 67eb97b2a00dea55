"""kehu forget ID [--contact NAME] --reason … — erase a person's data and say what git still holds."""

from __future__ import annotations

import click

from ..git.forget import (
    expressions_file,
    history_commands,
    mark,
    personal_values,
    record_in_config,
    scrub,
    tombstone,
)
from ..repo.gitinfo import current_handle
from ..repo.repository import Repo
from ..store.mapedit import field_order
from ..store.transaction import open_for_edit, require_sound_repo, save
from ..util.errors import refuse
from ._args import require_handle, require_text
from ._common import RunOptions, repo_from


def _warn_history(repo: Repo, files: list[str], secrets: list[str]) -> None:
    m = mark(repo)
    click.echo(repo.msgs.word("forget.note_git_history"))
    click.echo(repo.msgs.word("forget.after_this_erasure"))
    if secrets:
        click.echo(repo.msgs.word("forget.outside_the_repository"))
        for line in expressions_file(secrets, m).splitlines():
            click.echo(f"  #   {line}")
    for cmd in history_commands(files, secrets, m):
        click.echo(f"  {cmd}")
    click.echo(repo.msgs.word("forget.then_every_colleague"))
    click.echo(repo.msgs.word("forget.the_forge_keeps"))
    click.echo(repo.msgs.word("forget.issues_keep"))


@click.command("forget")
@click.argument("customer")
@click.option("--contact", "contact", metavar="NAME")
@click.option("--reason", required=True)
@click.option("--by", metavar="HANDLE")
@click.pass_obj
def command(obj: RunOptions, customer: str, contact: str | None, reason: str, by: str | None) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    reason = require_text(repo.msgs, "--reason", reason)
    who = require_handle(repo, "--by", by) if by is not None else current_handle(repo)
    ed = open_for_edit(repo, customer)
    ident = str(ed.data.get("id"))
    if contact is None:
        people = [c for c in ed.data.get("contacts") or [] if isinstance(c, dict)]
        secrets = sorted({v for c in people for v in personal_values(c)} | {str(ed.data.get("name"))},
                         key=len, reverse=True)
        record_in_config(repo, tombstone(repo, who, reason, "customer", ident))
        ed.path.unlink()
        click.echo(repo.msgs.word("forget.erased_customer_a", ident=ident, name=ed.name))
        _warn_history(repo, [ed.name], secrets)
        return
    contacts = ed.data.get("contacts") or []
    index = next((i for i, c in enumerate(contacts) if isinstance(c, dict) and str(c.get("name")) == contact.strip()),
                 None)
    if index is None:
        known = repo.msgs.word("sep").join(str(c.get("name")) for c in contacts if isinstance(c, dict)) or "∅"
        raise refuse(repo.msgs, "cli-no-contact", file=ed.name, name=contact, known=known)
    secrets = personal_values(contacts[index])
    del contacts[index]
    if not contacts:
        del ed.data["contacts"]
    scrub(ed.data, secrets, mark(repo))
    from ..store.mapedit import set_field

    stones = ed.data.get("forgotten")
    if not isinstance(stones, list):
        set_field(ed.data, "forgotten", [], field_order(repo))
        stones = ed.data["forgotten"]
    stones.append(tombstone(repo, who, reason, "contact"))
    save(ed)
    click.echo(repo.msgs.word("forget.erased_a_contact", name=ed.name))
    _warn_history(repo, [], secrets)
