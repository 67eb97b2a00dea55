"""kehu fmt: canonical layout that never loses a comment, a key or a list item."""

from __future__ import annotations

import json
import random
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from kehu.repo.schema import SchemaSet
from kehu.repo.yamlload import load_yaml_bytes
from kehu.store.fmt import SORT_BY_DATE, comment_texts, format_bytes
from kehu.store.write import StoreError, dump, parse_bytes, serialize
from kehu.words.catalogue import Locale
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tests.support.commands import kehu
from tests.support.customers import TEAM_YAML, customer_dict
from tests.support.paths import PROJECT
from tests.support.team_repo import TeamRepo

DEMO = sorted((PROJECT / "customers").glob("*.yaml"))
SCHEMAS = SchemaSet(PROJECT / "schema")
FIELD_ORDER = SCHEMAS.field_order()


def plain(raw: bytes | str) -> Any:
    """The data as ``kehu check`` reads it."""
    raw = raw.encode("utf-8") if isinstance(raw, str) else raw
    loaded = load_yaml_bytes("x.yaml", raw, Locale())
    assert not loaded.problems, [p.message for p in loaded.problems]
    return loaded.data


def as_multisets(data: dict) -> dict:
    """The sorted timelines compared as multisets (fmt may reorder entries of the same date)."""
    out = dict(data)
    for name in SORT_BY_DATE:
        if isinstance(out.get(name), list):
            out[name] = sorted(json.dumps(x, sort_keys=True, ensure_ascii=False) for x in out[name])
    return out


def comments(text: str) -> Counter:
    return Counter(t for _, t in comment_texts(text))


def fmt(text: str | bytes, kind: str = "customer", schemas: SchemaSet = SCHEMAS) -> str:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return format_bytes("customers/C1.yaml", raw, schemas, kind).new.decode("utf-8")


def assert_lossless(before: str, after: str) -> None:
    """Same data (timelines as multisets), every comment still there, and a second fmt changes nothing."""
    assert as_multisets(plain(after)) == as_multisets(plain(before))
    assert comments(after) == comments(before)
    assert fmt(after) == after


# --- generated variants ---------------------------------------------------------------------------


def _shuffle_keys(value: Any, rnd: random.Random) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: _shuffle_keys(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [_shuffle_keys(v, rnd) for v in value]
    return value


def shuffled(raw: bytes, rnd: random.Random, use_pyyaml: bool) -> str:
    """The file with keys in random order and timelines unsorted, written by PyYAML or by ruamel."""
    if use_pyyaml:
        data = _shuffle_keys(plain(raw), rnd)
        for name in SORT_BY_DATE:
            if isinstance(data.get(name), list):
                rnd.shuffle(data[name])
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6, default_flow_style=None)
    doc, _ = parse_bytes("x.yaml", raw)

    def reorder(m: CommentedMap) -> None:
        keys = list(m)
        rnd.shuffle(keys)
        for k in keys:
            m.move_to_end(k)

    reorder(doc)
    for name, value in doc.items():
        if isinstance(value, CommentedSeq):
            items = list(value)
            if name in SORT_BY_DATE:
                rnd.shuffle(items)
            for i, item in enumerate(items):
                list.__setitem__(value, i, item)
                if isinstance(item, CommentedMap):
                    reorder(item)
        elif isinstance(value, CommentedMap):
            reorder(value)
    return serialize(doc)


