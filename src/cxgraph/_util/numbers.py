"""Numbers every layer shares: shares of counts that sum to one, the dense counting limit."""

from __future__ import annotations

import math
from collections.abc import Sequence

#: Count pairs with a dense ``bincount`` up to this many possible codes, else ``unique``.
DENSE_LIMIT = 1 << 24
#: How far from 1 the shares out of a step may sum before the last is adjusted.
SUM_TOLERANCE = 1e-12


# -- from counts to a journey ------------------------------------------------


def _shares(counts: Sequence[int]) -> list[float]:
    """``count / total`` each, summing to 1 within validation's 1e-9.

    Each share is correctly rounded, so their exact sum is off by at most
    ``len(counts) * 2**-53``: below 1e-9 up to millions of edges. Past that
    the last share becomes 1 minus the others, so the sum still holds.
    """
    total = sum(counts)
    probs = [c / total for c in counts]
    if abs(math.fsum(probs) - 1.0) > SUM_TOLERANCE:  # pragma: no cover - millions of edges
        probs[-1] = max(0.0, 1.0 - math.fsum(probs[:-1]))
    return probs
