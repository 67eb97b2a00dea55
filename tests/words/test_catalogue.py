"""The catalogue is the one home of every word: its files load, and no word hides in the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from kehu.words.catalogue import CatalogueError, Locale, _entry, entries

from tests.support.paths import PACKAGE

SOURCE = PACKAGE  # a test points it at a copy
# Chinese characters (and kana), and the full-width punctuation that only Chinese text uses
IDEOGRAPH = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
FULL_WIDTH = re.compile(r"[\u3000-\u303f\uff01-\uff5e]")


def _docstrings(tree: ast.AST) -> set[int]:
    """Ids of the string nodes that are docstrings (documentation, never shown to a user)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _is_text(node: ast.Constant, in_fstring: set[int]) -> bool:
    """Chinese words, or full-width punctuation written into a sentence (an f-string or beside letters).

    A constant of punctuation alone is a separator or a character set for reading input (``"、"``,
    ``"[,，、]"``), not a word: those may stay in the code.
    """
    text = node.value
    if IDEOGRAPH.search(text):
        return True
    return bool(FULL_WIDTH.search(text)) and (id(node) in in_fstring or bool(re.search(r"[A-Za-z0-9{}]", text)))


def cjk_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    in_fstring = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    # a regular expression reads input: its full-width characters are what people type, not words
    patterns = {id(node.args[0]) for node in ast.walk(tree) if isinstance(node, ast.Call) and node.args
                and isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "re"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs | patterns \
                and _is_text(node, in_fstring):
            found.append(f"{path.relative_to(SOURCE.parent)}:{node.lineno}: {node.value[:40]!r}")
    return found


def test_no_word_outside_the_catalogue():
    """A user-facing string belongs in data/catalogue/*.yaml (words the input may hold, in data/*.yaml)."""
    found = [hit for path in sorted(SOURCE.rglob("*.py")) for hit in cjk_literals(path)]
    assert not found, "Chinese text in the code; move it to generator/kehu/data/catalogue:\n" + "\n".join(found)


def test_the_check_sees_a_planted_word(tmp_path):
    planted = tmp_path / "kehu" / "planted.py"
    planted.parent.mkdir()
    planted.write_text('"""模块说明 is documentation."""\nGREETING = "你好"\n# 注释 is fine\nSEP = "、"\n'
                       'LINE = f"{x}（{y}）"\nLABEL = "--owner："\n', encoding="utf-8")
    global SOURCE
    saved, SOURCE = SOURCE, tmp_path / "kehu"
    try:
        assert sorted(h.split(": ", 1)[0] for h in cjk_literals(planted)) == [
            "kehu/planted.py:2", "kehu/planted.py:5", "kehu/planted.py:5", "kehu/planted.py:6"]
    finally:
        SOURCE = saved


def test_every_entry_has_both_languages_and_one_home():
    all_entries = entries()
    assert len(all_entries) > 500
    for entry in all_entries.values():
        assert entry.zh and entry.en, entry.key
        assert bool(entry.hint_zh) == bool(entry.hint_en), entry.key
        # the same {fields} in both languages, or a caller would fill one and break the other
        fields = re.compile(r"(?<!\{)\{(\w*)[^{}]*\}(?!\})")
        assert set(fields.findall(entry.zh)) == set(fields.findall(entry.en)), entry.key
        assert set(fields.findall(entry.hint_zh)) == set(fields.findall(entry.hint_en)), entry.key


def test_english_words_hold_no_chinese_punctuation():
    bad = [e.key for e in entries().values() if re.search(r"[，。：；、（）]", e.en + e.hint_en)]
    assert not bad, bad


@pytest.mark.parametrize("value", [{"zh": "只有中文"}, {"zh": "甲", "en": ""}, {"zh": "甲", "en": "a", "note": "x"},
                                   "not a mapping"])
def test_a_malformed_entry_is_refused(value):
    with pytest.raises(CatalogueError):
        _entry("words", "some.key", value)


def test_locale_words():
    zh, en = Locale("zh-CN"), Locale("en")
    assert zh.join(["a", "b"]) == "a、b" and en.join(["a", "b"]) == "a, b"
    assert zh.colon("阶段", "线索") == "阶段：线索" and en.colon("Stage", "Lead") == "Stage: Lead"
    message, hint = en.text("too-large", size=9, limit=5)
    assert "9" in message and hint
    assert zh.line("too-large", size=9, limit=5).startswith("文件大小 9 字节")
