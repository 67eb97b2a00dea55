"""The ``kehu`` command: a thin layer over the package.

Each command lives in its own module under ``kehu.commands``; this file only
lists them, so adding a command never touches another one.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
from pathlib import Path

import click

from . import __version__

# name -> module under kehu.commands that defines a click command called `command`
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
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (fast start for pre-commit)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        return importlib.import_module(f"kehu.commands.{module}").command


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
    if today:
        os.environ["KEHU_TODAY"] = today
    ctx.obj = {"repo": repo}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
