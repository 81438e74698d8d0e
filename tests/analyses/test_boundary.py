"""Tests for the decision boundary (cxgraph.analyses.boundary) and MarkovModel.conversions.

Small journeys are worked by hand (the arithmetic is in the comments);
``conversion_from`` is checked against an independent dense numpy solve of
the absorbing chain, ``(I - Q) B = R``, built here from the journey's own
probabilities; Hypothesis checks the invariants: settled steps are closed
under their ways on, outcomes are 1 or 0, the structural statuses equal the
probability statuses where every way on has a positive probability, and the
shares that cross into committed and lost steps add up to the conversion.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.analyses.boundary import (
    STATUSES,
    BoundaryEdge,
    DecisionBoundary,
    StepStatus,
    decision_boundary,
)
from cxgraph.analyses.markov import markov
from cxgraph.graph import entry_weights
from strategies import journeys, probabilistic_journeys

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))

Edge = tuple[str, str] | tuple[str, str, float]


def _j(
    edges: Iterable[Edge],
    *,
    success: Iterable[str] = ("won",),
    failure: Iterable[str] = ("lost",),
    exits: Iterable[str] = (),
    entries: Iterable[str | cx.Entry] = (),
    steps: Iterable[str] = (),
    triggers: Iterable[tuple[str, str]] = (),
) -> cx.Journey:
    """A journey from ``(u, v)`` or ``(u, v, p)`` edges; ids that are not outcomes are
    touchpoints (named after their ids in capitals), ``steps`` adds touchpoints no edge
    names; outcomes no edge names are left out."""
    edges, triggers = list(edges), list(triggers)
    kinds = {
        **dict.fromkeys(success, "success"),
        **dict.fromkeys(failure, "failure"),
        **dict.fromkeys(exits, "exit"),
    }
    named = [e[0] for e in (*edges, *triggers)] + [e[1] for e in (*edges, *triggers)]
    ids = list(dict.fromkeys([*named, *steps]))
    return cx.Journey(
        id="j",
        name="J",
        touchpoints=[cx.Touchpoint(id=s, name=s.upper()) for s in ids if s not in kinds],
        outcomes=[cx.Outcome(id=s, name=s.upper(), kind=kinds[s]) for s in ids if s in kinds],
        entries=list(entries),
        transitions=[
            cx.Transition(source=e[0], target=e[1], probability=e[2] if len(e) > 2 else None)
            for e in edges
        ],
        triggers=[cx.Trigger(source=u, target=v) for u, v in triggers],
    )


@st.composite
def _chains(draw: st.DrawFn, *, max_steps: int = 6, probabilities: bool = True) -> cx.Journey:
    """A small journey with many open steps: up to ``max_steps`` touchpoints with
    one or two ways on each to later steps or outcomes, now and then one back (a
    loop) or none at all (a dead end), two or three outcomes (now and then no
    success), entered at the first step.

    With ``probabilities`` the ways on carry weights 0 to 5 normalised (so some are
    0); every positive one is at least 1/11, which keeps a path of six edges far
    above the 1e-9 tolerance.
    """
    n = draw(st.integers(1, max_steps))
    steps = [f"s{i}" for i in range(n)]
    kinds = [("won", "success"), ("lost", "failure"), ("gone", "exit")]
    # Mostly with a success to reach, sometimes without (everything is lost then).
    outcomes = kinds[1:] if draw(st.integers(0, 3)) == 3 else kinds[: draw(st.integers(2, 3))]
    ends = [o for o, _ in outcomes]
    transitions = []
    for i, s in enumerate(steps):
        # Forward to later steps or an outcome, now and then back (a loop) or nowhere.
        ahead = steps[i + 1 :] + ends
        dead_end = draw(st.integers(0, 7)) == 7  # not 0: Hypothesis draws that often
        targets = draw(
            st.lists(st.sampled_from(ahead), min_size=0 if dead_end else 1, max_size=2, unique=True)
        )
        if draw(st.integers(0, 2)) == 2:
            targets.append(draw(st.sampled_from(steps[: i + 1])))
        # Weights 1 to 5, now and then 0 (a way never taken).
        weights = [draw(st.sampled_from((1, 2, 3, 4, 5, 1, 2, 3, 4, 0))) for _ in targets]
        if weights and not sum(weights):
            weights[-1] = 1
        shares = [w / sum(weights) for w in weights[:-1]]
        shares += [max(0.0, 1.0 - math.fsum(shares))] if targets else []
        transitions += [
            cx.Transition(source=s, target=t, probability=p if probabilities else None)
            for t, p in zip(targets, shares, strict=True)
        ]
    return cx.Journey(
        id="chain",
        name="Chain",
        touchpoints=[cx.Touchpoint(id=s, name=s.upper()) for s in steps],
        outcomes=[cx.Outcome(id=o, name=o.upper(), kind=k) for o, k in outcomes],
        entries=[cx.Entry(step="s0", probability=1.0 if probabilities else None)],
        transitions=transitions,
    )


def _statuses(result: DecisionBoundary) -> dict[str, str]:
    return {s.step: s.status for s in result.steps}


def _chances(result: DecisionBoundary) -> dict[str, float | None]:
    return {s.step: s.conversion_from for s in result.steps}


def _ways(journey: cx.Journey, result: DecisionBoundary) -> list[tuple[str, str]]:
    """The ways on the result judged by: positive-probability edges, or every flow edge."""
    if result.probabilities_known:
        p = markov(journey).transition_probability
        return [e for e, w in p.items() if w > 0]
    return [(e.source, e.target) for e in (*journey.transitions, *journey.handoffs)]


def _stripped(journey: cx.Journey) -> cx.Journey:
    """The journey without numbers: probability-0 edges dropped, no probability or count left."""
    return journey.with_changes(
        transitions=[
            attrs.evolve(e, probability=None, count=None)
            for e in journey.transitions
            if e.probability != 0
        ],
        handoffs=[
            attrs.evolve(e, probability=None, count=None)
            for e in journey.handoffs
            if e.probability != 0
        ],
        entries=[e.step for e in journey.entries],
    )


def _dense_conversion(journey: cx.Journey) -> dict[str, float]:
    """P(success | at the step) for every step the entries reach: ``(I - Q) B = R``.

    Built from scratch: the probabilities out of each step (all given, rescaled to
    sum to 1 as validation allows a sum within 1e-9), the steps the entries reach
    along positive edges, ``Q`` between those that are not outcomes, ``R`` into
    the outcomes; a step with no way out is a dead end (a zero row).
    """
    kinds = {o.id: o.kind for o in journey.outcomes}
    out: dict[str, list[tuple[str, float]]] = {}
    for e in (*journey.transitions, *journey.handoffs):
        assert e.probability is not None
        out.setdefault(e.source, []).append((e.target, e.probability))
    starts = [s for s, w in entry_weights(journey)[0].items() if w > 0]
    seen, todo = set(starts), list(starts)
    while todo:
        for v, p in out.get(todo.pop(), ()):
            if p > 0 and v not in seen:
                seen.add(v)
                todo.append(v)
    transient = sorted(s for s in seen if s not in kinds)
    index = {s: i for i, s in enumerate(transient)}
    outcomes = sorted(kinds)
    Q = np.zeros((len(transient), len(transient)))
    R = np.zeros((len(transient), len(outcomes)))
    for s in transient:
        ways = out.get(s, [])
        total = math.fsum(p for _, p in ways)
        for v, p in ways:
            if p == 0:
                continue  # never taken; its target may be a step no entry reaches
            if v in kinds:
                R[index[s], outcomes.index(v)] += p / total
            else:
                Q[index[s], index[v]] += p / total
    B = np.linalg.solve(np.eye(len(transient)) - Q, R) if transient else R
    win = np.array([kinds[o] == "success" for o in outcomes], dtype=float)
    x = B @ win if transient else np.zeros(0)
    return {
        **{s: float(x[index[s]]) for s in transient},
        **{o: 1.0 if k == "success" else 0.0 for o, k in kinds.items() if o in seen},
    }


class TestDecisionBoundary:
    def test_funnel_by_hand(self) -> None:
        """A funnel: the outcome is settled where it forks, and the flows are the fork's."""
        # visit -> demo 0.5 | gone 0.5; demo -> sign 0.6 | lost 0.4; sign -> onboard -> won.
        # conversion_from: sign = onboard = 1; demo = 0.6; visit = 0.5 * 0.6 = 0.3.
        # Boundary: visit -> gone (0.5), demo -> sign (0.5 * 0.6 = 0.3), demo -> lost (0.2).
        j = _j(
            [
                ("visit", "demo", 0.5),
                ("visit", "gone", 0.5),
                ("demo", "sign", 0.6),
                ("demo", "lost", 0.4),
                ("sign", "onboard", 1.0),
                ("onboard", "won", 1.0),
            ],
            exits=["gone"],
        )
        result = decision_boundary(j)
        assert result.probabilities_known
        assert result.basis == "probability"
        assert _statuses(result) == {
            "visit": "open",
            "demo": "open",
            "sign": "committed",
            "onboard": "committed",
            "won": "committed",
            "lost": "lost",
            "gone": "lost",
        }
        assert _chances(result) == pytest.approx(
            {"visit": 0.3, "demo": 0.6, "sign": 1, "onboard": 1, "won": 1, "lost": 0, "gone": 0}
        )
        assert [(e.source, e.target) for e in result] == [
            ("visit", "gone"),
            ("demo", "sign"),
            ("demo", "lost"),
        ]
        assert [e.flow for e in result] == pytest.approx([0.5, 0.3, 0.2])
        assert result.into_committed == pytest.approx(0.3)
        assert result.into_lost == pytest.approx(0.7)
        assert result.to_records()[1] == {"source": "demo", "target": "sign", "flow": 0.3}
        assert result.summary() == (
            "3 boundary edges where the outcome gets settled: 30% of journeys cross into "
            "committed steps, 70% into lost ones (steps: 3 committed, 2 lost, 2 open)"
        )
        assert result.lines() == [
            "After 'VISIT' (visit) the outcome is settled: 50% of journeys go on to 'GONE' "
            "(gone), an exit outcome",
            "After 'DEMO' (demo) the outcome is settled: 30% of journeys go on to 'SIGN' "
            "(sign), from where every way on ends in success",
            "After 'DEMO' (demo) the outcome is settled: 20% of journeys go on to 'LOST' "
            "(lost), a failure outcome",
        ]

    def test_loop_of_open_steps(self) -> None:
        """A loop back: 'b' is visited twice per journey, so its exits carry twice its share."""
        # a -> b 1; b -> a 0.5 | won 0.3 | lost 0.2.
        # x_b = 0.5 x_a + 0.3 and x_a = x_b, so x_b = 0.3 / 0.5 = 0.6 = x_a: both open.
        # Visits to b: 1 + 0.5 + 0.25 + ... = 2, so b -> won carries 0.6, b -> lost 0.4.
        j = _j(
            [("a", "b", 1.0), ("b", "a", 0.5), ("b", "won", 0.3), ("b", "lost", 0.2)],
            entries=["a"],
        )
        result = decision_boundary(j)
        assert _chances(result) == pytest.approx({"a": 0.6, "b": 0.6, "won": 1.0, "lost": 0.0})
        assert [(e.source, e.target, e.flow) for e in result] == [
            ("b", "won", pytest.approx(0.6)),
            ("b", "lost", pytest.approx(0.4)),
        ]

    def test_loop_inside_the_committed_steps(self) -> None:
        """A loop whose every way out is a success is committed; the edge into it crosses."""
        # a -> b 0.5 | lost 0.5; b -> c 1; c -> b 0.5 | won 0.5.
        # From b or c the only end is won: x_b = x_c = 1; x_a = 0.5.
        j = _j(
            [
                ("a", "b", 0.5),
                ("a", "lost", 0.5),
                ("b", "c", 1.0),
                ("c", "b", 0.5),
                ("c", "won", 0.5),
            ]
        )
        result = decision_boundary(j)
        assert _statuses(result) == {
            "a": "open",
            "b": "committed",
            "c": "committed",
            "won": "committed",
            "lost": "lost",
        }
        assert _chances(result)["a"] == pytest.approx(0.5)
        # b is visited twice per journey that reaches it, but a -> b is crossed once.
        assert [(e.source, e.target, e.flow) for e in result] == [
            ("a", "b", pytest.approx(0.5)),
            ("a", "lost", pytest.approx(0.5)),
        ]

    def test_probability_zero_is_no_way_on(self) -> None:
        """An edge of probability 0 is never taken: it opens no step and crosses no boundary."""
        # a -> won 1 | lost 0: a is committed (x_a = 1), and a -> lost is no boundary edge.
        # s -> won 0.5 | lost 0.5 | x 0: the boundary out of s leaves s -> x out; x is a dead
        # end no entry reaches, lost on structure (x_x = 0 whatever the probabilities).
        j = _j(
            [
                ("a", "won", 1.0),
                ("a", "lost", 0.0),
                ("s", "won", 0.5),
                ("s", "lost", 0.5),
                ("s", "x", 0.0),
            ],
            entries=[cx.Entry(step="a", probability=0.5), cx.Entry(step="s", probability=0.5)],
        )
        result = decision_boundary(j)
        assert result.probabilities_known
        assert result.status("a") == "committed"
        assert [(e.source, e.target) for e in result] == [("s", "lost"), ("s", "won")]
        x = next(s for s in result.steps if s.step == "x")
        assert x == StepStatus(step="x", status="lost", conversion_from=0.0, reached=False)

    def test_dead_end_is_lost(self) -> None:
        """A step with no way on (a dead end) is lost, and the edge into it crosses."""
        # a -> b 0.25 | won 0.75; b has no way on.
        j = _j([("a", "b", 0.25), ("a", "won", 0.75)])
        result = decision_boundary(j)
        assert result.status("b") == "lost"
        assert _chances(result)["b"] == 0.0
        assert result.into_lost == pytest.approx(0.25)
        assert result.into_committed == pytest.approx(0.75)

    def test_structural_without_probabilities(self) -> None:
        """Without probabilities the statuses follow the structure and the summary says so."""
        # trial -> pay | gone; pay -> won: pay committed, gone lost, trial open.
        j = _j([("trial", "pay"), ("trial", "gone"), ("pay", "won")], exits=["gone"], failure=())
        result = decision_boundary(j)
        assert not result.probabilities_known
        assert result.basis == "uniform"
        assert _statuses(result) == {
            "trial": "open",
            "pay": "committed",
            "won": "committed",
            "gone": "lost",
        }
        # Settled steps are 1 or 0 whatever the probabilities; an open one is unknown.
        assert _chances(result) == {"trial": None, "pay": 1.0, "won": 1.0, "gone": 0.0}
        assert [(e.source, e.target, e.flow) for e in result] == [
            ("trial", "gone", None),
            ("trial", "pay", None),
        ]
        assert result.into_committed is None
        assert result.into_lost is None
        assert result.summary() == (
            "2 boundary edges where the outcome gets settled (steps: 2 committed, 1 lost, "
            "1 open); structural (probabilities unknown, basis 'uniform'): a step is committed "
            "when every way on ends in success and lost when none does"
        )
        assert result.describe(result[1]) == (
            "After 'TRIAL' (trial) the outcome can be settled: the journey may go on to "
            "'PAY' (pay), from where every way on ends in success"
        )

    def test_mixed_basis_is_structural(self) -> None:
        """Probabilities on some steps only (basis mixed) are not enough: the rule is structural."""
        j = _j([("a", "b", 0.5), ("a", "won", 0.5), ("b", "won"), ("b", "lost")])
        result = decision_boundary(j)
        assert result.basis == "mixed"
        assert not result.probabilities_known
        assert "structural (probabilities unknown, basis 'mixed')" in result.summary()

    def test_closed_loop_falls_back_to_structure(self) -> None:
        """A loop with no way out breaks the Markov model; the structure still says it is lost."""
        # a -> b | won; b -> c; c -> b: no end but the loop from b, so b and c are lost.
        j = _j([("a", "b"), ("a", "won"), ("b", "c"), ("c", "b")], failure=())
        result = decision_boundary(j)
        assert result.basis is None
        assert not result.probabilities_known
        assert _statuses(result) == {"a": "open", "b": "lost", "c": "lost", "won": "committed"}
        assert [(e.source, e.target) for e in result] == [("a", "b"), ("a", "won")]
        assert "the Markov model could not be built: the journey 'j' has a closed loop" in (
            result.summary()
        )

    def test_committed_needs_every_end_a_success(self) -> None:
        """A step that can reach success and also a loop with no way out is open, not committed."""
        j = _j([("a", "won"), ("a", "b"), ("b", "b")], failure=())
        assert decision_boundary(j).status("a") == "open"

    def test_unreached_steps(self) -> None:
        """Steps no entry reaches: settled ones 1 or 0, open ones None, their flows 0."""
        # a -> won 1 is the journey; x -> won 1 (committed) and y -> won 0.5 | lost 0.5
        # (open) are steps no entry reaches: x's chance is 1 whatever happens, y's undefined.
        j = _j(
            [("a", "won", 1.0), ("x", "won", 1.0), ("y", "won", 0.5), ("y", "lost", 0.5)],
            entries=["a"],
        )
        result = decision_boundary(j)
        steps = {s.step: s for s in result.steps}
        assert steps["x"] == StepStatus(
            step="x", status="committed", conversion_from=1.0, reached=False
        )
        assert steps["y"] == StepStatus(
            step="y", status="open", conversion_from=None, reached=False
        )
        assert steps["a"].reached
        assert steps["won"].reached
        assert not steps["lost"].reached
        assert [(e.source, e.target, e.flow) for e in result] == [
            ("y", "lost", 0.0),
            ("y", "won", 0.0),
        ]
        assert result.describe(result[0]) == (
            "After 'Y' (y) the outcome would be settled on the way to 'LOST' (lost), a failure "
            "outcome; but no entry reaches 'Y' (y)"
        )
        assert result.summary().endswith("; 3 steps no entry reaches")
        with pytest.raises(cx.CxgraphError, match="no entry reaches step 'y'"):
            markov(j).conversion_from("y")

    def test_triggers_are_no_way_on(self) -> None:
        """A trigger moves the organisation: a step it alone leads to is not reached."""
        j = _j([("a", "won", 1.0)], triggers=[("a", "ops")])
        steps = {s.step: s for s in decision_boundary(j).steps}
        assert steps["ops"] == StepStatus(
            step="ops", status="lost", conversion_from=0.0, reached=False
        )
        assert not list(decision_boundary(j))

    def test_everything_settled(self) -> None:
        """A journey that can only succeed has no boundary, and says so in one line."""
        result = decision_boundary(_j([("a", "b", 1.0), ("b", "won", 1.0)], failure=()))
        assert not result.findings
        assert result.summary() == (
            "no decision boundary: every step is settled already (3 committed, 0 lost, 0 open)"
        )
        assert result.columns() == ["source", "target", "flow"]

    def test_empty_journey(self) -> None:
        """A journey with no steps has no boundary."""
        result = decision_boundary(cx.Journey(id="e", name="E"))
        assert result.summary() == "no decision boundary: the journey has no steps"
        assert result.steps == ()
        assert result.findings == ()

    def test_status_of_an_unknown_step(self) -> None:
        """Asking for a step the journey does not have names the step and the choices."""
        result = decision_boundary(_j([("a", "won", 1.0)]))
        with pytest.raises(cx.CxgraphError, match=r"unknown step 'b' \(known: 'a', 'won'\)"):
            result.status("b")

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"decision_boundary\(\) takes a Journey, got dict"):
            decision_boundary({})  # type: ignore[arg-type]

    def test_no_mutation_and_deterministic(self) -> None:
        """The same journey gives an equal result and is left as it was."""
        j = cx.load(EXAMPLES[0])
        before = j.to_dict()
        assert decision_boundary(j) == decision_boundary(j)
        assert j.to_dict() == before

    @pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
    def test_examples(self, path: Path) -> None:
        """On the bundled examples: flows as the model's, shares adding up to the conversion."""
        j = cx.load(path)
        result = decision_boundary(j)
        model = markov(j)
        assert result.probabilities_known
        assert result.findings
        for e in result:
            assert e.flow == model.edge_flow[e.source, e.target]
            assert result.status(e.source) == "open"
            assert result.status(e.target) != "open"
        assert result.into_committed == pytest.approx(model.conversion_probability, abs=1e-9)
        assert result.into_lost == pytest.approx(1 - model.conversion_probability, abs=1e-9)
        assert all(isinstance(r["flow"], float) for r in result.to_records())
        assert len(result.lines()) == len(result)

    @given(_chains() | probabilistic_journeys(max_steps=6))
    def test_against_a_dense_solve(self, journey: cx.Journey) -> None:
        """conversion_from equals a dense absorbing-chain solve; the statuses follow from it."""
        result = decision_boundary(journey)
        assume(result.probabilities_known)  # not when a probability-0 edge closes a loop
        dense = _dense_conversion(journey)
        for s in result.steps:
            if s.step in dense:
                assert s.reached
                assert s.conversion_from == pytest.approx(dense[s.step], abs=1e-9)
                x = dense[s.step]
                want = "committed" if x >= 1 - 1e-9 else "lost" if x <= 1e-9 else "open"
                assert s.status == want
            else:
                assert not s.reached

    @given(_chains() | _chains(probabilities=False) | journeys(max_steps=6))
    def test_settled_steps_are_closed_under_ways_on(self, journey: cx.Journey) -> None:
        """Ways on from a committed step stay committed, from a lost one lost; outcomes 1 or 0."""
        result = decision_boundary(journey)
        status = _statuses(result)
        assert set(status) == {s.id for s in journey.steps}
        assert set(status.values()) <= set(STATUSES)
        for u, v in _ways(journey, result):
            if status[u] != "open":
                assert status[v] == status[u], (u, v)
        for o in journey.outcomes:
            want = 1.0 if o.kind == "success" else 0.0
            assert _chances(result)[o.id] == want
            assert status[o.id] == ("committed" if want else "lost")
        for e in result:
            assert (status[e.source], status[e.target] != "open") == ("open", True)
        assert set(result) == {
            BoundaryEdge(source=u, target=v, flow=e.flow)
            for e in result
            for u, v in [(e.source, e.target)]
        }
        edges = {(e.source, e.target) for e in result}
        assert edges == {
            (u, v) for u, v in _ways(journey, result) if status[u] == "open" and status[v] != "open"
        }

    @given(_chains() | probabilistic_journeys(max_steps=6))
    def test_structure_agrees_with_probabilities(self, journey: cx.Journey) -> None:
        """Where every way on has a positive probability, the structure gives the same statuses."""
        result = decision_boundary(journey)
        assume(result.probabilities_known)
        structural = decision_boundary(_stripped(journey))
        assert not structural.probabilities_known
        assert _statuses(structural) == _statuses(result)
        for s, t in zip(result.steps, structural.steps, strict=True):
            if t.conversion_from is not None:  # settled: 1 or 0 on both
                assert s.conversion_from == pytest.approx(t.conversion_from, abs=1e-9)

    @given(_chains() | probabilistic_journeys(max_steps=6))
    def test_crossings_add_up_to_the_conversion(self, journey: cx.Journey) -> None:
        """Journeys that do not start settled cross the boundary once: the shares add up."""
        result = decision_boundary(journey)
        assume(result.probabilities_known)
        model = markov(journey)
        starts, _ = entry_weights(journey)
        total = math.fsum(starts.values())
        start_in: dict[str, float] = {"committed": 0.0, "lost": 0.0, "open": 0.0}
        for s, w in starts.items():
            start_in[result.status(s)] += w / total if total else 0.0
        assert result.into_committed is not None
        assert result.into_lost is not None
        conversion = model.conversion_probability
        assert result.into_committed + start_in["committed"] == pytest.approx(conversion, abs=1e-9)
        assert result.into_lost + start_in["lost"] == pytest.approx(1 - conversion, abs=1e-9)


