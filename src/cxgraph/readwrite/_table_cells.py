"""The cells of a journey-map grid: what each column holds, rows to a journey, what is lost.

Split from :mod:`cxgraph.readwrite.table`, which documents the rules; this
module knows only cell texts (:func:`cell_text` makes them from what pandas
reads), so reading a CSV file, a workbook or a frame ends in one place:
:func:`parse_grid`. :func:`lost_in_grid` says what of a journey a grid
cannot hold, for the warning of :func:`~cxgraph.readwrite.table.write_table`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from datetime import date, time
from typing import Any

import attrs

from cxgraph._util.text import choices_text, closest, plural, unique_ids
from cxgraph.errors import JourneyValidationError, Problem
from cxgraph.model import fields as F
from cxgraph.model.classes import (
    CHANNEL_KINDS,
    DECIDERS,
    LANES,
    OUTCOME_KINDS,
    OWNER_KINDS,
    Journey,
    Outcome,
    Step,
    Touchpoint,
)
from cxgraph.readwrite.converter import from_dict, to_dict

#: The grid's columns, in the order :func:`~cxgraph.write_table` writes them.
COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "kind",
    "phase",
    "owner",
    "channel",
    "lane",
    "emotion",
    "pain_points",
    "next",
    "outcome_kind",
    "decided_by",
    "owner_kind",
    "channel_kind",
)
#: The values of the ``kind`` column (blank is ``touchpoint``).
KINDS: tuple[str, ...] = ("touchpoint", "decision", "outcome")
#: The columns a row of each kind may fill: the fields its model class has.
KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    "touchpoint": (
        *("id", "name", "kind", "phase", "owner", "channel", "lane", "emotion"),
        *("pain_points", "next", "owner_kind", "channel_kind"),
    ),
    "decision": ("id", "name", "kind", "phase", "owner", "next", "decided_by", "owner_kind"),
    "outcome": ("id", "name", "kind", "outcome_kind"),
}
#: What each column holds, as the template's ``Columns`` sheet explains it.
COLUMN_HELP: dict[str, str] = {
    "id": "Required. The step's id: letters, digits and _ . : - (no spaces), each row its "
    "own; next names steps by it.",
    "name": "The step's name as people read it; blank: the id.",
    "kind": "touchpoint, decision or outcome; blank: touchpoint.",
    "phase": "The name of the phase the step is in. Phases are made from the names in the "
    "order they first appear; their ids are slugs of the names.",
    "owner": "The name of the team, role or system accountable for the step; owners are "
    "made like phases.",
    "channel": "The name of the channel the step happens in (web, phone, store...); "
    "channels are made like phases.",
    "lane": "Where the step sits on a service blueprint: customer, frontstage, backstage or "
    "support; blank: frontstage.",
    "emotion": "How the customer feels: a whole number from -3 to 3; blank: unknown.",
    "pain_points": "The customer's pain points, separated by ';'.",
    "next": "The ids of the steps that can follow, separated by ';', each with its "
    "probability if known (id=0.3 or id=30%): on all of a row's steps or none, "
    "summing to 1.",
    "outcome_kind": "Required for an outcome: success, failure or exit.",
    "decided_by": "Who decides: customer, employee or automated; blank: the customer. A "
    "decision with an owner is decided by an employee or automated.",
    "owner_kind": "The kind of the row's owner: department, team, role, system or "
    "partner; blank: team. An owner has one kind in the whole grid.",
    "channel_kind": "The kind of the row's channel: digital, human, physical or automated; "
    "blank: digital. A channel has one kind in the whole grid.",
}
_CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": ("kind", KINDS),
    "lane": ("lane", LANES),
    "outcome_kind": ("outcome kind", OUTCOME_KINDS),
    "decided_by": ("decided_by value", DECIDERS),
    "owner_kind": ("owner kind", OWNER_KINDS),
    "channel_kind": ("channel kind", CHANNEL_KINDS),
}
_ID_RULE = F.Id()
_SEPARATORS = re.compile(r"[\s_-]+")
_ITEM = re.compile(r"\$\.(touchpoints|decision_points|outcomes|transitions)\[(\d+)\](?:\.(\w+))?")


def cell_text(value: Any) -> str:
    """A cell as text, stripped: blank for a missing value, a whole number without ``.0``.

    Excel keeps every number as a float, so ``7.0`` in an id cell is ``"7"``;
    line breaks become ``\\n``.

    Examples
    --------
    >>> [cell_text(v) for v in (" a ", 7, 2.0, 0.25, None, float("nan"), True, "x\\r\\ny")]
    ['a', '7', '2', '0.25', '', '', 'TRUE', 'x\\ny']
    """
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, str):
        text = value
    elif type(value).__name__ in ("bool", "bool_"):  # numpy's too
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, numbers.Integral):
        text = str(int(value))
    elif isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ""
        whole = number.is_integer() and abs(number) < 2**53
        text = str(int(number)) if whole else repr(number)
    elif isinstance(value, date | time):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def column_name(header: str) -> str:
    """The column a header names: case and the spaces, ``-`` or ``_`` between words aside.

    Examples
    --------
    >>> column_name(" Pain points "), column_name("Outcome-Kind")
    ('pain_points', 'outcome_kind')
    """
    return _SEPARATORS.sub("_", header.strip().lower())


def letter(index: int) -> str:
    """The spreadsheet letter of a column counted from 0: ``A``, ..., ``Z``, ``AA``."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def slug_ids(names: Sequence[str], noun: str) -> list[str]:
    """Ids for names in order: their slugs, a clash getting ``-2``, ``-3``, ...

    Examples
    --------
    >>> slug_ids(["Sales", "sales", "!!"], "owner")
    ['sales', 'sales-2', 'owner']
    """
    return unique_ids(names, empty=noun)


