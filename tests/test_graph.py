"""Tests for cxgraph.graph: compile_graph, from_graph, entry_weights, owner_silos, step_owner."""

from __future__ import annotations

import math
from typing import Any

import attrs
import networkx as nx
import pytest
from hypothesis import given

import cxgraph as cx
from cxgraph.graph import entry_weights, step_owner
from cxgraph.model.owners import owner_silos
from strategies import journeys


def _journey() -> cx.Journey:
    """A small journey with every kind of step and edge, owners in two silos."""
    return cx.Journey(
        id="shop",
        name="Shop",
        version="3",
        state="future",
        description="Buying online",
        personas=[cx.Persona(id="p", name="Pat")],
        phases=[cx.Phase(id="buy", name="Buy"), cx.Phase(id="after", name="After")],
        owners=[
            cx.Owner(id="rep", name="Rep", kind="role", parent="sales-team"),
            cx.Owner(id="sales", name="Sales", kind="department"),
            cx.Owner(id="sales-team", name="Sales team", kind="team", parent="sales"),
            cx.Owner(id="ops", name="Operations", kind="department"),
        ],
        channels=[cx.Channel(id="web", name="Web", kind="digital")],
        touchpoints=[
            cx.Touchpoint(id="visit", name="Visit", phase="buy", owner="rep", channel="web"),
            cx.Touchpoint(id="ship", name="Ship", phase="after", owner="ops", lane="backstage"),
            cx.Touchpoint(id="restock", name="Restock", owner="ops"),
        ],
        decision_points=[cx.DecisionPoint(id="decide", name="Buy?", decided_by="customer")],
        outcomes=[
            cx.Outcome(id="won", name="Won", kind="success"),
            cx.Outcome(id="lost", name="Lost", kind="exit"),
        ],
        entries=["visit"],
        transitions=[
            cx.Transition(source="visit", target="decide", count=10),
            cx.Transition(source="decide", target="lost", probability=0.4, label="no"),
            cx.Transition(source="ship", target="won"),
        ],
        handoffs=[
            cx.Handoff(source="decide", target="ship", probability=0.6, owner="ops", carries=["id"])
        ],
        triggers=[cx.Trigger(source="won", target="restock", owner="ops")],
        extensions={"tool": {"v": 1}},
    )


class TestCompileGraph:
    def test_nodes(self) -> None:
        """One node per step with kind, every model field, silo and phase_index."""
        j = _journey()
        g = cx.compile_graph(j)
        assert list(g.nodes) == ["visit", "ship", "restock", "decide", "won", "lost"]
        visit = g.nodes["visit"]
        assert visit["kind"] == "touchpoint"
        assert visit["silo"] == "sales"
        assert visit["phase_index"] == 0
        for f in attrs.fields(cx.Touchpoint):
            assert visit[f.name] == getattr(j.touchpoints[0], f.name)
        assert g.nodes["ship"]["phase_index"] == 1
        assert g.nodes["restock"]["phase_index"] is None
        decision = g.nodes["decide"]
        assert (decision["kind"], decision["decided_by"], decision["silo"]) == (
            "decision",
            "customer",
            None,
        )
        won = g.nodes["won"]
        assert (won["kind"], won["outcome_kind"], won["silo"], won["phase_index"]) == (
            "outcome",
            "success",
            None,
            None,
        )

    def test_edges(self) -> None:
        """One edge per transition, hand-off and trigger, with owners and list index."""
        g = cx.compile_graph(_journey())
        assert g.number_of_edges() == 5
        e = g.edges["decide", "lost"]
        assert (e["kind"], e["index"], e["probability"], e["label"]) == (
            "transition",
            1,
            0.4,
            "no",
        )
        assert (e["from_owner"], e["to_owner"]) == (None, None)
        h = g.edges["decide", "ship"]
        assert (h["kind"], h["index"], h["owner"], h["carries"]) == ("handoff", 0, "ops", ("id",))
        assert (h["from_owner"], h["to_owner"]) == (None, "ops")
        t = g.edges["won", "restock"]
        assert (t["kind"], t["index"], t["from_owner"], t["to_owner"]) == (
            "trigger",
            0,
            None,
            "ops",
        )
        assert g.edges["visit", "decide"]["count"] == 10
        assert g.edges["visit", "decide"]["from_owner"] == "rep"

    def test_provenance(self) -> None:
        """g.graph holds the journey id, version, state, cxgraph version and other fields."""
        j = _journey()
        g = cx.compile_graph(j).graph
        assert g["journey"] == "shop"
        assert (g["version"], g["state"]) == ("3", "future")
        assert g["cxgraph_version"] == cx.__version__
        for name in (
            "name",
            "description",
            "personas",
            "phases",
            "owners",
            "channels",
            "systems",
            "dimensions",
            "entries",
            "extensions",
        ):
            assert g[name] == getattr(j, name)

    @given(journeys())
    def test_every_step_and_edge(self, j: cx.Journey) -> None:
        """The graph has exactly the steps as nodes and the edges, each with its kind."""
        g = cx.compile_graph(j)
        assert list(g.nodes) == [s.id for s in j.steps]
        assert g.number_of_edges() == len(j.edges)
        kinds = {"transition": j.transitions, "handoff": j.handoffs, "trigger": j.triggers}
        for kind, group in kinds.items():
            for i, e in enumerate(group):
                data = g.edges[e.source, e.target]
                assert (data["kind"], data["index"]) == (kind, i)
                for f in attrs.fields(type(e)):
                    assert data[f.name] == getattr(e, f.name)
        silos = owner_silos(j)
        for step in j.steps:
            owner = step_owner(step)
            assert g.nodes[step.id]["silo"] == (silos[owner] if owner else None)

    def test_to_graph(self) -> None:
        """Journey.to_graph gives the same graph as compile_graph."""
        j = _journey()
        a, b = j.to_graph(), cx.compile_graph(j)
        assert a.graph == b.graph
        assert list(a.nodes(data=True)) == list(b.nodes(data=True))
        assert list(a.edges(data=True)) == list(b.edges(data=True))

    def test_not_a_journey(self) -> None:
        """Something other than a Journey is a TypeError."""
        with pytest.raises(TypeError, match=r"compile_graph\(\) takes a Journey, got dict"):
            cx.compile_graph({})  # type: ignore[arg-type]


