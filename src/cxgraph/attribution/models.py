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
- ``position_based``: ``weights=(first, middle, last)``, by default
  ``(0.4, 0.2, 0.4)``: the first and last touch get their weights, the
  middle touches share the middle weight equally; a one-touch path gives
  its touch everything, a two-touch path splits 0.5 and 0.5;
- ``time_decay``: ``half_life=`` (a timedelta, required): a touch weighs
  ``2 ** (-age / half_life)``, its age the time from it to the path's last
  touch, the weights normalised per path. Needs touch times, which
  :func:`~cxgraph.attribution.touches.paths_from_events` reads;
- ``markov``: the removal effect of each channel,
  ``1 - P(conversion without it) / P(conversion)``, in the first-order chain
  of :meth:`PathData.to_journey` (exact, from
  :func:`cxgraph.analyses.markov.markov`; ChannelAttribution simulates it);
  a channel gets ``total conversions * effect / sum of effects``, and the
  same share of the total value. With ``order=k`` above 1 a state is the
  tuple of the path's last ``k`` touches (ChannelAttribution's ``order``),
  solved exactly by :mod:`cxgraph.attribution.higher_order`;
- ``shapley``: the Shapley value of the path game (v(S) = the conversions
  of the paths whose channels all lie in S; Zhao et al. 2018): each path's
  conversions and value split equally among its distinct channels
  (:mod:`cxgraph.attribution.shapley`);
- ``markov_shapley``: Shapley values φ of the first-order chain's
  conversion probability with channels removed (at most 20 channels); a
  channel gets ``total × φ / Σφ``; records add ``shapley_value``.

Options for every model: ``intervals=0.95`` adds bootstrap bounds ``low,
high`` (of conversions) and ``value_low, value_high``
(:mod:`cxgraph.attribution.intervals`); ``cost={channel: spend}`` adds
``cost_per_conversion`` and ``roas``. A list of models,
``model=["first_touch", "linear", "markov"]``, returns an
:class:`AttributionComparison`: every model side by side.

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
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, overload

from attrs import frozen

from cxgraph._util.numbers import pct_text
from cxgraph._util.results import record_of
from cxgraph._util.text import choices_text
from cxgraph.analyses.results import AnalysisResult

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]

from cxgraph.attribution.heuristics import (
    TOUCH_MODELS,
    AttributionError,
    check_half_life,
    check_weights,
    touch_weights,
)
from cxgraph.attribution.path_tables import _num
from cxgraph.attribution.paths import PathData, _many, _share

__all__ = [
    "MODELS",
    "Attribution",
    "AttributionComparison",
    "AttributionError",
    "ChannelComparison",
    "ChannelCredit",
    "attribution",
]

#: The attribution models :func:`attribution` knows.
MODELS: tuple[str, ...] = (*TOUCH_MODELS, "markov", "shapley", "markov_shapley")

#: The optional record fields, in record order.
_OPTIONAL = (
    "removal_effect",
    "shapley_value",
    "low",
    "high",
    "value_low",
    "value_high",
    "cost_per_conversion",
    "roas",
)


@frozen(kw_only=True)
class ChannelCredit:
    """The conversions and value credited to one channel.

    The optional fields are None where they do not apply: ``removal_effect``
    (``markov``) is the share of conversions lost without the channel;
    ``shapley_value`` (``markov_shapley``) its Shapley value of the chain's
    conversion probability; ``low, high`` and ``value_low, value_high``
    (``intervals=``) the bootstrap bounds of its conversions and value;
    ``cost_per_conversion`` and ``roas`` (``cost=``) its spend per
    conversion and value per unit spent.
    """

    channel: str
    conversions: float
    value: float
    removal_effect: float | None = None
    shapley_value: float | None = None
    low: float | None = None
    high: float | None = None
    value_low: float | None = None
    value_high: float | None = None
    cost_per_conversion: float | None = None
    roas: float | None = None


