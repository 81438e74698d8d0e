"""Plots of a journey: the journey map, the service blueprint, the emotion curve, the graph.

Five plots, each taking the :class:`~cxgraph.Journey` first and ``ax=None``
and returning the matplotlib ``Axes`` it drew on:

:func:`journey_map`
    The classic map: phases across, blueprint lanes (or owners) down, one
    card per step; hand-offs and silo crossings as arrows, unowned hand-offs
    flagged with numbered red badges explained below the map.
:func:`blueprint`
    The service blueprint: customer actions, frontstage, backstage and
    support processes, with the lines of interaction, visibility and
    internal interaction.
:func:`emotion_curve`
    Emotion (-3 to 3) along the touchpoints in phase order, one line per
    persona or per path, pain points numbered and listed.
:func:`graph`
    The journey graph layered by phase, edge width by flow, moments of truth,
    hand-offs and silo crossings highlighted.
:func:`silo_matrix`
    The silo × silo matrix of crossings (or of their expected flow).

matplotlib is imported only when a plot is drawn, never through pyplot: with
``ax=None`` each plot makes a :class:`matplotlib.figure.Figure` on the Agg
canvas, sized for the journey, so nothing opens a window and nothing is left
in pyplot's global state. In a notebook, show ``ax.figure``. Text is laid out
in points, so a plot drawn on an ``ax`` of your own keeps its text size and
may crowd if the axes are small. :func:`to_svg` and :func:`save` write
byte-stable files (text kept as text, fixed ``svg.hashsalt``, no date),
setting matplotlib options only inside ``matplotlib.rc_context``.

User text is plain text: ``$`` never starts mathtext, control characters show
as U+FFFD, and a name too long for its card is wrapped, then cut with an
ellipsis.

Artists carry stable ``gid`` values, written into SVG as element ids, so a
report or a test can find them: ``journey_map-card-<step id>``,
``journey_map-name-<step id>``, ``journey_map-row-<key>``,
``journey_map-column-<key>``, ``journey_map-crossing-<source>-><target>``,
``journey_map-handoff-<source>-><target>``,
``journey_map-unowned-<source>-><target>``; the same ``card``, ``name``,
``row`` and ``column`` ids under ``blueprint-``, and ``blueprint-line-interaction``,
``blueprint-line-visibility``, ``blueprint-line-internal``;
``emotion_curve-series-<key>``, ``emotion_curve-pain-<step id>``;
``graph-node-<step id>``, ``graph-edge-<source>-><target>``,
``graph-moment-<step id>``; ``silo_matrix-value-<from>-><to>``; and
``<plot>-empty`` for the note on an empty plot. Row keys are lanes or owner
ids, with ``(customer)`` and ``(unowned)``; a column key is a phase id, or
``(none)`` for the steps without a phase.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="coffee", name="Buying a coffee",
...     owners=[cx.Owner(id="bar", name="Bar", kind="team")],
...     touchpoints=[cx.Touchpoint(id="order", name="Order at the counter", owner="bar",
...                                emotion=1)],
...     outcomes=[cx.Outcome(id="served", name="Coffee served", kind="success")],
...     transitions=[cx.Transition(source="order", target="served")])
>>> ax = cx.plot.journey_map(j)
>>> svg = cx.plot.to_svg(ax)
>>> "Order at the counter" in svg, svg == cx.plot.to_svg(ax)
(True, True)
"""

from __future__ import annotations

import io
import math
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import networkx as nx

from cxgraph.analyses._common import flow_model, require_journey
from cxgraph.analyses.handoffs import UnownedHandoff, unowned_handoffs
from cxgraph.analyses.moments import moments_of_truth
from cxgraph.analyses.silos import silo_boundaries
from cxgraph.errors import CxgraphError
from cxgraph.graph import compile_graph, entry_weights, owner_silos
from cxgraph.model import DecisionPoint, Journey, Outcome, Step, Touchpoint

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.patches import Patch
    from matplotlib.text import Text

