"""Property tests (Hypothesis) of everything that takes input from many hands: the loader, the checker,
`kehu fmt` and the exporters. Arbitrary YAML-ish text and arbitrary strings in every field give problems or
clean output — never an exception — and fmt and export -> import keep the data.

Each test runs a fixed number of examples (BUDGET), derandomized, so CI time and outcome are stable."""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.customers import TEAM_YAML, customer_dict, dump_yaml
from tests.support.team_repo import TeamRepo

# KEHU_HYPOTHESIS_EXAMPLES=500 KEHU_HYPOTHESIS_RANDOM=1 explore further by hand; CI runs the fixed budget
BUDGET = settings(max_examples=int(os.environ.get("KEHU_HYPOTHESIS_EXAMPLES", 60)), deadline=None,
                  derandomize=not os.environ.get("KEHU_HYPOTHESIS_RANDOM"), database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.data_too_large])
SMALL_BUDGET = settings(BUDGET, max_examples=12)

# pieces YAML is made of, so that generated text reaches deep into the parser, not only its first check
FRAGMENTS = ["id: C20240501001\n", "name: ", "contacts:\n", "  - ", "- ", ": ", "\n", "  ", "\t", "'", '"', "|\n",
             ">-\n", "&a ", "*a", "<<: ", "!!python/object ", "!tag ", "{", "}", "[", "]", ",", "#", "? ", "---\n",
             "...\n", "%YAML 1.1\n", "yes", "0777", "1:20", ".inf", "1e400", "2024-05-01", "0000-00-00", "null",
             "~", "\\x1b", "\x1b", "\u200b", "\ufeff", "１３８００１３８０００", "13800138000", "=1+1", "@", "é",
             "客户"]
yamlish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40).map("".join)
any_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                       st.text(max_size=40), st.dates().map(str))
any_value = st.recursive(any_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                              st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                         max_leaves=6)

# text a colleague may type into any free-text field: letters of every script, punctuation, spaces
typed = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn")),
                min_size=1, max_size=60).map(lambda s: " ".join(s.split())).filter(bool)


@pytest.fixture(scope="module")
def shared_repo(tmp_path_factory) -> TeamRepo:
    import shutil

    from kehu.repo.config import default_config_text

    from tests.support.paths import SCHEMA_SRC

    root = tmp_path_factory.mktemp("props")
    (root / "customers").mkdir()
    (root / "team.yaml").write_text(TEAM_YAML, encoding="utf-8")
    (root / "kehu.yaml").write_text(default_config_text(), encoding="utf-8")
    shutil.copytree(SCHEMA_SRC, root / "schema")
    return TeamRepo(root)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


FULL = customer_dict(tags=["定制化开发"], notes="备注", next_action={"date": "2024-06-05", "action": "发送报价"},
                     deals=[{"contract": "HT202405001", "product": "SaaS", "amount": 1000, "signed": "2024-05-20"}],
                     surveys=[{"date": "2024-05-02", "quality": 5, "attitude": 4, "response": 4, "after_sales": 5}],
                     complaints=[{"date": "2024-05-02", "category": "交付", "content": "延迟", "handler": "lixia",
                                  "status": "open"}])
FIELD_PATHS = _paths(FULL)


def _replace(data: dict, path: tuple, value: Any) -> dict:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


# --- the loader -----------------------------------------------------------------------------------------

@BUDGET
@given(text=yamlish)
def test_the_loader_never_raises_on_yamlish_text(text):
    from kehu.repo.yamlload import load_yaml_bytes
    from kehu.words.catalogue import Locale

    loaded = load_yaml_bytes("customers/x.yaml", text.encode("utf-8", "surrogatepass"), Locale())
    assert loaded.problems or loaded.data is None or isinstance(loaded.data, dict | list | str | int | float)
    for p in loaded.problems:
        assert p.line >= 1 and p.col >= 1 and p.message


@BUDGET
@given(raw=st.binary(max_size=200))
def test_the_loader_never_raises_on_bytes(raw):
    from kehu.repo.yamlload import load_yaml_bytes
    from kehu.words.catalogue import Locale

    load_yaml_bytes("customers/x.yaml", raw, Locale())


# --- the checker ----------------------------------------------------------------------------------------

@BUDGET
@given(text=yamlish)
def test_the_checker_never_raises_on_yamlish_text(shared_repo, text):
    from kehu.book.checker import check_customer_bytes

    problems, _ = check_customer_bytes(shared_repo.open(), "customers/C20240501001.yaml",
                                       text.encode("utf-8", "surrogatepass"))
    assert all(p.line >= 1 for p in problems)


