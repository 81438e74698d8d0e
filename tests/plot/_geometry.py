"""Geometry read back from drawn Axes, shared by the drawing tests.

Edges' paths and boxes' extents in data coordinates, segment-box and
segment-segment intersection, and generated journeys to draw.
"""

from __future__ import annotations

import itertools
import random

from matplotlib.axes import Axes
from matplotlib.path import Path as MplPath

import cxgraph as cx

Point = tuple[float, float]
Segment = tuple[Point, Point]
Box = tuple[float, float, float, float]


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


def edge_paths(ax: Axes, *prefixes: str) -> dict[tuple[str, str], list[Segment]]:
    """Each drawn edge's segments in data coordinates, arrow head left out.

    Edges are the patches whose gid is one of ``prefixes`` followed by ``u->v``.
    """
    out: dict[tuple[str, str], list[Segment]] = {}
    for p in ax.patches:
        gid = p.get_gid() or ""
        prefix = next((x for x in prefixes or ("graph-edge-",) if gid.startswith(x)), None)
        if prefix is None:
            continue
        u, v = gid[len(prefix) :].split("->")
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


def node_boxes(ax: Axes, prefix: str = "graph-node-") -> dict[str, Box]:
    """Each node's (or card's) extent in data coordinates, as (x0, y0, x1, y1)."""
    inverse = ax.transData.inverted()
    out = {}
    for p in ax.patches:
        gid = p.get_gid() or ""
        if gid.startswith(prefix):
            ext = p.get_extents()
            (x0, y0), (x1, y1) = inverse.transform([(ext.x0, ext.y0), (ext.x1, ext.y1)])
            out[gid[len(prefix) :]] = (x0, y0, x1, y1)
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
