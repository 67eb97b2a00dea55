"""The ``kehu`` command: a thin layer over the package.

Each command lives in its own module under ``kehu.commands``; this file only
lists them, so adding a command never touches another one. Their help texts are
entries of data/catalogue/help.yaml, given in the team's language by kehu.helptext.
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

from . import __version__, helptext
from .util.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, KehuError

if TYPE_CHECKING:
    from .words.catalogue import Locale

# name -> the module under kehu.commands that defines a click command called `command`. `kehu --help` lists
# the commands from this table without importing a single one; each line is the first sentence of the
# command's help (help.<name> in data/catalogue/help.yaml), which is also the command's own short help.
COMMANDS: dict[str, str] = {
    "check": "check",
    "build": "build",
    "serve": "serve",
    "fmt": "fmt",
    "init": "init",
    "merge-driver": "merge_driver",
    "diff-driver": "diff_driver",
    "codeowners": "codeowners",
    "new": "new",
    "log": "log",
    "set": "set",
    "survey": "survey",
    "complaint": "complaint",
    "due": "due",
    "remind": "remind",
    "review": "review",
    "show": "show",
    "history": "history",
    "diff": "diff",
    "forget": "forget",
    "import": "import_",
    "export": "export",
    "dedupe": "dedupe",
    "merge": "merge",
    "renumber": "renumber",
    "sync": "sync",
    "opp": "opp",
    "forecast": "forecast",
    "pool": "pool",
    "claim": "claim",
    "handover": "handover",
    "report": "report",
    "approval": "approval",
    "forms": "forms",
    "intake": "intake",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (fast start for pre-commit and --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # the team's language is known before click parses (and may answer --help or a usage error)
        lang = ctx.meta["kehu.lang"] = helptext.team_lang(args, chosen_locale())
        helptext.speak(lang)
        helptext.localise(self, "kehu", lang, ctx)
        return super().parse_args(ctx, args)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        command = importlib.import_module(f"kehu.commands.{module}").command
        return helptext.localise(command, name, ctx.meta.get("kehu.lang", "zh"), ctx)

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
        lang = ctx.meta.get("kehu.lang", "zh")
        rows = [(name, helptext.short_help(name, lang)) for name in self.list_commands(ctx)]
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section(helptext.word("click.commands", lang)):
            formatter.write_dl([(name, helptext.first_sentence(text, limit)) for name, text in rows])


DEBUG_ENV = "KEHU_DEBUG"  # set it to see the traceback of an internal error
LOCALE_ENV = "KEHU_LOCALE"  # the language of one run, whatever kehu.yaml says (zh-CN | en)
EXIT_BROKEN_PIPE = 141  # as shells report a command killed by SIGPIPE


def chosen_locale() -> str | None:
    """The language this run was started with (KEHU_LOCALE), or None: the repository's own. Read here, where the
    command line starts, and handed down (``ctx.obj["locale"]``, ``open_repo(locale=…)``): nothing below reads
    the environment for it."""
    return os.environ.get(LOCALE_ENV) or None


def _say_error(ctx: click.Context, e: KehuError, exit_code: int | None = None) -> NoReturn:
    from .commands._common import print_error

    print_error(e, _team_messages(ctx.params.get("repo")))
    sys.exit(e.exit_code if exit_code is None else exit_code)


def _team_messages(start: Path | None) -> Locale:
    """The team's words for an error: the run's locale (KEHU_LOCALE), else kehu.yaml's ``locale`` (the way
    ``open_repo`` chooses), else Chinese; an unreadable kehu.yaml is no reason to fail while reporting a failure."""
    from .words.catalogue import Locale

    locale = chosen_locale()
    if not locale:
        try:
            from .repo.config import CONFIG_FILE
            from .repo.root import find_root
            from .repo.yamlload import load_yaml_bytes

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
        raise click.BadParameter(helptext.word("click.bad-date", ctx.meta.get("kehu.lang", "zh")).format(
            value=value)) from None
    return value


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kehu")
@click.option("-C", "--repo", "repo", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--today", callback=_today, default=None, metavar="YYYY-MM-DD")
@click.pass_context
def main(ctx: click.Context, repo: Path | None, today: str | None) -> None:
    from .repo.config import TODAY_ENV, pinned_today  # the one place the command line reads KEHU_TODAY

    try:
        pinned = pinned_today(today)
    except ValueError:
        raise click.BadParameter(helptext.word("click.bad-date", ctx.meta.get("kehu.lang", "zh")).format(
            value=os.environ.get(TODAY_ENV)), param_hint=TODAY_ENV) from None
    # every command opens the repository with this date (None: today in the team's time zone) and in this
    # language (None: the repository's own)
    ctx.obj = {"repo": repo, "today": pinned, "locale": chosen_locale()}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
