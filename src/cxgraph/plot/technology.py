"""The technology map: the systems behind the journey, phase by phase."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from cxgraph.analyses.flow import require_journey
from cxgraph.analyses.technology import SystemUse, Technology, technology
from cxgraph.model.classes import Journey

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

from cxgraph.plot.drawing import (
    _badge,
    _band,
    _draw_legend,
    _journey_title,
    _legend,
    _proxy_line,
    _proxy_patch,
    _title,
)
from cxgraph.plot.figures import _empty, _given_scale, _inch_axes, _shrink
from cxgraph.plot.look import (
    BADGE_R,
    HEAD_H,
    HEAD_PT,
    INK,
    MARGIN,
    MUTED,
    NO_PHASE,
    PAGE_GRID_W,
    PALETTE,
    RULE,
    TITLE_H,
    UNOWNED,
    _add,
    _clean,
    _Measure,
    _names,
    _pair,
    _shade,
    _text,
    _tint,
)

__all__ = ["technology_map"]

#: The room for a system's name and its status and owner, in inches.
LABEL_W = 2.5
#: A system row's height: its name above its status and owner, a name on two lines.
ROW_H, ROW_H2 = 0.5, 0.64
#: The vertical distance between two lines of a system's name.
NAME_STEP = 0.15
#: The narrowest and widest a phase column is made.
COL_MIN, COL_MAX = 0.8, 1.3
#: The column of shares and gates on the right.
SHARE_W = 1.05
#: The inset of a cell's block within its row and column.
INSET = 0.07
#: Point sizes: a system's name, its status and owner line, a cell's count.
NAME_PT, META_PT, COUNT_PT = 8.5, 7.5, 9.0


class _Style(NamedTuple):
    """A status's look: the block's face and edge, dashed or not, the row's marker, its legend."""

    face: str
    edge: str
    dashed: bool
    marker: str
    marker_face: str
    label: str


#: How each system status looks: the cells' blocks and the row's marker, never colour alone.
STYLES: Mapping[str, _Style] = {
    "current": _Style(
        _tint(PALETTE[0], 0.72), _shade(PALETTE[0], 0.15), False, "o", PALETTE[0], "current system"
    ),
    "planned": _Style("#FFFFFF", PALETTE[6], True, "D", "#FFFFFF", "planned system (dashed)"),
    "retired": _Style(
        _tint(UNOWNED, 0.78), UNOWNED, False, "X", UNOWNED, "retired system (hatched)"
    ),
}


