"""The checker's rules beyond the schema: ids, team handles, dates, contact details,
duplicates across files (撞单), privacy and data quality. Each rule: a failing and a
passing example, with the exact code, file, line and column."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.customers import customer_dict, dump_yaml
from tests.support.team_repo import problem_tuples

F1 = "customers/C20240501001.yaml"
F2 = "customers/C20240501002.yaml"


def write(repo, file_name: str | None = None, **overrides: Any) -> tuple[str, str]:
    """Write a customer (customer_dict with overrides); return (file as reported, its text)."""
    data = customer_dict(**overrides)
    text = dump_yaml(data)
    file_name = file_name or str(data["id"])
    repo.write_customer(text, file_name)
    return f"customers/{file_name}.yaml", text


def at(text: str, needle: str, nth: int = 0, value: bool = True) -> tuple[int, int]:
    """(line, col) of the value after ``needle`` (or of the needle itself), as the loader counts them."""
    lines = text.splitlines()
    hits = [i for i, line in enumerate(lines) if needle in line]
    i = hits[nth]
    col = lines[i].index(needle) + 1 + (len(needle) if value else 0)
    return i + 1, col


def found(repo, code: str | None = None, **kw: Any) -> list[tuple]:
    return problem_tuples(repo.check(**kw).problems, code)


def second_customer(**overrides: Any) -> dict[str, Any]:
    """A different customer (own id, name, phone, email) for cross-file rules."""
    base = {"id": "C20240501002", "name": "杭州云帆网络有限公司",
            "contacts": [{"name": "李娜", "phone": "13912345678", "email": "li.na@example.com", "primary": True}]}
    base.update(overrides)
    return base


def test_clean_pair_has_no_problems(repo):
    write(repo)
    write(repo, **second_customer())
    assert found(repo) == []


# --- ids -----------------------------------------------------------------------------------------------


def test_file_name_must_equal_id(repo):
    _, _text = write(repo, file_name="C20240501009")
    assert found(repo) == [("customers/C20240501009.yaml", 1, 5, "error", "id-filename")]


def test_id_pattern_comes_from_kehu_yaml(repo):
    _, _text = write(repo, id="CUST0001")
    assert found(repo) == [("customers/CUST0001.yaml", 1, 5, "error", "id-pattern")]
    repo.set_config(ids={"pattern": "^CUST[0-9]{4}$", "template": "CUST{seq:04d}"})
    assert found(repo) == []
    # and the old default style now fails the team's pattern
    (repo.customers / "CUST0001.yaml").unlink()
    write(repo)
    assert found(repo) == [(F1, 1, 5, "error", "id-pattern")]


def test_id_pattern_message_names_the_pattern(repo):
    write(repo, id="客户-2024-001")
    problems = repo.check().problems
    assert [p.code for p in problems] == ["id-pattern"]
    assert "^C[0-9]{8}(?:[0-9]{3}|[A-Z]{1,3}[0-9]{2,5})$" in problems[0].message


def test_duplicate_ids_are_reported_in_both_files(repo):
    # .yaml and .yml: both file names equal the id, so only the duplicate remains
    write(repo)
    repo.write_customer(dump_yaml(customer_dict(**second_customer(id="C20240501001"))), "C20240501001.yml")
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, 1, 5, "error", "id-duplicate"),
                                        ("customers/C20240501001.yml", 1, 5, "error", "id-duplicate")]
    assert "customers/C20240501001.yml" in problems[0].message
    assert problems[1].related == (F1,)


# --- team handles --------------------------------------------------------------------------------------


def test_unknown_owner(repo):
    _, text = write(repo, owner="zhangsan")
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "owner: "), "error", "unknown-handle")]
    assert "zhangsan" in problems[0].message and "lixia" in problems[0].hint


def test_unknown_interaction_by(repo):
    interactions = [{"date": "2024-05-01", "channel": "call", "by": "lixia", "summary": "沟通续约需求，客户关注价格"},
                    {"date": "2024-05-02", "channel": "visit", "by": "zhaolei", "summary": "上门演示产品，客户认可"}]
    _, text = write(repo, interactions=interactions)
    assert found(repo) == [(F1, *at(text, "by: ", nth=1), "error", "unknown-handle")]
    interactions[1]["by"] = "wangfang"
    write(repo, interactions=interactions)
    assert found(repo) == []


def test_unknown_complaint_handler(repo):
    complaint = {"date": "2024-05-02", "content": "发票开具延迟", "handler": "zhaolei", "status": "open"}
    _, text = write(repo, complaints=[complaint])
    assert found(repo) == [(F1, *at(text, "handler: "), "error", "unknown-handle")]
    complaint["handler"] = "liuyang"
    write(repo, complaints=[complaint])
    assert found(repo) == []


def test_handle_added_to_team_yaml_is_known(repo):
    write(repo, owner="zhaolei")
    assert [p[4] for p in found(repo)] == ["unknown-handle"]
    team = (repo.root / "team.yaml").read_text(encoding="utf-8")
    repo.write("team.yaml", team + "  - handle: zhaolei\n    name: 赵磊\n    role: sales\n")
    assert found(repo) == []


# --- dates ---------------------------------------------------------------------------------------------


def test_interaction_in_the_future(repo):
    interactions = [{"date": "2024-05-01", "channel": "call", "by": "lixia", "summary": "沟通续约需求，客户关注价格"},
                    {"date": "2024-06-02", "channel": "call", "by": "lixia", "summary": "回访确认方案，客户同意试用"}]
    _, text = write(repo, interactions=interactions)
    problems = repo.check(today="2024-06-01").problems
    assert problem_tuples(problems) == [(F1, *at(text, "date: ", nth=1), "error", "future-date")]
    assert "2024-06-01" in problems[0].message
    # the same file is fine one day later, and on the day itself
    assert repo.check(today="2024-06-02").problems == []


def test_resolved_before_complaint_date(repo):
    complaint = {"date": "2024-05-10", "content": "发票开具延迟", "handler": "wangfang", "status": "resolved",
                 "resolved": "2024-05-09", "result": "已补开"}
    _, text = write(repo, complaints=[complaint])
    assert found(repo) == [(F1, *at(text, "resolved: "), "error", "date-order")]
    complaint["resolved"] = "2024-05-10"
    write(repo, complaints=[complaint])
    assert found(repo) == []


# --- phones and emails ---------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["1380013800", "138001380000", "23800138000", "12345", "+86 1380013800"])
def test_invalid_mobile(repo, phone):
    _, text = write(repo, contacts=[{"name": "张伟", "phone": phone, "primary": True}])
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "phone: "), "error", "bad-phone")]
    assert phone in problems[0].message


@pytest.mark.parametrize("phone", ["13800138000", "+86 138 0013 8000", "+1 650 253 0000", "138-0013-8000",
                                   "+8613800138000"])
def test_valid_phone(repo, phone):
    write(repo, contacts=[{"name": "张伟", "phone": phone, "primary": True}])
    assert found(repo) == []


def test_landline_without_country_code_is_not_a_mobile(repo):
    _, text = write(repo, contacts=[{"name": "张伟", "phone": "010-12345678", "primary": True}])
    assert found(repo) == [(F1, *at(text, "phone: "), "error", "bad-phone")]


@pytest.mark.parametrize("email", ["zhang.wei@", "zhang wei@example.com", "zhang@@example.com", "zhang.wei@example",
                                   "@example.com"])
def test_malformed_email(repo, email):
    _, text = write(repo, contacts=[{"name": "张伟", "email": email, "primary": True}])
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "email: "), "error", "bad-email")]


@pytest.mark.parametrize("email", ["zhang.wei@example.com", "Zhang.Wei@Example.COM", "zw+crm@mail.example.com"])
def test_valid_email(repo, email):
    write(repo, contacts=[{"name": "张伟", "email": email, "primary": True}])
    assert found(repo) == []


def test_two_primary_contacts(repo):
    contacts = [{"name": "张伟", "primary": True}, {"name": "李娜", "primary": True}]
    _, text = write(repo, contacts=contacts)
    assert found(repo) == [(F1, *at(text, "primary: ", nth=1), "warning", "many-primary")]
    contacts[1]["primary"] = False
    write(repo, contacts=contacts)
    assert found(repo) == []


# --- duplicates across files (撞单) ------------------------------------------------------------------------


@pytest.mark.parametrize("other_name", ["上海启明科技集团", "上海启明科技 有限公司", "上海启明科技股份有限公司",
                                        "上海启明科技有限公"])
def test_same_normalised_company_name_is_an_error_in_both_files(repo, other_name):
    _, t1 = write(repo)
    _, t2 = write(repo, **second_customer(name=other_name))
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(t1, "name: "), "error", "duplicate-name"),
                                        (F2, *at(t2, "name: "), "error", "duplicate-name")]
    assert F2 in problems[0].message and problems[0].related == (F2,)
    assert F1 in problems[1].message and problems[1].related == (F1,)


def test_full_width_letters_and_spaces_do_not_hide_a_duplicate(repo):
    write(repo, name="上海 ABC 科技有限公司")
    write(repo, **second_customer(name="上海ＡＢＣ科技有限公司"))
    assert [p[4] for p in found(repo)] == ["duplicate-name", "duplicate-name"]


def test_same_phone_written_differently_is_a_warning_naming_the_other_company(repo):
    # two differently named companies sharing a number: a question (a switchboard, an agent, a placeholder of the
    # old system), never proof that they are one customer — the name says that (duplicate-name is the error)
    _, t1 = write(repo)
    contacts = [{"name": "张伟", "phone": "138-0013-8000", "primary": True}]
    _, t2 = write(repo, **second_customer(contacts=contacts))
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(t1, "phone: "), "warning", "duplicate-phone"),
                                        (F2, *at(t2, "phone: "), "warning", "duplicate-phone")]
    assert F2 in problems[0].message and F1 in problems[1].message
    assert "杭州云帆网络有限公司" in problems[0].message and "上海启明科技有限公司" in problems[1].message
    assert repo.check().errors == 0


def test_same_email_with_different_case(repo):
    _, t1 = write(repo)
    contacts = [{"name": "张伟", "email": "Zhang.Wei@EXAMPLE.com", "primary": True}]
    _, t2 = write(repo, **second_customer(contacts=contacts))
    assert found(repo) == [(F1, *at(t1, "email: "), "warning", "duplicate-email"),
                           (F2, *at(t2, "email: "), "warning", "duplicate-email")]


def test_same_phone_twice_in_one_file_is_not_a_duplicate_customer(repo):
    write(repo, contacts=[{"name": "张伟", "phone": "13800138000", "primary": True},
                          {"name": "张伟(备用)", "phone": "138 0013 8000"}])
    assert found(repo) == []


def test_near_identical_names_are_a_warning(repo):
    _, t1 = write(repo, name="上海启明科技有限公司")
    _, t2 = write(repo, **second_customer(name="上海启鸣科技有限公司"))
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(t1, "name: "), "warning", "near-duplicate-name"),
                                        (F2, *at(t2, "name: "), "warning", "near-duplicate-name")]
    assert "上海启鸣科技有限公司" in problems[0].message and F2 in problems[0].message


def test_different_names_are_not_near_duplicates(repo):
    write(repo, name="上海启明科技有限公司")
    write(repo, **second_customer(name="上海华测仪器有限公司"))
    assert found(repo) == []


def test_near_duplicate_distance_comes_from_kehu_yaml(repo):
    write(repo, name="上海启明科技有限公司")
    write(repo, **second_customer(name="上海启鸣科技有限公司"))
    repo.set_config(check={"near_duplicate_distance": 0})
    assert found(repo) == []


def test_not_duplicates_suppresses_every_duplicate_rule(repo):
    write(repo)
    write(repo, **second_customer(name="上海启明科技集团", contacts=[
        {"name": "张伟", "phone": "13800138000", "email": "zhang.wei@example.com", "primary": True}]))
    assert sorted({p[4] for p in found(repo)}) == ["duplicate-email", "duplicate-name", "duplicate-phone"]
    repo.set_config(check={"not_duplicates": [["C20240501002", "C20240501001"]]})
    assert found(repo) == []


def test_not_duplicates_does_not_excuse_other_pairs(repo):
    write(repo)
    write(repo, **second_customer(name="上海启明科技集团"))
    repo.set_config(check={"not_duplicates": [["C20240501001", "C20240501003"]]})
    assert [p[4] for p in found(repo)] == ["duplicate-name", "duplicate-name"]


# --- privacy ---------------------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def national_id(first17: str) -> str:
    """An 18-character ID with its GB 11643 check character computed here, independently of kehu."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def wrong_check(id18: str) -> str:
    last = "0" if id18[-1] != "0" else "1"
    return id18[:-1] + last


