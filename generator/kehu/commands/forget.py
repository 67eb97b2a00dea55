"""kehu forget ID [--contact NAME] --reason … — erase a person's data and say what git still holds."""

from __future__ import annotations

import click

from ..edits import field_order, guarded, open_for_edit, refuse, require_handle, require_sound_repo, require_text, save
from ..forget import (
    expressions_file,
    history_commands,
    mark,
    personal_values,
    record_in_config,
    relpath,
    scrub,
    tombstone,
)
from ..gitinfo import current_handle
from ._common import repo_from
from .show import tr


def _warn_history(repo, files: list[str], secrets: list[str]) -> None:
    m = mark(repo)
    click.echo(tr(repo, "注意：git 历史中仍保存着这些数据（每个旧提交、每个克隆、每个分叉、已发布网站的旧版本）。",
                  "Note: git history still holds this data (every older commit, every clone, fork and published "
                  "copy of the site)."))
    click.echo(tr(repo, "提交并合并本次删除后，由仓库管理员在一个最新的克隆中执行：",
                  "After this erasure is committed and merged, an administrator runs, in a fresh clone:"))
    if secrets:
        click.echo(tr(repo, "  # 在仓库之外新建 ../erase.txt，每行一个要抹去的值：",
                      "  # outside the repository, create ../erase.txt with one value to erase per line:"))
        for line in expressions_file(secrets, m).splitlines():
            click.echo(f"  #   {line}")
    for cmd in history_commands(files, secrets, m):
        click.echo(f"  {cmd}")
    click.echo(tr(repo, "然后每位同事：删除自己的旧克隆并重新 git clone（git pull 会把旧提交合并回来）；"
                        "基于旧历史的分支需在新克隆中重新创建，不要再推送旧分支。",
                  "Then every colleague deletes their old clone and clones again (git pull would merge the old "
                  "commits back); branches made on the old history are re-created in the new clone, never pushed."))
    click.echo(tr(repo, "代码托管平台还保留着旧的合并请求引用和缓存：GitHub 请联系 GitHub Support 清除；GitLab 在"
                        "“设置 → 仓库 → 仓库清理”上传 .git/filter-repo/commit-map。最后重新发布网站，删除旧的备份与"
                        "导出文件。",
                  "The forge keeps old pull-request refs and caches: on GitHub ask GitHub Support to purge them; on "
                  "GitLab upload .git/filter-repo/commit-map under Settings → Repository → Repository cleanup. "
                  "Finally republish the site and delete old backups and exports."))


@click.command("forget")
@click.argument("customer")
@click.option("--contact", "contact", metavar="NAME", help="Erase only this contact of the customer.")
@click.option("--reason", required=True, help="Why (e.g. 本人要求删除). Kept in the tombstone; no personal data.")
@click.option("--by", metavar="HANDLE", help="Who erases (default: your git email in team.yaml).")
@click.pass_obj
@guarded
def command(obj: dict, customer: str, contact: str | None, reason: str, by: str | None) -> None:
    """Erase a customer's file, or with --contact one person's data in it, leaving a visible tombstone
    (which `kehu check --against` accepts), and print how to remove the data from git history too."""
    repo = repo_from(obj)
    require_sound_repo(repo)
    reason = require_text(repo.msgs, "--reason", reason)
    who = require_handle(repo, "--by", by) if by is not None else current_handle(repo)
    ed = open_for_edit(repo, customer)
    ident = str(ed.data.get("id"))
    if contact is None:
        people = [c for c in ed.data.get("contacts") or [] if isinstance(c, dict)]
        secrets = sorted({v for c in people for v in personal_values(c)} | {str(ed.data.get("name"))},
                         key=len, reverse=True)
        record_in_config(repo, tombstone(repo, who, reason, "customer", ident))
        ed.path.unlink()
        click.echo(tr(repo, f"已删除客户 {ident}（{ed.name}），并在 kehu.yaml 的 forgotten 中留下删除记录",
                      f"erased customer {ident} ({ed.name}); a tombstone is in kehu.yaml under forgotten"))
        _warn_history(repo, [relpath(repo, ed.path)], secrets)
        return
    contacts = ed.data.get("contacts") or []
    index = next((i for i, c in enumerate(contacts) if isinstance(c, dict) and str(c.get("name")) == contact.strip()),
                 None)
    if index is None:
        known = repo.msgs.word("sep").join(str(c.get("name")) for c in contacts if isinstance(c, dict)) or "∅"
        raise refuse(repo.msgs, "cli-no-contact", file=ed.name, name=contact, known=known)
    secrets = personal_values(contacts[index])
    del contacts[index]
    if not contacts:
        del ed.data["contacts"]
    scrub(ed.data, secrets, mark(repo))
    from ..edits import set_field

    stones = ed.data.get("forgotten")
    if not isinstance(stones, list):
        set_field(ed.data, "forgotten", [], field_order(repo))
        stones = ed.data["forgotten"]
    stones.append(tombstone(repo, who, reason, "contact"))
    save(ed)
    click.echo(tr(repo, f"已从 {ed.name} 删除一位联系人的个人信息，并留下删除记录（forgotten）",
                  f"erased a contact's personal data from {ed.name}; a tombstone is under forgotten"))
    _warn_history(repo, [], secrets)
