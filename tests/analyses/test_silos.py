"""Tests for silo boundaries (cxgraph.analyses.silos)."""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path
from random import Random

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph._util.cache import shared_cache
from cxgraph.analyses import silos
from cxgraph.analyses.silos import PingPong, SiloBoundaries, SiloCrossing, silo_boundaries
from cxgraph.graph import entry_weights
from cxgraph.model.owners import owner_silos
from strategies import dag_journeys, journeys, loop_journeys, probabilistic_journeys

from ._ownership_helpers import cd, ed, journey, out, tp

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def pairs(result: SiloBoundaries) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """The crossings as (source, target, from_silo, to_silo, via)."""
    return [(c.source, c.target, c.from_silo, c.to_silo, c.via) for c in result]


def per_path(result: SiloBoundaries) -> tuple[int | None, float | None, int | None]:
    """(min, mean, max) crossings per entry-to-outcome path."""
    return result.min_per_path, result.mean_per_path, result.max_per_path


def fork_chain(n: int) -> cx.Journey:
    """n forks in a row: s_i (A) -> d_i? -> x_i (A) or y_i (B) -> s_i+1 (A); s_n -> end."""
    steps: list[cx.Touchpoint | cx.DecisionPoint | cx.Outcome] = [tp("s0", "a")]
    edges: list[tuple[str, str]] = []
    for i in range(n):
        steps += [cd(f"d{i}"), tp(f"x{i}", "a"), tp(f"y{i}", "b"), tp(f"s{i + 1}", "a")]
        edges += [(f"s{i}", f"d{i}"), (f"d{i}", f"x{i}"), (f"d{i}", f"y{i}")]
        edges += [(f"x{i}", f"s{i + 1}"), (f"y{i}", f"s{i + 1}")]
    return journey(*steps, out("end"), transitions=[*edges, (f"s{n}", "end")], entries=["s0"])


def enumerated(j: cx.Journey, level: str = "silo") -> tuple[int | None, float | None, int | None]:
    """(min, mean, max) crossings over every entry-to-outcome path, listed one by one."""
    g = cx.compile_graph(j)
    flow: nx.DiGraph[str] = nx.DiGraph()
    flow.add_nodes_from(g)
    flow.add_edges_from((u, v) for u, v, d in g.edges(data=True) if d["kind"] != "trigger")
    outcomes = [o.id for o in j.outcomes]
    paths: list[list[str]] = []
    for e in entry_weights(j)[0]:
        if e in outcomes:
            paths.append([e])
        else:
            paths += nx.all_simple_paths(flow, e, outcomes)
    if not paths:
        return None, None, None
    silo = owner_silos(j)

    def key(step: str) -> str | None:
        owner = g.nodes[step].get("owner")
        return None if owner is None else silo[owner] if level == "silo" else owner

    counts = []
    for path in paths:
        last: str | None = None
        n = 0
        for step in path:
            k = key(step)
            if k is not None:
                n += last is not None and last != k
                last = k
            elif g.nodes[step]["kind"] == "touchpoint":
                last = None  # an unowned touchpoint breaks the chain
        counts.append(n)
    return min(counts), sum(counts) / len(counts), max(counts)


Pair = tuple[str, str | None]


def routes_enumerated(j: cx.Journey, level: str = "silo") -> tuple[list[int], int | None]:
    """Crossings of every route (the module docstring's definition), listed one by one.

    Built from the journey alone with networkx, sharing nothing with the
    analysis: pairs (step, silo carried), the components of the steps, and
    inside a component the fewest crossings by Dijkstra. Also returns the
    fewest crossings of any way from an entry to an outcome (None if none).
    """
    g = cx.compile_graph(j)
    flow: nx.DiGraph[str] = nx.DiGraph()
    flow.add_nodes_from(g)
    flow.add_edges_from((u, v) for u, v, d in g.edges(data=True) if d["kind"] != "trigger")
    silo = owner_silos(j)
    outcomes = {o.id for o in j.outcomes}

    def key(step: str) -> str | None:
        owner = g.nodes[step].get("owner")
        return None if owner is None else silo[owner] if level == "silo" else owner

    def carried(step: str, last: str | None) -> str | None:
        k = key(step)
        if k is not None:
            return k
        return None if g.nodes[step]["kind"] == "touchpoint" else last

    starts = [(e, carried(e, None)) for e in entry_weights(j)[0]]
    pairs: nx.DiGraph[Pair] = nx.DiGraph()
    pairs.add_nodes_from(starts)
    todo = list(starts)
    while todo:
        u, last = todo.pop()
        for v in flow.successors(u):
            nxt = (v, carried(v, last))
            k = key(v)
            if nxt not in pairs:
                todo.append(nxt)
            pairs.add_edge((u, last), nxt, weight=int(k is not None and last not in (None, k)))
    comp = {s: n for n, c in enumerate(nx.strongly_connected_components(flow)) for s in c}
    inside = {
        c: pairs.subgraph(p for p in pairs if comp[p[0]] == c).copy() for c in set(comp.values())
    }
    nearest: dict[Pair, dict[Pair, int]] = {}
    found: list[int] = []

    def walk(start: Pair, so_far: int) -> None:
        if start not in nearest:
            sub = inside[comp[start[0]]]
            near = nx.single_source_dijkstra_path_length(sub, start)
            nearest[start] = {x: int(d) for x, d in near.items()}
        for x, d in nearest[start].items():
            if x[0] in outcomes:
                found.append(so_far + d)
            for y in pairs.successors(x):
                if comp[y[0]] != comp[x[0]]:
                    walk(y, so_far + d + pairs.edges[x, y]["weight"])

    for start in starts:
        walk(start, 0)
    if not starts:
        return found, None
    ends = [p for p in pairs if p[0] in outcomes]
    dist = nx.multi_source_dijkstra_path_length(pairs, set(starts))
    return found, min((int(dist[p]) for p in ends), default=None)