def luhn_complete(first: str) -> str:
    """Append the Luhn check digit."""
    for d in "0123456789":
        digits = first + d
        total = 0
        for i, ch in enumerate(reversed(digits)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return digits
    raise AssertionError


VALID_ID = national_id("44030519850612341")
VALID_ID_X = national_id("11010519491231002")  # ends in X
CARD = luhn_complete("622202020011223")  # 16 digits


def test_helpers_compute_real_check_characters():
    assert VALID_ID_X.endswith("X") and len(VALID_ID) == 18 and len(CARD) == 16


@pytest.mark.parametrize("id_number", [VALID_ID, VALID_ID_X])
def test_national_id_in_notes(repo, id_number):
    _, text = write(repo, notes=f"联系人身份证号{id_number}，办理开户用")
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "notes: "), "error", "national-id")]
    assert id_number not in problems[0].message  # never echo the number itself


def test_national_id_in_an_interaction_summary(repo):
    interactions = [{"date": "2024-05-01", "channel": "call", "by": "lixia",
                     "summary": f"客户提供法人身份证 {VALID_ID} 用于签约"}]
    _, text = write(repo, interactions=interactions)
    assert found(repo) == [(F1, *at(text, "summary: "), "error", "national-id")]


def test_national_id_as_an_unquoted_number(repo):
    text = dump_yaml(customer_dict()) + f"annual_value: {VALID_ID}\n"
    repo.write_customer(text, "C20240501001")
    assert found(repo) == [(F1, *at(text, "annual_value: "), "error", "national-id")]


