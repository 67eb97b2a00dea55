"""A customer file in the editor the README recommends: VS Code's YAML extension runs the YAML language server with
the schema the file names on its first line (`# yaml-language-server: $schema=../schema/customer.schema.json`).

The real server (from npm, `scripts/setup.sh --with-editor`) opens a customer file of a team repository made by
the tests' usual helper, and what a person sees must be in the team's language: completion offers each key with
its labels (lead: 线索 · Lead), hover names the field and the labels of its values — never the label of another
value for a value that is wrong — and a wrong value is one line, not the 117 industry codes. The same file against a
schema written by an earlier kehu (its vocabularies as `oneOf` of consts) shows exactly those faults: the test can
fail. An English team's `kehu fmt` writes the editors' message in English.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.customers import TEAM_YAML
from tests.support.editor import SERVER, LanguageServer, documentation
from tests.support.paths import SCHEMA_SRC
from tests.support.team_repo import TeamRepo, write_earlier_schema

CUSTOMER = """\
# yaml-language-server: $schema=../schema/customer.schema.json
id: C20240501001
name: 上海启明科技有限公司
industry: 软件
stage: negotiating
owner: lixia
created: 2024-05-01
source: 展会
interactions:
  - date: 2024-05-10
    channel: call
    by: lixia
    summary: 沟通Q2续约需求，客户对价格有疑问
"""


def _line(text: str, starts: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if line.lstrip().startswith(starts))


def _repo(root: Path, earlier_schema: bool = False, locale: str | None = None) -> TeamRepo:
    from kehu.repo.config import default_config_text

    config = default_config_text().replace("locale: zh-CN", f"locale: {locale}") if locale else None
    repo = TeamRepo.create(root, team=TEAM_YAML, config=config)
    if earlier_schema:  # vocabularies as kehu wrote them before the editors' keywords
        write_earlier_schema(repo.root)
    repo.write_customer(CUSTOMER, "C20240501001")
    return repo


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LanguageServer]:
    assert SERVER.exists(), "the YAML language server is installed by `bash scripts/setup.sh --with-editor`"
    ls = LanguageServer(tmp_path_factory.mktemp("editor"))
    yield ls
    ls.close()


def _what_the_editor_shows(server: LanguageServer, repo: TeamRepo) -> dict[str, object]:
    path = repo.customers / "C20240501001.yaml"
    text = path.read_text(encoding="utf-8")
    diagnostics = server.open(path)
    stage, industry = _line(text, "stage:"), _line(text, "industry:")
    offered = server.completion(path, stage, len("stage: "))
    return {
        "diagnostics": diagnostics,
        "completion": {item["label"]: documentation(item) for item in offered},
        "hover_valid": server.hover(path, stage, len("stage: ") + 2),
        "hover_invalid": server.hover(path, industry, len("industry: ") + 1),
        "industry_line": industry,
    }


def test_completion_hover_and_errors_speak_the_team_language(server: LanguageServer, tmp_path: Path) -> None:
    seen = _what_the_editor_shows(server, _repo(tmp_path / "team"))
    completion = seen["completion"]
    assert isinstance(completion, dict)
    # every stage is offered with its labels
    assert completion["lead"] == "线索 · Lead" and completion["negotiating"] == "谈判 · Negotiating"
    assert set(completion) == {"lead", "contacted", "quoted", "negotiating", "won", "lost"}
    # hover on a value: the field's title and the values' labels
    hover_valid = str(seen["hover_valid"])
    assert hover_valid.startswith("#### 客户阶段") and "`negotiating`: 谈判 · Negotiating" in hover_valid
    # hover on a wrong value names the field, never another value's label as if it were this one's
    hover_invalid = str(seen["hover_invalid"])
    assert hover_invalid.startswith("#### 所属行业") and not hover_invalid.startswith("#### 农、林、牧、渔业")
    # a wrong value is one line in the team's language, not every allowed code
    diagnostics = seen["diagnostics"]
    assert isinstance(diagnostics, list)
    industry = [d for d in diagnostics if d["range"]["start"]["line"] == seen["industry_line"]]
    assert [d["message"] for d in industry] == [
        f"不是允许的取值：请写列表中的键值（输入时按 Ctrl+空格 选择，共 {_industries()} 项；悬停可见中文名称）"]
    assert all("A01" not in d["message"] and len(d["message"]) < 120 for d in diagnostics)


def _industries() -> int:
    """How many values the shipped schema allows for an industry (the codes, and 待确认 for "not known yet")."""
    schema = json.loads((SCHEMA_SRC / "customer.schema.json").read_text(encoding="utf-8"))
    return len(schema["$defs"]["industry"]["enum"])


def test_the_schema_of_earlier_kehu_shows_what_was_wrong(server: LanguageServer, tmp_path: Path) -> None:
    """The check above is one the old schema fails: no labels in completion, another value's label on hover, and
    every industry code in the error."""
    seen = _what_the_editor_shows(server, _repo(tmp_path / "team", earlier_schema=True))
    completion = seen["completion"]
    assert isinstance(completion, dict)
    assert completion["lead"] == ""
    assert str(seen["hover_invalid"]).startswith("#### 农、林、牧、渔业")
    diagnostics = seen["diagnostics"]
    assert isinstance(diagnostics, list)
    assert any("A01" in d["message"] for d in diagnostics)


def test_an_english_team_reads_english(server: LanguageServer, tmp_path: Path) -> None:
    repo = _repo(tmp_path / "team", locale="en")
    assert repo.kehu("fmt", "schema/customer.schema.json").returncode == 0
    seen = _what_the_editor_shows(server, repo)
    diagnostics = seen["diagnostics"]
    assert isinstance(diagnostics, list)
    industry = [d["message"] for d in diagnostics if d["range"]["start"]["line"] == seen["industry_line"]]
    assert industry == ["not an allowed value: write one of the list's keys (press Ctrl+Space while typing to choose "
                        f"from {_industries()}; hover shows the names)"]
    completion = seen["completion"]
    assert isinstance(completion, dict) and completion["won"] == "签约 · Won"
