"""Every schema under schema/ is itself valid JSON Schema 2020-12 — by jsonschema's
``check_schema`` and by ``check-jsonschema --check-metaschema`` — and kehu notices
when a team's edit breaks one."""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest

from tests.support.paths import PROJECT

SCHEMAS = sorted((PROJECT / "schema").glob("*.json"))


def test_the_three_schemas_exist():
    assert {p.name for p in SCHEMAS} >= {"customer.schema.json", "team.schema.json", "config.schema.json"}


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_schema_passes_the_2020_12_metaschema(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator


def test_check_jsonschema_check_metaschema():
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test dependency: pip install -e '.[test]'"
    run = subprocess.run([exe, "--check-metaschema", *map(str, SCHEMAS)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_check_jsonschema_check_metaschema_rejects_a_broken_schema(tmp_path):
    """The metaschema check is not vacuous: a wrong keyword value fails it."""
    broken = json.loads((PROJECT / "schema" / "customer.schema.json").read_text(encoding="utf-8"))
    broken["properties"]["name"]["type"] = "text"
    path = tmp_path / "customer.schema.json"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([shutil.which("check-jsonschema") or "check-jsonschema", "--check-metaschema", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    with pytest.raises(jsonschema.SchemaError):
        jsonschema.Draft202012Validator.check_schema(broken)


def test_kehu_reports_a_schema_broken_by_a_team_edit(repo):
    from kehu.repo.schema import SchemaSet

    assert SchemaSet(repo.root / "schema").check_schemas() == []
    path = repo.root / "schema" / "team.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["members"]["minItems"] = -1
    path.write_text(json.dumps(schema), encoding="utf-8")
    problems = SchemaSet(repo.root / "schema").check_schemas()
    assert len(problems) == 1 and problems[0].startswith("team.schema.json: ")


def test_every_vocabulary_value_has_a_chinese_and_an_english_label():
    from kehu.repo.schema import SchemaSet

    vocabularies = SchemaSet(PROJECT / "schema").vocabularies
    assert {"stage", "channel", "source", "size", "class", "industry", "tag"} <= set(vocabularies)
    for vocab in vocabularies.values():
        for term in vocab.terms:
            assert term.zh and term.en, (vocab.name, term.key)
        assert len(set(vocab.keys())) == len(vocab.keys())


def test_bundled_schemas_are_the_project_schemas():
    """kehu's fallback copy (used when a team repo has no schema/) is the same as schema/."""
    from importlib import resources

    for path in SCHEMAS:
        bundled = resources.files("kehu").joinpath(f"data/schema/{path.name}").read_text(encoding="utf-8")
        assert json.loads(bundled) == json.loads(path.read_text(encoding="utf-8"))
