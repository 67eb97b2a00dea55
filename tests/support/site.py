"""Team repositories the site tests build: realistic customers, one whose every field is a payload, and the
real ``kehu`` command run on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from kehu.core.figures import Number

from tests.support.customers import TODAY, customer_dict, dump_yaml
from tests.support.team_repo import TeamRepo

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "{{ 7*7 }}",
            "{% raw %}", "---", "<!-- -->", "**bold**"]
EVIL = " ".join(PAYLOADS)
EVIL_ID = "C20240520666"


def new_repo(root: Path, config: dict[str, Any] | None = None) -> TeamRepo:
    """A team repository at ``root`` whose kehu.yaml is the shipped defaults with ``config``'s sections replaced."""
    from kehu.repo.config import default_config_text

    text = None if config is None else dump_yaml({**yaml.safe_load(default_config_text()), **config})
    return TeamRepo.create(root, config=text)


def realistic(i: int) -> dict[str, Any]:
    """A customer like the ones teams keep: three contacts, a deal, a handful of interactions."""
    owners = ["lixia", "wangfang", "liuyang"]
    return customer_dict(
        id=f"C2024050{i // 100 + 1}{i % 100:03d}", name=f"杭州云帆{i}号网络科技有限公司", owner=owners[i % 3],
        stage=["lead", "contacted", "quoted", "negotiating", "won"][i % 5], tags=["降本增效", "快速部署"],
        needs="希望把审批流程与集团SAP打通，降低人工对账成本",
        contacts=[{"name": n, "title": "采购经理", "phone": f"{['138', '139', '186'][k]}{1000 + i:04d}{k + 1:04d}",
                   "email": f"u{i}k{k}@example.com"} for k, n in enumerate(["张伟", "李娜", "王强"])],
        deals=[{"product": "办公软件SaaS服务", "amount": 60000, "signed": "2024-03-01", "contract": f"HT2024{i:05d}"}],
        interactions=[{"date": f"2024-05-{d:02d}", "channel": "call", "by": "lixia",
                       "summary": f"第{d}次沟通二期续约需求，客户关注SAP对接排期和报价"} for d in (3, 10, 17, 24, 30)],
    )


def evil() -> dict[str, Any]:
    """A valid customer with a payload in every free-text field."""
    return customer_dict(
        id=EVIL_ID, name=f"<script>alert(1)</script>恶意公司 {EVIL}", region=EVIL, needs=EVIL, budget=EVIL,
        decision_process=EVIL, notes=f"{EVIL}\n\n# 标题\n    缩进\n---\n", quiet_reason=EVIL,
        contacts=[{"name": "<img src=x onerror=alert(1)>", "title": EVIL, "phone": "13800138000",
                   "email": "zhang.wei@example.com", "primary": True}],
        deals=[{"product": EVIL, "amount": 1000, "signed": "2024-05-21", "contract": "HT<b>1</b>"}],
        interactions=[{"date": "2024-05-25", "channel": "wechat", "by": "lixia", "contact": EVIL,
                       "summary": f"讨论报价 {EVIL}", "outcome": EVIL}],
        next_action={"date": "2024-06-01", "action": EVIL},
        complaints=[{"date": "2024-05-22", "content": EVIL, "status": "open", "category": "其他",
                     "result": EVIL}],
        surveys=[{"date": "2024-05-23", "quality": 4, "comment": EVIL}],
    )


def kehu(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``kehu -C ROOT ARGS`` as a subprocess on TODAY (a build can take minutes on a busy machine)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    full.update({"KEHU_TODAY": TODAY, "NO_MKDOCS_2_WARNING": "1", **(env or {})})
    return subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(root), *args], capture_output=True,
                          text=True, env=full, timeout=300)


def built_pages(site: Path) -> dict[str, str]:
    """Every HTML page of a built site: its path in the site -> its text."""
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


# --- the figures a screen shows -----------------------------------------------------------------------------
# The site marks each figure it shows with data-figure="<name>" data-value="<the number as JSON writes it>";
# `kehu forecast` and `kehu due` carry them under "figures".

Shown = dict[str, list[Number]]  # figure name -> every value a screen shows under it

DASHBOARD = {"customers", "overdue", "today", "soon", "dormant", "pipeline_open", "pipeline_weighted",
             "won_this_month_amount", "won_this_month_count", "conversion"}
FUNNEL = {"customers", "conversion", "pipeline_open", "pipeline_weighted",
          *(f"reached_{s}" for s in ("lead", "contacted", "quoted", "negotiating", "won")),
          *(f"conversion_{s}" for s in ("contacted", "quoted", "negotiating", "won"))}
FORECAST = {"pipeline_open", "pipeline_weighted", "pipeline_count",
            *(f"won_{p}_{n}" for p in ("this_month", "last_month", "this_quarter", "last_quarter")
              for n in ("count", "amount"))}
MEMBER = {"customers", "overdue", "today", "dormant", "pipeline_open"}
# the period block (this month by default) the dashboard and the forecast page show: `kehu report --month`'s team
# figures, and the weighted pipeline expected to close by the month's end (`kehu forecast`'s month)
PERIOD = {f"period.{name}" for name in ("contacted", "interactions", "visits", "new_customers", "stage_moves",
                                        "won_count", "won_amount", "opps_opened", "opps_opened_amount", "opps_won",
                                        "opps_won_amount", "opps_lost", "opps_lost_amount", "complaints_opened",
                                        "complaints_resolved", "pipeline_weighted")}


class _Marks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.shown: Shown = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("data-figure"):
            self.shown.setdefault(str(found["data-figure"]), []).append(json.loads(found["data-value"] or "null"))


def page_figures(html: str) -> Shown:
    marks = _Marks()
    marks.feed(html)
    return marks.shown


def disagreements(screens: dict[str, tuple[Shown, set[str]]], book: dict[str, Number]) -> list[str]:
    """Every figure a screen shows that is not the book's, and every figure a screen should show but does not."""
    out = []
    for screen, (shown, expected) in screens.items():
        out += [f"{screen}: {name} not shown" for name in sorted(expected - set(shown))]
        out += [f"{screen}: {name} = {value}, the book says {book.get(name)}"
                for name, values in sorted(shown.items()) for value in values if value != book.get(name, ...)]
    return out


def as_shown(figures: dict[str, Number]) -> Shown:
    return {name: [value] for name, value in figures.items()}


def cli_figures(repo: TeamRepo, command: str, *args: str, today: str = TODAY) -> dict[str, Number]:
    """The figures a command's JSON carries (``kehu forecast``, ``kehu due``)."""
    run = repo.kehu(command, *args, "--format", "json", today=today)
    assert run.returncode == 0, run.stderr
    figures: dict[str, Number] = run.json["figures"]
    return figures


def book_figures(repo: TeamRepo, today: str = TODAY) -> dict[str, Number]:
    """The figures every screen is held to: `kehu forecast`'s, and this month's period figures as `kehu report
    --month` counts them (with the weighted pipeline `kehu forecast` expects to close this month)."""
    book = cli_figures(repo, "forecast", today=today)
    report = repo.kehu("report", "--month", "--format", "json", today=today)
    assert report.returncode == 0, report.stderr
    team = report.json["team"]
    book.update({name: team[name.removeprefix("period.")] for name in PERIOD - {"period.pipeline_weighted"}})
    months = repo.kehu("forecast", "--format", "json", today=today).json["months"]
    book["period.pipeline_weighted"] = months[today[:7]]["weighted"]
    return book
