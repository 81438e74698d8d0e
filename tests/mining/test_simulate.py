"""Tests for cxgraph.mining.simulate: event logs simulated from a journey's Markov chain.

The recovery property of the design (``discover(simulate(j, n))`` recovers
``j``'s probabilities within sampling error) is checked per source step with
a chi-square goodness-of-fit test at p >= 0.001, on the bundled examples and
on Hypothesis journeys (derandomized, and simulated with a fixed seed, so
every run sees the same logs).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from scipy import stats

import cxgraph as cx
from cxgraph.graph import entry_weights
from cxgraph.mining.simulate import (
    COLUMNS,
    DEFAULT_START,
    SimulationError,
    simulate,
    unweighted_steps,
)
from strategies import probabilistic_journeys

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
T = cx.Transition
#: The significance level of the recovery property (design section 10).
ALPHA = 0.001


def shop(**changes: Any) -> cx.Journey:
    """Visit (web team, 1 h by default) -> Pay (5 min, no owner) or Lost; Pay -> Won."""
    j = cx.Journey(
        id="shop",
        name="Shop",
        owners=[cx.Owner(id="web", name="Web team", kind="team")],
        touchpoints=[
            cx.Touchpoint(id="visit", name="Visit", owner="web"),
            cx.Touchpoint(id="pay", name="Pay", duration=timedelta(minutes=5)),
        ],
        outcomes=[
            cx.Outcome(id="won", name="Won", kind="success"),
            cx.Outcome(id="lost", name="Lost", kind="failure"),
        ],
        transitions=[
            T(source="visit", target="pay", probability=0.5),
            T(source="visit", target="lost", probability=0.5),
            T(source="pay", target="won", probability=1.0),
        ],
    )
    return j.with_changes(**changes) if changes else j


def support(**changes: Any) -> cx.Journey:
    """Ask (10 min) -> a customer decision: ask again (p) or done (1 - p)."""
    j = cx.Journey(
        id="support",
        name="Support",
        owners=[cx.Owner(id="desk", name="Help desk", kind="team")],
        touchpoints=[cx.Touchpoint(id="ask", name="Ask", duration=timedelta(minutes=10))],
        decision_points=[
            cx.DecisionPoint(id="ok", name="Solved?", decided_by="employee", owner="desk")
        ],
        outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
        entries=["ask"],
        transitions=[
            T(source="ask", target="ok"),
            T(source="ok", target="ask", probability=0.5),
            T(source="ok", target="done", probability=0.5),
        ],
    )
    return j.with_changes(**changes) if changes else j


def bounded_durations(j: cx.Journey) -> cx.Journey:
    """The journey with every touchpoint duration cut to at most a day (times stay in range)."""
    day = timedelta(days=1)
    return j.with_changes(
        touchpoints=[
            attrs.evolve(t, duration=min(t.duration, day) if t.duration is not None else None)
            for t in j.touchpoints
        ]
    )


def chi_square_p(observed: list[int], expected: list[float]) -> float:
    """Pearson's goodness of fit, cells with expected count under 5 pooled into one."""
    small = [i for i, e in enumerate(expected) if e < 5]
    big = [i for i, e in enumerate(expected) if e >= 5]
    obs = [observed[i] for i in big]
    exp = [expected[i] for i in big]
    if small:
        obs.append(sum(observed[i] for i in small))
        exp.append(sum(expected[i] for i in small))
    if len(obs) < 2:
        return 1.0
    statistic = sum((o - e) ** 2 / e for o, e in zip(obs, exp, strict=True) if e > 0)
    return float(stats.chi2.sf(statistic, len(obs) - 1))


