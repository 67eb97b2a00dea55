"""Names' pinyin read ahead for a large book (kehu.words.pinyin.prepare): the same readings as one at a time,
kept in .kehu-cache/ for the next build and never taken from a cache made for something else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kehu.util.cache import CACHE_DIR
from kehu.words import pinyin

from tests.support.git import git

NAMES = ["上海启明科技有限公司", "长沙星河贸易有限公司", "北京智联科技有限公司", "ACME 中国", "重庆重工"]


def forget() -> None:
    pinyin._KNOWN.clear()
    pinyin._syllables.cache_clear()
    pinyin.pinyin_keys.cache_clear()


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    forget()
    yield
    forget()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")  # the cache is signed with a secret kept in the clone's git folder
    return tmp_path


def test_prepared_readings_are_the_readings_of_one_name_at_a_time(root: Path) -> None:
    many = [f"{name}{i}" for i in range(500) for name in NAMES]  # enough names for the workers
    alone = {n: pinyin.syllables(n) for n in many[::97]}
    forget()
    pinyin.prepare(many, jobs=2, root=root)
    assert len(pinyin._KNOWN) == len(many)
    assert {n: pinyin.syllables(n) for n in many[::97]} == alone
    assert pinyin.sort_key("长沙星河贸易有限公司").startswith("chang sha ")


def test_the_next_build_reads_no_name_again(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pinyin.prepare(NAMES, root=root)
    assert (root / CACHE_DIR / pinyin.PINYIN_CACHE).is_file()
    expected = {n: pinyin.syllables(n) for n in NAMES}
    forget()

    def never(name: str) -> tuple[str, ...]:
        raise AssertionError(f"read again: {name}")

    monkeypatch.setattr(pinyin, "_read", never)
    pinyin.prepare(NAMES, root=root)
    assert {n: pinyin.syllables(n) for n in NAMES} == expected


def test_a_cache_not_signed_by_this_clone_is_not_read(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pinyin.prepare(NAMES, root=root)
    path = root / CACHE_DIR / pinyin.PINYIN_CACHE
    path.write_text(path.read_text(encoding="utf-8").replace("qi", "xx"), encoding="utf-8")
    forget()
    read: list[str] = []
    real = pinyin._read
    monkeypatch.setattr(pinyin, "_read", lambda name: read.append(name) or real(name))
    pinyin.prepare(NAMES, root=root)
    assert sorted(read) == sorted(NAMES)
    assert pinyin.syllables("上海启明科技有限公司")[:4] == ["shang", "hai", "qi", "ming"]