__all__ = [
    "BY",
    "ROWS",
    "VALUES",
    "blueprint",
    "emotion_curve",
    "graph",
    "journey_map",
    "save",
    "silo_matrix",
    "to_svg",
]

#: The choices of ``journey_map(rows=...)``.
ROWS: tuple[str, ...] = ("lane", "owner")
#: The choices of ``emotion_curve(by=...)``.
BY: tuple[str, ...] = ("persona", "path")
#: The choices of ``silo_matrix(value=...)``.
VALUES: tuple[str, ...] = ("count", "flow")
#: The file formats :func:`save` writes, by suffix.
FORMATS: tuple[str, ...] = ("svg", "png", "pdf")

# -- look -------------------------------------------------------------------

#: Silo colours, given to silo roots in the order the journey declares them.
#: Orange, red and gold are kept out (they mark crossings, unowned hand-offs
#: and moments of truth), and so are green and grey (outcomes).
PALETTE: tuple[str, ...] = (
    "#4E79A7",
    "#B07AA1",
    "#76B7B2",
    "#9C755F",
    "#E377C2",
    "#6BAED6",
    "#7570B3",
    "#BCBD22",
    "#C9A66B",
    "#A0522D",
)
CROSSING = "#E8710A"
HANDOFF = "#4A5D73"
UNOWNED = "#C62828"
MOMENT = "#F2B701"
FLOW = "#9AA5B1"
INK = "#212121"
MUTED = "#5F6B76"
BAND = "#F3F5F7"
RULE = "#C9D1D9"
NEUTRAL_FACE, NEUTRAL_EDGE = "#F5F5F5", "#8C8C8C"
OUTCOME_STYLE: Mapping[str, tuple[str, str]] = {
    "success": ("#E3F1DF", "#3C7A3B"),
    "failure": ("#F9DEDC", "#B3261E"),
    "exit": ("#ECEFF1", "#6E7B85"),
}
#: Emotion -3 .. 3, red through grey to green.
EMOTION: tuple[str, ...] = (
    "#B2182B",
    "#D6604D",
    "#F4A582",
    "#D9D9D9",
    "#A6DBA0",
    "#5AAE61",
    "#1B7837",
)
SERIES: tuple[str, ...] = ("#2E5EAA", "#8E3B8E", "#138D75", "#B9770E", "#5D6D7E", "#A93226")

# Sizes are in inches (data units on the map-like plots) and points (text).
CARD_W, CARD_H = 1.8, 0.8
GAP = 0.22
PAD = 0.14
HEAD_W, HEAD_H = 1.45, 0.46
TITLE_H = 0.72
MARGIN = 0.2
NAME_PT, META_PT, BADGE_PT = 7.5, 6.5, 5.5
HEAD_PT, TITLE_PT, SUB_PT, NOTE_PT, LEGEND_PT = 8.5, 13.0, 8.0, 7.0, 7.5
LINE = 1.2
BADGE_R = 0.085
NOTE_H = 0.17
NOTE_COL_W = 6.8
EMPTY_ROW_H = 0.6

LANE_NAMES: Mapping[str, str] = {
    "customer": "Customer",
    "frontstage": "Frontstage",
    "backstage": "Backstage",
    "support": "Support",
}
BLUEPRINT_NAMES: Mapping[str, str] = {
    "customer": "Customer actions",
    "frontstage": "Frontstage actions",
    "backstage": "Backstage actions",
    "support": "Support processes",
}
REASON_TEXT: Mapping[str, str] = {
    "context_dropped": "no context carried",
    "no_owner": "nobody accountable for it",
    "step_unowned": "a step has no owner",
    "undeclared": "no hand-off declared",
}
NO_PHASE = "(none)"
CUSTOMER_ROW = "(customer)"
UNOWNED_ROW = "(unowned)"
ELLIPSIS = "…"

