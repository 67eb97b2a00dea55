"""The checker as a whole, through the real ``kehu`` command: the verdict cache is
never stale, single-file runs still see the whole repository, customer files are
never written, and broken team.yaml / kehu.yaml are reported clearly."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.support.customers import customer_dict
from tests.support.team_repo import problem_tuples

F1 = "customers/C20240501001.yaml"
F2 = "customers/C20240501002.yaml"


def second() -> dict:
    return customer_dict(id="C20240501002", name="杭州云帆网络有限公司",
                         contacts=[{"name": "李娜", "phone": "13912345678", "email": "li.na@example.com"}])


def populate(repo, n: int = 6) -> None:
    """n distinct valid customers, the last one with an interaction on 2024-06-01."""
    names = ["上海启明科技有限公司", "杭州云帆网络有限公司", "深圳华测仪器有限公司", "成都蜀信软件有限公司",
             "武汉长江物流有限公司", "南京金陵医疗器械有限公司", "西安秦岭数据有限公司", "苏州园林建筑设计院"]
    for i in range(n):
        data = customer_dict(id=f"C20240501{i + 1:03d}", name=names[i],
                             contacts=[{"name": "联系人", "phone": f"1390000{i:04d}", "email": f"c{i}@example.com"}])
        if i == n - 1:
            data["interactions"].append({"date": "2024-06-01", "channel": "call", "by": "lixia",
                                         "summary": "确认合同条款，客户要求月底前签约"})
        repo.write_customer(data)


def codes_by_file(run) -> list[tuple[str, str]]:
    return sorted((p["file"], p["code"]) for p in run.problems)


# --- the cache --------------------------------------------------------------------------------------


def test_second_run_gives_identical_output_from_the_cache(repo):
    populate(repo)
    repo.write_customer(customer_dict(id="C20240501007", name="西安秦岭数据有限公司", owner="nobody",
                                                contacts=[]))
    first = repo.kehu("check")
    second_run = repo.kehu("check")
    assert first.returncode == second_run.returncode == 1
    assert first.stdout == second_run.stdout
    assert (repo.root / ".kehu-cache").is_dir()
    assert repo.check_json().json["summary"]["cached"] == 7
    assert repo.kehu("check", "--no-cache").stdout == first.stdout


def test_changing_a_file_changes_the_verdict(repo):
    populate(repo)
    assert repo.kehu("check").returncode == 0
    path = repo.customers / "C20240501003.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stage: negotiating", "stage: 谈判"), encoding="utf-8")
    run = repo.check_json()
    assert run.returncode == 1
    assert codes_by_file(run) == [("customers/C20240501003.yaml", "label-not-key")]
    path.write_text(path.read_text(encoding="utf-8").replace("stage: 谈判", "stage: negotiating"), encoding="utf-8")
    assert repo.kehu("check").returncode == 0


def test_changing_team_yaml_changes_the_verdict(repo):
    populate(repo)
    assert repo.kehu("check").returncode == 0
    team = (repo.root / "team.yaml").read_text(encoding="utf-8")
    repo.write("team.yaml", team.replace("handle: lixia", "handle: lixia2"))
    run = repo.check_json()
    assert run.returncode == 1
    assert {p["code"] for p in run.problems} == {"unknown-handle"}
    assert len({p["file"] for p in run.problems}) == 6
    repo.write("team.yaml", team)
    assert repo.kehu("check").returncode == 0


def test_changing_kehu_yaml_changes_the_verdict(repo):
    populate(repo)
    assert repo.kehu("check").returncode == 0
    repo.set_config(ids={"pattern": "^CUST[0-9]{4}$", "template": "CUST{seq:04d}"})
    run = repo.check_json()
    assert {p["code"] for p in run.problems} == {"id-pattern"} and len(run.problems) == 6
    repo.set_config(ids={"pattern": "^C[0-9]{11}$", "template": "C{date:%Y%m%d}{seq:03d}"})
    assert repo.check_json().problems == []


def test_changing_kehu_yaml_changes_cross_file_verdicts(repo):
    populate(repo, 2)
    repo.write_customer(customer_dict(id="C20240501003", name="上海启鸣科技有限公司",
                                                contacts=[{"name": "王强", "phone": "13700137000"}]))
    assert {p["code"] for p in repo.check_json().problems} == {"near-duplicate-name"}
    repo.set_config(check={"not_duplicates": [["C20240501001", "C20240501003"]]})
    assert repo.check_json().problems == []


def test_changing_the_schema_changes_the_verdict(repo):
    populate(repo, 2)
    data = customer_dict()
    data["website_url"] = "https://example.com"
    repo.write_customer(data)
    assert codes_by_file(repo.check_json()) == [(F1, "unknown-field")]
    path = repo.root / "schema" / "customer.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["website_url"] = {"type": "string"}
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    assert repo.check_json().problems == []


def test_changing_today_changes_the_verdict(repo):
    populate(repo)  # the last customer has an interaction on 2024-06-01
    run = repo.check_json(today="2024-05-31")
    assert codes_by_file(run) == [("customers/C20240501006.yaml", "future-date")]
    assert repo.check_json(today="2024-06-01").problems == []
    assert codes_by_file(repo.check_json(today="2024-05-31")) == [("customers/C20240501006.yaml", "future-date")]
    # the global --today option works like KEHU_TODAY
    run = repo.kehu("--today", "2024-05-31", "check", today=None)
    assert run.returncode == 1 and "future-date" in run.stdout


def test_changing_the_locale_changes_the_messages(repo):
    repo.write_customer(customer_dict(owner="nobody"))
    zh = repo.check_json().problems[0]["message"]
    en = repo.check_json(env={"KEHU_LOCALE": "en"}).problems[0]["message"]
    assert zh != en and "not a member" in en


def test_a_corrupt_cache_is_ignored(repo):
    populate(repo, 2)
    expected = repo.kehu("check").stdout
    cache_files = [p for p in (repo.root / ".kehu-cache").iterdir() if p.suffix == ".json"]
    assert cache_files
    for p in cache_files:
        p.write_text("{not json", encoding="utf-8")
    assert repo.kehu("check").stdout == expected


# --- one file, the whole repository -------------------------------------------------------------------


def test_single_file_run_still_sees_duplicates_in_unchanged_files(repo):
    populate(repo, 4)
    assert repo.kehu("check").returncode == 0  # warm the cache with the unchanged files
    dup = customer_dict(id="C20240501009", name="上海启明科技集团",
                        contacts=[{"name": "张伟", "phone": "139-0000-0002", "email": "x@example.com"}])
    repo.write_customer(dup)
    run = repo.check_json("customers/C20240501009.yaml")
    assert run.returncode == 1
    problems = run.problems
    assert {p["file"] for p in problems} == {"customers/C20240501009.yaml"}  # only the file asked about
    assert sorted((p["code"], tuple(p["related"])) for p in problems) == [
        ("duplicate-name", (F1,)), ("duplicate-phone", ("customers/C20240501003.yaml",))]
    assert run.json["summary"]["files_checked"] == 1


def test_single_file_run_reports_only_that_file(repo):
    populate(repo, 3)
    repo.write_customer(customer_dict(id="C20240501004", name="重庆山城火锅有限公司", owner="nobody",
                                                contacts=[]))
    run = repo.check_json(F2)
    assert run.returncode == 0 and run.problems == []
    run = repo.check_json("customers/C20240501004.yaml")
    assert codes_by_file(run) == [("customers/C20240501004.yaml", "unknown-handle")]


def test_single_file_given_as_absolute_path_or_from_a_subfolder(repo):
    populate(repo, 2)
    repo.write_customer(customer_dict(id="C20240501003", name="重庆山城火锅有限公司", owner="nobody",
                                                contacts=[]))
    target = repo.customers / "C20240501003.yaml"
    assert codes_by_file(repo.check_json(str(target))) == [("customers/C20240501003.yaml", "unknown-handle")]
    run = repo.kehu("check", "--format", "json", "C20240501003.yaml", cwd=repo.customers)
    assert codes_by_file(run) == [("customers/C20240501003.yaml", "unknown-handle")]


def test_a_missing_file_argument_is_reported_not_a_traceback(repo):
    populate(repo, 1)
    run = repo.check_json("customers/C20249999999.yaml")
    assert run.returncode == 1
    assert codes_by_file(run) == [("customers/C20249999999.yaml", "cannot-read")]
    assert "Traceback" not in run.stderr


# --- never writes -------------------------------------------------------------------------------------------


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".kehu-cache" not in p.parts}


def test_the_checker_never_writes_to_repository_files(repo):
    populate(repo)
    repo.write_customer("id: C20240501010\nname: [broken\n", "C20240501010")
    repo.write_customer(customer_dict(id="C20240501011", name="重庆山城火锅有限公司", stage="谈判",
                                                contacts=[]))
    repo.write_customer(b"id: C20240501012\r\nname:\t x\r\n" + "备注".encode("gbk"), "C20240501012")
    before = digest(repo.root)
    mtimes = {p: p.stat().st_mtime_ns for p in repo.customers.iterdir()}
    for args in (("check",), ("check", "--format", "json"), ("check", "customers/C20240501010.yaml"),
                 ("check", "--no-cache")):
        assert repo.kehu(*args).returncode == 1
    assert digest(repo.root) == before
    assert {p: p.stat().st_mtime_ns for p in repo.customers.iterdir()} == mtimes


# --- team.yaml and kehu.yaml ------------------------------------------------------------------------------


def test_missing_team_yaml_is_a_clear_error(make_repo):
    repo = make_repo(team=None)
    populate(repo, 2)
    run = repo.check_json()
    assert run.returncode == 1
    assert problem_tuples(run.problems) == [("team.yaml", 1, 1, "error", "missing-file")]
    assert "team.yaml" in run.problems[0]["message"]


def test_missing_team_yaml_also_fails_a_single_file_run(make_repo):
    repo = make_repo(team=None)
    populate(repo, 2)
    run = repo.check_json(F1)
    assert run.returncode == 1
    assert problem_tuples(run.problems) == [("team.yaml", 1, 1, "error", "missing-file")]


def test_invalid_team_yaml_is_reported_with_its_line(repo):
    populate(repo, 1)
    team = (repo.root / "team.yaml").read_text(encoding="utf-8")
    repo.write("team.yaml", team.replace("role: manager", "role: boss"))
    run = repo.check_json()
    assert run.returncode == 1
    line = team.splitlines().index("    role: manager") + 1
    assert problem_tuples(run.problems) == [("team.yaml", line, 11, "error", "unknown-value")]


def test_duplicate_handle_in_team_yaml(repo):
    populate(repo, 1)
    team = (repo.root / "team.yaml").read_text(encoding="utf-8")
    repo.write("team.yaml", team + "  - handle: lixia\n    name: 李霞二号\n    role: sales\n")
    run = repo.check_json()
    assert run.returncode == 1
    line = len(team.splitlines()) + 1
    assert problem_tuples(run.problems) == [("team.yaml", line, 1, "error", "team-duplicate-handle")]


def test_invalid_kehu_yaml_is_reported_with_its_line_and_stops(repo):
    populate(repo, 2)
    repo.write_customer(customer_dict(id="C20240501003", name="重庆山城火锅有限公司", owner="nobody",
                                                contacts=[]))
    text = (repo.root / "kehu.yaml").read_text(encoding="utf-8")
    line = text.splitlines().index("dormant_days: 90                   # no interaction for this long: dormant (沉睡)")
    repo.write("kehu.yaml", text.replace("dormant_days: 90 ", "dormant_days: ninety "))
    run = repo.check_json()
    assert run.returncode == 1
    # the customer with an unknown owner is not reported: nothing was checked against a broken config
    assert problem_tuples(run.problems) == [("kehu.yaml", 1, 1, "error", "config-invalid"),
                                            ("kehu.yaml", line + 1, 15, "error", "wrong-type")]


def test_kehu_yaml_syntax_error_and_bad_regex(repo):
    populate(repo, 1)
    repo.write("kehu.yaml", "locale: zh-CN\nids:\n  pattern: '^C[0-9'\n")
    run = repo.check_json()
    assert run.returncode == 1
    assert ("kehu.yaml", 3, 12, "error") in [t[:4] for t in problem_tuples(run.problems)]
    repo.write("kehu.yaml", "locale: zh-CN\nids: [\n")
    run = repo.check_json()
    assert run.returncode == 1
    assert [p["code"] for p in run.problems] == ["config-invalid", "yaml-syntax"]
    assert "Traceback" not in run.stderr


def test_kehu_yaml_unknown_key_suggests_the_right_one(repo):
    populate(repo, 1)
    repo.write("kehu.yaml", "locale: en\ndormant_day: 60\n")
    run = repo.check_json()
    assert problem_tuples(run.problems) == [("kehu.yaml", 1, 1, "error", "config-invalid"),
                                            ("kehu.yaml", 2, 1, "error", "unknown-field")]
    assert "dormant_days" in run.problems[1]["message"]


def test_a_partial_kehu_yaml_keeps_the_other_defaults(repo):
    populate(repo, 1)
    repo.write("kehu.yaml", "locale: en\n")
    run = repo.check_json()
    assert run.returncode == 0 and run.problems == []


def test_passing_team_yaml_rechecks_every_customer(repo):
    """pre-commit passes only the changed files: a commit that only edits team.yaml must still fail
    when it removes a member who owns customers."""
    populate(repo, 3)
    assert repo.kehu("check").returncode == 0
    team = (repo.root / "team.yaml").read_text(encoding="utf-8")
    repo.write("team.yaml", team.replace("handle: lixia", "handle: lixia2"))
    run = repo.check_json("team.yaml")
    assert run.returncode == 1
    assert {p["code"] for p in run.problems} == {"unknown-handle"}
    assert len({p["file"] for p in run.problems}) == 3


def test_passing_a_schema_file_rechecks_every_customer(repo):
    populate(repo, 2)
    path = repo.root / "schema" / "customer.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["required"].append("region_code")
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    run = repo.check_json("schema/customer.schema.json")
    assert codes_by_file(run) == [(F1, "required"), (F2, "required")]


def test_stage_added_to_the_schema_but_not_to_kehu_yaml(repo):
    """A stage missing from kehu.yaml's funnel order would silently drop its customers from the funnel."""
    populate(repo, 1)
    path = repo.root / "schema" / "customer.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["$defs"]["stage"]["x-terms"].insert(2, {"const": "trial", "title": "试用", "x-title-en": "Trial"})
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    run = repo.check_json()
    assert run.returncode == 1
    assert problem_tuples([p for p in run.problems if p["code"] != "schema-editor-stale"]) == [
        ("kehu.yaml", 1, 1, "error", "config-invalid"), ("kehu.yaml", 14, 9, "error", "config-stage-missing")]
    repo.set_config(stages=["lead", "contacted", "trial", "quoted", "negotiating", "won"])
    assert repo.check_json().returncode == 0


