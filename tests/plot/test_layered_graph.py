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
from matplotlib.path import Path as MplPath
from tests._programs import program

import cxgraph as cx
from cxgraph.plot.sugiyama import count_crossings, layered_layout

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))

Point = tuple[float, float]
Segment = tuple[Point, Point]


def generated(n: int, seed: int) -> cx.Journey:
    """A journey of ``n`` touchpoints in five phases: forward branches, loops back, outcomes."""
    rnd = random.Random(seed)
    phases = [cx.Phase(id=f"p{i}", name=f"Phase {i}") for i in range(5)]
    owners = [cx.Owner(id=o, name=o.title(), kind="department") for o in ("mkt", "sales", "svc")]
    tps = [
        cx.Touchpoint(
            id=f"t{i:02d}",
            name=f"Step {i}",
            phase=f"p{i * 5 // n}",
            owner=rnd.choice(["mkt", "sales", "svc"]),
        )
        for i in range(n)
    ]
    outcomes = [
        cx.Outcome(id="won", name="Won", kind="success"),
        cx.Outcome(id="lost", name="Lost", kind="failure"),
    ]
    edges = {(f"t{i:02d}", f"t{i + 1:02d}") for i in range(n - 1)}
    for i in range(n - 2):
        if rnd.random() < 0.4:
            edges.add((f"t{i:02d}", f"t{rnd.randint(i + 2, min(n - 1, i + 8)):02d}"))
        if rnd.random() < 0.1 and i > 3:
            edges.add((f"t{i:02d}", f"t{rnd.randint(max(0, i - 6), i - 1):02d}"))
        if rnd.random() < 0.15:
            edges.add((f"t{i:02d}", "lost"))
    edges.add((f"t{n - 1:02d}", "won"))
    return cx.Journey(
        id=f"gen{seed}",
        name="Generated",
        phases=phases,
        owners=owners,
        touchpoints=tps,
        outcomes=outcomes,
        transitions=[cx.Transition(source=u, target=v) for u, v in sorted(edges)],
        entries=["t00"],
    )


JOURNEYS: list[tuple[str, Any]] = [
    *((p.stem, lambda p=p: cx.load(p)) for p in EXAMPLES),
    *((f"generated-40-{seed}", lambda seed=seed: generated(40, seed)) for seed in range(8)),
]


def edge_paths(ax: Axes) -> dict[tuple[str, str], list[Segment]]:
    """Each drawn edge's segments in data coordinates, arrow head left out."""
    out: dict[tuple[str, str], list[Segment]] = {}
    for p in ax.patches:
        gid = p.get_gid() or ""
        if not gid.startswith("graph-edge-"):
            continue
        u, v = gid[len("graph-edge-") :].split("->")
        if u == v:
            continue
        path = p.get_path()
        points: list[Point] = []
        for vertex, code in path.iter_segments(simplify=False, curves=False):
            if code == MplPath.CLOSEPOLY or (code == MplPath.MOVETO and points):
                break
            points.append((float(vertex[-2]), float(vertex[-1])))
        # The head is drawn after the line; the line ends where its last point repeats.
        out[u, v] = list(itertools.pairwise(points))
    return out


def node_boxes(ax: Axes) -> dict[str, tuple[float, float, float, float]]:
    """Each node's extent in data coordinates, as (x0, y0, x1, y1)."""
    inverse = ax.transData.inverted()
    out = {}
    for p in ax.patches:
        gid = p.get_gid() or ""
        if gid.startswith("graph-node-"):
            ext = p.get_extents()
            (x0, y0), (x1, y1) = inverse.transform([(ext.x0, ext.y0), (ext.x1, ext.y1)])
            out[gid[len("graph-node-") :]] = (x0, y0, x1, y1)
    return out


def hits(seg: Segment, box: tuple[float, float, float, float], inset: float = 0.02) -> bool:
    """True when the segment passes through the box shrunk by ``inset`` (Liang-Barsky)."""
    (x0, y0), (x1, y1) = seg
    bx0, by0, bx1, by1 = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - bx0), (dx, bx1 - x0), (-dy, y0 - by0), (dy, by1 - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


def cross(a: Segment, b: Segment) -> bool:
    """True when two segments properly cross (touching ends do not count)."""

    def orient(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    (p1, p2), (q1, q2) = a, b
    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return d1 * d2 < -1e-12 and d3 * d4 < -1e-12


def crossings(paths: dict[tuple[str, str], list[Segment]]) -> int:
    """Crossings between edges that share no step."""
    total = 0
    for (e, a), (f, b) in itertools.combinations(paths.items(), 2):
        if set(e) & set(f):
            continue
        total += any(cross(s, t) for s in a for t in b)
    return total


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
