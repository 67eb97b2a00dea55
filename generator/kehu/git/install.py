"""How a team installs the same kehu everywhere — without kehu being on a public package index.

``kehu init`` writes CI workflows and a pre-commit configuration that install kehu themselves. They
must install *this* kehu: the git URL and tag it was installed from (pip, pipx and uv tool record it
as PEP 610 ``direct_url.json``), or the version from the team's package index (an internal index
configured for pip). The pre-commit hooks then never depend on an activated virtual environment:

* installed from a git URL: the remote hook repository form (``repo: URL, rev: TAG``) — pre-commit
  installs kehu from that tag into its own environment;
* installed from an index: local hooks with ``language: python`` and ``additional_dependencies``
  (``kehu==VERSION``), which pre-commit installs from the index pip is configured with;
* installed from a local folder (a development checkout): local ``language: system`` hooks, which call
  the ``kehu`` on PATH (install it with pipx or ``uv tool``) — ``kehu init --package`` chooses otherwise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from .. import __version__
from ..words.catalogue import both

# "kehu @ git+URL@REV": the URL may hold a user@ itself (ssh://git@host/…), the revision is after the last @
_GIT_SPEC = re.compile(r"^kehu\s*@\s*git\+(?P<url>\S+)@(?P<rev>[^@/\s#]+)$")


@dataclass(frozen=True)
class Install:
    """Where kehu comes from: a pip requirement, and for a git install its repository and tag."""

    spec: str                  # what `pip install` takes: "kehu @ git+https://…@v0.1.0" or "kehu==0.1.0"
    repo: str | None = None    # the git repository (the pre-commit remote hook repo)
    rev: str | None = None     # the tag or commit
    local: bool = False        # installed from a folder on this machine: nothing another machine can use


def from_spec(spec: str) -> Install:
    """An ``--package`` given by a person: a git requirement with a tag, or anything pip takes."""
    text = spec.strip()
    m = _GIT_SPEC.match(text)
    if m:
        return Install(text, m.group("url"), m.group("rev"))
    return Install(text)


def from_direct_url(info: dict[str, Any] | None, version: str = __version__) -> Install:
    """What PEP 610 ``direct_url.json`` says about how kehu was installed."""
    if not info:
        return Install(f"kehu=={version}")  # from an index
    url = str(info.get("url") or "")
    vcs = info.get("vcs_info") if isinstance(info.get("vcs_info"), dict) else None
    if vcs and vcs.get("vcs") == "git" and url:
        rev = vcs.get("requested_revision") or vcs.get("commit_id")
        if rev and not url.startswith("file:"):
            return Install(f"kehu @ git+{url}@{rev}", url, str(rev))
    return Install(f"kehu=={version}", local=True)  # a folder, an archive or a clone on this machine


def current() -> Install:
    """How the running kehu was installed."""
    try:
        raw = metadata.distribution("kehu").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        raw = None
    try:
        info = json.loads(raw) if raw else None
    except ValueError:
        info = None
    return from_direct_url(info if isinstance(info, dict) else None)


# --- the pre-commit configuration kehu init writes ------------------------------------------------

# (id, name, entry, files, pass_filenames) — the same hooks as .pre-commit-hooks.yaml
HOOKS = (
    ("kehu-check", "kehu check (customer files)", "kehu check", r"^customers/.*\.ya?ml$", True),
    ("kehu-check-all", "kehu check (team rules changed, so every file)", "kehu check",
     r"^(team\.yaml|kehu\.yaml|schema/.*)$", False),
    ("kehu-fmt", "kehu fmt --check", "kehu fmt --check", r"^customers/.*\.ya?ml$", True),
)

def _comment(key: str) -> str:
    """A comment of the generated file, in both languages: one file serves the whole team."""
    return "".join(f"# {line}\n" for line in both(key).splitlines())


def precommit_config(install: Install) -> str:
    if install.repo and install.rev:
        ids = "\n".join(f"      - id: {hook[0]}" for hook in HOOKS)
        return (_comment("precommit.head") + _comment("precommit.from_tag") +
                f"repos:\n  - repo: {install.repo}\n    rev: {install.rev}\n    hooks:\n{ids}\n")
    if install.local:
        comment = _comment("precommit.on_path")
        language, extra = "system", ""
    else:
        comment = _comment("precommit.from_index")
        language, extra = "python", f"        additional_dependencies: [{json.dumps(install.spec)}]\n"
    out = [_comment("precommit.head") + comment + "repos:\n  - repo: local\n    hooks:\n"]
    for hook_id, name, entry, files, pass_names in HOOKS:
        out.append(f"      - id: {hook_id}\n        name: {name}\n        entry: {entry}\n"
                   f"        language: {language}\n        files: {files}\n")
        if not pass_names:
            out.append("        pass_filenames: false\n")
        out.append("        require_serial: true\n")  # kehu checks in parallel itself; cross-file rules see every file
        out.append(extra)
    return "".join(out)