def random_loopy_journey(rnd: Random) -> cx.Journey:
    """3 to 9 steps in silos a, b, c (some unowned, some customer decisions), many back edges."""
    names = [f"s{i}" for i in range(rnd.randint(3, 9))]
    steps: list[cx.Touchpoint | cx.DecisionPoint | cx.Outcome] = []
    for sid in names:
        r = rnd.random()
        if r < 0.5:
            steps.append(tp(sid, rnd.choice("abc")))
        elif r < 0.6:
            steps.append(tp(sid))
        elif r < 0.85:
            steps.append(cd(sid))
        else:
            steps.append(ed(sid, rnd.choice("abc")))
    ends = [f"o{i}" for i in range(rnd.randint(1, 2))]
    edges: set[tuple[str, str]] = set()
    for i, sid in enumerate(names):
        for _ in range(rnd.randint(1, 3)):
            r = rnd.random()
            if r < 0.3:
                edges.add((sid, rnd.choice(names[: i + 1])))  # back, or a self-loop
            elif r < 0.8 and i + 1 < len(names):
                edges.add((sid, rnd.choice(names[i + 1 :])))
            else:
                edges.add((sid, rnd.choice(ends)))
    entries = rnd.sample(names, rnd.randint(1, 2))
    return journey(*steps, *map(out, ends), transitions=sorted(edges), entries=entries)


def assert_matches_routes(j: cx.Journey, level: str = "silo") -> None:
    """min, mean and max equal those of the routes listed one by one; min is the fewest of all."""
    result = silo_boundaries(j, level=level)
    if not result.ownership_known:
        return
    found, fewest = routes_enumerated(j, level)
    if not found:
        assert per_path(result) == (None, None, None)
        return
    # Both sides divide exact integers and round once: equal to the last bit.
    assert per_path(result) == (min(found), float(Fraction(sum(found), len(found))), max(found))
    assert result.min_per_path == fewest


