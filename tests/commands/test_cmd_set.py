"""`kehu set`: stage moves, class override with a reason, quiet period, owner, any scalar field."""

from __future__ import annotations

import pytest

from tests.support.commands import assert_refused, assert_written_well, kehu, plain, team_repo


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo)


def target(repo):
    return repo.customers / "C20240501001.yaml"


def test_stage_move_keeps_comments(repo):
    r = kehu(repo, "set", "启明", "stage", "negotiating")
    assert r.exit_code == 0, r.stderr
    assert "客户阶段：报价 → 谈判" in r.stdout and "stage" not in r.stdout  # the schema's title and labels
    text = target(repo).read_text(encoding="utf-8")
    assert "# 工商注册全称" in text and "# 首次接触" in text
    assert plain(target(repo))["stage"] == "negotiating"
    assert_written_well(repo, target(repo))


def test_moving_to_lost_records_the_current_stage(repo):
    r = kehu(repo, "set", "启明", "stage", "lost")
    assert r.exit_code == 0, r.stderr
    data = plain(target(repo))
    assert (data["stage"], data["lost_from"]) == ("lost", "quoted")
    assert list(data).index("lost_from") == list(data).index("stage") + 1  # where the schema puts it
    assert_written_well(repo, target(repo))


def test_lost_from_can_be_given(repo):
    r = kehu(repo, "set", "启明", "stage", "lost", "--lost-from", "contacted")
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))["lost_from"] == "contacted"


def test_winning_back_a_lost_customer_clears_lost_from(repo):
    assert kehu(repo, "set", "启明", "stage", "lost").exit_code == 0
    r = kehu(repo, "set", "启明", "stage", "won", "--product", "办公软件SaaS服务", "--amount", "12万")
    assert r.exit_code == 0, r.stderr
    data = plain(target(repo))
    assert data["stage"] == "won" and data.get("lost_from") is None
    assert "stale-lost-from" not in [p.code for p in repo.check(target(repo)).problems]


def test_class_override_needs_a_reason(repo):
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, "set", "启明", "class", "key"), "--reason")
    assert target(repo).read_bytes() == before
    r = kehu(repo, "set", "启明", "class", "key", "--reason", "集团华东区标杆案例")
    assert r.exit_code == 0, r.stderr
    data = plain(target(repo))
    assert (data["class"], data["class_reason"]) == ("key", "集团华东区标杆案例")
    assert_written_well(repo, target(repo))
    r = kehu(repo, "set", "启明", "class", "auto")  # back to the computed class
    assert r.exit_code == 0, r.stderr
    data = plain(target(repo))
    assert data["class"] is None and data["class_reason"] is None


def test_quiet_period_with_reason_and_clearing_it(repo):
    r = kehu(repo, "set", "启明", "quiet_until", "2024-09-01", "--reason", "预算冻结，三季度再联系")
    assert r.exit_code == 0, r.stderr
    data = plain(target(repo))
    assert (data["quiet_until"], data["quiet_reason"]) == ("2024-09-01", "预算冻结，三季度再联系")
    assert_written_well(repo, target(repo))
    r = kehu(repo, "set", "启明", "quiet_until", "none")
    assert r.exit_code == 0, r.stderr
    data = plain(target(repo))
    assert data["quiet_until"] is None and data["quiet_reason"] is None


def test_owner_and_other_scalar_fields(repo):
    for args, key, value in [
        (["owner", "wangfang"], "owner", "wangfang"),
        (["region", "上海", "浦东"], "region", "上海 浦东"),
        (["size", ">500"], "size", ">500"),
        (["annual_value", "120,000"], "annual_value", 120000),
        (["repurchase_rate", "0.8"], "repurchase_rate", 0.8),
        (["budget", "待确认"], "budget", "待确认"),
        (["cooperation_since", "2023-03-01"], "cooperation_since", "2023-03-01"),
        (["tags", "降本增效,快速部署"], "tags", ["降本增效", "快速部署"]),
        (["next_action", "2024-06-10", "演示产品"], "next_action", {"date": "2024-06-10", "action": "演示产品"}),
        (["source", "none"], "source", None),
    ]:
        r = kehu(repo, "set", "启明", *args)
        assert r.exit_code == 0, (args, r.stderr)
        assert plain(target(repo)).get(key) == value, args
    assert_written_well(repo, target(repo))