@BUDGET
@given(path=st.sampled_from(FIELD_PATHS), value=any_value)
def test_any_value_in_any_field_gives_problems_or_a_clean_verdict(shared_repo, path, value):
    from kehu.book.checker import check_customer_bytes

    data = _replace(FULL, path, value)
    raw = yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")
    problems, _ = check_customer_bytes(shared_repo.open(), "customers/C20240501001.yaml", raw)
    for p in problems:
        assert p.file == "customers/C20240501001.yaml" and p.message


# --- kehu fmt -------------------------------------------------------------------------------------------

@BUDGET
@given(text=yamlish)
def test_fmt_formats_or_refuses_yamlish_text(shared_repo, text):
    from kehu.store.fmt import format_bytes
    from kehu.store.write import StoreError

    repo = shared_repo.open()
    with contextlib.suppress(StoreError):  # refused with a located message: fine; anything else is a bug
        format_bytes("customers/x.yaml", text.encode("utf-8", "surrogatepass"), repo.schemas, "customer", repo.msgs)


CODED = {"id", "industry", "stage", "owner", "created", "size", "source", "channel", "by", "date", "signed",
         "category", "handler", "status", "phone", "email"}  # keys, handles, dates: not free text
TEXT_FIELDS = [p for p in FIELD_PATHS
               if isinstance(functools.reduce(lambda n, k: n[k], p, FULL), str) and p[-1] not in CODED]


@BUDGET
@given(path=st.sampled_from(TEXT_FIELDS), value=typed, comment=st.booleans())
def test_fmt_keeps_the_data_and_is_idempotent(shared_repo, path, value, comment):
    from kehu.repo.yamlload import load_yaml_bytes
    from kehu.store.fmt import format_bytes
    from kehu.words.catalogue import Locale

    repo = shared_repo.open()
    data = _replace(FULL, path, value)
    text = dump_yaml(data)
    if comment:
        text = "# 客户档案\n" + text.replace("\nowner:", "  # 负责人在下一行\nowner:", 1)
    raw = text.encode("utf-8")
    first = format_bytes("customers/C20240501001.yaml", raw, repo.schemas, "customer", repo.msgs)
    again = format_bytes("customers/C20240501001.yaml", first.new, repo.schemas, "customer", repo.msgs)
    assert again.new == first.new
    before = load_yaml_bytes("a", raw, Locale()).data
    after = load_yaml_bytes("b", first.new, Locale()).data
    assert json.dumps(after, sort_keys=True, default=str) == json.dumps(before, sort_keys=True, default=str)
    if comment:
        assert b"# \xe8\xb4\x9f\xe8\xb4\xa3\xe4\xba\xba" in first.new  # the comment survived


# --- export -> import -----------------------------------------------------------------------------------

def _fresh(parent: Path, name: str) -> TeamRepo:
    import shutil

    from kehu.repo.config import default_config_text

    from tests.support.paths import SCHEMA_SRC

    root = parent / name
    (root / "customers").mkdir(parents=True)
    (root / "team.yaml").write_text(TEAM_YAML, encoding="utf-8")
    (root / "kehu.yaml").write_text(default_config_text(), encoding="utf-8")
    shutil.copytree(SCHEMA_SRC, root / "schema")
    return TeamRepo(root)


ROUND_TRIP_FIELDS = [("name",), ("needs",), ("notes",), ("region",), ("contacts", 0, "name"),
                     ("contacts", 0, "title"), ("interactions", 0, "summary"), ("deals", 0, "product")]


@SMALL_BUDGET
@given(fmt=st.sampled_from(["csv", "xlsx"]),
       values=st.fixed_dictionaries({p: typed.filter(lambda s: len(s) >= 2) for p in ROUND_TRIP_FIELDS}))
def test_export_then_import_round_trips_arbitrary_text(fmt, values):
    from tests.support.commands import kehu
    from tests.support.spreadsheets import loaded

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        source = _fresh(base, "source")
        data = copy.deepcopy(FULL)
        for path, value in values.items():
            data = _replace(data, path, value)
        data["interactions"][0]["summary"] += "，客户要求下周报价"  # specific enough for the vague-summary rule
        source.write_customer(data)
        if source.check().errors:
            return  # a value the checker refuses (a phone-like name …) is not exported as a customer
        out = base / ("export.xlsx" if fmt == "xlsx" else "export-csv")
        assert kehu(source, "export", "--format", fmt, "--out", str(out)).exit_code == 0
        target = _fresh(base, "target")
        result = kehu(target, "import", str(out))
        assert result.exit_code == 0, result.stdout + result.stderr
        assert loaded(target) == loaded(source)
