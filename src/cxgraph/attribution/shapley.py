"""Shapley values: of any small game, and of the channels in conversion paths.

:func:`shapley_values` computes the exact Shapley values of a characteristic
function over at most :data:`MAX_PLAYERS` players: each of the ``2 ** n``
coalitions is evaluated once (the empty one too) and player ``i`` gets

    φ_i = Σ_{S ∌ i} |S|! (n - |S| - 1)! / n! · (v(S ∪ {i}) - v(S)).

Two attribution models rest on it (design 11):

- ``shapley`` (:func:`shapley_credit`): v(S) is the conversions of the paths
  whose set of channels lies in S, as in Zhao et al. (2018) and DP6. That
  game is a sum of unanimity games, one per path (its Harsanyi dividends are
  the paths' conversions), so its Shapley value splits each path's
  conversions, and its value, equally among the path's *distinct* channels:
  exact for any number of channels, with no coalition enumerated.
- ``markov_shapley`` (:func:`markov_shapley_credit`, at most
  :data:`MAX_PLAYERS` channels): v(S) is the conversion probability of the
  first-order chain of the paths with every channel outside S removed as in
  the removal effects (its state becomes a dead end), solved exactly for
  every coalition.

Examples
--------
DP6's worked example (a game, not paths), exact in fractions:

>>> from fractions import Fraction
>>> worth = {"": 0, "O": 7, "F": 6, "D": 4, "OF": 15, "OD": 7, "FD": 9, "OFD": 19}
>>> def v(s):
...     return Fraction(worth["".join(p for p in "OFD" if p in s)])
>>> shapley_values(["O", "F", "D"], v)
{'O': Fraction(23, 3), 'F': Fraction(49, 6), 'D': Fraction(19, 6)}
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from cxgraph.errors import CxgraphError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.attribution.paths import PathData

    FloatArray = npt.NDArray[np.float64]

__all__ = [
    "MAX_PLAYERS",
    "ShapleyError",
    "markov_shapley_credit",
    "shapley_credit",
    "shapley_values",
]

#: The most players (or channels) whose ``2 ** n`` coalitions are enumerated.
MAX_PLAYERS = 20

#: Coalitions solved together in one batch by :func:`markov_shapley_credit`.
_BATCH = 4096

P = TypeVar("P", bound=Hashable)


class ShapleyError(CxgraphError, ValueError):
    """A Shapley computation that cannot be done: too many players, bad players or values."""


def _too_many(*, what: str, n: int, noun: str) -> ShapleyError:
    return ShapleyError(
        f"{what}: {n} {noun}, over the limit of {MAX_PLAYERS} (exact Shapley values "
        f"evaluate all 2**n coalitions; 2**{n} = {2**n:,}); the 'shapley' attribution "
        f"model (attribution(data, model='shapley'): path-based, in dividend form) is "
        f"exact for any number of channels"
    )


# -- any game ------------------------------------------------------------------------


def shapley_values(players: Sequence[P], value: Callable[[frozenset[P]], float]) -> dict[P, float]:
    """Exact Shapley values of the game ``value`` over ``players``.

    Parameters
    ----------
    players
        The players: distinct and hashable, at most :data:`MAX_PLAYERS`.
    value
        The characteristic function: a coalition (a frozenset of players)
        to its worth, a real number. It is called once per coalition,
        ``2 ** len(players)`` times in all, the empty coalition first.

    Returns
    -------
    dict
        Player → Shapley value, in the order of ``players``. They add up to
        ``v(all players) - v(∅)``. Floats, unless a worth is an exact
        rational such as :class:`fractions.Fraction`: then the arithmetic is
        Python's and exact worths give exact values.

    Raises
    ------
    TypeError
        If ``players`` is a string or not a sequence, or ``value`` is not
        callable.
    ShapleyError
        Before any call of ``value``: for more than :data:`MAX_PLAYERS`
        players (naming the limit and the ``shapley`` attribution model,
        which scales), a player that is not hashable or a repeated player.
        After: when ``value`` raises (chained) or returns something that is
        not a finite real number, naming the coalition. Also a
        ``ValueError``.

    Examples
    --------
    A glove game: a left and a right glove make a pair worth 1.

    >>> pair = lambda s: float("L" in s and ("R1" in s or "R2" in s))
    >>> shapley_values(["L", "R1", "R2"], pair)
    {'L': 0.6666666666666666, 'R1': 0.16666666666666666, 'R2': 0.16666666666666666}
    >>> shapley_values(range(21), len)
    Traceback (most recent call last):
    ...
    cxgraph.attribution.shapley.ShapleyError: shapley_values(): 21 players, over the limit of 20 ...
    """
    if isinstance(players, str | bytes) or not isinstance(players, Sequence):
        msg = f"shapley_values() takes a sequence of players, got {type(players).__name__}"
        raise TypeError(msg)
    if not callable(value):
        msg = f"shapley_values(): value must be callable, got {type(value).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    order = list(players)
    problems: list[str] = []
    seen: dict[Any, int] = {}
    for i, p in enumerate(order):
        try:
            hash(p)
        except TypeError:
            problems.append(f"player {i} ({p!r}) is not hashable")
            continue
        if p in seen:
            problems.append(f"player {i} ({p!r}) repeats player {seen[p]}")
        else:
            seen[p] = i
    if problems:
        msg = "shapley_values(): " + "; ".join(problems) + ": players must be distinct and hashable"
        raise ShapleyError(msg)
    n = len(order)
    if n > MAX_PLAYERS:
        raise _too_many(what="shapley_values()", n=n, noun="players")

    worths = _evaluate(order, value)
    if all(isinstance(w, float) for w in worths):
        import numpy as np

        phi = _combine(np.array(worths, dtype=np.float64), n)
        return dict(zip(order, phi, strict=True))
    return dict(zip(order, _combine_exact(worths, n), strict=True))


def _evaluate(order: list[P], value: Callable[[frozenset[P]], float]) -> list[Any]:
    """The worth of every coalition, by bitmask (bit i is player i); floats stay floats."""
    n = len(order)
    # Coalitions are built from two precomputed halves, so each costs one tuple
    # join rather than a scan of every bit.
    low_bits = min(n, 10)
    low = [tuple(order[j] for j in range(low_bits) if m >> j & 1) for m in range(1 << low_bits)]
    high = [
        tuple(order[low_bits + j] for j in range(n - low_bits) if m >> j & 1)
        for m in range(1 << (n - low_bits))
    ]
    worths: list[Any] = []
    low_mask = (1 << low_bits) - 1
    for mask in range(1 << n):
        coalition = frozenset(low[mask & low_mask] + high[mask >> low_bits])
        try:
            worth = value(coalition)
        except Exception as exc:
            msg = (
                f"shapley_values(): value({_show(coalition, order)}) raised "
                f"{type(exc).__name__}: {exc}"
            )
            raise ShapleyError(msg) from exc
        worths.append(_checked(worth, coalition, order))
    return worths


def _checked(worth: Any, coalition: frozenset[Any], order: list[Any]) -> Any:
    """``worth`` as a float (ints and numpy reals) or an exact rational; else an error."""
    result: Any = None
    if isinstance(worth, bool) or not isinstance(worth, numbers.Real):
        good = False
    elif isinstance(worth, numbers.Rational) and not isinstance(worth, numbers.Integral):
        # Fraction and its kind: kept, so Python arithmetic keeps the values exact.
        result, good = worth, True
    else:
        result = float(worth)
        good = math.isfinite(result)
    if not good:
        msg = (
            f"shapley_values(): value({_show(coalition, order)}) returned {worth!r}: "
            f"expected a finite real number (int, float or Fraction)"
        )
        raise ShapleyError(msg)
    return result


def _show(coalition: frozenset[Any], order: list[Any]) -> str:
    """A coalition written with its players in player order."""
    members = ", ".join(repr(p) for p in order if p in coalition)
    return f"{{{members}}}"


def _weights(n: int) -> list[int]:
    """``n * C(n-1, s)`` for each coalition size s: the Shapley weights' denominators."""
    return [n * math.comb(n - 1, s) for s in range(n)]


