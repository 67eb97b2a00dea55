"""`kehu review --month`: the customers whose class or status changed in a month, and why, computed from a
real git history (commits dated inside and outside the month)."""

from __future__ import annotations

import json

import pytest

from tests.support.commands import assert_refused, commit, git_init, kehu, team_repo
from tests.support.customers import customer_dict
from tests.support.git import git

APRIL = "2024-04-20T10:00:00+08:00"


def _c(cid: str, name: str, **over):
    base = dict(id=cid, name=name, owner="lixia", stage="contacted", created="2024-01-05",
                contacts=[{"name": f"联系人{cid[-3:]}", "phone": f"139{cid[-8:]}", "primary": True}],
                interactions=[{"date": "2024-04-15", "channel": "call", "by": "lixia", "summary": f"沟通{name}需求"}])
    base.update(over)
    return customer_dict(**base)


DEAL = {"contract": "HT202401001", "product": "SaaS", "amount": 30000, "signed": "2024-01-10"}
STEADY = _c("C20240105001", "甲公司", stage="won", deals=[DEAL])
LEAVING = _c("C20240105002", "乙公司", stage="won", deals=[{**DEAL, "contract": "HT202401002"}])
NEEDS = _c("C20240105003", "丙公司", tags=["价格敏感"], needs="关注价格")
SLEEPY = _c("C20240105004", "丁公司", interactions=[{"date": "2024-02-01", "channel": "call", "by": "lixia",
                                                    "summary": "初次沟通，客户说年中再议"}])
SIGNING = _c("C20240105005", "戊公司", stage="negotiating")
DELETED = _c("C20240105006", "己公司")


@pytest.fixture
def repo(make_repo):
    repo = make_repo()
    git_init(repo)
    for data in (STEADY, LEAVING, NEEDS, SLEEPY, SIGNING, DELETED):
        repo.write_customer(data)
    commit(repo, "April", date=APRIL)
    # May: end of cooperation, a change of need, a first order, a new customer, a file deleted
    repo.write_customer({**LEAVING, "stage": "lost", "lost_from": "won",
                         "interactions": LEAVING["interactions"] + [
                             {"date": "2024-05-08", "channel": "call", "by": "lixia", "summary": "客户决定停止合作"}]})
    repo.write_customer({**NEEDS, "tags": ["定制化开发"], "needs": "需要定制审批流"})
    commit(repo, "May 10", date="2024-05-10T10:00:00+08:00")
    repo.write_customer({**SIGNING, "stage": "won", "deals": [{"contract": "HT202405009", "product": "SaaS",
                                                               "amount": 48000, "signed": "2024-05-20"}]})
    repo.write_customer(_c("C20240515001", "庚公司", created="2024-05-15",
                           interactions=[{"date": "2024-05-15", "channel": "visit", "by": "lixia",
                                          "summary": "展会后首次拜访"}]))
    (repo.customers / "C20240105006.yaml").unlink()
    commit(repo, "May 20", date="2024-05-20T18:00:00+08:00")
    # June: after the month — must not count
    repo.write_customer({**STEADY, "stage": "lost", "lost_from": "won"})
    commit(repo, "June", date="2024-06-01T09:00:00+08:00")
    return repo


def _review(repo, month: str, today: str = "2024-06-02") -> dict:
    r = kehu(repo, "review", "--month", month, "--format", "json", today=today)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_may_lists_every_change_and_why(repo):
    out = _review(repo, "2024-05")
    assert (out["start"], out["end"]) == ("2024-05-01", "2024-05-31")
    rows = {c["id"]: c for c in out["changes"]}
    assert set(rows) == {"C20240105002", "C20240105004", "C20240105005", "C20240515001", "C20240105006"}
    assert "C20240105001" not in rows  # lost in June, not in May
    assert "C20240105003" not in rows  # its need changed, but neither class nor status did
    lost = rows["C20240105002"]
    assert (lost["status_before"], lost["status_after"]) == ("active", "lost")
    assert [r["code"] for r in lost["reasons"]] == ["lost"]
    sleepy = rows["C20240105004"]
    assert (sleepy["status_before"], sleepy["status_after"]) == ("potential", "dormant")  # 90 days on 05-01
    assert sleepy["reasons"] == [{"code": "no_contact", "detail": "2024-02-01",
                                  "text": "长期未联系（最近联系 2024-02-01）"}]
    signed = rows["C20240105005"]
    assert (signed["class_before"], signed["class_after"]) == ("potential", "normal")
    assert signed["reasons"][0]["code"] == "new_deal" and "HT202405009" in signed["reasons"][0]["text"]
    assert rows["C20240515001"]["reasons"][0]["code"] == "new_customer"
    assert rows["C20240105006"]["reasons"] == [{"code": "removed", "detail": "", "text": "客户文件已删除或合并"}]