def recovery_p_values(j: cx.Journey, log: pd.DataFrame) -> dict[str, float]:
    """Per source step (and ``<entries>``): the chi-square p-value of the flows
    discovered in ``log`` against the journey's probabilities (outcomes and dead
    ends merged into discover's ``end``). Steps are matched by name, so names
    must be unique."""
    found = cx.discover(log)
    name = {s.id: s.name for s in found.steps}
    outcome = {o.id for o in j.outcomes}
    observed: dict[str, Counter[str]] = defaultdict(Counter)
    for t in found.transitions:
        observed[name[t.source]]["<end>" if t.target == "end" else name[t.target]] += t.count or 0
    for e in found.entries:
        observed["<entries>"][name[e.step]] += e.count or 0

    model = cx.markov(j)
    expected: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_id = {s.id: s for s in j.steps}
    for (u, v), p in model.transition_probability.items():
        expected[by_id[u].name]["<end>" if v in outcome else by_id[v].name] += p
    for s in (*j.touchpoints, *j.decision_points):
        if s.name not in expected:
            expected[s.name]["<end>"] = 1.0  # a dead end: the case ends there
    weights, _ = entry_weights(j)
    into_steps = {s: w for s, w in weights.items() if s not in outcome and w > 0}
    total = math.fsum(into_steps.values())
    for s, w in into_steps.items():
        expected["<entries>"][by_id[s].name] += w / total

    out = {}
    for source, seen in observed.items():
        probs = expected[source]
        assert set(seen) <= {t for t, p in probs.items() if p > 0}, (source, seen, probs)
        n = sum(seen.values())
        targets = sorted(probs)
        out[source] = chi_square_p([seen[t] for t in targets], [n * probs[t] for t in targets])
    return out


