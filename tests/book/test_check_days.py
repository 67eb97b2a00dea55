"""The checker's verdicts are kept per file content with the days they hold (checker.valid_until): a new day
re-checks only the files whose verdict may change that day, and a kept verdict is never a stale one — on every
day, the cached check says exactly what a check without any cache says."""

from __future__ import annotations

import datetime as dt

import pytest
from kehu.book import checker
from kehu.repo import files

from tests.support.customers import customer_dict

DAY = dt.date(2024, 6, 1)


def _days(n: int) -> list[str]:
    return [(DAY + dt.timedelta(days=k)).isoformat() for k in range(n)]


def _verdict(repo, today: str, use_cache: bool) -> list[tuple]:
    return sorted((p.file, p.line, p.code, p.message) for p in repo.check(today=today, use_cache=use_cache).problems)


@pytest.mark.parametrize("case", ["future-interaction", "first-followup", "close-date", "quiet-and-survey"])
def test_the_cached_verdict_equals_a_fresh_one_on_every_day(repo, case) -> None:
    soon = (DAY + dt.timedelta(days=2)).isoformat()
    if case == "future-interaction":  # an error until the day comes, then none
        call = {"date": soon, "channel": "call", "by": "lixia", "summary": "约好的回访电话"}
        data = customer_dict(interactions=[call])
    elif case == "first-followup":  # a new customer nobody called: a warning once its first day has passed
        data = customer_dict(created=DAY.isoformat(), interactions=[])
    elif case == "close-date":  # an open opportunity whose close date passes
        data = customer_dict(opportunities=[{"id": "O20240501-aa01", "what": "年度续约", "amount": 50000,
                                             "close": soon, "stage": "quoted", "created": "2024-05-01"}],
                             stage="quoted")
    else:
        data = customer_dict(quiet_until=soon, quiet_reason="春节", verified="2024-05-01")
    repo.write_customer(data)
    repo.write_customer(customer_dict(id="C20240501002", name="杭州云帆网络有限公司",
                                      contacts=[{"name": "李娜", "phone": "13900139000"}]))
    seen = set()
    for today in _days(6):
        cached, fresh = _verdict(repo, today, True), _verdict(repo, today, False)
        assert cached == fresh, today
        seen.add(tuple(p[2] for p in fresh))
    assert len(seen) > 1 or case == "quiet-and-survey"  # the verdict did change over the days (the test can fail)


def test_a_day_that_changes_nothing_reads_from_the_cache(repo) -> None:
    repo.write_customer(customer_dict())
    first = repo.check(today="2024-06-01", use_cache=True)
    later = repo.check(today="2024-06-20", use_cache=True)
    assert first.cached == 0 and later.cached == 1
    assert [p.code for p in later.problems] == [p.code for p in first.problems]


def test_an_unchanged_file_is_not_read_again_when_its_verdict_is_kept(repo, monkeypatch) -> None:
    for n in range(1, 4):
        repo.write_customer(customer_dict(id=f"C2024050100{n}", name=f"上海启明{n}号科技有限公司",
                                          contacts=[{"name": "张伟", "phone": f"1380013800{n}"}]))
    import os
    import time

    from kehu.book import scan

    past = time.time() - 3600
    for path in repo.customers.glob("*.yaml"):
        os.utime(path, (past, past))
    time.sleep(scan.RACY_SECONDS + 0.1)  # a file changed within seconds of a scan is "racily clean": read again
    repo.check(use_cache=True)
    repo.check(use_cache=True)  # the scan now knows each file's content from its stat
    reads: list[str] = []
    real = files.read_file

    def counting(name: str, path: str, r):  # type: ignore[no-untyped-def]
        reads.append(name)
        return real(name, path, r)

    monkeypatch.setattr(checker, "read_file", counting)
    result = repo.check(use_cache=True)
    assert result.cached == 3 and reads == []
    (repo.customers / "C20240501002.yaml").write_text(
        (repo.customers / "C20240501002.yaml").read_text(encoding="utf-8").replace("lixia", "wangfang"),
        encoding="utf-8")
    result = repo.check(use_cache=True)
    assert reads == ["customers/C20240501002.yaml"] and result.cached == 2
