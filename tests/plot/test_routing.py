"""Arrows on the journey map and the blueprint, routed through the gaps between cards.

Measured from the drawn Axes (Agg): no arrow crosses a card it does not
join, arrows run horizontally and vertically, two arrows never share a
stretch of line, and each starts on its source card's outline and ends on
its target's. On every bundled example and on generated 40-step journeys.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from matplotlib.axes import Axes
from tests.plot._geometry import Box, Segment, edge_paths, generated, hits, node_boxes

import cxgraph as cx
from cxgraph.plot.routing import Channel, Rect, route

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
JOURNEYS: list[tuple[str, Any]] = [
    *((p.stem, lambda p=p: cx.load(p)) for p in EXAMPLES),
    *((f"generated-40-{seed}", lambda seed=seed: generated(40, seed)) for seed in range(4)),
]
PICTURES: list[tuple[str, Callable[[cx.Journey], Axes], str, tuple[str, ...]]] = [
    (
        "map-lane",
        cx.plot.journey_map,
        "journey_map-card-",
        ("journey_map-crossing-", "journey_map-handoff-"),
    ),
    (
        "map-owner",
        lambda j: cx.plot.journey_map(j, rows="owner"),
        "journey_map-card-",
        ("journey_map-crossing-", "journey_map-handoff-"),
    ),
    ("blueprint", cx.plot.blueprint, "blueprint-card-", ("blueprint-edge-",)),
]
CASES = [
    pytest.param(make, draw, card, edge, id=f"{pic}-{name}")
    for name, make in JOURNEYS
    for pic, draw, card, edge in PICTURES
]
#: The corners are rounded: a chord shorter than this cuts across a corner.
CORNER = 0.13


def drawn(
    make: Any, draw: Callable[[cx.Journey], Axes], card: str, edge: tuple[str, ...]
) -> tuple[dict[str, Box], dict[tuple[str, str], list[Segment]]]:
    ax = draw(make())
    return node_boxes(ax, card), edge_paths(ax, *edge)


def length(s: Segment) -> float:
    (x0, y0), (x1, y1) = s
    return abs(x1 - x0) + abs(y1 - y0)


@pytest.mark.parametrize(("make", "draw", "card", "edge"), CASES)
class TestRoutedArrows:
    def test_no_arrow_crosses_a_card_it_does_not_join(
        self, make: Any, draw: Any, card: str, edge: tuple[str, ...]
    ) -> None:
        boxes, paths = drawn(make, draw, card, edge)
        assert paths
        through = [
            (u, v, n)
            for (u, v), segs in paths.items()
            for n, box in boxes.items()
            if n not in (u, v) and any(hits(s, box) for s in segs)
        ]
        assert through == []

    def test_arrows_run_across_and_down(
        self, make: Any, draw: Any, card: str, edge: tuple[str, ...]
    ) -> None:
        """Every stretch longer than a rounded corner is horizontal or vertical."""
        _, paths = drawn(make, draw, card, edge)
        slanted = [
            (pair, s)
            for pair, segs in paths.items()
            for s in segs
            if length(s) > CORNER and min(abs(s[0][0] - s[1][0]), abs(s[0][1] - s[1][1])) > 1e-6
        ]
        assert slanted == []

    def test_no_two_arrows_share_a_stretch(
        self, make: Any, draw: Any, card: str, edge: tuple[str, ...]
    ) -> None:
        """Arrows in one gap run on parallel tracks: no collinear overlap longer than 0.02 in."""
        _, paths = drawn(make, draw, card, edge)
        shared = []
        for (e, a), (f, b) in itertools.combinations(paths.items(), 2):
            for s, t in itertools.product(a, b):
                if overlap(s, t) > 0.02:
                    shared.append((e, f))
        assert shared == []

    def test_arrows_join_their_cards_outlines(
        self, make: Any, draw: Any, card: str, edge: tuple[str, ...]
    ) -> None:
        boxes, paths = drawn(make, draw, card, edge)
        for (u, v), segs in paths.items():
            assert on_outline(segs[0][0], boxes[u]), (u, v)
            assert on_outline(segs[-1][1], boxes[v], slack=0.05), (u, v)


def overlap(s: Segment, t: Segment) -> float:
    """How long two axis-parallel segments run on the same line (0 when they do not)."""
    for axis in (0, 1):
        other = 1 - axis
        if (
            abs(s[0][other] - s[1][other]) < 1e-9
            and abs(t[0][other] - t[1][other]) < 1e-9
            and abs(s[0][other] - t[0][other]) < 1e-6
        ):
            lo = max(min(s[0][axis], s[1][axis]), min(t[0][axis], t[1][axis]))
            hi = min(max(s[0][axis], s[1][axis]), max(t[0][axis], t[1][axis]))
            return max(0.0, hi - lo)
    return 0.0


def on_outline(p: tuple[float, float], box: Box, slack: float = 0.03) -> bool:
    x0, y0, x1, y1 = box
    inside = x0 - slack <= p[0] <= x1 + slack and y0 - slack <= p[1] <= y1 + slack
    near_edge = min(abs(p[0] - x0), abs(p[0] - x1), abs(p[1] - y0), abs(p[1] - y1)) <= slack
    return inside and near_edge


class TestRoute:
    """The router on grids worked out by hand."""

    # Three cards in a row, each 1 x 1, at x 0.5-1.5, 2.5-3.5 and 4.5-5.5; channels
    # (1 wide) between and around them at x 0, 2, 4, 6 and y 0, 2.
    CARDS: ClassVar[dict[str, Rect]] = {
        "a": Rect(0.5, 0.5, 1, 1),
        "b": Rect(2.5, 0.5, 1, 1),
        "c": Rect(4.5, 0.5, 1, 1),
    }
    CHANNELS: ClassVar[list[Channel]] = [
        *(Channel("v", x, 1.0) for x in (0.0, 2.0, 4.0, 6.0)),
        *(Channel("h", y, 1.0) for y in (0.0, 2.0)),
    ]

    def test_neighbours_join_straight_across_their_gap(self) -> None:
        path = route(self.CARDS, self.CHANNELS, [("a", "b")])["a", "b"]
        assert path == [(1.5, 1.0), (2.5, 1.0)]

    def test_a_card_in_the_way_is_gone_round(self) -> None:
        path = route(self.CARDS, self.CHANNELS, [("a", "c")])["a", "c"]
        # Out of a's bottom, along the gap under b, into c's bottom: two corners.
        assert path == [(1.0, 0.5), (1.0, 0.0), (5.0, 0.0), (5.0, 0.5)]

    def test_two_arrows_through_one_gap_take_two_tracks(self) -> None:
        paths = route(self.CARDS, self.CHANNELS, [("a", "c"), ("c", "a")])
        across = {
            edge: [p[1] for p, q in itertools.pairwise(path) if p[1] == q[1] and p[0] != q[0]]
            for edge, path in paths.items()
        }
        long_a = max(across["a", "c"], key=abs)
        long_c = max(across["c", "a"], key=abs)
        assert long_a != long_c

    def test_loops_and_strangers_are_left_out(self) -> None:
        assert route(self.CARDS, self.CHANNELS, [("a", "a"), ("a", "zz")]) == {}

    def test_deterministic(self) -> None:
        edges = [("a", "c"), ("c", "a"), ("b", "a"), ("a", "b")]
        assert route(self.CARDS, self.CHANNELS, edges) == route(
            self.CARDS, self.CHANNELS, list(reversed(edges))
        )
