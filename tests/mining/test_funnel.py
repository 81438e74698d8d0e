"""Tests for cxgraph.mining.funnel: fallout along chosen steps, on a journey or an event log.

Golden funnels are worked by hand (the arithmetic is in each docstring);
on logs the numpy engine is checked against a brute-force count in plain
Python and the duckdb engine against the numpy engine; on journeys the
exact shares are checked against Monte Carlo estimates from ``simulate``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from tests._programs import unavailable

import cxgraph as cx
from cxgraph.graph import entry_weights
from cxgraph.mining.funnel import Funnel, FunnelError, FunnelStep, funnel
from cxgraph.mining.sequences import read_sequences
from cxgraph.mining.simulate import simulate
from cxgraph.readwrite.columns import EventLogError
from strategies import probabilistic_journeys

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
T = cx.Transition


@pytest.fixture(scope="module")
def duckdb() -> Any:
    """DuckDB, or a skip (a failure under CI=true, where every engine must run)."""
    try:
        import duckdb
    except ImportError:
        unavailable("duckdb is not installed (pip install duckdb)", "duckdb tests must run in CI")
    return duckdb


def loop_journey(**changes: Any) -> cx.Journey:
    """Entries a, b (1/2 each); a -> b .5, c .3, lost .2; b -> a .4, c .4, lost .2; c -> won."""
    j = cx.Journey(
        id="loop",
        name="Loop",
        touchpoints=[cx.Touchpoint(id=x, name=x.upper()) for x in "abc"],
        outcomes=[
            cx.Outcome(id="won", name="Won", kind="success"),
            cx.Outcome(id="lost", name="Lost", kind="failure"),
        ],
        entries=[cx.Entry(step="a", probability=0.5), cx.Entry(step="b", probability=0.5)],
        transitions=[
            T(source="a", target="b", probability=0.5),
            T(source="a", target="c", probability=0.3),
            T(source="a", target="lost", probability=0.2),
            T(source="b", target="a", probability=0.4),
            T(source="b", target="c", probability=0.4),
            T(source="b", target="lost", probability=0.2),
            T(source="c", target="won", probability=1.0),
        ],
    )
    return j.with_changes(**changes) if changes else j


#: A small log, by hand: case -> activities in time order.
CASES = {
    "c1": ["Visit", "Browse", "Pay"],
    "c2": ["Visit", "Pay", "Browse", "Pay"],
    "c3": ["Browse", "Visit", "Browse", "Visit", "Pay"],
    "c4": ["Pay", "Visit"],
    "c5": ["Visit", "Visit", "Browse"],
    "c6": ["Browse", "Pay"],
}


def frame(cases: dict[str, list[str]], *, shuffle: bool = True) -> pd.DataFrame:
    """A log of ``cases``, one minute between events, rows in reverse order unless not
    ``shuffle`` (activities then first appear in case order)."""
    rows = [
        (c, a, f"2024-05-01T10:{t:02d}:00Z")
        for c, acts in cases.items()
        for t, a in enumerate(acts)
    ]
    if shuffle:
        rows.reverse()  # rows out of order: the funnel must order by time
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])


def reached(result: Funnel) -> list[Any]:
    return [s.reached for s in result]


def brute_force(cases: Sequence[Sequence[str]], steps: Sequence[str], mode: str) -> list[int]:
    """How many cases reach each prefix of ``steps``, by the definition, in plain Python."""

    def has(case: Sequence[str], prefix: Sequence[str]) -> bool:
        if mode == "directly":
            k = len(prefix)
            return any(list(case[i : i + k]) == list(prefix) for i in range(len(case)))
        it = iter(case)
        return all(any(x == s for x in it) for s in prefix)  # a subsequence

    return [sum(has(c, steps[: k + 1]) for c in cases) for k in range(len(steps))]


class TestFunnelOnAJourney:
    def test_golden_eventually(self) -> None:
        """[a, b, c] eventually: 0.7, 0.35, 0.2275.

        P(reach a) = .5 (start at a) + .5 * .4 (start at b, then b -> a) = .7.
        From a, b comes next or never (a -> c -> won, a -> lost): .5, so .35.
        From b, reach c: h_c(b) = .4 + .4 h_c(a), h_c(a) = .3 + .5 h_c(b), so
        h_c(a) = .5 / .8 = .625 and h_c(b) = .65: .35 * .65 = .2275.
        """
        f = funnel(loop_journey(), ["a", "b", "c"])
        assert reached(f) == pytest.approx([0.7, 0.35, 0.2275])
        assert [s.share_of_start for s in f] == pytest.approx([1, 0.5, 0.325])
        assert [s.share_of_previous for s in f] == pytest.approx([1, 0.5, 0.65])
        assert [s.dropped for s in f] == pytest.approx([0, 0.35, 0.1225])
        assert (f.mode, f.source, f.cases) == ("eventually", "journey", None)

    def test_golden_directly(self) -> None:
        """[a, b, c] directly: 0.7, 0.35, 0.175 (not .7 * .5 * .4 = .14: the run may come later).

        From a (one step matched): M1 = .5 M2 (a -> b); from b after a (two
        matched): M2 = .4 (b -> c) + .4 M1 (b -> a starts again), so M1 = .2 +
        .2 M1 = .25: .7 * .25 = .175.
        """
        f = funnel(loop_journey(), ["a", "b", "c"], mode="directly")
        assert reached(f) == pytest.approx([0.7, 0.35, 0.175])
        assert f.mode == "directly"

    def test_golden_two_steps(self) -> None:
        """[a, c]: eventually .7 * .625 = .4375; directly M = .3 + .5 * .4 M = .375, so .2625."""
        j = loop_journey()
        assert reached(funnel(j, ["a", "c"])) == pytest.approx([0.7, 0.4375])
        assert reached(funnel(j, ["a", "c"], mode="directly")) == pytest.approx([0.7, 0.2625])

    def test_repeated_step(self) -> None:
        """[a, a]: a return needs a -> b -> a (.5 * .4 = .2), so .14; directly never (no a -> a)."""
        j = loop_journey()
        assert reached(funnel(j, ["a", "a"])) == pytest.approx([0.7, 0.14])
        assert reached(funnel(j, ["a", "a"], mode="directly")) == pytest.approx([0.7, 0.0])

    def test_outcomes_as_steps(self) -> None:
        """An outcome can end a funnel; nothing follows one.

        P(reach c) = .5 h_c(a) + .5 h_c(b) = .5 * .625 + .5 * .65 = .6375, and
        c -> won is certain; from a, won follows as often as c (.625).
        """
        j = loop_journey()
        assert reached(funnel(j, ["a", "won"])) == pytest.approx([0.7, 0.4375])
        assert reached(funnel(j, ["c", "won"], mode="directly")) == pytest.approx([0.6375] * 2)
        assert reached(funnel(j, ["won", "a"])) == pytest.approx([0.6375, 0.0])
        assert reached(funnel(j, ["won", "a"], mode="directly")) == pytest.approx([0.6375, 0.0])

    def test_acyclic_directly_is_the_product_of_edges(self) -> None:
        """Where s1 is visited once, directly = P(reach s1) * the edge probabilities."""
        j = cx.load(next(p for p in EXAMPLES if p.stem == "vending"))
        model = cx.markov(j)
        f = funnel(j, ["approach-machine", "dp-has-cash", "insert-cash"], mode="directly")
        p = model.transition_probability
        product = p["approach-machine", "dp-has-cash"] * p["dp-has-cash", "insert-cash"]
        assert reached(f)[-1] == pytest.approx(
            product * model.reach_probability("approach-machine")
        )

    def test_first_step_never_reached(self) -> None:
        """A first step no entry reaches gives zeros, and shares of start None."""
        j = loop_journey(
            touchpoints=[cx.Touchpoint(id=x, name=x.upper()) for x in "abcz"],
            transitions=[*loop_journey().transitions, T(source="z", target="a")],
        )
        f = funnel(j, ["z", "a"])
        assert reached(f) == [0.0, 0.0]
        assert [s.share_of_start for s in f] == [None, None]
        assert [s.share_of_previous for s in f] == [1.0, None]
        assert [s.dropped for s in f] == [0.0, 0.0]
        assert "none reach the first step" in f.summary()

    def test_counts_stand_in_for_probabilities(self) -> None:
        """Counts on the edges are proportions, as in the Markov model."""
        counted = loop_journey(
            transitions=[
                attrs.evolve(t, probability=None, count=round(10 * (t.probability or 0)))
                for t in loop_journey().transitions
            ]
        )
        assert reached(funnel(counted, ["a", "b", "c"])) == pytest.approx([0.7, 0.35, 0.2275])

    def test_words(self) -> None:
        """The summary and each step read in plain words, names first."""
        f = funnel(loop_journey(), ["a", "c"])
        assert f.summary() == (
            "2 steps, eventually followed, on the journey's Markov chain: 70% of journeys "
            "reach the first step, 43.8% of journeys the last (62.5%)"
        )
        assert f.lines() == [
            "'A' (a): 70% of journeys start the funnel",
            "'C' (c): 43.8% of journeys (62.5% of the first step, 62.5% of the step before); "
            "26.2% drop out before it",
        ]
        assert f.to_frame().columns.tolist() == [
            "step",
            "reached",
            "share_of_start",
            "share_of_previous",
            "dropped",
        ]
        assert "<pre>" not in f._repr_html_()

    def test_loops_and_overlapping_runs_match_simulation(self) -> None:
        """Around loops, and for runs that overlap themselves (a b a b), exact = simulated."""
        j = loop_journey(
            transitions=[
                *loop_journey().transitions[3:6],
                T(source="a", target="a", probability=0.2),
                T(source="a", target="b", probability=0.5),
                T(source="a", target="c", probability=0.2),
                T(source="a", target="lost", probability=0.1),
                T(source="c", target="a", probability=0.3),
                T(source="c", target="won", probability=0.7),
            ]
        )
        n = 20_000
        log = simulate(j, n)
        patterns = [
            *(list(p) for p in ("a", "ab", "ba", "aa", "ac", "ca", "abc", "aab", "aba")),
            *(list(p) for p in ("abab", "aaab", "abca", "cabc", "abcab", "aabaa")),
        ]
        for steps in patterns:
            for mode in ("eventually", "directly"):
                exact = reached(funnel(j, steps, mode=mode))
                counted = reached(funnel(log, steps, mode=mode))
                for a, c in zip(exact, counted, strict=True):
                    error = math.sqrt(max(a * (1 - a), 1 / n) / n)
                    assert abs(a - c / n) <= 5 * error, (mode, steps, exact, counted)

    @settings(derandomize=True, max_examples=20, suppress_health_check=[HealthCheck.too_slow])
    @given(probabilistic_journeys(max_steps=6), st.data())
    def test_monotone_and_within_bounds(self, j: cx.Journey, data: st.DataObject) -> None:
        """Reached is in [0, 1] and never grows along the funnel, in both modes."""
        try:
            cx.markov(j)
        except cx.CxgraphError:
            assume(False)
        assume(j.steps and math.fsum(entry_weights(j)[0].values()) > 0)
        ids = [s.id for s in j.steps]
        steps = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4))
        for mode in ("eventually", "directly"):
            r = reached(funnel(j, steps, mode=mode))
            assert all(0.0 <= x <= 1.0 for x in r)
            assert all(b <= a for a, b in itertools.pairwise(r))

    @settings(derandomize=True, max_examples=15, suppress_health_check=[HealthCheck.too_slow])
    @given(probabilistic_journeys(max_steps=5), st.data())
    def test_equals_monte_carlo(self, j: cx.Journey, data: st.DataObject) -> None:
        """The exact shares match the share of simulated cases, within five standard errors."""
        moving = [*j.touchpoints, *j.decision_points]
        assume(moving and len({s.name for s in moving}) == len(moving))
        try:
            model = cx.markov(j)
        except cx.CxgraphError:
            assume(False)
        assume(math.fsum(entry_weights(j)[0].values()) > 0 and model.expected_steps < 50)
        steps = data.draw(st.lists(st.sampled_from([s.id for s in moving]), min_size=1, max_size=4))
        n = 4000
        j = j.with_changes(
            touchpoints=[attrs.evolve(t, duration=timedelta(0)) for t in j.touchpoints]
        )
        log = simulate(j, n)
        seq = read_sequences(log) if len(log) else None
        log_id = dict(zip(seq.activities, seq.ids, strict=True)) if seq else {}
        names = {s.id: s.name for s in moving}
        # A step no simulated case visits is unknown to the log: count up to it, then 0.
        seen = next((k for k, s in enumerate(steps) if names[s] not in log_id), len(steps))
        for mode in ("eventually", "directly"):
            exact = reached(funnel(j, steps, mode=mode))
            counted = [0] * len(steps)
            if seen:
                in_log = [log_id[names[s]] for s in steps[:seen]]
                counted[:seen] = reached(funnel(log, in_log, mode=mode))
            for a, c in zip(exact, counted, strict=True):
                error = math.sqrt(max(a * (1 - a), 1 / n) / n)
                assert abs(a - c / n) <= 5 * error, (mode, steps, exact, counted)


class TestFunnelOnALog:
    def test_golden_eventually(self) -> None:
        """Visit, Browse, Pay eventually: 5, 4, 3.

        Visit: every case but c6. Browse after it: c1, c2, c3, c5 (c4 has
        none). Pay after that: c1, c2 (Browse at 2, Pay at 3), c3 (Browse at
        2, Pay at 4); c5 has none.
        """
        f = funnel(frame(CASES), ["visit", "browse", "pay"])
        assert f.to_records() == [
            {"step": "visit", "reached": 5, "share_of_start": 1.0, "share_of_previous": 1.0,
             "dropped": 0},
            {"step": "browse", "reached": 4, "share_of_start": 0.8, "share_of_previous": 0.8,
             "dropped": 1},
            {"step": "pay", "reached": 3, "share_of_start": 0.6, "share_of_previous": 0.75,
             "dropped": 1},
        ]  # fmt: skip
        assert (f.source, f.cases, f.step_names["pay"]) == ("events", 6, "Pay")

    def test_golden_directly(self) -> None:
        """Visit, Browse, Pay directly: 5, 3 (c1, c3, c5 have Visit Browse), 1 (only c1)."""
        f = funnel(frame(CASES), ["visit", "browse", "pay"], mode="directly")
        assert reached(f) == [5, 3, 1]
        assert [s.share_of_previous for s in f] == [1.0, 0.6, pytest.approx(1 / 3)]

    def test_repeated_step(self) -> None:
        """Visit twice: c3 and c5 eventually; only c5 (Visit Visit) directly."""
        log = frame(CASES)
        assert reached(funnel(log, ["visit", "visit"])) == [5, 2]
        assert reached(funnel(log, ["visit", "visit"], mode="directly")) == [5, 1]

    def test_zero_then_none(self) -> None:
        """Browse Browse directly: nobody; a share over a step nobody reached is None."""
        f = funnel(frame(CASES), ["browse", "browse", "pay"], mode="directly")
        assert reached(f) == [5, 0, 0]
        assert [s.share_of_start for s in f] == [1.0, 0.0, 0.0]
        assert [s.share_of_previous for s in f] == [1.0, 0.0, None]
        assert [s.dropped for s in f] == [0, 5, 0]

    def test_words(self) -> None:
        """Counts read as cases."""
        f = funnel(frame(CASES), ["visit", "pay"])
        assert f.summary() == (
            "2 steps, eventually followed, over 6 cases: 5 cases reach the first step, "
            "3 cases the last (60%)"
        )
        assert f.describe(f[1]) == (
            "'Pay' (pay): 3 cases (60% of the first step, 60% of the step before); "
            "2 cases drop out before it"
        )

    def test_ids_as_discover_gives_them(self) -> None:
        """Steps are the ids discover gives: clashing slugs get -2, and 'end' is reserved."""
        log = frame({"x": ["Pay", "pay", "End"]}, shuffle=False)
        found = [t.id for t in cx.discover(log).touchpoints]
        assert found == ["pay", "pay-2", "end-2"]
        assert reached(funnel(log, found, mode="directly")) == [1, 1, 1]

    def test_columns_as_discover_reads_them(self, tmp_path: Path) -> None:
        """Named columns, and a CSV file, are read as discover reads them."""
        log = frame(CASES).rename(
            columns={"case:concept:name": "id", "concept:name": "act", "time:timestamp": "ts"}
        )
        path = tmp_path / "log.csv"
        log.to_csv(path, index=False)
        options = {"case": "id", "activity": "act", "timestamp": "ts"}
        assert reached(funnel(path, ["visit", "pay"], **options)) == [5, 3]

    @pytest.mark.parametrize("mode", ["eventually", "directly"])
    @pytest.mark.parametrize(
        "steps",
        [["visit"], ["visit", "browse", "pay"], ["visit", "visit"], ["pay", "visit", "browse"]],
    )
    def test_duckdb_equals_numpy(self, duckdb: Any, steps: list[str], mode: str) -> None:
        """The duckdb engine gives exactly the numpy engine's funnel."""
        log = frame(CASES)
        a = funnel(log, steps, mode=mode)
        b = funnel(log, steps, mode=mode, engine="duckdb")
        assert a == b
        assert all(type(s.reached) is int for s in b)

    def test_duckdb_on_a_parquet_file(self, duckdb: Any, tmp_path: Path) -> None:
        """On a file, with quotes in an activity, duckdb agrees with numpy."""
        log = frame({**CASES, "c7": ["Visit", "Rock 'n' roll", "Pay"]})
        path = tmp_path / "log.parquet"
        log.to_parquet(path)
        steps = ["visit", "rock-n-roll", "pay"]
        for mode in ("eventually", "directly"):
            a = funnel(path, steps, mode=mode)
            assert a == funnel(path, steps, mode=mode, engine="duckdb")
            assert reached(a) == [6, 1, 1]

    @given(
        st.lists(st.lists(st.sampled_from("abcd"), min_size=1, max_size=8), min_size=1,
                 max_size=12),
        st.lists(st.sampled_from("abcd"), min_size=1, max_size=4),
    )  # fmt: skip
    def test_numpy_equals_brute_force(self, cases: list[list[str]], steps: list[str]) -> None:
        """The vectorised counts equal the definition, case by case, in both modes."""
        assume(set(steps) <= {a for c in cases for a in c})
        log = frame({f"c{i}": c for i, c in enumerate(cases)})
        for mode in ("eventually", "directly"):
            f = funnel(log, steps, mode=mode)
            assert reached(f) == brute_force(cases, steps, mode)
            r = reached(f)
            assert all(b <= a for a, b in itertools.pairwise(r))
            shares = [s.share_of_start for s in f]
            known = [x for x in shares if x is not None]
            assert known == shares  # the first step is always reached on a log
            assert all(b <= a for a, b in itertools.pairwise(known))
            assert [s.dropped for s in f] == [0, *(a - b for a, b in itertools.pairwise(r))]

    @settings(max_examples=10)
    @given(
        st.lists(st.lists(st.sampled_from("abc"), min_size=1, max_size=6), min_size=1,
                 max_size=8),
        st.lists(st.sampled_from("abc"), min_size=1, max_size=3),
    )  # fmt: skip
    def test_duckdb_equals_numpy_always(self, cases: list[list[str]], steps: list[str]) -> None:
        """On any small log the two engines agree, in both modes."""
        pytest.importorskip("duckdb")
        assume(set(steps) <= {a for c in cases for a in c})
        log = frame({f"c{i}": c for i, c in enumerate(cases)})
        for mode in ("eventually", "directly"):
            assert funnel(log, steps, mode=mode) == funnel(log, steps, mode=mode, engine="duckdb")

    def test_speed(self) -> None:
        """A million events take seconds on the numpy engine, in both modes."""
        import time

        j = cx.load(next(p for p in EXAMPLES if p.stem == "restaurant"))
        log = simulate(j, 80_000)
        assert len(log) > 1_000_000
        steps = ["discover-online", "read-reviews", "dp-how-to-visit", "book-by-phone"]
        names = {s.id: s.name for s in j.steps}
        seq = read_sequences(log)
        ids = dict(zip(seq.activities, seq.ids, strict=True))
        for mode in ("eventually", "directly"):
            began = time.perf_counter()
            f = funnel(log, [ids[names[s]] for s in steps], mode=mode)
            assert time.perf_counter() - began < 10
            assert reached(f)[-1] > 0


