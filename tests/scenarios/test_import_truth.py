"""A team's real spreadsheet — 31 customers, three years of history, 5 signed — imported into a fresh
`kehu init` repository: the dashboard, the due list, the calendars and the checker tell the truth.

Today is pinned to 2024-06-01. Old customers that went quiet are dormant (on the revive list), not
"overdue" and not "new customers missing their first call"; the signed ones have deals; budgets in 万
are numbers; one bad phone number drops only that phone. Every number below is counted by hand from
the rows of ``SHEET``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TODAY = "2024-06-01"
HEADERS = ["序号", "客户名称", "所属行业", "客户类型", "负责人", "联系人", "手机号", "创建日期", "最后跟进时间",
           "跟进内容", "下次跟进日期", "合作金额", "签约", "预算", "内部编码", "备注"]

# (key, name, industry, type, owner, created, last follow-up, next follow-up, amount, 签约, budget)
# keys: D dormant (last contact >= 90 days ago), A active, N new this month, L lost
ROWS = [
    ("D01", "上海启明科技有限公司", "软件和信息技术服务业", "签约客户", "李霞", "2021-06-08", "2023-10-12", None,
     50000, "2022-08-01", None),
    ("D02", "北京天成商贸有限公司", "批发和零售业", "签约客户", "王芳", "2021-09-15", "2023-12-01", None,
     "20万", "是", None),
    ("D03", "深圳宏远电子有限公司", "制造业", "签约客户", "刘洋", "2022-01-20", "2024-01-15", None,
     30000, "2023-01-10", None),
    ("D04", "广州恒泰物流有限公司", "交通运输、仓储和邮政业", "意向客户", "李霞", "2022-03-24", "2022-04-02", None,
     None, None, "50万"),
    ("D05", "杭州云帆网络科技有限公司", "信息传输、软件和信息技术服务业", "潜在客户", "王芳", "2022-05-11",
     "2022-06-20", None, None, None, None),
    ("D06", "成都锦程教育咨询有限公司", "教育", "潜在客户", "刘洋", "2022-07-01", "2022-09-09", None, None,
     None, None),
    ("D07", "武汉长江建材有限公司", "建筑业", "意向客户", "李霞", "2022-08-18", "2023-02-01", "2023-05-01",
     None, None, None),
    ("D08", "南京紫金医疗器械有限公司", "制造业", "潜在客户", "王芳", "2022-10-10", "2023-11-20", "2024-06-03",
     None, None, None),
    ("D09", "苏州星河智能装备有限公司", "制造业", "意向客户", "刘洋", "2022-11-02", "2023-03-15", None, None,
     None, None),
    ("D10", "天津海港贸易有限公司", "批发和零售业", "潜在客户", "李霞", "2023-01-09", "2023-01-10", None, None,
     None, None),
    ("D11", "重庆山城餐饮管理有限公司", "住宿和餐饮业", "潜在客户", "王芳", "2023-02-14", "2023-04-01", None,
     None, None, None),
    ("D12", "西安古城文化传媒有限公司", "文化、体育和娱乐业", "意向客户", "刘洋", "2023-03-03", "2023-06-30",
     None, None, None, None),
    ("D13", "青岛蓝海水产有限公司", "农、林、牧、渔业", "潜在客户", "李霞", "2023-04-20", "2023-05-05", None,
     None, None, None),
    ("D14", "长沙湘江机械制造有限公司", "制造业", "潜在客户", "王芳", "2023-06-06", "2023-07-18", None, None,
     None, None),
    ("D15", "郑州中原物流有限公司", "交通运输、仓储和邮政业", "意向客户", "刘洋", "2023-07-21", "2023-09-01",
     None, None, None, None),
    ("D16", "厦门鹭岛旅游有限公司", "租赁和商务服务业", "潜在客户", "李霞", "2023-08-30", None, None, None,
     None, None),
    ("D17", "合肥科创新材料有限公司", "制造业", "潜在客户", "王芳", "2023-10-16", "2023-11-02", None, None,
     None, None),
    ("D18", "宁波港城电器有限公司", "制造业", "意向客户", "刘洋", "2023-12-05", "2024-02-20", None, None,
     None, None),
    ("A01", "昆明春城花卉有限公司", "农、林、牧、渔业", "签约客户", "李霞", "2023-05-10", "2024-05-20", None,
     80000, "是", None),
    ("A02", "大连滨海软件有限公司", "软件和信息技术服务业", "签约客户", "王芳", "2023-06-12", "2024-05-30",
     None, 120000, "2023-11-15", None),
    ("A03", "沈阳北方重工配件有限公司", "制造业", "潜在客户", "刘洋", "2023-09-01", "2024-05-20", None, None,
     None, "50万"),
    ("A04", "济南泉城医药有限公司", "卫生和社会工作", "意向客户", "李霞", "2023-10-11", "2024-05-22", None,
     None, None, "2024-07-01"),
    ("A05", "福州闽江茶业有限公司", "农、林、牧、渔业", "潜在客户", "王芳", "2023-11-20", "2024-05-28", None,
     None, None, "30-50万"),
    ("A06", "南昌赣江光电有限公司", "制造业", "意向客户", "刘洋", "2024-01-08", "2024-05-30", None, None, None,
     None),
    ("A07", "贵阳数谷大数据有限公司", "信息传输、软件和信息技术服务业", "潜在客户", "李霞", "2024-02-02",
     "2024-05-31", None, None, None, None),
    ("A08", "太原晋商能源有限公司", "电力、热力、燃气及水生产和供应业", "意向客户", "王芳", "2024-03-05",
     "2024-04-10", None, None, None, None),
    ("N01", "珠海横琴金融科技有限公司", "金融业", "潜在客户", "刘洋", "2024-05-25", "2024-05-26", None, None,
     None, "待确认"),
    ("N02", "佛山南海陶瓷有限公司", "制造业", "潜在客户", "李霞", "2024-05-29", None, None, None, None, None),
    ("N03", "东莞松山湖电子有限公司", "制造业", "潜在客户", "王芳", "2024-05-31", "2024-05-31", None, None, None,
     None),
    ("L01", "无锡太湖纺织有限公司", "制造业", "流失客户", "刘洋", "2022-02-02", "2023-08-01", None, None, None,
     None),
    ("L02", "温州瓯江鞋业有限公司", "制造业", "流失客户", "李霞", "2022-04-04", "2023-07-15", None, None, None,
     None),
]
BAD_PHONE_ROW = "D05"  # 10 digits: cannot be repaired, only the phone is dropped
DATE_BUDGET_ROW = "A04"


def sheet_rows() -> list[list[object]]:
    rows: list[list[object]] = [["客户信息表（2021—2024）"], HEADERS]
    for n, (key, name, industry, kind, owner, created, last, nxt, amount, won, budget) in enumerate(ROWS, 1):
        phone = "1380013800" if key == BAD_PHONE_ROW else f"139{n:08d}"
        summary = f"与{name[:4]}沟通合作需求，客户关注交付周期" if last else None
        rows.append([n, name, industry, kind, owner, f"联系人{n}", phone, created, last, summary, nxt, amount, won,
                     budget, f"K-{n:03d}", "老客户" if key.startswith("D") else None])
    return rows


def keys(prefix: str) -> list[str]:
    return [r[0] for r in ROWS if r[0].startswith(prefix)]


class Env:
    def __init__(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        (home / "gitconfig").write_text("[user]\n\tname = 刘洋\n\temail = liuyang@example.com\n", encoding="utf-8")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("KEHU_", "GIT_"))}
        self.env.update(GIT_CONFIG_GLOBAL=str(home / "gitconfig"), GIT_CONFIG_NOSYSTEM="1", KEHU_TODAY=TODAY,
                        PRE_COMMIT_HOME=str(home / "pre-commit"))

    def kehu(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kehu.cli", *args], cwd=cwd, env=self.env, capture_output=True,
                              text=True, timeout=600)


TEAM = """\
members:
  - {handle: liuyang, name: 刘洋, email: liuyang@example.com, git: null, role: manager}
  - {handle: lixia, name: 李霞, email: lixia@example.com, git: null, role: sales}
  - {handle: wangfang, name: 王芳, email: wangfang@example.com, git: null, role: sales}
