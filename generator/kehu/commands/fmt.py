"""kehu fmt [FILES...] [--check] — lay out customer files (and team.yaml) the canonical way."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..config import CONFIG_FILE, TEAM_FILE
from ..fmt import Formatted, format_bytes
from ..locking import locked
from ..repo import Repo, is_plain_file, rel
from ..store import StoreError, atomic_write
from ..terminal import echo
from ._common import EXIT_BAD_INPUT, repo_from

TEXT = {
    "zh": {
        "formatted": "已整理 {file}",
        "would": "需要整理：{file}",
        "done": "kehu fmt：整理了 {n} 个文件，{same} 个文件无需改动",
        "check_ok": "kehu fmt --check：{total} 个文件格式均正确",
        "check_bad": "kehu fmt --check：{n} 个文件需要整理",
        "check_hint": "运行 kehu fmt 后提交",
        "missing": "{file}：文件不存在",
        "missing_hint": "请检查文件路径",
        "config": "{file}：kehu fmt 只整理客户文件和 team.yaml",
        "config_hint": "kehu.yaml 按团队习惯手工维护，请直接编辑",
        "failed": "{n} 个文件未能整理，已保持原样",
        "not_customer": "{file}：不是本仓库 customers/ 中的普通文件（链接、目录、特殊文件或仓库外的路径）",
        "not_customer_hint": "kehu fmt 只整理 customers/ 中的客户文件和 team.yaml，不会读取或改写其他文件",
    },
    "en": {
        "formatted": "formatted {file}",
        "would": "would reformat: {file}",
        "done": "kehu fmt: {n} file(s) formatted, {same} already in shape",
        "check_ok": "kehu fmt --check: all {total} file(s) are formatted",
        "check_bad": "kehu fmt --check: {n} file(s) need formatting",
        "check_hint": "run kehu fmt and commit the result",
        "missing": "{file}: no such file",
        "missing_hint": "check the path",
        "config": "{file}: kehu fmt formats customer files and team.yaml only",
        "config_hint": "kehu.yaml is the team's hand-written rules; edit it directly",
        "failed": "{n} file(s) could not be formatted and were left as they are",
        "not_customer": "{file}: not a plain file in this repository's customers/ (a link, folder, special file "
                        "or a path outside)",
        "not_customer_hint": "kehu fmt formats the customer files in customers/ and team.yaml; it reads or writes "
                             "nothing else",
    },
}


def _error(message: str, hint: str = "") -> None:
    """One line on stderr per file that cannot be formatted; the other files still get formatted."""
    echo(f"kehu: error: {message}; {hint}" if hint else f"kehu: error: {message}", err=True)


def _targets(repo: Repo, files: tuple[Path, ...]) -> list[Path]:
    if files:
        return list(files)
    team = repo.root / TEAM_FILE
    return repo.customer_files() + ([team] if team.is_file() else [])


def _kind(repo: Repo, path: Path) -> str | None:
    resolved = path.resolve()
    if resolved == (repo.root / CONFIG_FILE).resolve():
        return None
    return "team" if resolved == (repo.root / TEAM_FILE).resolve() else "customer"


def _format_one(repo: Repo, path: Path, t: dict[str, str]) -> Formatted | None:
    """Format one file in memory; print a one-line error and return None when that is impossible."""
    name = rel(repo.root, path)
    kind = _kind(repo, path)
    if kind is None:
        _error(t["config"].format(file=name), t["config_hint"])
        return None
    if kind == "customer" and os.path.lexists(path) and repo.customer_file(path) is None:
        # never follow a link or write outside customers/; never open a FIFO (it would hang)
        _error(t["not_customer"].format(file=name), t["not_customer_hint"])
        return None
    if kind == "team" and not is_plain_file(path):
        _error(t["not_customer"].format(file=name), t["not_customer_hint"])
        return None
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        _error(t["missing"].format(file=name), t["missing_hint"])
        return None
    except OSError as e:
        _error(f"{name}: {e.strerror or e}")
        return None
    try:
        return format_bytes(name, raw, repo.schemas, kind, repo.msgs, repo.config["check"]["max_file_bytes"])
    except StoreError as e:
        _error(e.message, e.hint)
        return None


@click.command("fmt")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True,
              help="Write nothing; list the files that would change and exit 1 if any (for CI and pre-commit).")
@click.pass_obj
@locked
def command(obj: dict, files: tuple[Path, ...], check: bool) -> None:
    """Lay out customer files (default: all of them, and team.yaml) in kehu's canonical format.

    Key order from the schema, interactions/surveys/complaints by date, consistent quoting;
    every comment is kept. A file with YAML errors is reported (file:line) and left untouched.

    Exit status: 0 done (or nothing to do), 1 with --check when a file would change,
    2 when a file could not be read or parsed."""
    repo = repo_from(obj)
    t = TEXT[repo.msgs.lang]
    changed: list[str] = []
    failed = 0
    targets = _targets(repo, files)
    for path in targets:
        result = _format_one(repo, path, t)
        if result is None:
            failed += 1
            continue
        if not result.changed:
            continue
        changed.append(result.file)
        if check:
            echo(t["would"].format(file=result.file))
        else:
            atomic_write(path, result.new.decode("utf-8"))
            echo(t["formatted"].format(file=result.file))
    ok = len(targets) - failed
    if check:
        echo(t["check_bad"].format(n=len(changed)) if changed else t["check_ok"].format(total=ok))
        if changed:
            echo(f"    → {t['check_hint']}")
    else:
        echo(t["done"].format(n=len(changed), same=ok - len(changed)))
    if failed:
        echo(t["failed"].format(n=failed))
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(1 if check and changed else 0)
