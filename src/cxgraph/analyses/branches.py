"""Branches: the decision points, the loops and the paths from entries to outcomes.

Everything here follows the customer flow (transitions and hand-offs);
triggers move the organisation, not the customer, and are left out.

Decision points
    Each one with its options (the steps it leads to, in edge order:
    transitions, then hand-offs, each in the journey's order), who decides,
    the owner, the question and the option probabilities where they are
    known. A probability is *known* out of a step when its edges carry
    ``probability`` values, or else ``count`` values (as proportions of
    their sum), or when it has a single way out (certain); otherwise the
    step's probabilities are None: an equal split is a guess, not a
    probability (see :func:`known_probabilities`).

What a path is
    A path runs from an entry (see :func:`cxgraph.graph.entry_weights`) to
    an outcome. Counting step sequences would never end once the journey has
    a loop, since a customer can go round it any number of times, so paths
    are counted on the graph of strongly connected components (the
    condensation): every *loop* (steps that can all reach each other, or a
    step with a transition to itself) becomes one node. A counted path is an
    entry step, a chain of components and an outcome step. One that passes
    no loop is exactly one sequence of steps; one that passes a loop stands
    for every way through it: infinitely many sequences when repeats are
    counted, and at least one (finitely many) that visits no step twice. On
    a journey without loops, ``path_count`` is therefore exactly the number
    of step sequences from an entry to an outcome; with loops it is at most
    the number of simple paths. The count is exact (a Python int, however
    large) and costs time linear in the size of the journey.

Listed paths
    ``paths`` lists simple paths (no step twice) from entries to outcomes,
    depth first: entries in order, then options in edge order (the order
    ``networkx.all_simple_paths`` gives). ``max_length`` counts steps, entry
    and outcome included. A step is only taken when the path can still end
    at an outcome within the bounds, so the work grows with ``max_paths``,
    never with the number of paths there are: each listed path costs time
    linear in the journey's size, plus a search of a loop for each option
    tried inside it after backtracking (with ``max_length``, a
    breadth-first search of the loop, at most that deep, for each step taken
    inside it). ``truncated`` says exactly whether some simple path was left
    out, by ``max_paths`` or by ``max_length``. A listed path's probability
    is the entry's weight times the known probabilities along it (None when
    a step on it has none); on a journey without loops they add up to the
    share of journeys that end at an outcome.

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.analyses.branches import branches
>>> j = cx.Journey(id="j", name="Shop",
...     touchpoints=[cx.Touchpoint(id="visit", name="Visit"),
...                  cx.Touchpoint(id="pay", name="Pay")],
...     decision_points=[cx.DecisionPoint(id="buy", name="Buy?", decided_by="customer")],
...     outcomes=[cx.Outcome(id="sold", name="Sold", kind="success"),
...               cx.Outcome(id="left", name="Left", kind="exit")],
...     transitions=[cx.Transition(source="visit", target="buy"),
...                  cx.Transition(source="buy", target="pay", probability=0.3),
...                  cx.Transition(source="buy", target="left", probability=0.7),
...                  cx.Transition(source="pay", target="sold")])
>>> result = branches(j)
>>> result.path_count, [p.steps for p in result.paths]
(2, [('visit', 'buy', 'pay', 'sold'), ('visit', 'buy', 'left')])
>>> print(result.describe(result[0]))
'Buy?' (buy), decided by the customer: 'Pay' (pay) 30%, 'Left' (left) 70%
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import networkx as nx
from attrs import field, frozen

from cxgraph._util.cache import cached
from cxgraph._util.dominators import strongly_connected_components
from cxgraph._util.numbers import count_text
from cxgraph._util.results import plain
from cxgraph.analyses.flow import require_journey, shared_customer_flow, step_label
from cxgraph.analyses.markov import _weigh
from cxgraph.analyses.results import AnalysisResult
from cxgraph.graph import compile_graph, entry_weights
from cxgraph.model.classes import Journey

__all__ = ["Branches", "DecisionBranch", "JourneyPath", "branches", "known_probabilities"]

_INF = math.inf
#: The bases on which a step's probabilities are data rather than a guess.
_KNOWN = ("probability", "count")


@frozen(kw_only=True)
class DecisionBranch:
    """One decision point and its options.

    ``options`` are the steps it leads to in edge order, ``labels`` the
    labels of those edges, ``probabilities`` the known probability of each
    option in the same order (None when there are several and they carry
    neither probabilities nor counts).
    """

    decision: str
    name: str
    decided_by: str
    owner: str | None
    question: str
    options: tuple[str, ...]
    labels: tuple[str, ...]
    probabilities: tuple[float, ...] | None


@frozen(kw_only=True)
class JourneyPath:
    """One simple path from an entry to an outcome.

    ``probability`` is the share of journeys that follow exactly this
    sequence of steps: the entry's weight times the probability of each
    move, or None when a step on it has no known probabilities.
    """

    steps: tuple[str, ...]
    outcome: str
    outcome_kind: str
    probability: float | None


_DECIDED = {
    "customer": "decided by the customer",
    "employee": "decided by staff",
    "automated": "decided automatically",
}


@frozen(kw_only=True, repr=False)
class Branches(AnalysisResult[DecisionBranch]):
    """Decision points (the findings, by id), path counts, loops and listed paths.

    ``path_count`` counts entry-to-outcome paths on the condensation (see
    the module docstring: a loop counts once); ``dead_end_count`` counts, the
    same way, the paths from an entry that end without an outcome (at a step
    with no way on, or in a loop with no way out). ``loops`` lists the
    strongly connected components with more than one step or a self-loop,
    each as its sorted step ids. ``paths`` are the listed simple paths
    (:meth:`path_records` gives them as dicts), ``truncated`` whether
    ``max_paths`` or ``max_length`` (the bounds used, kept here) left any out.
    """

    name: ClassVar[str] = "branches"
    title: ClassVar[str] = "Branches and paths"

    path_count: int
    dead_end_count: int
    loops: tuple[tuple[str, ...], ...]
    paths: tuple[JourneyPath, ...]
    truncated: bool
    max_paths: int
    max_length: int | None
    step_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)
    owner_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)

    def path_records(self) -> list[dict[str, Any]]:
        """The listed paths as a list of JSON-friendly dicts, in order."""
        return [plain(p) for p in self.paths]

    def describe(self, finding: DecisionBranch) -> str:
        """The decision by name, who decides and its options with their probabilities."""
        who = _DECIDED.get(finding.decided_by, f"decided by {finding.decided_by}")
        if finding.owner is not None:
            who += f" ({self.owner_names.get(finding.owner, finding.owner)})"
        question = f", asks {finding.question!r}" if finding.question else ""
        probs = finding.probabilities or (None,) * len(finding.options)
        options = [
            step_label(self.step_names, o) + ("" if p is None else f" {p:.0%}")
            for o, p in zip(finding.options, probs, strict=True)
        ]
        listed = ", ".join(options) if options else "no options"
        return f"{step_label(self.step_names, finding.decision)}, {who}{question}: {listed}"

    def summary(self) -> str:
        """How many decision points, paths, loops and listed paths."""
        n = len(self.findings)
        loops = len(self.loops)
        text = (
            f"{n} decision point{'s' if n != 1 else ''}; {count_text(self.path_count)} "
            f"path{'s' if self.path_count != 1 else ''} from entries to outcomes"
        )
        if loops:
            text += f" ({loops} loop{'s' if loops != 1 else ''}, each counted once)"
        if self.dead_end_count:
            text += f", {self.dead_end_count:,} ending without an outcome"
        listed = len(self.paths)
        text += f"; {listed:,} listed"
        if self.truncated:
            text += " (truncated)"
        return text


def known_probabilities(graph: nx.DiGraph[str]) -> dict[tuple[str, str], float]:
    """The known probability of every customer-flow edge of a compiled journey.

    Out of each step, resolved as :func:`cxgraph.analyses.markov.markov`
    does: its edges' ``probability`` values when given, else their ``count``
    values as proportions of the sum (when every edge has one and the sum is
    positive); a single way out with no numbers is certain. Other steps
    contribute no edges: an equal split is a guess, not a known probability.

    Parameters
    ----------
    G
        A graph made by :func:`cxgraph.compile_graph`.

    Returns
    -------
    dict
        ``(source, target) -> probability``.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id=s, name=s) for s in "abcd"],
    ...     transitions=[cx.Transition(source="a", target="b", count=3),
    ...                  cx.Transition(source="a", target="c", count=1),
    ...                  cx.Transition(source="b", target="c"),
    ...                  cx.Transition(source="b", target="d"),
    ...                  cx.Transition(source="c", target="d")])
    >>> known_probabilities(cx.compile_graph(j))
    {('a', 'b'): 0.75, ('a', 'c'): 0.25, ('c', 'd'): 1.0}
    """
    return dict(_shared_known(graph))


def _shared_known(graph: nx.DiGraph[str]) -> dict[tuple[str, str], float]:
    """The known probabilities, made once inside ``analyze`` (read-only)."""
    return cached(graph, "known_probabilities", lambda: _known(graph, shared_customer_flow(graph)))


def _known(graph: nx.DiGraph[str], flow: nx.DiGraph[str]) -> dict[tuple[str, str], float]:
    """:func:`known_probabilities`, given the customer flow already built."""
    out: dict[tuple[str, str], float] = {}
    adj = dict(graph.adjacency())
    for u, nbrs in flow.adjacency():
        if len(nbrs) == 1:
            # One way out is certain whatever it says (most steps at scale).
            out[u, next(iter(nbrs))] = 1.0
            continue
        targets = list(nbrs)
        if not targets:
            continue
        edges = [adj[u][v] for v in targets]
        weights, basis = _weigh([e["probability"] for e in edges], [e["count"] for e in edges])
        if basis in _KNOWN or len(targets) == 1:
            out.update(zip(((u, v) for v in targets), weights, strict=True))
    return out


def _check_bounds(max_paths: object, max_length: object) -> None:
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 1:
        msg = f"max_paths must be a positive integer, got {max_paths!r}"
        raise ValueError(msg)
    if max_length is not None and (
        isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1
    ):
        msg = (
            f"max_length must be a positive integer (a number of steps) or None, got {max_length!r}"
        )
        raise ValueError(msg)


class _Paths:
    """Depth-first listing of simple paths, pruned so every step taken can finish.

    A step is only taken when some simple path from it reaches an outcome
    (within the length bound) without revisiting the path so far, so every
    step taken leads to a listed path. Outside a loop that is a static
    question: the path so far lies in earlier components of the condensation
    and cannot be in the way. Inside a loop it is answered by a search within
    the loop's component around the steps already used:

    - without a length bound, a depth-first search in edge order, whose
      route is a *plan*: its next step is the first option the listing would
      find viable (options it passed over reach nothing), so the listing
      follows the plan without searching again until it backtracks; a path
      through a loop of n steps costs O(n) rather than O(n²);
    - with a length bound, a breadth-first search for the fewest moves left,
      so a cut by ``max_length`` is known exactly.
    """

    def __init__(
        self,
        flow: nx.DiGraph[str],
        outcomes: Mapping[str, str],
        probs: Mapping[tuple[str, str], float],
        weights: Mapping[str, float],
        comp: Mapping[str, int],
        members: Mapping[int, frozenset[str]],
    ) -> None:
        self.outcomes = outcomes
        self.probs = probs
        self.weights = weights
        self.comp = comp
        # Self-loops never lie on a simple path.
        self.succ = {u: [v for v in flow.successors(u) if v != u] for u in flow}
        self.cyclic = {c for c, m in members.items() if len(m) > 1}
        self.dist = self._distances(flow)
        self.exit_cost: dict[str, float] = {}
        for u in flow:
            if comp[u] in self.cyclic:
                self.exit_cost[u] = min(
                    (1 + self.dist[v] for v in self.succ[u] if comp[v] != comp[u]), default=_INF
                )
        self.busy: dict[int, int] = {}
        self.truncated = False

    def _distances(self, flow: nx.DiGraph[str]) -> dict[str, float]:
        """Fewest moves from each step to any outcome (inf when none is reachable)."""
        dist: dict[str, float] = dict.fromkeys(flow, _INF)
        frontier = [o for o in self.outcomes if o in flow]
        for o in frontier:
            dist[o] = 0
        d = 0
        while frontier:
            d += 1
            nxt = []
            for v in frontier:
                for u in flow.predecessors(v):
                    if dist[u] == _INF:
                        dist[u] = d
                        nxt.append(u)
            frontier = nxt
        return dist

    def _inside(self, v: str) -> bool:
        """Whether ``v`` is in a loop the path already uses (static answers fail there)."""
        c = self.comp[v]
        return c in self.cyclic and self.busy.get(c, 0) > 0

    def shortest(self, v: str, on_path: set[str]) -> float:
        """Fewest moves from ``v`` to an outcome without touching ``on_path``."""
        if not self._inside(v):
            return self.dist[v]
        c = self.comp[v]
        best = self.exit_cost[v]
        seen = {v}
        frontier = [v]
        d = 0
        # Every exit costs at least one more move, so the next level (at
        # distance d + 1) can only help while d + 2 < best.
        while frontier and d + 2 < best:
            d += 1
            nxt = []
            for w in frontier:
                for x in self.succ[w]:
                    if self.comp[x] == c and x not in seen and x not in on_path:
                        seen.add(x)
                        nxt.append(x)
                        best = min(best, d + self.exit_cost[x])
            frontier = nxt
        return best

    def plan(self, v: str, on_path: set[str]) -> list[str] | None:
        """A route from ``v`` out of its loop around ``on_path``, found in edge order.

        Ends with the first step outside the loop (from which an outcome is
        reachable); None when there is no way out.
        """
        c = self.comp[v]
        seen = {v}
        stack = [(v, iter(self.succ[v]))]
        while stack:
            for x in stack[-1][1]:
                if self.comp[x] != c:
                    if self.dist[x] < _INF:
                        return [w for w, _ in stack] + [x]
                elif x not in seen and x not in on_path:
                    seen.add(x)
                    stack.append((x, iter(self.succ[x])))
                    break
            else:
                stack.pop()
        return None

    def _fits(self, v: str, on_path: set[str], steps_after: int, max_length: float) -> bool:
        """Whether a path can go on through ``v``; notes a cut by the length bound."""
        d = self.shortest(v, on_path)
        if d == _INF:
            return False
        if steps_after + d > max_length:
            self.truncated = True
            return False
        return True

    def _enter(self, v: str, path: list[str], on_path: set[str]) -> None:
        path.append(v)
        on_path.add(v)
        self.busy[self.comp[v]] = self.busy.get(self.comp[v], 0) + 1

    def _leave(self, path: list[str], on_path: set[str]) -> None:
        v = path.pop()
        on_path.discard(v)
        self.busy[self.comp[v]] -= 1

    def _next(
        self, u: str, plan: tuple[list[str], int] | None, on_path: set[str], limit: float, n: int
    ) -> tuple[bool, tuple[list[str], int] | None]:
        """Whether option ``u`` can be taken from a path of ``n`` steps, and its plan."""
        if plan is not None:
            route, i = plan
            # Options before the planned one reach nothing (see the class docstring).
            if u != route[i + 1]:
                return False, None
            return True, ((route, i + 1) if i + 2 < len(route) else None)
        if u in on_path:
            return False, None
        if limit == _INF and self._inside(u):
            fresh = self.plan(u, on_path)
            return fresh is not None, (None if fresh is None else (fresh, 0))
        return self._fits(u, on_path, n + 1, limit), None

    def listed(self, max_paths: int, max_length: int | None) -> list[JourneyPath]:
        """Up to ``max_paths`` simple paths of at most ``max_length`` steps."""
        limit: float = _INF if max_length is None else max_length
        found: list[JourneyPath] = []
        for entry, weight in self.weights.items():
            path: list[str] = []
            on_path: set[str] = set()
            if not self._fits(entry, on_path, 1, limit):
                continue
            self._enter(entry, path, on_path)
            # Per step of the path: the probability of the prefix (None once
            # a move is unknown), the options left and the plan, if any.
            prob: list[float | None] = [weight]
            stack: list[Iterator[str]] = [iter(self.succ[entry])]
            plans: list[tuple[list[str], int] | None] = [None]
            if entry in self.outcomes and not self._emit(path, prob[-1], found, max_paths):
                return found
            while stack:
                for v in stack[-1]:
                    ok, plan = self._next(v, plans[-1], on_path, limit, len(path))
                    if not ok:
                        continue
                    # The plan is used up once followed; other options are searched.
                    plans[-1] = None
                    p = self.probs.get((path[-1], v))
                    last = prob[-1]
                    prob.append(None if last is None or p is None else last * p)
                    self._enter(v, path, on_path)
                    stack.append(iter(self.succ[v]))
                    plans.append(plan)
                    if v in self.outcomes and not self._emit(path, prob[-1], found, max_paths):
                        return found
                    break
                else:
                    stack.pop()
                    prob.pop()
                    plans.pop()
                    self._leave(path, on_path)
        return found

    def _emit(
        self, path: list[str], prob: float | None, found: list[JourneyPath], max_paths: int
    ) -> bool:
        """Keep a finished path; False (and truncated) when it is one too many."""
        if len(found) >= max_paths:
            self.truncated = True
            return False
        out = path[-1]
        found.append(
            JourneyPath(
                steps=tuple(path), outcome=out, outcome_kind=self.outcomes[out], probability=prob
            )
        )
        return True


def branches(
    journey: Journey, *, max_paths: int = 10_000, max_length: int | None = None
) -> Branches:
    """Return the decision points, the exact path count, the loops and the paths.

    Parameters
    ----------
    journey
        The journey to analyse.
    max_paths
        List at most this many paths (a positive integer). The count is
        exact whatever this is.
    max_length
        List only paths of at most this many steps, entry and outcome
        included (a positive integer), or None for no bound.

    Returns
    -------
    Branches
        One finding per decision point (``decision, name, decided_by, owner,
        question, options, labels, probabilities``), sorted by id; and
        ``path_count``, ``dead_end_count``, ``loops``, ``paths`` and
        ``truncated`` (see the module docstring for what a path is).

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        If ``max_paths`` or ``max_length`` is not a positive integer.

    Examples
    --------
    A chain of 60 two-way forks has 2**60 paths; they are counted, not
    listed:

    >>> import cxgraph as cx
    >>> edges = []
    >>> for i in range(60):
    ...     edges += [cx.Transition(source=f"s{i}", target=f"x{i}"),
    ...               cx.Transition(source=f"s{i}", target=f"y{i}"),
    ...               cx.Transition(source=f"x{i}", target=f"s{i + 1}"),
    ...               cx.Transition(source=f"y{i}", target=f"s{i + 1}")]
    >>> j = cx.Journey(id="forks", name="Forks",
    ...     touchpoints=[cx.Touchpoint(id=f"{c}{i}", name=f"{c}{i}")
    ...                  for i in range(60) for c in "sxy"],
    ...     outcomes=[cx.Outcome(id="s60", name="Done", kind="success")],
    ...     transitions=edges)
    >>> result = branches(j, max_paths=3)
    >>> result.path_count == 2**60, len(result.paths), result.truncated
    (True, 3, True)
    >>> branches(j, max_paths=0)
    Traceback (most recent call last):
    ...
    ValueError: max_paths must be a positive integer, got 0
    """
    journey = require_journey(journey, "branches")
    _check_bounds(max_paths, max_length)
    graph = compile_graph(journey)
    flow = shared_customer_flow(graph)
    probs = _shared_known(graph)
    weights, _ = entry_weights(journey)
    outcomes = {o.id: o.kind for o in journey.outcomes}

    # The loops, numbered so that every edge between two goes to a lower
    # number (Tarjan on integers; networkx's condensation gives the same
    # components at several times the cost).
    steps = list(flow)
    index = {s: k for k, s in enumerate(steps)}
    step_succ = [[index[v] for v in nbrs] for _, nbrs in flow.adjacency()]
    comp_of = strongly_connected_components(step_succ)
    comp: dict[str, int] = dict(zip(steps, comp_of, strict=True))
    grouped: list[list[str]] = [[] for _ in range(max(comp_of, default=-1) + 1)]
    cond_succ: list[set[int]] = [set() for _ in grouped]
    for k, c in enumerate(comp_of):
        grouped[c].append(steps[k])
        cond_succ[c].update(comp_of[v] for v in step_succ[k] if comp_of[v] != c)
    members = {c: frozenset(m) for c, m in enumerate(grouped)}
    # Paths to an outcome and paths that end without one, from each
    # component, summed over its successors in reverse topological order.
    to_outcome: dict[int, int] = {}
    to_dead_end: dict[int, int] = {}
    for c in range(len(grouped)):
        succ = cond_succ[c]
        only = next(iter(members[c])) if len(members[c]) == 1 else None
        if only is not None and only in outcomes:
            to_outcome[c], to_dead_end[c] = 1, 0
        elif not succ:
            to_outcome[c], to_dead_end[c] = 0, 1
        else:
            to_outcome[c] = sum(to_outcome[s] for s in succ)
            to_dead_end[c] = sum(to_dead_end[s] for s in succ)
    path_count = sum(to_outcome[comp[e]] for e in weights)
    dead_end_count = sum(to_dead_end[comp[e]] for e in weights)
    loops = sorted(
        tuple(sorted(m))
        for m in members.values()
        if len(m) > 1 or any(flow.has_edge(s, s) for s in m)
    )

    lister = _Paths(flow, outcomes, probs, weights, comp, members)
    paths = lister.listed(max_paths, max_length)

    findings = []
    for d in sorted(journey.decision_points, key=lambda d: d.id):
        options = tuple(flow.successors(d.id))
        known = [probs.get((d.id, v)) for v in options]
        findings.append(
            DecisionBranch(
                decision=d.id,
                name=d.name,
                decided_by=d.decided_by,
                owner=d.owner,
                question=d.question,
                options=options,
                labels=tuple(graph.adj[d.id][v]["label"] for v in options),
                probabilities=(
                    tuple(p for p in known if p is not None)
                    if options and all(p is not None for p in known)
                    else None
                ),
            )
        )
    return Branches(
        findings=tuple(findings),
        path_count=path_count,
        dead_end_count=dead_end_count,
        loops=tuple(loops),
        paths=tuple(paths),
        truncated=lister.truncated,
        max_paths=max_paths,
        max_length=max_length,
        step_names=MappingProxyType({s.id: s.name for s in journey.steps}),
        owner_names=MappingProxyType({o.id: o.name for o in journey.owners}),
    )