@frozen(kw_only=True, repr=False)
class Attribution(AnalysisResult[ChannelCredit]):
    """Conversions and value credited to each channel, sorted by channel.

    ``model`` is the model used; ``total_conversions`` and ``total_value`` the
    data's totals, which the channels' amounts sum to; for ``markov`` and
    ``markov_shapley``, ``conversion_probability`` is the share of journeys
    that convert in the chain (None for the other models). The options used
    are kept: ``order`` (``markov``), ``weights`` (``position_based``),
    ``half_life`` (``time_decay``), ``intervals``, ``resamples`` and ``seed``
    (None without intervals) and ``cost`` (channel and spend pairs, or None).
    Records are ``channel, conversions, value``, plus the optional fields of
    :class:`ChannelCredit` that apply.
    """

    name: ClassVar[str] = "attribution"
    title: ClassVar[str] = "Channel attribution"

    model: str
    total_conversions: float
    total_value: float
    conversion_probability: float | None = None
    order: int = 1
    weights: tuple[float, float, float] | None = None
    half_life: timedelta | None = None
    intervals: float | None = None
    resamples: int | None = None
    seed: int | None = None
    cost: tuple[tuple[str, float], ...] | None = None

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per channel: ``channel, conversions, value`` and the fields that apply."""
        keep = self.columns()
        return [{k: v for k, v in record_of(f).items() if k in keep} for f in self.findings]

    def columns(self) -> list[str]:
        """The record keys."""
        on = {
            "removal_effect": self.model == "markov",
            "shapley_value": self.model == "markov_shapley",
            "low": self.intervals is not None,
            "high": self.intervals is not None,
            "value_low": self.intervals is not None,
            "value_high": self.intervals is not None,
            "cost_per_conversion": self.cost is not None,
            "roas": self.cost is not None,
        }
        return ["channel", "conversions", "value", *(k for k in _OPTIONAL if on[k])]

    @property
    def label(self) -> str:
        """The model with its options, as the summary names it."""
        if self.model == "markov" and self.order != 1:
            return f"markov (order {self.order})"
        if self.model == "position_based" and self.weights is not None:
            return f"position_based {tuple(_num(w) for w in self.weights)}".replace("'", "")
        if self.model == "time_decay" and self.half_life is not None:
            return f"time_decay (half-life {self.half_life})"
        return self.model

    def summary(self) -> str:
        """One sentence: the model, the totals and the channels."""
        k = len(self.findings)
        text = (
            f"{self.label} attribution of {_many(self.total_conversions, 'conversion')} "
            f"(value {_num(self.total_value)}) across {k} channel{'s' if k != 1 else ''}"
        )
        if self.conversion_probability is not None:
            text += f"; {pct_text(self.conversion_probability)} of journeys convert"
        if self.intervals is not None:
            text += f"; {pct_text(self.intervals)} intervals from {self.resamples} resamples"
        return text

    def describe(self, finding: ChannelCredit) -> str:
        """One channel's credit in plain words."""
        text = (
            f"{finding.channel!r}: {_many(finding.conversions, 'conversion')} "
            f"({pct_text(_share(finding.conversions, self.total_conversions))})"
        )
        if finding.low is not None and finding.high is not None:
            text += f" [{_num(finding.low)} to {_num(finding.high)}]"
        text += (
            f", value {_num(finding.value)} ({pct_text(_share(finding.value, self.total_value))})"
        )
        if finding.removal_effect is not None:
            text += f"; removing it loses {pct_text(finding.removal_effect)} of conversions"
        if finding.shapley_value is not None:
            text += f"; Shapley value {_num(finding.shapley_value)}"
        if self.cost is not None and finding.channel in dict(self.cost):
            per, roas = finding.cost_per_conversion, finding.roas
            text += (
                f"; cost per conversion {'n/a' if per is None else _num(per)}, "
                f"ROAS {'n/a' if roas is None else _num(roas)}"
            )
        return text


@frozen(kw_only=True)
class ChannelComparison:
    """One channel's conversions under each model compared, in the models' order."""

    channel: str
    conversions: tuple[float, ...]
    value: tuple[float, ...]


