"""kehu new NAME --owner H [--industry … --phone …] — create a customer file.

The id comes from :mod:`kehu.store.ids` (``ids.template`` in kehu.yaml, with the creator's member
code: never the same as another clone's, never one used before, even by a deleted file), and the
file is created exclusively under the repository's write lock. The duplicate check runs
first: the same company (normalised name), phone or email as an existing
customer is refused; a near-identical name is refused unless ``--force``. The
first follow-up is planned within ``first_followup_hours``. Missing required
values are asked for when a person is typing; in a script they are an error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from ..core.present import Presenter
from ..repo.files import file_name
from ..repo.gitinfo import handle_for_email, user_email
from ..repo.repository import Repo
from ..store.edits import Asker, never_ask, new_customer
from ..store.transaction import new_warnings
from ..util.errors import CommandError
from ..words.terminal import echo
from ._common import RunOptions, locked, repo_from, report_warnings


def interactive() -> bool:
    return sys.stdin.isatty()


def terminal_asker(repo: Repo) -> Asker:
    """A missing required value is asked for at a terminal (checked as it is typed); elsewhere it is refused."""
    if not interactive():
        return never_ask(repo)

    def ask(value: str | None, option: str, question: str, check: Callable[[str], str], default: str | None,
            hint: str) -> str:
        if value is not None:
            return check(value)

        def proc(text: str) -> str:
            try:
                return check(text)
            except CommandError as e:
                raise click.BadParameter(e.line_for(repo.msgs)) from None

        return str(click.prompt(question, default=default, value_proc=proc))

    return ask


@click.command("new")
@click.argument("name", required=False)
@click.option("--owner", metavar="HANDLE")
@click.option("--industry", metavar="CODE")
@click.option("--stage", metavar="KEY")
@click.option("--source", metavar="KEY")
@click.option("--size", metavar="KEY")
@click.option("--region")
@click.option("--needs")
@click.option("--contact-name")
@click.option("--title")
@click.option("--phone")
@click.option("--email")
@click.option("--force", is_flag=True)
@click.pass_obj
@locked
def command(obj: RunOptions, **opts: str | None) -> None:
    repo = repo_from(obj)
    me = handle_for_email(repo.team, user_email(repo.root))
    # like --by everywhere: whoever `git config user.email` names in team.yaml, asked only when unknown
    done = new_customer(repo, opts, force=bool(opts["force"]), creator=me, me=me, ask=terminal_asker(repo))
    path, fields = done.path, done.fields
    report_warnings([p for p in new_warnings(repo, path, set()) if p.code != "missing-info"], repo.msgs)
    due = str(fields["next_action"]["date"])
    name, owner, where = fields["name"], fields["owner"], file_name(repo.root, path)
    echo(repo.msgs.word("new.created_owner_first", where=where, name=name, owner=Presenter.of(repo).who(owner),
                        due=due))
