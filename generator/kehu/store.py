"""The one way kehu reads a customer file for editing and writes it back.

Every command that writes a customer file (``kehu fmt``, ``new``, ``log``, ``set``,
``import``, the merge driver …) goes through this module:

- :func:`load_roundtrip` reads a file into a ruamel ``CommentedMap`` that keeps
  comments, key order and layout, after the same strict checks as ``kehu check``
  (duplicate keys, anchors, tabs, custom tags … are refused with ``file:line``).
- :func:`dump` turns such a map (or a plain ``dict``) into text in kehu's
  canonical layout — the same text ``kehu fmt`` produces. Plain data (new records,
  ``kehu import``) is written by :mod:`kehu.fastdump` without ruamel, to the same bytes.
- :func:`save_customer` formats, validates the resulting bytes with the checker
  and only then writes, atomically (:func:`atomic_write`).

Scalars are read exactly as the checker's loader (PyYAML, YAML 1.1) reads them,
so ``yes`` stays a boolean and ``0755`` an octal number, and dates stay the text
the file holds (a ``str`` subclass, :class:`YamlDate`) — the same convention as
:mod:`kehu.yamlload`.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import signal
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver

from .catalogue import Locale
from .errors import KehuError
from .problems import Problem, Severity
from .yamlload import LoadedYaml, load_yaml_bytes

if TYPE_CHECKING:
    from .repo import Repo
    from .schema import SchemaSet

SCHEMA_COMMENT = "yaml-language-server: $schema=../schema/customer.schema.json"
_STD = "tag:yaml.org,2002:"


class StoreError(KehuError):
    """A file kehu cannot read or parse, located at ``file:line:col`` (``str(e)`` starts with it); the
    handler around ``main`` reports it. Callers that fall back on an unreadable file catch this kind."""

    @classmethod
    def from_problem(cls, p: Problem) -> StoreError:
        return cls(p.message, p.hint, file=p.file, line=p.line, col=p.col)


class YamlDate(str):
    """A date (or timestamp) exactly as the file writes it; written back unquoted.

    It is a ``str``, so ``d == "2024-05-17"`` holds and ISO dates sort as text.
    """

    __slots__ = ()


# --- reading: ruamel's comment-keeping parser with PyYAML's scalar semantics -----------------


def _pyyaml_table() -> dict[Any, list[tuple[str, Any]]]:
    # PyYAML's implicit resolvers, in the layout ruamel's VersionedResolver expects
    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    return {ch: list(entries) for ch, entries in table.items() if ch is not None}


_PYYAML_TABLE = _pyyaml_table()


class _PyYamlResolver(VersionedResolver):
    """Decides the type of a plain scalar exactly as the checker's PyYAML loader does."""

    @property
    def versioned_resolver(self) -> Any:
        return _PYYAML_TABLE


_PY_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _pyyaml_value(loader: Any, node: Any) -> Any:
    # Construct int/float/bool/null with PyYAML's rules, so '012' or 'yes' mean what the checker sees.
    tag = str(node.tag)
    text = loader.construct_scalar(node)
    return _PY_CONSTRUCTOR.yaml_constructors[tag](_PY_CONSTRUCTOR, yaml.ScalarNode(tag, str(text)))


def _keep_date_text(loader: Any, node: Any) -> YamlDate:
    # Dates stay text (like kehu.yamlload): an impossible date is reported by the checker, not by a crash here.
    return YamlDate(loader.construct_scalar(node))


class _Constructor(RoundTripConstructor):
    pass


for _tag in ("int", "float", "bool", "null"):
    _Constructor.add_constructor(_STD + _tag, _pyyaml_value)
_Constructor.add_constructor(_STD + "timestamp", _keep_date_text)


def _loader() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.Resolver = _PyYamlResolver
    y.Constructor = _Constructor
    return y


# --- writing -------------------------------------------------------------------------------------


class _Representer(RoundTripRepresenter):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the checker refuses anchors, so an object used twice is written out twice


def _represent_null(rep: Any, data: Any) -> Any:
    return rep.represent_scalar(_STD + "null", "null")  # 'key: null', never a bare 'key:'


def _represent_date(rep: Any, data: YamlDate) -> Any:
    return rep.represent_scalar(_STD + "timestamp", str(data))


def float_text(data: float) -> str:
    """How kehu writes a float. YAML 1.1 needs a '.' in the mantissa ('1.0e+20', not '1e+20'), else PyYAML
    reads a string."""
    if data != data:
        return ".nan"
    if data in (float("inf"), float("-inf")):
        return ".inf" if data > 0 else "-.inf"
    text = repr(data).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


def _represent_float(rep: Any, data: float) -> Any:
    return rep.represent_scalar(_STD + "float", float_text(data))


