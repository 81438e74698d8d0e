"""The touch-weight models: how much of a path's conversions each touch earns.

Every model here gives each touch of a path a weight, the weights of one path
adding to 1, so that a channel's credit is the sum over its touches of weight
× the path's conversions (and value). They are linear in the paths' counts:
:func:`touch_weights` is computed once, and a resample of the counts
(``intervals=``) is credited with the same weights.

- ``first_touch``: weight 1 on the first touch;
- ``last_touch``: weight 1 on the last touch;
- ``linear``: ``1 / len(path)`` on each touch, repeats included;
- ``position_based``: ``weights=(first, middle, last)``: the first and last
  touch get their weights, the middle touches share the middle weight
  equally; a one-touch path gives its touch 1 and a two-touch path splits
  0.5 and 0.5, whatever the weights;
- ``time_decay``: a touch weighs ``2 ** (-age / half_life)``, its age the
  time from the touch to the path's last touch, normalised per path. Needs
  the touch times of :func:`~cxgraph.attribution.touches.paths_from_events`.

Examples
--------
>>> import numpy as np
>>> from cxgraph import paths
>>> data = paths([{"path": "a > b > c > d", "total_conversions": 1}])
>>> touch_weights(data, "position_based", weights=(0.4, 0.2, 0.4)).tolist()
[0.4, 0.1, 0.1, 0.4]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cxgraph.errors import CxgraphError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.attribution.paths import PathData

    FloatArray = npt.NDArray[np.float64]

__all__ = [
    "TOUCH_MODELS",
    "AttributionError",
    "check_half_life",
    "check_weights",
    "touch_weights",
]

#: The models that weigh touches (linear in the paths' counts).
TOUCH_MODELS: tuple[str, ...] = (
    "first_touch",
    "last_touch",
    "linear",
    "position_based",
    "time_decay",
)


class AttributionError(CxgraphError, ValueError):
    """An attribution cannot be made: an unknown model or a bad option."""


def check_weights(weights: Any) -> tuple[float, float, float]:
    """``weights`` as three floats, each 0 or more, adding to 1.

    Raises
    ------
    AttributionError
        If they are not three finite numbers, 0 or more, adding to 1 (within
        1e-9).

    Examples
    --------
    >>> check_weights([0.3, 0.4, 0.3])
    (0.3, 0.4, 0.3)
    >>> check_weights((0.5, 0.5, 0.5))
    Traceback (most recent call last):
    ...
    cxgraph.attribution.heuristics.AttributionError: attribution(weights=(0.5, 0.5, 0.5)): the first, middle and last weights must add to 1, they add to 1.5
    """  # noqa: E501
    shown = tuple(weights) if isinstance(weights, Sequence) else weights
    expected = (
        f"attribution(weights={shown!r}): expected three numbers 0 or more "
        "(first, middle, last touch) adding to 1"
    )
    if (
        isinstance(weights, str | bytes)
        or not isinstance(weights, Sequence)
        or len(weights) != 3
        or not all(
            isinstance(w, int | float) and not isinstance(w, bool) and math.isfinite(w)
            for w in weights
        )
    ):
        raise AttributionError(expected)
    out = (float(weights[0]), float(weights[1]), float(weights[2]))
    if min(out) < 0:
        raise AttributionError(expected)
    total = math.fsum(out)
    if not math.isclose(total, 1.0, rel_tol=0, abs_tol=1e-9):
        msg = (
            f"attribution(weights={shown!r}): the first, middle and last weights must add "
            f"to 1, they add to {total:.6g}"
        )
        raise AttributionError(msg)
    return out


def check_half_life(half_life: Any) -> float:
    """``half_life`` in seconds: a :class:`~datetime.timedelta` longer than 0.

    Raises
    ------
    AttributionError
        If it is missing, not a timedelta, or not longer than 0.
    """
    if half_life is None:
        msg = (
            "attribution(model='time_decay') needs half_life=, a timedelta such as "
            "datetime.timedelta(days=7): a touch that long before the last touch counts half"
        )
        raise AttributionError(msg)
    if not isinstance(half_life, timedelta) or half_life <= timedelta(0):
        msg = (
            f"attribution(half_life={half_life!r}): expected a timedelta longer than 0, "
            "such as datetime.timedelta(days=7)"
        )
        raise AttributionError(msg)
    return half_life.total_seconds()


def touch_weights(
    data: PathData,
    model: str,
    *,
    weights: tuple[float, float, float] = (0.4, 0.2, 0.4),
    half_life: float | None = None,
) -> FloatArray:
    """Each touch's weight, touch after touch and row after row (each row's add to 1).

    ``half_life`` is in seconds (``time_decay`` only); ``weights`` are checked
    by :func:`check_weights` first.

    Raises
    ------
    AttributionError
        For ``time_decay`` on paths without touch times (or with as many
        times as touches on no row).
    """
    import numpy as np

    enc = data._arrays()
    lengths = enc.lengths
    n = int(lengths.sum())
    starts = enc.starts
    pos = np.arange(n) - np.repeat(starts, lengths)
    size = np.repeat(lengths, lengths)
    if model == "first_touch":
        return np.asarray(pos == 0, dtype=np.float64)
    if model == "last_touch":
        return np.asarray(pos == size - 1, dtype=np.float64)
    if model == "linear":
        return np.asarray(1.0 / size, dtype=np.float64)
    if model == "position_based":
        first, middle, last = weights
        inner = middle / np.maximum(size - 2, 1)
        out = np.where(pos == 0, first, np.where(pos == size - 1, last, inner))
        out = np.where(size == 2, 0.5, out)
        return np.asarray(np.where(size == 1, 1.0, out), dtype=np.float64)
    if model == "time_decay":
        if half_life is None:  # pragma: no cover - attribution() checks first
            msg = "time_decay needs a half_life"
            raise AttributionError(msg)
        times = _times(data)
        row = np.repeat(np.arange(lengths.shape[0]), lengths)
        last_time = times[starts + lengths - 1]
        exponent = -(last_time[row] - times) / half_life
        # Shift each row's exponents by their largest so that none underflows all to 0.
        top = np.full(lengths.shape[0], -np.inf)
        np.maximum.at(top, row, exponent)
        w = np.exp2(exponent - top[row])
        sums = np.bincount(row, weights=w, minlength=lengths.shape[0])
        return np.asarray(w / sums[row], dtype=np.float64)
    msg = f"touch_weights(model={model!r}): not a touch model"  # pragma: no cover
    raise AttributionError(msg)  # pragma: no cover


def _times(data: PathData) -> FloatArray:
    """Every touch's time, row after row, or an error naming what to use."""
    import numpy as np

    out: list[float] = []
    for i, row in enumerate(data.rows):
        if row.times is None:
            msg = (
                "attribution(model='time_decay') needs the time of every touch, and "
                f"row {i} ({' > '.join(row.path)}) has none: paths() reads no times; "
                "read a touch log with cx.paths_from_events(), which keeps them"
            )
            raise AttributionError(msg)
        if len(row.times) != len(row.path):
            msg = (
                f"attribution(model='time_decay'): row {i} has {len(row.path)} touches "
                f"but {len(row.times)} times: expected one time per touch"
            )
            raise AttributionError(msg)
        out.extend(row.times)
    return np.asarray(out, dtype=np.float64)