def renamed(exc: JourneyValidationError, title: str) -> JourneyValidationError:
    """The same problems, headed ``N problems in <title>:``."""
    named = JourneyValidationError(exc.errors)
    named.args = (str(named).replace(" in the journey:", f" in {title}:", 1),)
    return named


def file_problem(source: str, code: str, message: str, title: str) -> JourneyValidationError:
    """The error for a whole file (or sheet) that cannot be read as a grid."""
    return renamed(JourneyValidationError([Problem(source, code, message)]), title)


@attrs.define
class _Rows:
    """The problems found so far, each at its cell, and what they are sorted by."""

    source: str
    labels: dict[str, str]
    position: dict[str, int]
    found: list[tuple[int, int, Problem]] = attrs.Factory(list)

    def add(self, row: int | None, column: str | None, code: str, message: str) -> None:
        """Report a problem at a cell, a row (no column) or the sheet (no row)."""
        label = self.labels.get(column) if column else None
        where = self.source if row is None else f"{self.source}:row {row}"
        where += f", column {label}" if label and row is not None else ""
        key = (row or 0, self.position.get(column or "", -1))
        self.found.append((*key, Problem(where, code, message)))

    def raise_if_any(self, title: str) -> None:
        if self.found:
            problems = [p for *_, p in sorted(self.found, key=lambda t: (t[0], t[1]))]
            raise renamed(JourneyValidationError(problems), title)


@attrs.define
class _Row:
    number: int
    kind: str
    id: str
    cells: dict[str, str]
    keep: bool  # False for a row whose id is invalid or taken: checked, but no step


def parse_grid(
    source: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    journey_id: str,
    journey_name: str,
    title: str,
) -> Journey:
    """The journey a grid holds; ``rows[k]`` is row ``k + 2`` of the sheet (the header is 1).

    Raises
    ------
    JourneyValidationError
        Every problem at once, each at ``source:row N, column C``, headed
        ``N problems in <title>:``.
    """
    if not any(header):
        what = "holds nothing" if not any(any(r) for r in rows) else "has a blank first row"
        message = (
            f"the sheet {what}: the first row must name the columns, at least 'id' "
            f"(columns: {', '.join(COLUMNS)})"
        )
        where = f"{source}:row 1"
        raise file_problem(where, "parse", message, title)
    grid = _Rows(source, {}, {})
    index = _header(grid, header, rows)
    table: list[_Row] = []
    ids: dict[str, int] = {}
    for k, cells in enumerate(rows):
        values = {c: cells[i] for c, i in index.items() if i < len(cells) and cells[i]}
        if any(cells):  # a blank row is skipped, but keeps its number
            row = _first_pass(grid, k + 2, values, ids)
            if row is not None:
                table.append(row)
    doc = _document(grid, table, ids, journey_id, journey_name)
    grid.raise_if_any(title)
    try:
        return from_dict(doc)
    except JourneyValidationError as exc:  # checks of the model's own that the cells passed
        for problem in exc.errors:
            _locate(grid, problem, doc, table)
        grid.raise_if_any(title)
        raise  # pragma: no cover - _locate adds a problem for each