class TestSimulate:
    def test_golden_layout(self) -> None:
        """Events are discover's default columns, by case then time, with names and owners."""
        log = simulate(shop(), 3)
        assert list(log.columns) == list(COLUMNS)
        assert str(log["time:timestamp"].dtype) == "datetime64[us, UTC]"
        rows = [
            (c, a, t.isoformat(), r)
            for c, a, t, r in zip(*(log[col] for col in COLUMNS), strict=True)
        ]
        assert rows == [
            ("case-1", "Visit", "2024-01-01T00:00:00+00:00", "web"),
            ("case-2", "Visit", "2024-01-01T00:01:00+00:00", "web"),
            ("case-2", "Pay", "2024-01-01T01:01:00+00:00", ""),
            ("case-3", "Visit", "2024-01-01T00:02:00+00:00", "web"),
            ("case-3", "Pay", "2024-01-01T01:02:00+00:00", ""),
        ]

    def test_decisions_take_no_time_and_are_written(self) -> None:
        """A decision is an event at the time the touchpoint before it ended; outcomes are not."""
        log = simulate(support(), 1, start="2024-06-01T09:00:00+02:00")
        assert list(log["concept:name"]) == ["Ask", "Solved?", "Ask", "Solved?"]
        assert [t.isoformat() for t in log["time:timestamp"]] == [
            "2024-06-01T07:00:00+00:00",  # +02:00 converted to UTC
            "2024-06-01T07:10:00+00:00",
            "2024-06-01T07:10:00+00:00",
            "2024-06-01T07:20:00+00:00",
        ]
        assert list(log["org:resource"]) == ["", "desk", "", "desk"]

    @pytest.mark.parametrize(
        ("start", "first"),
        [
            (None, DEFAULT_START),
            ("2030-05-06T07:08", datetime(2030, 5, 6, 7, 8, tzinfo=UTC)),
            (datetime(2030, 5, 6, 7, 8), datetime(2030, 5, 6, 7, 8, tzinfo=UTC)),
            (pd.Timestamp("2030-05-06T09:08+02:00"), datetime(2030, 5, 6, 7, 8, tzinfo=UTC)),
            ("1900-01-01T00:00Z", datetime(1900, 1, 1, tzinfo=UTC)),
        ],
    )
    def test_start(self, start: Any, first: datetime) -> None:
        """Case k (from 0) starts at ``start`` plus k minutes; naive times are UTC."""
        log = simulate(shop(), 5, start=start)
        starts = log.groupby("case:concept:name")["time:timestamp"].min()
        assert [t.to_pydatetime() for t in starts] == [
            first + timedelta(minutes=k) for k in range(5)
        ]

    def test_same_seed_same_log(self) -> None:
        """The seed fixes the log; another seed gives another."""
        j = cx.load(EXAMPLES[0])
        pd.testing.assert_frame_equal(simulate(j, 200, seed=7), simulate(j, 200, seed=7))
        assert not simulate(j, 200, seed=7).equals(simulate(j, 200, seed=8))

    def test_numpy_integers(self) -> None:
        """numpy's integers are integers too, and give the same log as Python's."""
        a = simulate(shop(), np.int64(20), seed=np.uint8(4), max_steps=np.int32(5))
        pd.testing.assert_frame_equal(a, simulate(shop(), 20, seed=4, max_steps=5))

    def test_no_cases(self) -> None:
        """Zero cases give an empty log with the same columns and types."""
        empty, some = simulate(shop(), 0), simulate(shop(), 2)
        assert empty.shape == (0, 4)
        assert list(empty.columns) == list(COLUMNS)
        assert empty.dtypes.to_dict() == some.dtypes.to_dict()

    def test_case_ids_sort_in_case_order(self) -> None:
        """Case ids are zero-padded to one width, so they sort as the cases were started."""
        log = simulate(shop(), 12)
        ids = list(dict.fromkeys(log["case:concept:name"]))
        assert ids[0] == "case-01"
        assert ids == sorted(ids)

    def test_entry_at_an_outcome_writes_no_event(self) -> None:
        """A case that starts at an outcome keeps its case id but writes no event."""
        j = shop(
            entries=[
                cx.Entry(step="visit", probability=0.5),
                cx.Entry(step="won", probability=0.5),
            ]
        )
        log = simulate(j, 400)
        cases = set(log["case:concept:name"])
        assert 150 < len(cases) < 250
        assert cases <= {f"case-{k:03d}" for k in range(1, 401)}

    def test_dead_end_ends_the_case(self) -> None:
        """A step with no way out ends the case after its event."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B")],
            transitions=[T(source="a", target="b")],
        )
        assert list(simulate(j, 2)["concept:name"]) == ["A", "B", "A", "B"]

    def test_handoffs_move_and_triggers_do_not(self) -> None:
        """Hand-offs are customer flow; triggers are not walked."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id=x, name=x.upper()) for x in "abc"],
            outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
            entries=["a"],
            handoffs=[cx.Handoff(source="a", target="b")],
            transitions=[T(source="b", target="won")],
            triggers=[cx.Trigger(source="a", target="c")],
        )
        assert set(simulate(j, 50)["concept:name"]) == {"A", "B"}

    def test_counts_are_probabilities(self) -> None:
        """Counts stand in for probabilities, as in the Markov model."""
        j = support(
            transitions=[
                T(source="ask", target="ok"),
                T(source="ok", target="ask", count=1),
                T(source="ok", target="done", count=3),
            ]
        )
        log = simulate(j, 4000)
        asks = (log["concept:name"] == "Ask").sum() / 4000
        assert asks == pytest.approx(4 / 3, rel=0.05)  # 1 / (3/4) visits on average

    def test_implicit_entries(self) -> None:
        """Without declared entries, every step without inflow starts equally often."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id=x, name=x.upper()) for x in "abc"],
            outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
            transitions=[
                T(source="a", target="c"),
                T(source="b", target="c"),
                T(source="c", target="won"),
            ],
        )
        firsts = simulate(j, 2000).groupby("case:concept:name")["concept:name"].first()
        assert set(firsts) == {"A", "B"}
        assert chi_square_p(list(Counter(firsts).values()), [1000.0, 1000.0]) >= ALPHA

    def test_max_steps_cuts_with_one_warning(self) -> None:
        """A case still going after max_steps events is cut there, and one warning counts them."""
        j = support(
            transitions=[
                T(source="ask", target="ok"),
                T(source="ok", target="ask", probability=0.99),
                T(source="ok", target="done", probability=0.01),
            ]
        )
        with pytest.warns(cx.CxgraphWarning, match=r"cases? of 50 (was|were) cut at max_steps=6"):
            log = simulate(j, 50, max_steps=6)
        assert log.groupby("case:concept:name").size().max() == 6

    def test_no_warning_when_nothing_is_cut(self) -> None:
        """Cases that end in time raise no warning."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            simulate(shop(), 100, max_steps=2)

    def test_discover_reads_it_back(self) -> None:
        """discover() reads the log with its defaults: same activities, one case per case."""
        log = simulate(shop(), 300)
        found = cx.discover(log)
        assert {t.name for t in found.touchpoints} == {"Visit", "Pay"}
        assert found.extensions["discover"]["cases"] == 300
        assert found.extensions["discover"]["events"] == len(log)

    @pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
    def test_recovers_the_examples(self, path: Path) -> None:
        """On each bundled example, every step's discovered flows fit its probabilities."""
        j = cx.load(path)
        assert cx.markov(j).probabilities_known
        p_values = recovery_p_values(j, simulate(j, 20_000))
        assert len(p_values) > 1
        assert min(p_values.values()) >= ALPHA, p_values

    def test_recovery_check_sees_a_wrong_journey(self) -> None:
        """The chi-square check rejects a log simulated from other probabilities."""
        right = shop()
        wrong = shop(
            transitions=[
                T(source="visit", target="pay", probability=0.45),
                T(source="visit", target="lost", probability=0.55),
                T(source="pay", target="won", probability=1.0),
            ]
        )
        p_values = recovery_p_values(right, simulate(wrong, 20_000))
        assert p_values["Visit"] < ALPHA
        assert p_values["Pay"] == 1.0  # one way out: nothing to test

    @settings(
        derandomize=True,
        max_examples=25,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(probabilistic_journeys(max_steps=6))
    def test_recovers_hypothesis_journeys(self, j: cx.Journey) -> None:
        """discover(simulate(j, n)) fits j's probabilities at each step (chi-square, p >= .001)."""
        moving = [s.name for s in (*j.touchpoints, *j.decision_points)]
        assume(len(set(moving)) == len(moving))  # steps are matched back by name
        try:
            model = cx.markov(j)
        except cx.CxgraphError:
            assume(False)  # a closed loop: nothing to simulate
        outcomes = {o.id for o in j.outcomes}
        weights = entry_weights(j)[0]
        assume(any(w > 0 and s not in outcomes for s, w in weights.items()))
        assume(model.expected_steps < 50)
        p_values = recovery_p_values(j, simulate(bounded_durations(j), 3000))
        assert all(p >= ALPHA for p in p_values.values()), p_values

    def test_speed(self) -> None:
        """100,000 cases of the restaurant journey (1.3 million events) take seconds at most."""
        import time

        j = cx.load(next(p for p in EXAMPLES if p.stem == "restaurant"))
        began = time.perf_counter()
        log = simulate(j, 100_000)
        assert len(log) > 1_000_000
        assert time.perf_counter() - began < 20


class TestUnweightedSteps:
    def test_names_reachable_steps_only(self) -> None:
        """Unweighted ways out count only at steps the entries reach, several ways out only."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id=x, name=x.upper()) for x in "abcz"],
            outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
            entries=["a"],
            transitions=[
                T(source="a", target="b"),  # one way out: certain
                T(source="b", target="c"),
                T(source="b", target="won"),  # two, no numbers
                T(source="c", target="won"),
                T(source="z", target="a"),  # z: not reached
                T(source="z", target="won"),
            ],
        )
        assert unweighted_steps(j, cx.markov(j)) == ["b"]


def _closed_loop() -> cx.Journey:
    return support(
        transitions=[
            T(source="ask", target="ok"),
            T(source="ok", target="ask", probability=1.0),
            T(source="ok", target="done", probability=0.0),
        ]
    )


def _long(**kw: Any) -> cx.Journey:
    return shop(
        touchpoints=[
            cx.Touchpoint(id="visit", name="Visit", duration=timedelta(days=999_999_999)),
            cx.Touchpoint(id="pay", name="Pay", duration=timedelta(days=999_999_999)),
        ],
        **kw,
    )


BROKEN: list[tuple[str, Any, Any, dict[str, Any], type[Exception], str]] = [
    ("not a journey", {"id": "j"}, 10, {}, TypeError, r"simulate\(\) takes a Journey, got dict"),
    ("cases text", shop(), "10", {}, TypeError, r"simulate\(cases='10'\): expected an integer"),
    ("cases float", shop(), 1.5, {}, TypeError, r"cases=1\.5.*got float"),
    ("cases bool", shop(), True, {}, TypeError, r"cases=True.*got bool"),
    ("cases negative", shop(), -1, {}, SimulationError, r"cases=-1.*non-negative integer"),
    ("seed negative", shop(), 1, {"seed": -3}, SimulationError, r"seed=-3.*non-negative"),
    ("seed text", shop(), 1, {"seed": "0"}, TypeError, r"seed='0'.*expected an integer"),
    ("max_steps 0", shop(), 1, {"max_steps": 0}, SimulationError, r"at least 1"),
    ("start text", shop(), 1, {"start": "soon"}, SimulationError, r"'soon'.*not an ISO 8601"),
    ("start number", shop(), 1, {"start": 5}, TypeError, r"start=.*datetime or ISO 8601.*int"),
    (
        "no probabilities",
        support(
            transitions=[
                T(source="ask", target="ok"),
                T(source="ok", target="ask"),
                T(source="ok", target="done"),
            ]
        ),
        5,
        {},
        SimulationError,
        r"needs probabilities: the ways out of 'Solved\?' \(ok\) carry neither",
    ),
    (
        "no entries",
        support(entries=[]),
        5,
        {},
        SimulationError,
        r"journey 'support' has no entry.*declare entries",
    ),
    ("closed loop", _closed_loop(), 5, {}, cx.CxgraphError, r"closed loop with no way out"),
    ("times overflow", _long(), 5, {}, SimulationError, r"run past the year 294,247"),
]


class TestSimulateBrokenInputs:
    @pytest.mark.parametrize(
        ("name", "journey", "cases", "options", "error", "match"),
        BROKEN,
        ids=[b[0] for b in BROKEN],
    )
    def test_broken(
        self,
        name: str,
        journey: Any,
        cases: Any,
        options: dict[str, Any],
        error: type[Exception],
        match: str,
    ) -> None:
        """Each broken input raises its documented error type with a message saying what."""
        with pytest.raises(error, match=match):
            simulate(journey, cases, **options)

    def test_errors_are_value_errors(self) -> None:
        """SimulationError is a CxgraphError and a ValueError."""
        assert issubclass(SimulationError, cx.CxgraphError)
        assert issubclass(SimulationError, ValueError)

    def test_every_unweighted_step_is_named(self) -> None:
        """All steps without numbers on their ways out are listed in one error."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id=x, name=x.upper()) for x in "ab"],
            outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
            entries=["a"],
            transitions=[
                T(source="a", target="b"),
                T(source="a", target="won"),
                T(source="b", target="a"),
                T(source="b", target="won"),
            ],
        )
        with pytest.raises(SimulationError, match=r"'A' \(a\), 'B' \(b\) carry neither"):
            simulate(j, 1)

    def test_late_start_is_still_a_time(self) -> None:
        """A start near the end of the calendar stays a valid timestamp."""
        j = shop(
            touchpoints=[
                cx.Touchpoint(id="visit", name="Visit", duration=timedelta(days=2)),
                cx.Touchpoint(id="pay", name="Pay"),
            ]
        )
        log = simulate(j, 10, start=datetime(9999, 12, 31))
        assert log["time:timestamp"].max().year == 10_000
        assert np.all(log["time:timestamp"].notna())
