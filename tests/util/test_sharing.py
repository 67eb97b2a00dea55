"""One copy of each short text (kehu.util.sharing): the data is unchanged, only its copies go."""

from __future__ import annotations

import copy
import json

from hypothesis import given
from hypothesis import strategies as st
from kehu.util.sharing import SHARED_TEXT, share_texts, shared_pairs

_leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
_trees = st.recursive(_leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                                          inner, max_size=4))


def _texts(value: object) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


@given(st.dictionaries(st.text(max_size=8), _trees, max_size=6))
def test_sharing_changes_no_value(tree):
    before = copy.deepcopy(tree)
    share_texts(tree)
    assert tree == before
    assert json.loads(json.dumps(before), object_pairs_hook=shared_pairs) == before


def test_equal_short_texts_become_one_and_long_ones_stay_copies():
    short, long = "wangfang", "客" * (SHARED_TEXT + 1)
    tree = {"a": "".join(["wang", "fang"]), "b": ["".join(["wang", "fang"]), {"c": "".join(["wang", "fang"])}],
            "long": "".join(["客"] * (SHARED_TEXT + 1)), "long2": "".join(["客"] * (SHARED_TEXT + 1))}
    assert tree["a"] is not tree["b"][0]  # made apart, as a parser makes them
    share_texts(tree)
    assert tree["a"] is tree["b"][0] is tree["b"][1]["c"] == short
    assert tree["long"] == tree["long2"] == long and tree["long"] is not tree["long2"]


def test_a_cache_read_with_the_hook_shares_its_texts():
    text = json.dumps([{"by": "wangfang", "summary": "客" * 40}, {"by": "wangfang", "summary": "客" * 40}])
    plain = json.loads(text)
    assert plain[0]["by"] is not plain[1]["by"]
    shared = json.loads(text, object_pairs_hook=shared_pairs)
    assert shared == plain
    assert shared[0]["by"] is shared[1]["by"]
    assert shared[0]["summary"] is not shared[1]["summary"]
