"""How much each edge's probability moves the conversion probability.

For every customer-flow edge (transitions and hand-offs: the edges
:func:`~cxgraph.analyses.markov.markov` weighs; triggers move the
organisation, not the customer), the exact derivative of
``conversion_probability`` with respect to the edge's probability ``p_st``
when the other probabilities out of the same source ``s`` scale by
``(1 - p_st - d) / (1 - p_st)`` to keep the sum 1. Raising ``p_st`` by ``d``
then changes row ``s`` of the chain by ``d * (e_t - sum_{t' != t} p_st' e_t' /
(1 - p_st))``, so

    dP/dp_st = V_s * (g_t - sum_{t' != t} p_st' g_t' / (1 - p_st))

where ``V_s`` is the expected number of visits to ``s`` per journey
(``MarkovModel.expected_visits``) and ``g_x`` the share of journeys at ``x``
that convert (``MarkovModel.conversion_from``: 1 for a success outcome, 0 for
any other outcome or a dead end). Everything comes from the one
factorisation ``markov`` already made: no chain is solved again, except for
steps that no entry reaches but that an edge of probability 0 leads to (their
``g`` is solved on those steps alone).

The probabilities are the ones ``markov`` uses: the map's probabilities, or
on basis ``count`` each count's share of the counts out of its source (the
derivative is then with respect to that share). Special cases:

- an edge with probability 1 (no other edge out of its source carries any
  probability) has nothing to scale: its derivative is None;
- an edge out of a step no entry reaches has derivative 0;
- steps of a loop too large for ``markov`` to invert (``MarkovModel.left_out``)
  need nothing more: their expected visits and ``conversion_from`` stay exact.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="Shop",
...     touchpoints=[cx.Touchpoint(id="visit", name="Visit"),
...                  cx.Touchpoint(id="cart", name="Cart")],
...     outcomes=[cx.Outcome(id="won", name="Bought", kind="success"),
...               cx.Outcome(id="lost", name="Left", kind="failure")],
...     transitions=[cx.Transition(source="visit", target="cart", probability=0.8),
...                  cx.Transition(source="visit", target="lost", probability=0.2),
...                  cx.Transition(source="cart", target="won", probability=0.5),
...                  cx.Transition(source="cart", target="lost", probability=0.5)])
>>> [(f.source, f.target, f.derivative) for f in sensitivity(j)]
[('cart', 'lost', -0.8), ('cart', 'won', 0.8), ('visit', 'cart', 0.5), ('visit', 'lost', -0.5)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

from attrs import field, frozen

from cxgraph.analyses.flow import require_journey, step_label
from cxgraph.analyses.markov import markov
from cxgraph.analyses.markov_model import MarkovModel
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import CxgraphError
from cxgraph.model.classes import Journey

__all__ = ["EdgeSensitivity", "Sensitivity", "sensitivity"]


@frozen(kw_only=True)
class EdgeSensitivity:
    """One edge: its probability and how conversion moves with it.

    ``derivative`` is ``dP(conversion)/dp`` with the other edges out of
    ``source`` scaled to keep the sum 1; None when ``probability`` is 1
    (nothing to scale).
    """

    source: str
    target: str
    probability: float
    derivative: float | None


@frozen(kw_only=True, repr=False)
class Sensitivity(AnalysisResult[EdgeSensitivity]):
    """Every customer-flow edge, largest ``|derivative|`` first.

    Ties go by source, then target; edges with derivative None (probability
    1) come last. ``conversion_probability`` and ``basis`` are the Markov
    model's.
    """

    name: ClassVar[str] = "sensitivity"
    title: ClassVar[str] = "Sensitivity of conversion to each edge"

    conversion_probability: float
    basis: str
    step_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)

    def describe(self, finding: EdgeSensitivity) -> str:
        """The edge by step names, its probability and what a point more of it is worth."""
        edge = (
            f"{step_label(self.step_names, finding.source)} -> "
            f"{step_label(self.step_names, finding.target)}"
        )
        head = f"{edge} (probability {finding.probability:.3g})"
        d = finding.derivative
        if d is None:
            return f"{head}: the only way out, nothing to trade it against"
        if d == 0:
            return f"{head}: changing it does not change conversion"
        # One percentage point of the edge moves conversion by d/100.
        way = "raises" if d > 0 else "lowers"
        return (
            f"{head}: each point more {way} conversion by {abs(d):.3g} points (derivative {d:+.4g})"
        )

    def summary(self) -> str:
        """How many edges, conversion, and the edge conversion moves with most."""
        n = len(self.findings)
        text = (
            f"{n} edge{'s' if n != 1 else ''}; conversion {100 * self.conversion_probability:.3g}%"
        )
        top = self.findings[0] if self.findings else None
        if top is not None and top.derivative:
            edge = f"{top.source} -> {top.target}"
            text += f"; most sensitive to {edge} (derivative {top.derivative:+.4g})"
        return text


def sensitivity(journey: Journey) -> Sensitivity:
    """Return the derivative of conversion with respect to every edge's probability.

    Parameters
    ----------
    journey
        The journey to analyse; its probabilities (or counts) must be known.

    Returns
    -------
    Sensitivity
        Findings ``source, target, probability, derivative`` for every
        transition and hand-off, largest ``|derivative|`` first, ties by
        source then target (derivative None, for an edge of probability 1,
        last). See the module docstring for the formula.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    CxgraphError
        If the journey's probabilities are not known (the Markov basis is
        ``uniform`` or ``mixed``), or ``markov`` rejects it (a closed loop).

    Examples
    --------
    Asking again half the time: two visits to 'ask' on average, and half the
    journeys convert. One point more of 'ask -> solved', with 'ask -> ask'
    and 'ask -> gone' scaled down by a third of a point each, is worth
    ``2 * (1 - (0.5 * 0.5 + 0.25 * 0) / 0.75) = 4/3`` points of conversion;
    'ask -> ask' trades against ways out worth 0.5 on average, as much as
    itself, so it is worth nothing:

    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="Support",
    ...     touchpoints=[cx.Touchpoint(id="ask", name="Ask support")],
    ...     outcomes=[cx.Outcome(id="solved", name="Solved", kind="success"),
    ...               cx.Outcome(id="gone", name="Gave up", kind="failure")],
    ...     entries=["ask"],
    ...     transitions=[cx.Transition(source="ask", target="ask", probability=0.5),
    ...                  cx.Transition(source="ask", target="solved", probability=0.25),
    ...                  cx.Transition(source="ask", target="gone", probability=0.25)])
    >>> result = sensitivity(j)
    >>> [(f.target, round(f.derivative, 4)) for f in result]
    [('gone', -1.3333), ('solved', 1.3333), ('ask', 0.0)]
    >>> print(result.describe(result[1]))
    'Ask support' (ask) -> 'Solved' (solved) (probability 0.25): each point more raises conversion by 1.33 points (derivative +1.333)

    Without probabilities there is nothing to differentiate:

    >>> sensitivity(j.with_changes(transitions=[
    ...     cx.Transition(source="ask", target="solved"),
    ...     cx.Transition(source="ask", target="gone")]))
    Traceback (most recent call last):
    ...
    cxgraph.errors.CxgraphError: sensitivity() needs probabilities: ...
    """  # noqa: E501
    require_journey(journey, "sensitivity")
    model = markov(journey)
    if not model.probabilities_known:
        msg = (
            f"sensitivity() needs probabilities: the journey {journey.id!r} has basis "
            f"{model.basis!r} (expected 'probability' or 'count'); give every edge out of "
            "a step with several ways out a probability or a count"
        )
        raise CxgraphError(msg)
    probs = model.transition_probability
    out: dict[str, list[tuple[str, float]]] = {}
    for (s, t), p in probs.items():
        out.setdefault(s, []).append((t, p))
    success = {o.id: o.kind == "success" for o in journey.outcomes}
    g = _Conversion(model, success, out, [s.id for s in journey.steps])
    findings: list[EdgeSensitivity] = []
    for (s, t), p in probs.items():
        others = [(u, q) for u, q in out[s] if u != t]
        weight = math.fsum(q for _, q in others)
        visits = model.expected_visits.get(s, 0.0)
        derivative: float | None
        if weight <= 0:
            derivative = None
        elif visits <= 0:
            derivative = 0.0
        else:
            # Dividing by the others' own sum (1 - p up to rounding) keeps the
            # scaled-down share an exact weighted mean.
            mean = math.fsum(q * g(u) for u, q in others) / weight
            derivative = visits * (g(t) - mean) + 0.0  # + 0.0: no -0.0
        findings.append(EdgeSensitivity(source=s, target=t, probability=p, derivative=derivative))
    findings.sort(
        key=lambda f: (
            f.derivative is None,
            # Rounded so that float noise cannot reorder equal magnitudes.
            -round(abs(f.derivative), 12) if f.derivative is not None else 0.0,
            f.source,
            f.target,
        )
    )
    return Sensitivity(
        findings=tuple(findings),
        conversion_probability=model.conversion_probability,
        basis=model.basis,
        step_names={s.id: s.name for s in journey.steps},
    )


class _Conversion:
    """``g(x) = P(success | at x)`` for any step, reached or not.

    Reached steps and outcomes come from ``MarkovModel.conversion_from``. A
    step no entry reaches (only an edge of probability 0 leads there) is
    solved once, on the unreached steps alone, when first asked for.
    """

    def __init__(
        self,
        model: MarkovModel,
        success: Mapping[str, bool],
        out: Mapping[str, list[tuple[str, float]]],
        steps: list[str],
    ) -> None:
        self._model = model
        self._success = success
        self._out = out
        self._steps = steps
        self._known: dict[str, float] = {}
        self._unreached: dict[str, float] | None = None

    def __call__(self, step: str) -> float:
        value = self._known.get(step)
        if value is None:
            if step in self._success:
                value = 1.0 if self._success[step] else 0.0
            elif self._model.expected_visits.get(step, 0.0) > 0:
                value = self._model.conversion_from(step)
            else:
                value = self._solve_unreached().get(step, 0.0)
            self._known[step] = value
        return value

    def _solve_unreached(self) -> dict[str, float]:
        if self._unreached is not None:
            return self._unreached
        import numpy as np
        from scipy import sparse
        from scipy.sparse import linalg

        visits = self._model.expected_visits
        unreached = {s for s in self._steps if s not in self._success and visits.get(s, 0.0) <= 0}
        moves = {s: [(u, q) for u, q in self._out.get(s, ()) if q > 0] for s in unreached}
        # Only steps with a way out of the unreached set can convert; the rest
        # (dead ends, closed loops) stay 0, and dropping them makes I - Q invertible.
        leaves = {s for s in unreached if any(u not in unreached for u, _ in moves[s])}
        grown = True
        while grown:
            before = len(leaves)
            leaves |= {s for s in unreached - leaves if any(u in leaves for u, _ in moves[s])}
            grown = len(leaves) > before
        live = sorted(leaves)
        index = {s: i for i, s in enumerate(live)}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        b = np.zeros(len(live))
        for s in live:
            i = index[s]
            rows.append(i)
            cols.append(i)
            vals.append(1.0)
            for u, q in moves[s]:
                if u in index:
                    rows.append(i)
                    cols.append(index[u])
                    vals.append(-q)
                elif u not in unreached:
                    b[i] += q * self(u)
        solved: dict[str, float] = dict.fromkeys(unreached, 0.0)
        if live:
            a = sparse.csc_matrix((vals, (rows, cols)), shape=(len(live), len(live)))
            x = np.atleast_1d(linalg.spsolve(a, b))
            solved.update({s: min(max(float(v), 0.0), 1.0) for s, v in zip(live, x, strict=True)})
        self._unreached = solved
        return solved
