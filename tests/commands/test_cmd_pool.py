"""The customer pool (公海): `kehu pool` and `kehu claim`, off by default, within the cap (today 2024-06-01)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from kehu.core.derive import pool_since
from kehu.repo.config import Config
from kehu.repo.model import customer_from
from kehu.repo.yamlload import load_yaml_bytes
from kehu.words.catalogue import Locale

from tests.support.commands import assert_refused, assert_written_well, commit, kehu, plain, team_repo
from tests.support.customers import customer_dict, other_customer
from tests.support.git import git

TODAY = dt.date(2024, 6, 1)


def call(date: str, by: str) -> dict:
    return {"date": date, "channel": "call", "by": by, "summary": "沟通采购计划，客户说下月再定"}


def cust(cid: str, name: str, phone: str, **over) -> dict:
    base = dict(id=cid, name=name, owner="wangfang", stage="contacted", created="2024-03-01",
                contacts=[{"name": "联系人", "phone": phone}])
    base.update(over)
    return customer_dict(**base)


OTHERS = [
    other_customer(),  # wangfang's own last call 2024-05-02: 30 days today -> in the pool since today
    cust("C20240301001", "苏州星河智能装备有限公司", "13600136001",
         interactions=[call("2024-04-01", "wangfang"), call("2024-05-30", "lixia")]),  # a colleague's call
    cust("C20240301002", "南京紫金医疗器械有限公司", "13600136002", stage="won",
         deals=[{"product": "设备", "amount": 1000, "signed": "2024-03-10"}], interactions=[call("2024-03-10",
                                                                                              "wangfang")]),
    cust("C20240301003", "天津海港贸易有限公司", "13600136003", interactions=[call("2024-03-10", "wangfang")],
         opportunities=[{"id": "O20240310-0001", "what": "年度采购", "amount": 5000, "close": "2024-07-01",
                         "stage": "contacted"}]),
    cust("C20240301004", "重庆山城餐饮管理有限公司", "13600136004", interactions=[call("2024-05-20", "wangfang")]),
]


@pytest.fixture
def repo(make_repo):
    r = team_repo(make_repo, others=OTHERS)
    r.set_config(pool={"enabled": True, "days": 30, "cap": 2})
    commit(r, "pool on")
    return r


def pool(repo) -> dict:
    run = kehu(repo, "pool", "--format", "json")
    assert run.exit_code == 0, run.stderr
    return json.loads(run.stdout)


def test_the_pool_is_off_by_default(make_repo):
    r = team_repo(make_repo, others=OTHERS)
    assert_refused(kehu(r, "pool"), "公海未启用", "pool.enabled")
    assert_refused(kehu(r, "claim", "C20240502001"), "公海未启用")


def test_pool_lists_who_the_owner_left_alone(repo):
    p = pool(repo)
    assert [(r["id"], r["since"], r["former_owner"]) for r in p["pool"]] == [
        ("C20240301001", "2024-05-01", "wangfang"),  # a colleague's call does not keep it: the owner's does
        ("C20240501001", "2024-05-31", "lixia"),     # lixia's own last call 05-01 (wangfang's 05-20 is not hers)
        ("C20240502001", "2024-06-01", "wangfang")]
    assert p["holdings"] == {"lixia": 0, "wangfang": 3, "liuyang": 0}
    text = kehu(repo, "pool").stdout
    assert "公海客户（3 个）" in text and "李霞 0/2" in text and "lixia" not in text, text


def test_claim_takes_the_customer_and_leaves_codeowners_to_main(repo):
    assert kehu(repo, "codeowners").exit_code == 0
    commit(repo, "codeowners")
    before = (repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    r = kehu(repo, "claim", "C20240502001")  # you: lixia, from git config user.email
    assert r.exit_code == 0, r.stderr
    assert "王芳 → 李霞" in r.stdout and "1/2" in r.stdout  # members by name
    data = plain(repo.customers / "C20240502001.yaml")
    assert (data["owner"], data["owner_since"]) == ("lixia", "2024-06-01")
    assert_written_well(repo, repo.customers / "C20240502001.yaml")
    assert "C20240502001" not in [x["id"] for x in pool(repo)["pool"]]  # the new owner's time starts today
    # one changed file to review; CODEOWNERS on the base branch names the former owner, who (or a manager)
    # approves the hand-over, and main regenerates it after the merge
    assert git(repo.root, "status", "--porcelain").stdout.strip() == "M customers/C20240502001.yaml"
    assert (repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8") == before
    assert "/customers/C20240502001.yaml @wangfang-cs" in before


def test_claim_respects_the_cap(repo):
    assert kehu(repo, "claim", "C20240502001", "--by", "liuyang").exit_code == 0
    assert kehu(repo, "claim", "C20240301001", "--by", "liuyang").exit_code == 0
    before = (repo.customers / "C20240501001.yaml").read_bytes()
    assert_refused(kehu(repo, "claim", "启明", "--by", "liuyang"), "liuyang", "2", "pool.cap")
    assert (repo.customers / "C20240501001.yaml").read_bytes() == before
    assert_refused(kehu(repo, "claim", "启明", "--by", "wangfang"), "wangfang", "3")  # won, opportunity, recent
    repo.set_config(pool={"enabled": True, "days": 30, "cap": 4})  # the cap is the team's, in kehu.yaml
    assert kehu(repo, "claim", "启明", "--by", "wangfang").exit_code == 0


def test_claim_refuses_a_customer_not_in_the_pool(repo):
    before = (repo.customers / "C20240301004.yaml").read_bytes()
    assert_refused(kehu(repo, "claim", "C20240301004"), "不在公海", "wangfang", "2024-06-19")
    assert_refused(kehu(repo, "claim", "C20240301002"), "不在公海")  # won: stays with its owner
    assert_refused(kehu(repo, "claim", "C20240301003"), "不在公海")  # an open opportunity
    assert_refused(kehu(repo, "claim", "启明"), "已由你负责")
    assert_refused(kehu(repo, "claim", "C20240301001", "--by", "nobody"), "nobody")
    assert (repo.customers / "C20240301004.yaml").read_bytes() == before


# --- the derived fact --------------------------------------------------------------------------------


def customer(**over):
    from tests.support.customers import dump_yaml

    data = customer_dict(**over)
    loaded = load_yaml_bytes("customers/x.yaml", dump_yaml(data).encode(), Locale(), None)
    return customer_from(loaded)


ON = Config.build({"pool": {"enabled": True, "days": 30, "cap": 5}})


def test_pool_since_at_its_boundary_and_off_by_default():
    c = customer(stage="contacted", created="2024-01-01", interactions=[call("2024-05-02", "lixia")])
    assert pool_since(c, ON, TODAY) == dt.date(2024, 6, 1)
    assert pool_since(c, ON, TODAY - dt.timedelta(days=1)) is None
    assert pool_since(c, Config.build({}), TODAY) is None


def test_owner_since_restarts_the_owners_time():
    c = customer(stage="contacted", created="2024-01-01", owner_since="2024-05-20",
                 interactions=[call("2024-03-01", "lixia")])
    assert pool_since(c, ON, TODAY) is None
    assert pool_since(c, ON, dt.date(2024, 6, 19)) == dt.date(2024, 6, 19)