def _popcounts(n: int) -> Any:
    """The number of set bits of every mask below ``2 ** n``."""
    import numpy as np

    pop = np.zeros(1 << n, dtype=np.intp)
    for j in range(n):
        pop[1 << j : 2 << j] = pop[: 1 << j] + 1
    return pop


def _combine(worths: FloatArray, n: int) -> list[float]:
    """Shapley values from the worths of all ``2 ** n`` coalitions (by bitmask), in floats."""
    import numpy as np

    if n == 0:
        return []
    weight = 1.0 / np.array(_weights(n), dtype=np.float64)
    pop = _popcounts(n)
    phi: list[float] = []
    for i in range(n):
        # Masks without bit i are the [:, 0, :] half of this view; adding i gives [:, 1, :].
        v = worths.reshape(-1, 2, 1 << i)
        size = pop.reshape(-1, 2, 1 << i)[:, 0, :]
        marginal = v[:, 1, :] - v[:, 0, :]
        phi.append(float(np.sum(weight[size] * marginal)))
    return phi


def _combine_exact(worths: list[Any], n: int) -> list[Any]:
    """As :func:`_combine` in Python arithmetic: exact for exact worths."""
    from fractions import Fraction

    weights = [Fraction(1, d) for d in _weights(n)]
    pop = _popcounts(n).tolist()
    phi: list[Any] = []
    for i in range(n):
        bit = 1 << i
        by_size: list[Any] = [0] * n
        for mask in range(1 << n):
            if not mask & bit:
                by_size[pop[mask]] += worths[mask | bit] - worths[mask]
        phi.append(sum(w * s for w, s in zip(weights, by_size, strict=True)))
    return phi


# -- the path game -------------------------------------------------------------------


