"""Tests for the journey edits (design section 9): pure functions returning a new Journey."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import cxgraph as cx
from cxgraph.changes.edits import (
    EditError,
    assign_owner,
    declare_handoff,
    for_persona,
    merge_steps,
    remove_step,
    set_probabilities,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def restaurant() -> cx.Journey:
    return cx.load(EXAMPLES / "restaurant.yaml")


@pytest.fixture(scope="module")
def b2b() -> cx.Journey:
    return cx.load(EXAMPLES / "b2b_software.yaml")


def tp(i: str, **kw: Any) -> cx.Touchpoint:
    return cx.Touchpoint(id=i, name=i.upper(), **kw)


def oc(i: str, kind: str = "success") -> cx.Outcome:
    return cx.Outcome(id=i, name=i, kind=kind)


def tr(s: str, t: str, p: float | None = None, c: int | None = None) -> cx.Transition:
    return cx.Transition(source=s, target=t, probability=p, count=c)


def edges(j: cx.Journey) -> dict[tuple[str, str], Any]:
    return {(e.source, e.target): e for e in j.edges}


def probs(j: cx.Journey) -> dict[tuple[str, str], float | None]:
    return {
        k: (None if e.probability is None else round(e.probability, 9)) for k, e in edges(j).items()
    }


def axb(**kw: Any) -> cx.Journey:
    """a -> x -> {won, lost}, a -> lost."""
    base: dict[str, Any] = {
        "id": "j",
        "name": "J",
        "touchpoints": [tp("a"), tp("x")],
        "outcomes": [oc("won"), oc("lost", "failure")],
        "entries": [cx.Entry(step="a")],
        "transitions": [
            tr("a", "x", 0.5),
            tr("a", "lost", 0.5),
            tr("x", "won", 0.8),
            tr("x", "lost", 0.2),
        ],
    }
    base.update(kw)
    return cx.Journey(**base)


def conversion(j: cx.Journey) -> float:
    return float(cx.markov(j).conversion_probability)


class TestRemoveStep:
    def test_reroute_multiplies_and_merges(self) -> None:
        """Edges through the step multiply probabilities; parallel edges add."""
        j = axb()
        new = remove_step(j, "x")
        assert probs(new) == {("a", "won"): 0.4, ("a", "lost"): 0.6}
        assert "x" not in [s.id for s in new.steps]
        assert "x" in [s.id for s in j.steps]  # input untouched

    def test_self_loop_geometric(self) -> None:
        """A self-loop on the removed step is summed as a geometric series."""
        j = axb(
            transitions=[
                tr("a", "x", 1.0),
                tr("x", "x", 0.5),
                tr("x", "won", 0.3),
                tr("x", "lost", 0.2),
            ]
        )
        new = remove_step(j, "x")
        assert probs(new) == {("a", "won"): 0.6, ("a", "lost"): 0.4}
        assert math.isclose(conversion(new), conversion(j))

    def test_entry_moves_to_successors(self) -> None:
        """Entries at the removed step move to its successors, weighted by its probabilities."""
        j = axb(
            touchpoints=[tp("a"), tp("x"), tp("y")],
            transitions=[
                tr("a", "x", 1.0),
                tr("x", "y", 0.25),
                tr("x", "won", 0.75),
                tr("y", "won", 1.0),
            ],
            entries=[cx.Entry(step="x", probability=0.6), cx.Entry(step="y", probability=0.4)],
        )
        new = remove_step(j, "x")
        got = {e.step: round(e.probability or 0, 9) for e in new.entries}
        assert got == {"y": 0.55, "won": 0.45}
        assert math.isclose(conversion(new), conversion(j))

    def test_counts_kept_when_exact(self) -> None:
        """Counts multiply through and stay counts while they are whole numbers."""
        j = axb(
            transitions=[
                tr("a", "x", c=10),
                tr("a", "lost", c=10),
                tr("x", "won", c=4),
                tr("x", "lost", c=1),
            ]
        )
        new = edges(remove_step(j, "x"))
        assert (new["a", "won"].count, new["a", "lost"].count) == (8, 12)
        assert new["a", "won"].probability is None

    def test_counts_dropped_when_inexact(self) -> None:
        """A count that is not whole is dropped and shares become probabilities."""
        j = axb(
            transitions=[
                tr("a", "x", c=1),
                tr("a", "lost", c=1),
                tr("x", "won", c=1),
                tr("x", "lost", c=2),
            ]
        )
        new = remove_step(j, "x")
        e = edges(new)
        assert e["a", "won"].count is None
        assert math.isclose(e["a", "won"].probability, 1 / 6)
        assert math.isclose(conversion(new), conversion(j))

    def test_handoff_rule(self) -> None:
        """A rerouted edge is a hand-off if either leg was; owner from the second leg."""
        owners = [
            cx.Owner(id="o1", name="O1", kind="team"),
            cx.Owner(id="o2", name="O2", kind="team"),
        ]
        j = axb(
            owners=owners,
            transitions=[tr("a", "lost", 0.5), tr("x", "lost", 0.2)],
            handoffs=[
                cx.Handoff(source="a", target="x", probability=0.5, owner="o1", carries=["k1"]),
                cx.Handoff(source="x", target="won", probability=0.8, owner="o2", carries=["k2"]),
            ],
        )
        e = edges(remove_step(j, "x"))
        assert isinstance(e["a", "won"], cx.Handoff)
        assert (e["a", "won"].owner, e["a", "won"].carries) == ("o2", ("k1", "k2"))
        assert isinstance(e["a", "lost"], cx.Handoff)  # merged with a hand-off leg
        assert e["a", "lost"].owner == "o1"

    def test_no_reroute_renormalises_and_warns(self) -> None:
        """reroute=False cuts the edges, renormalises and names the dead end."""
        j = axb(
            touchpoints=[tp("a"), tp("b"), tp("x")],
            transitions=[
                tr("a", "x", 0.5),
                tr("a", "lost", 0.5),
                tr("b", "x", 1.0),
                tr("x", "won", 1.0),
            ],
            entries=[cx.Entry(step="a"), cx.Entry(step="b")],
        )
        with pytest.warns(cx.CxgraphWarning, match=r"'b' is left without a way out"):
            new = remove_step(j, "x", reroute=False)
        assert probs(new) == {("a", "lost"): 1.0}

    def test_remove_outcome(self) -> None:
        """Removing an outcome drops the edges into it and renormalises the rest."""
        new = remove_step(axb(), "lost")
        assert probs(new) == {("a", "x"): 1.0, ("x", "won"): 1.0}

    @pytest.mark.parametrize(
        "step", ["browse-menu", "dp-how-to-visit", "pay-bill", "join-loyalty", "arrive-and-seat"]
    )
    def test_markov_invariant_restaurant(self, restaurant: cx.Journey, step: str) -> None:
        """Rerouting a step makes it instantaneous: conversion is unchanged."""
        new = remove_step(restaurant, step)
        assert math.isclose(conversion(new), conversion(restaurant), rel_tol=1e-9)
        for s in new.steps:
            out = [
                e.probability for e in new.edges if e.source == s.id and e.probability is not None
            ]
            assert not out or math.isclose(math.fsum(out), 1.0)

    def test_only_entry_without_way_on(self) -> None:
        """Removing the only entry when nothing follows it is an error."""
        j = cx.Journey(id="j", name="J", touchpoints=[tp("a")], entries=["a"])
        with pytest.raises(EditError, match=r"every journey of 'j' starts at 'a'"):
            remove_step(j, "a")


class TestMergeSteps:
    def test_chain_merge(self) -> None:
        """Merging consecutive steps drops the edge between them."""
        j = axb()
        new = merge_steps(j, "a", "x")
        assert probs(new) == {("a", "won"): 0.4, ("a", "lost"): 0.6}

    def test_in_edges_redirect_and_add(self) -> None:
        """Edges into drop point to keep, parallel ones adding their probabilities."""
        j = axb(
            touchpoints=[tp("s"), tp("a"), tp("x")],
            entries=["s"],
            transitions=[
                tr("s", "a", 0.3),
                tr("s", "x", 0.7),
                tr("a", "won", 1.0),
                tr("x", "won", 0.5),
                tr("x", "lost", 0.5),
            ],
        )
        new = probs(merge_steps(j, "a", "x"))
        assert new[("s", "a")] == 1.0
        assert (new[("a", "won")], new[("a", "lost")]) == (0.75, 0.25)

    def test_counts_add(self) -> None:
        """With counts on every way out, the mix adds counts."""
        j = axb(
            touchpoints=[tp("s"), tp("a"), tp("x")],
            entries=["s"],
            transitions=[
                tr("s", "a", c=1),
                tr("s", "x", c=3),
                tr("a", "won", c=2),
                tr("x", "won", c=1),
                tr("x", "lost", c=5),
            ],
        )
        e = edges(merge_steps(j, "a", "x"))
        assert (e["a", "won"].count, e["a", "lost"].count, e["s", "a"].count) == (3, 5, 4)

    def test_outcome_keep_with_exits(self) -> None:
        """An outcome cannot take the ways out of a touchpoint."""
        with pytest.raises(EditError, match=r"merge the other way round"):
            merge_steps(axb(), "won", "x")


class TestAssignOwner:
    def test_sets_and_clears(self) -> None:
        """The step gets the owner; None clears it."""
        j = axb(owners=[cx.Owner(id="ops", name="Ops", kind="team")])
        new = assign_owner(j, "x", "ops")
        assert new.step("x").owner == "ops"
        assert assign_owner(new, "x", None).step("x").owner is None
        assert j.step("x").owner is None


class TestDeclareHandoff:
    def test_keeps_probability(self) -> None:
        """The transition becomes a hand-off with the same probability."""
        j = axb(owners=[cx.Owner(id="ops", name="Ops", kind="team")])
        new = declare_handoff(j, "a", "x", owner="ops", carries=["order"])
        h = edges(new)["a", "x"]
        assert isinstance(h, cx.Handoff)
        assert (h.probability, h.owner, h.carries) == (0.5, "ops", ("order",))
        assert len(new.transitions) == 3


class TestSetProbabilities:
    def test_others_scale(self) -> None:
        """The other edges keep their shares of what is left; the sum is 1."""
        j = axb(
            outcomes=[oc("won"), oc("lost", "failure"), oc("left", "exit")],
            transitions=[
                tr("a", "x", 1.0),
                tr("x", "won", 0.5),
                tr("x", "lost", 0.3),
                tr("x", "left", 0.2),
            ],
        )
        new = set_probabilities(j, "x", {"won": 0.6})
        got = probs(new)
        assert (got["x", "won"], got["x", "lost"], got["x", "left"]) == (0.6, 0.24, 0.16)
        assert math.isclose(math.fsum(v or 0 for (s, _), v in got.items() if s == "x"), 1.0)

    def test_all_given(self) -> None:
        """Giving every edge sets them exactly."""
        new = set_probabilities(axb(), "x", {"won": 0.1, "lost": 0.9})
        assert probs(new)["x", "won"] == 0.1


BROKEN: list[tuple[str, Any, Any, str]] = [
    (
        "remove_step",
        lambda j: remove_step("j", "x"),
        TypeError,
        r"remove_step\(\) takes a Journey, got str",
    ),
    (
        "remove_step",
        lambda j: remove_step(j, "nope"),
        EditError,
        r"unknown step 'nope' .*known: 'a', 'x'",
    ),
    (
        "remove_step",
        lambda j: remove_step(j, 3),
        TypeError,
        r"step must be a step id \(a string\), got integer 3",
    ),
    (
        "remove_step",
        lambda j: remove_step(j, "x", reroute="yes"),
        TypeError,
        r"reroute must be True or False",
    ),
    ("merge_steps", lambda j: merge_steps(j, "a", "a"), EditError, r"the same step 'a'"),
    ("merge_steps", lambda j: merge_steps(j, "a", "zz"), EditError, r"unknown step to drop 'zz'"),
    (
        "assign_owner",
        lambda j: assign_owner(j, "x", "nobody"),
        EditError,
        r"unknown owner 'nobody'",
    ),
    ("assign_owner", lambda j: assign_owner(j, "won", None), EditError, r"outcomes have no owner"),
    ("assign_owner", lambda j: assign_owner(j, "x", 5), TypeError, r"owner must be an owner id"),
    (
        "declare_handoff",
        lambda j: declare_handoff(j, "a", "won", owner=None),
        EditError,
        r"'a' -> 'won' is no transition",
    ),
    (
        "declare_handoff",
        lambda j: declare_handoff(j, "a", "x", owner=None, carries="ctx"),
        TypeError,
        r"carries must be a list of strings",
    ),
    (
        "set_probabilities",
        lambda j: set_probabilities(j, "x", {"won": 0.7, "lost": 0.7}),
        EditError,
        r"sum to 1.4, more than 1",
    ),
    (
        "set_probabilities",
        lambda j: set_probabilities(j, "x", {"a": 0.5}),
        EditError,
        r"no transition or hand-off 'x' -> 'a'",
    ),
    (
        "set_probabilities",
        lambda j: set_probabilities(j, "x", {"won": 1.5}),
        EditError,
        r"must be in \[0, 1\], got 1.5",
    ),
    (
        "set_probabilities",
        lambda j: set_probabilities(j, "x", {"won": "0.5"}),
        TypeError,
        r"must be a number, got string '0.5'",
    ),
    (
        "set_probabilities",
        lambda j: set_probabilities(j, "x", [("won", 1.0)]),
        TypeError,
        r"must be a mapping",
    ),
    (
        "set_probabilities",
        lambda j: set_probabilities(j, "a", {"x": 0.5, "lost": 0.0}),
        EditError,
        r"sum to 0.5, not 1",
    ),
    (
        "for_persona",
        lambda j: for_persona(j, "ghost"),
        EditError,
        r"unknown persona 'ghost' .*none are defined",
    ),
    ("for_persona", lambda j: for_persona(j, None), TypeError, r"persona must be a persona id"),
]


class TestBrokenInput:
    @pytest.mark.parametrize(
        ("name", "call", "exc", "match"), BROKEN, ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)]
    )
    def test_raises(self, name: str, call: Any, exc: type[Exception], match: str) -> None:
        """Each bad argument raises a clear error naming the problem."""
        with pytest.raises(exc, match=match):
            call(axb())


class TestForPersona:
    @pytest.mark.parametrize("persona", ["local-diner", "business-owner"])
    def test_restaurant(self, restaurant: cx.Journey, persona: str) -> None:
        """Kept touchpoints are for everyone or name the persona; probabilities sum to 1."""
        new = for_persona(restaurant, persona)
        for t in new.touchpoints:
            assert not t.personas or persona in t.personas
        for s in new.steps:
            out = [
                e.probability for e in new.edges if e.source == s.id and e.probability is not None
            ]
            assert not out or math.isclose(math.fsum(out), 1.0)
        assert 0.0 <= conversion(new) <= 1.0

    def test_local_diner_drops_catering(self, restaurant: cx.Journey) -> None:
        """The catering steps for business owners vanish for the local diner."""
        ids = {s.id for s in for_persona(restaurant, "local-diner").steps}
        assert "catering-enquiry" not in ids
        assert "catering-client" not in ids  # unreachable now

    def test_b2b(self, b2b: cx.Journey) -> None:
        """Every b2b persona gets a valid journey of its own touchpoints."""
        for p in b2b.personas:
            new = for_persona(b2b, p.id)
            assert all(not t.personas or p.id in t.personas for t in new.touchpoints)

    def test_golden(self) -> None:
        """Entries and probabilities re-weighted over what the persona keeps."""
        j = axb(
            personas=[cx.Persona(id="p", name="P"), cx.Persona(id="q", name="Q")],
            touchpoints=[tp("a"), tp("x", personas=["q"])],
            entries=[cx.Entry(step="a", probability=0.5), cx.Entry(step="x", probability=0.5)],
        )
        new = for_persona(j, "p")
        assert probs(new) == {("a", "lost"): 1.0}
        assert [(e.step, e.probability) for e in new.entries] == [("a", 1.0)]
        assert "won" not in {s.id for s in new.steps}