def test_eighteen_digits_with_a_wrong_check_character_are_not_an_id(repo):
    write(repo, notes=f"订单流水号{wrong_check(VALID_ID)}")
    assert found(repo) == []


def test_bank_card_number(repo):
    _, text = write(repo, notes=f"回款账户 {CARD}")
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "notes: "), "error", "bank-card")]
    assert CARD not in problems[0].message


def test_bank_card_with_spaces(repo):
    spaced = " ".join(CARD[i:i + 4] for i in range(0, 16, 4))
    _, text = write(repo, notes=f"卡号 {spaced}")
    assert found(repo) == [(F1, *at(text, "notes: "), "error", "bank-card")]


def test_luhn_invalid_16_digits_are_not_a_card(repo):
    bad = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    write(repo, notes=f"合同序列号 {bad}")
    assert found(repo) == []


# --- data quality --------------------------------------------------------------------------------------


def one_interaction(summary: str) -> list[dict[str, Any]]:
    return [{"date": "2024-05-01", "channel": "call", "by": "lixia", "summary": summary}]


@pytest.mark.parametrize("summary", ["已跟进", "已跟进。", " 跟进 ", "Followed up"])
def test_vague_summary_is_a_warning(repo, summary):
    _, text = write(repo, interactions=one_interaction(summary))
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "summary: "), "warning", "vague-summary")]


