"""Erasure of a person's data (PIPL gives people the right to deletion), done honestly.

``kehu forget ID`` deletes the customer's file and records a tombstone in kehu.yaml
(``forgotten:`` — id, date, who, why; no personal data), so the id is never reused and
``kehu check --against`` tells an erasure from a lost file. ``--contact NAME`` removes
one contact and puts the erasure mark where their name, phone, email or WeChat appeared
in the customer's records, adding a tombstone to the customer (``forgotten:``).

Either way git history still holds the data: the command says so and prints the exact
commands that rewrite history, and what every clone must do afterwards.
"""

from __future__ import annotations

from typing import Any

from ..repo.config import CONFIG_FILE
from ..repo.repository import Repo
from ..store.mapedit import yaml_date


def forgotten_ids(repo: Repo, commit: str | None = None) -> dict[str, str]:
    """Customers erased by ``kehu forget`` (kehu.yaml ``forgotten:``): id -> the reason given; from the
    working tree's kehu.yaml, or from the one of *commit*."""
    entries: Any = [{"id": e.id, "reason": e.reason} for e in repo.config.forgotten]
    if commit:
        from ..repo.gitinfo import blobs
        from ..repo.yamlload import load_yaml_bytes

        raw = blobs(repo.root, [f"{commit}:{CONFIG_FILE}"])[0]
        data = load_yaml_bytes(CONFIG_FILE, raw, repo.msgs).data if raw else None
        entries = data.get("forgotten") if isinstance(data, dict) else []
    return {str(e.get("id")): str(e.get("reason") or "") for e in entries or [] if isinstance(e, dict)
            and e.get("id")}


def mark(repo: Repo) -> str:
    return repo.msgs.word("chg.forget_word")


def personal_values(contact: dict[str, Any]) -> list[str]:
    """What identifies the person: name, phone, email, WeChat (longest first, so a name inside an
    email address is not replaced before the address)."""
    values = {str(contact.get(k)).strip() for k in ("name", "phone", "email", "wechat") if contact.get(k)}
    return sorted((v for v in values if v), key=len, reverse=True)


def scrub(value: Any, secrets: list[str], replacement: str) -> tuple[Any, int]:
    """The value with every secret replaced (recursively, in place for mappings and lists), and how many
    strings changed."""
    if isinstance(value, str):
        new = value
        for s in secrets:
            new = new.replace(s, replacement)
        return new, int(new != value)
    changed = 0
    if isinstance(value, dict):
        for k in list(value):
            value[k], n = scrub(value[k], secrets, replacement)
            changed += n
    elif isinstance(value, list):
        for i, x in enumerate(value):
            value[i], n = scrub(x, secrets, replacement)
            changed += n
    return value, changed


def tombstone(repo: Repo, by: str, reason: str, what: str, ident: str | None = None) -> dict[str, Any]:
    from ..store.mapedit import entry

    pairs: list[tuple[str, Any]] = [("date", yaml_date(repo.config.today)), ("by", by), ("what", what)]
    if ident:
        pairs.insert(0, ("id", ident))
    pairs.append(("reason", reason))
    return entry(pairs)


def record_in_config(repo: Repo, item: dict[str, Any]) -> None:
    """Append a customer tombstone to kehu.yaml's ``forgotten:`` (round trip, atomic)."""
    from ruamel.yaml.comments import CommentedSeq

    from ..store.write import dumper, load_roundtrip
    from ..util.atomic import atomic_write

    path = repo.root / CONFIG_FILE
    if path.is_file():
        data = load_roundtrip(path, repo)
    else:
        from ruamel.yaml.comments import CommentedMap

        data = CommentedMap()
    seq = data.get("forgotten")
    if not isinstance(seq, list):
        seq = CommentedSeq()
        data["forgotten"] = seq
    seq.append({k: v for k, v in item.items() if k != "what"})
    import io

    buf = io.StringIO()
    dumper().dump(data, buf)
    atomic_write(path, buf.getvalue())


def history_commands(files: list[str], secrets: list[str], replacement: str) -> list[str]:
    """The commands that remove the data from every commit (git filter-repo), then publish that."""
    lines = ["python -m pip install git-filter-repo"]
    if files:
        lines.append("git filter-repo --sensitive-data-removal --invert-paths " +
                     " ".join(f"--path {f}" for f in files))
    if secrets:
        lines.append("git filter-repo --sensitive-data-removal --replace-text ../erase.txt")
    lines.append("git push --force --mirror origin")
    return lines


def expressions_file(secrets: list[str], replacement: str) -> str:
    """The --replace-text file: one 'literal==>replacement' line per value (kept outside the repository)."""
    return "".join(f"{s}==>{replacement}\n" for s in secrets)