class TestSiloBoundaries:
    """silo_boundaries(journey, *, level)."""

    # -- crossings ----------------------------------------------------------

    def test_crossing_through_a_customer_decision(self) -> None:
        """A crossing is found across a customer decision, with via, visibility and channels."""
        # form (marketing, web) -> ready? -> call (sales, phone): the decision is
        # transparent; both touchpoints are frontstage with different channels.
        j = journey(
            tp("form", "mkt", channel="web"),
            cd("ready"),
            tp("call", "sales", channel="phone"),
            transitions=[("form", "ready"), ("ready", "call")],
        )
        assert silo_boundaries(j).findings == (
            SiloCrossing(
                source="form",
                target="call",
                via=("ready",),
                from_silo="mkt",
                to_silo="sales",
                customer_visible=True,
                channel_switch=True,
            ),
        )

    def test_owners_of_one_silo_do_not_cross_at_silo_level(self) -> None:
        """Two teams under one department cross at owner level only."""
        j = journey(
            tp("quote", "ae"),
            tp("approve", "desk"),
            transitions=[("quote", "approve")],
            parents={"ae": "sales", "desk": "sales"},
        )
        assert pairs(silo_boundaries(j)) == []
        assert pairs(silo_boundaries(j, level="owner")) == [("quote", "approve", "ae", "desk", ())]

    def test_silo_is_the_root_of_the_parent_chain(self) -> None:
        """A role two levels down belongs to its department's silo."""
        j = journey(
            tp("a", "ana"),
            tp("b", "support"),
            transitions=[("a", "b")],
            parents={"ana": "tier1", "tier1": "service"},
        )
        assert pairs(silo_boundaries(j)) == [("a", "b", "service", "support", ())]

    def test_unowned_touchpoint_breaks_the_chain(self) -> None:
        """A touchpoint without owner has no silo: nothing crosses into, out of or past it."""
        j = journey(
            tp("a", "x"),
            tp("u"),
            tp("b", "y"),
            out("done"),
            transitions=[("a", "u"), ("u", "b"), ("b", "done")],
        )
        result = silo_boundaries(j)
        assert pairs(result) == []
        assert per_path(result) == (0, 0.0, 0)

    def test_triggers_cross_silos(self) -> None:
        """A trigger between silos is a crossing, seen by nobody when it ends backstage."""
        j = journey(
            tp("sold", "sales", channel="web"),
            tp("ship", "ops", lane="backstage", channel="truck"),
            triggers=[cx.Trigger(source="sold", target="ship", owner="ops")],
        )
        [crossing] = silo_boundaries(j)
        assert (crossing.source, crossing.target) == ("sold", "ship")
        assert (crossing.customer_visible, crossing.channel_switch) == (False, True)

    def test_customer_visible_needs_both_ends_in_view(self) -> None:
        """Visible only with both ends touchpoints in lane customer or frontstage."""
        j = journey(
            tp("a", "x", lane="customer"),
            tp("b", "y", lane="frontstage"),
            tp("c", "z", lane="support"),
            ed("ok", "w"),
            transitions=[("a", "b"), ("b", "c"), ("b", "ok")],
        )
        visible = {(c.source, c.target): c.customer_visible for c in silo_boundaries(j)}
        assert visible == {("a", "b"): True, ("b", "c"): False, ("b", "ok"): False}

    def test_channel_switch_needs_two_known_channels(self) -> None:
        """A channel switch needs both channels known and different."""
        j = journey(
            tp("a", "x", channel="web"),
            tp("b", "y", channel="web"),
            tp("c", "z"),
            tp("d", "w", channel="phone"),
            transitions=[("a", "b"), ("a", "c"), ("a", "d")],
        )
        switch = {c.target: c.channel_switch for c in silo_boundaries(j)}
        assert switch == {"b": False, "c": False, "d": True}
        assert silo_boundaries(j).channel_switches == 1

    # -- matrices -----------------------------------------------------------

    def test_matrix_counts_and_flows(self) -> None:
        """Counts and expected flow per silo pair, silos in the order owners are declared."""
        # 40% go a (zeta) -> b (alpha), 60% a -> c (mid): one crossing each.
        j = journey(
            tp("a", "zeta"),
            tp("b", "alpha"),
            tp("c", "mid"),
            out("won"),
            transitions=[("a", "b", 0.4), ("a", "c", 0.6), ("b", "won", 1.0), ("c", "won", 1.0)],
            entries=["a"],
        )
        result = silo_boundaries(j)
        assert result.silos == ("zeta", "alpha", "mid")
        assert {a: dict(row) for a, row in result.counts.items()} == {
            "zeta": {"zeta": 0, "alpha": 1, "mid": 1},
            "alpha": {"zeta": 0, "alpha": 0, "mid": 0},
            "mid": {"zeta": 0, "alpha": 0, "mid": 0},
        }
        assert result.flows is not None
        assert result.flows["zeta"]["alpha"] == pytest.approx(0.4)
        assert result.flows["zeta"]["mid"] == pytest.approx(0.6)
        assert result.flows["alpha"]["zeta"] == 0.0

    def test_silos_are_those_owning_steps(self) -> None:
        """Only silos that own a step are listed, in the order their root owners are declared."""
        # Declared: team1, other, idle, dept. Silos: other (a root) and dept (the
        # root of team1); idle owns nothing; team1 folds into dept.
        j = journey(
            tp("a", "team1"),
            tp("b", "other"),
            transitions=[("a", "b")],
            parents={"team1": "dept", "idle": "dept"},
        )
        assert silo_boundaries(j).silos == ("other", "dept")
        assert silo_boundaries(j, level="owner").silos == ("team1", "other")

    def test_flows_are_none_when_probabilities_are_unknown(self) -> None:
        """Without probabilities or counts the flow matrix is None; counts stay."""
        j = journey(tp("a", "x"), tp("b", "y"), out("won"), out("lost", "failure"),
                    transitions=[("a", "b"), ("a", "lost"), ("b", "won")])  # fmt: skip
        result = silo_boundaries(j)
        assert result.flows is None
        assert result.counts["x"]["y"] == 1

    def test_unreachable_crossing_is_counted_with_zero_flow(self) -> None:
        """A crossing no entry reaches is still a crossing; no journey passes it."""
        j = journey(
            tp("a", "x"),
            tp("z1", "x"),
            tp("z2", "y"),
            out("done"),
            transitions=[("a", "done", 1.0), ("z1", "z2", 1.0), ("z2", "done", 1.0)],
            entries=["a"],
        )
        result = silo_boundaries(j)
        assert pairs(result) == [("z1", "z2", "x", "y", ())]
        assert result.flows is not None
        assert result.flows["x"]["y"] == 0.0

    # -- per path -----------------------------------------------------------

    def test_per_path_on_a_diamond(self) -> None:
        """Two paths, 0 and 2 crossings: min 0, mean 1, max 2."""
        # s (A) -> d? -> x (A) -> t (A): no crossing; s -> d? -> y (B) -> t: A->B, B->A.
        j = journey(
            tp("s", "a"),
            cd("d"),
            tp("x", "a"),
            tp("y", "b"),
            tp("t", "a"),
            out("end"),
            transitions=[("s", "d"), ("d", "x"), ("d", "y"), ("x", "t"), ("y", "t"), ("t", "end")],
        )
        assert per_path(silo_boundaries(j)) == (0, 1.0, 2)

    def test_chain_of_sixty_forks_answers_instantly(self) -> None:
        """2**60 paths are counted, not listed: min 0, mean 60, max 120, in well under a second."""
        # Each fork adds 0 crossings through x_i or 2 through y_i, independently.
        j = fork_chain(60)
        start = time.perf_counter()
        result = silo_boundaries(j)
        assert time.perf_counter() - start < 1.0
        assert per_path(result) == (0, 60.0, 120)
        assert len(result) == 120

    def test_a_loop_counts_once(self) -> None:
        """In a loop a route takes the fewest crossings from where it enters to where it leaves."""
        # a (A) -> b (B) -> again? -> a loops (A->B, then B->A back to a);
        # again? -> end leaves. One route: in at a, out at again? (carrying B).
        # The fewest crossings from a to again? is the one of a -> b; going
        # round again (B->A, A->B) would add two and is never counted.
        j = journey(
            tp("a", "a"),
            tp("b", "b"),
            cd("again"),
            out("end"),
            transitions=[("a", "b"), ("b", "again"), ("again", "a"), ("again", "end")],
            entries=["a"],
        )
        assert per_path(silo_boundaries(j)) == (1, 1.0, 1)

    def test_leaving_a_loop_at_once_crosses_nothing_in_it(self) -> None:
        """A route that leaves a loop where it enters counts none of the loop's crossings."""
        # s (A) -> d? -> x (B) -> y (A) -> d?: the loop d?, x, y holds two
        # crossings. Routes: in at d? and out at once to end (0); in at d? and
        # out at x to fail, through d? -> x (1). Two routes: min 0, mean 0.5, max 1.
        j = journey(
            tp("s", "a"),
            cd("d"),
            tp("x", "b"),
            tp("y", "a"),
            out("end"),
            out("fail", "failure"),
            transitions=[("s", "d"), ("d", "x"), ("x", "y"), ("y", "d"), ("d", "end"),
                         ("x", "fail")],
            entries=["s"],
        )  # fmt: skip
        assert per_path(silo_boundaries(j)) == (0, 0.5, 1)

    def test_loop_entered_in_many_places_and_left_in_one(self) -> None:
        """More ways into a loop than out: counted by searching back from the way out."""
        # p (A) -> q (B) -> r (C) -> p, left at r -> end. Entries e1 (A) -> p,
        # e2 (B) -> q, e3 (C) -> r, no crossing on the way in. From p to r: A->B,
        # B->C (2); from q: 1; from r: 0. Three routes: min 0, mean 1, max 2.
        j = journey(
            tp("e1", "a"),
            tp("e2", "b"),
            tp("e3", "c"),
            tp("p", "a"),
            tp("q", "b"),
            tp("r", "c"),
            out("end"),
            transitions=[("e1", "p"), ("e2", "q"), ("e3", "r"), ("p", "q"), ("q", "r"),
                         ("r", "p"), ("r", "end")],
            entries=["e1", "e2", "e3"],
        )  # fmt: skip
        assert per_path(silo_boundaries(j)) == (0, 1.0, 2)
        assert_matches_routes(j)

    def test_a_loop_of_five_thousand_steps_answers_quickly(self) -> None:
        """A ring of 5,000 steps alternating silos, in at one step, out at two: under a second."""
        # s0 -> s1 -> ... -> s4999 -> s0, s_i in silo a or b by parity: every
        # move crosses. In at s0; out at s0 -> done (0) or s4999 -> done (4999).
        n = 5_000
        ring = [(f"s{i}", f"s{(i + 1) % n}") for i in range(n)]
        j = journey(
            *(tp(f"s{i}", "ab"[i % 2]) for i in range(n)),
            out("done"),
            transitions=[*ring, ("s0", "done"), (f"s{n - 1}", "done")],
            entries=["s0"],
        )
        with shared_cache():
            # Compile the graph and solve the Markov chain first: this times the rest.
            cx.markov(j)
            start = time.perf_counter()
            result = silo_boundaries(j)
            assert time.perf_counter() - start < 1.0
        assert per_path(result) == (0, 2499.5, 4999)

    def test_loops_too_tangled_leave_mean_and_max_uncounted(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Past the work bound mean and max are None, min stays exact, and the summary says why."""
        j = journey(
            tp("a", "a"),
            tp("b", "b"),
            cd("again"),
            out("end"),
            transitions=[("a", "b"), ("b", "again"), ("again", "a"), ("again", "end")],
            entries=["a"],
        )
        # The loop a, b, again? is searched once (one way in, one out) over its
        # 3 moves and 3 pairs: 6 moves of work, one more than allowed.
        monkeypatch.setattr(silos, "MAX_LOOP_WORK", 5)
        result = silo_boundaries(j)
        assert per_path(result) == (1, None, None)
        assert result.summary().endswith(
            "; at least 1 per route from entry to outcome (the mean and the most were not "
            "counted: the loops have too many ways in and out)"
        )
        monkeypatch.setattr(silos, "MAX_LOOP_WORK", 6)
        assert per_path(silo_boundaries(j)) == (1, 1.0, 1)

    def test_minimum_counts_any_way_loops_included(self) -> None:
        """The minimum is over every way to an outcome, a detour through a loop included."""
        # x (A) -> d? -> z (B) crosses once. x -> d? -> u (no owner) -> d? -> z
        # passes the unowned u, which breaks the chain: no crossing. So min 0.
        # The loop d?, u is left at d? carrying A (direct) or nothing (after u):
        # two routes, crossing 1 and 0: mean 0.5, max 1.
        j = journey(
            tp("x", "a"),
            cd("d"),
            tp("u"),
            tp("z", "b"),
            out("end"),
            transitions=[("x", "d"), ("d", "u"), ("u", "d"), ("d", "z"), ("z", "end")],
            entries=["x"],
        )
        assert per_path(silo_boundaries(j)) == (0, 0.5, 1)

    def test_loop_of_customer_decisions_ends(self) -> None:
        """Customer decisions looping among themselves neither hang nor add crossings."""
        j = journey(
            tp("a", "x"),
            cd("d1"),
            cd("d2"),
            tp("b", "y"),
            out("end"),
            transitions=[
                ("a", "d1"),
                ("d1", "d2"),
                ("d2", "d1"),
                ("d2", "d2"),
                ("d2", "b"),
                ("b", "end"),
            ],
        )
        result = silo_boundaries(j)
        assert pairs(result) == [("a", "b", "x", "y", ("d1", "d2"))]
        assert per_path(result) == (1, 1.0, 1)

    def test_no_path_to_an_outcome(self) -> None:
        """Without an outcome reachable from an entry there is no per-path figure."""
        j = journey(tp("a", "x"), tp("b", "y"), transitions=[("a", "b")])
        assert per_path(silo_boundaries(j)) == (None, None, None)

    def test_triggers_do_not_count_on_customer_paths(self) -> None:
        """Triggers cross silos but do not move the customer: paths ignore them."""
        j = journey(
            tp("sold", "sales"),
            tp("ship", "ops", lane="backstage"),
            out("won"),
            transitions=[("sold", "won")],
            triggers=[cx.Trigger(source="sold", target="ship", owner="ops")],
        )
        result = silo_boundaries(j)
        assert len(result) == 1
        assert per_path(result) == (0, 0.0, 0)

    # -- ping-pong ----------------------------------------------------------

    def test_ping_pong_with_its_steps(self) -> None:
        """Sales -> support -> sales is a ping-pong listing every owned step on the way."""
        j = journey(
            tp("buy", "sales"),
            tp("t1", "support"),
            cd("fixed"),
            tp("t2", "support"),
            tp("upsell", "sales"),
            transitions=[("buy", "t1"), ("t1", "fixed"), ("fixed", "t2"), ("t2", "upsell")],
        )
        assert silo_boundaries(j).ping_pongs == (
            PingPong(silos=("sales", "support", "sales"), steps=("buy", "t1", "t2", "upsell")),
        )

    def test_three_silos_are_no_ping_pong(self) -> None:
        """A -> B -> C -> A never returns straight from B, so it is no ping-pong."""
        j = journey(
            tp("a", "x"),
            tp("b", "y"),
            tp("c", "z"),
            tp("d", "x"),
            transitions=[("a", "b"), ("b", "c"), ("c", "d")],
        )
        assert silo_boundaries(j).ping_pongs == ()

    def test_unowned_step_and_triggers_break_ping_pong(self) -> None:
        """An unowned touchpoint in B, or a trigger, does not make a ping-pong."""
        gap = journey(
            tp("a", "x"),
            tp("b", "y"),
            tp("u"),
            tp("c", "x"),
            transitions=[("a", "b"), ("b", "u"), ("u", "c")],
        )
        trig = journey(
            tp("a", "x"),
            tp("b", "y"),
            tp("c", "x"),
            transitions=[("b", "c")],
            triggers=[cx.Trigger(source="a", target="b", owner="y")],
        )
        assert silo_boundaries(gap).ping_pongs == ()
        assert silo_boundaries(trig).ping_pongs == ()

    def test_ping_pong_in_a_loop_ends(self) -> None:
        """A loop between two silos yields each ping-pong once."""
        # a (x) <-> b (y): x->y->x starting at a, y->x->y starting at b.
        j = journey(tp("a", "x"), tp("b", "y"), transitions=[("a", "b"), ("b", "a")])
        assert silo_boundaries(j).ping_pongs == (
            PingPong(silos=("x", "y", "x"), steps=("a", "b", "a")),
            PingPong(silos=("y", "x", "y"), steps=("b", "a", "b")),
        )

    # -- ownership unknown, tiny journeys, options ---------------------------

    def test_journey_without_owners(self) -> None:
        """No owner anywhere: no crossings, and the result says ownership is unknown."""
        j = journey(tp("a"), tp("b"), out("done"), transitions=[("a", "b"), ("b", "done")])
        result = silo_boundaries(j)
        assert (result.findings, result.silos, result.ownership_known) == ((), (), False)
        assert per_path(result) == (None, None, None)
        assert result.summary() == (
            "ownership is unknown: no step has an owner, so no silo crossing was found"
        )

    def test_single_step(self) -> None:
        """One owned step crosses nothing; to an outcome it makes one path with 0 crossings."""
        assert silo_boundaries(journey(tp("a", "x"))).findings == ()
        result = silo_boundaries(journey(tp("a", "x"), out("done"), transitions=[("a", "done")]))
        assert (result.silos, per_path(result)) == (("x",), (0, 0.0, 0))

    def test_unknown_level(self) -> None:
        """A level other than silo or owner is a ValueError listing both."""
        with pytest.raises(ValueError, match=r"unknown level 'team' \(choose 'silo' or 'owner'\)"):
            silo_boundaries(journey(tp("a", "x")), level="team")

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"silo_boundaries\(\) takes a Journey, got str"):
            silo_boundaries("b2b.yaml")  # type: ignore[arg-type]

    def test_records_describe_and_summary(self) -> None:
        """Records carry the documented keys; describe and summary speak plainly."""
        j = journey(
            tp("form", "mkt", channel="web"),
            cd("ready"),
            tp("call", "sales", channel="phone"),
            out("won"),
            transitions=[("form", "ready"), ("ready", "call"), ("call", "won")],
        )
        result = silo_boundaries(j)
        assert list(result.to_records()[0]) == [
            "source",
            "target",
            "via",
            "from_silo",
            "to_silo",
            "customer_visible",
            "channel_switch",
        ]
        assert result.describe(result[0]) == (
            "Mkt hands 'Form' (form) to Sales at 'Call' (call) through the customer's "
            "decision 'Ready?' (ready); the customer sees it; the channel changes"
        )
        assert result.summary() == (
            "1 silo crossing between 2 silos: 1 seen by the customer, 1 with a channel "
            "switch; 1 crossing on every route from entry to outcome"
        )
        assert [(p.from_silo, p.to_silo, p.routes) for p in result.by_silo_pair()] == [
            ("mkt", "sales", 1)
        ]

    # -- the bundled B2B journey --------------------------------------------

    def test_b2b_software_golden(self) -> None:
        """Every silo crossing of examples/b2b_software.yaml, each justified."""
        result = silo_boundaries(cx.load(EXAMPLES / "b2b_software.yaml"))
        m, s, cs, sup = "marketing", "sales", "customer-service", "support"
        assert pairs(result) == [
            # customer-success -> renewals-desk: the QBR hands over to the renewal quote.
            ("business-review", "renewal-quote", cs, s, ()),
            # community-manager -> support-tier1: no answer in the community.
            ("community-login", "support-case", cs, sup, ()),
            # web-team -> sdr-team: the contact form's shared inbox.
            ("contact-form", "sdr-outreach", m, s, ()),
            # chatbot (under web-team) -> sdr-team: routed to a live rep.
            ("dp-chat-route", "sdr-outreach", m, s, ()),
            # lead-scoring (under demand-gen) -> sdr-team: marketing-qualified lead.
            ("dp-lead-score", "sdr-outreach", m, s, ()),
            # sdr-team -> demand-gen: unqualified leads recycled to nurture.
            ("dp-sdr-qualify", "nurture-email", s, m, ()),
            # demand-gen -> account-executives through the customer's nurture response.
            ("nurture-email", "discovery-call", m, s, ("dp-nurture-response",)),
            # ecommerce -> onboarding-team: web orders.
            ("online-cart", "onboarding", s, cs, ()),
            # ecommerce -> cloud-ops: the provisioning trigger.
            ("online-cart", "provision-account", s, sup, ()),
            # renewals-desk -> customer-marketing through the renewal decision.
            ("renewal-quote", "reference-invite", s, m, ("dp-renew",)),
            # account-executives -> onboarding-team after the signed contract.
            ("sign-contract", "onboarding", s, cs, ()),
            # account-executives -> cloud-ops: the provisioning trigger.
            ("sign-contract", "provision-account", s, sup, ()),
        ]
        assert result.silos == (m, s, cs, sup)
        assert sum(result.counts[m].values()) == 4
        assert dict(result.counts[s]) == {m: 2, s: 0, cs: 2, sup: 2}
        assert dict(result.counts[cs]) == {m: 0, s: 1, cs: 0, sup: 1}
        assert sum(result.counts[sup].values()) == 0
        # Visible: both ends frontstage touchpoints. Not visible: the three out of
        # decision points and the two triggers into backstage provisioning.
        assert result.customer_visible == 7
        # Channels differ at 8; renewal-quote -> reference-invite is email to email
        # and decision points have no channel.
        assert result.channel_switches == 8
        # Leads go marketing -> sales (three ways into sdr-outreach) and are recycled
        # to nurture; recycled leads come back to sales as MQLs or by booking a call.
        assert result.ping_pongs == (
            PingPong(silos=(m, s, m), steps=("contact-form", "sdr-outreach", "dp-sdr-qualify",
                                             "nurture-email")),
            PingPong(silos=(m, s, m), steps=("dp-chat-route", "sdr-outreach", "dp-sdr-qualify",
                                             "nurture-email")),
            PingPong(silos=(m, s, m), steps=("dp-lead-score", "sdr-outreach", "dp-sdr-qualify",
                                             "nurture-email")),
            PingPong(silos=(s, m, s), steps=("dp-sdr-qualify", "nurture-email",
                                             "discovery-call")),
            PingPong(silos=(s, m, s), steps=("dp-sdr-qualify", "nurture-email", "dp-lead-score",
                                             "sdr-outreach")),
        )  # fmt: skip
        # Routes, counted from the outcomes back as (routes, crossings summed,
        # most) from each point, the move into it not included. Three loops: the
        # lead loop {nurture-email, dp-nurture-response, dp-lead-score,
        # sdr-outreach, dp-sdr-qualify} (two crossings: lead score -> SDR, SDR ->
        # nurture), the buying loop {proposal, dp-buy-path, dp-discount} (all
        # sales) and the support loop behind use-product (no owner, so nothing
        # crosses into support-case or community-login after it; community ->
        # case crosses, but no route needs it).
        # - renewal-quote -> dp-renew: reference-invite (+1) then advocate or
        #   renewed; expanded, churned, lost: (5, 2, 1). business-review (+1 into
        #   renewal-quote): (5, 7, 2).
        # - support loop, in at use-product carrying nothing, out at
        #   dp-need-help or community-login, both -> business-review at no
        #   crossing: (10, 14, 2); onboarding: the same.
        # - online-cart: no-decision, or onboarding (+1): (11, 24, 3).
        #   sign-contract: (10, 24, 3).
        # - buying loop, in at proposal: out at dp-buy-path to online-cart or
        #   lost, or at dp-discount to sign-contract: (22, 48, 3); dp-evaluate
        #   adds lost and no-decision: (24, 48, 3); product-demo the same;
        #   discovery-call adds no-decision: (25, 48, 3).
        # - lead loop, ways out: dp-nurture-response (carrying marketing) to
        #   discovery-call (+1) or no-decision: (26, 73, 4); sdr-outreach to
        #   no-decision: (1, 0, 0); dp-sdr-qualify to discovery-call: (25, 48, 3).
        #   In at nurture-email: 0 to dp-nurture-response, 1 to sdr-outreach and
        #   to dp-sdr-qualify (lead score -> SDR): (52, 147, 4). In at
        #   sdr-outreach: 1 to dp-nurture-response (SDR -> nurture), 0 to the
        #   others: (52, 147, 5).
        # - whitepaper-download: (52, 147, 4); contact-form (+1 into
        #   sdr-outreach): (52, 199, 6); dp-chat-route: whitepaper, no-decision,
        #   sdr-outreach (+1): (105, 346, 6); website-chat the same.
        # - entries: website-visit -> website-chat, whitepaper, contact-form,
        #   no-decision: (210, 692, 6); whitepaper-download: (52, 147, 4).
        # 262 routes, 839 crossings. Fewest: website-visit -> no-decision. Most,
        # 6: website-visit -> contact-form -> sdr-outreach (1) -> SDR -> nurture
        # (1) -> dp-nurture-response -> discovery-call (1) -> ... -> onboarding
        # (1) -> support loop -> business-review -> renewal-quote (1) ->
        # reference-invite (1).
        assert per_path(result) == (0, 839 / 262, 6)

    # -- properties ---------------------------------------------------------

    @given(journeys(max_steps=7), st.sampled_from(["silo", "owner"]))
    def test_matrix_totals_equal_the_crossings(self, j: cx.Journey, level: str) -> None:
        """The count matrix holds every crossing once, in its (from, to) cell."""
        result = silo_boundaries(j, level=level)
        assert sum(sum(row.values()) for row in result.counts.values()) == len(result)
        for a in result.silos:
            for b in result.silos:
                n = sum(c.from_silo == a and c.to_silo == b for c in result)
                assert result.counts[a][b] == n
                if result.flows is not None:
                    assert result.flows[a][b] >= 0.0
                    assert n or result.flows[a][b] == 0.0

    @given(journeys(max_steps=7))
    def test_findings_reference_real_steps(self, j: cx.Journey) -> None:
        """Crossings join real owned steps of different silos, through transparent ones."""
        steps = {s.id: s for s in j.steps}
        silo = owner_silos(j)
        result = silo_boundaries(j)
        keys = [(c.source, c.target) for c in result]
        assert keys == sorted(set(keys))
        for c in result:
            assert silo[steps[c.source].owner] == c.from_silo  # type: ignore[union-attr,index]
            assert silo[steps[c.target].owner] == c.to_silo  # type: ignore[union-attr,index]
            assert c.from_silo != c.to_silo
            assert {c.from_silo, c.to_silo} <= set(result.silos)
            for v in c.via:
                assert isinstance(steps[v], cx.Outcome) or steps[v].owner is None  # type: ignore[union-attr]
        for p in result.ping_pongs:
            assert p.silos[0] == p.silos[2] != p.silos[1]
            assert set(p.steps) <= set(steps)

    @given(journeys(max_steps=7), st.randoms(use_true_random=False))
    def test_same_input_same_output_whatever_the_edge_order(
        self, j: cx.Journey, rnd: Random
    ) -> None:
        """The same journey gives the same result, edges declared in any order."""
        first = silo_boundaries(j)
        assert silo_boundaries(j) == first
        shuffled = j.with_changes(
            transitions=rnd.sample(j.transitions, len(j.transitions)),
            handoffs=rnd.sample(j.handoffs, len(j.handoffs)),
            triggers=rnd.sample(j.triggers, len(j.triggers)),
        )
        again = silo_boundaries(shuffled)
        assert again.findings == first.findings
        assert again.ping_pongs == first.ping_pongs
        # Exact integer sums: the mean too is the same to the last bit.
        assert per_path(again) == per_path(first)

    @given(dag_journeys(max_steps=7), st.sampled_from(["silo", "owner"]))
    def test_per_path_equals_enumeration_without_loops(self, j: cx.Journey, level: str) -> None:
        """On a journey without loops min, mean and max equal those of the listed paths."""
        result = silo_boundaries(j, level=level)
        lo, mean, hi = enumerated(j, level)
        if not result.ownership_known:
            return
        assert (result.min_per_path, result.max_per_path) == (lo, hi)
        assert result.mean_per_path == (None if mean is None else pytest.approx(mean))

    def test_per_path_equals_routes_listed_on_random_loops(self) -> None:
        """On 80 random journeys full of loops, min, mean and max equal the listed routes'."""
        for seed in range(80):
            j = random_loopy_journey(Random(seed))
            assert_matches_routes(j, "silo")
            assert_matches_routes(j, "owner")

    @given(loop_journeys(max_steps=7), st.sampled_from(["silo", "owner"]))
    def test_per_path_equals_routes_listed_with_loops(self, j: cx.Journey, level: str) -> None:
        """With loops, min, mean and max equal those of the routes listed one by one."""
        assert_matches_routes(j, level)

    @given(probabilistic_journeys(acyclic=True, max_steps=7))
    def test_flows_are_shares_on_acyclic_journeys(self, j: cx.Journey) -> None:
        """Without loops a silo pair's flow is at most its number of crossings (each <= 1)."""
        result = silo_boundaries(j)
        if result.flows is None:
            return
        for a in result.silos:
            for b in result.silos:
                assert 0.0 <= result.flows[a][b] <= result.counts[a][b] + 1e-9

    @given(journeys(max_steps=7))
    def test_min_mean_max_are_ordered(self, j: cx.Journey) -> None:
        """min <= mean <= max per path, loops or not."""
        lo, mean, hi = per_path(silo_boundaries(j))
        if mean is not None:
            assert lo is not None
            assert hi is not None
            assert lo - 1e-9 <= mean <= hi + 1e-9
