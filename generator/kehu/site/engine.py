"""Which engine builds the site: MkDocs 1.6, or ProperDocs 1.6 — the maintained fork of MkDocs by its
maintainers, which runs MkDocs plugins and themes (Material) unchanged.

The choice is ``site.engine`` in kehu.yaml (``mkdocs`` by default), or ``KEHU_SITE_ENGINE`` / ``kehu build
--engine`` for one run. ProperDocs serves ``import mkdocs…`` from its own modules once
``properdocs.replacement`` is imported, so the kehu plugin and Material run on it as they are; that has to
happen before anything imports MkDocs, which is why every build and serve goes through :func:`activate`.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from ..util.errors import KehuError

ENGINES = ("mkdocs", "properdocs")
ENGINE_ENV = "KEHU_SITE_ENGINE"


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
