"""``analyze`` (and ``diff``) leave Python's garbage collector as they found it.

It holds the collector while each built-in analysis runs and freezes what
the analysis left alive before resuming it (``cxgraph._util.cache``); these
tests pin that nothing of that leaks out: the collector's state, a freeze
made by the caller, and cycles made during the call are collected after.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

import cxgraph as cx

RESTAURANT = "examples/restaurant.yaml"


@pytest.fixture
def journey() -> cx.Journey:
    return cx.load(RESTAURANT)


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.enable()


@pytest.mark.usefixtures("unfrozen")
def test_nothing_stays_frozen_and_the_collector_runs_after(journey: cx.Journey) -> None:
    cx.analyze(journey)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("unfrozen")
def test_a_disabled_collector_stays_disabled(journey: cx.Journey) -> None:
    gc.disable()
    cx.analyze(journey)
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("unfrozen")
def test_the_callers_freeze_is_left_alone(journey: cx.Journey) -> None:
    marker = ["frozen by the caller"]
    gc.freeze()
    frozen = gc.get_freeze_count()
    cx.analyze(journey)
    # The caller's objects stay frozen (the collector's generations do not
    # hold the marker) and nothing more is frozen (some frozen objects may
    # be freed meanwhile, so the count can only fall).
    assert not any(o is marker for o in gc.get_objects())
    assert 0 < gc.get_freeze_count() <= frozen


@pytest.mark.usefixtures("unfrozen")
def test_a_failing_analysis_unfreezes_too(journey: cx.Journey) -> None:
    @cx.register_analysis("boom_for_gc_test")
    def boom(j: cx.Journey) -> int:
        raise RuntimeError("boom")

    try:
        with pytest.raises(cx.CxgraphError, match="boom_for_gc_test"):
            cx.analyze(journey, analyses=["markov", "boom_for_gc_test"])
    finally:
        cx.unregister_analysis("boom_for_gc_test")
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


class _Node:
    def __init__(self) -> None:
        self.me = self


@pytest.mark.usefixtures("unfrozen")
def test_cycles_made_during_analyze_are_collected_after(journey: cx.Journey) -> None:
    made: list[weakref.ref[_Node]] = []

    @cx.register_analysis("cyclic_for_gc_test")
    def cyclic(j: cx.Journey) -> int:
        node = _Node()  # a reference cycle only the collector frees
        made.append(weakref.ref(node))
        return len(j.steps)

    try:
        cx.analyze(journey, analyses=["markov", "cyclic_for_gc_test", "coverage"])
    finally:
        cx.unregister_analysis("cyclic_for_gc_test")
    gc.collect()
    assert made
    assert made[0]() is None


@pytest.mark.usefixtures("unfrozen")
def test_diff_leaves_the_collector_as_it_found_it(journey: cx.Journey) -> None:
    """``diff`` runs the analyses of both versions the same way."""
    cx.diff(journey, journey)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    marker = ["frozen by the caller"]
    gc.freeze()
    cx.diff(journey, journey)
    assert not any(o is marker for o in gc.get_objects())
