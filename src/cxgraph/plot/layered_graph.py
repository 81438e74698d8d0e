"""The journey graph drawn in layers (Sugiyama): phases, then topological order."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cxgraph.analyses.flow import flow_model, require_journey
from cxgraph.analyses.moments import moments_of_truth
from cxgraph.analyses.silos import silo_boundaries
from cxgraph.graph import compile_graph
from cxgraph.model.classes import DecisionPoint, Journey, Outcome

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.patches import Patch

from cxgraph.plot.drawing import (
    _Box,
    _draw_legend,
    _journey_title,
    _legend,
    _proxy_line,
    _proxy_patch,
    _silo_legend,
    _title,
)
from cxgraph.plot.figures import _empty, _inch_axes
from cxgraph.plot.look import (
    BAND,
    CROSSING,
    FLOW,
    HANDOFF,
    HEAD_H,
    HEAD_PT,
    INK,
    MARGIN,
    MOMENT,
    MUTED,
    TITLE_H,
    _add,
    _look,
    _Measure,
    _names,
    _pair,
    _phase_of,
    _ranks,
    _silo_colours,
    _text,
    _tint,
)

__all__ = ["graph"]

# -- graph ----------------------------------------------------------------------------

NODE_W, NODE_H = 1.3, 0.56
NODE_GX, NODE_GY = 0.42, 0.3
NODE_PT = 6.8


def _slots(journey: Journey, order: Mapping[str, tuple[int, int]]) -> dict[str, int]:
    """Each step's phase band: its phase, else the latest band of the steps before it.

    Steps are taken in flow order, so a step without a phase follows the
    steps that lead to it (an outcome sits at the end of the phase it ends);
    one with no placed predecessor takes the earliest band after it, else
    the first.
    """
    g = compile_graph(journey)
    index = {p.id: i for i, p in enumerate(journey.phases)}
    slot: dict[str, int] = {}
    pending: list[str] = []
    for s in sorted(journey.steps, key=lambda s: order[s.id]):
        phase = _phase_of(s)
        if phase is not None:
            slot[s.id] = index[phase]
            continue
        before = [slot[u] for u in g.predecessors(s.id) if u in slot]
        if before:
            slot[s.id] = max(before)
        else:
            pending.append(s.id)
    for sid in reversed(pending):
        after = [slot[v] for v in g.successors(sid) if v in slot]
        slot[sid] = min(after) if after else 0
    return slot


def _graph_columns(
    slot: Mapping[str, int], order: Mapping[str, tuple[int, int]], n_slots: int
) -> dict[tuple[int, int], list[str]]:
    """Steps by (band, column within the band), in flow order left to right.

    Steps of one flow layer stay in one column; consecutive layers share a
    column while it holds at most ``rows`` steps (about the square root of
    the journey's size), so a long phase folds into a few columns instead of
    stretching the graph into a ribbon.
    """
    rows = max(4, math.ceil(math.sqrt(len(slot))))
    columns: dict[tuple[int, int], list[str]] = defaultdict(list)
    for band in range(n_slots):
        layers: dict[int, list[str]] = defaultdict(list)
        for sid in sorted((s for s in slot if slot[s] == band), key=lambda s: order[s]):
            layers[order[sid][0]].append(sid)
        k, used = 0, 0
        for layer in sorted(layers):
            group = layers[layer]
            if used and used + len(group) > rows:
                k, used = k + 1, 0
            columns[band, k] += group
            used += len(group)
    return columns


def graph(journey: Journey, *, ax: Axes | None = None) -> Axes:
    """Draw the journey graph, layered by phase, with its findings highlighted.

    Steps sit in phase bands left to right, in flow order within a band
    (longest-path layers from the entries); a step without a phase joins
    the band of the steps that lead to it. Touchpoints are rounded boxes,
    decisions diamonds, outcomes rounded pills, filled with the owner's
    silo colour (outcomes by kind). Edge width is the expected flow
    (:func:`~cxgraph.markov`'s ``edge_flow``) when probabilities or counts
    are known, else uniform. Edges on a silo crossing are orange, other
    hand-offs slate, triggers dotted; moments of truth
    (:func:`~cxgraph.moments_of_truth`) get a gold halo.

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
    ...     touchpoints=[cx.Touchpoint(id="a", name="A", moment_of_truth=True)],
    ...     outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
    ...     transitions=[cx.Transition(source="a", target="done")])
    >>> ax = cx.plot.graph(j)
    >>> sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("graph-"))
    ['graph-edge-a->done', 'graph-moment-a', 'graph-node-a', 'graph-node-done']
    """
    journey = require_journey(journey, "graph")
    if not journey.steps:
        return _empty(ax, "graph", "no steps")
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle

    m = _Measure()
    names = _names(journey)
    colours = _silo_colours(journey)
    order = _ranks(journey)
    g = compile_graph(journey)
    slot = _slots(journey, order)
    n_slots = max(max(slot.values()) + 1, len(journey.phases))

    columns = _graph_columns(slot, order, n_slots)
    sub_count = [1 + max((k for b, k in columns if b == s), default=0) for s in range(n_slots)]
    band_w = [n * (NODE_W + NODE_GX) + NODE_GX for n in sub_count]
    band_x = [sum(band_w[:s]) for s in range(n_slots)]
    tallest = max(len(v) for v in columns.values())
    pitch = NODE_H + NODE_GY
    plot_h = tallest * pitch + 0.2

    crossings = silo_boundaries(journey)
    crossing_edges = {
        e for c in crossings for e in zip((c.source, *c.via), (*c.via, c.target), strict=True)
    }
    model = flow_model(journey)
    flows = dict(model.edge_flow) if model is not None else {}
    top_flow = max(flows.values(), default=0.0)
    moments = {mo.step: mo.score for mo in moments_of_truth(journey)}

    handles, labels = _silo_legend(journey, journey.steps, colours, names["owner"])
    handles += [
        _proxy_line("none", marker="s", markersize=7, markerfacecolor="white", markeredgecolor=INK),
        _proxy_line("none", marker="D", markersize=6, markerfacecolor="white", markeredgecolor=INK),
        _proxy_patch("none", MOMENT, linewidth=2.5),
        _proxy_line(FLOW, linewidth=1.4),
        _proxy_line(HANDOFF, linewidth=1.4),
        _proxy_line(CROSSING, linewidth=1.8),
        _proxy_line(MUTED, linewidth=1.0, linestyle=":"),
    ]
    labels += [
        "touchpoint",
        "decision",
        "moment of truth (more reasons: stronger)",
        "transition (width: flow)" if model is not None else "transition",
        "hand-off",
        "silo crossing",
        "trigger",
    ]
    width = max(sum(band_w) + 2 * MARGIN, 7.0)
    inner_w = width - 2 * MARGIN
    legend_cols, legend_h = _legend(m, labels, inner_w)
    height = MARGIN + TITLE_H + HEAD_H + plot_h + 0.2 + legend_h + MARGIN
    ax = _inch_axes(ax, width, height)
    top = height - MARGIN
    basis = f"edge width by flow ({model.basis})" if model is not None else "flow unknown"
    sub = (
        f"Journey graph · {len(journey.steps)} steps · {g.number_of_edges()} edges · "
        f"{len(moments)} moments of truth · {len(crossings)} silo crossings · {basis}"
    )
    _title(ax, "graph", MARGIN, top, inner_w, _journey_title(journey), sub)
    band_top = top - TITLE_H
    band_bottom = band_top - HEAD_H - plot_h
    mid = band_bottom + plot_h / 2
    for s in range(n_slots):
        x0 = MARGIN + band_x[s]
        _add(
            ax,
            Rectangle(
                (x0, band_bottom),
                band_w[s],
                HEAD_H + plot_h,
                facecolor=BAND if s % 2 == 0 else "#FFFFFF",
                edgecolor="none",
                zorder=0,
            ),
        )
        if s < len(journey.phases):
            phase = journey.phases[s]
            _text(
                ax,
                x0 + band_w[s] / 2,
                band_top - HEAD_H / 2,
                "\n".join(m.wrap(names["phase"][phase.id], (band_w[s] - 0.2) * 72, HEAD_PT, 2)),
                ha="center",
                va="center",
                fontsize=HEAD_PT,
                fontweight="bold",
                color=INK,
                linespacing=1.1,
                gid=f"graph-phase-{phase.id}",
            )

    # Within a column: flow layer first, then the mean height of the
    # predecessors already placed (fewer crossing edges), then declared order.
    y_of: dict[str, float] = {}
    pos: dict[str, tuple[float, float]] = {}
    for (s, k), sids in sorted(columns.items()):

        def pull(sid: str) -> tuple[int, float, int]:
            ys = [y_of[u] for u in g.predecessors(sid) if u in y_of]
            return (order[sid][0], -(sum(ys) / len(ys)) if ys else 0.0, order[sid][1])

        sids.sort(key=pull)
        x = MARGIN + band_x[s] + NODE_GX + k * (NODE_W + NODE_GX) + NODE_W / 2
        for i, sid in enumerate(sids):
            y = mid + ((len(sids) - 1) / 2 - i) * pitch
            y_of[sid] = y
            pos[sid] = (x, y)

    steps = {s.id: s for s in journey.steps}
    boxes: dict[str, _Box] = {}
    for sid in sorted(pos, key=lambda s: order[s]):
        step = steps[sid]
        x, y = pos[sid]
        look = _look(step, colours)
        common: dict[str, Any] = {
            "facecolor": look.face,
            "edgecolor": look.edge,
            "linewidth": 1.4 if look.dashed else 1.0,
            "linestyle": "--" if look.dashed else "-",
            "zorder": 3,
            "gid": f"graph-node-{sid}",
        }
        halo: Patch | None = None
        if isinstance(step, DecisionPoint):
            w, h = NODE_W / 2, NODE_H / 2 + 0.06
            hw, hh = w, h
            node: Patch = Polygon(
                [(x - w, y), (x, y + h), (x + w, y), (x, y - h)], closed=True, **common
            )
            if sid in moments:
                w, h = w + 0.11, h + 0.06
                halo = Polygon([(x - w, y), (x, y + h), (x + w, y), (x, y - h)], closed=True)
            text_w, max_lines = NODE_W * 0.55, 2
        else:
            rounding = NODE_H / 2 - 0.03 if isinstance(step, Outcome) else 0.08
            r = 0.03
            hw, hh = NODE_W / 2, NODE_H / 2
            node = FancyBboxPatch(
                (x - NODE_W / 2 + r, y - NODE_H / 2 + r),
                NODE_W - 2 * r,
                NODE_H - 2 * r,
                boxstyle=f"round,pad={r},rounding_size={rounding}",
                **common,
            )
            if sid in moments:
                e = 0.05
                halo = FancyBboxPatch(
                    (x - NODE_W / 2 + r - e, y - NODE_H / 2 + r - e),
                    NODE_W - 2 * r + 2 * e,
                    NODE_H - 2 * r + 2 * e,
                    boxstyle=f"round,pad={r},rounding_size={rounding + e}",
                )
            text_w = NODE_W - (0.3 if isinstance(step, Outcome) else 0.16)
            max_lines = 3
        if halo is not None:
            # More reasons, a stronger halo: a map where most steps are gates
            # still shows which moments matter most.
            score = min(moments[sid], 3)
            halo.set_facecolor("none")
            halo.set_edgecolor(_tint(MOMENT, 0.45 - 0.15 * score))
            halo.set_linewidth(1.0 + 1.0 * score)
            halo.set_zorder(2.5)
            halo.set_gid(f"graph-moment-{sid}")
            _add(ax, halo)
        _add(ax, node)
        boxes[sid] = _Box((x, y), hw, hh, isinstance(step, DecisionPoint))
        _text(
            ax,
            x,
            y,
            "\n".join(m.wrap(names["step"][sid], text_w * 72, NODE_PT, max_lines)),
            ha="center",
            va="center",
            fontsize=NODE_PT,
            color=INK,
            linespacing=1.1,
            zorder=4,
            gid=f"graph-name-{sid}",
        )

    for u, v, data in sorted(g.edges(data=True), key=lambda e: (order[e[0]], order[e[1]])):
        kind = data["kind"]
        if (u, v) in crossing_edges:
            colour = CROSSING
        elif kind == "handoff":
            colour = HANDOFF
        elif kind == "trigger":
            colour = MUTED
        else:
            colour = FLOW
        if kind == "trigger":
            lw = 0.9
        elif model is not None and top_flow > 0:
            lw = 0.5 + 4.0 * flows.get((u, v), 0.0) / top_flow
        else:
            lw = 1.2
        (x0, y0), (x1, y1) = pos[u], pos[v]
        if u == v:
            arrow = FancyArrowPatch(
                posA=(x0 - 0.25, y0 + NODE_H / 2),
                posB=(x0 + 0.25, y0 + NODE_H / 2),
                connectionstyle="arc3,rad=-1.4",
                shrinkA=1,
                shrinkB=2,
            )
        else:
            a, b = boxes[u], boxes[v]
            start, end = a.towards(b.centre), b.towards(a.centre)
            length = math.dist(start, end)
            straight = x1 > x0 + 1e-9 and abs(y1 - y0) < 1e-9
            # A step back bends the other way, well clear of the forward edges.
            bulge = 0.0 if straight else (-0.6 if x1 < x0 - 1e-9 else 0.2)
            rad = max(-0.5, min(0.3, bulge / length)) if length > 0 else 0.0
            arrow = FancyArrowPatch(
                posA=start,
                posB=end,
                connectionstyle=f"arc3,rad={rad:.4f}",
                shrinkA=1,
                shrinkB=1.5,
            )
        arrow.set_arrowstyle("-|>", head_length=0.5, head_width=0.3)
        arrow.set_mutation_scale(8 + 1.5 * lw)
        arrow.set_color(colour)
        arrow.set_linewidth(lw)
        arrow.set_linestyle(":" if kind == "trigger" else "-")
        arrow.set_zorder(2)
        arrow.set_gid(f"graph-edge-{_pair(u, v)}")
        _add(ax, arrow)

    _draw_legend(ax, handles, labels, MARGIN, band_bottom - 0.2, legend_cols)
    return ax
