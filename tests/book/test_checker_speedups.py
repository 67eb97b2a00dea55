"""What the checker's speed-ups must not change: the synthetic benchmark repository (tests/support/synth.py) is
valid, a parallel check says exactly what a serial one says, the near-duplicate
filter finds every pair a brute-force comparison finds, and the fast YAML tag
resolver gives PyYAML's tags. (No timings here: benchmarks/ measures those.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from kehu.book.checker import PARALLEL_THRESHOLD, check
from kehu.repo.repository import open_repo
from kehu.repo.yamlload import _FastLoader

from tests.support import synth


def _kehu(root: Path, *args: str, today: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KEHU_TODAY": today}
    env.pop("KEHU_LOCALE", None)
    return subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(root), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_synthetic_repository_passes_check_and_is_deterministic(tmp_path):
    synth.make_repo(tmp_path / "a", 70, seed=3)
    synth.make_repo(tmp_path / "b", 70, seed=3)
    files_a = sorted(p.name for p in (tmp_path / "a" / "customers").iterdir())
    assert len(files_a) == 70
    for name in files_a:
        assert (tmp_path / "a" / "customers" / name).read_bytes() == (tmp_path / "b" / "customers" / name).read_bytes()
    run = _kehu(tmp_path / "a", "check", "--format", "json", "--no-cache", today=synth.TODAY.isoformat())
    report = json.loads(run.stdout)
    assert run.returncode == 0, run.stdout[-2000:]
    assert report["summary"]["errors"] == 0
    assert report["summary"]["files_checked"] == 70


def test_parallel_check_says_exactly_what_a_serial_check_says(tmp_path, monkeypatch):
    n = PARALLEL_THRESHOLD + 16
    synth.make_repo(tmp_path, n, seed=5)
    files = sorted((tmp_path / "customers").iterdir())
    # a spread of problems: a YAML error, a schema error, a rule error, a cross-file duplicate
    files[3].write_text(files[3].read_text(encoding="utf-8").replace("stage:", "stage: [", 1), encoding="utf-8")
    files[10].write_text(files[10].read_text(encoding="utf-8").replace("channel: call", "channel: 电话"),
                         encoding="utf-8")
    text = files[20].read_text(encoding="utf-8")
    files[20].write_text(text.replace("by: ", "by: nobody\n    x_by: ", 1), encoding="utf-8")
    phone = next(line for line in files[30].read_text(encoding="utf-8").splitlines() if "phone:" in line)
    text = files[40].read_text(encoding="utf-8")
    old_phone = next(line for line in text.splitlines() if "phone:" in line)
    files[40].write_text(text.replace(old_phone, phone, 1), encoding="utf-8")
    monkeypatch.delenv("KEHU_LOCALE", raising=False)
    today = synth.TODAY
    serial = check(open_repo(tmp_path, today=today), use_cache=False, jobs=1)
    parallel = check(open_repo(tmp_path, today=today), use_cache=False, jobs=2)
    assert serial.errors >= 4
    assert [p.as_dict() for p in parallel.problems] == [p.as_dict() for p in serial.problems]
    cached = check(open_repo(tmp_path, today=today), use_cache=True, jobs=2)
    again = check(open_repo(tmp_path, today=today), use_cache=True, jobs=2)
    assert again.cached == n
    assert [p.as_dict() for p in cached.problems] == [p.as_dict() for p in again.problems] == \
           [p.as_dict() for p in serial.problems]


def _tags(loader: type, text: str) -> list:
    try:
        node = loader(text).get_single_node()
    except yaml.YAMLError as e:  # then both loaders must refuse it the same way
        return [str(e)]
    out = []

    def walk(n: yaml.Node) -> None:
        out.append((type(n).__name__, n.tag, n.value if isinstance(n, yaml.ScalarNode) else None))
        if isinstance(n, yaml.SequenceNode):
            for child in n.value:
                walk(child)
        elif isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                walk(key)
                walk(value)

    walk(node)
    return out


def test_fast_tag_resolver_gives_pyyamls_tags():
    scalars = ["", "~", "null", "Null", "NULL", "nUll", "yes", "No", "n", "y", "on", "Off", "true", "False", "0x1F",
               "0o17", "017", "0b101", "1_000", "1:20", "190:20:30", ".inf", "-.INF", ".NaN", "2024-05-01", "2024-5-1",
               "2024-05-01T10:00:00Z", "2024-05-01 10:00:00.5 +08:00", "1e3", "1.0e+3", "+1", "-0", "1.5", ".5",
               "<<", "=", "上海", "13800138000", "-", "685_230.15"]
    shapes = ["k: {}", "k: '{}'", 'k: "{}"', "- {}", "{}: x", "k: [{}]", "k: {{a: {}}}"]
    for _ in range(2):  # the second round answers from the resolver's memo
        for scalar in scalars:
            for shape in shapes:
                if scalar == "" and shape.startswith("{}"):
                    continue
                text = shape.format(scalar)
                assert _tags(_FastLoader, text) == _tags(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader,
                                                         text), text