_RC: Mapping[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "cxgraph"}
_METADATA: Mapping[str, Mapping[str, None]] = {
    "svg": {"Date": None},
    "png": {"Software": None},
    "pdf": {"CreationDate": None, "ModDate": None},
}
_MISSING_GLYPH = r"Glyph .* missing from font"
#: The gid of the figures the plots make: laid out to fit, so saved uncropped.
OWN_FIGURE = "cxgraph-figure"


# -- text ---------------------------------------------------------------------


def _clean(text: object) -> str:
    """One line of plain text: whitespace runs become one space, controls U+FFFD.

    SVG (XML) cannot hold most control characters, and newlines would break
    the layout, which wraps text itself.

    Examples
    --------
    >>> _clean("Pay\\n now\\x00")
    'Pay now\\ufffd'
    """
    out = []
    for ch in str(text):
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\x0b\x0c" or cat in ("Zs", "Zl", "Zp"):
            out.append(" ")
        elif cat in ("Cc", "Cs") or ch in "\ufffe\uffff":
            out.append("\ufffd")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _escape_math(text: str) -> str:
    r"""Escape ``$`` for text matplotlib parses itself (tick and legend labels).

    Examples
    --------
    >>> _escape_math("$5 off")
    '\\$5 off'
    """
    return text.replace("$", r"\$")


_EMS: dict[str, dict[str, float]] = {}
_SLACK = 1.15


class _Measure:
    """Text widths in points for the font matplotlib will use, per character.

    A character's advance is measured once per font (a string's width is the
    sum, kerning ignored, so a small safety margin is kept). A character the
    font lacks counts as one em: the SVG viewer will draw it from another
    font, about that wide.
    """

    def __init__(self) -> None:
        from matplotlib.font_manager import FontProperties, findfont

        self._prop = FontProperties(size=100)
        self._ems = _EMS.setdefault(str(findfont(self._prop)), {})

    def em(self, ch: str) -> float:
        width = self._ems.get(ch)
        if width is None:
            from matplotlib.textpath import text_to_path

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                measure = text_to_path.get_text_width_height_descent
                pair = measure(f"x{ch}x", self._prop, ismath=False)[0]
                base = measure("xx", self._prop, ismath=False)[0]
            missing = any("missing from font" in str(w.message) for w in caught)
            width = 1.0 if missing else max(pair - base, 0.0) / 100.0
            self._ems[ch] = width
        return width

    def width(self, text: str, size: float) -> float:
        """Width of one line in points, with a margin for kerning and hinting.

        Agg hints glyphs to whole pixels, which widens small text by up to
        about 15% at 72 to 100 dpi; SVG viewers do not, so SVG text has room
        to spare.
        """
        return _SLACK * size * sum(self.em(ch) for ch in text)

    def _prefix(self, text: str, limit: float, size: float) -> int:
        """How many leading characters fit in ``limit`` points (at least one)."""
        budget = limit / (_SLACK * size)
        used = 0.0
        for i, ch in enumerate(text):
            used += self.em(ch)
            if used > budget:
                return max(i, 1)
        return len(text)

    def fit(self, text: str, limit: float, size: float) -> str:
        """The text, cut with an ellipsis if it is wider than ``limit`` points."""
        if self.width(text, size) <= limit:
            return text
        room = limit - self.width(ELLIPSIS, size)
        return text[: self._prefix(text, room, size)].rstrip() + ELLIPSIS

    def wrap(self, text: str, limit: float, size: float, max_lines: int) -> list[str]:
        """Greedy word wrap to ``limit`` points; long words break; overflow ends in ``…``."""
        lines: list[str] = []
        current = ""
        for word in text.split(" "):
            candidate = f"{current} {word}" if current else word
            if self.width(candidate, size) <= limit:
                current = candidate
                continue
            if current:
                lines.append(current)
            while self.width(word, size) > limit and len(word) > 1:
                cut = self._prefix(word, limit, size)
                lines.append(word[:cut])
                word = word[cut:]
            current = word
            if len(lines) > max_lines:
                break
        if current:
            lines.append(current)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1]
            room = limit - self.width(ELLIPSIS, size)
            lines[-1] = last[: self._prefix(last, room, size)].rstrip() + ELLIPSIS
        return lines or [""]


