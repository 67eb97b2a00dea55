"""kehu's schema verdict agrees with an independent validator, file by file.

The independent validator is the real ``check-jsonschema`` command (installed with
the test extras), run on the same files with the same ``schema/customer.schema.json``.
kehu's verdict for a file is "invalid" when it reports at least one problem whose
code comes from schema translation.

Dates: YAML has a timestamp type, and a loader that turned ``2024-05-01`` into a
``datetime.date`` would make ``{"type": "string", "format": "date"}`` meaningless
(a date object is not a string, and ``2024-02-30`` would already fail to load).
kehu's loader keeps timestamps as the text of the file. check-jsonschema does the
same: its YAML parser (``check_jsonschema/parsers/yaml.py``, ``construct_yaml_implementation``)
replaces ruamel.yaml's timestamp constructor with the string constructor, "because
JSON does not support native datetimes, so JSON Schema formats for dates apply to
strings". So no extra option is needed, and the schema honestly declares dates as
strings with ``format: date``; ``test_dates_reach_both_validators_as_text`` pins it.

YAML versions: check-jsonschema reads YAML 1.2 (ruamel.yaml), kehu YAML 1.1 (PyYAML,
like most Python tools). Plain scalars whose meaning differs between the two
(``yes``, ``0777``, ``1:20``, ``013800138000``, ``1e3``) are kept out of the agreement
corpus; ``test_yaml_version_differences`` documents what each tool makes of them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from kehu.words.catalogue import entries

from tests.support.paths import PROJECT

# the codes of problems that come from translating JSON Schema errors
SCHEMA_CODES = {"required", "unknown-field", "wrong-type", "label-not-key", "unknown-value", "bad-date",
                "bad-pattern", "out-of-range", "empty-value", "not-unique", "schema", "no-value"}

BASE = """\
id: {id}
name: 上海启明科技有限公司
industry: I65
stage: negotiating
owner: lixia
created: 2024-05-01
size: "200-500"
region: 上海
source: referral
tags: [定制化开发, 注重响应速度]
needs: 需定制化解决方案
budget: 待确认
contacts:
  - name: 张伟
    title: 采购经理
    phone: "13800138000"
    email: zhang.wei@example.com
    birthday: "05-12"
    primary: true
deals:
  - contract: HT202405001
    product: 办公软件SaaS服务
    amount: 120000
    signed: 2024-05-20
interactions:
  - date: 2024-05-02
    channel: call
    by: lixia
    summary: 沟通Q2季度续约需求
    outcome: 客户同意下周看方案
next_action: {{date: 2024-06-05, action: 提交续约方案}}
surveys:
  - {{date: 2024-04-01, quality: 5, attitude: 4, response: 4, after_sales: 5, comment: 响应可以更快}}
complaints:
  - {{date: 2024-03-02, category: 交付, content: 发票开具延迟, handler: wangfang,
     status: resolved, resolved: 2024-03-05}}
notes: |
  free text
