"""Journey rules in CI: ``check(journey, rules)`` says which rules a journey breaks.

A rules file (see :mod:`cxgraph.readwrite.rules` for its shape) names what a
journey must not have, as findings of an analysis (``forbid``), and what it
must keep, as a bound on a number an analysis sums up (``require``)::

    cxgraph-rules: "1.0"
    rules:
      - id: owned-handoffs
        description: Every declared hand-off has an owner
        forbid: unowned_handoffs
        where: {reason: [no_owner, step_unowned]}
      - id: conversion
        description: Conversion stays above 20%
        require: markov.conversion_probability
        min: 0.2

``check`` first checks the rules against the analyses: each analysis must
be registered (built-in or yours, :func:`~cxgraph.report.registry.register_analysis`),
each ``where`` field a field of its findings and each ``require`` field a
number of its result, each value of the field's type, a text field with a
fixed set of values one of them, and ``gt``, ``ge``, ``lt``, ``le`` only on
numbers. The fields of a built-in analysis are known from its result class
before anything runs; those of your analyses (and of ``branches``, whose
default is wrapped) are read from the result once it has run. Every problem
is raised at once as :class:`~cxgraph.errors.RulesError`, with its path.
Then it runs the analyses the rules name (each once, sharing one compiled
graph) and returns a :class:`RuleCheck`: one :class:`RuleViolation` per
rule broken. Nothing in the rules is evaluated as code.

How values match (a finding matches when every condition of ``where`` holds):

- ``field: value`` holds when the field equals the value; ``field: [a, b]``
  when it equals any of them; ``ne: value`` when it does not equal it (a
  null field included). ``true`` and ``false`` equal only themselves, never
  1 or 0.
- On a field holding a list of text (``reasons``, ``via``), ``field: a``
  holds when the list contains ``a``, ``[a, b]`` when it contains either,
  and ``ne: a`` when it does not contain ``a``.
- ``gt``, ``ge``, ``lt``, ``le`` compare numbers; a null (unknown) value
  never satisfies them.
- A ``require`` rule is broken when the value is below ``min``, above
  ``max`` (both inclusive bounds, compared exactly), or null (the analysis
  could not compute it: the rule cannot be shown to hold).

Examples
--------
>>> import cxgraph as cx
>>> from cxgraph.report.rules import check
>>> j = cx.Journey(id="j", name="J",
...     owners=[cx.Owner(id="a", name="A", kind="team"), cx.Owner(id="b", name="B", kind="team")],
...     touchpoints=[cx.Touchpoint(id="x", name="X", owner="a"),
...                  cx.Touchpoint(id="y", name="Y", owner="b")],
...     transitions=[cx.Transition(source="x", target="y")])
>>> result = check(j, {"cxgraph-rules": "1.0", "rules": [
...     {"id": "declared", "description": "Hand-offs are declared",
...      "forbid": "unowned_handoffs", "where": {"reason": "undeclared"}}]})
>>> result.ok, result.to_records()[0]["finding"][0]["reason"]
(False, 'undeclared')
>>> print(result.describe(result[0]))
declared (Hand-offs are declared): 1 finding of unowned_handoffs matches where reason is 'undeclared', more than the 0 allowed: A hands 'X' (x) to B at 'Y' (y) with no hand-off declared: nobody is accountable for it
"""  # noqa: E501

from __future__ import annotations

import math
import os
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal

import attrs
from attrs import field, frozen

from cxgraph._util.results import record_of
from cxgraph._util.text import article, choices_text, describe
from cxgraph.analyses.results import AnalysisResult
from cxgraph.errors import Problem, RulesError
from cxgraph.model.classes import Journey
from cxgraph.readwrite.rules import ORDERING, Condition, Rule, Rules, load_rules, parse_rules
from cxgraph.report.registry import BUILTIN_NAMES, _builtin, registered_analyses
from cxgraph.report.report import analyze

__all__ = ["RuleCheck", "RuleViolation", "check"]

Kind = Literal["number", "text", "flag", "texts", "any", "other"]

