"""``kehu check``: load every file, validate it, run the rules, collect problems.

Files are checked in parallel (one process per core) and each verdict is cached
under ``.kehu-cache/`` keyed by the file's content *and* everything the verdict
depends on (kehu's own code, the schemas, kehu.yaml, team.yaml and today's
date), so a cached verdict can never be stale: change any of them and the
key changes.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .config import CONFIG_FILE, CUSTOMERS_DIR, SCHEMA_DIR, TEAM_FILE
from .model import Record, customer_from, record_of
from .normalize import normalize_email, parse_phone
from .problems import Problem, Severity
from .repo import Repo, is_plain_file
from .rules import FILE_RULES, FileContext, IndexEntry, index_entry, repo_rules
from .yamlload import LoadedYaml, load_yaml_bytes

CACHE_DIR = ".kehu-cache"
CACHE_FILE = "check-v2.json"
PARALLEL_THRESHOLD = 64  # below this many files a process pool costs more than it saves


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    files_total: int = 0
    cached: int = 0
    keys: dict[str, str] = field(default_factory=dict)      # file -> content key (files that could be read)
    records: dict[str, Record] = field(default_factory=dict)  # file -> record, for sound files checked afresh

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.WARNING)

    @property
    def files_with_errors(self) -> int:
        return len({p.file for p in self.problems if p.severity is Severity.ERROR})


def check_customer_bytes(repo: Repo, file: str, raw: bytes) -> tuple[list[Problem], IndexEntry]:
    """All single-file rules for one customer file; never raises on bad input."""
    problems, entry, _ = _check_loaded(repo, file, raw)
    return problems, entry


def _check_loaded(repo: Repo, file: str, raw: bytes) -> tuple[list[Problem], IndexEntry, LoadedYaml | None]:
    """The problems and index entry of one file, and the loaded file when it passed the schema."""
    msgs, config = repo.msgs, repo.config
    loaded = load_yaml_bytes(file, raw, msgs, config.check.max_file_bytes)
    if loaded.problems or not isinstance(loaded.data, dict):
        return loaded.problems, index_entry(loaded, config), None
    entry = index_entry(loaded, config)
    problems = repo.schemas.validate("customer", loaded, msgs)
    if problems:
        return problems, entry, None
    ctx = FileContext(loaded, customer_from(loaded), config, repo.handles, msgs, config.today, schemas=repo.schemas)
    for rule in FILE_RULES:
        problems.extend(rule(ctx))
    return problems, entry, loaded


# --- parallel workers ------------------------------------------------------------------------

# Set just before the pool forks: the children inherit the loaded repository and the work list
# (with the bytes the parent has already read), so nothing but the results crosses a pipe.
_WORKER_REPO: Repo | None = None
_WORKER_ITEMS: list[tuple[str, bytes | str]] = []
_WANT_RECORDS = False

# file, content key (None: unreadable), problems, index entry, record (sound files, when asked for)
Verdict = tuple[str, str | None, list[dict], list, Record | None]


def _verdict(repo: Repo, file: str, source: bytes | str, records: bool = False) -> Verdict:
    """The verdict on one file, given its bytes or (read here, in the worker) its path."""
    raw = _read(file, source, repo) if isinstance(source, str) else source
    if isinstance(raw, dict):
        return file, None, [raw], IndexEntry(file).as_list(), None
    problems, entry, loaded = _check_loaded(repo, file, raw)
    sound = records and loaded is not None and not any(p.severity is Severity.ERROR for p in problems)
    return (file, content_key(file, raw), [p.as_dict() for p in problems], entry.as_list(),
            record_of(loaded) if sound and loaded is not None else None)


def _work(span: tuple[int, int]) -> list[Verdict]:
    assert _WORKER_REPO is not None
    return [_verdict(_WORKER_REPO, *_WORKER_ITEMS[i], _WANT_RECORDS) for i in range(*span)]


def _warm_up(repo: Repo) -> None:
    """Load in the parent what every child needs (lazily imported libraries, phone metadata), so that
    each child does not load it again after the fork."""
    parse_phone("13800138000", repo.config.check.phone_region)
    normalize_email("warm.up@example.com")


def _run(repo: Repo, items: list[tuple[str, bytes | str]], jobs: int, records: bool = False) -> Iterable[Verdict]:
    global _WORKER_REPO, _WORKER_ITEMS, _WANT_RECORDS
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        return [_verdict(repo, file, source, records) for file, source in items]
    import multiprocessing  # imported here: a check answered from the cache starts faster without it

    if "fork" not in multiprocessing.get_all_start_methods():
        return [_verdict(repo, file, source, records) for file, source in items]
    _warm_up(repo)
    _WORKER_REPO, _WORKER_ITEMS, _WANT_RECORDS = repo, items, records
    # about 32 spans per worker: big enough that passing results is cheap, small enough that no worker
    # is left with a long last span while the others have finished
    size = max(16, -(-len(items) // (jobs * 32)))
    spans = [(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    # Frozen objects are left alone by the collector: otherwise the children scan (and so copy, page by page)
    # everything inherited from the parent at each full collection, a fifth of their time with a big cache.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return [v for chunk in pool.imap_unordered(_work, spans) for v in chunk]
    finally:
        gc.unfreeze()
        _WORKER_REPO, _WORKER_ITEMS, _WANT_RECORDS = None, [], False


# --- cache -------------------------------------------------------------------------------------


def _code_fingerprint() -> str:
    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


# the libraries whose answers are verdicts (a newer phonenumbers knows newer number ranges)
_VERDICT_LIBRARIES = frozenset({"pyyaml", "jsonschema_rs", "jsonschema", "phonenumbers", "email_validator", "idna",
                                "rapidfuzz"})


def _library_versions() -> str:
    """Python's version and the names of those libraries' dist-info folders (name-version.dist-info).

    Read from the folders on sys.path, without importing the libraries or importlib.metadata,
    both of which would cost a cached check more than the whole rest of its start-up."""
    found = [sys.version, _yaml_loader_name()]
    for folder in dict.fromkeys(sys.path):
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")) and \
                    name.split("-", 1)[0].lower().replace(".", "_") in _VERDICT_LIBRARIES:
                found.append(f"{folder}/{name}")
    return "\n".join(found)


def _yaml_loader_name() -> str:
    from .yamlload import _Loader  # the C loader or the pure-Python fallback: their messages differ

    return _Loader.__name__


def environment_key(repo: Repo) -> str:
    """Everything besides the file itself that a verdict depends on."""
    h = hashlib.sha256()
    # config.fingerprint is kehu.yaml merged over kehu's defaults: a changed default changes the key too
    for part in (_code_fingerprint(), _library_versions(), repo.schemas.fingerprint, repo.config_text,
                 repo.team_text,
                 repo.config.fingerprint,
                 json.dumps(sorted(repo.handles or [])), repo.config.today.isoformat(), repo.msgs.lang):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


class VerdictCache:
    def __init__(self, root: Path, env: str, enabled: bool = True) -> None:
        self.path = root / CACHE_DIR / CACHE_FILE
        self.env = env
        self.enabled = enabled
        self.files: dict[str, list] = {}
        self.repo_key = ""
        self.repo_problems: list[dict] = []
        self.dirty = False
        if enabled:
            data = load_cache_json(self.path)
            if isinstance(data, dict) and data.get("env") == env:
                self.files = data.get("files", {})
                self.repo_key = data.get("repo_key", "")
                self.repo_problems = data.get("repo_problems", [])

    def save(self) -> None:
        if self.enabled and self.dirty:
            save_cache_json(self.path, {"env": self.env, "files": self.files, "repo_key": self.repo_key,
                                        "repo_problems": self.repo_problems})


# --- trusting the cache ----------------------------------------------------------------------------
#
# A .kehu-cache/ that came with the checkout (committed with `git add -f`, or in an archive) could declare
# any file valid. Every cache file therefore carries a keyed hash (MAC) made with a secret that never lives
# in the working tree: in the clone's git folder (which git never commits or clones), or where
# KEHU_CACHE_KEY_FILE says (CI keeps it next to the restored cache, outside the checkout). A cache without
# a valid MAC is ignored, as if there were none.

CACHE_KEY_ENV = "KEHU_CACHE_KEY_FILE"
CACHE_KEY_NAME = "kehu-cache-key"
_CACHE_MAGIC = b"kehu-cache-mac "


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
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(os.urandom(32).hex() + "\n")
            secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            secret = None
    if secret is not None and len(secret) < 16:
        secret = None
    _SECRETS[path] = secret
    return secret


def _mac(secret: bytes, body: bytes) -> bytes:
    return hashlib.blake2b(body, key=secret[:64], digest_size=32).hexdigest().encode()


def load_cache_json(path: Path) -> Any:
    """The data of a cache file this clone wrote itself, else None (missing, damaged, or not ours)."""
    root = path.parent.parent
    secret = cache_secret(root)
    if secret is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head, sep, body = raw.partition(b"\n")
    if not sep or not head.startswith(_CACHE_MAGIC):
        return None
    import hmac

    if not hmac.compare_digest(head[len(_CACHE_MAGIC):], _mac(secret, body)):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def save_cache_json(path: Path, data: object) -> None:
    """Write ``data`` (a tree of plain values) as ``path`` in .kehu-cache/, atomically and with this clone's
    MAC; a read-only checkout still gets its answer, just not cached."""
    import tempfile

    secret = cache_secret(path.parent.parent)
    if secret is None:
        return
    try:
        path.parent.mkdir(exist_ok=True)
        gitignore = path.parent / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n")
        # json.dumps runs the C encoder; json.dump into a file would run the pure-Python one (~30x slower)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_CACHE_MAGIC + _mac(secret, body) + b"\n")
                fh.write(body)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def content_key(file: str, raw: bytes) -> str:
    h = hashlib.blake2b(file.encode(), digest_size=20)
    h.update(b"\0")
    h.update(raw)
    return h.hexdigest()


# --- which files -------------------------------------------------------------------------------


def file_name(root: Path, path: Path | str) -> str:
    """How a file is named in messages and in the cache: relative to the repository.

    Only the folder is resolved (one call per folder, not per file), so a file
    named on the command line and the same file found by listing customers/
    always get the same name.
    """
    path = Path(path)
    folder = os.path.realpath(path.parent)
    try:
        return os.path.relpath(os.path.join(folder, path.name), root)
    except ValueError:  # another drive (Windows)
        return str(path)


def customer_listing(repo: Repo) -> dict[str, str]:
    """name -> path of every customer file, in name order: one directory scan, no stat per file."""
    return customer_scan(repo)[0]


def customer_scan(repo: Repo) -> tuple[dict[str, str], list[str]]:
    """The customer files (name -> path) and the names of what looks like one but is a link, a folder or a
    special file (a FIFO would hang the reader): those are reported, never read."""
    folder = repo.customers_dir
    if folder.is_symlink():
        return {}, [CUSTOMERS_DIR]
    try:
        with os.scandir(folder) as it:
            entries = sorted((e.name, e.path, e.is_file(follow_symlinks=False)) for e in it if _is_yaml_name(e.name))
    except OSError:
        return {}, []
    prefix = os.path.dirname(file_name(repo.root, folder / "x")) + os.sep
    return ({prefix + name: path for name, path, plain in entries if plain},
            [prefix + name for name, _, plain in entries if not plain])


def _is_yaml_name(name: str) -> bool:
    """What Path(name).suffix in (".yaml", ".yml") says, without a Path per file ('.yaml' has no suffix)."""
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1 and name[dot:] in (".yaml", ".yml")


def _read(name: str, path: str, repo: Repo) -> bytes | dict:
    """The file's bytes, or the problem saying why it cannot be read.

    Plain os calls: a warm check reads every customer file, and the io layer's
    objects cost more than the reading itself."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(fd)
    except OSError as e:
        return repo.msgs.error(name, 1, 1, "cannot-read", detail=e.strerror or str(e)).as_dict()
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- the check ---------------------------------------------------------------------------------