def shapley_credit(path_data: PathData) -> tuple[FloatArray, FloatArray]:
    """The ``shapley`` model: each path's conversions split among its distinct channels.

    The Shapley values of the game v(S) = the conversions of the paths whose
    set of channels lies in S (Zhao et al. 2018, DP6), and of the same game
    for value. Each path is a unanimity game on its set of channels, whose
    Shapley value gives each of them an equal share, so this is exact for
    any number of channels; repeats and order within a path do not matter.

    Parameters
    ----------
    path_data
        Paths read by :func:`cxgraph.attribution.paths.paths`.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray]
        The conversions and the value credited to each channel, in the order
        of ``path_data.channels``, unrounded; each sums to the data's total
        up to round-off.

    Examples
    --------
    >>> from cxgraph.attribution.paths import paths
    >>> data = paths([{"path": "a > b > a", "total_conversions": 2, "total_conversion_value": 8},
    ...               {"path": "c", "total_conversions": 1, "total_conversion_value": 1}])
    >>> conversions, value = shapley_credit(data)
    >>> conversions.tolist(), value.tolist()
    ([1.0, 1.0, 1.0], [4.0, 4.0, 1.0])
    """
    import numpy as np

    enc = path_data._arrays()
    k = len(path_data.channels)
    n_rows = enc.lengths.shape[0]
    row_of = np.repeat(np.arange(n_rows, dtype=np.intp), enc.lengths)
    pairs = np.unique(row_of * k + enc.codes)
    row, channel = pairs // k, pairs % k
    distinct = np.bincount(row, minlength=n_rows)
    conv = np.bincount(channel, weights=(enc.conversions / distinct)[row], minlength=k)
    val = np.bincount(channel, weights=(enc.value / distinct)[row], minlength=k)
    return conv.astype(np.float64), val.astype(np.float64)


def markov_shapley_credit(path_data: PathData) -> tuple[list[float], float]:
    """Shapley values of the channels in the first-order chain of the paths.

    v(S) is the exact conversion probability of the chain of
    :meth:`~cxgraph.attribution.paths.PathData.to_journey` when every channel
    outside S is removed as in the removal effects: its state becomes a dead
    end, so v(N ∖ {c}) = P · (1 − removal effect of c), and v(∅) = 0. The
    chain is built once; the ``2 ** k`` coalitions are solved in batches.

    Parameters
    ----------
    path_data
        Paths read by :func:`cxgraph.attribution.paths.paths`, over at most
        :data:`MAX_PLAYERS` channels.

    Returns
    -------
    tuple[list[float], float]
        φ of each channel, in the order of ``path_data.channels`` (they add
        up to P), and P, the conversion probability of the whole chain.

    Raises
    ------
    ShapleyError
        For more than :data:`MAX_PLAYERS` channels, before any solving
        (naming the limit and the ``shapley`` model, which scales). Also a
        ``ValueError``.

    Examples
    --------
    Journeys weigh 1 on ``a > b`` and 3 on ``b``; the chain goes start → a
    (1/4) or b (3/4), a → b, and b converts half the time: v({a, b}) = 1/2,
    v({b}) = 3/4 · 1/2 = 3/8, v({a}) = v(∅) = 0, so φ_a = (0 + 1/8) / 2 =
    1/16 and φ_b = (3/8 + 1/2) / 2 = 7/16:

    >>> from cxgraph.attribution.paths import paths
    >>> data = paths([{"path": "a > b", "total_conversions": 1, "total_null": 0},
    ...               {"path": "b", "total_conversions": 1, "total_null": 2}])
    >>> phi, p = markov_shapley_credit(data)
    >>> [round(x, 12) for x in phi], p
    ([0.0625, 0.4375], 0.5)
    """
    k = len(path_data.channels)
    if k > MAX_PLAYERS:
        raise _too_many(what="attribution(model='markov_shapley')", n=k, noun="channels")
    worths = _markov_worths(path_data)
    return _combine(worths, k), float(worths[-1])


def _markov_worths(path_data: PathData) -> FloatArray:
    """v(S) of :func:`markov_shapley_credit` for every coalition S, by bitmask."""
    import numpy as np

    from cxgraph.attribution.higher_order import _order_chain

    k = len(path_data.channels)
    chain = _order_chain(path_data, 1)
    # At order 1 the states are channel codes; spread them over all k channels.
    code = chain.states[:, 0]
    q = np.zeros((k, k))
    q[np.ix_(code, code)] = chain.q.toarray()
    r, alpha = np.zeros(k), np.zeros(k)
    r[code], alpha[code] = chain.r, chain.alpha

    worths = np.zeros(1 << k)
    masks = np.arange(1 << k, dtype=np.int64)
    inside = _popcounts(k)
    for size in range(1, k + 1):
        # Solve only the channels kept: the coalitions of one size share a shape.
        of_size = masks[inside == size]
        for first in range(0, of_size.shape[0], _BATCH):
            batch = of_size[first : first + _BATCH]
            bits = (batch[:, None] >> np.arange(k, dtype=np.int64)) & 1
            kept = np.nonzero(bits)[1].reshape(batch.shape[0], size)
            system = np.eye(size) - q[kept[:, :, None], kept[:, None, :]]
            x = np.linalg.solve(system, r[kept][:, :, None])[:, :, 0]
            worths[batch] = np.einsum("bm,bm->b", alpha[kept], x)
    return np.clip(worths, 0.0, 1.0)
