"""THE cache of kehu: answers drawn from a file's content, kept in ``.kehu-cache/`` so that the next command
does not work them out again.

Every cache is a :class:`ContentCache`: one JSON file of ``.kehu-cache/`` holding entries keyed by a file's
*content* (:func:`content_key`: its name and bytes) and valid for one *environment* (:func:`environment`:
kehu's code, the libraries whose answers are kept, and whatever else the user says the answers depend on).
Change any of them and the key changes, so an entry can never be stale. The users: the checker's verdicts
(``check-v2.json``), the book index (``index*-v1.json``), the site's records (``records-v1.json``), the
customers' data for the reports (``data-v1.json``), the members' calendar feeds (``calendars-v1.json``), the
names' pinyin (``pinyin-v1.json``) and the customer pages of the last build of a site (``site-pages-v3.json``).

A ``.kehu-cache/`` that came with the checkout (committed with ``git add -f``, or in an archive) could
declare any file valid. Every cache file therefore carries a keyed hash (MAC) made with a secret that never
lives in the working tree: in the clone's git folder (which git never commits or clones), or where
``KEHU_CACHE_KEY_FILE`` says (CI keeps it next to the restored cache, outside the checkout). A cache without
a valid MAC is ignored, as if there were none.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import __version__
from .atomic import replacing
from .sharing import shared_pairs

CACHE_DIR = ".kehu-cache"
CACHE_KEY_ENV = "KEHU_CACHE_KEY_FILE"
CACHE_KEY_NAME = "kehu-cache-key"
_CACHE_MAGIC = b"kehu-cache-mac "


class ContentCache:
    """One file of ``.kehu-cache/``: ``entries`` (content key -> answer) plus a few fields of its own
    (``fields``), trusted only when this clone signed it for the same environment ``env``.

    ``enabled=False`` (``--no-cache``) starts empty and never writes."""

    def __init__(self, root: Path, name: str, env: str, *, section: str = "entries", enabled: bool = True,
                 share: bool = False) -> None:
        self.path = root / CACHE_DIR / name
        self.env = env
        self.section = section
        self.enabled = enabled
        self.entries: dict[str, Any] = {}
        self.fields: dict[str, Any] = {}
        self.dirty = False
        stored = load_cache_json(self.path, shared_pairs if share else None) if enabled else None
        if isinstance(stored, dict) and stored.get("env") == env:
            entries = stored.pop(section, {})
            self.entries = entries if isinstance(entries, dict) else {}
            self.fields = {k: v for k, v in stored.items() if k != "env"}

    def put(self, key: str, value: Any) -> None:
        self.entries[key] = value
        self.dirty = True

    def replace(self, entries: dict[str, Any]) -> None:
        self.entries = entries
        self.dirty = True

    def set(self, **fields: Any) -> None:
        self.fields.update(fields)
        self.dirty = True

    def keep_only(self, live: builtins.set[str]) -> None:  # builtins: `set` here is the method above
        """Drop the entries of contents no file has any more, so the cache does not grow forever."""
        if len(self.entries) > len(live) or not live.issuperset(self.entries):
            self.entries = {k: v for k, v in self.entries.items() if k in live}
            self.dirty = True

    def save(self) -> None:
        if self.enabled and self.dirty:
            save_cache_json(self.path, {"env": self.env, **self.fields, self.section: self.entries})
            self.dirty = False


# --- keys ------------------------------------------------------------------------------------------


def content_key(file: str, raw: bytes) -> str:
    """The key of one file's content: its name (messages name it) and its bytes."""
    h = hashlib.blake2b(file.encode(), digest_size=20)
    h.update(b"\0")
    h.update(raw)
    return h.hexdigest()


def environment(*parts: str) -> str:
    """The key of everything besides a file's content an answer depends on: kehu's code and the libraries
    whose answers are kept (always), and ``parts`` (the cache's own: schemas, kehu.yaml, the date …)."""
    h = hashlib.sha256()
    for part in (code_fingerprint(), library_versions(), *parts):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


_FINGERPRINT: list[str] = []


def code_fingerprint() -> str:
    """kehu's version and every one of its source files, the catalogue's words and the words people type among
    them (an edited checkout changes the key too: a kept verdict holds its messages as worded)."""
    if not _FINGERPRINT:
        h = hashlib.sha256(__version__.encode())
        package = Path(__file__).resolve().parents[1]
        for path in sorted([*package.rglob("*.py"), *(package / "data").rglob("*.yaml")]):
            h.update(path.read_bytes())
        _FINGERPRINT.append(h.hexdigest())
    return _FINGERPRINT[0]


# the libraries whose answers are kept (a newer phonenumbers knows newer number ranges)
_KEPT_LIBRARIES = frozenset({"pyyaml", "jsonschema_rs", "jsonschema", "phonenumbers", "email_validator", "idna",
                             "rapidfuzz", "pypinyin"})  # pypinyin: the names' readings, and homophones


_VERSIONS: list[str] = []


