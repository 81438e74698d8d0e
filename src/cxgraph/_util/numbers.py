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


# -- counts for people --------------------------------------------------------

#: Counts up to this many digits are written out in full (with thousands
#: separators); larger ones in scientific form. Python refuses to turn an
#: integer of over 4,300 digits into text at all.
COUNT_DIGITS = 15


def pct_text(share: float) -> str:
    """A share as a percentage for a sentence, to three significant figures.

    Examples
    --------
    >>> pct_text(0.07562), pct_text(1.0), pct_text(0.5)
    ('7.56%', '100%', '50%')
    """
    return f"{100 * share:.3g}%"


def count_text(n: int) -> str:
    """A count for a sentence: ``1,234`` in full, or ``1.23e+4816`` when it is huge.

    The exact number stays in the data (and in JSON); this is only its words.

    Examples
    --------
    >>> count_text(1234), count_text(10**14), count_text(2**60)
    ('1,234', '100,000,000,000,000', '1.15e+18')
    >>> count_text(10**5000 * 3)
    '3.00e+5000'
    """
    if -(10**COUNT_DIGITS) < n < 10**COUNT_DIGITS:
        return f"{n:,}"
    sign = "-" if n < 0 else ""
    n = abs(n)
    exponent = int(n.bit_length() * math.log10(2))
    # Correct the estimate by one either way, with integers only (no str() of n).
    while 10**exponent > n:
        exponent -= 1
    while 10 ** (exponent + 1) <= n:
        exponent += 1
    leading = n // 10 ** max(exponent - 2, 0)  # the first three digits
    return f"{sign}{leading / 100:.2f}e+{exponent}"


def span_text(seconds: float | None) -> str:
    """A length of time for people: ``45 s``, ``12 min``, ``3.5 h``, ``2.1 d``.

    >>> span_text(45), span_text(720), span_text(12_600), span_text(181_440), span_text(None)
    ('45 s', '12 min', '3.5 h', '2.1 d', 'n/a')
    """
    if seconds is None:
        return "n/a"
    sign, s = ("-" if seconds < 0 else ""), abs(seconds)
    unit, size = next(
        ((u, n) for u, n in (("d", 86_400), ("h", 3_600), ("min", 60)) if s >= n), ("s", 1)
    )
    value = s / size
    return f"{sign}{value:.3g} {unit}" if value < 100 else f"{sign}{value:,.0f} {unit}"
