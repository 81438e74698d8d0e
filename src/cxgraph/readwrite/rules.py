"""Journey rules files: read them safely and check their shape, every problem at once.

A rules file says what a journey must not have and what it must keep, for
:func:`cxgraph.report.rules.check` and ``cxgraph check FILE --rules RULES.yaml``::

    cxgraph-rules: "1.0"
    rules:
      - id: owned-handoffs
        description: Every declared hand-off has an owner
        forbid: unowned_handoffs
        where: {reason: no_owner}
      - id: conversion
        description: Conversion stays above 20%
        require: markov.conversion_probability
        min: 0.2

This module reads the file and checks its shape: the version, each rule's
keys and the types of their values, the operators, ``min`` against ``max``
and unique rule ids. Whether the analyses and fields a rule names exist is
the registry's business, checked by ``check`` (layer 7). Nothing in a rules
file is ever evaluated as code.

A rules file is read like a journey file, and more strictly: a regular file
of at most :data:`MAX_RULES_BYTES`, UTF-8, YAML (or JSON, for a ``.json``
file) without duplicate keys, YAML aliases (``*name``: refused outright, so
no document can expand to billions of values) or YAML tags (``!!str``,
``!name``). Every problem is a :class:`~cxgraph.errors.Problem` with its
path, raised together as :class:`~cxgraph.errors.RulesError`.

Examples
--------
>>> rules = parse_rules({"cxgraph-rules": "1.0", "rules": [
...     {"id": "few", "description": "Few gaps", "forbid": "coverage", "max": 2}]})
>>> rules.rules[0].analysis, rules.rules[0].max
('coverage', 2)
>>> parse_rules({"cxgraph-rules": "1.0", "rules": [
...     {"id": "r", "description": "R", "require": "markov.conversion_probability",
...      "min": 0.5, "max": 0.2}]})
Traceback (most recent call last):
...
cxgraph.errors.RulesError: 1 problem in the rules:
$.rules[0].min: min 0.5 is above max 0.2: no value can pass
"""

from __future__ import annotations

import errno
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from attrs import frozen

from cxgraph._util.text import choices_text, describe
from cxgraph.errors import JourneyValidationError, Problem, RulesError
from cxgraph.model import fields as F
from cxgraph.readwrite._yaml import WithoutAliases, aliases_and_tags
from cxgraph.readwrite.files import FileTooLargeError, _parse, read_bounded

__all__ = [
    "MAX_RULES_BYTES",
    "OPERATORS",
    "RULES_VERSION",
    "Condition",
    "Rule",
    "Rules",
    "load_rules",
    "loads_rules",
    "parse_rules",
]

#: The version a rules file states under :data:`VERSION_KEY`.
RULES_VERSION = "1.0"
#: The key that opens a rules file.
VERSION_KEY = "cxgraph-rules"
#: The largest rules file :func:`load_rules` reads, in bytes (1 MiB: many thousands of rules).
MAX_RULES_BYTES = 2**20
#: The operators of a ``where`` condition written as a mapping.
OPERATORS: tuple[str, ...] = ("gt", "ge", "lt", "le", "ne")
#: The operators that order numbers (``ne`` tests any value).
ORDERING: tuple[str, ...] = ("gt", "ge", "lt", "le")
#: The top-level keys of a rules file.
TOP_KEYS: tuple[str, ...] = (VERSION_KEY, "$schema", "rules")
#: The keys of each kind of rule, in the order a rule is written.
FORBID_KEYS: tuple[str, ...] = ("id", "description", "forbid", "where", "max")
REQUIRE_KEYS: tuple[str, ...] = ("id", "description", "require", "min", "max")

#: ``ANALYSIS.FIELD``: an analysis name (it may hold dots), a dot, a field name.
REQUIRE_PATTERN = r"^[A-Za-z0-9_.:-]+\.[A-Za-z_][A-Za-z0-9_]*$"
_REQUIRE_RE = re.compile(REQUIRE_PATTERN)

Op = Literal["eq", "in", "gt", "ge", "lt", "le", "ne"]


@frozen(kw_only=True)
class Condition:
    """One test of a ``where`` field: ``op`` is ``eq`` (a value), ``in`` (a list) or an operator.

    ``value`` is the value, a tuple of values for ``in``; ``path`` is where
    the condition is written (``$.rules[0].where.flow.gt``).
    """

    field: str
    op: Op
    value: Any
    path: str