class TestFromGraph:
    @given(journeys())
    def test_round_trip(self, j: cx.Journey) -> None:
        """from_graph(compile_graph(j)) == j, order and extensions included."""
        back = cx.from_graph(cx.compile_graph(j))
        assert back == j
        assert back.extensions == j.extensions

    def test_order_kept_from_indices(self) -> None:
        """Steps keep their node order and edges their list index, however the graph was built."""
        j = _journey()
        g = cx.compile_graph(j)
        h: nx.DiGraph[str] = nx.DiGraph()
        h.graph.update(g.graph)
        h.add_nodes_from(g.nodes(data=True))
        h.add_edges_from(reversed(list(g.edges(data=True))))
        assert cx.from_graph(h) == j

    def test_copy_round_trips(self) -> None:
        """A copy of the graph rebuilds the same journey."""
        g = cx.compile_graph(_journey())
        assert cx.from_graph(g.copy()) == _journey()

    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            (lambda g: g.graph.clear(), r"no cxgraph provenance \(G\.graph\['journey'\]"),
            (lambda g: g.graph.pop("name"), r"no cxgraph provenance \(G\.graph\['name'\]"),
            (lambda g: g.add_node("x"), r"node 'x' has kind None; expected 'touchpoint'"),
            (
                lambda g: g.add_node("x", kind="touchpoint"),
                r"node 'x' lacks the attributes 'id', 'name' that its Touchpoint needs",
            ),
            (
                lambda g: g.add_edge("visit", "won"),
                r"edge 'visit' -> 'won' has kind None; expected 'transition'",
            ),
            (
                lambda g: g.nodes["won"].pop("outcome_kind"),
                r"node 'won' lacks the attribute 'kind' that its Outcome needs",
            ),
        ],
        ids=["no-provenance", "no-name", "node-kind", "node-fields", "edge-kind", "outcome-kind"],
    )
    def test_foreign_graph(self, change: Any, expected: str) -> None:
        """A graph not made by compile_graph (or changed after) raises CxgraphError."""
        g = cx.compile_graph(_journey())
        change(g)
        with pytest.raises(cx.CxgraphError, match=expected):
            cx.from_graph(g)

    def test_plain_graph(self) -> None:
        """An empty networkx graph is not a compiled journey."""
        with pytest.raises(cx.CxgraphError, match=r"build it with cxgraph\.compile_graph"):
            cx.from_graph(nx.DiGraph([("a", "b")]))

    def test_invalid_attributes(self) -> None:
        """Attributes changed into an invalid journey raise JourneyValidationError."""
        g = cx.compile_graph(_journey())
        g.nodes["visit"]["emotion"] = 9
        with pytest.raises(cx.JourneyValidationError, match=r"expected an integer from -3 to 3"):
            cx.from_graph(g)

    def test_not_a_graph(self) -> None:
        """Something other than a DiGraph is a TypeError."""
        with pytest.raises(TypeError, match=r"from_graph\(\) takes a DiGraph"):
            cx.from_graph("shop")  # type: ignore[arg-type]


