"""The shared rules of the journey edits: checks, shares, regrouping and entries.

Used only by :mod:`cxgraph.changes.edits`; see its docstring for the rules.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import attrs

from cxgraph._util.text import choices_text, describe
from cxgraph.errors import CxgraphError, CxgraphWarning
from cxgraph.graph import entry_weights
from cxgraph.model.classes import Entry, Handoff, Journey, Transition, Trigger

Flow: TypeAlias = Transition | Handoff
Edge: TypeAlias = Transition | Handoff | Trigger

_TOL = 1e-9


class EditError(CxgraphError, ValueError):
    """An edit cannot be made to this journey (the message says why and what to do)."""


# -- checks ---------------------------------------------------------------------


def _journey(j: object, fn: str) -> Journey:
    if not isinstance(j, Journey):
        msg = f"{fn}() takes a Journey, got {type(j).__name__}"
        raise TypeError(msg)
    return j


def _step(j: Journey, step: object, fn: str, what: str = "step") -> str:
    if not isinstance(step, str):
        msg = f"{fn}(): {what} must be a step id (a string), got {describe(step)}"
        raise TypeError(msg)
    ids = [s.id for s in j.steps]
    if step not in ids:
        msg = f"{fn}(): unknown {what} {step!r} in journey {j.id!r} {choices_text(step, ids)}"
        raise EditError(msg)
    return step


def _owner(j: Journey, owner: object, fn: str) -> str | None:
    if owner is None:
        return None
    if not isinstance(owner, str):
        msg = f"{fn}(): owner must be an owner id (a string) or None, got {describe(owner)}"
        raise TypeError(msg)
    ids = [o.id for o in j.owners]
    if owner not in ids:
        msg = (
            f"{fn}(): unknown owner {owner!r} {choices_text(owner, ids)}: add it to the "
            "journey's owners first, or pass None"
        )
        raise EditError(msg)
    return owner


# -- weights --------------------------------------------------------------------


def _shares(items: Sequence[Flow | Entry]) -> tuple[list[float], str]:
    """The shares of a group of edges (or entries), and the basis they rest on."""
    n = len(items)
    probs = [e.probability for e in items]
    counts = [e.count for e in items]
    if n and all(p is not None for p in probs):
        total = math.fsum(p for p in probs if p is not None)
        if total > 0:
            return [p / total for p in probs if p is not None], "probability"
    if n and all(c is not None for c in counts):
        total = float(sum(c for c in counts if c is not None))
        if total > 0:
            return [c / total for c in counts if c is not None], "count"
    return [1.0 / n] * n, "uniform"


def _whole(value: float | None) -> int | None:
    """``value`` as an int when it is a whole number (within rounding), else None."""
    if value is None or not math.isfinite(value):
        return None
    r = round(value)
    return int(r) if abs(value - r) <= 1e-9 * max(1.0, abs(value)) else None


def _written(basis: str, shares: list[float], counts: list[float | None]) -> list[Any]:
    """(probability, count) per item for new ``shares``, in the old basis where it can be.

    ``counts`` are the new counts (None where unknown); a count kept must be whole.
    """
    whole = [_whole(c) for c in counts]
    total = math.fsum(shares)
    n = len(shares)
    known = [w for w in whole if w is not None]
    if basis == "count" and len(known) == len(whole) and sum(known) > 0:
        return [(None, w) for w in whole]
    equal = n > 0 and all(abs(s - shares[0]) <= 1e-12 for s in shares)
    if basis == "uniform" and equal:
        return [(None, w) for w in whole]
    if total <= 0:
        return [(None, w) for w in whole]
    probs = [min(max(s / total, 0.0), 1.0) for s in shares]
    return [(p, w) for p, w in zip(probs, whole, strict=True)]


def _flow_out(j: Journey) -> dict[str, list[Flow]]:
    out: dict[str, list[Flow]] = {}
    edges: list[Flow] = [*j.transitions, *j.handoffs]
    for e in edges:
        out.setdefault(e.source, []).append(e)
    return out


def _split(edges: Iterable[Edge]) -> dict[str, tuple[Any, ...]]:
    """Edges sorted into the Journey's three fields."""
    return {
        "transitions": tuple(e for e in edges if isinstance(e, Transition)),
        "handoffs": tuple(e for e in edges if isinstance(e, Handoff)),
        "triggers": tuple(e for e in edges if isinstance(e, Trigger)),
    }


def _as_handoff(e: Flow, like: Handoff) -> Handoff:
    """``e`` as a Handoff; owner, carries and SLA from ``like`` when ``e`` has none."""
    if isinstance(e, Handoff):
        return e
    return Handoff(
        source=e.source,
        target=e.target,
        probability=e.probability,
        count=e.count,
        label=e.label,
        condition=e.condition,
        owner=like.owner,
        carries=like.carries,
        sla=like.sla,
    )


def _combine(a: Flow, b: Flow) -> Flow:
    """Two flows between the same steps as one: a Handoff if either is (``a``'s fields first)."""
    if isinstance(b, Handoff) and not isinstance(a, Handoff):
        a = _as_handoff(a, b)
    if isinstance(a, Handoff) and isinstance(b, Handoff):
        carries = tuple(dict.fromkeys((*a.carries, *b.carries)))
        a = attrs.evolve(
            a,
            owner=a.owner if a.owner is not None else b.owner,
            carries=carries,
            sla=a.sla if a.sla is not None else b.sla,
        )
    return a


