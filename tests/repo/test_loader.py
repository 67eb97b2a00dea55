"""The strict YAML loader, seen through the checker: what YAML silently accepts but
loses or hides is refused with the exact file, line and column."""

from __future__ import annotations

from tests.support.customers import customer_dict, dump_yaml
from tests.support.team_repo import problem_tuples

F = "customers/C20240501001.yaml"
GOOD = dump_yaml(customer_dict())


def only(result, code):
    """The problems of one code, as (file, line, col, severity, code)."""
    return problem_tuples(result.problems, code)


def test_good_file_has_no_problems(repo):
    repo.write_customer(GOOD, "C20240501001")
    assert repo.check().problems == []


# --- duplicate keys -------------------------------------------------------------------------------


def test_duplicate_top_level_key_points_at_second_and_names_first(repo):
    text = GOOD + "region: 北京\n"
    first_line = GOOD.splitlines().index("region: 上海") + 1
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    second_line = len(text.splitlines())
    assert only(result, "duplicate-key") == [(F, second_line, 1, "error", "duplicate-key")]
    p = result.problems[0]
    assert "'region'" in p.message and f"第 {first_line} 行" in p.message


def test_duplicate_nested_key_in_a_list_item(repo):
    text = ("id: C20240501001\nname: 上海启明科技有限公司\nindustry: I65\nstage: lead\nowner: lixia\n"
            "created: 2024-05-01\ncontacts:\n  - name: 张伟\n    phone: \"13800138000\"\n    phone: \"13900139000\"\n")
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    assert only(result, "duplicate-key") == [(F, 10, 5, "error", "duplicate-key")]
    assert "第 9 行" in result.problems[0].message


def test_same_key_in_different_mappings_is_fine(repo):
    data = customer_dict(contacts=[{"name": "张伟", "phone": "13800138000"}, {"name": "李娜", "phone": "13900139000"}])
    repo.write_customer(data)
    assert repo.check().problems == []


# --- encoding -----------------------------------------------------------------------------------


def test_gbk_bytes_are_reported_with_their_line(repo):
    # A line pasted from a GBK spreadsheet into an otherwise UTF-8 file.
    before, after = GOOD.split("region: 上海\n")
    raw = before.encode() + "region: 上海".encode() + "浦东".encode("gbk") + b"\n" + after.encode()
    line = before.count("\n") + 1
    repo.write_customer(raw, "C20240501001")
    result = repo.check()
    # the column counts characters, as an editor shows them, not bytes
    assert only(result, "not-utf8") == [(F, line, len("region: 上海") + 1, "error", "not-utf8")]
    assert "UTF-8" in result.problems[0].message


def test_whole_file_in_gbk_is_reported_at_the_first_chinese_character(repo):
    repo.write_customer(GOOD.encode("gbk"), "C20240501001")
    assert only(repo.check(), "not-utf8") == [(F, 2, len("name: ") + 1, "error", "not-utf8")]


def test_utf8_bom_is_accepted(repo):
    repo.write_customer(b"\xef\xbb\xbf" + GOOD.encode("utf-8"), "C20240501001")
    assert repo.check().problems == []


def test_crlf_line_endings_are_accepted(repo):
    repo.write_customer(GOOD.replace("\n", "\r\n").encode("utf-8"), "C20240501001")
    assert repo.check().problems == []


def test_control_character_is_reported_at_its_line(repo):
    text = GOOD.replace("region: 上海", "region: 上海\x07")
    line = text.splitlines().index("region: 上海\x07") + 1
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    assert only(result, "yaml-syntax") == [(F, line, len("region: 上海") + 1, "error", "yaml-syntax")]


# --- tabs -----------------------------------------------------------------------------------------


def test_tab_indentation_is_refused_at_the_tab(repo):
    text = GOOD.replace("  phone:", "\tphone:")
    line = text.splitlines().index("\tphone: '13800138000'") + 1
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    assert only(result, "tab-indent") == [(F, line, 1, "error", "tab-indent")]


def test_tab_inside_a_value_is_fine(repo):
    repo.write_customer(GOOD + 'notes: "第一项\t第二项"\n', "C20240501001")
    assert repo.check().problems == []


# --- anchors, aliases, merge keys -------------------------------------------------------------------


def test_anchor_and_alias_are_refused(repo):
    text = GOOD.replace("owner: lixia", "owner: &who lixia") + "notes: *who\n"
    line = text.splitlines().index("owner: &who lixia") + 1
    repo.write_customer(text, "C20240501001")
    assert only(repo.check(), "anchor") == [(F, line, 8, "error", "anchor")]


def test_merge_key_is_refused(repo):
    text = GOOD + "next_action:\n  <<: {date: 2024-06-05}\n  action: 提交方案\n"
    line = len(GOOD.splitlines()) + 2
    repo.write_customer(text, "C20240501001")
    assert only(repo.check(), "anchor") == [(F, line, 3, "error", "anchor")]


def test_ampersand_and_asterisk_in_text_are_fine(repo):
    repo.write_customer(GOOD + "notes: R&D 部门 & 销售部 *重点*\n", "C20240501001")
    assert repo.check().problems == []


# --- custom tags ------------------------------------------------------------------------------------


def test_python_object_tag_is_refused(repo):
    text = GOOD + "notes: !!python/object:os.system {}\n"
    line = len(text.splitlines())
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    assert only(result, "custom-tag") == [(F, line, 8, "error", "custom-tag")]
    assert "!!python/object:os.system" in result.problems[0].message


def test_local_tag_is_refused(repo):
    text = GOOD + "notes: !foo bar\n"
    line = len(text.splitlines())
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    assert only(result, "custom-tag") == [(F, line, 8, "error", "custom-tag")]
    assert "!foo" in result.problems[0].message


