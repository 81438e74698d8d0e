"""The journey map: every step by phase and lane (or owner), the classic grid."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from cxgraph.analyses.flow import require_journey
from cxgraph.analyses.handoffs import HandoffChain, unowned_handoffs
from cxgraph.analyses.silos import silo_boundaries
from cxgraph.model.classes import DecisionPoint, Journey, Outcome, Step, Touchpoint
from cxgraph.model.owners import owner_silos

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from cxgraph.plot.drawing import (
    _badge,
    _card,
    _Cell,
    _column_headers,
    _draw_legend,
    _Grid,
    _journey_title,
    _legend,
    _note_layout,
    _notes,
    _proxy_line,
    _routed_arrow,
    _row_bands,
    _silo_legend,
    _title,
)
from cxgraph.plot.figures import _empty, _given_scale, _inch_axes, _shrink
from cxgraph.plot.look import (
    BADGE_R,
    CARD_H,
    CARD_W,
    CROSSING,
    CUSTOMER_ROW,
    EMOTION,
    EMOTION_ROW_H,
    HANDOFF,
    HEAD_H,
    HEAD_PT,
    HEAD_W,
    INK,
    LANE_NAMES,
    LEGEND_PT,
    MARGIN,
    MUTED,
    NO_PHASE,
    NOTE_H,
    PAGE_GRID_W,
    REASON_TEXT,
    ROWS,
    RULE,
    TITLE_H,
    UNOWNED,
    UNOWNED_ROW,
    _add,
    _check,
    _lane,
    _look,
    _Measure,
    _names,
    _pair,
    _phase_of,
    _ranks,
    _silo_colours,
    _text,
)

__all__ = ["journey_map"]

# -- journey map ---------------------------------------------------------------------


def _columns(journey: Journey) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Phase columns in order, then one for the steps without a phase if any."""
    names = _names(journey)["phase"]
    cols = [(p.id, names[p.id]) for p in journey.phases]
    index = {p.id: i for i, p in enumerate(journey.phases)}
    col_of: dict[str, int] = {}
    loose: list[Step] = []
    for s in journey.steps:
        phase = _phase_of(s)
        if phase is None:
            loose.append(s)
        else:
            col_of[s.id] = index[phase]
    if loose:
        only_outcomes = all(isinstance(s, Outcome) for s in loose)
        cols.append((NO_PHASE, "Outcomes" if only_outcomes else "No phase"))
        for s in loose:
            col_of[s.id] = len(cols) - 1
    return cols, col_of


def _owner_rows(journey: Journey) -> tuple[list[tuple[str, str, str | None]], dict[str, int]]:
    """Rows by owner: the customer, owners grouped by silo in declared order, the unowned."""
    names = _names(journey)["owner"]
    colours = _silo_colours(journey)
    silos = owner_silos(journey)
    used = {s.owner for s in journey.steps if not isinstance(s, Outcome) and s.owner is not None}
    root_order = {o.id: i for i, o in enumerate(journey.owners) if silos.get(o.id) == o.id}
    owners = sorted((i, o) for i, o in enumerate(journey.owners) if o.id in used)
    owners.sort(key=lambda pair: (root_order.get(silos[pair[1].id], 0), pair[0]))
    rows: list[tuple[str, str, str | None]] = []
    customer = any(
        s.owner is None and not isinstance(s, Touchpoint)
        for s in journey.steps
        if not isinstance(s, Outcome)
    ) or bool(journey.outcomes)
    if customer:
        rows.append((CUSTOMER_ROW, "Customer", None))
    rows += [(o.id, names[o.id], colours.get(o.id)) for _, o in owners]
    if any(isinstance(s, Touchpoint) and s.owner is None for s in journey.steps):
        rows.append((UNOWNED_ROW, "No owner", None))
    index = {key: i for i, (key, _, _) in enumerate(rows)}
    row_of: dict[str, int] = {}
    for s in journey.steps:
        if isinstance(s, Outcome) or (s.owner is None and not isinstance(s, Touchpoint)):
            row_of[s.id] = index[CUSTOMER_ROW]
        elif s.owner is None:
            row_of[s.id] = index[UNOWNED_ROW]
        else:
            row_of[s.id] = index[s.owner]
    return rows, row_of