def test_specific_summary_is_fine(repo):
    write(repo, interactions=one_interaction("已跟进：沟通Q2续约，客户对价格有疑问"))
    assert found(repo) == []


def test_vague_words_come_from_kehu_yaml(repo):
    write(repo, interactions=one_interaction("聊了聊"))
    assert found(repo) == []
    repo.set_config(vague_summaries=["聊了聊"])
    assert [p[4] for p in found(repo)] == ["vague-summary"]


def test_summary_over_the_limit_is_an_error(repo):
    _, text = write(repo, interactions=one_interaction("沟" * 501))
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "summary: "), "error", "summary-too-long")]
    assert "501" in problems[0].message and "500" in problems[0].message
    write(repo, interactions=one_interaction("沟" * 500))
    assert found(repo) == []


def test_summary_limit_comes_from_kehu_yaml(repo):
    write(repo, interactions=one_interaction("沟通Q2续约需求，客户对价格有疑问"))  # 17 characters
    repo.set_config(summary_max_chars=16)
    assert [p[4] for p in found(repo)] == ["summary-too-long"]
    repo.set_config(summary_max_chars=17)
    assert found(repo) == []


def test_to_be_confirmed_is_a_missing_info_warning(repo):
    _, text = write(repo, budget="待确认")
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "budget: "), "warning", "missing-info")]
    assert problems[0].message.startswith("预算尚待确认")  # the field's title, not its key


