"""A terminal that fits: `kehu due` is mine by default and readable at 80 columns, labels and the
date forms import reads are accepted as input, `--owner`/`--by` come from git config, `show` is
unmasked for the team (`--mask` for screen sharing), a logged call completes the first follow-up and
a planned step beyond the cadence is shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.support.commands import assert_written_well, commit, kehu, plain, team_repo
from tests.support.customers import customer_dict, other_customer
from tests.support.git import git

LONG_NAMES = ["新疆维吾尔自治区乌鲁木齐高新技术产业开发区天山智能制造装备股份有限公司",
              "内蒙古自治区鄂尔多斯市康巴什新区能源化工综合利用科技有限责任公司",
              "昆明云岭食品有限公司"]


def _customer(n: int, owner: str, name: str) -> dict:
    return customer_dict(id=f"C20240510{n:03d}", name=name, owner=owner, stage="contacted", created="2024-05-10",
                         contacts=[{"name": f"联系人{n}", "phone": f"139{n:08d}", "primary": True}],
                         interactions=[{"date": "2024-05-10", "channel": "call", "by": owner,
                                        "summary": f"第{n}次沟通需求，客户关注交付周期与售后响应"}])


@pytest.fixture
def repo(make_repo):
    others = [_customer(i + 1, ("lixia", "wangfang")[i % 2], f"{LONG_NAMES[i % 3]}{i}") for i in range(6)]
    return team_repo(make_repo, others=others)


def _ids(result) -> set[str]:
    return set(re.findall(r"C\d{11}", result.stdout))


# --- whose customers ---------------------------------------------------------------------------


def test_due_shows_my_customers_by_default(repo):
    mine = kehu(repo, "due", "--format", "json")
    assert mine.exit_code == 0, mine.stderr
    out = json.loads(mine.stdout)
    assert out["owner"] == "lixia"
    assert {r["owner"] for r in out["due"]} == {"lixia"}
    team = json.loads(kehu(repo, "due", "--all", "--format", "json").stdout)
    assert team["owner"] is None and {r["owner"] for r in team["due"]} == {"lixia", "wangfang"}
    theirs = json.loads(kehu(repo, "due", "--owner", "wangfang", "--format", "json").stdout)
    assert {r["owner"] for r in theirs["due"]} == {"wangfang"}


def test_due_without_a_known_git_email_is_the_whole_team_with_a_note(make_repo):
    repo = team_repo(make_repo, email="nobody@example.com", others=[other_customer()])
    r = kehu(repo, "due")
    assert r.exit_code == 0
    assert {"C20240501001", "C20240502001"} <= _ids(r)
    assert "--owner" in r.stderr


# --- 80 columns ----------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [(), ("--all",)])
@pytest.mark.parametrize("width", [80, 100])
def test_due_fits_the_terminal_and_never_cuts_ids_or_dates(repo, args, width):
    r = kehu(repo, "due", *args, env={"COLUMNS": str(width)})
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(cell_len(line.rstrip()) for line in lines) <= width
    assert "…" not in r.stdout
    expected = {row["id"] for row in json.loads(
        kehu(repo, "due", *args, "--format", "json").stdout)["due"]}
    assert expected and _ids(r) == expected  # every id whole, on one line
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", r.stdout)
    assert len([d for d in dates if d != "2024-06-01"]) >= len(expected)  # the due dates, whole
    # long names wrap onto further lines instead of being cut: every character is still there
    assert LONG_NAMES[0] + "0" in _column(r.stdout, "名称")


def _column(table: str, header: str) -> str:
    """One column of a rich table, its wrapped lines joined."""
    head = next(line for line in table.splitlines() if header in line)
    index = [cell.strip() for cell in head.split("┃")].index(header)
    return "".join(line.split("│")[index].strip() for line in table.splitlines() if line.startswith("│"))


def test_due_drops_columns_only_when_narrow(repo):
    wide = kehu(repo, "due", "--all", env={"COLUMNS": "200"}).stdout
    narrow = kehu(repo, "due", "--all", env={"COLUMNS": "80"}).stdout
    assert "最近联系" in wide and "阶段" in wide
    assert "最近联系" not in narrow and "阶段" not in narrow
    assert "负责人" in narrow  # the whole team: the owner matters


def test_due_json_is_whole(repo):
    r = kehu(repo, "due", "--all", "--format", "json", env={"COLUMNS": "40"})
    rows = json.loads(r.stdout)["due"]
    assert any(row["name"] == LONG_NAMES[0] + "0" for row in rows)


# --- input as people type it --------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2024/05/30", "2024年5月30日", "2024.5.30", "20240530"])
def test_log_date_in_the_forms_import_reads(repo, typed):
    r = kehu(repo, "log", "启明", "-c", "电话", "-s", "电话确认报价细节，客户要求增加培训", "--date", typed)
    assert r.exit_code == 0, r.stderr
    items = plain(repo.customers / "C20240501001.yaml")["interactions"]
    assert [(i["date"], i["channel"]) for i in items if i["date"] == "2024-05-30"] == [("2024-05-30", "call")]


def _created(repo, result) -> Path:
    """The file `kehu new` says it created."""
    assert result.exit_code == 0, result.stderr
    return repo.root / re.search(r"customers/\S+?\.yaml", result.stdout).group()


def test_new_takes_the_owner_from_git_config_without_a_terminal(repo):
    r = kehu(repo, "new", "北京星河数据科技有限公司", "--industry", "软件和信息技术服务业", "--source", "官网表单")
    data = plain(_created(repo, r))
    assert (data["owner"], data["industry"], data["source"]) == ("lixia", "I65", "website")


# --- show: one masking policy ------------------------------------------------------------------


def test_show_mask_masks_contacts_and_numbers_in_free_text(make_repo):
    noted = customer_dict(id="C20240502001", name="杭州云帆网络科技有限公司", owner="wangfang",
                          contacts=[{"name": "王强", "phone": "13912345678", "email": "wang.qiang@yunfan.example.com",
                                     "wechat": "wq_yunfan", "primary": True}],
                          interactions=[{"date": "2024-05-02", "channel": "call", "by": "wangfang",
                                         "summary": "客户留了备用手机 13711112222，周五回电"}])
    repo = team_repo(make_repo, others=[noted])
    team = kehu(repo, "show", "云帆").stdout
    for text in ("13912345678", "wang.qiang@yunfan.example.com", "wq_yunfan", "13711112222"):
        assert text in team, text
    shared = kehu(repo, "show", "云帆", "--mask").stdout
    for text in ("13912345678", "wang.qiang@yunfan.example.com", "wq_yunfan", "13711112222"):
        assert text not in shared, text
    assert "139****5678" in shared and "w***@yunfan.example.com" in shared and "137****2222" in shared
    # the same policy as the site: a team that does not mask emails on the site does not here either
    repo.set_config(privacy={"mask_phone": True, "mask_email": False})
    commit(repo, "emails shown")
    assert "wang.qiang@yunfan.example.com" in kehu(repo, "show", "云帆", "--mask").stdout


def test_the_site_and_export_use_the_same_masking_policy(repo):
    from kehu.core.privacy import Masking
    from kehu.site.data import Privacy

    cfg = repo.open().config
    for wide in (True, False):
        assert (Privacy.of(cfg, internal=not wide).phones, Privacy.of(cfg, internal=not wide).emails) == \
            (Masking.of(cfg, wide).phones, Masking.of(cfg, wide).emails)
    export = kehu(repo, "export", "--format", "json", "--out", "-", "--mask").stdout
    assert "13800138000" not in export and "138****8000" in export
    assert "13800138000" in kehu(repo, "export", "--format", "json", "--out", "-").stdout


# --- the first follow-up and planned steps -----------------------------------------------------


def test_a_logged_call_completes_the_first_follow_up(repo):
    path = _created(repo, kehu(repo, "new", "北京星河数据科技有限公司", "--industry", "I65"))
    assert plain(path)["next_action"]["action"] == "首次跟进"
    r = kehu(repo, "log", "星河", "-c", "call", "-s", "首次电话沟通，了解数据平台选型需求")
    assert r.exit_code == 0, r.stderr
    assert plain(path).get("next_action") is None
    assert_written_well(repo, path)
    row = {x["id"]: x for x in json.loads(kehu(repo, "due", "--format", "json").stdout)["due"]}[path.stem]
    assert row["reason"] == "cadence"  # no longer the first follow-up


def test_a_first_follow_up_written_in_english_is_completed_too(repo):
    repo.set_config(locale="en")
    commit(repo, "en")
    path = _created(repo, kehu(repo, "new", "北京星河数据科技有限公司", "--industry", "I65"))
    assert plain(path)["next_action"]["action"] == "first follow-up"
    assert kehu(repo, "log", "星河", "-c", "call", "-s", "first call about their data platform").exit_code == 0
    assert plain(path).get("next_action") is None


def test_another_planned_step_is_kept_until_its_date(repo):
    r = kehu(repo, "log", "启明", "-c", "call", "-s", "沟通报价细节，客户下周内部评审", "--date", "2024-05-25")
    assert r.exit_code == 0
    assert plain(repo.customers / "C20240501001.yaml")["next_action"]["action"] == "发送报价单"


def test_a_next_step_beyond_the_cadence_is_accepted_and_shown(repo):
    r = kehu(repo, "log", "启明", "-c", "call", "-s", "客户确认需求，等待法务审核合同", "--next", "2024/07/10",
             "发送合同草稿")
    assert r.exit_code == 0, r.stderr
    assert plain(repo.customers / "C20240501001.yaml")["next_action"] == {"date": "2024-07-10",
                                                                          "action": "发送合同草稿"}
    shown = kehu(repo, "show", "启明").stdout
    assert "下一步计划" in shown and "2024-07-10 发送合同草稿" in shown


def test_git_email_is_the_default_by_everywhere(repo):
    git(repo.root, "config", "user.email", "wangfang@example.com")
    assert kehu(repo, "log", "启明", "-c", "wechat", "-s", "微信确认演示时间，客户同意周三").exit_code == 0
    assert plain(repo.customers / "C20240501001.yaml")["interactions"][-1]["by"] == "wangfang"
    assert json.loads(kehu(repo, "due", "--format", "json").stdout)["owner"] == "wangfang"


def test_import_owner_defaults_from_git_config(make_repo, tmp_path):
    sheet = tmp_path / "客户.csv"
    sheet.write_text("客户名称,所属行业,联系人,手机号\n深圳前海优品跨境电商有限公司,F,周婷,13712345678\n",
                     encoding="utf-8")
    mine = team_repo(make_repo)
    r = kehu(mine, "import", str(sheet))
    assert r.exit_code == 0, r.stdout + r.stderr
    (new,) = [p for p in mine.customers.iterdir() if p.stem != "C20240501001"]
    assert plain(new)["owner"] == "lixia"
    nobody = team_repo(make_repo, email=None)
    r = kehu(nobody, "import", str(sheet))
    assert r.exit_code == 1 and "负责人" in r.stdout + r.stderr  # no owner anywhere: the row is rejected
