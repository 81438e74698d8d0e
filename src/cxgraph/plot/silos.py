"""The silo matrix: how often the journey passes from one silo to another."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cxgraph.analyses.flow import require_journey
from cxgraph.analyses.silos import silo_boundaries
from cxgraph.model.classes import Journey

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from cxgraph.plot.drawing import _journey_title
from cxgraph.plot.figures import _empty, _given_scale, _new_axes, _root_figure
from cxgraph.plot.look import (
    CROSSING,
    INK,
    MUTED,
    VALUES,
    _add,
    _check,
    _escape_math,
    _Measure,
    _names,
    _pair,
    _plain_labels,
    _shade,
    _silo_colours,
    _text,
)

__all__ = ["silo_matrix"]

#: The face of a cell with no crossings: visible on a white page.
ZERO_FACE = "#F1F3F5"

# -- silo matrix -------------------------------------------------------------------------


def silo_matrix(journey: Journey, *, ax: Axes | None = None, value: str = "count") -> Axes:
    """Draw the silo × silo matrix of crossings as a heat map with the numbers in the cells.

    Rows are the silo a crossing leaves, columns the silo it enters
    (:func:`~cxgraph.silo_boundaries`); ``value="count"`` shows how many
    crossings, ``value="flow"`` their expected flow per journey (two
    decimals; a note instead when probabilities are unknown).

    Parameters
    ----------
    journey
        The journey to draw.
    ax
        Axes to draw on; by default a new Figure sized for the silos.
    value
        ``"count"`` (default) or ``"flow"``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        If ``value`` is not ``"count"`` or ``"flow"``.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     owners=[cx.Owner(id="mkt", name="Marketing", kind="department"),
    ...             cx.Owner(id="sales", name="Sales", kind="department")],
    ...     touchpoints=[cx.Touchpoint(id="ad", name="Ad", owner="mkt"),
    ...                  cx.Touchpoint(id="call", name="Call", owner="sales")],
    ...     transitions=[cx.Transition(source="ad", target="call")])
    >>> ax = cx.plot.silo_matrix(j)
    >>> sorted((t.get_gid(), t.get_text()) for t in ax.texts
    ...        if t.get_gid().startswith("silo_matrix-value-"))
    [('silo_matrix-value-mkt->mkt', '0'), ('silo_matrix-value-mkt->sales', '1'),
     ('silo_matrix-value-sales->mkt', '0'), ('silo_matrix-value-sales->sales', '0')]
    >>> cx.plot.silo_matrix(j, value="share")
    Traceback (most recent call last):
    ...
    ValueError: unknown value 'share' (choose 'count' or 'flow')
    """
    journey = require_journey(journey, "silo_matrix")
    _check(value, VALUES, "value")
    result = silo_boundaries(journey)
    if not result.silos:
        note = "no steps" if not journey.steps else "no silos: no step has an owner"
        return _empty(ax, "silo_matrix", note)
    matrix: Mapping[str, Mapping[str, float]] | None = (
        result.counts if value == "count" else result.flows
    )
    if matrix is None:
        return _empty(
            ax,
            "silo_matrix",
            "expected flow is unknown: the journey gives no probabilities or counts",
        )
    from matplotlib.patches import Rectangle

    m = _Measure()
    silos = result.silos
    names = _names(journey)["owner"]
    colours = _silo_colours(journey)
    labels = [m.fit(names.get(s, s), 2.2 * 72, 8.0) for s in silos]
    longest = max(m.width(t, 8.0) for t in labels) / 72
    n = len(silos)
    cell = 0.85
    heading = "Silo crossings" if value == "count" else "Silo crossings: expected flow"
    title = _journey_title(journey)
    own = ax is None
    left = longest + 0.55
    bottom = longest * math.sin(math.radians(35)) + 0.55
    side = n * cell
    width = max(left + side + 0.3, 4.5)
    # On a caller's Axes smaller than the natural matrix, the text shrinks with it.
    scale = 1.0 if ax is None else _given_scale(ax, width, bottom + side + 0.75)
    if ax is None:
        ax = _new_axes(width, bottom + side + 0.75, (left, bottom, side, side))
        # The heading starts at the figure's left edge, above the row labels.
        inset = -(left - 0.2) / side
        room = (width - 0.4) * 72
        _text(
            ax,
            inset,
            1.0 + 0.55 / side,
            m.fit(heading, room, 10.0),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=10,
            fontweight="bold",
            color=INK,
            gid="silo_matrix-title",
        )
        _text(
            ax,
            inset,
            1.0 + 0.3 / side,
            m.fit(title, room, 8.0),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=8,
            color=MUTED,
            gid="silo_matrix-subtitle",
        )
    top = max((matrix[a][b] for a in silos for b in silos), default=0.0)
    for i, a in enumerate(silos):
        for j, b in enumerate(silos):
            v = matrix[a][b]
            share = v / top if top > 0 else 0.0
            # A zero cell is a light grey, not white: on the page it must read as
            # "none" rather than as a missing cell.
            face = "#E6E6E6" if a == b else (_blend("#FFFFFF", CROSSING, share) if v else ZERO_FACE)
            _add(
                ax,
                Rectangle(
                    (j - 0.5, i - 0.5),
                    1.0,
                    1.0,
                    facecolor=face,
                    edgecolor="white",
                    linewidth=2.0,
                    gid=f"silo_matrix-cell-{_pair(a, b)}",
                ),
            )
            text = str(int(v)) if value == "count" else f"{v:.2f}"
            _text(
                ax,
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=10 * scale,
                fontweight="bold" if v else "normal",
                color="white" if share > 0.6 else (MUTED if not v else INK),
                gid=f"silo_matrix-value-{_pair(a, b)}",
            )
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(n), [_escape_math(t) for t in labels])
    ax.set_yticks(range(n), [_escape_math(t) for t in labels])
    ax.tick_params(length=0, labelsize=8 * scale)
    for t in ax.get_xticklabels():
        t.set_rotation(35)
        t.set_horizontalalignment("right")
        t.set_rotation_mode("anchor")
    for ticks in (ax.get_xticklabels(), ax.get_yticklabels()):
        for t, s in zip(ticks, silos, strict=True):
            t.set_color(_shade(colours.get(s, INK), 0.25) if s in colours else INK)
    for spine in ax.spines.values():
        spine.set_visible(False)
    what = "crossings" if value == "count" else "expected crossings per journey"
    ax.set_xlabel(f"to silo ({what})", fontsize=8 * scale, color=MUTED)
    ax.set_ylabel("from silo", fontsize=8 * scale, color=MUTED)
    if not own:
        room = ax.get_position().width * _root_figure(ax).get_size_inches()[0] * 72
        heading = m.fit(f"{heading}: {title}", room, 10 * scale)
        _plain_labels([ax.set_title(heading, fontsize=10 * scale, loc="left", pad=4)])
    return ax


def _blend(a: str, b: str, t: float) -> str:
    ra = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    rb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#{:02X}{:02X}{:02X}".format(
        *[round(x + (y - x) * t) for x, y in zip(ra, rb, strict=True)]
    )
