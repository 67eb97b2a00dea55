"""kehu init [DIR] — scaffold a team repository that works at once.

Writes customers/ (empty: an example customer only with ``--example``, so no made-up customer
ever stands in the team's counts and due lists), schema/, team.yaml (you, from git config),
kehu.yaml (the defaults), mkdocs.yml, .pre-commit-config.yaml, .gitattributes (the
merge driver), .vscode/, CI workflows for GitHub and GitLab, CODEOWNERS and a README
for the team; then ``git init`` when needed, enables the merge driver in git config
and installs the pre-commit hook. Existing files are never overwritten without
``--force``: the command lists them and writes nothing.

``kehu init --git-only`` is for every further clone: git config is not cloned, so
each colleague enables the merge driver (and the hook) once.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
import shutil
import subprocess
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from .. import __version__
from ..git.codeowners import GITHUB_FILE, GITLAB_FILE, github_text, gitlab_text, ownership_of
from ..git.forms import form_files
from ..git.gitsetup import configure as configure_drivers
from ..git.install import Install, from_spec, precommit_config
from ..git.install import current as current_install
from ..repo.config import CONFIG_FILE, CUSTOMERS_DIR, SCHEMA_DIR, TEAM_FILE, Config, default_config_text
from ..repo.files import customer_scan
from ..repo.idscheme import member_code
from ..repo.model import Team, team_from
from ..repo.repository import Repo
from ..repo.root import team_locale
from ..repo.schema import SCHEMA_FILES, SchemaSet
from ..repo.yamlload import load_yaml_bytes
from ..util.atomic import atomic_write
from ..util.gitcmd import GitRun, git
from ..words.catalogue import Locale
from ._common import RunOptions, fail

TEMPLATE_SUFFIX = ".tmpl"
VERSION_TOKEN = "@KEHU_VERSION@"
PACKAGE_TOKEN = "@KEHU_PACKAGE@"  # how CI installs kehu (kehu.git.install): a git URL with a tag, or a version
PRECOMMIT_FILE = ".pre-commit-config.yaml"


def _words(target: Path, forced: str | None) -> Locale:
    """The team's language: the target's own kehu.yaml when it has one (``--git-only`` in a clone, ``--force``),
    else zh-CN, the language of the kehu.yaml init writes (the language the command line chose overrides both)."""
    return Locale(forced or team_locale(target, upwards=False))


# --- who is setting up the repository ----------------------------------------------------------------


def _git_config(folder: Path, key: str) -> str | None:
    try:
        out = git(folder if folder.is_dir() else None, "config", key)
    except OSError:
        return None
    return out.out.strip() or None


def derive_handle(email: str | None, name: str | None) -> str:
    """A team.yaml handle (^[a-z][a-z0-9_.-]*$) from the email's local part, else the name, else the login."""
    for source in (email.split("@")[0] if email else None, name, _login()):
        if not source:
            continue
        handle = re.sub(r"[^a-z0-9_.-]+", "-", source.lower()).strip("-._")
        handle = re.sub(r"^[^a-z]+", "", handle)
        if handle:
            return handle
    return "me"


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def forge_account(email: str | None) -> str | None:
    """GitHub's no-reply address names the account (12345+octocat@users.noreply.github.com)."""
    found = re.fullmatch(r"(?:\d+\+)?([A-Za-z0-9-]+)@users\.noreply\.github\.com", (email or "").strip())
    return found.group(1) if found else None


def _yaml_str(value: str | None) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


# --- what is written -----------------------------------------------------------------------------------


def _init_data() -> Traversable:
    return resources.files("kehu").joinpath("data/init")


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    out = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        name = "." + entry.name[4:] if entry.name.startswith("dot-") else entry.name  # dotfiles ship as dot-*
        if entry.is_dir():
            out.extend(_walk(entry, f"{prefix}{name}/"))
        else:
            out.append((f"{prefix}{name}", entry))
    return out


