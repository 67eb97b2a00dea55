"""kehu merge KEEP DROP — two customer files that describe one customer become one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..words.terminal import echo
from ._common import RunOptions, fail, locked, repo_from

if TYPE_CHECKING:
    from ..repo.repository import Repo
    from ..util.problems import Problem


@click.command("merge")
@click.argument("keep")
@click.argument("drop")
@click.pass_obj
@locked
def command(obj: RunOptions, keep: str, drop: str) -> None:
    from ..book.checker import check_customer_bytes
    from ..book.loader import open_book
    from ..repo.files import file_name
    from ..store.dedupe import merge_records, rules_for
    from ..store.transaction import require_sound_repo
    from ..store.write import dump, load_roundtrip, save_customer
    from ..util.problems import Severity

    repo = repo_from(obj)
    msgs = repo.msgs
    require_sound_repo(repo)
    book = open_book(repo)
    keep_path, drop_path = book.resolve(keep), book.resolve(drop)
    if keep_path.resolve() == drop_path.resolve():
        message, hint = msgs.text("merge-same", id=keep_path.stem)
        fail(message, hint)
    keep_doc, drop_doc = load_roundtrip(keep_path, repo), load_roundtrip(drop_path, repo)
    keep_id, drop_id = str(keep_doc.get("id") or keep_path.stem), str(drop_doc.get("id") or drop_path.stem)
    rules = rules_for(repo, msgs.word("note_merge", id=drop_id), further_stage=True)
    # DROP's id lives on in KEEP's notes: a later import of a sheet that still names DROP finds KEEP
    drop_doc["notes"] = "\n".join(x for x in (str(drop_doc.get("notes") or "").rstrip("\n"),
                                              msgs.word("note_old_id", value=drop_id)) if x)
    stats = merge_records(keep_doc, drop_doc, rules)
    keep_name = file_name(repo.root, keep_path)
    problems, _ = check_customer_bytes(repo, keep_name, dump(keep_doc, repo.schemas).encode("utf-8"))
    errors = [p for p in problems if p.severity is Severity.ERROR] + _new_duplicates(repo, keep_path, drop_path,
                                                                                      keep_doc)
    if errors:
        p = errors[0]
        fail(msgs.line("merge-refused", where=f"{p.file}:{p.line}:{p.col}", message=p.message, hint=p.hint))
    refused = save_customer(repo, keep_path, keep_doc)
    if refused:
        p = refused[0]
        fail(msgs.line("merge-refused", where=f"{p.file}:{p.line}:{p.col}", message=p.message, hint=p.hint))
    drop_path.unlink()
    lines = [msgs.word("merge.title", drop=drop_id, keep=keep_id, name=keep_doc.get("name")), ""]
    added = [msgs.word("merge.count", what=rules.title(k), n=stats.added[k])
             for k in ("contacts", "interactions", "deals", "opportunities", "surveys", "complaints", "tags", "risks")
             if stats.added.get(k)]
    lines.append(msgs.word("merge.added", what=msgs.join(added) if added else msgs.word("merge.nothing_added")))
    if stats.filled:
        lines.append(msgs.word("merge.filled", fields=msgs.word("sep").join(rules.title(f) for f in stats.filled)))
    for field, was, taken in stats.advanced:
        lines.append(msgs.word("merge.advanced", field=rules.title(field), value=rules.show(field, taken),
                               drop=drop_id, was=rules.show(field, was), keep=keep_id))
    for field, kept, other in stats.conflicts:
        lines.append(msgs.word("merge.conflict", keep=keep_id, drop=drop_id, field=rules.title(field),
                          value=rules.show(field, kept), other=rules.show(field, other)))
    lines.append(msgs.word("merge.deleted", file=file_name(repo.root, drop_path)))
    echo("\n".join(lines))


def _new_duplicates(repo: Repo, keep_path: Path, drop_path: Path, keep_doc: Any) -> list[Problem]:
    """Cross-file errors the merged KEEP would have with a third file that neither KEEP nor DROP
    had before (a third copy of the customer is listed by `kehu dedupe`, not a reason to refuse)."""
    import datetime as dt

    from ..core.rules import index_entry, repo_rules
    from ..repo.files import file_name
    from ..repo.yamlload import LoadedYaml
    from ..store.dedupe import repo_entries
    from ..util.problems import Severity

    def plain(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v.isoformat() if isinstance(v, dt.date) else (str(v) if isinstance(v, str) else v)

    keep_name, drop_name = file_name(repo.root, keep_path), file_name(repo.root, drop_path)
    entries = repo_entries(repo)
    before = repo_rules(entries, {keep_name, drop_name}, repo.config, repo.msgs)
    had = {f for p in before for f in p.related}
    merged = index_entry(LoadedYaml(keep_name, plain(keep_doc)), repo.config)
    after_entries = [e for e in entries if e.file not in (keep_name, drop_name)] + [merged]
    after = repo_rules(after_entries, {keep_name}, repo.config, repo.msgs)
    return [p for p in after if p.severity is Severity.ERROR and not set(p.related) <= had]
