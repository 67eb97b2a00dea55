"""The team's website: data assembly, rendering, the MkDocs plugin, calendar feeds, search shaping.

``kehu.site.generate.generate(repo)`` produces every page; ``kehu.site.plugin.KehuPlugin`` (entry point
``kehu``) runs it inside ``mkdocs build`` / ``mkdocs serve``. Nothing is imported here, so the command
line can read the site's words (``kehu.core.present``) without loading MkDocs.
"""
