"""kehu forms [--check] — write the forms a salesperson fills on a phone (GitHub issue forms in
.github/ISSUE_TEMPLATE/, GitLab issue templates in .gitlab/issue_templates/) from the schema's vocabularies,
with the team's labels and language. Run it again after changing a vocabulary, a field's title or ``locale``;
``--check`` only says whether the files are up to date (exit 1 when not). ``kehu init`` writes them too."""

from __future__ import annotations

import click

from ..git.forms import form_files
from ..util.atomic import atomic_write
from ..util.errors import KehuError
from ..words.terminal import echo
from ._common import RunOptions, locked, repo_from


@click.command("forms")
@click.option("--check", is_flag=True)
@click.pass_obj
@locked
def command(obj: RunOptions, check: bool) -> None:
    repo = repo_from(obj)
    files = form_files(repo)
    stale = [rel for rel, data in files.items()
             if not (repo.root / rel).is_file() or (repo.root / rel).read_bytes() != data]
    if check:
        if stale:
            raise KehuError(*repo.msgs.text("forms-stale", files=repo.msgs.join(stale)), exit_code=1)
        echo(repo.msgs.word("forms.unchanged", n=len(files)))
        return
    for rel in stale:
        path = repo.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, files[rel].decode("utf-8"))
    if not stale:
        echo(repo.msgs.word("forms.unchanged", n=len(files)))
        return
    echo(repo.msgs.word("forms.written", n=len(stale)))
    for rel in stale:
        echo(f"  {rel}")
