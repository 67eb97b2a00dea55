"""kehu history CUSTOMER — the audit trail of one customer: who changed which fields when.

Each commit's version of the file is read with the strict loader and compared
with the version before it as data, field by field — not as a text diff:

    2024-05-20 lixia a1b2c3d: stage quoted → negotiating; interactions +1 (2024-05-19 call lixia: 沟通…)

A merge commit only shows what neither side had (a conflict resolved by hand);
what a branch brought in was already shown at the branch's own commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from ..edits import CommandError, guarded, refuse, require_sound_repo
from ..gitinfo import Revision, is_git_repo, revisions
from ..identity import identity_of, identity_text
from ..messages import CATALOGUE
from ..privacy import mask_email, mask_phone
from ..repo import Repo
from ..yamlload import load_yaml_bytes
from ._common import repo_from
from .show import tr

CATALOGUE.update({
    "cli-not-git": {
        "en": ("{root} is not a git repository, so there is no history", "history comes from git: `git init` and "
               "commit the customer files"),
        "zh": ("{root} 不是 git 仓库，没有历史记录", "历史来自 git：请 `git init` 并提交客户文件"),
    },
})

MISSING = object()
SUMMARY_CHARS = 40

@dataclass(slots=True)
class Change:
    field: str
    kind: str                 # set | add | remove | edit
    old: Any = None
    new: Any = None
    ident: str = ""           # edit: which item of the list
    sub: str = ""             # edit: which field of the item


# --- comparing two versions of the data ------------------------------------------------------


def _records(value: Any) -> list[dict] | None:
    if isinstance(value, list) and all(isinstance(x, dict) for x in value):
        return value
    return None


def _match(old: list[dict], new: list[dict], key: Callable[[dict], Any]) -> tuple[list, list, list]:
    """(pairs with the same identity but different content, added items, removed items)."""
    left, right = list(old), list(new)
    for item in list(right):  # identical items cancel out first (duplicates counted)
        if item in left:
            left.remove(item)
            right.remove(item)
    pairs = []
    for item in list(right):
        same = next((o for o in left if key(o) == key(item)), None)
        if same is not None:
            left.remove(same)
            right.remove(item)
            pairs.append((same, item))
    return pairs, right, left


def _ident(field: str, item: dict) -> str:
    return identity_text(field, item)


def diff(old: dict | None, new: dict | None, order: list[str]) -> list[Change]:
    old, new = old or {}, new or {}
    keys = [k for k in order if k in old or k in new] + sorted(k for k in {*old, *new} if k not in order)
    out: list[Change] = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if a == b or (a in (None, "", []) and b in (None, "", [])):
            continue  # absent, null and empty all say "nothing recorded"
        ra, rb = _records([] if a is None else a), _records([] if b is None else b)
        if ra is not None and rb is not None and (ra or rb):
            pairs, added, removed = _match(ra, rb, lambda x, key=key: identity_of(key, x))
            for before, after in pairs:
                for sub in [*before, *(k for k in after if k not in before)]:
                    if before.get(sub, MISSING) != after.get(sub, MISSING):
                        out.append(Change(key, "edit", before.get(sub, MISSING), after.get(sub, MISSING),
                                          _ident(key, after), sub))
            out.extend(Change(key, "add", new=x) for x in added)
            out.extend(Change(key, "remove", old=x) for x in removed)
        elif isinstance(a, list) and isinstance(b, list):
            out.extend(Change(key, "add", new=x) for x in b if x not in a)
            out.extend(Change(key, "remove", old=x) for x in a if x not in b)
        else:
            out.append(Change(key, "set", a, b))
    return out


def brought_in(change: Change, other: dict | None) -> bool:
    """Whether a merge's change is just what the other parent already had."""
    other = other or {}
    value = other.get(change.field, MISSING)
    if change.kind == "set":
        return value == change.new
    items = value if isinstance(value, list) else []
    if change.kind == "add":
        return change.new in items
    if change.kind == "remove":
        return change.old not in items
    for item in _records(items) or []:
        if _ident(change.field, item) == change.ident and item.get(change.sub, MISSING) == change.new:
            return True
    return False


# --- words ---------------------------------------------------------------------------------------


