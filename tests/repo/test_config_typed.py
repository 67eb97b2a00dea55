"""The configuration as frozen typed objects: defaults.yaml is the one source of default values, every key
of it is a field of a dataclass (and a property of the schema), a value of the wrong type is one kehu.yaml
error, and "today" is a value handed in — read from KEHU_TODAY only at the command line and the MkDocs
plugin's edge."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from kehu.repo.config import Config, ConfigValueError, PerClass, default_config, default_config_text, field_types

from tests.support.customers import customer_dict
from tests.support.paths import PACKAGE

SCHEMA = json.loads((PACKAGE / "data" / "schema" / "config.schema.json").read_text(encoding="utf-8"))


def _leaves(data: Any, path: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    if isinstance(data, dict) and not (path and path[-1] == "probability"):  # probability: stage -> number
        return set().union(*(_leaves(v, (*path, str(k))) for k, v in data.items())) if data else set()
    return {path}


def _fields(cls: type, path: tuple[str, ...] = ()) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """(required, optional) leaf paths of a config dataclass; 'extra', 'today', 'fingerprint' are no keys."""
    required: set[tuple[str, ...]] = set()
    optional: set[tuple[str, ...]] = set()
    for f in dataclasses.fields(cls):
        if f.name in ("extra", "today", "fingerprint"):
            continue
        tp = field_types(cls)[f.name]
        here = (*path, f.name)
        if dataclasses.is_dataclass(tp):
            r, o = _fields(tp, here)
            required |= r
            optional |= o
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.add(here)
        else:
            optional.add(here)
    return required, optional


# --- one source of defaults -----------------------------------------------------------------------------


def test_every_key_of_defaults_yaml_is_a_field_and_every_required_field_is_in_defaults_yaml():
    required, optional = _fields(Config)
    leaves = _leaves(default_config())
    assert required - leaves == set(), "a field without a default must have its value in defaults.yaml"
    assert leaves - required - optional == set(), "a key of defaults.yaml needs its dataclass field"
    # the optional ones defaults.yaml leaves out are the per-class days it does not set and kehu's own records
    # (targets: a team's own plan, period by period — defaults.yaml shows it empty)
    allowed = {("visit_days", k) for k in ("key", "normal", "potential")} | {("forgotten",), ("targets",)}
    assert optional - leaves <= allowed


def test_every_key_of_defaults_yaml_is_in_the_schema_so_a_team_may_write_it():
    def walk(data: Any, schema: dict, path: str) -> None:
        if not isinstance(data, dict) or path.endswith("probability"):
            return
        props = schema.get("properties", {})
        for key, value in data.items():
            where = f"{path}.{key}" if path else key
            assert key in props or schema.get("additionalProperties") is True, f"{where} is not in the schema"
            if key in props:  # below an open mapping (site:) the schema says nothing; Config.build checks types
                walk(value, props[key], where)

    walk(default_config(), SCHEMA, "")


def test_the_documented_defaults_are_the_built_values():
    config = Config.build()
    data = default_config()
    assert config.check.max_file_bytes == data["check"]["max_file_bytes"]
    assert config.site.search.segmenter == data["site"]["search"]["segmenter"]
    assert config.pool.days == data["pool"]["days"] and config.pool.enabled is data["pool"]["enabled"]
    assert config.opportunities.forecast_quarters == data["opportunities"]["forecast_quarters"]
    assert config.privacy.mask_phone is True and config.cadence_days.of("core") == data["cadence_days"]["core"]
    assert config.visit_days.of("key") is None and config.cadence_days.of("nonsense") is None
    assert config.stages == tuple(data["stages"])


def test_no_domain_number_is_repeated_in_code_as_a_fallback():
    """The defaults of the old string-key reads (`.get(..., default=30)`, `or "edit/main/"`) are gone."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            if re.search(r"config\.get\(|cfg\.get\(|config\[\"|cfg\[\"|DEFAULT_SEGMENTER|\"edit/main/\"", line):
                offenders.append(f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}")
    assert offenders == []


# --- frozen, merged, typed ------------------------------------------------------------------------------


def test_config_is_frozen():
    config = Config.build({"pool": {"enabled": True}})
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.pool.days = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.dormant_days = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.opportunities.probability["lead"] = 0.9  # type: ignore[index]
    assert isinstance(config.check.company_suffixes, tuple)


def test_a_key_left_out_keeps_its_default_and_mappings_merge_key_by_key():
    config = Config.build({"pool": {"enabled": True}, "opportunities": {"probability": {"trial": 0.3}},
                           "visit_days": {"key": 45}})
    assert config.pool.enabled is True and config.pool.days == Config.build().pool.days
    assert config.opportunities.probability["trial"] == 0.3 and config.opportunities.probability["lead"] == 0.1
    assert config.visit_days == PerClass(core=30, key=45)


def test_an_empty_value_keeps_the_default():
    assert Config.build({"site": {"edit_uri": None}}).site.edit_uri == "edit/main/"
    assert Config.build({"classification": {"core": {"min_revenue_share": None}}}).classification.core \
        .min_revenue_share is None  # the schema allows "none" here, and it means none


def test_a_teams_own_site_keys_are_kept():
    config = Config.build({"site": {"banner": "内部资料", "search": {"boost": 2}}})
    assert config.site.extra == {"banner": "内部资料"} and config.site.search.extra == {"boost": 2}
    assert Config.build().site.extra == {}
    # a key a team's own schema/config.schema.json allows at the top is kept too, read-only
    extra = Config.build({"crm_motto": ["先服务", "后销售"]}).extra
    assert extra == {"crm_motto": ("先服务", "后销售")}
    with pytest.raises(TypeError):
        extra["crm_motto"] = ()  # type: ignore[index]


@pytest.mark.parametrize(("data", "path", "expected"), [
    ({"site": {"chart_months": "twelve"}}, "site.chart_months", "integer"),
    ({"site": {"chart_months": True}}, "site.chart_months", "integer"),
    ({"site": {"full_pages": "all"}}, "site.full_pages", "integer"),
    ({"site": {"search": {"segmenter": 3}}}, "site.search.segmenter", "string"),
    ({"site": {"search": "rjieba"}}, "site.search", "object"),
    ({"value_levels": {"high": "many"}}, "value_levels.high", "number"),
    ({"check": {"company_suffixes": "有限公司"}}, "check.company_suffixes", "array"),
])
def test_a_value_of_the_wrong_type_names_its_key(data, path, expected):
    with pytest.raises(ConfigValueError) as caught:
        Config.build(data)
    assert caught.value.path == path and caught.value.expected == expected


def test_numbers_keep_their_kind():
    config = Config.build({"value_levels": {"high": 120000, "mid": 0.5e5}})
    assert config.value_levels.high == 120000 and isinstance(config.value_levels.high, int)
    assert config.value_levels.mid == 50000.0


def _int_leaves() -> list[tuple[str, ...]]:
    out = []
    for path in sorted(_fields(Config)[0]):
        cls: Any = Config
        for part in path[:-1]:
            cls = field_types(cls)[part]
        if field_types(cls)[path[-1]] is int:
            out.append(path)
    return out


def _allowed_int(path: tuple[str, ...]) -> st.SearchStrategy[int]:
    """The numbers a team may write for the key (the shipped schema's minimum and maximum, which Config.build
    enforces itself)."""
    from kehu.repo.config import value_limits

    limits = value_limits().get(".".join(path), {})
    return st.integers(max(0, limits.get("minimum", 0)), min(10**6, limits.get("maximum", 10**6)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_int_leaves()).flatmap(lambda p: st.tuples(st.just(p), _allowed_int(p))), max_size=6))
def test_every_number_a_team_writes_is_the_number_kehu_uses(overrides):
    data: dict[str, Any] = {}
    for path, value in overrides:
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    config = Config.build(data)
    wanted = {path: value for path, value in overrides}
    for path in _int_leaves():
        node: Any = config
        for part in path:
            node = getattr(node, part)
        default: Any = default_config()
        for part in path:
            default = default[part]
        assert node == wanted.get(path, default)


def test_the_fingerprint_follows_the_values():
    assert Config.build().fingerprint == Config.build({}).fingerprint
    assert Config.build().fingerprint != Config.build({"dormant_days": 91}).fingerprint


# --- the command line: one-line errors ------------------------------------------------------------------


def test_a_wrong_type_in_an_open_key_is_one_kehu_yaml_error_with_its_line(repo):
    repo.write_customer(customer_dict())
    repo.write("kehu.yaml", default_config_text().replace("  chart_months: 12 ", '  chart_months: "twelve" '))
    line = next(n for n, t in enumerate((repo.root / "kehu.yaml").read_text("utf-8").splitlines(), 1)
                if "chart_months" in t)
    run = repo.check_json()
    assert run.returncode == 1
    [problem] = [p for p in run.problems if p["file"] == "kehu.yaml" and p["code"] != "config-invalid"]
    assert (problem["line"], problem["code"]) == (line, "wrong-type") and "site.chart_months" in problem["message"]
    text = repo.kehu("check")
    assert "Traceback" not in text.stderr and f"kehu.yaml:{line}:" in text.stdout
    build = repo.kehu("build", "--pages-only", str(repo.root / "pages"))
    assert build.returncode == 2 and "Traceback" not in build.stderr and "kehu.yaml" in build.stderr
    assert not (repo.root / "pages").exists()


def test_a_right_value_in_an_open_key_is_used(repo):
    repo.set_config(site={"chart_months": 6})
    assert repo.check_json().returncode == 0
    assert repo.open().config.site.chart_months == 6


# --- today ----------------------------------------------------------------------------------------------


def test_without_a_date_today_is_the_date_in_the_teams_time_zone():
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12", "Asia/Shanghai"):
        before = dt.datetime.now(ZoneInfo(zone)).date()
        today = Config.build({"timezone": zone}).today
        assert before <= today <= dt.datetime.now(ZoneInfo(zone)).date()
    assert Config.build(today=dt.date(2024, 6, 1)).today == dt.date(2024, 6, 1)


def test_the_environment_does_not_reach_config_or_open_repo(repo, monkeypatch):
    monkeypatch.setenv("KEHU_TODAY", "2001-01-01")
    assert Config.build().today != dt.date(2001, 1, 1)
    assert repo.open("2024-06-01").config.today == dt.date(2024, 6, 1)
    from kehu.repo.repository import open_repo

    assert open_repo(repo.root).config.today != dt.date(2001, 1, 1)


def test_only_the_edges_read_kehu_today():
    def files(pattern: str) -> list[str]:
        return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                      if re.search(pattern, p.read_text(encoding="utf-8")))

    # cli.py and site/plugin.py only to quote a bad value in their one-line error
    assert files(r"(environ|getenv)[^\n]*(KEHU_TODAY|TODAY_ENV)") == ["cli.py", "repo/config.py", "site/plugin.py"]
    assert files(r"pinned_today\(") == ["cli.py", "repo/config.py", "site/plugin.py"]