def technology_map(journey: Journey, *, ax: Axes | None = None) -> Axes:
    """Draw the technology map: phases across, systems down, the steps on each in the cells.

    Columns are the phases in order (then ``No phase`` for steps without
    one), rows the declared systems in order (:func:`~cxgraph.technology`).
    A cell holds the number of the system's steps in that phase
    (``matrix[phase][system]``); a phase that does not use the system is
    left empty. Each row names the system, its status and its owner; the
    status also shows as the row's marker and the cells' look (current
    filled, planned dashed, retired hatched in red), explained in the
    legend. A block that holds a step of a current-state journey on a
    retired or planned system carries a red ``!`` badge. On the right: the
    share of journeys that touch the system (``n/a`` when unknown, the
    subtitle says why), and a ``gate`` tag for a system every path to
    success passes (a single point of failure). The subtitle counts the
    systems, the gates and the re-keyings. A journey without systems gets a
    note saying so. The grid is as wide as its phases need (0.8 to 1.3
    inches a phase); names too long for their room wrap to two lines, then
    end in an ellipsis.

    Parameters
    ----------
    journey
        The journey to draw.
    ax
        Axes to draw on; by default a new Figure sized for the systems, in
        which one data unit is one inch.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on. Blocks carry the ``gid``
        ``technology_map-cell-<system>-><phase>`` (``(none)`` for no phase),
        their numbers ``technology_map-count-<system>-><phase>``; rows
        ``technology_map-row-<system>``, names ``technology_map-name-<system>``,
        status and owner ``technology_map-meta-<system>``, markers
        ``technology_map-status-<system>``, shares
        ``technology_map-share-<system>``, gate tags
        ``technology_map-gate-<system>``, badges
        ``technology_map-flag-<system>-><phase>`` and phase names
        ``technology_map-column-<phase>`` (``(systems)`` and ``(share)``
        for the outer headings).

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J", phases=[cx.Phase(id="buy", name="Buy")],
    ...     systems=[cx.System(id="pos", name="Till"),
    ...              cx.System(id="crm", name="CRM", status="planned")],
    ...     touchpoints=[cx.Touchpoint(id="pay", name="Pay", phase="buy", systems=["pos"]),
    ...                  cx.Touchpoint(id="bag", name="Bag", phase="buy", systems=["pos"])],
    ...     transitions=[cx.Transition(source="pay", target="bag")])
    >>> ax = cx.plot.technology_map(j)
    >>> sorted((t.get_gid(), t.get_text()) for t in ax.texts
    ...        if t.get_gid().startswith("technology_map-count-"))
    [('technology_map-count-pos->buy', '2')]
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "technology_map-empty"]
    []
    >>> ax = cx.plot.technology_map(cx.Journey(id="j", name="J"))
    >>> [t.get_text() for t in ax.texts]
    ['no systems: the journey names no technology behind its steps']
    """
    journey = require_journey(journey, "technology_map")
    result = technology(journey)
    if not result.systems:
        return _empty(ax, "technology_map", result.summary())
    m = _Measure()
    names = _names(journey)
    owner_names = names["owner"]
    system_names = {s.id: _clean(s.name) for s in journey.systems}
    columns: list[str | None] = list(result.phases) or [None]
    budget = PAGE_GRID_W + 1.45 - LABEL_W - SHARE_W
    col_w = min(COL_MAX, max(COL_MIN, budget / len(columns)))
    grid_w = col_w * len(columns)
    inner_w = max(LABEL_W + grid_w + SHARE_W, 6.0)
    width = inner_w + 2 * MARGIN

    handles, labels = _legend_entries(result)
    legend_cols, legend_h = _legend(m, labels, inner_w)
    room = (LABEL_W - 0.42) * 72
    name_lines = {
        use.system: m.wrap(system_names.get(use.system, use.system), room, NAME_PT, 2)
        for use in result.systems
    }
    heights = [ROW_H if len(name_lines[u.system]) == 1 else ROW_H2 for u in result.systems]
    grid_h = sum(heights)
    height = MARGIN + TITLE_H + HEAD_H + grid_h + 0.2 + legend_h + MARGIN
    scale = 1.0 if ax is None else _given_scale(ax, width, height)
    ax = _inch_axes(ax, width, height)

    top = height - MARGIN
    _title(ax, "technology_map", MARGIN, top, inner_w, _journey_title(journey), _subtitle(result))
    grid_top = top - TITLE_H - HEAD_H
    grid_bottom = grid_top - grid_h
    x_grid = MARGIN + LABEL_W
    x_share = x_grid + grid_w
    right = x_share + SHARE_W

    # Headings: what the rows are, the phases in order, the shares.
    head_y = grid_top + HEAD_H / 2
    _heading(ax, MARGIN + 0.1, head_y, "System · status · owner", "(systems)", ha="left")
    for c, phase in enumerate(columns):
        label = "No phase" if phase is None else names["phase"].get(phase, phase)
        key = NO_PHASE if phase is None else phase
        lines = m.wrap(label, (col_w - 0.12) * 72, HEAD_PT, 2)
        _heading(ax, x_grid + (c + 0.5) * col_w, head_y, "\n".join(lines), key)
    lines = m.wrap("Journeys touching it", (SHARE_W - 0.12) * 72, HEAD_PT, 2)
    _heading(ax, x_share + SHARE_W / 2, head_y, "\n".join(lines), "(share)")
    for x in [x_grid + c * col_w for c in range(len(columns) + 1)]:
        ax.plot([x, x], [grid_bottom, grid_top + HEAD_H - 0.05], color=RULE, linewidth=0.8)

    gates = set(result.gates)
    flagged = _flagged(result, journey)
    y0 = grid_top
    for r, (use, h) in enumerate(zip(result.systems, heights, strict=True)):
        y0 -= h
        _row(ax, m, use, r, (y0, h), right, name_lines[use.system], owner_names)
        for c, phase in enumerate(columns):
            n = result.matrix[phase][use.system] if phase in result.matrix else 0
            if n:
                key = NO_PHASE if phase is None else phase
                box = (x_grid + c * col_w, y0, col_w, h)
                _cell(ax, use, key, n, box, (use.system, phase) in flagged)
        _share(ax, use, use.system in gates, x_share + SHARE_W / 2, y0 + h / 2)
    ax.plot([MARGIN, right], [grid_bottom, grid_bottom], color=RULE, linewidth=0.8)
    _draw_legend(ax, handles, labels, MARGIN, grid_bottom - 0.2, legend_cols, scale)
    _shrink(ax, scale)
    return ax


