"""kehu serve — preview the website with live reload while someone edits YAML (the same as `mkdocs serve`).

Watches customers/, team.yaml, kehu.yaml, schema/ and site_templates/. By default only the pages whose
content changed are rebuilt (MkDocs' dirty reload), so an edited customer shows within seconds even
on a repository of thousands; --full rebuilds everything on each change.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import click

from ..site.engine import internal_env, mkdocs_config_file, mkdocs_logging, use_engine
from ._common import RunOptions, fail, repo_from, today_from


@click.command("serve")
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="IP:PORT")
@click.option("--internal", is_flag=True)
@click.option("--full", is_flag=True)
@click.option("--open", "open_browser", is_flag=True)
@click.option("-v", "--verbose", is_flag=True)
@click.pass_obj
def command(obj: RunOptions, dev_addr: str, internal: bool, full: bool, open_browser: bool, verbose: bool) -> None:
    repo = repo_from(obj)
    if not repo.config_ok:
        fail(*repo.msgs.text("build-config-invalid"))
    use_engine(repo)  # before anything imports MkDocs (the plugin included)
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    from ..site.plugin import PAGES_CACHE_ENV, given_today

    with tempfile.TemporaryDirectory(prefix="kehu-serve-") as scratch, internal_env(internal), \
            given_today(today_from(obj)), mkdocs_logging(logging.DEBUG if verbose else logging.INFO):
        if not full:  # pages on disk, rewritten only when they change: dirty reload rebuilds just those
            os.environ[PAGES_CACHE_ENV] = str(Path(scratch) / "pages")
        config_file = mkdocs_config_file(repo, Path(scratch))
        click.echo(repo.msgs.word("serve.started", addr=dev_addr), err=True)
        try:
            serve(config_file=str(config_file), livereload=True, build_type=None if full else "dirty",
                  open_in_browser=open_browser, dev_addr=dev_addr)
        except MkDocsException as e:
            fail(str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)
        except OSError as e:
            fail(*repo.msgs.text("serve-cannot-listen", addr=dev_addr, detail=e.strerror or e))
