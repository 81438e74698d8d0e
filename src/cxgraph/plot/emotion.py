"""The emotion curve: how each persona feels along the journey."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import networkx as nx

from cxgraph.analyses.flow import require_journey
from cxgraph.errors import CxgraphError
from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model.classes import Journey, Touchpoint

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

from cxgraph.plot.drawing import _journey_title, _note_layout, _signed
from cxgraph.plot.figures import _empty, _new_axes
from cxgraph.plot.look import (
    BADGE_PT,
    BAND,
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
    _add,
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
    steps: tuple[str, ...]


def _persona_series(journey: Journey, felt: Sequence[Touchpoint]) -> list[_Series]:
    names = _names(journey)["persona"]
    if not journey.personas:
        return [_Series("all", "All customers", tuple(t.id for t in felt))]
    out = []
    for p in journey.personas:
        steps = tuple(t.id for t in felt if not t.personas or p.id in t.personas)
        if steps:
            out.append(_Series(p.id, names[p.id], steps))
    return out


def _likely_paths(journey: Journey, k: int) -> list[tuple[tuple[str, ...], float | None]]:
    """Key paths: the most likely path into each outcome, by kind in turn, at most ``k``.

    One shortest-path search under ``-log`` of the Markov model's transition
    probabilities gives the most likely path from the entries into every
    outcome at once, so paths are never enumerated. They are taken by kind
    in turn (the best success, the best failure, the best exit, then the
    next best of each), most likely first within a kind: the happy path and
    the main ways to lose the customer, rather than three variants of the
    commonest early exit. With probabilities unknown the model splits
    evenly, which favours paths with fewer choices, and no share is given.
    Triggers do not move the customer and are left out; a loop is passed at
    most once.
    """
    from cxgraph.analyses.markov import markov

    try:
        model = markov(journey)
    except CxgraphError:
        return []  # a closed loop: no journey ends, so there is no path to follow
    probability = model.transition_probability
    g = compile_graph(journey)
    start = "\0start"  # ids cannot hold NUL: no clash with a step
    h: nx.DiGraph[str] = nx.DiGraph()
    for u, v, data in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
        p = probability.get((u, v), 0.0)
        if data["kind"] != "trigger" and u != v and p > 0:
            h.add_edge(u, v, cost=-math.log(p))
    for step, weight in sorted(entry_weights(journey)[0].items()):
        if weight > 0:
            h.add_edge(start, step, cost=-math.log(weight))
    if start not in h:
        return []
    cost: dict[str, float]
    route: dict[str, list[str]]
    cost, route = nx.single_source_dijkstra(h, start, weight="cost")  # type: ignore[assignment]
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
                share = math.exp(-c) if model.probabilities_known else None
                out.append((tuple(route[oid][1:]), share))
    return out


def _path_series(
    journey: Journey,
    felt: Sequence[Touchpoint],
    likely: Sequence[tuple[tuple[str, ...], float | None]],
) -> list[_Series]:
    emotional = {t.id for t in felt}
    step_names = _names(journey)["step"]
    kinds = {o.id: o.kind for o in journey.outcomes}
    out = []
    for i, (steps, share) in enumerate(likely):
        shown = tuple(s for s in steps if s in emotional)
        if not shown:
            continue
        tail = f", {share:.1%} of journeys" if share is not None else ""
        label = f"Path {i + 1} \u2192 {step_names[steps[-1]]} ({kinds[steps[-1]]}{tail})"
        out.append(_Series(f"path-{i + 1}", label, shown))
    return out


def emotion_curve(
    journey: Journey, *, ax: Axes | None = None, by: str = "persona", paths: int = 3
) -> Axes:
    """Draw emotion (-3 to 3) along the touchpoints in phase order, per persona or path.

    The x axis holds every touchpoint with an emotion or a pain point, in
    phase order (steps without a phase last) and in flow order within a
    phase, under shaded phase bands. ``by="persona"`` draws one line per
    persona through the touchpoints that serve them (all customers when the
    journey has no personas); ``by="path"`` one line per key path, over
    the touchpoints those paths pass: the most likely path into each
    outcome (exact, from the :func:`~cxgraph.markov` model's probabilities,
    never by listing paths), the best success, failure and exit in turn, at
    most ``paths``. Each touchpoint with pain points gets a numbered red badge
    below the curve, and its pain points are listed under the plot.

    Parameters
    ----------
    journey
        The journey to draw.
    ax
        Axes to draw on; by default a new Figure sized for the journey.
    by
        ``"persona"`` (default) or ``"path"``.
    paths
        With ``by="path"``, how many paths to draw (a positive integer).

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
    ...     touchpoints=[cx.Touchpoint(id="a", name="Browse", emotion=1),
    ...                  cx.Touchpoint(id="b", name="Pay", emotion=-2, pain_points=["Slow"])],
    ...     transitions=[cx.Transition(source="a", target="b")])
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
    if isinstance(paths, bool) or not isinstance(paths, int) or paths < 1:
        msg = f"paths must be a positive integer, got {paths!r}"
        raise ValueError(msg)
    if not journey.steps:
        return _empty(ax, "emotion_curve", "no steps")
    shown = [t for t in journey.touchpoints if t.emotion is not None or t.pain_points]
    felt = [t for t in shown if t.emotion is not None]
    if by == "persona":
        series = _persona_series(journey, felt)
    else:
        likely = _likely_paths(journey, paths)
        series = _path_series(journey, felt, likely)
        # Only what the drawn paths pass: the rest would be empty columns.
        on_paths = {sid for steps, _ in likely for sid in steps}
        shown = [t for t in shown if t.id in on_paths]
    if not shown:
        return _empty(ax, "emotion_curve", "no emotions or pain points recorded")
    m = _Measure()
    names = _names(journey)
    order = _ranks(journey)
    phase_index = {p.id: i for i, p in enumerate(journey.phases)}
    shown.sort(key=lambda t: (phase_index.get(t.phase or "", len(phase_index)), order[t.id]))
    x_of = {t.id: i for i, t in enumerate(shown)}
    emotion = {t.id: t.emotion for t in felt if t.emotion is not None}
    pains = [t for t in shown if t.pain_points]

    label_pt = 7.0
    tick_labels = [m.fit(names["step"][t.id], 150, label_pt) for t in shown]
    longest = max(m.width(t, label_pt) for t in tick_labels) / 72
    label_band = longest * math.sin(math.radians(50)) + 0.25
    legend_labels = [m.fit(s.label, 3.8 * 72, LEGEND_PT) for s in series]
    legend_w = max((m.width(t, LEGEND_PT) for t in legend_labels), default=0.0) / 72 + 0.75
    plot_w = max(5.0, 0.5 * len(shown) + 0.6)
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
    if ax is None:
        fig_w = left + plot_w + legend_w + 0.2
        ax = _new_axes(fig_w, bottom + plot_h + top_m, (left, bottom, plot_w, plot_h))

    n = len(shown)
    low = -3.9 if pains else -3.4
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(low, 3.9)
    from matplotlib.patches import Rectangle

    spans: dict[str | None, list[int]] = defaultdict(list)
    for t in shown:
        spans[t.phase].append(x_of[t.id])
    for k, (phase, xs) in enumerate(sorted(spans.items(), key=lambda kv: min(kv[1]))):
        x0, x1 = min(xs) - 0.5, max(xs) + 0.5
        key = phase if phase is not None else NO_PHASE
        _add(
            ax,
            Rectangle(
                (x0, low),
                x1 - x0,
                3.9 - low,
                facecolor=BAND if k % 2 == 0 else "#FFFFFF",
                edgecolor="none",
                zorder=0,
                gid=f"emotion_curve-phase-{key}",
            ),
        )
        label = names["phase"].get(phase, "") if phase is not None else "No phase"
        _text(
            ax,
            (x0 + x1) / 2,
            3.72,
            m.fit(label, (x1 - x0) * plot_w / max(n, 1) * 72 - 4, 7.5),
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
    for i, s in enumerate(series):
        dx = (i - (len(series) - 1) / 2) * spread
        colour = SERIES[i % len(SERIES)]
        (line,) = ax.plot(
            [x_of[sid] + dx for sid in s.steps],
            [emotion[sid] for sid in s.steps],
            color=colour,
            linewidth=2.0,
            marker="o",
            markersize=6,
            markeredgecolor="white",
            markeredgewidth=1.0,
            zorder=3 + i * 0.01,
            gid=f"emotion_curve-series-{s.key}",
        )
        handles.append(line)

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
    ax.tick_params(axis="x", labelsize=label_pt, length=0)
    for tick in ax.get_xticklabels():
        tick.set_rotation(50)
        tick.set_horizontalalignment("right")
        tick.set_rotation_mode("anchor")
    ax.set_yticks(range(-3, 4), [_signed(v) for v in range(-3, 4)])
    ax.tick_params(axis="y", labelsize=7.5, length=0)
    ax.set_ylabel("emotion", fontsize=8, color=MUTED)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    title = ax.set_title(
        f"{_journey_title(journey)}: emotion by {by}", loc="left", fontsize=11, pad=8
    )
    _plain_labels([title])
    if series:
        legend = ax.legend(
            handles,
            [_escape_math(t) for t in legend_labels],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize=LEGEND_PT,
            title=by,
            title_fontsize=LEGEND_PT,
        )
        legend.set_gid("legend")
    if notes:
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
    return ax
