"""One wording object: ``kehu.core.present.Presenter`` says every derived fact, vocabulary value, field and team
member, for the site, the commands, reviews and export — one per repository, in the language it speaks.

Read from the source: no other class of the package words vocabulary values or derived facts, and nothing
builds a Presenter of its own where the repository's would do (``Presenter.of``); both rules are shown to
fail on a package that breaks them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from kehu.core.present import Presenter
from kehu.repo.repository import open_repo

PACKAGE = Path(__file__).resolve().parent.parent / "generator" / "kehu"
# what only the wording object says: a class that says two of these (or extends Presenter) is a second wording
# object; a command's helper must say none of them
WORDING_METHODS = {"vocab", "field", "klass", "stage", "bucket", "due_reason", "due_reason_of", "last_contact",
                   "who", "member", "member_name", "change"}
COMMAND_HELPERS = WORDING_METHODS | {"label", "labels", "word"}  # the helpers commands/show.py once had
# the constructor is for what has no repository at hand (a single-file rule) or speaks another language
# (an export in the language asked for); everything else asks Presenter.of(repo)
CONSTRUCTORS_ALLOWED = {"core/present.py", "core/rules.py", "io/export.py"}
WORDING_HOME = "core/present.py"


def _trees(package: Path) -> list[tuple[str, ast.AST]]:
    return [(p.relative_to(package).as_posix(), ast.parse(p.read_text(encoding="utf-8")))
            for p in sorted(package.rglob("*.py"))]


def second_wordings(package: Path = PACKAGE) -> list[str]:
    """``module:Class`` of every second wording object, and ``module:function`` of the commands' own wording
    helpers."""
    found = []
    for name, tree in _trees(package):
        if name == WORDING_HOME:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                says = [f.name for f in node.body if isinstance(f, ast.FunctionDef) and f.name in WORDING_METHODS
                        and not any(isinstance(d, ast.Name) and d.id == "property" for d in f.decorator_list)]
                extends = any(isinstance(b, ast.Name) and b.id == "Presenter" for b in node.bases)
                if len(says) >= 2 or extends:
                    found.append(f"{name}:{node.name}")
        if name.startswith("commands/"):
            found += [f"{name}:{top.name}" for top in getattr(tree, "body", [])
                      if isinstance(top, ast.FunctionDef) and top.name in COMMAND_HELPERS]
    return found


def own_presenters(package: Path = PACKAGE) -> list[str]:
    """``module:line`` of every ``Presenter(...)`` built outside the places allowed to."""
    found = []
    for name, tree in _trees(package):
        if name in CONSTRUCTORS_ALLOWED:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Presenter":
                found.append(f"{name}:{node.lineno}")
    return found


def test_nothing_else_words_vocabulary_or_facts() -> None:
    assert second_wordings() == []


def test_the_repository_s_wording_object_is_used() -> None:
    assert own_presenters() == []


def test_both_rules_can_fail(tmp_path: Path) -> None:
    pkg = tmp_path / "kehu"
    (pkg / "core").mkdir(parents=True)
    (pkg / "commands").mkdir()
    (pkg / "core" / "present.py").write_text("class Presenter:\n    def vocab(self): ...\n")
    (pkg / "commands" / "show.py").write_text(
        "from ..core.present import Presenter\n\n\ndef label(repo):\n    return Presenter(repo).vocab()\n")
    (pkg / "git").mkdir()
    (pkg / "git" / "review.py").write_text("class Wording:\n    def who(self, h): ...\n    def field(self, f): ...\n")
    (pkg / "core" / "labels.py").write_text("from .present import Presenter\n\n\nclass Labels(Presenter):\n    pass\n")
    (pkg / "core" / "derive.py").write_text("def last_contact(c): ...\n")  # a fact, not its words: allowed
    (pkg / "site").mkdir()
    (pkg / "site" / "data.py").write_text("class Assembler:\n    def member_name(self, h): ...\n"  # one delegation
                                          "    @property\n    def stage(self): ...\n")
    assert second_wordings(pkg) == ["commands/show.py:label", "core/labels.py:Labels", "git/review.py:Wording"]
    assert own_presenters(pkg) == ["commands/show.py:5"]


def test_one_per_repository_in_the_language_it_speaks(make_repo) -> None:
    team = make_repo()
    opened = team.open()
    words = Presenter.of(opened)
    assert Presenter.of(opened) is words                    # built once, shared by every caller of the run
    assert Presenter.of(team.open()) is not words            # another opening: its own (kehu serve re-reads)
    assert words.stage("won") == "签约" and words.locale == "zh-CN"
    team.set_config(locale="en")
    english = Presenter.of(team.open())
    assert english.stage("won") == "Won" and english.locale == "en"
    assert Presenter.of(open_repo(team.root, locale="zh-CN")).stage("won") == "签约"  # the run's choice wins


def test_members_are_named_from_the_team(make_repo) -> None:
    words = Presenter.of(make_repo().open())
    assert words.member("wangfang") == "王芳（wangfang）"  # kehu show: name and handle
    assert words.who("wangfang") == "王芳"                  # reviews and history: the name
    assert words.member("gone") == "gone" and words.who("gone") == "gone"  # a handle team.yaml no longer has
    assert words.member(None) == "" and words.who(None) == words.empty()
