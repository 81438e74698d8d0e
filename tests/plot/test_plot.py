"""Tests for cxgraph.plot: structure counted from the Axes (Agg), never from pixels."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
import matplotlib as mpl
import networkx as nx
import pytest
from hypothesis import given, settings
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

import cxgraph as cx
from cxgraph.graph import entry_weights
from cxgraph.plot.look import CROSSING
from strategies import journeys

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLOTS: dict[str, Callable[..., Axes]] = {
    "journey_map": cx.plot.journey_map,
    "blueprint": cx.plot.blueprint,
    "emotion_curve": cx.plot.emotion_curve,
    "graph": cx.plot.graph,
    "silo_matrix": cx.plot.silo_matrix,
}
MISSING_GLYPH = "ignore:Glyph .* missing from font:UserWarning"


# -- helpers -------------------------------------------------------------------------


def gids(ax: Axes, prefix: str) -> list[str]:
    """The gids of every artist on the Axes that start with ``prefix``, the prefix cut."""
    found = [a.get_gid() or "" for a in ax.get_children()]
    return sorted(g[len(prefix) :] for g in found if g.startswith(prefix))


def texts(ax: Axes, prefix: str) -> dict[str, Any]:
    """Text artists by gid (prefix cut)."""
    return {
        t.get_gid()[len(prefix) :]: t for t in ax.texts if (t.get_gid() or "").startswith(prefix)
    }


def extents(ax: Axes, artists: Iterable[Any]) -> list[Bbox]:
    """Window extents on the Agg renderer of the figure."""
    canvas = ax.figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    renderer = canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in artists]


def overlapping(boxes: list[Bbox], slack: float = 0.5) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap by more than ``slack`` pixels both ways."""
    found = []
    order = sorted(range(len(boxes)), key=lambda i: boxes[i].x0)
    for a_pos, i in enumerate(order):
        a = boxes[i]
        for j in order[a_pos + 1 :]:
            b = boxes[j]
            if b.x0 >= a.x1 - slack:
                break
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > slack and dy > slack:
                found.append((i, j))
    return found


EXAMPLE_NAMES = ["restaurant", "b2b_software", "vending", "vending_future"]


def load(name: str) -> cx.Journey:
    return cx.load(EXAMPLES / f"{name}.yaml")


def big_journey(n: int = 40) -> cx.Journey:
    """A generated journey of ``n`` touchpoints with long names, three silos, forks."""
    phases = [cx.Phase(id=f"p{i}", name=f"Phase {i} with a fairly long name") for i in range(5)]
    owners = [
        cx.Owner(id="mkt", name="Marketing", kind="department"),
        cx.Owner(id="web", name="Web team", kind="team", parent="mkt"),
        cx.Owner(id="sales", name="Sales", kind="department"),
        cx.Owner(id="svc", name="Service and support", kind="department"),
    ]
    lanes = ["customer", "frontstage", "frontstage", "backstage", "support"]
    owner_ids = ["web", "mkt", "sales", "svc", None]
    tps = [
        cx.Touchpoint(
            id=f"t{i}",
            name=(
                f"Step {i}: the customer "
                + "does something rather involved with a supercalifragilisticexpialidocious"
                " widget " * (1 + i % 3)
            ),
            phase=f"p{(i * 5) // n}",
            owner=owner_ids[i % 5],
            lane=lanes[i % 5],  # type: ignore[arg-type]
            emotion=(i % 7) - 3,
            pain_points=("Waits too long",) if i % 6 == 0 else (),
        )
        for i in range(n)
    ]
    decisions = [
        cx.DecisionPoint(id=f"d{i}", name=f"Decide on option {i}?", decided_by="customer")
        for i in range(0, n, 8)
    ]
    outcomes = [
        cx.Outcome(id="won", name="Won", kind="success"),
        cx.Outcome(id="lost", name="Lost to a competitor", kind="failure"),
    ]
    transitions = [cx.Transition(source=f"t{i}", target=f"t{i + 1}") for i in range(n - 1)]
    transitions += [cx.Transition(source=f"t{i}", target=f"d{i}") for i in range(0, n, 8)]
    transitions += [cx.Transition(source=f"d{i}", target="lost") for i in range(0, n, 8)]
    transitions += [
        cx.Transition(source=f"d{i}", target=f"t{min(i + 3, n - 1)}") for i in range(0, n, 8)
    ]
    transitions.append(cx.Transition(source=f"t{n - 1}", target="won"))
    handoffs = [cx.Handoff(source="t2", target=f"t{n - 2}", owner="sales", carries=("lead",))]
    return cx.Journey(
        id="big",
        name="A generated journey",
        phases=phases,
        owners=owners,
        touchpoints=tps,
        decision_points=decisions,
        outcomes=outcomes,
        transitions=transitions,
        handoffs=handoffs,
        entries=["t0"],
    )


TRICKY = ['<script>alert("x")</script>', 'Tom\'s "quote" & co', "Costs $x$ and $5", "Pay 🙂 now"]


def tricky_journey() -> cx.Journey:
    """Names with markup, quotes, dollars, emoji and a control character."""
    return cx.Journey(
        id="tricky",
        name="Tricky <b>names</b> $x$",
        phases=[cx.Phase(id="p", name="Phase $1$ <i>")],
        personas=[cx.Persona(id="who", name="Persona $a$ <x>")],
        owners=[
            cx.Owner(id="a", name="Team $A$ <a>", kind="team"),
            cx.Owner(id="b", name="Team \"B\" 'b'", kind="team"),
        ],
        touchpoints=[
            cx.Touchpoint(
                id=f"t{i}",
                name=name,
                phase="p",
                owner="ab"[i % 2],
                emotion=-2 + i,
                pain_points=(name,),
            )
            for i, name in enumerate(TRICKY)
        ]
        + [cx.Touchpoint(id="ctl", name="Bell\x07 and\nnewline", owner="a", emotion=0)],
        outcomes=[cx.Outcome(id="end", name="Done $ok$", kind="success")],
        transitions=[
            cx.Transition(source="t0", target="t1"),
            cx.Transition(source="t1", target="t2"),
            cx.Transition(source="t2", target="t3"),
            cx.Transition(source="t3", target="ctl"),
            cx.Transition(source="ctl", target="end"),
        ],
    )


