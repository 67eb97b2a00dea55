"""kehu renumber OLD [NEW] — give a customer another id (file, ``id``, references).

For repairing a collision (two files that claim one id) or adopting legacy ids. Without NEW the
next free id comes from :mod:`kehu.store.ids` (the customer's creation date, your member code). The old
id is noted in the customer's notes, kehu.yaml's ``check.not_duplicates`` follows, and in a git
repository the rename is staged (``git rm`` / ``git add``) so the commit shows it as one change.
"""

from __future__ import annotations

import re

import click

from ..words.terminal import echo
from ._common import RunOptions, locked, repo_from

# errors a renumber exists to repair: the file is otherwise sound
ID_CODES = {"id-pattern", "id-filename", "id-duplicate"}


@click.command("renumber")
@click.argument("old")
@click.argument("new", required=False)
@click.pass_obj
@locked
def command(obj: RunOptions, old: str, new: str | None) -> None:
    from ..book.checker import check_customer_bytes
    from ..book.loader import open_book
    from ..repo.files import file_name
    from ..repo.gitinfo import handle_for_email, ids_in_history, is_git_repo, user_email
    from ..repo.model import as_date
    from ..store.ids import Allocator
    from ..store.renumber import follow_in_config, with_new_id
    from ..store.transaction import require_sound_repo
    from ..store.write import load_roundtrip, save_customer
    from ..util.errors import refuse
    from ..util.gitcmd import git
    from ..util.problems import Severity

    repo = repo_from(obj)
    msgs = repo.msgs
    require_sound_repo(repo)
    path = open_book(repo).resolve(old)
    name = file_name(repo.root, path)
    problems, _ = check_customer_bytes(repo, name, path.read_bytes())
    errors = [p for p in problems if p.severity is Severity.ERROR and p.code not in ID_CODES]
    if errors:
        raise refuse(msgs, "cli-file-invalid", file=name, first=f"{errors[0].line}:{errors[0].col} "
                                                               f"{errors[0].message}")
    doc = load_roundtrip(path, repo)
    old_id = str(doc.get("id") or path.stem)
    if new is None:
        allocator = Allocator.for_repo(repo, handle_for_email(repo.team, user_email(repo.root)))
        created = as_date(doc.get("created")) or repo.config.today
        new_id = allocator.next(created, str(doc.get("owner") or ""))
    else:
        new_id = new.strip()
        pattern = repo.config.ids.pattern
        if (pattern and not re.fullmatch(pattern, new_id)) or repo.path_for_id(new_id) is None:
            raise refuse(msgs, "renumber-bad-id", id=new_id, pattern=pattern)
        target = repo.customers_dir / f"{new_id}.yaml"
        if target.exists() or new_id in ids_in_history(repo):
            raise refuse(msgs, "renumber-used", id=new_id)
    target = repo.customers_dir / f"{new_id}.yaml"
    try:
        refused = save_customer(repo, target, with_new_id(repo, doc, old_id, new_id), new=True)
    except FileExistsError:  # another process took this id meanwhile
        raise refuse(msgs, "renumber-used", id=new_id) from None
    if refused:
        p = refused[0]
        raise refuse(msgs, "cli-not-saved", where=p.where, message=p.message, hint=p.hint)
    if is_git_repo(repo.root) and git(repo.root, "ls-files", "--error-unmatch", "--", name).ok:
        git(repo.root, "rm", "-q", "-f", "--", name)
        git(repo.root, "add", "--", file_name(repo.root, target))
    path.unlink(missing_ok=True)
    config_changed = follow_in_config(repo, old_id, new_id)
    message, hint = msgs.text("renumber-done", old=old_id, new=new_id, name=doc.get("name") or "",
                              file=file_name(repo.root, target))
    echo(message)
    if config_changed:
        echo(msgs.text("renumber-config", old=old_id, new=new_id)[0])
    echo(f"    → {hint}")
