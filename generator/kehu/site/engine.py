"""Which engine builds the site — MkDocs 1.6, or ProperDocs 1.6, the maintained fork of MkDocs by its
maintainers, which runs MkDocs plugins and themes (Material) unchanged — and what ``kehu build`` and
``kehu serve`` both set up around a run of it (its configuration file, its logging, the internal switch).

The choice is ``site.engine`` in kehu.yaml (``mkdocs`` by default), or ``KEHU_SITE_ENGINE`` / ``kehu build
--engine`` for one run. ProperDocs serves ``import mkdocs…`` from its own modules once
``properdocs.replacement`` is imported, so the kehu plugin and Material run on it as they are; that has to
happen before anything imports MkDocs, which is why every build and serve goes through :func:`activate`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..util.errors import KehuError

if TYPE_CHECKING:
    from ..repo.repository import Repo

ENGINES = ("mkdocs", "properdocs")
ENGINE_ENV = "KEHU_SITE_ENGINE"
MKDOCS_FILE = "mkdocs.yml"


class EngineMissing(KehuError):
    """The chosen engine is unknown or not installed (worded by the catalogue's ``engine-*`` entries)."""


def chosen(configured: str | None, override: str | None = None) -> str:
    """The engine of this run: ``override`` (the option), else KEHU_SITE_ENGINE, else kehu.yaml's."""
    name = (override or os.environ.get(ENGINE_ENV) or configured or "mkdocs").strip().lower()
    if name not in ENGINES:
        raise EngineMissing.coded("engine-unknown", name=name, choices=" / ".join(ENGINES))
    return name


def activate(name: str) -> str:
    """Make ``name`` the engine behind ``import mkdocs`` in this process; returns "<engine> <version>"."""
    if importlib.util.find_spec(name) is None:
        raise EngineMissing.coded("engine-not-installed", name=name)
    if name == "properdocs":
        loaded = sys.modules.get("mkdocs")
        if loaded is not None and getattr(loaded, "__name__", "") != "properdocs":
            raise EngineMissing.coded("engine-preloaded")
        import properdocs.replacement  # noqa: F401  (mkdocs.* -> properdocs.* from here on)
    import mkdocs

    return f"{mkdocs.__name__} {getattr(mkdocs, '__version__', '?')}"


def logger_name() -> str:
    """The root logger of the running engine ('mkdocs' or 'properdocs'): its strict mode counts what is logged
    under it."""
    import mkdocs

    return mkdocs.__name__


def use_engine(repo: Repo, override: str | None = None) -> str:
    """Activate the site engine of kehu.yaml (or ``override``); a missing one is a one-line error."""
    return activate(chosen(repo.config.site.engine, override))


def mkdocs_config_file(repo: Repo, scratch: Path) -> Path:
    """The repository's mkdocs.yml — checked strictly first (``repo.mkdocsfile``: MkDocs reads it with PyYAML's
    unsafe loader, and it arrives through pull requests) — or, when it has none, the one shipped with kehu,
    pointed at this repository."""
    from ..repo.mkdocsfile import check_mkdocs_file

    own = repo.root / MKDOCS_FILE
    if check_mkdocs_file(repo.root, repo.msgs) is not None:  # refuses (one line) what MkDocs must not read
        return own
    import yaml

    from .render import STATIC_DIR, bundled_templates

    shipped = Path(__file__).resolve().parents[1] / "data" / "init" / MKDOCS_FILE  # what `kehu init` writes
    data = yaml.safe_load(shipped.read_text(encoding="utf-8")) if shipped.is_file() else {"site_name": "kehu"}
    data["docs_dir"] = str(bundled_templates() / STATIC_DIR)
    data["plugins"] = [{"kehu": {"repo": str(repo.root)}}, *[p for p in data.get("plugins", []) if p != "kehu"]]
    path = scratch / MKDOCS_FILE
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@contextmanager
def mkdocs_logging(level: int) -> Iterator[None]:
    """MkDocs' (or ProperDocs') messages at ``level`` and above on stderr, one line each."""
    logger = logging.getLogger(logger_name())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    handler.setLevel(level)
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)


@contextmanager
def environ(name: str, value: str) -> Iterator[None]:
    """``name`` is ``value`` while kehu runs MkDocs in this process (the kehu plugin reads it), then as it was."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def internal_env(internal: bool) -> AbstractContextManager[None]:
    from .plugin import INTERNAL_ENV

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    return environ(INTERNAL_ENV, "1" if internal else "0")
