"""The cache's file: written a piece at a time, yet the same bytes and MAC as one ``json.dumps``; read back only
when this clone signed it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kehu.util import cache
from kehu.util.cache import CACHE_DIR, ContentCache, json_pieces, load_cache_json, save_cache_json


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_trees = st.recursive(_leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                                          max_size=4), max_leaves=30)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), _trees, max_size=5), st.dictionaries(st.text(), _trees, max_size=8))
def test_pieces_make_the_text_of_one_dumps(fields, entries):
    """A mapping past the threshold is written an item at a time (the threshold made small here, so that
    Hypothesis's small trees cross it), and the pieces are still the text of one json.dumps."""
    tree = {**fields, "entries": entries}
    with patch.object(cache, "_PIECE_ITEMS", 2):
        assert "".join(json_pieces(tree)) == _dumps(tree)
    assert "".join(json_pieces(tree)) == _dumps(tree)


@pytest.mark.parametrize("value", [{}, [], "客户", None, {1: "a"}, {"a": {2: "b"}},
                                   {"a": {str(i): i for i in range(300)}}, {"a": {i: i for i in range(300)}}])
def test_pieces_of_values_json_spells_its_own_way(value):
    """Keys that are no strings (json writes them as strings) and small values: one piece, the same text."""
    assert "".join(json_pieces(value)) == _dumps(value)


@pytest.fixture
def keyed(tmp_path, monkeypatch):
    key = tmp_path / "key"
    key.write_text("ab" * 32 + "\n", encoding="ascii")
    monkeypatch.setenv(cache.CACHE_KEY_ENV, str(key))
    cache._SECRETS.clear()
    root = tmp_path / "repo"
    root.mkdir()
    yield root
    cache._SECRETS.clear()


def test_a_large_cache_is_the_file_one_dumps_would_write(keyed: Path):
    data = {"env": "e", "entries": {f"k{i}": [i, "拜访客户\U0001F600", {"x": None}] for i in range(5000)}}
    path = keyed / CACHE_DIR / "big.json"
    save_cache_json(path, data)
    body = _dumps(data).encode("utf-8")
    mac = hashlib.blake2b(body, key=bytes.fromhex("ab" * 32), digest_size=32).hexdigest().encode()
    assert path.read_bytes() == b"kehu-cache-mac " + mac + b"\n" + body
    assert load_cache_json(path) == data


@pytest.mark.parametrize("damage", ["body", "mac", "no newline", "not utf-8"])
def test_a_damaged_cache_reads_as_none(keyed: Path, damage: str):
    path = keyed / CACHE_DIR / "c.json"
    save_cache_json(path, {"env": "e", "entries": {"a": 1}})
    head, _, body = path.read_bytes().partition(b"\n")
    if damage == "body":
        raw = head + b"\n" + body.replace(b"1", b"2")
    elif damage == "mac":
        raw = head[:-1] + (b"0" if head[-1:] != b"0" else b"1") + b"\n" + body
    elif damage == "no newline":
        raw = head
    else:
        bad = b"\xff" + body
        raw = b"kehu-cache-mac " + hashlib.blake2b(bad, key=bytes.fromhex("ab" * 32), digest_size=32).hexdigest(
        ).encode() + b"\n" + bad
    path.write_bytes(raw)
    assert load_cache_json(path) is None
    assert ContentCache(keyed, "c.json", "e").entries == {}


def test_content_cache_keeps_what_it_was_given(keyed: Path):
    first = ContentCache(keyed, "c.json", "e")
    first.put("k", ["客户", 1])
    first.set(day="2026-12-07")
    first.save()
    again = ContentCache(keyed, "c.json", "e")
    assert again.entries == {"k": ["客户", 1]} and again.fields == {"day": "2026-12-07"}
    assert ContentCache(keyed, "c.json", "other").entries == {}  # another environment: nothing is trusted