EMPTY = cx.Journey(id="empty", name="Empty")


# -- journey map ---------------------------------------------------------------------


class TestJourneyMap:
    def test_lanes_and_phase_columns(self) -> None:
        """Four lane rows and one column per phase, plus one for the steps without a phase."""
        j = load("restaurant")
        ax = cx.plot.journey_map(j)
        assert gids(ax, "journey_map-row-") == sorted(
            ["customer", "frontstage", "backstage", "support"]
        )
        assert gids(ax, "journey_map-column-") == sorted([*(p.id for p in j.phases), "(none)"])

    def test_owner_rows(self) -> None:
        """By owner: the customer, every owner with a step, and the unowned touchpoints."""
        j = load("b2b_software")
        ax = cx.plot.journey_map(j, rows="owner")
        owners = {s.owner for s in (*j.touchpoints, *j.decision_points) if s.owner is not None}
        assert gids(ax, "journey_map-row-") == sorted([*owners, "(customer)", "(unowned)"])

    @pytest.mark.parametrize("rows", ["lane", "owner"])
    def test_one_card_per_step(self, rows: str) -> None:
        """Every step gets exactly one card, with its name and a detail line."""
        j = load("b2b_software")
        ax = cx.plot.journey_map(j, rows=rows)
        ids = sorted(s.id for s in j.steps)
        assert gids(ax, "journey_map-card-") == ids
        assert sorted(texts(ax, "journey_map-name-")) == ids
        assert sorted(texts(ax, "journey_map-meta-")) == ids

    @pytest.mark.parametrize("name", ["restaurant", "b2b_software", "vending"])
    def test_crossings_marked(self, name: str) -> None:
        """One orange arrow per silo crossing that silo_boundaries finds."""
        j = load(name)
        ax = cx.plot.journey_map(j)
        expected = sorted(f"{c.source}->{c.target}" for c in cx.silo_boundaries(j))
        assert gids(ax, "journey_map-crossing-") == expected

    @pytest.mark.parametrize("name", ["restaurant", "b2b_software", "vending"])
    def test_unowned_flags(self, name: str) -> None:
        """One numbered red flag per edge (source, target) that unowned_handoffs reports."""
        j = load(name)
        ax = cx.plot.journey_map(j)
        expected = sorted({f"{f.source}->{f.target}" for f in cx.unowned_handoffs(j)})
        assert gids(ax, "journey_map-unowned-") == expected
        assert len(gids(ax, "journey_map-note-badge-")) == len(expected)

    def test_declared_handoffs_drawn(self) -> None:
        """Every declared hand-off between two steps is an arrow, as a crossing or a hand-off."""
        j = load("b2b_software")
        ax = cx.plot.journey_map(j)
        drawn = set(gids(ax, "journey_map-crossing-")) | set(gids(ax, "journey_map-handoff-"))
        assert {f"{h.source}->{h.target}" for h in j.handoffs if h.source != h.target} <= drawn

    @pytest.mark.parametrize("make", [big_journey, lambda: load("b2b_software")])
    @pytest.mark.parametrize("rows", ["lane", "owner"])
    def test_no_overlapping_text(self, make: Callable[[], cx.Journey], rows: str) -> None:
        """No two texts on the map overlap, and every card's text stays inside its card."""
        ax = cx.plot.journey_map(make(), rows=rows)
        shown = [t for t in ax.texts if t.get_text().strip()]
        boxes = extents(ax, shown)
        clashes = [(shown[i].get_text(), shown[k].get_text()) for i, k in overlapping(boxes)]
        # An emotion number sits inside its dot and a badge number in its badge: both
        # are single characters centred on a circle, and no other text may touch them.
        clashes = [c for c in clashes if not any(len(x) <= 2 for x in c)]
        assert clashes == []
        cards = dict(zip(gids(ax, "journey_map-card-"), extents(ax, _cards(ax)), strict=True))
        for kind in ("name", "meta"):
            for sid, text in texts(ax, f"journey_map-{kind}-").items():
                (box,) = extents(ax, [text])
                card = cards[sid]
                inside = card.expanded(1.0, 1.0).padded(0.5)
                assert Bbox.union([inside, box]).bounds == inside.bounds, (sid, kind)

    def test_long_names_cut(self) -> None:
        """A name too long for its card is wrapped to three lines ending in an ellipsis."""
        ax = cx.plot.journey_map(big_journey())
        name = texts(ax, "journey_map-name-")["t2"].get_text()
        assert name.count("\n") == 2
        assert name.endswith("…")

    def test_figure_grows_with_content(self) -> None:
        """A bigger journey gets a bigger figure."""
        small = cx.plot.journey_map(big_journey(8)).figure.get_size_inches()
        large = cx.plot.journey_map(big_journey(40)).figure.get_size_inches()
        assert large[0] * large[1] > small[0] * small[1]

    def test_empty_journey(self) -> None:
        """A journey without steps gives a valid plot with a 'no steps' note."""
        ax = cx.plot.journey_map(EMPTY)
        assert [t.get_text() for t in ax.texts] == ["no steps"]
        assert cx.plot.to_svg(ax).startswith("<?xml")

    def test_given_axes_used(self) -> None:
        """An Axes passed in is drawn on and returned."""
        fig = Figure()
        ax = fig.add_subplot()
        assert cx.plot.journey_map(load("vending"), ax=ax) is ax
        assert gids(ax, "journey_map-card-")

    def test_unknown_rows(self) -> None:
        """An unknown ``rows`` is a ValueError listing the choices."""
        with pytest.raises(ValueError, match=r"unknown rows 'silo' \(choose 'lane' or 'owner'\)"):
            cx.plot.journey_map(load("vending"), rows="silo")

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match="journey_map\\(\\) takes a Journey, got str"):
            cx.plot.journey_map("examples/vending.yaml")  # type: ignore[arg-type]


