"""Tests for branches (cxgraph.analyses.branches): decisions, path counts, loops, paths."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxgraph as cx
import strategies as jst
from cxgraph.analyses.branches import (
    Branches,
    DecisionBranch,
    JourneyPath,
    branches,
    known_probabilities,
)
from cxgraph.analyses.markov import markov
from cxgraph.graph import entry_weights

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

Edge = tuple[str, str] | tuple[str, str, float]


def _journey(
    edges: Sequence[Edge],
    *,
    outcomes: dict[str, str] | None = None,
    decisions: Sequence[str] = (),
    entries: Sequence[str | cx.Entry] = (),
    steps: Sequence[str] = (),
) -> cx.Journey:
    """A journey from (source, target[, probability]) pairs; other steps are touchpoints."""
    outcomes = {"won": "success"} if outcomes is None else outcomes
    ids: list[str] = []
    for e in edges:
        for s in e[:2]:
            if isinstance(s, str) and s not in ids:
                ids.append(s)
    ids += [s for s in steps if s not in ids]
    ids += [o for o in outcomes if o not in ids]
    return cx.Journey(
        id="j",
        name="J",
        touchpoints=[
            cx.Touchpoint(id=s, name=s.upper())
            for s in ids
            if s not in outcomes and s not in decisions
        ],
        decision_points=[
            cx.DecisionPoint(id=d, name=d.upper(), decided_by="customer") for d in decisions
        ],
        outcomes=[cx.Outcome(id=o, name=o.upper(), kind=k) for o, k in outcomes.items()],  # type: ignore[arg-type]
        entries=entries,
        transitions=[
            cx.Transition(source=e[0], target=e[1], probability=e[2] if len(e) == 3 else None)  # type: ignore[misc]
            for e in edges
        ],
    )


def _fork_chain(n: int) -> cx.Journey:
    """s0 -> {x0, y0} -> s1 -> ... -> s(n) (the outcome): n two-way forks in a row."""
    edges: list[Edge] = []
    for i in range(n):
        edges += [
            (f"s{i}", f"x{i}"),
            (f"s{i}", f"y{i}"),
            (f"x{i}", f"s{i + 1}"),
            (f"y{i}", f"s{i + 1}"),
        ]
    return _journey(edges, outcomes={f"s{n}": "success"})


def _flow(j: cx.Journey) -> nx.DiGraph[str]:
    graph = cx.compile_graph(j)
    flow: nx.DiGraph[str] = nx.DiGraph()
    flow.add_nodes_from(graph)
    flow.add_edges_from((u, v) for u, v, k in graph.edges(data="kind") if k != "trigger")
    return flow


def _simple_paths(j: cx.Journey) -> Iterator[tuple[str, ...]]:
    """Brute force: every simple entry-to-outcome path, depth first in edge order."""
    flow = _flow(j)
    outs = [o.id for o in j.outcomes]
    for e in entry_weights(j)[0]:
        if e in outs:
            yield (e,)
        elif outs:
            yield from (tuple(p) for p in nx.all_simple_paths(flow, e, outs))


def _condensation_paths(j: cx.Journey) -> int:
    """Brute force: entry-to-outcome paths through the condensation, enumerated."""
    cond = nx.condensation(_flow(j))
    comp = cond.graph["mapping"]
    total = 0
    for e in entry_weights(j)[0]:
        for o in (o.id for o in j.outcomes):
            if comp[e] == comp[o]:
                total += 1
            else:
                total += sum(1 for _ in nx.all_simple_paths(cond, comp[e], comp[o]))
    return total


class TestBranches:
    """branches(journey, *, max_paths, max_length)."""

    # -- path counts, worked by hand --------------------------------------

    def test_fork(self) -> None:
        """A two-way decision gives two paths, listed in edge order."""
        # a -> d -> {b -> won, lost}: one path per option of d.
        j = _journey(
            [("a", "d"), ("d", "b"), ("d", "lost"), ("b", "won")],
            outcomes={"won": "success", "lost": "failure"},
            decisions=["d"],
        )
        result = branches(j)
        assert result.path_count == 2
        assert [p.steps for p in result.paths] == [("a", "d", "b", "won"), ("a", "d", "lost")]
        assert [p.outcome_kind for p in result.paths] == ["success", "failure"]
        assert result.truncated is False
        assert result.loops == ()

    def test_diamonds(self) -> None:
        """Two diamonds in a row give 2 x 2 = 4 paths; a shortcut past the first adds 2."""
        # a -> {b, c} -> d -> {e, f} -> won: 2 ways to d, then 2 ways on.
        edges: list[Edge] = [
            ("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"),
            ("d", "e"), ("d", "f"), ("e", "won"), ("f", "won"),
        ]  # fmt: skip
        assert branches(_journey(edges)).path_count == 4
        # a -> d directly makes 3 ways to d, each with 2 ways on: 6.
        assert branches(_journey([*edges, ("a", "d")])).path_count == 6

    def test_loop_counts_once(self) -> None:
        """A loop is one node of the condensation: it counts once and is listed as a loop."""
        # a -> {b, c} where b <-> c, both lead to won. Condensation: a -> {b, c} -> won,
        # one path; the simple paths are a-b-won, a-b-c-won, a-c-won, a-c-b-won.
        j = _journey([("a", "b"), ("a", "c"), ("b", "c"), ("c", "b"), ("b", "won"), ("c", "won")])
        result = branches(j)
        assert result.path_count == 1
        assert result.loops == (("b", "c"),)
        assert [p.steps for p in result.paths] == [
            ("a", "b", "c", "won"),
            ("a", "b", "won"),
            ("a", "c", "b", "won"),
            ("a", "c", "won"),
        ]

    def test_self_loop(self) -> None:
        """A step that repeats itself is a loop, counted once and never on a listed path."""
        # a -> a (a repeat) and a -> won: one path, a-won.
        result = branches(_journey([("a", "a"), ("a", "won")], entries=["a"]))
        assert result.path_count == 1
        assert result.loops == (("a",),)
        assert [p.steps for p in result.paths] == [("a", "won")]

    def test_multiple_entries(self) -> None:
        """Paths from every entry are counted, and weighted by the entry's probability."""
        # Entries a (0.6) and b (0.4) both lead to c, which wins 3 in 4 times:
        # 2 entries x 2 outcomes = 4 paths, probabilities 0.6*0.75, 0.6*0.25, ...
        j = _journey(
            [("a", "c", 1.0), ("b", "c", 1.0), ("c", "won", 0.75), ("c", "lost", 0.25)],
            outcomes={"won": "success", "lost": "failure"},
            entries=[cx.Entry(step="a", probability=0.6), cx.Entry(step="b", probability=0.4)],
        )
        result = branches(j)
        assert result.path_count == 4
        assert [p.steps for p in result.paths] == [
            ("a", "c", "won"),
            ("a", "c", "lost"),
            ("b", "c", "won"),
            ("b", "c", "lost"),
        ]
        probs = [p.probability for p in result.paths]
        assert probs == pytest.approx([0.45, 0.15, 0.3, 0.1])

    def test_no_outcomes(self) -> None:
        """Without outcomes no path ends anywhere: path_count is 0, the dead ends are counted."""
        # a -> {b, c}, neither goes on: 2 paths that end without an outcome.
        result = branches(_journey([("a", "b"), ("a", "c")], outcomes={}))
        assert (result.path_count, result.dead_end_count) == (0, 2)
        assert result.paths == ()
        assert result.truncated is False
        assert "0 paths" in result.summary()

    def test_dead_ends_and_closed_loops(self) -> None:
        """Paths into a dead end or a loop with no way out are counted apart from outcome paths."""
        # a -> {won, b, c}: b is a dead end, c <-> d is a closed loop.
        j = _journey([("a", "won"), ("a", "b"), ("a", "c"), ("c", "d"), ("d", "c")])
        result = branches(j)
        assert (result.path_count, result.dead_end_count) == (1, 2)
        assert result.loops == (("c", "d"),)
        assert [p.steps for p in result.paths] == [("a", "won")]

    def test_single_touchpoint(self) -> None:
        """A journey of one touchpoint has no path to an outcome and one dead end."""
        result = branches(_journey([], outcomes={}, steps=["a"]))
        assert (result.path_count, result.dead_end_count, result.paths) == (0, 1, ())

    def test_single_outcome(self) -> None:
        """A journey of one outcome is one path of one step, certain."""
        result = branches(_journey([], outcomes={"done": "success"}))
        assert result.path_count == 1
        assert result.paths == (
            JourneyPath(steps=("done",), outcome="done", outcome_kind="success", probability=1.0),
        )

    def test_unreachable_steps(self) -> None:
        """Steps no entry reaches add no paths."""
        # Entry a -> won; z -> won and y -> z are never reached from a.
        j = _journey([("a", "won"), ("y", "z"), ("z", "won")], entries=["a"])
        result = branches(j)
        assert result.path_count == 1
        assert [p.steps for p in result.paths] == [("a", "won")]

    def test_sixty_forks(self) -> None:
        """60 two-way forks in a row: 2**60 paths, counted exactly and at once."""
        j = _fork_chain(60)
        start = time.perf_counter()
        result = branches(j, max_paths=5)
        assert time.perf_counter() - start < 1.0
        assert result.path_count == 2**60
        assert isinstance(result.path_count, int)
        assert len(result.paths) == 5
        assert result.truncated is True
        # Depth first by edge order: the first path takes every x, the second
        # differs only at the last fork.
        assert result.paths[0].steps[-3:] == ("s59", "x59", "s60")
        assert result.paths[1].steps[-3:] == ("s59", "y59", "s60")

    def test_big_loop_is_quick(self) -> None:
        """Listing paths through a 3,000-step loop costs linear time per path, not quadratic."""
        # A ring s0 -> s1 -> ... -> s2999 -> s0 with chords si -> s(i+2); only
        # s2999 leads out. One component, so one counted path; the first listed
        # path takes every step (the +1 edge comes first), then won.
        n = 3000
        edges: list[Edge] = []
        for i in range(n):
            edges += [(f"s{i}", f"s{(i + 1) % n}"), (f"s{i}", f"s{(i + 2) % n}")]
        j = _journey([*edges, (f"s{n - 1}", "won")], entries=["s0"])
        start = time.perf_counter()
        result = branches(j, max_paths=20)
        assert time.perf_counter() - start < 1.5
        assert (result.path_count, len(result.paths), result.truncated) == (1, 20, True)
        assert len(result.loops) == 1
        assert result.paths[0].steps == (*(f"s{i}" for i in range(n)), "won")

    # -- truncation ----------------------------------------------------------

    def test_truncated_by_max_paths(self) -> None:
        """max_paths cuts the listing and sets truncated only when a path was left out."""
        j = _fork_chain(2)  # 4 paths
        cut = branches(j, max_paths=3)
        assert (len(cut.paths), cut.truncated, cut.path_count) == (3, True, 4)
        whole = branches(j, max_paths=4)
        assert (len(whole.paths), whole.truncated) == (4, False)
        assert whole.paths[:3] == cut.paths

    def test_truncated_by_max_length(self) -> None:
        """max_length (in steps) drops longer paths and sets truncated only when it drops one."""
        # a -> won (2 steps) and a -> b -> won (3 steps).
        j = _journey([("a", "won"), ("a", "b"), ("b", "won")])
        short = branches(j, max_length=2)
        assert [p.steps for p in short.paths] == [("a", "won")]
        assert short.truncated is True
        both = branches(j, max_length=3)
        assert [p.steps for p in both.paths] == [("a", "won"), ("a", "b", "won")]
        assert both.truncated is False
        # An entry whose nearest outcome is too far gives nothing, and says so.
        none = branches(j, max_length=1)
        assert (none.paths, none.truncated, none.path_count) == ((), True, 2)

    def test_max_length_inside_a_loop(self) -> None:
        """Inside a loop the length bound is checked around the steps already used."""
        # a -> b, b <-> c, c -> won, b -> won. Simple paths: a-b-c-won (4), a-b-won (3).
        j = _journey([("a", "b"), ("b", "c"), ("c", "b"), ("c", "won"), ("b", "won")])
        result = branches(j, max_length=3)
        assert [p.steps for p in result.paths] == [("a", "b", "won")]
        assert result.truncated is True

    # -- decision points -----------------------------------------------------

    def test_decision_records(self) -> None:
        """Each decision: options in edge order (transitions, hand-offs), labels, who decides."""
        j = cx.Journey(
            id="j",
            name="J",
            owners=[cx.Owner(id="desk", name="Deal desk", kind="team")],
            touchpoints=[cx.Touchpoint(id=s, name=s.upper()) for s in ("a", "b", "c")],
            decision_points=[
                cx.DecisionPoint(
                    id="z-discount",
                    name="Discount?",
                    decided_by="employee",
                    owner="desk",
                    question="Give 10% off?",
                ),
                cx.DecisionPoint(id="a-buy", name="Buy?", decided_by="customer"),
            ],
            outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
            transitions=[
                cx.Transition(source="a-buy", target="c", count=1, label="later"),
                cx.Transition(source="z-discount", target="won", probability=0.4),
                cx.Transition(source="a", target="a-buy"),
                cx.Transition(source="c", target="won"),
                cx.Transition(source="b", target="z-discount"),
            ],
            handoffs=[
                cx.Handoff(source="a-buy", target="b", count=3, label="now"),
                cx.Handoff(source="z-discount", target="c", probability=0.6),
            ],
        )
        result = branches(j)
        # Sorted by id; counts 1 and 3 are shares 0.25 and 0.75.
        assert list(result) == [
            DecisionBranch(
                decision="a-buy",
                name="Buy?",
                decided_by="customer",
                owner=None,
                question="",
                options=("c", "b"),
                labels=("later", "now"),
                probabilities=(0.25, 0.75),
            ),
            DecisionBranch(
                decision="z-discount",
                name="Discount?",
                decided_by="employee",
                owner="desk",
                question="Give 10% off?",
                options=("won", "c"),
                labels=("", ""),
                probabilities=(0.4, 0.6),
            ),
        ]
        assert result.describe(result[1]) == (
            "'Discount?' (z-discount), decided by staff (Deal desk), asks "
            "'Give 10% off?': 'Won' (won) 40%, 'C' (c) 60%"
        )

    def test_unknown_probabilities(self) -> None:
        """Without probabilities or counts out of a step, its options and paths have none."""
        j = _journey([("a", "d"), ("d", "won"), ("d", "b"), ("b", "won")], decisions=["d"])
        result = branches(j)
        assert result[0].probabilities is None
        assert all(p.probability is None for p in result.paths)
        assert "(d)" in result.describe(result[0])
        assert "%" not in result.describe(result[0])

    def test_ignores_triggers(self) -> None:
        """Triggers move the organisation, not the customer: they are no options and no paths."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="alert", name="Alert")],
            decision_points=[cx.DecisionPoint(id="d", name="D", decided_by="customer")],
            outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
            entries=["a"],
            transitions=[
                cx.Transition(source="a", target="d"),
                cx.Transition(source="d", target="won"),
            ],
            triggers=[
                cx.Trigger(source="d", target="alert"),
                cx.Trigger(source="alert", target="won"),
            ],
        )
        result = branches(j)
        assert result[0].options == ("won",)
        assert result.path_count == 1

    # -- the bundled examples ------------------------------------------------

    def test_restaurant(self) -> None:
        """Restaurant: 40 paths through one big loop, five decisions, worked by hand."""
        result = branches(cx.load(EXAMPLES / "restaurant.yaml"))
        # Paths to an outcome from each component, from the outcomes back:
        # cater-event 1, dp-accept-proposal 2 (lost, cater-event), proposal 2,
        # dp-qualify 3 (+ lost), catering-enquiry 3, write-review 4 (+ advocate).
        # The visit loop K (how-to-visit ... after-visit, join-loyalty) leaves to
        # chose-elsewhere 1, lapsed 1, write-review 4, catering-enquiry 3: 9.
        # read-reviews: K + chose-elsewhere = 10; browse-menu: K + read-reviews
        # = 19; discover-online: browse 19 + read 10 + chose-elsewhere 1 = 30.
        # Entries discover-online and read-reviews: 30 + 10 = 40.
        assert result.path_count == 40
        assert result.dead_end_count == 0
        assert result.loops == (
            (
                "arrive-and-seat",
                "book-by-phone",
                "book-online",
                "dp-after-visit",
                "dp-how-to-visit",
                "dp-table-free",
                "join-loyalty",
                "order-meal",
                "pay-bill",
                "post-visit-email",
                "prepare-meal",
                "serve-meal",
            ),
        )
        assert [d.decision for d in result] == [
            "dp-accept-proposal",
            "dp-after-visit",
            "dp-how-to-visit",
            "dp-qualify-catering",
            "dp-table-free",
        ]
        after = result[1]
        assert after.decided_by == "customer"
        assert after.owner is None
        # Transitions in file order, then the hand-off to catering.
        assert after.options == (
            "dp-how-to-visit",
            "lapsed",
            "join-loyalty",
            "write-review",
            "catering-enquiry",
        )
        assert after.probabilities == (0.35, 0.25, 0.2, 0.15, 0.05)
        table_free = result[4]
        assert (table_free.decided_by, table_free.owner) == ("employee", "front-of-house")
        assert table_free.options == ("arrive-and-seat", "chose-elsewhere")
        # The most direct way out: discover-online (0.7) -> chose-elsewhere (0.1).
        short = [p for p in result.paths if p.steps == ("discover-online", "chose-elsewhere")]
        assert short[0].probability == pytest.approx(0.07)
        assert not result.truncated

    def test_b2b_software(self) -> None:
        """B2B software: 82 paths through three loops and ten decisions, worked by hand."""
        result = branches(cx.load(EXAMPLES / "b2b_software.yaml"))
        # From the outcomes back: reference-invite 2, dp-renew 5 (+ expanded,
        # churned, lost), renewal-quote = business-review = the support loop =
        # onboarding = sign-contract = 5; online-cart 6 (+ no-decision); the
        # proposal loop 12 (online-cart 6, lost 1, sign-contract 5); dp-evaluate
        # 14; product-demo 14; discovery-call 15; the lead loop 16
        # (discovery-call 15, no-decision 1); whitepaper-download and
        # contact-form 16; dp-chat-route 33 (whitepaper 16, lead loop 16,
        # no-decision 1); website-visit 66 (chat 33, whitepaper 16, contact 16,
        # no-decision 1). Entries website-visit and whitepaper-download: 82.
        assert result.path_count == 82
        assert result.dead_end_count == 0
        assert len(result.loops) == 3
        assert ("dp-buy-path", "dp-discount", "proposal") in result.loops
        deciders = {d.decision: d.decided_by for d in result}
        assert deciders == {
            "dp-buy-path": "customer",
            "dp-case-route": "automated",
            "dp-chat-route": "automated",
            "dp-discount": "employee",
            "dp-evaluate": "customer",
            "dp-lead-score": "automated",
            "dp-need-help": "customer",
            "dp-nurture-response": "customer",
            "dp-renew": "customer",
            "dp-sdr-qualify": "employee",
        }
        chat = next(d for d in result if d.decision == "dp-chat-route")
        assert chat.owner == "chatbot"
        assert chat.options == ("whitepaper-download", "no-decision", "sdr-outreach")
        assert chat.probabilities == (0.4, 0.25, 0.35)

    # -- results -------------------------------------------------------------

    def test_records_and_text(self) -> None:
        """Records are the decision fields; summary, repr, HTML and path records read well."""
        result = branches(cx.load(EXAMPLES / "restaurant.yaml"), max_paths=2)
        records = result.to_records()
        assert list(records[0]) == [
            "decision",
            "name",
            "decided_by",
            "owner",
            "question",
            "options",
            "labels",
            "probabilities",
        ]
        assert result.summary() == (
            "5 decision points; 40 paths from entries to outcomes (1 loop, each counted "
            "once); 2 listed (truncated)"
        )
        assert repr(result).startswith("<Branches: 5 decision points")
        assert "How to visit" in result._repr_html_()
        paths = result.path_records()
        assert list(paths[0]) == ["steps", "outcome", "outcome_kind", "probability"]
        assert isinstance(paths[0]["steps"], list)
        assert (result.max_paths, result.max_length) == (2, None)
        assert isinstance(result, Branches)

    def test_does_not_mutate(self) -> None:
        """The journey is unchanged and equal results come from equal input."""
        j = cx.load(EXAMPLES / "restaurant.yaml")
        before = cx.dumps(j)
        assert branches(j) == branches(cx.loads(before))
        assert cx.dumps(j) == before

    # -- bad input -----------------------------------------------------------

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match="branches\\(\\) takes a Journey, got dict"):
            branches({})  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [0, -1, True, 1.5, "10", None])
    def test_bad_max_paths(self, bad: object) -> None:
        """max_paths must be a positive integer."""
        with pytest.raises(ValueError, match="max_paths must be a positive integer"):
            branches(_journey([("a", "won")]), max_paths=bad)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [0, -3, False, 2.0, "5"])
    def test_bad_max_length(self, bad: object) -> None:
        """max_length must be a positive integer or None."""
        with pytest.raises(ValueError, match="max_length must be a positive integer"):
            branches(_journey([("a", "won")]), max_length=bad)  # type: ignore[arg-type]

    # -- properties ------------------------------------------------------------

    @given(jst.journeys(acyclic=True, max_steps=8))
    def test_count_equals_enumeration_on_dags(self, j: cx.Journey) -> None:
        """On acyclic journeys the DP count equals the number of enumerated paths."""
        result = branches(j)
        assert result.path_count == sum(1 for _ in _simple_paths(j))
        assert result.loops == ()

    @given(jst.journeys(max_steps=8))
    def test_count_equals_condensation_enumeration(self, j: cx.Journey) -> None:
        """With loops the count equals enumerated condensation paths and bounds simple paths."""
        result = branches(j)
        assert result.path_count == _condensation_paths(j)
        assert result.path_count <= sum(1 for _ in _simple_paths(j))

    @given(jst.journeys(max_steps=8), st.integers(1, 6), st.none() | st.integers(1, 6))
    def test_listing_matches_enumeration(
        self, j: cx.Journey, max_paths: int, max_length: int | None
    ) -> None:
        """Listed paths are the first simple paths in DFS edge order; truncated is exact."""
        bound = math.inf if max_length is None else max_length
        fitting = [p for p in _simple_paths(j) if len(p) <= bound]
        left_out_by_length = any(len(p) > bound for p in _simple_paths(j))
        result = branches(j, max_paths=max_paths, max_length=max_length)
        assert [p.steps for p in result.paths] == fitting[:max_paths]
        assert result.truncated == (len(fitting) > max_paths or left_out_by_length)

    @given(jst.journeys(acyclic=False, max_steps=7))
    def test_loops_are_the_cyclic_components(self, j: cx.Journey) -> None:
        """Loops are the components with more than one step or a self-loop, sorted."""
        flow = _flow(j)
        expected = sorted(
            tuple(sorted(c))
            for c in nx.strongly_connected_components(flow)
            if len(c) > 1 or any(flow.has_edge(s, s) for s in c)
        )
        assert list(branches(j).loops) == expected

    @given(jst.probabilistic_journeys(acyclic=True))
    def test_path_probabilities_sum_to_absorption(self, j: cx.Journey) -> None:
        """On probabilistic DAGs, listed path probabilities sum to the Markov outcome total."""
        result = branches(j)
        assert not result.truncated
        probs = [p.probability for p in result.paths]
        assert all(p is not None for p in probs)
        total = math.fsum(p for p in probs if p is not None)
        assert total <= 1 + 1e-9
        model = markov(j)
        assert total == pytest.approx(math.fsum(model.outcome_probabilities.values()), abs=1e-9)

    @given(jst.probabilistic_journeys())
    def test_path_probabilities_at_most_one(self, j: cx.Journey) -> None:
        """With loops too, listed (simple) path probabilities sum to at most 1."""
        probs = [p.probability for p in branches(j).paths]
        assert math.fsum(p for p in probs if p is not None) <= 1 + 1e-9

    @given(jst.journeys(max_steps=8))
    def test_deterministic(self, j: cx.Journey) -> None:
        """The same journey gives the same result, in the same order."""
        a, b = branches(j), branches(cx.loads(cx.dumps(j)))
        assert a == b
        assert a.paths == b.paths

    @given(jst.journeys(max_steps=8))
    def test_known_probabilities_sum_to_one(self, j: cx.Journey) -> None:
        """Known probabilities out of each step sum to 1 (they are shares of its options)."""
        sums: dict[str, float] = {}
        for (u, _), p in known_probabilities(cx.compile_graph(j)).items():
            sums[u] = sums.get(u, 0.0) + p
        assert all(s == pytest.approx(1.0, abs=1e-9) for s in sums.values())
