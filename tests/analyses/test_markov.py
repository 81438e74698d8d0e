"""Tests for the absorbing Markov chain (cxgraph.analyses.markov, with its _chain and _diagonal).

Every number the module computes is checked against an independent dense
numpy solution of the same chain (``_Dense`` below): the probabilities out of
each step resolved from scratch, the chain restricted to the steps the
entries reach, and a step or set "taken out" by zeroing its rows, exactly as
the design defines removal. Golden chains are worked by hand in docstrings.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.analyses import _chain, _diagonal
from cxgraph.analyses.markov import markov
from cxgraph.analyses.markov_model import MarkovStep, RemovalEffects
from cxgraph.graph import entry_weights
from strategies import dag_journeys, journeys, loop_journeys

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Edge = tuple[str, str] | tuple[str, str, float] | tuple[str, str, float | None, int | None]


def _j(
    edges: Iterable[Edge],
    *,
    success: Iterable[str] = ("win",),
    failure: Iterable[str] = ("lose",),
    exits: Iterable[str] = (),
    entries: Iterable[str | cx.Entry] = (),
    steps: Iterable[str] = (),
    handoffs: Iterable[Edge] = (),
    triggers: Iterable[tuple[str, str]] = (),
    touchpoints: Mapping[str, Mapping[str, Any]] | None = None,
    channels: Iterable[str] = (),
    owners: Iterable[str] = (),
) -> cx.Journey:
    """A journey from edge lists: ``(u, v)``, ``(u, v, p)`` or ``(u, v, p, count)``.

    Ids that are not outcomes are touchpoints; ``touchpoints`` adds fields
    per touchpoint; ``steps`` adds touchpoints no edge mentions. Outcomes
    no edge mentions are left out (with no inflow they would become entries).
    """
    edges, handoffs, triggers = list(edges), list(handoffs), list(triggers)
    entries = list(entries)
    kinds = {
        **dict.fromkeys(success, "success"),
        **dict.fromkeys(failure, "failure"),
        **dict.fromkeys(exits, "exit"),
    }
    ids: list[str] = []
    for e in (*edges, *handoffs, *triggers):
        for s in e[:2]:
            if s not in ids and s not in kinds:
                ids.append(s)  # type: ignore[arg-type]
    extra = touchpoints or {}
    ids += [s for s in (*steps, *extra) if s not in ids]

    def weights(e: Edge) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if len(e) >= 3 and e[2] is not None:
            out["probability"] = e[2]
        if len(e) == 4 and e[3] is not None:
            out["count"] = e[3]
        return out

    return cx.Journey(
        id="j",
        name="J",
        channels=[cx.Channel(id=c, name=c.upper(), kind="digital") for c in channels],
        owners=[cx.Owner(id=o, name=o.upper(), kind="team") for o in owners],
        touchpoints=[
            cx.Touchpoint(id=s, **{"name": s.capitalize(), **extra.get(s, {})}) for s in ids
        ],
        outcomes=[
            cx.Outcome(id=o, name=o.capitalize(), kind=k)  # type: ignore[arg-type]
            for o, k in kinds.items()
            if any(o in e[:2] for e in (*edges, *handoffs, *triggers))
            or any((x if isinstance(x, str) else x.step) == o for x in entries)
        ],
        entries=list(entries),
        transitions=[cx.Transition(source=e[0], target=e[1], **weights(e)) for e in edges],
        handoffs=[cx.Handoff(source=e[0], target=e[1], **weights(e)) for e in handoffs],
        triggers=[cx.Trigger(source=u, target=v) for u, v in triggers],
    )


# -- an independent dense solution ----------------------------------------------------


class _Dense:
    """The chain of a journey as dense numpy arrays, built without the module under test."""

    def __init__(self, journey: cx.Journey) -> None:
        self.journey = journey
        self.ids = [s.id for s in journey.steps]
        self.ix = {s: i for i, s in enumerate(self.ids)}
        n = len(self.ids)
        self.outcome = np.array([isinstance(s, cx.Outcome) for s in journey.steps], dtype=bool)
        self.success = np.array(
            [isinstance(s, cx.Outcome) and s.kind == "success" for s in journey.steps], dtype=bool
        )
        self.P = np.zeros((n, n))
        self.has_out = np.zeros(n, dtype=bool)
        out: dict[str, list[Any]] = {}
        for e in (*journey.transitions, *journey.handoffs):
            out.setdefault(e.source, []).append(e)
        for s, es in out.items():
            ps = [e.probability for e in es]
            cs = [e.count for e in es]
            if all(p is not None for p in ps) and sum(ps) > 0:
                w = [p / sum(ps) for p in ps]
            elif all(c is not None for c in cs) and sum(cs) > 0:
                w = [c / sum(cs) for c in cs]
            else:
                w = [1 / len(es)] * len(es)
            for e, x in zip(es, w, strict=True):
                self.P[self.ix[s], self.ix[e.target]] = x
            self.has_out[self.ix[s]] = True
        starts, _ = entry_weights(journey)
        self.alpha = np.zeros(n)
        for s, x in starts.items():
            self.alpha[self.ix[s]] += x
        if self.alpha.sum() > 0:
            self.alpha /= self.alpha.sum()
        g: nx.DiGraph[int] = nx.DiGraph()
        g.add_nodes_from(range(n))
        g.add_edges_from(zip(*np.nonzero(self.P > 0), strict=True))
        seen: set[int] = set()
        for i in np.flatnonzero(self.alpha > 0):
            seen |= {int(i)} | nx.descendants(g, int(i))
        self.reach = np.zeros(n, dtype=bool)
        self.reach[list(seen)] = True
        self.graph = g

    def closed_loops(self) -> list[set[str]]:
        """Reachable strongly connected sets of non-outcome steps with no way out."""
        t = [i for i in range(len(self.ids)) if self.reach[i] and not self.outcome[i]]
        sub = self.graph.subgraph(t)
        loops = []
        for comp in nx.strongly_connected_components(sub):
            leaves = any(j not in comp for i in comp for j in self.graph.successors(i)) or any(
                not self.has_out[i] for i in comp
            )
            if not leaves:
                loops.append({self.ids[i] for i in comp})
        return loops

    def solve(self, cut: Iterable[str] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Expected visits and the share ending in each step, with ``cut`` taken out."""
        n = len(self.ids)
        cut_ix = [self.ix[c] for c in cut]
        P = self.P.copy()
        P[cut_ix, :] = 0.0
        t = np.flatnonzero(self.reach & ~self.outcome)
        Q = P[np.ix_(t, t)]
        v_t = np.linalg.solve((np.eye(t.size) - Q).T, self.alpha[t]) if t.size else np.zeros(0)
        visits = np.zeros(n)
        visits[t] = v_t
        ends = self.alpha * self.outcome + (visits @ P) * self.outcome
        ends[cut_ix] = np.where(self.outcome[cut_ix], ends[cut_ix], 0.0)
        return visits, ends

    def conversion(self, cut: Iterable[str] = ()) -> float:
        cut = list(cut)
        _, ends = self.solve(cut)
        keep = self.success.copy()
        keep[[self.ix[c] for c in cut]] = False
        return float(ends[keep].sum())

    def hit(self, step: str) -> float:
        """P(ever reaching ``step``): stop the journey there and see how much arrives."""
        visits, ends = self.solve([step])
        i = self.ix[step]
        return float(ends[i] if self.outcome[i] else visits[i])

    def effect(self, cut: Iterable[str]) -> float:
        p = self.conversion()
        return 0.0 if p <= 0 else 1.0 - self.conversion(cut) / p


