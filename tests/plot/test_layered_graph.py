"""The journey graph's drawing, measured: no edge through a box, crossings near Graphviz dot's.

Geometry is read from the drawn Axes (Agg backend): each edge's path in data
coordinates, each node's extent. Crossings are counted the same way for
cxgraph's drawing and for Graphviz ``dot``'s on the same graph with the same
rows (``rank=same``), its splines sampled into polylines; ``dot`` is a
test-only tool (Debian's graphviz, installed by ``.ci/run``). Under
``CI=true`` a missing ``dot`` fails the comparison rather than skipping it.
"""

from __future__ import annotations

import itertools
import math
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from matplotlib.axes import Axes
from tests._programs import program
from tests.plot._geometry import Point, Segment, crossings, edge_paths, generated, hits, node_boxes

import cxgraph as cx
from cxgraph.analyses.boundary import decision_boundary
from cxgraph.plot.sugiyama import count_crossings, layered_layout

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))

JOURNEYS: list[tuple[str, Any]] = [
    *((p.stem, lambda p=p: cx.load(p)) for p in EXAMPLES),
    *((f"generated-40-{seed}", lambda seed=seed: generated(40, seed)) for seed in range(8)),
]


class TestNoEdgeThroughABox:
    @pytest.mark.parametrize(("name", "make"), JOURNEYS, ids=[n for n, _ in JOURNEYS])
    def test_edges_avoid_the_steps_they_do_not_join(self, name: str, make: Any) -> None:
        """0 edges pass through a node box they do not connect, counted from the drawing."""
        ax = cx.plot.graph(make())
        boxes = node_boxes(ax)
        paths = edge_paths(ax)
        assert paths
        through = [
            (u, v, n)
            for (u, v), segs in paths.items()
            for n, box in boxes.items()
            if n not in (u, v) and any(hits(s, box) for s in segs)
        ]
        assert through == []

    @pytest.mark.parametrize(("name", "make"), JOURNEYS, ids=[n for n, _ in JOURNEYS])
    def test_no_boxes_overlap(self, name: str, make: Any) -> None:
        """Node boxes never overlap one another."""
        boxes = list(node_boxes(cx.plot.graph(make())).values())
        for a, b in itertools.combinations(boxes, 2):
            assert a[2] <= b[0] + 1e-9 or b[2] <= a[0] + 1e-9 or a[3] <= b[1] or b[3] <= a[1]


class TestCountCrossings:
    def test_by_hand(self) -> None:
        """Two ranks of three: a-z, b-y, c-x cross pairwise (3); links sharing an end do not."""
        upper, lower = ["a", "b", "c"], ["x", "y", "z"]
        assert count_crossings(upper, lower, [("a", "z"), ("b", "y"), ("c", "x")]) == 3
        assert count_crossings(upper, lower, [("a", "x"), ("a", "y"), ("b", "y")]) == 0

    def test_agrees_with_all_pairs(self) -> None:
        """The O(E log E) count equals the all-pairs count on random links."""
        rnd = random.Random(1)
        upper, lower = [f"u{i}" for i in range(8)], [f"l{i}" for i in range(8)]
        for _ in range(50):
            links = list({(rnd.choice(upper), rnd.choice(lower)) for _ in range(12)})
            pu = {n: i for i, n in enumerate(upper)}
            pl = {n: i for i, n in enumerate(lower)}
            pairs = sum(
                (pu[a] - pu[c]) * (pl[b] - pl[d]) < 0
                for (a, b), (c, d) in itertools.combinations(links, 2)
            )
            assert count_crossings(upper, lower, links) == pairs

    def test_sweeps_find_the_order_without_crossings(self) -> None:
        """A graph drawable without crossings, given crossed, comes out with none."""
        rank = {"a": 0, "b": 0, "c": 1, "d": 1}
        lay = layered_layout(rank, [("a", "d"), ("b", "c")], width=dict.fromkeys(rank, 1.0))
        assert lay.crossings == 0


def dot_program() -> str:
    return program(
        "dot",
        missing="Graphviz dot is not installed (apt-get install graphviz)",
        in_ci="CI must run the comparison with dot",
    )


def bezier(points: list[Point], samples: int = 8) -> list[Point]:
    """Sample a dot spline (cubic Bezier pieces sharing ends) into a polyline."""
    out = [points[0]]
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        for k in range(1, samples + 1):
            t = k / samples
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
            out.append(
                (
                    a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                    a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
                )
            )
    return out