#: What each kind of field holds, for messages.
_KIND_WORDS: Mapping[str, str] = {
    "number": "a number",
    "text": "text",
    "flag": "true or false",
    "texts": "a list of text",
    "any": "any value",
    "other": "neither a number, text, true/false nor a list of text",
}
#: How many matching findings a violation names in words.
SHOWN_MATCHES = 3


@frozen(kw_only=True)
class RuleViolation:
    """One broken rule: its id, the analysis it reads, and what broke it.

    ``finding`` is the tuple of the matching findings' records for a
    ``forbid`` rule, and the summary value (a number, or None when unknown)
    for a ``require`` rule.
    """

    rule: str
    analysis: str
    finding: Any = field(hash=False)


@frozen(kw_only=True, repr=False)
class RuleCheck(AnalysisResult[RuleViolation]):
    """The rules a journey breaks, one :class:`RuleViolation` each, in the rules' order.

    ``ok`` (and ``bool(result)``) is True when every rule holds: unlike the
    analyses' results, whose truth is having findings, a check is true when
    it passes. ``checked`` holds the ids of every rule checked, in order;
    ``source`` is the rules file (None for a mapping).
    """

    name: ClassVar[str] = "check"
    title: ClassVar[str] = "Journey rules"

    checked: tuple[str, ...]
    source: str | None = None
    #: Each rule's description, by id.
    descriptions: Mapping[str, str] = field(factory=dict, eq=False, hash=False)
    #: What broke each violated rule, in words, by id.
    reasons: Mapping[str, str] = field(factory=dict, eq=False, hash=False)

    @property
    def ok(self) -> bool:
        """Whether every rule holds."""
        return not self.findings

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        """All rules hold, or how many are broken and which."""
        n = len(self.checked)
        if not n:
            return "no rules to check"
        if self.ok:
            return "the rule holds" if n == 1 else f"all {n} rules hold"
        broken = ", ".join(v.rule for v in self.findings)
        return f"{len(self.findings)} of {n} rule{'s' if n != 1 else ''} broken: {broken}"

    def describe(self, finding: RuleViolation) -> str:
        """The rule's id and description, and what broke it."""
        about = self.descriptions.get(finding.rule, "")
        head = f"{finding.rule} ({about})" if about else finding.rule
        return f"{head}: {self.reasons.get(finding.rule, 'broken')}"


# -- what an analysis's findings and summary hold ---------------------------------


@frozen
class _Field:
    kind: Kind
    optional: bool = False
    choices: tuple[str, ...] | None = None


@frozen
class _Spec:
    """What rules may test of an analysis: its findings' fields and its summary fields.

    ``findings`` is None when the analysis has no findings (``forbid`` cannot
    count them); empty when it has findings whose fields are not known yet.
    """

    findings: Mapping[str, _Field] | None
    summary: Mapping[str, _Field]
    returns: str


def _known_choices() -> dict[tuple[str, str], tuple[str, ...]]:
    """The values of text fields that their type does not list (a plain ``str``)."""
    from cxgraph.analyses.coverage import GAP_KINDS
    from cxgraph.analyses.moments import REASONS
    from cxgraph.analyses.technology import KINDS as TECHNOLOGY_KINDS
    from cxgraph.model.classes import DECIDERS, LANES

    return {
        ("coverage", "kind"): GAP_KINDS,
        ("technology", "kind"): TECHNOLOGY_KINDS,
        ("moments_of_truth", "reasons"): REASONS,
        ("branches", "decided_by"): DECIDERS,
        ("touchpoint_inventory", "lane"): LANES,
    }


def _field_of(hint: Any) -> _Field:
    """The kind of a field from its type annotation."""
    optional = False
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        rest = [a for a in args if a is not type(None)]
        optional = len(rest) < len(args)
        if len(rest) != 1:
            return _Field("other", optional)
        hint = rest[0]
    if hint is bool:
        return _Field("flag", optional)
    if hint in (int, float):
        return _Field("number", optional)
    if hint is str:
        return _Field("text", optional)
    choices = _literal_texts(hint)
    if choices is not None:
        return _Field("text", optional, choices)
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            if args[0] is str:
                return _Field("texts", optional)
            inner = _literal_texts(args[0])
            if inner is not None:
                return _Field("texts", optional, inner)
    return _Field("other", optional)