def with_comments(text: str, rnd: random.Random) -> str:
    """Comments everywhere YAML allows them: own-line at any indentation, at line ends, blank lines, at the end."""
    rows = text.split("\n")[:-1]
    inside: set[int] = set()  # lines of multi-line scalars: a '#' there would be text
    after_block: set[int] = set()  # the line after a '|' block: a deeper comment would join the block
    for tok in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(tok, yaml.ScalarToken) and tok.end_mark.line > tok.start_mark.line:
            first, last = tok.start_mark.line, tok.end_mark.line
            if tok.style in ("|", ">"):
                inside.update(range(first + 1, last))
                after_block.add(last)
            else:
                inside.update(range(first, last + 1))
    out: list[str] = []
    n = 0
    for i, row in enumerate(rows):
        indent = len(row) - len(row.lstrip(" "))
        if i not in inside and rnd.random() < 0.3:
            n += 1
            col = 0 if i in after_block else rnd.choice([0, indent, indent + 2, indent + 4, max(0, indent - 2)])
            out.append(" " * col + f"# 注释 full-{n}")
            if i not in after_block and rnd.random() < 0.2:
                out.append("")
        if i not in inside and row.strip() and rnd.random() < 0.3:
            n += 1
            row += f"  # eol-{n} 备注"
        out.append(row)
    cols = [0] if len(rows) - 1 in inside or len(rows) in after_block else [0, 2, 4]
    for col in rnd.sample(cols, min(2, len(cols))):
        n += 1
        out.append(" " * col + f"# end-{n}")
    return "\n".join(out) + "\n"


def test_the_demo_corpus_is_there() -> None:
    assert len(DEMO) >= 40


@pytest.mark.parametrize("path", DEMO, ids=[p.name for p in DEMO])
def test_fmt_keeps_every_demo_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_lossless(text, fmt(text))


@pytest.mark.parametrize("path", DEMO, ids=[p.name for p in DEMO])
def test_fmt_keeps_everything_of_a_scrambled_commented_variant(path: Path) -> None:
    rnd = random.Random(path.name)
    raw = path.read_bytes()
    variant = with_comments(shuffled(raw, rnd, use_pyyaml=DEMO.index(path) % 2 == 0), rnd)
    assert as_multisets(plain(variant)) == as_multisets(plain(raw))  # the generator itself changed no data
    out = fmt(variant)
    assert_lossless(variant, out)
    assert dump(parse_bytes("x.yaml", variant.encode())[0]) == out  # what every writing command produces
    data = plain(out)
    keys = [k for k in FIELD_ORDER if k in data]
    assert [k for k in _top_keys(out)] == keys  # schema order
    for name in SORT_BY_DATE:
        dates = [str(x["date"]) for x in data.get(name) or []]
        assert dates == sorted(dates)
    # laid out like the original: without the added comments it is the demo file (timelines may
    # differ only in the order of entries of the same date)
    assert as_multisets(plain(out)) == as_multisets(plain(fmt(raw)))


def _top_keys(text: str) -> list[str]:
    return [ln.split(":", 1)[0] for ln in text.splitlines() if ln and ln[0] not in " #-"]


# --- comments ------------------------------------------------------------------------------------------

SCRAMBLED = """\
# yaml-language-server: $schema=../schema/customer.schema.json
# 文件头说明
owner: lixia  # 负责人
# 关于名称
name: 上海启明科技有限公司
id: C20240501001
interactions:  # 时间线
  # 最新一次
  - summary: 第三次
    date: 2024-05-20   # 三
    by: lixia
    channel: visit
      # 第三次的补充说明
  # 第一次之前的说明
  - date: 2024-05-01   # 一
    channel: call
    by: lixia
    summary: 第一次

  # 第二次
  - {date: 2024-05-10, channel: email, by: lixia, summary: 第二次}  # 二
industry: I65
stage: quoted
created: 2024-05-01
# 文件结尾
"""


def test_comments_travel_with_their_entries() -> None:
    out = fmt(SCRAMBLED)
    assert_lossless(SCRAMBLED, out)
    lines = out.splitlines()
    assert lines[:2] == ["# yaml-language-server: $schema=../schema/customer.schema.json", "# 文件头说明"]
    assert lines[2] == "id: C20240501001"

    def above(line: str) -> str:
        return lines[lines.index(line) - 1]

    assert above("name: 上海启明科技有限公司") == "# 关于名称"
    assert "owner: lixia  # 负责人" in lines
    assert lines[lines.index("interactions:  # 时间线") + 1] == "  # 第一次之前的说明"
    assert "  - date: 2024-05-01   # 一" in lines
    assert above("  - {date: 2024-05-10, channel: email, by: lixia, summary: 第二次}  # 二") == "  # 第二次"
    assert above("  - date: 2024-05-20   # 三") == "  # 最新一次"
    # indented deeper than what follows: it closes the line above it (channel) and moves with that key
    assert lines[lines.index("    channel: visit") + 1] == "      # 第三次的补充说明"
    assert lines[-1] == "# 文件结尾"


