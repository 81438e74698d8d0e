"""``cx.plot.technology_map``: the phase × system grid, measured on the Agg canvas."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

import cxgraph as cx
from cxgraph.analyses.technology import technology
from cxgraph.plot.look import ELLIPSIS, NO_PHASE
from cxgraph.plot.technology import LABEL_W
from strategies import journeys

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_NAMES = ["restaurant", "b2b_software", "vending", "vending_future"]
PREFIX = "technology_map-"


def load(name: str) -> cx.Journey:
    return cx.load(EXAMPLES / f"{name}.yaml")


def by_gid(artists: Any, kind: str) -> dict[str, Any]:
    """Artists whose gid is ``technology_map-<kind>-<key>``, by key."""
    head = f"{PREFIX}{kind}-"
    return {a.get_gid()[len(head) :]: a for a in artists if str(a.get_gid() or "").startswith(head)}


def renderer(ax: Axes) -> Any:
    """The Agg renderer of the Axes' figure, drawn once (the legend lays itself out then)."""
    canvas = ax.figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    fig: Any = ax.figure
    if not getattr(fig, "drawn_for_the_test", False):
        canvas.draw()
        fig.drawn_for_the_test = True
    return canvas.get_renderer()


def inside(box: Bbox, outer: Bbox) -> bool:
    """True when ``box`` lies within ``outer``, a pixel of slack allowed."""
    return (
        outer.x0 - 1 <= box.x0
        and box.x1 <= outer.x1 + 1
        and outer.y0 - 1 <= box.y0
        and box.y1 <= outer.y1 + 1
    )


def data_box(ax: Axes, artist: Any) -> tuple[float, float, float, float]:
    """An artist's extent in data coordinates (inches on the map's own Axes)."""
    ext = artist.get_window_extent(renderer(ax))
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([(ext.x0, ext.y0), (ext.x1, ext.y1)])
    return x0, y0, x1, y1


def visible_texts(ax: Axes) -> list[Any]:
    out = [t for t in ax.texts if t.get_text().strip()]
    legend = ax.get_legend()
    if legend is not None:
        out += [t for t in legend.get_texts() if t.get_text().strip()]
    return out


def overlapping(boxes: list[Bbox], slack: float = 0.5) -> list[tuple[int, int]]:
    """Pairs of boxes that overlap by more than ``slack`` pixels both ways."""
    found = []
    for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
        dx = min(a.x1, b.x1) - max(a.x0, b.x0)
        dy = min(a.y1, b.y1) - max(a.y0, b.y0)
        if dx > slack and dy > slack:
            found.append((i, j))
    return found


def retired_journey(**changes: Any) -> cx.Journey:
    """Three systems, one of each status, one step without a phase, no probabilities."""
    j = cx.Journey(
        id="shop",
        name="Shop",
        phases=[cx.Phase(id="buy", name="Buy"), cx.Phase(id="care", name="Care")],
        owners=[cx.Owner(id="fin", name="Finance", kind="department")],
        systems=[
            cx.System(id="web", name="Web shop"),
            cx.System(id="billing", name="Old billing", status="retired", owner="fin"),
            cx.System(id="crm", name="CRM", status="planned"),
        ],
        touchpoints=[
            cx.Touchpoint(id="cart", name="Cart", phase="buy", systems=["web"]),
            cx.Touchpoint(id="pay", name="Pay", phase="buy", systems=["web", "billing"]),
            cx.Touchpoint(id="inv", name="Invoice", systems=["billing"]),
            cx.Touchpoint(id="call", name="Call us", phase="care", systems=["crm"]),
        ],
        outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
        transitions=[
            cx.Transition(source="cart", target="pay"),
            cx.Transition(source="pay", target="inv"),
            cx.Transition(source="inv", target="call"),
            cx.Transition(source="call", target="done"),
        ],
    )
    return j.with_changes(**changes) if changes else j


def expected_cells(result: Any) -> dict[str, int]:
    """``system->phase`` of every non-zero cell of the matrix, with its count."""
    return {
        f"{use.system}->{NO_PHASE if p is None else p}": result.matrix[p][use.system]
        for use in result.systems
        for p in result.phases
        if result.matrix[p][use.system]
    }


