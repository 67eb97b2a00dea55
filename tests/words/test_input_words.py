"""The words people type are data (data/input_words.yaml, data/import_headers.yaml): they load, every word
means one thing, and the parsers' patterns are built from them — one edit of the data changes what is read."""

from __future__ import annotations

import copy
from importlib import resources

import pytest
import yaml
from kehu.core import values
from kehu.io.columns import BY_KIND, HEADERS, header_index, hkey, is_derived_header, kind_of_sheet
from kehu.repo.schema import SchemaSet
from kehu.words import input_words
from kehu.words.input_words import _check, section


@pytest.fixture
def edited(monkeypatch: pytest.MonkeyPatch):
    """Run with an edited copy of input_words.yaml: every cache built from it is rebuilt."""
    caches = [input_words.input_words, input_words._synonyms, values._words]

    def edit(change) -> None:
        data = copy.deepcopy(input_words.input_words())
        change(data)
        for cache in caches:
            cache.cache_clear()
        monkeypatch.setattr(input_words, "input_words", lambda: data)

    yield edit
    for cache in caches:
        cache.cache_clear()


def test_the_file_loads_and_every_word_is_text():
    data = input_words.input_words()
    assert {"cells", "booleans", "numbers", "dates", "phones", "emails", "synonyms", "company_names"} <= set(data)
    assert "yes" in data["booleans"] and "1" in data["booleans"]["yes"]  # quoted: not YAML's True or 1


@pytest.mark.parametrize("bad", [{"booleans": {"yes": [True]}}, {"cells": {"empty": [None]}}, {True: ["是"]},
                                 {"numbers": {"percent": 1.5}}])
def test_a_word_yaml_reads_as_something_else_is_refused(bad):
    with pytest.raises(ValueError, match="quoted text"):
        _check(bad, "input_words.yaml")


def test_every_synonym_means_one_key_and_resolves_to_it():
    schemas = SchemaSet(None)
    for vocab, by_key in section("synonyms").items():
        seen: dict[str, str] = {}
        resolver = values.Resolver(schemas.vocabularies[vocab])
        for key, words in by_key.items():
            assert key in schemas.vocabularies[vocab], (vocab, key)
            for word in words:
                assert seen.setdefault(values.fold(word), key) == key, f"{vocab}: {word} under {seen[word]} and {key}"
                labels = {values.fold(w) for t in resolver.vocab.terms for w in (t.key, t.zh, t.en)}
                if values.fold(word) not in labels:  # the schema's own labels win over a synonym
                    assert resolver.key(word) == key, (vocab, word)


def test_a_synonym_added_to_the_data_is_recognised(edited):
    stage = values.Resolver(SchemaSet(None).vocabularies["stage"])
    assert stage.key("冷线索") is None
    edited(lambda data: data["synonyms"]["stage"]["lead"].append("冷线索"))
    assert values.Resolver(SchemaSet(None).vocabularies["stage"]).key("冷线索") == "lead"


def test_patterns_are_built_from_the_data_with_every_word_escaped(edited):
    with pytest.raises(values.CellError):
        values.parse_phone_cell("联系手机：13800138000", "CN")
    with pytest.raises(values.CellError):
        values.parse_number("3百")
    assert not values.is_empty("待补充")
    edited(lambda data: (data["numbers"]["multipliers"].update({"百": 100}),
                         data["phones"]["labels"].extend(["联系手机", "a.b"]),
                         data["cells"]["empty"].append("待补充")))
    assert values.parse_phone_cell("联系手机：13800138000", "CN") == ("13800138000", [])
    assert values.parse_number("3百") == 300
    assert values.is_empty("待补充") and not values.is_empty("补充")
    # a label is matched as written: its . is not "any character"
    assert values._words().phone_label.sub("", "a.b：13800138000") == "13800138000"
    assert values._words().phone_label.sub("", "axb：13800138000") == "axb：13800138000"


def test_no_words_match_nothing():
    import re

    assert re.search(input_words.any_of([]), "anything") is None
    assert re.fullmatch(input_words.any_of(["手机", "手机号码"]), "手机号码")


@pytest.mark.parametrize(("text", "empty"), [("暂无", True), ("#N/A", True), ("——", True), ("无锡", False)])
def test_placeholders(text, empty):
    assert values.is_empty(text) is empty


def test_every_header_word_means_one_path_and_is_recognised():
    index = header_index(SchemaSet(None))
    seen: dict[str, str] = {}
    for path, words in HEADERS.items():
        for word in words:
            assert seen.setdefault(hkey(word), path) == path, f"{word}: {seen[hkey(word)]} and {path}"
            assert hkey(word) in index, word
    for kind, table in BY_KIND.items():
        raw = yaml.safe_load(resources.files("kehu").joinpath("data/import_headers.yaml").read_text("utf-8"))
        assert sum(len(w) for w in raw["headers_by_sheet"][kind].values()) == len(table), f"{kind}: a word twice"


@pytest.mark.parametrize(("header", "folded"), [("金额(元)", "金额"), ("客户名称*", "客户名称"),
                                                ("Customer_ID", "customerid"), ("客户名称【必填】", "客户名称"),
                                                ("（备注）", "(备注)")])  # nothing but a hint: kept
def test_headers_are_folded(header, folded):
    assert hkey(header) == folded


@pytest.mark.parametrize(("name", "kind"), [("客户跟进记录表", "interactions"), ("商机", "opportunities"),
                                            ("Contacts", "contacts"), ("Sheet1", None)])
def test_sheet_names(name, kind):
    assert kind_of_sheet(name) == kind


def test_computed_columns_are_marked():
    assert is_derived_header("客户状态（自动）") and is_derived_header("Status (AUTO)")
    assert not is_derived_header("客户状态")


@pytest.mark.parametrize(("typed", "clears"), [("无", True), ("清空", True), ("None", True), (" - ", True), ("", True),
                                               ("no", False), ("无锡", False)])
def test_the_words_that_clear_a_field_on_the_command_line(typed, clears):
    from kehu.commands._args import is_none_word

    assert is_none_word(typed) is clears
