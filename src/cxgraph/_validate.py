"""Whole-journey checks: collect every problem, then raise once.

Two layers, both returning lists of :class:`~cxgraph.Problem` with ``$.`` paths:

- :func:`document_problems` checks a raw file document (types, required and
  unknown keys, enums, patterns, ranges, the ``cxgraph`` version), driven by
  the field rules the model carries;
- :func:`journey_problems` checks a built journey as a whole (unique ids,
  references, probabilities, owner cycles, ``decided_by`` against ``owner``).

A file is checked by both at once: where a shape problem leaves a value
unusable, the whole-journey checks that need it are skipped rather than guessed
at, so a user fixing a file sees every problem in one run, in document order.
"""

from __future__ import annotations

import functools
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import attrs

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

_VERSION_RE = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


# -- raw documents ----------------------------------------------------------


def version_problems(value: Any) -> list[Problem]:
    """Check the ``cxgraph`` format version; warn for a newer minor version."""
    path = "$.cxgraph"
    if isinstance(value, float | int) and not isinstance(value, bool):
        text = f"{value}" if isinstance(value, float) else f"{value}.0"
        return [
            Problem(
                path,
                "version",
                f"expected the format version as a string, got {F.describe(value)}: "
                f'put it in quotes, as in cxgraph: "{text}" (unquoted, YAML reads it as '
                "a number)",
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
    m = _VERSION_RE.fullmatch(value)
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
                f'{SUPPORTED_MAJOR}.x files (written as "{FORMAT_VERSION}")',
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


def _header_problems(header: Any, rules: Mapping[str, tuple[F.Rule, bool]]) -> list[Problem]:
    if not isinstance(header, Mapping):
        return [
            Problem(
                "$.journey",
                "type",
                "expected a mapping with the journey's id and name, such as "
                f"journey: {{id: my-journey, name: My journey}}, got {F.describe(header)}",
            )
        ]
    out = [
        Problem(f"$.journey.{name}", "required", f"missing required field {name!r}")
        for name in JOURNEY_HEADER
        if rules[name][1] and name not in header
    ]
    for key, value in header.items():
        if key in JOURNEY_HEADER:
            out += rules[key][0].raw(value, f"$.journey.{key}")
        elif key in JOURNEY_LISTS:
            out.append(
                Problem(
                    f"$.journey.{key}",
                    "unknown_key",
                    f"{key!r} does not belong under journey: it is a top-level list, so "
                    "move it out to the left margin (journey holds only "
                    f"{', '.join(JOURNEY_HEADER)})",
                )
            )
        else:
            out.append(F.unknown_key(key, JOURNEY_HEADER, "$.journey"))
    return out


def document_problems(doc: Any) -> list[Problem]:
    """Check a raw document in the file's shape; return every problem found.

    Shape problems (types, required and unknown keys, enums, patterns, ranges,
    the ``cxgraph`` version) and whole-journey problems (see
    :func:`journey_problems`) are reported together, in document order. Where
    a shape problem leaves a value unusable, the whole-journey checks that
    would need it are skipped rather than guessed at.

    Examples
    --------
    >>> for p in document_problems({"cxgraph": 1.0, "journey": {"id": "x y"}}):
    ...     print(p)
    $.cxgraph: expected the format version as a string, got number 1.0: put it in quotes, as in cxgraph: "1.0" (unquoted, YAML reads it as a number)
    $.journey.name: missing required field 'name'
    $.journey.id: invalid id 'x y': use only letters, digits and _ . : - (no spaces), at least one character
    """  # noqa: E501
    from cxgraph.model import Journey

    if not isinstance(doc, Mapping):
        extra = " (the document is empty)" if doc is None else ""
        return [
            Problem(
                "$",
                "type",
                f'expected a mapping with cxgraph: "{FORMAT_VERSION}" and journey: '
                f"{{id, name}} at the top level, got {F.describe(doc)}{extra}",
            )
        ]
    rules = F.field_rules(Journey)
    out: list[Problem] = []
    if "cxgraph" not in doc:
        out.append(
            Problem(
                "$.cxgraph",
                "required",
                f"missing required field 'cxgraph': add cxgraph: \"{FORMAT_VERSION}\" at the top",
            )
        )
    if "journey" not in doc:
        out.append(
            Problem(
                "$.journey",
                "required",
                "missing required field 'journey': add journey: {id: ..., name: ...}",
            )
        )
    for key, value in doc.items():
        if key == "cxgraph":
            out += version_problems(value)
        elif key == "$schema":
            if not isinstance(value, str):
                out.append(
                    Problem("$.$schema", "type", f"expected a string, got {F.describe(value)}")
                )
        elif key == "journey":
            out += _header_problems(value, rules)
        elif key in rules and key not in JOURNEY_HEADER:
            out += rules[key][0].raw(value, f"$.{key}")
        else:
            out.append(F.unknown_key(key, TOP_LEVEL_KEYS, "$"))
    journey, unsure = _adapt(doc, rules, clean=not out)
    out += _journey_checks(journey, unsure)
    return in_document_order(out, doc)


# -- raw documents as journeys -----------------------------------------------

#: Marks a probability that is present but unusable, so that the sums that
#: need it are skipped (a built Journey never holds NaN).
_UNUSABLE = math.nan
#: Which collections hold the ids that each reference noun points to.
_REFERENCED = {
    "persona": ("personas",),
    "phase": ("phases",),
    "owner": ("owners",),
    "channel": ("channels",),
    "system": ("systems",),
    "dimension": ("dimensions",),
    "step": ("touchpoints", "decision_points", "outcomes"),
}


@functools.cache
def _field_specs(cls: type) -> tuple[tuple[str, F.Rule | None, Any], ...]:
    """(name, rule, default) for each field of a model class; None stands for required."""
    out = []
    for f in attrs.fields(cls):
        default = f.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = default.factory()
        elif default is attrs.NOTHING:
            default = None
        out.append((f.name, f.metadata.get("rule"), default))
    return tuple(out)


def _adapt_item(cls: type, raw: Any, clean: bool) -> SimpleNamespace:
    """A stand-in for a model object: its valid fields, None (or NaN) for the rest.

    ``clean`` says the document has no shape problems, so no value needs checking.
    """
    out = SimpleNamespace()
    mapping = raw if isinstance(raw, Mapping) else {}
    if isinstance(raw, str) and cls.__name__ == "Entry":
        mapping = {"step": raw}
    for name, rule, default in _field_specs(cls):
        value = mapping.get(name, default)
        if clean or name not in mapping:
            pass
        elif isinstance(rule, F.Seq):
            items = value if isinstance(value, list) else []
            value = tuple(v if not rule.item.raw(v, "") else None for v in items)
        elif rule is not None and rule.raw(value, ""):
            value = _UNUSABLE if name == "probability" else None
        if isinstance(value, list):
            value = tuple(value)
        setattr(out, name, value)
    return out


def _adapt(
    doc: Mapping[Any, Any], rules: Mapping[str, tuple[F.Rule, bool]], clean: bool
) -> tuple[SimpleNamespace, frozenset[str]]:
    """The document as a journey stand-in, and the nouns whose ids are not all known.

    A reference to a collection with an item that has no usable id (not a
    mapping, no string id) or that is not a list at all might point at that
    item, so references of that noun are not checked.
    """
    journey = SimpleNamespace()
    broken: set[str] = set()
    for name in JOURNEY_LISTS:
        raw = doc.get(name, [])
        rule = rules[name][0]
        if not isinstance(raw, list) or not isinstance(rule, F.Seq):
            broken.add(name)
            raw = []
        inner = rule.item if isinstance(rule, F.Seq) else rule
        cls = inner.second.cls if isinstance(inner, F.Either) else inner.cls  # type: ignore[attr-defined]
        items = [_adapt_item(cls, item, clean) for item in raw]
        if "id" in attrs.fields_dict(cls) and any(not isinstance(i.id, str) for i in items):
            broken.add(name)
        setattr(journey, name, tuple(items))
    unsure = frozenset(n for n, lists in _REFERENCED.items() if broken & set(lists))
    return journey, unsure


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
        text = f"unknown {noun} {value!r} {F.choices_text(value, list(known))}"
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
    from cxgraph.io import to_dict

    return in_document_order(problems, to_dict(j))


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
        Listing every problem, each with its ``$.`` path, in document order.
    TypeError
        If ``obj`` is neither a Journey nor something a file could hold.

    Examples
    --------
    >>> import cxgraph as cx
    >>> cx.validate({"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}})
    >>> cx.validate({"cxgraph": "1.0", "journey": {"id": "j"}, "touchpoint": []})
    Traceback (most recent call last):
    ...
    cxgraph.errors.JourneyValidationError: 2 problems in the journey:
    $.journey.name: missing required field 'name'
    $.touchpoint: unknown field 'touchpoint'; did you mean 'touchpoints'?
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
