"""The service blueprint: customer, frontstage, backstage and support lanes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxgraph.analyses.flow import require_journey
from cxgraph.model.classes import DecisionPoint, Journey, Outcome

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from cxgraph.plot.drawing import (
    _card,
    _Cell,
    _column_headers,
    _draw_legend,
    _Grid,
    _journey_title,
    _legend,
    _proxy_line,
    _routed_arrow,
    _row_bands,
    _silo_legend,
    _title,
)
from cxgraph.plot.figures import _empty, _given_scale, _inch_axes, _shrink
from cxgraph.plot.journey import _columns
from cxgraph.plot.look import (
    BLUEPRINT_NAMES,
    FLOW,
    HANDOFF,
    HEAD_H,
    HEAD_W,
    INK,
    MARGIN,
    MUTED,
    PAGE_GRID_W,
    TITLE_H,
    _lane,
    _look,
    _Measure,
    _names,
    _pair,
    _ranks,
    _silo_colours,
    _text,
)

__all__ = ["blueprint"]

#: The most cards a lane stacks in one sub-column to fit the page.
MAX_STACK = 12

# -- blueprint --------------------------------------------------------------------------


def blueprint(journey: Journey, *, ax: Axes | None = None) -> Axes:
    """Draw the service blueprint: four lanes, the three lines, the flow between steps.

    Lanes from the top: customer actions, frontstage actions, backstage
    actions and support processes, separated by the line of interaction,
    the line of visibility (what the customer does not see lies below it)
    and the line of internal interaction. Columns are the phases; within a
    phase, steps keep the order of the flow, so a customer action and the
    work it starts behind the line line up. Cards are coloured by the
    owner's silo and say who does the step; arrows are the transitions and
    hand-offs (slate), triggers dotted.

    Parameters
    ----------
    journey
        The journey to draw.
    ax
        Axes to draw on; by default a new Figure sized for the journey.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="ask", name="Ask", lane="customer"),
    ...                  cx.Touchpoint(id="cook", name="Cook", lane="backstage")],
    ...     triggers=[cx.Trigger(source="ask", target="cook")])
    >>> ax = cx.plot.blueprint(j)
    >>> sorted(a.get_gid() for a in ax.lines if a.get_gid())
    ['blueprint-line-interaction', 'blueprint-line-internal', 'blueprint-line-visibility']
    """
    journey = require_journey(journey, "blueprint")
    if not journey.steps:
        return _empty(ax, "blueprint", "no steps")
    m = _Measure()
    names = _names(journey)
    colours = _silo_colours(journey)
    order = _ranks(journey)
    cols, col_of = _columns(journey)
    lanes = list(BLUEPRINT_NAMES)
    row_list: list[tuple[str, str, str | None]] = [
        (lane, BLUEPRINT_NAMES[lane], None) for lane in lanes
    ]
    cells = {s.id: _Cell(lanes.index(_lane(s)), col_of[s.id]) for s in journey.steps}
    # Two cards a lane per sub-column, more where the blueprint would be wider
    # than the page: it grows down rather than out.
    for stack in range(2, MAX_STACK + 1):
        grid = _Grid(cells, order, len(lanes), len(cols), mode="time", stack=stack)
        if grid.width <= PAGE_GRID_W:
            break

    handles, labels = _silo_legend(journey, journey.steps, colours, names["owner"])
    handles += [
        _proxy_line(FLOW, linewidth=1.0),
        _proxy_line(HANDOFF, linewidth=1.3),
        _proxy_line(MUTED, linewidth=1.0, linestyle=":"),
    ]
    labels += ["transition", "hand-off", "trigger (internal flow)"]
    width = max(HEAD_W + grid.width + 2 * MARGIN, 8.0)
    inner_w = width - 2 * MARGIN
    legend_cols, legend_h = _legend(m, labels, inner_w)
    height = MARGIN + TITLE_H + HEAD_H + grid.height + 0.2 + legend_h + MARGIN
    scale = 1.0 if ax is None else _given_scale(ax, width, height)
    ax = _inch_axes(ax, width, height)
    top = height - MARGIN
    visible = sum(1 for s in journey.steps if _lane(s) in ("customer", "frontstage"))
    sub = (
        f"Service blueprint · {len(journey.steps)} steps · {visible} above and "
        f"{len(journey.steps) - visible} below the line of visibility"
    )
    _title(ax, "blueprint", MARGIN, top, inner_w, _journey_title(journey), sub)
    grid_top = top - TITLE_H - HEAD_H
    grid.place(MARGIN + HEAD_W, grid_top)
    right = MARGIN + HEAD_W + grid.width
    _row_bands(ax, m, "blueprint", grid, row_list, MARGIN, right)
    _column_headers(ax, m, "blueprint", grid, cols, grid_top)

    lines = (
        ("interaction", "line of interaction", "-", 1.2),
        ("visibility", "line of visibility", (0, (6, 3)), 1.6),
        ("internal", "line of internal interaction", (0, (1.5, 2)), 1.2),
    )
    for r, (key, label, style, lw) in enumerate(lines):
        y = grid.row_y[r]
        ax.plot(
            [MARGIN, right],
            [y, y],
            color=INK,
            linewidth=lw,
            linestyle=style,
            zorder=2,
            gid=f"blueprint-line-{key}",
        )
        _text(
            ax,
            MARGIN + 0.17,
            y,
            label,
            ha="left",
            va="center",
            fontsize=7.5,
            fontstyle="italic",
            color=INK,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            gid=f"blueprint-label-{key}",
        )

    steps = {s.id: s for s in journey.steps}
    owner_names = names["owner"]
    for sid in sorted(grid.pos, key=lambda s: order[s]):
        step = steps[sid]
        if isinstance(step, Outcome):
            meta = f"outcome · {step.kind}"
        elif step.owner is not None:
            meta = owner_names.get(step.owner, step.owner)
        elif isinstance(step, DecisionPoint):
            meta = "customer decides"
        else:
            meta = "no owner"
        _card(
            ax,
            "blueprint",
            m,
            step,
            grid.pos[sid],
            _look(step, colours),
            names["step"][sid],
            meta,
            None,
        )
    kinds = {(e.source, e.target): type(e).__name__ for e in journey.edges}
    for (u, v), points in sorted(grid.routes(kinds).items()):
        kind = kinds[u, v]
        arrow = _routed_arrow(
            ax,
            points,
            colour={"Handoff": HANDOFF, "Trigger": MUTED}.get(kind, FLOW),
            width=1.2 if kind == "Handoff" else 0.9,
            dashed=False,
            gid=f"blueprint-edge-{_pair(u, v)}",
        )
        if kind == "Trigger":
            arrow.set_linestyle(":")
    _draw_legend(ax, handles, labels, MARGIN, grid.row_y[-1] - 0.2, legend_cols, scale)
    _shrink(ax, scale)
    return ax
