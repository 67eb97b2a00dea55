"""The book as git holds it: a customer file's version in a commit, and the customers of a commit.

`kehu history`, `kehu diff` (the review), `kehu check --against` (the audit) and the monthly review read
past versions of the files; they read them here, with the one strict loader and today's schema, so a
version loads (or fails, with its first problem) the same way for each of them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..repo.gitinfo import blobs
from ..repo.model import Customer, customer_from
from ..repo.repository import Repo
from ..repo.yamlload import LoadedYaml, load_yaml_bytes
from ..util.gitcmd import git


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a customer file: its data when it loads as a mapping, else the first problem."""

    loaded: LoadedYaml | None
    problem: str = ""     # "line:col message" of the first problem of a version that does not load

    @property
    def data(self) -> dict[str, Any] | None:
        return self.loaded.data if self.loaded is not None else None


def version(repo: Repo, name: str | None, raw: bytes | None) -> Version:
    """The version ``raw`` of file ``name`` (None: the file is absent in it)."""
    if raw is None or name is None:
        return Version(None)
    loaded = load_yaml_bytes(name, raw, repo.msgs)
    if loaded.problems or not isinstance(loaded.data, dict):
        first = loaded.problems[0] if loaded.problems else None
        return Version(None, f"{first.line}:{first.col} {first.message}" if first else "?")
    return Version(loaded)


def blob_id(raw: bytes) -> str:
    """The id git gives these bytes as a blob (so a file unchanged since a commit is recognised unread)."""
    return hashlib.sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


def customers_at(repo: Repo, commit: str | None, known: dict[str, Customer] | None = None) -> list[Customer]:
    """The customers of ``customers/`` in ``commit`` that pass today's schema (others are left out). ``known``:
    customers already parsed, by blob id — a file that has not changed since is not parsed again."""
    if commit is None:
        return []
    listing = git(repo.root, "ls-tree", "-r", commit, "--", "customers/")
    entries = []  # (blob id, path)
    for line in listing.out.split("\n") if listing.ok else []:
        meta, _, name = line.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and name.endswith((".yaml", ".yml")):
            entries.append((parts[2], name))
    known = known or {}
    out = [known[sha] for sha, _ in entries if sha in known]
    unread = [(sha, name) for sha, name in entries if sha not in known]
    limit = repo.config.check.max_file_bytes
    for (_, name), raw in zip(unread, blobs(repo.root, [f"{commit}:{n}" for _, n in unread]), strict=True):
        if raw is None:
            continue
        loaded = load_yaml_bytes(name, raw, repo.msgs, limit)
        if loaded.problems or not isinstance(loaded.data, dict) or repo.schemas.validate("customer", loaded,
                                                                                          repo.msgs):
            continue
        out.append(customer_from(loaded))
    return out


def known_customers(repo: Repo, customers: list[Customer]) -> dict[str, Customer]:
    """The customers as loaded now, by the blob id of their file's bytes."""
    out = {}
    for c in customers:
        try:
            out[blob_id((repo.root / c.file).read_bytes())] = c
        except OSError:
            continue
    return out
