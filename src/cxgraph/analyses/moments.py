"""Moments of truth: the steps that decide whether a customer stays.

A step earns a *reason* for each way it matters, and its score is the number
of reasons. The moments of truth are the declared steps and those with at
least ``min_score`` reasons (2 by default): one reason alone (every step of
a linear journey is a gate) does not single a step out. ``candidates`` keeps
every step with a reason. The reasons, in the order a finding lists them:

``declared``
    The map says so (``Touchpoint.moment_of_truth``).
``gate``
    A customer-facing step every path from an entry to any reachable success
    outcome passes: it dominates every success outcome in the customer flow
    (transitions and hand-offs). Computed with dominators from a virtual
    root joined to every entry, so a loop or a second entry is handled
    exactly.
``fork_to_failure``
    A decision point with an option that leads straight to a failure or exit
    outcome.
``swing``
    What happens next decides: of the step's ways on, the chance of ending
    in success differs by at least 0.25 between two of them. With known
    probabilities (basis ``probability``, or ``count``, whose shares are
    data too) that chance is the Markov model's ``conversion_from`` of the
    next step; otherwise the rule is structural: one way on can still reach
    a success outcome and another cannot. On a step with
    ``fork_to_failure`` only the ways on other than those straight to
    failure or exit are compared, so one branch never counts twice; ways
    with probability 0 are not taken and do not count.
``emotional_low``
    A customer-facing touchpoint with emotion -2 or lower, or with pain
    points.

Customer-facing: a touchpoint in lane ``customer`` or ``frontstage``, or a
decision the customer makes. A backstage step can be a gate for the
business, but the customer never meets it. Outcomes are where a journey
ends, not moments within it, so they earn no reason. The removal effect of
each step (the share of conversions lost without it) ranks steps of equal
score.

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
>>> result = moments_of_truth(j)
>>> for m in result:
...     print(m.step, m.score, m.reasons)
buy 2 ('gate', 'fork_to_failure')
pay 2 ('gate', 'emotional_low')
>>> [(m.step, m.reasons) for m in result.candidates]
[('buy', ('gate', 'fork_to_failure')), ('pay', ('gate', 'emotional_low')), ('visit', ('gate',))]
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar

import networkx as nx
from attrs import field, frozen

from cxgraph._util.dominators import immediate_dominators
from cxgraph.analyses._ownership import successors
from cxgraph.analyses.flow import (
    CUSTOMER_LANES,
    FLOW_KINDS,
    markov_or_reason,
    shared_customer_flow,
    step_label,
)
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import CxgraphError
from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model.classes import DecisionPoint, Journey, Touchpoint

if TYPE_CHECKING:
    from cxgraph.analyses.markov_model import MarkovModel

__all__ = [
    "MIN_SCORE",
    "REASONS",
    "SWING",
    "MomentOfTruth",
    "MomentsOfTruth",
    "gate_steps",
    "moments_of_truth",
]

#: Every reason, in the order a finding lists them.
REASONS: tuple[str, ...] = ("declared", "gate", "fork_to_failure", "swing", "emotional_low")

#: Reasons a step needs to be a moment of truth unless it is declared.
MIN_SCORE = 2
#: How far apart the chances of success of two ways on must be for a ``swing``.
SWING = 0.25
# Chances come from floating-point linear algebra; a hand-worked 0.25 may
# arrive a hair below and must still count.
_TOL = 1e-12

#: Edge kinds the customer follows (triggers move the organisation, not the customer).
# Cannot collide with a step: ids never contain '<' or '>'.
_ROOT = "<entries>"

_WORDS = {
    "declared": "declared a moment of truth",
    "gate": "every successful journey passes it",
    "fork_to_failure": "a decision with an option straight to failure or exit",
    "swing": "what happens next decides whether the customer is won or lost",
    "emotional_low": "an emotional low for the customer",
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

    Highest score first, then larger removal effect, then step id. The
    findings are the declared steps and those with at least ``min_score``
    reasons; ``candidates`` holds every step with a reason, ranked the same
    way. Besides them: ``gates`` (every customer-facing gate, sorted by id),
    ``probabilities_known``, ``basis`` (of the Markov model, None when it
    could not be built), ``conversion_probability`` (None unless
    probabilities are known) and ``note`` (why removal effects are missing,
    empty when they are there).
    """

    name: ClassVar[str] = "moments_of_truth"
    title: ClassVar[str] = "Moments of truth"

    gates: tuple[str, ...]
    candidates: tuple[MomentOfTruth, ...] = ()
    min_score: int = MIN_SCORE
    probabilities_known: bool = False
    basis: str | None = None
    conversion_probability: float | None = None
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
        """How many moments of truth, out of how many steps with a reason."""
        n, c = len(self.findings), len(self.candidates)
        if not c:
            return "no moments of truth: no step is declared one or has a reason to be"
        head = f"{n} moment{'s' if n != 1 else ''} of truth"
        rule = f"declared, or with at least {self.min_score} reasons"
        more = f"{c} step{'s' if c != 1 else ''} {'have' if c != 1 else 'has'} a reason"
        tail = "ranked by removal effect" if self.probabilities_known else "no removal effects"
        text = f"{head} ({rule}; {more}), {tail}"
        return text + (f" ({self.note})" if self.note else "")


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
    entries = list(entry_weights(journey)[0])
    if not entries:
        return frozenset()
    # The customer flow on integers, the virtual root last (shared inside ``analyze``).
    succ = successors(graph, FLOW_KINDS)
    steps = list(succ)
    index = {s: k for k, s in enumerate(steps)}
    root = len(steps)
    idom = immediate_dominators(
        [[index[v] for v in succ[u]] for u in steps] + [[index[s] for s in entries]], root
    )
    successes = [
        index[o.id]
        for o in journey.outcomes
        if o.kind == "success" and o.id in index and idom[index[o.id]] >= 0
    ]
    if not successes:
        return frozenset()
    common: set[int] | None = None
    for s in successes:
        doms = set()
        node = s
        while node != root:
            doms.add(node)
            node = idom[node]
        common = doms if common is None else common & doms
    assert common is not None
    return frozenset(steps[k] for k in common - set(successes))


