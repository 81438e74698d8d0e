"""Drawing pieces the pictures share.

Cards, grids, titles, badges, notes, legends, arrows, column headers and row bands.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from cxgraph.model.classes import Journey, Outcome, Step, Touchpoint
from cxgraph.model.owners import owner_silos

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.patches import Patch

from cxgraph.plot.look import (
    BADGE_PT,
    BADGE_R,
    BAND,
    CARD_H,
    CARD_W,
    EMOTION,
    EMPTY_ROW_H,
    GAP,
    HEAD_H,
    HEAD_PT,
    HEAD_W,
    INK,
    LEGEND_PT,
    LINE,
    META_PT,
    MUTED,
    NAME_PT,
    NEUTRAL_EDGE,
    NEUTRAL_FACE,
    NOTE_COL_W,
    NOTE_H,
    NOTE_PT,
    OUTCOME_STYLE,
    PAD,
    RULE,
    SUB_PT,
    TITLE_PT,
    UNOWNED,
    UNOWNED_ROW,
    _add,
    _clean,
    _Look,
    _Measure,
    _plain_labels,
    _shade,
    _text,
    _tint,
)
from cxgraph.plot.routing import Channel, Point, Rect, route

# -- cards and grids -------------------------------------------------------------------


class _Cell(NamedTuple):
    row: int
    col: int


class _Grid:
    """Cards placed in a grid of rows (lanes or owners) by columns (phases).

    ``pack`` fills each cell as a near-square block in flow order, narrower
    where the grid would be wider than ``max_width``; ``time`` keeps flow
    order across the rows of a column: a step opens a new sub-column when
    its cell there already holds ``stack`` cards, so steps of different
    lanes at the same moment line up vertically.
    """

    def __init__(
        self,
        cells: Mapping[str, _Cell],
        order: Mapping[str, tuple[int, int]],
        n_rows: int,
        n_cols: int,
        *,
        mode: str,
        stack: int = 2,
        max_width: float | None = None,
    ) -> None:
        by_cell: dict[_Cell, list[str]] = defaultdict(list)
        for sid in sorted(cells, key=lambda s: order[s]):
            by_cell[cells[sid]].append(sid)
        slot: dict[str, tuple[int, int]] = {}
        subcols = [1] * n_cols
        subrows = [0] * n_rows
        if mode == "pack":
            for c in range(n_cols):
                most = max((len(by_cell.get(_Cell(r, c), ())) for r in range(n_rows)), default=0)
                subcols[c] = max(1, math.ceil(math.sqrt(most)))
            # Too wide for the page: the widest phases stack their cards higher
            # instead, one sub-column at a time, so the map grows down, not out.
            while max_width is not None and max(subcols) > 1:
                width = sum(n * CARD_W + (n - 1) * GAP + 2 * PAD for n in subcols)
                if width <= max_width:
                    break
                widest = max(range(n_cols), key=lambda c: (subcols[c], -c))
                subcols[widest] -= 1
            for cell, sids in by_cell.items():
                for i, sid in enumerate(sids):
                    slot[sid] = (i % subcols[cell.col], i // subcols[cell.col])
        else:
            for c in range(n_cols):
                in_col = sorted(
                    (s for s, cell in cells.items() if cell.col == c), key=lambda s: order[s]
                )
                sub = 0
                filled: dict[tuple[int, int], int] = defaultdict(int)
                for sid in in_col:
                    r = cells[sid].row
                    if filled[r, sub] >= stack:
                        sub += 1
                    slot[sid] = (sub, filled[r, sub])
                    filled[r, sub] += 1
                subcols[c] = sub + 1
        for sid, (_, sr) in slot.items():
            r = cells[sid].row
            subrows[r] = max(subrows[r], sr + 1)
        self.col_w = [n * CARD_W + (n - 1) * GAP + 2 * PAD for n in subcols]
        self.row_h = [n * CARD_H + (n - 1) * GAP + 2 * PAD if n else EMPTY_ROW_H for n in subrows]
        self.width = sum(self.col_w)
        self.height = sum(self.row_h)
        self.cells = cells
        self.slot = slot
        self.subcols = subcols
        self.subrows = subrows

    def place(self, x0: float, top: float) -> None:
        """Fix coordinates: the grid's left edge and top edge in inches."""
        self.col_x = [x0 + sum(self.col_w[:c]) for c in range(len(self.col_w))]
        self.row_y = [top - sum(self.row_h[: r + 1]) for r in range(len(self.row_h))]
        self.top = top
        self.pos: dict[str, tuple[float, float]] = {}
        row_top = [top - sum(self.row_h[:r]) for r in range(len(self.row_h))]
        for sid, (sc, sr) in self.slot.items():
            cell = self.cells[sid]
            x = self.col_x[cell.col] + PAD + sc * (CARD_W + GAP)
            y = row_top[cell.row] - PAD - sr * (CARD_H + GAP) - CARD_H
            self.pos[sid] = (x, y)

    def channels(self) -> list[Channel]:
        """The free lines between the cards: every gap runs the grid's whole width or height.

        Within a column every row uses the same sub-columns and within a row
        every column the same sub-rows, so no gap line touches a card. An empty
        row is one wide channel along its middle.
        """
        out: list[Channel] = []
        n_cols = len(self.col_w)
        for c in range(n_cols):
            x = self.col_x[c]
            out.append(Channel("v", x, PAD if c == 0 else 2 * PAD))
            for k in range(1, self.subcols[c]):
                out.append(Channel("v", x + PAD + k * (CARD_W + GAP) - GAP / 2, GAP))
        out.append(Channel("v", self.col_x[-1] + self.col_w[-1], PAD))
        for r, h in enumerate(self.row_h):
            row_top = self.row_y[r] + h
            out.append(Channel("h", row_top, PAD if r == 0 else 2 * PAD))
            if not self.subrows[r]:
                out.append(Channel("h", row_top - h / 2, h))
            for k in range(1, self.subrows[r]):
                out.append(Channel("h", row_top - PAD - k * (CARD_H + GAP) + GAP / 2, GAP))
        out.append(Channel("h", self.row_y[-1], PAD))
        return out

    def routes(self, edges: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Point]]:
        """Orthogonal paths for the edges between placed cards, through the gaps."""
        rects = {sid: Rect(x, y, CARD_W, CARD_H) for sid, (x, y) in self.pos.items()}
        return route(rects, self.channels(), edges)


