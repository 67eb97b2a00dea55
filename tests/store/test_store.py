"""kehu.store.write: round-trip loading, canonical dumping, atomic writes, validated saves."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from kehu.repo.yamlload import load_yaml_bytes
from kehu.store.write import (
    SCHEMA_COMMENT,
    StoreError,
    YamlDate,
    atomic_write,
    dump,
    load_roundtrip,
    new_customer_map,
    save_customer,
)
from kehu.words.catalogue import Locale
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.representer import RepresenterError

from tests.support.customers import COMMENTED, customer_dict
from tests.support.team_repo import TeamRepo


def plain(raw: bytes) -> Any:
    loaded = load_yaml_bytes("x.yaml", raw, Locale())
    assert not loaded.problems, loaded.problems
    return loaded.data


def to_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- load_roundtrip -------------------------------------------------------------------------------


def test_load_roundtrip_keeps_order_and_comments(repo: TeamRepo) -> None:
    path = repo.write_customer(COMMENTED, "C20240501001")
    doc = load_roundtrip(path)
    assert isinstance(doc, CommentedMap)
    assert list(doc)[:4] == ["id", "name", "industry", "stage"]
    assert isinstance(doc["interactions"], CommentedSeq)
    text = dump(doc)
    for comment in ("# 工商注册全称", "# 跟进记录按日期排列", "# 首次接触", "# 上门演示", "# 本周内", "# 文件结束",
                    "# yaml-language-server"):
        assert comment in text


def test_load_roundtrip_reads_scalars_like_the_checker(repo: TeamRepo) -> None:
    # as PyYAML reads it: yes is a boolean, 0x1F a number; dates stay the text of the file
    text = (COMMENTED.replace("budget: 200000\n", "")
            + "budget: 0x1F\nx_flag: yes\nx_code: '0123'\nx_day: 2024-13-45\nx_rate: 0.850\n")
    path = repo.write_customer(text, "C20240501001")
    doc = load_roundtrip(path)
    assert doc["budget"] == 31 and doc["x_flag"] is True and doc["x_code"] == "0123"
    assert isinstance(doc["created"], YamlDate) and doc["created"] == "2024-05-01"
    assert doc["x_day"] == "2024-13-45"  # an impossible date is the checker's to report, not a crash here
    assert to_plain(doc) == plain(path.read_bytes())


BAD_YAML = [
    ("name: [unclosed\nid: C1\n", 2, "yaml-syntax"),
    ("id: C1\nname: a\nname: b\n", 3, "duplicate-key"),
    ("id: C1\ncontacts:\n\t- name: a\n", 3, "tab-indent"),
    ("id: &x C1\nname: *x\n", 1, "anchor"),
    ("id: C1\nname: !custom x\n", 2, "custom-tag"),
    ("", 1, "empty-file"),
    ("- a\n- b\n", 1, "not-mapping"),
    ("id: C1\nbudget: 012\n", 2, "yaml-number"),  # 10 to PyYAML, 12 to YAML 1.2 tools
]


@pytest.mark.parametrize(("text", "line", "code"), BAD_YAML, ids=[c for _, _, c in BAD_YAML])
def test_load_roundtrip_refuses_bad_yaml_with_file_and_line(repo: TeamRepo, text: str, line: int, code: str) -> None:
    path = repo.write_customer(text, "C20240501001")
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        load_roundtrip(path, repo.open())
    assert str(info.value).startswith(f"customers/C20240501001.yaml:{line}:"), str(info.value)
    assert info.value.hint
    assert "\n" not in info.value.message
    assert path.read_bytes() == before


def test_load_roundtrip_refuses_non_utf8(repo: TeamRepo) -> None:
    path = repo.write_customer("id: C1\nname: 上海\n".encode("gbk"), "C20240501001")
    with pytest.raises(StoreError) as info:
        load_roundtrip(path, repo.open())
    assert str(info.value).startswith("customers/C20240501001.yaml:2:")


def test_load_roundtrip_of_a_missing_file_is_a_store_error(repo: TeamRepo) -> None:
    with pytest.raises(StoreError) as info:
        load_roundtrip(repo.customers / "C20990101001.yaml", repo.open())
    assert "C20990101001.yaml" in str(info.value)


# --- dump ----------------------------------------------------------------------------------------------


def test_dump_writes_the_canonical_layout() -> None:
    data = {
        "interactions": [
            {"summary": "上门拜访\n带了样机", "by": "lixia", "channel": "visit", "date": dt.date(2024, 5, 20)},
            {"by": "lixia", "date": "2024-05-02", "channel": "call", "summary": "首次电话"},
        ],
        "next_action": {"action": "发送报价单", "date": "2024-06-05"},
        "contacts": [{"birthday": "05-12", "phone": "13800138000", "name": "张伟", "primary": True}],
        "tags": ["定制化开发"],
        "lost_from": None,
        "size": "<50",
        "created": "2024-05-01",
        "owner": "lixia",
        "name": "上海启明科技有限公司",
        "id": "C20240501001",
        "stage": "quoted",
        "industry": "I65",
        "annual_value": 180000,
        "repurchase_rate": 0.85,
        "budget": "yes",
    }
    assert dump(data) == """\
