"""Whole-journey checks: unique ids, references, owner cycles, deciders, weights.

They run on a built Journey (``Journey`` runs them after construction) and
on the stand-in that :mod:`cxgraph.model.validation` adapts from a raw
document, and report problems in document order.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cxgraph._util.text import choices_text
from cxgraph.errors import Problem

if TYPE_CHECKING:
    from cxgraph.model.classes import Journey

PROBABILITY_TOLERANCE = 1e-9


def in_document_order(problems: Iterable[Problem], doc: Any) -> list[Problem]:
    """Sort problems by where their paths point in ``doc`` (stable for ties).

    A key ranks by its position among its mapping's keys, a list item by its
    index; a path to something absent (a missing required field) ranks first
    in its container, where the container starts.
    """
    return sorted(problems, key=lambda p: _rank(p.path, doc))


_TOKEN_RE = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _rank(path: str, doc: Any) -> tuple[int, ...]:
    out: list[int] = []
    node = doc
    for m in _TOKEN_RE.finditer(path, 1):
        key, index = m.group(1), m.group(2)
        if key is not None and isinstance(node, Mapping) and key in node:
            out.append(list(node).index(key))
            node = node[key]
        elif index is not None and isinstance(node, list | tuple) and int(index) < len(node):
            out.append(int(index))
            node = node[int(index)]
        else:
            out.append(-1)
            node = None
    return tuple(out)


# -- whole journeys ---------------------------------------------------------


def _unique(
    items: Sequence[Any], path: str, noun: str, out: list[Problem], seen: dict[str, str]
) -> None:
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        if not isinstance(item.id, str):
            continue
        if item.id in seen:
            why = (
                "touchpoints, decision points and outcomes share one set of ids, so give "
                "each step its own"
                if noun == "step"
                else f"give each {noun} its own id"
            )
            out.append(
                Problem(
                    f"{where}.id",
                    "duplicate",
                    f"duplicate {noun} id {item.id!r} (first at {seen[item.id]}): {why}",
                )
            )
        else:
            seen[item.id] = where


def _ref(
    value: str | None,
    known: Mapping[str, Any],
    noun: str,
    path: str,
    out: list[Problem],
    unsure: frozenset[str],
) -> None:
    if value is None or value in known or noun in unsure:
        return
    if known:
        text = f"unknown {noun} {value!r} {choices_text(value, list(known))}"
    else:
        text = f"unknown {noun} {value!r}: the journey has no {noun}s yet"
        if noun != "step":
            text += f" (add it under {noun}s)"
    out.append(Problem(path, "reference", text))


def owner_cycle(owners: Mapping[str, str | None], start: str) -> list[str] | None:
    """The cycle of parents reached from ``start``, or None if the chain ends."""
    chain: list[str] = []
    pos: dict[str, int] = {}
    cur: str | None = start
    while cur is not None and cur in owners:
        if cur in pos:
            return chain[pos[cur] :]
        pos[cur] = len(chain)
        chain.append(cur)
        cur = owners[cur]
    return None


def journey_problems(j: Journey) -> list[Problem]:
    """Check a journey whole; return every problem, in document order.

    Checks unique ids (steps share one set), references with the known
    choices, ``decided_by`` against ``owner``, owner parent cycles, duplicate
    edges, edges out of outcomes, and probabilities (on all edges out of a step
    or none, summing to 1; the same for entries).

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J")
    >>> journey_problems(j)
    []
    """
    problems = _journey_checks(j, frozenset())
    if not problems:
        return problems
    return in_document_order(problems, j.to_dict())


def _journey_checks(j: Any, unsure: frozenset[str]) -> list[Problem]:
    """The whole-journey checks, on a Journey or a stand-in built by :func:`_adapt`."""
    out: list[Problem] = []
    ids: dict[str, dict[str, str]] = {}
    for name, noun in (
        ("personas", "persona"),
        ("phases", "phase"),
        ("owners", "owner"),
        ("channels", "channel"),
        ("systems", "system"),
        ("dimensions", "dimension"),
    ):
        seen: dict[str, str] = {}
        _unique(getattr(j, name), f"$.{name}", noun, out, seen)
        ids[noun] = seen
    steps: dict[str, str] = {}
    for name in ("touchpoints", "decision_points", "outcomes"):
        _unique(getattr(j, name), f"$.{name}", "step", out, steps)
    ids["step"] = steps

    def ref(value: str | None, noun: str, path: str) -> None:
        _ref(value, ids[noun], noun, path, out, unsure)

    for i, ph in enumerate(j.phases):
        ref(ph.owner, "owner", f"$.phases[{i}].owner")
    parents = {o.id: o.parent for o in j.owners if isinstance(o.id, str)}
    reported: set[frozenset[str]] = set()
    for i, o in enumerate(j.owners):
        ref(o.parent, "owner", f"$.owners[{i}].parent")
        cycle = owner_cycle(parents, o.id) if isinstance(o.id, str) else None
        if cycle is not None and cycle[0] == o.id and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            if len(cycle) == 1:
                text = (
                    f"owner {o.id!r} is its own parent: remove the parent (an owner with no "
                    "parent is a silo)"
                )
            else:
                chain = " -> ".join(repr(c) for c in [*cycle, cycle[0]])
                text = (
                    f"owner parents form a cycle {chain}: remove the parent of one of them "
                    "(a silo is the root of a parent chain, so every chain must end)"
                )
            out.append(Problem(f"$.owners[{i}].parent", "cycle", text))
    for i, s in enumerate(j.systems):
        ref(s.owner, "owner", f"$.systems[{i}].owner")
    for i, t in enumerate(j.touchpoints):
        p = f"$.touchpoints[{i}]"
        ref(t.phase, "phase", f"{p}.phase")
        ref(t.owner, "owner", f"{p}.owner")
        ref(t.channel, "channel", f"{p}.channel")
        for k, pid in enumerate(t.personas):
            ref(pid, "persona", f"{p}.personas[{k}]")
        ref(t.dimension, "dimension", f"{p}.dimension")
        for k, sid in enumerate(t.systems):
            ref(sid, "system", f"{p}.systems[{k}]")
    for i, d in enumerate(j.decision_points):
        p = f"$.decision_points[{i}]"
        ref(d.phase, "phase", f"{p}.phase")
        ref(d.owner, "owner", f"{p}.owner")
        ref(d.dimension, "dimension", f"{p}.dimension")
        out += _decider_problems(d, p)
    for i, oc in enumerate(j.outcomes):
        ref(oc.dimension, "dimension", f"$.outcomes[{i}].dimension")

    outcome_ids = {o.id for o in j.outcomes}
    for i, e in enumerate(j.entries):
        ref(e.step, "step", f"$.entries[{i}].step")
    out += _weight_problems(
        [(f"$.entries[{i}]", repr(e.step), e.probability) for i, e in enumerate(j.entries)],
        "of the entries",
        "entries",
    )

    pairs: dict[tuple[str, str], str] = {}
    flow_out: dict[str, list[tuple[str, str, float | None]]] = defaultdict(list)
    for name, noun in (("transitions", "transition"), ("handoffs", "hand-off"), ("triggers", "")):
        for i, e in enumerate(getattr(j, name)):
            p = f"$.{name}[{i}]"
            ref(e.source, "step", f"{p}.source")
            ref(e.target, "step", f"{p}.target")
            if name != "transitions":
                ref(e.owner, "owner", f"{p}.owner")
            if e.source is None or e.target is None:
                continue
            key = (e.source, e.target)
            if key in pairs:
                out.append(
                    Problem(
                        p,
                        "duplicate_edge",
                        f"a second edge from {e.source!r} to {e.target!r} (the first is "
                        f"{pairs[key]}): two steps are joined by at most one transition, "
                        "hand-off or trigger, so merge them",
                    )
                )
            else:
                pairs[key] = p
            if noun:
                if e.source in outcome_ids:
                    out.append(
                        Problem(
                            f"{p}.source",
                            "terminal",
                            f"outcome {e.source!r} ends the journey, so no {noun} can "
                            "leave it: make it a touchpoint, or start the follow-up flow with "
                            "a trigger",
                        )
                    )
                flow_out[e.source].append((p, f"{e.source!r} -> {e.target!r}", e.probability))
    for source, edges in flow_out.items():
        out += _weight_problems(edges, f"out of {source!r}", "edges")
    return out


def _decider_problems(d: Any, p: str) -> list[Problem]:
    """``decided_by`` against ``owner``: customers decide alone, others are owned."""
    if d.decided_by == "customer" and d.owner is not None:
        return [
            Problem(
                f"{p}.owner",
                "decided_by",
                f"decision {d.id!r} is decided by the customer, so it has no owner "
                f"(got {d.owner!r}): remove the owner, or set decided_by to "
                "'employee' or 'automated'",
            )
        ]
    if d.decided_by in ("employee", "automated") and d.owner is None:
        return [
            Problem(
                f"{p}.owner",
                "decided_by",
                f"decision {d.id!r} is decided by {d.decided_by!r}, so it needs an owner: "
                "set owner to the team, role or system accountable for it",
            )
        ]
    return []


def _weight_problems(
    edges: Sequence[tuple[str, str, float | None]], where: str, items: str
) -> list[Problem]:
    """Probabilities on all items or none, summing to 1 where given.

    ``edges`` holds (path, label, probability) triples; ``where`` says whose
    probabilities they are, ``items`` what the items are called.
    """
    given = [(p, v) for p, _, v in edges if v is not None]
    # An unusable probability was reported already; a sum without it means nothing.
    if not given or any(math.isnan(v) for _, v in given):
        return []
    if len(given) != len(edges):
        missing = [(p, label) for p, label, v in edges if v is None]
        names = ", ".join(label for _, label in missing)
        return [
            Problem(
                missing[0][0],
                "probability",
                f"probabilities {where} are given on {len(given)} of {len(edges)} {items} "
                f"(missing on {names}): give them on all or on none",
            )
        ]
    total = math.fsum(v for _, v in given)
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        return [
            Problem(
                given[0][0],
                "probability_sum",
                f"probabilities {where} sum to {total:.12g}, not 1: make them add up to 1, "
                "or leave them all out",
            )
        ]
    return []
