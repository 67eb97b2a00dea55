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

from . import __version__

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


def from_direct_url(info: dict | None, version: str = __version__) -> Install:
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

_HEAD = """\
# Checks run before every commit (install once per clone: `pre-commit install`). Written by `kehu init`.
# 每次提交前运行的检查（每个克隆执行一次 `pre-commit install`）。
"""


def precommit_config(install: Install) -> str:
    if install.repo and install.rev:
        ids = "\n".join(f"      - id: {hook[0]}" for hook in HOOKS)
        return (_HEAD + "# pre-commit installs kehu from this tag into its own environment: no virtual environment to\n"
                "# activate. To upgrade, change rev (or run `pre-commit autoupdate`).\n"
                "# pre-commit 会把该版本的 kehu 装进它自己的环境，无需激活虚拟环境。\n"
                f"repos:\n  - repo: {install.repo}\n    rev: {install.rev}\n    hooks:\n{ids}\n")
    if install.local:
        comment = ("# The hooks call the `kehu` command on PATH (install it once with `pipx install` or\n"
                   "# `uv tool install`, see the README), so they work offline and without activating a virtual\n"
                   "# environment.\n"
                   "# 钩子调用 PATH 中的 `kehu` 命令（用 pipx 或 uv tool 安装一次即可，无需激活虚拟环境）。\n")
        language, extra = "system", ""
    else:
        comment = ("# pre-commit installs kehu into its own environment from the package index pip is configured with\n"
                   "# (your team's index: PIP_INDEX_URL or pip.conf): no virtual environment to activate.\n"
                   "# pre-commit 从团队的软件包索引把 kehu 装进它自己的环境，无需激活虚拟环境。\n")
        language, extra = "python", f"        additional_dependencies: [{json.dumps(install.spec)}]\n"
    out = [_HEAD + comment + "repos:\n  - repo: local\n    hooks:\n"]
    for hook_id, name, entry, files, pass_names in HOOKS:
        out.append(f"      - id: {hook_id}\n        name: {name}\n        entry: {entry}\n"
                   f"        language: {language}\n        files: {files}\n")
        if not pass_names:
            out.append("        pass_filenames: false\n")
        out.append("        require_serial: true\n")  # kehu checks in parallel itself; cross-file rules see every file
        out.append(extra)
    return "".join(out)