#: Small journeys of every kind, with loops in about half of them (plain draws rarely loop).
chains = st.one_of(journeys(max_steps=7, absorbing=True), loop_journeys(max_steps=7))


def _steps_of(journey: cx.Journey, by: str, key: str) -> list[str]:
    if by == "channel":
        return [t.id for t in journey.touchpoints if t.channel == key]
    return [s.id for s in (*journey.touchpoints, *journey.decision_points) if s.owner == key]


def _conditioned(journey: cx.Journey) -> bool:
    """No probability so close to 0 that a loop becomes numerically endless."""
    for e in (*journey.transitions, *journey.handoffs):
        if e.probability is not None and 0 < e.probability < 1e-6:
            return False
    return True


@contextmanager
def _forced(way: str) -> Iterator[None]:
    """Every loop (two steps or more) solved the given way: ``band``, ``sparse`` or ``dense``."""
    with pytest.MonkeyPatch.context() as mp:
        if way != "auto":
            mp.setattr(_diagonal, "_BATCH", 1)
            mp.setattr(_diagonal, "_SMALL", 0)
            mp.setattr(_diagonal, "_SPEED", 0.0 if way == "band" else math.inf)
            mp.setattr(_diagonal, "_FILL", math.inf if way == "sparse" else -1.0)
        yield


def _scc_matrix(n: int, *, jumps: float = 0.0, seed: int = 0) -> np.ndarray:
    """``Q`` of one loop of ``n`` steps: on one to three, back one to three (0.3), jumps, exits.

    Every step but the first goes back, the first goes on: one strongly
    connected component. A share ``jumps`` of steps also jumps anywhere
    (a long cross-link, which fills the LU in); every step ends with 0.05.
    """
    rng = np.random.default_rng(seed)
    Q = np.zeros((n, n))
    for i in range(n):
        Q[i, (i + 1) % n] += 0.4
        Q[i, min(n - 1, i + int(rng.integers(1, 4)))] += 0.1
        Q[i, max(0, i - int(rng.integers(1, 4))) if i else n - 1] += 0.3
        if rng.random() < jumps:
            Q[i, int(rng.integers(n))] += 0.1
        Q[i] *= 0.95 / Q[i].sum()
    return Q


def _scc(n: int, *, jumps: float = 0.0) -> cx.Journey:
    """A journey whose steps ``s0..`` form one loop (``_scc_matrix``), ending in win or lose."""
    Q = _scc_matrix(n, jumps=jumps)
    edges: list[Edge] = []
    for i in range(n):
        for k in np.flatnonzero(Q[i]):
            edges.append((f"s{i}", f"s{k}", float(Q[i, k])))
        edges.append((f"s{i}", "win" if i % 2 else "lose", 0.05))
    return _j(edges, entries=["s0"])


@st.composite
def _loop_chains(draw: st.DrawFn) -> cx.Journey:
    """One strongly connected loop of 2 to 9 steps, random weights, every step with an exit."""
    n = draw(st.integers(2, 9))
    weight = st.floats(0.0, 1.0)
    edges: list[Edge] = []
    for i in range(n):
        # The ring i -> i + 1 keeps every step reachable from every other.
        row = {k: draw(weight) for k in range(n)}
        row[(i + 1) % n] += 0.1
        out = {f"s{k}": w for k, w in row.items() if w > 0}
        out["win" if draw(st.booleans()) else "lose"] = draw(st.floats(0.01, 1.0))
        total = sum(out.values())
        edges += [(f"s{i}", t, w / total) for t, w in out.items()]
    entries = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
    return _j(edges, entries=[f"s{k}" for k in entries])


# -- golden chains ---------------------------------------------------------------------

BRANCH = [("a", "b", 0.6), ("a", "c", 0.4), ("b", "win", 1.0), ("c", "lose", 1.0)]

# s -> a; a -> win (0.5) or r (0.5); r -> a (0.5) or lose (0.5).
LOOP = [
    ("s", "a", 1.0),
    ("a", "win", 0.5),
    ("a", "r", 0.5),
    ("r", "a", 0.5),
    ("r", "lose", 0.5),
]