def test_setting_the_same_value_writes_nothing(repo):
    before = target(repo).read_bytes()
    r = kehu(repo, "set", "启明", "stage", "quoted")
    assert r.exit_code == 0
    assert target(repo).read_bytes() == before


@pytest.mark.parametrize(("args", "field", "value"), [
    (["stage", "签约", "--product", "办公软件SaaS服务", "--amount", "12万"], "stage", "won"),  # won needs its deal
    (["stage", "Negotiating"], "stage", "negotiating"),
    (["source", "客户转介绍"], "source", "referral"),
    (["quiet_until", "2024/12/01"], "quiet_until", "2024-12-01"),
    (["quiet_until", "2024年12月1日"], "quiet_until", "2024-12-01"),
    (["quiet_until", "2024.12.1"], "quiet_until", "2024-12-01"),
])
def test_labels_and_the_date_forms_import_reads_are_taken(repo, args, field, value):
    r = kehu(repo, "set", "启明", *args)
    assert r.exit_code == 0, r.stderr
    assert plain(target(repo))[field] == value
    assert_written_well(repo, target(repo))


BAD = [
    (["set", "C20249999999", "stage", "won"], "C20249999999"),
    (["set", "启明", "stage", "成交了"], "成交了"),
    (["set", "启明", "stage", "signed"], "signed"),
    (["set", "启明", "owner", "zhangsan"], "zhangsan"),
    (["set", "启明", "quiet_until", "2024-9-31"], "2024-9-31"),
    (["set", "启明", "class", "vip", "--reason", "x"], "vip"),
    (["set", "启明", "class", "key", "--reason", " "], "--reason"),
    (["set", "启明", "annual_value", "很多"], "年合作金额"),
    (["set", "启明", "repurchase_rate", "1.5"], "复购率"),        # the schema's maximum
    (["set", "启明", "id", "C20240501002"], "客户编号"),
    (["set", "启明", "interactions", "x"], "kehu log"),
    (["set", "启明", "stag", "won"], "客户阶段"),                              # did you mean
    (["set", "启明", "region", "上海", "--reason", "x"], "--reason"),
    (["set", "启明", "stage", "won", "--lost-from", "quoted"], "--lost-from"),
    (["set", "启明", "stage", "lost", "--lost-from", "lost"], "--lost-from"),
    (["set", "启明", "size", "200-500", "500+"], "企业规模"),
    (["set", "启明", "tags", "便宜"], "便宜"),
    (["set", "启明", "created", "2024-07-01"], "2024-07-01"),              # in the future
]


@pytest.mark.parametrize(("args", "named"), BAD, ids=[
    "unknown-id", "unknown-stage-word", "unknown-stage", "unknown-owner", "bad-date", "unknown-class", "empty-reason",
    "not-a-number", "over-maximum", "id", "list-of-records", "unknown-field", "reason-elsewhere",
    "lost-from-elsewhere", "lost-from-lost", "two-values", "unknown-tag", "future-created"])
def test_bad_input_changes_nothing(repo, args, named):
    before = target(repo).read_bytes()
    r = kehu(repo, *args)
    assert_refused(r, named)
    assert target(repo).read_bytes() == before


def test_already_lost_needs_lost_from_to_change(repo):
    assert kehu(repo, "set", "启明", "stage", "lost").exit_code == 0
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, "set", "启明", "stage", "lost"), "--lost-from")
    assert target(repo).read_bytes() == before