class TestJourneyMapEmotionRow:
    """The row under the phases: a dot per felt touchpoint, a line through the phase averages."""

    @staticmethod
    def level(ax: Axes) -> Callable[[float], float]:
        """Emotion to height, read back from the row's +3 and 0 tick labels."""
        ticks = texts(ax, "journey_map-emotionrow-tick-")
        y0, y3 = ticks["0"].get_position()[1], ticks["3"].get_position()[1]
        return lambda e: y0 + e * (y3 - y0) / 3

    @pytest.mark.parametrize("name", ["restaurant", "b2b_software", "vending", "vending_future"])
    def test_one_dot_per_felt_touchpoint_in_its_phase(self, name: str) -> None:
        j = load(name)
        ax = cx.plot.journey_map(j)
        felt = {
            t.id: t
            for t in j.touchpoints
            if t.emotion is not None and t.lane in ("customer", "frontstage")
        }
        prefix = "journey_map-emotionrow-dot-"
        dots = {p.get_gid()[len(prefix) :]: p for p in ax.patches if p.get_gid().startswith(prefix)}
        assert set(dots) == set(felt)
        level = self.level(ax)
        cards = {p.get_gid()[len("journey_map-card-") :]: p for p in _cards(ax)}
        top_of_cards = max(c.get_y() + c.get_height() for c in cards.values())
        for sid, dot in dots.items():
            x, y = dot.center
            assert y == pytest.approx(level(felt[sid].emotion))
            assert y > top_of_cards
            # Within the column of the step's phase: the x range of that phase's cards.
            same_phase = [
                cards[s.id] for s in j.steps if getattr(s, "phase", None) == felt[sid].phase
            ]
            assert min(c.get_x() for c in same_phase) - 0.2 <= x
            assert x <= max(c.get_x() + c.get_width() for c in same_phase) + 0.2

    def test_average_line_through_each_phase(self) -> None:
        """The line's points are the phase averages, left to right, one per phase with a dot."""
        j = load("restaurant")
        ax = cx.plot.journey_map(j)
        level = self.level(ax)
        (line,) = [
            ln for ln in ax.lines if (ln.get_gid() or "").startswith("journey_map-emotionrow-")
        ]
        by_phase: dict[str, list[int]] = {}
        for t in j.touchpoints:
            if t.emotion is not None and t.lane in ("customer", "frontstage") and t.phase:
                by_phase.setdefault(t.phase, []).append(t.emotion)
        expected = [sum(v) / len(v) for p in j.phases if (v := by_phase.get(p.id))]
        assert list(line.get_ydata()) == pytest.approx([level(m) for m in expected])
        xs = list(line.get_xdata())
        assert xs == sorted(xs)

    def test_no_row_without_emotions(self) -> None:
        j = cx.Journey(
            id="j",
            name="J",
            phases=[cx.Phase(id="buy", name="Buy")],
            touchpoints=[cx.Touchpoint(id="pay", name="Pay", phase="buy")],
        )
        ax = cx.plot.journey_map(j)
        assert not gids(ax, "journey_map-emotionrow")
        assert "phase average emotion" not in [t.get_text() for t in ax.texts]


def _cards(ax: Axes) -> list[Any]:
    return sorted(
        (p for p in ax.patches if (p.get_gid() or "").startswith("journey_map-card-")),
        key=lambda p: p.get_gid()[len("journey_map-card-") :],
    )


# -- blueprint ---------------------------------------------------------------------------


class TestBlueprint:
    def test_lines_and_lanes(self) -> None:
        """The three blueprint lines are drawn and labelled, between the four lanes."""
        ax = cx.plot.blueprint(load("vending"))
        lines = {line.get_gid(): line for line in ax.lines if line.get_gid()}
        assert sorted(lines) == [
            "blueprint-line-interaction",
            "blueprint-line-internal",
            "blueprint-line-visibility",
        ]
        labels = {t.get_text() for t in texts(ax, "blueprint-label-").values()}
        assert labels == {
            "line of interaction",
            "line of visibility",
            "line of internal interaction",
        }
        assert gids(ax, "blueprint-row-") == sorted(
            ["customer", "frontstage", "backstage", "support"]
        )
        heights = [lines[f"blueprint-line-{k}"].get_ydata()[0] for k in ("interaction",)]
        heights += [lines[f"blueprint-line-{k}"].get_ydata()[0] for k in ("visibility",)]
        heights += [lines[f"blueprint-line-{k}"].get_ydata()[0] for k in ("internal",)]
        assert heights == sorted(heights, reverse=True)  # top to bottom

    def test_cards_in_their_lanes(self) -> None:
        """One card per step, each inside the band of its lane."""
        j = load("restaurant")
        ax = cx.plot.blueprint(j)
        assert gids(ax, "blueprint-card-") == sorted(s.id for s in j.steps)
        bands = {
            p.get_gid()[len("blueprint-row-") :]: p
            for p in ax.patches
            if (p.get_gid() or "").startswith("blueprint-row-")
        }
        for p in ax.patches:
            gid = p.get_gid() or ""
            if not gid.startswith("blueprint-card-"):
                continue
            step = j.step(gid[len("blueprint-card-") :])
            lane = step.lane if isinstance(step, cx.Touchpoint) else None
            if lane is None:
                continue
            band = bands[lane].get_bbox()
            card = p.get_extents().transformed(ax.transData.inverted())
            assert band.y0 <= card.y0
            assert card.y1 <= band.y1

    def test_an_arrow_per_edge(self) -> None:
        """Every edge between two different steps is an arrow."""
        j = load("vending")
        ax = cx.plot.blueprint(j)
        expected = sorted({f"{e.source}->{e.target}" for e in j.edges if e.source != e.target})
        assert gids(ax, "blueprint-edge-") == expected

    def test_no_overlapping_text(self) -> None:
        """No two texts of a 40-step blueprint overlap."""
        ax = cx.plot.blueprint(big_journey())
        shown = [t for t in ax.texts if t.get_text().strip()]
        assert overlapping(extents(ax, shown)) == []

    def test_empty_journey(self) -> None:
        """A journey without steps gives a 'no steps' note."""
        assert [t.get_text() for t in cx.plot.blueprint(EMPTY).texts] == ["no steps"]

    def test_given_axes_used(self) -> None:
        """An Axes passed in is drawn on and returned."""
        ax = Figure().add_subplot()
        assert cx.plot.blueprint(load("vending"), ax=ax) is ax