class TestConversions:
    """MarkovModel.conversions: every step's conversion_from from one solve."""

    def test_by_hand(self) -> None:
        """Outcomes are 1 or 0, reached steps their chance, unreached steps absent."""
        # a -> b 0.8 | lost 0.2; b -> won 0.5 | lost 0.5: x_b = 0.5, x_a = 0.8 * 0.5 = 0.4.
        j = _j(
            [
                ("a", "b", 0.8),
                ("a", "lost", 0.2),
                ("b", "won", 0.5),
                ("b", "lost", 0.5),
                ("x", "won"),
            ],
            entries=["a"],
        )
        assert dict(markov(j).conversions()) == pytest.approx(
            {"a": 0.4, "b": 0.5, "lost": 0.0, "won": 1.0}
        )
        assert list(markov(j).conversions()) == ["a", "b", "lost", "won"]

    def test_read_only(self) -> None:
        """The mapping cannot be changed by its reader."""
        conversions: Any = markov(_j([("a", "won", 1.0)])).conversions()
        with pytest.raises(TypeError):
            conversions["a"] = 0.0

    def test_no_steps(self) -> None:
        """An empty journey has no conversions."""
        assert dict(markov(cx.Journey(id="e", name="E")).conversions()) == {}

    @given(journeys(max_steps=7, absorbing=True))
    def test_equals_conversion_from(self, journey: cx.Journey) -> None:
        """Every value is conversion_from's; every step left out is one conversion_from refuses."""
        try:
            model = markov(journey)
        except cx.CxgraphError:  # a probability-0 edge closed a loop: no chain to ask
            assume(False)
            raise
        conversions: Mapping[str, float] = model.conversions()
        for step in journey.steps:
            if step.id in conversions:
                assert conversions[step.id] == model.conversion_from(step.id)
            else:
                with pytest.raises(cx.CxgraphError, match="no entry reaches"):
                    model.conversion_from(step.id)
