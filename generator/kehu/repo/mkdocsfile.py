"""mkdocs.yml, read strictly before MkDocs reads it.

mkdocs.yml arrives through pull requests like every file of the repository, and MkDocs reads it with PyYAML's
*unsafe* loader: ``!!python/object/apply:os.system [...]`` runs its command on ``kehu build`` and ``kehu serve``
(and in the check job of the pull request that adds it), and a billion-laughs alias bomb ends in a MemoryError.
So kehu reads it first, with the safe parser, and refuses — one line naming mkdocs.yml, the line and what to
do — anything that is not plain configuration:

* a tag other than the few MkDocs and Material for MkDocs document: ``!ENV`` (an environment variable; not one
  whose name says it holds a secret, which the site would publish), ``!relative``, ``!!python/name:`` of a
  Material or PyMdown Extensions function (the emoji index, a fence formatter) and
  ``!!python/object/apply:pymdownx.slugs.slugify``;
* more than :data:`MAX_NODES` values once aliases are expanded, nesting deeper than the customer files may
  (``repo.yamlload.MAX_DEPTH``), or a file over :data:`MAX_BYTES`;
* ``hooks:`` (Python files MkDocs runs), an ``INHERIT:`` file outside the repository (one inside is read by
  these same rules), and a ``docs_dir`` or ``theme.custom_dir`` that is not a folder of the repository or is one
  of its sources (``docs_dir: customers`` would publish every customer file as it is);
* a link, or anything but plain files and folders, in ``docs_dir`` or ``custom_dir``: MkDocs copies what a link
  points to into the site (``docs/leak -> ../customers``, ``docs/x -> ../.git/config``).

The same reading tells ``kehu codeowners`` which folders the site is made from (they need a manager's review).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..util.errors import KehuError
from ..words.catalogue import Locale
from .yamlload import MAX_DEPTH

try:  # the C parser: events without recursion
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]  # (mypy types the name by the first import)

MKDOCS_FILE = "mkdocs.yml"
MAX_BYTES = 1 << 20         # a site configuration is a few KB; a megabyte is pasted data or an attack
MAX_NODES = 100_000         # values once every alias is expanded (a billion laughs expands to 10^9)
MAX_INHERIT = 5             # INHERIT: a parent's parent … this many files at most

_STD = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")}
_NAME_PREFIXES = ("material.", "materialx.", "pymdownx.")       # !!python/name: what Material documents
_APPLY_ALLOWED = {"pymdownx.slugs.slugify"}                      # !!python/object/apply: the slug function
_SECRET_NAME = re.compile(r"(?i)token|secret|passw|key|credential|auth|cookie|session|private")
# what kehu reads to do its work (repository.SOURCES, without importing it: it imports this floor's files)
_NOT_SITE = ("customers", "schema", ".git", "kehu.yaml", "team.yaml", ".github", ".gitlab", ".kehu-cache")


class MkdocsRefused(KehuError):
    """mkdocs.yml holds what kehu does not let MkDocs read (one line: where, what, what to do)."""


@dataclass(frozen=True, slots=True)
class MkdocsFile:
    """What kehu needs to know of a checked mkdocs.yml: the folders the site is made from (repository-relative,
    with "/")."""

    docs_dir: str
    custom_dir: str | None


def check_mkdocs_file(root: Path, msgs: Locale, name: str = MKDOCS_FILE) -> MkdocsFile | None:
    """Check the repository's mkdocs.yml (and every file it INHERITs) as the module says; None when there is
    none. Raises :class:`MkdocsRefused` — nothing has been imported, run or built — for anything refused."""
    path = root / name
    if not os.path.lexists(path):
        return None
    data = _read(root, name, msgs, seen=[])
    return _folders(root, data, msgs, name)


def _refuse(msgs: Locale, file: str, line: int, col: int, code: str, **args: object) -> MkdocsRefused:
    message, hint = msgs.text(code, **args)
    return MkdocsRefused(message, hint, file=file, line=line, col=col, code=code, values=dict(args))


def _read(root: Path, name: str, msgs: Locale, seen: list[str]) -> dict[str, Any]:
    path = root / name
    if path.is_symlink() or not path.is_file():
        raise _refuse(msgs, name, 1, 1, "mkdocs-not-plain")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise _refuse(msgs, name, 1, 1, "mkdocs-too-large", size=len(raw), limit=MAX_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(msgs, name, 1, 1, "mkdocs-syntax", detail="not UTF-8") from None
    _scan(text, name, msgs)
    try:
        data = yaml.load(text, Loader=_Inspect)  # a SafeLoader knowing MkDocs' tags as inert values; bounded above
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise _refuse(msgs, name, (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1, "mkdocs-syntax",
                      detail=str(getattr(e, "problem", "") or e).splitlines()[0]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _refuse(msgs, name, 1, 1, "mkdocs-syntax", detail="not a mapping")
    where = _key_lines(text)
    if "hooks" in data:
        raise _refuse(msgs, name, *where.get("hooks", (1, 1)), "mkdocs-key", key="hooks")
    parent = data.pop("INHERIT", None)
    if parent is not None:
        line, col = where.get("INHERIT", (1, 1))
        inherited = _inside(root, Path(name).parent / str(parent))
        if inherited is None or len(seen) >= MAX_INHERIT or inherited in seen:
            raise _refuse(msgs, name, line, col, "mkdocs-inherit", path=parent)
        base = _read(root, inherited, msgs, [*seen, name])
        data = {**base, **data}  # (MkDocs merges deeply; which folders the site reads is all kehu asks here)
    return data


def _scan(text: str, name: str, msgs: Locale) -> None:
    """The parser's events (no recursion, no construction): tags, nesting and the size once aliases are expanded."""
    depth = 0
    expanded = 0
    sizes: dict[str, int] = {}              # anchor -> how many values it stands for
    open_at: list[tuple[str | None, int]] = []  # the open collections: (anchor, values counted before them)
    env_names = False                       # inside a !ENV sequence: its scalars are variable names
    try:
        for ev in yaml.parse(text, Loader=_Parser):
            mark = ev.start_mark
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            tag = getattr(ev, "tag", None)
            if tag and isinstance(ev, yaml.ScalarEvent | yaml.CollectionStartEvent) and tag not in _PLAIN_TAGS:
                _check_tag(tag, ev, name, line, col, msgs)
            if isinstance(ev, yaml.AliasEvent):
                if ev.anchor not in sizes:  # an alias of a collection still open: a loop
                    raise _refuse(msgs, name, line, col, "mkdocs-aliases", limit=MAX_NODES)
                expanded += sizes[ev.anchor]
            elif isinstance(ev, yaml.ScalarEvent):
                expanded += 1
                if ev.anchor:
                    sizes[ev.anchor] = 1
                if (tag == "!ENV" or env_names) and _SECRET_NAME.search(ev.value) \
                        and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", ev.value):
                    raise _refuse(msgs, name, line, col, "mkdocs-env-secret", variable=ev.value)
            elif isinstance(ev, yaml.CollectionStartEvent):
                expanded += 1
                depth += 1
                if depth > MAX_DEPTH:
                    raise _refuse(msgs, name, line, col, "mkdocs-deep", limit=MAX_DEPTH)
                open_at.append((ev.anchor, expanded))
                env_names = tag == "!ENV"
            elif isinstance(ev, yaml.CollectionEndEvent):
                depth -= 1
                anchor, before = open_at.pop()
                if anchor:
                    sizes[anchor] = expanded - before + 1
                env_names = False
            if expanded > MAX_NODES:
                raise _refuse(msgs, name, line, col, "mkdocs-aliases", limit=MAX_NODES)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise _refuse(msgs, name, (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1, "mkdocs-syntax",
                      detail=str(getattr(e, "problem", "") or e).splitlines()[0]) from None


def _check_tag(tag: str, ev: Any, name: str, line: int, col: int, msgs: Locale) -> None:
    if tag == "!relative" and isinstance(ev, yaml.ScalarEvent):
        return
    if tag == "!ENV":
        return
    if tag.startswith(_STD + "python/name:") and isinstance(ev, yaml.ScalarEvent):
        target = tag[len(_STD + "python/name:"):]
        if target.startswith(_NAME_PREFIXES) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", target):
            return
    if tag.startswith(_STD + "python/object/apply:") and tag[len(_STD + "python/object/apply:"):] in _APPLY_ALLOWED:
        return
    shown = "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag
    raise _refuse(msgs, name, line, col, "mkdocs-tag", tag=shown[:80])


class _Inspect(yaml.SafeLoader):
    """The safe loader, knowing the tags :func:`_scan` lets through — as inert values: nothing is imported,
    called or read from the environment (kehu only asks which folders the site is made from)."""


def _inert(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return None


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return None  # its value is the machine's, not the file's


def _relative(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return _inert(loader, "", node)


_Inspect.add_constructor("!ENV", _env)
_Inspect.add_constructor("!relative", _relative)
_Inspect.add_multi_constructor(_STD + "python/name:", _inert)
_Inspect.add_multi_constructor(_STD + "python/object/apply:", _inert)


def _key_lines(text: str) -> dict[str, tuple[int, int]]:
    """Line and column of each top-level key (the node tree: aliases are shared there, never expanded)."""
    node = yaml.compose(text, Loader=_Parser)
    out: dict[str, tuple[int, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            if isinstance(key, yaml.ScalarNode):
                out.setdefault(key.value, (key.start_mark.line + 1, key.start_mark.column + 1))
    return out


def _inside(root: Path, relative: Path | str) -> str | None:
    """``relative`` as a repository-relative path with "/", when it names something inside the repository that
    is none of its sources (customers/, .git …) nor the repository itself; else None."""
    text = str(relative)
    if not text or os.path.isabs(text) or "\0" in text:
        return None
    real_root = os.path.realpath(root)
    target = os.path.realpath(os.path.join(root, text))
    if target == real_root or not target.startswith(real_root + os.sep):
        return None
    rel = os.path.relpath(target, real_root).replace(os.sep, "/")
    if rel.split("/", 1)[0] in _NOT_SITE:
        return None
    return rel


def _folders(root: Path, data: dict[str, Any], msgs: Locale, name: str) -> MkdocsFile:
    text = (root / name).read_text(encoding="utf-8-sig")
    where = _key_lines(text)
    docs = data.get("docs_dir", "docs")
    docs_rel = _inside(root, docs) if isinstance(docs, str) else None
    if docs_rel is None:
        raise _refuse(msgs, name, *where.get("docs_dir", (1, 1)), "mkdocs-dir", key="docs_dir", path=docs)
    custom_rel = None
    theme = data.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if custom is not None:
        custom_rel = _inside(root, custom) if isinstance(custom, str) else None
        if custom_rel is None:
            raise _refuse(msgs, name, *where.get("theme", (1, 1)), "mkdocs-dir", key="theme.custom_dir", path=custom)
    for plugin in data.get("plugins") or []:
        options = plugin.get("kehu") if isinstance(plugin, dict) else None
        where_to = options.get("repo") if isinstance(options, dict) else None
        if where_to is not None and os.path.realpath(os.path.join(root, str(where_to))) != os.path.realpath(root):
            raise _refuse(msgs, name, *where.get("plugins", (1, 1)), "mkdocs-dir", key="plugins.kehu.repo",
                          path=where_to)
    for folder in (docs_rel, custom_rel):
        if folder is not None:
            _no_links(root, folder, msgs)
    return MkdocsFile(docs_rel, custom_rel)


def _no_links(root: Path, folder: str, msgs: Locale) -> None:
    """Refuse a link, a FIFO or a device anywhere in ``folder``: MkDocs would copy what a link points to (the
    customer files, .git/config) into the published site, and a FIFO would hang the build."""
    top = root / folder
    if top.is_symlink():
        raise _refuse(msgs, folder, 1, 1, "mkdocs-link", path=folder)
    if not top.exists():
        return
    for here, dirs, files in os.walk(top, followlinks=False):
        for entry in (*dirs, *files):
            full = os.path.join(here, entry)
            if os.path.islink(full) or not (os.path.isdir(full) or os.path.isfile(full)):
                shown = os.path.relpath(full, root).replace(os.sep, "/")
                raise _refuse(msgs, shown, 1, 1, "mkdocs-link", path=shown)
