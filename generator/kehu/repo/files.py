"""The customer files of a repository: how a file is named, which customer files there are, and their bytes.

One directory scan lists them — every reader of the customers (``kehu check``, the book index, the site,
lookup, dedupe, import, ``kehu fmt``, CODEOWNERS) starts here; a link, a folder or a special file named like
one is reported, never read (a FIFO would hang the reader). One function names a file in every message, in
the cache and to git (:func:`file_name`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .config import CUSTOMERS_DIR
from .repository import Repo


def file_name(root: Path, path: Path | str) -> str:
    """How a file is named in messages, in the cache and to git: relative to the repository, with "/"
    (``customers/C20240501001.yaml``).

    Only the folder is resolved, not the file: a file named on the command line and the same file found by
    listing customers/ always get the same name, and a link is named as itself, never as what it points to.
    """
    path = Path(path)
    folder = os.path.realpath(path.parent)
    try:
        name = os.path.relpath(os.path.join(folder, path.name), root)
    except ValueError:  # another drive (Windows)
        return str(path)
    return name if os.sep == "/" else name.replace(os.sep, "/")


def file_names(root: Path, paths: Iterable[Path]) -> list[str]:
    """:func:`file_name` of many files at one moment, each folder resolved once (an import names 10,000 files,
    all in customers/: one ``realpath`` — a system call a folder level — instead of 10,000)."""
    folders: dict[Path, str] = {}
    out = []
    for path in paths:
        folder = folders.get(path.parent)
        if folder is None:
            folder = folders[path.parent] = os.path.realpath(path.parent)
        try:
            name = os.path.relpath(os.path.join(folder, path.name), root)
        except ValueError:  # another drive (Windows)
            out.append(str(path))
            continue
        out.append(name if os.sep == "/" else name.replace(os.sep, "/"))
    return out


def customer_listing(repo: Repo) -> dict[str, str]:
    """name (:func:`file_name`) -> path of every customer file: the regular files named *.yaml or *.yml
    directly in customers/, in name order — one directory scan, no stat per file."""
    return customer_scan(repo.root)[0]


def customer_scan(root: Path) -> tuple[dict[str, str], list[str]]:
    """The customer files of the repository at ``root`` (name -> path) and the names of what looks like one
    but is a link, a folder or a special file (a FIFO would hang the reader), or whose name is not printable (a line
    break in it): those are reported, never read."""
    folder = root / CUSTOMERS_DIR
    if folder.is_symlink():
        return {}, [CUSTOMERS_DIR]
    try:
        with os.scandir(folder) as it:
            entries = sorted((e.name, e.path, e.is_file(follow_symlinks=False)) for e in it if _is_yaml_name(e.name))
    except OSError:
        return {}, []
    prefix = file_name(root, folder / "x")[:-1]  # "customers/": every name shares the folder's
    return ({prefix + name: path for name, path, plain in entries if plain and name.isprintable()},
            [prefix + name for name, _, plain in entries if not plain or not name.isprintable()])


def odd_file_code(name: str) -> str:
    """Why a file named like a customer file is none: its name holds a line break or another character that
    is not printable (it would end a line of every report, and start a CI workflow command of its own), or it
    is a link, a folder or a special file."""
    return "not-regular-file" if name.isprintable() else "bad-file-name"


def _is_yaml_name(name: str) -> bool:
    """What Path(name).suffix in (".yaml", ".yml") says, without a Path per file ('.yaml' has no suffix)."""
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1 and name[dot:] in (".yaml", ".yml")


def read_file(name: str, path: str, repo: Repo) -> bytes | dict[str, object]:
    """The file's bytes, or the problem saying why it cannot be read.

    Plain os calls: a warm check reads every customer file, and the io layer's
    objects cost more than the reading itself."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(fd)
    except OSError as e:
        return repo.msgs.error(name, 1, 1, "cannot-read", detail=e.strerror or str(e)).as_dict()
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
