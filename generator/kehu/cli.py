"""The ``kehu`` command: a thin layer over the package.

Each command lives in its own module under ``kehu.commands``; this file only
lists them, so adding a command never touches another one. Their help texts are
entries of data/catalogue/help.yaml, given in the team's language by kehu.helptext.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
from pathlib import Path

import click

from . import __version__, helptext

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
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (fast start for pre-commit and --help)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # the team's language is known before click parses (and may answer --help or a usage error)
        lang = ctx.meta["kehu.lang"] = helptext.team_lang(args)
        helptext.speak(lang)
        helptext.localise(self, "kehu", lang, ctx)
        return super().parse_args(ctx, args)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        command = importlib.import_module(f"kehu.commands.{module}").command
        return helptext.localise(command, name, ctx.meta.get("kehu.lang", "zh"), ctx)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = ctx.meta.get("kehu.lang", "zh")
        rows = [(name, helptext.short_help(name, lang)) for name in self.list_commands(ctx)]
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section(helptext.word("click.commands", lang)):
            formatter.write_dl([(name, click.utils.make_default_short_help(text, limit)) for name, text in rows])


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
    from .config import TODAY_ENV, pinned_today  # the one place the command line reads KEHU_TODAY

    try:
        pinned = pinned_today(today)
    except ValueError:
        raise click.BadParameter(helptext.word("click.bad-date", ctx.meta.get("kehu.lang", "zh")).format(
            value=os.environ.get(TODAY_ENV)), param_hint=TODAY_ENV) from None
    # every command opens the repository with this date (None: today in the team's time zone)
    ctx.obj = {"repo": repo, "today": pinned}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