# -- emotion curve --------------------------------------------------------------------------


def series(ax: Axes) -> dict[str, Any]:
    return {
        line.get_gid()[len("emotion_curve-series-") :]: line
        for line in ax.lines
        if (line.get_gid() or "").startswith("emotion_curve-series-")
    }


def axis_steps(ax: Axes) -> list[str]:
    """The step ids on the emotion curve's x axis, left to right (from the tick gids)."""
    prefix = "emotion_curve-tick-"
    return [(t.get_gid() or "")[len(prefix) :] for t in ax.get_xticklabels()]


def segments(line: Any) -> list[list[tuple[float, float]]]:
    """A line's runs of points between the gaps (NaN) where it breaks."""
    out: list[list[tuple[float, float]]] = [[]]
    for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
        if math.isnan(x):
            out.append([])
        else:
            out[-1].append((float(x), float(y)))
    return [seg for seg in out if seg]


def customer_moves(j: cx.Journey) -> nx.DiGraph[str]:
    """Transitions and hand-offs: the ways the customer can go (triggers left out)."""
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(s.id for s in j.steps)
    g.add_edges_from((e.source, e.target) for e in (*j.transitions, *j.handoffs))
    return g


def leads(g: nx.DiGraph[str], a: str, b: str, axis: set[str]) -> bool:
    """True when the journey goes from a to b directly or through steps not on the axis."""
    off = g.subgraph((set(g) - axis) | {a, b})
    return nx.has_path(off, a, b)


