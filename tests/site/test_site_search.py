"""The search index kehu writes (kehu.site.search): what is indexed, what never is, how it is split.
The worker that reads it is tested in Chromium (tests/site/test_site_browser.py)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from kehu.site.search import (
    CHUNK,
    INVISIBLE,
    Entry,
    build_index,
    han_pairs,
    han_terms,
    make_entry,
    normalize,
    phone_terms,
    segmenter,
    shard_of,
)
from kehu.words.pinyin import pinyin_keys, sort_key, syllables

HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), min_size=2, max_size=12)


def entry(name: str, parts: tuple[str, ...] = (), phones: tuple[str, ...] = (), split: str = "rjieba"):
    return make_entry("customers/X/", name, parts, segmenter(split), phones, key="C20240501001")


def test_chinese_is_indexed_as_character_pairs_and_the_last_character():
    assert list(han_terms("启明安泰")) == [("启明", 0), ("明安", 1), ("安泰", 2), ("泰", 3)]
    assert list(han_terms("SAP对接 顺利")) == [("对接", 3), ("接", 4), ("顺利", 6), ("利", 7)]
    assert han_pairs("SAP对接 顺利") == {"对接", "接", "顺利", "利"}


@settings(deadline=None, max_examples=60)  # the first example loads pypinyin's dictionary
@given(HAN, st.data())
def test_every_substring_of_a_name_is_found_in_place(name, data):
    start = data.draw(st.integers(0, len(name) - 2))
    end = data.draw(st.integers(start + 2, len(name)))
    positions: dict[str, set[int]] = {}
    for term, code in entry(name, split="none").name_terms:
        positions.setdefault(term, set()).add(code >> 1)
    query = name[start:end]
    assert all(start + k in positions[query[k:k + 2]] for k in range(len(query) - 1))


def test_a_masked_phone_gives_only_the_digits_it_shows():
    assert phone_terms("138****8000") == ["#8000"]
    assert phone_terms("+86 138****8000") == ["#8000"]
    assert phone_terms("13800138000") == ["#" + "13800138000"[i:] for i in range(8)]  # internal build: shown whole
    assert phone_terms("") == [] and phone_terms("***") == [] and phone_terms("138") == []


def test_entry_terms_name_pinyin_initials_id_and_masked_text():
    e = entry("北京智联科技有限公司", ("高峰 研发总监 186****6688 g***@example.com", "工时统计"), ("186****6688",))
    names = {t for t, _ in e.name_terms}
    assert {"北京", "智联", "zhiliankejiyouxiangongsi", "zlkjyxgs", "bjzlkjyxgs", "c20240501001"} <= names
    assert {"工时", "统计", "#6688", "6688", "example", "高峰"} <= set(e.text_terms)
    assert not any(t.startswith("#") and len(t) > 5 for t in e.text_terms)
    assert e.teaser.startswith("高峰 研发总监 186****6688")


def test_word_starts_rank_a_word_above_a_match_inside_words():
    def flag(name: str, pair: str) -> int:
        return next(code & 1 for t, code in entry(name).name_terms if t == pair)

    assert flag("南京启明安泰贸易有限公司", "安泰") == 1   # 南京|启明|安泰|贸易|有限公司
    assert segmenter("rjieba")("平安泰山保险有限公司")[:2] == ["平安", "泰山"]
    assert flag("平安泰山保险有限公司", "安泰") == 0       # 安泰 crosses two words


def test_nothing_invisible_is_indexed_or_shown():
    e = entry("北京\u200b智联\ufeff科技", ("需要\u200b报表",))
    assert e.title == "北京智联科技" and not INVISIBLE.search(e.teaser + e.title)
    assert "智联" in {t for t, _ in e.name_terms} and "要报" in e.text_terms
    assert normalize("ＺｈｉＬｉａｎ\u200b") == "zhilian"


def test_the_index_is_sharded_and_numbers_documents_by_name_length():
    entries = [make_entry(f"customers/C{i}/", name, ["备注"], segmenter("none"), key=f"C{i}")
               for i, name in enumerate(["上海启明科技有限公司", "启明", "南京启明安泰贸易有限公司"] * 30)]
    files = build_index(entries, phone_tail=4)
    manifest = json.loads(files["manifest.json"])
    assert manifest["docs"] == 90 and manifest["chunk"] == CHUNK
    assert manifest["shards"] & (manifest["shards"] - 1) == 0               # a power of two
    first = json.loads(files["d0.json"])
    assert [d[1] for d in first[:30]] == ["启明"] * 30                       # the shortest names first
    assert len([k for k in files if k.startswith("d")]) == -(-90 // CHUNK)
    shard = json.loads(files[f"t{shard_of('启明', manifest['shards'])}.json"])
    names, texts = shard["启明"]
    docs = []
    total = 0
    for delta in names:
        total += delta
        docs.append(total // 128)
    assert sorted(set(docs)) == list(range(90)) and texts == []
    assert "备注" in json.loads(files[f"t{shard_of('备注', manifest['shards'])}.json"])


def test_shards_split_by_leading_character():
    assert shard_of("启明", 64) == shard_of("启", 64) == shard_of("启动", 64)
    assert shard_of("zhilian", 64) == shard_of("zh", 64) == shard_of("zhao", 64)
    assert 0 <= shard_of("#6688", 64) < 64


def test_pinyin_readings_are_phrase_aware():
    assert syllables("长沙湘江连锁超市") [:2] == ["chang", "sha"]
    assert syllables("重庆长安汽车")[:4] == ["chong", "qing", "chang", "an"]
    assert pinyin_keys("上海启明科技有限公司") == ("shanghaiqimingkejiyouxiangongsi", "shqmkjyxgs")
    names = ["郑州中原建工", "长沙湘江连锁", "成都锦城置业", "北京星河互联", "长春北方汽车"]
    assert sorted(names, key=sort_key) == ["北京星河互联", "长春北方汽车", "长沙湘江连锁", "成都锦城置业",
                                           "郑州中原建工"]


@given(st.lists(st.tuples(st.text(min_size=1, max_size=12), st.integers(min_value=0, max_value=10**6)), max_size=20),
       st.lists(st.text(min_size=1, max_size=12), max_size=20))
def test_an_entry_gives_back_the_terms_it_was_made_of(names, texts):
    """An entry holds its terms packed into one string each; it gives back the same terms (but for the two
    separator characters, which no term of kehu's holds and which are dropped)."""
    def clean(t: str) -> str:
        return t.replace("\x00", "").replace("\x01", "")

    names = [(t, p) for t, p in names if clean(t)]
    texts = [t for t in texts if clean(t)]
    e = Entry.of("l/", "标题", "", names, texts)
    assert e.name_terms == [(clean(t), p) for t, p in names]
    assert e.text_terms == [clean(t) for t in texts]
