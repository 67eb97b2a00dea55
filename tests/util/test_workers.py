"""kehu.util.workers, the one pool: the same answers in the same order whether it forks or not, state handed to
the workers without module globals, and the progress callbacks a display needs."""

from __future__ import annotations

import os

import pytest
from kehu.util import workers
from kehu.util.workers import map_in_workers


def scaled(state: dict, item: int) -> tuple[int, int]:
    return item * state["factor"], os.getpid()


@pytest.mark.skipif(not workers.can_fork(), reason="the pool needs fork")
def test_a_pool_gives_what_a_loop_gives_in_item_order():
    items = list(range(300))
    state = {"factor": 3}
    inline = map_in_workers(scaled, items, state, jobs=1)
    pooled = map_in_workers(scaled, items, state, jobs=2, threshold=10, span=7)
    assert [v for v, _ in pooled] == [v for v, _ in inline] == [i * 3 for i in items]
    assert {pid for _, pid in inline} == {os.getpid()}
    assert os.getpid() not in {pid for _, pid in pooled}  # really in other processes
    assert workers._TASK is None  # the parent keeps no state behind


def test_below_the_threshold_it_runs_here_and_reports_progress():
    events: list[object] = []
    out = map_in_workers(scaled, [1, 2, 3], {"factor": 2}, jobs=4, threshold=64,
                         on_start=lambda: events.append("start"), on_done=events.append)
    assert [v for v, _ in out] == [2, 4, 6]
    assert {pid for _, pid in out} == {os.getpid()}
    assert events == ["start", 1, 1, 1]


@pytest.mark.skipif(not workers.can_fork(), reason="the pool needs fork")
def test_progress_adds_up_in_a_pool_and_an_error_in_a_worker_reaches_the_caller():
    done: list[int] = []
    map_in_workers(scaled, list(range(100)), {"factor": 1}, jobs=2, threshold=10, span=16, on_done=done.append)
    assert sum(done) == 100
    with pytest.raises(KeyError):
        map_in_workers(scaled, list(range(100)), {}, jobs=2, threshold=10)


def _mark_sigterm(folder: str, item: int) -> int:
    """In a worker: leave a file behind if this process is ever sent SIGTERM."""
    import signal

    def handler(signum: int, frame: object) -> None:
        with open(os.path.join(folder, f"sigterm-{os.getpid()}"), "w"):
            pass
        os._exit(1)

    signal.signal(signal.SIGTERM, handler)
    return item


def test_a_pool_that_finished_lets_its_workers_end_by_themselves(tmp_path):
    # terminating workers with SIGTERM can miss one that waits on the task queue's lock: the caller then waits
    # for it for ever (an import hung after its last file was written)
    assert map_in_workers(_mark_sigterm, list(range(200)), str(tmp_path), jobs=2, threshold=2, span=1) == list(
        range(200))
    assert list(tmp_path.iterdir()) == []
