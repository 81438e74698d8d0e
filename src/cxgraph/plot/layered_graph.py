"""The journey graph drawn in layers (Sugiyama): phases, then topological order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cxgraph._util.text import plural
from cxgraph.analyses.boundary import DecisionBoundary, decision_boundary
from cxgraph.analyses.flow import flow_model, require_journey
from cxgraph.analyses.moments import moments_of_truth
from cxgraph.analyses.silos import silo_boundaries
from cxgraph.graph import compile_graph
from cxgraph.model.classes import DecisionPoint, Journey, Outcome

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.patches import Patch

from cxgraph.plot.drawing import (
    _badge,
    _band,
    _Box,
    _draw_legend,
    _journey_title,
    _legend,
    _proxy_line,
    _proxy_patch,
    _silo_legend,
    _title,
)
from cxgraph.plot.figures import _empty, _given_scale, _inch_axes, _shrink
from cxgraph.plot.look import (
    CROSSING,
    FLOW,
    HANDOFF,
    HEAD_PT,
    HEAD_W,
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
from cxgraph.plot.sugiyama import Layout, layered_layout

__all__ = ["graph"]

# -- graph ----------------------------------------------------------------------------

NODE_W, NODE_H = 1.3, 0.56
NODE_GX, NODE_GY = 0.32, 0.5
NODE_PT = 7.5


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


def graph(
    journey: Journey,
    *,
    ax: Axes | None = None,
    baseline: Journey | None = None,
    boundary: bool = False,
) -> Axes:
    """Draw the journey graph, layered by phase, with its findings highlighted.

    Drawn top to bottom, the way Graphviz ``dot`` draws, so that a long
    journey grows down the page rather than out of it: phases are horizontal
    bands in order, labelled on the left, and within a band steps sit in
    rows by flow layer (longest paths from the entries, loops broken); a
    step without a phase joins the band of the steps that lead to it. The
    layout is layered (Sugiyama, :mod:`cxgraph.plot.sugiyama`): an edge that
    spans several rows runs through a slot of its own in each, rows are
    reordered by barycentre sweeps to cut crossings, and no edge passes
    through a step it does not join. Edges back up the page (loops) leave a
    step from its top and enter from below. Touchpoints are rounded boxes,
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
    baseline
        An earlier version of the journey: steps added since it get a ``+``
        badge and steps changed a ``~`` badge (renamed ones too); edges added
        are drawn dashed and green, edges changed dash-dotted and amber; the
        legend says so in words and counts what was removed (see
        :func:`~cxgraph.diff`). Colour is never the only mark.
    boundary
        Mark the decision boundary (:func:`~cxgraph.decision_boundary`):
        its edges, where the outcome gets settled, run on a broad violet
        band, and touchpoints and decisions already settled get a small
        badge in their top right corner, a green dot when committed (every
        way on ends in success) and a red cross when lost (none does);
        outcomes show their kind already, and steps no entry reaches get no
        badge. The legend names both and counts
        the boundary edges.

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
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon

    m = _Measure()
    names = _names(journey)
    colours = _silo_colours(journey)
    order = _ranks(journey)
    g = compile_graph(journey)
    slot = _slots(journey, order)
    n_slots = max(max(slot.values()) + 1, len(journey.phases))
    steps = {s.id: s for s in journey.steps}

    # Rows: phase band first, then flow layer, numbered densely from the top.
    keys = sorted({(slot[sid], order[sid][0]) for sid in steps})
    row_of_key = {k: i for i, k in enumerate(keys)}
    rank = {
        sid: row_of_key[slot[sid], order[sid][0]]
        for sid in sorted(steps, key=lambda s: (slot[s], order[s]))
    }
    edges = sorted(((u, v) for u, v in g.edges if u != v), key=lambda e: (order[e[0]], order[e[1]]))
    layout = layered_layout(
        rank, edges, width=dict.fromkeys(steps, NODE_W), gap=NODE_GX, dummy_width=0.14
    )
    n_rows = len(layout.rows)
    pitch = NODE_H + NODE_GY
    half = NODE_H / 2 + 0.06  # the tallest node (a diamond) reaches this far from its row
    graph_w = max((layout.x[n] + NODE_W / 2 for n in layout.x), default=NODE_W)
    plot_h = n_rows * pitch

    crossings = silo_boundaries(journey)
    crossing_edges = {
        e for c in crossings for e in zip((c.source, *c.via), (*c.via, c.target), strict=True)
    }
    model = flow_model(journey)
    flows = dict(model.edge_flow) if model is not None else {}
    top_flow = max(flows.values(), default=0.0)
    moments = {mo.step: mo.score for mo in moments_of_truth(journey)}
    marks, edge_marks, removed = _baseline_marks(journey, baseline)
    settled = decision_boundary(journey) if boundary else None
    crossing_over, status = _boundary_marks(journey, settled)

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
    if baseline is not None:
        handles += [
            _proxy_line("none", marker="o", markersize=8, markerfacecolor=ADDED),
            _proxy_line("none", marker="o", markersize=8, markerfacecolor=CHANGED),
            _proxy_line(ADDED, linewidth=1.6, linestyle=(0, (4, 2))),
            _proxy_line(CHANGED, linewidth=1.6, linestyle="-."),
            _proxy_line("none"),
        ]
        labels += [
            f"+ step added since the baseline ({sum(v == 'added' for v in marks.values())})",
            f"~ step changed since the baseline ({sum(v == 'changed' for v in marks.values())})",
            f"edge added since the baseline ({sum(v == 'added' for v in edge_marks.values())})",
            f"edge changed since the baseline ({sum(v == 'changed' for v in edge_marks.values())})",
            f"removed since the baseline: {removed[0]} steps, {removed[1]} edges (not drawn)",
        ]
    if settled is not None:
        handles.append(_proxy_line(_tint(BOUNDARY, 0.55), linewidth=6.0, solid_capstyle="butt"))
        how = "" if settled.probabilities_known else ", structural"
        labels.append(f"decision boundary: outcome settled ({plural(len(settled), 'edge')}{how})")
        for kind, marker in (("committed", "o"), ("lost", "X")):
            if kind in status.values():
                handles.append(
                    _proxy_line(
                        "none",
                        marker=marker,
                        markersize=7,
                        markerfacecolor=SETTLED[kind],
                        markeredgecolor="white",
                    )
                )
                labels.append(f"{kind}: {_SETTLED_WORDS[kind]}")
    label_w = HEAD_W
    width = max(label_w + graph_w + 0.3 + 2 * MARGIN, 7.0)
    inner_w = width - 2 * MARGIN
    legend_cols, legend_h = _legend(m, labels, inner_w)
    height = MARGIN + TITLE_H + plot_h + 0.2 + legend_h + MARGIN
    scale = 1.0 if ax is None else _given_scale(ax, width, height)
    ax = _inch_axes(ax, width, height)
    top = height - MARGIN
    basis = f"edge width by flow ({model.basis})" if model is not None else "flow unknown"
    sub = (
        f"Journey graph · {len(journey.steps)} steps · {g.number_of_edges()} edges · "
        f"{len(moments)} moments of truth · {len(crossings)} silo crossings · {basis}"
    )
    _title(ax, "graph", MARGIN, top, inner_w, _journey_title(journey), sub)
    plot_top = top - TITLE_H
    band_bottom = plot_top - plot_h
    x_left = MARGIN + label_w + 0.15 + max(0.0, (inner_w - label_w - 0.15 - graph_w) / 2)

    def row_y(r: int) -> float:
        return plot_top - (r + 0.5) * pitch

    # Phase bands: the rows of each band, shaded in turn, named on the left.
    for s_ in range(n_slots):
        rows_in = [row_of_key[k] for k in keys if k[0] == s_]
        if not rows_in:
            continue
        y1 = plot_top - min(rows_in) * pitch
        y0 = plot_top - (max(rows_in) + 1) * pitch
        _band(ax, MARGIN, y0, inner_w, y1 - y0, s_)
        if s_ < len(journey.phases):
            phase = journey.phases[s_]
            _text(
                ax,
                MARGIN + 0.1,
                (y0 + y1) / 2,
                "\n".join(m.wrap(names["phase"][phase.id], (label_w - 0.15) * 72, HEAD_PT, 3)),
                ha="left",
                va="center",
                fontsize=HEAD_PT,
                fontweight="bold",
                color=INK,
                linespacing=1.1,
                gid=f"graph-phase-{phase.id}",
            )

    pos = {n: (x_left + layout.x[n], row_y(r)) for r, row in enumerate(layout.rows) for n in row}
    boxes: dict[str, _Box] = {}
    for sid in sorted(steps, key=lambda s: order[s]):
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
            # More reasons, a stronger halo: the strongest moments stand out.
            score = min(moments[sid], 3)
            halo.set_facecolor("none")
            halo.set_edgecolor(_tint(MOMENT, 0.45 - 0.15 * score))
            halo.set_linewidth(1.0 + 1.0 * score)
            halo.set_zorder(2.5)
            halo.set_gid(f"graph-moment-{sid}")
            _add(ax, halo)
        _add(ax, node)
        boxes[sid] = _Box((x, y), hw, hh, isinstance(step, DecisionPoint))
        if sid in status:
            # Top right, opposite the baseline badge: on a diamond's upper right side.
            corner = (hw / 2, hh / 2) if isinstance(step, DecisionPoint) else (hw - 0.06, hh - 0.02)
            _status_badge(ax, (x + corner[0], y + corner[1]), status[sid], sid)
        if sid in marks:
            _badge(
                ax,
                (x - NODE_W / 2 + 0.06, y + NODE_H / 2 - 0.02),
                "+" if marks[sid] == "added" else "~",
                ADDED if marks[sid] == "added" else CHANGED,
                f"graph-{marks[sid]}-{sid}",
            )
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

    ports = _ports(layout, pos, boxes)
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

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
        if u == v:
            x0, y0 = pos[u]
            arrow = FancyArrowPatch(
                posA=(x0 + NODE_W / 2, y0 + 0.1),
                posB=(x0 + NODE_W / 2, y0 - 0.1),
                connectionstyle="arc3,rad=-1.6",
                shrinkA=1,
                shrinkB=2,
            )
        else:
            route = Path(_route(layout, pos, boxes, ports, (u, v), half))
            arrow = FancyArrowPatch(path=route)
            if (u, v) in crossing_over:
                band = PathPatch(
                    route,
                    fill=False,
                    edgecolor=_tint(BOUNDARY, 0.55),
                    linewidth=lw + 3.0,
                    capstyle="butt",
                    joinstyle="round",
                    zorder=1.9,
                    gid=f"graph-boundary-{_pair(u, v)}",
                )
                _add(ax, band)
        arrow.set_arrowstyle("-|>", head_length=0.5, head_width=0.3)
        arrow.set_mutation_scale(8 + 1.5 * lw)
        arrow.set_color(colour)
        arrow.set_linewidth(lw)
        arrow.set_linestyle(":" if kind == "trigger" else "-")
        if (u, v) in edge_marks:
            added = edge_marks[u, v] == "added"
            arrow.set_color(ADDED if added else CHANGED)
            arrow.set_linestyle((0, (4, 2)) if added else "-.")
        arrow.set_joinstyle("round")
        arrow.set_zorder(2)
        arrow.set_gid(f"graph-edge-{_pair(u, v)}")
        _add(ax, arrow)

    _draw_legend(ax, handles, labels, MARGIN, band_bottom - 0.2, legend_cols, scale)
    _shrink(ax, scale)
    return ax