class TestMarkov:
    def test_golden_branch(self) -> None:
        """a -> b (0.6) / c (0.4), b -> win, c -> lose: conversion 0.6; b, a and win are vital.

        Every journey starts at a (the only step without inflow). 60% go to b
        and win, 40% to c and lose: P(conversion) = 0.6. Without b the 60%
        stop at a dead end: effect 1 - 0/0.6 = 1; without c nothing
        converting changes: effect 0. Two non-outcome steps per journey (a
        and one of b, c).
        """
        m = markov(_j(BRANCH))
        assert m.conversion_probability == pytest.approx(0.6, abs=1e-15)
        assert dict(m.outcome_probabilities) == pytest.approx({"win": 0.6, "lose": 0.4})
        assert m.expected_steps == pytest.approx(2.0)
        assert dict(m.visit_probability) == pytest.approx(
            {"a": 1.0, "b": 0.6, "c": 0.4, "win": 0.6, "lose": 0.4}
        )
        assert dict(m.removal_effects()) == pytest.approx(
            {"a": 1.0, "b": 1.0, "c": 0.0, "lose": 0.0, "win": 1.0}
        )
        assert m.dead_end_probability == 0.0
        assert m.basis == "probability"
        assert m.probabilities_known

    def test_golden_loop(self) -> None:
        """A loop back to a with return probability 0.25, worked by geometric series.

        From a, the customer returns to a via r with 0.5 * 0.5 = 0.25, so a
        is visited 1 + 0.25 + 0.25**2 + ... = 1 / (1 - 0.25) = 4/3 times and
        P(win) = 0.5 * 4/3 = 2/3. r is visited half as often as a: 2/3
        times. P(ever r) = 0.5: the first pass through a either wins or goes
        to r. Check: from r, r comes back with 0.5 * 0.5 = 0.25, so
        N[r, r] = 4/3 and hit(r) = (2/3) / (4/3) = 0.5. Conversion from r:
        0.5 * 2/3 = 1/3.
        Without r: only the first a -> win converts, 0.5; effect
        1 - 0.5 / (2/3) = 0.25 = hit(r) * (1/3) / (2/3). Expected steps:
        s (1) + a (4/3) + r (2/3) = 3.
        """
        m = markov(_j(LOOP))
        assert m.conversion_probability == pytest.approx(2 / 3, abs=1e-14)
        assert m.expected_visits["a"] == pytest.approx(4 / 3)
        assert m.expected_visits["r"] == pytest.approx(2 / 3)
        assert m.visit_probability["r"] == pytest.approx(0.5)
        assert m.visit_probability["a"] == pytest.approx(1.0)
        assert m.removal_effects()["r"] == pytest.approx(0.25)
        assert m.removal_effects().conversion_without["r"] == pytest.approx(0.5)
        assert m.expected_steps == pytest.approx(3.0)
        assert m.edge_flow["r", "a"] == pytest.approx(1 / 3)  # 2/3 visits * 0.5
        assert m.edge_flow["a", "win"] == pytest.approx(2 / 3)

    def test_self_loop(self) -> None:
        """a -> a (0.5) / win (0.5): a is visited 1 + 1/2 + 1/4 + ... = 2 times, reached once."""
        m = markov(_j([("a", "a", 0.5), ("a", "win", 0.5)], entries=["a"]))
        assert m.expected_visits["a"] == pytest.approx(2.0)
        assert m.visit_probability["a"] == pytest.approx(1.0)
        assert m.conversion_probability == pytest.approx(1.0)
        assert m.removal_effects()["a"] == pytest.approx(1.0)

    def test_counts(self) -> None:
        """Counts 3 and 1 out of a step give 0.75 and 0.25; the basis is 'count'."""
        m = markov(_j([("a", "win", None, 3), ("a", "lose", None, 1)]))
        assert m.basis == "count"
        assert m.transition_probability["a", "win"] == 0.75
        assert m.conversion_probability == pytest.approx(0.75)

    def test_uniform(self) -> None:
        """With no numbers, three options are equally likely; the basis is 'uniform'."""
        m = markov(_j([("a", "win"), ("a", "lose"), ("a", "b"), ("b", "win")]))
        assert m.basis == "uniform"
        assert not m.probabilities_known
        assert m.transition_probability["a", "b"] == pytest.approx(1 / 3)
        assert m.conversion_probability == pytest.approx(2 / 3)

    def test_mixed(self) -> None:
        """Probabilities out of one step and counts out of another make the basis 'mixed'."""
        m = markov(
            _j([("a", "b", 0.5), ("a", "lose", 0.5), ("b", "win", None, 9), ("b", "lose", None, 1)])
        )
        assert m.basis == "mixed"
        assert not m.probabilities_known
        assert m.conversion_probability == pytest.approx(0.45)

    def test_forced_steps_take_the_basis_of_the_rest(self) -> None:
        """A single way out with no numbers is certain and does not make the basis 'mixed'."""
        m = markov(_j([("a", "b", 0.3), ("a", "lose", 0.7), ("b", "c"), ("c", "win")]))
        assert m.basis == "probability"

    def test_no_numbers_at_all_is_uniform(self) -> None:
        """A chain with no numbers anywhere is 'uniform', even when nothing branches."""
        assert markov(_j([("a", "b"), ("b", "win")])).basis == "uniform"

    def test_counts_all_zero_fall_back_to_uniform(self) -> None:
        """Counts that sum to 0 cannot weigh anything: the step splits equally."""
        m = markov(_j([("a", "win", None, 0), ("a", "lose", None, 0)]))
        assert m.transition_probability["a", "win"] == 0.5
        assert m.basis == "uniform"

    def test_entry_weights(self) -> None:
        """Entries weighted 1:3 by count start a quarter of journeys at x, three quarters at y."""
        j = _j(
            [("x", "win"), ("y", "lose")],
            entries=[cx.Entry(step="x", count=1), cx.Entry(step="y", count=3)],
        )
        m = markov(j)
        assert m.conversion_probability == pytest.approx(0.25)
        assert m.visit_probability["y"] == pytest.approx(0.75)
        assert m.basis == "count"

    def test_entry_probabilities_and_uniform_entries(self) -> None:
        """Entry probabilities weigh the start; two bare entries split it equally."""
        edges = [("x", "win"), ("y", "lose")]
        j = _j(
            edges,
            entries=[cx.Entry(step="x", probability=0.9), cx.Entry(step="y", probability=0.1)],
        )
        assert markov(j).conversion_probability == pytest.approx(0.9)
        assert markov(j).basis == "probability"
        both = markov(_j(edges, entries=["x", "y"]))
        assert both.conversion_probability == pytest.approx(0.5)
        assert both.basis == "uniform"

    def test_entry_on_an_outcome(self) -> None:
        """A journey that starts at a success outcome has converted already."""
        j = _j(
            [("x", "lose")],
            entries=[cx.Entry(step="x", probability=0.5), cx.Entry(step="win", probability=0.5)],
        )
        m = markov(j)
        assert m.conversion_probability == pytest.approx(0.5)
        assert m.visit_probability["win"] == pytest.approx(0.5)
        assert m.removal_effects()["win"] == pytest.approx(1.0)
        assert m.reach_probability("win") == pytest.approx(0.5)

    def test_dead_end(self) -> None:
        """A step with no way out stops half the journeys: no conversion, no outcome."""
        m = markov(_j([("a", "b", 0.5), ("a", "win", 0.5)]))
        assert m.dead_ends == ("b",)
        assert m.dead_end_probability == pytest.approx(0.5)
        assert m.conversion_probability == pytest.approx(0.5)
        assert m.removal_effects()["b"] == 0.0
        assert sum(m.outcome_probabilities.values()) + m.dead_end_probability == pytest.approx(1)
        assert "dead end" in m.describe(next(f for f in m if f.step == "b"))
        assert "stop at a dead end" in m.summary()

    def test_unreachable_steps(self) -> None:
        """Steps the entries never reach have visit probability 0 and effect 0."""
        j = _j([("a", "win"), ("z", "lose")], entries=["a"])
        m = markov(j)
        assert m.visit_probability["z"] == 0.0
        assert m.expected_visits["z"] == 0.0
        assert m.removal_effects()["z"] == 0.0
        assert m.edge_flow["z", "lose"] == 0.0
        assert m.transition_probability["z", "lose"] == 1.0
        assert "never reached" in m.describe(next(f for f in m if f.step == "z"))

    def test_unreachable_closed_loop_is_no_error(self) -> None:
        """A closed loop only triggers lead to never holds a customer: no error, visits 0."""
        j = _j([("a", "win"), ("x", "y"), ("y", "x")], triggers=[("a", "x")], entries=["a"])
        m = markov(j)
        assert m.visit_probability["x"] == 0.0
        assert m.conversion_probability == 1.0

    def test_no_outcomes(self) -> None:
        """Without outcomes nothing converts: conversion 0, every removal effect 0."""
        m = markov(_j([("a", "b")]))
        assert m.conversion_probability == 0.0
        assert set(m.removal_effects().values()) == {0.0}
        assert m.dead_end_probability == pytest.approx(1.0)

    def test_no_success_outcome(self) -> None:
        """Outcomes that are all failures or exits give conversion 0 and effects 0."""
        m = markov(_j([("a", "lose", 0.5), ("a", "gone", 0.5)], exits=["gone"]))
        assert m.conversion_probability == 0.0
        assert m.outcome_probabilities["gone"] == pytest.approx(0.5)
        assert set(m.removal_effects().values()) == {0.0}

    def test_single_step(self) -> None:
        """A lone touchpoint is its own entry and a dead end; a lone success outcome converts."""
        lone = markov(cx.Journey(id="j", name="J", touchpoints=[cx.Touchpoint(id="a", name="A")]))
        assert lone.conversion_probability == 0.0
        assert lone.dead_end_probability == 1.0
        assert lone.expected_steps == 1.0
        won = markov(
            cx.Journey(id="j", name="J", outcomes=[cx.Outcome(id="w", name="W", kind="success")])
        )
        assert won.conversion_probability == 1.0
        assert won.expected_steps == 0.0
        assert dict(won.removal_effects()) == {"w": 1.0}

    def test_empty_journey(self) -> None:
        """A journey with no steps has no findings, conversion 0 and says there is no entry."""
        m = markov(cx.Journey(id="j", name="J"))
        assert len(m) == 0
        assert m.conversion_probability == 0.0
        assert "no entry" in m.summary()

    def test_no_entries_found(self) -> None:
        """When every step has inflow and none is declared an entry, nothing is reached."""
        m = markov(_j([("a", "b"), ("b", "a"), ("b", "win")]))
        assert m.conversion_probability == 0.0
        assert m.visit_probability["a"] == 0.0

    def test_closed_loop_is_an_error(self) -> None:
        """A loop the customer can enter but never leave is a CxgraphError naming its steps."""
        j = _j([("a", "b"), ("b", "c"), ("c", "b")], touchpoints={"b": {"name": "Wait on hold"}})
        with pytest.raises(cx.CxgraphError, match=r"closed loop.*'Wait on hold' \(b\), 'C' \(c\)"):
            markov(j)

    def test_every_closed_loop_is_named(self) -> None:
        """Two closed loops are both listed, each with its steps, in a stable order."""
        j = _j([("a", "x"), ("a", "p"), ("x", "y"), ("y", "x"), ("p", "q"), ("q", "p")])
        with pytest.raises(
            cx.CxgraphError, match=r"\{'P' \(p\), 'Q' \(q\)\}; \{'X' \(x\), 'Y' \(y\)\}"
        ):
            markov(j)

    def test_closed_loop_through_zero_probabilities(self) -> None:
        """Exits with probability 0 are no way out: the loop is still closed."""
        j = _j([("a", "b", 1.0), ("b", "a", 1.0), ("b", "win", 0.0)], entries=["a"])
        with pytest.raises(cx.CxgraphError, match=r"closed loop with no way out: \{'A' \(a\)"):
            markov(j)

    def test_self_loop_with_no_way_out(self) -> None:
        """A step whose only way out leads back to itself is a closed loop of one."""
        j = _j([("a", "b"), ("b", "b")])
        with pytest.raises(cx.CxgraphError, match=r"\{'B' \(b\)\}"):
            markov(j)

    def test_triggers_ignored(self) -> None:
        """A trigger neither moves the customer nor counts as a way out of a dead end."""
        plain = markov(_j([("a", "b", 0.5), ("a", "lose", 0.5)]))
        with_trigger = markov(_j([("a", "b", 0.5), ("a", "lose", 0.5)], triggers=[("b", "win")]))
        assert with_trigger.conversion_probability == plain.conversion_probability == 0.0
        assert with_trigger.dead_ends == ("b",)
        assert ("b", "win") not in with_trigger.transition_probability

    def test_handoffs_are_customer_flow(self) -> None:
        """Hand-offs move the customer like transitions do."""
        m = markov(_j([("a", "b", 0.2), ("a", "lose", 0.8)], handoffs=[("b", "win")]))
        assert m.conversion_probability == pytest.approx(0.2)
        assert m.edge_flow["b", "win"] == pytest.approx(0.2)

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match="markov\\(\\) takes a Journey, got dict"):
            markov({"id": "j"})  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
    def test_bad_max_component(self, bad: Any) -> None:
        """max_component must be a positive integer."""
        with pytest.raises(ValueError, match="expected a positive integer"):
            markov(_j(BRANCH), max_component=bad)

    def test_findings_sorted_one_per_step(self) -> None:
        """One finding per step, sorted by id, with the four record keys."""
        m = markov(_j(LOOP))
        assert [f.step for f in m] == sorted(s.id for s in _j(LOOP).steps)
        assert m.columns() == ["step", "visit_probability", "expected_visits", "removal_effect"]
        assert m.to_records()[0] == {
            "step": "a",
            "visit_probability": pytest.approx(1.0),
            "expected_visits": pytest.approx(4 / 3),
            "removal_effect": pytest.approx(1.0),
        }
        assert isinstance(m.findings[0], MarkovStep)

    def test_input_not_mutated(self) -> None:
        """The journey is the same after the analysis."""
        j = _j(LOOP)
        before = cx.dumps(j)
        markov(j).removal_effects(by="owner")
        assert cx.dumps(j) == before

    def test_display(self) -> None:
        """repr, summary, describe and HTML speak plain words with names and ids."""
        m = markov(_j(LOOP, touchpoints={"r": {"name": "Retry payment"}}))
        text = repr(m)
        assert text.startswith("<MarkovModel: conversion 66.7% (from the map's probabilities)")
        assert (
            "'Retry payment' (r): reached by 50% of journeys (0.667 visits on average); "
            "removing it loses 25% of conversions" in text
        )
        assert "'Win' (win): 66.7% of journeys end here (success)" in text
        assert "'Lose' (lose): 33.3% of journeys end here (failure)" in text
        assert "<table" in m._repr_html_()
        assert "Retry payment" in m._repr_html_()

    def test_frame(self) -> None:
        """to_frame has one row per step with the record columns."""
        frame = markov(_j(BRANCH)).to_frame()
        assert list(frame.columns) == [
            "step",
            "visit_probability",
            "expected_visits",
            "removal_effect",
        ]
        assert len(frame) == 5

    def test_pickle_round_trip(self) -> None:
        """A model pickles and still answers new questions (it factorises again)."""
        m = markov(_j(LOOP, owners=["ops"], touchpoints={"r": {"owner": "ops"}}))
        back = pickle.loads(pickle.dumps(m))
        assert back == m
        assert dict(back.removal_effects(by="owner")) == pytest.approx({"ops": 0.25})
        assert back.reach_probability(["r"]) == pytest.approx(0.5)

    def test_hashable_and_frozen(self) -> None:
        """The model is frozen and hashable."""
        m = markov(_j(BRANCH))
        assert hash(m) == hash(markov(_j(BRANCH)))
        with pytest.raises(AttributeError):
            m.basis = "count"  # type: ignore[misc]
        with pytest.raises(TypeError):
            m.visit_probability["a"] = 0.0  # type: ignore[index]

    def test_component_over_the_bound_is_left_out(self) -> None:
        """Steps of a loop over max_component are listed, not guessed; the rest stays exact."""
        edges = [("s", "a"), ("a", "b", 0.5), ("a", "win", 0.5), ("b", "c"), ("c", "a", 0.5),
                 ("c", "lose", 0.5)]  # fmt: skip
        j = _j(edges, owners=["ops"], touchpoints={"b": {"owner": "ops"}})
        m = markov(j, max_component=2)
        dense = _Dense(j)
        assert m.left_out == ("a", "b", "c")
        assert "a" not in m.visit_probability
        assert "a" not in m.removal_effects()
        assert m.removal_effects().left_out == ("a", "b", "c")
        assert m.visit_probability["s"] == 1.0
        assert m.expected_visits["a"] == pytest.approx(dense.solve()[0][dense.ix["a"]])
        assert m.reach_probability("b") == pytest.approx(dense.hit("b"))
        assert m.removal_effects(by="owner")["ops"] == pytest.approx(dense.effect(["b"]))
        finding = next(f for f in m if f.step == "b")
        assert finding.visit_probability is None
        assert finding.removal_effect is None
        assert "left out" in m.describe(finding)
        assert "3 steps left out" in m.summary()
        with pytest.raises(KeyError, match="left out"):
            m.removal_effects()["a"]
        exact = markov(j)
        assert exact.left_out == ()
        assert exact.visit_probability["b"] == pytest.approx(dense.hit("b"))

    @pytest.mark.parametrize("way", ["batched", "small", "band", "sparse", "dense"])
    @pytest.mark.parametrize("entry", ["outside", "inside"])
    def test_large_loops_match_dense(self, way: str, entry: str) -> None:
        """Loops solved in a batch, by band, by sparse LU or densely match a dense solve."""
        size = 3 if way == "batched" else 70 if way == "small" else 250
        # A ring of `size` steps, each leaving it with probability 0.1 (to win or lose);
        # entered from a step before it, or at one of its own (the loop is then every step).
        ring = [f"r{i}" for i in range(size)]
        edges: list[Edge] = [("s", ring[0], 1.0)] if entry == "outside" else []
        for i, r in enumerate(ring):
            edges += [(r, ring[(i + 1) % size], 0.9), (r, "win" if i % 3 else "lose", 0.1)]
        j = _j(edges, entries=["s" if entry == "outside" else ring[0]])
        with _forced(way if way in ("band", "sparse", "dense") else "auto"):
            m = markov(j)
        solved = _Dense(j)
        for step in (ring[0], ring[1], ring[size // 2], ring[-1]):
            assert m.visit_probability[step] == pytest.approx(solved.hit(step), rel=1e-12)
            assert m.removal_effects()[step] == pytest.approx(solved.effect([step]), rel=1e-12)

    def test_golden_ring(self) -> None:
        """A 300-step ring worked by hand: hit q^k, visits q^k / (1 - q^m), effects in closed form.

        Entered at r0, each step goes on with q = 0.99 and otherwise ends, in a
        win at even steps and a loss at odd ones. A journey reaches r_k exactly
        when it passes r_0..r_(k-1) on its first lap; without r_k only the
        wins before it on that lap remain.
        """
        m_steps, q = 300, 0.99
        ring = [f"r{i}" for i in range(m_steps)]
        edges: list[Edge] = []
        for i, r in enumerate(ring):
            edges += [(r, ring[(i + 1) % m_steps], q), (r, "lose" if i % 2 else "win", 1 - q)]
        m = markov(_j(edges, entries=["r0"]))
        lap = 1 - q**m_steps
        p = sum((1 - q) * q**i / lap for i in range(0, m_steps, 2))
        assert m.conversion_probability == pytest.approx(p, rel=1e-12)
        effects = m.removal_effects()
        for k in (0, 1, 2, 151, 299):
            assert m.visit_probability[ring[k]] == pytest.approx(q**k, rel=1e-12)
            assert m.expected_visits[ring[k]] == pytest.approx(q**k / lap, rel=1e-12)
            kept = sum((1 - q) * q**i for i in range(0, k, 2))
            assert effects.conversion_without[ring[k]] == pytest.approx(kept, rel=1e-12, abs=0)
            assert effects[ring[k]] == pytest.approx(1 - kept / p, rel=1e-12)

    def test_cross_linked_loop_matches_dense(self) -> None:
        """A loop of rework and long jumps (wide band, filled-in LU) matches the naive solves."""
        j = _scc(260, jumps=0.4)
        m = markov(j)
        dense = _Dense(j)
        effects = m.removal_effects()
        for step in ("s0", "s1", "s77", "s200", "s259"):
            assert effects[step] == pytest.approx(dense.effect([step]), rel=1e-12)
            assert m.visit_probability[step] == pytest.approx(dense.hit(step), rel=1e-12)

    def test_a_pivoting_band_falls_back(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """If the band LU would pivot the band way gives up, and the next way is exact."""
        # Not dominant by columns: the band LU must swap rows at the first step.
        r, c = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
        assert _diagonal._band_diagonal(r, c, np.array([1.0, 2.0, 3.0, 1.0]), 2) is None
        monkeypatch.setattr(_diagonal, "_SMALL", 0)
        monkeypatch.setattr(_diagonal, "_band_diagonal", lambda *args: None)
        j = _scc(40)
        assert markov(j).removal_effects()["s7"] == pytest.approx(
            _Dense(j).effect(["s7"]), rel=1e-12
        )

    @given(st.data(), st.sampled_from(["band", "sparse", "dense"]))
    def test_every_way_matches_brute_force(self, data: st.DataObject, way: str) -> None:
        """Each way to a loop's diagonal, forced on random loops, gives the brute-force effects."""
        j = data.draw(_loop_chains())
        dense = _Dense(j)
        with _forced(way):
            m = markov(j)
        effects = m.removal_effects()
        p = dense.conversion()
        assert m.conversion_probability == pytest.approx(p, rel=1e-12)
        for s in j.steps:
            without = dense.conversion([s.id])
            assert effects.conversion_without[s.id] == pytest.approx(without, rel=1e-12, abs=1e-15)
            assert effects[s.id] == pytest.approx(1 - without / p if p else 0.0, abs=1e-12)
            assert m.visit_probability[s.id] == pytest.approx(dense.hit(s.id), rel=1e-12)

    @given(st.integers(2, 40), st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
    def test_loop_diagonal_matches_inverse(self, size: int, jumps: float, seed: int) -> None:
        """On random strongly connected loops every way gives diag((I - Q)^-1) to 1e-12."""
        Q = _scc_matrix(size, jumps=jumps, seed=seed)
        expected = np.diag(np.linalg.inv(np.eye(size) - Q))
        At = np.eye(size) - Q.T
        rows, cols = np.nonzero(At)
        band = _diagonal._band_diagonal(rows, cols, At[rows, cols], size)
        from scipy import sparse

        ways: dict[str, np.ndarray | None] = {
            "dense": _diagonal._dense_diagonal(np.asfortranarray(At)),
            "dense, pivoting": _diagonal._dense_diagonal(np.eye(size, order="F") - Q),
            "chosen": _diagonal._component_diagonal(sparse.csr_matrix(Q)),
        }
        with _forced("sparse"):
            ways["sparse"] = _diagonal._sparse_diagonal(sparse.csr_matrix(At))
        if band is not None:
            ways["band"] = band
        for way, got in ways.items():
            if got is not None:
                np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=way)

    def test_many_small_loops_batched(self) -> None:
        """Hundreds of two- and three-step loops of mixed sizes each get their own diagonal."""
        edges: list[Edge] = []
        prev = "start"
        for k in range(120):
            size = 2 + k % 3
            loop = [f"l{k}-{i}" for i in range(size)]
            edges.append((prev, loop[0], 1.0))
            for i in range(size - 1):
                edges.append((loop[i], loop[i + 1], 1.0))
            nxt = f"x{k}"
            # Back to the start, on, or lost: weights 2-4 : 5 : 3-1 (tenths).
            edges += [(loop[-1], loop[0], 2 + k % 3), (loop[-1], nxt, 5),
                      (loop[-1], "lose", 3 - k % 3)]  # fmt: skip
            prev = nxt
        edges.append((prev, "win", 1.0))
        j = _j(_normalise(edges))
        m = markov(j)
        dense = _Dense(j)
        for step in ("l0-0", "l0-1", "l7-2", "l119-0", "x50"):
            assert m.visit_probability[step] == pytest.approx(dense.hit(step), abs=1e-10)
        assert m.conversion_probability == pytest.approx(dense.conversion(), abs=1e-12)

    @given(chains)
    def test_matches_dense_solution(self, j: cx.Journey) -> None:
        """Every number equals the dense solution; a closed loop raises exactly when one exists."""
        assume(_conditioned(j))
        dense = _Dense(j)
        loops = dense.closed_loops()
        if loops:
            with pytest.raises(cx.CxgraphError, match="closed loop"):
                markov(j)
            return
        m = markov(j)
        p = dense.conversion()
        assert m.conversion_probability == pytest.approx(p, abs=1e-9)
        visits, ends = dense.solve()
        for s in j.steps:
            i = dense.ix[s.id]
            assert m.visit_probability[s.id] == pytest.approx(dense.hit(s.id), abs=1e-9)
            assert m.expected_visits[s.id] == pytest.approx(
                ends[i] if dense.outcome[i] else visits[i], abs=1e-9
            )
        effects = m.removal_effects()
        for s in j.steps:
            assert effects[s.id] == pytest.approx(dense.effect([s.id]), abs=1e-9)

    @given(chains, st.sampled_from(["channel", "owner"]))
    def test_set_effects_match_recomputing(self, j: cx.Journey, by: str) -> None:
        """Removal effects by channel or owner equal re-solving the chain without those steps."""
        assume(_conditioned(j))
        dense = _Dense(j)
        assume(not dense.closed_loops())
        effects = markov(j).removal_effects(by=by)
        declared = [c.id for c in (j.channels if by == "channel" else j.owners)]
        assert list(effects) == sorted(declared)
        for key in declared:
            expected = dense.effect(_steps_of(j, by, key))
            assert effects[key] == pytest.approx(expected, abs=1e-9)

    @given(chains)
    def test_effects_in_unit_interval_and_shares_sum_to_one(self, j: cx.Journey) -> None:
        """Effects lie in [0, 1]; outcome shares and the dead-end share sum to 1."""
        assume(_conditioned(j))
        assume(not _Dense(j).closed_loops())
        m = markov(j)
        for by in ("step", "channel", "owner"):
            assert all(0.0 <= e <= 1.0 for e in m.removal_effects(by=by).values())
        total = sum(m.outcome_probabilities.values()) + m.dead_end_probability
        started = bool(entry_weights(j)[0])
        assert total == pytest.approx(1.0 if started else 0.0, abs=1e-9)
        assert 0.0 <= m.conversion_probability <= 1.0

    @given(dag_journeys(max_steps=7))
    def test_conversion_is_the_sum_over_paths(self, j: cx.Journey) -> None:
        """On an acyclic journey, conversion is the sum of the probabilities of its paths."""
        dense = _Dense(j)
        success = {o.id for o in j.outcomes if o.kind == "success"}
        total = 0.0

        def walk(i: int, p: float) -> None:
            nonlocal total
            if dense.ids[i] in success:
                total += p
            for k in np.flatnonzero(dense.P[i] > 0):
                walk(int(k), p * dense.P[i, k])

        for i in np.flatnonzero(dense.alpha > 0):
            walk(int(i), float(dense.alpha[i]))
        assert markov(j).conversion_probability == pytest.approx(total, abs=1e-12)

    @given(chains)
    def test_gates_have_effect_one(self, j: cx.Journey) -> None:
        """A step every converting path passes has removal effect 1."""
        assume(_conditioned(j))
        dense = _Dense(j)
        assume(not dense.closed_loops())
        m = markov(j)
        assume(m.conversion_probability > 0)
        g = dense.graph
        starts = [int(i) for i in np.flatnonzero(dense.alpha > 0)]
        wins = [dense.ix[o.id] for o in j.outcomes if o.kind == "success"]
        for s in j.steps:
            c = dense.ix[s.id]
            rest = g.subgraph([i for i in g if i != c])
            if any(x != c and y != c and nx.has_path(rest, x, y) for x in starts for y in wins):
                continue
            assert m.removal_effects()[s.id] == pytest.approx(1.0, abs=1e-12)

    @pytest.mark.parametrize(
        ("name", "conversion"),
        [
            ("b2b_software", 0.07561022079685142),
            ("restaurant", 0.26675516028309737),
            ("vending", 0.5767857142857142),
            ("vending_future", 0.8871698),
        ],
    )
    def test_examples_golden(self, name: str, conversion: float) -> None:
        """The bundled examples: conversion matches the golden number and a dense solve."""
        j = cx.load(EXAMPLES / f"{name}.yaml")
        m = markov(j)
        dense = _Dense(j)
        assert m.conversion_probability == pytest.approx(conversion, abs=1e-9)
        assert m.conversion_probability == pytest.approx(dense.conversion(), abs=1e-12)
        assert m.basis == "probability"
        for s in j.steps:
            assert m.removal_effects()[s.id] == pytest.approx(dense.effect([s.id]), abs=1e-9)
        for c in j.channels:
            expected = dense.effect(_steps_of(j, "channel", c.id))
            assert m.removal_effects(by="channel")[c.id] == pytest.approx(expected, abs=1e-9)


def _normalise(edges: Sequence[Edge]) -> list[Edge]:
    """Rescale probabilities out of each step so they sum to 1."""
    totals: dict[str, float] = {}
    for e in edges:
        totals[e[0]] = totals.get(e[0], 0.0) + float(e[2])  # type: ignore[misc]
    return [(e[0], e[1], float(e[2]) / totals[e[0]]) for e in edges]  # type: ignore[misc]


class TestRemovalEffects:
    def test_unknown_by(self) -> None:
        """An unknown grouping is a ValueError listing the choices."""
        with pytest.raises(ValueError, match="by must be one of 'step', 'channel', 'owner'"):
            markov(_j(BRANCH)).removal_effects(by="silo")

    def _grouped(self) -> cx.Journey:
        return _j(
            LOOP,
            channels=["web", "phone", "unused"],
            owners=["ops", "sales"],
            touchpoints={
                "a": {"channel": "web", "owner": "sales"},
                "r": {"channel": "phone", "owner": "ops"},
                "s": {"channel": "web"},
            },
        )

    def test_by_channel_and_owner_hand_worked(self) -> None:
        """Taking out the phone (r) loses 25%; the web (s and a) everything; an empty channel 0."""
        m = markov(self._grouped())
        assert dict(m.removal_effects(by="channel")) == pytest.approx(
            {"phone": 0.25, "unused": 0.0, "web": 1.0}
        )
        assert dict(m.removal_effects(by="owner")) == pytest.approx({"ops": 0.25, "sales": 1.0})

    @pytest.mark.parametrize("low_rank", [0, 32])
    def test_low_rank_and_refactorised_agree(
        self, low_rank: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The Woodbury update and a fresh factorisation give the same set effects."""
        monkeypatch.setattr(_chain, "_LOW_RANK", low_rank)
        j = self._grouped()
        dense = _Dense(j)
        m = markov(j)
        for by in ("channel", "owner"):
            for key, value in m.removal_effects(by=by).items():
                assert value == pytest.approx(dense.effect(_steps_of(j, by, key)), abs=1e-12)
        assert m.reach_probability(["r", "win"]) == pytest.approx(dense_reach(dense, ["r", "win"]))

    def test_mapping_behaviour(self) -> None:
        """A read-only mapping sorted by key, with records, a readable repr and helpful misses."""
        effects = markov(self._grouped()).removal_effects(by="channel")
        assert isinstance(effects, RemovalEffects)
        assert list(effects) == ["phone", "unused", "web"]
        assert len(effects) == 3
        assert effects == pytest.approx({"phone": 0.25, "unused": 0.0, "web": 1.0})
        assert effects.get("nope") is None
        assert effects.to_records()[0] == {
            "channel": "phone",
            "name": "PHONE",
            "removal_effect": pytest.approx(0.25),
            "conversion_without": pytest.approx(0.5),
        }
        assert repr(effects).splitlines() == [
            "<RemovalEffects by channel: conversion 66.7%, 3 channels>",
            "  'WEB' (web): removing it loses 100% of conversions",
            "  'PHONE' (phone): removing it loses 25% of conversions",
            "  'UNUSED' (unused): removing it loses 0% of conversions",
        ]
        with pytest.raises(KeyError, match=r"no channel 'nope'.*known: 'phone', 'unused', 'web'"):
            effects["nope"]
        assert "<table" in effects._repr_html_()
        assert list(effects.to_frame().columns) == [
            "channel",
            "name",
            "removal_effect",
            "conversion_without",
        ]

    def test_cached(self) -> None:
        """Asking twice returns the same object."""
        m = markov(self._grouped())
        assert m.removal_effects(by="owner") is m.removal_effects(by="owner")
        assert m.removal_effects() is m.removal_effects(by="step")

    def test_zero_conversion(self) -> None:
        """With nothing converting, every grouping's effects are 0."""
        j = _j([("a", "lose")], channels=["web"], touchpoints={"a": {"channel": "web"}})
        assert dict(markov(j).removal_effects(by="channel")) == {"web": 0.0}

    def test_repr_truncates(self) -> None:
        """More than ten keys show the ten largest and say how many more."""
        chain = [(f"t{i}", f"t{i + 1}") for i in range(12)] + [("t12", "win")]
        text = repr(markov(_j(chain)).removal_effects())
        assert text.splitlines()[-1] == "  ... and 4 more"


def dense_reach(dense: _Dense, steps: Iterable[str]) -> float:
    """P(visiting any of ``steps``): stop at the first of them and add what arrives."""
    steps = list(steps)
    visits, ends = dense.solve(steps)
    return float(sum(ends[dense.ix[s]] if dense.outcome[dense.ix[s]] else visits[dense.ix[s]]
                     for s in steps))  # fmt: skip


class TestReachProbability:
    def test_single_step_is_visit_probability(self) -> None:
        """For one step the reach probability is its visit probability."""
        m = markov(_j(LOOP))
        for step, p in m.visit_probability.items():
            assert m.reach_probability([step]) == pytest.approx(p)
            assert m.reach_probability(step) == pytest.approx(p)

    def test_sets(self) -> None:
        """Reaching r or win: every journey but those lost without passing r, which is none."""
        m = markov(_j(LOOP))
        assert m.reach_probability(["r", "win"]) == pytest.approx(1.0)
        assert m.reach_probability(["lose", "win"]) == pytest.approx(1.0)
        assert m.reach_probability([]) == 0.0
        assert m.reach_probability(("r", "r")) == pytest.approx(0.5)

    def test_unknown_step(self) -> None:
        """An unknown step id is a CxgraphError listing the steps."""
        with pytest.raises(cx.CxgraphError, match=r"unknown step 'x' \(known: 'a', 'b'"):
            markov(_j(BRANCH)).reach_probability(["x"])

    @given(chains, st.data())
    def test_matches_dense(self, j: cx.Journey, data: st.DataObject) -> None:
        """Any set of steps: the share of journeys visiting one of them equals a dense solve."""
        assume(_conditioned(j))
        dense = _Dense(j)
        assume(not dense.closed_loops())
        ids = [s.id for s in j.steps]
        steps = data.draw(st.lists(st.sampled_from(ids), max_size=4)) if ids else []
        assert markov(j).reach_probability(steps) == pytest.approx(
            dense_reach(dense, set(steps)), abs=1e-9
        )


def test_a_way_out_too_small_for_a_float_is_a_clear_error() -> None:
    """A loop left with probability 1e-308 is singular in floats: a CxgraphError, not SuperLU's.

    Found by Hypothesis (set_probabilities then diff): 1 - 2.2e-308 rounds to 1,
    so I - Q has a zero on its diagonal although the structure has a way out.
    """
    j = cx.Journey(
        id="j",
        name="J",
        touchpoints=[cx.Touchpoint(id="a", name="A")],
        outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
        entries=[cx.Entry(step="a")],
        transitions=[
            cx.Transition(source="a", target="a", probability=1 - 2.2250738585072014e-308),
            cx.Transition(source="a", target="won", probability=2.2250738585072014e-308),
        ],
    )
    with pytest.raises(cx.CxgraphError, match="too small to compute with"):
        cx.markov(j)
    # The structural analyses carry on without the model and say why.
    assert "too small to compute with" in cx.moments_of_truth(j).note
