"""What every picture shares: colours, sizes, text measuring and fitting, ranks, lanes and names."""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import networkx as nx

from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model.classes import DecisionPoint, Journey, Outcome, Step, Touchpoint
from cxgraph.model.owners import owner_silos

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.text import Text


__all__ = ["BY", "ROWS", "VALUES"]

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
CARD_W, CARD_H = 1.7, 0.8
#: The widest a map's grid is made when it can grow down instead: with the row
#: names and margins, a picture the report shows whole at a 1,400 px window.
PAGE_GRID_W = 11.0
GAP = 0.22
PAD = 0.14
HEAD_W, HEAD_H = 1.45, 0.46
TITLE_H = 0.72
MARGIN = 0.2
# Nothing smaller than 7 pt (7.5 on the cards): the report page shows a picture
# no smaller than 9 CSS px for its smallest text (7 pt is 9.3 px at natural size).
NAME_PT, META_PT, BADGE_PT = 7.5, 7.5, 7.5
HEAD_PT, TITLE_PT, SUB_PT, NOTE_PT, LEGEND_PT = 8.5, 13.0, 8.0, 7.5, 7.5
LINE = 1.2
BADGE_R = 0.1
NOTE_H = 0.17
NOTE_COL_W = 6.8
EMPTY_ROW_H = 0.6
#: The journey map's emotion row, under the phase names: -3 to +3 with room for the dots.
EMOTION_ROW_H = 0.95

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


#: The most characters of a name a picture shows (the rest is cut with an ellipsis).
SHOWN_CHARS = 200


def _clean(text: object) -> str:
    """One line of plain text: whitespace runs become one space, controls U+FFFD.

    SVG (XML) cannot hold most control characters, and newlines would break
    the layout, which wraps text itself. Text longer than :data:`SHOWN_CHARS`
    is cut there with an ellipsis before any of it is measured: no card or
    label shows more, and fitting a megabyte of text would take minutes. The
    journey keeps the full text.

    Examples
    --------
    >>> _clean("Pay\\n now\\x00")
    'Pay now\\ufffd'
    >>> len(_clean("x" * 10**6))
    200
    """
    text = str(text)
    if len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 1].rstrip() + "\u2026"
    out = []
    for ch in text:
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