def test_comments_inside_and_between_one_line_entries_are_kept() -> None:
    # ruamel alone drops both of these comments; kehu keeps them (moved next to their entry)
    text = """\
id: C20240501001
surveys:
  - {date: 2024-04-01, quality: 5}
# 第二份问卷
  - {date: 2024-03-01, quality: 4}  # 较差
next_action: {date: 2024-06-05,   # 本周
  action: 发送报价单}
"""
    out = fmt(text)
    assert_lossless(text, out)
    lines = out.splitlines()
    assert lines[lines.index("  - {date: 2024-03-01, quality: 4}  # 较差") - 1] == "  # 第二份问卷"
    assert "next_action: {date: 2024-06-05, action: 发送报价单}  # 本周" in lines


def test_blank_lines_between_sections_are_kept_once() -> None:
    text = "id: C20240501001\n\n\n\nname: 上海启明\n\n# 备注\nnotes: |\n  第一行\n\n  第三行\n"
    out = fmt(text)
    assert out == "id: C20240501001\n\nname: 上海启明\n\n# 备注\nnotes: |\n  第一行\n\n  第三行\n"
    assert_lossless(text, out)


def test_a_comment_after_a_text_block_never_joins_the_text() -> None:
    text = "notes: |\n  第一行\n  # 这是正文，不是注释\nid: C20240501001\n    # 备注之后\n"
    out = fmt(text)
    assert_lossless(text, out)
    assert plain(out)["notes"] == "第一行\n# 这是正文，不是注释\n"


# --- quoting -------------------------------------------------------------------------------------------

QUOTING = [
    ("13800138000", '"13800138000"'),
    ("05-12", '"05-12"'),
    ("200-500", '"200-500"'),
    ("<50", '"<50"'),
    (">500", '">500"'),
    ("yes", '"yes"'),
    ("no", '"no"'),
    ("on", '"on"'),
    ("Off", '"Off"'),
    ("null", '"null"'),
    ("~", '"~"'),
    ("", '""'),
    ("0123", '"0123"'),
    ("1.5", '"1.5"'),
    ("1e3", '"1e3"'),
    ("12:30", '"12:30"'),
    ("@lixia", '"@lixia"'),
    ("- 列表", '"- 列表"'),
    ("a: b", '"a: b"'),
    ("价格 #1", '"价格 #1"'),
    (" 前导空格", '" 前导空格"'),
    ("尾随空格 ", '"尾随空格 "'),
    ("带\t制表符", '"带\\t制表符"'),
    ("上海", "上海"),
    ("zhang.wei@example.com", "zhang.wei@example.com"),
    ("HT202405001", "HT202405001"),
    ("3个月内", "3个月内"),
    ("需定制化解决方案,注重响应速度", "需定制化解决方案,注重响应速度"),
    ("2024-05-01", "2024-05-01"),
]


@pytest.mark.parametrize(("value", "written"), QUOTING, ids=[repr(v) for v, _ in QUOTING])
def test_strings_are_quoted_only_when_yaml_would_misread_them(value: str, written: str) -> None:
    text = dump({"id": "C1", "needs": value})
    assert text == f"id: C1\nneeds: {written}\n"
    assert plain(text)["needs"] == value
    assert fmt(text) == text


def test_quoting_is_normalised_from_any_style() -> None:
    text = "id: 'C20240501001'\ncreated: '2024-05-01'\nregion: \"上海\"\nsize: '200-500'\nprimary_phone: 13800138000\n"
    out = fmt(text)
    assert out == 'id: C20240501001\ncreated: 2024-05-01\nsize: "200-500"\nregion: 上海\nprimary_phone: 13800138000\n'
    assert plain(out) == plain(text)  # a number stays a number (the checker says to quote it)


