"""Tests for cxgraph.attribution.shapley: Shapley values of games and of path data."""

from __future__ import annotations

import importlib
import itertools
import math
from decimal import Decimal
from fractions import Fraction as Fr
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxgraph.analyses.markov import markov
from cxgraph.attribution.paths import PathData, paths
from cxgraph.attribution.shapley import (
    MAX_PLAYERS,
    ShapleyError,
    _markov_worths,
    markov_shapley_credit,
    shapley_credit,
    shapley_values,
)
from cxgraph.errors import CxgraphError

#: DP6's worked example: coalition (letters in O, F, D order) -> worth.
DP6 = {"": 0, "O": 7, "F": 6, "D": 4, "OF": 15, "OD": 7, "FD": 9, "OFD": 19}


def dp6(s: frozenset[str]) -> Fr:
    """DP6's characteristic function, as an exact fraction."""
    return Fr(DP6["".join(p for p in "OFD" if p in s)])


def close(x: float, y: float, tol: float = 1e-12) -> bool:
    """Equal within ``tol``, relative or absolute."""
    return math.isclose(x, y, rel_tol=tol, abs_tol=tol)


@st.composite
def games(draw: st.DrawFn) -> tuple[list[int], dict[frozenset[int], int]]:
    """Random games of 0-6 players with integer worths, v(∅) not necessarily 0."""
    n = draw(st.integers(0, 6))
    players = list(range(n))
    worth = {
        frozenset(c): draw(st.integers(-20, 20))
        for size in range(n + 1)
        for c in itertools.combinations(players, size)
    }
    return players, worth


@st.composite
def path_tables(draw: st.DrawFn, max_channels: int = 6) -> list[dict[str, Any]]:
    """Path tables of 1-8 rows of 1-5 touches over up to ``max_channels`` channels."""
    k = draw(st.integers(1, max_channels))
    channels = [f"c{i}" for i in range(k)]
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        path = draw(st.lists(st.sampled_from(channels), min_size=1, max_size=5))
        conv = draw(st.integers(0, 5))
        rows.append(
            {
                "path": " > ".join(path),
                "total_conversions": conv,
                "total_conversion_value": draw(st.integers(0, 40)) * 0.5 if conv else 0.0,
                "total_null": draw(st.integers(0, 5)),
            }
        )
    return rows


def path_game(data: PathData) -> Any:
    """v(S) = conversions of the paths whose channel set lies in S, by brute force."""

    def v(s: frozenset[str]) -> float:
        return math.fsum(r.conversions for r in data if set(r.path) <= s)

    return v


def many_channels(k: int) -> PathData:
    """A path table over ``k`` channels: a chain of pairs, each converting once."""
    rows = [
        {"path": f"ch{i:02d} > ch{(i + 1) % k:02d}", "total_conversions": 1, "total_null": i % 3}
        for i in range(k)
    ]
    return paths(rows)


