"""Tests for cxgraph.attribution.higher_order: Markov attribution of order k."""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxgraph.analyses.markov import markov
from cxgraph.attribution.higher_order import OrderError, markov_order_credit
from cxgraph.attribution.paths import PathData, paths
from cxgraph.errors import CxgraphError

#: A small table whose order-2 chain differs from its order-1 chain.
SMALL = [
    {"path": "a > b > c", "total_conversions": 3, "total_null": 1},
    {"path": "b > a > c", "total_conversions": 0, "total_null": 4},
    {"path": "a > a > b", "total_conversions": 2, "total_null": 2},
    {"path": "c > b", "total_conversions": 1, "total_null": 0},
    {"path": "b", "total_conversions": 0, "total_null": 3},
]


@st.composite
def path_tables(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Path tables of 1-8 rows of 1-5 touches over up to five channels."""
    channels = [f"c{i}" for i in range(draw(st.integers(1, 5)))]
    return [
        {
            "path": " > ".join(draw(st.lists(st.sampled_from(channels), min_size=1, max_size=5))),
            "total_conversions": draw(st.integers(0, 5)),
            "total_null": draw(st.integers(0, 5)),
        }
        for _ in range(draw(st.integers(1, 8)))
    ]


def reference(rows: list[dict[str, Any]], order: int) -> tuple[dict[str, float], float]:
    """Removal effects and P(conversion) of the order-``order`` chain, built by hand.

    States are tuples of the last ``order`` channels; transition counts are
    added up path by path in Python, the chain solved with numpy.linalg.solve.
    """
    table = [
        ([c.strip() for c in r["path"].split(">")], r["total_conversions"], r["total_null"])
        for r in rows
    ]
    states: dict[tuple[str, ...], int] = {(): 0}  # () is the start
    moves: dict[tuple[int, int], float] = {}
    conv: dict[int, float] = {}
    out: dict[int, float] = {}
    for path, c, z in table:
        weight = c + z
        if weight == 0:
            continue
        prev = 0
        for t in range(len(path)):
            s = states.setdefault(tuple(path[max(0, t - order + 1) : t + 1]), len(states))
            moves[prev, s] = moves.get((prev, s), 0.0) + weight
            out[prev] = out.get(prev, 0.0) + weight
            prev = s
        conv[prev] = conv.get(prev, 0.0) + c
        out[prev] = out.get(prev, 0.0) + weight
    n = len(states)
    q = np.zeros((n, n))
    r = np.zeros(n)
    for (s, t), w in moves.items():
        q[s, t] = w / out[s]
    for s, c in conv.items():
        r[s] = c / out[s]

    def conversion(removed: str | None) -> float:
        qq, rr = q.copy(), r.copy()
        for state, i in states.items():
            if removed is not None and removed in state:
                qq[:, i] = 0.0
        return float(np.linalg.solve(np.eye(n) - qq, rr)[0]) if out else 0.0

    p = conversion(None)
    names = sorted({c for path, _, _ in table for c in path})
    return {c: (1 - conversion(c) / p if p > 0 else 0.0) for c in names}, p


def check(data: PathData, rows: list[dict[str, Any]], order: int) -> None:
    """markov_order_credit agrees with the reference within 1e-12."""
    effects, p = markov_order_credit(data, order)
    expected, expected_p = reference(rows, order)
    assert math.isclose(p, expected_p, abs_tol=1e-12)
    assert len(effects) == len(data.channels)
    for c, e in zip(data.channels, effects, strict=True):
        assert math.isclose(e, expected[c], abs_tol=1e-12), (c, e, expected[c])


class TestMarkovOrderCredit:
    """markov_order_credit(): removal effects in the chain of the last k touches."""

    def test_order_two_by_hand(self) -> None:
        """Order 2 on a small table equals a chain built and solved by hand."""
        check(paths(SMALL), SMALL, 2)

    @pytest.mark.parametrize("order", [1, 2, 3])
    def test_orders_against_reference(self, order: int) -> None:
        """Each order on the small table equals the reference construction."""
        check(paths(SMALL), SMALL, order)

    def test_order_two_worked_example(self) -> None:
        """Where a path came from decides conversion at order 2, not at order 1."""
        rows = [
            {"path": "a > c", "total_conversions": 1, "total_null": 0},
            {"path": "b > c", "total_conversions": 0, "total_null": 1},
        ]
        data = paths(rows)
        assert markov_order_credit(data, 1) == ([0.5, 0.5, 1.0], 0.5)
        assert markov_order_credit(data, 2) == ([1.0, 0.0, 1.0], 0.5)

    @given(path_tables())
    def test_order_one_is_the_markov_model(self, rows: list[dict[str, Any]]) -> None:
        """Order 1 gives the removal effects and P of cx.markov on the paths' journey."""
        data = paths(rows)
        effects, p = markov_order_credit(data, 1)
        model = markov(data.to_journey())
        by_step = model.removal_effects(by="step")
        assert math.isclose(p, model.conversion_probability, abs_tol=1e-12)
        for e, step in zip(effects, data.step_ids.values(), strict=True):
            assert math.isclose(e, by_step[step], rel_tol=1e-9, abs_tol=1e-12)

    @given(path_tables(), st.integers(2, 5))
    def test_higher_orders_against_reference(self, rows: list[dict[str, Any]], order: int) -> None:
        """Orders 2 and up equal the reference construction within 1e-12."""
        data = paths(rows)
        longest = max(len(r.path) for r in data)
        check(data, rows, min(order, longest))

    @given(path_tables(), st.integers(1, 5))
    def test_converts_like_the_data(self, rows: list[dict[str, Any]], order: int) -> None:
        """At every order P is conversions / journeys and each effect lies in [0, 1]."""
        data = paths(rows)
        longest = max(len(r.path) for r in data)
        effects, p = markov_order_credit(data, min(order, longest))
        walked = data.total_conversions + data.total_nulls
        assert math.isclose(p, data.total_conversions / walked if walked else 0.0, abs_tol=1e-12)
        assert all(0.0 <= e <= 1.0 for e in effects)

    def test_sparse_solve(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The sparse LU path gives the dense path's results."""
        module = importlib.import_module("cxgraph.attribution.higher_order")
        data = paths(SMALL)
        dense = markov_order_credit(data, 2)
        monkeypatch.setattr(module, "DENSE_STATES", 0)
        effects, p = markov_order_credit(data, 2)
        assert math.isclose(p, dense[1], abs_tol=1e-12)
        assert all(
            math.isclose(x, y, abs_tol=1e-12) for x, y in zip(effects, dense[0], strict=True)
        )

    def test_channel_only_on_empty_paths(self) -> None:
        """A channel only on paths with no journeys has effect 0."""
        data = paths(
            [
                {"path": "a > b", "total_conversions": 1, "total_null": 1},
                {"path": "z > a", "total_conversions": 0, "total_null": 0},
            ]
        )
        effects, p = markov_order_credit(data, 2)
        assert effects == [1.0, 1.0, 0.0]
        assert p == 0.5

    def test_no_journeys(self) -> None:
        """No conversions or nulls anywhere: P and every effect are 0."""
        data = paths([{"path": "a > b", "total_conversions": 0, "total_null": 0}])
        assert markov_order_credit(data, 2) == ([0.0, 0.0], 0.0)

    def test_no_conversions(self) -> None:
        """Journeys that never convert: P and every effect are 0."""
        data = paths([{"path": "a > b", "total_conversions": 0, "total_null": 3}])
        assert markov_order_credit(data, 1) == ([0.0, 0.0], 0.0)

    def test_numpy_integer_order(self) -> None:
        """A numpy integer order is accepted."""
        data = paths(SMALL)
        assert markov_order_credit(data, np.int64(2)) == markov_order_credit(data, 2)  # type: ignore[arg-type]

    @pytest.mark.parametrize("order", [0, -1, 4, 2.0, "2", True, None])
    def test_bad_order(self, order: Any) -> None:
        """An order that is not a whole number from 1 to the longest path is an OrderError."""
        with pytest.raises(
            OrderError, match=r"order=.*: expected a whole number from 1 to 3, the length"
        ):
            markov_order_credit(paths(SMALL), order)
        assert issubclass(OrderError, CxgraphError)
        assert issubclass(OrderError, ValueError)

    def test_not_path_data(self) -> None:
        """Anything but PathData is a TypeError."""
        with pytest.raises(TypeError, match="takes PathData"):
            markov_order_credit(SMALL, 1)  # type: ignore[arg-type]
