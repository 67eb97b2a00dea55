"""kehu.store.fastdump: the ruamel-free writer for plain data gives exactly ruamel's canonical text, or steps aside.

Every comparison is against ``store.dump_ruamel`` (canonicalize + ruamel), the reference layout that
``kehu fmt`` writes.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from kehu.repo.schema import SchemaSet
from kehu.repo.yamlload import load_yaml_bytes
from kehu.store import write as store
from kehu.store.fastdump import MAX_CHARS, dump_plain
from kehu.store.fmt import format_bytes
from kehu.words.catalogue import Locale
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RepresenterError

SCHEMAS = SchemaSet(None)
LAYOUT = store._layout(SCHEMAS, "customer")

# strings YAML or a reader could take for something else, or that need quoting, escaping or a block
TRICKY = [
    "上海启明科技有限公司", "沟通Q2续约需求，客户对售后服务满意", "张伟", "I65", "lixia", "c12@example.com",
    "13800138000", "+86 138 0013 8000", "138-0013-8000", "05-12", "200-500", "1.2.3", "0755", "012", "1_000",
    "0x1F", "0o17", "1e3", "1.5e3", ".5", "-.inf", ".nan", "12:30", "190:20:30", "12,345",
    "2024-05-01", "2024-5-1", "2024-05-01 10:00", "2024-05-01T10:00:00+08:00", "2024年5月1日", "2024/5/1",
    "yes", "no", "Yes", "NO", "on", "off", "y", "n", "true", "False", "null", "Null", "~", "", " ", "  ",
    " leading", "trailing ", " both ", "a: b", "a:b", "key:", "a #b", "a#b", "#start", "- item", "-", "--", "---",
    "...", "? q", "?", "[x]", "{x}", "a, b", "a[b]", "a{b}", "'single'", '"double"', "it's", 'say "hi"', "back\\slash",
    "%percent", "@at", "`tick", "!bang", "&amp", "*star", "|pipe", ">gt", "<50", "=", "<<", "50人以下", "1000人以上",
    "tab\there", "\ttab", "nul\x00", "bell\x07", "esc\x1b", "del\x7f", "c1\x9f", "nbsp\xa0x", "\xa0lead", "bom\ufeff",
    "\ufeffbom", "line\x85next", "ls\u2028x", "ps\u2029x", "😀 emoji", "𠮷野家", "é́ combining", "\u200bzero-width",
    "\ue000private", "\ufffd", "Ａ全角", "ｶﾀｶﾅ", "русский", "עברית", "العربية",
    "multi\nline", "multi\nline\n", "trailing\n\n", "\nleading break", " indented\nline", "a\n\nb\n", "a\n  b\n",
    "crlf\r\nline", "cr\rline", "tabs\n\tin block", "trailing space \nline", "line\n#not a comment\n",
    "line\n- not a list\n", "a\nb\nc", "x\u2028y\nz", "---\nabc\n", "ends with space\n ",
    "长" * 300, "long " * 400 + "end", "a" * 5000, "数字 " * 50,
]


def tricky_string(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(TRICKY)
    if roll < 0.8:  # two pieces glued: new combinations of edge cases
        return rng.choice(TRICKY) + rng.choice(["", " ", ": ", " #", "\n", ",", "-"]) + rng.choice(TRICKY)
    alphabet = "abcXYZ019 :#-'\"\\,[]{}.&*!|>%@`?\t\n客户张伟，。é😀\xa0\x85\u2028"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def scalar(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.55:
        return tricky_string(rng)
    if roll < 0.65:
        return rng.choice([0, 1, -1, 42, 10**20, -(10**30), 2024])
    if roll < 0.72:
        return rng.choice([0.0, -0.0, 1.5, -2.25, 1e20, 1e-7, 3.14159, 123456.789, float("inf"), float("-inf"),
                           float("nan"), 5e-324])
    if roll < 0.78:
        return rng.choice([True, False])
    if roll < 0.84:
        return None
    if roll < 0.93:
        return dt.date(rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28))
    return rng.choice([dt.datetime(2024, 5, 1, 10, 30), dt.datetime(2024, 5, 1, 10, 30, 5, 120),
                       dt.datetime(2024, 5, 1, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                       store.YamlDate("2024-05-01"), store.YamlDate("2024-5-1")])


def item_map(rng: random.Random, keys: list[str], depth: int) -> dict[str, Any]:
    chosen = rng.sample(keys, rng.randint(0, len(keys)))
    if rng.random() < 0.2:
        chosen.append(rng.choice(["extra", "x_note", "z", "note2"]))  # a key the schema does not know
    return {k: value(rng, depth + 1) if rng.random() < 0.15 else scalar(rng) for k in chosen}


def value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth >= 3 or roll < 0.6:
        return scalar(rng)
    if roll < 0.75:
        return [scalar(rng) for _ in range(rng.randint(0, 6))]
    if roll < 0.9:
        return {k: value(rng, depth + 1) for k in rng.sample(["a", "b", "c", "date", "action"], rng.randint(0, 3))}
    return [value(rng, depth + 1) for _ in range(rng.randint(0, 3))]


CONTACT = ["name", "title", "phone", "email", "wechat", "primary", "notes"]
INTERACTION = ["date", "channel", "by", "summary", "outcome"]
FLOWISH = ["date", "score", "by", "text", "status"]


def customer(rng: random.Random) -> dict[str, Any]:
    """A customer map in a random key order: schema fields, lists of maps, flow candidates, unknown keys."""
    d: dict[str, Any] = {}
    for key in ["id", "name", "industry", "stage", "owner", "created", "size", "region", "source", "class",
                "annual_value", "lost_from", "notes", "tags", "custom_field", "zz_last"]:
        if rng.random() < 0.7:
            d[key] = [tricky_string(rng) for _ in range(rng.randint(0, 5))] if key == "tags" else scalar(rng)
    if rng.random() < 0.7:
        d["contacts"] = [item_map(rng, CONTACT, 1) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.7:
        d["interactions"] = [item_map(rng, INTERACTION, 1) for _ in range(rng.randint(0, 5))]
    if rng.random() < 0.5:
        d["deals"] = [item_map(rng, ["amount", "signed", "contract", "stage"], 1) for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.6:
        d["next_action"] = item_map(rng, ["date", "action"], 1)
    for name in ("surveys", "complaints"):
        if rng.random() < 0.4:
            d[name] = [item_map(rng, FLOWISH, 1) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.3:
        d["misc"] = value(rng, 0)
    keys = list(d)
    rng.shuffle(keys)
    return {k: d[k] for k in keys} or {"name": "x"}


def with_header(d: dict[str, Any]) -> CommentedMap:
    m = CommentedMap(d)
    m.yaml_set_start_comment(store.SCHEMA_COMMENT)
    return m


def same_or_none(data: Any) -> str | None:
    fast = dump_plain(data, LAYOUT)
    if fast is not None:
        assert fast == store.dump_ruamel(data, SCHEMAS), data
    return fast


def test_generated_customers_match_ruamel_byte_for_byte() -> None:
    rng = random.Random(20240501)
    fast = 0
    total = 1500
    for _ in range(total):
        d = customer(rng)
        data = with_header(d) if rng.random() < 0.7 else d
        if same_or_none(data) is not None:
            fast += 1
    # the generator leans on edge cases, yet most maps must still take the fast path
    assert fast > total // 2, fast


def _non_finite(data: Any) -> bool:
    import math

    if isinstance(data, dict):
        return any(_non_finite(v) for v in data.values())
    if isinstance(data, list):
        return any(_non_finite(v) for v in data)
    return isinstance(data, float) and not math.isfinite(data)


def test_fast_text_is_what_kehu_fmt_writes_and_reads_back_as_the_data() -> None:
    rng = random.Random(7)
    checked = refused = 0
    for _ in range(300):
        data = with_header(customer(rng))
        text = same_or_none(data)
        if text is None:
            continue
        raw = text.encode("utf-8")
        if _non_finite(data):  # .inf / .nan are written faithfully, and the checker refuses them (not-finite)
            assert {p.code for p in load_yaml_bytes("c.yaml", raw, Locale()).problems} == {"not-finite"}
            refused += 1
            continue
        assert not load_yaml_bytes("c.yaml", raw, Locale()).problems
        assert not format_bytes("c.yaml", raw, SCHEMAS).changed, text
        checked += 1
    assert checked > 100 and checked + refused > 150


def test_input_is_not_modified() -> None:
    d = {"interactions": [{"summary": "b", "date": "2024-05-02"}, {"date": dt.date(2024, 5, 1)}], "name": "甲"}
    before = repr(d)
    assert same_or_none(with_header(d)) is not None
    assert repr(d) == before


EXAMPLES: list[dict[str, Any]] = [
    {"name": "上海启明科技有限公司", "id": "C20240501001", "size": "200-500", "created": dt.date(2024, 5, 1)},
    {"name": "甲", "notes": "第一行\n第二行\n"},  # '|'
    {"name": "甲", "notes": "第一行\n\n第三行"},  # '|-' with an empty line
    {"name": "甲", "contacts": [{"phone": "13800138000", "name": "张伟", "notes": "a\nb\n"}]},
    {"name": "甲", "tags": ["甲", "乙", "yes", "12", ""], "empty": [], "emap": {}},
    {"name": "甲", "tags": ["很长的标签" * 5] * 3},  # too wide for one line: a block list
    {"name": "甲", "next_action": {"action": "发送报价单", "date": "2024-06-05"}},
    {"name": "甲", "next_action": {"date": "2024-06-05", "action": "长" * 70}},  # too wide: block
    {"name": "甲", "surveys": [{"date": "2024-05-01", "score": 5}, {}, {"text": "a\nb"}]},
    {"name": "甲", "interactions": [{"date": "2024-05-02", "summary": "后"}, {"date": "2024-05-01", "summary": "先"},
                                   {"summary": "无日期"}, "not a map", None]},
    {"name": "甲", "misc": {"a": {"b": {"c": [1, 2.5, None, True]}}, "d": {}}},
    {"name": "甲", "misc": [[1, 2], [], {"a": 1}, ["x", None]]},  # flow lists in a list
    {"name": "甲", "annual_value": 1.0e20, "x": float("nan"), "y": -0.0, "z": 10**25, "b": False, "n": None},
    {"name": "甲", "when": dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))},
    {"name": "甲", "notes": "很长的一行" * 20000},  # a very long line, still far below ruamel's width
]


@pytest.mark.parametrize("data", EXAMPLES, ids=range(len(EXAMPLES)))
def test_examples_take_the_fast_path(data: dict[str, Any]) -> None:
    assert same_or_none(data) is not None
    assert same_or_none(with_header(data)) is not None


def test_layout_of_a_typical_import() -> None:
    data = with_header({"name": "上海启明科技有限公司", "id": "C20240501001", "owner": "lixia", "stage": "contacted",
                        "industry": "I65", "created": dt.date(2024, 5, 1), "size": "<50",
                        "contacts": [{"phone": "13800138000", "name": "张伟"}],
                        "interactions": [{"date": dt.date(2024, 5, 1), "channel": "call", "by": "lixia",
                                          "summary": "沟通续约"}],
                        "next_action": {"date": dt.date(2024, 6, 5), "action": "发送报价单"},
                        "notes": "〔导入〕客户名称: 上海启明科技"})
    assert same_or_none(data) == (
        "# yaml-language-server: $schema=../schema/customer.schema.json\n"
        "id: C20240501001\nname: 上海启明科技有限公司\nindustry: I65\nstage: contacted\nowner: lixia\n"
        "created: 2024-05-01\nsize: \"<50\"\n"
        "contacts:\n  - name: 张伟\n    phone: \"13800138000\"\n"
        "interactions:\n  - date: 2024-05-01\n    channel: call\n    by: lixia\n    summary: 沟通续约\n"
        "next_action: {date: 2024-06-05, action: 发送报价单}\n"
        "notes: \"〔导入〕客户名称: 上海启明科技\"\n"
    )


def _commented() -> CommentedMap:
    m = with_header({"name": "甲"})
    m.yaml_add_eol_comment("工商注册全称", "name")
    return m


def _nested_ruamel() -> dict[str, Any]:
    return {"name": "甲", "contacts": CommentedSeq([{"name": "张伟"}])}


FALLBACKS: dict[str, Any] = {
    "indentation indicator (leading space)": {"name": "甲", "notes": " indented\nline"},
    "indentation indicator (leading break)": {"name": "甲", "notes": "\nfirst line blank"},
    "keep chomping": {"name": "甲", "notes": "two breaks at the end\n\n"},
    "unicode line break in a block": {"name": "甲", "notes": "a\u2028b\nc"},
    "block list in a list": {"name": "甲", "misc": [["很长的标签" * 20, "b"]]},
    "end-of-line comment": _commented(),
    "ruamel container inside": _nested_ruamel(),
    "tuple": {"name": "甲", "tags": ("a", "b")},
    "non-str key": {"name": "甲", 5: "five"},
    "key YAML reads as a boolean": {"name": "甲", "yes": 1},
    "key needing quotes": {"name": "甲", "a key": 1},
    "datetime offset with seconds": {"name": "甲", "when": dt.datetime(
        2024, 5, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, seconds=30)))},
    "str subclass": {"name": "甲", "x": type("S", (str,), {})("s")},
    "empty map": {},
    "document near ruamel's line width": {"name": "甲", "notes": "长" * MAX_CHARS},
}


@pytest.mark.parametrize("name", list(FALLBACKS))
def test_uncertain_shapes_fall_back_to_ruamel(name: str) -> None:
    data = FALLBACKS[name]
    assert dump_plain(data, LAYOUT) is None
    if name != "document near ruamel's line width":  # ruamel folds that one; dump still gives ruamel's text
        assert store.dump(data, SCHEMAS) == store.dump_ruamel(data, SCHEMAS)


def test_a_value_yaml_cannot_hold_still_raises() -> None:
    data = {"name": "甲", "amount": Decimal("1.5")}
    assert dump_plain(data, LAYOUT) is None
    with pytest.raises(RepresenterError):
        store.dump(data, SCHEMAS)


def test_other_header_comments() -> None:
    m = CommentedMap({"name": "甲"})
    m.yaml_set_start_comment("第一行注释\n second")
    assert same_or_none(m) is not None
    odd = CommentedMap({"name": "甲"})
    odd.yaml_set_start_comment("trailing space ")
    assert dump_plain(odd, LAYOUT) is None


def test_team_files_are_left_to_ruamel() -> None:
    layout = store._layout(SCHEMAS, "team")
    assert dump_plain({"members": [{"handle": "lixia"}]}, layout) is None


def test_dump_takes_the_fast_path_for_plain_data(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_ruamel(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("ruamel used")

    monkeypatch.setattr(store, "dump_ruamel", no_ruamel)
    assert store.dump(with_header({"name": "甲", "tags": ["a"]}), SCHEMAS).endswith("name: 甲\ntags: [a]\n")
