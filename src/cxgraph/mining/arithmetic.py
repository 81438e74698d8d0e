"""The arithmetic every engine of ``mining`` shares, so that they agree to the bit.

Times are whole microseconds. :func:`stats` makes a group's ``count, mean_s,
median_s, p90_s, min_s, max_s`` from its count, its exact sum and its values
at the ranks :func:`ranks` names (the quantiles interpolate linearly, worked
out on integers and rounded once); :func:`grouped` sorts values within groups
in numpy and picks those ranks. Variants are ranked by :func:`ranked` (most
cases first, ties by the variant) and found per case by :func:`case_variants`.
Nothing here imports the engines, so every engine may import it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from cxgraph._util.numbers import DENSE_LIMIT

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.mining.sequences import Sequences

__all__ = ["QUANTILES", "case_variants", "grouped", "ranked", "ranks", "stats"]

_US = 1_000_000

#: The quantiles reported, as exact fractions: the median and the 90th percentile.
QUANTILES: tuple[tuple[int, int], ...] = ((1, 2), (9, 10))


def ranks(n: int) -> tuple[int, ...]:
    """The 0-based ranks whose values :func:`stats` needs for ``n`` sorted values.

    >>> ranks(11)
    (0, 10, 5, 6, 9, 10)
    """
    out = [0, n - 1]
    for num, den in QUANTILES:
        lo = (n - 1) * num // den
        out += [lo, min(lo + 1, n - 1)]
    return tuple(out)


def _quantile(n: int, at: Mapping[int, int], num: int, den: int) -> float:
    """The ``num/den`` quantile in seconds, by linear interpolation, rounded once."""
    lo, rem = divmod((n - 1) * num, den)
    x = at[lo]
    if rem == 0:
        return x / _US
    # (x + (y - x) * rem / den) / 10**6, worked out on integers: Python rounds int / int once.
    return (x * den + (at[lo + 1] - x) * rem) / (den * _US)


def stats(n: int, total: int, at: Mapping[int, int]) -> dict[str, Any]:
    """``count, mean_s, median_s, p90_s, min_s, max_s`` from ``n`` values (microseconds).

    ``total`` is their exact sum and ``at`` maps the ranks of :func:`ranks`
    to the values there (sorted ascending).
    """
    (num_m, den_m), (num_p, den_p) = QUANTILES
    return {
        "count": n,
        "mean_s": total / (n * _US),
        "median_s": _quantile(n, at, num_m, den_m),
        "p90_s": _quantile(n, at, num_p, den_p),
        "min_s": at[0] / _US,
        "max_s": at[n - 1] / _US,
    }


def grouped(
    keys: npt.NDArray[np.int64], values: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64], list[Any]]:
    """Values sorted within groups of equal keys (``keys >= 0``): the distinct keys, where
    each group starts, the sorted values, and per group ``(n, total, values at ranks)``."""
    import numpy as np

    if values.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, []
    top = int(keys.max()) + 1
    if top <= DENSE_LIMIT:
        present = np.bincount(keys, minlength=top)
        distinct = np.flatnonzero(present)
        rank, counts = (np.cumsum(present > 0) - 1)[keys], present[distinct]
    else:
        distinct, rank, counts = np.unique(keys, return_inverse=True, return_counts=True)
    low, span = int(values.min()), int(values.max()) - int(values.min()) + 1
    if distinct.shape[0] * span < 1 << 63:
        # The usual case: group and value fit in one int64, and one sort does.
        both = rank * span + (values - low)
        both.sort()
        v = both % span + low
    else:
        v = values[np.lexsort((values, rank))]
    starts = np.cumsum(counts) - counts
    # Exact sums: 32-bit halves summed apart cannot overflow, and join as Python ints.
    hi = np.add.reduceat(v >> 32, starts).tolist()
    lo = np.add.reduceat(v & 0xFFFFFFFF, starts).tolist()
    n = counts.tolist()
    wanted = np.array([ranks(c) for c in n], dtype=np.int64).reshape(len(n), -1)
    picked = v[starts[:, None] + wanted].tolist()
    groups = [
        (c, (h << 32) + lo_, dict(zip(r, p, strict=True)))
        for c, h, lo_, r, p in zip(n, hi, lo, wanted.tolist(), picked, strict=True)
    ]
    return distinct, starts, v, groups


def ranked(variants: Sequence[tuple[str, ...]], counts: Sequence[int]) -> list[int]:
    """Variant positions, most cases first, ties by the variant (both engines use this)."""
    return sorted(range(len(variants)), key=lambda i: (-counts[i], variants[i]))


def case_variants(
    seq: Sequences, top: int | None = None
) -> tuple[npt.NDArray[np.int64], list[tuple[str, ...]], npt.NDArray[np.int64]]:
    """Each case's variant: (rank per case, variants in rank order, cases per variant).

    Ranks follow :func:`variants`: 0 is the variant with most cases, ties by
    the variant (a tuple of activity names). With ``top``, only the first
    ``top`` variants are spelled out (the ranks and counts cover them all).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxgraph.mining.sequences import read_sequences
    >>> seq = read_sequences(pd.DataFrame({"case": [1, 1, 2, 3, 3],
    ...     "activity": ["a", "b", "a", "a", "b"], "timestamp": [1, 2, 1, 1, 2]}))
    >>> rank, found, counts = case_variants(seq)
    >>> rank.tolist(), found, counts.tolist()
    ([0, 1, 0], [('a', 'b'), ('a',)], [2, 1])
    """
    import numpy as np

    names = seq.activities
    by_name = sorted(range(len(names)), key=names.__getitem__)
    name_rank = np.empty(len(names), dtype=np.int64)
    name_rank[by_name] = np.arange(len(names), dtype=np.int64)
    width = 1 if len(names) <= 1 << 8 else 2 if len(names) <= 1 << 16 else 4
    # Each case as a byte string: its activities' ranks by name, big-endian, so
    # that equal strings are equal variants and bytes sort as tuples of names do
    # (a prefix first). A dict numbers the strings in order of first case.
    dtype = np.dtype(f">u{width}")
    buf = name_rank[seq.activity].astype(dtype).tobytes()
    cuts = (seq.bounds * width).tolist()
    index: dict[bytes, int] = {}
    of_case = np.array(
        [index.setdefault(buf[lo:hi], len(index)) for lo, hi in pairwise(cuts)], dtype=np.int64
    )
    keys = list(index)
    counts = np.bincount(of_case, minlength=len(keys))
    # By the bytes (the variant), then stably by count: most cases first, ties by variant.
    by_key = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    order = by_key[np.argsort(-counts[by_key], kind="stable")].tolist()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    # Decode the variants all at once: their ranks by name, then the names.
    ranked = [keys[i] for i in (order if top is None else order[:top])]
    flat = np.array([names[i] for i in by_name], dtype=object)[
        np.frombuffer(b"".join(ranked), dtype=dtype)
    ].tolist()
    ends = (np.cumsum(np.fromiter(map(len, ranked), np.int64, len(ranked))) // width).tolist()
    found = [tuple(flat[lo:hi]) for lo, hi in pairwise([0, *ends])]
    return rank[of_case], found, counts[order].astype(np.int64)