def moments_of_truth(journey: Journey, *, min_score: int = MIN_SCORE) -> MomentsOfTruth:
    """Rank the steps that decide whether a customer stays, with their reasons.

    Parameters
    ----------
    journey
        The journey to analyse.
    min_score
        How many reasons a step needs to be a moment of truth when it is not
        declared one (1 or more).

    Returns
    -------
    MomentsOfTruth
        One finding (``step, score, reasons, removal_effect``) per declared
        step and per step with at least ``min_score`` reasons (see the module
        docstring), highest score first, then larger removal effect, then
        step id; ``candidates`` has every step with a reason.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey, or ``min_score`` not a whole number.
    ValueError
        If ``min_score`` is below 1.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="Ask"),
    ...                  cx.Touchpoint(id="b", name="Browse"),
    ...                  cx.Touchpoint(id="c", name="Chat", emotion=-2)],
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
    [('a', ('gate', 'swing'), 1.0), ('c', ('swing', 'emotional_low'), 0.333)]
    >>> print(result.describe(result[0]))
    'Ask' (a): every successful journey passes it; what happens next decides whether the customer is won or lost (removal effect 100%)
    >>> moments_of_truth(j, min_score=0)
    Traceback (most recent call last):
    ...
    ValueError: min_score must be 1 or more, got 0
    """  # noqa: E501
    if not isinstance(journey, Journey):
        msg = f"moments_of_truth() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    if isinstance(min_score, bool) or not isinstance(min_score, int):
        msg = f"min_score must be a whole number, got {type(min_score).__name__}"
        raise TypeError(msg)
    if min_score < 1:
        msg = f"min_score must be 1 or more, got {min_score}"
        raise ValueError(msg)
    graph = compile_graph(journey)
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
    facing = {
        s.id
        for s in (*journey.touchpoints, *journey.decision_points)
        if (isinstance(s, Touchpoint) and s.lane in CUSTOMER_LANES)
        or (isinstance(s, DecisionPoint) and s.decided_by == "customer")
    }
    gates = gate_steps(journey, graph) & facing
    swings = _swing_steps(journey, graph, model if known else None)
    failing = {o.id for o in journey.outcomes if o.kind in ("failure", "exit")}
    candidates = []
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
            and any(v in failing for v in _ways_on(graph, step.id)),
            "swing": step.id in swings,
            "emotional_low": isinstance(step, Touchpoint)
            and step.id in facing
            and ((step.emotion is not None and step.emotion <= -2) or bool(step.pain_points)),
        }
        reasons = tuple(r for r in REASONS if have[r])
        if reasons:
            candidates.append(
                MomentOfTruth(
                    step=step.id, score=len(reasons), reasons=reasons, removal_effect=effect
                )
            )
    # Effects are rounded for ranking: two steps whose removal loses the same
    # journeys tie exactly, whatever the last bits of the solve say.
    candidates.sort(key=lambda m: (-m.score, -round(m.removal_effect or 0.0, 9), m.step))
    findings = tuple(m for m in candidates if "declared" in m.reasons or m.score >= min_score)
    return MomentsOfTruth(
        findings=findings,
        gates=tuple(sorted(gates)),
        candidates=tuple(candidates),
        min_score=min_score,
        probabilities_known=known,
        basis=None if model is None else model.basis,
        conversion_probability=(
            model.conversion_probability if known and model is not None else None
        ),
        note=note,
        step_names=MappingProxyType({s.id: s.name for s in journey.steps}),
    )