def test_stage_in_kehu_yaml_that_the_schema_does_not_know(repo):
    populate(repo, 1)
    repo.set_config(stages=["lead", "contacted", "quoted", "negotiating", "signed", "won"])
    run = repo.check_json()
    assert [p["code"] for p in run.problems] == ["config-invalid", "config-stage-unknown"]
    assert "signed" in run.problems[1]["message"]


def test_schema_broken_by_a_team_edit_is_reported_not_a_traceback(repo):
    populate(repo, 1)
    path = repo.root / "schema" / "customer.schema.json"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace('"title": "kehu customer file",', '"title": "kehu customer file"', 1),
                    encoding="utf-8")  # a missing comma
    line = good.splitlines().index('  "title": "kehu customer file",') + 2
    run = repo.check_json()
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert problem_tuples(run.problems) == [("kehu.yaml", 1, 1, "error", "config-invalid"),
                                            ("schema/customer.schema.json", line, 3, "error", "schema-invalid")]


def test_schema_that_breaks_the_metaschema_is_reported_at_the_value(repo):
    populate(repo, 1)
    path = repo.root / "schema" / "customer.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["name"]["type"] = "text"
    text = json.dumps(schema, ensure_ascii=False, indent=2)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.strip() == '"type": "text",')
    run = repo.check_json()
    assert run.returncode == 1
    assert problem_tuples(run.problems)[1:] == [("schema/customer.schema.json", line, 15, "error", "schema-invalid")]
    assert "properties.name.type" in run.problems[1]["message"]


