"""The one way kehu reads a customer file for editing and writes it back.

Every command that writes a customer file (``kehu fmt``, ``new``, ``log``, ``set``,
``import``, the merge driver …) goes through this module:

- :func:`load_roundtrip` reads a file into a ruamel ``CommentedMap`` that keeps
  comments, key order and layout, after the same strict checks as ``kehu check``
  (duplicate keys, anchors, tabs, custom tags … are refused with ``file:line``).
- :func:`dump` turns such a map (or a plain ``dict``) into text in kehu's
  canonical layout — the same text ``kehu fmt`` produces. Plain data (new records,
  ``kehu import``) is written by :mod:`kehu.store.fastdump` without ruamel, to the same bytes.
- :func:`save_customer` formats, validates the resulting bytes with the checker
  and only then writes, atomically (:func:`atomic_write`).

Scalars are read exactly as the checker's loader (PyYAML, YAML 1.1) reads them,
so ``yes`` stays a boolean and ``0755`` an octal number, and dates stay the text
the file holds (a ``str`` subclass, :class:`YamlDate`) — the same convention as
:mod:`kehu.repo.yamlload`.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..util.atomic import atomic_write, create_exclusive
from ..util.problems import Problem, Severity
from ..words.catalogue import Locale
from .fastdump import dump_plain
from .fmt import Layout, canonicalize
from .fmt import parse_bytes as parse_bytes  # re-exported: the store is the one door for reading and writing
from .roundtrip import StoreError as StoreError
from .roundtrip import YamlDate as YamlDate
from .roundtrip import dumper as dumper
from .roundtrip import serialize

if TYPE_CHECKING:
    from ..repo.repository import Repo
    from ..repo.schema import SchemaSet

SCHEMA_COMMENT = "yaml-language-server: $schema=../schema/customer.schema.json"


# --- public API ----------------------------------------------------------------------------------


def load_roundtrip(path: Path, repo: Repo | None = None, msgs: Locale | None = None) -> CommentedMap:
    """Read a customer (or team) file for editing: comments, key order and flow/block style are kept.

    Scalars mean what they mean to ``kehu check``; dates come back as :class:`YamlDate` (a ``str``).
    With ``repo``, messages use the team's language and name the file relative to the repository; without,
    they name the path as given, in ``msgs`` (default Chinese).
    Raises :class:`StoreError` (message ``file:line:col: …`` and a hint) when the file cannot be read
    or is not valid YAML by the checker's rules; nothing is ever written.
    """
    from ..repo.files import file_name

    name = file_name(repo.root, path) if repo is not None else str(path)
    msgs = repo.msgs if repo is not None else msgs or Locale()
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise StoreError.from_problem(msgs.error(name, 1, 1, "cannot-read", detail=e.strerror or str(e))) from None
    max_bytes = repo.config.check.max_file_bytes if repo is not None else None
    return parse_bytes(name, raw, msgs, max_bytes)[0]


def dump(data: Any, schemas: SchemaSet | None = None, kind: str = "customer") -> str:
    """Serialise a ``CommentedMap`` or plain ``dict`` to text in kehu's canonical layout.

    The result is exactly what ``kehu fmt`` writes for the same data: key order from the
    schema (``schemas``: the repository's :class:`~kehu.repo.schema.SchemaSet`; default the bundled
    one), interactions/surveys/complaints by date, consistent quoting, every comment kept.
    ``kind`` is ``"customer"`` or ``"team"``. ``data`` itself is not modified.
    Values may be ``str``, ``int``, ``float``, ``bool``, ``None``, ``datetime.date``, lists and dicts;
    anything else raises (ruamel's ``RepresenterError``) before a byte is written anywhere.
    """

    layout = _layout(schemas, kind)
    # plain data (what an import builds) is written directly, ~10x faster; the same text, proven by
    # tests/store/test_fastdump.py, and ruamel writes whatever that writer does not handle with certainty
    text = dump_plain(data, layout)
    return text if text is not None else dump_ruamel(data, schemas, kind)


def dump_ruamel(data: Any, schemas: SchemaSet | None = None, kind: str = "customer") -> str:
    """:func:`dump` always through ruamel (the reference the fast writer is tested against)."""
    return serialize(canonicalize(deep_copy(data), _layout(schemas, kind)))


_RUAMEL_ATTRS = ("_yaml_comment", "_yaml_format", "_yaml_line_col", "_yaml_anchor", "_yaml_tag", "_yaml_merge")


def deep_copy(value: Any) -> Any:
    """A deep copy of a round-trip document, in time linear in its size.

    ``copy.deepcopy`` of a ruamel ``CommentedSeq`` copies the list's comment record once per element
    (ruamel 0.18/0.19 calls ``copy_attributes`` inside its loop, without the memo), which is quadratic:
    a customer with 2,000 interactions took 30 s. This copies each container's YAML attributes once."""
    if isinstance(value, CommentedMap):
        out: Any = CommentedMap()
        for k, v in value.items():
            out[k] = deep_copy(v)
    elif isinstance(value, CommentedSeq):
        out = CommentedSeq(deep_copy(v) for v in value)
    elif isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    elif isinstance(value, list):
        return [deep_copy(v) for v in value]
    else:
        return copy.deepcopy(value) if hasattr(value, "__dict__") else value
    for attr in _RUAMEL_ATTRS:
        if hasattr(value, attr):
            setattr(out, attr, copy.deepcopy(getattr(value, attr)))
    return out


_LAYOUTS: dict[tuple[int, str], tuple[Any, Any]] = {}


def _layout(schemas: SchemaSet | None, kind: str) -> Any:
    """The schema's :class:`~kehu.store.fmt.Layout`, worked out once per loaded schema (an import asks 10,000 times)."""
    from ..repo.schema import SchemaSet

    schemas = schemas or SchemaSet(None)
    raw = schemas.raw[kind]
    hit = _LAYOUTS.get((id(raw), kind))
    if hit is not None and hit[0] is raw:  # the same schema object, not a new one at a reused address
        return hit[1]
    layout = Layout.for_kind(schemas, kind)
    _LAYOUTS[(id(raw), kind)] = (raw, layout)
    return layout


def save_customer(repo: Repo, path: Path, data: Any, *, durable: bool = True, new: bool = False,
                  name: str | None = None) -> list[Problem]:
    """Format ``data`` (:func:`dump`), validate the resulting bytes as ``kehu check`` would, then write.

    Returns ``[]`` after an atomic write. If the checker finds any *error* in the new text,
    nothing is written and those error problems are returned (located in the new text).
    Warnings never block a write. Cross-file checks (duplicate customers, unique ids) are the caller's.
    ``durable`` as in :func:`atomic_write`. ``new``: the file must not exist yet (:func:`create_exclusive`);
    ``FileExistsError`` when another process created it first. ``name``: the file's :func:`file_name`, when the
    caller has it already (an import names all its files at once).
    """
    from ..book.checker import customer_problems
    from ..repo.files import file_name

    text = dump(data, repo.schemas, "customer")
    name = name if name is not None else file_name(repo.root, Path(path))
    problems = customer_problems(repo, name, text.encode("utf-8"))
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        return sorted(errors, key=Problem.sort_key)
    if new:
        if not create_exclusive(Path(path), text, durable=durable):
            raise FileExistsError(str(path))
        return []
    atomic_write(Path(path), text, durable=durable)
    return []


def new_customer_map(fields: dict[str, Any], schemas: SchemaSet | None = None) -> CommentedMap:
    """A new customer record: ``fields`` in canonical key order, under the editor-schema header comment.

    ``# yaml-language-server: $schema=../schema/customer.schema.json`` gives VS Code users
    completion and live errors. Nested dicts and lists become ruamel containers in kehu's style.
    """
    from ..repo.schema import SchemaSet

    doc = canonicalize(copy.deepcopy(dict(fields)), Layout.for_kind(schemas or SchemaSet(None), "customer"))
    doc.yaml_set_start_comment(SCHEMA_COMMENT)
    return doc
