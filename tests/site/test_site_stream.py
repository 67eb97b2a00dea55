"""Customer pages streamed to disk (kehu.site.stream): the same bytes MkDocs writes, and a rebuild that rewrites
only what changed.

Each test builds the demo book plus the hostile fixture customer (a name full of markup, quotes and template
syntax) with the real ``kehu build`` in a subprocess, once with the customer pages written by kehu into the
shell MkDocs built (the default) and, where compared, once with every page built by MkDocs
(``customer_pages: mkdocs``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kehu.site.stream import SHELL_ID

from tests.support.customers import customer_dict, dump_yaml
from tests.support.git import commit_all, git
from tests.support.paths import PROJECT, copy_demo_team

TODAY = "2026-11-23"
EVIL = PROJECT / "tests" / "site" / "fixtures" / "C20261101099.yaml"
MARKER = ".kehu-site"


def team(tmp: Path) -> Path:
    root = tmp / "team"
    root.mkdir()
    copy_demo_team(root)
    shutil.copy2(EVIL, root / "customers" / EVIL.name)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "demo data", name="李霞", email="lixia@example.com")
    return root


def configure(root: Path, *, pages: str | None = None, directory_urls: bool = True) -> None:
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    if pages is not None:
        assert "\n  - kehu\n" in text, "the demo mkdocs.yml changed"
        text = text.replace("\n  - kehu\n", f"\n  - kehu:\n      customer_pages: {pages}\n")
    if not directory_urls:
        assert "use_directory_urls: true\n" in text, "the demo mkdocs.yml changed"
        text = text.replace("use_directory_urls: true\n", "use_directory_urls: false\n")
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")


def build(root: Path, out: Path) -> int:
    """``kehu build``; how many pages MkDocs was handed (the plugin's log line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env["KEHU_TODAY"] = TODAY
    done = subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(root), "build", "-v", "--out", str(out)],
                          capture_output=True, text=True, env=env, cwd=root, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    handed = re.search(r"kehu: \d+ customers, (\d+) pages generated", done.stdout + done.stderr)
    assert handed is not None, done.stdout + done.stderr
    return int(handed.group(1))


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def customer_pages(site: Path, directory_urls: bool = True) -> set[str]:
    pattern = "customers/*/index.html" if directory_urls else "customers/*.html"
    return {p.relative_to(site).as_posix() for p in site.glob(pattern)} - {"customers/index.html",
                                                                            "customers/compact/index.html"}


RENAME = ("\nname: ", "\nname: 改名")


def rename_and_build(root: Path, target: Path, out: Path, before: dict[str, bytes], nodes: dict[str, int],
                     edit: tuple[str, str] = RENAME) -> tuple[dict[str, bytes], set[str], set[str]]:
    """Rename one customer (or make another ``edit``), commit, build into ``out`` again: the files, those whose
    bytes changed and those written again (a new inode)."""
    text = target.read_text(encoding="utf-8")
    assert edit[0] in text
    target.write_text(text.replace(*edit, 1), encoding="utf-8")
    commit_all(root, "one customer changed", name="李霞", email="lixia@example.com")
    build(root, out)
    after, renodes = files(out), inodes(out)
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    return after, changed, {rel for rel in after if nodes.get(rel) != renodes[rel]}


@pytest.mark.parametrize("directory_urls", [True, False])
def test_streamed_pages_are_the_bytes_mkdocs_writes(tmp_path: Path, directory_urls: bool) -> None:
    root = team(tmp_path)
    configure(root, directory_urls=directory_urls)
    streamed_pages = build(root, tmp_path / "streamed")
    configure(root, pages="mkdocs")  # the site folder is another one, so nothing of the first build is kept
    mkdocs_pages = build(root, tmp_path / "mkdocs")
    streamed, built = files(tmp_path / "streamed"), files(tmp_path / "mkdocs")
    customers = len(list((root / "customers").glob("*.yaml")))
    assert mkdocs_pages - streamed_pages == customers - 1  # one shell instead of every customer's page
    assert len(customer_pages(tmp_path / "streamed", directory_urls)) == customers > 50
    evil = f"customers/{EVIL.stem}/index.html" if directory_urls else f"customers/{EVIL.stem}.html"
    assert b"&lt;script&gt;window.__xss=1" in streamed[evil] and b"<script>window.__xss" not in streamed[evil]
    assert sorted(streamed) == sorted(built)
    assert [rel for rel in streamed if streamed[rel] != built[rel]] == []
    assert not any(SHELL_ID in rel for rel in streamed)
    assert not any(SHELL_ID.encode() in data for data in streamed.values())


