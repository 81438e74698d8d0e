"""Where the shapes and edges of a BPMN diagram go: layers left to right, lanes stacked.

The layout behind :func:`cxgraph.readwrite.bpmn.bpmn_xml`, in the Sugiyama
manner of Graphviz ``dot`` with lanes as fixed bands:

1. Cycles are broken by a depth-first search from the nodes in the order
   given (start events first): an edge back to a node still on the search's
   stack, a self-loop included, is a *back edge*.
2. Each node's layer is the longest path to it over the other edges, so
   every forward edge runs left to right; a source that is not a start event
   moves right, next to its first successor.
3. Lanes are stacked top to bottom in the order given; a lane is as many rows
   high as its fullest layer needs. Within a lane, the nodes of a layer keep
   their order but take the rows nearest the mean row of their neighbours,
   by barycentre sweeps left to right and back; the sweep with the smallest
   total vertical travel of the forward edges wins.
4. Every shape is centred in its cell (one layer wide, one row high), so no
   two overlap. Edges are orthogonal polylines that start and end at the
   middle of a side of their shapes' bounds (a corner of a gateway's diamond,
   a point of an event's circle). A forward edge runs straight along its row
   when the cells between are free; otherwise it turns in the gap between two
   layers, or leaves a gateway by its top or bottom corner; failing those, it
   runs in the gaps between rows. A back edge leaves its source by the
   bottom (or the top, when its target is higher), runs left in the gap
   between rows and enters its target from the left. Edges sharing a gap get
   separate tracks, except those leaving or entering the same shape.

No segment crosses a shape other than at its own ends.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["EVENT", "GATEWAY", "TASK", "Bounds", "Diagram", "Node", "diagram"]

#: The sizes bpmn.io gives new shapes (width, height).
TASK = (100, 80)
GATEWAY = (50, 50)
EVENT = (36, 36)

POOL_HEADER = 30  # the band on the pool's left that shows its name
LANE_HEADER = 30  # the band on each lane's left that shows its name
COLUMN = 100  # the widest shape
COLUMN_GAP = 80  # between layers: room for the vertical runs and a flow's name
ROW = 120  # a row: the tallest shape and 40 px of gap for horizontal runs
PAD = 60  # between the lane's header and the first layer, and after the last
LANE_PAD = 20  # above a lane's first row and below its last: runs between lanes miss the line
SWEEPS = 4

Point = tuple[int, int]


class Bounds(NamedTuple):
    """A rectangle, as ``dc:Bounds`` writes it."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Node:
    """A flow node to place: its id, the index of its lane and its size."""

    id: str
    lane: int
    size: tuple[int, int]
    start: bool = False  # start events stay in the first layer
    fans_out: bool = False  # a gateway, which may be left by its top or bottom corner


@dataclass(frozen=True)
class Diagram:
    """The laid-out diagram: bounds of the pool, the lanes and every node, and
    the waypoints of every edge, in the order given."""

    pool: Bounds
    lanes: tuple[Bounds, ...]
    shapes: Mapping[str, Bounds]
    waypoints: tuple[tuple[Point, ...], ...]
    back: frozenset[int]  # the indices of the back edges