class TestEmotionCurve:
    @pytest.mark.parametrize("name", EXAMPLE_NAMES)
    @pytest.mark.parametrize(("by", "paths"), [("persona", 1), ("persona", 3), ("path", 3)])
    def test_lines_run_left_to_right(self, name: str, by: str, paths: int) -> None:
        """Every drawn line strictly increases in x (measured on the Axes)."""
        ax = cx.plot.emotion_curve(load(name), by=by, paths=paths)
        assert series(ax)
        for line in series(ax).values():
            for seg in segments(line):
                xs = [x for x, _ in seg]
                assert xs == sorted(xs)
                assert len(set(xs)) == len(xs)

    @pytest.mark.parametrize("name", EXAMPLE_NAMES)
    @pytest.mark.parametrize(("by", "paths"), [("persona", 1), ("persona", 3), ("path", 3)])
    def test_points_joined_only_along_the_journey(self, name: str, by: str, paths: int) -> None:
        """Two joined points: the journey leads from one to the other, never an alternative."""
        j = load(name)
        ax = cx.plot.emotion_curve(j, by=by, paths=paths)
        axis = axis_steps(ax)
        g = customer_moves(j)
        for line in series(ax).values():
            for seg in segments(line):
                steps = [axis[round(x)] for x, _ in seg]
                for a, b in itertools.pairwise(steps):
                    assert leads(g, a, b, set(axis)), (a, b)

    @pytest.mark.parametrize("name", EXAMPLE_NAMES)
    def test_axis_holds_customer_facing_emotions(self, name: str) -> None:
        """On the axis: customer or frontstage touchpoints with an emotion, never backstage."""
        j = load(name)
        axis = axis_steps(cx.plot.emotion_curve(j))
        steps = {t.id: t for t in j.touchpoints}
        assert axis
        for sid in axis:
            assert steps[sid].lane in ("customer", "frontstage")
            assert steps[sid].emotion is not None

    def test_the_most_likely_success_path(self) -> None:
        """Per persona the line follows its most likely path to success, worked out by listing.

        The restaurant is small enough to list every simple path from an entry
        to a success outcome over a persona's steps and take the likeliest;
        the line's points are that path's customer-facing touchpoints with an
        emotion, in its order, with their emotions.
        """
        j = load("restaurant")
        model = cx.markov(j)
        entries = entry_weights(j)[0]
        emotion = {t.id: t.emotion for t in j.touchpoints}
        lanes = {t.id: t.lane for t in j.touchpoints}
        ax = cx.plot.emotion_curve(j)
        lines = series(ax)
        axis = axis_steps(ax)
        for p in j.personas:
            allowed = {
                s.id
                for s in j.steps
                if not isinstance(s, cx.Touchpoint) or not s.personas or p.id in s.personas
            }
            g = customer_moves(j).subgraph(allowed)
            best: tuple[float, list[str]] = (-1.0, [])
            for entry, weight in entries.items():
                for o in (o.id for o in j.outcomes if o.kind == "success"):
                    if entry not in g or o not in g:
                        continue
                    for path in nx.all_simple_paths(g, entry, o):
                        prob = weight * math.prod(
                            model.transition_probability.get(e, 0.0)
                            for e in itertools.pairwise(path)
                        )
                        if prob > best[0]:
                            best = (prob, path)
            expected = [
                (s, emotion[s])
                for s in best[1]
                if emotion.get(s) is not None and lanes[s] in ("customer", "frontstage")
            ]
            seg = [pt for run in segments(lines[p.id]) for pt in run]
            assert [(axis[round(x)], y) for x, y in seg] == expected

    def test_alternatives_are_never_joined(self) -> None:
        """Vending: SOLD OUT is never joined straight to the product dropping.

        After SOLD OUT the customer keys in another code (on the axis) before
        a product can drop, so a line may join SOLD OUT only to keying in.
        The old curve joined the steps in file order: SOLD OUT, drops, stuck.
        """
        j = load("vending")
        for paths in (1, 3):
            for by in ("persona", "path"):
                ax = cx.plot.emotion_curve(j, by=by, paths=paths)
                axis = axis_steps(ax)
                for line in series(ax).values():
                    for seg in segments(line):
                        steps = [axis[round(x)] for x, _ in seg]
                        pairs = set(itertools.pairwise(steps))
                        assert ("sold-out-message", "dispense") not in pairs
                        assert ("dispense", "sold-out-message") not in pairs

    def test_backstage_steps_are_passed_through(self) -> None:
        """A backstage step with an emotion is not on the axis; the line joins around it."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[
                cx.Touchpoint(id="a", name="Order", emotion=1),
                cx.Touchpoint(id="k", name="Kitchen", emotion=-3, lane="backstage"),
                cx.Touchpoint(id="b", name="Eat", emotion=2),
            ],
            outcomes=[cx.Outcome(id="ok", name="Fed", kind="success")],
            transitions=[
                cx.Transition(source="a", target="k"),
                cx.Transition(source="k", target="b"),
                cx.Transition(source="b", target="ok"),
            ],
        )
        ax = cx.plot.emotion_curve(j)
        assert axis_steps(ax) == ["a", "b"]
        assert [list(map(float, line.get_ydata())) for line in series(ax).values()] == [[1, 2]]

    def test_coinciding_lines_stay_visible(self) -> None:
        """Two personas on the same path with the same feelings: offset, the second dashed."""
        j = load("restaurant")
        lines = list(series(cx.plot.emotion_curve(j)).values())
        assert len(lines) == 2
        (a,), (b,) = segments(lines[0]), segments(lines[1])
        assert [y for _, y in a] == [y for _, y in b]
        assert all(xb > xa for (xa, _), (xb, _) in zip(a, b, strict=True))
        assert lines[0].get_linestyle() == "-"
        assert lines[1].get_linestyle() == "--"

    def test_without_personas(self) -> None:
        """A journey without personas gets one line for all customers, along one path."""
        j = big_journey(12)
        lines = series(cx.plot.emotion_curve(j))
        assert list(lines) == ["all"]

    def test_more_paths_per_persona(self) -> None:
        """paths=2 draws two lines per persona that can succeed, labelled by path."""
        j = load("b2b_software")
        ax = cx.plot.emotion_curve(j, paths=2)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(", path 2" in label for label in labels)

    @pytest.mark.parametrize("by", ["persona", "path"])
    def test_pain_points_annotated(self, by: str) -> None:
        """Each touchpoint with pain points gets a numbered marker and a note."""
        j = load("b2b_software")
        ax = cx.plot.emotion_curve(j, by=by)
        shown = {t.get_text() for t in ax.get_xticklabels()}
        pained = sorted(t.id for t in j.touchpoints if t.pain_points)
        markers = gids(ax, "emotion_curve-pain-")
        on_axis = set(axis_steps(ax))
        assert markers == sorted(p for p in pained if p in on_axis)
        assert len(gids(ax, "emotion_curve-note-")) == len(markers)
        assert shown

    def test_pain_notes_do_not_overlap(self) -> None:
        """On a 40-step journey, markers and notes do not overlap, and notes sit below labels."""
        ax = cx.plot.emotion_curve(big_journey())
        shown = [t for t in ax.texts if t.get_text().strip()]
        assert overlapping(extents(ax, shown)) == []
        notes = extents(
            ax, [t for t in ax.texts if (t.get_gid() or "").startswith("emotion_curve-note")]
        )
        labels = extents(ax, [t for t in ax.get_xticklabels() if t.get_text()])
        assert notes
        assert max(b.y1 for b in notes) < min(b.y0 for b in labels)
        figure = ax.figure.bbox
        assert min(b.y0 for b in notes) >= figure.y0
        assert min(b.x0 for b in labels) >= figure.x0

    def test_by_path(self) -> None:
        """By path: at most ``paths`` lines, each over touchpoints with emotion on its path."""
        j = load("b2b_software")
        ax = cx.plot.emotion_curve(j, by="path", paths=3)
        lines = series(ax)
        assert 1 <= len(lines) <= 3
        emotions = {t.emotion for t in j.touchpoints if t.emotion is not None}
        for line in lines.values():
            assert set(line.get_ydata()) <= emotions

    def test_by_path_kinds_in_turn(self) -> None:
        """The key paths end in a success, a failure and an exit, in that order."""
        j = load("b2b_software")
        ax = cx.plot.emotion_curve(j, by="path", paths=3)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        kinds = ["(success", "(failure", "(exit"]
        assert [k for k in kinds for label in labels if k in label] == kinds

    def test_zero_line_and_bands(self) -> None:
        """A zero line and a band per phase with touchpoints shown."""
        j = load("restaurant")
        ax = cx.plot.emotion_curve(j)
        assert any(line.get_gid() == "emotion_curve-zero" for line in ax.lines)
        phase_of = {t.id: t.phase for t in j.touchpoints}
        phases = {phase_of[s] for s in axis_steps(ax)}
        assert gids(ax, "emotion_curve-phase-") == sorted(p or "(none)" for p in phases)

    def test_nothing_felt(self) -> None:
        """A journey without emotions or pain points gives a note, not an error."""
        j = cx.Journey(id="j", name="J", touchpoints=[cx.Touchpoint(id="a", name="A")])
        ax = cx.plot.emotion_curve(j)
        assert [t.get_text() for t in ax.texts] == ["no emotions or pain points recorded"]

    def test_empty_journey(self) -> None:
        """A journey without steps gives a 'no steps' note."""
        assert [t.get_text() for t in cx.plot.emotion_curve(EMPTY).texts] == ["no steps"]

    def test_given_axes_used(self) -> None:
        """An Axes passed in is drawn on and returned."""
        ax = Figure().add_subplot()
        assert cx.plot.emotion_curve(load("vending"), ax=ax) is ax
        assert series(ax)

    def test_unknown_by(self) -> None:
        """An unknown ``by`` is a ValueError listing the choices."""
        with pytest.raises(ValueError, match=r"unknown by 'owner' \(choose 'persona' or 'path'\)"):
            cx.plot.emotion_curve(load("vending"), by="owner")

    @pytest.mark.parametrize("paths", [0, -1, 1.5, True])
    def test_bad_paths(self, paths: Any) -> None:
        """``paths`` must be a positive integer."""
        with pytest.raises(ValueError, match="paths must be a positive integer"):
            cx.plot.emotion_curve(load("vending"), by="path", paths=paths)


# -- graph ---------------------------------------------------------------------------------


class TestGraph:
    @pytest.mark.parametrize("name", ["restaurant", "b2b_software", "vending"])
    def test_nodes_and_edges(self, name: str) -> None:
        """One node per step and one arrow per edge of the compiled graph."""
        j = load(name)
        ax = cx.plot.graph(j)
        G = cx.compile_graph(j)
        assert gids(ax, "graph-node-") == sorted(G.nodes)
        assert gids(ax, "graph-edge-") == sorted(f"{u}->{v}" for u, v in G.edges)

    def test_node_shapes(self) -> None:
        """Decisions are diamonds (polygons); touchpoints and outcomes rounded boxes."""
        j = load("restaurant")
        ax = cx.plot.graph(j)
        shapes = {
            p.get_gid()[len("graph-node-") :]: type(p).__name__
            for p in ax.patches
            if (p.get_gid() or "").startswith("graph-node-")
        }
        for s in j.steps:
            expected = "Polygon" if isinstance(s, cx.DecisionPoint) else "FancyBboxPatch"
            assert shapes[s.id] == expected

    def test_moments_highlighted(self) -> None:
        """Every moment of truth gets a halo."""
        j = load("b2b_software")
        ax = cx.plot.graph(j)
        assert gids(ax, "graph-moment-") == sorted(m.step for m in cx.moments_of_truth(j))

    def test_width_by_flow(self) -> None:
        """With probabilities known, the busiest edge is drawn widest."""
        j = load("restaurant")
        ax = cx.plot.graph(j)
        flow = cx.markov(j).edge_flow
        widths = {
            p.get_gid()[len("graph-edge-") :]: p.get_linewidth()
            for p in ax.patches
            if (p.get_gid() or "").startswith("graph-edge-")
        }
        busiest = max(flow, key=lambda e: flow[e])
        assert widths[f"{busiest[0]}->{busiest[1]}"] == max(widths.values())

    def test_crossings_highlighted(self) -> None:
        """Edges on a silo crossing are drawn in the crossing colour."""
        j = load("restaurant")
        ax = cx.plot.graph(j)
        colour = mpl.colors.to_rgba(CROSSING)
        orange = {
            p.get_gid()[len("graph-edge-") :]
            for p in ax.patches
            if (p.get_gid() or "").startswith("graph-edge-") and p.get_edgecolor() == colour
        }
        for c in cx.silo_boundaries(j):
            chain = (c.source, *c.via, c.target)
            assert {f"{u}->{v}" for u, v in itertools.pairwise(chain)} <= orange

    def test_no_overlapping_nodes(self) -> None:
        """Node labels of a 40-step graph do not overlap."""
        ax = cx.plot.graph(big_journey())
        shown = list(texts(ax, "graph-name-").values())
        assert overlapping(extents(ax, shown)) == []

    def test_without_phases(self) -> None:
        """A journey without phases (as discovered from events) is layered by flow alone."""
        j = load("vending")
        j = j.with_changes(
            phases=(),
            touchpoints=tuple(attrs.evolve(t, phase=None) for t in j.touchpoints),
            decision_points=tuple(attrs.evolve(d, phase=None) for d in j.decision_points),
        )
        ax = cx.plot.graph(j)
        assert gids(ax, "graph-node-") == sorted(s.id for s in j.steps)
        top = {
            p.get_gid()[len("graph-node-") :]: p.get_extents().y1
            for p in ax.patches
            if (p.get_gid() or "").startswith("graph-node-")
        }
        for entry in entry_weights(j)[0]:
            assert top[entry] == max(top.values())

    def test_empty_journey(self) -> None:
        """A journey without steps gives a 'no steps' note."""
        assert [t.get_text() for t in cx.plot.graph(EMPTY).texts] == ["no steps"]

    def test_given_axes_used(self) -> None:
        """An Axes passed in is drawn on and returned."""
        ax = Figure().add_subplot()
        assert cx.plot.graph(load("vending"), ax=ax) is ax


# -- silo matrix -----------------------------------------------------------------------------


class TestSiloMatrix:
    @pytest.mark.parametrize("name", ["restaurant", "b2b_software", "vending"])
    def test_counts(self, name: str) -> None:
        """Each cell shows the count of silo_boundaries' matrix."""
        j = load(name)
        result = cx.silo_boundaries(j)
        cells = texts(cx.plot.silo_matrix(j), "silo_matrix-value-")
        expected = {
            f"{a}->{b}": str(result.counts[a][b]) for a in result.silos for b in result.silos
        }
        assert {k: t.get_text() for k, t in cells.items()} == expected

    def test_flows(self) -> None:
        """With ``value="flow"`` each cell shows the expected flow, two decimals."""
        j = load("restaurant")
        result = cx.silo_boundaries(j)
        assert result.flows is not None
        cells = texts(cx.plot.silo_matrix(j, value="flow"), "silo_matrix-value-")
        expected = {
            f"{a}->{b}": f"{result.flows[a][b]:.2f}" for a in result.silos for b in result.silos
        }
        assert {k: t.get_text() for k, t in cells.items()} == expected

    def test_silo_names_on_axes(self) -> None:
        """Both axes name the silos, in order."""
        j = load("restaurant")
        ax = cx.plot.silo_matrix(j)
        names = {o.id: o.name for o in j.owners}
        expected = [names[s] for s in cx.silo_boundaries(j).silos]
        assert [t.get_text() for t in ax.get_xticklabels()] == expected
        assert [t.get_text() for t in ax.get_yticklabels()] == expected

    def test_flow_unknown(self) -> None:
        """Flows of a journey without probabilities give a note instead."""
        j = big_journey(10)
        ax = cx.plot.silo_matrix(j, value="flow")
        assert [t.get_text() for t in ax.texts] == [
            "expected flow is unknown: the journey gives no probabilities or counts"
        ]

    def test_no_owners(self) -> None:
        """A journey in which nobody owns a step gives a note."""
        j = cx.Journey(id="j", name="J", touchpoints=[cx.Touchpoint(id="a", name="A")])
        ax = cx.plot.silo_matrix(j)
        assert [t.get_text() for t in ax.texts] == ["no silos: no step has an owner"]

    def test_empty_journey(self) -> None:
        """A journey without steps gives a 'no steps' note."""
        assert [t.get_text() for t in cx.plot.silo_matrix(EMPTY).texts] == ["no steps"]

    def test_given_axes_used(self) -> None:
        """An Axes passed in is drawn on and returned."""
        ax = Figure().add_subplot()
        assert cx.plot.silo_matrix(load("restaurant"), ax=ax) is ax

    def test_unknown_value(self) -> None:
        """An unknown ``value`` is a ValueError listing the choices."""
        with pytest.raises(ValueError, match=r"unknown value 'mean' \(choose 'count' or 'flow'\)"):
            cx.plot.silo_matrix(load("restaurant"), value="mean")