"""

SCORES = "quality: 5, attitude: 4, response: 4, after_sales: 5, comment: 响应可以更快"
MINIMAL = "id: {id}\nname: 杭州云帆网络有限公司\nindustry: C\nstage: lead\nowner: wangfang\ncreated: 2024-05-01\n"

# (name, (old, new) replacements applied to BASE — or a full text —, expected valid)
GOOD: list[tuple[str, object]] = [
    ("base", []),
    ("minimal", MINIMAL),
    ("lost", [("stage: negotiating", "stage: lost\nlost_from: quoted")]),
    ("override", [("source: referral", "source: referral\nclass: core\nclass_reason: 战略客户")]),
    ("null-override", [("source: referral", "source: referral\nclass: null")]),
    ("nulls", [('size: "200-500"', "size: null"), ("region: 上海", "region:"), ("source: referral", "source: ~")]),
    ("open-complaint", [("status: resolved, resolved: 2024-03-05", "status: open")]),
    ("division", [("industry: I65", "industry: C39")]),
    ("leap-birthday", [('birthday: "05-12"', 'birthday: "02-29"')]),
    ("budget-number", [("budget: 待确认", "budget: 300000.5")]),
    ("quiet", [("notes: |", "quiet_until: 2024-09-01\nquiet_reason: 客户表示暂不需要\nnotes: |")]),
    ("empty-lists", [("tags: [定制化开发, 注重响应速度]", "tags: []\nrisks: []")]),
    ("two-deals", [("    signed: 2024-05-20\n", "    signed: 2024-05-20\n  - product: 运维服务\n    amount: 0\n"
                    "    signed: 2024-06-01\n")]),
    ("one-score-survey", [(SCORES, "response: 3")]),
    ("contact-only-name", [('    title: 采购经理\n    phone: "13800138000"\n    email: zhang.wei@example.com\n'
                            '    birthday: "05-12"\n    primary: true\n', "")]),
    ("values", [("budget: 待确认", "annual_value: 180000\ncooperation_since: 2023-03-01\nrepurchase_rate: 1")]),
]

BAD: list[tuple[str, object]] = [
    ("no-id", [("id: {id}\n", "")]),
    ("no-name", [("name: 上海启明科技有限公司\n", "")]),
    ("no-created", [("created: 2024-05-01\n", "")]),
    ("unknown-field", [("region: 上海", "regoin: 上海")]),
    ("stage-label", [("stage: negotiating", "stage: 谈判")]),
    ("stage-unknown", [("stage: negotiating", "stage: signing")]),
    ("channel-label", [("channel: call", "channel: 电话")]),
    ("source-typo", [("source: referral", "source: referal")]),
    ("industry-unknown", [("industry: I65", "industry: Z99")]),
    ("size-label", [('size: "200-500"', "size: 200到500人")]),
    ("feb-30", [("created: 2024-05-01", "created: 2024-02-30")]),
    ("slashes", [("created: 2024-05-01", "created: 2024/05/10")]),
    ("date-time", [("date: 2024-05-02", "date: 2024-05-02 10:30:00")]),
    ("short-date", [("signed: 2024-05-20", "signed: 2024-5-20")]),
    ("phone-number", [('phone: "13800138000"', "phone: 13800138000")]),
    ("region-number", [("region: 上海", "region: 310000")]),
    ("birthday-form", [('birthday: "05-12"', 'birthday: "5-12"')]),
    ("birthday-month-13", [('birthday: "05-12"', 'birthday: "13-01"')]),
    ("score-6", [("quality: 5,", "quality: 6,")]),
    ("score-text", [("quality: 5,", "quality: 很好,")]),
    ("survey-no-score", [(SCORES, "comment: 无")]),
    ("lost-no-from", [("stage: negotiating", "stage: lost")]),
    ("lost-from-lost", [("stage: negotiating", "stage: lost\nlost_from: lost")]),
    ("lost-from-null", [("stage: negotiating", "stage: lost\nlost_from: null")]),
    ("class-no-reason", [("source: referral", "source: referral\nclass: key")]),
    ("class-empty-reason", [("source: referral", "source: referral\nclass: key\nclass_reason: ''")]),
    ("resolved-no-date", [(", resolved: 2024-03-05", "")]),
    ("resolved-null", [("resolved: 2024-03-05", "resolved: null")]),
    ("tags-twice", [("tags: [定制化开发, 注重响应速度]", "tags: [定制化开发, 定制化开发]")]),
    ("tag-unknown", [("tags: [定制化开发, 注重响应速度]", "tags: [要便宜]")]),
    ("tags-not-list", [("tags: [定制化开发, 注重响应速度]", "tags: 定制化开发")]),
    ("rate-1.5", [("budget: 待确认", "repurchase_rate: 1.5")]),
    ("negative-value", [("budget: 待确认", "annual_value: -1")]),
    ("deal-no-amount", [("    amount: 120000\n", "")]),
    ("amount-text", [("amount: 120000", "amount: 12万")]),
    ("interaction-extra", [("    outcome: 客户同意下周看方案\n", "    outcome: 客户同意下周看方案\n    mood: good\n")]),
    ("interaction-empty-summary", [("summary: 沟通Q2季度续约需求", "summary: ''")]),
    ("owner-form", [("owner: lixia", "owner: Li Xia")]),
    ("owner-trailing-newline", [("owner: lixia", "owner: |\n  lixia")]),  # regex '$' dialects
    ("contact-is-text", [("  - name: 张伟\n    title: 采购经理\n    phone: \"13800138000\"\n"
                          "    email: zhang.wei@example.com\n    birthday: \"05-12\"\n    primary: true\n",
                          "  - 张伟 13800138000\n")]),
    ("next-action-no-action", [("{date: 2024-06-05, action: 提交续约方案}", "{date: 2024-06-05}")]),
    ("primary-text", [("primary: true", 'primary: "true"')]),
    ("id-number", [("id: {id}", "id: 20240501001")]),
    ("complaint-status-label", [("status: resolved", "status: 已解决")]),
    ("contacts-mapping", [("contacts:\n  - name: 张伟", "contacts:\n  main:\n    name: 张伟")]),
]


def build(spec: object, file_id: str) -> str:
    if isinstance(spec, str):
        return spec.format(id=file_id)
    text = BASE
    for old, new in spec:  # type: ignore[union-attr]
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.format(id=file_id)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A team repository holding every corpus file; returns (root, {file: expected valid})."""
    root = tmp_path_factory.mktemp("agreement")
    (root / "customers").mkdir()
    shutil.copytree(PROJECT / "schema", root / "schema")
    (root / "team.yaml").write_text("members:\n  - {handle: lixia, name: 李霞, role: sales}\n"
                                    "  - {handle: wangfang, name: 王芳, role: sales}\n", encoding="utf-8")
    (root / "kehu.yaml").write_text("locale: en\n", encoding="utf-8")
    expected: dict[str, bool] = {}
    for n, (name, spec) in enumerate([*GOOD, *BAD], 1):
        file_id = f"C20240501{n:03d}"
        rel = f"customers/{file_id}.yaml"
        (root / rel).write_text(f"# corpus: {name}\n" + build(spec, file_id), encoding="utf-8")
        expected[rel] = (name, spec) in GOOD
    return root, expected