def _add(ax: Axes, patch: Artist) -> None:
    """Add a patch without growing the data limits: every plot sets its own, and
    measuring each patch (an arrow's bezier path above all) costs more than drawing it."""
    ax.add_artist(patch)


def _text(ax: Axes, x: float, y: float, s: str, **kw: Any) -> Text:
    """Plain text: no mathtext, no TeX, whatever rcParams say."""
    return ax.text(x, y, s, parse_math=False, usetex=False, **kw)


def _plain_labels(texts: Iterable[Text]) -> None:
    for t in texts:
        t.set_parse_math(False)
        t.set_usetex(False)


# -- shared structure -------------------------------------------------------------


def _ranks(journey: Journey) -> dict[str, tuple[int, int]]:
    """Each step's place in the flow: (longest-path layer from the entries, declared index).

    Loops are broken first, as layered drawings do: a depth-first search from
    the entries (then from any step not reached), taking successors in phase
    order, drops the edges that return to a step still on its stack. The
    layers are then the longest paths over what is left, which is acyclic,
    so a customer coming back for another visit does not pull the whole
    loop into one layer. Linear in the size of the journey.
    """
    g = compile_graph(journey)
    index = {s.id: i for i, s in enumerate(journey.steps)}
    n_phases = len(journey.phases)

    def where(v: str) -> tuple[int, int]:
        phase = g.nodes[v]["phase_index"]
        return (n_phases if phase is None else phase, index[v])

    succ = {u: sorted(g.successors(u), key=where) for u in g}
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    back: set[tuple[str, str]] = set()
    roots = [*entry_weights(journey)[0], *(s.id for s in journey.steps)]
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            u, children = stack[-1]
            for v in children:
                if state.get(v) == 1:
                    back.add((u, v))
                elif v not in state:
                    state[v] = 1
                    stack.append((v, iter(succ[v])))
                    break
            else:
                state[u] = 2
                stack.pop()
    dag: nx.DiGraph[str] = nx.DiGraph()
    dag.add_nodes_from(index)
    dag.add_edges_from(e for e in g.edges if e not in back)
    layer: dict[str, int] = {}
    for v in nx.lexicographical_topological_sort(dag, key=index.__getitem__):
        layer[v] = max((layer[u] + 1 for u in dag.predecessors(v)), default=0)
    return {v: (layer[v], index[v]) for v in index}


def _silo_colours(journey: Journey) -> dict[str, str]:
    """Owner id → colour of its silo (silo roots coloured in declared order)."""
    silos = owner_silos(journey)
    roots = [o.id for o in journey.owners if silos.get(o.id) == o.id]
    colour = {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(roots)}
    return {o: colour[s] for o, s in silos.items() if s in colour}


def _tint(colour: str, amount: float) -> str:
    """Mix a ``#rrggbb`` colour with white (``amount`` 1 is white)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#{:02X}{:02X}{:02X}".format(*mixed)


def _shade(colour: str, amount: float) -> str:
    """Mix a ``#rrggbb`` colour with black."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#{:02X}{:02X}{:02X}".format(*[round(c * (1 - amount)) for c in rgb])


class _Look(NamedTuple):
    face: str
    edge: str
    dashed: bool


