"""What changed between two versions of a journey, and whether it got better.

:func:`diff` matches every list of the journey by id (personas, phases,
owners, channels, systems, dimensions; steps: touchpoints, decision points
and outcomes together; entries by step; edges: transitions, hand-offs and
triggers together, keyed ``source>target``). A removed and an added object
of the same list and class with the same ``name`` and no other match is one
``renamed`` change, and every reference is compared through the renames, so
an edge ``t_ad>t_site`` that became ``t_campaign>t_site`` after ``t_ad`` was
renamed ``t_campaign`` is no change.

Then the findings of ``unowned_handoffs``, ``silo_boundaries``,
``moments_of_truth`` and ``lint`` are compared (``introduced`` or
``resolved``), and a handful of headline numbers (``Diff.measures``). The
regressions are what got worse: introduced unowned hand-offs, introduced
customer-visible silo crossings, introduced lint warnings, and a fall in
the conversion probability.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any, ClassVar, TypeAlias, cast

import attrs
from attrs import field, frozen

from cxgraph._util.cache import frozen_between, paused_gc, shared_cache
from cxgraph._util.escape import markdown_text
from cxgraph._util.html import result_html, safe_html, table
from cxgraph._util.results import cell_text
from cxgraph.analyses.results import SHOW, AnalysisResult
from cxgraph.changes import _findings
from cxgraph.model.classes import (
    DecisionPoint,
    Handoff,
    Journey,
    Outcome,
    Touchpoint,
    Transition,
    Trigger,
)
from cxgraph.model.fields import format_duration

__all__ = ["Change", "Diff", "diff"]

Measure: TypeAlias = tuple[float | None, float | None, float | None]

#: The lists matched by id, in the order records are sorted by.
LISTS: tuple[str, ...] = ("personas", "phases", "owners", "channels", "systems", "dimensions")
#: Every area a record can have, in the order records are sorted by.
AREAS: tuple[str, ...] = (
    "journey",
    *LISTS,
    "steps",
    "entries",
    "edges",
    "unowned_handoffs",
    "silo_boundaries",
    "moments_of_truth",
    "lint",
    "measures",
)
#: The headline numbers compared, in order.
MEASURES: tuple[str, ...] = (
    "steps",
    "edges",
    "owners",
    "unowned_handoffs",
    "silo_crossings",
    "customer_visible_crossings",
    "moments_of_truth",
    "path_count",
    "conversion_probability",
    "expected_steps",
)
_HEADER = ("id", "name", "version", "state", "description", "extensions")
# The list each reference field points into (steps and edges have their own keys).
_REFS: dict[str, str] = {
    "owner": "owners",
    "parent": "owners",
    "phase": "phases",
    "channel": "channels",
    "personas": "personas",
    "dimension": "dimensions",
    "systems": "systems",
    "source": "steps",
    "target": "steps",
    "step": "steps",
}
_KIND = {
    Touchpoint: "touchpoint",
    DecisionPoint: "decision_point",
    Outcome: "outcome",
    Transition: "transition",
    Handoff: "handoff",
    Trigger: "trigger",
}
# The field naming an object's class: ``kind`` for an edge (transition, hand-off,
# trigger), ``type`` for a step, since an outcome has a ``kind`` of its own.
_CLASS_FIELD = {
    Touchpoint: "type",
    DecisionPoint: "type",
    Outcome: "type",
    Transition: "kind",
    Handoff: "kind",
    Trigger: "kind",
}
_SINGULAR = {
    "journey": ("journey field", "journey fields"),
    "personas": ("persona", "personas"),
    "phases": ("phase", "phases"),
    "owners": ("owner", "owners"),
    "channels": ("channel", "channels"),
    "systems": ("system", "systems"),
    "dimensions": ("dimension", "dimensions"),
    "steps": ("step", "steps"),
    "entries": ("entry", "entries"),
    "edges": ("edge", "edges"),
    "unowned_handoffs": ("unowned hand-off", "unowned hand-offs"),
    "silo_boundaries": ("silo crossing", "silo crossings"),
    "moments_of_truth": ("moment of truth", "moments of truth"),
    "lint": ("lint warning", "lint warnings"),
    "measures": ("measure", "measures"),
}
_CHANGE_RANK = {
    "renamed": 0,
    "changed": 1,
    "added": 2,
    "removed": 2,
    "introduced": 2,
    "resolved": 2,
}
_MIRROR = {
    "added": "removed",
    "removed": "added",
    "introduced": "resolved",
    "resolved": "introduced",
}


@frozen(kw_only=True)
class Change:
    """One difference between two journeys.

    ``area`` is a list of the journey (``steps``, ``edges``, ``owners``, ...),
    ``journey`` for its header, an analysis name, or ``measures``;
    ``change`` is ``added``, ``removed``, ``renamed`` or ``changed`` (for an
    analysis: ``introduced`` or ``resolved``); ``key`` the id (``source>target``
    for an edge), the new one where the object exists in the new journey;
    ``field`` the field that differs (``None`` for a whole object); ``old`` and
    ``new`` plain JSON values (durations as ISO 8601).
    """

    area: str
    change: str
    key: str
    field: str | None
    # ``attrs.field``: the name ``field`` is this class's own attribute here.
    old: Any = attrs.field(hash=False)
    new: Any = attrs.field(hash=False)

    def mirrored(self, ids: Mapping[str, str] | None = None) -> Change:
        """The same change seen the other way round (``ids`` maps keys' ids back)."""
        ids = ids or {}
        key = _map_key(self.key, ids, self.area)
        if self.change == "renamed":
            return Change(
                area=self.area,
                change="renamed",
                key=self.old,
                field=self.field,
                old=self.new,
                new=self.old,
            )
        change = _MIRROR.get(self.change, self.change)
        old, new = self.new, self.old
        if change == "changed" and self.field in _REFS:
            # A changed reference is written in the new journey's ids on both
            # sides (the old object is compared through the renames): turned
            # round, both sides are in the other journey's ids.
            old, new = _map_ref(old, ids), _map_ref(new, ids)
        return Change(area=self.area, change=change, key=key, field=self.field, old=old, new=new)


def _map_ref(value: Any, ids: Mapping[str, str]) -> Any:
    """A reference field's plain value (an id, a list of ids or None) mapped through ``ids``."""
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [ids.get(v, v) if isinstance(v, str) else v for v in value]
    return value


def _map_key(key: str, ids: Mapping[str, str], area: str = "") -> str:
    """A record key of ``area`` with every id in it mapped through ``ids``.

    Ids may hold ``:`` but never ``>``, so each area's key is split by its own
    layout rather than by guessing: ``source>target:reason`` for an unowned
    hand-off (the reason is after the last colon), ``code:thing`` for lint (the
    code has no colon), ``source>target`` for an edge or a crossing, an id
    otherwise.
    """
    if not ids:
        return key
    if area == "unowned_handoffs":
        edge, sep, reason = key.rpartition(":")
        if sep:
            return _map_key(edge, ids) + ":" + reason
    if area == "lint":
        code, sep, thing = key.partition(":")
        if sep:
            return code + ":" + _map_key(thing, ids)
    if ">" in key:
        s, _, t = key.partition(">")
        return f"{ids.get(s, s)}>{ids.get(t, t)}"
    return ids.get(key, key)


@frozen(kw_only=True, repr=False)
class Diff(AnalysisResult[Change]):
    """The changes from one journey to another, the headline numbers and the regressions.

    ``findings`` are the change records, sorted by area and key;
    ``measures`` maps each headline number to ``(old, new, delta)`` (None
    where a side has no value); ``regressions`` are the records that made
    the journey worse.
    """

    name: ClassVar[str] = "diff"
    title: ClassVar[str] = "Journey diff"

    measures: Mapping[str, Measure] = field(hash=False)
    regressions: tuple[Change, ...]
    renames: Mapping[str, str] = field(factory=dict, hash=False)
    names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)

    @property
    def is_empty(self) -> bool:
        """True when nothing changed at all (``diff(j, j)``)."""
        return not self.findings

    def summary(self) -> str:
        """One sentence: how many changes of which kind, and the regressions."""
        if self.is_empty:
            return "no changes"
        n = len(self.findings)
        text = f"{n} change{'s' if n != 1 else ''}: {_counts(self.findings)}"
        r = len(self.regressions)
        if r:
            text += f"; {r} regression{'s' if r != 1 else ''}: {_counts(self.regressions)}"
        else:
            text += "; no regressions"
        return text

    def describe(self, finding: Change) -> str:
        """One change in plain words."""
        c = finding
        one = _SINGULAR.get(c.area, (c.area, c.area))[0]
        if c.area == "measures":
            delta = self.measures.get(c.key, (None, None, None))[2]
            tail = "" if delta is None else f" ({_num(delta, sign=True)})"
            return f"{c.key}: {_num(c.old)} -> {_num(c.new)}{tail}"
        if c.area == "journey":
            return f"journey {c.field}: {_val(c.old)} -> {_val(c.new)}"
        label = self._label(c.key)
        if c.change == "renamed":
            return f"{one} {_val(c.old)} renamed to {_val(c.new)}"
        if c.change == "changed":
            return f"{one} {label}: {c.field} {_val(c.old)} -> {_val(c.new)}"
        return f"{one} {label} {c.change}"

    def _label(self, key: str) -> str:
        name = self.names.get(key)
        return f"{name!r} ({key})" if name and name != key else repr(key)

    def to_json(self) -> str:
        """The diff as JSON text: ``changes``, ``measures`` and ``regressions``.

        ``{"changes": [...], "measures": {name: {"old", "new", "delta"}},
        "regressions": [...]}``, the changes and regressions as records.
        """
        data = {
            "changes": self.to_records(),
            "measures": {
                k: {"old": o, "new": n, "delta": d} for k, (o, n, d) in self.measures.items()
            },
            "regressions": [attrs.asdict(r, recurse=False) for r in self.regressions],
        }
        return json.dumps(data, indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        """The diff as Markdown: summary, the changes in words, the measures as a table."""
        out = [f"# {markdown_text(self.title)}", "", markdown_text(self.summary())]
        if self.findings:
            out += ["", "## Changes", ""]
            out += [f"- {markdown_text(self.describe(c))}" for c in self.findings]
        if self.regressions:
            out += ["", "## Regressions", ""]
            out += [f"- {markdown_text(self.describe(c))}" for c in self.regressions]
        out += ["", "## Measures", "", "| measure | old | new | delta |", "|---|---|---|---|"]
        for k, (o, n, d) in self.measures.items():
            cells = (k, cell_text(o), cell_text(n), cell_text(d))
            out.append("| " + " | ".join(markdown_text(x) for x in cells) + " |")
        return "\n".join(out) + "\n"

    def _repr_html_(self) -> str:
        def render() -> str:
            rows = [
                [k, cell_text(o), cell_text(n), cell_text(d)]
                for k, (o, n, d) in self.measures.items()
            ]
            return result_html(self, SHOW) + table(["measure", "old", "new", "delta"], rows)

        return safe_html(render, lambda: repr(self))


def _counts(records: Iterable[Change]) -> str:
    keys: dict[tuple[str, str], set[str]] = {}
    for c in records:
        # A journey field is its own thing; elsewhere count objects, not fields.
        key = f"{c.key}.{c.field}" if c.area == "journey" else c.key
        keys.setdefault((c.area, c.change), set()).add(key)
    parts = []
    for (area, change), ks in keys.items():
        one, many = _SINGULAR.get(area, (area, area))
        parts.append(f"{len(ks)} {one if len(ks) == 1 else many} {change}")
    return ", ".join(parts)


def _num(value: Any, *, sign: bool = False) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:+.4g}" if sign else f"{value:.4g}"
    return f"{value:+d}" if sign and isinstance(value, int) else str(value)


