"""Bootstrap intervals and spend for attribution (``intervals=``, ``cost=``).

The bootstrap resamples the individual journeys. Row ``i`` of the path data
stands for ``conversions[i]`` converting and ``nulls[i]`` non-converting
journeys; one resample draws ``N`` journeys from all of them at once, one
multinomial over the ``2 × rows`` kinds of journey, each with probability its
count over the total (``numpy.random.default_rng(seed)``). ``N`` is the
total count rounded to a whole number (at least 1), and the draws are
scaled by ``total / N``, so fractional counts resample too and whole counts
resample exactly. A resampled row's value is its drawn conversions times
the row's value per conversion. The model is run on each resample; the
bounds are percentiles of each channel's conversions (and value) over the
resamples, widened where needed so that low ≤ the point estimate ≤ high.

Examples
--------
>>> from cxgraph import paths
>>> data = paths([{"path": "a", "total_conversions": 2, "total_null": 2}])
>>> [(r.conversions, r.nulls) for r in resample(data, 2, seed=0)[1]]
[(1.0, 3.0)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from cxgraph.attribution.heuristics import AttributionError
from cxgraph.attribution.paths import PathData, _Encoded

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

__all__ = ["bounds", "check_cost", "check_intervals", "resample", "spend"]


def check_intervals(intervals: Any, resamples: Any, seed: Any) -> None:
    """Check ``intervals`` (in (0, 1)), ``resamples`` (1 or more) and ``seed`` (an int).

    Raises
    ------
    AttributionError
        Naming the keyword, what arrived and what is expected.
    """
    if intervals is None:
        return
    if (
        not isinstance(intervals, int | float)
        or isinstance(intervals, bool)
        or not 0 < intervals < 1
    ):
        msg = (
            f"attribution(intervals={intervals!r}): expected a confidence level between "
            "0 and 1 (not included), such as 0.95"
        )
        raise AttributionError(msg)
    if not isinstance(resamples, int) or isinstance(resamples, bool) or resamples < 1:
        msg = f"attribution(resamples={resamples!r}): expected a whole number, 1 or more"
        raise AttributionError(msg)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        msg = f"attribution(seed={seed!r}): expected a whole number, 0 or more"
        raise AttributionError(msg)


def resample(data: PathData, resamples: int, *, seed: int) -> list[PathData]:
    """``resamples`` bootstrap copies of ``data`` (see the module docs), same rows and channels."""
    import numpy as np

    enc = data._arrays()
    n = enc.lengths.shape[0]
    counts = np.concatenate([enc.conversions, enc.nulls])
    total = math.fsum(counts.tolist())
    rng = np.random.default_rng(seed)
    if total <= 0:
        return [data] * resamples
    draws_n = max(1, round(total))
    p = counts / counts.sum()
    draws = rng.multinomial(draws_n, p, size=resamples).astype(np.float64) * (total / draws_n)
    per_conversion = np.divide(
        enc.value, enc.conversions, out=np.zeros(n), where=enc.conversions > 0
    )
    out = []
    for d in draws:
        conv, nulls = d[:n], d[n:]
        out.append(_with_counts(data, enc, conv, conv * per_conversion, nulls))
    return out


def _with_counts(
    data: PathData, enc: _Encoded, conv: FloatArray, value: FloatArray, nulls: FloatArray
) -> PathData:
    rows = tuple(
        attrs.evolve(r, conversions=c, value=v, nulls=z)
        for r, c, v, z in zip(data.rows, conv.tolist(), value.tolist(), nulls.tolist(), strict=True)
    )
    return PathData(
        findings=rows,
        channels=data.channels,
        total_conversions=math.fsum(conv.tolist()),
        total_value=math.fsum(value.tolist()),
        total_nulls=math.fsum(nulls.tolist()),
        source=data.source,
        encoded=_Encoded(
            codes=enc.codes, lengths=enc.lengths, conversions=conv, value=value, nulls=nulls
        ),
    )


def bounds(
    data: PathData,
    credit: Callable[[PathData], tuple[FloatArray, FloatArray]],
    point: tuple[FloatArray, FloatArray],
    *,
    level: float,
    resamples: int,
    seed: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``(low, high, value_low, value_high)`` per channel, each around the point."""
    import numpy as np

    conv_samples, value_samples = [], []
    for copy in resample(data, resamples, seed=seed):
        c, v = credit(copy)
        conv_samples.append(c)
        value_samples.append(v)
    q = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
    lo, hi = np.percentile(np.array(conv_samples), q, axis=0)
    vlo, vhi = np.percentile(np.array(value_samples), q, axis=0)
    conv, value = point
    return (
        np.minimum(lo, conv),
        np.maximum(hi, conv),
        np.minimum(vlo, value),
        np.maximum(vhi, value),
    )


def check_cost(cost: Any, channels: tuple[str, ...]) -> dict[str, float]:
    """``cost`` as channel → spend, every channel known and every spend a number 0 or more.

    Raises
    ------
    AttributionError
        For a cost that is not a mapping, a channel not in the data, or a
        spend that is not a finite number 0 or more (every problem listed).

    Examples
    --------
    >>> check_cost({"b": 1, "z": -1}, ("a", "b"))
    Traceback (most recent call last):
    ...
    cxgraph.attribution.heuristics.AttributionError: attribution(cost=...): 2 problems:
    cost['z']: 'z' is no channel of the data (channels: 'a', 'b')
    cost['z']: spend -1: expected a number, 0 or more
    """
    from cxgraph._util.text import choices_text

    if not isinstance(cost, Mapping):
        msg = (
            "attribution(cost=...): expected a mapping of channel to spend, "
            f"got {type(cost).__name__}"
        )
        raise AttributionError(msg)
    known = set(channels)
    problems: list[str] = []
    out: dict[str, float] = {}
    for channel, spend in cost.items():
        if channel not in known:
            problems.append(
                f"cost[{channel!r}]: {channel!r} is no channel of the data "
                f"{choices_text(str(channel), channels, word='channels')}"
            )
        if (
            not isinstance(spend, int | float)
            or isinstance(spend, bool)
            or not math.isfinite(spend)
            or spend < 0
        ):
            problems.append(f"cost[{channel!r}]: spend {spend!r}: expected a number, 0 or more")
        else:
            out[str(channel)] = float(spend)
    if problems:
        head = f"{len(problems)} problems:" if len(problems) > 1 else "1 problem:"
        msg = "\n".join([f"attribution(cost=...): {head}", *problems])
        raise AttributionError(msg)
    return out


def spend(
    cost: Mapping[str, float], channel: str, conversions: float, value: float
) -> tuple[float | None, float | None]:
    """``(cost_per_conversion, roas)`` of one channel: None where there is no spend or divisor."""
    amount = cost.get(channel)
    if amount is None:
        return None, None
    per = amount / conversions if conversions > 0 else None
    roas = value / amount if amount > 0 else None
    return per, roas
