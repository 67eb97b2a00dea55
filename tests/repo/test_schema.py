"""Schema errors, translated: every error at the line (and column) of the offending
value, with a message that says what to write instead."""

from __future__ import annotations

import re

import pytest

from tests.support.paths import SCHEMA_SRC
from tests.support.team_repo import problem_tuples, write_earlier_schema

F = "customers/C20240501001.yaml"

BASE = """\
id: C20240501001
name: 上海启明科技有限公司
industry: I65
stage: negotiating
owner: lixia
created: 2024-05-01
size: "200-500"
region: 上海
source: referral
needs: 需定制化解决方案
budget: 200000
decision_process: 采购经理评估后总经理拍板
contacts:
  - name: 张伟
    phone: "13800138000"
    email: zhang.wei@example.com
    birthday: "05-12"
    primary: true
interactions:
  - date: 2024-05-01
    channel: call
    by: lixia
    summary: 沟通Q2续约需求，客户对价格有疑问
  - date: 2024-05-08
    channel: visit
    by: lixia
    summary: 上门演示定制方案，客户技术负责人认可
  - date: 2024-05-15
    channel: email
    by: wangfang
    summary: 发送报价单，客户要求分期付款
  - date: 2024-05-22
    channel: meeting
    by: lixia
    summary: 三方会议确认实施范围
surveys:
  - {date: 2024-05-20, quality: 5, attitude: 4, response: 4, after_sales: 5}
complaints:
  - {date: 2024-05-02, category: 交付, content: 发票开具延迟, handler: wangfang, status: resolved, resolved: 2024-05-05}
"""


def mutate(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based line of the ``nth`` line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth]


def col_of(text: str, needle: str, nth: int = 0) -> int:
    return text.splitlines()[line_of(text, needle, nth) - 1].index(needle) + 1


def check_text(repo, text: str):
    repo.write_customer(text, "C20240501001")
    return repo.check().problems


def test_base_file_is_valid(repo):
    assert check_text(repo, BASE) == []