def library_versions() -> str:
    """Python's version, the YAML loader, and the names of those libraries' dist-info folders
    (name-version.dist-info).

    Read from the folders on sys.path, without importing the libraries or importlib.metadata,
    both of which would cost a cached check more than the whole rest of its start-up."""
    if _VERSIONS:
        return _VERSIONS[0]
    found = [sys.version, yaml_loader_name()]
    for folder in dict.fromkeys(sys.path):
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")) and \
                    name.split("-", 1)[0].lower().replace(".", "_") in _KEPT_LIBRARIES:
                found.append(f"{folder}/{name}")
    _VERSIONS.append("\n".join(found))
    return _VERSIONS[0]


def yaml_loader_name() -> str:
    # the C loader or the pure-Python fallback (the one kehu.repo.yamlload takes): their messages differ
    import yaml

    return "CSafeLoader" if hasattr(yaml, "CSafeLoader") else "SafeLoader"


# --- trusting the cache ----------------------------------------------------------------------------


def _git_dir(root: Path) -> Path | None:
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
            try:
                text = dot.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:"):].strip())
                return target if target.is_absolute() else (folder / target).resolve()
            return None
    return None


def _cache_key_path(root: Path) -> Path:
    pinned = os.environ.get(CACHE_KEY_ENV)
    if pinned:
        return Path(pinned)
    git_dir = _git_dir(root)
    if git_dir is not None:
        return git_dir / CACHE_KEY_NAME
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kehu"
    return base / f"{CACHE_KEY_NAME}-{hashlib.sha256(str(root).encode()).hexdigest()[:16]}"


_SECRETS: dict[Path, bytes | None] = {}


def cache_secret(root: Path) -> bytes | None:
    """This clone's secret for the cache's MAC, made on first use; None when it cannot be kept (no cache)."""
    path = _cache_key_path(root.resolve())
    if path in _SECRETS:
        return _SECRETS[path]
    secret: bytes | None = None
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the secret: the owner's only
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(os.urandom(32).hex() + "\n")
            secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            secret = None
    if secret is not None and len(secret) < 16:
        secret = None
    _SECRETS[path] = secret
    return secret


MAC_BYTES = 32


def _mac(secret: bytes, body: bytes) -> bytes:
    return hashlib.blake2b(body, key=secret[:64], digest_size=MAC_BYTES).hexdigest().encode()


def load_cache_json(path: Path, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """The data of a cache file this clone wrote itself, else None (missing, damaged, or not ours).
    ``object_pairs_hook``: as ``json.loads`` takes it (``kehu.util.sharing.shared_pairs``)."""
    root = path.parent.parent
    secret = cache_secret(root)
    if secret is None:
        return None
    try:
        with open(path, "rb") as fh:  # the head apart, so that a large cache's body is not copied once more
            head = fh.readline()
            body = fh.read()
    except OSError:
        return None
    if not head.endswith(b"\n") or not head.startswith(_CACHE_MAGIC):
        return None
    import hmac

    if not hmac.compare_digest(head[len(_CACHE_MAGIC):-1], _mac(secret, body)):
        return None
    try:
        text = body.decode("utf-8")
        del body  # json.loads would decode bytes to a copy of its own; the bytes go first
        return json.loads(text, object_pairs_hook=object_pairs_hook)
    except ValueError:
        return None


def save_cache_json(path: Path, data: object) -> None:
    """Write ``data`` (a tree of plain values) as ``path`` in .kehu-cache/, atomically and with this clone's
    MAC; a read-only checkout still gets its answer, just not cached. The text is the one ``json.dumps`` gives,
    written a piece at a time (:func:`json_pieces`): a large book's caches are hundreds of megabytes, which
    would otherwise be held three times over (the text, its bytes, the file's bytes)."""
    secret = cache_secret(path.parent.parent)
    if secret is None:
        return
    try:
        path.parent.mkdir(exist_ok=True)
        gitignore = path.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n")
        mac = hashlib.blake2b(key=secret[:64], digest_size=MAC_BYTES)
        with replacing(path, durable=False) as tmp, open(tmp, "wb") as fh:  # made again if lost
            fh.write(_CACHE_MAGIC + b"0" * (2 * MAC_BYTES) + b"\n")  # the MAC, once the body is known
            for piece in _batches(json_pieces(data)):
                mac.update(piece)
                fh.write(piece)
            fh.seek(len(_CACHE_MAGIC))
            fh.write(mac.hexdigest().encode())
    except OSError:
        pass


_PIECE_ITEMS = 256  # a mapping with more items than this is written an item at a time


def json_pieces(value: object, top: bool = True) -> Iterator[str]:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` in pieces whose concatenation is that
    text: the top mapping an item at a time, and so a large mapping in it (a cache's entries), each item by the
    C encoder (``json.dump`` into a file would run the pure-Python one, ~30x slower)."""
    if isinstance(value, dict) and (top or len(value) > _PIECE_ITEMS) and all(type(k) is str for k in value):
        yield "{"
        comma = ""
        for key, item in value.items():
            yield comma + _dumps(key) + ":"
            yield from json_pieces(item, False) if top else iter((_dumps(item),))
            comma = ","
        yield "}"
    else:
        yield _dumps(value)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _batches(pieces: Iterator[str], size: int = 1 << 20) -> Iterator[bytes]:
    """The pieces as UTF-8, gathered into blocks of about ``size`` characters."""
    block: list[str] = []
    held = 0
    for piece in pieces:
        block.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(block).encode("utf-8")
            block, held = [], 0
    if block:
        yield "".join(block).encode("utf-8")