def diagram(nodes: Sequence[Node], edges: Sequence[tuple[str, str]], n_lanes: int) -> Diagram:
    """Lay out ``nodes`` (each in one of ``n_lanes`` lanes) and ``edges`` between them.

    Examples
    --------
    >>> d = diagram([Node("s", 0, EVENT, start=True), Node("t", 1, TASK)], [("s", "t")], 2)
    >>> d.shapes["t"], d.waypoints[0]
    (Bounds(x=300, y=200, width=100, height=80), ((188, 80), (260, 80), (260, 240), (300, 240)))
    """
    ids = [n.id for n in nodes]
    out: dict[str, list[tuple[int, str]]] = {n: [] for n in ids}
    for i, (u, v) in enumerate(edges):
        out[u].append((i, v))
    back, preorder = _back_edges(ids, out)
    forward = [(u, v) for i, (u, v) in enumerate(edges) if i not in back]
    layer = _layers(nodes, forward)
    lane_of = {n.id: n.lane for n in nodes}
    rows, heights = _rows(nodes, forward, layer, preorder, n_lanes)
    offsets = [sum(heights[:k]) for k in range(n_lanes)]
    grow = {n: offsets[lane_of[n]] + rows[n] for n in ids}
    n_layers = max(layer.values(), default=-1) + 1
    width = max(
        POOL_HEADER + LANE_HEADER + 2 * PAD + n_layers * COLUMN + max(n_layers - 1, 0) * COLUMN_GAP,
        300,
    )
    lanes, mids, top = [], [], 0
    for k in range(n_lanes):
        lanes.append(Bounds(POOL_HEADER, top, width - POOL_HEADER, heights[k] * ROW + 2 * LANE_PAD))
        mids += [top + LANE_PAD + i * ROW + ROW // 2 for i in range(heights[k])]
        top += lanes[-1].height
    pool = Bounds(0, 0, width, top if lanes else ROW + 2 * LANE_PAD)
    grid = _Grid(layer, grow, mids, pool.height, {lane.y for lane in lanes[1:]})
    shapes = {n.id: grid.bounds(n.id, n.size) for n in nodes}
    router = _Router(grid, shapes, {n.id for n in nodes if n.fans_out})
    routes = [router.route(i, u, v, i in back) for i, (u, v) in enumerate(edges)]
    router.allocate()
    waypoints = tuple(_tidy([router.resolve(p) for p in route]) for route in routes)
    return Diagram(pool, tuple(lanes), shapes, waypoints, frozenset(back))


# -- layers and rows -------------------------------------------------------------


def _back_edges(
    ids: Sequence[str], out: Mapping[str, Sequence[tuple[int, str]]]
) -> tuple[set[int], dict[str, int]]:
    """The back edges of a depth-first search from ``ids`` in order, and each node's preorder."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    preorder: dict[str, int] = {}
    back: set[int] = set()
    for root in ids:
        if root in state:
            continue
        state[root] = 1
        preorder[root] = len(preorder)
        stack = [(root, iter(out[root]))]
        while stack:
            node, rest = stack[-1]
            for i, target in rest:
                seen = state.get(target)
                if seen == 1:
                    back.add(i)
                elif seen is None:
                    state[target] = 1
                    preorder[target] = len(preorder)
                    stack.append((target, iter(out[target])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return back, preorder


def _layers(nodes: Sequence[Node], forward: Sequence[tuple[str, str]]) -> dict[str, int]:
    """The longest path to each node over the forward edges (a DAG); sources move right."""
    succ: dict[str, list[str]] = {n.id: [] for n in nodes}
    indegree = dict.fromkeys(succ, 0)
    for u, v in forward:
        succ[u].append(v)
        indegree[v] += 1
    layer = dict.fromkeys(succ, 0)
    sources = [n for n in nodes if indegree[n.id] == 0]
    queue = deque(n.id for n in sources)
    while queue:
        u = queue.popleft()
        for v in succ[u]:
            layer[v] = max(layer[v], layer[u] + 1)
            indegree[v] -= 1
            if indegree[v] == 0:
                queue.append(v)
    for n in sources:
        if not n.start and succ[n.id]:
            layer[n.id] = min(layer[v] for v in succ[n.id]) - 1
    return layer


def _rows(
    nodes: Sequence[Node],
    forward: Sequence[tuple[str, str]],
    layer: Mapping[str, int],
    preorder: Mapping[str, int],
    n_lanes: int,
) -> tuple[dict[str, int], list[int]]:
    """Each node's row within its lane, and each lane's height in rows."""
    cells: dict[tuple[int, int], list[str]] = {}
    for node in sorted(nodes, key=lambda node: preorder[node.id]):
        cells.setdefault((layer[node.id], node.lane), []).append(node.id)
    heights = [1] * n_lanes
    for (_, lane), members in cells.items():
        heights[lane] = max(heights[lane], len(members))
    offsets = [sum(heights[:k]) for k in range(n_lanes)]
    lane_of = {n.id: n.lane for n in nodes}
    row = {n: i for members in cells.values() for i, n in enumerate(members)}
    preds: dict[str, list[str]] = {n.id: [] for n in nodes}
    succs: dict[str, list[str]] = {n.id: [] for n in nodes}
    for u, v in forward:
        preds[v].append(u)
        succs[u].append(v)
    by_layer = sorted(cells.items(), key=lambda item: item[0])

    def travel() -> int:
        g = {n: offsets[lane_of[n]] + r for n, r in row.items()}
        return sum(abs(g[u] - g[v]) for u, v in forward)

    best, best_travel = dict(row), travel()
    for sweep in range(2 * SWEEPS):
        down = sweep % 2 == 0
        neighbours = preds if down else succs
        for (_, lane), members in by_layer if down else reversed(by_layer):
            wanted = {}
            for n in members:
                seen = [offsets[lane_of[m]] + row[m] for m in neighbours[n]]
                wanted[n] = sum(seen) / len(seen) - offsets[lane] if seen else float(row[n])
            members.sort(key=lambda n: (wanted[n], row[n]))
            last = -1
            for i, n in enumerate(members):
                lowest, highest = last + 1, heights[lane] - (len(members) - i)
                last = row[n] = min(max(math.floor(wanted[n] + 0.5), lowest), highest)
        now = travel()
        if now < best_travel:
            best, best_travel = dict(row), now
    return best, heights


# -- coordinates -----------------------------------------------------------------


class _Grid:
    """Layers and rows as pixels."""

    def __init__(
        self,
        layer: Mapping[str, int],
        grow: Mapping[str, int],
        mids: Sequence[int],
        height: int,
        dividers: set[int],
    ) -> None:
        self.layer, self.grow, self.mids = layer, grow, mids
        self.height, self.dividers = height, dividers
        self.taken = {(layer[n], grow[n]) for n in layer}
        self.left = POOL_HEADER + LANE_HEADER + PAD  # of the first layer

    def centre_x(self, c: int) -> int:
        return self.left + c * (COLUMN + COLUMN_GAP) + COLUMN // 2

    def gap_x(self, c: int) -> int:
        """The middle of the gap left of layer ``c``."""
        return self.left + c * (COLUMN + COLUMN_GAP) - COLUMN_GAP // 2

    def mid_y(self, r: int) -> int:
        return self.mids[r]

    def row_gap(self, r: int) -> tuple[int, int]:
        """The middle of the gap above row ``r`` and the room each side of it for runs.

        Where a line between two lanes crosses the gap, runs keep to its lower half.
        """
        lo = self.mids[r - 1] + TASK[1] // 2 if r > 0 else 0
        hi = self.mids[r] - TASK[1] // 2 if r < len(self.mids) else self.height
        if (lo + hi) // 2 in self.dividers:
            lo = (lo + hi) // 2
        return (lo + hi) // 2, (hi - lo) // 2 - 6

    def edge_y(self, r: int) -> int:
        return self.row_gap(r)[0]

    def bounds(self, node: str, size: tuple[int, int]) -> Bounds:
        w, h = size
        x, y = self.centre_x(self.layer[node]), self.mid_y(self.grow[node])
        return Bounds(x - w // 2, y - h // 2, w, h)

    def free(self, c: int, rows: range) -> bool:
        return all((c, r) not in self.taken for r in rows)

    def free_run(self, first: int, last: int, r: int) -> bool:
        """Whether layers ``first..last`` are free in row ``r``."""
        return all((c, r) not in self.taken for c in range(first, last + 1))


@dataclass
class _Channel:
    """A gap that edges run along: its middle and the room each side of it."""

    centre: int
    room: int
    asks: dict[Hashable, list[float]] = field(default_factory=dict)
    tracks: dict[Hashable, int] = field(default_factory=dict)

    def ask(self, group: Hashable, a: float, b: float) -> None:
        span = self.asks.setdefault(group, [min(a, b), max(a, b)])
        span[0], span[1] = min(span[0], a, b), max(span[1], a, b)

    def allocate(self) -> None:
        ends: list[float] = []  # the far end of the last run on each track
        slot: dict[Hashable, int] = {}
        for group, (a, b) in sorted(self.asks.items(), key=lambda item: (item[1], str(item[0]))):
            t = next((t for t, end in enumerate(ends) if end < a), len(ends))
            if t == len(ends):
                ends.append(b)
            ends[t] = b
            slot[group] = t
        n = len(ends)
        step = min(10.0, 2 * self.room / max(n - 1, 1))
        for group, t in slot.items():
            self.tracks[group] = self.centre + round((t - (n - 1) / 2) * step)


# A coordinate is a number, or a track of a channel decided once every edge is routed.
_Coord = int | tuple[str, int, Hashable]


class _Router:
    """Routes edges between the shapes of a grid."""

    def __init__(self, grid: _Grid, shapes: Mapping[str, Bounds], fans_out: set[str]) -> None:
        self.grid, self.shapes, self.fans_out = grid, shapes, fans_out
        self.columns: dict[int, _Channel] = {}
        self.rows: dict[int, _Channel] = {}

    def _column(self, c: int, group: Hashable, a: float, b: float) -> _Coord:
        chan = self.columns.setdefault(c, _Channel(self.grid.gap_x(c), COLUMN_GAP // 2 - 12))
        chan.ask(group, a, b)
        return ("column", c, group)

    def _row(self, r: int, group: Hashable, a: float, b: float) -> _Coord:
        chan = self.rows.setdefault(r, _Channel(*self.grid.row_gap(r)))
        chan.ask(group, a, b)
        return ("row", r, group)

    def route(self, i: int, u: str, v: str, back: bool) -> list[tuple[_Coord, _Coord]]:
        g, su, sv = self.grid, self.shapes[u], self.shapes[v]
        cu, cv, ru, rv = g.layer[u], g.layer[v], g.grow[u], g.grow[v]
        yu, yv = g.mid_y(ru), g.mid_y(rv)
        xu = su.x + su.width // 2
        right: tuple[_Coord, _Coord] = (su.x + su.width, yu)
        left: tuple[_Coord, _Coord] = (sv.x, yv)
        if back:
            up = rv < ru
            r = ru if up else ru + 1
            leave = (xu, su.y) if up else (xu, su.y + su.height)
            y = self._row(r, ("back", u, r), xu, g.gap_x(cv))
            x = self._column(cv, ("in", v), g.edge_y(r), yv)
            return [leave, (xu, y), (x, y), (x, yv), left]
        if ru == rv and g.free_run(cu + 1, cv - 1, ru):
            return [right, left]
        if u in self.fans_out:
            between = range(min(ru, rv) + 1, max(ru, rv))
            if g.free(cu, between) and g.free_run(cu, cv - 1, rv):
                leave = (xu, su.y) if rv < ru else (xu, su.y + su.height)
                return [leave, (xu, yv), left]
        if g.free_run(cu + 1, cv - 1, ru):
            x = self._column(cv, ("in", v), yu, yv)
            return [right, (x, yu), (x, yv), left]
        if g.free_run(cu + 1, cv - 1, rv):
            x = self._column(cu + 1, ("out", u), yu, yv)
            return [right, (x, yu), (x, yv), left]
        r = ru if rv < ru else ru + 1
        x1 = self._column(cu + 1, ("out", u), yu, g.edge_y(r))
        y = self._row(r, ("edge", i), g.gap_x(cu + 1), g.gap_x(cv))
        x2 = self._column(cv, ("in", v), g.edge_y(r), yv)
        return [right, (x1, yu), (x1, y), (x2, y), (x2, yv), left]

    def allocate(self) -> None:
        for chan in (*self.columns.values(), *self.rows.values()):
            chan.allocate()

    def resolve(self, point: tuple[_Coord, _Coord]) -> Point:
        return (self._value(point[0]), self._value(point[1]))

    def _value(self, coord: _Coord) -> int:
        if isinstance(coord, int):
            return coord
        kind, index, group = coord
        return (self.columns if kind == "column" else self.rows)[index].tracks[group]


def _tidy(points: list[Point]) -> tuple[Point, ...]:
    """The points without repeats and without middle points of straight runs."""
    out: list[Point] = []
    for p in points:
        if out and p == out[-1]:
            continue
        if len(out) >= 2 and (out[-2][0] == out[-1][0] == p[0] or out[-2][1] == out[-1][1] == p[1]):
            out[-1] = p
            continue
        out.append(p)
    if len(out) == 1:
        out.append(out[0])
    return tuple(out)