def _map_meta(step: Step, names: Mapping[str, Mapping[str, str]]) -> str:
    if isinstance(step, Outcome):
        return f"outcome · {step.kind}"
    if isinstance(step, DecisionPoint):
        return f"decision · {step.decided_by}"
    if step.channel is None:
        return "no channel"
    return names["channel"].get(step.channel, step.channel)


def journey_map(journey: Journey, *, ax: Axes | None = None, rows: str = "lane") -> Axes:
    """Draw the classic journey map: phases across, lanes or owners down, a card per step.

    Columns are the phases in order, with the steps without a phase (usually
    the outcomes) in a last column. Rows are the blueprint lanes (customer,
    frontstage, backstage, support; a customer's decision and an outcome sit
    with the customer, an employee's decision backstage, an automated one in
    support) or the owners (grouped by silo, with a row for the customer and
    one for touchpoints nobody owns). Each card shows the step's name, its
    channel (or what kind of step it is) and its emotion; its colour is the
    owner's silo. Under the phase names, an emotion row shows how each phase
    feels: a dot per customer-facing touchpoint with an emotion (left to
    right in flow order within its phase) and a line through the phase
    averages (see :func:`emotion_curve` for each persona's journey in
    travel order).

    Arrows mark where responsibility passes: silo crossings
    (:func:`~cxgraph.silo_boundaries`) in orange, other hand-offs in slate,
    drawn from the last owned step to the next across customer decisions.
    Arrows run through the gaps between the cards, never across one, and
    arrows that share a gap run side by side.
    Each unowned hand-off (:func:`~cxgraph.unowned_handoffs`, one flag per
    source and target) is dashed, flagged with a numbered red badge on the
    card it arrives at, and explained in a note below the map.

    Parameters
    ----------
    journey
        The journey to draw.
    ax
        Axes to draw on; by default a new Figure sized for the journey, in
        which one data unit is one inch.
    rows
        ``"lane"`` (default) or ``"owner"``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        If ``rows`` is not ``"lane"`` or ``"owner"``.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J", phases=[cx.Phase(id="buy", name="Buy")],
    ...     touchpoints=[cx.Touchpoint(id="pay", name="Pay", phase="buy", emotion=-1)])
    >>> ax = cx.plot.journey_map(j)
    >>> [p.get_gid() for p in ax.patches if p.get_gid().startswith("journey_map-card-")]
    ['journey_map-card-pay']
    >>> cx.plot.journey_map(j, rows="team")
    Traceback (most recent call last):
    ...
    ValueError: unknown rows 'team' (choose 'lane' or 'owner')
    """
    journey = require_journey(journey, "journey_map")
    _check(rows, ROWS, "rows")
    if not journey.steps:
        return _empty(ax, "journey_map", "no steps")
    m = _Measure()
    names = _names(journey)
    colours = _silo_colours(journey)
    order = _ranks(journey)
    cols, col_of = _columns(journey)
    if rows == "lane":
        row_list: list[tuple[str, str, str | None]] = [
            (lane, LANE_NAMES[lane], None) for lane in LANE_NAMES
        ]
        lane_index = {lane: i for i, lane in enumerate(LANE_NAMES)}
        row_of = {s.id: lane_index[_lane(s)] for s in journey.steps}
    else:
        row_list, row_of = _owner_rows(journey)
    cells = {s.id: _Cell(row_of[s.id], col_of[s.id]) for s in journey.steps}
    grid = _Grid(cells, order, len(row_list), len(cols), mode="pack", max_width=PAGE_GRID_W)

    crossings = silo_boundaries(journey)
    unowned = unowned_handoffs(journey)
    by_pair: dict[tuple[str, str], HandoffChain] = {(c.source, c.target): c for c in unowned.chains}
    crossing_pairs = {(c.source, c.target) for c in crossings}
    handoff_pairs = {(h.source, h.target) for h in journey.handoffs}
    flagged = sorted(by_pair, key=lambda p: (col_of[p[1]], order[p[1]], order[p[0]]))
    notes = [(str(i + 1), _unowned_note(by_pair[pair], names)) for i, pair in enumerate(flagged)]

    handles, labels = _silo_legend(journey, journey.steps, colours, names["owner"])
    handles += [
        _proxy_line(HANDOFF, linewidth=1.4),
        _proxy_line(CROSSING, linewidth=1.8),
        _proxy_line(UNOWNED, linewidth=1.2, linestyle=(0, (4, 2)), marker="o", markersize=5),
        _proxy_line("none", marker="o", markersize=6, markerfacecolor=EMOTION[0]),
        _proxy_line("none", marker="o", markersize=6, markerfacecolor=EMOTION[6]),
    ]
    labels += [
        "hand-off",
        "silo crossing",
        "unowned hand-off (numbered below)",
        "emotion \u22123",
        "emotion +3",
    ]
    felt = _felt(journey, col_of, order)
    if felt:
        handles.append(_proxy_line(MUTED, linewidth=2.0))
        labels.append("phase average emotion")

    width = max(HEAD_W + grid.width + 2 * MARGIN, 8.0)
    inner_w = width - 2 * MARGIN
    legend_cols, legend_h = _legend(m, labels, inner_w)
    _, note_rows = _note_layout(len(notes), inner_w)
    notes_h = 0.35 + note_rows * NOTE_H + 0.05 if notes else 0.0
    emotion_h = EMOTION_ROW_H if felt else 0.0
    height = MARGIN + TITLE_H + HEAD_H + emotion_h + grid.height + 0.2 + legend_h + notes_h + MARGIN
    scale = 1.0 if ax is None else _given_scale(ax, width, height)
    ax = _inch_axes(ax, width, height)

    top = height - MARGIN
    by_lane = "lane" if rows == "lane" else "owner"
    sub = (
        f"Journey map by {by_lane} · {len(journey.steps)} steps · "
        f"{len(crossings)} silo crossing{'s' if len(crossings) != 1 else ''} · "
        f"{len(unowned.chains)} unowned hand-off{'s' if len(unowned.chains) != 1 else ''}"
    )
    _title(ax, "journey_map", MARGIN, top, inner_w, _journey_title(journey), sub)
    head_top = top - TITLE_H - HEAD_H
    grid.place(MARGIN + HEAD_W, head_top - emotion_h)
    right = MARGIN + HEAD_W + grid.width
    _row_bands(ax, m, "journey_map", grid, row_list, MARGIN, right)
    _column_headers(ax, m, "journey_map", grid, cols, head_top)
    if felt:
        _emotion_row(ax, grid, felt, MARGIN, right, head_top)

    steps = {s.id: s for s in journey.steps}
    for sid in sorted(grid.pos, key=lambda s: order[s]):
        step = steps[sid]
        emotion = step.emotion if isinstance(step, Touchpoint) else None
        _card(
            ax,
            "journey_map",
            m,
            step,
            grid.pos[sid],
            _look(step, colours),
            names["step"][sid],
            _map_meta(step, names),
            emotion,
        )

    # A repeat (u == v) passes nothing on: no arrow, its flag still shows.
    paths = grid.routes(crossing_pairs | handoff_pairs | set(by_pair))
    for (u, v), points in sorted(paths.items()):
        crossing = (u, v) in crossing_pairs
        _routed_arrow(
            ax,
            points,
            colour=CROSSING if crossing else HANDOFF,
            width=1.3 if crossing else 1.0,
            dashed=(u, v) in by_pair,
            gid=f"journey_map-{'crossing' if crossing else 'handoff'}-{_pair(u, v)}",
        )

    per_target: dict[str, int] = defaultdict(int)
    per_card = int((CARD_W - 0.3) // (2 * BADGE_R + 0.04))
    for i, (u, v) in enumerate(flagged):
        k = per_target[v]
        per_target[v] += 1
        x, y = grid.pos[v]
        k = min(k, per_card - 1)  # past the card's width, badges share the last spot
        _badge(
            ax,
            (x + 0.2 + k * (2 * BADGE_R + 0.04), y + CARD_H),
            str(i + 1),
            UNOWNED,
            f"journey_map-unowned-{_pair(u, v)}",
        )

    legend_top = grid.row_y[-1] - 0.2
    _draw_legend(ax, handles, labels, MARGIN, legend_top, legend_cols, scale)
    if notes:
        _notes(
            ax,
            m,
            MARGIN,
            legend_top - legend_h - 0.05,
            inner_w,
            "Unowned hand-offs: responsibility passes with nobody accountable",
            notes,
            UNOWNED,
            "journey_map",
        )
    _shrink(ax, scale)
    return ax


def _felt(
    journey: Journey, col_of: Mapping[str, int], order: Mapping[str, tuple[int, int]]
) -> dict[int, list[Touchpoint]]:
    """Per column, the customer-facing touchpoints with an emotion, in flow order."""
    out: dict[int, list[Touchpoint]] = defaultdict(list)
    for s in sorted(journey.touchpoints, key=lambda s: order[s.id]):
        if s.emotion is not None and s.lane in ("customer", "frontstage"):
            out[col_of[s.id]].append(s)
    return dict(out)


def _emotion_row(
    ax: Axes,
    grid: _Grid,
    felt: Mapping[int, list[Touchpoint]],
    x0: float,
    right: float,
    top: float,
) -> None:
    """The row under the phases: each touchpoint's emotion in its phase, and the phase average.

    Dots are the customer-facing touchpoints with an emotion, left to right in
    flow order within their phase; the line joins the averages of
    neighbouring phases and breaks where a phase has none.
    """
    from matplotlib.patches import Circle, Rectangle

    bottom = top - EMOTION_ROW_H
    middle = top - EMOTION_ROW_H / 2
    half = EMOTION_ROW_H / 2 - 0.12

    def level(e: float) -> float:
        return middle + e * half / 3

    _add(
        ax,
        Rectangle(
            (x0, bottom),
            right - x0,
            EMOTION_ROW_H,
            facecolor="#FFFFFF",
            edgecolor="none",
            zorder=0,
            gid="journey_map-emotionrow",
        ),
    )
    _text(
        ax,
        x0 + 0.17,
        middle,
        "Emotion",
        ha="left",
        va="center",
        fontsize=HEAD_PT,
        fontweight="bold",
        color=INK,
        zorder=1,
    )
    grid_left = grid.col_x[0]
    for e, label in ((3, "+3"), (0, "0"), (-3, "\u22123")):
        _text(
            ax,
            grid_left - 0.06,
            level(e),
            label,
            ha="right",
            va="center",
            fontsize=LEGEND_PT,
            color=MUTED,
            gid=f"journey_map-emotionrow-tick-{e}",
        )
    ax.plot([grid_left, right], [middle, middle], color=RULE, linewidth=0.8, linestyle=(0, (3, 2)))
    ax.plot([x0, right], [bottom, bottom], color=RULE, linewidth=0.8)
    runs: list[list[tuple[float, float]]] = [[]]
    for c in range(len(grid.col_w)):
        here = felt.get(c)
        if not here:
            if runs[-1]:
                runs.append([])
            continue
        x, w = grid.col_x[c], grid.col_w[c]
        for i, step in enumerate(here):
            assert step.emotion is not None
            _add(
                ax,
                Circle(
                    (x + w * (i + 1) / (len(here) + 1), level(step.emotion)),
                    0.055,
                    facecolor=EMOTION[step.emotion + 3],
                    edgecolor=INK,
                    linewidth=0.5,
                    zorder=4,
                    gid=f"journey_map-emotionrow-dot-{step.id}",
                ),
            )
        mean = sum(s.emotion or 0 for s in here) / len(here)
        runs[-1].append((x + w / 2, level(mean)))
    for k, run in enumerate(r for r in runs if r):
        ax.plot(
            [p[0] for p in run],
            [p[1] for p in run],
            color=MUTED,
            linewidth=2.0,
            solid_capstyle="round",
            zorder=3,
            gid=f"journey_map-emotionrow-average-{k}",
        )


def _unowned_note(f: HandoffChain, names: Mapping[str, Mapping[str, str]]) -> str:
    step, owner = names["step"], names["owner"]
    reasons = ", ".join(REASON_TEXT[r] for r in f.reasons)

    def who(o: str | None) -> str:
        return "nobody" if o is None else owner.get(o, o)

    return (
        f"{who(f.from_owner)} \u2192 {who(f.to_owner)}: {reasons} "
        f"({step[f.source]} \u2192 {step[f.target]})"
    )
