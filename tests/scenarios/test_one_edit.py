"""The README's "How to add a field / a label / a threshold": each is one edit, and every output follows.

Each test makes the one edit the README describes in a real team repository and then reads what the
checker, `kehu show`, `kehu due`, export and the site say — nothing else is touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import yaml

from tests.support.customers import TODAY, customer_dict, dump_yaml
from tests.support.team_repo import TeamRepo


def _kehu(repo: TeamRepo, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.update({"KEHU_TODAY": TODAY, "NO_MKDOCS_2_WARNING": "1", "COLUMNS": "200"})
    return subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(repo.root), *args], capture_output=True,
                          text=True, env=env, timeout=300)


def _schema(repo: TeamRepo) -> tuple[Path, dict]:
    path = repo.root / "schema" / "customer.schema.json"
    return path, json.loads(path.read_text(encoding="utf-8"))


def _export_headers(repo: TeamRepo, tmp_path: Path) -> tuple[list[str], list[str]]:
    out = tmp_path / "out.xlsx"
    run = _kehu(repo, "export", "--format", "xlsx", "--out", str(out))
    assert run.returncode == 0, run.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    return [str(c.value) for c in sheet[1]], [str(c.value) for c in sheet[2]]


def _profile_page(repo: TeamRepo, cid: str) -> str:
    pages = repo.root / "pages"
    run = _kehu(repo, "build", "--pages-only", str(pages))
    assert run.returncode == 0, run.stderr
    return (pages / "customers" / f"{cid}.md").read_text(encoding="utf-8")


def test_a_field_is_one_edit_of_the_schema(repo, tmp_path):
    """A property with a title: the checker accepts it, and show, export and the profile page label it."""
    path, schema = _schema(repo)
    schema["properties"]["wechat_group"] = {"type": "string", "title": "微信群", "x-title-en": "WeChat group"}
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    repo.write_customer(customer_dict(wechat_group="启明项目沟通群"))

    check = _kehu(repo, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    shown = _kehu(repo, "show", "C20240501001")
    assert "微信群" in shown.stdout and "启明项目沟通群" in shown.stdout, shown.stdout
    headers, row = _export_headers(repo, tmp_path)
    assert "微信群" in headers and row[headers.index("微信群")] == "启明项目沟通群"
    page = _profile_page(repo, "C20240501001")
    assert "微信群" in page and "启明项目沟通群" in page and "wechat_group" not in page
    # a spreadsheet column of that title imports into the field
    sheet = tmp_path / "in.csv"
    sheet.write_text("客户名称,所属行业,负责人,联系人,手机号,微信群\n杭州新测试科技有限公司,I65,lixia,张三,13900001111,"
                     "新项目群\n", encoding="utf-8")
    imported = _kehu(repo, "import", str(sheet))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    files = (repo.root / "customers").glob("*.yaml")
    assert any("wechat_group: 新项目群" in p.read_text(encoding="utf-8") for p in files)

    # and without the edit the same value is refused: the schema is what made it a field
    del schema["properties"]["wechat_group"]
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    assert _kehu(repo, "check").returncode != 0


def test_a_label_is_one_edit_of_the_schema(repo, tmp_path):
    """A value's title is its label everywhere: the checker's hint, show, export and the site."""
    path, schema = _schema(repo)
    stage = schema["$defs"]["stage"] if "stage" in schema.get("$defs", {}) else schema["properties"]["stage"]
    term = next(t for t in stage["x-terms"] if t["const"] == "negotiating")
    term["title"], term["x-title-en"] = "商务谈判中", "In negotiation"
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    repo.write_customer(customer_dict(stage="negotiating"))

    assert "商务谈判中" in _kehu(repo, "show", "C20240501001").stdout
    _, row = _export_headers(repo, tmp_path)
    assert "商务谈判中" in row
    assert "商务谈判中" in _profile_page(repo, "C20240501001")
    # a spreadsheet or a person may now write the new label; the checker names the key to write instead
    repo.write_customer(customer_dict(stage="商务谈判中"))
    problems = json.loads(_kehu(repo, "check", "--format", "json").stdout)["problems"]
    assert any(p["code"] == "label-not-key" and "negotiating" in p["message"] for p in problems), problems


def test_a_threshold_is_one_edit_of_kehu_yaml(repo):
    """A cadence in kehu.yaml decides what `kehu due` lists: change the number, the list follows."""
    # a key customer last contacted 2024-05-20: due after 15 days (2024-06-04) by default
    repo.write_customer(customer_dict(annual_value=60000, next_action=...,
                                      interactions=[{"date": "2024-05-20", "channel": "call", "by": "lixia",
                                                     "summary": "沟通续约"}]))

    def due(within: str) -> list[dict]:
        run = _kehu(repo, "due", "--all", "--within", within, "--format", "json")
        assert run.returncode == 0, run.stderr
        return [x for x in json.loads(run.stdout)["due"] if x["reason"] == "cadence"]

    config = yaml.safe_load((repo.root / "kehu.yaml").read_text(encoding="utf-8"))
    (item,) = due("all")
    klass, days = item["class"], config["cadence_days"][item["class"]]
    assert item["due"] == f"2024-05-{20 + days}" if days < 12 else item["due"] > TODAY
    assert due("1") == []
    config["cadence_days"][klass] = 5
    (repo.root / "kehu.yaml").write_text(dump_yaml(config), encoding="utf-8")
    assert [x["id"] for x in due("1")] == ["C20240501001"] and due("1")[0]["due"] == "2024-05-25"