def _literal_texts(hint: Any) -> tuple[str, ...] | None:
    if typing.get_origin(hint) is Literal:
        args = typing.get_args(hint)
        if all(isinstance(a, str) for a in args):
            return tuple(args)
    return None


def _class_fields(cls: type, skip: Iterable[str] = ()) -> dict[str, _Field]:
    """The attrs fields of a class and their kinds (``other`` where a type cannot be read)."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that names something only a type checker sees
        hints = {}
    left_out = set(skip)
    return {
        f.name: _field_of(hints.get(f.name, f.type))
        for f in attrs.fields(cls)
        if f.name not in left_out and not f.name.startswith("_")
    }


def _finding_class(cls: type) -> type | None:
    """The findings' class an ``AnalysisResult[Finding]`` subclass declares."""
    for klass in cls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            for arg in typing.get_args(base):
                if isinstance(arg, type) and attrs.has(arg):
                    return arg
    return None


def _record_fields(records: Sequence[Mapping[str, Any]]) -> dict[str, _Field]:
    """Fields read from records, when no class declares them: the kind all values share."""
    keys = list(dict.fromkeys(k for r in records for k in r))
    out: dict[str, _Field] = {}
    for key in keys:
        values = [r.get(key) for r in records]
        known = [v for v in values if v is not None]
        optional = len(known) < len(values)
        kind: Kind = "other"
        if not known:
            kind = "any"
        elif all(isinstance(v, bool) for v in known):
            kind = "flag"
        elif all(_is_number(v) for v in known):
            kind = "number"
        elif all(isinstance(v, str) for v in known):
            kind = "text"
        elif all(isinstance(v, tuple | list) and all(isinstance(x, str) for x in v) for v in known):
            kind = "texts"
        out[str(key)] = _Field(kind, optional)
    return out


def _with_choices(name: str, fields: dict[str, _Field]) -> dict[str, _Field]:
    known = _known_choices()
    return {
        k: attrs.evolve(f, choices=known[(name, k)])
        if (name, k) in known and f.choices is None
        else f
        for k, f in fields.items()
    }


def _spec_of_class(name: str, cls: type) -> _Spec | None:
    """The spec of a result class, or None when its findings' class is not declared."""
    if not (attrs.has(cls) and issubclass(cls, AnalysisResult)):
        return None
    finding = _finding_class(cls)
    if finding is None:
        return None
    return _Spec(
        findings=_with_choices(name, _class_fields(finding)),
        summary=_class_fields(cls, skip=("findings",)),
        returns=article(cls.__name__),
    )


def _static_spec(name: str, builtin: Mapping[str, Any]) -> _Spec | None:
    """A built-in analysis's spec from its function's return annotation, before it runs."""
    if name not in builtin:
        return None
    try:
        returns = typing.get_type_hints(builtin[name]).get("return")
    except Exception:
        return None
    return _spec_of_class(name, returns) if isinstance(returns, type) else None


def _spec_of_result(name: str, result: Any) -> _Spec:
    """The spec of an analysis read from what it returned."""
    cls = type(result)
    spec = _spec_of_class(name, cls)
    if spec is not None:
        return spec
    summary = _class_fields(cls, skip=("findings",)) if attrs.has(cls) else {}
    findings: dict[str, _Field] | None = None
    items = _items(result)
    if items is not None:
        first = getattr(result, "findings", ())
        if first and attrs.has(type(first[0])):
            findings = _class_fields(type(first[0]))
        else:
            findings = _record_fields([r for r, _ in items])
        findings = _with_choices(name, findings)
    return _Spec(findings=findings, summary=summary, returns=describe(result))


