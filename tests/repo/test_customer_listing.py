"""One listing of customer files and one way to name a file, shared by every reader.

``kehu.repo.files.customer_scan`` is the only scan of customers/: the checker, lookup, dedupe, import's
grouping, CODEOWNERS and ``kehu fmt`` all see the same files under the same names. A short name (``a.yml``)
counts like any other; a link, a folder or a FIFO named like a customer file is reported, never read.
``file_name`` names a file the same way whether it was listed or typed on the command line.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kehu.book.checker import check
from kehu.book.loader import open_book
from kehu.git.codeowners import ownership
from kehu.io.grouping import Grouping
from kehu.repo.files import customer_listing, customer_scan, file_name
from kehu.store.dedupe import repo_entries, rules_for

CUSTOMER = """\
id: {id}
name: {name}
industry: I65
stage: lead
owner: lixia
created: 2024-05-01
"""


def _customers(root: Path) -> None:
    folder = root / "customers"
    (folder / "a.yml").write_text(CUSTOMER.format(id="a", name="甲公司"), encoding="utf-8")
    (folder / "C20240501002.yaml").write_text(CUSTOMER.format(id="C20240501002", name="乙公司"), encoding="utf-8")
    (folder / ".yaml").write_text("not a customer: no name before the suffix\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a customer\n", encoding="utf-8")
    (folder / "folder.yaml").mkdir()
    (folder / "link.yaml").symlink_to(folder / "C20240501002.yaml")
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.yaml")


EXPECTED = ["customers/C20240501002.yaml", "customers/a.yml"]


def test_the_listing_takes_plain_yaml_files_and_reports_the_rest(repo) -> None:
    _customers(repo.root)
    listed, odd = customer_scan(repo.root)
    assert list(listed) == EXPECTED
    assert [Path(p).name for p in listed.values()] == ["C20240501002.yaml", "a.yml"]
    assert sorted(odd) == sorted(["customers/folder.yaml", "customers/link.yaml"]
                                 + (["customers/fifo.yaml"] if hasattr(os, "mkfifo") else []))


def test_a_linked_customers_folder_is_reported_and_never_read(tmp_path: Path, repo) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "C1.yaml").write_text(CUSTOMER.format(id="C1", name="甲"), encoding="utf-8")
    (repo.root / "customers").rmdir()
    (repo.root / "customers").symlink_to(elsewhere)
    assert customer_scan(repo.root) == ({}, ["customers"])


def test_every_reader_sees_the_same_files_under_the_same_names(repo) -> None:
    _customers(repo.root)
    opened = repo.open()
    assert list(customer_listing(opened)) == EXPECTED
    book = open_book(opened, use_cache=False)
    assert [e.file for e in sorted(book.entries, key=lambda e: e.file)] == EXPECTED   # the book: every output
    assert [i.file for i in book.index.items] == EXPECTED                            # lookup, show, due, new
    assert sorted(e.file for e in repo_entries(opened)) == EXPECTED                  # dedupe
    assert [row[0] for row in ownership(opened, opened.team).customers] == [f"/{n}" for n in EXPECTED]  # CODEOWNERS
    assert sorted(Grouping(opened, rules_for(opened, "")).existing) == ["C20240501002", "a"]  # import
    checked = check(opened, None, use_cache=False, jobs=1)
    assert checked.files_total == len(EXPECTED)
    assert sorted(checked.keys) == EXPECTED                                          # kehu check


def test_fmt_formats_the_listed_files(repo) -> None:
    _customers(repo.root)
    (repo.root / "customers" / "link.yaml").unlink()
    (repo.root / "customers" / "folder.yaml").rmdir()
    if hasattr(os, "mkfifo"):
        (repo.root / "customers" / "fifo.yaml").unlink()
    for name in EXPECTED:  # the keys out of schema order: fmt --check names every file it reads
        path = repo.root / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join([lines[1], lines[0], *lines[2:]]), encoding="utf-8")
    run = repo.kehu("fmt", "--check")
    assert run.returncode != 0
    for name in EXPECTED:
        assert name in run.stdout + run.stderr


@pytest.mark.parametrize("how", ["absolute", "relative", "through a linked folder"])
def test_a_file_is_named_the_same_however_it_is_given(repo, tmp_path: Path, monkeypatch, how: str) -> None:
    _customers(repo.root)
    listed = customer_listing(repo.open())
    if how == "absolute":
        given = repo.root / "customers" / "a.yml"
    elif how == "relative":
        monkeypatch.chdir(repo.root / "customers")
        given = Path("a.yml")
    else:
        (tmp_path / "shortcut").symlink_to(repo.root / "customers")
        given = tmp_path / "shortcut" / "a.yml"
    assert file_name(repo.root, given) == "customers/a.yml"
    assert file_name(repo.root, given) in listed


def test_a_link_is_named_as_itself(repo) -> None:
    _customers(repo.root)
    assert file_name(repo.root, repo.root / "customers" / "link.yaml") == "customers/link.yaml"