CASES = [*EXAMPLE_NAMES, "retired"]


def case(name: str) -> cx.Journey:
    return retired_journey() if name == "retired" else load(name)


class TestTechnologyMap:
    @pytest.mark.parametrize("name", CASES)
    def test_one_block_per_nonzero_cell(self, name: str) -> None:
        """A block and its number for each non-zero matrix entry, the number the analysis gives."""
        j = case(name)
        result = technology(j)
        ax = cx.plot.technology_map(j)
        want = expected_cells(result)
        assert want
        assert set(by_gid(ax.patches, "cell")) == set(want)
        counts = by_gid(ax.texts, "count")
        assert {k: int(t.get_text()) for k, t in counts.items()} == want

    @pytest.mark.parametrize("name", CASES)
    def test_blocks_in_their_row_and_column(self, name: str) -> None:
        """Each block lies inside its system's row band and under its phase's heading."""
        j = case(name)
        ax = cx.plot.technology_map(j)
        rows = by_gid(ax.patches, "row")
        heads = by_gid(ax.texts, "column")
        blocks = by_gid(ax.patches, "cell")
        # Column width: the distance between two neighbouring headings' centres.
        centres = sorted((h.get_position()[0] for k, h in heads.items() if "(" not in k))
        col_w = centres[1] - centres[0] if len(centres) > 1 else 0.8
        for key, block in blocks.items():
            system, phase = key.split("->")
            x0, y0, x1, y1 = data_box(ax, block)
            band = rows[system]
            assert band.get_y() - 1e-6 <= y0 < y1 <= band.get_y() + band.get_height() + 1e-6
            cx_ = heads[phase].get_position()[0]
            assert cx_ - col_w / 2 - 1e-6 <= x0 < x1 <= cx_ + col_w / 2 + 1e-6
            assert (x0 + x1) / 2 == pytest.approx(cx_, abs=1e-6)

    @pytest.mark.parametrize("name", CASES)
    def test_rows_and_columns_in_order(self, name: str) -> None:
        """Systems top to bottom in declared order, phases left to right in order."""
        j = case(name)
        result = technology(j)
        ax = cx.plot.technology_map(j)
        rows = by_gid(ax.patches, "row")
        tops = [rows[s.id].get_y() for s in j.systems]
        assert tops == sorted(tops, reverse=True)
        heads = by_gid(ax.texts, "column")
        keys = [NO_PHASE if p is None else p for p in result.phases]
        xs = [heads[k].get_position()[0] for k in keys]
        assert xs == sorted(xs)
        assert heads["(systems)"].get_position()[0] < xs[0] < heads["(share)"].get_position()[0]
        names = {p.id: p.name for p in j.phases}
        assert [heads[k].get_text().replace("\n", " ") for k in keys if k in names] == [
            names[k] for k in keys if k in names
        ]

    @pytest.mark.parametrize("name", CASES)
    def test_no_overlapping_text(self, name: str) -> None:
        """No two texts overlap, the legend's included."""
        ax = cx.plot.technology_map(case(name))
        texts = visible_texts(ax)
        boxes = [t.get_window_extent(renderer(ax)) for t in texts]
        clashes = overlapping(boxes)
        assert not clashes, [(texts[i].get_text(), texts[k].get_text()) for i, k in clashes]

    @pytest.mark.parametrize("name", CASES)
    def test_everything_inside_the_figure(self, name: str) -> None:
        """Every text and every block lies inside the figure (and its Axes)."""
        ax = cx.plot.technology_map(case(name))
        r = renderer(ax)
        page = ax.figure.bbox
        frame = ax.get_window_extent(r)
        for artist in [*visible_texts(ax), *by_gid(ax.patches, "cell").values()]:
            box = artist.get_window_extent(r)
            assert inside(box, page), artist
            assert inside(box, frame), artist

    @pytest.mark.parametrize("name", CASES)
    def test_shares_and_gates_as_the_analysis_says(self, name: str) -> None:
        """Each row shows the analysis's share (or n/a) and a gate tag exactly for the gates."""
        j = case(name)
        result = technology(j)
        ax = cx.plot.technology_map(j)
        shown = {k: t.get_text() for k, t in by_gid(ax.texts, "share").items()}
        assert shown == {
            s.system: "n/a" if s.share is None else f"{100 * s.share:.3g}%" for s in result.systems
        }
        assert set(by_gid(ax.texts, "gate")) == set(result.gates)

    def test_b2b_values(self) -> None:
        """The B2B map: CRM and marketing automation are gates; the chat widget 12%."""
        ax = cx.plot.technology_map(load("b2b_software"))
        assert set(by_gid(ax.texts, "gate")) == {"crm", "marketing-automation"}
        assert by_gid(ax.texts, "share")["chat-widget"].get_text() == "12%"
        assert by_gid(ax.texts, "count")["crm->purchase"].get_text() == "3"
        subtitle = next(t for t in ax.texts if t.get_gid() == "technology_map-subtitle")
        assert subtitle.get_text() == "Technology map · 9 systems · 2 gates · 3 re-keyings"

    def test_status_shown_without_colour_alone(self) -> None:
        """Each status has its own marker, its word in the row and a legend entry."""
        j = retired_journey()
        ax = cx.plot.technology_map(j)
        markers = {k: m.get_marker() for k, m in by_gid(ax.lines, "status").items()}
        assert len(set(markers.values())) == 3
        meta = {k: t.get_text() for k, t in by_gid(ax.texts, "meta").items()}
        assert meta == {
            "web": "current · no owner",
            "billing": "retired · Finance",
            "crm": "planned · no owner",
        }
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert {"current system", "planned system (dashed)", "retired system (hatched)"} <= set(
            legend
        )
        blocks = by_gid(ax.patches, "cell")
        assert blocks["billing->buy"].get_hatch() == "////"
        assert blocks["web->buy"].get_hatch() is None

    def test_findings_flagged(self) -> None:
        """A block holding a current-state step on a retired or planned system wears a badge."""
        ax = cx.plot.technology_map(retired_journey())
        flags = by_gid(ax.patches, "flag")
        assert set(flags) == {"billing->buy", "billing->(none)", "crm->care"}
        # Number and badge both sit inside their block, side by side.
        r = renderer(ax)
        blocks, counts = by_gid(ax.patches, "cell"), by_gid(ax.texts, "count")
        for key, flag in flags.items():
            block = blocks[key].get_window_extent(r)
            number, badge = counts[key].get_window_extent(r), flag.get_window_extent(r)
            assert inside(number, block)
            assert inside(badge, block)
            assert not number.overlaps(badge)
        future = cx.plot.technology_map(retired_journey(state="future"))
        assert by_gid(future.patches, "flag") == {}

    def test_unknown_shares_said(self) -> None:
        """Without probabilities each share reads n/a and the subtitle says why."""
        ax = cx.plot.technology_map(retired_journey())
        assert {t.get_text() for t in by_gid(ax.texts, "share").values()} == {"n/a"}
        subtitle = next(t for t in ax.texts if t.get_gid() == "technology_map-subtitle")
        assert subtitle.get_text().endswith(
            "shares unknown: the journey gives no probabilities or counts"
        )

    def test_long_names_cut_or_wrapped(self) -> None:
        """A long system name wraps to two lines, then ends in an ellipsis, within its room."""
        long = "Customer data platform " * 8
        j = retired_journey(
            systems=[cx.System(id="web", name=long), *retired_journey().systems[1:]]
        )
        ax = cx.plot.technology_map(j)
        name = by_gid(ax.texts, "name")["web"]
        lines = name.get_text().split("\n")
        assert len(lines) == 2
        assert lines[-1].endswith(ELLIPSIS)
        _, _, x1, _ = data_box(ax, name)
        row = by_gid(ax.patches, "row")["web"]
        assert x1 <= row.get_x() + LABEL_W
        # The taller row still holds its texts.
        _, y0, _, y1 = data_box(ax, name)
        assert row.get_y() <= y0 < y1 <= row.get_y() + row.get_height()

    def test_no_systems(self) -> None:
        """A journey without systems draws a readable note."""
        ax = cx.plot.technology_map(cx.Journey(id="j", name="J"))
        assert [t.get_text() for t in ax.texts] == [
            "no systems: the journey names no technology behind its steps"
        ]
        assert ax.texts[0].get_gid() == "technology_map-empty"
        assert ax.texts[0].get_fontsize() >= 9

    def test_systems_no_step_uses(self) -> None:
        """Declared systems no step uses: their rows, no blocks, shares n/a."""
        j = cx.Journey(
            id="j",
            name="J",
            systems=[cx.System(id="a", name="A"), cx.System(id="b", name="B", status="planned")],
        )
        ax = cx.plot.technology_map(j)
        assert set(by_gid(ax.patches, "row")) == {"a", "b"}
        assert by_gid(ax.patches, "cell") == {}
        assert "(none)" in by_gid(ax.texts, "column")

    def test_given_axes_used(self) -> None:
        """An Axes passed in is drawn on and returned."""
        ax = Figure().add_subplot()
        assert cx.plot.technology_map(load("b2b_software"), ax=ax) is ax

    def test_in_a_constrained_grid(self) -> None:
        """In a 2x2 constrained grid each map keeps its texts inside its own Axes."""
        fig = Figure(layout="constrained")
        FigureCanvasAgg(fig)
        axes = list(fig.subplots(2, 2).flat)
        for ax, name in zip(axes, EXAMPLE_NAMES, strict=True):
            cx.plot.technology_map(load(name), ax=ax)
        canvas = fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        canvas.draw()
        r = canvas.get_renderer()
        boxes = {id(ax): [t.get_window_extent(r) for t in visible_texts(ax)] for ax in axes}
        for ax in axes:
            frame = ax.get_window_extent(r)
            for box in boxes[id(ax)]:
                assert inside(box, frame)
                for other in axes:
                    if other is not ax:
                        assert not any(box.overlaps(b) for b in boxes[id(other)])

    def test_not_a_journey(self) -> None:
        """Anything but a Journey is a TypeError."""
        with pytest.raises(TypeError, match=r"technology_map\(\) takes a Journey, got dict"):
            cx.plot.technology_map({})  # type: ignore[arg-type]

    def test_svg_byte_stable_and_searchable(self) -> None:
        """The SVG is the same every time, with system names kept as text."""
        j = load("b2b_software")
        svg = cx.plot.to_svg(cx.plot.technology_map(j))
        assert svg == cx.plot.to_svg(cx.plot.technology_map(j))
        assert "Online store and cart" in svg
        ET.fromstring(svg.encode("utf-8"))

    def test_readable_at_page_width(self) -> None:
        """No text below 7 pt (9 px at the natural size); the B2B map fits a 1,400 px page."""
        ax = cx.plot.technology_map(load("b2b_software"))
        assert min(t.get_fontsize() for t in visible_texts(ax)) >= 7
        assert ax.figure.get_size_inches()[0] <= 12.0

    @settings(max_examples=8, deadline=None)
    @given(journeys(max_steps=8))
    @pytest.mark.filterwarnings("ignore:Glyph .* missing from font:UserWarning")
    def test_any_journey(self, journey: cx.Journey) -> None:
        """Any valid journey draws; blocks match the matrix's non-zero entries; valid SVG."""
        # Give every touchpoint the journey's systems in turn, so that rows fill.
        ids = [s.id for s in journey.systems]
        if ids:
            touchpoints = [
                attrs.evolve(tp, systems=(ids[i % len(ids)],))
                for i, tp in enumerate(journey.touchpoints)
            ]
            journey = journey.with_changes(touchpoints=touchpoints)
        ax = cx.plot.technology_map(journey)
        assert isinstance(ax, Axes)
        result = technology(journey)
        if result.systems:
            assert set(by_gid(ax.patches, "cell")) == set(expected_cells(result))
            boxes = [t.get_window_extent(renderer(ax)) for t in visible_texts(ax)]
            assert not overlapping(boxes)
        ET.fromstring(cx.plot.to_svg(ax).encode("utf-8"))