def _items(result: Any) -> list[tuple[dict[str, Any], Any]] | None:
    """The findings of a result as (record, finding), or None when it has none to count."""
    found = getattr(result, "findings", None)
    if isinstance(found, tuple | list):
        return [(record_of(f), f) for f in found]
    to_records = getattr(result, "to_records", None)
    if callable(to_records):
        records = to_records()
        if isinstance(records, list):
            plain = [dict(r) for r in records if isinstance(r, Mapping)]
            return [(rec, rec) for rec in plain]
    return None


def _words(result: Any, record: Mapping[str, Any], finding: Any) -> str:
    """A finding in the result's own words, else its record's."""
    speak = getattr(result, "describe", None)
    if callable(speak) and finding is not record:
        return str(speak(finding))
    return _record_words(record)


def _record_words(record: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in record.items())


# -- the rules against the analyses ---------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _value_problem(value: Any, f: _Field, path: str, what: str) -> Problem | None:
    """A problem with a value a field of that kind can never equal."""
    if f.kind == "any":
        return None
    if value is None:
        if f.optional:
            return None
        return Problem(path, "type", f"{what} is never null: it holds {_KIND_WORDS[f.kind]}")
    if f.kind == "number" and not _is_number(value):
        return Problem(path, "type", f"{what} holds a number, got {describe(value)}")
    if f.kind == "flag" and not isinstance(value, bool):
        return Problem(path, "type", f"{what} holds true or false, got {describe(value)}")
    if f.kind in ("text", "texts"):
        if not isinstance(value, str):
            return Problem(path, "type", f"{what} holds text, got {describe(value)}")
        if f.choices is not None and value not in f.choices:
            valid = choices_text(value, f.choices, word="valid")
            return Problem(path, "enum", f"unknown value {value!r} for {what} {valid}")
    return None


def _condition_problems(rule: Rule, cond: Condition, spec: _Spec) -> list[Problem]:
    fields = spec.findings or {}
    at = f"{rule.path}.where.{cond.field}"
    what = f"field {cond.field!r} of analysis {rule.analysis!r}"
    if not fields:  # findings whose fields cannot be known (none yet): nothing to check
        return []
    if cond.field not in fields:
        listed = choices_text(cond.field, list(fields), word="fields")
        msg = f"unknown field {cond.field!r} of the findings of {rule.analysis!r} {listed}"
        return [Problem(at, "reference", msg)]
    f = fields[cond.field]
    if f.kind == "other":
        msg = f"{what} holds {_KIND_WORDS['other']}: where cannot test it"
        return [Problem(at, "type", msg)]
    if cond.op in ORDERING:
        if f.kind in ("number", "any"):
            return []
        msg = (
            f"{cond.op} compares numbers, but {what} holds {_KIND_WORDS[f.kind]}: "
            "give a value or a list of values"
        )
        return [Problem(cond.path, "type", msg)]
    if cond.op == "in":
        found = [_value_problem(v, f, f"{cond.path}[{i}]", what) for i, v in enumerate(cond.value)]
    else:
        found = [_value_problem(cond.value, f, cond.path, what)]
    return [p for p in found if p is not None]


def _rule_problems(rule: Rule, spec: _Spec) -> list[Problem]:
    if rule.kind == "forbid":
        if spec.findings is None:
            msg = (
                f"analysis {rule.analysis!r} returns {spec.returns}, which has no findings "
                "to count: forbid needs a result with findings (or to_records())"
            )
            return [Problem(f"{rule.path}.forbid", "type", msg)]
        return [p for c in rule.where for p in _condition_problems(rule, c, spec)]
    numbers = [k for k, f in spec.summary.items() if f.kind == "number"]
    name = str(rule.field)
    at = f"{rule.path}.require"
    if not spec.summary:
        msg = (
            f"analysis {rule.analysis!r} returns {spec.returns}, which has no summary fields: "
            "require reads a number field of an attrs result class"
        )
        return [Problem(at, "type", msg)]
    if name not in spec.summary:
        listed = choices_text(name, numbers, word="numeric fields")
        return [
            Problem(
                at, "reference", f"unknown summary field {name!r} of {rule.analysis!r} {listed}"
            )
        ]
    kind = spec.summary[name].kind
    if kind != "number":
        listed = choices_text(name, numbers, word="numeric fields")
        msg = (
            f"summary field {name!r} of {rule.analysis!r} holds {_KIND_WORDS[kind]}, not a "
            f"number: min and max bound numbers {listed}"
        )
        return [Problem(at, "type", msg)]
    return []