def _look(step: Step, colours: Mapping[str, str]) -> _Look:
    """Card colours: the owner's silo; outcomes by kind; a touchpoint without owner in red."""
    if isinstance(step, Outcome):
        face, edge = OUTCOME_STYLE[step.kind]
        return _Look(face, edge, False)
    if step.owner is None:
        if isinstance(step, Touchpoint):
            return _Look("#FFFFFF", UNOWNED, True)
        return _Look(NEUTRAL_FACE, NEUTRAL_EDGE, False)
    colour = colours.get(step.owner, PALETTE[0])
    return _Look(_tint(colour, 0.8), _shade(colour, 0.1), False)


def _lane(step: Step) -> str:
    """The blueprint lane of a step; decisions and outcomes have none of their own.

    A customer's decision and an outcome belong to the customer; an
    employee's decision sits backstage, behind the line of visibility; an
    automated one is a support process.
    """
    if isinstance(step, Touchpoint):
        return step.lane
    if isinstance(step, DecisionPoint):
        return {"customer": "customer", "employee": "backstage"}.get(step.decided_by, "support")
    return "customer"


def _phase_of(step: Step) -> str | None:
    return None if isinstance(step, Outcome) else step.phase


def _names(journey: Journey) -> dict[str, dict[str, str]]:
    return {
        "step": {s.id: _clean(s.name) for s in journey.steps},
        "owner": {o.id: _clean(o.name) for o in journey.owners},
        "channel": {c.id: _clean(c.name) for c in journey.channels},
        "phase": {p.id: _clean(p.name) for p in journey.phases},
        "persona": {p.id: _clean(p.name) for p in journey.personas},
    }


def _check(value: str, choices: Sequence[str], what: str) -> None:
    if value not in choices:
        listed = " or ".join(repr(c) for c in choices)
        msg = f"unknown {what} {value!r} (choose {listed})"
        raise ValueError(msg)


def _pair(u: str, v: str) -> str:
    return f"{u}->{v}"


# -- figures --------------------------------------------------------------------