def test_explicit_standard_str_tag_is_fine(repo):
    repo.write_customer(GOOD + "notes: !!str 12345\n", "C20240501001")
    assert repo.check().problems == []


# --- size, emptiness, shape -----------------------------------------------------------------------


def test_oversized_file_uses_the_limit_from_kehu_yaml(repo):
    repo.set_config(check={"max_file_bytes": 300})
    text = GOOD + "notes: " + "很长的备注" * 60 + "\n"
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    assert only(result, "too-large") == [(F, 1, 1, "error", "too-large")]
    assert "300" in result.problems[0].message


def test_file_under_the_configured_limit_is_fine(repo):
    repo.set_config(check={"max_file_bytes": len(GOOD.encode()) + 10})
    repo.write_customer(GOOD, "C20240501001")
    assert repo.check().problems == []


def test_empty_file(repo):
    repo.write_customer("", "C20240501001")
    assert only(repo.check(), "empty-file") == [(F, 1, 1, "error", "empty-file")]


def test_file_of_only_comments_is_empty(repo):
    repo.write_customer("# 还没填\n", "C20240501001")
    assert only(repo.check(), "empty-file") == [(F, 1, 1, "error", "empty-file")]


def test_top_level_list_is_refused(repo):
    repo.write_customer("- id: C20240501001\n- name: x\n", "C20240501001")
    assert problem_tuples(repo.check().problems) == [(F, 1, 1, "error", "not-mapping")]


def test_second_document_is_refused(repo):
    text = GOOD + "---\nid: C20240501002\n"
    repo.write_customer(text, "C20240501001")
    line = len(GOOD.splitlines()) + 1
    assert only(repo.check(), "yaml-syntax") == [(F, line, 1, "error", "yaml-syntax")]


# --- syntax errors ----------------------------------------------------------------------------------


def test_bad_indentation_is_reported_at_its_line(repo):
    text = "id: C20240501001\nname: 上海启明科技有限公司\n  industry: I65\nstage: lead\n"
    repo.write_customer(text, "C20240501001")
    assert only(repo.check(), "yaml-syntax") == [(F, 3, 11, "error", "yaml-syntax")]


def test_unclosed_bracket_names_the_line_where_it_opened(repo):
    text = "id: C20240501001\ntags: [定制化开发, 快速部署\nname: 上海启明科技有限公司\nstage: lead\n"
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    problems = only(result, "yaml-syntax")
    assert len(problems) == 1
    p = result.problems[0]
    # The parser notices at line 3, but the mistake is the '[' of line 2: the message names it.
    assert (p.line, p.col) == (3, 5)
    assert "line 2, column 7" in p.message


def test_unclosed_quote(repo):
    text = 'id: C20240501001\nname: "上海启明科技有限公司\nindustry: I65\n'
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    assert [p.code for p in result.problems] == ["yaml-syntax"]
    assert result.problems[0].line in (2, 4)


def test_dates_stay_text(repo):
    from kehu.repo.yamlload import load_yaml_bytes
    from kehu.words.catalogue import Locale

    loaded = load_yaml_bytes("x.yaml", b"created: 2024-05-01\nwhen: 2024-05-01 10:00:00\n", Locale(), None)
    assert loaded.data == {"created": "2024-05-01", "when": "2024-05-01 10:00:00"}
    assert loaded.positions[("created",)] == (1, 10)


# --- numbers whose value depends on the YAML version ------------------------------------------------------


def test_octal_looking_number_is_refused(repo):
    text = GOOD + "annual_value: 0120000\n"
    repo.write_customer(text, "C20240501001")
    result = repo.check()
    assert only(result, "yaml-number") == [(F, len(text.splitlines()), 15, "error", "yaml-number")]
    assert "40960" in result.problems[0].message  # what YAML 1.1 silently made of it


def test_base_60_number_is_refused(repo):
    text = GOOD + "annual_value: 1:20\n"
    repo.write_customer(text, "C20240501001")
    assert only(repo.check(), "yaml-number") == [(F, len(text.splitlines()), 15, "error", "yaml-number")]


def test_plain_numbers_are_fine(repo):
    repo.write_customer(GOOD + "annual_value: 120000\nrepurchase_rate: 0.85\n", "C20240501001")
    assert repo.check().problems == []


def test_quote_hint_shows_the_number_as_written(repo):
    text = GOOD.replace("phone: '13800138000'", "phone: +8613800138000")
    repo.write_customer(text, "C20240501001")
    problems = repo.check().problems
    assert [p.code for p in problems] == ["wrong-type"]
    assert '"+8613800138000"' in problems[0].hint


def test_leading_zero_digits_are_refused_unquoted(repo):
    # YAML 1.1 (kehu) keeps 0571888 as text, YAML 1.2 (editors, check-jsonschema) makes it the number 571888
    text = GOOD.replace("- name: 张伟\n", "- name: 张伟\n  wechat: 05718888\n")
    repo.write_customer(text, "C20240501001")
    line = text.splitlines().index("  wechat: 05718888") + 1
    assert only(repo.check(), "yaml-number") == [(F, line, 11, "error", "yaml-number")]
    assert '"05718888"' in repo.check().problems[0].hint
    repo.write_customer(text.replace("wechat: 05718888", "wechat: '05718888'"), "C20240501001")
    assert repo.check().problems == []


def test_exponent_without_a_dot_is_refused_unquoted(repo):
    text = GOOD + "notes: 3e5\n"
    repo.write_customer(text, "C20240501001")
    assert only(repo.check(), "yaml-number") == [(F, len(text.splitlines()), 8, "error", "yaml-number")]