@frozen(kw_only=True)
class Rule:
    """One rule: ``forbid`` findings of an analysis, or ``require`` a bound on a summary field.

    For ``kind="forbid"``, at most ``max`` findings of ``analysis`` may match
    every condition of ``where`` (``max`` 0 unless given). For
    ``kind="require"``, the summary field ``field`` of ``analysis`` must lie
    within ``min`` and ``max`` (either may be None). ``path`` is where the rule
    is written (``$.rules[2]``).
    """

    id: str
    description: str
    kind: Literal["forbid", "require"]
    analysis: str
    field: str | None = None
    where: tuple[Condition, ...] = ()
    min: float | None = None
    max: float | None = None
    path: str = "$"

    @property
    def target(self) -> str:
        """What the rule names: ``ANALYSIS`` or ``ANALYSIS.FIELD``."""
        return self.analysis if self.field is None else f"{self.analysis}.{self.field}"


@frozen(kw_only=True)
class Rules:
    """The rules of a rules file, in order; ``source`` is the file (None for a mapping)."""

    rules: tuple[Rule, ...]
    source: str | None = None

    def __len__(self) -> int:
        return len(self.rules)


# -- the shape of a document ----------------------------------------------------


def parse_rules(data: Any, *, source: str | None = None) -> Rules:
    """The rules of a document of the rules file's shape (a mapping).

    Parameters
    ----------
    data
        ``{"cxgraph-rules": "1.0", "rules": [...]}``, as a rules file holds it.
    source
        The file the document came from, named in errors.

    Returns
    -------
    Rules

    Raises
    ------
    RulesError
        For every problem with the document's shape, each with its path.

    Examples
    --------
    >>> parse_rules({"cxgraph-rules": "1.0", "rules": [{"id": "x", "forbid": "coverage"}]})
    Traceback (most recent call last):
    ...
    cxgraph.errors.RulesError: 1 problem in the rules:
    $.rules[0].description: missing required key 'description': say in words what the rule protects
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        problems.append(
            Problem(
                "$",
                "type",
                f'expected a mapping with {VERSION_KEY}: "{RULES_VERSION}" and rules, '
                f"got {describe(data)}",
            )
        )
        raise RulesError(problems, source)
    # Missing keys first, then each key in the order the document has them.
    if VERSION_KEY not in data:
        problems.append(
            Problem(
                f"$.{VERSION_KEY}",
                "required",
                f'missing required key {VERSION_KEY!r}: start the file with {VERSION_KEY}: "'
                f'{RULES_VERSION}"',
            )
        )
    if "rules" not in data:
        problems.append(Problem("$.rules", "required", "missing required key 'rules': a list"))
    rules: list[Rule] = []
    for key, value in data.items():
        if key == VERSION_KEY:
            problems += _version_problems(value)
        elif key == "$schema":
            if not isinstance(value, str):
                problems.append(
                    Problem("$.$schema", "type", f"expected a URL or path, got {describe(value)}")
                )
        elif key == "rules":
            found, rules = _rules(value)
            problems += found
        else:
            hint = ""
            if key == "cxgraph":
                hint = (
                    f'; this looks like a journey file: a rules file starts with {VERSION_KEY}: "'
                    f'{RULES_VERSION}"'
                )
            problems.append(
                Problem(
                    f"$.{key}",
                    "unknown_key",
                    f"unknown key {key!r} {choices_text(str(key), TOP_KEYS, word='valid')}{hint}",
                )
            )
    if problems:
        raise RulesError(problems, source)
    return Rules(rules=tuple(rules), source=source)


def _rules(value: Any) -> tuple[list[Problem], list[Rule]]:
    """The rules of the ``rules`` list and the problems with them, ids unique."""
    if not isinstance(value, list | tuple):
        return [Problem("$.rules", "type", f"expected a list of rules, got {describe(value)}")], []
    problems: list[Problem] = []
    rules: list[Rule] = []
    first: dict[str, str] = {}
    for i, raw in enumerate(value):
        path = f"$.rules[{i}]"
        rule, found = _rule(raw, path)
        problems += found
        # A rule with other problems still claims its id: duplicates show in the same run.
        rule_id = raw.get("id") if isinstance(raw, Mapping) else None
        if isinstance(rule_id, str):
            if rule_id in first:
                problems.append(
                    Problem(
                        f"{path}.id",
                        "duplicate",
                        f"duplicate rule id {rule_id!r} (first at {first[rule_id]})",
                    )
                )
            else:
                first[rule_id] = path
        if rule is not None:
            rules.append(rule)
    return problems, rules


def _version_problems(value: Any) -> list[Problem]:
    path = f"$.{VERSION_KEY}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [
            Problem(
                path,
                "version",
                f"expected the rules version as a string, got {describe(value)}: put it in "
                f'quotes, as in {VERSION_KEY}: "{RULES_VERSION}" (unquoted, YAML reads it as '
                "a number)",
            )
        ]
    if not isinstance(value, str):
        return [
            Problem(
                path,
                "version",
                f'expected the rules version as a string such as "{RULES_VERSION}", '
                f"got {describe(value)}",
            )
        ]
    if value != RULES_VERSION:
        return [
            Problem(
                path,
                "version",
                f"unsupported rules version {value!r}: this cxgraph reads version "
                f'"{RULES_VERSION}"',
            )
        ]
    return []


def _rule(raw: Any, path: str) -> tuple[Rule | None, list[Problem]]:
    """One rule and the problems with it (the rule is None when there are any)."""
    if not isinstance(raw, Mapping):
        what = "a mapping with id, description and forbid or require"
        return None, [Problem(path, "type", f"expected {what}, got {describe(raw)}")]
    out: list[Problem] = []
    has_forbid, has_require = "forbid" in raw, "require" in raw
    kind: Literal["forbid", "require"] = "require" if has_require and not has_forbid else "forbid"
    if has_forbid and has_require:
        out.append(
            Problem(path, "conflict", "a rule has forbid or require, not both: split it in two")
        )
    elif not (has_forbid or has_require):
        out.append(
            Problem(
                path,
                "required",
                "missing forbid or require: say which findings the rule forbids "
                "(forbid: ANALYSIS) or which summary value it bounds (require: ANALYSIS.FIELD)",
            )
        )
    allowed = REQUIRE_KEYS if kind == "require" else FORBID_KEYS
    if not (has_forbid or has_require) or (has_forbid and has_require):
        allowed = tuple(dict.fromkeys((*FORBID_KEYS, *REQUIRE_KEYS)))
    for key in raw:
        if key in allowed:
            continue
        if key == "min":
            why = "min applies to require rules only: a forbid rule caps its matches with max"
        elif key == "where":
            why = "where applies to forbid rules only: a require rule bounds one summary value"
        else:
            why = f"unknown key {key!r} {choices_text(str(key), allowed, word='valid')}"
        out.append(Problem(f"{path}.{key}", "unknown_key", why))
    for key, why in (
        ("id", "name the rule"),
        ("description", "say in words what the rule protects"),
    ):
        if key not in raw:
            out.append(Problem(f"{path}.{key}", "required", f"missing required key {key!r}: {why}"))
    if "id" in raw:
        out += F.Id("rule id").raw(raw["id"], f"{path}.id")
    if "description" in raw:
        text = raw["description"]
        if not isinstance(text, str) or not text.strip():
            got = describe(text) if not isinstance(text, str) else "an empty string"
            out.append(Problem(f"{path}.description", "type", f"expected a sentence, got {got}"))
    analysis, name = "", None
    if has_forbid and not has_require:
        analysis = raw["forbid"]
        out += F.Id("analysis name").raw(analysis, f"{path}.forbid")
    elif has_require and not has_forbid:
        target = raw["require"]
        if not isinstance(target, str) or not _REQUIRE_RE.fullmatch(target):
            out.append(
                Problem(
                    f"{path}.require",
                    "type",
                    "expected ANALYSIS.FIELD, a summary field of an analysis such as "
                    f"'markov.conversion_probability', got {describe(target)}",
                )
            )
        else:
            analysis, _, name = target.rpartition(".")
    where: tuple[Condition, ...] = ()
    if kind == "forbid" and "where" in raw:
        where, found = _where(raw["where"], f"{path}.where")
        out += found
    low = high = None
    if kind == "require":
        low, found = _number(raw, "min", path)
        out += found
        high, found = _number(raw, "max", path)
        out += found
        if "min" not in raw and "max" not in raw:
            out.append(
                Problem(path, "required", "a require rule needs min, max or both: the bounds")
            )
        if low is not None and high is not None and low > high:
            out.append(
                Problem(
                    f"{path}.min", "range", f"min {low!r} is above max {high!r}: no value can pass"
                )
            )
    elif "max" in raw:
        high, found = _count(raw["max"], f"{path}.max")
        out += found
    if out:
        return None, out
    return (
        Rule(
            id=raw["id"],
            description=raw["description"],
            kind=kind,
            analysis=analysis,
            field=name,
            where=where,
            min=low,
            max=0 if kind == "forbid" and high is None else high,
            path=path,
        ),
        [],
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: Any, path: str, what: str) -> list[Problem]:
    """Problems with a value that must be a finite number."""
    if not _is_number(value):
        return [Problem(path, "type", f"expected {what}, got {describe(value)}")]
    if isinstance(value, float) and not math.isfinite(value):
        return [Problem(path, "range", f"expected {what}, got {value!r}")]
    return []


def _number(raw: Mapping[str, Any], key: str, path: str) -> tuple[float | None, list[Problem]]:
    if key not in raw:
        return None, []
    found = _finite(raw[key], f"{path}.{key}", "a number")
    return (None, found) if found else (raw[key], [])


def _count(value: Any, path: str) -> tuple[int | None, list[Problem]]:
    """``max`` of a forbid rule: a whole number of findings, 0 or more."""
    what = "a whole number of findings, 0 or more"
    found = _finite(value, path, what)
    if found:
        return None, found
    if value < 0 or (isinstance(value, float) and not value.is_integer()):
        return None, [Problem(path, "range", f"expected {what}, got {describe(value)}")]
    return int(value), []


def _scalar(value: Any, path: str) -> list[Problem]:
    """Problems with a value a field is compared with: text, a number, true/false or null."""
    if value is None or isinstance(value, str | bool):
        return []
    if _is_number(value):
        return _finite(value, path, "a finite number")
    hint = (
        " (YAML reads an unquoted date or time as one: quote it)" if hasattr(value, "year") else ""
    )
    return [
        Problem(
            path,
            "type",
            f"expected a value (text, a number, true, false or null), got {describe(value)}{hint}",
        )
    ]


def _where(raw: Any, path: str) -> tuple[tuple[Condition, ...], list[Problem]]:
    """The conditions of ``where``: ``field: value``, ``field: [values]`` or ``field: {op: value}``.

    Several fields, and several operators of one field, must all hold.
    """
    if not isinstance(raw, Mapping):
        return (), [
            Problem(
                path,
                "type",
                f"expected a mapping of field: condition, got {describe(raw)}",
            )
        ]
    conditions: list[Condition] = []
    out: list[Problem] = []
    for name, test in raw.items():
        if not isinstance(name, str) or not name:
            out.append(Problem(path, "type", f"a field name is text, got {describe(name)}"))
            continue
        at = f"{path}.{name}"
        if isinstance(test, list | tuple):
            if not test:
                out.append(Problem(at, "range", "an empty list matches nothing: give values"))
                continue
            found = [p for i, v in enumerate(test) for p in _scalar(v, f"{at}[{i}]")]
            out += found
            if not found:
                conditions.append(Condition(field=name, op="in", value=tuple(test), path=at))
        elif isinstance(test, Mapping):
            if not test:
                out.append(
                    Problem(at, "range", f"an empty mapping: give one of {', '.join(OPERATORS)}")
                )
            for op, value in test.items():
                if op not in OPERATORS:
                    out.append(
                        Problem(
                            at,
                            "unknown_key",
                            f"unknown operator {op!r} "
                            f"{choices_text(str(op), OPERATORS, word='valid')}",
                        )
                    )
                    continue
                found = (
                    _finite(value, f"{at}.{op}", f"a number ({op} compares numbers)")
                    if op in ORDERING
                    else _scalar(value, f"{at}.{op}")
                )
                out += found
                if not found:
                    conditions.append(Condition(field=name, op=op, value=value, path=f"{at}.{op}"))
        else:
            found = _scalar(test, at)
            out += found
            if not found:
                conditions.append(Condition(field=name, op="eq", value=test, path=at))
    return tuple(conditions), out


# -- text and files -----------------------------------------------------------------


def _yaml_refusals(text: str) -> list[Problem]:
    """One problem for the YAML aliases and one for the tags, at the first place of each."""
    out = []
    found = aliases_and_tags(text)
    for kind, advice in (
        ("alias", "a rules file may not use aliases (*name): write the value out in full"),
        ("tag", "a rules file may not use tags (!!str, !name): remove the tag"),
    ):
        if found[kind]:
            n = len(found[kind])
            more = f" (and {n - 1} more)" if n > 1 else ""
            out.append(Problem("$", "parse", f"{found[kind][0]}{more}: {advice}"))
    return out


def _other_problems(text: str, source: str | None) -> list[Problem]:
    """The problems of a document besides its aliases and tags."""
    try:
        data = yaml.load(text, Loader=WithoutAliases)  # the strict loader: safe
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return [Problem("$", "parse", f"invalid YAML{where}: {exc.problem}")]
    except (yaml.YAMLError, RecursionError):
        return [Problem("$", "parse", "invalid YAML: the document cannot be read")]
    try:
        parse_rules(data, source=source)
    except RulesError as exc:
        return list(exc.errors)
    return []


def loads_rules(text: str | bytes, format: str = "yaml", *, source: str | None = None) -> Rules:
    """Parse rules from YAML or JSON text.

    Parameters
    ----------
    text
        The document; bytes must be UTF-8.
    format
        ``"yaml"`` (default) or ``"json"``.
    source
        The file the text came from, named in errors.

    Returns
    -------
    Rules

    Raises
    ------
    RulesError
        For text that does not parse (with line and column), a duplicate key,
        a YAML alias or tag, or any problem with the document's shape; every
        problem is listed.
    ValueError
        For a format other than ``"yaml"`` or ``"json"``.

    Examples
    --------
    >>> loads_rules('cxgraph-rules: "1.0"\\nrules: []\\n')
    Rules(rules=(), source=None)
    >>> loads_rules('cxgraph-rules: "1.0"\\nrules: &r []\\nmore: *r\\n')
    Traceback (most recent call last):
    ...
    cxgraph.errors.RulesError: 2 problems in the rules:
    $: YAML alias *r at line 3, column 7: a rules file may not use aliases (*name): write the value out in full
    $.more: unknown key 'more' (valid: 'cxgraph-rules', '$schema', 'rules')
    """  # noqa: E501
    if format not in ("yaml", "json"):
        msg = f"unknown format {format!r} (valid: 'yaml', 'json')"
        raise ValueError(msg)
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            why = f"the text is not UTF-8 (byte 0x{exc.object[exc.start]:02x}): save it as UTF-8"
            raise RulesError([Problem("$", "encoding", why)], source) from None
    elif not isinstance(text, str):
        msg = f"loads_rules() takes text (str or bytes), got {describe(text)}"  # type: ignore[unreachable]
        raise TypeError(msg)
    text = text.removeprefix("\ufeff")
    if format == "yaml":
        refused = _yaml_refusals(text)
        if refused:
            raise RulesError([*refused, *_other_problems(text, source)], source)
    try:
        data = _parse(text, format)  # type: ignore[arg-type]
    except JourneyValidationError as exc:
        raise RulesError(exc.errors, source) from None
    except RecursionError:
        why = "the document nests too deep to read"
        raise RulesError([Problem("$", "parse", why)], source) from None
    return parse_rules(data, source=source)


def load_rules(
    path: str | os.PathLike[str], format: str | None = None, *, max_bytes: int | None = None
) -> Rules:
    """Read a rules file: JSON for a ``.json`` file, else YAML (unless ``format`` says).

    Only a regular file is read, and at most ``max_bytes`` of it
    (:data:`MAX_RULES_BYTES`, 1 MiB, unless given: many thousands of rules;
    pass ``max_bytes`` to read a larger file).

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    OSError
        If the file cannot be read, or is not a regular file (a folder, a FIFO).
    RulesError
        For a file over the size limit, and for every problem in its content;
        the message names the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "rules.yaml"
    >>> _ = p.write_text('cxgraph-rules: "1.0"\\nrules: []\\n')
    >>> len(load_rules(p))
    0
    >>> load_rules(p, max_bytes=10)
    Traceback (most recent call last):
    ...
    cxgraph.errors.RulesError: 1 problem in the rules file '...rules.yaml':
    $: the rules file is 31 bytes, more than the limit of 10 bytes: is it the right file?
    """
    p = Path(path)
    source = os.fspath(p)
    fmt = format if format is not None else ("json" if p.suffix.lower() == ".json" else "yaml")
    limit = MAX_RULES_BYTES if max_bytes is None else max_bytes
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        msg = f"max_bytes must be a whole number of bytes above 0, got {limit!r}"
        raise ValueError(msg)
    try:
        data = read_bounded(p, limit)
    except FileTooLargeError:
        size = p.stat().st_size
        why = (
            f"the rules file is {size:,} bytes, more than the limit of {limit:,} bytes: "
            "is it the right file?"
        )
        raise RulesError([Problem("$", "range", why)], source) from None
    except OSError as exc:
        if exc.errno != errno.EINVAL or not exc.strerror:
            raise
        # A folder or a FIFO: the reader's words are about journey files.
        why = exc.strerror.replace("the journey file", "the rules file")
        raise OSError(exc.errno, why, exc.filename) from None
    return loads_rules(data, fmt, source=source)