_Representer.add_representer(type(None), _represent_null)
_Representer.add_representer(YamlDate, _represent_date)
_Representer.add_representer(float, _represent_float)

WIDTH = 1 << 20  # never fold a long line: a folded Chinese sentence is hard to review


def dumper() -> YAML:
    """The ruamel instance that writes kehu's layout (2-space indent, '- ' indented under its key)."""
    y = YAML(typ="rt")
    y.Representer = _Representer
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = WIDTH
    y.allow_unicode = True
    return y


def serialize(doc: Any) -> str:
    """Write ``doc`` as it is (no reordering, no restyling). Most callers want :func:`dump`."""
    out = io.StringIO()
    dumper().dump(doc, out)
    return out.getvalue()


# --- public API ----------------------------------------------------------------------------------


def _messages(repo: Repo | None) -> Locale:
    return repo.msgs if repo is not None else Locale(os.environ.get("KEHU_LOCALE", "zh-CN"))


def parse_bytes(file: str, raw: bytes, msgs: Locale | None = None,
                max_bytes: int | None = None) -> tuple[CommentedMap, LoadedYaml]:
    """Parse one file's bytes for round-trip editing, after the checker's strict YAML checks.

    Returns the ``CommentedMap`` and the checker's plain view of the same bytes
    (``LoadedYaml``, used to prove that formatting changed no data).
    Raises :class:`StoreError` naming ``file:line:col`` for anything the checker would call a YAML error.
    """
    msgs = msgs or Locale(os.environ.get("KEHU_LOCALE", "zh-CN"))
    loaded = load_yaml_bytes(file, raw, msgs, max_bytes)
    if loaded.problems:
        raise StoreError.from_problem(min(loaded.problems, key=Problem.sort_key))
    text = raw.decode("utf-8").removeprefix("\ufeff")
    try:
        doc = _loader().load(text)
    except MarkedYAMLError as e:  # PyYAML accepted it but ruamel did not: still the file's fault, still located
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(str(s) for s in (e.context, e.problem) if s)
        raise StoreError.from_problem(msgs.error(file, line, col, "yaml-syntax", detail=detail)) from None
    except YAMLError as e:
        raise StoreError.from_problem(msgs.error(file, 1, 1, "yaml-syntax", detail=str(e).splitlines()[0])) from None
    if not isinstance(doc, CommentedMap):
        raise StoreError.from_problem(msgs.error(file, 1, 1, "not-mapping"))
    from .fmt import read_comments  # fmt builds on this module; imported here to avoid an import cycle

    read_comments(doc, text)
    return doc, loaded


def load_roundtrip(path: Path, repo: Repo | None = None) -> CommentedMap:
    """Read a customer (or team) file for editing: comments, key order and flow/block style are kept.

    Scalars mean what they mean to ``kehu check``; dates come back as :class:`YamlDate` (a ``str``).
    With ``repo``, messages use the team's language and name the file relative to the repository.
    Raises :class:`StoreError` (message ``file:line:col: …`` and a hint) when the file cannot be read
    or is not valid YAML by the checker's rules; nothing is ever written.
    """
    from .repo import rel

    name = rel(repo.root, path) if repo is not None else str(path)
    msgs = _messages(repo)
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise StoreError.from_problem(msgs.error(name, 1, 1, "cannot-read", detail=e.strerror or str(e))) from None
    max_bytes = repo.config.check.max_file_bytes if repo is not None else None
    return parse_bytes(name, raw, msgs, max_bytes)[0]


def dump(data: Any, schemas: SchemaSet | None = None, kind: str = "customer") -> str:
    """Serialise a ``CommentedMap`` or plain ``dict`` to text in kehu's canonical layout.

    The result is exactly what ``kehu fmt`` writes for the same data: key order from the
    schema (``schemas``: the repository's :class:`~kehu.schema.SchemaSet`; default the bundled
    one), interactions/surveys/complaints by date, consistent quoting, every comment kept.
    ``kind`` is ``"customer"`` or ``"team"``. ``data`` itself is not modified.
    Values may be ``str``, ``int``, ``float``, ``bool``, ``None``, ``datetime.date``, lists and dicts;
    anything else raises (ruamel's ``RepresenterError``) before a byte is written anywhere.
    """
    # fmt builds on this module's parser, so it is imported here rather than at the top (no import cycle)
    from .fastdump import dump_plain

    layout = _layout(schemas, kind)
    # plain data (what an import builds) is written directly, ~10x faster; the same text, proven by
    # tests/test_fastdump.py, and ruamel writes whatever that writer does not handle with certainty
    text = dump_plain(data, layout)
    return text if text is not None else dump_ruamel(data, schemas, kind)


