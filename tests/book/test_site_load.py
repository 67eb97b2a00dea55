"""The one loader (kehu.book.loader): each file parsed once, records cached by content, never stale; every
customer in, with its problems; a file that is no customer named, never guessed at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kehu.book import loader as site_load
from kehu.book.checker import CACHE_DIR
from kehu.book.loader import RECORDS_FILE, open_book
from kehu.repo.model import customer_from, customer_from_record, record_of
from kehu.repo.yamlload import load_yaml_bytes

from tests.support.customers import customer_dict
from tests.support.paths import PROJECT

DEMO = PROJECT / "customers"


@pytest.fixture(autouse=True)
def _fresh_process_cache():
    site_load._PARSED.clear()  # the in-process cache of `kehu serve` would hide what the disk cache does
    yield
    site_load._PARSED.clear()


@pytest.mark.parametrize("path", sorted(DEMO.glob("*.yaml"))[:12], ids=lambda p: p.stem)
def test_a_record_rebuilds_the_same_customer_even_through_json(path):
    loaded = load_yaml_bytes(f"customers/{path.name}", path.read_bytes(), None, 1 << 20)
    assert not loaded.problems
    direct = customer_from(loaded)
    record = json.loads(json.dumps(record_of(loaded), ensure_ascii=False))
    again = customer_from_record(direct.file, record)
    assert again == direct
    assert [i.line for i in again.interactions] == [i.line for i in direct.interactions]
    assert again.line_of("interactions") == direct.line_of("interactions") > 1


def _records(root: Path) -> dict:
    from kehu.book.checker import load_cache_json

    return load_cache_json(root / CACHE_DIR / RECORDS_FILE)["records"]


def test_records_are_cached_by_content_and_an_edit_is_never_stale(make_repo):
    r = make_repo()
    r.write_customer(customer_dict())
    r.write_customer(customer_dict(id="C20240501002", name="杭州云帆网络有限公司",
                                   contacts=[{"name": "李娜", "phone": "13900139000"}]))
    first = open_book(r.open(), jobs=1)
    assert [c.name for c in first.customers] == ["上海启明科技有限公司", "杭州云帆网络有限公司"]
    assert len(_records(r.root)) == 2

    site_load._PARSED.clear()
    again = open_book(r.open(), jobs=1)  # both from the caches: the same customers
    assert again.customers == first.customers

    site_load._PARSED.clear()
    r.write_customer(customer_dict(name="上海启明智能科技有限公司"))
    edited = open_book(r.open(), jobs=1)
    assert [c.name for c in edited.customers] == ["上海启明智能科技有限公司", "杭州云帆网络有限公司"]
    assert len(_records(r.root)) == 2  # the old content's record is dropped, not kept forever


def test_a_broken_records_cache_is_ignored(make_repo):
    r = make_repo()
    r.write_customer(customer_dict())
    assert open_book(r.open(), jobs=1).customers  # the book reads the files when asked
    path = r.root / CACHE_DIR / RECORDS_FILE
    for text in ("{not json", json.dumps({"env": "other", "records": {}}), json.dumps([1, 2])):
        path.write_text(text, encoding="utf-8")
        site_load._PARSED.clear()
        assert [c.name for c in open_book(r.open(), jobs=1).customers] == ["上海启明科技有限公司"]


def test_a_verdict_from_the_check_cache_still_gets_its_record(make_repo):
    """`kehu check` ran first (pre-commit, CI): its cache answers the verdict, and the site parses the file."""
    r = make_repo()
    r.write_customer(customer_dict())
    r.check(use_cache=True)
    loaded = open_book(r.open(), jobs=1)
    assert loaded.check(records=True).cached == 1 and not loaded.check(records=True).records
    assert [c.name for c in loaded.customers] == ["上海启明科技有限公司"]
    assert len(_records(r.root)) == 1


def test_a_file_that_fails_the_schema_is_no_customer_and_gets_no_record(make_repo):
    r = make_repo()
    r.write_customer(customer_dict())
    r.write_customer(customer_dict(id="C20240501002", name="坏文件有限公司", stage="nonsense",
                                   contacts=[{"name": "李娜", "phone": "13900139000"}]))
    book = open_book(r.open(), jobs=1)
    assert [c.id for c in book.customers] == ["C20240501001"]
    assert [(e.file, e.name) for e in book.unreadable] == [("customers/C20240501002.yaml", "坏文件有限公司")]
    assert book.counts.unreadable == 1 and book.counts.customers == 1
    assert len(_records(r.root)) == 1


def test_a_customer_with_rule_errors_is_in_the_book_marked(make_repo):
    """An unknown owner (a colleague removed from team.yaml) and one company in two files: both customers
    are in the book, each with its errors; nothing is left out."""
    r = make_repo()
    r.write_customer(customer_dict(owner="former"))
    r.write_customer(customer_dict(id="C20240501002", name="上海启明科技集团",
                                   contacts=[{"name": "李娜", "phone": "13912345678"}]))  # the first one, again
    r.write_customer(customer_dict(id="C20240501003", name="北京北辰数据有限公司",
                                   contacts=[{"name": "赵强", "phone": "13700137000"}]))
    book = open_book(r.open(), jobs=1)
    assert [c.id for c in book.customers] == ["C20240501001", "C20240501002", "C20240501003"]
    codes = {e.id: sorted({p.code for p in e.errors}) for e in book.entries}
    assert codes["C20240501001"] == ["duplicate-name", "unknown-handle"]
    assert codes["C20240501002"] == ["duplicate-name"]
    assert codes["C20240501003"] == []
    assert book.counts.with_errors == 2 and not book.unreadable
    assert set(book.facts) == {"C20240501001", "C20240501002", "C20240501003"}


def test_two_files_with_one_id_are_both_in_the_book(make_repo):
    """A bad merge left two files saying one id: the one named so keeps it, the other is named by its file."""
    r = make_repo()
    r.write_customer(customer_dict())
    r.write_customer(customer_dict(name="杭州云帆网络有限公司", contacts=[{"name": "李娜", "phone": "13900139000"}]),
                     name="C20240501009")
    book = open_book(r.open(), jobs=1)
    assert [(e.id, e.file, e.name) for e in book.entries] == [
        ("C20240501001", "customers/C20240501001.yaml", "上海启明科技有限公司"),
        ("C20240501009", "customers/C20240501009.yaml", "杭州云帆网络有限公司")]
    assert all(e.errors for e in book.entries)


@pytest.mark.parametrize("read", ["parsed in workers", "from the records cache"])
def test_the_book_holds_each_short_text_and_day_once(make_repo, read):
    """A large book says the same owners, channels and days over and over: each is held once, however the
    customers were read (kehu.util.sharing); a long text is held as it was read."""
    r = make_repo()
    summary = "拜访客户，讨论二期需求与报价，对方希望下周给出方案"
    for n in range(70):  # past the workers' threshold
        r.write_customer(customer_dict(id=f"C20240501{n:03d}", name=f"杭州{n}号网络有限公司",
                                       interactions=[{"date": "2024-06-03", "channel": "visit", "by": "lixia",
                                                      "summary": summary}]))
    if read == "from the records cache":
        assert len(open_book(r.open(), jobs=2).customers) == 70
        site_load._PARSED.clear()
        assert len(_records(r.root)) == 70
    customers = open_book(r.open(), jobs=2).customers
    first, last = customers[0], customers[-1]
    assert first.owner == last.owner and first.owner is last.owner
    a, b = first.interactions[0], last.interactions[0]
    assert a.channel is b.channel and a.by is b.by and a.date is b.date
    # the key names: once per batch of files a worker sends back (here 5 batches of 16), not once a customer
    assert len({id(k) for c in customers for k in c.raw["interactions"][0]}) <= 4 * 5
    assert a.summary == b.summary == summary  # longer than kehu.util.sharing.SHARED_TEXT: equal, not shared