# -- matching ---------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _holds(cond: Condition, value: Any) -> bool:
    op, want = cond.op, cond.value
    if isinstance(value, tuple | list):  # a list of text: membership
        if op == "eq":
            return any(_same(v, want) for v in value)
        if op == "in":
            return any(_same(v, w) for v in value for w in want)
        if op == "ne":
            return not any(_same(v, want) for v in value)
        return False
    if op == "eq":
        return _same(value, want)
    if op == "in":
        return any(_same(value, w) for w in want)
    if op == "ne":
        return not _same(value, want)
    if not _is_number(value) or (isinstance(value, float) and math.isnan(value)):
        return False
    if op == "gt":
        return bool(value > want)
    if op == "ge":
        return bool(value >= want)
    if op == "lt":
        return bool(value < want)
    return bool(value <= want)


_OP_WORDS = {"ne": "is not", "gt": ">", "ge": "\u2265", "lt": "<", "le": "\u2264"}


def _where_words(where: Sequence[Condition]) -> str:
    parts = []
    for c in where:
        if c.op == "eq":
            parts.append(f"{c.field} is {c.value!r}")
        elif c.op == "in":
            parts.append(f"{c.field} is {' or '.join(repr(v) for v in c.value)}")
        else:
            parts.append(f"{c.field} {_OP_WORDS[c.op]} {c.value!r}")
    return f" where {' and '.join(parts)}" if parts else ""


def _number_words(value: float) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _forbid(rule: Rule, result: Any) -> tuple[RuleViolation, str] | None:
    items = _items(result) or []
    matched = [(r, f) for r, f in items if all(_holds(c, r.get(c.field)) for c in rule.where)]
    allowed = int(rule.max or 0)
    if len(matched) <= allowed:
        return None
    n = len(matched)
    shown = "; ".join(_words(result, r, f) for r, f in matched[:SHOWN_MATCHES])
    if n > SHOWN_MATCHES:
        shown += f"; and {n - SHOWN_MATCHES} more"
    words = (
        f"{n} finding{'s' if n != 1 else ''} of {rule.analysis} "
        f"match{'es' if n == 1 else ''}{_where_words(rule.where)}, more than the "
        f"{allowed} allowed: {shown}"
    )
    violation = RuleViolation(
        rule=rule.id, analysis=rule.analysis, finding=tuple(r for r, _ in matched)
    )
    return violation, words


def _require(rule: Rule, result: Any) -> tuple[RuleViolation, str] | None:
    value = getattr(result, str(rule.field), None)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        words = f"{rule.target} is unknown: {rule.analysis} could not compute it"
    elif rule.min is not None and value < rule.min:
        words = f"{rule.target} is {_number_words(value)}, below the minimum {rule.min!r}"
    elif rule.max is not None and value > rule.max:
        words = f"{rule.target} is {_number_words(value)}, above the maximum {rule.max!r}"
    else:
        return None
    return RuleViolation(rule=rule.id, analysis=rule.analysis, finding=value), words


# -- check ------------------------------------------------------------------------------


def _rules_of(rules: Any) -> Rules:
    if isinstance(rules, Rules):
        return rules
    if isinstance(rules, str | os.PathLike):
        return load_rules(rules)
    if isinstance(rules, Mapping):
        return parse_rules(rules)
    msg = (
        "check() takes the rules as a rules file's path or a mapping of its shape, "
        f"got {describe(rules)}"
    )
    raise TypeError(msg)