#: The decision boundary's band (drawn tinted, under the edge) and the badges of
#: settled steps, in the outcomes' colours.
BOUNDARY = "#7E3FF2"
SETTLED: Mapping[str, str] = {"committed": "#3C7A3B", "lost": "#B3261E"}
_SETTLED_WORDS = {
    "committed": "every way on ends in success",
    "lost": "no way on ends in success",
}
#: The radius of a settled step's badge (inches): smaller than a baseline badge.
SETTLED_R = 0.065


def _boundary_marks(
    journey: Journey, result: DecisionBoundary | None
) -> tuple[set[tuple[str, str]], dict[str, str]]:
    """The boundary edges, and the status of each settled touchpoint and decision reached."""
    if result is None:
        return set(), {}
    outcomes = {o.id for o in journey.outcomes}
    edges = {(e.source, e.target) for e in result}
    # A step no journey reaches is settled only on paper: no badge.
    status = {
        s.step: s.status
        for s in result.steps
        if s.status != "open" and s.reached and s.step not in outcomes
    }
    return edges, status


def _status_badge(ax: Axes, xy: tuple[float, float], status: str, sid: str) -> None:
    """A small badge: a green dot (committed) or a red cross (lost), white-edged."""
    from matplotlib.patches import Circle, PathPatch

    x, y = xy
    colour = SETTLED[status]
    r = SETTLED_R
    common: dict[str, Any] = {
        "facecolor": colour,
        "edgecolor": "white",
        "linewidth": 0.8,
        "zorder": 6,
        "gid": f"graph-{status}-{sid}",
    }
    if status == "committed":
        _add(ax, Circle(xy, r, **common))
        return
    # The legend's "X" marker, so that the badge and its key have the same shape.
    from matplotlib.markers import MarkerStyle
    from matplotlib.transforms import Affine2D

    marker = MarkerStyle("X")
    shape = marker.get_path().transformed(marker.get_transform())
    # The marker spans -0.5..0.5: scale it to the badge's diameter, centred on xy.
    placed = shape.transformed(Affine2D().scale(2.3 * r).translate(x, y))
    _add(ax, PathPatch(placed, **common))


