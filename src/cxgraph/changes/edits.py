"""Edits: pure functions that return a new, validated Journey (design section 9).

Each edit builds a new :class:`~cxgraph.Journey` with :func:`attrs.evolve`, so
the result is validated like any journey and the input is never touched. A
what-if is ``cx.diff(j, cx.remove_step(j, "x"))``.

Probabilities out of a step are read the way :func:`cxgraph.markov` reads
them: the edges' ``probability`` when given, else their ``count``, else
equally likely. An edit that changes the shares out of a step writes them back
in the same basis when it can (counts stay counts while every count is a
whole number; no numbers stay no numbers while the shares stay equal), and as
probabilities otherwise, so the Markov chain of the result is exactly the
edited one. Triggers carry no probabilities and are internal flows: an edit
moves or drops them but never weighs them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from typing import Any

import attrs

from cxgraph._util.text import choices_text, describe
from cxgraph.changes._rules import (
    _TOL,
    Edge,
    EditError,
    Flow,
    _count,
    _flow_out,
    _journey,
    _leg,
    _owner,
    _regroup,
    _shares,
    _split,
    _spread_entries,
    _starts,
    _step,
    _triggers,
    _warn_dead_ends,
    _with_entries,
    _written,
)
from cxgraph.graph import persona_reach
from cxgraph.model.classes import Entry, Handoff, Journey, Outcome, Touchpoint, Trigger

__all__ = [
    "EditError",
    "assign_owner",
    "declare_handoff",
    "for_persona",
    "merge_steps",
    "remove_step",
    "set_probabilities",
]

# -- remove_step ----------------------------------------------------------------


def remove_step(j: Journey, step: str, *, reroute: bool = True) -> Journey:
    """Return the journey without ``step``.

    With ``reroute=True`` every edge ``u -> step`` becomes edges ``u -> v`` to
    the step's successors with probability ``p(u->step) * p(step->v)``, merged by
    adding into an edge ``u -> v`` already there; a self-loop on the step
    divides its other ways out by ``1 - p(step->step)`` (the geometric series of
    going round it). The step becomes instantaneous, so the Markov chain of the
    result gives the same ``conversion_probability``. Counts are multiplied the
    same way (``count(u->step) * p(step->v)``) and kept only where the result is a
    whole number; where it is not the count is dropped (and the shares are then
    written as probabilities, so nothing is lost). The new edge is a
    :class:`~cxgraph.Handoff` if either leg was one: its owner, carries and SLA
    are those of the second leg (responsibility on arrival at ``v``) when that
    is a hand-off, else of the first; carries of both legs are joined. Label
    and condition come from the first leg.

    With ``reroute=False``, or when the step has no way out (an outcome, or a
    dead end), the edges into it are dropped and what is left out of each
    predecessor renormalised; a :class:`~cxgraph.CxgraphWarning` names every
    step left without a way out.

    Entries at the step move to its successors, weighted by its outgoing
    probabilities (an outcome's entries are dropped and the rest renormalised).
    Triggers into or out of the step are dropped.

    Parameters
    ----------
    j
        The journey.
    step
        The id of the touchpoint, decision point or outcome to remove.
    reroute
        Join each predecessor to the step's successors (True) or just cut the
        edges into it (False).

    Returns
    -------
    Journey
        A new, validated journey.

    Raises
    ------
    TypeError
        If ``j`` is not a Journey or ``step`` is not a string.
    EditError
        If ``step`` is not a step of the journey, every journey starts at it
        and it has no way on, or the journey has no entry at all (every step
        has a way in) and removing the step would make another one an entry.

    Examples
    --------
    >>> import cxgraph as cx
    >>> from cxgraph.changes.edits import remove_step
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="x", name="X")],
    ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
    ...               cx.Outcome(id="lost", name="Lost", kind="failure")],
    ...     transitions=[cx.Transition(source="a", target="x", probability=0.5),
    ...                  cx.Transition(source="a", target="lost", probability=0.5),
    ...                  cx.Transition(source="x", target="won", probability=0.8),
    ...                  cx.Transition(source="x", target="lost", probability=0.2)])
    >>> [(e.source, e.target, round(e.probability, 3)) for e in remove_step(j, "x").transitions]
    [('a', 'won', 0.4), ('a', 'lost', 0.6)]
    """
    fn = "remove_step"
    j = _journey(j, fn)
    x = _step(j, step, fn)
    if not isinstance(reroute, bool):
        msg = f"{fn}(): reroute must be True or False, got {describe(reroute)}"  # type: ignore[unreachable]
        raise TypeError(msg)
    flow = _flow_out(j)
    outs = flow.get(x, [])
    shares, _ = _shares(outs) if outs else ([], "uniform")
    loop = math.fsum(s for e, s in zip(outs, shares, strict=True) if e.target == x)
    leave = {e.target: s for e, s in zip(outs, shares, strict=True) if e.target != x}
    spread: dict[str, float] = {}
    if 1.0 - loop > _TOL and leave:
        spread = {t: s / (1.0 - loop) for t, s in leave.items()}
    legs = {e.target: e for e in outs if e.target != x}
    cut = not reroute or not spread

    new_edges: list[Edge] = []
    for source, edges in flow.items():
        if source == x:
            continue
        if not any(e.target == x for e in edges):
            new_edges.extend(edges)
            continue
        e_shares, basis = _shares(edges)
        rows: list[tuple[Flow, float, float | None]] = []
        for e, s in zip(edges, e_shares, strict=True):
            if e.target != x:
                rows.append((e, s, None if e.count is None else float(e.count)))
            elif not cut:
                for t, q in spread.items():
                    rows.append((_leg(e, legs[t]), s * q, None if e.count is None else e.count * q))
        if rows:
            new_edges.extend(_regroup(basis, rows))
    kept = (t for t in j.triggers if x not in (t.source, t.target))
    new_edges = _triggers(new_edges, kept, fn)
    starts, entries = _spread_entries(j, fn, x, {} if isinstance(j.step(x), Outcome) else spread)
    return _without(j, x, new_edges, starts, entries, fn)


# -- merge_steps ----------------------------------------------------------------


def merge_steps(j: Journey, keep: str, drop: str) -> Journey:
    """Return the journey with ``drop`` folded into ``keep``.

    Edges into ``drop`` now point to ``keep`` and edges out of ``drop`` leave
    from ``keep``; an edge that lands on one already there is merged with it by
    adding probabilities (the same source, so the sum stays 1) and counts, and
    is a :class:`~cxgraph.Handoff` if either was. Edges between the two steps
    (either way) and self-loops on them fall inside the merged step and are
    dropped. The ways out of the merged step mix those of the two: weighted by
    their total counts when every edge out of both carries a count (which is
    the same as adding the counts), else half and half; a step with no way out
    adds nothing to the mix. The merged step keeps every field of ``keep``;
    entries at ``drop`` move to ``keep``, and triggers move with their ends.

    Parameters
    ----------
    j
        The journey.
    keep
        The id of the step that stays.
    drop
        The id of the step that goes, its edges and entries moved to ``keep``.

    Returns
    -------
    Journey
        A new, validated journey.

    Raises
    ------
    TypeError
        If ``j`` is not a Journey or a step id is not a string.
    EditError
        If a step is unknown, ``keep`` and ``drop`` are the same, ``keep`` is an
        outcome while ``drop`` has ways out, or the journey has no entry at all
        and the merge would make a step one.

    Examples
    --------
    >>> import cxgraph as cx
    >>> from cxgraph.changes.edits import merge_steps
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B"),
    ...                  cx.Touchpoint(id="c", name="C")],
    ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
    ...     transitions=[cx.Transition(source="a", target="b"),
    ...                  cx.Transition(source="b", target="c"),
    ...                  cx.Transition(source="c", target="won")])
    >>> [(e.source, e.target) for e in merge_steps(j, "a", "b").transitions]
    [('a', 'c'), ('c', 'won')]
    """
    fn = "merge_steps"
    j = _journey(j, fn)
    k = _step(j, keep, fn, "step to keep")
    d = _step(j, drop, fn, "step to drop")
    if k == d:
        msg = f"{fn}(): keep and drop are the same step {k!r}: name two different steps"
        raise EditError(msg)
    inner = {k, d}
    flow = _flow_out(j)
    sides = [[e for e in flow.get(s, []) if e.target not in inner] for s in (k, d)]
    if isinstance(j.step(k), Outcome) and sides[1]:
        msg = (
            f"{fn}(): {k!r} is an outcome, so it cannot take the ways out of {d!r}: "
            f"merge the other way round (keep={d!r}, drop={k!r})"
        )
        raise EditError(msg)
    present = [s for s in sides if s]
    counted = all(e.count is not None for s in present for e in s)
    totals = [float(sum(e.count or 0 for e in s)) for s in present]
    if counted and all(t > 0 for t in totals):
        weights = [t / math.fsum(totals) for t in totals]
    else:
        weights = [1.0 / len(present)] * len(present) if present else []
    bases = [_shares(s)[1] for s in present]
    if bases and all(b == "count" for b in bases):
        basis = "count"
    elif all(b == "uniform" for b in bases):
        basis = "uniform"
    else:
        basis = "probability"
    rows: list[tuple[Flow, float, float | None]] = []
    for s, w in zip(present, weights, strict=True):
        for e, share in zip(s, _shares(s)[0], strict=True):
            rows.append((attrs.evolve(e, source=k), w * share, _count(e)))
    new_edges: list[Edge] = list(_regroup(basis, rows)) if rows else []
    for source, edges in flow.items():
        if source in inner:
            continue
        if not any(e.target == d for e in edges):
            new_edges.extend(edges)
            continue
        shares, b = _shares(edges)
        moved = [
            (attrs.evolve(e, target=k) if e.target == d else e, s, _count(e))
            for e, s in zip(edges, shares, strict=True)
        ]
        new_edges.extend(_regroup(b, moved))
    triggers = []
    for t in j.triggers:
        t2 = attrs.evolve(
            t, source=k if t.source == d else t.source, target=k if t.target == d else t.target
        )
        if not (t.source in inner and t.target in inner):
            triggers.append(t2)
    starts, entries = _spread_entries(j, fn, d, {k: 1.0})
    return _without(j, d, _triggers(new_edges, triggers, fn), starts, entries, fn)


def _without(j: Journey, gone: str, edges: Any, starts: Any, entries: Any, fn: str) -> Journey:
    """``j`` without step ``gone``, with these edges and entries; warns of dead ends."""
    changes = {
        "touchpoints": tuple(s for s in j.touchpoints if s.id != gone),
        "decision_points": tuple(s for s in j.decision_points if s.id != gone),
        "outcomes": tuple(s for s in j.outcomes if s.id != gone),
        **_split(edges),
    }
    out = _with_entries(j, changes, starts, entries)
    _warn_dead_ends(out, fn, j)
    return out


# -- owners and hand-offs -----------------------------------------------------------


def assign_owner(j: Journey, step: str, owner: str | None) -> Journey:
    """Return the journey with ``owner`` accountable for ``step`` (None: nobody).

    Parameters
    ----------
    j
        The journey.
    step
        The id of a touchpoint or decision point (outcomes have no owner).
    owner
        The id of one of the journey's owners, or None to clear it.

    Returns
    -------
    Journey
        A new, validated journey.

    Raises
    ------
    TypeError
        If ``j`` is not a Journey, or ``step`` or ``owner`` is not a string.
    EditError
        If the step or owner is unknown, or the step is an outcome.
    cxgraph.JourneyValidationError
        If the result is invalid (a customer decision given an owner).

    Examples
    --------
    >>> import cxgraph as cx
    >>> from cxgraph.changes.edits import assign_owner
    >>> j = cx.Journey(id="j", name="J", owners=[cx.Owner(id="ops", name="Ops", kind="team")],
    ...     touchpoints=[cx.Touchpoint(id="a", name="A")])
    >>> assign_owner(j, "a", "ops").step("a").owner
    'ops'
    """
    fn = "assign_owner"
    j = _journey(j, fn)
    s = _step(j, step, fn)
    o = _owner(j, owner, fn)
    target = j.step(s)
    if isinstance(target, Outcome):
        msg = (
            f"{fn}(): {s!r} is an outcome, and outcomes have no owner: assign the owner to "
            "the step that leads to it"
        )
        raise EditError(msg)
    if isinstance(target, Touchpoint):
        tps = tuple(attrs.evolve(t, owner=o) if t.id == s else t for t in j.touchpoints)
        return attrs.evolve(j, touchpoints=tps)
    dps = tuple(attrs.evolve(t, owner=o) if t.id == s else t for t in j.decision_points)
    return attrs.evolve(j, decision_points=dps)


def declare_handoff(
    j: Journey, source: str, target: str, *, owner: str | None, carries: Sequence[str] = ()
) -> Journey:
    """Return the journey with the transition ``source -> target`` declared a hand-off.

    The :class:`~cxgraph.Handoff` keeps the transition's probability, count,
    label and condition; a hand-off already there gets the new owner and
    carries.

    Parameters
    ----------
    j
        The journey.
    source, target
        The step ids the transition joins.
    owner
        The owner accountable for the hand-off arriving, or None.
    carries
        The context passed on (strings), so the customer need not repeat it.

    Returns
    -------
    Journey
        A new, validated journey.

    Raises
    ------
    TypeError
        If ``j`` is not a Journey, an id is not a string, or ``carries`` is not a
        list of strings.
    EditError
        If a step or the owner is unknown, or no transition joins the steps.

    Examples
    --------
    >>> import cxgraph as cx
    >>> from cxgraph.changes.edits import declare_handoff
    >>> j = cx.Journey(id="j", name="J", owners=[cx.Owner(id="ops", name="Ops", kind="team")],
    ...     touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B")],
    ...     transitions=[cx.Transition(source="a", target="b", probability=1.0)])
    >>> declare_handoff(j, "a", "b", owner="ops", carries=["order"]).handoffs
    (Handoff(source='a', target='b', probability=1.0, count=None, label='', condition='', owner='ops', carries=('order',), sla=None),)
    """  # noqa: E501
    fn = "declare_handoff"
    j = _journey(j, fn)
    s = _step(j, source, fn, "source step")
    t = _step(j, target, fn, "target step")
    o = _owner(j, owner, fn)
    if isinstance(carries, str) or not isinstance(carries, Iterable):
        msg = f"{fn}(): carries must be a list of strings, got {describe(carries)}"
        raise TypeError(msg)
    items = tuple(carries)
    bad = [c for c in items if not isinstance(c, str)]
    if bad:
        msg = f"{fn}(): carries must be a list of strings, got {describe(bad[0])} in it"
        raise TypeError(msg)
    edge = next((e for e in j.edges if (e.source, e.target) == (s, t)), None)
    if edge is None or isinstance(edge, Trigger):
        outs = [e.target for e in _flow_out(j).get(s, [])]
        what = "a trigger (an internal flow, not a customer move)" if edge else "no transition"
        msg = (
            f"{fn}(): {s!r} -> {t!r} is {what}; transitions out of {s!r} go to "
            f"{', '.join(repr(x) for x in outs) or 'no step'}: add the transition first"
        )
        raise EditError(msg)
    if isinstance(edge, Handoff):
        new = attrs.evolve(edge, owner=o, carries=items)
        handoffs = tuple(new if e is edge else e for e in j.handoffs)
        return attrs.evolve(j, handoffs=handoffs)
    h = Handoff(
        source=s,
        target=t,
        probability=edge.probability,
        count=edge.count,
        label=edge.label,
        condition=edge.condition,
        owner=o,
        carries=items,
    )
    return attrs.evolve(
        j,
        transitions=tuple(e for e in j.transitions if e is not edge),
        handoffs=(*j.handoffs, h),
    )


# -- probabilities ----------------------------------------------------------------


def set_probabilities(j: Journey, source: str, probabilities: Mapping[str, float]) -> Journey:
    """Return the journey with the given probabilities out of ``source``.

    The other transitions and hand-offs out of ``source`` keep their shares of
    what is left, scaled so the probabilities out of ``source`` sum to 1.
    Counts are observations and stay as they are.

    Parameters
    ----------
    j
        The journey.
    source
        The step whose ways out change.
    probabilities
        Target step id to its new probability, each in [0, 1], summing to at
        most 1.

    Returns
    -------
    Journey
        A new, validated journey.

    Raises
    ------
    TypeError
        If ``j`` is not a Journey, ``source`` not a string, ``probabilities`` not
        a mapping, or a probability not a number.
    EditError
        If a step is unknown, a target is not joined to ``source`` by a
        transition or hand-off, a probability is outside [0, 1], the given ones
        sum to more than 1, or what is left has no other edge to take it.

    Examples
    --------
    >>> import cxgraph as cx
    >>> from cxgraph.changes.edits import set_probabilities
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="A")],
    ...     outcomes=[cx.Outcome(id=o, name=o, kind="exit") for o in ("x", "y", "z")],
    ...     transitions=[cx.Transition(source="a", target="x", probability=0.5),
    ...                  cx.Transition(source="a", target="y", probability=0.3),
    ...                  cx.Transition(source="a", target="z", probability=0.2)])
    >>> [round(e.probability, 3) for e in set_probabilities(j, "a", {"x": 0.75}).transitions]
    [0.75, 0.15, 0.1]
    """
    fn = "set_probabilities"
    j = _journey(j, fn)
    s = _step(j, source, fn, "source step")
    if not isinstance(probabilities, Mapping):
        msg = (  # type: ignore[unreachable]
            f"{fn}(): probabilities must be a mapping of target step id to probability, "
            f"got {describe(probabilities)}"
        )
        raise TypeError(msg)
    edges = _flow_out(j).get(s, [])
    targets = [e.target for e in edges]
    given: dict[str, float] = {}
    for t, p in probabilities.items():
        if t not in targets:
            msg = (
                f"{fn}(): no transition or hand-off {s!r} -> {t!r}; {s!r} leads to "
                f"{', '.join(repr(x) for x in targets) or 'no step'}: add the edge first"
            )
            raise EditError(msg)
        if isinstance(p, bool) or not isinstance(p, Real | int | float):
            msg = f"{fn}(): the probability of {s!r} -> {t!r} must be a number, got {describe(p)}"
            raise TypeError(msg)
        if not (0.0 <= float(p) <= 1.0):
            msg = f"{fn}(): the probability of {s!r} -> {t!r} must be in [0, 1], got {p!r}"
            raise EditError(msg)
        given[t] = float(p)
    total = math.fsum(given.values())
    if total > 1.0 + _TOL:
        msg = (
            f"{fn}(): the probabilities given out of {s!r} sum to {total:g}, more than 1: "
            "lower them so the other edges can keep what is left"
        )
        raise EditError(msg)
    rest = max(1.0 - total, 0.0)
    shares, _ = _shares(edges)
    others = {e.target: sh for e, sh in zip(edges, shares, strict=True) if e.target not in given}
    other_total = math.fsum(others.values())
    if rest > _TOL and other_total <= 0:
        why = (
            "it has no other edge"
            if not others
            else "the other edges have probability 0, so there is nothing to scale"
        )
        msg = (
            f"{fn}(): the probabilities given out of {s!r} sum to {total:g}, not 1, and "
            f"{why}: give probabilities summing to 1"
            + (f", naming {', '.join(repr(x) for x in others)} too" if others else "")
        )
        raise EditError(msg)
    new = dict(given)
    for t, sh in others.items():
        new[t] = rest * sh / other_total if other_total > 0 else 0.0
    norm = math.fsum(new.values())
    new = {t: min(max(v / norm, 0.0), 1.0) for t, v in new.items()}

    def fix(e: Any) -> Any:
        return attrs.evolve(e, probability=new[e.target]) if e.source == s else e

    return attrs.evolve(
        j,
        transitions=tuple(fix(e) for e in j.transitions),
        handoffs=tuple(fix(e) for e in j.handoffs),
    )


# -- for_persona --------------------------------------------------------------------


def for_persona(j: Journey, persona: str) -> Journey:
    """Return the journey one persona travels.

    It keeps the touchpoints whose ``personas`` is empty (everyone) or names
    ``persona``, every decision point and outcome, and the edges between kept
    steps; then drops each step no longer reachable from an entry (along
    transitions, hand-offs and triggers). The entries left are re-weighted to
    sum to 1, and so are the probabilities out of each step, over the edges
    kept. A :class:`~cxgraph.CxgraphWarning` names every step left without a
    way out.

    Parameters
    ----------
    j
        The journey.
    persona
        The id of one of the journey's personas.

    Returns
    -------
    Journey
        A new, validated journey (all personas stay defined).

    Raises
    ------
    TypeError
        If ``j`` is not a Journey or ``persona`` is not a string.
    EditError
        If the persona is unknown, or no entry is left for it.

    Examples
    --------
    >>> import cxgraph as cx
    >>> from cxgraph.changes.edits import for_persona
    >>> j = cx.Journey(id="j", name="J",
    ...     personas=[cx.Persona(id="p", name="P"), cx.Persona(id="q", name="Q")],
    ...     touchpoints=[cx.Touchpoint(id="a", name="A"),
    ...                  cx.Touchpoint(id="b", name="B", personas=["q"])],
    ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
    ...     transitions=[cx.Transition(source="a", target="b", probability=0.5),
    ...                  cx.Transition(source="a", target="won", probability=0.5),
    ...                  cx.Transition(source="b", target="won", probability=1.0)])
    >>> [(e.source, e.target, e.probability) for e in for_persona(j, "p").transitions]
    [('a', 'won', 1.0)]
    """
    fn = "for_persona"
    j = _journey(j, fn)
    if not isinstance(persona, str):
        msg = f"{fn}(): persona must be a persona id (a string), got {describe(persona)}"  # type: ignore[unreachable]
        raise TypeError(msg)
    ids = [p.id for p in j.personas]
    if persona not in ids:
        msg = (
            f"{fn}(): unknown persona {persona!r} in journey {j.id!r} {choices_text(persona, ids)}"
        )
        raise EditError(msg)
    old_starts = _starts(j)
    starts, reach = persona_reach(j, persona)
    if old_starts and math.fsum(starts.values()) <= 0:
        msg = (
            f"{fn}(): no journey of persona {persona!r} can start: every entry of "
            f"{j.id!r} is at a touchpoint for other personas; add an entry they travel"
        )
        raise EditError(msg)
    new_edges: list[Edge] = []
    for _, edges in _flow_out(j).items():
        inside = [e for e in edges if e.source in reach and e.target in reach]
        if not inside:
            continue
        if len(inside) == len(edges):
            new_edges.extend(edges)
            continue
        shares, basis = _shares(edges)
        rows = [
            (e, sh, _count(e))
            for e, sh in zip(edges, shares, strict=True)
            if e.source in reach and e.target in reach
        ]
        new_edges.extend(_regroup(basis, rows))
    new_edges.extend(t for t in j.triggers if t.source in reach and t.target in reach)
    entries: tuple[Entry, ...] | None = None
    if j.entries:
        shares, basis = _shares(j.entries)
        kept_entries = [(e, sh) for e, sh in zip(j.entries, shares, strict=True) if e.step in reach]
        written = _written(
            basis,
            [sh for _, sh in kept_entries],
            [None if e.count is None else float(e.count) for e, _ in kept_entries],
        )
        entries = tuple(
            Entry(step=e.step, probability=p, count=c)
            for (e, _), (p, c) in zip(kept_entries, written, strict=True)
        )
    changes = {
        "touchpoints": tuple(s for s in j.touchpoints if s.id in reach),
        "decision_points": tuple(s for s in j.decision_points if s.id in reach),
        "outcomes": tuple(s for s in j.outcomes if s.id in reach),
        **_split(new_edges),
    }
    out = _with_entries(j, changes, starts, entries)
    _warn_dead_ends(out, fn, j)
    return out