class TestShapleyValues:
    """shapley_values(): exact Shapley values of any small game."""

    def test_dp6_worked_example_exact(self) -> None:
        """DP6's example gives O=23/3, F=49/6, D=19/6 exactly in fractions."""
        result = shapley_values(["O", "F", "D"], dp6)
        assert result == {"O": Fr(23, 3), "F": Fr(49, 6), "D": Fr(19, 6)}
        assert all(type(x) is Fr for x in result.values())
        assert list(result) == ["O", "F", "D"]

    def test_dp6_worked_example_in_floats(self) -> None:
        """The same game in floats gives the same values within round-off."""
        result = shapley_values(["D", "O", "F"], lambda s: float(dp6(s)))
        assert list(result) == ["D", "O", "F"]
        assert all(type(x) is float for x in result.values())
        assert close(result["O"], 23 / 3)
        assert close(result["F"], 49 / 6)
        assert close(result["D"], 19 / 6)

    def test_integers_give_floats(self) -> None:
        """Integer worths are combined in floats."""
        result = shapley_values(["a", "b"], len)
        assert result == {"a": 1.0, "b": 1.0}
        assert all(type(x) is float for x in result.values())

    def test_each_coalition_evaluated_once(self) -> None:
        """Every one of the 2**n coalitions is evaluated exactly once, the empty one first."""
        seen: list[frozenset[str]] = []

        def v(s: frozenset[str]) -> float:
            seen.append(s)
            return float(len(s) ** 2)

        shapley_values(list("abcde"), v)
        assert len(seen) == 32
        assert len(set(seen)) == 32
        assert seen[0] == frozenset()

    def test_no_players(self) -> None:
        """No players: an empty result, v(∅) still evaluated once."""
        calls: list[frozenset[Any]] = []
        assert shapley_values([], lambda s: calls.append(s) or 0.0) == {}
        assert calls == [frozenset()]

    def test_twenty_players(self) -> None:
        """Twenty players (the limit) work: an additive game gives each its own worth."""
        result = shapley_values(list(range(MAX_PLAYERS)), len)
        assert len(result) == MAX_PLAYERS
        assert all(close(x, 1.0) for x in result.values())

    def test_over_the_limit_before_any_evaluation(self) -> None:
        """Over 20 players raises before any call, naming the limit and the shapley model."""
        calls: list[frozenset[int]] = []

        def v(s: frozenset[int]) -> float:
            calls.append(s)
            return 0.0

        with pytest.raises(ShapleyError, match=r"21 players, over the limit of 20.*'shapley'"):
            shapley_values(list(range(21)), v)
        assert calls == []
        assert issubclass(ShapleyError, CxgraphError)
        assert issubclass(ShapleyError, ValueError)

    def test_repeated_player(self) -> None:
        """A repeated player is an error before any evaluation."""
        with pytest.raises(ShapleyError, match=r"player 2 \('a'\) repeats player 0"):
            shapley_values(["a", "b", "a"], len)

    def test_unhashable_player(self) -> None:
        """A player that is not hashable is an error."""
        with pytest.raises(ShapleyError, match=r"player 1 \(\['x'\]\) is not hashable"):
            shapley_values(["a", ["x"]], len)  # type: ignore[list-item]

    @pytest.mark.parametrize("players", ["abc", b"ab", {"a", "b"}, 3])
    def test_players_not_a_sequence(self, players: Any) -> None:
        """A string or a non-sequence of players is a TypeError."""
        with pytest.raises(TypeError, match="takes a sequence of players"):
            shapley_values(players, len)

    def test_value_not_callable(self) -> None:
        """A value that is not callable is a TypeError."""
        with pytest.raises(TypeError, match="value must be callable, got dict"):
            shapley_values(["a"], {})  # type: ignore[arg-type]

    def test_value_raises(self) -> None:
        """A value function that raises is reported with the coalition, chained."""

        def v(s: frozenset[str]) -> float:
            if s == {"a", "b"}:
                raise KeyError("ab")
            return 0.0

        with pytest.raises(ShapleyError, match=r"value\(\{'a', 'b'\}\) raised KeyError") as info:
            shapley_values(["a", "b"], v)
        assert isinstance(info.value.__cause__, KeyError)

    @pytest.mark.parametrize(
        "bad", [None, "1", True, math.nan, math.inf, Decimal(1), 1j, np.float64("nan")]
    )
    def test_value_not_a_number(self, bad: Any) -> None:
        """A worth that is not a finite real number is an error naming it."""
        with pytest.raises(ShapleyError, match=r"value\(\{\}\) returned .*finite real number"):
            shapley_values(["a"], lambda s: bad)

    def test_numpy_numbers(self) -> None:
        """numpy numbers are taken as floats."""
        result = shapley_values(["a", "b"], lambda s: np.float32(len(s)))
        assert result == {"a": 1.0, "b": 1.0}

    @given(games())
    def test_efficiency_exact(self, game: tuple[list[int], dict[frozenset[int], int]]) -> None:
        """With fraction worths the values add up to v(N) − v(∅) exactly."""
        players, worth = game
        result = shapley_values(players, lambda s: Fr(worth[s]))
        if players:
            assert sum(result.values()) == worth[frozenset(players)] - worth[frozenset()]

    @given(games())
    def test_efficiency_floats(self, game: tuple[list[int], dict[frozenset[int], int]]) -> None:
        """In floats the values add up to v(N) − v(∅) within round-off."""
        players, worth = game
        result = shapley_values(players, lambda s: float(worth[s]))
        total = worth[frozenset(players)] - worth[frozenset()]
        assert math.isclose(math.fsum(result.values()), total, abs_tol=1e-9)

    @given(games(), st.data())
    def test_symmetry(
        self, game: tuple[list[int], dict[frozenset[int], int]], data: st.DataObject
    ) -> None:
        """Two players who add the same to every coalition get the same value."""
        players, worth = game
        if len(players) < 2:
            return
        i, j = data.draw(st.sampled_from(list(itertools.permutations(players, 2))))
        # Make j a copy of i: v(S ∪ {j}) = v(S ∪ {i}) for S without both.
        twin = dict(worth)
        for s in worth:
            if j in s and i not in s:
                twin[s] = worth[(s - {j}) | {i}]
        result = shapley_values(players, lambda s: Fr(twin[s]))
        assert result[i] == result[j]

    @given(games(), st.data())
    def test_null_player(
        self, game: tuple[list[int], dict[frozenset[int], int]], data: st.DataObject
    ) -> None:
        """A player who adds nothing to any coalition gets 0."""
        players, worth = game
        if not players:
            return
        dummy = data.draw(st.sampled_from(players))
        result = shapley_values(players, lambda s: Fr(worth[s - {dummy}]))
        assert result[dummy] == 0

    @given(games())
    def test_floats_match_fractions(
        self, game: tuple[list[int], dict[frozenset[int], int]]
    ) -> None:
        """The float and the exact computations agree."""
        players, worth = game
        exact = shapley_values(players, lambda s: Fr(worth[s]))
        approx = shapley_values(players, lambda s: float(worth[s]))
        assert all(math.isclose(approx[p], exact[p], abs_tol=1e-9) for p in players)