def static_files(install: Install | None = None) -> dict[str, bytes]:
    """The files shipped verbatim (with the kehu version and how to install it filled in), and the
    pre-commit configuration for that install, by path in the new repository."""
    install = install or current_install()
    out = {}
    for rel, entry in _walk(_init_data()):
        if rel.endswith(TEMPLATE_SUFFIX):
            continue
        out[rel] = (entry.read_bytes().replace(VERSION_TOKEN.encode(), __version__.encode())
                    .replace(PACKAGE_TOKEN.encode(), install.spec.replace('"', '\\"').encode()))
    out[PRECOMMIT_FILE] = precommit_config(install).encode("utf-8")
    return out


def _template(file: str, **values: str) -> bytes:
    """A template with @name@ placeholders (YAML and JSON Schema use `$` themselves)."""
    text = _init_data().joinpath(file).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text.encode("utf-8")


def schema_files() -> dict[str, bytes]:
    folder = resources.files("kehu").joinpath("data/schema")
    return {f"{SCHEMA_DIR}/{name}": folder.joinpath(name).read_bytes() for name in SCHEMA_FILES.values()}


def team_file(name: str, email: str | None, handle: str, git: str | None) -> bytes:
    return _template("team.yaml.tmpl", handle=handle, name=_yaml_str(name), email=_yaml_str(email),
                     git=_yaml_str(git))


def example_customer(config: Config, owner: str, today: dt.date, code: str) -> tuple[str, bytes]:
    ident = config.ids.template.format(date=today, seq=1, member=code)
    text = _template("customer.yaml.tmpl", id=ident, owner=owner, today=today.isoformat(),
                     next=(today + dt.timedelta(days=7)).isoformat())
    return f"{CUSTOMERS_DIR}/{ident}.yaml", text


def plan(target: Path, name: str, email: str | None, handle: str, git: str | None,
         today: dt.date, install: Install | None = None, example: bool = False) -> dict[str, bytes]:
    """Every file `kehu init` writes, by path relative to the new repository."""
    files = static_files(install)
    files.update(schema_files())
    files[CONFIG_FILE] = default_config_text().encode("utf-8")
    files[TEAM_FILE] = team_file(name, email, handle, git)
    existing = {name: Path(path).read_bytes() for name, path in customer_scan(target)[0].items()}
    team = team_from(load_yaml_bytes(TEAM_FILE, files[TEAM_FILE], Locale("en")))
    if example and not existing:  # a folder that already has customers gets no example
        path, text = example_customer(Config.build(today=today), handle, today, member_code(team.members[0], team))
        files[path] = text
    elif not existing:
        files[f"{CUSTOMERS_DIR}/.gitkeep"] = b""
    files.update(form_files(new_repo(target, team, today)))
    own = ownership_of(team, {**existing, **{k: v for k, v in files.items() if k.startswith(f"{CUSTOMERS_DIR}/")}})
    files[GITHUB_FILE] = github_text(own).encode("utf-8")
    files[GITLAB_FILE] = gitlab_text(own).encode("utf-8")
    return files


def new_repo(target: Path, team: Team, today: dt.date) -> Repo:
    """The repository init is about to write, as kehu will read it (shipped schemas, default rules, this team):
    what the forms are made from before any file exists."""
    config = Config.build(today=today)
    return Repo(target, config, SchemaSet(None), team, Locale(config.locale))


def conflicts(target: Path, files: dict[str, bytes]) -> list[str]:
    """Files that exist with other content (identical ones are simply left as they are)."""
    out = []
    for rel in sorted(files):
        path = target / rel
        if path.is_dir() or (path.exists() and path.read_bytes() != files[rel]):
            out.append(rel)
    return out


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data.decode("utf-8"))


# --- git -----------------------------------------------------------------------------------------------


def _git(target: Path, *args: str) -> GitRun | None:
    try:
        return git(target, *args)
    except OSError:
        return None


def setup_git(words: Locale, target: Path) -> list[str]:
    """git init when needed, the merge and diff drivers in git config, the pre-commit hook. Returns warnings."""
    warnings = []
    inside = _git(target, "rev-parse", "--is-inside-work-tree")
    if inside is None:
        return [words.word("init.no_git")]
    if not inside.ok:
        made = _git(target, "init", "-q", "--initial-branch=main")
        if made is None or not made.ok:
            made = _git(target, "init", "-q")  # git older than 2.28
        if made is None or not made.ok:
            return [words.word("init.git_init_failed", detail=made.err.strip() if made else "")]
    warnings += [words.word("init.git_config_failed", key=key, detail=detail)
                 for key, detail in configure_drivers(target)]
    if shutil.which("pre-commit") is None:
        warnings.append(words.word("init.no_pre_commit"))
    else:
        hooked = _run_pre_commit(target)
        if hooked is None or hooked.returncode != 0:
            detail = (hooked.stderr or hooked.stdout).strip().splitlines()[-1:] if hooked else []
            warnings.append(words.word("init.pre_commit_failed_detail", detail=detail[0]) if detail
                            else words.word("init.pre_commit_failed"))
    return warnings