def check(repo: Repo, paths: list[Path] | None = None, use_cache: bool = True, jobs: int | None = None,
          records: bool = False) -> CheckResult:
    """Check the given files (default: all) against everything in the repository.

    ``records``: also return the record (``model.record_of``) of every sound file that had to be checked
    afresh, so that a caller needing the customers (the site) does not parse those files again."""
    result = CheckResult()
    root = repo.root
    listing, odd = customer_scan(repo)
    refused: list[Problem] = [repo.msgs.error(name, 1, 1, "not-regular-file") for name in odd]
    selected_meta: set[str] = {CONFIG_FILE, TEAM_FILE}
    if paths is None:
        selected = set(listing)
    else:
        selected = set()
        selected_meta = set()
        odd_names = set(odd)
        refused = []
        for p in paths:
            name = file_name(root, p)
            if name in (CONFIG_FILE, TEAM_FILE) or name.startswith(f"{SCHEMA_DIR}/"):
                selected_meta.add(name)
            elif name in odd_names or (os.path.lexists(p) and repo.customer_file(p) is None):
                # never read: a link may point outside the repository, a FIFO would hang
                refused.append(repo.msgs.error(name, 1, 1, "not-customer-file" if is_plain_file(Path(p))
                                               else "not-regular-file"))
            else:
                selected.add(name)
        if selected_meta:  # a changed kehu.yaml, team.yaml or schema can break any customer file
            selected |= listing.keys()
            refused += [repo.msgs.error(name, 1, 1, "not-regular-file") for name in odd]
        for name in sorted(selected - listing.keys()):
            listing[name] = os.path.join(root, name)
    # kehu.yaml and team.yaml problems are always shown: they change every other verdict
    result.problems.extend(repo.problems)
    result.problems.extend(refused)
    if not repo.config_ok:
        result.problems.append(repo.msgs.error(CONFIG_FILE, 1, 1, "config-invalid"))
        result.problems.sort(key=Problem.sort_key)
        return result
    cache = VerdictCache(root, environment_key(repo), enabled=use_cache)
    keys: dict[str, str] = {}
    todo: list[tuple[str, bytes | str]] = []
    verdicts: dict[str, tuple[list[dict], list]] = {}
    # With nothing cached there is nothing to look up: the workers read the files themselves, so that
    # reading (slow when the files are not in the page cache) overlaps with checking.
    cold = not cache.files
    for name, path in listing.items():
        if cold:
            todo.append((name, path))
            continue
        raw = _read(name, path, repo)
        if isinstance(raw, dict):
            verdicts[name] = ([raw], IndexEntry(name).as_list())
            continue
        key = content_key(name, raw)
        keys[name] = key
        hit = cache.files.get(key)
        if hit is not None:
            verdicts[name] = (hit[0], hit[1])
            result.cached += 1
        else:
            todo.append((name, raw))
    jobs = jobs or _cores()
    for name, key, problems, entry, record in _run(repo, todo, jobs, records):
        verdicts[name] = (problems, entry)
        if record is not None:
            result.records[name] = record
        if key is not None:
            keys[name] = key
            cache.files[key] = [problems, entry]
            cache.dirty = True
    del todo
    repo_key = hashlib.sha256(json.dumps([sorted(keys.items()), sorted(selected)]).encode()).hexdigest()
    if cache.repo_key == repo_key:
        cross = [Problem.from_dict(d) for d in cache.repo_problems]
    else:
        # in file order, whatever order the workers finished in: the same input gives the same report
        entries = [IndexEntry.from_list(verdicts[name][1]) for name in listing]
        cross = repo_rules(entries, selected, repo.config, repo.msgs)
        cache.repo_key, cache.repo_problems, cache.dirty = repo_key, [p.as_dict() for p in cross], True
    if use_cache:  # keep the cache to the files that exist, so it does not grow forever
        live = set(keys.values())
        if len(cache.files) > len(live):
            cache.files = {k: v for k, v in cache.files.items() if k in live}
            cache.dirty = True
    cache.save()
    for name in sorted(selected):
        result.problems.extend(Problem.from_dict(d) for d in verdicts.get(name, ([], None))[0])
    result.problems.extend(cross)
    if paths is not None:
        # kehu.yaml and team.yaml problems stay: a single-file run must not pass on a broken team.yaml
        shown = selected | {p.file for p in refused} | {CONFIG_FILE, TEAM_FILE}
        result.problems = [p for p in result.problems if p.file in shown]
    result.problems.sort(key=Problem.sort_key)
    result.keys = keys
    result.files_checked = len(selected)
    result.files_total = len(listing)
    return result
