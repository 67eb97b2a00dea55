"""The book index (kehu.book.index): whatever happens to the customer files — changed, added, deleted, renamed,
rewritten within the same second with the same size and the old modification time — its answers are
those of a fresh look at every file: the lookup, the duplicate entries, the team's revenue and every
customer's due follow-up (compared with kehu.core.derive over all customers)."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kehu.book.index import DAYS
from kehu.book.loader import open_book
from kehu.core.derive import derive_all, team_revenue

from tests.support.customers import customer_dict

TODAY = dt.date(2024, 6, 1)


def _customer(n: int, **over) -> dict:
    base = customer_dict(id=f"C20240501{n:03d}", name=f"上海{'启明华信达通宏远恒泰瑞丰'[n % 11]}{n}号科技有限公司",
                         contacts=[{"name": "张伟", "phone": f"1380013{n:04d}", "email": f"z{n}@example.com",
                                    "primary": True}])
    base.update(over)
    return base


def _fresh(repo) -> dict:
    """What a look at every file says (no index involved)."""
    r = repo.open()
    loaded = load_all_uncached(r)
    facts = derive_all(loaded.customers, r.config, r.config.today)
    return {"ids": sorted(c.id for c in loaded.customers),
            "revenue": team_revenue(loaded.customers, r.config.today),
            "due": {c.id: (facts[c.id].due.date.isoformat() if facts[c.id].due else None,
                           facts[c.id].due.reason if facts[c.id].due else None, facts[c.id].klass)
                    for c in loaded.customers},
            "names": {c.id: c.name for c in loaded.customers}}


def load_all_uncached(r):
    """Every customer that loads and passes the schema, parsed here from the files (no cache, no index)."""
    from types import SimpleNamespace

    from kehu.repo.model import customer_from
    from kehu.repo.yamlload import load_yaml_bytes

    customers = []
    for path in sorted(r.customers_dir.glob("*.yaml")):
        loaded = load_yaml_bytes(f"customers/{path.name}", path.read_bytes(), r.msgs)
        if not loaded.problems and isinstance(loaded.data, dict) and not r.schemas.validate("customer", loaded, r.msgs):
            customers.append(customer_from(loaded))
    return SimpleNamespace(customers=customers)


def book(r):
    return open_book(r).index


def resolve(r, query: str) -> Path:
    return open_book(r).resolve(query)


def _indexed(repo) -> dict:
    r = repo.open()
    b = book(r)
    valid = [i for i in b.items if i.valid]
    return {"ids": sorted(i.id for i in valid), "revenue": b.team_revenue(r.config.today),
            "due": {i.id: (row[0], row[1], row[3]) for i, row in b.due_rows(r.config.today)},
            "names": {i.id: i.name for i in valid}}


def test_a_first_look_equals_a_fresh_look(repo):
    for n in range(1, 6):
        repo.write_customer(_customer(n))
    assert _indexed(repo) == _fresh(repo)
    assert (repo.root / ".kehu-cache" / "index-v1.json").is_file()
    assert _indexed(repo) == _fresh(repo)  # and from the saved index


def test_a_rewrite_with_the_same_size_and_modification_time_is_seen(repo):
    path = repo.write_customer(_customer(1, stage="negotiating"))
    repo.write_customer(_customer(2))
    past = 1_600_000_000_000_000_000
    os.utime(path, ns=(past, past))  # long before the scan: the index trusts its stat, not a racy re-read
    assert _indexed(repo)["due"]["C20240501001"][2] == "potential"
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    swapped = text.replace("name: 上海明1号", "name: 上海明9号")  # same size
    assert len(swapped.encode()) == len(text.encode()) and swapped != text
    path.write_text(swapped, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the old modification time back
    assert _indexed(repo)["names"]["C20240501001"] == "上海明9号科技有限公司"


def test_an_old_index_entry_is_not_trusted_when_the_file_changed_long_after(repo):
    path = repo.write_customer(_customer(1))
    past = 1_600_000_000_000_000_000
    os.utime(path, ns=(past, past))  # long before any scan: trusted by its stat …
    _indexed(repo)
    path.write_text(path.read_text(encoding="utf-8").replace("owner: lixia", "owner: wangfang"), encoding="utf-8")
    os.utime(path, ns=(past, past))  # … until the file changes: size and change time differ
    b = book(repo.open())
    assert [i.owner for i in b.items] == ["wangfang"]


def test_added_deleted_and_renamed_files_are_always_reflected(repo):
    for n in range(1, 4):
        repo.write_customer(_customer(n))
    r = repo.open()
    assert resolve(r, "上海华2号").name == "C20240501002.yaml"
    repo.write_customer(_customer(4))
    assert resolve(repo.open(), "上海达4号").name == "C20240501004.yaml"
    (repo.customers / "C20240501002.yaml").unlink()
    assert _indexed(repo) == _fresh(repo)
    with pytest.raises(Exception, match="上海华2号"):
        resolve(repo.open(), "上海华2号")
    (repo.customers / "C20240501003.yaml").rename(repo.customers / "C20240501033.yaml")
    b = book(repo.open())
    assert sorted(i.file for i in b.items) == ["customers/C20240501001.yaml", "customers/C20240501004.yaml",
                                                "customers/C20240501033.yaml"]
    dup = {e.file: e for e in b.duplicate_entries()}
    assert dup["customers/C20240501033.yaml"].id == "C20240501003"


def test_pinyin_lookup_comes_from_the_index(repo):
    repo.write_customer(_customer(1, name="苏州星河智能装备有限公司"))
    repo.write_customer(_customer(2))
    assert resolve(repo.open(), "xinghe").name == "C20240501001.yaml"


def test_an_invalid_file_is_known_but_left_out_of_the_facts(repo):
    repo.write_customer(_customer(1))
    bad = repo.write_customer(_customer(2, industry="软件"))
    b = book(repo.open())
    assert {i.file: i.valid for i in b.items} == {"customers/C20240501001.yaml": True,
                                                  "customers/C20240501002.yaml": False}
    assert [i.id for i, _ in b.due_rows(TODAY)] == ["C20240501001"]
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    assert [i.id for i in book(repo.open()).items] == ["C20240501001", "C20240501002"]


def test_a_broken_index_file_is_rebuilt(repo):
    repo.write_customer(_customer(1))
    _indexed(repo)
    for name in ("index-v1.json", "index-due-v1.json", "index-dup-v1.json"):
        (repo.root / ".kehu-cache" / name).write_text("{not json", encoding="utf-8")
    assert _indexed(repo) == _fresh(repo)


def test_days_beyond_the_kept_week_are_derived_again(repo):
    repo.write_customer(_customer(1, interactions=[{"date": "2024-05-20", "channel": "call", "by": "lixia",
                                                    "summary": "沟通Q2续约需求，客户对售后服务满意"}]))
    _indexed(repo)
    later = (TODAY + dt.timedelta(days=DAYS + 3)).isoformat()
    assert _indexed_on(repo, later) == _fresh_on(repo, later)


def _indexed_on(repo, day: str) -> dict:
    r = repo.open(today=day)
    b = book(r)
    return {i.id: row[:5] for i, row in b.due_rows(r.config.today)}


def _fresh_on(repo, day: str) -> dict:
    r = repo.open(today=day)
    loaded = load_all_uncached(r)
    facts = derive_all(loaded.customers, r.config, r.config.today)
    return {c.id: [f.due.date.isoformat() if f.due else None, f.due.reason if f.due else None,
                   f.due.action if f.due else None, f.klass, f.status] for c, f in
            ((c, facts[c.id]) for c in loaded.customers)}


def test_the_core_share_of_the_team_revenue_follows_the_other_files(repo):
    """A customer's class depends on the other customers' revenue: a change in another file changes it."""
    deals = [{"product": "数据中台建设", "amount": 60000, "signed": "2023-01-10"}]
    big = {"annual_value": 60000, "cooperation_since": "2023-01-10", "repurchase_rate": 0.9, "deals": deals,
           "stage": "won"}
    repo.write_customer(_customer(1, **big))
    repo.write_customer(_customer(2, **{**big, "annual_value": 50000}))
    assert _indexed(repo) == _fresh(repo)
    assert _indexed(repo)["due"]["C20240501001"][2] == "core"  # 60,000 of 110,000: over a fifth
    repo.write_customer(_customer(3, **{**big, "annual_value": 900000}))
    assert _indexed(repo) == _fresh(repo)
    assert _indexed(repo)["due"]["C20240501001"][2] == "key"


OPS = st.lists(st.tuples(st.sampled_from(["edit", "add", "delete", "rename", "touch", "same-size"]),
                         st.integers(0, 7)), min_size=1, max_size=8)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPS)
def test_any_sequence_of_changes_gives_fresh_answers(make_repo, ops):
    repo = make_repo()
    for n in range(1, 4):
        repo.write_customer(_customer(n))
    rng = random.Random(len(ops))
    assert _indexed(repo) == _fresh(repo)
    for op, n in ops:
        files = sorted(repo.customers.glob("*.yaml"))
        path: Path = files[n % len(files)] if files else repo.customers / "none.yaml"
        if op == "add":
            repo.write_customer(_customer(10 + n + rng.randrange(50)))
        elif not files:
            continue
        elif op == "edit":
            path.write_text(path.read_text(encoding="utf-8").replace("stage: negotiating", "stage: quoted")
                            .replace("owner: lixia", "owner: wangfang"), encoding="utf-8")
        elif op == "delete" and len(files) > 1:
            path.unlink()
        elif op == "rename":
            path.rename(path.with_name(f"C20240502{n:03d}.yaml"))
        elif op == "touch":
            os.utime(path)
        elif op == "same-size":
            st_ = os.stat(path)
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("采购经理", "技术总监"), encoding="utf-8")
            os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns))
        assert _indexed(repo) == _fresh(repo), (op, n)
