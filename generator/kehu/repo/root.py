"""Where the team repository is, and which language it speaks — found without loading anything heavy.

``kehu --help`` must answer in the team's language without importing PyYAML or a command module, so the
nearest repository and its ``locale:`` are found here by plain file reads; everything else opens the
repository fully through :func:`kehu.repo.repository.open_repo`, which finds its root the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

CONFIG_FILE = "kehu.yaml"
CUSTOMERS_DIR = "customers"
LOCALES = ("zh-CN", "en")

# a top-level `locale: en` line, as kehu init writes it (quoted or not, with or without a comment)
_LOCALE_LINE = re.compile(r"""^locale:[ \t]*(["']?)(zh-CN|en)\1[ \t]*(?:#.*)?$""", re.MULTILINE)


def find_root(start: Path | None = None) -> Path:
    """The nearest folder (upwards) holding kehu.yaml or customers/; else the start folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file() or (folder / CUSTOMERS_DIR).is_dir():
            return folder
    return here


def team_locale(start: Path | None = None, upwards: bool = True) -> str:
    """The locale of the repository at or above ``start`` (only at it, without ``upwards``): kehu.yaml's
    ``locale:`` when it is one kehu knows, else zh-CN (as :func:`kehu.repo.repository.open_repo` decides).
    A locale the run was started with (KEHU_LOCALE) is the caller's to prefer."""
    try:
        root = find_root(start) if upwards else (start or Path.cwd())
        text = (root / CONFIG_FILE).read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return "zh-CN"
    found = _LOCALE_LINE.search(text)
    if found:
        return found[2]
    if "locale" not in text:
        return "zh-CN"
    import yaml  # an unusual layout (flow style, a quoted key): ask the real parser

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return "zh-CN"
    value = data.get("locale") if isinstance(data, dict) else None
    return value if value in LOCALES else "zh-CN"