def dump_ruamel(data: Any, schemas: SchemaSet | None = None, kind: str = "customer") -> str:
    """:func:`dump` always through ruamel (the reference the fast writer is tested against)."""
    from .fmt import canonicalize

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
    """The schema's :class:`~kehu.fmt.Layout`, worked out once per loaded schema (an import asks 10,000 times)."""
    from .fmt import Layout
    from .schema import SchemaSet

    schemas = schemas or SchemaSet(None)
    raw = schemas.raw[kind]
    hit = _LAYOUTS.get((id(raw), kind))
    if hit is not None and hit[0] is raw:  # the same schema object, not a new one at a reused address
        return hit[1]
    layout = Layout.for_kind(schemas, kind)
    _LAYOUTS[(id(raw), kind)] = (raw, layout)
    return layout


def atomic_write(path: Path, text: str, *, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` (UTF-8) so that readers see the old file or the new one, never half.

    Writes a temporary file in the same directory, fsyncs it, then ``os.replace``s it over the
    target (keeping the target's permission bits). On any error the temporary file is removed,
    the old file is untouched, and the exception propagates.
    ``durable=False`` skips the two fsyncs (still atomic): for bulk writers (``kehu import``) that
    write thousands of files and then make them durable with one ``os.sync()``.
    """
    path = Path(path)
    folder = path.parent
    tmp = _temporary_copy(path, text, durable)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    finally:
        _LIVE_TEMPS.discard(tmp)
    if durable:
        _fsync_dir(folder)


def _temporary_copy(path: Path, text: str, durable: bool) -> str:
    """``text`` in a temporary file beside ``path``, with the mode ``path`` has (or would get)."""
    fd, tmp = _new_temp(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        _LIVE_TEMPS.discard(tmp)
        raise
    return tmp


# SIGTERM (a CI timeout, `kill`, a pool shutting its workers down) ends a process without running
# `finally`: the temporary files being written are removed by a handler instead, so that no
# .kehu-tmp file is left for `git add -A` to pick up. The process then ends as the signal says.
_LIVE_TEMPS: set[str] = set()
_HANDLED: set[int] = set()


def _new_temp(path: Path) -> tuple[int, str]:
    """A temporary file beside ``path``, known to the termination handler from the moment it exists."""
    blocked = _remove_temps_on_termination()
    if blocked:
        signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".kehu-tmp")
        _LIVE_TEMPS.add(tmp)
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)
    return fd, tmp


def _remove_temps_on_termination() -> set[int]:
    """Install the handlers (once per process); the signals they handle, to block while a temporary
    file is being created (empty where signals cannot be handled or masked)."""
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        return set()  # only the main thread may set handlers (and kehu writes from it)
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is None or sig in _HANDLED:
            continue
        previous = signal.getsignal(sig)
        if previous is signal.SIG_IGN:
            continue

        def handler(signum: int, frame: object, previous: object = previous) -> None:
            for tmp in list(_LIVE_TEMPS):
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            _LIVE_TEMPS.clear()
            if callable(previous):
                previous(signum, frame)
                return
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        signal.signal(sig, handler)
        _HANDLED.add(sig)
    return _HANDLED


def create_exclusive(path: Path, text: str, *, durable: bool = True) -> bool:
    """Write a new file with ``text`` only if ``path`` does not exist yet (atomically: readers never see
    half a file). False when it exists: someone else took that name first. ``durable`` as in
    :func:`atomic_write`."""
    tmp = _temporary_copy(path, text, durable)
    try:
        try:
            os.link(tmp, path)  # fails if the name exists: exclusive, and the content is complete
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: exclusive create, then write
            try:
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                return False
            with os.fdopen(out, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        _LIVE_TEMPS.discard(tmp)


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    # make the rename itself durable; not every platform can open a directory
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_customer(repo: Repo, path: Path, data: Any, *, durable: bool = True, new: bool = False) -> list[Problem]:
    """Format ``data`` (:func:`dump`), validate the resulting bytes as ``kehu check`` would, then write.

    Returns ``[]`` after an atomic write. If the checker finds any *error* in the new text,
    nothing is written and those error problems are returned (located in the new text).
    Warnings never block a write. Cross-file checks (duplicate customers, unique ids) are the caller's.
    ``durable`` as in :func:`atomic_write`. ``new``: the file must not exist yet (:func:`create_exclusive`);
    ``FileExistsError`` when another process created it first.
    """
    from .checker import check_customer_bytes
    from .repo import rel

    text = dump(data, repo.schemas, "customer")
    problems, _entry = check_customer_bytes(repo, rel(repo.root, Path(path)), text.encode("utf-8"))
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
    from .fmt import Layout, canonicalize
    from .schema import SchemaSet

    doc = canonicalize(copy.deepcopy(dict(fields)), Layout.for_kind(schemas or SchemaSet(None), "customer"))
    doc.yaml_set_start_comment(SCHEMA_COMMENT)
    return doc