def dot_crossings(ax: Axes, journey: cx.Journey) -> int:
    """Lay the drawn graph out with dot, same nodes, edges and rows; count its crossings."""
    boxes = node_boxes(ax)
    rows: dict[float, list[str]] = {}
    for n, (_, y0, _, y1) in boxes.items():
        rows.setdefault(round((y0 + y1) / 2, 3), []).append(n)
    names = {n: f"n{i}" for i, n in enumerate(sorted(boxes))}
    lines = ["digraph G {", "node [shape=box, width=1.3, height=0.56, fixedsize=true];"]
    # An invisible anchor per row, chained top to bottom, keeps dot's rows in our order.
    ordered = [rows[y] for y in sorted(rows, reverse=True)]
    for i, row in enumerate(ordered):
        lines.append(f"a{i} [style=invis, width=0.01, height=0.01, fixedsize=true];")
        lines.append(f"{{rank=same; a{i}; " + "; ".join(names[n] for n in sorted(row)) + ";}")
    lines += [f"a{i} -> a{i + 1} [style=invis];" for i in range(len(ordered) - 1)]
    edges = sorted({(u, v) for u, v in edge_paths(ax)})
    lines += [f"{names[u]} -> {names[v]};" for u, v in edges]
    lines.append("}")
    out = subprocess.run(
        [dot_program(), "-Tplain"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    back = {v: k for k, v in names.items()}
    paths: dict[tuple[str, str], list[Segment]] = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "edge" and parts[1] in back and parts[2] in back:
            n = int(parts[3])
            coords = [float(c) for c in parts[4 : 4 + 2 * n]]
            pts = list(zip(coords[::2], coords[1::2], strict=True))
            paths[back[parts[1]], back[parts[2]]] = list(itertools.pairwise(bezier(pts)))
    assert len(paths) == len(edges)
    return crossings(paths)


#: Where cxgraph's crossing reduction is known not to reach 1.2 times dot's (none now;
#: strict, so that a case that starts passing shows).
SHORT_OF_DOT: set[str] = set()


def _dot_cases() -> list[Any]:
    return [
        pytest.param(
            name,
            make,
            id=name,
            marks=[pytest.mark.xfail(reason="crossing reduction short of dot here", strict=True)]
            if name in SHORT_OF_DOT
            else [],
        )
        for name, make in JOURNEYS
    ]


class TestAgainstDot:
    @pytest.mark.parametrize(("name", "make"), _dot_cases())
    def test_crossings_within_a_fifth_of_dot(self, name: str, make: Any) -> None:
        """Edge crossings at most 1.2 times dot's on the same graph and rows (plus one)."""
        journey = make()
        ax = cx.plot.graph(journey)
        ours = crossings(edge_paths(ax))
        theirs = dot_crossings(ax, journey)
        assert ours <= math.ceil(1.2 * theirs) + 1, (ours, theirs)


class TestBaselineMarks:
    """cx.plot.graph(new, baseline=old): a badge per added or changed step, on its node."""

    def test_badges_sit_on_their_nodes(self) -> None:
        old = cx.load(Path(__file__).resolve().parents[2] / "examples" / "vending.yaml")
        new = cx.load(Path(__file__).resolve().parents[2] / "examples" / "vending_future.yaml")
        ax = cx.plot.graph(new, baseline=old)
        boxes = node_boxes(ax)
        marks = {
            (p.get_gid() or ""): p
            for p in ax.patches
            if (p.get_gid() or "").startswith(("graph-added-", "graph-changed-"))
        }
        added = {g.split("-", 2)[2] for g in marks if g.startswith("graph-added-")}
        assert {"tap-to-pay", "auto-refund", "stock-alert"} <= added
        for gid, patch in marks.items():
            sid = gid.split("-", 2)[2]
            x0, y0, x1, y1 = boxes[sid]
            cx_, cy_ = patch.center  # type: ignore[attr-defined]
            assert x0 - 0.05 <= cx_ <= x1, gid
            assert y0 <= cy_ <= y1 + 0.12, gid
        words = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any(w.startswith("+ step added since the baseline") for w in words)

    def test_a_journey_against_itself_marks_nothing(self) -> None:
        j = cx.load(Path(__file__).resolve().parents[2] / "examples" / "restaurant.yaml")
        ax = cx.plot.graph(j, baseline=j)
        assert not [
            p
            for p in ax.patches
            if (p.get_gid() or "").startswith(("graph-added-", "graph-changed-"))
        ]
        words = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "removed since the baseline: 0 steps, 0 edges (not drawn)" in words


class TestBoundaryMarks:
    """cx.plot.graph(j, boundary=True): the decision boundary banded, settled steps badged."""

    @pytest.mark.parametrize(("name", "make"), JOURNEYS[:6], ids=[n for n, _ in JOURNEYS[:6]])
    def test_bands_are_exactly_the_boundary(self, name: str, make: Any) -> None:
        """The banded edges are the boundary's, each band on its edge's own route."""
        journey = make()
        result = decision_boundary(journey)
        ax = cx.plot.graph(journey, boundary=True)
        bands = edge_paths(ax, "graph-boundary-")
        assert set(bands) == {(e.source, e.target) for e in result}
        edges = edge_paths(ax)
        for key, segments in bands.items():
            # The same polyline, except that the arrow's line stops where its head begins.
            flat = [c for seg in segments for point in seg for c in point]
            line = [c for seg in edges[key] for point in seg for c in point]
            assert flat[:-2] == pytest.approx(line[:-2])
            assert math.dist(flat[-2:], line[-2:]) < 0.1
        words = [t.get_text() for t in ax.get_legend().get_texts()]
        edges_word = "edge" if len(result) == 1 else "edges"
        how = "" if result.probabilities_known else ", structural"
        assert f"decision boundary: outcome settled ({len(result)} {edges_word}{how})" in words

    @pytest.mark.parametrize(("name", "make"), JOURNEYS[:6], ids=[n for n, _ in JOURNEYS[:6]])
    def test_badges_on_settled_steps(self, name: str, make: Any) -> None:
        """Reached settled touchpoints and decisions get a badge on their node; nothing else."""
        journey = make()
        result = decision_boundary(journey)
        outcomes = {o.id for o in journey.outcomes}
        want = {
            (s.status, s.step)
            for s in result.steps
            if s.status != "open" and s.reached and s.step not in outcomes
        }
        ax = cx.plot.graph(journey, boundary=True)
        badges = {
            (gid.split("-", 2)[1], gid.split("-", 2)[2]): p
            for p in ax.patches
            if (gid := p.get_gid() or "").startswith(("graph-committed-", "graph-lost-"))
        }
        assert set(badges) == want
        boxes = node_boxes(ax)
        inverse = ax.transData.inverted()
        for (_, sid), patch in badges.items():
            ext = patch.get_extents()
            (x0, y0), (x1, y1) = inverse.transform([(ext.x0, ext.y0), (ext.x1, ext.y1)])
            bx0, by0, bx1, by1 = boxes[sid]
            cx_, cy_ = (x0 + x1) / 2, (y0 + y1) / 2
            assert bx0 <= cx_ <= bx1, sid
            assert by0 <= cy_ <= by1, sid
            assert x1 - x0 < 0.2  # small: a mark, not a second node
        words = [t.get_text() for t in ax.get_legend().get_texts()]
        for kind in ("committed", "lost"):
            assert any(w.startswith(f"{kind}: ") for w in words) == (kind in dict(want))

    def test_lost_steps_get_a_cross(self) -> None:
        """A reached step that can only fail gets the red cross, named in the legend."""
        j = cx.Journey(
            id="j",
            name="J",
            touchpoints=[cx.Touchpoint(id=s, name=s.upper()) for s in ("a", "b", "c")],
            outcomes=[
                cx.Outcome(id="won", name="Won", kind="success"),
                cx.Outcome(id="lost", name="Lost", kind="failure"),
            ],
            entries=["a"],
            transitions=[
                cx.Transition(source="a", target="b", probability=0.5),
                cx.Transition(source="a", target="c", probability=0.5),
                cx.Transition(source="b", target="won", probability=1.0),
                cx.Transition(source="c", target="lost", probability=1.0),
            ],
        )
        ax = cx.plot.graph(j, boundary=True)
        gids = {p.get_gid() for p in ax.patches}
        assert {"graph-committed-b", "graph-lost-c", "graph-boundary-a->b"} <= gids
        assert "graph-boundary-a->c" in gids
        words = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "lost: no way on ends in success" in words
        assert "committed: every way on ends in success" in words
        assert "decision boundary: outcome settled (2 edges)" in words

    def test_off_by_default(self) -> None:
        """Without boundary=True nothing is banded or badged, and the legend does not mention it."""
        ax = cx.plot.graph(cx.load(EXAMPLES[0]))
        assert not [
            p
            for p in ax.patches
            if (p.get_gid() or "").startswith(
                ("graph-boundary-", "graph-committed-", "graph-lost-")
            )
        ]
        words = [t.get_text() for t in ax.get_legend().get_texts()]
        assert not any("decision boundary" in w for w in words)