class TestShapleyCredit:
    """shapley_credit(): the path game in dividend form."""

    def test_equal_split_among_distinct_channels(self) -> None:
        """Each path's conversions and value split equally among its distinct channels."""
        data = paths(
            [
                {"path": "a > b > a", "total_conversions": 3, "total_conversion_value": 9},
                {"path": "b > c", "total_conversions": 2, "total_conversion_value": 4},
                {"path": "c", "total_conversions": 0, "total_conversion_value": 0},
            ]
        )
        conv, value = shapley_credit(data)
        assert conv.tolist() == [1.5, 2.5, 1.0]
        assert value.tolist() == [4.5, 6.5, 2.0]

    @given(path_tables())
    def test_sums_to_totals(self, rows: list[dict[str, Any]]) -> None:
        """Conversions and value sum to the data's totals and are never negative."""
        data = paths(rows)
        conv, value = shapley_credit(data)
        assert conv.shape == value.shape == (len(data.channels),)
        assert math.isclose(math.fsum(conv.tolist()), data.total_conversions, abs_tol=1e-9)
        assert math.isclose(math.fsum(value.tolist()), data.total_value, abs_tol=1e-9)
        assert (conv >= 0).all()
        assert (value >= 0).all()

    @given(path_tables(max_channels=8))
    def test_equals_brute_force(self, rows: list[dict[str, Any]]) -> None:
        """The dividend form equals shapley_values over the path game."""
        data = paths(rows)
        conv, _ = shapley_credit(data)
        brute = shapley_values(list(data.channels), path_game(data))
        for i, c in enumerate(data.channels):
            assert math.isclose(conv[i], brute[c], rel_tol=1e-9, abs_tol=1e-9)

    def test_many_channels(self) -> None:
        """Far more channels than shapley_values can enumerate is no problem."""
        data = many_channels(500)
        conv, _ = shapley_credit(data)
        assert conv.shape == (500,)
        assert math.isclose(math.fsum(conv.tolist()), 500.0)