# -- files -----------------------------------------------------------------------------------


class TestToSvg:
    @pytest.mark.parametrize("kind", sorted(PLOTS))
    def test_byte_stable(self, kind: str) -> None:
        """The same plot gives the same SVG twice, and two builds of it agree."""
        j = load("vending")
        ax = PLOTS[kind](j)
        first = cx.plot.to_svg(ax)
        assert cx.plot.to_svg(ax) == first
        assert cx.plot.to_svg(PLOTS[kind](j)) == first

    def test_byte_stable_across_processes(self, child: list[str]) -> None:
        """Another Python process writes the very same SVG."""
        here = cx.plot.to_svg(cx.plot.journey_map(load("vending")))
        assert child[2] == here

    def test_no_date(self) -> None:
        """No date in the SVG metadata."""
        svg = cx.plot.to_svg(cx.plot.journey_map(load("vending")))
        assert "<dc:date>" not in svg

    @pytest.mark.parametrize("kind", sorted(PLOTS))
    def test_text_stays_text(self, kind: str) -> None:
        """Text is written as SVG text: every line the plot shows can be found in the file."""
        j = load("restaurant")
        ax = PLOTS[kind](j)
        svg = cx.plot.to_svg(ax)
        assert "<text" in svg
        root = ET.fromstring(svg.encode("utf-8"))
        written = "\n".join(
            "".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")
        )
        for t in ax.texts:
            for line in t.get_text().split("\n"):
                assert line in written

    def test_step_names_searchable(self) -> None:
        """Short step names appear whole in the journey map's SVG."""
        j = load("vending")
        svg = cx.plot.to_svg(cx.plot.journey_map(j))
        for s in j.steps:
            if len(s.name) <= 20:
                assert s.name in svg, s.name

    @pytest.mark.parametrize("kind", sorted(PLOTS))
    @pytest.mark.filterwarnings(MISSING_GLYPH)
    def test_tricky_names(self, kind: str) -> None:
        """Markup, quotes, dollars, emoji and controls are kept as escaped plain text."""
        ax = PLOTS[kind](tricky_journey())
        svg = cx.plot.to_svg(ax)
        root = ET.fromstring(svg.encode("utf-8"))  # well-formed XML
        assert "<script" not in svg
        assert "\x07" not in svg
        written = "".join(
            "".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")
        )
        if kind in ("journey_map", "graph", "emotion_curve"):
            assert "$x$" in written
            assert "🙂" in written
            assert "\ufffd" in written
        if kind == "journey_map":
            assert '<script>alert("x")</script>'[:10] in written
        assert "\\$" not in written  # no mathtext escapes left behind

    def test_keeps_global_settings(self) -> None:
        """Writing SVG leaves matplotlib's global rcParams as they were."""
        before = (mpl.rcParams["svg.fonttype"], mpl.rcParams["svg.hashsalt"])
        cx.plot.to_svg(cx.plot.silo_matrix(load("vending")))
        assert (mpl.rcParams["svg.fonttype"], mpl.rcParams["svg.hashsalt"]) == before

    def test_figure_accepted(self) -> None:
        """A Figure is written as well as an Axes."""
        ax = cx.plot.graph(load("vending"))
        assert cx.plot.to_svg(ax.figure) == cx.plot.to_svg(ax)

    def test_own_axes_cropped(self) -> None:
        """A plot drawn on an Axes of one's own is written whole, cropped to what it draws."""
        ax = Figure(figsize=(2, 2)).add_subplot()
        cx.plot.silo_matrix(load("restaurant"), ax=ax)
        assert "Restaurant operations" in cx.plot.to_svg(ax)

    def test_not_a_plot(self) -> None:
        """Anything but an Axes or Figure is a TypeError."""
        with pytest.raises(TypeError, match="expected a matplotlib Axes or Figure, got int"):
            cx.plot.to_svg(3)  # type: ignore[arg-type]


