"""kehu diff-driver FILE — what ``git diff`` and ``git log -p`` compare for a customer file.

Installed by ``kehu init`` (and ``kehu init --git-only`` in every clone): ``.gitattributes``
says ``customers/*.yaml diff=kehu``, and git config ``diff.kehu.textconv`` (``kehu diff-driver``, run
fail-safe: see :func:`kehu.git.gitsetup.textconv_command`),
``diff.kehu.xfuncname "^[ ]*# kehu: (.+)$"`` and ``diff.kehu.cachetextconv true``.

The file is printed unchanged except for one comment line above the file and above each
entry of a list (``# kehu: 上海启明科技有限公司 · 跟进记录 2024-05-20``). Git puts the nearest
such line before a change into the hunk header, so every hunk of a review names the customer
and the entry:

    @@ -31,6 +33,11 @@ 上海启明科技有限公司 · 跟进记录 2024-05-20

A file that does not load is printed as it is: a diff is never refused.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..core.identity import PROTECTED

if TYPE_CHECKING:
    from ._common import RunOptions

MARK = "# kehu: "  # the hunk header git shows is what follows it (``gitsetup.XFUNCNAME``)
LISTS = ("contacts", *PROTECTED)  # the lists whose entries get a header


def annotated(raw: bytes, describe: object = None) -> bytes:
    """The file with a header comment above it and above each list entry (raw bytes when it does not load)."""
    from ..repo.yamlload import load_yaml_bytes
    from ..words.catalogue import Locale

    loaded = load_yaml_bytes("customer.yaml", raw, Locale())
    data = loaded.data
    if loaded.problems or not isinstance(data, dict):
        return raw
    lines = raw.decode("utf-8").splitlines(keepends=True)
    name = " ".join(str(data.get("name") or "").split()) or "?"
    customer = f"{name} ({data.get('id')})"
    titles = describe if isinstance(describe, dict) else {}
    inserts: dict[int, str] = {}
    for field in LISTS:
        items = data.get(field)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            line = loaded.positions.get((field, i), (0, 0))[0]
            if not line or not isinstance(item, dict):
                continue
            when = item.get("date") or item.get("signed") or item.get("contract") or item.get("name") or ""
            inserts[line] = f"{name} · {titles.get(field, field)} {' '.join(str(when).split())}".rstrip()
    out = [f"{MARK}{customer}\n"]
    for number, text in enumerate(lines, 1):
        if number in inserts:
            indent = text[: len(text) - len(text.lstrip())]
            out.append(f"{indent}{MARK}{inserts[number]}\n")
        out.append(text)
    return "".join(out).encode("utf-8")


def _titles(forced: str | None = None) -> dict[str, str]:
    """The lists' titles in the team's language (the schema's title / x-title-en; the language the command line
    chose, else kehu.yaml's locale), read directly: git runs this once per file version, so it must not load the
    whole repository. Field keys when the repository cannot be read."""
    import json

    from ..repo.config import CONFIG_FILE, SCHEMA_DIR
    from ..repo.schema import SCHEMA_FILES, title_of
    from ..repo.yamlload import load_yaml_bytes
    from ..words.catalogue import Locale

    try:
        root = Path.cwd()  # git runs textconv at the top of the work tree
        locale = forced or ""
        if not locale and (root / CONFIG_FILE).is_file():
            data = load_yaml_bytes(CONFIG_FILE, (root / CONFIG_FILE).read_bytes(), Locale()).data
            locale = str(data.get("locale") or "") if isinstance(data, dict) else ""
        schema_path = root / SCHEMA_DIR / SCHEMA_FILES["customer"]
        if schema_path.is_file():
            schema = json.loads(schema_path.read_text(encoding="utf-8"))
        else:
            from importlib import resources

            schema = json.loads(resources.files("kehu").joinpath(f"data/schema/{SCHEMA_FILES['customer']}")
                                .read_text(encoding="utf-8"))
        props = schema.get("properties", {})
        return {f: title_of(props[f], locale or "zh-CN", f) for f in LISTS if isinstance(props.get(f), dict)}
    except Exception:  # a diff must never fail because kehu.yaml or the schema is broken right now
        return {}


@click.command("diff-driver")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def command(obj: RunOptions | None, file: Path) -> None:
    raw = file.read_bytes()
    sys.stdout.buffer.write(annotated(raw, _titles((obj or {}).get("locale"))))
    sys.stdout.buffer.flush()
