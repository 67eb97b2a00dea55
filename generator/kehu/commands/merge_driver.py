"""kehu merge-driver %O %A %B — git's merge driver for customer files.

Installed by ``kehu init``: ``.gitattributes`` says ``customers/*.yaml merge=kehu``
and ``git config merge.kehu.driver "kehu merge-driver %O %A %B"``. Git passes the
ancestor (%O), our version (%A, which receives the result) and theirs (%B).

Exit 0: merged cleanly, %A holds the result in canonical layout.
Exit 1: a conflict; %A holds the merged file with git-style conflict markers only
around the fields both sides changed differently, so git reports a conflict and the
person resolves just those lines. A file that does not parse falls back to git's own
line merge (``git merge-file``), i.e. the conflict git would have given anyway.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from ..config import SCHEMA_DIR
from ..merge import MISSING, MergeResult, merge_documents, plain, render_conflicts
from ..repo import find_root
from ..schema import SchemaSet

EXIT_CONFLICT = 1


def _load(path: Path):  # -> ruamel data or None for an empty file
    from .. import store

    if path.stat().st_size == 0 or not path.read_bytes().strip():
        return None  # git passes an empty ancestor when both sides added the file
    return store.load_roundtrip(path)


def _schemas() -> SchemaSet:
    """The repository's schemas (git runs drivers at the top of the work tree): its key order is the layout."""
    folder = find_root(Path.cwd()) / SCHEMA_DIR
    return SchemaSet(folder if folder.is_dir() else None)


def _line_merge(ours: Path, base: Path, theirs: Path, size: int) -> None:
    """git's own line merge into %A: the conflict git would have reported without us."""
    subprocess.run(["git", "merge-file", f"--marker-size={size}", "-L", "ours", "-L", "base", "-L", "theirs",
                    str(ours), str(base), str(theirs)], check=False, capture_output=True)


def _say(message: str) -> None:
    click.echo(f"kehu merge-driver: {message}", err=True)


def _describe(result: MergeResult) -> str:
    parts = []
    for c in result.conflicts:
        ours = c.container.get(c.key, MISSING) if hasattr(c.container, "get") else c.container[c.key]
        parts.append(f"{c.path} (ours: {_shown(ours)}, theirs: {_shown(c.theirs)})")
    return "; ".join(parts)


def _shown(value: object) -> str:
    return "(deleted)" if value is MISSING else repr(plain(value))


@click.command("merge-driver")
@click.argument("base", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("ours", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("name", required=False, default=None)
@click.option("--marker-size", type=click.IntRange(3, 64), default=7, show_default=True,
              help="Length of the conflict markers (git's %L).")
def command(base: Path, ours: Path, theirs: Path, name: str | None, marker_size: int) -> None:
    """Three-way merge of a customer file (git merge driver; see `kehu init`).

    BASE, OURS and THEIRS are git's %O %A %B; the result is written to OURS.
    NAME (git's %P) is only used in messages."""
    from .. import store

    label = name or "customer file"
    try:
        data = [_load(p) for p in (base, ours, theirs)]
        if data[1] is None or data[2] is None:
            raise ValueError("one side is empty")
        result = merge_documents(data[0], data[1], data[2])
    except Exception as e:  # any unreadable input: leave it to git's line merge
        _say(f"{label}: cannot merge as data ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
             "falling back to git's line merge")
        _line_merge(ours, base, theirs, marker_size)
        sys.exit(EXIT_CONFLICT)
    schemas = _schemas()

    def dump(data: object) -> str:
        return store.dump(data, schemas)

    if result.clean:
        store.atomic_write(ours, dump(result.data))
        return
    _say(f"{label}: both sides changed {_describe(result)}")
    store.atomic_write(ours, render_conflicts(result, dump, marker_size))
    sys.exit(EXIT_CONFLICT)
