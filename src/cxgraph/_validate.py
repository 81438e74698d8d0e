"""Whole-journey checks: collect every problem, then raise once.

Two layers, both returning lists of :class:`~cxgraph.Problem` with ``$.`` paths:

- :func:`document_problems` checks a raw file document (types, required and
  unknown keys, enums, patterns, ranges, the ``cxgraph`` version), driven by
  the field rules the model carries;
- :func:`journey_problems` checks a built journey as a whole (unique ids,
  references, probabilities, owner cycles, ``decided_by`` against ``owner``).

A file is checked by both, the first layer stopping the second only where a
later check could not make sense of the data.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cxgraph import _fields as F
from cxgraph.errors import CxgraphWarning, JourneyValidationError, Problem

if TYPE_CHECKING:
    from cxgraph.model import Journey

__all__ = ["document_problems", "journey_problems", "validate"]

FORMAT_VERSION = "1.0"
SUPPORTED_MAJOR = 1
SUPPORTED_MINOR = 0
PROBABILITY_TOLERANCE = 1e-9

#: Journey fields written under the ``journey:`` key of a file.
JOURNEY_HEADER = ("id", "name", "version", "state", "description")
#: Journey fields written as top-level lists, in file order.
JOURNEY_LISTS = (
    "personas",
    "phases",
    "owners",
    "channels",
    "systems",
    "dimensions",
    "touchpoints",
    "decision_points",
    "outcomes",
    "entries",
    "transitions",
    "handoffs",
    "triggers",
)
TOP_LEVEL_KEYS = ("cxgraph", "$schema", "journey", *JOURNEY_LISTS, "extensions")

_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")


# -- raw documents ----------------------------------------------------------


def version_problems(value: Any) -> list[Problem]:
    """Check the ``cxgraph`` format version; warn for a newer minor version."""
    path = "$.cxgraph"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return [
            Problem(
                path,
                "version",
                f'expected the format version as a string, got {F.describe(value)}: '
                f'write cxgraph: "{value}" with quotes (YAML reads 1.0 unquoted as a number)',
            )
        ]
    if not isinstance(value, str):
        return [
            Problem(
                path,
                "version",
                f'expected the format version as a string such as "{FORMAT_VERSION}", '
                f"got {F.describe(value)}",
            )
        ]
    m = _VERSION_RE.match(value)
    if m is None:
        return [
            Problem(
                path,
                "version",
                f'invalid format version {value!r}: expected "MAJOR.MINOR" such as '
                f'"{FORMAT_VERSION}"',
            )
        ]
    major, minor = int(m.group(1)), int(m.group(2))
    if major != SUPPORTED_MAJOR:
        return [
            Problem(
                path,
                "version",
                f"unsupported format version {value!r}: this cxgraph reads version "
                f"{SUPPORTED_MAJOR}.x files (written as \"{FORMAT_VERSION}\")",
            )
        ]
    if minor > SUPPORTED_MINOR:
        warnings.warn(
            f"journey file has format version {value}, newer than this cxgraph's "
            f"{FORMAT_VERSION}; fields it does not know will be rejected",
            CxgraphWarning,
            stacklevel=4,
        )
    return []


def document_problems(doc: Any) -> list[Problem]:
    """Check a raw document in the file's shape; return every problem found.

    Examples
    --------
    >>> for p in document_problems({"cxgraph": 1.0, "journey": {"id": "x y"}}):
    ...     print(p)
    $.cxgraph: expected the format version as a string, got number 1.0: write cxgraph: "1.0" with quotes (YAML reads 1.0 unquoted as a number)
    $.journey.id: invalid id 'x y': use only letters, digits and _ . : - (no spaces), at least one character
    $.journey.name: missing required field 'name'
    """  # noqa: E501
    from cxgraph.model import Journey

    if not isinstance(doc, Mapping):
        extra = " (the document is empty)" if doc is None else ""
        return [
            Problem(
                "$",
                "type",
                f"expected a mapping with 'cxgraph' and 'journey' at the top level, "
                f"got {F.describe(doc)}{extra}",
            )
        ]
    out: list[Problem] = []
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            out.append(F.unknown_key(key, TOP_LEVEL_KEYS, "$"))
    if "cxgraph" in doc:
        out += version_problems(doc["cxgraph"])
    else:
        out.append(
            Problem(
                "$.cxgraph",
                "required",
                f'missing required field \'cxgraph\': add cxgraph: "{FORMAT_VERSION}" '
                "at the top",
            )
        )
    if "$schema" in doc and not isinstance(doc["$schema"], str):
        out.append(
            Problem("$.$schema", "type", f"expected a string, got {F.describe(doc['$schema'])}")
        )
    rules = F.field_rules(Journey)
    header = doc.get("journey")
    if "journey" not in doc:
        out.append(Problem("$.journey", "required", "missing required field 'journey'"))
    elif not isinstance(header, Mapping):
        out.append(
            Problem(
                "$.journey",
                "type",
                f"expected a mapping with the journey's id and name, got {F.describe(header)}",
            )
        )
    else:
        for key in header:
            if key not in JOURNEY_HEADER:
                hint = " (lists such as touchpoints go at the top level)" if (
                    key in JOURNEY_LISTS
                ) else ""
                p = F.unknown_key(key, JOURNEY_HEADER, "$.journey")
                out.append(Problem(p.path, p.code, p.message + hint))
        for name in JOURNEY_HEADER:
            rule, required = rules[name]
            if name in header:
                out += rule.raw(header[name], f"$.journey.{name}")
            elif required:
                out.append(
                    Problem(f"$.journey.{name}", "required", f"missing required field {name!r}")
                )
    for name in (*JOURNEY_LISTS, "extensions"):
        if name in doc:
            out += rules[name][0].raw(doc[name], f"$.{name}")
    return out


# -- whole journeys ---------------------------------------------------------


def _unique(
    items: Sequence[Any], path: str, noun: str, out: list[Problem], seen: dict[str, str]
) -> None:
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        if item.id in seen:
            out.append(
                Problem(
                    f"{where}.id",
                    "duplicate",
                    f"duplicate {noun} id {item.id!r} (first at {seen[item.id]})",
                )
            )
        else:
            seen[item.id] = where


def _ref(
    value: str | None, known: Mapping[str, Any], noun: str, path: str, out: list[Problem]
) -> None:
    if value is not None and value not in known:
        out.append(
            Problem(path, "reference", f"unknown {noun} {value!r} {F.choices_text(value, list(known))}")
        )


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
    """Check a journey whole; return every problem, in document order."""
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
        ids[name] = seen
    steps: dict[str, str] = {}
    for name in ("touchpoints", "decision_points", "outcomes"):
        _unique(getattr(j, name), f"$.{name}", "step", out, steps)
    personas, phases, owners = ids["personas"], ids["phases"], ids["owners"]
    channels, systems, dims = ids["channels"], ids["systems"], ids["dimensions"]

    for i, ph in enumerate(j.phases):
        _ref(ph.owner, owners, "owner", f"$.phases[{i}].owner", out)
    parents = {o.id: o.parent for o in j.owners}
    reported: set[frozenset[str]] = set()
    for i, o in enumerate(j.owners):
        _ref(o.parent, owners, "owner", f"$.owners[{i}].parent", out)
        cycle = owner_cycle(parents, o.id)
        if cycle is not None and cycle[0] == o.id and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            text = " -> ".join(repr(c) for c in [*cycle, cycle[0]])
            out.append(
                Problem(
                    f"$.owners[{i}].parent",
                    "cycle",
                    f"owner parents form a cycle {text}: a silo is the root of a parent "
                    "chain, so one owner in the cycle needs no parent",
                )
            )
    for i, s in enumerate(j.systems):
        _ref(s.owner, owners, "owner", f"$.systems[{i}].owner", out)
    for i, t in enumerate(j.touchpoints):
        p = f"$.touchpoints[{i}]"
        _ref(t.phase, phases, "phase", f"{p}.phase", out)
        _ref(t.owner, owners, "owner", f"{p}.owner", out)
        _ref(t.channel, channels, "channel", f"{p}.channel", out)
        for k, pid in enumerate(t.personas):
            _ref(pid, personas, "persona", f"{p}.personas[{k}]", out)
        _ref(t.dimension, dims, "dimension", f"{p}.dimension", out)
        for k, sid in enumerate(t.systems):
            _ref(sid, systems, "system", f"{p}.systems[{k}]", out)
    for i, d in enumerate(j.decision_points):
        p = f"$.decision_points[{i}]"
        _ref(d.phase, phases, "phase", f"{p}.phase", out)
        _ref(d.owner, owners, "owner", f"{p}.owner", out)
        _ref(d.dimension, dims, "dimension", f"{p}.dimension", out)
        if d.decided_by == "customer" and d.owner is not None:
            out.append(
                Problem(
                    f"{p}.owner",
                    "decided_by",
                    f"decision {d.id!r} is decided by the customer, so it has no owner "
                    f"(got {d.owner!r}): remove the owner, or set decided_by to "
                    "'employee' or 'automated'",
                )
            )
        elif d.decided_by != "customer" and d.owner is None:
            out.append(
                Problem(
                    f"{p}.owner",
                    "decided_by",
                    f"decision {d.id!r} is decided by {d.decided_by!r}, so it needs an owner "
                    "(the team, role or system accountable for it)",
                )
            )
    for i, oc in enumerate(j.outcomes):
        _ref(oc.dimension, dims, "dimension", f"$.outcomes[{i}].dimension", out)

    outcome_ids = {o.id for o in j.outcomes}
    for i, e in enumerate(j.entries):
        _ref(e.step, steps, "step", f"$.entries[{i}].step", out)
    out += _weight_problems(
        [(f"$.entries[{i}]", e.probability) for i, e in enumerate(j.entries)], "the entries"
    )

    pairs: dict[tuple[str, str], str] = {}
    flow_out: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    for name in ("transitions", "handoffs", "triggers"):
        for i, e in enumerate(getattr(j, name)):
            p = f"$.{name}[{i}]"
            _ref(e.source, steps, "step", f"{p}.source", out)
            _ref(e.target, steps, "step", f"{p}.target", out)
            if name != "transitions":
                _ref(e.owner, owners, "owner", f"{p}.owner", out)
            key = (e.source, e.target)
            if key in pairs:
                out.append(
                    Problem(
                        p,
                        "duplicate_edge",
                        f"a second edge from {e.source!r} to {e.target!r} (first at {pairs[key]}): "
                        "merge them into one",
                    )
                )
            else:
                pairs[key] = p
            if name != "triggers":
                if e.source in outcome_ids:
                    out.append(
                        Problem(
                            f"{p}.source",
                            "terminal",
                            f"outcome {e.source!r} ends the journey, so no {name[:-1]} can "
                            "leave it: make it a touchpoint, or start the follow-up flow with "
                            "a trigger",
                        )
                    )
                flow_out[e.source].append((p, e.probability))
    for source, edges in flow_out.items():
        out += _weight_problems(edges, f"out of {source!r}")
    return out


def _weight_problems(edges: Sequence[tuple[str, float | None]], where: str) -> list[Problem]:
    """Probabilities on all edges or none, summing to 1 where given."""
    if not edges:
        return []
    given = [(p, v) for p, v in edges if v is not None]
    if not given:
        return []
    if len(given) != len(edges):
        missing = [p for p, v in edges if v is None]
        return [
            Problem(
                missing[0],
                "probability",
                f"probabilities {where} are given on {len(given)} of {len(edges)} edges: "
                "give them on all or on none",
            )
        ]
    total = math.fsum(v for _, v in given)
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        return [
            Problem(
                given[0][0],
                "probability_sum",
                f"probabilities {where} sum to {total:.12g}, not 1",
            )
        ]
    return []


def validate(obj: Any) -> None:
    """Check a Journey or a dict in the file's shape; raise if anything is wrong.

    Parameters
    ----------
    obj
        A :class:`~cxgraph.Journey`, or a mapping in the file's shape (as
        :func:`cxgraph.loads` would parse it).

    Returns
    -------
    None
        When the journey is valid.

    Raises
    ------
    JourneyValidationError
        Listing every problem, each with its ``$.`` path.

    Examples
    --------
    >>> import cxgraph as cx
    >>> cx.validate({"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}})
    >>> cx.validate({"cxgraph": "1.0", "journey": {"id": "j"}, "touchpoint": []})
    Traceback (most recent call last):
    ...
    cxgraph.errors.JourneyValidationError: 2 problems in the journey:
    $.touchpoint: unknown field 'touchpoint'; did you mean 'touchpoints'?
    $.journey.name: missing required field 'name'
    """
    from cxgraph.model import Journey

    if isinstance(obj, Journey):
        problems = journey_problems(obj)
        if problems:
            raise JourneyValidationError(problems)
        return
    if isinstance(obj, Mapping) or obj is None or isinstance(obj, list | str | int | float):
        from cxgraph.io import from_dict

        from_dict(obj)
        return
    msg = f"validate() takes a Journey or a mapping in the file's shape, got {F.describe(obj)}"
    raise TypeError(msg)


def raise_if(problems: Iterable[Problem]) -> None:
    """Raise one JourneyValidationError if there are any problems."""
    problems = list(problems)
    if problems:
        raise JourneyValidationError(problems)
