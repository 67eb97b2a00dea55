"""The cycle collector paused while a large book is read, and what was read moved out of its way."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from kehu.util.gcpause import collector_paused


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()


def test_off_inside_on_after_and_what_was_read_frozen() -> None:
    gc.enable()
    gc.unfreeze()
    with collector_paused():
        assert not gc.isenabled()
        book = [{"name": f"客户{i}", "tags": [i]} for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(book)


def test_nested_uses_keep_it_off_until_the_outermost_ends() -> None:
    gc.enable()
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off_and_nothing_is_frozen() -> None:
    gc.disable()
    gc.unfreeze()
    with collector_paused():
        pass
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_an_error_inside_still_turns_it_back_on() -> None:
    gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a file that does not load")
    assert gc.isenabled()