class TestSave:
    def test_svg_is_to_svg(self, tmp_path: Path) -> None:
        """An SVG file holds exactly to_svg's text, in UTF-8."""
        ax = cx.plot.journey_map(load("vending"))
        path = cx.plot.save(ax, tmp_path / "map.svg")
        assert path.read_bytes() == cx.plot.to_svg(ax).encode("utf-8")

    @pytest.mark.parametrize("suffix", [".png", ".pdf"])
    def test_byte_stable(self, tmp_path: Path, suffix: str) -> None:
        """PNG and PDF files of the same plot are byte for byte the same."""
        ax = cx.plot.silo_matrix(load("vending"))
        a = cx.plot.save(ax, tmp_path / f"a{suffix}", dpi=60).read_bytes()
        b = cx.plot.save(ax, tmp_path / f"b{suffix}", dpi=60).read_bytes()
        assert a == b
        assert b"Matplotlib" not in a[:2000] or suffix == ".pdf"

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        """An unknown suffix is a ValueError listing the formats."""
        with pytest.raises(ValueError, match=r"unknown suffix '\.jpg' \(choose '\.svg', '\.png'"):
            cx.plot.save(cx.plot.graph(EMPTY), tmp_path / "plot.jpg")

    def test_not_a_plot(self, tmp_path: Path) -> None:
        """Anything but an Axes or Figure is a TypeError."""
        with pytest.raises(TypeError, match="expected a matplotlib Axes or Figure"):
            cx.plot.save("plot", tmp_path / "plot.png")  # type: ignore[arg-type]


# -- package -----------------------------------------------------------------------------------