def test_a_one_customer_change_rewrites_only_that_customer_and_the_pages_that_list_it(tmp_path: Path) -> None:
    root = team(tmp_path)
    out = tmp_path / "site"
    build(root, out)
    before, nodes = files(out), inodes(out)
    target = sorted((root / "customers").glob("C2*.yaml"))[3]
    after, changed, rewritten = rename_and_build(root, target, out, before, nodes)
    page = f"customers/{target.stem}/index.html"
    assert page in changed and "customers/index.html" in changed  # the customer, and the list that names it
    assert rewritten == changed, (sorted(rewritten - changed), sorted(changed - rewritten))
    others = customer_pages(out) - {page}
    assert others and not others & rewritten
    assert len(rewritten) < len(after) // 4
    build(root, tmp_path / "cold")  # another folder: nothing kept, every page rendered
    assert files(tmp_path / "cold") == after  # what was kept (pages, search entries) is what a cold build makes


def test_a_page_touched_since_or_a_customer_gone_is_not_kept(tmp_path: Path) -> None:
    root = team(tmp_path)
    out = tmp_path / "site"
    build(root, out)
    pages = sorted(customer_pages(out))
    touched, gone = pages[0], pages[1]
    original = (out / touched).read_bytes()
    (out / touched).write_bytes(b"<p>edited by hand</p>")
    gone_id = gone.split("/")[1]
    git(root, "rm", "-q", f"customers/{gone_id}.yaml")
    commit_all(root, "a customer removed", name="李霞", email="lixia@example.com")
    build(root, out)
    assert (out / touched).read_bytes() == original
    assert not (out / gone).exists() and not (out / gone).parent.exists()
    assert (out / pages[2]).is_file()


def test_a_number_another_customer_now_holds_is_masked_on_a_kept_page(tmp_path: Path) -> None:
    """A page masks, in its free text, every number of the book's contacts: when a merge gives another customer
    that number, the page is made again, never kept with the number showing."""
    root = team(tmp_path)
    out = tmp_path / "site"
    target = sorted((root / "customers").glob("C2*.yaml"))[2]
    text = target.read_text(encoding="utf-8")
    at = text.rindex("    summary: ") + len("    summary: ")
    target.write_text(text[:at] + "请拨总机 021-62345678 找采购" + text[text.index("\n", at):], encoding="utf-8")
    commit_all(root, "a landline in a summary", name="李霞", email="lixia@example.com")
    build(root, out)
    page = out / "customers" / target.stem / "index.html"
    assert b"021-62345678" in page.read_bytes()  # nobody's contact yet: a landline is shown
    holder = customer_dict(id="C20261201001", name="上海总机测试有限公司", created="2026-11-01",
                           contacts=[{"name": "王总", "phone": "021-62345678", "primary": True}])
    (root / "customers" / "C20261201001.yaml").write_text(dump_yaml(holder), encoding="utf-8")
    commit_all(root, "a customer whose contact has that number", name="李霞", email="lixia@example.com")
    build(root, out)
    shown = page.read_bytes()
    assert b"62345678" not in shown and b"****5678" in shown
    build(root, tmp_path / "cold")
    assert files(tmp_path / "cold") == files(out)


@pytest.mark.parametrize("edit", [RENAME, ("    summary: ", "    summary: 补记 ")])
def test_a_one_customer_change_in_a_compact_book_rewrites_its_data_file_only(tmp_path: Path,
                                                                          edit: tuple[str, str]) -> None:
    """A book past ``site.full_pages`` (kehu.site.compact): a change to a compact customer rewrites its data file
    (and its own page when its name changed), no other customer's page; the result is what a cold build makes."""
    root = team(tmp_path)
    text = (root / "kehu.yaml").read_text(encoding="utf-8")
    (root / "kehu.yaml").write_text(text.replace("\nsite:\n", "\nsite:\n  full_pages: 3\n", 1), encoding="utf-8")
    commit_all(root, "three full pages", name="李霞", email="lixia@example.com")
    out = tmp_path / "site"
    build(root, out)
    before, nodes = files(out), inodes(out)
    pages = customer_pages(out)
    small = {p for p in pages if len(before[p]) < 1024}
    assert len(pages) - len(small) == 3 and small
    data = {rel for rel in before if rel.startswith("customers/compact/") and rel.endswith(".js")}
    assert data
    target = root / "customers" / (sorted(small)[1].split("/")[1] + ".yaml")
    after, changed, rewritten = rename_and_build(root, target, out, before, nodes, edit)
    renamed = edit == RENAME
    assert (f"customers/{target.stem}/index.html" in changed) == renamed
    assert ("customers/index.html" in changed) == renamed  # the list names it
    assert rewritten == changed, (sorted(rewritten - changed), sorted(changed - rewritten))
    assert len(changed & data) == 1  # the one data file that holds it
    assert not (pages - {f"customers/{target.stem}/index.html"}) & rewritten
    build(root, tmp_path / "cold")
    assert files(tmp_path / "cold") == after
