"""Journeys as journey-map grids: one row per step, in CSV files, Excel workbooks or frames.

A grid is what CX teams keep in a spreadsheet. The first row names the
columns, in any order and case (``Pain points`` is ``pain_points``); a
column of another name, a column named twice and a nameless column holding
values are errors, and so is a blank first row. Each row after it is a step:

- ``id`` (required): the step's id; ``name``: its name (blank: the id);
  ``kind``: ``touchpoint``, ``decision`` or ``outcome`` (blank: touchpoint).
- ``phase``, ``owner``, ``channel``: names. Phases, owners and channels are
  made from their distinct names in order of first appearance, with ids that
  are slugs of the names (``Customer care`` is ``customer-care``; a second
  name with the same slug gets ``-2``). Owners are of kind ``team`` and
  channels ``digital`` unless ``owner_kind`` or ``channel_kind`` says
  otherwise on any of their rows (one owner, one kind).
- ``lane`` (blank: ``frontstage``), ``emotion`` (a whole number from -3 to
  3), ``pain_points`` (``;``-separated).
- ``next``: the steps that can follow, ``;``-separated ids, each optionally
  with its probability: ``pay=0.7; leave=0.3`` (or ``70%``). Every ``next``
  edge is a :class:`~cxgraph.Transition`; a grid holds no hand-offs (an owner
  change between two steps shows in their owner cells).
- ``outcome_kind`` (``success``, ``failure``, ``exit``; required for an
  outcome) and ``decided_by`` (``customer``, ``employee``, ``automated``;
  blank: the customer, who owns nothing, so an owned decision must say).

A row fills only the columns its kind has, the fields of its model class:
a touchpoint all but ``outcome_kind`` and ``decided_by``; a decision ``phase``,
``owner`` (with ``owner_kind``), ``next`` and ``decided_by``; an outcome,
which ends the journey and sits in no phase, only ``outcome_kind``. A value
anywhere else is an error at that cell.

Cells are stripped of surrounding spaces, as are the items of ``;`` lists
(empty items are dropped), and a line break in a cell is ``\n``. Blank rows
are skipped (the rows after keep their numbers). Numbers typed as numbers
are read as text without ``.0``: an id typed ``7`` is ``"7"``, an emotion
of ``2.0`` is ``2``. Keywords (``kind``, ``lane``, ...) may be in any case.
The journey's id is the slug of the file's stem and its name the stem; a
frame's journey is ``journey``.

Every problem is reported at once, as one
:class:`~cxgraph.JourneyValidationError`, each at its cell: ``map.xlsx:row 7,
column owner: ...``, rows numbered as the spreadsheet shows them (the header
is row 1), columns by their header; a frame is ``<frame>`` and a sheet
other than the first adds ``[Sheet]`` after the file name.

Examples
--------
>>> import pandas as pd
>>> grid = pd.DataFrame({
...     "id": ["browse", "decide", "bought", "left"],
...     "kind": ["", "decision", "outcome", "outcome"],
...     "phase": ["Shop", "Shop", "", ""],
...     "owner": ["Web team", "", "", ""],
...     "emotion": [1, None, None, None],
...     "next": ["decide", "bought=0.3; left=0.7", "", ""],
...     "outcome_kind": ["", "", "success", "exit"],
... })
>>> j = read_table(grid)
>>> j.touchpoints[0]
Touchpoint(id='browse', name='browse', phase='shop', owner='web-team', ...emotion=1, ...)
>>> [(t.source, t.target, t.probability) for t in j.transitions]
[('browse', 'decide', None), ('decide', 'bought', 0.3), ('decide', 'left', 0.7)]
>>> read_table(grid.assign(owner=["Web team", "", "Sales", ""]))
Traceback (most recent call last):
...
cxgraph.errors.JourneyValidationError: 1 problem in the grid <frame>:
<frame>:row 4, column owner: an outcome has no owner (only touchpoints and decisions do): ...
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxgraph._util.text import slug
from cxgraph.errors import CxgraphWarning, JourneyValidationError, Problem
from cxgraph.model.classes import (
    DecisionPoint,
    Handoff,
    Journey,
    Outcome,
    Step,
    Touchpoint,
    Transition,
)
from cxgraph.readwrite._table_cells import (
    COLUMN_HELP,
    COLUMNS,
    KIND_COLUMNS,
    KINDS,
    cell_text,
    file_problem,
    letter,
    lost_in_grid,
    parse_grid,
    renamed,
    step_refs,
)
from cxgraph.readwrite.files import (
    UnsupportedFormatError,
    read_bounded,
    size_limit,
    write_atomic_bytes,
)

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["COLUMNS", "COLUMN_HELP", "KINDS", "KIND_COLUMNS", "read_table", "write_table"]

#: The grid formats, by file suffix.
SUFFIXES: dict[str, str] = {".csv": "csv", ".xlsx": "xlsx"}
#: How a frame is named in messages.
FRAME = "<frame>"
#: The name of the sheet :func:`write_table` writes.
SHEET = "Journey"
EXCEL_EXTRA = "pip install 'cxgraph[excel]'"

# What a cell of a workbook cannot hold (XML 1.0), nor a file of any kind (lone surrogates).
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_IN_CSV = re.compile("[\x00\ud800-\udfff]")  # a NUL makes it binary data
_PANDAS_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_PANDAS_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        hint = " (an Excel 97-2003 workbook: save it as .xlsx)" if suffix == ".xls" else ""
        msg = (
            f"cannot tell the grid format of {os.fspath(path)!r} from its suffix "
            f"{suffix!r}{hint}: use .csv or .xlsx"
        )
        raise UnsupportedFormatError(msg)
    return SUFFIXES[suffix]


def _openpyxl(doing: str) -> Any:
    """The openpyxl module, or an ImportError saying how to install it."""
    try:
        import openpyxl
    except ImportError:
        msg = f"{doing} an Excel workbook (.xlsx) needs openpyxl: {EXCEL_EXTRA}"
        raise ImportError(msg) from None
    return openpyxl


# -- reading -------------------------------------------------------------------


def read_table(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame, *, sheet: str | None = None
) -> Journey:
    """Read a journey from a journey-map grid; see the module docstring for the rules.

    Parameters
    ----------
    path_or_frame
        A ``.csv`` file (UTF-8, with or without a byte-order mark; the
        delimiter is the one of ``,``, ``;`` or tab the header uses most), an
        ``.xlsx`` workbook, or a pandas DataFrame whose columns are the header.
    sheet
        The workbook's sheet to read; by default the first.

    Raises
    ------
    FileNotFoundError, OSError
        If the file cannot be read (as :func:`~cxgraph.load`).
    FileTooLargeError
        If the file is over the size limit of :func:`~cxgraph.load`.
    UnsupportedFormatError
        If the suffix is neither ``.csv`` nor ``.xlsx``.
    ImportError
        For a workbook, if openpyxl is missing (``pip install 'cxgraph[excel]'``).
    ValueError
        If ``sheet`` is given for a CSV file or a frame.
    TypeError
        If ``path_or_frame`` is neither a path nor a DataFrame.
    JourneyValidationError
        Listing every problem in the grid at its cell, and for a file that
        is not a grid: not CSV text or not a workbook, no sheet of that name
        (the sheets are listed), or an empty sheet.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "Order coffee.csv"
    >>> _ = p.write_text("id,name,next\\norder,Order,pay\\npay,Pay,\\n")
    >>> j = read_table(p)
    >>> j.id, j.name, [t.name for t in j.touchpoints]
    ('order-coffee', 'Order coffee', ['Order', 'Pay'])
    >>> _ = p.write_text("id,name,next\\norder,Order,pya\\npay,Pay,\\n")
    >>> read_table(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cxgraph.errors.JourneyValidationError: 1 problem in the grid '...Order coffee.csv':
    Order coffee.csv:row 2, column next: unknown step 'pya' (known: 'order', 'pay')
    """
    import pandas as pd

    if isinstance(path_or_frame, pd.DataFrame):
        if sheet is not None:
            msg = "sheet= is for .xlsx workbooks: a frame is one sheet already"
            raise ValueError(msg)
        header = [cell_text(c) for c in path_or_frame.columns]
        rows = _texts(path_or_frame.to_numpy(dtype=object).tolist())
        title = f"the grid {FRAME}"
        return parse_grid(
            FRAME, header, rows, journey_id="journey", journey_name="journey", title=title
        )
    if not isinstance(path_or_frame, str | os.PathLike):
        kind = type(path_or_frame).__name__  # type: ignore[unreachable]
        msg = f"expected the path of a .csv or .xlsx file or a pandas DataFrame, got {kind}"
        raise TypeError(msg)
    path = Path(path_or_frame)
    fmt = _format(path)
    if fmt == "xlsx":
        _openpyxl("reading")
    elif sheet is not None:
        msg = f"sheet= is for .xlsx workbooks, and {os.fspath(path)!r} is a CSV file"
        raise ValueError(msg)
    data = read_bounded(path, size_limit(None))
    title = f"the grid {os.fspath(path)!r}"
    if fmt == "csv":
        source, cells = path.name, _csv_cells(data, path.name, title)
    else:
        source, cells = _xlsx_cells(data, path.name, sheet, title)
    header, rows = (cells[0], cells[1:]) if cells else ([], [])
    journey_id = slug(path.stem, empty="journey")
    return parse_grid(
        source, header, rows, journey_id=journey_id, journey_name=path.stem, title=title
    )


def _texts(rows: Sequence[Sequence[Any]]) -> list[list[str]]:
    return [[cell_text(v) for v in row] for row in rows]


def _not_text(data: bytes) -> str | None:
    """What a file named .csv is when its first bytes show it is no CSV text, else None."""
    if data[:4] == b"PK\x03\x04":
        return "a ZIP archive (an Excel workbook?), not CSV text: name it .xlsx"
    if data[:4] == b"\xd0\xcf\x11\xe0":
        return "an Excel 97-2003 workbook (.xls), not CSV text: save it as .csv or .xlsx"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16 text: save it as UTF-8"
    if b"\x00" in data:
        return "binary data, not CSV text"
    return None


def _csv_cells(data: bytes, name: str, title: str) -> list[list[str]]:
    """The cells of a CSV file, row by row, the header first."""
    import pandas as pd

    what = _not_text(data)
    if what is not None:
        raise file_problem(name, "parse", f"the file is {what}", title)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = (
            f"the file is not UTF-8 text: byte {data[exc.start]:#04x} on line {line} cannot be "
            "decoded; save it as UTF-8 CSV"
        )
        raise file_problem(name, "encoding", message, title) from None
    lines = text.splitlines() or [""]
    if not lines[0].strip():  # parse_grid says what is wrong: nothing, or no header
        return [[""]] + [[t.strip()] for t in lines[1:]]
    first = lines[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            sep=delimiter,
        )
    except pd.errors.ParserError as exc:
        text = str(exc)
        if m := _PANDAS_FIELDS.search(text):
            width, row, cells = m.groups()
            message = (
                f"the row has {cells} cells where the header has {width}: remove the extra "
                f"ones, or put a cell holding {delimiter!r} in double quotes"
            )
        elif m := _PANDAS_QUOTE.search(text):
            row = str(int(m[1]) + 1)  # pandas counts the header as row 0 here
            message = "a double quote opens a cell and is never closed: close it"
        else:
            row, message = "", f"the file is not valid CSV: {text.strip().splitlines()[0]}"
        where = f"{name}:row {row}" if row else name
        raise file_problem(where, "parse", message, title) from None
    return _texts(frame.to_numpy(dtype=object).tolist())


def _xlsx_cells(
    data: bytes, name: str, sheet: str | None, title: str
) -> tuple[str, list[list[str]]]:
    """The name of the sheet for messages and its cells, row by row, the header first."""
    with warnings.catch_warnings():
        # openpyxl warns of what it would drop on saving (data validation, ...): we only read.
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        return _read_xlsx(data, name, sheet, title)


def _read_xlsx(
    data: bytes, name: str, sheet: str | None, title: str
) -> tuple[str, list[list[str]]]:
    import pandas as pd

    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    # openpyxl raises what its zip and XML readers meet (BadZipFile, KeyError,
    # InvalidFileException, ParseError...): all mean a file that is no workbook.
    except Exception as exc:
        if data[:4] == b"\xd0\xcf\x11\xe0":
            why = "it is an Excel 97-2003 workbook (.xls): save it as .xlsx"
        elif data[:2] != b"PK" and b"\x00" not in data[:4096]:
            why = "it holds text (a CSV file should be named .csv)"
        else:
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        message = f"the file is not an Excel workbook (.xlsx): {why}"
        raise file_problem(name, "parse", message, title) from None
    with book:
        names = [str(s) for s in book.sheet_names]
        chosen = names[0] if sheet is None else sheet
        if chosen not in names:
            listed = ", ".join(repr(s) for s in names)
            message = f"the workbook has no sheet {chosen!r} (sheets: {listed})"
            raise file_problem(name, "parse", message, title)
        source = name if chosen == names[0] else f"{name}[{chosen}]"
        try:
            frame = pd.read_excel(
                book, sheet_name=chosen, header=None, dtype=object, na_filter=False
            )
        except Exception as exc:  # a damaged sheet: as above
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            message = f"the sheet cannot be read: {why}"
            raise file_problem(source, "parse", message, title) from None
    return source, _texts(frame.to_numpy(dtype=object).tolist())


# -- writing -------------------------------------------------------------------


def write_table(journey: Journey, path: str | os.PathLike[str]) -> None:
    """Write a journey as a journey-map grid, ``.csv`` or ``.xlsx`` by the suffix, atomically.

    The grid has every column of :data:`COLUMNS` and a row per step, in the
    order of ``journey.steps``: names where the journey has ids (they read
    back as slugs of the names) and hand-offs in ``next`` like transitions.
    For a journey :func:`read_table` returned, ``read_table`` of the file
    gives it back, up to the order of transitions, when the file has the
    stem the journey was read from (a grid's journey takes its id and name
    from its file name); to keep its phases, owners and channels in their
    order, such a journey's touchpoints and decisions may interleave, and
    outcomes come last.

    Anything else a journey holds has no column and is left out with one
    :class:`~cxgraph.CxgraphWarning` naming it: triggers, entries, personas,
    the journey's version and description, fields of steps and edges without
    a column (metrics, labels, ...), what makes a hand-off more than a
    transition, phases, owners and channels no step names, ids that are
    not the slugs of their names, pain points holding ``;``.

    A CSV file is UTF-8 with ``,`` between cells and CRLF line ends (RFC
    4180); a workbook has one sheet, ``Journey``, whose text cells are text
    (a name starting with ``=`` is no formula).

    Raises
    ------
    UnsupportedFormatError
        If the suffix is neither ``.csv`` nor ``.xlsx``; nothing is written.
    ImportError
        For a workbook, if openpyxl is missing (``pip install 'cxgraph[excel]'``).
    JourneyValidationError
        If a text cannot be written (a lone surrogate, a NUL; in a
        workbook, any control character but tab and newline), or the grid
        would not read back (two owners of one name and different kinds,
        say), each at its cell; nothing is written.
    OSError
        If the file cannot be written (it names ``path``); nothing is left half-written.
    TypeError
        If ``journey`` is not a :class:`~cxgraph.Journey`.

    Examples
    --------
    >>> import cxgraph as cx, tempfile, pathlib
    >>> j = cx.Journey(id="journey", name="journey",
    ...     owners=[cx.Owner(id="web", name="Web", kind="team")],
    ...     touchpoints=[cx.Touchpoint(id="ask", name="Ask", owner="web")],
    ...     outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
    ...     transitions=[cx.Transition(source="ask", target="done")])
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "journey.csv"
    >>> write_table(j, p)
    >>> print(p.read_text(encoding="utf-8"), end="")
    id,name,kind,phase,owner,channel,lane,emotion,pain_points,next,outcome_kind,decided_by,owner_kind,channel_kind
    ask,Ask,touchpoint,,Web,,frontstage,,,done,,,team,
    done,Done,outcome,,,,,,,,success,,,
    >>> read_table(p) == j
    True
    """
    if not isinstance(journey, Journey):
        msg = f"expected a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    p = Path(path)
    fmt = _format(p)
    openpyxl = _openpyxl("writing") if fmt == "xlsx" else None
    steps = _row_order(journey)
    lost = lost_in_grid(journey, steps)
    if lost:  # it will not read back the same anyway: keep the journey's own order
        steps = list(journey.steps)
        lost = lost_in_grid(journey, steps)
    rows = _rows(journey, steps)
    _check_cells(rows, p.name, fmt)
    if lost:
        text = "; ".join(lost)
        message = f"the grid {p.name!r} leaves out what it has no column for: {text}"
        warnings.warn(message, CxgraphWarning, stacklevel=2)
    if openpyxl is None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows([[str(v) for v in row] for row in rows])
        write_atomic_bytes(p, buffer.getvalue().encode("utf-8"))
        return
    book = openpyxl.Workbook()
    _fill_sheet(book.active, rows)
    out = io.BytesIO()
    book.save(out)
    write_atomic_bytes(p, out.getvalue())


def _row_order(journey: Journey) -> list[Step]:
    """The steps in an order whose phases, owners and channels appear as the journey lists them.

    Each kind keeps its order, and outcomes (which name none) come last. Of
    the next touchpoint and the next decision, the one that brings no name
    out of turn is taken, the one nearer the start of the flow if both fit
    (else the touchpoint). For a journey :func:`read_table` made such an
    order exists, and taking any step that fits never loses it.
    """
    queues: list[list[Step]] = [list(journey.touchpoints), list(journey.decision_points)]
    named = {
        kind: {v for q in queues for s in q if (v := step_refs(s)[kind]) is not None}
        for kind in ("phase", "owner", "channel")
    }
    order = {
        "phase": [x.id for x in journey.phases if x.id in named["phase"]],
        "owner": [x.id for x in journey.owners if x.id in named["owner"]],
        "channel": [x.id for x in journey.channels if x.id in named["channel"]],
    }
    seen: dict[str, set[str]] = {kind: set() for kind in order}
    depth = _depths(journey)

    def fits(step: Step) -> bool:
        for kind, value in step_refs(step).items():
            if value is None or value in seen[kind]:
                continue
            if order[kind][len(seen[kind])] != value:  # the next name not yet seen
                return False
        return True

    out: list[Step] = []
    while any(queues):
        heads = [q for q in queues if q]
        fitting = [q for q in heads if fits(q[0])] or heads[:1]
        queue = min(fitting, key=lambda q: depth[q[0].id])  # ties: the touchpoint
        step = queue.pop(0)
        for kind, value in step_refs(step).items():
            if value is not None:
                seen[kind].add(value)
        out.append(step)
    return [*out, *journey.outcomes]


def _depths(journey: Journey) -> dict[str, int]:
    """How many transitions or hand-offs each step is from a step nothing leads into."""
    flow: list[Transition | Handoff] = [*journey.transitions, *journey.handoffs]
    after: dict[str, list[str]] = {s.id: [] for s in journey.steps}
    for e in flow:
        after[e.source].append(e.target)
    targets = {e.target for e in flow}
    depth = {s.id: 0 for s in journey.steps if s.id not in targets}
    frontier = deque(depth)
    while frontier:
        step_id = frontier.popleft()
        for target in after[step_id]:
            if target not in depth:
                depth[target] = depth[step_id] + 1
                frontier.append(target)
    unreached = len(after)
    return {s.id: depth.get(s.id, unreached) for s in journey.steps}


def _number(value: float) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    return repr(float(value))


def _rows(journey: Journey, steps: list[Step]) -> list[list[str | int]]:
    """The steps' rows, cells in the order of :data:`COLUMNS`; an emotion is a number."""
    phases = {x.id: x.name for x in journey.phases}
    owners = {x.id: x for x in journey.owners}
    channels = {x.id: x for x in journey.channels}
    after: dict[str, list[str]] = {s.id: [] for s in steps}
    flow: list[Transition | Handoff] = [*journey.transitions, *journey.handoffs]
    for e in flow:
        target = e.target if e.probability is None else f"{e.target}={_number(e.probability)}"
        after[e.source].append(target)
    out: list[list[str | int]] = []
    for step in steps:
        row: dict[str, str | int] = {"id": step.id, "name": step.name}
        if isinstance(step, Outcome):
            row.update(kind="outcome", outcome_kind=step.kind)
        else:
            if step.phase is not None:
                row["phase"] = phases[step.phase]
            if step.owner is not None:
                row.update(owner=owners[step.owner].name, owner_kind=owners[step.owner].kind)
            row["next"] = "; ".join(after[step.id])
        if isinstance(step, DecisionPoint):
            row.update(kind="decision", decided_by=step.decided_by)
        elif isinstance(step, Touchpoint):
            row.update(kind="touchpoint", lane=step.lane, pain_points="; ".join(step.pain_points))
            if step.channel is not None:
                channel = channels[step.channel]
                row.update(channel=channel.name, channel_kind=channel.kind)
            if step.emotion is not None:
                row["emotion"] = int(step.emotion)
        out.append([row.get(column, "") for column in COLUMNS])
    return out


def _check_cells(rows: list[list[str | int]], name: str, fmt: str) -> None:
    """Refuse texts the file cannot hold, and a grid that would not read back."""
    bad = _NOT_IN_XLSX if fmt == "xlsx" else _NOT_IN_CSV
    problems: list[Problem] = []
    for k, row in enumerate(rows):
        for column, value in zip(COLUMNS, row, strict=True):
            if isinstance(value, str) and (m := bad.search(value)):
                surrogate = "\ud800" <= m[0] <= "\udfff"
                what = "a lone surrogate" if surrogate else "a control character"
                where = f"{name}:row {k + 2}, column {column}"
                holder = "workbook" if fmt == "xlsx" else "CSV text"
                holder = "no file" if surrogate else f"no {holder}"
                message = f"{value!r} holds {what} ({m[0]!r}), which {holder} can hold: remove it"
                problems.append(Problem(where, "type", message))
    title = f"the grid {name!r} (nothing was written)"
    if problems:
        raise renamed(JourneyValidationError(problems), title)
    # The grid as read_table would read it: write nothing it refuses.
    texts = _texts(rows)
    parse_grid(
        name, list(COLUMNS), texts, journey_id="journey", journey_name="journey", title=title
    )


def _fill_sheet(sheet: Worksheet, rows: list[list[str | int]]) -> None:
    from openpyxl.styles import Font

    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(COLUMNS):
        width = max([len(column), *(len(str(r[i])) for r in rows)])
        sheet.column_dimensions[letter(i)].width = min(width + 2, 60)