#: Marks of a change since the baseline: green for added, amber for changed.
ADDED = "#1B7837"
CHANGED = "#B9770E"


def _baseline_marks(
    journey: Journey, baseline: Journey | None
) -> tuple[dict[str, str], dict[tuple[str, str], str], tuple[int, int]]:
    """Steps and edges added or changed since ``baseline``, and how many were removed."""
    if baseline is None:
        return {}, {}, (0, 0)
    from cxgraph.changes.diff import diff

    baseline = require_journey(baseline, "graph")
    marks: dict[str, str] = {}
    edge_marks: dict[tuple[str, str], str] = {}
    removed = [0, 0]
    for c in diff(baseline, journey).findings:
        if c.area not in ("steps", "edges"):
            continue
        if c.change == "removed":
            removed[c.area == "edges"] += 1
            continue
        mark = "added" if c.change == "added" else "changed"
        if c.area == "steps":
            if marks.get(c.key) != "added":
                marks[c.key] = mark
        else:
            u, _, v = c.key.partition(">")
            if edge_marks.get((u, v)) != "added":
                edge_marks[u, v] = mark
    return marks, edge_marks, (removed[0], removed[1])


def _ports(
    layout: Layout, pos: Mapping[str, tuple[float, float]], boxes: Mapping[str, _Box]
) -> dict[tuple[str, str, str], float]:
    """Where each edge meets a step: an x offset along its top or bottom, in flow order.

    Edges leaving a step downwards (or arriving from above) spread along its
    bottom (top) edge in the left-to-right order of their other ends, so
    they fan out instead of meeting in one point. Keyed by (step, edge
    source, edge target).
    """
    sides: dict[tuple[str, str], list[tuple[float, tuple[str, str]]]] = defaultdict(list)
    for (u, v), chain in layout.chains.items():
        first, last = chain[1], chain[-2]
        down = pos[first][1] < pos[u][1]
        sides[u, "bottom" if down else "top"].append((pos[first][0], (u, v)))
        sides[v, "top" if down else "bottom"].append((pos[last][0], (u, v)))
    out: dict[tuple[str, str, str], float] = {}
    for (step, _), ends in sides.items():
        ends.sort()
        box = boxes[step]
        span = box.hw * (0.35 if box.diamond else 0.7)
        for i, (_, (u, v)) in enumerate(ends):
            frac = (i + 1) / (len(ends) + 1) - 0.5
            out[step, u, v] = frac * 2 * span if len(ends) > 1 else 0.0
    return out