def _header(grid: _Rows, header: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, int]:
    """The known columns and where they are; problems with the header row go to ``grid``."""
    index: dict[str, int] = {}
    for i, text in enumerate(header):
        grid.position.setdefault(f"#{i}", i)
        if not text:
            used = next((k + 2 for k, r in enumerate(rows) if i < len(r) and r[i]), None)
            if used is not None:
                grid.labels[f"#{i}"] = letter(i)
                message = (
                    f"a column with no name holds values (from row {used}): name it or clear it"
                )
                grid.add(1, f"#{i}", "unknown_key", message)
            continue
        name = column_name(text)
        if name in index:
            grid.labels[f"#{i}"] = text
            first = grid.labels[name]
            message = (
                f"a second column {name!r} (the first is {first!r}, column {letter(index[name])})"
            )
            grid.add(1, f"#{i}", "duplicate", message + ": keep one")
        elif name in COLUMNS:
            index[name] = i
            grid.labels[name], grid.position[name] = text, i
        else:
            grid.labels[f"#{i}"] = text
            near = closest(name, COLUMNS, n=1, cutoff=0.7)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            message = f"unknown column {text!r}{hint} (expected: {', '.join(COLUMNS)})"
            grid.add(1, f"#{i}", "unknown_key", message)
    if "id" not in index:
        named = ", ".join(repr(t) for t in header if t) or "none"
        grid.add(1, None, "required", f"missing the required column 'id' (columns: {named})")
    return index


def _choice(grid: _Rows, number: int, column: str, text: str) -> str | None:
    """A keyword cell (any case) as its value, or None after reporting it."""
    noun, choices = _CHOICES[column]
    value = text.lower()
    if value in choices:
        return value
    listed = choices_text(text, choices, word="valid")
    if column == "kind":
        listed = listed[:-1] + "; blank: 'touchpoint')"
    message = f"unknown {noun} {text!r} {listed}"
    grid.add(number, column, "enum", message)
    return None


def _first_pass(
    grid: _Rows, number: int, cells: dict[str, str], ids: dict[str, int]
) -> _Row | None:
    """The row's kind and id, checked; None if either is unusable."""
    kind = _choice(grid, number, "kind", cells["kind"]) if "kind" in cells else "touchpoint"
    step_id = cells.get("id", "")
    if not step_id:
        if "id" in grid.labels:
            why = "letters, digits and _ . : -, no spaces"
            grid.add(number, "id", "required", f"the row has no id: give every step one ({why})")
        return None
    keep = step_id not in ids
    if not keep:
        message = f"duplicate id {step_id!r} (first at row {ids[step_id]}): give each step its own"
        grid.add(number, "id", "duplicate", message)
    else:
        ids[step_id] = number  # even if invalid: a next naming it is not wrong as well
        bad = _ID_RULE.raw(step_id, "")
        if bad:
            grid.add(number, "id", bad[0].code, bad[0].message)
            keep = False
    if kind is None:
        return None
    for column in cells:
        if column not in KIND_COLUMNS[kind]:
            having = [k for k in KINDS if column in KIND_COLUMNS[k]]
            who = " and ".join(f"{k}s" for k in having)
            message = (
                f"{'an' if kind == 'outcome' else 'a'} {kind} has no {column} "
                f"(only {who} do): clear the cell, or change the row's kind"
            )
            grid.add(number, column, "unknown_key", message)
    kept = {c: v for c, v in cells.items() if c in KIND_COLUMNS[kind]}
    return _Row(number, kind, step_id, kept, keep)


