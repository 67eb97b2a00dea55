"""CODEOWNERS from team.yaml and the customers' ``owner`` fields.

"A salesperson edits their own customers, changes are reviewed" is enforced by the forge: with
branch protection requiring code-owner review, each changed file needs one approval from its code
owners. The rules (README, "Working as a team", lists them):

- an existing customer file: its owner (their ``git`` account in team.yaml) **or** a manager — the
  managers are there because a forge never lets the author of a pull request approve it, so an owner's
  change to their own customer is approved by a manager;
- a customer file the base branch does not list yet (a new customer): a manager (the ``/customers/``
  line);
- team.yaml, kehu.yaml, schema/, the CI and hook configuration, CODEOWNERS itself: a manager;
- an owner without a forge account, or who left (``active: false``): the managers.

Forges read CODEOWNERS from the pull request's *base* branch, so a branch never needs to change it:
only the main branch regenerates it (``kehu sync`` there, which the bot workflow runs after every
merge). No hook checks it on a branch, so no commit is refused for a file a kehu command wrote, and two
pull requests that each add a customer never conflict on CODEOWNERS.

Both GitHub (``.github/CODEOWNERS``, last matching line wins) and GitLab (``.gitlab/CODEOWNERS``,
sections with default owners) files are produced, in a stable order so regenerating is a no-op unless
owners changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..book.loader import open_book
from ..repo.config import CONFIG_FILE, CUSTOMERS_DIR, SCHEMA_DIR, TEAM_FILE
from ..repo.model import Team
from ..repo.repository import Repo
from ..repo.yamlload import load_yaml_bytes
from ..words.catalogue import both

GITHUB_FILE = ".github/CODEOWNERS"
GITLAB_FILE = ".gitlab/CODEOWNERS"

# Files that set the team's rules or weaken the checks: only managers approve changes to them. The site's own
# files count: mkdocs.yml and what the site is made from (docs/, Material's overrides/ — templates are code, and a
# link in docs/ publishes what it points to), and the dependency-update configuration that moves the CI's actions.
MANAGED = [f"/{TEAM_FILE}", f"/{CONFIG_FILE}", f"/{SCHEMA_DIR}/", "/.github/", "/.gitlab/", "/.gitlab-ci.yml",
           "/.pre-commit-config.yaml", "/.gitattributes", "/mkdocs.yml", "/docs/", "/overrides/", "/renovate.json"]

# Fast path: a top-level `owner: handle` line; anything fancier falls back to the YAML loader.
_OWNER_LINE = re.compile(r"""^owner:[ \t]*(["']?)([A-Za-z][A-Za-z0-9_.-]*)\1[ \t]*(?:#.*)?$""", re.MULTILINE)

# in both languages: one file serves the whole team
HEADER = [f"# {line}" for line in both("codeowners.header").splitlines()]


@dataclass(frozen=True, slots=True)
class Ownership:
    managers: tuple[str, ...]               # @accounts of active managers (admins when there is none)
    customers: tuple[tuple[str, tuple[str, ...]], ...]  # (path from the root, @accounts), sorted by path
    site_dirs: tuple[str, ...] = ()         # folders mkdocs.yml makes the site from, beyond docs/ and overrides/


def _account(name: str) -> str:
    return name if name.startswith("@") else f"@{name}"


def _accounts(team: Team) -> dict[str, str]:
    """handle -> @account, for active members that have a forge account."""
    return {m.handle: _account(m.git.strip()) for m in team.members if m.active and m.git and m.git.strip()}


def manager_accounts(team: Team) -> tuple[str, ...]:
    accounts = _accounts(team)
    for roles in (("manager",), ("admin",)):
        found = sorted({accounts[m.handle] for m in team.members if m.role in roles and m.handle in accounts})
        if found:
            return tuple(found)
    return ()


def owner_of(raw: bytes) -> str | None:
    """The `owner` handle of a customer file, or None when it has none that can be read."""
    text = raw.decode("utf-8", "replace")
    found = _OWNER_LINE.search(text)
    if found:
        return found.group(2)
    from ..words.catalogue import Locale

    loaded = load_yaml_bytes("customer", raw, Locale("en"))
    owner = loaded.data.get("owner") if isinstance(loaded.data, dict) else None
    return owner if isinstance(owner, str) else None


def ownership_of(team: Team, customer_files: dict[str, bytes]) -> Ownership:
    """Ownership from the team and the customer files' bytes, by path relative to the repository."""
    return ownership_by_owner(team, {rel: owner_of(raw) for rel, raw in customer_files.items()})


def ownership_by_owner(team: Team, owners_of: dict[str, str | None]) -> Ownership:
    """Ownership from the team and each customer file's owner handle, by path relative to the repository."""
    accounts = _accounts(team)
    managers = manager_accounts(team)
    rows = []
    for rel, owner in owners_of.items():
        account = accounts.get(owner or "")
        owners = (account, *(m for m in managers if m != account)) if account else managers
        rows.append((f"/{rel}", owners))
    return Ownership(managers, tuple(sorted(rows)))


def ownership(repo: Repo, team: Team) -> Ownership:
    """Who approves each customer file of the book: its owner from the book's index (a file that is no
    customer: the owner line its text holds, if any)."""
    owners: dict[str, str | None] = {}
    for item in open_book(repo).index.items:
        if item.valid:
            owners[item.file] = item.owner
        else:
            try:
                owners[item.file] = owner_of(Path(item.path).read_bytes())
            except OSError:
                owners[item.file] = None
    return ownership_by_owner(team, owners)


def _escape(path: str) -> str:
    return path.replace(" ", "\\ ")


def _line(path: str, owners: tuple[str, ...]) -> str:
    return " ".join([_escape(path), *owners]).rstrip()


def _managed(own: Ownership) -> list[str]:
    return [*MANAGED, *(p for p in own.site_dirs if p not in MANAGED)]


def site_dirs(repo: Repo) -> tuple[str, ...]:
    """The folders the site is made from, as mkdocs.yml names them (read strictly; none when it is refused —
    then the build refuses too)."""
    from ..repo.mkdocsfile import MkdocsRefused, check_mkdocs_file

    try:
        found = check_mkdocs_file(repo.root, repo.msgs)
    except MkdocsRefused:
        return ()
    if found is None:
        return ()
    return tuple(f"/{d}/" for d in (found.docs_dir, found.custom_dir) if d)


def github_text(own: Ownership) -> str:
    """GitHub: the last matching pattern wins, so general lines come first."""
    lines = [*HEADER, ""]
    if own.managers:
        lines += ["# Team rules and checks: managers", *(_line(p, own.managers) for p in _managed(own)), ""]
        lines += ["# Customers not listed below (new files): managers", _line(f"/{CUSTOMERS_DIR}/", own.managers),
                  ""]
    lines.append("# Each customer: its owner or a manager (managers alone when the owner has no forge account)")
    lines += [_line(path, owners) for path, owners in own.customers if owners]
    return "\n".join(lines) + "\n"


def gitlab_text(own: Ownership) -> str:
    """GitLab: sections; a path without owners takes its section's default owners (the managers)."""
    managers = " ".join(own.managers)
    lines = [*HEADER, ""]
    lines.append(f"[Team rules] {managers}".rstrip())
    lines += [_escape(p) for p in _managed(own)]
    lines += ["", f"[Customers] {managers}".rstrip(), _escape(f"/{CUSTOMERS_DIR}/")]
    for path, owners in own.customers:
        lines.append(_line(path, () if owners == own.managers else owners))
    return "\n".join(lines) + "\n"


def expected_files(repo: Repo, team: Team) -> dict[str, str]:
    import dataclasses

    own = dataclasses.replace(ownership(repo, team), site_dirs=site_dirs(repo))
    return {GITHUB_FILE: github_text(own), GITLAB_FILE: gitlab_text(own)}


def stale_files(root: Path, expected: dict[str, str]) -> list[str]:
    out = []
    for name, text in expected.items():
        path = root / name
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            current = None
        if current != text:
            out.append(name)
    return out