# --- the demo data --------------------------------------------------------------------------------------------


def demo_copy(tmp_path: Path) -> tuple[Path, str]:
    """A copy of the project's demo repository, and the newest date that must not be in the future
    (the earliest "today" on which the demo is valid), so the test never reads the real clock."""
    import shutil

    import yaml

    from tests.support.paths import PROJECT

    root = tmp_path / "demo"
    root.mkdir()
    for name in ("customers", "schema"):
        shutil.copytree(PROJECT / name, root / name)
    for name in ("team.yaml", "kehu.yaml"):
        shutil.copy(PROJECT / name, root / name)
    past: list[str] = []
    for path in (root / "customers").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        past.append(str(data["created"]))
        past += [str(x["date"]) for x in data.get("interactions") or []]
        past += [str(x["date"]) for x in data.get("surveys") or []]
        for x in data.get("complaints") or []:
            past += [str(x["date"])] + ([str(x["resolved"])] if x.get("resolved") else [])
    return root, max(past)


def test_demo_data_passes_kehu_check(tmp_path):
    from tests.support.team_repo import TeamRepo

    root, newest = demo_copy(tmp_path)
    files = list((root / "customers").glob("*.yaml"))
    assert len(files) >= 40, "the demo has at least 40 customers"
    repo = TeamRepo(root)
    for today in (newest, "2031-01-01"):
        run = repo.check_json("--no-cache", today=today)
        errors = [p for p in run.problems if p["severity"] == "error"]
        assert errors == [], f"today={today}"
        assert run.returncode == 0
        assert run.json["summary"]["files_checked"] == len(files)