@attrs.define
class _Named:
    """Phases, owners or channels, made from their names in order of first appearance."""

    noun: str
    default_kind: str | None = None
    names: dict[str, str | None] = attrs.Factory(dict)  # name -> kind given
    given_at: dict[str, int] = attrs.Factory(dict)

    def add(self, grid: _Rows, row: _Row, column: str) -> None:
        name = row.cells.get(column)
        kind_column = f"{column}_kind"
        kind_text = row.cells.get(kind_column)
        kind = _choice(grid, row.number, kind_column, kind_text) if kind_text else None
        if name is None:
            if kind_text:
                message = f"the row has no {column} to give the kind {kind_text!r} to"
                grid.add(row.number, kind_column, "required", message + f": name the {column}")
            return
        known = self.names.setdefault(name, None)
        if kind is None:
            return
        if known is None:
            self.names[name], self.given_at[name] = kind, row.number
        elif known != kind:
            message = (
                f"{column} {name!r} is of kind {known!r} at row {self.given_at[name]}, so it "
                f"cannot be {kind!r} here: one {column} has one kind"
            )
            grid.add(row.number, kind_column, "conflict", message)

    def items(self) -> tuple[dict[str, str], list[dict[str, str]]]:
        """The id of each name, and the items as the journey file writes them."""
        ids = dict(zip(self.names, slug_ids(list(self.names), self.noun), strict=True))
        out: list[dict[str, str]] = []
        for name, kind in self.names.items():
            item = {"id": ids[name], "name": name}
            if self.default_kind is not None:
                item["kind"] = kind or self.default_kind
            out.append(item)
        return ids, out


def _document(
    grid: _Rows, table: list[_Row], ids: dict[str, int], journey_id: str, journey_name: str
) -> dict[str, Any]:
    """The journey file's shape built from the rows; problems in cells go to ``grid``."""
    phases = _Named("phase")
    owners = _Named("owner", "team")
    channels = _Named("channel", "digital")
    for row in table:
        phases.add(grid, row, "phase")
        owners.add(grid, row, "owner")
        channels.add(grid, row, "channel")
    phase_ids, phase_items = phases.items()
    owner_ids, owner_items = owners.items()
    channel_ids, channel_items = channels.items()
    steps: dict[str, list[dict[str, Any]]] = {
        "touchpoints": [],
        "decision_points": [],
        "outcomes": [],
    }
    transitions: list[dict[str, Any]] = []
    for row in table:
        cells = row.cells
        step: dict[str, Any] = {"id": row.id, "name": cells.get("name") or row.id}
        for column, made in (("phase", phase_ids), ("owner", owner_ids), ("channel", channel_ids)):
            if column in cells:
                step[column] = made[cells[column]]
        if row.kind == "touchpoint":
            if "lane" in cells:
                step["lane"] = _choice(grid, row.number, "lane", cells["lane"])
            if "emotion" in cells:
                step["emotion"] = _emotion(grid, row.number, cells["emotion"])
            if "pain_points" in cells:
                step["pain_points"] = split_list(cells["pain_points"])
            group = "touchpoints"
        elif row.kind == "decision":
            step["decided_by"] = _decider(grid, row)
            group = "decision_points"
        else:
            step["kind"] = _outcome_kind(grid, row)
            group = "outcomes"
        targets = _next(grid, row.number, cells["next"], ids) if "next" in cells else []
        if not row.keep:
            continue
        steps[group].append(step)
        for target, probability in targets:
            edge: dict[str, Any] = {"source": row.id, "target": target}
            if probability is not None:
                edge["probability"] = probability
            transitions.append(edge)
    doc: dict[str, Any] = {"cxgraph": "1.0", "journey": {"id": journey_id, "name": journey_name}}
    lists = {"phases": phase_items, "owners": owner_items, "channels": channel_items}
    lists.update({**steps, "transitions": transitions})
    doc.update({name: items for name, items in lists.items() if items})
    return doc


def split_list(text: str) -> list[str]:
    """A ``;``-separated cell as its items, each stripped, empty ones left out."""
    return [item.strip() for item in text.split(";") if item.strip()]


