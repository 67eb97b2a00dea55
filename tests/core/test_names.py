"""The near-duplicate policy (kehu.core.names): every typing slip people make in a Chinese company name is
found — by the checker, by ``kehu new`` and by ``kehu dedupe`` alike — and different companies that merely
share words stay quiet."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kehu.core.names import name_key, similar_pairs, typo_kind

from tests.support.customers import customer_dict, dump_yaml
from tests.support.team_repo import problem_tuples

SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "有限公", "集团股份有限公司", "集团有限公司", "集团", "公司",
            "co. ltd", "ltd", "inc")
BASE = "上海启明科技有限公司"

SLIPS = [  # (kind, the same customer typed again)
    ("missing", "上海启科技有限公司"),
    ("doubled", "上海启明明科技有限公司"),
    ("swapped", "上海明启科技有限公司"),
    ("homophone", "上海启鸣科技有限公司"),
    ("traditional", "上海啟明科技有限公司"),
    ("lookalike", "上海启明科枝有限公司"),
    ("spacing", "上海市 启明科技有限公司"),
    ("legal-form", "上海启明科技有限司"),
    ("legal-form", "上海启明科技有线公司"),
    ("legal-form", "上海启明科技股技有限公司"),   # a slip inside the longer form (股份有限公司), 有限公司 written right
]

DIFFERENT = [  # another company that shares words with BASE
    "北京启明科技有限公司",        # the same trade name in another city
    "启明科技有限公司",            # ... or without one
    "上海启明物流有限公司",        # the same trade name in another industry (a sister company)
    "上海启民科技有限公司",        # one other character that is neither a homophone nor a look-alike
    "上海华信科技有限公司",        # another trade name, the same city and industry
    "上海启明星辰科技有限公司",    # a longer trade name
]


def key(name: str):
    return name_key(name, SUFFIXES)


@pytest.mark.parametrize(("kind", "other"), SLIPS)
def test_each_kind_of_slip_is_named(kind, other):
    assert typo_kind(key(BASE), key(other)) == kind
    assert typo_kind(key(other), key(BASE)) == kind


@pytest.mark.parametrize("other", DIFFERENT)
def test_different_companies_sharing_words_are_not_slips(other):
    assert typo_kind(key(BASE), key(other)) is None


def test_the_issues_example_pair_is_two_companies():
    assert typo_kind(key("武汉智联华信餐饮管理有限公司"), key("武汉安泰华信餐饮管理有限公司")) is None


def test_region_in_brackets_and_province_prefix_are_understood():
    assert key("启明（上海）科技有限公司").core == key("上海启明科技有限公司").core
    assert key("广东省深圳市华信达电子有限公司").region == "深圳"
    assert key("广东省深圳市华信达电子有限公司").core == key("深圳华信达电子有限公司").core
    assert key("深圳华信达电子有限公司").trade == "华信达"


def test_a_slip_inside_a_longer_legal_form_with_the_same_trade_name_city_and_industry():
    # the issue's pair: …贸易股份有限公司 / …贸易股技有限公司 (and a character of 股份 left out)
    right = key("杭州华茂贸易股份有限公司")
    for slipped in ("杭州华茂贸易股技有限公司", "杭州华茂贸易股有限公司"):
        assert typo_kind(right, key(slipped)) == "legal-form"
    # the same slip in another city or another trade is another company
    assert typo_kind(right, key("宁波华茂贸易股技有限公司")) is None
    assert typo_kind(right, key("杭州华盛贸易股技有限公司")) is None
    # a trade name ending in a character of a legal form keeps it (集团 / 新团): nothing is flagged
    assert typo_kind(key("上海新团有限公司"), key("上海华团有限公司")) is None


TRANSLATIONS = [  # (Chinese name, its English name)
    ("上海启明科技有限公司", "Shanghai Qiming Technology Co., Ltd."),
    ("上海启明科技有限公司", "Qiming Technology (Shanghai) Co., Ltd."),
    ("华信", "Huaxin"),
    ("华信", "Hua Xin"),
    ("重庆长安汽车股份有限公司", "Chongqing Changan Automobile Co., Ltd."),   # 长安 read as chang'an, not zhang'an
    ("深圳华信达电子有限公司", "Shenzhen Huaxinda Electronics Co., Ltd."),
]

NOT_TRANSLATIONS = [
    ("上海启明科技有限公司", "Beijing Qiming Technology Co., Ltd."),     # another city
    ("上海启明科技有限公司", "Qiming Technology Co., Ltd."),              # a city on one side only
    ("上海启明科技有限公司", "Shanghai Qiming Star Technology Co., Ltd."),  # another word in the trade name
    ("上海启明科技有限公司", "Shanghai Huaxin Technology Co., Ltd."),     # another trade name
    ("北京华信科技有限公司", "Huaxin"),
]


@pytest.mark.parametrize(("chinese", "english"), TRANSLATIONS)
def test_chinese_and_english_names_of_one_company(chinese, english):
    assert typo_kind(key(chinese), key(english)) == "translation"
    assert typo_kind(key(english), key(chinese)) == "translation"
    assert similar_pairs([key(chinese), key("杭州云帆网络科技有限公司"), key(english)]) == [(0, 2, "translation")]


@pytest.mark.parametrize(("chinese", "english"), NOT_TRANSLATIONS)
def test_names_that_only_share_a_syllable_are_not_translations(chinese, english):
    assert typo_kind(key(chinese), key(english)) is None
    assert similar_pairs([key(chinese), key(english)]) == []


def test_latin_names_keep_the_edit_distance_rule():
    assert typo_kind(key("Acme Trading Co. Ltd"), key("Acme Tradng Co. Ltd")) == "edit"
    assert typo_kind(key("Acme Trading Co. Ltd"), key("Zenith Robotics Ltd")) is None
    assert typo_kind(key("Acme Trading Ltd"), key("Acme Tradng Ltd"), latin_distance=0) is None


# --- the search finds exactly the pairs the policy names ------------------------------------------------

CHARS = "上海北京启明鸣科技枝華华信鑫达通有限公司物流 "


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=CHARS, min_size=3, max_size=12), min_size=2, max_size=25))
def test_similar_pairs_finds_every_pair_typo_kind_names(names):
    keys = [key(n) for n in names]
    brute = {(i, j, typo_kind(keys[i], keys[j])) for i, j in combinations(range(len(keys)), 2)
             if keys[i].core and keys[j].core and typo_kind(keys[i], keys[j])}
    assert set(similar_pairs(keys)) == brute
    chosen = {0}
    assert set(similar_pairs(keys, chosen)) == {p for p in brute if p[0] in chosen or p[1] in chosen}


WORDS_HAN = ["上海", "北京", "启明", "启鸣", "华信", "科技", "有限公司", "物流"]
WORDS_LATIN = ["Shanghai", "Beijing", "Qiming", "Qi", "Ming", "Huaxin", "Technology", "Logistics", "Co., Ltd."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.lists(st.sampled_from(WORDS_HAN), min_size=1, max_size=4).map("".join),
                          st.lists(st.sampled_from(WORDS_LATIN), min_size=1, max_size=4).map(" ".join)),
                min_size=2, max_size=16))
def test_similar_pairs_finds_every_pair_across_scripts(names):
    keys = [key(n) for n in names]
    brute = {(i, j, typo_kind(keys[i], keys[j])) for i, j in combinations(range(len(keys)), 2)
             if keys[i].core and keys[j].core and typo_kind(keys[i], keys[j])}
    assert set(similar_pairs(keys)) == brute
    assert set(similar_pairs(keys, {0})) == {p for p in brute if 0 in p[:2]}


# --- through the checker, kehu new's refusal and kehu dedupe -----------------------------------------------

F1 = "customers/C20240501001.yaml"
F2 = "customers/C20240501002.yaml"


def _pair(repo, other: str) -> None:
    repo.write_customer(dump_yaml(customer_dict(name=BASE)), "C20240501001")
    repo.write_customer(dump_yaml(customer_dict(
        id="C20240501002", name=other,
        contacts=[{"name": "李娜", "phone": "13912345678", "email": "li.na@example.com", "primary": True}])),
        "C20240501002")


@pytest.mark.parametrize(("kind", "other"), [s for s in SLIPS if s[0] != "spacing"])
def test_the_checker_warns_about_each_slip_in_both_files(repo, kind, other):
    _pair(repo, other)
    problems = repo.check().problems
    assert [(p[0], p[3], p[4]) for p in problem_tuples(problems)] == [
        (F1, "warning", "near-duplicate-name"), (F2, "warning", "near-duplicate-name")]
    why = {"missing": "漏了一个字", "doubled": "多打了一个字", "swapped": "两个字颠倒", "homophone": "同音字",
           "traditional": "繁体字", "lookalike": "形近字", "legal-form": "组织形式写错"}[kind]
    assert why in problems[0].message and other in problems[0].message


def test_a_stray_space_is_an_exact_duplicate(repo):
    _pair(repo, "上海启明 科技有限公司")
    assert {p[4] for p in problem_tuples(repo.check().problems)} == {"duplicate-name"}


@pytest.mark.parametrize("other", DIFFERENT)
def test_the_checker_is_quiet_on_different_companies(repo, other):
    _pair(repo, other)
    assert problem_tuples(repo.check().problems) == []


def test_the_checker_and_dedupe_flag_a_chinese_and_an_english_name_never_merging_them(repo):
    _pair(repo, "Shanghai Qiming Technology Co., Ltd.")
    problems = repo.check().problems
    assert [(p[0], p[3], p[4]) for p in problem_tuples(problems)] == [
        (F1, "warning", "near-duplicate-name"), (F2, "warning", "near-duplicate-name")]
    assert "中文名与英文名" in problems[0].message
    out = repo.kehu("dedupe").stdout
    assert "C20240501001" in out and "C20240501002" in out and "中文名与英文名" in out
    assert sorted(p.name for p in repo.customers.glob("*.yaml")) == ["C20240501001.yaml", "C20240501002.yaml"]


def test_dedupe_lists_a_slip_with_its_kind(repo):
    _pair(repo, "上海啟明科技有限公司")
    out = repo.kehu("dedupe").stdout
    assert "C20240501001" in out and "C20240501002" in out and "繁体字" in out
