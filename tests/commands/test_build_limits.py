"""kehu build says when a site is more than GitHub Pages and GitLab Pages publish (README "Large books")."""

from __future__ import annotations

from pathlib import Path

from kehu.commands.build import PAGES_BYTES, PAGES_FILES, pages_limit_note, site_size
from kehu.words.catalogue import Locale


def test_a_site_within_the_limits_gets_no_line() -> None:
    assert pages_limit_note(Locale("zh-CN"), PAGES_BYTES, PAGES_FILES) == ""


def test_a_site_over_a_limit_is_named_with_its_size_in_the_teams_language() -> None:
    zh = pages_limit_note(Locale("zh-CN"), 2_908_000_000, 104_229)
    assert "2,908 MB" in zh and "104,229 个文件" in zh and "1 GB" in zh and "发布会被拒绝" in zh
    assert "site.full_pages" in zh  # what to do
    en = pages_limit_note(Locale("en"), 120_000_000, PAGES_FILES + 1)
    assert "120 MB in 200,001 files" in en and "refused" in en


def test_site_size_counts_every_file(tmp_path: Path) -> None:
    (tmp_path / "customers" / "C1").mkdir(parents=True)
    (tmp_path / "customers" / "C1" / "index.html").write_bytes(b"x" * 1000)
    (tmp_path / "index.html").write_bytes(b"y" * 24)
    assert site_size(tmp_path) == (1024, 2)
