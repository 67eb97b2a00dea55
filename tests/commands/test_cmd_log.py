"""`kehu log`: one command records an interaction; bad input changes nothing."""

from __future__ import annotations

import pytest
from kehu.book.lookup import initials_match, pinyin_matches

from tests.support.commands import assert_refused, assert_written_well, commit, kehu, plain, team_repo
from tests.support.customers import TODAY, customer_dict, other_customer

SUMMARY = "电话沟通二期报价，客户认为价格偏高，希望分期付款"


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo, others=[other_customer()])


def target(repo):
    return repo.customers / "C20240501001.yaml"


def test_log_appends_keeps_comments_and_passes_check(repo):
    r = kehu(repo, "log", "C20240501001", "--channel", "call", "--summary", SUMMARY, "--outcome", "同意下周再谈")
    assert r.exit_code == 0, r.stderr
    assert "C20240501001" in r.stdout
    text = target(repo).read_text(encoding="utf-8")
    for comment in ("# 工商注册全称", "# 跟进记录按日期排列", "# 首次接触", "# 上门演示"):
        assert text.count(comment) == 1, comment  # comments survive the round trip, once
    assert '"13800138000"' in text  # quoting survives: the phone stays a string
    data = plain(target(repo))
    assert list(data)[:5] == ["id", "name", "industry", "stage", "owner"]  # key order survives
    last = data["interactions"][-1]
    assert last == {"date": TODAY, "channel": "call", "by": "lixia", "summary": SUMMARY, "outcome": "同意下周再谈"}
    assert_written_well(repo, target(repo))


def test_by_defaults_to_the_git_email_in_team_yaml(make_repo):
    repo = team_repo(make_repo, email="WangFang@Example.com")
    r = kehu(repo, "log", "C20240501001", "-c", "wechat", "-s", SUMMARY)
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["interactions"][-1]["by"] == "wangfang"


def test_by_explicit_overrides_git(repo):
    r = kehu(repo, "log", "C20240501001", "-c", "call", "-s", SUMMARY, "--by", "liuyang")
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["interactions"][-1]["by"] == "liuyang"


def test_interactions_stay_in_date_order(repo):
    r = kehu(repo, "log", "C20240501001", "-c", "email", "-s", "邮件发送案例集，客户转给IT评估", "--date", "2024-05-10")
    assert r.exit_code == 0, r.stderr
    dates = [x["date"] for x in plain(target(repo))["interactions"]]
    assert dates == ["2024-05-01", "2024-05-10", "2024-05-20"]
    assert_written_well(repo, target(repo))


def test_next_sets_next_action_in_place(repo):
    r = kehu(repo, "log", "C20240501001", "-c", "call", "-s", SUMMARY, "--next", "2024-06-08", "发送分期付款方案")
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["next_action"] == {"date": "2024-06-08", "action": "发送分期付款方案"}
    assert "2024-06-08" in r.stdout  # the due follow-up, from kehu.core.derive
    assert_written_well(repo, target(repo))


def test_a_planned_step_the_interaction_did_is_cleared(repo):
    r = kehu(repo, "log", "C20240501001", "-c", "email", "-s", "邮件发送报价单，客户确认收到", "--date", "2024-06-05",
             today="2024-06-06")
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["next_action"] is None
    assert "发送报价单" in r.stdout and "next_action" not in r.stdout  # the plan by its words, not the field key


def test_a_later_planned_step_is_kept(repo):
    r = kehu(repo, "log", "C20240501001", "-c", "call", "-s", SUMMARY)
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["next_action"] == {"date": "2024-06-05", "action": "发送报价单"}


@pytest.mark.parametrize("query", ["上海启明", "启明", "qiming", "QiMing", "shanghaiqi", "shqm", "C20240501001.yaml"])
def test_customer_found_by_name_pinyin_or_initials(repo, query):
    r = kehu(repo, "log", query, "-c", "call", "-s", SUMMARY)
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["interactions"][-1]["summary"] == SUMMARY