def test_to_be_confirmed_inside_a_contact(repo):
    _, text = write(repo, contacts=[{"name": "张伟", "title": "待确认", "primary": True}])
    assert found(repo) == [(F1, *at(text, "title: "), "warning", "missing-info")]


def test_no_first_followup_within_24_hours(repo):
    interactions = [{"date": "2024-05-03", "channel": "call", "by": "lixia", "summary": "首次电话沟通，了解采购计划"}]
    _, text = write(repo, created="2024-05-01", interactions=interactions)
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "created: "), "warning", "no-first-followup")]
    assert "2024-05-03" in problems[0].message
    interactions[0]["date"] = "2024-05-02"  # the next day is within 24 hours
    write(repo, created="2024-05-01", interactions=interactions)
    assert found(repo) == []


def test_no_interaction_at_all_after_24_hours(repo):
    _, text = write(repo, created="2024-05-01", interactions=[])
    assert found(repo, today="2024-05-03") == [(F1, *at(text, "created: "), "warning", "no-first-followup")]
    assert found(repo, today="2024-05-02") == []


def test_an_imported_customer_from_before_kehu_owes_no_first_followup(repo):
    write(repo, created="2024-05-01", imported="2024-05-20", interactions=[])
    assert found(repo, today="2024-05-25") == []
    _, text = write(repo, created="2024-05-20", imported="2024-05-20", interactions=[])  # new on the import day
    assert found(repo, today="2024-05-25") == [(F1, *at(text, "created: "), "warning", "no-first-followup")]


def test_first_followup_hours_come_from_kehu_yaml(repo):
    interactions = [{"date": "2024-05-03", "channel": "call", "by": "lixia", "summary": "首次电话沟通，了解采购计划"}]
    write(repo, created="2024-05-01", interactions=interactions)
    repo.set_config(first_followup_hours=48)
    assert found(repo) == []


def test_stale_lost_from(repo):
    _, text = write(repo, stage="negotiating", lost_from="quoted")
    assert found(repo) == [(F1, *at(text, "lost_from: "), "warning", "stale-lost-from")]
    write(repo, stage="lost", lost_from="quoted")
    assert found(repo) == []


@pytest.mark.parametrize("birthday", ["02-30", "04-31", "11-31"])
def test_birthday_that_is_no_day_of_the_year(repo, birthday):
    """The schema checks the MM-DD form; the rule checks the day exists."""
    _, text = write(repo, contacts=[{"name": "张伟", "birthday": birthday, "primary": True}])
    assert found(repo) == [(F1, *at(text, "birthday: "), "error", "bad-birthday")]


@pytest.mark.parametrize("birthday", ["02-29", "12-31", "04-30"])
def test_real_birthdays(repo, birthday):
    write(repo, contacts=[{"name": "张伟", "birthday": birthday, "primary": True}])
    assert found(repo) == []


def test_yes_as_a_boolean_is_ambiguous(repo):
    text = dump_yaml(customer_dict()).replace("primary: true", "primary: yes")
    repo.write_customer(text, "C20240501001")
    problems = repo.check().problems
    assert problem_tuples(problems) == [(F1, *at(text, "primary: "), "error", "yaml-bool")]
    assert problems[0].hint == "请写成 true"
    repo.write_customer(text.replace("primary: yes", "primary: True"), "C20240501001")
    assert found(repo) == []