def check(journey: Journey, rules: Rules | Mapping[str, Any] | str | os.PathLike[str]) -> RuleCheck:
    """Check a journey against rules; one :class:`RuleViolation` per rule it breaks.

    Parameters
    ----------
    journey
        The journey to check.
    rules
        A rules file's path (YAML, or JSON for a ``.json`` file), a mapping
        of the file's shape (``{"cxgraph-rules": "1.0", "rules": [...]}``),
        or the :class:`~cxgraph.readwrite.rules.Rules` that
        :func:`~cxgraph.readwrite.rules.load_rules` read.

    Returns
    -------
    RuleCheck
        True (``ok``) when every rule holds; its records are ``rule,
        analysis, finding``, one per broken rule.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey, or ``rules`` is neither a path nor a mapping.
    RulesError
        For every problem with the rules: the file's shape, an unknown analysis
        or field (the message lists the choices), a value the field cannot
        hold, a comparison of a field that is not a number.
    FileNotFoundError
        If the rules file does not exist.
    CxgraphError
        When an analysis of yours fails (the message names it).

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J")
    >>> check(j, {"cxgraph-rules": "1.0", "rules": []})
    <RuleCheck: no rules to check>
    >>> check(j, {"cxgraph-rules": "1.0", "rules": [
    ...     {"id": "r", "description": "R", "forbid": "silos"}]})
    Traceback (most recent call last):
    ...
    cxgraph.errors.RulesError: 1 problem in the rules:
    $.rules[0].forbid: unknown analysis 'silos' (valid: 'unowned_handoffs', 'silo_boundaries', 'branches', 'dimensions', 'moments_of_truth', 'weakest_touchpoints', 'touchpoint_inventory', 'coverage', 'markov', 'trust_and_value', 'technology', 'decision_boundary')
    """  # noqa: E501
    if not isinstance(journey, Journey):
        msg = f"check() takes a Journey, got {describe(journey)}"  # type: ignore[unreachable]
        raise TypeError(msg)
    parsed = _rules_of(rules)
    valid = registered_analyses()
    unknown: list[tuple[int, Problem]] = []
    for i, rule in enumerate(parsed.rules):
        if rule.analysis not in valid:
            listed = choices_text(rule.analysis, valid, word="valid")
            msg = f"unknown analysis {rule.analysis!r} {listed}"
            unknown.append((i, Problem(f"{rule.path}.{rule.kind}", "reference", msg)))
    names = list(dict.fromkeys(r.analysis for r in parsed.rules if r.analysis in valid))
    builtin = _builtin() if any(n in BUILTIN_NAMES for n in names) else {}
    specs = {n: _static_spec(n, builtin) for n in names}
    later = [n for n in names if specs[n] is None]

    def shape_problems() -> list[tuple[int, Problem]]:
        return [
            (i, p)
            for i, rule in enumerate(parsed.rules)
            if (spec := specs.get(rule.analysis)) is not None
            for p in _rule_problems(rule, spec)
        ]

    # Rules already broken run only the analyses whose fields are read from their results.
    broken_already = bool(unknown or shape_problems())
    report = analyze(journey, analyses=later if broken_already else names)
    for n in later:
        specs[n] = _spec_of_result(n, report[n])
    problems = unknown + shape_problems()
    if problems:
        ordered = sorted(dict.fromkeys(problems), key=lambda ip: ip[0])
        raise RulesError([p for _, p in ordered], parsed.source)
    violations: list[RuleViolation] = []
    reasons: dict[str, str] = {}
    for rule in parsed.rules:
        result = report[rule.analysis]
        broken = _forbid(rule, result) if rule.kind == "forbid" else _require(rule, result)
        if broken is not None:
            violations.append(broken[0])
            reasons[rule.id] = broken[1]
    return RuleCheck(
        findings=tuple(violations),
        checked=tuple(r.id for r in parsed.rules),
        source=parsed.source,
        descriptions={r.id: r.description for r in parsed.rules},
        reasons=reasons,
    )