def _heading(ax: Axes, x: float, y: float, text: str, key: str, *, ha: str = "center") -> None:
    """A bold column heading centred on ``y`` (the left one, a single line, as before)."""
    spacing = {} if ha == "left" else {"linespacing": 1.1}
    _text(
        ax,
        x,
        y,
        text,
        ha=ha,
        va="center",
        fontsize=HEAD_PT,
        fontweight="bold",
        color=INK,
        gid=f"technology_map-column-{key}",
        **spacing,
    )


def _subtitle(result: Technology) -> str:
    n = len(result.systems)
    gates = len(result.gates)
    rekey = sum(1 for f in result.findings if f.kind == "rekeying")
    parts = [
        "Technology map",
        f"{n} system{'s' if n != 1 else ''}",
        f"{gates} gate{'s' if gates != 1 else ''}",
        f"{rekey} re-keying{'s' if rekey != 1 else ''}",
    ]
    if result.basis is None:
        parts.append(f"shares unknown: {result.reason}")
    elif any(s.share is None for s in result.systems):
        parts.append("n/a: an internal flow reaches the system after a trigger")
    return " · ".join(parts)


def _legend_entries(result: Technology) -> tuple[list[Artist], list[str]]:
    """A marker per status the systems have, then what a cell and a gate tag mean."""
    handles: list[Artist] = []
    labels: list[str] = []
    present = {s.status for s in result.systems}
    for status, style in STYLES.items():
        if status in present:
            handles.append(
                _proxy_line(
                    "none",
                    marker=style.marker,
                    markersize=7,
                    markerfacecolor=style.marker_face,
                    markeredgecolor=style.edge,
                )
            )
            labels.append(style.label)
    handles.append(_proxy_patch(STYLES["current"].face, STYLES["current"].edge))
    labels.append("cell: the system's steps in the phase")
    if any(f.kind in ("retired_in_use", "planned_in_current") for f in result.findings):
        handles.append(_proxy_line("none", marker="o", markersize=8, markerfacecolor=UNOWNED))
        labels.append("! a step of this current journey on a retired or planned system")
    if result.gates:
        handles.append(_proxy_patch("#FFFFFF", INK))
        labels.append("gate: every path to success passes it")
    return handles, labels


def _flagged(result: Technology, journey: Journey) -> set[tuple[str, str | None]]:
    """The (system, phase) cells holding a current-state step on a retired or planned system."""
    phase_of = {tp.id: tp.phase for tp in journey.touchpoints}
    return {
        (str(f.system), phase_of[str(f.step)])
        for f in result.findings
        if f.kind in ("retired_in_use", "planned_in_current")
    }