@frozen(kw_only=True, repr=False)
class AttributionComparison(AnalysisResult[ChannelComparison]):
    """Several models side by side: one record per channel, one column per model.

    ``models`` are the models in the order asked; ``attributions`` each
    model's :class:`Attribution`, in that order (also by name:
    :meth:`attribution`). Records are ``channel`` and then each model's
    conversions under the model's name; :meth:`to_value_records` gives the
    values the same way.
    """

    name: ClassVar[str] = "attribution_comparison"
    title: ClassVar[str] = "Channel attribution compared"

    models: tuple[str, ...]
    attributions: tuple[Attribution, ...]
    total_conversions: float
    total_value: float

    def attribution(self, model: str) -> Attribution:
        """The :class:`Attribution` of one model compared.

        Raises
        ------
        KeyError
            If ``model`` was not compared (naming the models that were).
        """
        for m, result in zip(self.models, self.attributions, strict=True):
            if m == model:
                return result
        msg = f"{model!r} was not compared {choices_text(model, self.models, word='models')}"
        raise KeyError(msg)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per channel: ``channel`` and each model's conversions."""
        return [
            {"channel": f.channel, **dict(zip(self.models, f.conversions, strict=True))}
            for f in self.findings
        ]

    def to_value_records(self) -> list[dict[str, Any]]:
        """One dict per channel: ``channel`` and each model's value."""
        return [
            {"channel": f.channel, **dict(zip(self.models, f.value, strict=True))}
            for f in self.findings
        ]

    def columns(self) -> list[str]:
        """The record keys."""
        return ["channel", *self.models]

    def summary(self) -> str:
        """One sentence: the models, the totals and the channels."""
        k, m = len(self.findings), len(self.models)
        return (
            f"{m} attribution model{'s' if m != 1 else ''} compared "
            f"({', '.join(self.models)}) on {_many(self.total_conversions, 'conversion')} "
            f"(value {_num(self.total_value)}) across {k} channel{'s' if k != 1 else ''}"
        )

    def describe(self, finding: ChannelComparison) -> str:
        """One channel's conversions under each model."""
        each = ", ".join(
            f"{m} {_num(c)}" for m, c in zip(self.models, finding.conversions, strict=True)
        )
        return f"{finding.channel!r}: {each}"


# -- attribution -------------------------------------------------------------------


@overload
def attribution(
    path_data: PathData,
    *,
    model: str = ...,
    order: int = ...,
    weights: Sequence[float] = ...,
    half_life: timedelta | None = ...,
    intervals: float | None = ...,
    resamples: int = ...,
    seed: int = ...,
    cost: Mapping[str, float] | None = ...,
) -> Attribution: ...
@overload
def attribution(
    path_data: PathData,
    *,
    model: list[str] | tuple[str, ...],
    order: int = ...,
    weights: Sequence[float] = ...,
    half_life: timedelta | None = ...,
    intervals: float | None = ...,
    resamples: int = ...,
    seed: int = ...,
    cost: Mapping[str, float] | None = ...,
) -> AttributionComparison: ...
def attribution(
    path_data: PathData,
    *,
    model: str | Sequence[str] = "markov",
    order: int = 1,
    weights: Sequence[float] = (0.4, 0.2, 0.4),
    half_life: timedelta | None = None,
    intervals: float | None = None,
    resamples: int = 200,
    seed: int = 0,
    cost: Mapping[str, float] | None = None,
) -> Attribution | AttributionComparison:
    """Share the conversions and their value out among the channels.

    Parameters
    ----------
    path_data
        Paths read by :func:`paths` or
        :func:`~cxgraph.attribution.touches.paths_from_events`.
    model
        One of :data:`MODELS` (see the module docs), or a list of them to
        compare side by side. ``markov`` solves the chain of
        :meth:`PathData.to_journey` exactly, however many channels lie on
        one loop (a loop of 5,000 channels linked every way takes about 15 s).
    order
        ``markov`` only: the chain's order, 1 up to the longest path.
    weights
        ``position_based`` only: the first, middle and last touch's
        weights, each 0 or more, adding to 1.
    half_life
        ``time_decay`` only, and required there: the age at which a touch
        counts half.
    intervals
        A confidence level in (0, 1), such as 0.95: adds bootstrap bounds
        ``low, high, value_low, value_high`` (see
        :mod:`cxgraph.attribution.intervals`). None (the default) adds none.
    resamples, seed
        The bootstrap's number of resamples (1 or more) and its seed (the
        bounds are the same for the same seed).
    cost
        Channel → spend (0 or more) on the channels that have one: adds
        ``cost_per_conversion`` (spend / conversions) and ``roas`` (value /
        spend), None where there is no spend or the divisor is 0.

    Returns
    -------
    Attribution or AttributionComparison
        For one model, one :class:`ChannelCredit` per channel, sorted by
        channel; the conversions and values sum to the data's totals. For a
        list, an :class:`AttributionComparison`.

    Raises
    ------
    TypeError
        If ``path_data`` is not a :class:`PathData`.
    AttributionError
        (also a ``ValueError``) If ``model`` is not one of the choices (or
        a list of them, each once), or for a bad option: ``order`` not a
        whole number from 1 to the longest path, ``weights`` not adding to
        1, ``half_life`` missing or not longer than 0 for ``time_decay``,
        ``time_decay`` on paths without touch times, ``intervals`` outside
        (0, 1), ``resamples`` below 1, a ``cost`` channel not in the data
        or a negative spend.

    Examples
    --------
    >>> from cxgraph import paths
    >>> data = paths([{"path": "ad > ad > shop", "total_conversions": 3,
    ...                "total_conversion_value": 30}])
    >>> [(c.channel, c.conversions, c.value) for c in attribution(data, model="linear")]
    [('ad', 2.0, 20.0), ('shop', 1.0, 10.0)]
    >>> [(c.channel, round(c.conversions, 9))
    ...  for c in attribution(data, model="position_based")]
    [('ad', 1.8), ('shop', 1.2)]
    >>> both = attribution(data, model=["first_touch", "linear"])
    >>> both.to_records()
    [{'channel': 'ad', 'first_touch': 3.0, 'linear': 2.0}, {'channel': 'shop', 'first_touch': 0.0, 'linear': 1.0}]
    >>> attribution(data, model="shapley_touch")
    Traceback (most recent call last):
    ...
    cxgraph.attribution.heuristics.AttributionError: attribution(model='shapley_touch'): unknown model (choices: 'first_touch', 'last_touch', 'linear', 'position_based', 'time_decay', 'markov', 'shapley', 'markov_shapley')
    """  # noqa: E501
    if not isinstance(path_data, PathData):
        msg = (  # type: ignore[unreachable]
            f"attribution() takes PathData (read it with cxgraph.attribution.paths.paths), "
            f"got {type(path_data).__name__}"
        )
        raise TypeError(msg)
    if isinstance(model, str):
        model = _check_model(model)
        return _one(path_data, model, order, weights, half_life, intervals, resamples, seed, cost)
    if not isinstance(model, Sequence) or not model:
        msg = f"attribution(model={model!r}): expected a model name or a list of them"
        raise AttributionError(msg)
    names = [_check_model(m) for m in model]
    twice = sorted({m for m in names if names.count(m) > 1})
    if twice:
        msg = f"attribution(model={list(model)!r}): {', '.join(map(repr, twice))} asked twice"
        raise AttributionError(msg)
    results = tuple(
        _one(path_data, m, order, weights, half_life, intervals, resamples, seed, cost)
        for m in names
    )
    findings = tuple(
        ChannelComparison(
            channel=c,
            conversions=tuple(r.findings[i].conversions for r in results),
            value=tuple(r.findings[i].value for r in results),
        )
        for i, c in enumerate(path_data.channels)
    )
    return AttributionComparison(
        findings=findings,
        models=tuple(names),
        attributions=results,
        total_conversions=path_data.total_conversions,
        total_value=path_data.total_value,
    )