def _regroup(
    basis: str,
    new: list[tuple[Flow, float, float | None]],
) -> list[Flow]:
    """New edges out of one step: (edge, share, count) merged by target, written in ``basis``."""
    merged: dict[str, list[Any]] = {}
    for e, share, count in new:
        if e.target in merged:
            m = merged[e.target]
            m[0] = _combine(m[0], e)
            m[1] += share
            m[2] = None if m[2] is None or count is None else m[2] + count
        else:
            merged[e.target] = [e, share, count]
    rows = list(merged.values())
    written = _written(basis, [r[1] for r in rows], [r[2] for r in rows])
    return [
        attrs.evolve(r[0], probability=p, count=c) for r, (p, c) in zip(rows, written, strict=True)
    ]


def _starts(j: Journey) -> dict[str, float]:
    weights, _ = entry_weights(j)
    return weights


def _with_entries(
    j: Journey, changes: dict[str, Any], starts: dict[str, float], entries: tuple[Entry, ...] | None
) -> Journey:
    """Build the edited journey; keep entries implicit when that still means ``starts``."""
    if entries is None:
        implicit = attrs.evolve(j, entries=(), **changes)
        got = _starts(implicit)
        if got.keys() == starts.keys() and all(abs(got[k] - starts[k]) <= _TOL for k in got):
            return implicit
        if not starts:
            # Nobody could start the original, and the edit gives a step no
            # inflow: left implicit, that step would become an entry. Entries
            # cannot say "none", so say it rather than change the journey.
            msg = (
                f"no step of {j.id!r} is an entry (every step has a way in), and the edit "
                f"would make {', '.join(map(repr, sorted(got)))} one: declare the "
                "journey's entries before editing it"
            )
            raise EditError(msg)
        total = math.fsum(starts.values())
        entries = tuple(
            Entry(step=k, probability=v / total) for k, v in starts.items() if total > 0
        )
    return attrs.evolve(j, entries=entries, **changes)


def _spread_entries(
    j: Journey, fn: str, drop: str, spread: Mapping[str, float]
) -> tuple[dict[str, float], tuple[Entry, ...] | None]:
    """Entries with those at ``drop`` moved to ``spread`` (target -> share).

    Returns the new start shares and, when the journey declares entries, the
    new entries (None when entries are implicit and are rebuilt from the shares).
    """
    old = _starts(j)
    starts: dict[str, float] = {}
    for k, w in old.items():
        if k == drop:
            for t, q in spread.items():
                starts[t] = starts.get(t, 0.0) + w * q
        else:
            starts[k] = starts.get(k, 0.0) + w
    starts = {k: v for k, v in starts.items() if k != drop}
    if old and (not starts or math.fsum(starts.values()) <= 0):
        msg = (
            f"{fn}(): every journey of {j.id!r} starts at {drop!r} and it has no way on to "
            "carry them: add another entry, or give the step a way out first"
        )
        raise EditError(msg)
    if not j.entries:
        return starts, None
    shares, basis = _shares(j.entries)
    rows: dict[str, list[Any]] = {}
    for e, share in zip(j.entries, shares, strict=True):
        moves = spread.items() if e.step == drop else [(e.step, 1.0)]
        for t, q in moves:
            c = None if e.count is None else e.count * q
            if t in rows:
                rows[t][0] += share * q
                rows[t][1] = None if rows[t][1] is None or c is None else rows[t][1] + c
            else:
                rows[t] = [share * q, c]
    keys = list(rows)
    written = _written(basis, [rows[k][0] for k in keys], [rows[k][1] for k in keys])
    entries = tuple(
        Entry(step=k, probability=p, count=c) for k, (p, c) in zip(keys, written, strict=True)
    )
    return starts, entries


def _warn_dead_ends(j: Journey, fn: str, before: Journey) -> None:
    """Warn about each step that had a way out before the edit and has none now."""
    had = {e.source for e in before.edges if not isinstance(e, Trigger)}
    has = {e.source for e in j.edges if not isinstance(e, Trigger)}
    lost = sorted(s.id for s in j.steps if s.id in had and s.id not in has)
    if lost:
        names = ", ".join(repr(s) for s in lost)
        msg = (
            f"{fn}(): {names} {'is' if len(lost) == 1 else 'are'} left without a way out "
            "(no transition or hand-off leaves it): add an edge to an outcome or another step"
        )
        warnings.warn(msg, CxgraphWarning, stacklevel=3)


def _leg(first: Flow, second: Flow) -> Flow:
    """The edge ``first.source -> second.target`` standing for both legs."""
    kind: Flow = attrs.evolve(first, target=second.target)
    if isinstance(second, Handoff):
        kind = _as_handoff(attrs.evolve(first, target=second.target), second)
        if isinstance(first, Handoff):
            kind = attrs.evolve(
                kind,
                owner=second.owner if second.owner is not None else first.owner,
                sla=second.sla if second.sla is not None else first.sla,
            )
        carries = tuple(dict.fromkeys((*getattr(first, "carries", ()), *second.carries)))
        kind = attrs.evolve(kind, carries=carries)
    return kind


def _triggers(flows: Sequence[Edge], triggers: Iterable[Trigger], fn: str) -> list[Edge]:
    """``flows`` and then ``triggers``, a trigger dropped where a flow now joins the same steps."""
    pairs = {(e.source, e.target) for e in flows}
    out = list(flows)
    clash: list[str] = []
    for t in triggers:
        key = (t.source, t.target)
        if key in pairs:
            if not any(isinstance(e, Trigger) and (e.source, e.target) == key for e in out):
                clash.append(f"{t.source!r} -> {t.target!r}")
            continue
        pairs.add(key)
        out.append(t)
    if clash:
        msg = (
            f"{fn}(): dropped the trigger {', '.join(clash)}: a transition or hand-off now "
            "joins the same steps, and two steps are joined by at most one edge"
        )
        warnings.warn(msg, CxgraphWarning, stacklevel=3)
    return out


def _count(e: Flow) -> float | None:
    return None if e.count is None else float(e.count)
