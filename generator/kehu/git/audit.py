"""The record of what happened is append-only: ``kehu check --against BASE``.

Against the version a pull request started from, every past interaction, survey, resolved
complaint and signed deal must still be there, unchanged — unless the same change adds a
visible correction to the customer (``corrections:`` — which entry, who, when, why; the
profile page shows it), or ``kehu forget`` erased a person's data (a tombstone in
``forgotten:``; a rewritten value then holds the erasure mark, nothing else). A customer file
holding such records may only disappear into another customer (``kehu merge``) or by
``kehu forget`` (its id in kehu.yaml ``forgotten:``).
"""

from __future__ import annotations

from typing import Any

from ..book.versions import version
from ..core.changes import MISSING, Change, diff
from ..core.identity import PROTECTED, identity_of, plain
from ..repo.gitinfo import FilePair
from ..repo.repository import Repo
from ..repo.yamlload import LoadedYaml
from ..util.problems import Problem
from .review import FORGOTTEN_MARKS, ChangeDescriber, is_past_record


def entry_key(field: str, item: Any) -> str:
    """How a correction names an entry: its date; a deal its contract number (or signing date)."""
    if not isinstance(item, dict):
        return ""
    if field == "deals":
        return str(plain(item.get("contract") or item.get("signed") or ""))
    return str(plain(item.get("date") or ""))


def _new(head: dict[str, Any], base: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    """Entries of ``key`` that *head* has and *base* has not: only what this change adds counts."""
    before = [plain(x) for x in (base or {}).get(key) or []]
    return [x for x in head.get(key) or [] if isinstance(x, dict) and plain(x) not in before]


def _corrected(field: str, item: Any, corrections: list[dict[str, Any]]) -> bool:
    key = entry_key(field, item)
    alt = str(plain(item.get("signed") or "")) if field == "deals" and isinstance(item, dict) else key
    return any(c.get("field") == field and str(plain(c.get("entry"))) in (key, alt) for c in corrections)


def _erased(value: Any) -> bool:
    if value is MISSING or value in (None, ""):
        return True
    return any(mark in str(value) for mark in FORGOTTEN_MARKS)


def _load(file: str | None, raw: bytes | None, repo: Repo) -> LoadedYaml | None:
    return version(repo, file, raw).loaded


def _records_of(data: dict[str, Any]) -> set[Any]:
    return {identity_of(f, x) for f in PROTECTED for x in data.get(f) or [] if is_past_record(f, x)}


def history_problems(repo: Repo, pairs: list[FilePair], base_label: str,
                     erased_ids: dict[str, str] | set[str]) -> list[Problem]:
    """Errors for every past record removed or rewritten between the two sides of *pairs* without a
    correction or tombstone added by the same change; *erased_ids* are customers `kehu forget` removed."""
    words = ChangeDescriber(repo)
    msgs = repo.msgs
    order = repo.schemas.field_order()
    loaded = [(p, _load(p.old_path, p.old_raw, repo), _load(p.new_path, p.new_raw, repo)) for p in pairs]
    kept: set[Any] = set()
    for _, _, new in loaded:
        if new is not None:
            kept |= {identity_of(f, x) for f in PROTECTED for x in new.data.get(f) or []}
    out: list[Problem] = []
    for p, old, new in loaded:
        if old is None:
            continue  # a new file, or a version that does not load (kehu check reports that)
        base = old.data
        ident = str(base.get("id") or "")
        customer = msgs.word("name_id", name=words.value(base.get('name')), id=ident)
        if p.new_raw is None:
            past = _records_of(base)
            if past and ident not in erased_ids and not past <= kept:
                out.append(msgs.error(old.file, 1, 1, "history-file-deleted", customer=customer, id=ident,
                                      base=base_label, path=p.old_path))
            continue
        if new is None:
            continue
        head = new.data
        corrections = _new(head, base, "corrections")
        tombstones = _new(head, base, "forgotten")
        rewrites: dict[tuple[str, int], list[Change]] = {}
        for c in diff(base, head, order):
            if c.field not in PROTECTED:
                continue
            if c.kind == "remove" and is_past_record(c.field, c.old):
                if _corrected(c.field, c.old, corrections):
                    continue
                line = _old_line(old, c.field, c.index)
                at = new.pos((c.field,), key=True)
                out.append(msgs.error(new.file, at[0], at[1], "history-removed", customer=customer,
                                      what=words.what(c.field), entry=words.entry(c.field, c.old), base_line=line,
                                      base=base_label, field=c.field, key=entry_key(c.field, c.old)))
            elif c.kind == "edit" and is_past_record(c.field, c.before):
                rewrites.setdefault((c.field, c.index), []).append(c)
        for (field, index), group in rewrites.items():
            before = group[0].before
            if _corrected(field, before, corrections):
                continue
            if tombstones and all(_erased(c.new) for c in group):
                continue
            d = words.entry_def(field)
            for c in group:
                if tombstones and _erased(c.new):
                    continue
                at = new.pos((field, index, c.sub)) if c.new is not MISSING else new.pos((field, index))
                out.append(msgs.error(new.file, at[0], at[1], "history-rewritten", customer=customer,
                                      what=words.what(field), entry=words.entry(field, before),
                                      sub=words.words.field(c.sub, d), old=words.value(c.old, c.sub, d),
                                      new=words.value(c.new, c.sub, d), field=field, key=entry_key(field, before)))
    return out


def _old_line(old: LoadedYaml, field: str, index: int) -> int:
    return old.pos((field, index))[0] if index >= 0 else old.pos((field,))[0]
