"""A team's real git history over several weeks, made action by action, and the record of what each member did.

``make_history(root)`` writes a team repository (three salespeople and a manager), then plays a seeded sequence of
everyday actions — new customers, calls and visits, stage moves, opportunities opened, won and lost, complaints
opened and resolved — each one commit by the member who did it, dated on its day (author and committer date in
the team's time zone), as a team working through a forge would leave it. The :class:`Action` list is the test's
own record: a report's figures are checked against counts made from it, never from kehu's code.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.support.customers import dump_yaml, team_yaml
from tests.support.git import commit_all, git
from tests.support.team_repo import TeamRepo

TEAM = team_yaml("lixia", "wangfang", "zhaolei", "liuyang", liuyang={"git": "liuyang-mgr"})
SALES = ("lixia", "wangfang", "zhaolei")
NAMES = {"lixia": "李霞", "wangfang": "王芳", "zhaolei": "赵磊", "liuyang": "刘洋"}
STAGES = ["lead", "contacted", "quoted", "negotiating", "won"]
START = dt.date(2026, 10, 19)      # a Monday: the history runs from here
TODAY = dt.date(2026, 11, 25)      # a Wednesday: the reports are made on this day
TRADES = ["智联", "华信", "云帆", "启明", "安泰", "恒瑞", "鹭岛", "秦川", "蓝海", "甬港", "瓯江", "纳微"]
CITIES = ["上海", "杭州", "南京", "苏州", "成都", "武汉"]


@dataclass
class Action:
    """One thing a member did on a day (one commit)."""

    day: dt.date
    who: str
    kind: str            # new | call | visit | stage | opp | win | lose | complaint | resolve
    customer: str
    amount: float = 0.0
    moved: bool = False  # the customer's stage changed in this commit


@dataclass
class History:
    repo: TeamRepo
    actions: list[Action] = field(default_factory=list)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)


def _base_customer(cid: str, n: int, owner: str, created: dt.date) -> dict[str, Any]:
    city = CITIES[n % len(CITIES)]
    return {
        "id": cid, "name": f"{city}{TRADES[n % len(TRADES)]}{n:02d}号科技有限公司", "industry": "I65", "stage": "lead",
        "owner": owner, "created": created.isoformat(), "size": "50-200", "region": city, "source": "referral",
        "needs": "希望打通审批流程与财务系统", "budget": 200000, "decision_process": "采购经理评估后总经理拍板",
        "contacts": [{"name": "张伟", "title": "采购经理", "phone": f"139{n:04d}{n % 9999:04d}", "primary": True}],
        "interactions": [{"date": created.isoformat(), "channel": "call", "by": owner,
                          "summary": f"首次电话沟通，了解{city}分公司的审批需求"}],
    }


def make_history(root: Path, seed: int = 23, before: int = 9, days: int | None = None) -> History:
    """The repository at ``root`` and every action played into it (``before`` customers exist at the start)."""
    repo = TeamRepo.create(root, team=TEAM)
    git(root, "init", "-q", "-b", "main")
    rng = random.Random(seed)
    h = History(repo)
    counter = 0

    def new_id(day: dt.date) -> str:
        nonlocal counter
        counter += 1
        return f"C{day:%Y%m%d}{counter:03d}"

    def save(cid: str) -> None:
        repo.write_customer(h.customers[cid])

    def commit(who: str, day: dt.date, message: str) -> None:
        commit_all(root, message, name=NAMES[who], email=f"{who}@example.com", date=f"{day.isoformat()}T10:00:00+08:00")

    first = START - dt.timedelta(days=40)
    for k in range(before):
        owner = SALES[k % 3]
        cid = new_id(first)
        h.customers[cid] = _base_customer(cid, counter, owner, first)
        save(cid)
    commit("liuyang", first, "the book before")

    span = days if days is not None else (TODAY - START).days + 1
    for offset in range(span):
        day = START + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for who in SALES:
            for _ in range(rng.randint(1, 2)):
                _play(h, rng, who, day, new_id, save, commit)
    return h


def _play(h: History, rng: random.Random, who: str, day: dt.date, new_id: Any, save: Any, commit: Any) -> None:
    mine = [c for c in h.customers.values() if c["owner"] == who]
    kind = rng.choice(["new", "call", "call", "visit", "stage", "opp", "win", "lose", "complaint", "resolve"])
    if kind == "new" or not mine:
        cid = new_id(day)
        h.customers[cid] = _base_customer(cid, len(h.customers) + 1, who, day)
        save(cid)
        commit(who, day, f"{cid} new")
        h.actions.append(Action(day, who, "new", cid))
        return
    c = rng.choice(mine)
    cid = c["id"]
    action = Action(day, who, kind, cid)
    if kind in ("call", "visit"):
        channel = "call" if kind == "call" else "visit"
        c["interactions"].append({"date": day.isoformat(), "channel": channel, "by": who,
                                  "summary": f"{day.isoformat()} 与客户沟通二期方案和报价，确认下一步"})
    elif kind == "stage":
        if c["stage"] in ("won", "negotiating"):
            return
        c["stage"] = STAGES[STAGES.index(c["stage"]) + 1]
        action.moved = True
    elif kind == "opp":
        oid = f"O{day:%Y%m%d}-{rng.randrange(16**4):04x}"
        amount = float(rng.choice([30000, 80000, 120000, 250000]))
        c.setdefault("opportunities", []).append({"id": oid, "what": "年度服务", "amount": amount,
                                                  "close": (day + dt.timedelta(days=45)).isoformat(),
                                                  "stage": "quoted", "owner": who, "created": day.isoformat()})
        action.amount = amount
    elif kind in ("win", "lose"):
        open_opps = [o for o in c.get("opportunities", []) if o["stage"] not in ("won", "lost")]
        if not open_opps:
            return
        o = open_opps[0]
        o["stage"] = "won" if kind == "win" else "lost"
        o["closed"] = day.isoformat()
        action.amount = o["amount"]
        if kind == "win":
            c.setdefault("deals", []).append({"contract": f"HT{day:%Y%m%d}{len(h.actions):03d}", "product": "年度服务",
                                              "amount": o["amount"], "signed": day.isoformat(),
                                              "opportunity": o["id"]})
            if c["stage"] != "won":
                c["stage"] = "won"
                action.moved = True
        else:
            o["lost_reason"] = "price"
    elif kind == "complaint":
        c.setdefault("complaints", []).append({"date": day.isoformat(), "category": "交付", "content": "交付延迟一周",
                                               "handler": who, "status": "open"})
    elif kind == "resolve":
        open_ones = [x for x in c.get("complaints", []) if x["status"] != "resolved"]
        if not open_ones:
            return
        x = open_ones[0]
        x.update(status="resolved", resolved=day.isoformat(), result="已补发并致歉")
    save(cid)
    commit(who, day, f"{cid} {kind}")
    h.actions.append(action)


def expected(actions: list[Action], start: dt.date, last: dt.date, who: str | None) -> dict[str, float]:
    """The period figures counted from the actions alone (``who`` None: the whole team)."""
    mine = [a for a in actions if start <= a.day <= last and (who is None or a.who == who)]
    contacted = {a.customer for a in mine if a.kind in ("new", "call", "visit")}
    out = {
        "contacted": len(contacted),
        "interactions": sum(1 for a in mine if a.kind in ("new", "call", "visit")),
        "visits": sum(1 for a in mine if a.kind == "visit"),
        "new_customers": sum(1 for a in mine if a.kind == "new"),
        "stage_moves": sum(1 for a in mine if a.moved),
        "won_count": sum(1 for a in mine if a.kind == "win"),
        "won_amount": sum(a.amount for a in mine if a.kind == "win"),
        "opps_opened": sum(1 for a in mine if a.kind == "opp"),
        "opps_opened_amount": sum(a.amount for a in mine if a.kind == "opp"),
        "opps_won": sum(1 for a in mine if a.kind == "win"),
        "opps_won_amount": sum(a.amount for a in mine if a.kind == "win"),
        "opps_lost": sum(1 for a in mine if a.kind == "lose"),
        "opps_lost_amount": sum(a.amount for a in mine if a.kind == "lose"),
        "complaints_opened": sum(1 for a in mine if a.kind == "complaint"),
        "complaints_resolved": sum(1 for a in mine if a.kind == "resolve"),
    }
    return out


def set_targets(repo: TeamRepo, targets: dict[str, Any]) -> None:
    data = yaml.safe_load((repo.root / "kehu.yaml").read_text(encoding="utf-8"))
    data["targets"] = targets
    (repo.root / "kehu.yaml").write_text(dump_yaml(data), encoding="utf-8")