def reference_worth(data: PathData, kept: set[str]) -> float:
    """v(S) by building the first-order chain by hand and solving densely."""
    names = list(data.channels)
    k = len(names)
    idx = {c: i + 1 for i, c in enumerate(names)}  # 0 start, k+1 conversion, k+2 null
    w = np.zeros((k + 3, k + 3))
    for r in data:
        chain = [idx[c] for c in r.path]
        weight = r.conversions + r.nulls
        for s, t in zip([0, *chain[:-1]], chain, strict=True):
            w[s, t] += weight
        w[chain[-1], k + 1] += r.conversions
        w[chain[-1], k + 2] += r.nulls
    out = w.sum(axis=1, keepdims=True)
    p = np.divide(w, out, out=np.zeros_like(w), where=out > 0)
    q, conv = p[: k + 1, : k + 1].copy(), p[: k + 1, k + 1].copy()
    for c in names:
        if c not in kept:
            q[:, idx[c]] = 0.0
    return float(np.linalg.solve(np.eye(k + 1) - q, conv)[0])


class TestMarkovShapleyCredit:
    """markov_shapley_credit(): Shapley values of the first-order chain's game."""

    @given(path_tables(max_channels=5))
    def test_worths_without_one_channel_match_removal_effects(
        self, rows: list[dict[str, Any]]
    ) -> None:
        """v(N) is P and v(N∖{c}) is P·(1 − removal effect of c) from cx.markov."""
        data = paths(rows)
        worths = _markov_worths(data)
        model = markov(data.to_journey())
        effects = model.removal_effects(by="step")
        full = (1 << len(data.channels)) - 1
        p = model.conversion_probability
        assert close(worths[full], p)
        assert worths[0] == 0.0
        for i, step in enumerate(data.step_ids.values()):
            assert math.isclose(
                worths[full & ~(1 << i)], p * (1 - effects[step]), rel_tol=1e-9, abs_tol=1e-12
            )

    @given(path_tables(max_channels=4))
    def test_equals_shapley_values_of_reference_chain(self, rows: list[dict[str, Any]]) -> None:
        """φ equals shapley_values over a hand-built chain solved per coalition."""
        data = paths(rows)
        phi, p = markov_shapley_credit(data)
        expected = shapley_values(list(data.channels), lambda s: reference_worth(data, set(s)))
        walked = data.total_conversions + data.total_nulls
        assert close(p, data.total_conversions / walked if walked else 0.0)
        assert math.isclose(math.fsum(phi), p, abs_tol=1e-12)
        for x, c in zip(phi, data.channels, strict=True):
            assert math.isclose(x, expected[c], rel_tol=1e-9, abs_tol=1e-12)

    def test_twenty_channels(self) -> None:
        """Twenty channels (the limit) are solved; the values add up to P."""
        data = many_channels(MAX_PLAYERS)
        phi, p = markov_shapley_credit(data)
        assert len(phi) == MAX_PLAYERS
        assert close(p, data.total_conversions / (data.total_conversions + data.total_nulls))
        assert math.isclose(math.fsum(phi), p, abs_tol=1e-12)

    def test_over_the_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Over 20 channels raises before any solving, naming the limit and the shapley model."""
        # cx.attribution is the function, so reach the module by its import path.
        module = importlib.import_module("cxgraph.attribution.shapley")

        def fail(path_data: PathData) -> Any:
            raise AssertionError("solved")

        monkeypatch.setattr(module, "_markov_worths", fail)
        with pytest.raises(ShapleyError, match=r"21 channels, over the limit of 20.*'shapley'"):
            markov_shapley_credit(many_channels(21))

    def test_no_journeys(self) -> None:
        """Paths with no conversions or nulls give P = 0 and every φ 0."""
        data = paths([{"path": "a > b", "total_conversions": 0, "total_null": 0}])
        assert markov_shapley_credit(data) == ([0.0, 0.0], 0.0)
