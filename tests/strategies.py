"""Hypothesis strategies that build *valid* cxgraph journeys.

``st.from_type`` ignores attrs validators and the whole-journey rules, so these
strategies build journeys explicitly. Every object they return passes
``Journey``'s own checks; shape varies widely (empty journeys, loops,
self-loops, triggers out of outcomes, owners nested several levels deep,
unicode names, every optional field sometimes set).

Public strategies, for reuse in analysis tests:

``journeys(**options)``
    Any valid journey. Options (all keyword-only):

    ``min_steps`` / ``max_steps``
        Bounds on the number of steps (touchpoints, decision points and
        outcomes together); default 0 and 8.
    ``acyclic``
        ``True``: every edge (transitions, hand-offs and triggers) goes forward
        in one hidden order, so the graph is a DAG (no self-loops either).
        ``False``: loops and self-loops appear. ``None`` (default): either.
    ``probabilities``
        ``"all"``: every step with customer flow out (transitions and
        hand-offs) gives probabilities on all of them, and declared entries
        carry probabilities too. ``"none"``: no probabilities anywhere.
        ``"any"`` (default): per step, either.
    ``absorbing``
        ``True``: at least one outcome, and every non-outcome step has a
        transition or hand-off forward in that hidden order, so every step can
        reach an outcome by customer flow (Markov analyses never meet a closed
        loop). Default ``False``.
    ``loop``
        ``True``: at least one loop or self-loop in the customer flow (needs
        ``acyclic`` False or None). Default ``False``.

``dag_journeys(**options)``
    ``journeys(acyclic=True, absorbing=True, ...)``: small acyclic journeys
    with at least one outcome, good for checking path counts against
    enumeration.

``loop_journeys(**options)``
    ``journeys(loop=True, absorbing=True, ...)``: at least one loop or
    self-loop in the customer flow, every step able to reach an outcome.

``probabilistic_journeys(**options)``
    ``journeys(probabilities="all", absorbing=True, ...)``: probabilities on
    every flow edge and entry, every step able to reach an outcome; loops may
    appear (pass ``acyclic=True`` for none).

Probabilities out of a step are built to sum to 1 within the model's 1e-9
tolerance: integer weights ``w / W`` for all edges but the last, which gets
``1 - fsum(others)`` (clamped at 0), so the sum is 1 up to one rounding.

Smaller building blocks are exported too: ``ids``, ``names``, ``texts``,
``durations``, ``json_values``, ``extensions``, ``metrics``.
"""

from __future__ import annotations

import functools
import math
import string
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, Literal, TypeVar

from hypothesis import strategies as st

import cxgraph as cx

__all__ = [
    "dag_journeys",
    "durations",
    "extensions",
    "ids",
    "journeys",
    "json_values",
    "loop_journeys",
    "metrics",
    "names",
    "probabilistic_journeys",
    "texts",
]

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[T]], T]

#: Ids as the model allows them: letters, digits and ``_ . : -``.
ids: st.SearchStrategy[str] = st.text(
    alphabet=string.ascii_letters + string.digits + "_.:-", min_size=1, max_size=6
)

#: Any unicode text a file can hold (no lone surrogates: UTF-8 cannot encode them).
texts: st.SearchStrategy[str] = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)), max_size=12
)

#: Names: mostly readable, sometimes any unicode (accents, CJK, emoji, controls).
names: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(["Order", "Café crème", "見積もり", "Ünïcødé ✓", "ok 🙂", "a: b", "yes"]),
    texts,
)

#: Non-negative durations: whole seconds (the usual case) or any microsecond.
durations: st.SearchStrategy[timedelta] = st.one_of(
    st.integers(0, 10**7).map(lambda s: timedelta(seconds=s)),
    st.timedeltas(min_value=timedelta(0)),
)

_finite = st.floats(allow_nan=False, allow_infinity=False)

#: JSON-like values as extensions hold them: null, bools, ints, finite floats,
#: strings, lists and string-keyed mappings, nested.
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | _finite | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)

#: The top-level ``extensions`` mapping.
extensions: st.SearchStrategy[dict[str, Any]] = st.dictionaries(texts, json_values, max_size=3)

metrics: st.SearchStrategy[cx.Metric] = st.builds(
    cx.Metric,
    name=names,
    kind=st.sampled_from(["csat", "ces", "nps", "conversion", "duration", "volume", "custom"]),
    target=st.none() | _finite,
    value=st.none() | _finite,
    unit=st.sampled_from(["", "%", "of 5", "min"]),
)