def _value(v: Any, field: str = "", sub: str = "", internal: bool = False) -> str:
    if v is MISSING or v is None or v == "":
        return "∅"
    if not internal and sub == "phone":
        return mask_phone(str(v))
    if not internal and sub == "email":
        return mask_email(str(v))
    if isinstance(v, dict):
        return " ".join(_value(x, field, k, internal) for k, x in v.items())
    if isinstance(v, list):
        return "[" + ", ".join(_value(x, field, "", internal) for x in v) + "]"
    text = " ".join(str(v).split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def item_text(field: str, x: Any, internal: bool) -> str:
    if not isinstance(x, dict):
        return _value(x, field, "", internal)
    if field == "interactions":
        return f"{x.get('date')} {x.get('channel')} {x.get('by')}: {_value(x.get('summary'))}"
    if field == "complaints":
        return f"{x.get('date')} {x.get('category') or ''} {_value(x.get('content'))} [{x.get('status')}]".replace(
            "  ", " ")
    if field == "contacts":
        return " ".join(_value(x.get(k), field, k, internal) for k in ("name", "title", "phone", "email") if x.get(k))
    return _value(x, field, "", internal)


def describe(changes: list[Change], internal: bool) -> list[str]:
    """One phrase per changed field: 'stage quoted → negotiating', 'interactions +1 (…)'."""
    phrases: list[str] = []
    fields: dict[str, list[Change]] = {}
    for ch in changes:
        fields.setdefault(ch.field, []).append(ch)
    for field, group in fields.items():
        parts = []
        adds = [c for c in group if c.kind == "add"]
        removes = [c for c in group if c.kind == "remove"]
        for c in group:
            if c.kind == "set":
                old, new = _value(c.old, field, field, internal), _value(c.new, field, field, internal)
                parts.append(f"{field} {old} → {new}")
            elif c.kind == "edit":
                parts.append(f"{field}[{c.ident}].{c.sub} {_value(c.old, field, c.sub, internal)} → "
                             f"{_value(c.new, field, c.sub, internal)}")
        if adds:
            parts.append(f"{field} +{len(adds)} (" + "; ".join(item_text(field, c.new, internal) for c in adds) + ")")
        if removes:
            parts.append(f"{field} -{len(removes)} (" + "; ".join(item_text(field, c.old, internal) for c in removes)
                         + ")")
        phrases.extend(parts)
    return phrases


# --- the trail -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Entry:
    commit: str
    date: str
    author: str
    subject: str
    merge: bool
    changes: list[str]


def _data(repo: Repo, name: str, raw: bytes | None) -> tuple[dict | None, str]:
    """The file's data (None when absent) and, for a version that does not load, the first problem."""
    if raw is None:
        return None, ""
    loaded = load_yaml_bytes(name, raw, repo.msgs)
    if loaded.problems or not isinstance(loaded.data, dict):
        first = loaded.problems[0] if loaded.problems else None
        return None, f"{first.line}:{first.col} {first.message}" if first else "?"
    return loaded.data, ""


def trail(repo: Repo, revs: list[Revision], internal: bool) -> list[Entry]:
    order = repo.schemas.field_order()
    out: list[Entry] = []
    for rev in revs:
        name = rev.path or ""
        new, broken = _data(repo, name, rev.raw)
        parents = [_data(repo, name, raw)[0] for raw in rev.parent_raw] or [None]
        if broken:
            phrases = [tr(repo, f"文件无法读取（{broken}）", f"file does not load ({broken})")]
        elif rev.raw is None:
            phrases = [tr(repo, "删除了文件", "deleted the file")]
        elif parents[0] is None and not rev.is_merge:
            phrases = [tr(repo, f"创建：{new.get('name')}（stage {new.get('stage')}，owner {new.get('owner')}）",
                          f"created: {new.get('name')} (stage {new.get('stage')}, owner {new.get('owner')})")]
        else:
            changes = diff(parents[0], new, order)
            if rev.is_merge:
                changes = [c for c in changes if not any(brought_in(c, p) for p in parents[1:])]
                if not changes:
                    continue
            phrases = describe(changes, internal)
            if rev.path and rev.parent_path and rev.path != rev.parent_path:
                phrases.insert(0, tr(repo, f"改名：{rev.parent_path} → {rev.path}",
                                     f"renamed {rev.parent_path} → {rev.path}"))
            if not phrases:
                phrases = [tr(repo, "仅格式变化", "formatting only")]
        out.append(Entry(rev.commit, rev.date, rev.author, rev.subject, rev.is_merge, phrases))
    return out


def line_of(repo: Repo, e: Entry) -> str:
    where = e.commit[:7] if e.commit else tr(repo, "未提交", "uncommitted")
    merge = tr(repo, "（合并）", " (merge)") if e.merge else ""
    return f"{e.date} {e.author} {where}{merge}: " + "; ".join(e.changes)


@click.command("history")
@click.argument("customer")
@click.option("--internal", is_flag=True, help="Show phone numbers and emails unmasked.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@guarded
def command(obj: dict, customer: str, internal: bool, fmt: str) -> None:
    """Who changed which fields of CUSTOMER when, from git history, oldest first."""
    from ..lookup import resolve

    repo = repo_from(obj)
    require_sound_repo(repo)
    path = resolve(repo, customer)
    if not is_git_repo(repo.root):
        raise refuse(repo.msgs, "cli-not-git", root=repo.root.name)
    try:
        entries = trail(repo, revisions(repo, path), internal)
    except (OSError, ValueError) as e:  # git missing or its output not understood
        raise CommandError(str(e)) from None
    if fmt == "json":
        click.echo(json.dumps([{"commit": e.commit, "date": e.date, "author": e.author, "subject": e.subject,
                                "merge": e.merge, "changes": e.changes} for e in entries],
                              ensure_ascii=False, indent=2))
        return
    for e in entries:
        click.echo(line_of(repo, e))