def _ways_on(graph: nx.DiGraph[str], step: str) -> list[str]:
    """The steps the customer can go to next (transitions and hand-offs)."""
    return [v for v, e in graph.adj[step].items() if e["kind"] in FLOW_KINDS]


def _swing_steps(
    journey: Journey, graph: nx.DiGraph[str], model: MarkovModel | None
) -> frozenset[str]:
    """The touchpoints and decisions whose ways on differ in the chance of success.

    With a model (probabilities known), by at least :data:`SWING` in
    ``conversion_from``; without one, structurally: one way on can reach a
    success outcome and another cannot.
    """
    kinds = {o.id: o.kind for o in journey.outcomes}
    succeed: set[str] = set()
    if model is None:
        # Every step with a way to some success outcome: one search backwards
        # from all of them at once (one per outcome costs outcomes x edges).
        flow = shared_customer_flow(graph)
        todo = [o for o, kind in kinds.items() if kind == "success" and o in flow]
        succeed.update(todo)
        while todo:
            node = todo.pop()
            for u in flow.predecessors(node):
                if u not in succeed:
                    succeed.add(u)
                    todo.append(u)
    out = set()
    steps: tuple[Touchpoint | DecisionPoint, ...] = (
        *journey.touchpoints,
        *journey.decision_points,
    )
    adj = dict(graph.adjacency())  # plain dicts: one view per step costs more than the step
    for step in steps:
        ways = [v for v, e in adj[step.id].items() if e["kind"] in FLOW_KINDS]
        if isinstance(step, DecisionPoint) and any(
            kinds.get(v) in ("failure", "exit") for v in ways
        ):
            # fork_to_failure has counted those branches already.
            ways = [v for v in ways if kinds.get(v) not in ("failure", "exit")]
        if model is not None:
            p = model.transition_probability
            ways = [v for v in ways if p.get((step.id, v), 0.0) > 0.0]
            if step.id not in model.visit_probability or len(ways) < 2:
                continue
            chances = [c for v in ways if (c := _chance(model, v)) is not None]
            if len(chances) >= 2 and max(chances) - min(chances) >= SWING - _TOL:
                out.add(step.id)
        elif len(ways) >= 2 and {v in succeed for v in ways} == {True, False}:
            out.add(step.id)
    return frozenset(out)


def _chance(model: MarkovModel, step: str) -> float | None:
    """``conversion_from(step)``, or None for a step outside the chain (no entry reaches it)."""
    try:
        return model.conversion_from(step)
    except CxgraphError:
        return None