# (name, old, new, code, where: (needle, offset of the value inside the needle or None for column 1),
#  words the message must contain, the fixed replacement that makes the file valid again)
CASES = [
    ("missing-owner", "owner: lixia\n", "", "required", None, ["owner"], "owner: lixia\n"),
    ("unknown-field", "region: 上海\n", "regoin: 上海\n", "unknown-field", ("regoin:", 0), ["regoin", "region"],
     "region: 上海\n"),
    ("unquoted-phone", 'phone: "13800138000"', "phone: 13800138000", "wrong-type", ("phone: 1", 7),
     ["13800138000"], 'phone: "13800138000"'),
    ("yes-is-boolean", "region: 上海", "region: yes", "wrong-type", ("region: yes", 8), ["True"], "region: 'yes'"),
    ("stage-label", "stage: negotiating", "stage: 谈判", "label-not-key", ("stage: 谈判", 7), ["negotiating"],
     "stage: negotiating"),
    ("channel-label-zh", "channel: call", "channel: 电话", "label-not-key", ("channel: 电话", 9), ["'call'"],
     "channel: call"),
    ("channel-label-en", "channel: call", "channel: Call", "label-not-key", ("channel: Call", 9), ["'call'"],
     "channel: call"),
    ("source-typo", "source: referral", "source: referal", "unknown-value", ("source: referal", 8), ["referral"],
     "source: referral"),
    ("channel-typo", "channel: visit", "channel: vist", "unknown-value", ("channel: vist", 9), ["visit(拜访)"],
     "channel: visit"),
    ("industry-unknown", "industry: I65", "industry: Z99", "unknown-value", ("industry: Z99", 10), ["Z99"],
     "industry: I"),
    ("date-feb-30", "date: 2024-05-08", "date: 2024-02-30", "bad-date", ("date: 2024-02-30", 6), ["2024-02-30"],
     "date: 2024-02-29"),
    ("date-slashes", "created: 2024-05-01", "created: 2024/05/10", "bad-date", ("created: 2024/05/10", 9),
     ["2024/05/10"], "created: 2024-05-01"),
    ("birthday-pattern", 'birthday: "05-12"', 'birthday: "5-12"', "bad-pattern", ("birthday:", 10), ["5-12"],
     'birthday: "12-31"'),
    ("birthday-no-month-13", 'birthday: "05-12"', 'birthday: "13-01"', "bad-pattern", ("birthday:", 10), ["13-01"],
     'birthday: "02-29"'),
    ("survey-score-6", "quality: 5,", "quality: 6,", "out-of-range", ("quality: 6", 9), ["6", "最大为 5"],
     "quality: 1,"),
    ("survey-score-0", "quality: 5,", "quality: 0,", "out-of-range", ("quality: 0", 9), ["0", "最小为 1"],
     "quality: 3,"),
    ("negative-budget-ok-but-repurchase", "budget: 200000", "budget: 200000\nrepurchase_rate: 1.5",
     "out-of-range", ("repurchase_rate", 17), ["1.5"], "budget: 200000\nrepurchase_rate: 0.85"),
    ("tags-unknown", "needs: 需定制化解决方案", "needs: 需定制化解决方案\ntags: [快速部署, 要便宜]", "unknown-value",
     ("要便宜", 0), ["要便宜"], "needs: 需定制化解决方案\ntags: [快速部署, 价格敏感]"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_schema_error_is_located_and_fixable(repo, case):
    _, old, new, code, where, words, fixed = case
    text = mutate(BASE, old, new)
    problems = check_text(repo, text)
    if where is None:
        line, col = 1, 1
    else:
        needle, offset = where
        line, col = line_of(text, needle), col_of(text, needle) + offset
    assert problem_tuples(problems) == [(F, line, col, "error", code)]
    for word in words:
        assert word in problems[0].message + problems[0].hint
    assert not re.search(r"maximum|minimum|maxLength|minItems", problems[0].message)  # the schema's keywords
    assert check_text(repo, mutate(BASE, old, fixed)) == []


def test_unknown_field_suggests_the_close_name_in_english(repo):
    repo.set_config(locale="en")
    problems = check_text(repo, mutate(BASE, "region: 上海\n", "zzz: x\nregoin: 上海\n"))
    by_field = {p.message.split("'")[1]: p for p in problems}
    assert "did you mean 'region'?" in by_field["regoin"].message
    assert "did you mean" not in by_field["zzz"].message  # nothing close: no guess
    assert "region" in by_field["zzz"].hint  # but the hint lists what is allowed


def test_unquoted_phone_hint_says_to_quote(repo):
    problems = check_text(repo, mutate(BASE, 'phone: "13800138000"', "phone: 13800138000"))
    assert '"13800138000"' in problems[0].hint


def test_yes_hint_explains_the_boolean(repo):
    problems = check_text(repo, mutate(BASE, "region: 上海", "region: yes"))
    assert "yes" in problems[0].hint


def test_english_label_error_in_english(repo):
    repo.set_config(locale="en")
    problems = check_text(repo, mutate(BASE, "stage: negotiating", "stage: Negotiating"))
    assert problems[0].code == "label-not-key"
    assert problems[0].message == "Stage: 'Negotiating' is a label; write the key 'negotiating'"


def test_lost_without_lost_from_points_at_stage(repo):
    text = mutate(BASE, "stage: negotiating", "stage: lost")
    problems = check_text(repo, text)
    assert problem_tuples(problems) == [(F, line_of(text, "stage: lost"), 1, "error", "required")]
    assert "`lost_from: …`" in problems[0].hint and "lost_from" not in problems[0].message
    assert check_text(repo, mutate(BASE, "stage: negotiating", "stage: lost\nlost_from: quoted")) == []


def test_lost_from_empty_or_lost_is_an_error(repo):
    text = mutate(BASE, "stage: negotiating", "stage: lost\nlost_from:")
    assert problem_tuples(check_text(repo, text)) == [(F, line_of(text, "lost_from"), 11, "error", "no-value")]
    text = mutate(BASE, "stage: negotiating", "stage: lost\nlost_from: lost")
    problems = check_text(repo, text)
    assert problem_tuples(problems) == [(F, line_of(text, "lost_from"), 12, "error", "unknown-value")]
    assert "quoted" in problems[0].hint and "lost(" not in problems[0].hint


def test_class_override_needs_a_reason(repo):
    text = mutate(BASE, "source: referral", "source: referral\nclass: core")
    problems = check_text(repo, text)
    assert problem_tuples(problems) == [(F, line_of(text, "class: core"), 1, "error", "required")]
    assert problems[0].message == "缺少必填字段：分类理由" and "`class_reason: …`" in problems[0].hint
    text = mutate(BASE, "source: referral", "source: referral\nclass: core\nclass_reason: ")
    assert problem_tuples(check_text(repo, text)) == [(F, line_of(text, "class_reason"), 14, "error", "no-value")]
    fixed = mutate(BASE, "source: referral", "source: referral\nclass: core\nclass_reason: 战略客户")
    assert check_text(repo, fixed) == []


def test_resolved_complaint_needs_a_resolved_date(repo):
    text = mutate(BASE, ", resolved: 2024-05-05}", "}")
    problems = check_text(repo, text)
    assert problem_tuples(problems) == [(F, line_of(text, "status: resolved"), col_of(text, "status: resolved"),
                                         "error", "required")]
    assert problems[0].message == "投诉记录第1条：缺少必填字段：解决日期" and "`resolved: …`" in problems[0].hint
    open_complaint = mutate(BASE, "status: resolved, resolved: 2024-05-05}", "status: in_progress}")
    assert check_text(repo, open_complaint) == []


def test_errors_nested_in_interactions_3_point_at_that_item(repo):
    text = mutate(BASE, "    channel: meeting\n    by: lixia\n", "    channel: 会面\n    by: Li Xia\n    mood: good\n")
    problems = check_text(repo, text)
    start = line_of(text, "- date: 2024-05-22")
    assert sorted(problem_tuples(problems)) == [
        (F, start + 1, 14, "error", "unknown-value"),   # channel 会面 (not a label of any channel)
        (F, start + 2, 9, "error", "bad-pattern"),      # by: not a handle
        (F, start + 3, 5, "error", "unknown-field"),    # mood
    ]
    # the place is said with the schema's titles: 跟进记录第4条 · 方式, never interactions[3].channel
    assert all("跟进记录第4条" in p.message or p.code == "unknown-field" for p in problems)
    assert not any("interactions" in p.message for p in problems)


def test_missing_summary_of_interactions_3_points_at_the_item(repo):
    text = mutate(BASE, "    summary: 三方会议确认实施范围\n", "")
    problems = check_text(repo, text)
    assert problem_tuples(problems) == [(F, line_of(text, "- date: 2024-05-22"), 5, "error", "required")]
    assert problems[0].message == "跟进记录第4条：缺少必填字段：沟通内容" and "`summary: …`" in problems[0].hint


def test_every_error_of_a_file_is_reported(repo):
    text = BASE
    for old, new in [("stage: negotiating", "stage: 谈判"), ('phone: "13800138000"', "phone: 13800138000"),
                     ("quality: 5,", "quality: 6,"), ("channel: visit", "channel: vist")]:
        text = mutate(text, old, new)
    problems = check_text(repo, text)
    assert [p.code for p in problems] == ["label-not-key", "wrong-type", "unknown-value", "out-of-range"]
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_custom_field_added_in_schema_is_accepted(repo):
    """Teams add fields by editing schema/: the checker picks them up."""
    import json

    text = mutate(BASE, "region: 上海", "region: 上海\nwebsite_url: https://example.com")
    assert [p.code for p in check_text(repo, text)] == ["unknown-field"]
    path = repo.root / "schema" / "customer.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["website_url"] = {"type": "string", "title": "官网"}
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    assert check_text(repo, text) == []


def test_vocabulary_extended_in_schema_is_accepted(repo):
    import json

    text = mutate(BASE, "channel: visit", "channel: livestream")
    assert [p.code for p in check_text(repo, text)] == ["unknown-value"]
    path = repo.root / "schema" / "customer.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["$defs"]["channel"]["x-terms"].append({"const": "livestream", "title": "直播", "x-title-en": "Live stream"})
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    assert [p.code for p in check_text(repo, text)] == ["schema-editor-stale"]  # kehu goes by the terms: one edit
    # and its new label is recognised as a label
    assert sorted(p.code for p in check_text(repo, mutate(BASE, "channel: visit", "channel: 直播"))) == [
        "label-not-key", "schema-editor-stale"]
    # what editors read (enum, markdownEnumDescriptions) is now behind: said once, and `kehu fmt` writes it
    stale = [p for p in repo.open().problems if p.code == "schema-editor-stale"]
    assert [(p.file, p.severity) for p in stale] == [("schema/customer.schema.json", "warning")]
    assert "channel" in stale[0].message and "`kehu fmt`" in stale[0].hint
    assert repo.kehu("fmt").returncode == 0
    channel = json.loads(path.read_text(encoding="utf-8"))["$defs"]["channel"]
    assert channel["enum"][-1] == "livestream" and channel["markdownEnumDescriptions"][-1] == "直播 · Live stream"
    assert not [p for p in repo.open().problems if p.code == "schema-editor-stale"]


def test_a_schema_of_earlier_kehu_still_works_and_fmt_brings_its_editor_keywords(repo):
    """Vocabularies written as oneOf of consts (kehu before the editors' keywords) are read as before; `kehu fmt`
    rewrites them as terms plus what the YAML language server reads."""
    path = write_earlier_schema(repo.root)

    def customer_problems(text: str) -> list[str]:
        return [p.code for p in check_text(repo, text) if p.file == F]

    assert customer_problems(BASE) == []
    assert customer_problems(mutate(BASE, "channel: call", "channel: 电话")) == ["label-not-key"]
    assert {p.code for p in repo.open().problems} == {"schema-editor-stale"}  # a warning per vocabulary
    assert repo.kehu("fmt", "--check").returncode == 1
    assert repo.kehu("fmt").returncode == 0
    assert path.read_bytes() == (SCHEMA_SRC / "customer.schema.json").read_bytes()  # as shipped, byte for byte


# --- the whole run: all files, exit status, formats, languages -------------------------------------------


def other_customer(n: int, name: str) -> str:
    """BASE as a different customer: its own id, name, phone and email."""
    text = mutate(BASE, "id: C20240501001", f"id: C2024050100{n}")
    text = mutate(text, "name: 上海启明科技有限公司", f"name: {name}")
    text = mutate(text, 'phone: "13800138000"', f'phone: "1391234567{n}"')
    return mutate(text, "zhang.wei@", f"contact{n}@")


def write_mixed(repo) -> None:
    """One good file and three bad ones, each bad in a different layer."""
    repo.write_customer(BASE, "C20240501001")
    repo.write_customer(other_customer(2, "[北京星河"), "C20240501002")  # YAML syntax
    repo.write_customer(mutate(other_customer(3, "杭州云帆网络有限公司"), "stage: negotiating", "stage: 谈判"),
                        "C20240501003")  # schema
    repo.write_customer(mutate(other_customer(4, "深圳华测仪器有限公司"), "owner: lixia", "owner: nobody"),
                        "C20240501004")  # rule


def test_one_bad_file_never_hides_the_others(repo):
    write_mixed(repo)
    result = repo.check()
    assert sorted({(p.file, p.code) for p in result.problems if p.severity == "error"}) == [
        ("customers/C20240501002.yaml", "yaml-syntax"),
        ("customers/C20240501003.yaml", "label-not-key"),
        ("customers/C20240501004.yaml", "unknown-handle"),
    ]
    assert result.files_checked == 4


def test_cli_exit_status_1_on_errors_and_0_without(repo):
    write_mixed(repo)
    run = repo.kehu("check")
    assert run.returncode == 1, run.stderr
    assert re.search(r"^customers/C20240501003\.yaml:4:8: error\[label-not-key\]", run.stdout, re.M)
    assert run.stdout.strip().splitlines()[-1].startswith("✗ 3 个错误")
    for name in ("C20240501002", "C20240501003", "C20240501004"):
        (repo.customers / f"{name}.yaml").unlink()
    run = repo.kehu("check")
    assert run.returncode == 0, run.stdout
    assert run.stdout.strip().splitlines()[-1] == "✓ 1 个客户文件全部通过"


def test_cli_warnings_alone_exit_0_but_strict_fails(repo):
    repo.write_customer(mutate(BASE, "budget: 200000", "budget: 待确认"), "C20240501001")
    run = repo.kehu("check")
    assert run.returncode == 0
    assert "warning[missing-info]" in run.stdout
    assert repo.kehu("check", "--strict").returncode == 1


def test_cli_json_format(repo):
    write_mixed(repo)
    run = repo.check_json()
    assert run.returncode == 1
    data = run.json
    assert set(data) == {"ok", "summary", "problems"}
    assert data["ok"] is False
    assert data["summary"]["errors"] == 3 and data["summary"]["files_checked"] == 4
    assert set(data["summary"]) >= {"errors", "warnings", "files_checked", "files_total"}
    first = data["problems"][0]
    assert set(first) == {"file", "line", "col", "severity", "code", "message", "hint", "related"}
    assert (first["file"], first["line"], first["col"], first["severity"], first["code"]) == (
        "customers/C20240501002.yaml", 3, 9, "error", "yaml-syntax")
    assert [p["file"] for p in data["problems"]] == sorted(p["file"] for p in data["problems"])


def test_cli_json_format_when_all_is_well(repo):
    repo.write_customer(BASE, "C20240501001")
    run = repo.check_json()
    assert run.returncode == 0
    assert run.json["ok"] is True and run.json["problems"] == []


def test_cli_github_format(repo):
    write_mixed(repo)
    run = repo.kehu("check", "--format", "github")
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert any(line.startswith("::error file=customers/C20240501003.yaml,line=4,col=8,title=label-not-key::")
               for line in lines)
    assert all(line.startswith(("::error ", "::warning ")) for line in lines[:-1])


def test_cli_messages_in_chinese_by_default_and_english_with_locale_en(repo):
    repo.write_customer(mutate(BASE, "stage: negotiating", "stage: 谈判"), "C20240501001")
    zh = repo.check_json().problems[0]
    assert zh["message"] == "客户阶段：'谈判' 是显示名称，请写键值 'negotiating'"
    repo.set_config(locale="en")
    en = repo.check_json().problems[0]
    assert en["message"] == "Stage: '谈判' is a label; write the key 'negotiating'"
    assert en["hint"] == "write `stage: negotiating` (Negotiating)"
    assert repo.kehu("check").stdout.strip().splitlines()[-1].startswith("✗ 1 error, 0 warnings")