def _val(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if value is not None else "none"
    return text if len(text) <= 80 else text[:79] + "\u2026"


# -- plain values -------------------------------------------------------------


# Exact types _plain returns as they are (the common case, checked first).
_SCALARS: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """A model value as plain JSON: durations ISO 8601, objects dicts without defaults."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, timedelta):
        return format_duration(value)
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        kind = _KIND.get(type(value))
        if kind is not None:
            out[_CLASS_FIELD[type(value)]] = kind
        for f in attrs.fields(type(value)):
            v = getattr(value, f.name)
            default = f.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if f.default is not attrs.NOTHING and v == default:
                continue
            out[f.name] = _plain(v)
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _field_value(obj: Any, name: str, other: type) -> Any:
    """A field of ``obj``; a field its class lacks takes the other class's default."""
    if hasattr(obj, name):
        return getattr(obj, name)
    default: Any = attrs.fields_dict(other)[name].default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()
    return None if default is attrs.NOTHING else default


# -- matching -----------------------------------------------------------------

Renames: TypeAlias = dict[str, dict[str, str]]


def _collections(j: Journey) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {name: {o.id: o for o in getattr(j, name)} for name in LISTS}
    out["steps"] = {s.id: s for s in j.steps}
    return out


def _find_renames(old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    """Removed and added objects of one class with the same unique name: old id -> new id."""
    gone = [o for k, o in old.items() if k not in new]
    came = [o for k, o in new.items() if k not in old]
    by_old = Counter((type(o), o.name) for o in gone)
    by_new = Counter((type(o), o.name) for o in came)
    added = {(type(o), o.name): o.id for o in came}
    return {
        o.id: added[(type(o), o.name)]
        for o in gone
        if by_old[(type(o), o.name)] == 1 and by_new.get((type(o), o.name)) == 1
    }


def _through(obj: Any, renames: Renames) -> Any:
    """``obj`` with every reference mapped from old ids to new ones."""
    changes: dict[str, Any] = {}
    for f in attrs.fields(type(obj)):
        target = _REFS.get(f.name)
        if target is None:
            continue
        ids = renames.get(target, {})
        value = getattr(obj, f.name)
        if not ids:
            continue
        if isinstance(value, tuple):
            mapped = tuple(ids.get(v, v) for v in value)
            if mapped != value:
                changes[f.name] = mapped
        elif isinstance(value, str) and ids.get(value, value) != value:
            changes[f.name] = ids[value]
    # Nothing renamed: the object as it is (evolve would make an equal copy).
    if not changes:
        return obj
    # evolve would validate nothing more than the fields; the class validators accept ids.
    return attrs.evolve(obj, **changes)


def _compare(area: str, key: str, old: Any, new: Any, out: list[Change]) -> None:
    """One ``changed`` record per field that differs (``kind`` when the class differs)."""
    names: list[str] = []
    if type(old) is not type(new):
        out.append(
            Change(
                area=area,
                change="changed",
                key=key,
                field=_CLASS_FIELD[type(new)],
                old=_KIND.get(type(old)),
                new=_KIND.get(type(new)),
            )
        )
    for f in attrs.fields(type(old)):
        names.append(f.name)
    for f in attrs.fields(type(new)):
        if f.name not in names:
            names.append(f.name)
    for name in names:
        if name == "id":
            continue
        raw_a = _field_value(old, name, type(new))
        raw_b = _field_value(new, name, type(old))
        # Equal values have equal plain values; _plain only for those that differ.
        if raw_a == raw_b:
            continue
        a, b = _plain(raw_a), _plain(raw_b)
        if a != b:
            out.append(Change(area=area, change="changed", key=key, field=name, old=a, new=b))


def _match(
    area: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    ids: Mapping[str, str],
    renames: Renames,
    out: list[Change],
) -> None:
    """Compare two id-keyed collections, ``ids`` being this list's renames."""
    for k, o in old.items():
        if k in ids:
            nk = ids[k]
            out.append(Change(area=area, change="renamed", key=nk, field="id", old=k, new=nk))
            _compare(area, nk, _through(o, renames), new[nk], out)
        elif k in new:
            mapped = _through(o, renames)
            # Most objects are unchanged: one attrs comparison instead of one per field.
            if mapped != new[k]:
                _compare(area, k, mapped, new[k], out)
        else:
            out.append(
                Change(area=area, change="removed", key=k, field=None, old=_plain(o), new=None)
            )
    taken = set(ids.values())
    for k, n in new.items():
        if k not in old and k not in taken:
            out.append(
                Change(area=area, change="added", key=k, field=None, old=None, new=_plain(n))
            )


def _edge_key(e: Any, steps: Mapping[str, str]) -> str:
    return f"{steps.get(e.source, e.source)}>{steps.get(e.target, e.target)}"


# -- the function -------------------------------------------------------------


def diff(old: Journey, new: Journey, *, tolerance: float = 1e-9) -> Diff:
    """Return what changed from ``old`` to ``new`` and whether it got better.

    Parameters
    ----------
    old, new
        The two versions of the journey.
    tolerance
        Measures closer than this count as equal; a fall in
        ``conversion_probability`` larger than this is a regression.

    Returns
    -------
    Diff
        The change records (``area, change, key, field, old, new``), the
        ``measures`` as ``(old, new, delta)`` and the ``regressions``.

    Raises
    ------
    TypeError
        If ``old`` or ``new`` is not a Journey.
    ValueError
        If ``tolerance`` is not a non-negative number.

    Examples
    --------
    >>> import cxgraph as cx
    >>> from cxgraph.changes.diff import diff
    >>> a = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="t_ad", name="Ad"), cx.Touchpoint(id="t_site", name="Site")],
    ...     transitions=[cx.Transition(source="t_ad", target="t_site")])
    >>> b = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="t_campaign", name="Ad"),
    ...                  cx.Touchpoint(id="t_site", name="Site")],
    ...     transitions=[cx.Transition(source="t_campaign", target="t_site")])
    >>> d = diff(a, b)
    >>> [(c.area, c.change, c.key, c.old, c.new) for c in d if c.area != "lint"]
    [('steps', 'renamed', 't_campaign', 't_ad', 't_campaign')]
    >>> diff(a, a).is_empty
    True
    """  # noqa: E501
    for label, value in (("old", cast(object, old)), ("new", cast(object, new))):
        if not isinstance(value, Journey):
            msg = f"diff() takes a Journey as {label!r}, got {type(value).__name__}"
            raise TypeError(msg)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance >= 0:
        msg = f"diff(tolerance={tolerance!r}): expected a non-negative number"
        raise ValueError(msg)
    records: list[Change] = []
    a, b = _collections(old), _collections(new)
    renames: Renames = {name: _find_renames(a[name], b[name]) for name in a}
    _header(old, new, records)
    for name in (*LISTS, "steps"):
        _match(name, a[name], b[name], renames[name], renames, records)
    steps = renames["steps"]
    # Keyed through the renames, valued as they were: _match compares through the
    # renames, and a removed one is written with the old journey's own ids.
    old_entries = {steps.get(e.step, e.step): e for e in old.entries}
    _match("entries", old_entries, {e.step: e for e in new.entries}, {}, renames, records)
    old_edges = {_edge_key(e, steps): e for e in old.edges}
    _match("edges", old_edges, {_edge_key(e, {}): e for e in new.edges}, {}, renames, records)
    every = {k: v for ids in renames.values() for k, v in ids.items()}
    # Findings keys name steps (and, in lint, personas): map them through those
    # lists' renames only, so that an owner renamed from an id that is also a
    # step's id leaves the step's findings alone.
    step_ids = {s.id for s in old.steps}
    finding_ids = {
        **{k: v for k, v in renames["personas"].items() if k not in step_ids},
        **renames["steps"],
    }
    # Each journey's analyses share one compiled graph and one Markov model, as
    # in analyze(); the findings and the measures share the analyses' results.
    # The collector is held and what is left alive frozen, as in analyze().
    with shared_cache(), frozen_between() as freeze, paused_gc(freeze=freeze):
        ra, rb = _findings.analyses(old), _findings.analyses(new)
        fa, fb = _findings.findings(old, *ra), _findings.findings(new, *rb)
        ma, mb = _findings.measures(old, *ra), _findings.measures(new, *rb)
    regressions: list[Change] = []
    for area in fa:
        before = {_map_key(k, finding_ids, area): v for k, v in fa[area].items()}
        after = fb[area]
        for k in sorted(before.keys() - after.keys()):
            old_value = _plain(before[k])
            records.append(
                Change(area=area, change="resolved", key=k, field=None, old=old_value, new=None)
            )
        for k in sorted(after.keys() - before.keys()):
            value = _plain(after[k])
            c = Change(area=area, change="introduced", key=k, field=None, old=None, new=value)
            records.append(c)
            visible = area == "silo_boundaries" and value.get("customer_visible")
            if area in ("unowned_handoffs", "lint") or visible:
                regressions.append(c)
    measures: dict[str, Measure] = {}
    for name in MEASURES:
        o, n = ma[name], mb[name]
        delta = None if o is None or n is None else n - o
        measures[name] = (o, n, delta)
        if (o is None) != (n is None) or (delta is not None and abs(delta) > tolerance):
            c = Change(area="measures", change="changed", key=name, field="value", old=o, new=n)
            records.append(c)
            if name == "conversion_probability" and delta is not None and delta < -tolerance:
                regressions.append(c)
    names = {s.id: s.name for s in old.steps}
    names.update({s.id: s.name for s in new.steps})
    return Diff(
        findings=_sorted(records),
        measures=measures,
        regressions=_sorted(regressions),
        renames=every,
        names=names,
    )


def _header(old: Journey, new: Journey, out: list[Change]) -> None:
    for name in _HEADER:
        a, b = _plain(getattr(old, name)), _plain(getattr(new, name))
        if a != b:
            out.append(
                Change(area="journey", change="changed", key=new.id, field=name, old=a, new=b)
            )


def _sorted(records: list[Change]) -> tuple[Change, ...]:
    rank: Callable[[Change], tuple[int, str, int, str]] = lambda c: (  # noqa: E731
        AREAS.index(c.area),
        c.key,
        _CHANGE_RANK[c.change],
        c.field or "",
    )
    return tuple(sorted(records, key=rank))
