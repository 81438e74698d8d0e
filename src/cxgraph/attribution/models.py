"""Journeys from conversion paths: which channels earn the conversions.

Conversion-path data is the layout of the ChannelAttribution package: one row
per path, the channels a customer met in order (``"search > email > direct"``),
how many journeys along it converted (``total_conversions``), the value of
those conversions (``total_conversion_value``) and how many did not convert
(``total_null``). :func:`paths` reads such a table into :class:`PathData`,
:meth:`PathData.to_journey` turns it into a journey (the first-order Markov
chain of the paths), and :func:`attribution` shares the conversions and their
value out among the channels.

Reading rules:

- The table is a pandas or polars DataFrame, a pyarrow Table, a list of dicts
  (one per row) or a path to a CSV file. The CSV delimiter is the one the
  header line holds most of among ``,``, ``;``, tab and ``|`` (ties go to
  that order), the rule event logs follow; fields are read as text, an empty
  field is missing. Rows count from 0 in messages (a CSV header is no row;
  blank lines are skipped).
- Paths split on ``sep`` (``>`` by default); spaces around separators and
  channel names do not count, so ``"a > b"`` and ``"a>b"`` are the same path.
  A repeat (``"a > a"``) is kept: two touches of ``a``.
- Conversions (and nulls) are counts, value an amount: numbers 0 or more,
  whole or not. The ``value`` and ``nulls`` columns may be absent under their
  default names (then 0 on every row); a column named explicitly must exist,
  and None ignores it. A row may not have value without conversions.
- Every problem in the rows is collected and raised once, naming the row,
  the column and the value.

Attribution models (``model=``):

- ``first_touch``: a path's conversions and value go to its first channel;
- ``last_touch``: to its last channel;
- ``linear``: each touch gets ``1 / len(path)`` of them, repeats included
  (``"a > a > b"`` gives ``a`` two thirds), as ChannelAttribution does;
- ``markov``: the removal effect of each channel,
  ``1 - P(conversion without it) / P(conversion)``, in the first-order chain
  of :meth:`PathData.to_journey` (exact, from
  :func:`cxgraph.analyses.markov.markov`; ChannelAttribution simulates it);
  a channel gets ``total conversions * effect / sum of effects``, and the
  same share of the total value.

Rounding: amounts are floats, never rounded to whole conversions. Each
model's column is computed in floating point and then the channel with the
largest amount takes up the rounding residue (``total - math.fsum(column)``),
so every column sums to the data's total within one unit in the last place.

Examples
--------
>>> from cxgraph import attribution, paths
>>> data = paths([
...     {"path": "search > email", "total_conversions": 3, "total_null": 1},
...     {"path": "email", "total_conversions": 1, "total_null": 3},
... ])
>>> data.channels, data.total_conversions, data.total_value
(('email', 'search'), 4.0, 0.0)
>>> [(c.channel, c.conversions) for c in attribution(data, model="last_touch")]
[('email', 4.0), ('search', 0.0)]
>>> [(c.channel, round(c.conversions, 6), round(c.removal_effect, 6))
...  for c in attribution(data)]
[('email', 2.666667, 1.0), ('search', 1.333333, 0.5)]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import frozen

from cxgraph._util.results import record_of
from cxgraph._util.text import choices_text
from cxgraph.analyses.results import AnalysisResult

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]

from cxgraph.attribution.path_tables import _num
from cxgraph.attribution.paths import PathData, _many, _pct, _share

__all__ = ["MODELS", "Attribution", "ChannelCredit", "attribution"]

#: The attribution models :func:`attribution` knows.
MODELS: tuple[str, ...] = ("first_touch", "last_touch", "linear", "markov")


@frozen(kw_only=True)
class ChannelCredit:
    """The conversions and value credited to one channel.

    ``removal_effect`` is the share of conversions lost without the channel
    (``markov`` only; None for the other models).
    """

    channel: str
    conversions: float
    value: float
    removal_effect: float | None = None


@frozen(kw_only=True, repr=False)
class Attribution(AnalysisResult[ChannelCredit]):
    """Conversions and value credited to each channel, sorted by channel.

    ``model`` is the model used; ``total_conversions`` and ``total_value`` the
    data's totals, which the channels' amounts sum to; for ``markov``,
    ``conversion_probability`` is the share of journeys that convert in the
    chain (None for the other models). Records are ``channel, conversions,
    value``, plus ``removal_effect`` for ``markov``.
    """

    name: ClassVar[str] = "attribution"
    title: ClassVar[str] = "Channel attribution"

    model: str
    total_conversions: float
    total_value: float
    conversion_probability: float | None = None

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per channel: ``channel, conversions, value`` (and ``removal_effect``)."""
        records = [record_of(f) for f in self.findings]
        if self.model != "markov":
            for r in records:
                del r["removal_effect"]
        return records

    def columns(self) -> list[str]:
        """The record keys."""
        cols = ["channel", "conversions", "value"]
        return [*cols, "removal_effect"] if self.model == "markov" else cols

    def summary(self) -> str:
        """One sentence: the model, the totals and the channels."""
        k = len(self.findings)
        text = (
            f"{self.model} attribution of {_many(self.total_conversions, 'conversion')} "
            f"(value {_num(self.total_value)}) across {k} channel{'s' if k != 1 else ''}"
        )
        if self.conversion_probability is not None:
            text += f"; {_pct(self.conversion_probability)} of journeys convert"
        return text

    def describe(self, finding: ChannelCredit) -> str:
        """One channel's credit in plain words."""
        text = (
            f"{finding.channel!r}: {_many(finding.conversions, 'conversion')} "
            f"({_pct(_share(finding.conversions, self.total_conversions))}), "
            f"value {_num(finding.value)} ({_pct(_share(finding.value, self.total_value))})"
        )
        if finding.removal_effect is not None:
            text += f"; removing it loses {_pct(finding.removal_effect)} of conversions"
        return text


