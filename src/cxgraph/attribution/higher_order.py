"""Higher-order Markov attribution: states that remember the last k touches.

The ``markov`` attribution model with ``order=k`` (design 11). A state is the
tuple of a path's last ``k`` touches, repeats included, and fewer than ``k``
at the start of a path, as in ChannelAttribution's ``order``: the path
``a > b > c`` at order 2 walks ``start → (a) → (a, b) → (b, c)``, and then to
the conversion or null outcome. Each path weighs ``conversions + nulls`` on
its moves, and its last state goes on to ``conversion`` with weight
``conversions`` and to ``null`` with ``nulls``, as
:meth:`~cxgraph.attribution.paths.PathData.to_journey` does at order 1.

Removing a channel removes every state that holds it: such a state becomes a
dead end (no conversion through it), and the removal effect of the channel is
``1 - P(conversion without it) / P(conversion)``. Everything is exact: the
absorbing chain is solved by linear algebra (dense up to
:data:`DENSE_STATES` states, sparse LU beyond), once for the chain and once
per channel, never simulated. At order 1 the effects are those of
:func:`cxgraph.analyses.markov.markov` on the journey of the paths.

Examples
--------
Two paths end in ``c``; only the one that came from ``a`` converts. At order 1
``c`` forgets where the customer came from and ``a`` and ``b`` share the
credit; at order 2 the state ``(a, c)`` remembers it:

>>> from cxgraph.attribution.paths import paths
>>> data = paths([{"path": "a > c", "total_conversions": 1, "total_null": 0},
...               {"path": "b > c", "total_conversions": 0, "total_null": 1}])
>>> markov_order_credit(data, 1)
([0.5, 0.5, 1.0], 0.5)
>>> markov_order_credit(data, 2)
([1.0, 0.0, 1.0], 0.5)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from attrs import frozen

from cxgraph.errors import CxgraphError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from scipy import sparse

    from cxgraph.attribution.paths import PathData

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]
    BoolArray = npt.NDArray[np.bool_]

__all__ = ["DENSE_STATES", "OrderError", "markov_order_credit"]

#: Up to this many states the chain is solved densely; beyond, by sparse LU.
DENSE_STATES = 600


class OrderError(CxgraphError, ValueError):
    """A Markov ``order`` that is not a whole number from 1 to the longest path."""


@frozen(kw_only=True, eq=False)
class _OrderChain:
    """The absorbing chain of the paths at one order.

    ``states`` holds one row per transient state: the channel codes of its
    last ``order`` touches, oldest first, padded on the left with -1 at the
    start of a path. ``q`` are the moves between states (row-stochastic but
    for what leaves to the outcomes), ``r`` the probability of converting
    straight out of each state, ``alpha`` where the journeys start, and
    ``walked`` the number of journeys (conversions plus nulls).
    """

    states: IntArray
    q: sparse.csr_array
    r: FloatArray
    alpha: FloatArray
    walked: float


def _order_chain(path_data: PathData, order: int) -> _OrderChain:
    """The chain of ``path_data`` at ``order`` (rows that weigh nothing left out)."""
    import numpy as np
    from scipy import sparse

    enc = path_data._arrays()
    weight = enc.conversions + enc.nulls
    used = weight > 0
    lengths = enc.lengths[used]
    conv, weight = enc.conversions[used], weight[used]
    touched = np.repeat(used, enc.lengths)
    codes = enc.codes[touched]
    n_rows, n_touches = lengths.shape[0], codes.shape[0]
    if n_touches == 0:
        empty = np.zeros(0)
        return _OrderChain(
            states=np.zeros((0, order), dtype=np.intp),
            q=sparse.csr_array((0, 0)),
            r=empty,
            alpha=empty,
            walked=0.0,
        )
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp)
    last = starts + lengths - 1
    row_of = np.repeat(np.arange(n_rows), lengths)
    at = np.arange(n_touches)
    pos = at - starts[row_of]
    window = np.full((n_touches, order), -1, dtype=np.intp)
    for back in range(min(order, int(lengths.max()))):
        ok = pos >= back
        window[ok, order - 1 - back] = codes[at[ok] - back]
    states, inverse = np.unique(window, axis=0, return_inverse=True)
    state = inverse.reshape(-1).astype(np.intp)
    n = states.shape[0]

    touch_weight = weight[row_of]
    out = np.bincount(state, weights=touch_weight, minlength=n)
    inner = np.ones(n_touches, dtype=bool)
    inner[last] = False
    src = state[inner]
    dst = state[1:][inner[:-1]]
    q = sparse.coo_array((touch_weight[inner] / out[src], (src, dst)), shape=(n, n)).tocsr()
    q.sum_duplicates()
    r = np.bincount(state[last], weights=conv, minlength=n) / out
    walked = math.fsum(weight.tolist())
    alpha = np.bincount(state[starts], weights=weight, minlength=n) / walked
    return _OrderChain(states=states, q=q, r=r, alpha=alpha, walked=walked)


def _conversion(chain: _OrderChain, keep: BoolArray | None = None) -> float:
    """P(conversion) of the chain, with only the states in ``keep`` (all when None)."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse import linalg

    q, r, alpha = chain.q, chain.r, chain.alpha
    if keep is not None:
        idx = np.flatnonzero(keep)
        q, r, alpha = q[idx][:, idx], r[idx], alpha[idx]
    n = r.shape[0]
    if n == 0:
        return 0.0
    if n <= DENSE_STATES:
        x = np.linalg.solve(np.eye(n) - q.toarray(), r)
    else:
        system = (sparse.eye_array(n, format="csc") - q.tocsc()).tocsc()
        x = linalg.splu(system).solve(r)
    p = float(alpha @ x)
    return 0.0 if p < 0.0 else 1.0 if p > 1.0 else p


