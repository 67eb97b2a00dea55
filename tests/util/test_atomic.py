"""kehu.util.atomic, the one writer: what it writes gets the usual file mode (the target's, or 0o666 less the
umask for a new file, as open() gives), whatever writes it — an export, a customer file, a cache — and a
failed write leaves nothing behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from kehu.util.atomic import atomic_write, create_exclusive, replace_dir, replacing, usual_mode

from tests.support.customers import customer_dict


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


EXPORTS = {"xlsx": "e.xlsx", "sqlite": "e.sqlite", "json": "e.json", "ics": "e.ics", "csv": "e-csv"}


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_exports_and_customer_files_get_the_usual_mode(make_repo, tmp_path, mask):
    from kehu.store.write import save_customer

    repo = make_repo()
    repo.write_customer(customer_dict())
    usual = 0o666 & ~mask
    with umask(mask):
        for fmt, name in EXPORTS.items():
            out = tmp_path / name
            run = repo.kehu("export", "--format", fmt, "--out", str(out))
            assert run.returncode == 0, run.stderr
            files = sorted(out.iterdir()) if out.is_dir() else [out]
            assert files
            assert {f.name: mode(f) for f in files} == {f.name: usual for f in files}, fmt
        path = repo.customers / "C20240501002.yaml"
        assert save_customer(repo.open(), path, customer_dict(id="C20240501002", name="杭州云帆网络有限公司"),
                             new=True) == []
    assert mode(path) == usual
    assert not [p for p in tmp_path.rglob("*.kehu-tmp")]


@pytest.mark.parametrize("data", ["文本\r\n", b"\x00bytes"])
def test_text_and_bytes_replace_a_file_keeping_its_mode(tmp_path, data):
    path = tmp_path / "a"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write(path, data, durable=False)
    assert path.read_bytes() == (data.encode("utf-8") if isinstance(data, str) else data)
    assert mode(path) == 0o640
    assert os.listdir(tmp_path) == ["a"]


def test_create_exclusive_never_overwrites(tmp_path):
    path = tmp_path / "C1.yaml"
    with umask(0o027):
        assert create_exclusive(path, "id: 1\n")
        assert not create_exclusive(path, "id: 2\n")
    assert path.read_text(encoding="utf-8") == "id: 1\n"
    assert mode(path) == 0o640
    assert os.listdir(tmp_path) == ["C1.yaml"]


def test_a_failed_fill_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / "db.sqlite"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(path) as tmp:
        Path(tmp).write_bytes(b"half")
        raise RuntimeError("the writer failed")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["db.sqlite"]
    with umask(0o002), replacing(tmp_path / "new.sqlite") as tmp:
        Path(tmp).write_bytes(b"whole")
    assert mode(tmp_path / "new.sqlite") == 0o664 == usual_mode(tmp_path / "new.sqlite")


def test_a_folder_is_replaced_whole(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old")
    built = tmp_path / "built"
    built.mkdir()
    (built / "new.html").write_text("new")
    replace_dir(built, site)
    assert os.listdir(site) == ["new.html"]
    assert sorted(os.listdir(tmp_path)) == ["site"]