CHILD = textwrap.dedent(
    """
    import sys
    import cxgraph as cx
    print("matplotlib" in sys.modules, callable(cx.plot.journey_map), "plot" in cx.__all__)
    j = cx.load(sys.argv[1])
    svg = ""
    for f in (cx.plot.journey_map, cx.plot.blueprint, cx.plot.emotion_curve,
              cx.plot.graph, cx.plot.silo_matrix):
        svg = cx.plot.to_svg(f(j)) if f is cx.plot.journey_map else svg
        f(j)
    print("matplotlib.pyplot" in sys.modules)
    sys.stdout.write(svg)
    """
)


@pytest.fixture(scope="module")
def child() -> list[str]:
    """What a fresh Python process saw: import state, pyplot state, the vending map's SVG."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(EXAMPLES / "vending.yaml")],
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
    ).stdout
    return out.split("\n", 2)


class TestLazyImport:
    def test_import_does_not_load_matplotlib(self, child: list[str]) -> None:
        """``import cxgraph`` does not import matplotlib, yet ``cx.plot`` is there."""
        assert child[0] == "False True True"

    def test_no_pyplot(self, child: list[str]) -> None:
        """Drawing every plot never imports pyplot (no window, no global figure state)."""
        assert child[1] == "False"


class TestAnyJourney:
    @settings(max_examples=6, deadline=None)
    @given(journeys(max_steps=8))
    def test_every_plot_builds(self, journey: cx.Journey) -> None:
        """Every plot takes any valid journey without error, one card per step on the map."""
        for kind, plot in PLOTS.items():
            assert isinstance(plot(journey), Axes), kind
        ax = cx.plot.journey_map(journey, rows="owner")
        assert gids(ax, "journey_map-card-") == sorted(s.id for s in journey.steps)

    @settings(max_examples=5, deadline=None)
    @given(journeys(min_steps=1, max_steps=6))
    @pytest.mark.filterwarnings(MISSING_GLYPH)
    def test_any_names_give_valid_svg(self, journey: cx.Journey) -> None:
        """Any names (controls, emoji, markup) give a well-formed SVG map."""
        ET.fromstring(cx.plot.to_svg(cx.plot.journey_map(journey)).encode("utf-8"))


class TestReadableLabels:
    @pytest.mark.parametrize("name", EXAMPLE_NAMES)
    def test_emotion_phase_names_whole(self, name: str) -> None:
        """Every phase band of the emotion curve shows its phase's name whole, never cut."""
        j = load(name)
        ax = cx.plot.emotion_curve(j)
        phase_of = {t.id: t.phase for t in j.touchpoints}
        names = {p.id: p.name for p in j.phases}
        wanted = {names.get(phase_of[s] or "", "No phase") for s in axis_steps(ax)}
        assert wanted <= {t.get_text() for t in ax.texts}

    def test_zero_cells_are_visible(self) -> None:
        """A silo matrix cell with no crossings is shaded, not white like the page."""
        ax = cx.plot.silo_matrix(load("restaurant"))
        cells = {
            (p.get_gid() or "")[len("silo_matrix-cell-") :]: p
            for p in ax.patches
            if (p.get_gid() or "").startswith("silo_matrix-cell-")
        }
        values = {
            (t.get_gid() or "")[len("silo_matrix-value-") :]: t.get_text()
            for t in ax.texts
            if (t.get_gid() or "").startswith("silo_matrix-value-")
        }
        zeros = [k for k, v in values.items() if v == "0"]
        assert zeros
        for k in zeros:
            assert mpl.colors.to_hex(cells[k].get_facecolor()) != "#ffffff"


def _visible_texts(ax: Axes) -> list[Any]:
    """Every text an Axes shows: its own, its ticks and titles (when its axis is on), legend."""
    out = [t for t in ax.texts if t.get_text().strip()]
    if ax.axison:
        out += [
            t
            for t in (*ax.get_xticklabels(), *ax.get_yticklabels(), ax.yaxis.label)
            if t.get_text().strip()
        ]
    out += [t for t in (ax.title, ax._left_title, ax._right_title) if t.get_text().strip()]
    legend = ax.get_legend()
    if legend is not None:
        out += [t for t in (*legend.get_texts(), legend.get_title()) if t.get_text().strip()]
    return out


class TestInsideAGivenAxes:
    @pytest.mark.parametrize("name", EXAMPLE_NAMES)
    def test_a_constrained_grid(self, name: str) -> None:
        """In a 2x2 constrained grid at the default size, each picture keeps to its own Axes.

        No text of one picture overlaps another picture's Axes or text, and no
        text leaves the figure (measured from text extents on Agg).
        """
        j = load(name)
        fig = Figure(layout="constrained")
        FigureCanvasAgg(fig)
        axes = list(fig.subplots(2, 2).flat)
        pictures = [cx.plot.journey_map, cx.plot.blueprint, cx.plot.emotion_curve, cx.plot.graph]
        for ax, draw in zip(axes, pictures, strict=True):
            draw(j, ax=ax)
        canvas = fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        canvas.draw()
        renderer = canvas.get_renderer()
        page = fig.bbox
        boxes = {id(ax): extents(ax, _visible_texts(ax)) for ax in axes}
        for ax in axes:
            assert boxes[id(ax)]
            for box in boxes[id(ax)]:
                assert page.x0 - 1 <= box.x0
                assert box.x1 <= page.x1 + 1
                assert page.y0 - 1 <= box.y0
                assert box.y1 <= page.y1 + 1
                for other in axes:
                    if other is ax:
                        continue
                    assert not box.overlaps(other.get_window_extent(renderer))
                    assert not any(box.overlaps(b) for b in boxes[id(other)])

    def test_silo_matrix_in_a_grid(self) -> None:
        """The silo matrix, too, keeps to its Axes in a 2x2 constrained grid."""
        fig = Figure(layout="constrained")
        FigureCanvasAgg(fig)
        axes = list(fig.subplots(2, 2).flat)
        for ax, name in zip(axes, EXAMPLE_NAMES, strict=True):
            cx.plot.silo_matrix(load(name), ax=ax)
        canvas = fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        canvas.draw()
        page = fig.bbox
        for ax in axes:
            for box in extents(ax, _visible_texts(ax)):
                assert page.x0 - 1 <= box.x0
                assert box.x1 <= page.x1 + 1
                assert page.y0 - 1 <= box.y0
                assert box.y1 <= page.y1 + 1