def check_jsonschema() -> str:
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test dependency: pip install -e '.[test]'"
    return exe


def kehu_verdicts(root) -> tuple[dict[str, bool], list[dict]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")} | {"KEHU_TODAY": "2024-06-01"}
    proc = subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(root), "check", "--format", "json",
                           "--no-cache"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    problems = json.loads(proc.stdout)["problems"]
    files = sorted(p.relative_to(root).as_posix() for p in (root / "customers").iterdir())
    invalid = {p["file"] for p in problems if p["code"] in SCHEMA_CODES}
    return {f: f not in invalid for f in files}, problems


def check_jsonschema_verdicts(root, files: list[str]) -> dict[str, bool]:
    proc = subprocess.run([check_jsonschema(), "--schemafile", "schema/customer.schema.json", "-o", "json", *files],
                          capture_output=True, text=True, cwd=root, timeout=300)
    report = json.loads(proc.stdout)
    assert not report.get("parse_errors"), report.get("parse_errors")
    invalid = {e["filename"] for e in report["errors"]}
    assert proc.returncode == (1 if invalid else 0)
    return {f: f not in invalid for f in files}


def test_corpus_is_large_enough_and_schema_level_only(corpus):
    root, expected = corpus
    assert sum(expected.values()) >= 15 and sum(not v for v in expected.values()) >= 30
    _, problems = kehu_verdicts(root)
    # schema faults only: nothing from the YAML layer, and every file's problems are known codes
    assert all(p["code"] in entries() for p in problems)
    loader_codes = {"duplicate-key", "not-utf8", "tab-indent", "anchor", "yaml-syntax", "empty-file",
                    "not-mapping", "custom-tag", "too-large", "yaml-number"}
    assert not [p for p in problems if p["code"] in loader_codes]


def test_kehu_and_check_jsonschema_agree_file_by_file(corpus):
    root, expected = corpus
    ours, _ = kehu_verdicts(root)
    theirs = check_jsonschema_verdicts(root, sorted(expected))
    disagree = {f: (ours[f], theirs[f]) for f in expected if ours[f] != theirs[f]}
    assert disagree == {}, "(kehu valid?, check-jsonschema valid?) per file"
    # and both say what the corpus was built to say
    assert ours == expected


def test_dates_reach_both_validators_as_text(tmp_path):
    """Valid dates pass `type: string, format: date`; impossible ones fail the format — in both tools."""
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema",
                                  "properties": {"d": {"type": "string", "format": "date"}}}), encoding="utf-8")
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("d: 2024-05-01\n", encoding="utf-8")
    bad.write_text("d: 2024-02-30\n", encoding="utf-8")
    run = subprocess.run([check_jsonschema(), "--schemafile", str(schema), "-o", "json", str(good), str(bad)],
                         capture_output=True, text=True, timeout=120)
    report = json.loads(run.stdout)
    assert [e["filename"] for e in report["errors"]] == [str(bad)]
    assert "is not a 'date'" in report["errors"][0]["message"]

    from kehu.repo.yamlload import load_yaml_bytes
    from kehu.words.catalogue import Locale

    assert load_yaml_bytes("x", good.read_bytes(), Locale(), None).data == {"d": "2024-05-01"}
    assert load_yaml_bytes("x", bad.read_bytes(), Locale(), None).data == {"d": "2024-02-30"}


