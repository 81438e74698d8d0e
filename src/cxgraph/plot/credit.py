"""The attribution bar chart: each channel's conversions under one model or several side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from cxgraph.plot.figures import _empty, _given_scale, _new_axes
from cxgraph.plot.look import INK, MUTED, RULE, _clean, _Measure, _plain_labels, _text

__all__ = ["attribution"]

#: One colour per model compared, in the models' order (colour-blind safe, Okabe-Ito).
MODEL_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
#: The height of one channel's group of bars, in inches.
GROUP = 0.42
#: The room for the bars, in inches.
BARS = 4.6


def attribution(result: Any, *, ax: Axes | None = None) -> Axes:
    """Draw each channel's attributed conversions as horizontal bars.

    ``result`` is an :class:`~cxgraph.Attribution` (one bar per channel, with
    its interval as an error bar when ``intervals=`` was asked) or an
    :class:`~cxgraph.attribution.models.AttributionComparison` (one bar per
    model in each channel's group, the models told apart by colour and named
    in a legend, never by colour alone: each bar ends in its number).
    Channels keep the result's order, top to bottom.

    Parameters
    ----------
    result
        The attribution to draw.
    ax
        Axes to draw on; by default a new Figure sized for the channels.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. Bars carry the ``gid``
        ``attribution-bar-<model>-<channel>``, their numbers
        ``attribution-value-<model>-<channel>``.

    Raises
    ------
    TypeError
        If ``result`` is not an attribution result.

    Examples
    --------
    >>> import cxgraph as cx
    >>> data = cx.paths([{"path": "ad > shop", "total_conversions": 3},
    ...                  {"path": "shop", "total_conversions": 1}])
    >>> ax = cx.plot.attribution(cx.attribution(data, model=["first_touch", "last_touch"]))
    >>> sorted(p.get_gid() for p in ax.patches)
    ['attribution-bar-first_touch-ad', 'attribution-bar-first_touch-shop', 'attribution-bar-last_touch-ad', 'attribution-bar-last_touch-shop']
    """  # noqa: E501
    from cxgraph.attribution.models import Attribution, AttributionComparison

    if isinstance(result, AttributionComparison):
        models = list(result.models)
        parts = list(result.attributions)
    elif isinstance(result, Attribution):
        models, parts = [result.model], [result]
    else:
        msg = (
            f"plot.attribution() takes the result of cx.attribution(), got {type(result).__name__}"
        )
        raise TypeError(msg)
    channels = [f.channel for f in parts[0].findings]
    if not channels:
        return _empty(ax, "attribution", "no channels: the path data has no touches")
    m = _Measure()
    labels = [m.fit(_clean(c), 2.4 * 72, 8.5) for c in channels]
    left = max(m.width(t, 8.5) for t in labels) / 72 + 0.35
    k = len(models)
    group = max(GROUP, 0.18 * k + 0.14)
    height = group * len(channels)
    legend = 0.3 * ((k + 2) // 3) if k > 1 else 0.0
    top, bottom = 0.75 + legend, 0.45
    width = left + BARS + 0.9
    scale = 1.0 if ax is None else _given_scale(ax, width, height + top + bottom)
    own = ax is None
    if ax is None:
        ax = _new_axes(width, height + top + bottom, (left, bottom, BARS, height))
    largest = max(
        max((f.high if f.high is not None else f.conversions) for f in part.findings)
        for part in parts
    )
    span = largest if largest > 0 else 1.0
    bar = (group - 0.14) / k / group
    for i, (model, part) in enumerate(zip(models, parts, strict=True)):
        colour = MODEL_COLOURS[i % len(MODEL_COLOURS)]
        for row, f in enumerate(part.findings):
            y = row + 0.5 - (k * bar) / 2 + i * bar
            ax.barh(
                y,
                f.conversions,
                height=bar * 0.92,
                align="edge",
                color=colour,
                edgecolor="none",
                gid=f"attribution-bar-{model}-{f.channel}",
            )
            end = f.conversions
            if f.low is not None and f.high is not None:
                whisker = ax.errorbar(
                    f.conversions,
                    y + bar * 0.46,
                    xerr=[[f.conversions - f.low], [f.high - f.conversions]],
                    fmt="none",
                    ecolor=INK,
                    elinewidth=0.8 * scale,
                    capsize=2.5 * scale,
                )
                for artist in whisker.get_children():
                    artist.set_gid(f"attribution-interval-{model}-{f.channel}")
                end = f.high
            _text(
                ax,
                end + span * 0.015,
                y + bar * 0.46,
                _number(f.conversions),
                ha="left",
                va="center",
                fontsize=7.5 * scale,
                color=INK,
                gid=f"attribution-value-{model}-{f.channel}",
            )
    ax.set_ylim(len(channels), 0)
    ax.set_xlim(0, span * 1.18)
    ax.set_yticks([r + 0.5 for r in range(len(channels))])
    _plain_labels(ax.set_yticklabels(labels, fontsize=8.5 * scale, color=INK))
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=7.5 * scale, colors=MUTED)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(RULE)
    ax.set_xlabel("attributed conversions", fontsize=8 * scale, color=MUTED)
    if own:
        title = "Channel attribution" if k == 1 else "Channel attribution, models compared"
        what = parts[0].summary() if k == 1 else result.summary()
        _text(
            ax,
            -left / BARS,
            1.0 + (top - 0.12) / height,
            title,
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=10,
            fontweight="bold",
            color=INK,
            gid="attribution-title",
        )
        _text(
            ax,
            -left / BARS,
            1.0 + (top - 0.38) / height,
            m.fit(what, (width - 0.4) * 72, 7.5),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=7.5,
            color=MUTED,
            gid="attribution-subtitle",
        )
    if k > 1:
        from matplotlib.patches import Patch

        handles = [
            Patch(facecolor=MODEL_COLOURS[i % len(MODEL_COLOURS)], label=model)
            for i, model in enumerate(models)
        ]
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncol=min(k, 3),
            frameon=False,
            fontsize=7.5 * scale,
        ).set_gid("attribution-legend")
    return ax


def _number(x: float) -> str:
    """``12``, ``3.5``, ``0.25``: a conversion count as people write it."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
