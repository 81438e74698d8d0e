"""Tests for cxgraph.model: the frozen journey classes and their field rules."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import attrs
import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.graph import entry_weights
from strategies import dag_journeys, journeys, loop_journeys, probabilistic_journeys


def _tiny(**changes: Any) -> cx.Journey:
    base: dict[str, Any] = {
        "id": "j",
        "name": "Tiny",
        "touchpoints": [cx.Touchpoint(id="a", name="A")],
        "outcomes": [cx.Outcome(id="done", name="Done", kind="success")],
        "transitions": [cx.Transition(source="a", target="done")],
    }
    base.update(changes)
    return cx.Journey(**base)


def _forked(p: float, q: float) -> cx.Journey:
    return cx.Journey(
        id="j",
        name="J",
        touchpoints=[cx.Touchpoint(id="a", name="A")],
        outcomes=[
            cx.Outcome(id="yes", name="Yes", kind="success"),
            cx.Outcome(id="no", name="No", kind="failure"),
        ],
        transitions=[
            cx.Transition(source="a", target="yes", probability=p),
            cx.Transition(source="a", target="no", probability=q),
        ],
    )


class TestPackageImport:
    def test_import_is_light(self) -> None:
        """import cxgraph loads no dataframe, Spark, SciPy or pyplot modules."""
        heavy = ["pandas", "polars", "scipy", "duckdb", "pyspark", "matplotlib.pyplot"]
        code = f"import sys, cxgraph\nprint(','.join(m for m in {heavy!r} if m in sys.modules))\n"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
        )
        assert out.stdout.strip() == ""

    def test_public_names(self) -> None:
        """Every name in __all__ exists, and __all__ is sorted."""
        assert cx.__all__ == sorted(cx.__all__)
        for name in cx.__all__:
            assert hasattr(cx, name), name


class TestJourney:
    def test_validated_on_construction(self) -> None:
        """An inconsistent journey cannot be built: every problem is listed."""
        with pytest.raises(cx.JourneyValidationError, match=r"^2 problems in the journey:\n"):
            cx.Journey(id="j", name="J", transitions=[cx.Transition(source="a", target="b")])

    def test_lists_become_tuples(self) -> None:
        """List arguments are stored as tuples; a bare entry id becomes an Entry."""
        j = _tiny(entries=["a"], personas=[cx.Persona(id="p", name="P", goals=["g"])])
        assert isinstance(j.touchpoints, tuple)
        assert j.personas[0].goals == ("g",)
        assert j.entries == (cx.Entry(step="a"),)

    def test_frozen(self) -> None:
        """Journeys and their parts cannot be changed in place."""
        j = _tiny()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            j.name = "Other"  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            j.touchpoints[0].name = "B"  # type: ignore[misc]

    def test_hash_leaves_out_extensions(self) -> None:
        """Extensions take part in equality but not in the hash."""
        a = _tiny(extensions={"tool": {"x": 1}})
        b = _tiny(extensions={"tool": {"x": 2}})
        assert hash(a) == hash(b) == hash(_tiny())
        assert a != b
        assert a == _tiny(extensions={"tool": {"x": 1}})

    @given(journeys())
    def test_hashable_and_equal_to_copy(self, j: cx.Journey) -> None:
        """Every journey is hashable and equal to a field-by-field copy."""
        copy = attrs.evolve(j)
        assert copy == j
        assert hash(copy) == hash(j)

    def test_extensions_read_only(self) -> None:
        """Extensions become a read-only mapping; nested lists become tuples."""
        source = {"tool": {"tags": ["a", "b"]}}
        j = _tiny(extensions=source)
        with pytest.raises(TypeError):
            j.extensions["x"] = 1  # type: ignore[index]
        assert j.extensions["tool"]["tags"] == ("a", "b")
        source["tool"]["tags"].append("c")
        assert j.extensions["tool"]["tags"] == ("a", "b")

    @pytest.mark.parametrize(
        ("extensions", "expected"),
        [
            ({"when": date(2024, 1, 31)}, r"Journey\.extensions\.when: expected a JSON value"),
            ({"a": {1: "x"}}, r"Journey\.extensions\.a: keys must be strings"),
            ({"a": [math.nan]}, r"Journey\.extensions\.a\[0\]: expected a finite number"),
            ({"a": object()}, r"expected a JSON value .* got an? object"),
            (["not", "a", "mapping"], r"Journey\.extensions: expected a mapping, got a list"),
        ],
        ids=["date", "int-key", "nan", "object", "list"],
    )
    def test_extensions_must_be_json(self, extensions: Any, expected: str) -> None:
        """Extensions hold only what a JSON file can: else a JourneyValidationError."""
        with pytest.raises(cx.JourneyValidationError, match=expected):
            _tiny(extensions=extensions)

    def test_steps_and_edges(self) -> None:
        """steps lists touchpoints, decisions, outcomes; edges transitions, hand-offs, triggers."""
        j = cx.Journey(
            id="j",
            name="J",
            owners=[cx.Owner(id="o", name="O", kind="team")],
            touchpoints=[cx.Touchpoint(id="t", name="T")],
            decision_points=[cx.DecisionPoint(id="d", name="D", decided_by="customer")],
            outcomes=[cx.Outcome(id="x", name="X", kind="exit")],
            transitions=[cx.Transition(source="d", target="x")],
            handoffs=[cx.Handoff(source="t", target="d")],
            triggers=[cx.Trigger(source="x", target="t", owner="o")],
        )
        assert [s.id for s in j.steps] == ["t", "d", "x"]
        assert [type(e).__name__ for e in j.edges] == ["Transition", "Handoff", "Trigger"]

    def test_repr(self) -> None:
        """The repr names the journey, its size and a future state."""
        assert repr(_tiny()) == "<Journey 'j' (Tiny): 2 steps, 1 edge>"
        assert repr(cx.Journey(id="k", name="K", state="future")) == (
            "<Journey 'k' (K): 0 steps, 0 edges, future state>"
        )

    def test_with_changes(self) -> None:
        """with_changes returns a validated copy; the original is untouched."""
        j = _tiny()
        assert j.with_changes(name="New").name == "New"
        assert j.name == "Tiny"
        with pytest.raises(cx.JourneyValidationError, match=r"unknown step 'a'"):
            j.with_changes(touchpoints=())

    def test_conveniences(self) -> None:
        """from_dict, to_dict and to_graph are the io and graph functions."""
        j = _tiny()
        assert cx.Journey.from_dict(j.to_dict()) == j
        assert j.to_dict() == cx.to_dict(j)
        assert nx.utils.graphs_equal(j.to_graph(), cx.compile_graph(j))

    @given(st.floats(-5e-10, 5e-10))
    def test_probability_sum_within_tolerance(self, eps: float) -> None:
        """Probabilities out of a step may miss 1 by up to 1e-9."""
        j = _forked(0.25, 0.75 + eps)
        assert j.transitions[1].probability == 0.75 + eps

    @pytest.mark.parametrize("eps", [2e-9, -2e-9, 0.1])
    def test_probability_sum_beyond_tolerance(self, eps: float) -> None:
        """Probabilities out of a step that miss 1 by more than 1e-9 are rejected."""
        with pytest.raises(cx.JourneyValidationError, match=r"probabilities out of 'a' sum to"):
            _forked(0.25, 0.75 + eps)

    def test_probabilities_on_all_or_none(self) -> None:
        """Probabilities given on some edges out of a step but not others are rejected."""
        with pytest.raises(cx.JourneyValidationError, match=r"given on 1 of 2 edges"):
            cx.Journey(
                id="j",
                name="J",
                touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B")],
                outcomes=[cx.Outcome(id="o", name="O", kind="success")],
                transitions=[cx.Transition(source="a", target="o", probability=1.0)],
                handoffs=[cx.Handoff(source="a", target="b")],
            )

    def test_no_flow_out_of_outcomes(self) -> None:
        """No transition or hand-off leaves an outcome; a trigger may."""
        with pytest.raises(cx.JourneyValidationError, match=r"outcome 'done' ends the journey"):
            _tiny(transitions=[cx.Transition(source="done", target="a")])
        j = _tiny(triggers=[cx.Trigger(source="done", target="a")])
        assert j.triggers[0].source == "done"

    def test_self_loop_allowed_duplicate_edge_not(self) -> None:
        """A step may lead to itself; two edges with the same ends are rejected."""
        loop = [cx.Transition(source="a", target="a"), cx.Transition(source="a", target="done")]
        assert len(_tiny(transitions=loop).transitions) == 2
        with pytest.raises(cx.JourneyValidationError, match=r"a second edge from 'a' to 'done'"):
            _tiny(handoffs=[cx.Handoff(source="a", target="done")])


class TestJourneyStep:
    def test_found(self) -> None:
        """step() returns the step with that id, of any kind."""
        assert _tiny().step("done").kind == "success"  # type: ignore[union-attr]

    def test_missing(self) -> None:
        """An unknown id is a KeyError listing the known steps."""
        with pytest.raises(KeyError, match=r"no step 'b' in journey 'j' \(known: 'a', 'done'\)"):
            _tiny().step("b")


def _bad(factory: Callable[[], Any], expected: str) -> Any:
    return pytest.param(factory, expected, id=expected[:40])


class TestFieldRules:
    @pytest.mark.parametrize(
        ("factory", "expected"),
        [
            _bad(lambda: cx.Persona(id="a b", name="P"), r"Persona\.id: invalid id 'a b'"),
            _bad(lambda: cx.Persona(id="a\n", name="P"), r"Persona\.id: invalid id 'a\\n'"),
            _bad(lambda: cx.Persona(id="", name="P"), r"Persona\.id: invalid id ''"),
            _bad(lambda: cx.Persona(id=3, name="P"), r"Persona\.id: expected an id"),
            _bad(lambda: cx.Persona(id="p", name="P", goals="g"), r"Persona\.goals: expected a"),
            _bad(lambda: cx.Phase(id="p", name="P", expected_duration="P1D"), r"timedelta"),
            _bad(
                lambda: cx.Phase(id="p", name="P", expected_duration=timedelta(seconds=-1)),
                r"a duration cannot be negative",
            ),
            _bad(lambda: cx.Owner(id="o", name="O", kind="squad"), r"unknown owner kind 'squad'"),
            _bad(lambda: cx.Channel(id="c", name="C", kind="web"), r"unknown channel kind 'web'"),
            _bad(lambda: cx.System(id="s", name="S", status="old"), r"unknown system status"),
            _bad(lambda: cx.Dimension(id="d", name="D", tier=1.5), r"expected an integer"),
            _bad(lambda: cx.Dimension(id="d", name="D", tier=True), r"expected an integer"),
            _bad(lambda: cx.Metric(name="m", kind="speed"), r"unknown metric kind 'speed'"),
            _bad(lambda: cx.Metric(name="m", kind="csat", target="5"), r"expected a number"),
            _bad(
                lambda: cx.Metric(name="m", kind="csat", value=math.inf), r"Metric\.value: expected"
            ),
            _bad(lambda: cx.Touchpoint(id="t", name="T", emotion=4), r"from -3 to 3, got 4"),
            _bad(lambda: cx.Touchpoint(id="t", name="T", emotion=-4), r"from -3 to 3, got -4"),
            _bad(lambda: cx.Touchpoint(id="t", name="T", lane="stage"), r"unknown lane 'stage'"),
            _bad(
                lambda: cx.Touchpoint(id="t", name="T", trust="high"),
                r"Touchpoint\.trust: unknown .*'high'",
            ),
            _bad(lambda: cx.Touchpoint(id="t", name="T", value="money"), r"unknown value"),
            _bad(lambda: cx.Touchpoint(id="t", name="T", moment_of_truth=1), r"a boolean"),
            _bad(lambda: cx.Touchpoint(id="t", name="T", metrics=[{"name": "m"}]), r"Metric"),
            _bad(
                lambda: cx.DecisionPoint(id="d", name="D", decided_by="robot"),
                r"unknown decided_by value 'robot'",
            ),
            _bad(lambda: cx.Outcome(id="o", name="O", kind="win"), r"unknown outcome kind 'win'"),
            _bad(lambda: cx.Transition(source="a", target="b", probability=1.5), r"from 0 to 1"),
            _bad(lambda: cx.Transition(source="a", target="b", probability=-0.1), r"from 0 to 1"),
            _bad(lambda: cx.Transition(source="a", target="b", count=-1), r"integer >= 0"),
            _bad(lambda: cx.Handoff(source="a", target="b", sla=3600), r"timedelta"),
            _bad(lambda: cx.Trigger(source="a", target="b", carries="x"), r"Trigger\.carries"),
            _bad(lambda: cx.Entry(step="a", probability=2), r"Entry\.probability"),
            _bad(
                lambda: cx.Journey(id="j", name="J", state="past"),
                r"Journey\.state: unknown .*'past'",
            ),
        ],
    )
    def test_rejected(self, factory: Callable[[], Any], expected: str) -> None:
        """A field value outside its rule raises JourneyValidationError naming the field."""
        with pytest.raises(cx.JourneyValidationError, match=expected):
            factory()

    def test_defaults(self) -> None:
        """Optional fields default as the design says."""
        tp = cx.Touchpoint(id="t", name="T")
        assert (tp.lane, tp.emotion, tp.moment_of_truth, tp.personas, tp.duration) == (
            "frontstage",
            None,
            False,
            (),
            None,
        )
        assert cx.System(id="s", name="S").status == "current"
        assert cx.Journey(id="j", name="J").state == "current"
        assert cx.Journey(id="j", name="J").extensions == {}
        assert cx.DecisionPoint(id="d", name="D", decided_by="customer").question == ""

    def test_integer_probability(self) -> None:
        """Probabilities may be ints (0 or 1) as well as floats."""
        assert cx.Transition(source="a", target="b", probability=1).probability == 1

    @pytest.mark.parametrize(
        ("decided_by", "owner", "expected"),
        [
            ("customer", "ops", r"decided by the customer, so it has no owner"),
            ("employee", None, r"decided by 'employee', so it needs an owner"),
            ("automated", None, r"decided by 'automated', so it needs an owner"),
        ],
    )
    def test_decided_by_and_owner(self, decided_by: str, owner: str | None, expected: str) -> None:
        """Customer decisions have no owner; employee and automated ones need one."""
        with pytest.raises(cx.JourneyValidationError, match=expected):
            cx.Journey(
                id="j",
                name="J",
                owners=[cx.Owner(id="ops", name="Ops", kind="team")],
                decision_points=[
                    cx.DecisionPoint(id="d", name="D", decided_by=decided_by, owner=owner)
                ],
            )

    def test_owner_cycle(self) -> None:
        """Owner parents may not form a cycle."""
        with pytest.raises(cx.JourneyValidationError, match=r"owner parents form a cycle"):
            cx.Journey(
                id="j",
                name="J",
                owners=[
                    cx.Owner(id="a", name="A", kind="team", parent="b"),
                    cx.Owner(id="b", name="B", kind="team", parent="a"),
                ],
            )


class TestStrategies:
    """The shared Hypothesis strategies build the shapes they promise."""

    @given(dag_journeys())
    def test_dag_journeys(self, j: cx.Journey) -> None:
        """dag_journeys are acyclic over every edge and every step reaches an outcome."""
        g = nx.DiGraph([(e.source, e.target) for e in j.edges])
        g.add_nodes_from(s.id for s in j.steps)
        assert nx.is_directed_acyclic_graph(g)
        _assert_absorbing(j)

    @given(loop_journeys())
    def test_loop_journeys(self, j: cx.Journey) -> None:
        """loop_journeys have a loop in the customer flow and still reach outcomes."""
        g = nx.DiGraph([(e.source, e.target) for e in (*j.transitions, *j.handoffs)])
        assert any(True for _ in nx.simple_cycles(g))
        _assert_absorbing(j)

    @given(probabilistic_journeys())
    def test_probabilistic_journeys(self, j: cx.Journey) -> None:
        """Every flow edge and declared entry has a probability; sums are 1."""
        flow = (*j.transitions, *j.handoffs)
        assert all(e.probability is not None for e in flow)
        assert all(e.probability is not None for e in j.entries)
        sums: dict[str, float] = {}
        for e in flow:
            sums[e.source] = sums.get(e.source, 0.0) + float(e.probability or 0)
        assert all(math.isclose(s, 1.0, abs_tol=1e-9) for s in sums.values())
        _assert_absorbing(j)
        assert entry_weights(j)[1] in {"probability", "uniform"}

    @given(journeys(probabilities="none"))
    def test_no_probabilities(self, j: cx.Journey) -> None:
        """probabilities='none' gives no probability anywhere."""
        assert all(e.probability is None for e in (*j.transitions, *j.handoffs, *j.entries))


def _assert_absorbing(j: cx.Journey) -> None:
    """Every step can reach an outcome through transitions and hand-offs."""
    g = nx.DiGraph([(e.source, e.target) for e in (*j.transitions, *j.handoffs)])
    g.add_nodes_from(s.id for s in j.steps)
    outcomes = {o.id for o in j.outcomes}
    assert outcomes
    for s in j.steps:
        assert outcomes & (nx.descendants(g, s.id) | {s.id}), s.id
