"""The web workers' collector: off inside a request, run once its response is out."""

import gc
import weakref

import pytest

from unibridge.core import gc_tuning


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def web_worker_collector():
    was_enabled = gc.isenabled()
    gc_tuning.tune_collector()
    yield
    if was_enabled:
        gc.enable()


def cyclic_garbage() -> weakref.ref:
    """A reference cycle nobody holds: only the collector can free it."""
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_inside_a_request_the_collector_does_not_run(web_worker_collector):
    assert not gc.isenabled()
    left_behind = cyclic_garbage()
    for _ in range(100_000):  # more allocations than any automatic threshold
        Node()
    assert left_behind() is not None


def test_after_the_request_the_cycles_it_left_are_freed(web_worker_collector):
    left_behind = cyclic_garbage()
    gc_tuning.after_request()
    assert left_behind() is None


def test_the_older_generations_are_collected_every_so_many_requests(
    web_worker_collector, monkeypatch
):
    passes = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: passes.append(generation))
    monkeypatch.setattr(gc_tuning, "_requests", 0)
    for _ in range(gc_tuning.FULL_EVERY):
        gc_tuning.after_request()
    assert passes.count(2) == 1
    assert passes.count(1) == gc_tuning.FULL_EVERY // gc_tuning.MIDDLE_EVERY - 1
    assert passes[-1] == 2 and passes[gc_tuning.MIDDLE_EVERY - 1] == 1