def _run_pre_commit(target: Path) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(["pre-commit", "install"], cwd=target, capture_output=True, text=True, check=False)
    except OSError:
        return None


# --- the command ---------------------------------------------------------------------------------------


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True)
@click.option("--git-only", is_flag=True)
@click.option("--name", default=None)
@click.option("--email", default=None)
@click.option("--handle", default=None)
@click.option("--git-account", default=None)
@click.option("--package", default=None, metavar="SPEC")
@click.option("--example", is_flag=True)
@click.pass_obj
def command(obj: RunOptions | None, directory: Path, force: bool, git_only: bool, name: str | None, email: str | None,
            handle: str | None, git_account: str | None, package: str | None, example: bool) -> None:
    target = directory.resolve()
    words = _words(target, (obj or {}).get("locale"))
    if git_only:
        if not (target / CONFIG_FILE).is_file() and not (target / CUSTOMERS_DIR).is_dir():
            fail(words.word("init.not_a_repo", directory=directory, config=CONFIG_FILE, customers=CUSTOMERS_DIR),
                 words.word("init.init_first"))
        _finish(words, target, setup_git(words, target), written=[])
        return
    name = name or _git_config(target, "user.name") or _login() or "me"
    email = email or _git_config(target, "user.email")
    handle = handle or derive_handle(email, name)
    if not re.fullmatch(r"[a-z][a-z0-9_.-]*", handle):
        fail(words.word("init.bad_handle", handle=handle), words.word("init.bad_handle_hint"))
    today = Config.build(today=(obj or {}).get("today")).today  # kehu.yaml is not written yet: the defaults' zone
    install = from_spec(package) if package and package.strip() else current_install()
    files = plan(target, name, email, handle, git_account or forge_account(email), today, install, example)
    clash = conflicts(target, files)
    if clash and not force:
        shown = ", ".join(clash[:8]) + (f" … (+{len(clash) - 8})" if len(clash) > 8 else "")
        fail(words.word("init.clash", directory=directory, n=len(clash), shown=shown), words.word("init.force"))
    written = []
    for rel, data in files.items():
        path = target / rel
        if path.is_file() and path.read_bytes() == data:
            continue
        if path.is_dir():
            shutil.rmtree(path)  # only reachable with --force
        _write(path, data)
        written.append(rel)
    _finish(words, target, setup_git(words, target) + install_warnings(words, install), written,
            example=[r for r in written if r.startswith(f"{CUSTOMERS_DIR}/") and r.endswith(".yaml")])


def install_warnings(words: Locale, install: Install) -> list[str]:
    """A kehu installed from a folder on this machine cannot be installed the same way by CI."""
    if not install.local:
        return []
    return [words.word("init.local_install", spec=install.spec)]


def _finish(words: Locale, target: Path, warnings: list[str], written: list[str],
            example: list[str] | None = None) -> None:
    if written:
        click.echo(words.word("init.wrote_files_in", target=target, n=len(written)))
        for rel in written:
            click.echo(f"  {rel}")
    click.echo(words.word("init.enabled_the_merge"))
    click.echo(words.word("init.enabled_the_diff"))
    for w in warnings:
        click.echo(words.word("cli.warning_line", line=w), err=True)
    if written:
        click.echo(words.word("init.next_check_your"))
    else:
        click.echo(words.word("init.next_work_with"))
    for rel in example or []:
        click.echo(words.word("init.the_example_customer", rel=rel))
    if written and not example and not any(r.endswith(".yaml") for r in written if r.startswith(f"{CUSTOMERS_DIR}/")):
        click.echo(words.word("init.no_customers_yet"))
