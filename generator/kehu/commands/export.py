"""kehu export --format csv|xlsx|json|ics|sqlite [--out PATH] — the repository in other formats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..words.terminal import echo
from ._args import require_handle
from ._common import RunOptions, fail, repo_from


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json", "ics", "sqlite"]), required=True)
@click.option("--out", "out", type=click.Path(path_type=Path), default=None)
@click.option("--owner", default=None, metavar="HANDLE")
@click.option("--locale", type=click.Choice(["zh-CN", "en"]), default=None)
@click.option("--mask", is_flag=True)
@click.pass_obj
def command(obj: RunOptions, fmt: str, out: Path | None, owner: str | None, locale: str | None, mask: bool) -> None:
    from ..io.export import WRITERS, collect, default_out

    repo = repo_from(obj)
    if owner is not None:
        owner = require_handle(repo, "--owner", owner)
    lang = ("en" if locale.startswith("en") else "zh") if locale else repo.msgs.lang
    es = collect(repo, owner, lang, mask)
    if str(out) == "-":
        if fmt not in ("json", "ics"):
            fail(*repo.msgs.text("export-stdout-only"))
        data = WRITERS[fmt](es, None)
        sys.stdout.buffer.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    else:
        target = out or default_out(fmt, repo.config.today)
        if repo.source_of(target) is not None:
            fail(repo.msgs.line("out-is-source", option="--out", out=target, source=repo.source_of(target)))
        try:
            WRITERS[fmt](es, target)
        except OSError as e:
            fail(*repo.msgs.text("export-cannot-write", target=target, detail=e.strerror or e))
        echo(repo.msgs.word("export.wrote", n=len(es.customers), path=target), err=True)
    if es.skipped:
        echo(repo.msgs.word("export.skipped", n=len(es.skipped), files=", ".join(es.skipped)), err=True)
