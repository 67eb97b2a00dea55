"""Units of amounts on import: a unit in the header (成交金额（万元）, Amount (K)) applies to the column's bare
numbers, a unit in a cell (18.9万, 196,000元) to that cell, and a column whose values disagree by orders of
magnitude — a 万元 column whose header lost its unit — is a warning that names the rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from tests.support.commands import kehu
from tests.support.team_repo import TeamRepo

NAMES = ["上海启明科技有限公司", "杭州云帆网络科技有限公司", "北京天成商贸有限公司", "深圳宏远电子有限公司",
         "广州恒泰物流有限公司"]


def sheet(folder: Path, header: str, amounts: list[str]) -> Path:
    rows = [["客户名称", "所属行业", "负责人", "签约日期", header]]
    rows += [[name, "I65", "lixia", f"2024-05-0{i + 1}", amount] for i, (name, amount) in enumerate(zip(NAMES, amounts,
                                                                                                      strict=True))]
    path = folder / "book.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def deals(repo: TeamRepo) -> dict[str, list[float]]:
    out = {}
    for p in repo.customers.glob("*.yaml"):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        out[data["name"]] = [d["amount"] for d in data.get("deals", [])]
    return out


@pytest.mark.parametrize(("header", "cells", "yuan"), [
    ("成交金额（万元）", ["18.9", "5.3", "21", "18.9万", "196,000元"], [189000, 53000, 210000, 189000, 196000]),
    ("成交金额(千元)", ["189", "53", "210", "1.5万", "88"], [189000, 53000, 210000, 15000, 88000]),
    ("成交金额", ["189000", "53000", "210000", "18.9万", "¥196,000"], [189000, 53000, 210000, 189000, 196000]),
])
def test_a_unit_in_the_header_or_the_cell_gives_yuan(tmp_path: Path, header: str, cells: list[str],
                                                     yuan: list[int]) -> None:
    repo = TeamRepo.create(tmp_path / "team")
    run = kehu(repo, "import", str(sheet(tmp_path, header, cells)))
    assert run.exit_code == 0, run.stdout + run.stderr
    assert deals(repo) == {name: [amount] for name, amount in zip(NAMES, yuan, strict=True)}
    assert "金额数量级不一致" not in run.stdout


def test_a_column_that_disagrees_by_orders_of_magnitude_names_the_rows(tmp_path: Path) -> None:
    repo = TeamRepo.create(tmp_path / "team")
    # the header lost its 万元: 5.3 and 21 are 万 among yuan amounts
    run = kehu(repo, "import", str(sheet(tmp_path, "成交金额", ["189000", "5.3", "210000", "21", "196000"])),
               "--dry-run")
    line = next(ln for ln in run.stdout.splitlines() if "金额数量级不一致" in ln)
    assert "“成交金额”列有 2 个值" in line and "第 3、5 行" in line


def test_each_amount_column_gets_its_own_warning(tmp_path: Path) -> None:
    # two amount columns read from the same rows: each names its own odd rows (and a column that agrees, none)
    rows = [["客户名称", "所属行业", "负责人", "签约日期", "成交金额", "预算", "年采购额"]]
    deal = ["189000", "5.3", "210000", "21", "196000"]
    budget = ["300000", "250000", "8", "280000", "310000"]
    rows += [[name, "I65", "lixia", f"2024-05-0{i + 1}", d, b, "100000"]
             for i, (name, d, b) in enumerate(zip(NAMES, deal, budget, strict=True))]
    path = tmp_path / "book.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    run = kehu(TeamRepo.create(tmp_path / "team"), "import", str(path), "--dry-run")
    lines = [ln for ln in run.stdout.splitlines() if "金额数量级不一致" in ln]
    assert len(lines) == 2, run.stdout
    assert "“成交金额”列有 2 个值" in lines[0] and "第 3、5 行" in lines[0]
    assert "“预算”列有 1 个值" in lines[1] and "第 4 行" in lines[1]
