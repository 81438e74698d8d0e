"""Orthogonal arrows between the cards of a grid, routed through the gaps.

The journey map and the blueprint place their cards on a lattice: within a
column every row uses the same sub-columns, within a row every column the same
sub-rows. The gaps between them are therefore straight channels that run the
whole width or height of the grid without touching a card. An arrow leaves its
card through a short stub into the nearest channel, runs along channels and
enters its target the same way, so it never crosses a card it does not join.

Routing is a shortest path on the channel lattice with a penalty per bend and
a small one per arrow already using a stretch (so arrows spread out rather
than pile up). Afterwards the arrows that share a channel are nudged apart
onto parallel tracks, and the stubs that share a card's side are spread along
it (after Wybrow, Marriott and Stuckey, *Orthogonal connector routing*, 2009).
Everything is deterministic: the same grid and edges give the same drawing.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

__all__ = ["Channel", "Rect", "route"]

Point = tuple[float, float]

#: What a bend costs, in inches of detour.
BEND = 0.6
#: What sharing a stretch with an arrow already routed costs, per arrow, per inch.
CROWD = 0.15
#: Parallel tracks never closer than this (inches), never farther than ``TRACK_MAX``.
TRACK_MAX = 0.06


class Rect(NamedTuple):
    """A card: lower-left corner, width and height, in inches."""

    x: float
    y: float
    w: float
    h: float


class Channel(NamedTuple):
    """A free straight line: ``"v"`` (at ``x = at``) or ``"h"`` (at ``y = at``), and its width."""

    kind: str
    at: float
    width: float


class _Line(NamedTuple):
    key: tuple[object, ...]
    kind: str  # "v": x fixed, points vary in y; "h": y fixed
    at: float
    width: float


_Node = tuple[float, float]


def _snap(v: float) -> float:
    return round(v, 6)


def route(
    cards: Mapping[str, Rect],
    channels: Sequence[Channel],
    edges: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], list[Point]]:
    """Route each edge ``(u, v)`` between two cards along the channels.

    Returns each edge's polyline from the outline of ``u`` to the outline of
    ``v`` (the arrow head goes at the end). An edge from a card to itself and
    an edge whose ends cannot be joined are left out.
    """
    vertical = sorted({_snap(c.at): c for c in channels if c.kind == "v"}.values())
    horizontal = sorted({_snap(c.at): c for c in channels if c.kind == "h"}.values())
    if not vertical or not horizontal:
        return {}
    lines: dict[tuple[object, ...], _Line] = {}
    # Points on each line: every crossing with the other kind, plus stub ends.
    on_line: dict[tuple[object, ...], set[float]] = {}
    for c in vertical:
        key: tuple[object, ...] = ("v", _snap(c.at))
        lines[key] = _Line(key, "v", c.at, c.width)
        on_line[key] = {_snap(h.at) for h in horizontal}
    for c in horizontal:
        key = ("h", _snap(c.at))
        lines[key] = _Line(key, "h", c.at, c.width)
        on_line[key] = {_snap(v.at) for v in vertical}

    # Each side of each card: the channel it faces and where its stub meets it.
    xs = [_snap(c.at) for c in vertical]
    ys = [_snap(c.at) for c in horizontal]
    sides: dict[tuple[str, str], tuple[_Line, _Node, _Node]] = {}
    for sid, r in cards.items():
        cx, cy = _snap(r.x + r.w / 2), _snap(r.y + r.h / 2)
        faces = {
            "left": ("v", max((x for x in xs if x <= r.x + 1e-9), default=None), (r.x, cy)),
            "right": ("v", min((x for x in xs if x >= r.x + r.w - 1e-9), default=None), None),
            "bottom": ("h", max((y for y in ys if y <= r.y + 1e-9), default=None), (cx, r.y)),
            "top": ("h", min((y for y in ys if y >= r.y + r.h - 1e-9), default=None), None),
        }
        for side, (kind, at, edge) in faces.items():
            if at is None:
                continue
            key = (kind, at)
            if kind == "v":
                end: _Node = (at, cy)
                start = edge or (_snap(r.x + r.w), cy)
                on_line[key].add(cy)
                stub = _Line(("stub", key, cy), "h", cy, r.h)
            else:
                end = (cx, at)
                start = edge or (cx, _snap(r.y + r.h))
                on_line[key].add(cx)
                stub = _Line(("stub", key, cx), "v", cx, r.w)
            # Keyed by the channel and the card's centre line: the stubs of two
            # cards facing each other across a gap share it and are nudged apart.
            lines[stub.key] = stub
            sides[sid, side] = (stub, start, end)

    # The lattice as a graph: node -> [(neighbour, line key, length)].
    graph: dict[_Node, list[tuple[_Node, tuple[object, ...], float]]] = defaultdict(list)
    for key, points in on_line.items():
        line = lines[key]
        ordered = sorted(points)
        for a, b in itertools.pairwise(ordered):
            na: _Node = (line.at, a) if line.kind == "v" else (a, line.at)
            nb: _Node = (line.at, b) if line.kind == "v" else (b, line.at)
            na, nb = (_snap(na[0]), _snap(na[1])), (_snap(nb[0]), _snap(nb[1]))
            graph[na].append((nb, key, b - a))
            graph[nb].append((na, key, b - a))

    use: dict[tuple[_Node, _Node], int] = defaultdict(int)
    routes: dict[tuple[str, str], list[tuple[_Line, Point, Point]]] = {}
    todo = sorted(
        {(u, v) for u, v in edges if u != v and u in cards and v in cards},
        key=lambda e: (-_gap(cards[e[0]], cards[e[1]]), e),
    )
    for u, v in todo:
        found = _shortest(graph, lines, sides, use, u, v)
        if found is None:
            continue
        routes[u, v] = found
        for _, start, stop in found[1:-1]:
            for n1, n2 in _steps(graph, start, stop):
                use[n1, n2] += 1
                use[n2, n1] += 1
    return _nudge(routes)


def _gap(a: Rect, b: Rect) -> float:
    return abs(a.x - b.x) + abs(a.y - b.y)


def _steps(
    graph: Mapping[_Node, list[tuple[_Node, tuple[object, ...], float]]], a: _Node, b: _Node
) -> list[tuple[_Node, _Node]]:
    """The lattice edges between two nodes on one line."""
    out = []
    here = a
    while here != b:
        ahead = [
            n
            for n, _, _ in graph[here]
            if min(here[0], b[0]) - 1e-9 <= n[0] <= max(here[0], b[0]) + 1e-9
            and min(here[1], b[1]) - 1e-9 <= n[1] <= max(here[1], b[1]) + 1e-9
            and n != here
        ]
        if not ahead:
            break
        nxt = min(ahead, key=lambda n: abs(n[0] - b[0]) + abs(n[1] - b[1]))
        out.append((here, nxt))
        here = nxt
    return out


def _shortest(
    graph: Mapping[_Node, list[tuple[_Node, tuple[object, ...], float]]],
    lines: Mapping[tuple[object, ...], _Line],
    sides: Mapping[tuple[str, str], tuple[_Line, _Node, _Node]],
    use: Mapping[tuple[_Node, _Node], int],
    u: str,
    v: str,
) -> list[tuple[_Line, Point, Point]] | None:
    """Dijkstra over (node, line arrived on): length, bends and crowding."""
    targets: dict[_Node, list[tuple[_Line, Point, Point]]] = defaultdict(list)
    for side in ("left", "right", "bottom", "top"):
        if (v, side) in sides:
            stub, start, end = sides[v, side]
            targets[end].append((stub, end, start))
    heap: list[tuple[float, int, _Node, tuple[object, ...]]] = []
    best: dict[tuple[_Node, tuple[object, ...]], float] = {}
    back: dict[tuple[_Node, tuple[object, ...]], tuple[_Node, tuple[object, ...]] | None] = {}
    first: dict[tuple[_Node, tuple[object, ...]], tuple[_Line, Point, Point]] = {}
    tie = itertools.count()
    for side in ("left", "right", "bottom", "top"):
        if (u, side) not in sides:
            continue
        stub, start, end = sides[u, side]
        state = (end, stub.key)
        cost = abs(end[0] - start[0]) + abs(end[1] - start[1])
        if cost < best.get(state, float("inf")):
            best[state] = cost
            back[state] = None
            first[state] = (stub, start, end)
            heapq.heappush(heap, (cost, next(tie), end, stub.key))
    done: tuple[float, tuple[_Node, tuple[object, ...]], tuple[_Line, Point, Point]] | None = None
    while heap:
        cost, _, node, key = heapq.heappop(heap)
        if cost > best.get((node, key), float("inf")):
            continue
        if done is not None and cost >= done[0]:
            break
        for stub, a, b in targets.get(node, ()):
            total = cost + BEND + abs(a[0] - b[0]) + abs(a[1] - b[1])
            if done is None or total < done[0]:
                done = (total, (node, key), (stub, a, b))
        for nxt, line_key, length in graph.get(node, ()):
            step = length * (1.0 + CROWD * use.get((node, nxt), 0))
            total = cost + step + (BEND if line_key != key else 0.0)
            state = (nxt, line_key)
            if total < best.get(state, float("inf")):
                best[state] = total
                back[state] = (node, key)
                heapq.heappush(heap, (total, next(tie), nxt, line_key))
    if done is None:
        return None
    # Walk back: the states give the nodes; merge runs on one line into one segment.
    _, state, last = done
    trail: list[tuple[_Node, tuple[object, ...]]] = []
    here: tuple[_Node, tuple[object, ...]] | None = state
    while here is not None:
        trail.append(here)
        here = back[here]
    trail.reverse()
    segments: list[tuple[_Line, Point, Point]] = [first[trail[0]]]
    for (_, _), (node, key) in itertools.pairwise(trail):
        line = lines[key]
        if segments[-1][0].key == key:
            segments[-1] = (line, segments[-1][1], node)
        else:
            segments.append((line, segments[-1][2], node))
    segments.append(last)
    return _alternate(segments, lines)


def _alternate(
    segments: list[tuple[_Line, Point, Point]], lines: Mapping[tuple[object, ...], _Line]
) -> list[tuple[_Line, Point, Point]]:
    """Make segments alternate between horizontal and vertical.

    Two collinear neighbours (a stub straight into a channel crossing, or a
    stub out and a stub in facing each other across one channel) get a
    zero-length segment of the channel between them, so that nudging each
    onto its own track leaves a clean jog instead of a slanted line.
    """
    out = [segments[0]]
    for seg in segments[1:]:
        prev = out[-1]
        if prev[0].kind == seg[0].kind:
            joint = prev[2]
            kind = "v" if seg[0].kind == "h" else "h"
            at = joint[0] if kind == "v" else joint[1]
            key = (kind, _snap(at))
            line = lines.get(key, _Line(key, kind, at, 0.0))
            out.append((line, joint, joint))
        out.append(seg)
    return out


def _nudge(
    routes: Mapping[tuple[str, str], list[tuple[_Line, Point, Point]]],
) -> dict[tuple[str, str], list[Point]]:
    """Spread the segments that share a line onto parallel tracks, then join the corners."""
    # Per line, per edge: the stretch it covers (all its segments on the line
    # together, so an edge keeps one track on a line), and which way it turns.
    spans: dict[tuple[object, ...], dict[tuple[str, str], list[float]]] = defaultdict(dict)
    line_of: dict[tuple[object, ...], _Line] = {}
    for edge, segs in routes.items():
        for i, (line, a, b) in enumerate(segs):
            lo, hi = (a[1], b[1]) if line.kind == "v" else (a[0], b[0])
            lo, hi = min(lo, hi), max(lo, hi)
            span = spans[line.key].setdefault(edge, [lo, hi, 0.0])
            span[0], span[1] = min(span[0], lo), max(span[1], hi)
            span[2] += _turns(segs, i)
            line_of[line.key] = line
    offset: dict[tuple[tuple[object, ...], tuple[str, str]], float] = {}
    for key, by_edge in spans.items():
        line = line_of[key]
        members = sorted(by_edge.items(), key=lambda m: (m[1][2], m[1][0], m[1][1], m[0]))
        tracks: list[list[tuple[float, float]]] = []
        track_of = []
        for _, (lo, hi, _) in members:
            for t, taken in enumerate(tracks):
                if all(hi < a - 1e-6 or lo > b + 1e-6 for a, b in taken):
                    taken.append((lo, hi))
                    track_of.append(t)
                    break
            else:
                tracks.append([(lo, hi)])
                track_of.append(len(tracks) - 1)
        n = len(tracks)
        step = min(TRACK_MAX, 0.8 * line.width / n) if n > 1 else 0.0
        for (edge, _), t in zip(members, track_of, strict=True):
            offset[key, edge] = (t - (n - 1) / 2) * step

    out: dict[tuple[str, str], list[Point]] = {}
    for edge, segs in routes.items():
        at = [line.at + offset[line.key, edge] for line, _, _ in segs]
        first, last = segs[0], segs[-1]
        # The stubs start on the card's outline: keep that coordinate, move along it.
        points: list[Point] = [
            (first[1][0], at[0]) if first[0].kind == "h" else (at[0], first[1][1])
        ]
        for i in range(len(segs) - 1):
            if segs[i][0].kind == "h":
                points.append((at[i + 1], at[i]))
            else:
                points.append((at[i], at[i + 1]))
        points.append((last[2][0], at[-1]) if last[0].kind == "h" else (at[-1], last[2][1]))
        cleaned = [points[0]]
        for p in points[1:]:
            if abs(p[0] - cleaned[-1][0]) > 1e-9 or abs(p[1] - cleaned[-1][1]) > 1e-9:
                cleaned.append(p)
        straight = [cleaned[0]]
        for here, nxt in itertools.pairwise(cleaned[1:]):
            prev = straight[-1]
            if not (_same(prev[0], here[0], nxt[0]) or _same(prev[1], here[1], nxt[1])):
                straight.append(here)
        straight.append(cleaned[-1])
        out[edge] = straight
    return out


def _same(a: float, b: float, c: float) -> bool:
    return abs(a - b) < 1e-9 and abs(b - c) < 1e-9


def _turns(segs: Sequence[tuple[_Line, Point, Point]], i: int) -> int:
    """Which side a segment's neighbours lie on: negative puts it on the low-coordinate track.

    A segment whose path comes from and goes to lower coordinates (left, or
    down) keeps to the low side of its channel, so that it does not cross the
    arrows that turn the other way.
    """
    line, a, b = segs[i]
    score = 0
    for j, end in ((i - 1, a), (i + 1, b)):
        if not 0 <= j < len(segs):
            continue
        _, p, q = segs[j]
        far = p if end == q else q
        d = (far[0] - end[0]) if line.kind == "v" else (far[1] - end[1])
        score += (d > 1e-9) - (d < -1e-9)
    return score