def _emotion(grid: _Rows, number: int, text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value.is_integer():
        message = f"expected a whole number from -3 to 3, got {text!r}"
        grid.add(number, "emotion", "type", message)
        return None
    if not -3 <= value <= 3:
        grid.add(number, "emotion", "range", f"expected a whole number from -3 to 3, got {text}")
        return None
    return int(value)


def _decider(grid: _Rows, row: _Row) -> str | None:
    owner = row.cells.get("owner")
    if "decided_by" not in row.cells:
        if owner is None:
            return "customer"
        message = (
            f"decision {row.id!r} has the owner {owner!r}, so say who decides: 'employee' or "
            "'automated' (a blank decided_by is the customer, who is no owner)"
        )
        grid.add(row.number, "decided_by", "decided_by", message)
        return None
    decider = _choice(grid, row.number, "decided_by", row.cells["decided_by"])
    if decider == "customer" and owner is not None:
        message = (
            f"decision {row.id!r} is decided by the customer, so it has no owner (got {owner!r}): "
            "clear the owner, or set decided_by to 'employee' or 'automated'"
        )
        grid.add(row.number, "decided_by", "decided_by", message)
    elif decider in ("employee", "automated") and owner is None:
        message = (
            f"decision {row.id!r} is decided by {decider!r}, so it needs an owner: fill in the "
            "team, role or system accountable for it"
        )
        grid.add(row.number, "decided_by", "decided_by", message)
    return decider


def _outcome_kind(grid: _Rows, row: _Row) -> str | None:
    if "outcome_kind" in row.cells:
        return _choice(grid, row.number, "outcome_kind", row.cells["outcome_kind"])
    message = f"outcome {row.id!r} needs an outcome_kind: 'success', 'failure' or 'exit'"
    grid.add(row.number, "outcome_kind", "required", message)
    return None


def _probability(text: str) -> float | None:
    """``0.3`` or ``30%`` as a probability, or None if it is not a number from 0 to 1."""
    number, scale = (text[:-1].strip(), 100.0) if text.endswith("%") else (text, 1.0)
    try:
        value = float(number) / scale
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def _next(
    grid: _Rows, number: int, text: str, ids: dict[str, int]
) -> list[tuple[str, float | None]]:
    """The targets of a ``next`` cell with their probabilities; problems go to ``grid``."""
    out: list[tuple[str, float | None]] = []
    ok = True
    for item in split_list(text):
        target, has_probability, given = (part.strip() for part in item.partition("="))
        probability = None
        if has_probability:
            probability = _probability(given)
            if probability is None:
                ok = False
                comma = " (use a point for decimals)" if "," in given else ""
                message = (
                    f"the probability of {target!r} is {given!r}: expected a number from 0 "
                    f"to 1, such as {target or 'id'}=0.3 or {target or 'id'}=30%{comma}"
                )
                grid.add(number, "next", "range", message)
        if target not in ids:
            ok = False
            if not target:
                message = f"{item!r} names no step: write the next step's id before '='"
            else:
                message = f"unknown step {target!r} {choices_text(target, list(ids))}"
            grid.add(number, "next", "reference", message)
        elif any(t == target for t, _ in out):
            ok = False
            message = f"{target!r} is named twice: name each next step once"
            grid.add(number, "next", "duplicate_edge", message)
        else:
            out.append((target, probability))
    given_on = [t for t, p in out if p is not None]
    if ok and given_on and len(given_on) != len(out):
        missing = ", ".join(repr(t) for t, p in out if p is None)
        message = (
            f"probabilities are given on {len(given_on)} of {len(out)} next steps (missing on "
            f"{missing}): give them on all or on none"
        )
        grid.add(number, "next", "probability", message)
    elif ok and given_on:
        total = math.fsum(p for _, p in out if p is not None)
        if abs(total - 1.0) > 1e-9:
            message = f"the probabilities sum to {total:.12g}, not 1: make them add up to 1"
            grid.add(number, "next", "probability_sum", message)
    return out


def _locate(grid: _Rows, problem: Problem, doc: dict[str, Any], table: list[_Row]) -> None:
    """Report a problem the model found at the cell it comes from, where that can be told."""
    m = _ITEM.match(problem.path)
    rows = {row.id: row for row in table}
    if m is None:
        grid.add(None, None, problem.code, f"{problem.path}: {problem.message}")
        return
    item = doc[m[1]][int(m[2])]
    if m[1] == "transitions":
        number, column = rows[item["source"]].number, "next"
    else:
        number = rows[item["id"]].number
        column = {"kind": "outcome_kind"}.get(m[3] or "", m[3] or "")
    grid.add(number, column if column in grid.labels else None, problem.code, problem.message)


# -- what a grid leaves out -------------------------------------------------------


def step_refs(step: Step) -> dict[str, str | None]:
    """The phase, owner and channel a step names (None where it names none)."""
    if isinstance(step, Outcome):
        return {"phase": None, "owner": None, "channel": None}
    channel = step.channel if isinstance(step, Touchpoint) else None
    return {"phase": step.phase, "owner": step.owner, "channel": channel}


def _quoted(items: Sequence[str], n: int = 4) -> str:
    shown = ", ".join(repr(x) for x in items[:n])
    return shown + (", ..." if len(items) > n else "")


#: The fields of each list a grid keeps; the others are left out with a warning.
_KEPT: dict[str, set[str]] = {
    "phases": {"id", "name"},
    "owners": {"id", "name", "kind"},
    "channels": {"id", "name", "kind"},
    "touchpoints": set(KIND_COLUMNS["touchpoint"]) - {"kind", "next"},
    "decision_points": {"id", "name", "phase", "owner", "decided_by"},
    "outcomes": {"id", "name", "kind"},
    "transitions": {"source", "target", "probability"},
    "handoffs": {"source", "target", "probability"},
}
_GONE = {
    "personas": "persona",
    "systems": "system",
    "dimensions": "dimension",
    "entries": "entry",
    "triggers": "trigger",
}


def lost_in_grid(journey: Journey, steps: list[Step]) -> list[str]:
    """What the grid leaves out of the journey, for the warning.

    Worded without a lone apostrophe: the warning shortens what it takes for
    long quoted values, and ``journey's ... '`` would read as one.
    """
    doc = to_dict(journey)
    out: list[str] = []
    extra = [k for k in doc["journey"] if k not in ("id", "name")]
    if extra:
        out.append(f"the {', '.join(extra)} of the journey")
    if journey.extensions:
        out.append("extensions")
    for name, noun in _GONE.items():
        if doc.get(name):
            out.append(plural(len(doc[name]), noun, "entries" if noun == "entry" else None))
    for name, kept in _KEPT.items():
        fields = dict.fromkeys(k for item in doc.get(name, []) for k in item if k not in kept)
        if fields:
            noun = "hand-offs" if name == "handoffs" else name.replace("_", " ")
            out.append(f"{', '.join(fields)} of {noun}")
    if journey.handoffs:
        n = plural(len(journey.handoffs), "edge")
        out.append(f"the hand-off kind of {n} (written in next as transitions)")
    out += _lost_names(journey, steps)
    pains = [p for t in journey.touchpoints for p in t.pain_points]
    split = sum(";" in p for p in pains)
    if split:
        out.append(f"{plural(split, 'pain point')} holding ';' (read back as several)")
    names = [x.name for x in (*journey.steps, *journey.phases, *journey.owners, *journey.channels)]
    odd = sum(not t.strip() or cell_text(t) != t for t in [*names, *pains])
    if odd:
        out.append(
            f"{plural(odd, 'name or pain point', 'names or pain points')} as written: blank, "
            "or with spaces around or a carriage return, which a grid reads back otherwise"
        )
    return out


def _lost_names(journey: Journey, steps: list[Step]) -> list[str]:
    """Phases, owners and channels no step names, and ids that will read back otherwise."""
    out: list[str] = []
    for noun, items in (
        ("phase", journey.phases),
        ("owner", journey.owners),
        ("channel", journey.channels),
    ):
        used = list(dict.fromkeys(v for s in steps if (v := step_refs(s).get(noun)) is not None))
        named = set(used)
        unused = [x.id for x in items if x.id not in named]
        if unused:
            out.append(f"{plural(len(unused), noun)} no step names ({_quoted(unused)})")
        if used != [x.id for x in items if x.id in named]:
            out.append(f"the order of the {noun}s (they read back in the order rows name them)")
        name_of = {x.id: x.name for x in items}
        names = list(dict.fromkeys(name_of[i] for i in used))
        new = dict(zip(names, slug_ids(names, noun), strict=True))
        moved = [f"{i!r} -> {new[name_of[i]]!r}" for i in used if new[name_of[i]] != i]
        if moved:
            shown = ", ".join(moved[:4]) + (", ..." if len(moved) > 4 else "")
            out.append(
                f"the ids of {plural(len(moved), noun)}, which read back as slugs of the "
                f"names ({shown})"
            )
    return out
