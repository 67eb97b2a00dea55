"""``kehu check``: load every file, validate it, run the rules, collect problems.

Files are checked in parallel (one process per core) and each verdict is cached
under ``.kehu-cache/`` keyed by the file's content *and* everything the verdict
depends on (kehu's own code, the schemas, kehu.yaml, team.yaml and today's
date), so a cached verdict can never be stale: change any of them and the
key changes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import CONFIG_FILE, TEAM_FILE
from .model import customer_from
from .problems import Problem, Severity
from .repo import Repo, rel
from .rules import FILE_RULES, FileContext, IndexEntry, index_entry, repo_rules
from .yamlload import load_yaml_bytes

CACHE_DIR = ".kehu-cache"
CACHE_FILE = "check-v1.json"
PARALLEL_THRESHOLD = 64  # below this many files a process pool costs more than it saves


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    files_total: int = 0
    cached: int = 0

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
    msgs, config = repo.msgs, repo.config
    loaded = load_yaml_bytes(file, raw, msgs, config["check"]["max_file_bytes"])
    if loaded.problems or not isinstance(loaded.data, dict):
        return loaded.problems, index_entry(loaded, config)
    entry = index_entry(loaded, config)
    problems = repo.schemas.validate("customer", loaded, msgs)
    if problems:
        return problems, entry
    ctx = FileContext(loaded, customer_from(loaded), config, repo.handles, msgs, config.today)
    for rule in FILE_RULES:
        problems.extend(rule(ctx))
    return problems, entry


# --- parallel workers ------------------------------------------------------------------------

_WORKER_REPO: Repo | None = None


def _work(item: tuple[str, str]) -> tuple[str, list[dict], list]:
    file, path = item
    assert _WORKER_REPO is not None
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        p = _WORKER_REPO.msgs.error(file, 1, 1, "cannot-read", detail=e.strerror or str(e))
        return file, [p.as_dict()], IndexEntry(file).as_list()
    problems, entry = check_customer_bytes(_WORKER_REPO, file, raw)
    return file, [p.as_dict() for p in problems], entry.as_list()


def _run(repo: Repo, items: list[tuple[str, str]], jobs: int) -> Iterable[tuple[str, list[dict], list]]:
    global _WORKER_REPO
    _WORKER_REPO = repo
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return [_work(it) for it in items]
    ctx = multiprocessing.get_context("fork")  # children inherit the loaded schemas and config
    with ctx.Pool(jobs) as pool:
        return pool.map(_work, items, chunksize=max(16, len(items) // (jobs * 8)))


# --- cache -------------------------------------------------------------------------------------


def _code_fingerprint() -> str:
    h = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def environment_key(repo: Repo) -> str:
    """Everything besides the file itself that a verdict depends on."""
    h = hashlib.sha256()
    for part in (_code_fingerprint(), repo.schemas.fingerprint, repo.config_text, repo.team_text,
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
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("env") == env:
                    self.files = data.get("files", {})
                    self.repo_key = data.get("repo_key", "")
                    self.repo_problems = data.get("repo_problems", [])
            except (OSError, ValueError):
                pass

    def save(self) -> None:
        if not (self.enabled and self.dirty):
            return
        try:
            self.path.parent.mkdir(exist_ok=True)
            gitignore = self.path.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n")
            data = {"env": self.env, "files": self.files, "repo_key": self.repo_key,
                    "repo_problems": self.repo_problems}
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".check-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only checkout still gets its verdict, just not cached


def content_key(file: str, raw: bytes) -> str:
    return hashlib.blake2b(file.encode() + b"\0" + raw, digest_size=20).hexdigest()


# --- the check ---------------------------------------------------------------------------------


def check(repo: Repo, paths: list[Path] | None = None, use_cache: bool = True, jobs: int | None = None) -> CheckResult:
    """Check the given files (default: all) against everything in the repository."""
    result = CheckResult()
    root = repo.root
    all_files = repo.customer_files()
    selected_meta: set[str] = {CONFIG_FILE, TEAM_FILE}
    if paths is None:
        selected = {rel(root, p) for p in all_files}
    else:
        selected = set()
        selected_meta = set()
        for p in paths:
            name = rel(root, p)
            if name in (CONFIG_FILE, TEAM_FILE):
                selected_meta.add(name)
            else:
                selected.add(name)
        known = {rel(root, p) for p in all_files}
        all_files = all_files + [root / n for n in sorted(selected - known)]
    # kehu.yaml and team.yaml problems are always shown: they change every other verdict
    result.problems.extend(repo.problems)
    if not repo.config_ok:
        result.problems.append(repo.msgs.error(CONFIG_FILE, 1, 1, "config-invalid"))
        result.problems.sort(key=Problem.sort_key)
        return result
    cache = VerdictCache(root, environment_key(repo), enabled=use_cache)
    keys: dict[str, str] = {}
    todo: list[tuple[str, str]] = []
    verdicts: dict[str, tuple[list[dict], list]] = {}
    for path in all_files:
        name = rel(root, path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            p = repo.msgs.error(name, 1, 1, "cannot-read", detail=e.strerror or str(e))
            verdicts[name] = ([p.as_dict()], IndexEntry(name).as_list())
            continue
        key = content_key(name, raw)
        keys[name] = key
        hit = cache.files.get(key)
        if hit is not None:
            verdicts[name] = (hit[0], hit[1])
            result.cached += 1
        else:
            todo.append((name, str(path)))
    jobs = jobs or os.cpu_count() or 1
    for name, problems, entry in _run(repo, todo, jobs):
        verdicts[name] = (problems, entry)
        cache.files[keys[name]] = [problems, entry]
        cache.dirty = True
    entries = [IndexEntry.from_list(v[1]) for v in verdicts.values()]
    repo_key = hashlib.sha256(json.dumps([sorted(keys.items()), sorted(selected)]).encode()).hexdigest()
    if cache.repo_key == repo_key:
        cross = [Problem.from_dict(d) for d in cache.repo_problems]
    else:
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
        result.problems = [p for p in result.problems if p.file in selected or p.file in selected_meta]
    result.problems.sort(key=Problem.sort_key)
    result.files_checked = len(selected)
    result.files_total = len(all_files)
    return result