def _new_axes(width: float, height: float, rect: tuple[float, float, float, float]) -> Axes:
    """A new Figure on the Agg canvas (never pyplot, never a window) and its one Axes.

    ``rect`` is (left, bottom, width, height) in inches.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    fig.set_gid(OWN_FIGURE)
    FigureCanvasAgg(fig)
    left, bottom, w, h = rect
    return fig.add_axes((left / width, bottom / height, w / width, h / height))


def _inch_axes(ax: Axes | None, width: float, height: float) -> Axes:
    """Axes whose data unit is one inch: the whole figure when ``ax`` is None."""
    if ax is None:
        ax = _new_axes(width, height, (0.0, 0.0, width, height))
    ax.set_xlim(0.0, width)
    ax.set_ylim(0.0, height)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    return ax


def _empty(ax: Axes | None, plot: str, note: str) -> Axes:
    """An empty but valid plot: a centred note."""
    if ax is None:
        ax = _new_axes(6.0, 3.0, (0.0, 0.0, 6.0, 3.0))
    ax.set_axis_off()
    _text(
        ax,
        0.5,
        0.5,
        note,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=11,
        color=MUTED,
        gid=f"{plot}-empty",
    )
    return ax


def _root_figure(ax_or_fig: Any) -> Figure:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    if isinstance(ax_or_fig, Axes):
        fig: Figure | SubFigure | None = ax_or_fig.get_figure()
    else:
        fig = ax_or_fig
    if isinstance(fig, SubFigure):
        fig = fig.figure
    if not isinstance(fig, Figure):
        msg = f"expected a matplotlib Axes or Figure, got {type(ax_or_fig).__name__}"
        raise TypeError(msg)
    return fig


def _crop(fig: Figure) -> dict[str, Any]:
    """Crop a figure to what it draws, unless a plot here made and sized it.

    Cropping costs a second full draw; a figure of our own needs none.
    """
    if fig.get_gid() == OWN_FIGURE:
        return {}
    return {"bbox_inches": "tight", "pad_inches": 0.1}


@contextmanager
def _stable() -> Iterator[None]:
    """Byte-stable output options, set only for the duration of one save."""
    import matplotlib

    with matplotlib.rc_context(dict(_RC)), warnings.catch_warnings():  # type: ignore[arg-type]
        # A glyph the font lacks is drawn by the SVG viewer's own fonts.
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH, category=UserWarning)
        yield


def to_svg(ax_or_fig: Axes | Figure | SubFigure) -> str:
    """Return a plot as SVG text: byte-stable, with text kept as searchable text.

    ``svg.fonttype`` is ``"none"`` and ``svg.hashsalt`` fixed inside
    ``matplotlib.rc_context`` (global rcParams are left alone), the date is
    left out, and the figure is cropped to what it draws.

    Parameters
    ----------
    ax_or_fig
        An Axes (its figure is written) or a Figure.

    Returns
    -------
    str
        The SVG document; the same figure gives the same text every time.

    Raises
    ------
    TypeError
        If ``ax_or_fig`` is neither an Axes nor a Figure.

    Examples
    --------
    >>> import cxgraph as cx
    >>> ax = cx.plot.silo_matrix(cx.Journey(id="j", name="J"))
    >>> cx.plot.to_svg(ax).startswith("<?xml")
    True
    >>> cx.plot.to_svg("plot")
    Traceback (most recent call last):
    ...
    TypeError: expected a matplotlib Axes or Figure, got str
    """
    fig = _root_figure(ax_or_fig)
    buffer = io.StringIO()
    with _stable():
        fig.savefig(
            buffer,
            format="svg",
            metadata=dict(_METADATA["svg"]),
            **_crop(fig),
        )
    return buffer.getvalue()


def save(ax_or_fig: Axes | Figure | SubFigure, path: str | Path, *, dpi: float = 150) -> Path:
    """Write a plot to an SVG, PNG or PDF file (by suffix), byte-stable.

    SVG is exactly :func:`to_svg` in UTF-8; PNG and PDF leave out the software
    version and dates, so the same figure gives the same bytes.

    Parameters
    ----------
    ax_or_fig
        An Axes (its figure is written) or a Figure.
    path
        Where to write; the suffix ``.svg``, ``.png`` or ``.pdf`` sets the format.
    dpi
        Resolution of a PNG.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        If ``ax_or_fig`` is neither an Axes nor a Figure.
    ValueError
        If the suffix is not one of ``.svg``, ``.png``, ``.pdf``.

    Examples
    --------
    >>> import cxgraph as cx
    >>> cx.plot.save(cx.plot.graph(cx.Journey(id="j", name="J")), "plot.gif")
    Traceback (most recent call last):
    ...
    ValueError: cannot save 'plot.gif': unknown suffix '.gif' (choose '.svg', '.png' or '.pdf')
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        choices = ", ".join(f"'.{f}'" for f in FORMATS[:-1]) + f" or '.{FORMATS[-1]}'"
        msg = f"cannot save {str(path)!r}: unknown suffix {path.suffix!r} (choose {choices})"
        raise ValueError(msg)
    if fmt == "svg":
        path.write_bytes(to_svg(ax_or_fig).encode("utf-8"))
        return path
    fig = _root_figure(ax_or_fig)
    with _stable():
        fig.savefig(
            path,
            format=fmt,
            dpi=dpi,
            metadata=dict(_METADATA[fmt]),
            **_crop(fig),
        )
    return path


# -- cards and grids -------------------------------------------------------------------


class _Cell(NamedTuple):
    row: int
    col: int


