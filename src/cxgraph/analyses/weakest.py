"""The weakest touchpoints: where the experience is worst, by an additive score.

Each touchpoint scores points for what is wrong with it:

=================================  ======================  =========================
signal                             points                  reason
=================================  ======================  =========================
negative emotion ``e`` (-1..-3)    ``-e`` (1 to 3)         ``emotion -3``
each pain point                    1                       ``2 pain points``
drop straight to failure or exit   ``3 × share`` (0 to 3)  ``40% drop to failure``
trust eroded (``trust="erodes"``)  2                       ``erodes trust``
no metric                          1                       ``no metric``
=================================  ======================  =========================

The drop share is the probability of going from the touchpoint straight to a
failure or exit outcome when probabilities are known (basis ``probability``
or ``count``), else the share of its options (customer-flow edges out of
it) that go there (reason ``1 of 4 options to exit``). Losing every customer
weighs as much as the worst emotion; a missing metric only breaks ties
between otherwise equal touchpoints.

Touchpoints with a score of 0 are not weak and are left out.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.weakest import weakest_touchpoints
>>> j = cx.Journey(id="j", name="Shop",
...     touchpoints=[
...         cx.Touchpoint(id="visit", name="Visit", emotion=1,
...                       metrics=[cx.Metric(name="Visits", kind="volume")]),
...         cx.Touchpoint(id="pay", name="Pay", emotion=-2, pain_points=["Slow card reader"])],
...     outcomes=[cx.Outcome(id="sold", name="Sold", kind="success")],
...     transitions=[cx.Transition(source="visit", target="pay"),
...                  cx.Transition(source="pay", target="sold")])
>>> [(w.step, w.score, w.reasons) for w in weakest_touchpoints(j)]
[('pay', 4.0, ('emotion -2', '1 pain point', 'no metric'))]
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

from attrs import field, frozen

from cxgraph._util.text import plural
from cxgraph.analyses.flow import FLOW_KINDS, markov_or_reason, step_label
from cxgraph.analyses.results import AnalysisResult
from cxgraph.graph import compile_graph
from cxgraph.model.classes import Journey

__all__ = ["WEIGHTS", "WeakTouchpoint", "WeakestTouchpoints", "weakest_touchpoints"]

#: Points per signal; see the table in the module docstring.
WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "emotion": 1.0,  # per step below 0
        "pain_point": 1.0,  # per pain point
        "drop": 3.0,  # times the share dropping straight to failure or exit
        "erodes_trust": 2.0,
        "no_metric": 1.0,
    }
)


@frozen(kw_only=True)
class WeakTouchpoint:
    """One weak touchpoint: its score and the reasons that add up to it."""

    step: str
    score: float
    reasons: tuple[str, ...]


@frozen(kw_only=True, repr=False)
class WeakestTouchpoints(AnalysisResult[WeakTouchpoint]):
    """The ``n`` weakest touchpoints, weakest first (ties by step id).

    ``n`` is the bound asked for, ``weak`` how many touchpoints scored above
    0 and ``truncated`` whether some of those were left out; ``drop_basis``
    says whether drop-off is a probability (``probability``) or a share of
    options (``options``).
    """

    name: ClassVar[str] = "weakest_touchpoints"
    title: ClassVar[str] = "Weakest touchpoints"

    n: int
    weak: int
    truncated: bool
    drop_basis: str
    step_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)

    def describe(self, finding: WeakTouchpoint) -> str:
        """The touchpoint by name, its score and why."""
        label = step_label(self.step_names, finding.step)
        return f"{label} scores {finding.score:g}: {', '.join(finding.reasons)}"

    def summary(self) -> str:
        """How many weak touchpoints were found and how many are shown."""
        shown = len(self.findings)
        head = f"{self.weak} weak touchpoint{'s' if self.weak != 1 else ''}"
        return f"{head}, the weakest {shown} shown" if self.truncated else head


def weakest_touchpoints(journey: Journey, *, n: int = 5) -> WeakestTouchpoints:
    """Return the ``n`` touchpoints with the worst experience, weakest first.

    Parameters
    ----------
    journey
        The journey to analyse.
    n
        How many touchpoints to return at most (a positive integer).

    Returns
    -------
    WeakestTouchpoints
        Findings ``step, score, reasons`` by the score in the module
        docstring, highest first, ties by step id.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        If ``n`` is not a positive integer.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="call", name="Call", trust="erodes",
    ...                                metrics=[cx.Metric(name="Wait", kind="duration")])],
    ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
    ...               cx.Outcome(id="lost", name="Hung up", kind="failure")],
    ...     transitions=[cx.Transition(source="call", target="won", probability=0.6),
    ...                  cx.Transition(source="call", target="lost", probability=0.4)])
    >>> result = weakest_touchpoints(j, n=3)
    >>> print(result.describe(result[0]))
    'Call' (call) scores 3.2: 40% drop to failure, erodes trust
    >>> weakest_touchpoints(j, n=0)
    Traceback (most recent call last):
    ...
    ValueError: weakest_touchpoints(n=0): n must be a positive integer (1 or more)
    """
    if not isinstance(journey, Journey):
        msg = f"weakest_touchpoints() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        msg = f"weakest_touchpoints(n={n!r}): n must be a positive integer (1 or more)"
        raise ValueError(msg)
    graph = compile_graph(journey)
    model, _ = markov_or_reason(journey)
    # Flows only count when they are known; a uniform guess is no drop-off rate.
    probs = (
        model.transition_probability if model is not None and model.probabilities_known else None
    )
    ends = {o.id: o.kind for o in journey.outcomes if o.kind in ("failure", "exit")}
    scored: list[WeakTouchpoint] = []
    for tp in journey.touchpoints:
        score = 0.0
        reasons: list[str] = []
        if tp.emotion is not None and tp.emotion < 0:
            score += WEIGHTS["emotion"] * -tp.emotion
            reasons.append(f"emotion {tp.emotion}")
        if tp.pain_points:
            score += WEIGHTS["pain_point"] * len(tp.pain_points)
            reasons.append(plural(len(tp.pain_points), "pain point"))
        options = [v for v, e in graph.adj[tp.id].items() if e["kind"] in FLOW_KINDS]
        drops = [v for v in options if v in ends]
        if drops:
            kinds = {ends[v] for v in drops}
            where = " or ".join(k for k in ("failure", "exit") if k in kinds)
            if probs is not None:
                share = sum(probs.get((tp.id, v), 0.0) for v in drops)
                text = f"{share:.0%} drop to {where}"
            else:
                share = len(drops) / len(options)
                text = f"{len(drops)} of {plural(len(options), 'option')} to {where}"
            if share > 0:
                score += WEIGHTS["drop"] * share
                reasons.append(text)
        if tp.trust == "erodes":
            score += WEIGHTS["erodes_trust"]
            reasons.append("erodes trust")
        if not tp.metrics:
            score += WEIGHTS["no_metric"]
            reasons.append("no metric")
        if score > 0:
            # Rounded so that float noise in a share cannot reorder equal scores.
            scored.append(WeakTouchpoint(step=tp.id, score=round(score, 9), reasons=tuple(reasons)))
    scored.sort(key=lambda w: (-w.score, w.step))
    return WeakestTouchpoints(
        findings=tuple(scored[:n]),
        n=n,
        weak=len(scored),
        truncated=len(scored) > n,
        drop_basis="options" if probs is None else "probability",
        step_names=MappingProxyType({s.id: s.name for s in journey.steps}),
    )