# What each tool makes of a plain scalar whose meaning differs between YAML 1.1 and 1.2.
# kehu: "schema" (a schema error) or the code of the problem that refuses the scalar as ambiguous.
YAML_VERSION_CASES = [
    # (old, new) in BASE,                                 kehu,          check-jsonschema valid?
    (("budget: 待确认", "decision_process: yes"),         "schema",      True),   # 1.1: true; 1.2: text "yes"
    (("primary: true", "primary: yes"),                   "yaml-bool",   False),  # 1.1: true; 1.2: text "yes"
    (("budget: 待确认", "annual_value: 0777"),            "yaml-number", True),   # 1.1: 511; 1.2: 777
    (("budget: 待确认", "annual_value: 1:20"),            "yaml-number", False),  # 1.1: 80; 1.2: text "1:20"
    (("budget: 待确认", "decision_process: 0123456789"),  "yaml-number", False),  # 1.1: text; 1.2: 123456789
    (("budget: 待确认", "decision_process: 1e3"),         "yaml-number", False),  # 1.1: text; 1.2: 1000.0
]


@pytest.mark.parametrize("change,kehu_says,cj_valid", YAML_VERSION_CASES, ids=[c[0][1] for c in YAML_VERSION_CASES])
def test_yaml_version_differences(repo, change, kehu_says, cj_valid):
    """Where YAML 1.1 and 1.2 differ, kehu never silently accepts a value that another tool reads otherwise:
    it reports a schema error (kehu is the stricter one) or refuses the scalar as ambiguous."""
    text = build([change], "C20240501001")
    repo.write_customer(text, "C20240501001")
    codes = {p["code"] for p in repo.check_json().problems if p["severity"] == "error"}
    if kehu_says == "schema":
        assert codes and codes <= SCHEMA_CODES
    else:
        assert codes == {kehu_says}
    run = subprocess.run([check_jsonschema(), "--schemafile", "schema/customer.schema.json",
                          "customers/C20240501001.yaml"], capture_output=True, text=True, cwd=repo.root, timeout=120)
    assert (run.returncode == 0) is cj_valid