id: C20240501001
name: 上海启明科技有限公司
industry: I65
stage: quoted
lost_from: null
owner: lixia
created: 2024-05-01
size: "<50"
annual_value: 180000
repurchase_rate: 0.85
tags: [定制化开发]
budget: "yes"
contacts:
  - name: 张伟
    phone: "13800138000"
    birthday: "05-12"
    primary: true
interactions:
  - date: 2024-05-02
    channel: call
    by: lixia
    summary: 首次电话
  - date: 2024-05-20
    channel: visit
    by: lixia
    summary: |-
      上门拜访
      带了样机
next_action: {date: 2024-06-05, action: 发送报价单}
"""


def test_dump_is_what_fmt_makes_of_it(repo: TeamRepo) -> None:
    from kehu.store.fmt import format_bytes

    text = dump(customer_dict(notes="第一行\n第二行\n", tags=["数据安全", "快速部署"]))
    assert not format_bytes("x.yaml", text.encode(), repo.open().schemas).changed


def test_dump_does_not_change_its_argument(repo: TeamRepo) -> None:
    path = repo.write_customer(COMMENTED.replace("id: C20240501001\n", "") + "id: C20240501001\n",
                               "C20240501001")
    doc = load_roundtrip(path)
    keys = list(doc)
    before = to_plain(doc)
    dump(doc)
    assert list(doc) == keys and to_plain(doc) == before


def test_dump_after_an_edit_keeps_every_comment_and_the_date_order(repo: TeamRepo) -> None:
    path = repo.write_customer(COMMENTED, "C20240501001")
    doc = load_roundtrip(path)
    doc["interactions"].append({"date": YamlDate("2024-05-10"), "channel": "email", "by": "lixia",
                                "summary": "发送方案"})
    doc["next_action"] = {"date": "2024-06-20", "action": "回访"}
    lines = dump(doc).splitlines()
    dates = [ln.strip() for ln in lines if ln.strip().startswith("- date:")]
    assert dates == ["- date: 2024-05-01  # 首次接触", "- date: 2024-05-10", "- date: 2024-05-20"]
    # the comment above the visit still sits right above the visit
    assert lines[lines.index("  - date: 2024-05-20") - 1] == "  # 上门演示"
    assert lines[-1] == "# 文件结束"
    # a replaced value keeps the comment of its key (at its old column)
    [line] = [ln for ln in lines if ln.startswith("next_action:")]
    assert line.startswith("next_action: {date: 2024-06-20, action: 回访} ") and line.endswith("  # 本周内")


def test_dump_writes_an_object_used_twice_out_twice() -> None:
    contact = {"name": "张伟"}
    text = dump({"id": "C1", "contacts": [contact, contact]})
    assert "&" not in text and text.count("name: 张伟") == 2


def test_dump_refuses_values_it_cannot_write() -> None:
    with pytest.raises(RepresenterError):
        dump({"id": "C1", "name": object()})


# --- atomic_write --------------------------------------------------------------------------------------


def test_atomic_write_creates_and_replaces_leaving_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    atomic_write(path, "id: 1\n")
    assert path.read_text(encoding="utf-8") == "id: 1\n"
    path.chmod(0o640)
    atomic_write(path, "id: 2\n名称: 上海\n")
    assert path.read_bytes() == "id: 2\n名称: 上海\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # permissions of the file survive
    assert files_in(tmp_path) == ["a.yaml"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"id: old\n")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(path, "id: new\n" + "x" * 100_000 + "\ud800")  # fails midway through writing
    assert path.read_bytes() == b"id: old\n"
    assert files_in(tmp_path) == ["a.yaml"]


def test_atomic_write_new_file_gets_normal_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "b.yaml", "x: 1\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "b.yaml").stat().st_mode) == 0o644


# --- save_customer --------------------------------------------------------------------------------------


def test_save_customer_writes_a_valid_record(repo: TeamRepo) -> None:
    path = repo.customers / "C20240501001.yaml"
    data = customer_dict()
    assert save_customer(repo.open(), path, data) == []
    text = path.read_text(encoding="utf-8")
    assert text == dump(data, repo.open().schemas)
    assert repo.check(path).errors == 0
    assert files_in(repo.customers) == ["C20240501001.yaml"]


def test_save_customer_warnings_do_not_block_the_write(repo: TeamRepo) -> None:
    path = repo.customers / "C20240501001.yaml"
    assert save_customer(repo.open(), path, customer_dict(budget="待确认")) == []
    assert path.exists()


@pytest.mark.parametrize(("change", "code"), [
    ({"interactions": [{"date": "2024-05-01", "channel": "电话", "by": "lixia", "summary": "通话"}]},
     "label-not-key"),
    ({"owner": "nobody"}, "unknown-handle"),
    ({"id": "C20240501002"}, None),  # file name must equal the id
])
def test_save_customer_refuses_an_invalid_new_record_and_writes_nothing(
        repo: TeamRepo, change: dict, code: str | None) -> None:
    path = repo.customers / "C20240501001.yaml"
    problems = save_customer(repo.open(), path, customer_dict(**change))
    assert problems and all(p.severity == "error" for p in problems)
    if code:
        assert code in [p.code for p in problems]
    assert not path.exists()
    assert files_in(repo.customers) == []


def test_save_customer_refuses_an_invalid_edit_and_keeps_the_file(repo: TeamRepo) -> None:
    path = repo.write_customer(COMMENTED, "C20240501001")
    before = path.read_bytes()
    doc = load_roundtrip(path)
    doc["stage"] = "谈判中"
    problems = save_customer(repo.open(), path, doc)
    assert [p.code for p in problems] == ["unknown-value"]
    assert problems[0].file == "customers/C20240501001.yaml"
    assert path.read_bytes() == before
    assert files_in(repo.customers) == ["C20240501001.yaml"]


def test_save_customer_that_fails_while_dumping_keeps_the_file(repo: TeamRepo) -> None:
    path = repo.write_customer(COMMENTED, "C20240501001")
    before = path.read_bytes()
    doc = load_roundtrip(path)
    doc["notes"] = object()
    with pytest.raises(RepresenterError):
        save_customer(repo.open(), path, doc)
    assert path.read_bytes() == before
    assert files_in(repo.customers) == ["C20240501001.yaml"]


# --- new_customer_map ---------------------------------------------------------------------------------------


def test_new_customer_map_orders_fields_and_adds_the_schema_header(repo: TeamRepo) -> None:
    fields = customer_dict()
    shuffled = dict(reversed(list(fields.items())))
    doc = new_customer_map(shuffled, repo.open().schemas)
    assert list(doc) == list(fields)  # customer_dict is already in schema order
    text = dump(doc)
    assert text.startswith(f"# {SCHEMA_COMMENT}\nid: C20240501001\n")
    path = repo.customers / "C20240501001.yaml"
    assert save_customer(repo.open(), path, doc) == []
    assert path.read_text(encoding="utf-8") == text


def test_repeated_edits_never_multiply_a_comment(repo: TeamRepo) -> None:
    text = COMMENTED.replace("interactions:\n", "interactions:  # 时间线\n  # 按日期排列\n")
    path = repo.write_customer(text, "C20240501001")
    for day in ("2024-05-25", "2024-05-28", "2024-05-03"):
        doc = load_roundtrip(path, repo.open())
        doc["interactions"].append({"date": day, "channel": "call", "by": "lixia", "summary": f"{day} 电话回访"})
        assert save_customer(repo.open(), path, doc) == []
    after = path.read_text(encoding="utf-8")
    from kehu.store.fmt import comment_texts

    assert sorted(t for _, t in comment_texts(after)) == sorted(t for _, t in comment_texts(text))
    assert "interactions:  # 时间线\n  # 按日期排列\n  - date: 2024-05-01  # 首次接触\n" in after