def _route(
    layout: Layout,
    pos: Mapping[str, tuple[float, float]],
    boxes: Mapping[str, _Box],
    ports: Mapping[tuple[str, str, str], float],
    edge: tuple[str, str],
    half: float,
) -> list[tuple[float, float]]:
    """An edge's polyline: out of ``u``, through each dummy's own slot, into ``v``.

    Inside a row an edge runs straight up or down (out of a step, through a
    dummy's slot, into a step); between rows, where there are no steps, it
    goes across. A diamond is met at its tip.
    """
    u, v = edge
    chain = layout.route(u, v)
    down = pos[chain[1]][1] < pos[u][1]
    sign = -1.0 if down else 1.0
    (xu, yu), (xv, yv) = pos[u], pos[v]
    points: list[tuple[float, float]] = []
    x0 = xu + ports.get((u, u, v), 0.0)
    points.append((x0, yu + sign * _edge_of(boxes[u], x0 - xu)))
    points.append((x0, yu + sign * half))
    for d in chain[1:-1]:
        xd, yd = pos[d]
        points.append((xd, yd - sign * half))
        points.append((xd, yd + sign * half))
    x1 = xv + ports.get((v, u, v), 0.0)
    points.append((x1, yv - sign * half))
    points.append((x1, yv - sign * _edge_of(boxes[v], x1 - xv)))
    return points


def _edge_of(box: _Box, dx: float) -> float:
    """How far above (below) its centre a step's outline is at ``dx`` from the centre."""
    if box.diamond:
        return box.hh * max(0.0, 1.0 - abs(dx) / box.hw)
    return box.hh