def test_one_line_entries_quote_what_a_flow_mapping_would_misread() -> None:
    text = dump({"id": "C1", "next_action": {"date": "2024-06-05", "action": "发报价, 约拜访"}})
    assert text == 'id: C1\nnext_action: {date: 2024-06-05, action: "发报价, 约拜访"}\n'
    assert plain(text)["next_action"]["action"] == "发报价, 约拜访"


def test_multi_line_text_is_a_block_unless_it_cannot_be() -> None:
    text = dump({"id": "C1", "notes": "第一行\n第二行\n", "needs": "行尾空格 \n下一行"})
    assert "notes: |\n  第一行\n  第二行\n" in text
    assert 'needs: "行尾空格 \\n下一行"' in text
    assert plain(text)["notes"] == "第一行\n第二行\n"


def test_numbers_booleans_and_null_are_written_plainly() -> None:
    text = "repurchase_rate: 0.850\nannual_value: 180_000\nid: C1\nlost_from: ~\nclass_reason:\nbudget: 0x10\n"
    out = fmt(text)
    assert out == ("id: C1\nlost_from: null\nclass_reason: null\nannual_value: 180000\nrepurchase_rate: 0.85\n"
                   "budget: 16\n")
    assert plain(out) == plain(text)


# --- layout from the schema ------------------------------------------------------------------------------


def test_nested_keys_follow_the_schema_and_unknown_keys_keep_their_order_at_the_end() -> None:
    text = """\
zz_legacy: 1
contacts:
  - primary: true
    phone: "13800138000"
    name: 张伟
aa_legacy: 2
id: C1
deals:
  - signed: 2024-05-20
    amount: 120000
    product: SaaS
"""
    out = fmt(text)
    assert out == """\
id: C1
contacts:
  - name: 张伟
    phone: "13800138000"
    primary: true
deals:
  - product: SaaS
    amount: 120000
    signed: 2024-05-20
zz_legacy: 1
aa_legacy: 2
"""


def test_a_teams_own_field_goes_where_its_schema_puts_it(tmp_path: Path) -> None:
    folder = tmp_path / "schema"
    shutil.copytree(PROJECT / "schema", folder)
    path = folder / "customer.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    props = list(schema["properties"].items())
    at = [k for k, _ in props].index("region") + 1
    props.insert(at, ("wechat_group", {"type": "string"}))
    schema["properties"] = dict(props)
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    text = "wechat_group: 启明项目群\nregion: 上海\nid: C1\nsource: referral\n"
    assert fmt(text, schemas=SchemaSet(folder)) == "id: C1\nregion: 上海\nwechat_group: 启明项目群\nsource: referral\n"


def test_team_file_members_follow_the_team_schema() -> None:
    text = "# 团队\nmembers:\n  - role: sales  # 销售\n    name: 李霞\n    handle: lixia\n    git: lixia-sales\n"
    out = fmt(text, kind="team")
    assert out == "# 团队\nmembers:\n  - handle: lixia\n    name: 李霞\n    git: lixia-sales\n    role: sales  # 销售\n"


# --- refusing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "line"), [
    ("id: C1\nname: [unclosed\nstage: won\n", 3),
    ("id: C1\nid: C2\n", 2),
    ("id: C1\nbudget: 012\n", 2),
])
def test_a_file_with_yaml_errors_is_reported_not_formatted(text: str, line: int) -> None:
    with pytest.raises(StoreError) as info:
        format_bytes("customers/C1.yaml", text.encode(), SCHEMAS)
    assert str(info.value).startswith(f"customers/C1.yaml:{line}:")


# --- the command ----------------------------------------------------------------------------------------------

MESSY = ("stage: quoted\nid: C20240501001\nname: 上海启明科技有限公司  # 全称\nowner: lixia\nindustry: I65\n"
         "created: '2024-05-01'\n")


def messy_repo(make_repo) -> tuple[TeamRepo, Path, Path]:
    repo = make_repo()
    messy = repo.write_customer(MESSY, "C20240501001")
    clean = repo.write_customer(dump(customer_dict(id="C20240502001", name="杭州云帆网络科技有限公司")),
                                "C20240502001")
    return repo, messy, clean