def test_pinyin_matching_follows_syllables():
    syllables = ["shang", "hai", "qi", "ming"]
    assert pinyin_matches("qiming", syllables)
    assert pinyin_matches("haiqi", syllables)
    assert pinyin_matches("qimi", syllables)  # the last syllable may be cut short
    assert not pinyin_matches("angha", syllables)  # not across syllable boundaries
    assert initials_match("shqm", syllables)
    assert not initials_match("q", syllables)  # a single letter is too little


BAD = [
    (["log", "C20249999999", "-c", "call", "-s", SUMMARY], "C20249999999"),
    (["log", "科技", "-c", "call", "-s", SUMMARY], "C20240502001"),          # ambiguous: both names have 科技
    (["log", "启明", "-c", "call", "-s", SUMMARY, "--date", "2024-13-01"], "2024-13-01"),
    (["log", "启明", "-c", "call", "-s", SUMMARY, "--date", "yesterday"], "YYYY-MM-DD"),
    (["log", "启明", "-c", "call", "-s", SUMMARY, "--by", "zhangsan"], "zhangsan"),
    (["log", "启明", "-c", "飞鸽传书", "-s", SUMMARY], "飞鸽传书"),
    (["log", "启明", "-c", "call", "-s", "   "], "--summary"),
    (["log", "启明", "-c", "call"], "--summary"),
    (["log", "启明", "-s", SUMMARY], "--channel"),
    (["log", "启明", "-c", "call", "-s", SUMMARY, "--next", "2024-02-30", "报价"], "2024-02-30"),
    (["log", "启明", "-c", "call", "-s", SUMMARY, "--next", "2024-05-01", "报价"], "--next"),
    (["log", "启明", "-c", "call", "-s", SUMMARY, "--date", "2024-07-01"], "2024-07-01"),  # in the future
    (["log", "启明", "-c", "call", "-s", "很" * 501], "500"),                 # over summary_max_chars
]


@pytest.mark.parametrize(("args", "named"), BAD, ids=[
    "unknown-id", "ambiguous", "bad-date", "not-a-date", "unknown-handle", "unknown-channel",
    "empty-summary", "no-summary", "no-channel", "bad-next-date", "next-before", "future", "too-long"])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(repo, args, named):
    before = {p.name: p.read_bytes() for p in repo.customers.iterdir()}
    r = kehu(repo, *args)
    assert_refused(r, named)
    assert {p.name: p.read_bytes() for p in repo.customers.iterdir()} == before


@pytest.mark.parametrize("typed", ["电话", "Call", "call"])
def test_a_channel_label_is_taken_as_its_key(repo, typed):
    """A file must hold the key; a person may type the label."""
    r = kehu(repo, "log", "启明", "-c", typed, "-s", SUMMARY)
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["interactions"][-1]["channel"] == "call"
    assert_written_well(repo, target(repo))


@pytest.mark.parametrize(("typed", "key"), [("phone", "call"), ("上门拜访", "visit"), ("电话沟通", "call")])
def test_words_a_spreadsheet_uses_are_read_as_import_reads_them(repo, typed, key):
    r = kehu(repo, "log", "启明", "-c", typed, "-s", SUMMARY)
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["interactions"][-1]["channel"] == key


@pytest.mark.parametrize(("typed", "suggested"), [("vist", "visit(拜访)"), ("vsit", "visit(拜访)")])
def test_a_near_miss_gets_the_key_suggested(repo, typed, suggested):
    assert_refused(kehu(repo, "log", "启明", "-c", typed, "-s", SUMMARY), typed, f"是否应为 '{suggested}'")


def test_no_suggestion_for_nonsense(repo):
    r = kehu(repo, "log", "启明", "-c", "xyzzy", "-s", SUMMARY)
    assert_refused(r, "xyzzy", "可选值")
    assert "是否应为" not in r.stderr


def test_ambiguous_name_lists_the_candidates(repo):
    r = kehu(repo, "log", "科技", "-c", "call", "-s", SUMMARY)
    assert_refused(r, "C20240501001", "C20240502001", "上海启明科技有限公司")


def test_an_invalid_file_is_not_edited(repo):
    broken = target(repo).read_text(encoding="utf-8").replace("stage: quoted", "stage: 报价")
    target(repo).write_text(broken, encoding="utf-8")
    before = target(repo).read_bytes()
    r = kehu(repo, "log", "启明", "-c", "call", "-s", SUMMARY)
    assert_refused(r, "customers/C20240501001.yaml", "kehu check")
    assert target(repo).read_bytes() == before