"""


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from openpyxl import Workbook

    base = tmp_path_factory.mktemp("truth")
    env = Env(base / "home")
    root = base / "team"
    run = env.kehu("init", str(root), cwd=base)
    assert run.returncode == 0, run.stdout + run.stderr
    (root / "team.yaml").write_text(TEAM, encoding="utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = "客户信息表"
    for row in sheet_rows():
        sheet.append(row)
    path = base / "客户信息表.xlsx"
    book.save(path)
    dry = env.kehu("import", str(path), "--dry-run", cwd=root)
    imported = env.kehu("import", str(path), cwd=root)
    ids = {}
    for p in sorted((root / "customers").glob("*.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        ids[data["name"]] = data
    by_key = {r[0]: ids.get(r[1]) for r in ROWS}
    return {"env": env, "root": root, "dry": dry, "run": imported, "by_key": by_key, "sheet": path}


def test_every_row_is_a_customer_and_one_bad_phone_drops_only_the_phone(team: dict) -> None:
    run = team["run"]
    assert run.returncode == 1, run.stdout + run.stderr  # something to look at: two values were dropped
    assert "新建客户 31 个" in run.stdout and "拒绝 0 行" in run.stdout and "丢弃单个取值 2 个" in run.stdout
    assert all(team["by_key"].values())
    bad = team["by_key"][BAD_PHONE_ROW]
    assert bad["contacts"] == [{"name": "联系人5"}]
    rejects = (team["sheet"].with_name("客户信息表.rejects.csv")).read_text(encoding="utf-8-sig")
    lines = rejects.splitlines()
    assert len(lines) == 3  # header + the two dropped values, with their rows and reasons
    assert lines[1].startswith("客户信息表,7,只丢弃了这一个值") and "1380013800" in lines[1]
    assert lines[2].startswith("客户信息表,24,只丢弃了这一个值") and "2024-07-01" in lines[2]


def test_the_preview_shows_unrecognised_columns_and_column_type_trouble(team: dict) -> None:
    dry = team["dry"].stdout
    assert "最后跟进时间 → 最后联系" in dry  # the common header is recognised (said by the kehu's words)
    assert "签约 → 成交金额" in dry and "合作金额 → 合作记录 · 金额(元)" in dry  # never `won`, `deal.amount`
    assert re.search(r"未识别的列.*内部编码", dry)
    assert "“预算”列应为金额，但有 1 个值是日期（如第 24 行：2024-07-01）" in dry


def test_signed_rows_became_deals_and_budgets_are_numbers(team: dict) -> None:
    by = team["by_key"]
    won = [k for k, c in by.items() if c["stage"] == "won"]
    assert sorted(won) == ["A01", "A02", "D01", "D02", "D03"]
    assert [(d["amount"], str(d["signed"])) for d in by["D01"]["deals"]] == [(50000, "2022-08-01")]
    assert by["D02"]["deals"] == [{"product": "待确认", "amount": 200000}]  # date unknown, not invented
    assert [str(d["signed"]) for d in by["D03"]["deals"]] == ["2023-01-10"]
    assert by["A04"].get("budget") is None and by["A03"]["budget"] == 500000 and by["A05"]["budget"] == "30-50万"
    assert by["D04"]["budget"] == 500000
    assert all(str(c["imported"]) == TODAY for c in by.values())
    assert by["L01"]["stage"] == "lost"


def test_the_checker_gives_no_first_followup_warnings(team: dict) -> None:
    run = team["env"].kehu("check", "--format", "json", cwd=team["root"])
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    problems = report["problems"] if isinstance(report, dict) else report
    codes = [p["code"] for p in problems]
    assert "no-first-followup" not in codes
    assert not [p for p in problems if p["severity"] == "error"]


def _due(team: dict, *args: str) -> dict:
    run = team["env"].kehu("due", "--format", "json", *args, cwd=team["root"])
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_kehu_due_lists_only_real_follow_ups_and_the_dormant_to_revive(team: dict) -> None:
    by_id = {c["id"]: k for k, c in team["by_key"].items()}
    everything = _due(team, "--all", "--within", "all")  # the whole team, however far ahead
    rhythm = [r for r in everything["due"] if r["reason"] in ("reverify", "survey")]
    assert all(r["bucket"] == "later" for r in rhythm)  # counted from the import, never overdue
    rows = {by_id[r["id"]]: (r["due"], r["bucket"], r["reason"]) for r in everything["due"] if r not in rhythm}
    assert rows == {
        "A01": ("2024-06-19", "later", "cadence"), "A02": ("2024-06-14", "later", "cadence"),
        "A03": ("2024-05-27", "overdue", "cadence"), "A04": ("2024-05-29", "overdue", "cadence"),
        "A05": ("2024-06-04", "soon", "cadence"), "A06": ("2024-06-06", "soon", "cadence"),
        "A07": ("2024-06-07", "soon", "cadence"), "A08": ("2024-04-17", "overdue", "cadence"),
        "N01": ("2024-06-02", "soon", "cadence"),
        "N02": ("2024-06-05", "soon", "cadence"),  # imported, never contacted: not a "first follow-up"
        "N03": ("2024-06-07", "soon", "cadence"),
        "D08": ("2024-06-03", "soon", "next_action"),  # a plan to revive a dormant customer is due
    }
    revive = [by_id[r["id"]] for r in everything["revive"]]
    assert sorted(revive) == keys("D")
    assert revive[0] == "D16"  # never contacted since 2023-08-30: the longest silence first
    week = _due(team, "--all")  # the whole team, the next due_soon_days
    assert len(week["due"]) == 10 and len(week["revive"]) == 18
    mine = _due(team, "--owner", "lixia")
    assert {by_id[r["id"]] for r in mine["revive"]} == {"D01", "D04", "D07", "D10", "D13", "D16"}


@pytest.fixture(scope="module")
def site(team: dict) -> Path:
    run = team["env"].kehu("build", cwd=team["root"])
    assert run.returncode == 0, run.stdout + run.stderr
    return team["root"] / "site"


def _kpi(html: str, key: str) -> str:
    found = re.search(rf'kehu-kpi-{key}"[^>]*><span class="kehu-kpi-n"[^>]*>([^<]*)<', html)
    assert found, key
    return found.group(1)


def test_the_dashboard_counts_tell_the_truth(site: Path) -> None:
    html = (site / "index.html").read_text(encoding="utf-8")
    assert _kpi(html, "customers") == "31"
    assert _kpi(html, "overdue") == "3"
    assert _kpi(html, "today") == "0"
    assert _kpi(html, "soon") == "7"
    assert _kpi(html, "dormant") == "18"


def test_the_due_page_lists_the_dormant_to_revive_not_as_overdue(team: dict, site: Path) -> None:
    html = (site / "due" / "index.html").read_text(encoding="utf-8")
    revive = html.split('id="dormant"', 1)[1].split("</table>", 1)[0]
    for key in keys("D"):
        assert team["by_key"][key]["name"] in revive
    assert "新客户首次跟进" not in html


def test_the_calendars_carry_no_event_for_a_dormant_customer(team: dict, site: Path) -> None:
    events: list[str] = []
    for ics in sorted((site / "calendar").glob("*.ics")):
        text = ics.read_text(encoding="utf-8")
        events += re.findall(r"UID:(\S+)-followup@", text)
        for late in re.findall(r"逾期(\d+)天", text):
            assert int(late) < 90, late
    by_id = {c["id"]: k for k, c in team["by_key"].items()}
    assert sorted(by_id[e] for e in events) == sorted(
        ["A02", "A03", "A04", "A05", "A06", "A07", "A08", "N01", "N02", "N03", "D08"])