_text_tuples = st.lists(texts, max_size=2).map(tuple)


# Strategies are cached by their arguments: building a fresh strategy for every
# draw costs more than the draw itself, and a journey makes hundreds of draws.
_booleans = st.booleans()
_quarter = st.integers(0, 3)
_small = st.integers(0, 5)
_tiers = st.integers(-2, 5)
_emotions = st.none() | st.integers(-3, 3)
_counts = st.none() | st.integers(0, 10**6)
_opt_text = st.just("") | texts
_metric_lists = st.lists(metrics, max_size=2)
_opt_extensions = st.just({}) | extensions


@functools.lru_cache(maxsize=4096)
def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


@functools.lru_cache(maxsize=4096)
def _sampler(choices: tuple[T, ...]) -> st.SearchStrategy[T]:
    return st.sampled_from(choices)


@functools.lru_cache(maxsize=4096)
def _subsets(choices: tuple[str, ...], max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(choices), unique=True, max_size=max_size)


@functools.cache
def _id_lists(n_min: int, n_max: int) -> st.SearchStrategy[list[str]]:
    return st.lists(ids, unique=True, min_size=n_min, max_size=n_max)


def _maybe(draw: Draw[Any], strategy: st.SearchStrategy[T]) -> T | None:
    """Draw a value or None (about half the time each)."""
    return draw(_optional(strategy))


def _pick(draw: Draw[Any], choices: Sequence[T]) -> T | None:
    """Draw one of ``choices`` or None; None when there are no choices."""
    return draw(_optional(_sampler(tuple(choices)))) if choices else None


def _one(draw: Draw[Any], choices: Sequence[T]) -> T:
    """Draw one of ``choices`` (which must not be empty)."""
    return draw(_sampler(tuple(choices)))


def _subset(draw: Draw[Any], choices: Sequence[str], max_size: int = 3) -> tuple[str, ...]:
    """Draw distinct items of ``choices`` in a drawn order."""
    if not choices:
        return ()
    return tuple(draw(_subsets(tuple(choices), max_size)))


def _unique_ids(draw: Draw[Any], n_min: int, n_max: int) -> list[str]:
    return draw(_id_lists(n_min, n_max))


def _weights(draw: Draw[Any], n: int) -> list[float]:
    """``n`` probabilities summing to 1 within the model's tolerance (see module doc)."""
    if n == 1:
        return [_one(draw, (1.0, 1))]
    raw = [draw(_small) for _ in range(n)]
    if sum(raw) == 0:
        raw[-1] = 1
    total = sum(raw)
    out = [w / total for w in raw[:-1]]
    last = max(0.0, 1.0 - math.fsum(out))
    return [*out, last]


@st.composite
def _owners(draw: Draw[Any]) -> tuple[cx.Owner, ...]:
    """Owners whose parents form a forest: each parent comes from an earlier owner,
    then the list is shuffled so parents may also come later in the file."""
    owner_ids = _unique_ids(draw, 0, 5)
    owners = []
    for i, oid in enumerate(owner_ids):
        owners.append(
            cx.Owner(
                id=oid,
                name=draw(names),
                kind=_one(draw, ["department", "team", "role", "system", "partner"]),
                parent=_pick(draw, owner_ids[:i]),
            )
        )
    return tuple(draw(st.permutations(owners)))