def _row(
    ax: Axes,
    m: _Measure,
    use: SystemUse,
    r: int,
    band: tuple[float, float],
    right: float,
    name: list[str],
    owner_names: Mapping[str, str],
) -> None:
    """The row's band, its status marker, the system's name, and its status and owner."""
    y0, h = band
    style = STYLES[use.status]
    _band(ax, MARGIN, y0, right - MARGIN, h, r, f"technology_map-row-{use.system}")
    # The name's lines and the status line under them, centred in the row together.
    extra = (len(name) - 1) * NAME_STEP / 2
    middle = y0 + h / 2
    first = middle + 0.08 + extra
    ax.plot(
        [MARGIN + 0.16],
        [first],
        linestyle="none",
        marker=style.marker,
        markersize=7,
        markerfacecolor=style.marker_face,
        markeredgecolor=style.edge,
        markeredgewidth=1.2,
        zorder=3,
        gid=f"technology_map-status-{use.system}",
    )
    _text(
        ax,
        MARGIN + 0.32,
        first - extra,
        "\n".join(name),
        ha="left",
        va="center",
        fontsize=NAME_PT,
        fontweight="bold",
        color=INK,
        linespacing=1.15,
        zorder=3,
        gid=f"technology_map-name-{use.system}",
    )
    owner = "no owner" if use.owner is None else owner_names.get(use.owner, use.owner)
    _text(
        ax,
        MARGIN + 0.32,
        middle - 0.1 - extra,
        m.fit(f"{use.status} · {owner}", (LABEL_W - 0.42) * 72, META_PT),
        ha="left",
        va="center",
        fontsize=META_PT,
        color=UNOWNED if use.status == "retired" else MUTED,
        zorder=3,
        gid=f"technology_map-meta-{use.system}",
    )


def _cell(
    ax: Axes,
    use: SystemUse,
    key: str,
    n: int,
    box: tuple[float, float, float, float],
    flagged: bool,
) -> None:
    """One block: the number of the system's steps in the phase, in the status's look.

    A block holding a step of a current-state journey on a retired or
    planned system carries a red ``!`` badge in its corner.
    """
    from matplotlib.patches import FancyBboxPatch

    x0, y0, w, h = box
    style = STYLES[use.status]
    _add(
        ax,
        FancyBboxPatch(
            (x0 + INSET, y0 + INSET),
            w - 2 * INSET,
            h - 2 * INSET,
            boxstyle="round,pad=0,rounding_size=0.05",
            facecolor=style.face,
            edgecolor=style.edge,
            linewidth=1.0,
            linestyle=(0, (3, 2)) if style.dashed else "-",
            hatch="////" if use.status == "retired" else None,
            zorder=2,
            gid=f"technology_map-cell-{_pair(use.system, key)}",
        ),
    )
    # A badge takes the block's right end; the number centres in what is left.
    room = w - 2 * INSET - (2 * BADGE_R + 0.06 if flagged else 0.0)
    _text(
        ax,
        x0 + INSET + room / 2,
        y0 + h / 2,
        str(n),
        ha="center",
        va="center",
        fontsize=COUNT_PT,
        fontweight="bold",
        color=INK,
        zorder=4,
        bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none"}
        if use.status == "retired"
        else None,
        gid=f"technology_map-count-{_pair(use.system, key)}",
    )
    if flagged:
        _badge(
            ax,
            (x0 + w - INSET - BADGE_R - 0.03, y0 + h / 2),
            "!",
            UNOWNED,
            f"technology_map-flag-{_pair(use.system, key)}",
        )


def _share(ax: Axes, use: SystemUse, gate: bool, x: float, middle: float) -> None:
    """The share of journeys touching the system, and a gate tag under it."""
    text = "n/a" if use.share is None else f"{100 * use.share:.3g}%"
    _text(
        ax,
        x,
        middle + (0.08 if gate else 0.0),
        text,
        ha="center",
        va="center",
        fontsize=NAME_PT,
        color=INK if use.share is not None else MUTED,
        zorder=3,
        gid=f"technology_map-share-{use.system}",
    )
    if gate:
        _text(
            ax,
            x,
            middle - 0.11,
            "gate",
            ha="center",
            va="center",
            fontsize=META_PT,
            fontweight="bold",
            color=INK,
            zorder=3,
            bbox={"boxstyle": "round,pad=0.18", "facecolor": "white", "edgecolor": INK},
            gid=f"technology_map-gate-{use.system}",
        )
