"""The journey as an absorbing Markov chain: conversion, visits and removal effects.

The customer moves along transitions and hand-offs (triggers move the
organisation, not the customer, and are ignored). Out of each step the chain
uses the ``probability`` values, else ``count`` proportions, else equal
shares; journeys start from the entries (:func:`cxgraph.graph.entry_weights`)
weighted the same way. ``basis`` names what the numbers rest on across the
steps the entries reach: ``probability``, ``count``, ``uniform`` or
``mixed``. A step with a single way out and no numbers on it, like a single
unweighted entry, is certain whatever the basis and does not count; a
journey with no numbers at all is ``uniform``.

Outcomes absorb. A touchpoint or decision with no way out is a *dead end*:
the journey stops there without an outcome, which counts as no conversion
(its share is ``dead_end_probability``). Steps the entries cannot reach have
visit probability 0. A loop the customer can enter but never leave (no
edge with a positive probability or count out of it, and no dead end in it)
is a :class:`~cxgraph.CxgraphError` naming its steps; such a loop that only
triggers lead to holds no customer and is no error.

Everything is exact linear algebra on ``Q`` (moves between non-outcome
steps) and ``N = (I - Q)^-1``, never simulation. Expected visits come from one
sparse LU factorisation; the probability of ever reaching a step ``c`` is
``hit(c) = visits(c) / N[c, c]``, and since a return to ``c`` never leaves
its strongly connected component, ``N[c, c]`` is read off the inverse of
``I - Q`` restricted to that component (1 for a step on no loop). The removal
effect of ``c`` is ``1 - P(conversion without c) / P(conversion)`` with
``P(conversion without c) = P(conversion) - hit(c) * P(conversion from c)``:
taking ``c`` out zeroes its row of ``Q``, a rank-one change of ``I - Q``, and
Sherman-Morrison gives exactly this (only journeys that reach ``c`` change,
and from ``c`` they no longer convert). So every step's effect comes from the
one factorisation and the diagonal of ``N``, never from a solve per step.
For a set of steps (a channel's, an owner's) the chain with the set taken out
is solved once more, as a low-rank (Woodbury) update of the same
factorisation when the set has at most 32 steps.

Bounds and cost: a journey of 100,000 mostly acyclic steps takes about two
seconds, nearly all of it building the result. A loop (strongly connected
component) of up to ``max_component`` steps (10,000 by default) gets its
diagonal of ``N`` exactly, the cheapest of four ways: small loops together
in batches; a loop that is narrow in reverse Cuthill-McKee order (rework
going back a few steps) by band LU and selected inversion, ``O(m b^2)`` for
bandwidth ``b`` (10,000 steps in about 0.3 s in all); a loop whose sparse LU
stays very sparse by solving through it; else by a dense LU and the inverses
of its triangles, ``4/3 m^3`` flops against ``2 m^3`` for one dense inverse
(the worst case, cross-links everywhere: about 15 s for 5,000 steps, and a
minute and 0.8 GB for 10,000, on two busy cores). Steps of a larger loop are
left out of ``visit_probability`` and of the per-step removal effects, and
listed in ``left_out``, rather than run for many minutes; their expected
visits, the outcome probabilities, ``reach_probability`` and the removal
effects by channel or owner stay exact for every step.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="Shop",
...     touchpoints=[cx.Touchpoint(id="visit", name="Visit"),
...                  cx.Touchpoint(id="trial", name="Free trial"),
...                  cx.Touchpoint(id="browse", name="Browse")],
...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
...               cx.Outcome(id="lost", name="Lost", kind="failure")],
...     transitions=[cx.Transition(source="visit", target="trial", probability=0.6),
...                  cx.Transition(source="visit", target="browse", probability=0.4),
...                  cx.Transition(source="trial", target="won"),
...                  cx.Transition(source="browse", target="lost")])
>>> model = markov(j)
>>> model.conversion_probability, model.basis
(0.6, 'probability')
>>> dict(model.removal_effects())
{'browse': 0.0, 'lost': 0.0, 'trial': 1.0, 'visit': 1.0, 'won': 1.0}
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from cxgraph._util.cache import cached
from cxgraph.errors import CxgraphError
from cxgraph.graph import entry_weights
from cxgraph.model.classes import DecisionPoint, Handoff, Journey, Touchpoint, Transition

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]

from cxgraph.analyses._chain import _Chain, _clip, _factorise
from cxgraph.analyses._diagonal import _inverse_diagonal
from cxgraph.analyses.markov_model import MAX_COMPONENT, MarkovModel, MarkovStep, _label

__all__ = ["markov"]

# -- building the model ------------------------------------------------------------


def markov(journey: Journey, *, max_component: int = MAX_COMPONENT) -> MarkovModel:
    """Solve the journey as an absorbing Markov chain.

    Parameters
    ----------
    journey
        The journey to analyse.
    max_component
        The largest loop (strongly connected component of touchpoints and
        decisions) to invert exactly; steps of a larger one are left out of
        ``visit_probability`` and the per-step removal effects and listed in
        ``left_out``.

    Returns
    -------
    MarkovModel
        One finding per step (``step, visit_probability, expected_visits,
        removal_effect``), sorted by id, and the chain's summary numbers.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        If ``max_component`` is not a positive integer.
    CxgraphError
        If the customer can enter a closed loop: steps that lead only to
        each other, never to an outcome or a dead end.

    Examples
    --------
    A customer who asks again half the time (two visits on average):

    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="Support",
    ...     touchpoints=[cx.Touchpoint(id="ask", name="Ask support")],
    ...     outcomes=[cx.Outcome(id="solved", name="Solved", kind="success")],
    ...     entries=["ask"],
    ...     transitions=[cx.Transition(source="ask", target="ask", count=5),
    ...                  cx.Transition(source="ask", target="solved", count=5)])
    >>> model = markov(j)
    >>> model.expected_visits["ask"], model.visit_probability["ask"], model.basis
    (2.0, 1.0, 'count')
    >>> print(model.describe(model.findings[0]))
    'Ask support' (ask): reached by 100% of journeys (2 visits on average); removing it loses 100% of conversions

    A loop with no way out is an error:

    >>> markov(j.with_changes(transitions=[cx.Transition(source="ask", target="ask")]))
    Traceback (most recent call last):
    ...
    cxgraph.errors.CxgraphError: the journey 'j' has a closed loop with no way out: ...
    """  # noqa: E501
    if not isinstance(journey, Journey):
        msg = f"markov() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    whole = isinstance(max_component, int) and not isinstance(max_component, bool)
    if not whole or max_component < 1:
        msg = f"markov(max_component={max_component!r}): expected a positive integer"
        raise ValueError(msg)
    # Inside cx.analyze several analyses need the same chain: solve it once.
    return cached(journey, f"markov:{max_component}", lambda: _solve(journey, max_component))


def _solve(journey: Journey, max_component: int) -> MarkovModel:
    import numpy as np
    from scipy import sparse
    from scipy.sparse import csgraph

    steps = journey.steps
    ids = [s.id for s in steps]
    names = {s.id: s.name for s in steps}
    index = {sid: i for i, sid in enumerate(ids)}
    n_all = len(ids)
    outcomes = journey.outcomes
    is_outcome = np.zeros(n_all, dtype=bool)
    opos = np.full(n_all, -1, dtype=np.intp)
    for k, o in enumerate(outcomes):
        is_outcome[index[o.id]] = True
        opos[index[o.id]] = k
    success = np.array([o.kind == "success" for o in outcomes], dtype=bool)

    # Resolve the probability of every customer-flow edge, step by step.
    out_edges: dict[str, list[Transition | Handoff]] = {}
    flow_edges: tuple[Transition | Handoff, ...] = (*journey.transitions, *journey.handoffs)
    for e in flow_edges:
        out_edges.setdefault(e.source, []).append(e)
    trans_p: dict[tuple[str, str], float] = {}
    step_basis: dict[int, str] = {}
    for source, edges in out_edges.items():
        weights, basis = _weigh([e.probability for e in edges], [e.count for e in edges])
        for e, w in zip(edges, weights, strict=True):
            trans_p[e.source, e.target] = w
        # One way out with no numbers is certain whatever the basis: it says nothing.
        if not (len(edges) == 1 and basis == "uniform"):
            step_basis[index[source]] = basis

    starts, entry_basis = entry_weights(journey)
    total = math.fsum(starts.values())
    if total > 0:
        starts = {s: w / total for s, w in starts.items()}
    alpha = np.zeros(n_all)
    for s, w in starts.items():
        alpha[index[s]] += w

    n_edges = len(trans_p)
    src = np.fromiter((index[u] for u, _ in trans_p), dtype=np.intp, count=n_edges)
    dst = np.fromiter((index[t] for _, t in trans_p), dtype=np.intp, count=n_edges)
    prob = np.fromiter(trans_p.values(), dtype=np.float64, count=n_edges)
    positive = prob > 0

    # Steps the customer can reach: breadth first from a virtual root over the
    # edges that carry some probability.
    root = n_all
    entry_idx = np.flatnonzero(alpha > 0)
    rows = np.concatenate([src[positive], np.full(entry_idx.size, root, dtype=np.intp)])
    cols = np.concatenate([dst[positive], entry_idx])
    reach_graph = sparse.csr_matrix(
        (np.ones(rows.size), (rows, cols)), shape=(n_all + 1, n_all + 1)
    )
    order = csgraph.breadth_first_order(reach_graph, root, directed=True, return_predecessors=False)
    reachable = np.zeros(n_all + 1, dtype=bool)
    reachable[order] = True
    reachable = reachable[:n_all]

    transient = np.flatnonzero(reachable & ~is_outcome)
    n_t = transient.size
    pos = np.full(n_all, -1, dtype=np.intp)
    pos[transient] = np.arange(n_t, dtype=np.intp)
    from_t = positive & (pos[src] >= 0)
    to_o = from_t & is_outcome[dst]
    to_t = from_t & ~is_outcome[dst]
    Q = sparse.csr_matrix((prob[to_t], (pos[src[to_t]], pos[dst[to_t]])), shape=(n_t, n_t))
    R = sparse.csr_matrix(
        (prob[to_o], (pos[src[to_o]], opos[dst[to_o]])), shape=(n_t, len(outcomes))
    )
    has_out = np.zeros(n_all, dtype=bool)
    has_out[src] = True
    dead = ~has_out[transient]

    n_comp, labels = csgraph.connected_components(Q, directed=True, connection="strong")
    _check_closed(journey, Q, R, dead, labels, n_comp, transient, ids, names)

    alpha_t = alpha[transient]
    alpha_o = np.zeros(len(outcomes))
    for k, o in enumerate(outcomes):
        alpha_o[k] = alpha[index[o.id]]
    r = np.asarray(R @ success.astype(np.float64), dtype=np.float64)
    lu = _factorise(Q) if n_t else None
    v = lu.solve(alpha_t, trans="T") if lu is not None else np.zeros(0)
    g = lu.solve(r) if lu is not None else np.zeros(0)
    v = np.maximum(v, 0.0)
    g = np.clip(g, 0.0, 1.0)
    b = np.asarray(R.T @ v, dtype=np.float64) + alpha_o
    conversion = _clip(float(np.sum(b[success])))
    dead_share = _clip(float(np.sum(v[dead])))

    n_diag, left = _inverse_diagonal(Q, labels, n_comp, max_component, lu)
    with np.errstate(invalid="ignore"):
        hit = np.clip(v / n_diag, 0.0, 1.0)
    # Per step (global index): visit probability, expected visits and the
    # conversions that pass through it, which is what taking it out loses.
    visit_all = np.zeros(n_all)
    visits_all = np.zeros(n_all)
    loss_all = np.zeros(n_all)
    left_all = np.zeros(n_all, dtype=bool)
    visit_all[transient] = hit
    visits_all[transient] = v
    loss_all[transient] = hit * g
    left_all[transient] = left
    o_idx = np.array([index[o.id] for o in outcomes], dtype=np.intp)
    if o_idx.size:
        visit_all[o_idx] = b
        visits_all[o_idx] = b
        loss_all[o_idx] = np.where(success, b, 0.0)
    safe = conversion if conversion > 0 else 1.0  # effects are 0 when nothing converts
    effect_all = np.clip(loss_all / safe, 0.0, 1.0)
    without_all = np.clip(conversion - loss_all, 0.0, conversion)

    by_id = sorted(range(n_all), key=ids.__getitem__)
    sorted_ids = [ids[i] for i in by_id]
    per_step = zip(
        sorted_ids,
        visit_all[by_id].tolist(),
        visits_all[by_id].tolist(),
        effect_all[by_id].tolist(),
        without_all[by_id].tolist(),
        left_all[by_id].tolist(),
        strict=True,
    )
    findings_list: list[MarkovStep] = []
    visit: dict[str, float] = {}
    without: dict[str, float] = {}
    for sid, vp, ev, eff, wo, out in per_step:
        if out:
            findings_list.append(
                MarkovStep(
                    step=sid, visit_probability=None, expected_visits=ev, removal_effect=None
                )
            )
            continue
        visit[sid] = vp
        without[sid] = wo
        findings_list.append(
            MarkovStep(step=sid, visit_probability=vp, expected_visits=ev, removal_effect=eff)
        )
    findings = tuple(findings_list)
    visits = dict(zip(sorted_ids, visits_all[by_id].tolist(), strict=True))
    edge_keys = sorted(trans_p)
    src_pos = pos[src]
    flow_all = np.where(src_pos >= 0, v[np.maximum(src_pos, 0)] if n_t else 0.0, 0.0) * prob
    flow_by_key = dict(zip(trans_p, flow_all.tolist(), strict=True))
    bases = {step_basis[i] for i in transient.tolist() if i in step_basis}
    if not (entry_basis == "uniform" and len(starts) <= 1):
        bases.add(entry_basis)
    overall = "uniform" if not bases else bases.pop() if len(bases) == 1 else "mixed"

    chain = _Chain(
        index=index,
        pos=pos,
        opos=opos,
        Q=Q,
        R=R,
        success=success,
        alpha_t=alpha_t,
        alpha_o=alpha_o,
        v=v,
        outcome_kind={o.id: o.kind for o in outcomes},
        groups=_groups(journey, index),
        group_names={
            "channel": {c.id: c.name for c in journey.channels},
            "owner": {o.id: o.name for o in journey.owners},
        },
        has_entries=bool(entry_idx.size),
    )
    chain._lu = lu
    chain.without_step = without
    return MarkovModel(
        findings=findings,
        conversion_probability=conversion,
        outcome_probabilities={o.id: float(b[k]) for k, o in enumerate(outcomes)},
        dead_end_probability=dead_share,
        expected_steps=float(np.sum(v)),
        visit_probability=visit,
        expected_visits=visits,
        transition_probability={k: trans_p[k] for k in edge_keys},
        edge_flow={k: flow_by_key[k] for k in edge_keys},
        basis=overall,
        dead_ends=tuple(sorted(ids[i] for i in transient[dead])),
        left_out=tuple(sorted(ids[i] for i in transient[left])),
        step_names=names,
        chain=chain,
    )


def _weigh(probs: list[float | None], counts: list[int | None]) -> tuple[list[float], str]:
    """Probabilities out of one step, and the basis they rest on."""
    n = len(probs)
    if n == 1:
        # One way out (most steps): p / p and c / c are exactly 1.0, so the
        # answer is the general one below without its sums.
        p, c = probs[0], counts[0]
        if p is not None and p > 0:
            return [1.0], "probability"
        if c is not None and c > 0:
            return [1.0], "count"
        return [1.0], "uniform"
    if all(p is not None for p in probs):
        total = math.fsum(probs)  # type: ignore[arg-type]
        if total > 0:
            # Validation allows a sum within 1e-9 of 1: rescale so no mass leaks.
            return [p / total for p in probs], "probability"  # type: ignore[operator]
    if all(c is not None for c in counts):
        total = float(sum(counts))  # type: ignore[arg-type]
        if total > 0:
            return [c / total for c in counts], "count"  # type: ignore[operator]
    return [1.0 / n] * n, "uniform"


def _check_closed(
    journey: Journey,
    Q: Any,
    R: Any,
    dead: npt.NDArray[np.bool_],
    labels: IntArray,
    n_comp: int,
    transient: IntArray,
    ids: list[str],
    names: dict[str, str],
) -> None:
    """Raise if a reachable loop has no way out (the chain would never end)."""
    import numpy as np

    coo = Q.tocoo()
    exits = np.zeros(n_comp, dtype=bool)
    cross = labels[coo.row] != labels[coo.col]
    exits[labels[coo.row[cross]]] = True
    exits[labels[np.flatnonzero(np.diff(R.indptr))]] = True
    exits[labels[dead]] = True
    closed = np.flatnonzero(~exits)
    if closed.size == 0:
        return
    loops = sorted(sorted(ids[i] for i in transient[labels == c]) for c in closed)
    listed = ["{" + ", ".join(_label(names, s) for s in loop) + "}" for loop in loops]
    msg = (
        f"the journey {journey.id!r} has a closed loop with no way out: "
        + "; ".join(listed)
        + ". A customer who enters it never reaches an outcome: give one of its steps a "
        "transition (with a positive probability or count) to an outcome or to a step "
        "outside the loop"
    )
    raise CxgraphError(msg)


def _groups(journey: Journey, index: dict[str, int]) -> dict[str, dict[str, tuple[int, ...]]]:
    """Steps per declared channel and per declared owner (global indices)."""
    channel: dict[str, list[int]] = {c.id: [] for c in journey.channels}
    owner: dict[str, list[int]] = {o.id: [] for o in journey.owners}
    for s in journey.steps:
        if isinstance(s, Touchpoint) and s.channel is not None:
            channel.setdefault(s.channel, []).append(index[s.id])
        if isinstance(s, Touchpoint | DecisionPoint) and s.owner is not None:
            owner.setdefault(s.owner, []).append(index[s.id])
    return {
        "channel": {k: tuple(v) for k, v in channel.items()},
        "owner": {k: tuple(v) for k, v in owner.items()},
    }