def test_fmt_formats_the_files_that_need_it_and_then_nothing(make_repo) -> None:
    repo, messy, clean = messy_repo(make_repo)
    clean_before = clean.read_bytes()
    result = kehu(repo, "fmt")
    assert result.exit_code == 0, result.stderr
    assert "customers/C20240501001.yaml" in result.stdout and "C20240502001" not in result.stdout
    assert messy.read_text(encoding="utf-8").startswith("id: C20240501001\nname: 上海启明科技有限公司  # 全称\n")
    assert clean.read_bytes() == clean_before
    assert sorted(p.name for p in repo.customers.iterdir()) == ["C20240501001.yaml", "C20240502001.yaml"]
    again = messy.read_bytes()
    second = kehu(repo, "fmt")
    assert second.exit_code == 0 and "customers/" not in second.stdout
    assert messy.read_bytes() == again
    assert repo.check(messy).errors == 0


def test_fmt_check_writes_nothing_and_fails_when_a_file_would_change(make_repo) -> None:
    repo, messy, _clean = messy_repo(make_repo)
    before = messy.read_bytes()
    result = kehu(repo, "fmt", "--check")
    assert result.exit_code == 1
    assert "customers/C20240501001.yaml" in result.stdout
    assert messy.read_bytes() == before
    assert kehu(repo, "fmt").exit_code == 0
    clean_run = kehu(repo, "fmt", "--check")
    assert clean_run.exit_code == 0, clean_run.stdout


def test_fmt_leaves_a_broken_file_untouched_and_still_formats_the_others(make_repo) -> None:
    repo, messy, _clean = messy_repo(make_repo)
    broken = repo.write_customer("id: C20240503001\nname: [unclosed\nstage: won\n", "C20240503001")
    before = broken.read_bytes()
    result = kehu(repo, "fmt")
    assert result.exit_code == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("kehu: 错误：customers/C20240503001.yaml:3:"), errors
    assert broken.read_bytes() == before
    assert messy.read_text(encoding="utf-8").startswith("id: C20240501001\n")
    assert kehu(repo, "fmt", "--check", str(broken)).exit_code == 2
    assert broken.read_bytes() == before


def test_fmt_formats_only_the_files_it_is_given(make_repo) -> None:
    repo, messy, _clean = messy_repo(make_repo)
    other = repo.write_customer(MESSY.replace("C20240501001", "C20240504001").replace("上海启明", "苏州启明"),
                                "C20240504001")
    before = other.read_bytes()
    result = kehu(repo, "fmt", str(messy))
    assert result.exit_code == 0, result.stderr
    assert messy.read_text(encoding="utf-8").startswith("id: C20240501001\n")
    assert other.read_bytes() == before


def test_fmt_also_lays_out_team_yaml(make_repo) -> None:
    scrambled = TEAM_YAML.replace("  - handle: lixia\n    name: 李霞\n", "  - name: 李霞\n    handle: lixia\n")
    assert scrambled != TEAM_YAML
    repo = make_repo(team=scrambled)
    result = kehu(repo, "fmt")
    assert result.exit_code == 0, result.stderr
    assert "team.yaml" in result.stdout
    assert (repo.root / "team.yaml").read_text(encoding="utf-8") == TEAM_YAML


@pytest.mark.parametrize("name", ["kehu.yaml", "customers/C20990101001.yaml"])
def test_fmt_refuses_what_it_cannot_format(make_repo, name: str) -> None:
    repo = make_repo()
    config = (repo.root / "kehu.yaml").read_bytes()
    result = kehu(repo, "fmt", str(repo.root / name))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert (repo.root / "kehu.yaml").read_bytes() == config


def test_fmt_speaks_english_when_the_team_does(make_repo) -> None:
    repo, _messy, _clean = messy_repo(make_repo)
    result = kehu(repo, "fmt", "--check", env={"KEHU_LOCALE": "en"})
    assert "would reformat: customers/C20240501001.yaml" in result.stdout