def _card(
    ax: Axes,
    plot: str,
    m: _Measure,
    step: Step,
    xy: tuple[float, float],
    look: _Look,
    name: str,
    meta: str,
    emotion: int | None,
) -> None:
    """One card: a rounded box, the wrapped name, a line of detail, an emotion dot."""
    from matplotlib.patches import Circle, FancyBboxPatch

    x, y = xy
    r = 0.05
    box = FancyBboxPatch(
        (x + r, y + r),
        CARD_W - 2 * r,
        CARD_H - 2 * r,
        boxstyle=f"round,pad={r},rounding_size=0.07",
        facecolor=look.face,
        edgecolor=look.edge,
        linewidth=1.5 if look.dashed else 1.0,
        linestyle="--" if look.dashed else "-",
        zorder=3,
        gid=f"{plot}-card-{step.id}",
    )
    _add(ax, box)
    inner = (CARD_W - 0.22) * 72
    lines = m.wrap(name, inner, NAME_PT, 3)
    _text(
        ax,
        x + 0.11,
        y + CARD_H - 0.14,
        "\n".join(lines),
        ha="left",
        va="top",
        fontsize=NAME_PT,
        color=INK,
        linespacing=LINE,
        zorder=4,
        gid=f"{plot}-name-{step.id}",
    )
    room = inner - (0.3 * 72 if emotion is not None else 0.0)
    _text(
        ax,
        x + 0.11,
        y + 0.085,
        m.fit(meta, room, META_PT),
        ha="left",
        va="bottom",
        fontsize=META_PT,
        color=MUTED,
        zorder=4,
        gid=f"{plot}-meta-{step.id}",
    )
    if emotion is not None:
        cx, cy = x + CARD_W - 0.17, y + 0.14
        _add(
            ax,
            Circle(
                (cx, cy),
                0.09,
                facecolor=EMOTION[emotion + 3],
                edgecolor="white",
                linewidth=0.6,
                zorder=4,
                gid=f"{plot}-emotion-{step.id}",
            ),
        )
        _text(
            ax,
            cx,
            cy,
            _signed(emotion),
            ha="center",
            va="center_baseline",
            fontsize=BADGE_PT,
            fontweight="bold",
            color="white" if abs(emotion) >= 2 else INK,
            zorder=5,
        )


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else "\u2212" + str(-value) if value < 0 else "0"


def _title(ax: Axes, plot: str, x: float, y: float, width: float, title: str, sub: str) -> None:
    """Title and one line of summary at the top left, cut to the width."""
    m = _Measure()
    _text(
        ax,
        x,
        y,
        m.fit(title, width * 72, TITLE_PT),
        ha="left",
        va="top",
        fontsize=TITLE_PT,
        fontweight="bold",
        color=INK,
        gid=f"{plot}-title",
    )
    _text(
        ax,
        x,
        y - 0.3,
        m.fit(sub, width * 72, SUB_PT),
        ha="left",
        va="top",
        fontsize=SUB_PT,
        color=MUTED,
        gid=f"{plot}-subtitle",
    )


def _journey_title(journey: Journey) -> str:
    name = _clean(journey.name)
    extra = [v for v in (_clean(journey.version), f"{journey.state} state") if v]
    return f"{name} ({', '.join(extra)})" if extra else name


