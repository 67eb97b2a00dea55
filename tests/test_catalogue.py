"""The catalogue is the one home of every word: its files load, and no word hides in the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from kehu.catalogue import CatalogueError, Locale, _entry, entries

SOURCE = Path(__file__).resolve().parents[1] / "generator" / "kehu"
# Chinese characters and the full-width punctuation that only Chinese text uses
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _docstrings(tree: ast.AST) -> set[int]:
    """Ids of the string nodes that are docstrings (documentation, never shown to a user)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def cjk_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs \
                and CJK.search(node.value):
            found.append(f"{path.relative_to(SOURCE.parent)}:{node.lineno}: {node.value[:40]!r}")
    return found


def test_no_word_outside_the_catalogue():
    """A user-facing string belongs in data/catalogue/*.yaml (words the input may hold, in data/*.yaml)."""
    found = [hit for path in sorted(SOURCE.rglob("*.py")) for hit in cjk_literals(path)]
    assert not found, "Chinese text in the code; move it to generator/kehu/data/catalogue:\n" + "\n".join(found)


def test_the_check_sees_a_planted_word(tmp_path):
    planted = tmp_path / "kehu" / "planted.py"
    planted.parent.mkdir()
    planted.write_text('"""模块说明 is documentation."""\nGREETING = "你好"\n# 注释 is fine\n', encoding="utf-8")
    global SOURCE
    saved, SOURCE = SOURCE, tmp_path / "kehu"
    try:
        assert [h.split(": ", 1)[0] for h in cjk_literals(planted)] == ["kehu/planted.py:2"]
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