class _Grid:
    """Cards placed in a grid of rows (lanes or owners) by columns (phases).

    ``pack`` fills each cell as a near-square block in flow order; ``time``
    keeps flow order across the rows of a column: a step opens a new
    sub-column when its cell there already holds ``stack`` cards, so steps
    of different lanes at the same moment line up vertically.
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

    def box(self, sid: str) -> _Box:
        x, y = self.pos[sid]
        return _Box((x + CARD_W / 2, y + CARD_H / 2), CARD_W / 2, CARD_H / 2)


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
        fontsize=BADGE_PT if len(label) < 3 else BADGE_PT - 1,
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
) -> None:
    if not labels:
        return
    legend = ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(x0, top),
        bbox_transform=ax.transData,
        ncol=cols,
        frameon=False,
        fontsize=LEGEND_PT,
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


def _arrow(
    ax: Axes,
    a: _Box,
    b: _Box,
    *,
    colour: str,
    width: float,
    dashed: bool,
    gid: str,
    bulge: float = 0.3,
    zorder: float = 2,
) -> Patch:
    """An arrow from box to box, leaving and entering at their outlines.

    The ends are computed here rather than by matplotlib's clipping to the
    patches, which costs a bezier search per arrow at every draw. An arc
    bulges by about ``bulge`` inches whatever its length.
    """
    from matplotlib.patches import FancyArrowPatch

    start, end = a.towards(b.centre), b.towards(a.centre)
    length = math.dist(start, end)
    rad = min(0.3, bulge / length) if length > 0 else 0.0
    arrow = FancyArrowPatch(
        posA=start,
        posB=end,
        shrinkA=1,
        shrinkB=1.5,
        arrowstyle="-|>",
        mutation_scale=7 + 2 * width,
        connectionstyle=f"arc3,rad={rad:.4f}",
        color=colour,
        linewidth=width,
        linestyle=(0, (4, 2)) if dashed else "-",
        zorder=zorder,
        gid=gid,
    )
    _add(ax, arrow)
    return arrow


class _Box(NamedTuple):
    """A card or node outline: centre, half width, half height, and a diamond flag."""

    centre: tuple[float, float]
    hw: float
    hh: float
    diamond: bool = False

    def towards(self, target: tuple[float, float]) -> tuple[float, float]:
        """Where the straight line from the centre to ``target`` leaves the outline."""
        (x, y), (tx, ty) = self.centre, target
        dx, dy = tx - x, ty - y
        if dx == 0 and dy == 0:
            return self.centre
        if self.diamond:
            t = 1.0 / (abs(dx) / self.hw + abs(dy) / self.hh)
        else:
            t = min(self.hw / abs(dx) if dx else math.inf, self.hh / abs(dy) if dy else math.inf)
        t = min(t, 1.0)
        return (x + t * dx, y + t * dy)


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
        _add(
            ax,
            Rectangle(
                (x0, y0),
                right - x0,
                h,
                facecolor=BAND if r % 2 == 0 else "#FFFFFF",
                edgecolor="none",
                zorder=0,
                gid=f"{plot}-row-{key}",
            ),
        )
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
    owner's silo.

    Arrows mark where responsibility passes: silo crossings
    (:func:`~cxgraph.silo_boundaries`) in orange, other hand-offs in slate,
    drawn from the last owned step to the next across customer decisions.
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
    grid = _Grid(cells, order, len(row_list), len(cols), mode="pack")

    crossings = silo_boundaries(journey)
    unowned = unowned_handoffs(journey)
    by_pair: dict[tuple[str, str], list[UnownedHandoff]] = defaultdict(list)
    for f in unowned:
        by_pair[f.source, f.target].append(f)
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

    width = max(HEAD_W + grid.width + 2 * MARGIN, 8.0)
    inner_w = width - 2 * MARGIN
    legend_cols, legend_h = _legend(m, labels, inner_w)
    _, note_rows = _note_layout(len(notes), inner_w)
    notes_h = 0.35 + note_rows * NOTE_H + 0.05 if notes else 0.0
    height = MARGIN + TITLE_H + HEAD_H + grid.height + 0.2 + legend_h + notes_h + MARGIN
    ax = _inch_axes(ax, width, height)

    top = height - MARGIN
    by_lane = "lane" if rows == "lane" else "owner"
    sub = (
        f"Journey map by {by_lane} · {len(journey.steps)} steps · "
        f"{len(crossings)} silo crossing{'s' if len(crossings) != 1 else ''} · "
        f"{len(flagged)} unowned hand-off{'s' if len(flagged) != 1 else ''}"
    )
    _title(ax, "journey_map", MARGIN, top, inner_w, _journey_title(journey), sub)
    grid_top = top - TITLE_H - HEAD_H
    grid.place(MARGIN + HEAD_W, grid_top)
    right = MARGIN + HEAD_W + grid.width
    _row_bands(ax, m, "journey_map", grid, row_list, MARGIN, right)
    _column_headers(ax, m, "journey_map", grid, cols, grid_top)

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

    for u, v in sorted(crossing_pairs | handoff_pairs | set(by_pair)):
        if u == v:
            continue  # a repeat passes nothing on; its flag still shows
        crossing = (u, v) in crossing_pairs
        _arrow(
            ax,
            grid.box(u),
            grid.box(v),
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
    _draw_legend(ax, handles, labels, MARGIN, legend_top, legend_cols)
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
    return ax


def _unowned_note(
    findings: Sequence[UnownedHandoff], names: Mapping[str, Mapping[str, str]]
) -> str:
    f = findings[0]
    step, owner = names["step"], names["owner"]
    reasons = ", ".join(REASON_TEXT[x.reason] for x in findings)

    def who(o: str | None) -> str:
        return "nobody" if o is None else owner.get(o, o)

    return (
        f"{who(f.from_owner)} \u2192 {who(f.to_owner)}: {reasons} "
        f"({step[f.source]} \u2192 {step[f.target]})"
    )


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
    grid = _Grid(cells, order, len(lanes), len(cols), mode="time")

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
            fontsize=6.5,
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
    for e in journey.edges:
        if e.source == e.target:
            continue
        kind = type(e).__name__
        arrow = _arrow(
            ax,
            grid.box(e.source),
            grid.box(e.target),
            colour={"Handoff": HANDOFF, "Trigger": MUTED}.get(kind, FLOW),
            width=1.2 if kind == "Handoff" else 0.9,
            dashed=False,
            bulge=0.15,
            gid=f"blueprint-edge-{_pair(e.source, e.target)}",
        )
        if kind == "Trigger":
            arrow.set_linestyle(":")
    _draw_legend(ax, handles, labels, MARGIN, grid.row_y[-1] - 0.2, legend_cols)
    return ax


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
    from cxgraph.analyses.absorbing import markov

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
    ...     touchpoints=[cx.Touchpoint(id="a", name="A")],
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
    if ax is None:
        left = longest + 0.55
        bottom = longest * math.sin(math.radians(35)) + 0.55
        side = n * cell
        width = max(left + side + 0.3, 4.5)
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
            face = "#E6E6E6" if a == b else _blend("#FFFFFF", CROSSING, share)
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
                fontsize=10,
                fontweight="bold" if v else "normal",
                color="white" if share > 0.6 else (MUTED if not v else INK),
                gid=f"silo_matrix-value-{_pair(a, b)}",
            )
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(n), [_escape_math(t) for t in labels])
    ax.set_yticks(range(n), [_escape_math(t) for t in labels])
    ax.tick_params(length=0, labelsize=8)
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
    ax.set_xlabel(f"to silo ({what})", fontsize=8, color=MUTED)
    ax.set_ylabel("from silo", fontsize=8, color=MUTED)
    if not own:
        _plain_labels([ax.set_title(f"{heading}: {title}", fontsize=10, loc="left", pad=4)])
    return ax


def _blend(a: str, b: str, t: float) -> str:
    ra = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    rb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#{:02X}{:02X}{:02X}".format(
        *[round(x + (y - x) * t) for x, y in zip(ra, rb, strict=True)]
    )
