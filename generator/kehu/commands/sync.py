"""kehu sync [--push] — merge the main branch into this branch with kehu's merge driver.

See :mod:`kehu.git.sync`. ``--branches B …`` is the bot's form (the workflow ``kehu init`` writes runs it
after every push to main): each branch is synced and pushed when kehu settles every conflict, and
left exactly as it was when a person is needed.

Exit status: 0 synced (or nothing to do); 1 a conflict, or an error `kehu check` finds after the merge, needs a
person (listed; nothing pushed); 2 sync could not run.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..book.checker import CheckResult
from ..book.reporters import text_report
from ..words.terminal import echo
from ._common import RunOptions, locked, repo_from

if TYPE_CHECKING:
    from ..git.sync import SyncReport
    from ..words.catalogue import Locale

EXIT_NEEDS_PERSON = 1


def _lines(msgs: Locale, report: SyncReport) -> list[str]:
    def say(code: str, **args: object) -> str:
        return msgs.text(code, **args)[0]

    sep = msgs.word("sep")
    out = []
    if report.up_to_date:
        out.append(say("sync-up-to-date", branch=report.branch, target=report.target))
    if report.incoming:
        shown = sep.join(report.incoming[:10]) + (msgs.word("duplicates_also", n=len(report.incoming) - 10)
                                                  if len(report.incoming) > 10 else "")
        out.append(say("sync-incoming", n=len(report.incoming), target=report.target, customers=shown))
    for customer in report.merged:
        out.append(say("sync-merged", customer=customer))
    for old, new, name in report.renumbered:
        out.append(say("sync-renumbered", id=old, new=new, name=name))
    if report.codeowners:
        out.append(say(f"sync-codeowners-{report.codeowners}", target=report.target))
    for c in report.conflicts:
        out.append(say(f"sync-conflict-{c.kind}", file=c.file, customer=c.customer, fields=c.fields))
    if report.conflicts:
        out.append(say("sync-aborted" if report.aborted else "sync-next-steps", branch=report.branch))
    elif report.errors:
        out.append(say("sync-check-errors", n=len(report.errors)))
        out.append(text_report(CheckResult(problems=report.errors), msgs).rsplit("\n", 1)[0])
        if report.aborted:
            out.append(say("sync-check-aborted", branch=report.branch))
        else:
            out.append(say("sync-committed", target=report.target, branch=report.branch))
            out.append(say("sync-check-next-steps"))
    elif report.committed:
        out.append(say("sync-committed", target=report.target, branch=report.branch))
    if report.pushed:
        out.append(say("sync-pushed", branch=report.branch))
    return out


@click.command("sync")
@click.option("--base", metavar="BRANCH")
@click.option("--remote", metavar="NAME")
@click.option("--no-fetch", is_flag=True)
@click.option("--push", is_flag=True)
@click.option("--only-if-clean", is_flag=True)
@click.option("--branches", multiple=True, metavar="BRANCH")
@click.pass_obj
@locked
def command(obj: RunOptions, base: str | None, remote: str | None, no_fetch: bool, push: bool, only_if_clean: bool,
            branches: tuple[str, ...]) -> None:
    from ..git.sync import SyncError, sync, sync_branches
    from ..repo.gitinfo import handle_for_email, user_email
    from ..util.gitcmd import Value

    # names typed on the command line (or by the sync workflow): values for git, never options
    remote = Value(remote) if remote is not None else None
    base = Value(base) if base is not None else None
    branches = tuple(Value(b) for b in branches)
    repo = repo_from(obj)
    msgs = repo.msgs
    creator = handle_for_email(repo.team, user_email(repo.root))
    needs_person = False
    if not branches:
        report = sync(repo, base=base, remote=remote, fetch=not no_fetch, push=push, only_if_clean=only_if_clean,
                      creator=creator)
        echo("\n".join(_lines(msgs, report)))
        needs_person = bool(report.conflicts or report.errors)
    else:
        for branch, outcome in sync_branches(repo, branches, base=base, remote=remote, fetch=not no_fetch,
                                             push=push, creator=creator):
            echo(msgs.text("sync-branch", branch=branch)[0])
            if isinstance(outcome, SyncError):
                echo(outcome.line_for(msgs), err=True)
                needs_person = True
            else:
                echo("\n".join(_lines(msgs, outcome)))
                needs_person |= bool(outcome.conflicts or outcome.errors)
    sys.exit(EXIT_NEEDS_PERSON if needs_person else 0)
