"""Tests for moments of truth (cxgraph.analyses.moments)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.analyses.markov import markov
from cxgraph.analyses.moments import MomentOfTruth, MomentsOfTruth, gate_steps, moments_of_truth
from cxgraph.graph import entry_weights
from strategies import journeys, loop_journeys, probabilistic_journeys

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Edge = tuple[str, str] | tuple[str, str, float]


def _j(
    edges: Iterable[Edge],
    *,
    decisions: Iterable[str] = (),
    success: Iterable[str] = ("win",),
    failure: Iterable[str] = ("lose",),
    exits: Iterable[str] = (),
    entries: Iterable[str] = (),
    touchpoints: Mapping[str, Mapping[str, Any]] | None = None,
    handoffs: Iterable[Edge] = (),
    triggers: Iterable[tuple[str, str]] = (),
) -> cx.Journey:
    """A journey from an edge list: every id that is not an outcome or decision is a touchpoint.

    An edge ``(u, v, p)`` carries probability ``p``; ``touchpoints`` gives
    extra fields per touchpoint id. Outcomes no edge mentions are left out
    (with no inflow they would become entries).
    """
    edges, handoffs, triggers = list(edges), list(handoffs), list(triggers)
    kinds = {
        **dict.fromkeys(success, "success"),
        **dict.fromkeys(failure, "failure"),
        **dict.fromkeys(exits, "exit"),
    }
    decisions = list(decisions)
    ids: list[str] = []
    for e in (*edges, *handoffs, *triggers):
        for s in e[:2]:
            if s not in ids and s not in kinds:
                ids.append(s)  # type: ignore[arg-type]
    extra = touchpoints or {}
    ids += [t for t in extra if t not in ids]

    def prob(e: Edge) -> dict[str, Any]:
        return {"probability": e[2]} if len(e) == 3 else {}

    return cx.Journey(
        id="j",
        name="J",
        touchpoints=[
            cx.Touchpoint(id=s, name=s.capitalize(), **extra.get(s, {}))
            for s in ids
            if s not in decisions
        ],
        decision_points=[
            cx.DecisionPoint(id=d, name=d.capitalize(), decided_by="customer") for d in decisions
        ],
        outcomes=[
            cx.Outcome(id=o, name=o.capitalize(), kind=k)
            for o, k in kinds.items()
            if any(o in e[:2] for e in (*edges, *handoffs, *triggers))
        ],
        entries=list(entries),
        transitions=[cx.Transition(source=e[0], target=e[1], **prob(e)) for e in edges],
        handoffs=[cx.Handoff(source=e[0], target=e[1], **prob(e)) for e in handoffs],
        triggers=[cx.Trigger(source=u, target=v) for u, v in triggers],
    )


@st.composite
def funnels(draw: st.DrawFn, *, cyclic: bool = False) -> cx.Journey:
    """Small journeys with counts on every edge and entry, so probabilities are known.

    Every step has a way forward (to a later step or an outcome), so no loop is
    closed; with ``cyclic``, steps may also go back to themselves or earlier.
    Success is usually, not always, reachable.
    """
    n = draw(st.integers(1, 6))
    steps = [f"s{i}" for i in range(n)]
    outcomes = {"win": "success", "win2": "success", "lose": "failure", "gone": "exit"}
    transitions = []
    for i, source in enumerate(steps):
        forward = steps[i + 1 :] + list(outcomes)
        back = steps[: i + 1] if cyclic else []
        ahead = draw(st.lists(st.sampled_from(forward), min_size=1, max_size=3, unique=True))
        behind = draw(st.lists(st.sampled_from(back), max_size=2, unique=True)) if back else []
        transitions += [
            cx.Transition(source=source, target=t, count=draw(st.integers(1, 5)))
            for t in ahead + behind
        ]
    used = {t.target for t in transitions}
    starts = draw(st.lists(st.sampled_from(steps), min_size=1, max_size=2, unique=True))
    return cx.Journey(
        id="funnel",
        name="Funnel",
        touchpoints=[cx.Touchpoint(id=s, name=s.upper()) for s in steps],
        outcomes=[cx.Outcome(id=o, name=o, kind=k) for o, k in outcomes.items() if o in used],
        entries=[cx.Entry(step=s, count=draw(st.integers(1, 5))) for s in starts],
        transitions=transitions,
    )


def _found(result: MomentsOfTruth) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(m.step, m.score, m.reasons) for m in result]


def _flow(journey: cx.Journey) -> nx.DiGraph[str]:
    """The customer flow, built independently of the module under test."""
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(s.id for s in journey.steps)
    g.add_edges_from((e.source, e.target) for e in (*journey.transitions, *journey.handoffs))
    return g


def _reachable_successes(journey: cx.Journey, flow: nx.DiGraph[str]) -> set[str]:
    starts = set(entry_weights(journey)[0])
    seen = set(starts)
    for s in starts:
        seen |= nx.descendants(flow, s)
    return {o.id for o in journey.outcomes if o.kind == "success" and o.id in seen}


class TestGateSteps:
    def test_chain(self) -> None:
        """In a chain every step before the success outcome is on the only path."""
        j = _j([("a", "b"), ("b", "c"), ("c", "win")])
        assert gate_steps(j) == {"a", "b", "c"}

    def test_diamond(self) -> None:
        """In a diamond the two sides bypass each other; only the fork and the join are gates."""
        j = _j([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "win")])
        assert gate_steps(j) == {"a", "d"}

    def test_multiple_entries(self) -> None:
        """Neither of two entries is a gate (each is bypassed by the other); their merge is."""
        j = _j([("x", "m"), ("y", "m"), ("m", "win")])
        assert gate_steps(j) == {"m"}

    def test_declared_single_entry_is_a_gate(self) -> None:
        """With one declared entry, every journey starts there, so it is on every path."""
        j = _j([("x", "m"), ("y", "m"), ("m", "win")], entries=["y"])
        assert gate_steps(j) == {"y", "m"}

    def test_loop_through_gates(self) -> None:
        """A loop back (c -> b) does not open a way around b or c: a, b, c all stay gates."""
        j = _j([("a", "b"), ("b", "c"), ("c", "b"), ("c", "win"), ("b", "lose")])
        assert gate_steps(j) == {"a", "b", "c"}

    def test_loop_with_bypass(self) -> None:
        """In the loop a -> b -> c -> a the success hangs off a, so b and c can be skipped."""
        j = _j([("a", "b"), ("b", "c"), ("c", "a"), ("a", "win")], entries=["a"])
        assert gate_steps(j) == {"a"}

    def test_self_loop(self) -> None:
        """A repeat (b -> b) changes nothing: b is still on every path."""
        j = _j([("a", "b"), ("b", "b"), ("b", "win")])
        assert gate_steps(j) == {"a", "b"}

    def test_every_success_outcome(self) -> None:
        """A gate dominates every success outcome: with two, only their common steps count."""
        j = _j([("a", "b"), ("a", "c"), ("b", "win"), ("c", "won-too")], success=["win", "won-too"])
        assert gate_steps(j) == {"a"}

    def test_unreachable_success_ignored(self) -> None:
        """A success outcome no entry reaches does not wipe out the gates of the reachable one."""
        j = _j(
            [("a", "b"), ("b", "win"), ("z", "won-too")],
            success=["win", "won-too"],
            entries=["a"],
        )
        assert gate_steps(j) == {"a", "b"}

    def test_no_success_outcome(self) -> None:
        """Without a success outcome nothing is a gate."""
        assert gate_steps(_j([("a", "b"), ("b", "lose")], success=())) == frozenset()

    def test_no_reachable_success(self) -> None:
        """A success outcome that no entry reaches leaves no gates."""
        j = _j([("a", "lose"), ("b", "win")], entries=["a"])
        assert gate_steps(j) == frozenset()

    def test_triggers_are_not_customer_flow(self) -> None:
        """A trigger (a starts c) is no way for the customer to reach 'win', so b stays a gate."""
        j = _j([("a", "b"), ("b", "win"), ("c", "win")], triggers=[("a", "c")])
        assert gate_steps(j) == {"a", "b"}

    def test_handoffs_are_customer_flow(self) -> None:
        """A hand-off is a way through like a transition: it opens a bypass around b."""
        j = _j([("a", "b"), ("b", "win")], handoffs=[("a", "win")])
        assert gate_steps(j) == {"a"}

    def test_empty_journey(self) -> None:
        """A journey with no steps has no gates."""
        assert gate_steps(cx.Journey(id="j", name="J")) == frozenset()

    @given(
        funnels() | probabilistic_journeys(acyclic=True) | journeys(acyclic=True, absorbing=True)
    )
    def test_gates_by_enumeration_on_dags(self, journey: cx.Journey) -> None:
        """On a DAG the gates are exactly the steps common to every entry-to-success path."""
        flow = _flow(journey)
        targets = _reachable_successes(journey, flow)
        paths: list[set[str]] = []
        for e in entry_weights(journey)[0]:
            for s in targets:
                if e == s:
                    paths.append({s})
                else:
                    paths += [set(p) for p in nx.all_simple_paths(flow, e, s)]
        expected = set.intersection(*paths) - targets if paths else set()
        assert gate_steps(journey) == expected

    @given(funnels(cyclic=True) | loop_journeys())
    def test_gates_by_removal_on_any_graph(self, journey: cx.Journey) -> None:
        """With loops: a step is a gate iff taking it out cuts every entry from every success."""
        flow = _flow(journey)
        targets = _reachable_successes(journey, flow)
        entries = set(entry_weights(journey)[0])
        expected = set()
        for step in flow:
            if not targets or step in targets:
                continue
            cut = flow.subgraph(set(flow) - {step})
            alive = {d for e in entries - {step} for d in nx.descendants(cut, e) | {e}}
            if not alive & targets:
                expected.add(step)
        assert gate_steps(journey) == expected


def _candidates(result: MomentsOfTruth) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(m.step, m.score, m.reasons) for m in result.candidates]


class TestMomentsOfTruth:
    def test_gate_findings_without_probabilities(self) -> None:
        """Uniform basis: gates are candidates, not moments alone; effects None; ties by id."""
        result = moments_of_truth(
            _j([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "win")])
        )
        assert _found(result) == []
        assert _candidates(result) == [("a", 1, ("gate",)), ("d", 1, ("gate",))]
        assert _found(moments_of_truth(result_journey := _j([("a", "win")]), min_score=1)) == [
            ("a", 1, ("gate",))
        ]
        assert result_journey.steps
        assert all(m.removal_effect is None for m in result.candidates)
        assert result.gates == ("a", "d")
        assert (result.probabilities_known, result.basis) == (False, "uniform")
        assert result.conversion_probability is None
        assert result.note == "probabilities unknown (basis 'uniform')"

    def test_a_linear_journey_has_no_moment(self) -> None:
        """Every step of a chain is a gate, and one reason alone singles nothing out."""
        result = moments_of_truth(_j([("a", "b", 1.0), ("b", "c", 1.0), ("c", "win", 1.0)]))
        assert _found(result) == []
        assert [m.step for m in result.candidates] == ["a", "b", "c"]
        assert result.summary() == (
            "0 moments of truth (declared, or with at least 2 reasons; 3 steps have a reason), "
            "ranked by removal effect"
        )

    def test_outcomes_are_never_moments(self) -> None:
        """Success outcomes are excluded from gates and never appear as candidates."""
        result = moments_of_truth(_j([("a", "win", 1.0)]), min_score=1)
        assert [m.step for m in result] == ["a"]
        assert [m.step for m in result.candidates] == ["a"]

    def test_fork_to_failure(self) -> None:
        """Only decision points with an option straight to a failure or exit outcome qualify.

        d1 -> lose (failure) and d2 -> gone (exit) fork to failure; d3 only leads
        to touchpoints; the touchpoint t goes to 'lose' but is no decision; d4
        reaches 'gone' only through a trigger, which the customer does not follow.
        """
        j = _j(
            [
                ("start", "d1"),
                ("d1", "lose"),
                ("d1", "d2"),
                ("d2", "gone"),
                ("d2", "d3"),
                ("d3", "t"),
                ("d3", "u"),
                ("t", "lose"),
                ("t", "d4"),
                ("u", "d4"),
                ("d4", "win"),
                ("d4", "u"),
            ],
            decisions=["d1", "d2", "d3", "d4"],
            exits=["gone"],
            triggers=[("d4", "gone")],
        )
        result = moments_of_truth(j)
        forks = [m.step for m in result.candidates if "fork_to_failure" in m.reasons]
        assert forks == ["d1", "d2"]
        # Both are gates too: two reasons each, so both are moments of truth.
        assert {"d1", "d2"} <= {m.step for m in result}

    def test_emotional_low_and_declared(self) -> None:
        """emotion <= -2 or any pain point is a low; emotion -1 alone is not; declared counts.

        Entries v, w, x, y, z, b all lead to 'win' directly, so there are no
        gates. A low is one reason: a candidate, not a moment; a declared step
        is always a moment. The backstage step b has a low the customer never
        meets, so it has no reason at all.
        """
        j = _j(
            [(s, "win") for s in ("b", "v", "w", "x", "y", "z")],
            touchpoints={
                "b": {"emotion": -3, "lane": "backstage"},
                "v": {"emotion": -1},
                "w": {"emotion": -2},
                "x": {"emotion": -3},
                "y": {"emotion": 2, "pain_points": ["Slow"]},
                "z": {"moment_of_truth": True},
            },
        )
        result = moments_of_truth(j)
        assert _found(result) == [("z", 1, ("declared",))]
        assert _candidates(result) == [
            ("w", 1, ("emotional_low",)),
            ("x", 1, ("emotional_low",)),
            ("y", 1, ("emotional_low",)),
            ("z", 1, ("declared",)),
        ]

    def test_gates_only_where_the_customer_is(self) -> None:
        """A backstage step or a staff decision on every path is no gate; a customer one is."""
        j = _j([("a", "k"), ("k", "d"), ("d", "win"), ("d", "lose")], decisions=["d"])
        j = j.with_changes(
            owners=[cx.Owner(id="staff", name="Staff", kind="team")],
            touchpoints=[
                cx.Touchpoint(id="a", name="A", lane="customer"),
                cx.Touchpoint(id="k", name="Kitchen", lane="backstage"),
            ],
            decision_points=[
                cx.DecisionPoint(id="d", name="D", decided_by="employee", owner="staff")
            ],
        )
        result = moments_of_truth(j)
        assert result.gates == ("a",)
        assert _candidates(result) == [("a", 1, ("gate",)), ("d", 1, ("fork_to_failure",))]

    def test_swing_hand_computed(self) -> None:
        """P(success | next), by hand: from b 1, from c 0.5, so a swings (0.5 apart).

        c itself swings too: its ways on end in success with 1 ('win') and 0
        ('lose'); it is a touchpoint, so no branch was counted as a fork
        before. a is the entry and a gate as well: two reasons. Removal
        effects: P(win) = 0.5 + 0.25 = 0.75; without c, 0.5 is left (1/3).
        """
        j = _j(
            [
                ("a", "b", 0.5),
                ("a", "c", 0.5),
                ("b", "win", 1.0),
                ("c", "win", 0.5),
                ("c", "lose", 0.5),
            ]
        )
        result = moments_of_truth(j)
        assert _found(result) == [("a", 2, ("gate", "swing"))]
        assert _candidates(result) == [("a", 2, ("gate", "swing")), ("c", 1, ("swing",))]
        assert result[0].removal_effect == pytest.approx(1.0)
        assert result.candidates[1].removal_effect == pytest.approx(1 / 3)
        assert result.conversion_probability == pytest.approx(0.75)
        assert (result.probabilities_known, result.basis, result.note) == (True, "probability", "")

    def test_swing_threshold_is_inclusive(self) -> None:
        """Ways on 0.25 apart swing (1 against 0.75); 0.24 apart (1 against 0.76) do not."""

        def journey(p: float) -> cx.Journey:
            return _j(
                [
                    ("a", "b", 0.5),
                    ("a", "c", 0.5),
                    ("b", "win", 1.0),
                    ("c", "win", p),
                    ("c", "lose", 1 - p),
                ]
            )

        assert "swing" in moments_of_truth(journey(0.75)).candidates[0].reasons
        assert "swing" not in moments_of_truth(journey(0.76)).candidates[0].reasons

    def test_swing_leaves_out_the_fork(self) -> None:
        """A decision's branch straight to failure is its fork, not also its swing.

        d -> lose is the fork; its other ways, b (success 1) and c (success 1),
        do not differ, so d does not swing. e's other ways differ (1 against
        0), so e swings besides its fork.
        """
        j = _j(
            [
                ("d", "lose", 0.2),
                ("d", "b", 0.4),
                ("d", "c", 0.4),
                ("b", "e", 1.0),
                ("c", "e", 1.0),
                ("e", "lose", 0.2),
                ("e", "f", 0.4),
                ("e", "g", 0.4),
                ("f", "win", 1.0),
                ("g", "lose", 1.0),
            ],
            decisions=["d", "e"],
        )
        result = moments_of_truth(j)
        reasons = {m.step: m.reasons for m in result.candidates}
        assert reasons["d"] == ("gate", "fork_to_failure")
        assert reasons["e"] == ("gate", "fork_to_failure", "swing")

    def test_structural_swing_without_probabilities(self) -> None:
        """Uniform basis: a step swings when one way on can still succeed and another cannot.

        b, the only way to 'win', is a gate; c leads only to 'lose'.
        """
        result = moments_of_truth(_j([("a", "b"), ("a", "c"), ("b", "win"), ("c", "lose")]))
        assert _candidates(result) == [("a", 2, ("gate", "swing")), ("b", 1, ("gate",))]
        assert result.probabilities_known is False

    def test_counts_make_probabilities_known(self) -> None:
        """Counts 3:1 give shares as probabilities do; from b success is 1, from c 0."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id=s, name=s) for s in "abc"],
            outcomes=[
                cx.Outcome(id="win", name="Win", kind="success"),
                cx.Outcome(id="lose", name="Lose", kind="failure"),
            ],
            transitions=[
                cx.Transition(source="a", target="b", count=3),
                cx.Transition(source="a", target="c", count=1),
                cx.Transition(source="b", target="win", count=3),
                cx.Transition(source="c", target="lose", count=1),
            ],
        )
        result = moments_of_truth(j)
        assert result.basis == "count"
        assert _found(result) == [("a", 2, ("gate", "swing"))]
        assert result[0].removal_effect == pytest.approx(1.0)

    def test_zero_conversion(self) -> None:
        """When nothing converts (the way to 'win' has probability 0) every effect is 0.

        a is still a gate (structure, not flow); the way with probability 0 is
        never taken, so a has one way on and does not swing.
        """
        result = moments_of_truth(_j([("a", "win", 0.0), ("a", "lose", 1.0)]))
        assert _candidates(result) == [("a", 1, ("gate",))]
        assert result.candidates[0].removal_effect == 0.0
        assert result.conversion_probability == 0.0

    def test_closed_loop_drops_removal_effects(self) -> None:
        """A loop with no way out stops the Markov model, not the structural reasons.

        b <-> c never ends, so the model raises; a keeps its gate and swings
        structurally ('win' succeeds, b never can), the low 'b' stays a
        candidate, and the result says why there are no removal effects.
        """
        j = _j(
            [("a", "b", 0.5), ("a", "win", 0.5), ("b", "c", 1.0), ("c", "b", 1.0)],
            touchpoints={"b": {"emotion": -3}},
            entries=["a"],
        )
        result = moments_of_truth(j)
        assert _found(result) == [("a", 2, ("gate", "swing"))]
        assert _candidates(result)[1:] == [("b", 1, ("emotional_low",))]
        assert result.probabilities_known is False
        assert result.basis is None
        assert result.note.startswith("no removal effects: the journey 'j' has a closed loop")

    def test_ranking_and_ties(self) -> None:
        """Highest score first, then larger removal effect, then step id.

        P(win) = 0.6 (b) + 0.4 * 0.5 (c) = 0.8; a is the entry gate (1.0).
        From b success is 1, from c 0.5, from d and e 0. a: declared, gate,
        swing (1 against 0.5); c: declared, swing (1 against 0), emotional low,
        effect 1 - 0.6 / 0.8 = 0.25; both score 3, a first by effect. b has one
        reason (pain points; effect 1 - 0.2 / 0.8 = 0.75), d and e one each
        (lows off every successful path: effect 0, tie broken by id): they are
        candidates only.
        """
        j = _j(
            [
                ("a", "b", 0.6),
                ("a", "c", 0.4),
                ("b", "win", 1.0),
                ("c", "win", 0.5),
                ("c", "e", 0.25),
                ("c", "d", 0.25),
                ("d", "lose", 1.0),
                ("e", "lose", 1.0),
            ],
            touchpoints={
                "a": {"moment_of_truth": True},
                "b": {"pain_points": ["Queue"]},
                "c": {"emotion": -2, "moment_of_truth": True},
                "d": {"emotion": -3},
                "e": {"emotion": -3},
            },
        )
        result = moments_of_truth(j)
        assert _found(result) == [
            ("a", 3, ("declared", "gate", "swing")),
            ("c", 3, ("declared", "swing", "emotional_low")),
        ]
        assert _candidates(result)[2:] == [
            ("b", 1, ("emotional_low",)),
            ("d", 1, ("emotional_low",)),
            ("e", 1, ("emotional_low",)),
        ]
        effects = [m.removal_effect for m in result.candidates]
        assert effects == pytest.approx([1.0, 0.25, 0.75, 0.0, 0.0])
        assert _found(moments_of_truth(j, min_score=1)) == _candidates(result)

    def test_records_describe_summary(self) -> None:
        """Records carry step, score, reasons, removal_effect; lines use names."""
        j = _j([("a", "b", 0.5), ("a", "c", 0.5), ("b", "win", 1.0), ("c", "lose", 1.0)])
        result = moments_of_truth(j)
        assert result.to_records()[0] == {
            "step": "a",
            "score": 2,
            "reasons": ("gate", "swing"),
            "removal_effect": 1.0,
        }
        assert result.describe(result[0]) == (
            "'A' (a): every successful journey passes it; what happens next decides whether "
            "the customer is won or lost (removal effect 100%)"
        )
        assert result.summary() == (
            "1 moment of truth (declared, or with at least 2 reasons; 2 steps have a reason), "
            "ranked by removal effect"
        )
        assert repr(result).startswith("<MomentsOfTruth: 1 moment of truth")
        assert "Moments of truth" in result._repr_html_()
        hash(result)

    def test_nothing_to_report(self) -> None:
        """With no reason anywhere the summary says so in one sentence."""
        result = moments_of_truth(_j([("a", "win"), ("b", "win")]))
        assert result.summary() == (
            "no moments of truth: no step is declared one or has a reason to be"
        )

    @pytest.mark.parametrize(
        ("min_score", "error", "match"),
        [
            (0, ValueError, "min_score must be 1 or more, got 0"),
            (-1, ValueError, "min_score must be 1 or more, got -1"),
            (1.5, TypeError, "min_score must be a whole number, got float"),
            (True, TypeError, "min_score must be a whole number, got bool"),
            ("2", TypeError, "min_score must be a whole number, got str"),
        ],
    )
    def test_bad_min_score(self, min_score: Any, error: type[Exception], match: str) -> None:
        """A min_score that is not a whole number of at least 1 is refused, naming it."""
        with pytest.raises(error, match=match):
            moments_of_truth(_j([("a", "win")]), min_score=min_score)

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"moments_of_truth\(\) takes a Journey, got Graph"):
            moments_of_truth(nx.Graph())  # type: ignore[arg-type]

    @given(funnels(cyclic=True) | probabilistic_journeys())
    def test_removal_effects_in_unit_interval(self, journey: cx.Journey) -> None:
        """Every reported removal effect lies in [0, 1]; findings always have a reason."""
        result = moments_of_truth(journey)
        for m in result.candidates:
            assert m.removal_effect is None or 0.0 <= m.removal_effect <= 1.0
            assert m.score == len(m.reasons) >= 1
        assert set(result) <= set(result.candidates)
        assert all(m.score >= 2 or "declared" in m.reasons for m in result)

    @given(funnels() | funnels(cyclic=True))
    def test_gates_lose_everything(self, journey: cx.Journey) -> None:
        """With probabilities known and some conversion, removing a gate loses every conversion."""
        result = moments_of_truth(journey)
        if not result.probabilities_known or not result.conversion_probability:
            return
        effects = {m.step: m.removal_effect for m in result.candidates}
        for gate in result.gates:
            assert effects[gate] == pytest.approx(1.0)
            assert "gate" in next(m for m in result.candidates if m.step == gate).reasons

    @given(journeys(), st.randoms(use_true_random=False))
    def test_deterministic(self, journey: cx.Journey, rnd: Any) -> None:
        """Same input, same output; declaring steps in another order changes nothing."""
        first = moments_of_truth(journey)
        assert moments_of_truth(journey) == first
        tps, dps = list(journey.touchpoints), list(journey.decision_points)
        rnd.shuffle(tps)
        rnd.shuffle(dps)
        again = moments_of_truth(journey.with_changes(touchpoints=tps, decision_points=dps))
        assert _found(again) == _found(first)
        assert _candidates(again) == _candidates(first)
        # The solve may run in another order: equal up to rounding, not bit for bit.
        for m, n in zip(again.candidates, first.candidates, strict=True):
            assert m.removal_effect == pytest.approx(n.removal_effect)

    @given(journeys())
    def test_sorted(self, journey: cx.Journey) -> None:
        """Findings come highest score first, then larger removal effect, then step id."""
        result = moments_of_truth(journey)
        for ranked in (result.findings, result.candidates):
            keys = [(-m.score, -round(m.removal_effect or 0.0, 9), m.step) for m in ranked]
            assert keys == sorted(keys)

    def test_restaurant_golden(self) -> None:
        """Restaurant example, worked by hand.

        Gates: every journey passes 'dp-how-to-visit' (both entries lead there),
        then arrive -> order -> (kitchen) -> serve -> pay -> thank-you email ->
        'dp-after-visit'; after that 'loyal-advocate' needs 'write-review' but
        'catering-client' can be reached around it (dp-after-visit ->
        catering-enquiry), so the gates stop at 'dp-after-visit'. The kitchen
        ('prepare-meal') is on every path too, but backstage: the customer
        never meets it, so it is no gate. Gates remove every conversion
        (effect 1).

        Forks to failure: all five decisions have an option straight to
        'chose-elsewhere', 'lapsed' or 'catering-lost'.

        Swings, from P(success | next) of the Markov model: 'dp-after-visit'
        (its ways other than 'lapsed': back to dp-how-to-visit 0.331,
        join-loyalty 0.565, write-review 0.917, catering-enquiry 0.45),
        'write-review' (loyal-advocate 1 against catering-enquiry 0.45),
        'join-loyalty' (write-review 0.917 against dp-how-to-visit 0.331),
        'discover-online' (browse-menu 0.314 against chose-elsewhere 0) and
        'read-reviews' (dp-how-to-visit 0.331 against chose-elsewhere 0).

        Other removal effects, with X = P(convert | at dp-how-to-visit) and
        P = 0.7 * 0.81X + 0.3 * 0.8X = 0.807X: without 'discover-online' only
        the 0.3 entry is left (1 - 0.24 / 0.807 = 0.703); without 'read-reviews'
        only discover -> browse -> visit (0.7 * 0.45X, effect 0.610); without
        'browse-menu', 0.7 * 0.3 * 0.8X + 0.24X (effect 0.494). Solving the
        loop (dp-after-visit returns to dp-how-to-visit) gives X = 0.33055;
        without 'write-review' only the catering hand-off converts (effect
        0.904); without the phone or the walk-in decision 0.65 (effect 0.339);
        every catering step alone costs the catering conversions, 0.1628.

        Emotional lows: the five touchpoints with pain points (all customer
        facing). Declared: 'serve-meal' and 'catering-proposal'.

        The moments of truth are the declared steps and those with two
        reasons or more: 6 of the 26 steps.
        """
        result = moments_of_truth(cx.load(EXAMPLES / "restaurant.yaml"))
        assert _found(result) == [
            ("dp-after-visit", 3, ("gate", "fork_to_failure", "swing")),
            ("dp-how-to-visit", 2, ("gate", "fork_to_failure")),
            ("order-meal", 2, ("gate", "emotional_low")),
            ("pay-bill", 2, ("gate", "emotional_low")),
            ("serve-meal", 2, ("declared", "gate")),
            ("catering-proposal", 1, ("declared",)),
        ]
        assert _candidates(result)[5:] == [
            ("arrive-and-seat", 1, ("gate",)),
            ("post-visit-email", 1, ("gate",)),
            ("write-review", 1, ("swing",)),
            ("discover-online", 1, ("swing",)),
            ("read-reviews", 1, ("swing",)),
            ("browse-menu", 1, ("emotional_low",)),
            ("join-loyalty", 1, ("swing",)),
            ("book-by-phone", 1, ("emotional_low",)),
            ("dp-table-free", 1, ("fork_to_failure",)),
            ("catering-enquiry", 1, ("emotional_low",)),
            ("catering-proposal", 1, ("declared",)),
            ("dp-accept-proposal", 1, ("fork_to_failure",)),
            ("dp-qualify-catering", 1, ("fork_to_failure",)),
        ]
        effects = {m.step: m.removal_effect for m in result.candidates}
        hand = {
            "discover-online": 1 - 0.24 / 0.807,
            "read-reviews": 1 - 0.315 / 0.807,
            "browse-menu": 1 - 0.408 / 0.807,
            "write-review": 0.9036,
            "book-by-phone": 0.339,
            "catering-enquiry": 0.1628,
        }
        for step, value in hand.items():
            assert effects[step] == pytest.approx(value, abs=1e-3)
        assert result.conversion_probability == pytest.approx(0.807 * 0.33055, abs=1e-4)
        assert len(result.gates) == 7
        assert "prepare-meal" not in result.gates

    def test_b2b_golden(self) -> None:
        """B2B example: gates from the discovery call to the renewal decision.

        Both entries ('website-visit', 'whitepaper-download') and every way in
        (nurture, SDR outreach) meet at 'discovery-call'; from there demo ->
        evaluation -> proposal -> buy path is the only way; cart and contract
        meet again at 'onboarding'; use -> need help -> business review ->
        renewal quote -> 'dp-renew', which all three success outcomes follow.
        Forks to failure: chat routing, nurture response, evaluation, buy path
        and renewal each have an option straight to an exit or to 'churned'.
        """
        result = moments_of_truth(cx.load(EXAMPLES / "b2b_software.yaml"))
        assert set(result.gates) == {
            "discovery-call",
            "product-demo",
            "dp-evaluate",
            "proposal",
            "dp-buy-path",
            "onboarding",
            "use-product",
            "dp-need-help",
            "business-review",
            "renewal-quote",
            "dp-renew",
        }
        forks = sorted(m.step for m in result.candidates if "fork_to_failure" in m.reasons)
        assert forks == [
            "dp-buy-path",
            "dp-chat-route",
            "dp-evaluate",
            "dp-nurture-response",
            "dp-renew",
        ]
        declared = sorted(m.step for m in result if "declared" in m.reasons)
        assert declared == ["onboarding", "product-demo", "renewal-quote"]
        # Swings: after the discovery call 'no-decision' ends nothing (0)
        # against the demo (P(success) 0.341); at the online cart 'no-decision'
        # (0) against onboarding (0.7). The headline: 9 of the 38 steps.
        assert _found(result) == [
            ("onboarding", 3, ("declared", "gate", "emotional_low")),
            ("renewal-quote", 3, ("declared", "gate", "emotional_low")),
            ("discovery-call", 2, ("gate", "swing")),
            ("dp-buy-path", 2, ("gate", "fork_to_failure")),
            ("dp-evaluate", 2, ("gate", "fork_to_failure")),
            ("dp-renew", 2, ("gate", "fork_to_failure")),
            ("product-demo", 2, ("declared", "gate")),
            ("proposal", 2, ("gate", "emotional_low")),
            ("online-cart", 2, ("swing", "emotional_low")),
        ]

    def test_agrees_with_markov(self) -> None:
        """Removal effects are the Markov model's, step by step (restaurant)."""
        j = cx.load(EXAMPLES / "restaurant.yaml")
        effects = markov(j).removal_effects(by="step")
        for m in moments_of_truth(j).candidates:
            assert m.removal_effect == effects[m.step]
        assert isinstance(moments_of_truth(j)[0], MomentOfTruth)