@st.composite
def journeys(
    draw: Draw[Any],
    *,
    min_steps: int = 0,
    max_steps: int = 8,
    acyclic: bool | None = None,
    probabilities: Literal["any", "all", "none"] = "any",
    absorbing: bool = False,
    loop: bool = False,
) -> cx.Journey:
    """A valid journey; see the module docstring for the options."""
    if loop and acyclic:
        msg = "journeys(): loop=True needs acyclic=False or None"
        raise ValueError(msg)
    if acyclic is None:
        acyclic = False if loop else draw(_booleans)

    # -- reference data --------------------------------------------------
    personas = tuple(
        cx.Persona(
            id=pid,
            name=draw(names),
            segment=_maybe(draw, texts),
            goals=draw(_text_tuples),
            needs=draw(_text_tuples),
            description=draw(_opt_text),
        )
        for pid in _unique_ids(draw, 0, 3)
    )
    owners = draw(_owners())
    owner_ids = [o.id for o in owners]
    phases = tuple(
        cx.Phase(
            id=pid,
            name=draw(names),
            owner=_pick(draw, owner_ids),
            expected_duration=_maybe(draw, durations),
            description=draw(_opt_text),
        )
        for pid in _unique_ids(draw, 0, 4)
    )
    channels = tuple(
        cx.Channel(
            id=cid,
            name=draw(names),
            kind=_one(draw, ["digital", "human", "physical", "automated"]),
        )
        for cid in _unique_ids(draw, 0, 3)
    )
    systems = tuple(
        cx.System(
            id=sid,
            name=draw(names),
            owner=_pick(draw, owner_ids),
            status=_one(draw, ["current", "planned", "retired"]),
        )
        for sid in _unique_ids(draw, 0, 2)
    )
    dimensions = tuple(
        cx.Dimension(
            id=did,
            name=draw(names),
            tier=draw(_tiers),
            description=draw(_opt_text),
        )
        for did in _unique_ids(draw, 0, 3)
    )
    phase_ids = [p.id for p in phases]
    persona_ids = [p.id for p in personas]
    channel_ids = [c.id for c in channels]
    system_ids = [s.id for s in systems]
    dim_ids = [d.id for d in dimensions]

    # -- steps, in a hidden flow order -------------------------------------
    min_steps = max(min_steps, 2 if loop and absorbing else 1 if loop or absorbing else 0)
    order = _unique_ids(draw, min_steps, max(min_steps, max_steps))
    n = len(order)
    kinds = [_one(draw, ["touchpoint", "decision", "outcome"]) for _ in order]
    if absorbing and n:
        kinds[-1] = "outcome"  # every forward chain ends in an outcome
    if loop and kinds[0] == "outcome":
        kinds[0] = "touchpoint"  # a loop needs a step the customer can leave
    touchpoints, decisions, outcomes = [], [], []
    for sid, kind in zip(order, kinds, strict=True):
        if kind == "touchpoint":
            core: dict[str, Any] = {
                "id": sid,
                "name": draw(names),
                "phase": _pick(draw, phase_ids),
                "owner": _pick(draw, owner_ids),
                "channel": _pick(draw, channel_ids),
                "lane": _one(draw, ["customer", "frontstage", "backstage", "support"]),
                "dimension": _pick(draw, dim_ids),
            }
            if not draw(_booleans):
                # Half the touchpoints set only what the analyses read most: a
                # journey then takes half the draws to build, and the other half
                # still sets every field.
                touchpoints.append(cx.Touchpoint(**core, emotion=draw(_emotions)))
                continue
            touchpoints.append(
                cx.Touchpoint(
                    **core,
                    personas=_subset(draw, persona_ids),
                    emotion=draw(_emotions),
                    pain_points=draw(_text_tuples),
                    opportunities=draw(_text_tuples),
                    metrics=tuple(draw(_metric_lists)),
                    content=draw(_text_tuples),
                    data=draw(_text_tuples),
                    systems=_subset(draw, system_ids),
                    duration=_maybe(draw, durations),
                    moment_of_truth=draw(_booleans),
                    trust=_pick(draw, ["builds", "erodes"]),
                    value=_pick(draw, ["product", "relationship"]),
                )
            )
        elif kind == "decision":
            deciders = ["customer", "employee", "automated"] if owner_ids else ["customer"]
            decided_by = _one(draw, deciders)
            decisions.append(
                cx.DecisionPoint(
                    id=sid,
                    name=draw(names),
                    phase=_pick(draw, phase_ids),
                    decided_by=decided_by,
                    owner=None if decided_by == "customer" else _one(draw, owner_ids),
                    question=draw(_opt_text),
                    dimension=_pick(draw, dim_ids),
                )
            )
        else:
            outcomes.append(
                cx.Outcome(
                    id=sid,
                    name=draw(names),
                    kind=_one(draw, ["success", "failure", "exit"]),
                    dimension=_pick(draw, dim_ids),
                )
            )

    # -- edges: (source, target) pairs unique across all three kinds --------
    def targets_of(i: int) -> list[str]:
        return order[i + 1 :] if acyclic else order

    used: set[tuple[str, str]] = set()
    flow: list[tuple[str, str, str]] = []  # (kind, source, target) in drawn order
    for i, src in enumerate(order):
        if kinds[i] == "outcome":
            continue  # outcomes end the journey: nothing but triggers leaves them
        choices = targets_of(i)
        targets = _subset(draw, choices, max_size=3)
        if absorbing and not any(order.index(t) > i for t in targets):
            targets = (*targets, _one(draw, order[i + 1 :]))
        for tgt in targets:
            used.add((src, tgt))
            flow.append((_one(draw, ["transition", "handoff"]), src, tgt))
    if loop:
        # Close a loop for certain: i -> j back (or to itself) and j -> i forward.
        movable = [k for k, kind in enumerate(kinds) if kind != "outcome"]
        i = _one(draw, movable)
        j = _one(draw, [k for k in movable if k <= i])
        for a, b in ((i, j), (j, i)):
            if (order[a], order[b]) not in used:
                used.add((order[a], order[b]))
                flow.append((_one(draw, ["transition", "handoff"]), order[a], order[b]))
    triggers_raw: list[tuple[str, str]] = []
    for i, src in enumerate(order):
        if draw(_quarter) != 0:
            continue  # triggers are the exception, not the rule
        free = [t for t in targets_of(i) if (src, t) not in used]
        for tgt in _subset(draw, free, max_size=2):
            used.add((src, tgt))
            triggers_raw.append((src, tgt))

    # Probabilities: all-or-none per source over transitions and hand-offs.
    prob: dict[tuple[str, str], float | None] = {}
    by_source: dict[str, list[tuple[str, str]]] = {}
    for _, s, t in flow:
        by_source.setdefault(s, []).append((s, t))
    for pairs in by_source.values():
        given = probabilities == "all" or (probabilities == "any" and draw(_booleans))
        weights = _weights(draw, len(pairs)) if given else [None] * len(pairs)
        prob.update(zip(pairs, weights, strict=True))

    transitions, handoffs = [], []
    for kind, s, t in draw(st.permutations(flow)):
        common: dict[str, Any] = {"source": s, "target": t, "probability": prob[s, t]}
        if draw(_booleans):  # as for touchpoints: half the edges set only the essentials
            common.update(count=draw(_counts), label=draw(_opt_text), condition=draw(_opt_text))
        if kind == "transition":
            transitions.append(cx.Transition(**common))
        else:
            handoffs.append(
                cx.Handoff(
                    **common,
                    owner=_pick(draw, owner_ids),
                    carries=draw(_text_tuples),
                    sla=_maybe(draw, durations),
                )
            )
    triggers = [
        cx.Trigger(
            source=s,
            target=t,
            owner=_pick(draw, owner_ids),
            carries=draw(_text_tuples),
            label=draw(_opt_text),
            condition=draw(_opt_text),
        )
        for s, t in triggers_raw
    ]

    # -- entries: none (the default), or some steps, bare or weighted -------
    entries: list[str | cx.Entry] = []
    if order and draw(_booleans):
        starts = list(draw(_subsets(tuple(order), 3)))
        starts = starts or [_one(draw, order)]
        with_prob = probabilities == "all" or (probabilities == "any" and draw(_booleans))
        weights = _weights(draw, len(starts)) if with_prob else [None] * len(starts)
        for step, p in zip(starts, weights, strict=True):
            count = draw(_counts)
            if p is None and count is None and draw(_booleans):
                entries.append(step)  # a bare step id, as files may write it
            else:
                entries.append(cx.Entry(step=step, probability=p, count=count))

    return cx.Journey(
        id=draw(ids),
        name=draw(names),
        version=draw(st.sampled_from(["", "1", "2024-06", "v2.1"]) | texts),
        state=_one(draw, ["current", "future"]),
        description=draw(_opt_text),
        personas=personas,
        phases=phases,
        owners=owners,
        channels=channels,
        systems=systems,
        dimensions=dimensions,
        touchpoints=draw(st.permutations(touchpoints)),
        decision_points=draw(st.permutations(decisions)),
        outcomes=draw(st.permutations(outcomes)),
        entries=entries,
        transitions=transitions,
        handoffs=handoffs,
        triggers=triggers,
        extensions=draw(_opt_extensions),
    )


def dag_journeys(*, min_steps: int = 1, max_steps: int = 7, **options: Any) -> Any:
    """Acyclic journeys (triggers included) where every step reaches an outcome."""
    return journeys(
        min_steps=min_steps, max_steps=max_steps, acyclic=True, absorbing=True, **options
    )


def loop_journeys(*, min_steps: int = 2, max_steps: int = 7, **options: Any) -> Any:
    """Journeys with at least one loop or self-loop in the customer flow,
    every step still able to reach an outcome."""
    return journeys(min_steps=min_steps, max_steps=max_steps, loop=True, absorbing=True, **options)


def probabilistic_journeys(*, max_steps: int = 7, **options: Any) -> Any:
    """Journeys with probabilities on every flow edge and entry, every step
    able to reach an outcome; loops may appear (pass ``acyclic=True`` for none)."""
    return journeys(max_steps=max_steps, probabilities="all", absorbing=True, **options)
