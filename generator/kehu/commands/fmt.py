"""kehu fmt [FILES...] [--check] — lay out customer files (and team.yaml) the canonical way."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..repo.config import CONFIG_FILE, SCHEMA_DIR, TEAM_FILE
from ..repo.files import customer_listing, file_name
from ..repo.repository import Repo, is_plain_file
from ..repo.schema import SCHEMA_FILES, editor_schema
from ..store.fmt import Formatted, format_bytes
from ..store.write import StoreError
from ..util.atomic import atomic_write
from ..util.errors import KehuError
from ..words.catalogue import Locale
from ..words.terminal import echo
from ._common import EXIT_BAD_INPUT, RunOptions, locked, print_error, repo_from


def _error(repo: Repo, e: KehuError) -> None:
    """One line on stderr per file that cannot be formatted; the other files still get formatted."""
    print_error(e, repo.msgs)


SCHEMA_FILE = f"{SCHEMA_DIR}/{SCHEMA_FILES['customer']}"


def _targets(repo: Repo, files: tuple[Path, ...]) -> list[Path]:
    if files:
        return list(files)
    team, schema = repo.root / TEAM_FILE, repo.root / SCHEMA_FILE
    return [Path(p) for p in customer_listing(repo).values()] + ([team] if team.is_file() else []) + \
        ([schema] if is_plain_file(schema) else [])


def _kind(repo: Repo, path: Path) -> str | None:
    resolved = path.resolve()
    if resolved == (repo.root / CONFIG_FILE).resolve():
        return None
    if resolved == (repo.root / SCHEMA_FILE).resolve():
        return "schema"
    return "team" if resolved == (repo.root / TEAM_FILE).resolve() else "customer"


def _format_schema(repo: Repo, name: str, raw: bytes) -> Formatted | None:
    """The customer schema with what editors read written from each vocabulary's terms (repo.schema.editor_schema):
    only those keywords change, and only when they are behind; any other layout of the file is left as it is."""
    try:
        data = json.loads(raw)
    except ValueError:
        _error(repo, KehuError(repo.msgs.word("fmt.schema_broken", file=name), repo.msgs.word("fmt.schema_hint")))
        return None
    wanted = editor_schema(data, repo.msgs.code) if isinstance(data, dict) else data
    if wanted == data:
        return Formatted(name, raw, raw)
    return Formatted(name, raw, (json.dumps(wanted, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _format_one(repo: Repo, path: Path, m: Locale) -> Formatted | None:
    """Format one file in memory; print a one-line error and return None when that is impossible."""
    name = file_name(repo.root, path)
    kind = _kind(repo, path)
    if kind is None:
        _error(repo, KehuError(m.word("fmt.config", file=name), m.word("fmt.config_hint")))
        return None
    if kind == "customer" and os.path.lexists(path) and repo.customer_file(path) is None:
        # never follow a link or write outside customers/; never open a FIFO (it would hang)
        _error(repo, KehuError(m.word("fmt.not_customer", file=name), m.word("fmt.not_customer_hint")))
        return None
    if kind in ("team", "schema") and not is_plain_file(path):
        _error(repo, KehuError(m.word("fmt.not_customer", file=name), m.word("fmt.not_customer_hint")))
        return None
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        _error(repo, KehuError(m.word("fmt.missing", file=name), m.word("fmt.missing_hint")))
        return None
    except OSError as e:
        _error(repo, KehuError(f"{e.strerror or e}", file=name))
        return None
    if kind == "schema":
        return _format_schema(repo, name, raw)
    try:
        return format_bytes(name, raw, repo.schemas, kind, repo.msgs, repo.config.check.max_file_bytes)
    except StoreError as e:
        _error(repo, e)
        return None


@click.command("fmt")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True)
@click.pass_obj
@locked
def command(obj: RunOptions, files: tuple[Path, ...], check: bool) -> None:
    repo = repo_from(obj)
    m = repo.msgs
    changed: list[str] = []
    failed = 0
    targets = _targets(repo, files)
    for path in targets:
        result = _format_one(repo, path, m)
        if result is None:
            failed += 1
            continue
        if not result.changed:
            continue
        changed.append(result.file)
        if check:
            echo(m.word("fmt.would", file=result.file))
        else:
            atomic_write(path, result.new.decode("utf-8"))
            echo(m.word("fmt.formatted", file=result.file))
    ok = len(targets) - failed
    if check:
        echo(m.word("fmt.check_bad", n=len(changed)) if changed else m.word("fmt.check_ok", total=ok))
        if changed:
            echo(f"    → {m.word('fmt.check_hint')}")
    else:
        echo(m.word("fmt.done", n=len(changed), same=ok - len(changed)))
    if failed:
        echo(m.word("fmt.failed", n=failed))
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(1 if check and changed else 0)