# -- attribution -------------------------------------------------------------------


def attribution(path_data: PathData, *, model: str = "markov") -> Attribution:
    """Share the conversions and their value out among the channels.

    Parameters
    ----------
    path_data
        Paths read by :func:`paths`.
    model
        ``first_touch``, ``last_touch``, ``linear`` or ``markov`` (see the
        module docs). ``markov`` solves the chain of
        :meth:`PathData.to_journey` exactly, however many channels lie on
        one loop (past 5,000 that takes tens of seconds).

    Returns
    -------
    Attribution
        One :class:`ChannelCredit` per channel, sorted by channel; the
        conversions and values sum to the data's totals.

    Raises
    ------
    TypeError
        If ``path_data`` is not a :class:`PathData`.
    ValueError
        If ``model`` is not one of the choices.

    Examples
    --------
    >>> from cxgraph import paths
    >>> data = paths([{"path": "ad > ad > shop", "total_conversions": 3,
    ...                "total_conversion_value": 30}])
    >>> [(c.channel, c.conversions, c.value) for c in attribution(data, model="linear")]
    [('ad', 2.0, 20.0), ('shop', 1.0, 10.0)]
    >>> attribution(data, model="shapley")
    Traceback (most recent call last):
    ...
    ValueError: attribution(model='shapley'): unknown model (choices: 'first_touch', 'last_touch', 'linear', 'markov')
    """  # noqa: E501
    import numpy as np

    if not isinstance(path_data, PathData):
        msg = (  # type: ignore[unreachable]
            f"attribution() takes PathData (read it with cxgraph.attribution.paths.paths), "
            f"got {type(path_data).__name__}"
        )
        raise TypeError(msg)
    if model not in MODELS:
        msg = (
            f"attribution(model={model!r}): unknown model "
            f"{choices_text(str(model), MODELS, word='choices')}"
        )
        raise ValueError(msg)

    k = len(path_data.channels)
    enc = path_data._arrays()
    effects: list[float] | None = None
    conversion: float | None = None
    if model == "markov":
        from cxgraph.analyses.markov import markov
        from cxgraph.analyses.markov_model import MAX_COMPONENT

        chain = markov(path_data.to_journey(), max_component=max(MAX_COMPONENT, k + 1))
        by_step = chain.removal_effects(by="step")
        effects = [by_step[s] for s in path_data.step_ids.values()]
        conversion = chain.conversion_probability
        total_effect = math.fsum(effects)
        share = np.array(effects) / total_effect if total_effect > 0 else np.zeros(k)
        conv = path_data.total_conversions * share
        val = path_data.total_value * share
    else:
        if model == "linear":
            each = 1.0 / enc.lengths
            slot = enc.codes
            wc = np.repeat(enc.conversions * each, enc.lengths)
            wv = np.repeat(enc.value * each, enc.lengths)
        else:
            at = enc.starts if model == "first_touch" else enc.starts + enc.lengths - 1
            slot = enc.codes[at]
            wc, wv = enc.conversions, enc.value
        conv = np.asarray(np.bincount(slot, weights=wc, minlength=k), dtype=np.float64)
        val = np.asarray(np.bincount(slot, weights=wv, minlength=k), dtype=np.float64)
    conv = _settle(conv, path_data.total_conversions)
    val = _settle(val, path_data.total_value)
    findings = tuple(
        ChannelCredit(
            channel=c,
            conversions=float(conv[i]),
            value=float(val[i]),
            removal_effect=None if effects is None else effects[i],
        )
        for i, c in enumerate(path_data.channels)
    )
    return Attribution(
        findings=findings,
        model=model,
        total_conversions=path_data.total_conversions,
        total_value=path_data.total_value,
        conversion_probability=conversion,
    )


def _settle(amounts: FloatArray, total: float) -> FloatArray:
    """Give the rounding residue to the largest amount, so the column sums to ``total``."""
    import numpy as np

    out = np.array(amounts, dtype=np.float64)
    if out.size and total > 0:
        i = int(np.argmax(out))
        out[i] += total - math.fsum(out.tolist())
        out[i] = max(out[i], 0.0)
    return out