def test_a_month_sees_the_files_as_they_were_committed(repo):
    june = _review(repo, "2024-06", today="2024-06-02")
    assert {c["id"] for c in june["changes"]} == {"C20240105001"}  # the June commit, up to today
    assert june["end"] == "2024-06-02"
    april = _review(repo, "2024-04")
    assert {c["reasons"][0]["code"] for c in april["changes"]} == {"new_customer"}  # the first commit


def test_the_table_and_the_owner_filter(repo):
    r = kehu(repo, "review", "--month", "2024-05", today="2024-06-02", env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.stderr
    for text in ("月度复盘 2024-05", "乙公司", "活跃 → 流失", "终止合作", "新订单：HT202405009", "48,000",
                 "潜在客户 → 普通客户", "5 个客户"):
        assert text in r.stdout, text
    git(repo.root, "config", "user.email", "lixia@example.com")
    none = json.loads(kehu(repo, "review", "--month", "2024-05", "--owner", "wangfang", "--format", "json",
                           today="2024-06-02").stdout)
    assert none["changes"] == []


def test_default_month_is_the_last_one(repo):
    r = kehu(repo, "review", "--format", "json", today="2024-06-02")
    assert json.loads(r.stdout)["month"] == "2024-05"


@pytest.mark.parametrize(("args", "named"), [
    (["--month", "2024-13"], "2024-13"), (["--month", "May"], "YYYY-MM"), (["--month", "2024-07"], "2024-07"),
    (["--owner", "zhangsan"], "zhangsan")])
def test_bad_input(repo, args, named):
    assert_refused(kehu(repo, "review", *args, today="2024-06-02"), named)


def test_outside_git_it_says_so(make_repo):
    repo = make_repo()
    repo.write_customer(STEADY)
    assert_refused(kehu(repo, "review", "--month", "2024-05", today="2024-06-02"), "git")


def test_english(make_repo):
    repo = team_repo(make_repo)
    repo.set_config(locale="en")
    commit(repo, "en", date="2024-05-02T10:00:00+08:00")
    r = kehu(repo, "review", "--month", "2024-05", today="2024-06-02")
    assert r.exit_code == 0 and "Monthly review 2024-05" in r.stdout


def test_the_review_page_shows_this_month_and_last(repo):
    from kehu.site.generate import NAV, generate

    site = generate(repo.open("2024-06-02"), jobs=1)
    assert "review.md" in NAV and "review.md" not in site.not_in_nav
    page = site.pages["review.md"]
    assert page.index("2024-06（2024-06-01 至 2024-06-02）") < page.index("2024-05（2024-05-01 至 2024-05-31）")
    may = page[page.index("2024-05（"):]
    for text in ("乙公司", "活跃 → 流失", "终止合作", "长期未联系（最近联系 2024-02-01）", "新订单：HT202405009 48,000",
                 "己公司", "客户文件已删除或合并"):
        assert text in may, text
    june = page[page.index("2024-06（"):page.index("2024-05（")]
    assert "甲公司" in june and "乙公司" not in june
    assert 'href="../customers/C20240105002/"' in page or "customers/C20240105002" in page  # a link to the profile


def test_the_review_page_outside_git_says_nothing_yet(make_repo):
    from kehu.site.generate import generate

    repo = make_repo()
    repo.write_customer(STEADY)
    page = generate(repo.open("2024-06-02"), jobs=1).pages["review.md"]
    assert "暂无" in page
