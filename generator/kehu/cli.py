"""The ``kehu`` command: a thin layer over the package.

Each command lives in its own module under ``kehu.commands``; this file only
lists them, so adding a command never touches another one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, KehuError

if TYPE_CHECKING:
    from .catalogue import Locale

# name -> (module under kehu.commands that defines a click command called `command`, its one-line help).
# `kehu --help` lists the commands from this table without importing a single one (tests keep the help
# lines equal to the commands' own).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "Check customer files (default: all of them) and report every problem as file:line:col."),
    "build": ("build", "Build the team's website from customers/, team.yaml and kehu.yaml (MkDocs + Material)."),
    "serve": ("serve", "Serve the site locally and rebuild it whenever a customer file, the team or the rules "
                       "change."),
    "fmt": ("fmt", "Lay out customer files (default: all of them, and team.yaml) in kehu's canonical format."),
    "init": ("init", "Create a team repository in DIRECTORY (default: here) that works at once."),
    "merge-driver": ("merge_driver", "Three-way merge of a customer file (git merge driver; see `kehu init`)."),
    "diff-driver": ("diff_driver", "Print FILE for git's diff, with a header line for each customer entry (git's "
                                   "textconv)."),
    "codeowners": ("codeowners", "Write CODEOWNERS so each customer file needs review by its owner (managers as "
                                 "fallback)."),
    "new": ("new", "Create a customer file with the next free id; refuses duplicates."),
    "log": ("log", "Record an interaction with CUSTOMER (id, part of the name, pinyin or initials)."),
    "set": ("set", "Set FIELD of CUSTOMER: stage, class (--reason), quiet_until (--reason), owner, or any other "
                   "field."),
    "survey": ("survey", "Record a satisfaction survey of CUSTOMER: at least one score from 1 (poor) to 5 "
                         "(excellent)."),
    "complaint": ("complaint", "Record a complaint of CUSTOMER, or move one to in progress / resolved."),
    "due": ("due", "List the follow-ups owed: overdue, today, and within DAYS (the same facts as the site)."),
    "remind": ("remind", "Send each owner's due list for today (overdue, today, birthdays) to chat robots or email."),
    "review": ("review", "The monthly review: customers whose class or status changed in the month, and why (from git "
                         "history)."),
    "show": ("show", "Show one customer: profile, class, status, due follow-up, contacts, history."),
    "history": ("history", "Who changed which fields of CUSTOMER when, from git history, oldest first; merge "
                           "commits say who merged and which side's value they kept."),
    "diff": ("diff", "What changed, per customer, in business words: fields with their labels, entries added, "
                     "complaints resolved, customers created, merged, renamed or deleted, and who committed each."),
    "forget": ("forget", "Erase a customer's file, or with --contact one person's data in it, leaving a visible "
                         "tombstone (which `kehu check --against` accepts), and print how to remove the data from "
                         "git history too."),
    "import": ("import_", "Import customers, contacts and follow-up records from spreadsheets."),
    "export": ("export", "Export every customer (files that fail the schema are skipped and listed)."),
    "dedupe": ("dedupe", "List pairs of customers that look like one: the same normalised name "
                         "(有限公司/集团/spaces/width ignored), the same phone or e-mail, or nearly the same name — "
                         "the checker's rules, ranked by a score."),
    "merge": ("merge", "Merge DROP into KEEP and delete DROP's file."),
    "renumber": ("renumber", "Give customer OLD (an id or a unique part of its name) the id NEW (default: the next "
                             "free one)."),
    "sync": ("sync", "Merge the main branch into the current branch the way kehu merges customer files."),
    "opp": ("opp", "Opportunities (商机): add, change, win or lose one; list them."),
    "forecast": ("forecast", "The forecast (业绩预测): weighted pipeline by expected close month, won this "
                             "month/quarter vs last, slipping opportunities."),
    "pool": ("pool", "List the customers in the pool (公海) and how many customers each member holds against the cap."),
    "claim": ("claim", "Claim CUSTOMER from the pool (公海): you become its owner, within the cap of kehu.yaml."),
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (fast start for pre-commit and --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        return importlib.import_module(f"kehu.commands.{entry[0]}").command

    def invoke(self, ctx: click.Context) -> Any:
        """THE error handler: every failure leaves as one line in the team's language, never a traceback."""
        try:
            return super().invoke(ctx)
        except KehuError as e:
            _say_error(ctx, e)
        except KeyboardInterrupt:
            _say_error(ctx, KehuError.coded("cli-interrupted"), EXIT_INTERRUPTED)
        except BrokenPipeError:  # the reader went away (`kehu due | head`): stop quietly
            _silence_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own usage errors and exits: click words them
        except Exception as e:
            if os.environ.get(DEBUG_ENV):
                raise
            detail = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
            _say_error(ctx, KehuError.coded("cli-internal", detail=detail.splitlines()[0], env=DEBUG_ENV),
                       EXIT_INTERNAL)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, click.utils.make_default_short_help(text, limit)) for name, text in rows])


DEBUG_ENV = "KEHU_DEBUG"  # set it to see the traceback of an internal error
EXIT_BROKEN_PIPE = 141  # as shells report a command killed by SIGPIPE


def _say_error(ctx: click.Context, e: KehuError, exit_code: int | None = None) -> NoReturn:
    from .commands._common import print_error

    print_error(e, _team_messages(ctx.params.get("repo")))
    sys.exit(e.exit_code if exit_code is None else exit_code)


def _team_messages(start: Path | None) -> Locale:
    """The team's words for an error: KEHU_LOCALE, else kehu.yaml's ``locale`` (the way ``open_repo``
    chooses), else Chinese; an unreadable kehu.yaml is no reason to fail while reporting a failure."""
    from .catalogue import Locale

    locale = os.environ.get("KEHU_LOCALE")
    if not locale:
        try:
            from .config import CONFIG_FILE
            from .repo import find_root
            from .yamlload import load_yaml_bytes

            loaded = load_yaml_bytes(CONFIG_FILE, (find_root(start) / CONFIG_FILE).read_bytes(), Locale())
            probe = loaded.data.get("locale") if isinstance(loaded.data, dict) else None
            locale = probe if probe in ("zh-CN", "en") else None
        except (OSError, ValueError):
            locale = None
    return Locale(locale or "zh-CN")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail on the closed pipe again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _today(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write YYYY-MM-DD") from None
    return value


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kehu")
@click.option("-C", "--repo", "repo", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The team repository (default: the nearest folder upwards with kehu.yaml or customers/).")
@click.option("--today", callback=_today, default=None, metavar="YYYY-MM-DD",
              help="Pretend today is this date (reproducible reports). Also KEHU_TODAY.")
@click.pass_context
def main(ctx: click.Context, repo: Path | None, today: str | None) -> None:
    """kehu 客户 — customers as YAML files in git: check them, and build the team's site."""
    from .config import TODAY_ENV, pinned_today  # the one place the command line reads KEHU_TODAY

    try:
        pinned = pinned_today(today)
    except ValueError:
        raise click.BadParameter(f"'{os.environ.get(TODAY_ENV)}' is not a date; write YYYY-MM-DD",
                                 param_hint=TODAY_ENV) from None
    # every command opens the repository with this date (None: today in the team's time zone)
    ctx.obj = {"repo": repo, "today": pinned}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
