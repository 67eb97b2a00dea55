"""Property of the append-only rule (Hypothesis): whatever is added passes; each past interaction removed or
rewritten gives exactly one error; the same changes with a correction per entry pass."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kehu.git.audit import history_problems
from kehu.repo.config import default_config_text
from kehu.repo.gitinfo import FilePair
from kehu.repo.repository import open_repo

from tests.support.customers import TEAM_YAML, customer_dict, dump_yaml
from tests.support.paths import SCHEMA_SRC

PATH = "customers/C20240501001.yaml"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = tmp_path_factory.mktemp("audit-prop")
    (root / "customers").mkdir()
    (root / "team.yaml").write_text(TEAM_YAML, encoding="utf-8")
    (root / "kehu.yaml").write_text(default_config_text(), encoding="utf-8")
    shutil.copytree(SCHEMA_SRC, root / "schema")
    return open_repo(root)


def interaction(day: int, by: str, text: str) -> dict:
    return {"date": f"2024-05-{day:02d}", "channel": "call", "by": by, "summary": f"沟通{text}"}


# distinct (date, by) pairs, so every interaction is its own record
entries = st.lists(st.tuples(st.integers(1, 28), st.sampled_from(["lixia", "wangfang"])), min_size=1,
                   max_size=8, unique=True)
ops = st.lists(st.sampled_from(["keep", "remove", "rewrite"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries, ops, st.integers(0, 3), st.booleans())
def test_errors_count_the_past_records_changed(repo, keys, plan, added, corrected):
    base = [interaction(d, by, f"第{i}次") for i, (d, by) in enumerate(keys)]
    head, expected, corrections = [], 0, []
    for i, item in enumerate(base):
        op = plan[i] if i < len(plan) else "keep"
        if op != "keep":
            expected += 1
            corrections.append({"date": "2024-05-30", "by": "lixia", "field": "interactions", "entry": item["date"],
                                "reason": "录入错误"})
        if op == "remove":
            continue
        head.append({**item, "summary": item["summary"] + "（改）"} if op == "rewrite" else item)
    head += [interaction(29, "lixia", f"新{k}") for k in range(added)]  # additions never count
    old = dump_yaml(customer_dict(interactions=base)).encode()
    extra = {"corrections": corrections} if corrected and corrections else {}
    new = dump_yaml(customer_dict(interactions=head, **extra)).encode()
    problems = history_problems(repo, [FilePair(PATH, PATH, old, new)], "main", {})
    if corrected:
        assert problems == []
    else:
        assert len(problems) == expected, [p.message for p in problems]
        assert all(p.file == PATH for p in problems)
