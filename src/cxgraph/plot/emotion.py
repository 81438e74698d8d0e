"""The emotion curve: how each persona feels along the journey."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import networkx as nx

from cxgraph.analyses.flow import CUSTOMER_LANES, require_journey
from cxgraph.errors import CxgraphError
from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model.classes import Journey, Touchpoint

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

import itertools

from cxgraph.plot.drawing import _band, _journey_title, _note_layout, _signed
from cxgraph.plot.figures import _empty, _given_scale, _new_axes, _shrink
from cxgraph.plot.look import (
    BADGE_PT,
    BY,
    HEAD_PT,
    INK,
    LEGEND_PT,
    MUTED,
    NO_PHASE,
    NOTE_H,
    NOTE_PT,
    RULE,
    SERIES,
    UNOWNED,
    _check,
    _clean,
    _escape_math,
    _Measure,
    _names,
    _plain_labels,
    _ranks,
    _text,
)

__all__ = ["emotion_curve"]

# -- emotion curve ----------------------------------------------------------------------


class _Series(NamedTuple):
    key: str
    label: str
    path: tuple[str, ...]  # every step the journey passes, in travel order


#: Edge kinds the customer travels (triggers move the organisation, not the customer).
_MOVES = ("transition", "handoff")
_START, _END = "\0start", "\0end"  # ids cannot hold NUL: no clash with a step
#: Tied paths looked at beyond ``k`` so that ties go by step ids, not by search order.
_TIES = 20


def _travel_graph(journey: Journey) -> tuple[nx.DiGraph[str], bool]:
    """The customer's moves with a cost each, and whether the costs are probabilities.

    With probabilities (or counts) known, the cost of a move is ``-log p`` of
    the Markov model's probability, so the cheapest path is the most likely;
    otherwise every move costs 1, so the cheapest is the shortest. Moves that
    are never taken (probability 0) and triggers are left out.
    """
    from cxgraph.analyses.markov import markov

    try:
        model = markov(journey)
    except CxgraphError:
        model = None  # a closed loop: fall back on the shortest paths
    known = model is not None and model.probabilities_known
    probability = model.transition_probability if model is not None else {}
    g = compile_graph(journey)
    h: nx.DiGraph[str] = nx.DiGraph()
    for u, v, data in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
        if data["kind"] not in _MOVES or u == v:
            continue
        p = probability.get((u, v), 1.0 if model is None else 0.0)
        if p > 0:
            h.add_edge(u, v, cost=-math.log(p) if known else 1.0)
    for step, weight in sorted(entry_weights(journey)[0].items()):
        if weight > 0:
            h.add_edge(_START, step, cost=-math.log(weight) if known else 0.0)
    return h, known


def _best_paths(
    h: nx.DiGraph[str], known: bool, targets: Sequence[str], k: int, allowed: set[str] | None
) -> list[tuple[tuple[str, ...], float | None]]:
    """The ``k`` cheapest simple paths from an entry into ``targets``, ties by step ids.

    ``allowed`` restricts the steps (a persona's); None allows all. Each path
    comes with its probability when ``known``.
    """
    sub = h if allowed is None else h.subgraph([n for n in h if n == _START or n in allowed])
    g: nx.DiGraph[str] = nx.DiGraph(sub)
    for t in targets:
        if t in g:
            g.add_edge(t, _END, cost=0.0)
    if _START not in g or _END not in g or not nx.has_path(g, _START, _END):
        return []
    found: list[tuple[float, tuple[str, ...]]] = []
    for path in nx.shortest_simple_paths(g, _START, _END, weight="cost"):
        cost = math.fsum(g.edges[u, v]["cost"] for u, v in itertools.pairwise(path))
        if len(found) >= k and (
            round(cost, 9) > round(found[k - 1][0], 9) or len(found) > k + _TIES
        ):
            break
        found.append((cost, tuple(path[1:-1])))
    found.sort(key=lambda cp: (round(cp[0], 9), cp[1]))
    return [(steps, math.exp(-cost) if known else None) for cost, steps in found[:k]]


def _persona_series(journey: Journey, k: int) -> list[_Series]:
    """Per persona, its ``k`` most likely paths from an entry to a success outcome.

    A persona travels only the touchpoints that serve it (those with no
    personas serve everyone), and decisions and outcomes. A persona that can
    reach no success outcome is drawn along its most likely path to any outcome.
    """
    h, known = _travel_graph(journey)
    successes = [o.id for o in journey.outcomes if o.kind == "success"]
    everything = [o.id for o in journey.outcomes]
    names = _names(journey)["persona"]
    groups: list[tuple[str, str, set[str] | None]] = [("all", "All customers", None)]
    if journey.personas:
        groups = [
            (
                p.id,
                names[p.id],
                {
                    s.id
                    for s in journey.steps
                    if not isinstance(s, Touchpoint) or not s.personas or p.id in s.personas
                },
            )
            for p in journey.personas
        ]
    out = []
    for key, label, allowed in groups:
        paths = _best_paths(h, known, successes, k, allowed) or _best_paths(
            h, known, everything, 1, allowed
        )
        for i, (steps, share) in enumerate(paths):
            tail = f" ({share:.1%} of journeys)" if share is not None and k > 1 else ""
            suffix = f", path {i + 1}" if len(paths) > 1 else ""
            out.append(
                _Series(key if i == 0 else f"{key}-{i + 1}", f"{label}{suffix}{tail}", steps)
            )
    return out


def _likely_paths(journey: Journey, k: int) -> list[tuple[tuple[str, ...], float | None]]:
    """Key paths: the most likely path into each outcome, by kind in turn, at most ``k``.

    One shortest-path search under ``-log`` of the Markov model's transition
    probabilities gives the most likely path from the entries into every
    outcome at once, so paths are never enumerated. They are taken by kind
    in turn (the best success, the best failure, the best exit, then the
    next best of each), most likely first within a kind: the happy path and
    the main ways to lose the customer, rather than three variants of the
    commonest early exit. With probabilities unknown every move costs the
    same, so the shortest path wins, and no share is given. Triggers do not
    move the customer and are left out; a loop is passed at most once.
    """
    h, known = _travel_graph(journey)
    if _START not in h:
        return []
    cost: dict[str, float]
    route: dict[str, list[str]]
    cost, route = nx.single_source_dijkstra(h, _START, weight="cost")  # type: ignore[assignment]
    by_kind: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
    for i, o in enumerate(journey.outcomes):
        if o.id in cost:
            by_kind[o.kind].append((cost[o.id], i, o.id))
    queues = [sorted(by_kind[kind]) for kind in ("success", "failure", "exit")]
    out: list[tuple[tuple[str, ...], float | None]] = []
    while len(out) < k and any(queues):
        for queue in queues:
            if queue and len(out) < k:
                c, _, oid = queue.pop(0)
                out.append((tuple(route[oid][1:]), math.exp(-c) if known else None))
    return out


def _path_series(
    journey: Journey, likely: Sequence[tuple[tuple[str, ...], float | None]]
) -> list[_Series]:
    step_names = _names(journey)["step"]
    kinds = {o.id: o.kind for o in journey.outcomes}
    out = []
    for i, (steps, share) in enumerate(likely):
        tail = f", {share:.1%} of journeys" if share is not None else ""
        label = f"Path {i + 1} \u2192 {step_names[steps[-1]]} ({kinds[steps[-1]]}{tail})"
        out.append(_Series(f"path-{i + 1}", label, steps))
    return out


def _travel_order(
    series: Sequence[_Series], on_axis: set[str], rank: Mapping[str, tuple[int, ...]]
) -> tuple[list[str], list[set[int]]]:
    """The axis in travel order, and per series the positions where its line must break.

    Every line runs left to right: each drawn path says which of its axis
    steps comes before which, and the axis is a topological order of all
    those statements (ties by phase, then flow order). A later path that
    would contradict an earlier one (a loop passed the other way round)
    breaks its line there instead of running backwards.
    """
    before: nx.DiGraph[str] = nx.DiGraph()
    before.add_nodes_from(on_axis)
    breaks: list[set[int]] = []
    for s in series:
        points = [x for x in s.path if x in on_axis]
        cut: set[int] = set()
        for i, (a, b) in enumerate(itertools.pairwise(points)):
            if nx.has_path(before, b, a):
                cut.add(i + 1)
            else:
                before.add_edge(a, b)
        breaks.append(cut)
    order = list(nx.lexicographical_topological_sort(before, key=lambda x: (rank[x], x)))
    return order, breaks


def emotion_curve(
    journey: Journey, *, ax: Axes | None = None, by: str = "persona", paths: int | None = None
) -> Axes:
    """Draw emotion (-3 to 3) along the journey in travel order, per persona or path.

    Each line follows a journey a customer actually makes. ``by="persona"``
    (default) draws, per persona, its ``paths`` most likely paths (1 by
    default) from an entry to a success outcome, over the touchpoints that
    serve it (all customers when the journey has no personas); without
    probabilities the shortest, ties by step ids. ``by="path"`` draws the key
    paths: the most likely path into each outcome, the best success, failure
    and exit in turn, at most ``paths`` (3 by default).

    The x axis is travel order: on it stand the customer-facing touchpoints
    (lanes customer and frontstage) with an emotion that a drawn path
    passes, under shaded phase bands. Every line runs strictly left to
    right, and two of its points are joined only when the journey leads from
    one to the other (directly or through steps not on the axis: decisions,
    backstage steps, steps without an emotion); alternatives of a decision
    are never joined. A line that would have to run backwards (a loop passed
    the other way round by a later path) breaks there. Lines that coincide
    are offset and dashed, so that each stays visible. Each touchpoint on the
    axis with pain points gets a numbered red badge below the curve, and its
    pain points are listed under the plot.

    Parameters
    ----------
    journey
        The journey to draw.
    ax
        Axes to draw on; by default a new Figure sized for the journey.
    by
        ``"persona"`` (default) or ``"path"``.
    paths
        How many paths per persona (default 1), or key paths (default 3).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        If ``by`` is not ``"persona"`` or ``"path"``, or ``paths`` is not a
        positive integer.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="b", name="Pay", emotion=-2, pain_points=["Slow"]),
    ...                  cx.Touchpoint(id="a", name="Browse", emotion=1)],
    ...     outcomes=[cx.Outcome(id="ok", name="Bought", kind="success")],
    ...     transitions=[cx.Transition(source="a", target="b"),
    ...                  cx.Transition(source="b", target="ok")])
    >>> ax = cx.plot.emotion_curve(j)
    >>> [(line.get_gid(), [int(y) for y in line.get_ydata()]) for line in ax.lines
    ...  if (line.get_gid() or "").startswith("emotion_curve-series-")]
    [('emotion_curve-series-all', [1, -2])]
    >>> cx.plot.emotion_curve(j, by="channel")
    Traceback (most recent call last):
    ...
    ValueError: unknown by 'channel' (choose 'persona' or 'path')
    """
    journey = require_journey(journey, "emotion_curve")
    _check(by, BY, "by")
    if paths is None:
        paths = 1 if by == "persona" else 3
    if isinstance(paths, bool) or not isinstance(paths, int) or paths < 1:
        msg = f"paths must be a positive integer, got {paths!r}"
        raise ValueError(msg)
    if not journey.steps:
        return _empty(ax, "emotion_curve", "no steps")
    if not any(t.emotion is not None or t.pain_points for t in journey.touchpoints):
        return _empty(ax, "emotion_curve", "no emotions or pain points recorded")
    if by == "persona":
        series = _persona_series(journey, paths)
    else:
        series = _path_series(journey, _likely_paths(journey, paths))
    drawn = {sid for s in series for sid in s.path}
    felt = {
        t.id: t
        for t in journey.touchpoints
        if t.emotion is not None and t.lane in CUSTOMER_LANES and t.id in drawn
    }
    if not felt:
        return _empty(ax, "emotion_curve", "no emotions recorded where the customer goes")
    m = _Measure()
    names = _names(journey)
    order = _ranks(journey)
    phase_index = {p.id: i for i, p in enumerate(journey.phases)}
    rank = {
        sid: (phase_index.get(t.phase or "", len(phase_index)), order[sid][0], order[sid][1])
        for sid, t in felt.items()
    }
    axis, breaks = _travel_order(series, set(felt), rank)
    shown = [felt[sid] for sid in axis]
    x_of = {t.id: i for i, t in enumerate(shown)}
    emotion = {sid: t.emotion for sid, t in felt.items() if t.emotion is not None}
    pains = [t for t in shown if t.pain_points]

    label_pt = 7.5
    tick_labels = [m.fit(names["step"][t.id], 150, label_pt) for t in shown]
    longest = max(m.width(t, label_pt) for t in tick_labels) / 72
    label_band = longest * math.sin(math.radians(50)) + 0.25
    legend_labels = [m.fit(s.label, 3.8 * 72, LEGEND_PT) for s in series]
    legend_w = max((m.width(t, LEGEND_PT) for t in legend_labels), default=0.0) / 72 + 0.75
    # One band per run of touchpoints in the same phase, in travel order; each
    # point gets room enough that every band's phase name fits whole.
    runs: list[tuple[str | None, int, int]] = []
    for t in shown:
        if runs and runs[-1][0] == t.phase:
            runs[-1] = (t.phase, runs[-1][1], x_of[t.id])
        else:
            runs.append((t.phase, x_of[t.id], x_of[t.id]))

    def band_name(phase: str | None) -> str:
        return names["phase"].get(phase, "") if phase is not None else "No phase"

    need = max(
        (m.width(band_name(ph), 7.5) / 72 + 0.12) / (last - first + 1) for ph, first, last in runs
    )
    plot_w = max(5.0, max(0.5, need) * len(shown) + 0.6)
    note_w = plot_w + legend_w
    _, note_rows = _note_layout(len(pains), note_w)
    notes_h = 0.35 + note_rows * NOTE_H if pains else 0.0
    # Rotated labels hang to the left of their ticks: the first ones may need room.
    unit = plot_w / len(shown)
    slant = math.cos(math.radians(50))
    hang = max(
        m.width(t, label_pt) / 72 * slant - (i + 0.6) * unit for i, t in enumerate(tick_labels)
    )
    left, top_m, plot_h = max(0.75, hang + 0.15), 0.5, 3.4
    bottom = label_band + notes_h + 0.25
    given = ax is not None
    scale = 1.0 if ax is None else _given_scale(ax, plot_w + 1.2, plot_h + label_band + 0.8)
    if ax is None:
        fig_w = left + plot_w + legend_w + 0.2
        ax = _new_axes(fig_w, bottom + plot_h + top_m, (left, bottom, plot_w, plot_h))

    n = len(shown)
    low = -3.9 if pains else -3.4
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(low, 3.9)

    seen: dict[str, int] = defaultdict(int)
    for k, (phase, first, last) in enumerate(runs):
        x0, x1 = first - 0.5, last + 0.5
        key = phase if phase is not None else NO_PHASE
        seen[key] += 1
        gid = f"emotion_curve-phase-{key}" + (f"-{seen[key]}" if seen[key] > 1 else "")
        _band(ax, x0, low, x1 - x0, 3.9 - low, k, gid)
        _text(
            ax,
            (x0 + x1) / 2,
            3.72,
            m.fit(band_name(phase), (x1 - x0) * plot_w / max(n, 1) * 72 + 2, 7.5),
            ha="center",
            va="center",
            fontsize=7.5,
            fontweight="bold",
            color=MUTED,
            zorder=1,
        )
    ax.axhline(0.0, color=MUTED, linewidth=0.9, zorder=1, gid="emotion_curve-zero")
    for y in (-3, -2, -1, 1, 2, 3):
        ax.axhline(y, color=RULE, linewidth=0.4, zorder=1)

    spread = 0.1 if len(series) > 1 else 0.0
    handles: list[Artist] = []
    legend_series: list[_Series] = []
    drawn_points: list[list[str]] = []
    for i, (s, cut) in enumerate(zip(series, breaks, strict=True)):
        points = [sid for sid in s.path if sid in felt]
        if not points:
            continue
        dx = (i - (len(series) - 1) / 2) * spread
        xs: list[float] = []
        ys: list[float] = []
        for j, sid in enumerate(points):
            if j in cut:  # a gap: the line must not run backwards
                xs.append(math.nan)
                ys.append(math.nan)
            xs.append(x_of[sid] + dx)
            ys.append(float(emotion[sid]))
        same = points in drawn_points
        drawn_points.append(points)
        colour = SERIES[i % len(SERIES)]
        (line,) = ax.plot(
            xs,
            ys,
            color=colour,
            linewidth=2.0,
            linestyle=(0, (4, 2)) if same else "-",
            marker="o",
            markersize=6,
            markeredgecolor="white",
            markeredgewidth=1.0,
            zorder=3 + i * 0.01,
            gid=f"emotion_curve-series-{s.key}",
        )
        handles.append(line)
        legend_series.append(s)
    series = legend_series

    notes = []
    for k, t in enumerate(pains):
        number = str(k + 1)
        x = x_of[t.id]
        if t.emotion is not None:
            ax.plot(
                [x, x],
                [low + 0.3, t.emotion - 0.2],
                color=UNOWNED,
                linewidth=0.6,
                linestyle=":",
                zorder=2,
            )
        _text(
            ax,
            x,
            low + 0.3,
            number,
            ha="center",
            va="center",
            fontsize=BADGE_PT + 0.5,
            fontweight="bold",
            color="white",
            zorder=4,
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": UNOWNED, "edgecolor": "white"},
            gid=f"emotion_curve-pain-{t.id}",
        )
        pain_text = "; ".join(_clean(p) for p in t.pain_points)
        notes.append((number, f"{names['step'][t.id]}: {pain_text}"))

    ax.set_xticks(range(n), [_escape_math(t) for t in tick_labels])
    ax.tick_params(axis="x", labelsize=label_pt * scale, length=0)
    for tick, t in zip(ax.get_xticklabels(), shown, strict=True):
        tick.set_gid(f"emotion_curve-tick-{t.id}")
    for tick in ax.get_xticklabels():
        tick.set_rotation(50)
        tick.set_horizontalalignment("right")
        tick.set_rotation_mode("anchor")
    ax.set_yticks(range(-3, 4), [_signed(v) for v in range(-3, 4)])
    ax.tick_params(axis="y", labelsize=7.5 * scale, length=0)
    ax.set_ylabel("emotion", fontsize=8 * scale, color=MUTED)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    title = ax.set_title(
        f"{_journey_title(journey)}: emotion by {by}", loc="left", fontsize=11 * scale, pad=8
    )
    _plain_labels([title])
    if series:
        legend = ax.legend(
            handles,
            [_escape_math(m.fit(s.label, 3.8 * 72, LEGEND_PT)) for s in series],
            # On a caller's Axes the legend stays inside it (seaborn's rule).
            loc="best" if given else "upper left",
            bbox_to_anchor=None if given else (1.01, 1.0),
            frameon=False,
            fontsize=LEGEND_PT * scale,
            title=by,
            title_fontsize=LEGEND_PT * scale,
            markerscale=scale,
        )
        legend.set_gid("legend")
    if notes and not given:
        y0 = -(label_band + 0.15) * 72
        ax.annotate(
            "Pain points",
            xy=(0.0, 0.0),
            xycoords="axes fraction",
            xytext=(0.0, y0),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=HEAD_PT,
            fontweight="bold",
            color=INK,
            annotation_clip=False,
            gid="emotion_curve-notes",
        ).set_parse_math(False)
        cols, rows = _note_layout(len(notes), note_w)
        col_w = note_w / cols
        for i, (number, text) in enumerate(notes):
            c, r = divmod(i, rows)
            note = ax.annotate(
                f"{number}  {m.fit(text, (col_w - 0.3) * 72, NOTE_PT)}",
                xy=(0.0, 0.0),
                xycoords="axes fraction",
                xytext=(c * col_w * 72, y0 - 0.3 * 72 - r * NOTE_H * 72),
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize=NOTE_PT,
                color=INK,
                annotation_clip=False,
                gid=f"emotion_curve-note-{number}",
            )
            note.set_parse_math(False)
    _shrink(ax, scale)
    return ax