def _check_model(model: Any) -> str:
    if not isinstance(model, str) or model not in MODELS:
        msg = (
            f"attribution(model={model!r}): unknown model "
            f"{choices_text(str(model), MODELS, word='choices')}"
        )
        raise AttributionError(msg)
    return model


def _one(
    path_data: PathData,
    model: str,
    order: Any,
    weights: Any,
    half_life: Any,
    intervals: Any,
    resamples: Any,
    seed: Any,
    cost: Any,
) -> Attribution:
    """One model's attribution, options checked first."""
    from cxgraph.attribution.intervals import bounds, check_cost, check_intervals, spend

    longest = max((len(r.path) for r in path_data.rows), default=1)
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= longest:
        msg = (
            f"attribution(order={order!r}): expected a whole number from 1 to {longest}, "
            f"the longest path's length"
        )
        raise AttributionError(msg)
    w = check_weights(weights) if model == "position_based" else None
    seconds = check_half_life(half_life) if model == "time_decay" else None
    check_intervals(intervals, resamples, seed)
    spends = None if cost is None else check_cost(cost, path_data.channels)

    effects: list[float] | None = None
    phi: list[float] | None = None
    conversion: float | None = None
    credit: Callable[[PathData], tuple[FloatArray, FloatArray]]
    if model in TOUCH_MODELS:
        weights_of_touch = touch_weights(
            path_data, model, weights=w or (0.4, 0.2, 0.4), half_life=seconds
        )
        credit = _touch_credit(weights_of_touch)
    elif model == "shapley":
        credit = _shapley_credit
    else:
        # The chain models: markov's removal effects, markov_shapley's Shapley values.
        credit = _chain_credit(model, order)
        _, extra, conversion = _chain(path_data, model, order)
        effects, phi = (extra, None) if model == "markov" else (None, extra)
    conv, val = credit(path_data)
    k = len(path_data.channels)
    empty: list[float | None] = [None] * k
    low = high = vlow = vhigh = empty
    if intervals is not None:
        lo, hi, vlo, vhi = bounds(
            path_data,
            credit,
            (conv, val),
            level=float(intervals),
            resamples=resamples,
            seed=seed,
        )
        low, high, vlow, vhigh = lo.tolist(), hi.tolist(), vlo.tolist(), vhi.tolist()
    findings = []
    for i, c in enumerate(path_data.channels):
        per, roas = (
            (None, None) if spends is None else spend(spends, c, float(conv[i]), float(val[i]))
        )
        findings.append(
            ChannelCredit(
                channel=c,
                conversions=float(conv[i]),
                value=float(val[i]),
                removal_effect=None if effects is None else effects[i],
                shapley_value=None if phi is None else phi[i],
                low=low[i],
                high=high[i],
                value_low=vlow[i],
                value_high=vhigh[i],
                cost_per_conversion=per,
                roas=roas,
            )
        )
    return Attribution(
        findings=tuple(findings),
        model=model,
        total_conversions=path_data.total_conversions,
        total_value=path_data.total_value,
        conversion_probability=conversion,
        order=order,
        weights=w,
        half_life=half_life if model == "time_decay" else None,
        intervals=None if intervals is None else float(intervals),
        resamples=None if intervals is None else resamples,
        seed=None if intervals is None else seed,
        cost=None if spends is None else tuple(sorted(spends.items())),
    )


