"""The id allocator (kehu.store.ids): the id after the highest sequence a member used on a day, never one used
before — found by looking up the ids that begin as that day's do, which must say what reading every id would."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from kehu.store.ids import Allocator

TEMPLATES = ["C{date:%Y%m%d}{member}{seq:02d}", "C{date:%Y%m%d}{seq:03d}", "{member}-{date:%y%m%d}-{seq}",
             "K{seq:04d}x{date:%Y%m%d}{member}"]
DAYS = [dt.date(2024, 5, d) for d in (1, 2, 10, 11)]


def highest_by_reading_every_id(a: Allocator, date: dt.date, member: str) -> int:
    """The definition: the highest sequence whose id is among those used."""
    return max((s for s in range(1, 1300) if a.format(date, s, member) in a.used), default=0)  # used: up to 1,202


used_ids = st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(["LX", "WF", "X"]),
                              st.integers(min_value=1, max_value=1200)), max_size=40)


@settings(deadline=None)  # the reference formats 1,300 ids a call: slow on a busy machine, not wrong
@given(template=st.sampled_from(TEMPLATES), used=used_ids, day=st.sampled_from(DAYS),
       member=st.sampled_from(["LX", "WF"]))
def test_the_next_id_follows_the_highest_used_that_day(template: str, used: list, day: dt.date, member: str) -> None:
    a = Allocator(template, None, set(), member)
    a.taken(a.format(d, s, m) for d, m, s in used)
    a.taken(["C20240501", "LX-240501-", "unrelated"])  # ids of another scheme share the beginning, no sequence
    expected = a.format(day, highest_by_reading_every_id(a, day, member) + 1, member)
    assert a.next(day) == expected
    following = a.format(day, highest_by_reading_every_id(a, day, member) + 1, member)
    assert a.next(day) == following  # and so on


def test_ids_taken_after_the_first_look_up_count_too() -> None:
    a = Allocator(TEMPLATES[0], None, {"C20240501LX03"}, "LX")
    assert a.next(dt.date(2024, 5, 2)) == "C20240502LX01"  # the index is built here
    a.taken(["C20240501LX07", "C20240502LX09"])
    assert a.next(dt.date(2024, 5, 1)) == "C20240501LX08"
    assert a.next(dt.date(2024, 5, 2)) == "C20240502LX02"  # that day's next was settled before: gaps are not reused
    assert "C20240502LX09" not in {a.next(dt.date(2024, 5, 2)) for _ in range(10)}