def test_digits_inside_an_order_code_are_not_a_card(repo):
    write(repo, notes=f"订单号 SO{CARD}，合同号 HT{CARD}A")
    assert found(repo) == []
    _, text = write(repo, notes=f"卡号{CARD}")  # glued to Chinese text it still counts
    assert found(repo) == [(F1, *at(text, "notes: "), "error", "bank-card")]


# --- opportunities (商机) -----------------------------------------------------------------------------


def opp(**over: Any) -> dict[str, Any]:
    base = {"id": "O20240520-a1b2", "what": "年度SaaS续约", "amount": 120000, "close": "2024-06-30",
            "stage": "quoted"}
    base.update(over)
    return {k: v for k, v in base.items() if v is not ...}


def test_an_open_opportunity_whose_close_date_passed_is_a_warning(repo):
    _, text = write(repo, opportunities=[opp(close="2024-05-31")])
    assert found(repo) == [(F1, *at(text, "close: "), "warning", "opp-close-passed")]
    write(repo, opportunities=[opp(close="2024-06-01")])  # today: not passed yet
    assert found(repo) == []
    write(repo, stage="won", opportunities=[opp(close="2024-05-01", stage="lost", lost_reason="price")])
    assert found(repo) == []  # closed: its date does not matter


def test_a_won_opportunity_needs_its_deal(repo):
    _, text = write(repo, stage="won", opportunities=[opp(stage="won", closed="2024-05-30")])
    assert found(repo) == [(F1, *at(text, "stage: ", nth=1), "error", "opp-won-without-deal")]
    write(repo, stage="won", opportunities=[opp(stage="won", closed="2024-05-30")],
          deals=[{"product": "年度SaaS续约", "amount": 120000, "signed": "2024-05-30",
                  "opportunity": "O20240520-a1b2"}])
    assert found(repo) == []


def test_a_lost_opportunity_without_a_reason_is_a_warning(repo):
    _, text = write(repo, opportunities=[opp(stage="lost")])
    assert found(repo) == [(F1, *at(text, "stage: ", nth=1), "warning", "opp-lost-without-reason")]
    write(repo, opportunities=[opp(stage="lost", lost_reason="competitor")])
    assert found(repo) == []


def test_opportunity_ids_are_unique_and_owners_known(repo):
    _, text = write(repo, opportunities=[opp(), opp(what="定制开发", owner="nobody")])
    assert found(repo) == [(F1, *at(text, "id: ", nth=2), "error", "opp-duplicate-id"),
                           (F1, *at(text, "owner: ", nth=1), "error", "unknown-handle")]
    write(repo, opportunities=[opp(), opp(id="O20240521-c3d4", what="定制开发", owner="wangfang")])
    assert found(repo) == []


def test_the_customer_stage_behind_an_opportunity_is_a_warning(repo):
    _, text = write(repo, stage="contacted", opportunities=[opp(stage="negotiating")])
    assert found(repo) == [(F1, *at(text, "stage: "), "warning", "stage-behind-opportunity")]
    write(repo, stage="negotiating", opportunities=[opp(stage="negotiating")])
    assert found(repo) == []


def test_an_opportunity_stage_must_be_a_stage_key(repo):
    write(repo, opportunities=[opp(stage="报价")])
    assert [p[3:] for p in found(repo)] == [("error", "label-not-key")]


def test_a_deal_from_an_opportunity_that_does_not_exist_is_an_error(repo):
    deals = [{"product": "SaaS", "amount": 1000, "signed": "2024-05-30", "opportunity": "O19990101-0000"}]
    _, text = write(repo, stage="won", deals=deals)
    assert found(repo) == [(F1, *at(text, "opportunity: "), "error", "deal-unknown-opportunity")]
    deals[0].pop("opportunity")
    write(repo, stage="won", deals=deals)
    assert found(repo) == []