def test_unknown_git_email_needs_by(make_repo):
    repo = team_repo(make_repo, email="someone@else.example.com")
    before = target(repo).read_bytes()
    r = kehu(repo, "log", "启明", "-c", "call", "-s", SUMMARY)
    assert_refused(r, "someone@else.example.com", "--by")
    assert target(repo).read_bytes() == before


def test_no_git_email_needs_by(make_repo):
    repo = team_repo(make_repo, email=None)
    r = kehu(repo, "log", "启明", "-c", "call", "-s", SUMMARY)
    assert_refused(r, "--by")


def test_english_messages(make_repo):
    repo = team_repo(make_repo)
    repo.set_config(locale="en")
    commit(repo, "english")
    r = kehu(repo, "log", "启明", "-c", "vist", "-s", SUMMARY)
    assert_refused(r, "'vist' is not an allowed value; did you mean 'visit(Visit)'?")


def test_vague_summary_is_written_with_a_warning(repo):
    r = kehu(repo, "log", "启明", "-c", "call", "-s", "已跟进")
    assert r.exit_code == 0
    assert "kehu: 警告：" in r.stderr and "已跟进" in r.stderr
    assert plain(target(repo))["interactions"][-1]["summary"] == "已跟进"


def test_first_log_on_a_plain_file(make_repo):
    """A file written by another tool (no comments, block style) gets the same treatment."""
    repo = team_repo(make_repo, commented=False, others=[customer_dict(interactions=...)])
    r = kehu(repo, "log", "C20240501001", "-c", "visit", "-s", "上门拜访采购经理，确认需求清单", "--contact", "张伟")
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["interactions"] == [
        {"date": TODAY, "channel": "visit", "by": "lixia", "contact": "张伟",
         "summary": "上门拜访采购经理，确认需求清单"}]
    assert_written_well(repo, target(repo))


def test_real_command_line(repo):
    """The installed entry point, as a salesperson runs it."""
    r = repo.kehu("log", "qiming", "--channel", "call", "--summary", SUMMARY,
                  env={"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"})
    assert r.returncode == 0, r.stderr
    assert plain(target(repo))["interactions"][-1]["by"] == "lixia"
    bad = repo.kehu("log", "qiming", "--channel", "vist", "--summary", SUMMARY)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "visit" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("breakage", [
    ("stage: quoted", "stage: quoted\nstage: won"),          # a duplicate key
    ("region: 上海", "region: [上海"),                         # YAML syntax
    ("owner: lixia", "owner: nobody"),                        # unknown handle
], ids=["duplicate-key", "syntax", "unknown-owner"])
def test_any_invalid_file_is_refused_with_its_location(repo, breakage):
    target(repo).write_text(target(repo).read_text(encoding="utf-8").replace(*breakage), encoding="utf-8")
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, "log", "C20240501001", "-c", "call", "-s", SUMMARY),
                   "customers/C20240501001.yaml", "kehu check")
    assert target(repo).read_bytes() == before


def test_an_invalid_kehu_yaml_blocks_every_write(repo):
    (repo.root / "kehu.yaml").write_text("dormant_days: soon\n", encoding="utf-8")
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, "log", "C20240501001", "-c", "call", "-s", SUMMARY), "kehu.yaml")
    assert target(repo).read_bytes() == before


def test_a_comment_opening_a_list_survives_repeated_logs(repo):
    """A comment on its own line right under `interactions:` stays there, once, however often one logs."""
    text = target(repo).read_text(encoding="utf-8").replace("interactions:\n", "interactions:\n  # 按日期排列\n")
    target(repo).write_text(text, encoding="utf-8")
    for day in ("2024-05-25", "2024-05-28"):
        r = kehu(repo, "log", "C20240501001", "-c", "call", "-s", SUMMARY, "--date", day)
        assert r.exit_code == 0, r.stderr
    assert target(repo).read_text(encoding="utf-8").count("# 按日期排列") == 1
    assert_written_well(repo, target(repo))
