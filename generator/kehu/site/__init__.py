"""The team's website: data assembly, rendering, the MkDocs plugin, calendar feeds, search shaping.

``generate(repo)`` produces every page; ``kehu.site.plugin.KehuPlugin`` (entry point
``kehu``) runs it inside ``mkdocs build`` / ``mkdocs serve``.
"""

from .generate import NAV, GeneratedSite, generate

__all__ = ["NAV", "GeneratedSite", "generate"]