def _badge(ax: Axes, xy: tuple[float, float], label: str, colour: str, gid: str) -> None:
    from matplotlib.patches import Circle

    _add(
        ax,
        Circle(xy, BADGE_R, facecolor=colour, edgecolor="white", linewidth=0.8, zorder=6, gid=gid),
    )
    _text(
        ax,
        xy[0],
        xy[1],
        label,
        ha="center",
        va="center_baseline",
        fontsize=BADGE_PT if len(label) < 3 else BADGE_PT - 0.25,
        fontweight="bold",
        color="white",
        zorder=7,
    )


def _note_layout(n: int, width: float) -> tuple[int, int]:
    """Columns and rows for ``n`` numbered notes across ``width`` inches."""
    cols = max(1, min(n, int(width // NOTE_COL_W)))
    return cols, math.ceil(n / cols) if n else 0


def _notes(
    ax: Axes,
    m: _Measure,
    x0: float,
    top: float,
    width: float,
    heading: str,
    notes: Sequence[tuple[str, str]],
    colour: str,
    plot: str,
) -> None:
    """A heading and numbered notes in columns, each cut to its column."""
    _text(
        ax,
        x0,
        top,
        heading,
        ha="left",
        va="top",
        fontsize=HEAD_PT,
        fontweight="bold",
        color=INK,
        gid=f"{plot}-notes",
    )
    cols, rows = _note_layout(len(notes), width)
    col_w = width / cols
    for i, (number, text) in enumerate(notes):
        c, r = divmod(i, rows)
        x = x0 + c * col_w
        y = top - 0.3 - r * NOTE_H
        _badge(ax, (x + BADGE_R + 0.02, y), number, colour, f"{plot}-note-badge-{number}")
        _text(
            ax,
            x + 0.25,
            y,
            m.fit(text, (col_w - 0.35) * 72, NOTE_PT),
            ha="left",
            va="center_baseline",
            fontsize=NOTE_PT,
            color=INK,
            gid=f"{plot}-note-{number}",
        )


def _legend(m: _Measure, labels: Sequence[str], width: float) -> tuple[int, float]:
    """Columns and height (inches) a legend of these labels needs across ``width``."""
    widest = max((m.width(t, LEGEND_PT) for t in labels), default=0.0) / 72 + 0.6
    cols = max(1, min(len(labels), int(width // widest)))
    rows = math.ceil(len(labels) / cols) if labels else 0
    return cols, rows * 0.2 + 0.1


def _draw_legend(
    ax: Axes,
    handles: Sequence[Artist],
    labels: Sequence[str],
    x0: float,
    top: float,
    cols: int,
    scale: float = 1.0,
) -> None:
    if not labels:
        return
    if scale < 1.0:
        for h in handles:  # the legend copies its handles' sizes when made
            size = getattr(h, "get_markersize", None)
            if size is not None:
                h.set_markersize(size() * scale)  # type: ignore[attr-defined]
            width = getattr(h, "get_linewidth", None)
            if width is not None:
                h.set_linewidth(width() * scale)  # type: ignore[attr-defined]
    legend = ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(x0, top),
        bbox_transform=ax.transData,
        ncol=cols,
        frameon=False,
        fontsize=LEGEND_PT * scale,
        handlelength=2.2,
        columnspacing=1.4,
        borderaxespad=0.0,
        borderpad=0.0,
    )
    legend.set_gid("legend")
    _plain_labels(legend.get_texts())


def _proxy_patch(face: str, edge: str, dashed: bool = False, linewidth: float = 1.0) -> Artist:
    from matplotlib.patches import Patch

    return Patch(
        facecolor=face, edgecolor=edge, linestyle="--" if dashed else "-", linewidth=linewidth
    )


def _proxy_line(colour: str, **kw: Any) -> Artist:
    from matplotlib.lines import Line2D

    return Line2D([], [], color=colour, **kw)


def _silo_legend(
    journey: Journey, steps: Iterable[Step], colours: Mapping[str, str], names: Mapping[str, str]
) -> tuple[list[Artist], list[str]]:
    """Legend entries for the silos (and neutral kinds) that the plotted steps use."""
    silos = owner_silos(journey)
    used_silos = set()
    customer = gap = False
    outcome_kinds: set[str] = set()
    for s in steps:
        if isinstance(s, Outcome):
            outcome_kinds.add(s.kind)
        elif s.owner is not None:
            used_silos.add(silos[s.owner])
        elif isinstance(s, Touchpoint):
            gap = True
        else:
            customer = True
    handles: list[Artist] = []
    labels: list[str] = []
    for o in journey.owners:
        if o.id in used_silos:
            colour = colours[o.id]
            handles.append(_proxy_patch(_tint(colour, 0.8), _shade(colour, 0.1)))
            labels.append(names.get(o.id, o.id))
    if customer:
        handles.append(_proxy_patch(NEUTRAL_FACE, NEUTRAL_EDGE))
        labels.append("customer decision")
    if gap:
        handles.append(_proxy_patch("#FFFFFF", UNOWNED, dashed=True))
        labels.append("no owner")
    for kind in ("success", "failure", "exit"):
        if kind in outcome_kinds:
            face, edge = OUTCOME_STYLE[kind]
            handles.append(_proxy_patch(face, edge))
            labels.append(f"outcome: {kind}")
    return handles, labels


def _routed_arrow(
    ax: Axes,
    points: Sequence[Point],
    *,
    colour: str,
    width: float,
    dashed: bool,
    gid: str,
    zorder: float = 2,
) -> Patch:
    """An arrow along a routed polyline, its corners slightly rounded, the head at the end."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    vertices: list[Point] = [points[0]]
    codes = [Path.MOVETO]
    for prev, here, nxt in zip(points, points[1:], points[2:], strict=False):
        r = min(0.06, math.dist(prev, here) / 2, math.dist(here, nxt) / 2)
        if r <= 1e-6:
            vertices.append(here)
            codes.append(Path.LINETO)
            continue
        before = _towards(here, prev, r)
        after = _towards(here, nxt, r)
        vertices += [before, here, after]
        codes += [Path.LINETO, Path.CURVE3, Path.CURVE3]
    vertices.append(points[-1])
    codes.append(Path.LINETO)
    arrow = FancyArrowPatch(
        path=Path(vertices, codes),
        arrowstyle="-|>",
        mutation_scale=7 + 2 * width,
        color=colour,
        linewidth=width,
        linestyle=(0, (4, 2)) if dashed else "-",
        joinstyle="round",
        capstyle="butt",
        zorder=zorder,
        gid=gid,
    )
    _add(ax, arrow)
    return arrow


def _towards(a: Point, b: Point, d: float) -> Point:
    """The point ``d`` from ``a`` towards ``b``."""
    length = math.dist(a, b)
    return (a[0] + (b[0] - a[0]) * d / length, a[1] + (b[1] - a[1]) * d / length)


class _Box(NamedTuple):
    """A card or node outline: centre, half width, half height, and a diamond flag."""

    centre: tuple[float, float]
    hw: float
    hh: float
    diamond: bool = False


def _column_headers(
    ax: Axes,
    m: _Measure,
    plot: str,
    grid: _Grid,
    cols: Sequence[tuple[str, str]],
    top: float,
) -> None:
    for c, (key, label) in enumerate(cols):
        x0, w = grid.col_x[c], grid.col_w[c]
        lines = m.wrap(label, (w - 0.15) * 72, HEAD_PT, 2)
        _text(
            ax,
            x0 + w / 2,
            top + HEAD_H / 2,
            "\n".join(lines),
            ha="center",
            va="center",
            fontsize=HEAD_PT,
            fontweight="bold",
            color=INK,
            linespacing=1.1,
            gid=f"{plot}-column-{key}",
        )
        if c:
            ax.plot(
                [x0, x0],
                [grid.row_y[-1], top + HEAD_H - 0.05],
                color=RULE,
                linewidth=0.8,
                zorder=1,
            )


def _band(
    ax: Axes, x: float, y: float, width: float, height: float, index: int, gid: str | None = None
) -> None:
    """The background of the ``index``-th row or column: tinted on even ones, white on odd."""
    from matplotlib.patches import Rectangle

    _add(
        ax,
        Rectangle(
            (x, y),
            width,
            height,
            facecolor=BAND if index % 2 == 0 else "#FFFFFF",
            edgecolor="none",
            zorder=0,
            gid=gid,
        ),
    )


def _row_bands(
    ax: Axes,
    m: _Measure,
    plot: str,
    grid: _Grid,
    rows: Sequence[tuple[str, str, str | None]],
    x0: float,
    right: float,
) -> None:
    from matplotlib.patches import Rectangle

    for r, (key, label, colour) in enumerate(rows):
        y0, h = grid.row_y[r], grid.row_h[r]
        _band(ax, x0, y0, right - x0, h, r, f"{plot}-row-{key}")
        if colour is not None:
            _add(ax, Rectangle((x0, y0), 0.07, h, facecolor=colour, edgecolor="none"))
        lines = m.wrap(label, (HEAD_W - 0.3) * 72, HEAD_PT, max(1, min(4, int(h / 0.16))))
        _text(
            ax,
            x0 + 0.17,
            y0 + h / 2,
            "\n".join(lines),
            ha="left",
            va="center",
            fontsize=HEAD_PT,
            fontweight="bold",
            color=UNOWNED if key == UNOWNED_ROW else INK,
            linespacing=1.1,
            zorder=1,
        )
