"""The package's import graph, read from the source: the floors hold.

The package is a house of floors along the data's way (bottom → top): ``util`` (plumbing), ``words`` (every word),
``repo`` (a team repository on disk), ``core`` (facts and policies), ``book`` (reading the customers),
``store`` (writing customer files), ``git``, ``io``, ``site``, ``commands``, and the edge (``cli.py``,
``helptext.py``, ``__main__.py``). The rules:

- a module imports only its own floor and the floors below (``kehu/__init__.py``, which holds ``__version__``,
  may be imported from anywhere), and every module stands on a floor;
- no module imports itself through others — no circle, at any level;
- commands never import each other: what they share lives in a support module of ``commands/`` (a name that
  starts with ``_``) or on a floor below;
- the ``__init__.py`` of a floor imports nothing (``kehu --help`` stays fast: tests/test_cli_start.py).

Every import counts: module-level ones, those inside functions (they only delay the circle to the first call)
and those under ``if TYPE_CHECKING:`` (they never run, but they still mean one module needs the other to be
understood: a type-only circle is a circle in the design). Each rule is shown to fail on a small package that
breaks it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator" / "kehu"


def _modules(package: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (a package is its __init__.py)."""
    out = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """module -> the package's modules it imports (anywhere in its code)."""
    modules = _modules(package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        deps: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[:len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    if full in modules:      # from . import store
                        deps.add(full)
                    elif target in modules:  # from .store import dump
                        deps.add(target)
        deps.discard(name)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as one circle found in it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(_circle(graph, set(component)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _circle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """One closed path through the component, from its first module back to it (breadth first: the shortest)."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v] & component):
            if w == start:
                return paths[v] + [start]
            if w not in paths:
                paths[w] = paths[v] + [w]
                queue.append(w)
    return sorted(component)


def test_the_package_has_no_import_circles() -> None:
    found = cycles(import_graph())
    assert not found, "import circles:\n" + "\n".join(" → ".join(c) for c in found)


def test_the_graph_sees_function_level_imports_and_reports_a_circle(tmp_path: Path) -> None:
    """The test can fail: a circle closed only inside a function is found and named."""
    pkg = tmp_path / "kehu"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("def f():\n    from .sub.c import g\n")
    (pkg / "sub" / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..d import x\n"
                                      "def g():\n    from ..a import y\n")
    (pkg / "d.py").write_text("from .sub import c\n")
    graph = import_graph(pkg)
    assert graph["kehu.b"] == {"kehu.sub.c"}
    assert graph["kehu.sub.c"] == {"kehu.a", "kehu.d"}  # the TYPE_CHECKING import counts too
    assert cycles(graph) == [["kehu.a", "kehu.b", "kehu.sub.c", "kehu.a"]]


def test_a_circle_closed_only_by_type_annotations_is_a_circle(tmp_path: Path) -> None:
    """``gitinfo → repository → ids → gitinfo`` once closed only under ``if TYPE_CHECKING:``: it is found."""
    pkg = tmp_path / "kehu"
    (pkg / "repo").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "repo" / "__init__.py").write_text("")
    (pkg / "repo" / "gitinfo.py").write_text("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                                             "    from .repository import Repo\n")
    (pkg / "repo" / "repository.py").write_text("from . import ids\n")
    (pkg / "repo" / "ids.py").write_text("def f():\n    from .gitinfo import git\n")
    assert cycles(import_graph(pkg)) == [["kehu.repo.gitinfo", "kehu.repo.repository", "kehu.repo.ids",
                                          "kehu.repo.gitinfo"]]


# --- the floors ----------------------------------------------------------------------------------------------

FLOORS = ("util", "words", "repo", "core", "book", "store", "git", "io", "site", "commands")  # bottom → top
EDGE = ("cli", "helptext", "__main__")  # the top floor: where a run starts
TOP = len(FLOORS)


def floor_of(module: str) -> int | None:
    """The floor of ``kehu.<floor>…`` (the edge modules: the top one); None for ``kehu`` itself, which every
    floor may import (``__version__``); ValueError for a module on no floor."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    if parts[1] in FLOORS:
        return FLOORS.index(parts[1])
    if len(parts) == 2 and parts[1] in EDGE:
        return TOP
    raise ValueError(module)


def _floor_name(index: int) -> str:
    return FLOORS[index] if index < TOP else "edge"


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """``importer → imported (floor → higher floor)`` for every import that goes up, and every module that
    stands on no floor."""
    found = []
    for module in sorted(graph):
        try:
            here = floor_of(module)
        except ValueError:
            found.append(f"{module}: on no floor")
            continue
        for target in sorted(graph[module]):
            try:
                there = floor_of(target)
            except ValueError:
                continue  # reported as a module of its own
            if here is not None and there is not None and there > here:
                found.append(f"{module} → {target} ({_floor_name(here)} → {_floor_name(there)})")
    return found


def _is_command(module: str) -> bool:
    parts = module.split(".")
    return len(parts) == 3 and parts[1] == "commands" and not parts[2].startswith("_")


def commands_importing_commands(graph: dict[str, set[str]]) -> list[str]:
    """``importer → command`` for every module of commands/ that imports a command module (not a support one)."""
    return [f"{module} → {target}" for module in sorted(graph) if module.startswith("kehu.commands.")
            for target in sorted(graph[module]) if _is_command(target) and target != module]


def imports_in_floor_packages(package: Path = PACKAGE) -> list[str]:
    """The floors' ``__init__.py`` files that import anything."""
    found = []
    for init in sorted(package.glob("*/__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree)):
            found.append(init.relative_to(package.parent).as_posix())
    return found


def test_no_import_goes_up_a_floor() -> None:
    found = upward_imports(import_graph())
    assert not found, "imports that go up a floor:\n" + "\n".join(found)


def test_commands_never_import_each_other() -> None:
    found = commands_importing_commands(import_graph())
    assert not found, "commands importing commands (share through a commands/_support module or a floor below):\n" \
        + "\n".join(found)


def test_the_floors_packages_import_nothing() -> None:
    assert imports_in_floor_packages() == []


def _house(tmp_path: Path, files: dict[str, str]) -> Path:
    """A small package ``kehu`` with the floors' folders and the given modules."""
    pkg = tmp_path / "kehu"
    for floor in FLOORS:
        (pkg / floor).mkdir(parents=True, exist_ok=True)
        (pkg / floor / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text('__version__ = "0"\n')
    for name, text in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    return pkg


def test_the_floor_rule_can_fail(tmp_path: Path) -> None:
    """An import up a floor is named with both floors — at module level, in a function or for a type only —
    while imports down, sideways, of ``kehu`` itself and from the edge pass; a module on no floor is named."""
    pkg = _house(tmp_path, {
        "util/atomic.py": "from .. import __version__\n",                          # kehu itself: allowed
        "repo/model.py": "from ..words.catalogue import Locale\nfrom . import config\n",  # down, sideways
        "repo/config.py": "def f():\n    from ..book.loader import load\n",        # up, inside a function
        "words/catalogue.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                              "    from ..core.derive import Facts\n",                 # up, for a type only
        "core/derive.py": "",
        "book/loader.py": "from ..repo import model\n",
        "commands/show.py": "from ..book import loader\n",
        "cli.py": "from .commands import show\n",                                  # the edge: the top floor
        "helpers.py": "",                                                          # on no floor
    })
    assert upward_imports(import_graph(pkg)) == [
        "kehu.helpers: on no floor",
        "kehu.repo.config → kehu.book.loader (repo → book)",
        "kehu.words.catalogue → kehu.core.derive (words → core)",
    ]


def test_the_command_rule_can_fail(tmp_path: Path) -> None:
    """A command importing a command is named (also through a support module); support modules may be shared."""
    pkg = _house(tmp_path, {
        "commands/_views.py": "from . import due\n",          # a support module must not lean on a command either
        "commands/_common.py": "",
        "commands/due.py": "from ._common import x\nfrom ._views import console\n",  # support modules: allowed
        "commands/remind.py": "def f():\n    from .due import due_rows\n",
        "commands/show.py": "",
        "commands/pool.py": "from kehu.commands import show\n",
    })
    assert commands_importing_commands(import_graph(pkg)) == [
        "kehu.commands._views → kehu.commands.due",
        "kehu.commands.pool → kehu.commands.show",
        "kehu.commands.remind → kehu.commands.due",
    ]


def test_the_empty_package_rule_can_fail(tmp_path: Path) -> None:
    pkg = _house(tmp_path, {"site/__init__.py": '"""The site."""\nfrom .plugin import KehuPlugin\n',
                            "io/__init__.py": '"""Moving in and out (documented, importing nothing)."""\n'})
    assert imports_in_floor_packages(pkg) == ["kehu/site/__init__.py"]
