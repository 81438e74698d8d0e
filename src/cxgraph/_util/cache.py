"""A cache that lives only while ``analyze`` runs, so analyses share work.

Outside :func:`shared_cache` nothing is cached (no hidden global state
between calls): each analysis compiles its own graph and solves its own
chain. Inside, the compiled graph and the Markov model of a journey are
made once and shared; callers treat them as read-only.

:func:`paused_gc` holds Python's cyclic garbage collector while a built-in
analysis runs: on a large journey its full collections, each walking every
object alive (the graph's dicts among them), cost a quarter of the time.
Inside :func:`frozen_between`, it also freezes what the analysis left alive
(``gc.freeze``) before the collector resumes: otherwise the first collection
after each analysis walks everything the analysis made (the compiled graph,
the model, the findings), half a second per ``analyze`` of 100,000 steps.
The end of :func:`frozen_between` unfreezes them into the oldest generation,
where long-lived objects go anyway.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_STORE: ContextVar[dict[tuple[int, str], tuple[object, Any]] | None] = ContextVar(
    "cxgraph_shared_cache", default=None
)


@contextmanager
def shared_cache() -> Iterator[None]:
    """Share compiled graphs and models between the analyses run inside."""
    token = _STORE.set({})
    try:
        yield
    finally:
        _STORE.reset(token)


def cached(owner: object, key: str, make: Callable[[], T]) -> T:
    """``make()``, or the value made before for the same object inside ``shared_cache``."""
    store = _STORE.get()
    if store is None:
        return make()
    slot = (id(owner), key)
    hit = store.get(slot)
    if hit is not None and hit[0] is owner:
        value: T = hit[1]
        return value
    value = make()
    store[slot] = (owner, value)
    return value


@contextmanager
def paused_gc(*, freeze: bool = False) -> Iterator[None]:
    """Hold the cyclic garbage collector inside, as it was after (reference counting goes on).

    For work that makes many objects and no reference cycles to speak of;
    whatever cycles it leaves are collected on the next pass after it. With
    ``freeze`` (from :func:`frozen_between`), the objects alive at the end
    are frozen before the collector resumes, so its next pass skips them.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        gc.enable()


@contextmanager
def frozen_between() -> Iterator[bool]:
    """Whether :func:`paused_gc` may freeze inside; unfreeze everything at the end.

    Gives False, and freezes nothing, when something else has frozen
    objects already (a server that freezes before it forks): unfreezing at
    the end would undo its freeze too.
    """
    if gc.get_freeze_count():
        yield False
        return
    try:
        yield True
    finally:
        gc.unfreeze()