def _due_today(repo, *args: str, env: dict[str, str] | None = None) -> Any:
    run = repo.kehu(*args, "due", "--all", "--format", "json", today=None, env=env)
    assert run.returncode == 0, run.stderr
    return run.json["today"]


def test_today_from_the_option_and_from_kehu_today(repo):
    repo.write_customer(customer_dict())
    assert _due_today(repo, "--today", "2024-06-03") == "2024-06-03"
    assert _due_today(repo, env={"KEHU_TODAY": "2024-06-04"}) == "2024-06-04"
    assert _due_today(repo, "--today", "2024-06-05", env={"KEHU_TODAY": "2024-06-04"}) == "2024-06-05"


def test_a_kehu_today_that_is_no_date_is_one_line(repo):
    run = repo.kehu("due", today=None, env={"KEHU_TODAY": "tomorrow"})
    assert run.returncode == 2 and "Traceback" not in run.stderr and "KEHU_TODAY" in run.stderr


def test_the_option_leaves_the_environment_alone(repo, monkeypatch):
    """`--today` is handed to the command; it is not written into os.environ (where it used to leak into
    every later command of the same process)."""
    from kehu.cli import main

    monkeypatch.delenv("KEHU_TODAY", raising=False)
    repo.write_customer(customer_dict())
    result = CliRunner().invoke(main, ["-C", str(repo.root), "--today", "2024-06-02", "due", "--all",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["today"] == "2024-06-02"
    assert "KEHU_TODAY" not in os.environ


def test_kehu_build_hands_its_date_to_the_mkdocs_plugin(repo, tmp_path):
    repo.write_customer(customer_dict())
    out = tmp_path / "site"
    run = repo.kehu("build", "--today", "2024-06-07", "--out", str(out), today=None,
                    env={"NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'class="kehu-built">2024-06-07<', page)
    from kehu.site.plugin import KehuPlugin

    assert KehuPlugin.given_today is None


def test_plain_mkdocs_build_reads_kehu_today_at_the_plugin(repo, tmp_path):
    """A team's CI runs `mkdocs build`: the plugin's edge reads KEHU_TODAY there (and only there)."""
    repo.write_customer(customer_dict())
    (repo.root / "mkdocs.yml").write_text(
        (PACKAGE / "data" / "init" / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copytree(PACKAGE / "data" / "init" / "docs", repo.root / "docs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env.update(KEHU_TODAY="2024-06-08", NO_MKDOCS_2_WARNING="1")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "site")],
                         cwd=repo.root, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'class="kehu-built">2024-06-08<', page)
    env["KEHU_TODAY"] = "soon"
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "site2")],
                         cwd=repo.root, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "KEHU_TODAY: 'soon' is not a date" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_documented_default_file_builds_the_defaults():
    """`kehu init` writes defaults.yaml as the team's kehu.yaml: read back, it changes nothing."""
    assert Config.build(yaml.safe_load(default_config_text())).fingerprint == Config.build().fingerprint