def markov_order_credit(path_data: PathData, order: int) -> tuple[list[float], float]:
    """Removal effects of the channels in the Markov chain of order ``order``.

    Parameters
    ----------
    path_data
        Paths read by :func:`cxgraph.attribution.paths.paths`.
    order
        How many of the last touches a state remembers: 1 (the first-order
        chain of :meth:`~cxgraph.attribution.paths.PathData.to_journey`) up
        to the longest path.

    Returns
    -------
    tuple[list[float], float]
        The removal effect of each channel, in the order of
        ``path_data.channels`` (each in [0, 1]; 0 for a channel only on
        paths with no journeys), and the chain's conversion probability
        (the share of journeys that convert; 0, with every effect 0, when
        no row has conversions or nulls).

    Raises
    ------
    TypeError
        If ``path_data`` is not a :class:`~cxgraph.attribution.paths.PathData`.
    OrderError
        If ``order`` is not a whole number from 1 to the longest path (the
        message gives its length). Also a ``ValueError``.

    Examples
    --------
    >>> from cxgraph.attribution.paths import paths
    >>> data = paths([{"path": "a > b", "total_conversions": 1, "total_null": 1},
    ...               {"path": "b", "total_conversions": 0, "total_null": 2}])
    >>> markov_order_credit(data, 2)
    ([1.0, 1.0], 0.25)
    >>> markov_order_credit(data, 3)
    Traceback (most recent call last):
    ...
    cxgraph.attribution.higher_order.OrderError: markov order=3: expected a whole number from 1 to 2, the length of the longest path
    """  # noqa: E501
    import numpy as np

    from cxgraph.attribution.paths import PathData

    if not isinstance(path_data, PathData):
        msg = (  # type: ignore[unreachable]
            f"markov_order_credit() takes PathData (read it with "
            f"cxgraph.attribution.paths.paths), got {type(path_data).__name__}"
        )
        raise TypeError(msg)
    longest = max(len(r.path) for r in path_data.rows)
    whole = isinstance(order, int | np.integer) and not isinstance(order, bool)
    if not whole or not 1 <= order <= longest:
        msg = (
            f"markov order={order!r}: expected a whole number from 1 to {longest}, "
            f"the length of the longest path"
        )
        raise OrderError(msg)
    order = int(order)
    chain = _order_chain(path_data, order)
    k = len(path_data.channels)
    p = _conversion(chain)
    if p <= 0.0:
        return [0.0] * k, 0.0
    effects: list[float] = []
    for c in range(k):
        holds = np.any(chain.states == c, axis=1)
        if not holds.any():
            effects.append(0.0)
            continue
        without = min(_conversion(chain, ~holds), p)
        effect = 1.0 - without / p
        effects.append(0.0 if effect < 0.0 else 1.0 if effect > 1.0 else effect)
    return effects, p