def _touch_credit(weights: FloatArray) -> Callable[[PathData], tuple[FloatArray, FloatArray]]:
    """Credit by fixed touch weights: each touch earns weight × its row's counts."""
    import numpy as np

    def credit(data: PathData) -> tuple[FloatArray, FloatArray]:
        enc = data._arrays()
        k = len(data.channels)
        wc = np.repeat(enc.conversions, enc.lengths) * weights
        wv = np.repeat(enc.value, enc.lengths) * weights
        conv = np.asarray(np.bincount(enc.codes, weights=wc, minlength=k), dtype=np.float64)
        val = np.asarray(np.bincount(enc.codes, weights=wv, minlength=k), dtype=np.float64)
        return _settle(conv, data.total_conversions), _settle(val, data.total_value)

    return credit


def _chain_credit(model: str, order: int) -> Callable[[PathData], tuple[FloatArray, FloatArray]]:
    """Credit by a chain model: the total times each channel's share."""

    def credit(data: PathData) -> tuple[FloatArray, FloatArray]:
        shares, _, _ = _chain(data, model, order)
        return (
            _settle(data.total_conversions * shares, data.total_conversions),
            _settle(data.total_value * shares, data.total_value),
        )

    return credit


def _shapley_credit(data: PathData) -> tuple[FloatArray, FloatArray]:
    import numpy as np

    from cxgraph.attribution.shapley import shapley_credit

    conv, val = shapley_credit(data)
    return (
        _settle(np.asarray(conv, dtype=np.float64), data.total_conversions),
        _settle(np.asarray(val, dtype=np.float64), data.total_value),
    )


def _chain(data: PathData, model: str, order: int) -> tuple[FloatArray, list[float], float]:
    """``(shares, per-channel effects or φ, conversion probability)`` of a chain model."""
    import numpy as np

    k = len(data.channels)
    if model == "markov_shapley":
        from cxgraph.attribution.shapley import markov_shapley_credit

        phi, conversion = markov_shapley_credit(data)
        extra = [float(x) for x in phi]
    elif order > 1:
        from cxgraph.attribution.higher_order import markov_order_credit

        effects, conversion = markov_order_credit(data, order)
        extra = [float(x) for x in effects]
    else:
        from cxgraph.analyses.markov import markov
        from cxgraph.analyses.markov_model import MAX_COMPONENT

        chain = markov(data.to_journey(), max_component=max(MAX_COMPONENT, k + 1))
        by_step = chain.removal_effects(by="step")
        extra = [by_step[s] for s in data.step_ids.values()]
        conversion = chain.conversion_probability
    total = math.fsum(extra)
    shares = np.array(extra, dtype=np.float64) / total if total > 0 else np.zeros(k)
    return shares, extra, float(conversion)


def _settle(amounts: FloatArray, total: float) -> FloatArray:
    """Give the rounding residue to the largest amount, so the column sums to ``total``."""
    import numpy as np

    out = np.array(amounts, dtype=np.float64)
    if out.size and total > 0:
        i = int(np.argmax(out))
        out[i] += total - math.fsum(out.tolist())
        out[i] = max(out[i], 0.0)
    return out
