"""Moments of truth: the steps that decide whether a customer stays.

A step earns a *reason* for each way it matters, and its score is the number
of reasons:

``declared``
    The map says so (``Touchpoint.moment_of_truth``).
``gate``
    Every path from an entry to any reachable success outcome passes it: it
    dominates every success outcome in the customer flow (transitions and
    hand-offs). Computed with dominators from a virtual root joined to every
    entry, so a loop or a second entry is handled exactly.
``fork_to_failure``
    A decision point with an option that leads straight to a failure or exit
    outcome.
``sensitive``
    Taking the step out would cost at least half of the conversions: its
    exact removal effect (see :func:`cxgraph.analyses.markov.markov`) is at
    least 0.5. Only when probabilities are known (basis ``probability`` or
    ``count``).
``emotional_low``
    A touchpoint with emotion -2 or lower, or with pain points.

Outcomes are where a journey ends, not moments within it, so they earn no
reason.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.moments import moments_of_truth
>>> j = cx.Journey(id="j", name="Shop",
...     touchpoints=[cx.Touchpoint(id="visit", name="Visit the shop"),
...                  cx.Touchpoint(id="pay", name="Pay", emotion=-2)],
...     decision_points=[cx.DecisionPoint(id="buy", name="Buy?", decided_by="customer")],
...     outcomes=[cx.Outcome(id="sold", name="Sold", kind="success"),
...               cx.Outcome(id="left", name="Left", kind="exit")],
...     transitions=[cx.Transition(source="visit", target="buy"),
...                  cx.Transition(source="buy", target="pay"),
...                  cx.Transition(source="buy", target="left"),
...                  cx.Transition(source="pay", target="sold")])
>>> for m in moments_of_truth(j):
...     print(m.step, m.score, m.reasons)
buy 2 ('gate', 'fork_to_failure')
pay 2 ('gate', 'emotional_low')
visit 1 ('gate',)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar

import networkx as nx
from attrs import field, frozen

from cxgraph.analyses.flow import FLOW_KINDS, customer_flow, markov_or_reason, step_label
from cxgraph.analyses.results import AnalysisResult
from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model.classes import DecisionPoint, Journey, Touchpoint

__all__ = [
    "REASONS",
    "SENSITIVE",
    "MomentOfTruth",
    "MomentsOfTruth",
    "gate_steps",
    "moments_of_truth",
]

#: Every reason, in the order a finding lists them.
REASONS: tuple[str, ...] = ("declared", "gate", "fork_to_failure", "sensitive", "emotional_low")

#: A removal effect at least this large makes a step ``sensitive``.
SENSITIVE = 0.5
# Removal effects come from floating-point linear algebra; a hand-worked 0.5
# may arrive as 0.49999999999999994 and must still count.
_TOL = 1e-9

#: Edge kinds the customer follows (triggers move the organisation, not the customer).
# Cannot collide with a step: ids never contain '<' or '>'.
_ROOT = "<entries>"

_WORDS = {
    "declared": "declared a moment of truth",
    "gate": "every successful journey passes it",
    "fork_to_failure": "a decision with an option straight to failure or exit",
    "sensitive": "removing it loses at least half of the conversions",
    "emotional_low": "an emotional low",
}


@frozen(kw_only=True)
class MomentOfTruth:
    """One step that matters, with the reasons it does.

    ``reasons`` follow the order of :data:`REASONS`; ``score`` is how many
    there are; ``removal_effect`` is ``1 - P(conversion without it) /
    P(conversion)``, or None when probabilities are unknown.
    """

    step: str
    score: int
    reasons: tuple[str, ...]
    removal_effect: float | None


@frozen(kw_only=True, repr=False)
class MomentsOfTruth(AnalysisResult[MomentOfTruth]):
    """Steps ranked by how many reasons make them a moment of truth.

    Highest score first, then larger removal effect, then step id. Besides
    the findings: ``gates`` (every gate, sorted by id),
    ``probabilities_known``, ``basis`` (of the Markov model, None when it
    could not be built), ``conversion_probability`` (None unless
    probabilities are known) and ``note`` (why removal effects are missing,
    empty when they are there).
    """

    name: ClassVar[str] = "moments_of_truth"
    title: ClassVar[str] = "Moments of truth"

    gates: tuple[str, ...]
    probabilities_known: bool
    basis: str | None
    conversion_probability: float | None
    note: str = ""
    step_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)

    def describe(self, finding: MomentOfTruth) -> str:
        """The step by name, its reasons in plain words and its removal effect."""
        label = step_label(self.step_names, finding.step)
        why = "; ".join(_WORDS.get(r, r) for r in finding.reasons)
        effect = (
            ""
            if finding.removal_effect is None
            else f" (removal effect {finding.removal_effect:.0%})"
        )
        return f"{label}: {why}{effect}"

    def summary(self) -> str:
        """How many moments of truth and gates, and whether removal effects were used."""
        n = len(self.findings)
        head = f"{n} moment{'s' if n != 1 else ''} of truth"
        gates = f"{len(self.gates)} gate{'s' if len(self.gates) != 1 else ''}"
        tail = "with removal effects" if self.probabilities_known else "without removal effects"
        return f"{head}, {gates}, {tail}" + (f" ({self.note})" if self.note else "")


def gate_steps(journey: Journey, graph: nx.DiGraph[str] | None = None) -> frozenset[str]:
    """The steps that lie on every path from an entry to any reachable success outcome.

    A virtual root joined to every entry turns "every path from any entry"
    into dominance from one source. Success outcomes themselves are left out;
    with no reachable success outcome there are no gates.

    Parameters
    ----------
    journey
        The journey.
    graph
        Its compiled graph, when the caller has it already.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="Diamond",
    ...     touchpoints=[cx.Touchpoint(id=s, name=s) for s in "abcd"],
    ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
    ...     transitions=[cx.Transition(source=u, target=v)
    ...                  for u, v in ["ab", "ac", "bd", "cd", ("d", "won")]])
    >>> sorted(gate_steps(j))
    ['a', 'd']
    """
    graph = compile_graph(journey) if graph is None else graph
    flow = customer_flow(graph)
    for step in entry_weights(journey)[0]:
        flow.add_edge(_ROOT, step)
    if _ROOT not in flow:
        return frozenset()
    idom = nx.immediate_dominators(flow, _ROOT)
    successes = [o.id for o in journey.outcomes if o.kind == "success" and o.id in idom]
    if not successes:
        return frozenset()
    common = set(idom)
    for s in successes:
        doms = set()
        node = s
        while node != _ROOT:
            doms.add(node)
            node = idom[node]
        common &= doms
    return frozenset(common - set(successes))


def moments_of_truth(journey: Journey) -> MomentsOfTruth:
    """Rank the steps that decide whether a customer stays, with their reasons.

    Parameters
    ----------
    journey
        The journey to analyse.

    Returns
    -------
    MomentsOfTruth
        One finding (``step, score, reasons, removal_effect``) per step with
        at least one reason (see the module docstring), highest score first,
        then larger removal effect, then step id.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="Ask"),
    ...                  cx.Touchpoint(id="b", name="Browse"),
    ...                  cx.Touchpoint(id="c", name="Chat")],
    ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
    ...               cx.Outcome(id="lost", name="Lost", kind="failure")],
    ...     transitions=[
    ...         cx.Transition(source="a", target="b", probability=0.5),
    ...         cx.Transition(source="a", target="c", probability=0.5),
    ...         cx.Transition(source="b", target="won", probability=1.0),
    ...         cx.Transition(source="c", target="won", probability=0.5),
    ...         cx.Transition(source="c", target="lost", probability=0.5)])
    >>> result = moments_of_truth(j)
    >>> [(m.step, m.reasons, round(m.removal_effect, 3)) for m in result]
    [('a', ('gate', 'sensitive'), 1.0), ('b', ('sensitive',), 0.667)]
    >>> print(result.describe(result[1]))
    'Browse' (b): removing it loses at least half of the conversions (removal effect 67%)
    """
    if not isinstance(journey, Journey):
        msg = f"moments_of_truth() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    graph = compile_graph(journey)
    gates = gate_steps(journey, graph)
    model, note = markov_or_reason(journey)
    known = model is not None and model.probabilities_known
    effects: Mapping[str, float] = {}
    if model is not None and known:
        effects = model.removal_effects(by="step")
        if model.left_out:
            # Steps of a loop over the Markov size bound have no exact effect.
            note = f"no removal effect for {len(model.left_out)} steps in a very large loop"
    elif model is not None:
        note = f"probabilities unknown (basis {model.basis!r})"
    failing = {o.id for o in journey.outcomes if o.kind in ("failure", "exit")}
    findings = []
    steps: tuple[Touchpoint | DecisionPoint, ...] = (
        *journey.touchpoints,
        *journey.decision_points,
    )
    for step in steps:
        effect = effects.get(step.id) if known else None
        have = {
            "declared": isinstance(step, Touchpoint) and step.moment_of_truth,
            "gate": step.id in gates,
            "fork_to_failure": isinstance(step, DecisionPoint)
            and any(
                v in failing and graph.edges[step.id, v]["kind"] in FLOW_KINDS
                for v in graph.successors(step.id)
            ),
            "sensitive": effect is not None and effect >= SENSITIVE - _TOL,
            "emotional_low": isinstance(step, Touchpoint)
            and ((step.emotion is not None and step.emotion <= -2) or bool(step.pain_points)),
        }
        reasons = tuple(r for r in REASONS if have[r])
        if reasons:
            findings.append(
                MomentOfTruth(
                    step=step.id, score=len(reasons), reasons=reasons, removal_effect=effect
                )
            )
    # Effects are rounded for ranking: two steps whose removal loses the same
    # journeys tie exactly, whatever the last bits of the solve say.
    findings.sort(key=lambda m: (-m.score, -round(m.removal_effect or 0.0, 9), m.step))
    return MomentsOfTruth(
        findings=tuple(findings),
        gates=tuple(sorted(gates)),
        probabilities_known=known,
        basis=None if model is None else model.basis,
        conversion_probability=(
            model.conversion_probability if known and model is not None else None
        ),
        note=note,
        step_names=MappingProxyType({s.id: s.name for s in journey.steps}),
    )