class TestEntryWeights:
    def _steps(self, **changes: Any) -> cx.Journey:
        return cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id=s, name=s.upper()) for s in "abc"],
            **changes,
        )

    def test_probabilities(self) -> None:
        """Entries with probabilities are weighted by them."""
        j = self._steps(
            entries=[
                cx.Entry(step="a", probability=0.3, count=1),
                cx.Entry(step="b", probability=0.7, count=9),
            ]
        )
        assert entry_weights(j) == ({"a": 0.3, "b": 0.7}, "probability")

    def test_counts(self) -> None:
        """Entries with counts (and no probabilities) are weighted by count."""
        j = self._steps(entries=[cx.Entry(step="a", count=1), cx.Entry(step="c", count=3)])
        assert entry_weights(j) == ({"a": 0.25, "c": 0.75}, "count")

    @pytest.mark.parametrize(
        "entries",
        [
            ["a", "b"],
            [cx.Entry(step="a", count=2), cx.Entry(step="b")],
            [cx.Entry(step="a", count=0), cx.Entry(step="b", count=0)],
        ],
        ids=["bare", "some-counts", "zero-counts"],
    )
    def test_uniform_over_entries(self, entries: list[Any]) -> None:
        """Entries without full weights are equally likely."""
        assert entry_weights(self._steps(entries=entries)) == ({"a": 0.5, "b": 0.5}, "uniform")

    def test_default_entries(self) -> None:
        """With no entries, every step without inflow of any kind is an equally likely start."""
        j = self._steps(
            transitions=[cx.Transition(source="a", target="b")],
            triggers=[cx.Trigger(source="b", target="c")],
        )
        assert entry_weights(j) == ({"a": 1.0}, "uniform")

    def test_empty(self) -> None:
        """A journey without steps has no entries."""
        assert entry_weights(cx.Journey(id="j", name="J")) == ({}, "uniform")

    @given(journeys())
    def test_weights_sum_to_one(self, j: cx.Journey) -> None:
        """Weights are non-negative, over known steps, and sum to 1 when there are any."""
        weights, basis = entry_weights(j)
        assert basis in {"probability", "count", "uniform"}
        assert set(weights) <= {s.id for s in j.steps}
        assert all(w >= 0 for w in weights.values())
        if weights:
            assert math.isclose(math.fsum(weights.values()), 1.0, abs_tol=1e-9)
        if j.entries:
            assert list(weights) == [e.step for e in j.entries]


class TestOwnerSilos:
    def test_chain(self) -> None:
        """Each owner's silo is the root of its parent chain, parents declared in any order."""
        assert owner_silos(_journey()) == {
            "rep": "sales",
            "sales": "sales",
            "sales-team": "sales",
            "ops": "ops",
        }

    def test_no_owners(self) -> None:
        """A journey without owners has no silos."""
        assert owner_silos(cx.Journey(id="j", name="J")) == {}

    @given(journeys())
    def test_roots(self, j: cx.Journey) -> None:
        """Every owner maps to a root (no parent) reached by following parents."""
        parents = {o.id: o.parent for o in j.owners}
        silos = owner_silos(j)
        assert list(silos) == list(parents) or set(silos) == set(parents)
        for oid, silo in silos.items():
            assert parents[silo] is None
            cur: str | None = oid
            while cur is not None and cur != silo:
                cur = parents[cur]
            assert cur == silo


class TestStepOwner:
    def test_owners(self) -> None:
        """Touchpoints and decisions give their owner; outcomes have none."""
        j = _journey()
        assert [step_owner(s) for s in j.steps] == ["rep", "ops", "ops", None, None, None]