def _no_numbers() -> cx.Journey:
    return loop_journey(
        transitions=[attrs.evolve(t, probability=None) for t in loop_journey().transitions]
    )


#: (name, source, steps, options, error, message fragment)
BROKEN: list[tuple[str, Any, Any, dict[str, Any], type[Exception], str]] = [
    ("steps text", "log", "visit", {}, TypeError, r"steps is a list of step ids, got string"),
    ("steps none", "log", None, {}, TypeError, r"steps is a list of step ids, got null"),
    ("steps not text", "log", ["visit", 3], {}, TypeError, r"steps\[1\] is integer 3"),
    ("steps empty", "log", [], {}, FunnelError, r"steps is empty"),
    ("unknown step", "log", ["visit", "nope"], {}, FunnelError,
     r"unknown step 'nope' \(known: 'pay', 'browse', 'visit'\)"),
    ("step by name", "log", ["Visit"], {}, FunnelError,
     r"'Visit' is the activity of step 'visit': steps go by id"),
    ("every unknown step", "log", ["x", "y", "x"], {}, FunnelError,
     r"unknown step 'x'.*\n.*unknown step 'y'"),
    ("unknown mode", "log", ["visit"], {"mode": "often"}, FunnelError,
     r"unknown mode 'often' \(choices: 'eventually', 'directly'\)"),
    ("spark", "log", ["visit"], {"engine": "spark"}, FunnelError,
     r"unknown engine 'spark'.*a funnel runs on numpy or duckdb"),
    ("unknown engine", "log", ["visit"], {"engine": "pandas"}, FunnelError,
     r"unknown engine 'pandas' \(choices: 'numpy', 'duckdb'\)"),
    ("missing column", "log", ["visit"], {"activity": "act"}, EventLogError, r"'act'"),
    ("not a log", 42, ["visit"], {}, EventLogError, r"int"),
    ("journey unknown step", loop_journey(), ["a", "zz"], {}, FunnelError,
     r"unknown step 'zz' \(known: 'a', 'b', 'c', 'won', 'lost'\)"),
    ("journey step by name", loop_journey(), ["A"], {}, FunnelError,
     r"'A' is the name of step 'a': steps go by id"),
    ("journey without numbers", _no_numbers(), ["a"], {}, FunnelError,
     r"funnel\(\) needs probabilities: the ways out of 'A' \(a\), 'B' \(b\) carry neither"),
    ("journey without entries", loop_journey(entries=[], transitions=[
        *loop_journey().transitions, T(source="c", target="a", probability=0.0)]), ["a"], {},
     FunnelError, r"the journey 'loop' has no entry"),
    ("journey with a closed loop", loop_journey(entries=["a"], transitions=[
        T(source="a", target="b", probability=1.0), T(source="b", target="a", probability=1.0)]),
     ["a"], {}, cx.CxgraphError, r"closed loop with no way out"),
]  # fmt: skip


class TestFunnelBrokenInputs:
    @pytest.mark.parametrize(
        ("name", "source", "steps", "options", "error", "match"), BROKEN, ids=[b[0] for b in BROKEN]
    )
    def test_broken(
        self,
        name: str,
        source: Any,
        steps: Any,
        options: dict[str, Any],
        error: type[Exception],
        match: str,
    ) -> None:
        """Each broken input raises its documented error type with a message saying what."""
        if isinstance(source, str) and source == "log":
            source = frame(CASES)
        with pytest.raises(error, match=match):
            funnel(source, steps, **options)

    def test_unknown_step_on_duckdb(self, duckdb: Any) -> None:
        """The duckdb engine names unknown steps as numpy does."""
        with pytest.raises(FunnelError, match=r"unknown step 'nope'"):
            funnel(frame(CASES), ["nope"], engine="duckdb")

    def test_errors_are_value_errors(self) -> None:
        """FunnelError is a CxgraphError and a ValueError."""
        assert issubclass(FunnelError, cx.CxgraphError)
        assert issubclass(FunnelError, ValueError)

    def test_records_type(self) -> None:
        """The findings are FunnelStep records."""
        assert all(isinstance(s, FunnelStep) for s in funnel(frame(CASES), ["pay"]))