def test_an_invalid_file_is_not_edited(repo):
    target(repo).write_text(target(repo).read_text(encoding="utf-8").replace("owner: lixia", "owner: nobody"),
                            encoding="utf-8")
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, "set", "启明", "stage", "won"), "kehu check")
    assert target(repo).read_bytes() == before


# --- stage won needs a deal ---------------------------------------------------------------------------------


def test_stage_won_without_a_deal_says_what_is_missing_and_writes_nothing(repo):
    before = target(repo).read_bytes()
    assert_refused(kehu(repo, "set", "启明", "stage", "won"), "没有合作记录", "--product", "--amount", "kehu opp win")
    assert target(repo).read_bytes() == before
    assert_refused(kehu(repo, "set", "启明", "stage", "won", "--product", "SaaS"), "--amount")
    assert target(repo).read_bytes() == before
    assert_refused(kehu(repo, "set", "启明", "stage", "won", "--product", "SaaS", "--amount", "很多"), "--amount")
    assert target(repo).read_bytes() == before


def test_stage_won_with_the_deal_records_it(repo):
    r = kehu(repo, "set", "启明", "stage", "won", "--product", "办公软件SaaS服务", "--amount", "12万",
             "--signed", "2024-05-30", "--contract", "HT202405009")
    assert r.exit_code == 0, r.stderr
    data = plain(target(repo))
    assert data["stage"] == "won"
    assert data["deals"] == [{"contract": "HT202405009", "product": "办公软件SaaS服务", "amount": 120000,
                              "signed": "2024-05-30"}]
    assert_written_well(repo, target(repo))


def test_deal_options_only_go_with_stage_won(repo):
    assert_refused(kehu(repo, "set", "启明", "stage", "negotiating", "--amount", "5万"), "stage won")


def test_stage_won_asks_for_the_deal_on_a_terminal(repo):
    """On a terminal `kehu set … stage won` asks for the deal instead of refusing (a real pty)."""
    import os
    import subprocess
    import sys

    from tests.support.customers import TODAY
    from tests.support.git import GIT_ENV

    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.update(GIT_ENV, KEHU_TODAY=TODAY)
    proc = subprocess.Popen([sys.executable, "-m", "kehu.cli", "-C", str(repo.root), "set", "启明", "stage", "won"],
                            stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    os.write(master, "办公软件SaaS服务\n80000\n2024-05-28\n\n".encode())
    _, err = proc.communicate(timeout=120)
    os.close(master)
    assert proc.returncode == 0, err.decode()
    data = plain(target(repo))
    assert data["stage"] == "won"
    assert data["deals"] == [{"product": "办公软件SaaS服务", "amount": 80000, "signed": "2024-05-28"}]


def test_a_won_customer_moved_back_is_a_warning_naming_its_deal(repo):
    won = kehu(repo, "set", "启明", "stage", "won", "--product", "办公软件SaaS服务", "--amount", "15万",
               "--signed", "2024-05-30", "--contract", "HT202405009")
    assert won.exit_code == 0, won.stderr
    assert "已签约客户退回" not in won.stderr
    back = kehu(repo, "set", "启明", "stage", "negotiating")
    assert back.exit_code == 0, back.stderr                      # a warning, the move is written
    assert plain(target(repo))["stage"] == "negotiating"
    assert "已签约客户退回" in back.stderr and "HT202405009" in back.stderr and "150,000" in back.stderr
    assert "kehu set C20240501001 stage won" in back.stderr
    assert "经理审批" in back.stderr                             # the default rules ask a manager for this one
    forward = kehu(repo, "set", "启明", "stage", "won", "--product", "办公软件SaaS服务", "--amount", "15万",
                   "--signed", "2024-05-31")
    assert forward.exit_code == 0 and "已签约客户退回" not in forward.stderr


def test_a_move_back_that_was_never_won_is_no_warning(repo):
    r = kehu(repo, "set", "启明", "stage", "contacted")
    assert r.exit_code == 0, r.stderr
    assert "已签约客户退回" not in r.stderr
