"""Tests for cxgraph.readwrite.table: journey-map grids in CSV, XLSX and frames."""

from __future__ import annotations

import importlib.util
import math
import os
import string
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.errors import CxgraphWarning, JourneyValidationError
from cxgraph.readwrite.files import FileTooLargeError, UnsupportedFormatError
from cxgraph.readwrite.table import COLUMNS, KIND_COLUMNS, read_table, write_table
from strategies import journeys

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
TEMPLATE = ROOT / "examples" / "journey-template.xlsx"


def _xlsx(path: Path, *sheets: tuple[str, list[list[Any]]]) -> Path:
    """A workbook with these sheets, each a list of rows (None is an empty cell)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _problems(exc: pytest.ExceptionInfo[JourneyValidationError]) -> list[str]:
    return [str(p) for p in exc.value.errors]


def _sorted_edges(j: cx.Journey) -> cx.Journey:
    """The journey with its transitions in a fixed order (grids do not keep their order)."""
    return j.with_changes(transitions=sorted(j.transitions, key=lambda t: (t.source, t.target)))


def _shop() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["browse", "decide", "call", "bought", "left"],
            "name": ["Browses the shop", "Buy now?", "Calls sales", "Bought", "Left"],
            "kind": ["", "decision", "touchpoint", "outcome", "outcome"],
            "phase": ["Shop", "Shop", "Buy", "", ""],
            "owner": ["Web team", "", "Sales", "", ""],
            "channel": ["Website", "", "Phone", "", ""],
            "lane": ["customer", "", "", "", ""],
            "emotion": [1, None, -2, None, None],
            "pain_points": ["Slow; No prices", "", "", "", ""],
            "next": ["decide", "bought=0.3; call=0.2; left=0.5", "bought", "", ""],
            "outcome_kind": ["", "", "", "success", "exit"],
            "decided_by": ["", "customer", "", "", ""],
            "owner_kind": ["", "", "department", "", ""],
            "channel_kind": ["", "", "human", "", ""],
        }
    )


def _shop_journey() -> cx.Journey:
    return cx.Journey(
        id="journey",
        name="journey",
        phases=[cx.Phase(id="shop", name="Shop"), cx.Phase(id="buy", name="Buy")],
        owners=[
            cx.Owner(id="web-team", name="Web team", kind="team"),
            cx.Owner(id="sales", name="Sales", kind="department"),
        ],
        channels=[
            cx.Channel(id="website", name="Website", kind="digital"),
            cx.Channel(id="phone", name="Phone", kind="human"),
        ],
        touchpoints=[
            cx.Touchpoint(
                id="browse",
                name="Browses the shop",
                phase="shop",
                owner="web-team",
                channel="website",
                lane="customer",
                emotion=1,
                pain_points=["Slow", "No prices"],
            ),
            cx.Touchpoint(
                id="call",
                name="Calls sales",
                phase="buy",
                owner="sales",
                channel="phone",
                emotion=-2,
            ),
        ],
        decision_points=[
            cx.DecisionPoint(id="decide", name="Buy now?", phase="shop", decided_by="customer")
        ],
        outcomes=[
            cx.Outcome(id="bought", name="Bought", kind="success"),
            cx.Outcome(id="left", name="Left", kind="exit"),
        ],
        transitions=[
            cx.Transition(source="browse", target="decide"),
            cx.Transition(source="decide", target="bought", probability=0.3),
            cx.Transition(source="decide", target="call", probability=0.2),
            cx.Transition(source="decide", target="left", probability=0.5),
            cx.Transition(source="call", target="bought"),
        ],
    )


# -- reading -------------------------------------------------------------------


class TestReadTable:
    def test_reads_a_grid(self) -> None:
        """A frame with every column gives the journey it describes, field by field."""
        assert read_table(_shop()) == _shop_journey()

    @pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
    def test_reads_files_named_by_their_stem(self, tmp_path: Path, suffix: str) -> None:
        """A file's journey has the slug of its stem as id and the stem as name."""
        path = tmp_path / f"My Shop{suffix}"
        if suffix == ".csv":
            _shop().to_csv(path, index=False)
        else:
            _shop().to_excel(path, index=False)
        j = read_table(path)
        assert (j.id, j.name) == ("my-shop", "My Shop")
        assert j.with_changes(id="journey", name="journey") == _shop_journey()

    def test_names_become_slugged_ids_in_order_of_appearance(self) -> None:
        """Distinct names make one item each, first seen first; clashing slugs get -2."""
        grid = pd.DataFrame(
            {
                "id": ["a", "b", "c", "d"],
                "phase": ["Later", "First  step", "Later", ""],
                "owner": ["Sales", "sales", "SALES!", "Sales"],
                "channel": ["", "Web", "", "web"],
            }
        )
        j = read_table(grid)
        assert [(p.id, p.name) for p in j.phases] == [
            ("later", "Later"),
            ("first-step", "First  step"),
        ]
        assert [(o.id, o.name) for o in j.owners] == [
            ("sales", "Sales"),
            ("sales-2", "sales"),
            ("sales-3", "SALES!"),
        ]
        assert [(c.id, c.kind) for c in j.channels] == [("web", "digital"), ("web-2", "digital")]
        assert [t.owner for t in j.touchpoints] == ["sales", "sales-2", "sales-3", "sales"]

    def test_owner_and_channel_kinds(self) -> None:
        """Owners are teams and channels digital unless a row of theirs says otherwise."""
        grid = pd.DataFrame(
            {
                "id": ["a", "b", "c"],
                "owner": ["Ops", "Ops", "Bot"],
                "owner_kind": ["", "Department", ""],
                "channel": ["Store", "Store", "Chat"],
                "channel_kind": ["physical", "", ""],
            }
        )
        j = read_table(grid)
        assert [(o.id, o.kind) for o in j.owners] == [("ops", "department"), ("bot", "team")]
        assert [(c.id, c.kind) for c in j.channels] == [("store", "physical"), ("chat", "digital")]

    def test_blanks_and_defaults(self) -> None:
        """A blank kind is a touchpoint, a blank name the id, a blank decided_by the customer."""
        grid = pd.DataFrame({"id": ["a", "q"], "name": ["", "Go?"], "kind": [None, "decision"]})
        j = read_table(grid)
        assert j.touchpoints == (cx.Touchpoint(id="a", name="a"),)
        assert j.decision_points == (cx.DecisionPoint(id="q", name="Go?", decided_by="customer"),)

    def test_headers_and_keywords_in_any_case(self) -> None:
        """Headers match whatever their case and separators; keywords whatever their case."""
        grid = pd.DataFrame(
            {
                "ID": ["a", "z"],
                "Kind": ["Touchpoint", "OUTCOME"],
                "Pain points": ["x", ""],
                "Outcome-Kind": ["", "Success"],
                "LANE": ["Backstage", ""],
            }
        )
        j = read_table(grid)
        assert j.touchpoints[0].pain_points == ("x",)
        assert j.touchpoints[0].lane == "backstage"
        assert j.outcomes[0].kind == "success"

    def test_whitespace_is_stripped(self) -> None:
        """Cells, ; list items and next items lose their surrounding spaces; empty items go."""
        grid = pd.DataFrame(
            {
                "id": [" a ", "b", "c"],
                "name": ["  Ask  ", "B", "C"],
                "pain_points": [" one ;  two ;; ", "", ""],
                "next": ["  b = 0.25 ;c=  0.75; ", "", ""],
            }
        )
        j = read_table(grid)
        assert j.touchpoints[0] == cx.Touchpoint(id="a", name="Ask", pain_points=["one", "two"])
        assert [(t.target, t.probability) for t in j.transitions] == [("b", 0.25), ("c", 0.75)]

    def test_probabilities_as_percentages(self) -> None:
        """A probability may be written as a percentage."""
        grid = pd.DataFrame({"id": ["a", "b", "c"], "next": ["b=30%; c=70 %", "", ""]})
        assert [t.probability for t in read_table(grid).transitions] == [0.3, 0.7]

    def test_numbers_typed_in_excel(self, tmp_path: Path) -> None:
        """A whole number typed as a number is its digits: id 7 is '7', emotion 2.0 is 2."""
        path = _xlsx(
            tmp_path / "n.xlsx",
            ("S", [["id", "name", "emotion", "next"], [7, 1.5, 2.0, 8], [8, "x", -1, None]]),
        )
        j = read_table(path)
        assert [(t.id, t.name, t.emotion) for t in j.touchpoints] == [
            ("7", "1.5", 2),
            ("8", "x", -1),
        ]
        assert [(t.source, t.target) for t in j.transitions] == [("7", "8")]

    @pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
    def test_blank_rows_are_skipped_but_keep_their_numbers(
        self, tmp_path: Path, suffix: str
    ) -> None:
        """A blank row is no step, and problems below it name the row the spreadsheet shows."""
        rows = [["id", "emotion"], ["a", 1], [None, None], ["b", 9]]
        if suffix == ".csv":
            path = tmp_path / "g.csv"
            path.write_text("id,emotion\na,1\n,\nb,9\n\n", encoding="utf-8")
        else:
            path = _xlsx(tmp_path / "g.xlsx", ("S", rows))
        with pytest.raises(JourneyValidationError) as exc:
            read_table(path)
        assert _problems(exc) == [
            f"g{suffix}:row 4, column emotion: expected a whole number from -3 to 3, got 9"
        ]
        path_ok = tmp_path / f"ok{suffix}"
        if suffix == ".csv":
            path_ok.write_text("id\na\n\n\nb\n", encoding="utf-8")
        else:
            _xlsx(path_ok, ("S", [["id"], ["a"], [], [None], ["b"]]))
        assert [t.id for t in read_table(path_ok).touchpoints] == ["a", "b"]

    def test_csv_with_semicolons_and_a_byte_order_mark(self, tmp_path: Path) -> None:
        """The delimiter is the one the header uses most; a UTF-8 byte-order mark is skipped."""
        path = tmp_path / "g.csv"
        path.write_bytes('\ufeffid;name;next\na;Café;"b;c"\nb;B;\nc;C;\n'.encode())
        j = read_table(path)
        assert j.touchpoints[0].name == "Café"
        assert [t.target for t in j.transitions] == ["b", "c"]

    def test_a_sheet_by_name(self, tmp_path: Path) -> None:
        """sheet= picks a sheet; problems in a sheet other than the first name it in brackets."""
        path = _xlsx(
            tmp_path / "map.xlsx",
            ("First", [["id"], ["a"]]),
            ("Second", [["id", "kind"], ["b", "nope"]]),
        )
        assert [t.id for t in read_table(path).touchpoints] == ["a"]
        assert [t.id for t in read_table(path, sheet="First").touchpoints] == ["a"]
        with pytest.raises(JourneyValidationError, match=r"map\.xlsx\[Second\]:row 2, column kind"):
            read_table(path, sheet="Second")

    def test_every_problem_at_once(self, tmp_path: Path) -> None:
        """All problems come in one error, by row then column, each at its cell."""
        path = tmp_path / "map.csv"
        path.write_text(
            "id,kind,channel,emotion,next,owner,owner_kind,colour\n"
            "a,outcome,Web,,b,,,red\n"
            "b,,,x,a=0.5;zz,Ops,team,\n"
            "b,,,2.5,,Ops,role,\n"
            "c,decision,,,,Ops,,\n",
            encoding="utf-8",
        )
        with pytest.raises(JourneyValidationError) as exc:
            read_table(path)
        message = str(exc.value)
        assert message.startswith(f"10 problems in the grid {os.fspath(path)!r}:\n")
        assert [p.split(":", 2)[1] for p in _problems(exc)] == [
            "row 1, column colour",
            "row 2",  # the grid has no outcome_kind column
            "row 2, column channel",
            "row 2, column next",
            "row 3, column emotion",
            "row 3, column next",
            "row 4, column id",
            "row 4, column emotion",
            "row 4, column owner_kind",
            "row 5",  # nor a decided_by column
        ]

    def test_a_frame_is_named_frame(self) -> None:
        """Problems in a frame say <frame>, rows numbered as if the header were row 1."""
        with pytest.raises(JourneyValidationError, match=r"(?m)^<frame>:row 3, column id: dup"):
            read_table(pd.DataFrame({"id": ["a", "a"]}))

    def test_an_empty_grid_is_an_empty_journey(self) -> None:
        """A header with no rows is a journey without steps."""
        assert read_table(pd.DataFrame({"id": []})) == cx.Journey(id="journey", name="journey")

    def test_sheet_is_for_workbooks(self, tmp_path: Path) -> None:
        """sheet= with a CSV file or a frame is a ValueError."""
        path = tmp_path / "a.csv"
        path.write_text("id\na\n", encoding="utf-8")
        with pytest.raises(ValueError, match=r"sheet= is for \.xlsx workbooks"):
            read_table(path, sheet="S")
        with pytest.raises(ValueError, match=r"a frame is one sheet already"):
            read_table(pd.DataFrame({"id": ["a"]}), sheet="S")

    def test_neither_a_path_nor_a_frame(self) -> None:
        """Anything else is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"or a pandas DataFrame, got list"):
            read_table([["id"], ["a"]])  # type: ignore[arg-type]

    def test_size_limit(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A grid over the size limit of journey files is refused before it is read."""
        path = tmp_path / "big.csv"
        path.write_text("id\n" + "a\n" * 100, encoding="utf-8")
        monkeypatch.setenv("CXGRAPH_MAX_FILE_BYTES", "50")
        with pytest.raises(FileTooLargeError, match=r"big\.csv"):
            read_table(path)

    def test_without_openpyxl(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without openpyxl, a workbook is an ImportError saying what to install; CSV works."""
        path = tmp_path / "g.csv"
        path.write_text("id\na\n", encoding="utf-8")
        monkeypatch.setitem(sys.modules, "openpyxl", None)
        with pytest.raises(ImportError, match=r"pip install 'cxgraph\[excel\]'"):
            read_table(tmp_path / "g.xlsx")
        with pytest.raises(ImportError, match=r"pip install 'cxgraph\[excel\]'"):
            write_table(read_table(path), tmp_path / "g.xlsx")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["g.csv"]

    def test_importing_loads_neither_pandas_nor_openpyxl(self) -> None:
        """The module imports pandas and openpyxl only when a grid is read or written."""
        code = (
            "import sys, cxgraph.readwrite.table; "
            "print('pandas' in sys.modules, 'openpyxl' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.split() == ["False", "False"]


def _csv(text: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "map.csv"
        path.write_text(text, encoding="utf-8")
        return path

    return make


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return make


def _book(*sheets: tuple[str, list[list[Any]]]) -> Callable[[Path], Path]:
    return lambda folder: _xlsx(folder / "map.xlsx", *sheets)


_ZIP = b"PK\x03\x04" + bytes(range(40))

#: Broken grids and the error each gives: (input, sheet, error, message it matches).
BAD_GRIDS: dict[str, tuple[Callable[[Path], Path], str | None, type[Exception], str]] = {
    "unknown columns": (
        _csv("id,colour,Notes\na,red,x\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 1, column colour: unknown column 'colour' \(expected: id, name, kind, "
        r"phase, owner, channel, lane, emotion, pain_points, next, outcome_kind, decided_by, "
        r"owner_kind, channel_kind\)\nmap\.csv:row 1, column Notes: unknown column 'Notes'",
    ),
    "a misspelt column": (
        _csv("id,emotions\na,1\n"),
        None,
        JourneyValidationError,
        r"column emotions: unknown column 'emotions'; did you mean 'emotion'\?",
    ),
    "no id column": (
        _csv("name,next\nA,\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 1: missing the required column 'id' \(columns: 'name', 'next'\)",
    ),
    "a column twice": (
        _csv("id,Owner,owner\na,X,Y\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 1, column owner: a second column 'owner' \(the first is 'Owner', column B\)",
    ),
    "a column with no name": (
        _csv("id,,next\na,x,\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 1, column B: a column with no name holds values \(from row 2\)",
    ),
    "a row with no id": (
        _csv("id,name\n,Nameless\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 2, column id: the row has no id",
    ),
    "an invalid id": (
        _csv("id\nsign up\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 2, column id: invalid id 'sign up': use only letters",
    ),
    "next names a missing id": (
        _csv("id,next\na,zz\nb,\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 2, column next: unknown step 'zz' \(known: 'a', 'b'\)",
    ),
    "a probability that does not parse": (
        _csv("id,next\na,b=0,5\nb,\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 2: the row has 3 cells where the header has 2",
    ),
    "a probability with a comma": (
        _csv('id,next\na,"b=0,5"\nb,\n'),
        None,
        JourneyValidationError,
        r"map\.csv:row 2, column next: the probability of 'b' is '0,5': expected a number "
        r"from 0 to 1, such as b=0\.3 or b=30% \(use a point for decimals\)",
    ),
    "a probability above 1": (
        _csv("id,next\na,b=1.5\nb,\n"),
        None,
        JourneyValidationError,
        r"row 2, column next: the probability of 'b' is '1\.5': expected a number from 0 to 1",
    ),
    "probabilities on some targets": (
        _csv("id,next\na,b=0.5;c\nb,\nc,\n"),
        None,
        JourneyValidationError,
        r"row 2, column next: probabilities are given on 1 of 2 next steps \(missing on 'c'\)",
    ),
    "probabilities not summing to 1": (
        _csv("id,next\na,b=0.5;c=0.4\nb,\nc,\n"),
        None,
        JourneyValidationError,
        r"row 2, column next: the probabilities sum to 0\.9, not 1",
    ),
    "a target named twice": (
        _csv("id,next\na,b;b\nb,\n"),
        None,
        JourneyValidationError,
        r"row 2, column next: 'b' is named twice",
    ),
    "duplicate ids": (
        _csv("id\na\nb\na\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 4, column id: duplicate id 'a' \(first at row 2\)",
    ),
    "an empty CSV file": (
        _csv(""),
        None,
        JourneyValidationError,
        r"map\.csv:row 1: the sheet holds nothing: the first row must name the columns",
    ),
    "an empty sheet": (
        _book(("Journey", [])),
        None,
        JourneyValidationError,
        r"map\.xlsx:row 1: the sheet holds nothing",
    ),
    "a blank first row": (
        _book(("Journey", [[None], ["id"], ["a"]])),
        None,
        JourneyValidationError,
        r"map\.xlsx:row 1: the sheet has a blank first row",
    ),
    "no such sheet": (
        _book(("Journey", [["id"]]), ("Notes", [])),
        "Costs",
        JourneyValidationError,
        r"map\.xlsx: the workbook has no sheet 'Costs' \(sheets: 'Journey', 'Notes'\)",
    ),
    "an emotion that is no number": (
        _csv("id,emotion\na,happy\n"),
        None,
        JourneyValidationError,
        r"row 2, column emotion: expected a whole number from -3 to 3, got 'happy'",
    ),
    "an emotion out of range": (
        _csv("id,emotion\na,-4\n"),
        None,
        JourneyValidationError,
        r"row 2, column emotion: expected a whole number from -3 to 3, got -4",
    ),
    "an unknown kind": (
        _csv("id,kind\na,step\n"),
        None,
        JourneyValidationError,
        r"row 2, column kind: unknown kind 'step' \(valid: 'touchpoint', 'decision', "
        r"'outcome'; blank: 'touchpoint'\)",
    ),
    "an unknown lane": (
        _csv("id,lane\na,back\n"),
        None,
        JourneyValidationError,
        r"row 2, column lane: unknown lane 'back' \(valid: 'customer', 'frontstage'",
    ),
    "an outcome with a channel": (
        _csv("id,kind,channel,outcome_kind\nz,outcome,Web,success\n"),
        None,
        JourneyValidationError,
        r"row 2, column channel: an outcome has no channel \(only touchpoints do\): clear the "
        r"cell, or change the row's kind",
    ),
    "a decision with an emotion": (
        _csv("id,kind,emotion\nq,decision,1\n"),
        None,
        JourneyValidationError,
        r"row 2, column emotion: a decision has no emotion \(only touchpoints do\)",
    ),
    "an outcome with a phase": (
        _csv("id,kind,phase,outcome_kind\nz,outcome,End,exit\n"),
        None,
        JourneyValidationError,
        r"row 2, column phase: an outcome has no phase \(only touchpoints and decisions do\)",
    ),
    "a touchpoint with decided_by": (
        _csv("id,decided_by\na,customer\n"),
        None,
        JourneyValidationError,
        r"row 2, column decided_by: a touchpoint has no decided_by \(only decisions do\)",
    ),
    "an outcome without its kind": (
        _csv("id,kind,outcome_kind\nz,outcome,\n"),
        None,
        JourneyValidationError,
        r"row 2, column outcome_kind: outcome 'z' needs an outcome_kind",
    ),
    "an owned decision without decided_by": (
        _csv("id,kind,owner\nq,decision,Ops\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 2: decision 'q' has the owner 'Ops', so say who decides",
    ),
    "a customer decision with an owner": (
        _csv("id,kind,owner,decided_by\nq,decision,Ops,customer\n"),
        None,
        JourneyValidationError,
        r"row 2, column decided_by: decision 'q' is decided by the customer, so it has no owner",
    ),
    "an employee decision without an owner": (
        _csv("id,kind,decided_by\nq,decision,employee\n"),
        None,
        JourneyValidationError,
        r"row 2, column decided_by: decision 'q' is decided by 'employee', so it needs an owner",
    ),
    "an owner of two kinds": (
        _csv("id,owner,owner_kind\na,Ops,team\nb,Ops,role\n"),
        None,
        JourneyValidationError,
        r"row 3, column owner_kind: owner 'Ops' is of kind 'team' at row 2, so it cannot be "
        r"'role' here",
    ),
    "an owner kind with no owner": (
        _csv("id,channel_kind\na,human\n"),
        None,
        JourneyValidationError,
        r"row 2, column channel_kind: the row has no channel to give the kind 'human' to",
    ),
    "a ragged row": (
        _csv("id,name\na,A\nb,B,extra\n"),
        None,
        JourneyValidationError,
        r"map\.csv:row 3: the row has 3 cells where the header has 2",
    ),
    "a quote never closed": (
        _csv('id,name\na,A\nb,"B\nc,C\n'),
        None,
        JourneyValidationError,
        r"map\.csv:row 3: a double quote opens a cell and is never closed",
    ),
    "a file that does not exist": (
        lambda folder: folder / "nope.csv",
        None,
        FileNotFoundError,
        r"nope\.csv",
    ),
    "a folder": (
        lambda folder: (folder / "dir.csv").mkdir() or folder / "dir.csv",
        None,
        OSError,
        r"it is a folder",
    ),
    "a .txt suffix": (
        _bytes("map.txt", b"id\na\n"),
        None,
        UnsupportedFormatError,
        r"cannot tell the grid format of '.*map\.txt' from its suffix '\.txt': use \.csv or \.xlsx",
    ),
    "an old .xls suffix": (
        _bytes("map.xls", b"\xd0\xcf\x11\xe0"),
        None,
        UnsupportedFormatError,
        r"suffix '\.xls' \(an Excel 97-2003 workbook: save it as \.xlsx\)",
    ),
    "no workbook, named .xlsx": (
        _bytes("map.xlsx", _ZIP),
        None,
        JourneyValidationError,
        r"map\.xlsx: the file is not an Excel workbook \(\.xlsx\): ",
    ),
    "CSV text named .xlsx": (
        _bytes("map.xlsx", b"id\na\n"),
        None,
        JourneyValidationError,
        r"map\.xlsx: the file is not an Excel workbook \(\.xlsx\): it holds text",
    ),
    "a workbook named .csv": (
        _bytes("map.csv", _ZIP),
        None,
        JourneyValidationError,
        r"map\.csv: the file is a ZIP archive \(an Excel workbook\?\), not CSV text",
    ),
    "binary data named .csv": (
        _bytes("map.csv", b"\x00\x01\x02id"),
        None,
        JourneyValidationError,
        r"map\.csv: the file is binary data, not CSV text",
    ),
    "CSV that is not UTF-8": (
        _bytes("map.csv", "id,name\na,Café\n".encode("latin-1")),
        None,
        JourneyValidationError,
        r"map\.csv: the file is not UTF-8 text: byte 0xe9 on line 2 cannot be decoded",
    ),
}


class TestBadGrids:
    @pytest.mark.parametrize("case", list(BAD_GRIDS))
    def test_bad_grid(self, tmp_path: Path, case: str) -> None:
        """Each broken grid gives its error, naming the row and column, and writes nothing."""
        make, sheet, error, match = BAD_GRIDS[case]
        path = make(tmp_path)
        before = sorted(tmp_path.iterdir())
        with pytest.raises(error, match=match):
            read_table(path, sheet=sheet)
        assert sorted(tmp_path.iterdir()) == before

    def test_problems_carry_codes(self, tmp_path: Path) -> None:
        """Each problem has a code a program can match on."""
        path = _csv("id,kind,next,colour\na,step,,\nb,,zz,\nb,,,\n")(tmp_path)
        with pytest.raises(JourneyValidationError) as exc:
            read_table(path)
        assert [p.code for p in exc.value.errors] == [
            "unknown_key",
            "enum",
            "reference",
            "duplicate",
        ]


# -- writing -------------------------------------------------------------------


class TestWriteTable:
    def test_writes_csv(self, tmp_path: Path) -> None:
        """The CSV file has every column, a row per step in flow order, names for ids."""
        path = tmp_path / "journey.csv"
        write_table(_shop_journey(), path)
        assert path.read_bytes().decode("utf-8").splitlines() == [
            ",".join(COLUMNS),
            "browse,Browses the shop,touchpoint,Shop,Web team,Website,customer,1,Slow; No prices,"
            "decide,,,team,digital",
            "decide,Buy now?,decision,Shop,,,,,,bought=0.3; call=0.2; left=0.5,,customer,,",
            "call,Calls sales,touchpoint,Buy,Sales,Phone,frontstage,-2,,bought,,,department,human",
            "bought,Bought,outcome,,,,,,,,success,,,",
            "left,Left,outcome,,,,,,,,exit,,,",
        ]
        assert path.read_bytes().count(b"\r\n") == 6

    def test_writes_xlsx(self, tmp_path: Path) -> None:
        """The workbook has one sheet, Journey; emotions are numbers, other cells text."""
        path = tmp_path / "journey.xlsx"
        write_table(_shop_journey(), path)
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["Journey"]
        rows = list(book["Journey"].iter_rows(values_only=True))
        assert rows[0] == COLUMNS
        assert rows[1][:8] == (
            "browse",
            "Browses the shop",
            "touchpoint",
            "Shop",
            "Web team",
            "Website",
            "customer",
            1,
        )
        assert _sorted_edges(read_table(path)) == _sorted_edges(_shop_journey())

    def test_text_is_never_a_formula(self, tmp_path: Path) -> None:
        """A name starting with = is written as text, and reads back as written."""
        j = read_table(pd.DataFrame({"id": ["a"], "name": ["=1+1"], "owner": ["=HYPERLINK(x)"]}))
        path = tmp_path / "journey.xlsx"
        write_table(j, path)
        sheet = openpyxl.load_workbook(path)["Journey"]
        assert {sheet["B2"].data_type, sheet["E2"].data_type} == {"s"}
        assert read_table(path) == j

    def test_hand_offs_and_what_has_no_column(self, tmp_path: Path) -> None:
        """Hand-offs go in next like transitions; what has no column goes, with one warning."""
        j = cx.Journey(
            id="journey",
            name="journey",
            version="2",
            owners=[cx.Owner(id="o", name="O", kind="role")],
            touchpoints=[
                cx.Touchpoint(id="a", name="A", owner="o", duration=timedelta(minutes=1)),
                cx.Touchpoint(id="b", name="B", owner="o"),
            ],
            outcomes=[cx.Outcome(id="z", name="Z", kind="success")],
            transitions=[cx.Transition(source="b", target="z", label="done")],
            handoffs=[cx.Handoff(source="a", target="b", owner="o", carries=["x"])],
            triggers=[cx.Trigger(source="z", target="a")],
            entries=["a"],
        )
        path = tmp_path / "journey.csv"
        with pytest.warns(CxgraphWarning) as record:
            write_table(j, path)
        assert len(record) == 1
        assert str(record[0].message) == (
            "the grid 'journey.csv' leaves out what it has no column for: the version of the "
            "journey; 1 entry; 1 trigger; duration of touchpoints; label of transitions; owner, "
            "carries of hand-offs; the hand-off kind of 1 edge (written in next as transitions)"
        )
        back = read_table(path)
        assert [(t.source, t.target) for t in back.transitions] == [("a", "b"), ("b", "z")]
        assert back.handoffs == back.triggers == ()

    def test_ids_that_are_not_slugs_of_names(self, tmp_path: Path) -> None:
        """Ids other than the slugs of the names, and unused owners, are named in the warning."""
        j = cx.Journey(
            id="journey",
            name="journey",
            owners=[
                cx.Owner(id="ops", name="Operations", kind="team"),
                cx.Owner(id="idle", name="Idle", kind="team"),
            ],
            touchpoints=[cx.Touchpoint(id="a", name="A", owner="ops")],
        )
        with pytest.warns(CxgraphWarning) as record:
            write_table(j, tmp_path / "journey.csv")
        message = str(record[0].message)
        assert "1 owner no step names ('idle')" in message
        assert (
            "the ids of 1 owner, which read back as slugs of the names ('ops' -> 'operations')"
            in message
        )
        assert read_table(tmp_path / "journey.csv").owners == (
            cx.Owner(id="operations", name="Operations", kind="team"),
        )

    def test_no_warning_for_what_read_table_returns(self, tmp_path: Path) -> None:
        """A journey read from a grid loses nothing, so writing it warns of nothing."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            write_table(read_table(_shop()), tmp_path / "journey.xlsx")

    def test_steps_placed_so_names_appear_in_order(self, tmp_path: Path) -> None:
        """A decision naming the first owner is written before touchpoints naming later ones."""
        grid = pd.DataFrame(
            {
                "id": ["q", "a", "z"],
                "kind": ["decision", "touchpoint", "outcome"],
                "owner": ["Bot", "Ops", ""],
                "phase": ["P2", "P1", ""],
                "decided_by": ["automated", "", ""],
                "outcome_kind": ["", "", "exit"],
            }
        )
        j = read_table(grid)
        path = tmp_path / "journey.csv"
        write_table(j, path)
        assert [line.split(",")[0] for line in path.read_text().splitlines()[1:]] == ["q", "a", "z"]
        assert read_table(path) == j

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        """A suffix other than .csv or .xlsx is refused, and nothing is written."""
        with pytest.raises(UnsupportedFormatError, match=r"suffix '\.txt': use \.csv or \.xlsx"):
            write_table(_shop_journey(), tmp_path / "map.txt")
        assert list(tmp_path.iterdir()) == []

    def test_not_a_journey(self, tmp_path: Path) -> None:
        """Anything but a Journey is a TypeError."""
        with pytest.raises(TypeError, match=r"expected a Journey, got dict"):
            write_table({}, tmp_path / "j.csv")  # type: ignore[arg-type]

    @pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
    def test_atomic(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
        """A failed write leaves the old file as it was and no temporary file behind."""
        path = tmp_path / f"journey{suffix}"
        path.write_bytes(b"old")

        def fail(src: str, dst: str) -> None:
            raise PermissionError(13, "Permission denied", src)

        monkeypatch.setattr(os, "replace", fail)
        with pytest.raises(PermissionError, match=r"journey\.(csv|xlsx)") as exc:
            write_table(_shop_journey(), path)
        assert exc.value.filename == os.fspath(path)
        assert [p.name for p in tmp_path.iterdir()] == [path.name]
        assert path.read_bytes() == b"old"

    def test_a_folder_in_the_way(self, tmp_path: Path) -> None:
        """A folder at the path is refused before anything is written."""
        (tmp_path / "journey.csv").mkdir()
        with pytest.raises(IsADirectoryError, match=r"journey\.csv"):
            write_table(_shop_journey(), tmp_path / "journey.csv")

    def test_text_a_workbook_cannot_hold(self, tmp_path: Path) -> None:
        """A control character cannot go in a workbook: an error at its cell, nothing written."""
        j = read_table(pd.DataFrame({"id": ["a", "b"], "name": ["A", "bell\x07"]}))
        with pytest.raises(
            JourneyValidationError,
            match=r"journey\.xlsx:row 3, column name: 'bell\\x07' holds a control character",
        ):
            write_table(j, tmp_path / "journey.xlsx")
        assert list(tmp_path.iterdir()) == []
        write_table(j, tmp_path / "journey.csv")  # CSV holds it
        assert read_table(tmp_path / "journey.csv") == j

    def test_a_grid_that_would_not_read_back(self, tmp_path: Path) -> None:
        """Two owners of one name and different kinds cannot share a grid: nothing is written."""
        j = cx.Journey(
            id="journey",
            name="journey",
            owners=[
                cx.Owner(id="a", name="Ops", kind="team"),
                cx.Owner(id="b", name="Ops", kind="role"),
            ],
            touchpoints=[
                cx.Touchpoint(id="s", name="S", owner="a"),
                cx.Touchpoint(id="t", name="T", owner="b"),
            ],
        )
        with (
            pytest.raises(
                JourneyValidationError,
                match=r"row 3, column owner_kind: owner 'Ops' is of kind 'team'",
            ),
        ):
            write_table(j, tmp_path / "journey.csv")
        assert list(tmp_path.iterdir()) == []


# -- the bundled examples ----------------------------------------------------------


def _grid_view(j: cx.Journey) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """A journey's steps and flow edges on what a grid holds: names, not ids."""
    phases = {x.id: x.name for x in j.phases}
    owners = {x.id: (x.name, x.kind) for x in j.owners}
    channels = {x.id: (x.name, x.kind) for x in j.channels}
    steps: list[tuple[Any, ...]] = []
    for s in j.steps:
        if isinstance(s, cx.Outcome):
            steps.append((s.id, s.name, "outcome", s.kind))
            continue
        common = (s.id, s.name, phases.get(s.phase or ""), owners.get(s.owner or ""))
        if isinstance(s, cx.DecisionPoint):
            steps.append((*common, "decision", s.decided_by))
        else:
            items = tuple(p.strip() for text in s.pain_points for p in text.split(";"))
            steps.append((*common, channels.get(s.channel or ""), s.lane, s.emotion, items))
    edges = sorted((e.source, e.target, e.probability) for e in (*j.transitions, *j.handoffs))
    return sorted(steps, key=str), edges


class TestExamples:
    @pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
    @pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
    def test_example_round_trip(self, tmp_path: Path, example: Path, suffix: str) -> None:
        """Each example reads back from its grid as a valid journey, same steps and edges."""
        j = cx.load(example)
        path = tmp_path / f"{example.stem}{suffix}"
        with pytest.warns(CxgraphWarning) as record:
            write_table(j, path)
        back = read_table(path)
        assert _grid_view(back) == _grid_view(j)
        rows = pd.read_csv(path, dtype=str) if suffix == ".csv" else pd.read_excel(path)
        assert list(rows["id"]) == [s.id for s in j.steps]  # lossy anyway: the journey's order
        message = str(record[0].message)
        doc = cx.to_dict(j)
        kept = {
            "phases": {"id", "name"},
            "owners": {"id", "name", "kind"},
            "channels": {"id", "name", "kind"},
            "touchpoints": set(KIND_COLUMNS["touchpoint"]),
            "decision_points": {"id", "name", "phase", "owner", "decided_by"},
            "outcomes": {"id", "name", "kind"},
            "transitions": {"source", "target", "probability"},
            "handoffs": {"source", "target", "probability"},
        }
        named = [f for f in doc["journey"] if f not in ("id", "name")]
        for name, fields in kept.items():
            named += [f for item in doc.get(name, []) for f in item if f not in fields]
        for name in ("personas", "systems", "dimensions", "entries", "triggers"):
            if doc.get(name):
                one = "entry" if name == "entries" else name[:-1]
                named.append(f"{len(doc[name])} {name if len(doc[name]) > 1 else one}")
        if j.handoffs:
            named.append(f"the hand-off kind of {len(j.handoffs)} edge")
        assert [what for what in named if what not in message] == []


# -- the round trip ----------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc", "Cn"), include_characters="\n"),
    min_size=1,
    max_size=8,
)
_NAMES = st.one_of(
    st.sampled_from(["Sales", "sales", "SALES!", "Café", "見積もり", "a;b", "=x"]), _TEXT
)
_GRID_IDS = st.text(alphabet=string.ascii_letters + string.digits + "_.:-", min_size=1, max_size=5)


def _spaced(draw: Any, text: str) -> str:
    return draw(st.sampled_from(["", " ", "  "])) + text + draw(st.sampled_from(["", " "]))


@st.composite
def grids(draw: Any) -> pd.DataFrame:
    """Frames of grids read_table accepts: any mix of kinds, names, next and probabilities."""
    step_ids = draw(st.lists(_GRID_IDS, min_size=0, max_size=7, unique=True))
    kinds = [
        draw(st.sampled_from(["", "touchpoint", "Decision", "decision", "outcome"]))
        for _ in step_ids
    ]
    owner_names = draw(st.lists(_NAMES, min_size=2, max_size=3))
    owner_kinds = {
        n.strip(): draw(st.sampled_from(["team", "role", "system"])) for n in owner_names
    }
    channel_names = draw(st.lists(_NAMES, min_size=1, max_size=3))
    channel_kinds = {n.strip(): draw(st.sampled_from(["digital", "human"])) for n in channel_names}
    rows: list[dict[str, Any]] = []
    for step_id, kind in zip(step_ids, kinds, strict=True):
        row: dict[str, Any] = {"id": _spaced(draw, step_id), "kind": kind}
        if draw(st.booleans()):
            row["name"] = draw(_NAMES)
        if kind.lower() == "outcome":
            row["outcome_kind"] = draw(st.sampled_from(["success", "failure", "exit"]))
            rows.append(row)
            continue
        if draw(st.booleans()):
            row["phase"] = _spaced(draw, draw(st.sampled_from(["Look", "Buy", "buy", "Use"])))
        owner = draw(st.one_of(st.none(), st.sampled_from(owner_names)))
        if owner is not None and owner.strip():
            row["owner"] = _spaced(draw, owner)
            if draw(st.booleans()):
                row["owner_kind"] = owner_kinds[owner.strip()]
        if kind.lower() == "decision":
            owned = "owner" in row
            row["decided_by"] = draw(
                st.sampled_from(["employee", "Automated"] if owned else ["customer", ""])
            )
        else:
            channel = draw(st.one_of(st.none(), st.sampled_from(channel_names)))
            if channel is not None and channel.strip():
                row["channel"] = channel
                if draw(st.booleans()):
                    row["channel_kind"] = channel_kinds[channel.strip()]
            row["lane"] = draw(st.sampled_from(["", "customer", "Backstage", "support"]))
            row["emotion"] = draw(st.sampled_from([None, -3, 0, 2, 1.0, "-1", " 3 "]))
            row["pain_points"] = ";".join(draw(st.lists(_NAMES, max_size=3)))
        targets = (
            draw(st.lists(st.sampled_from(step_ids), unique=True, max_size=3)) if step_ids else []
        )
        if targets and draw(st.booleans()):
            weights = [draw(st.integers(1, 9)) for _ in targets]
            shares = [w / sum(weights) for w in weights[:-1]]
            shares.append(1.0 - math.fsum(shares))
            items = [f"{t}={p!r}" for t, p in zip(targets, shares, strict=True)]
        else:
            items = list(targets)
        row["next"] = ";".join(_spaced(draw, item) for item in items)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype(object).where(frame.notna(), None)


class TestRoundTrip:
    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(grid=grids())
    def test_read_write_read(self, grid: pd.DataFrame) -> None:
        """read_table(write_table(j)) == j for a j read_table returns, up to transition order."""
        j = read_table(grid)
        with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
            warnings.simplefilter("error")  # such a journey loses nothing
            for suffix in (".csv", ".xlsx"):
                path = Path(folder) / f"journey{suffix}"
                write_table(j, path)
                assert _sorted_edges(read_table(path)) == _sorted_edges(j)
            frame = pd.read_csv(Path(folder) / "journey.csv", dtype=str, keep_default_na=False)
            assert _sorted_edges(read_table(frame)) == _sorted_edges(j)

    @settings(suppress_health_check=[HealthCheck.too_slow], max_examples=20)
    @given(journey=journeys(max_steps=6))
    def test_any_journey_writes_a_grid_that_reads(self, journey: cx.Journey) -> None:
        """Any journey gives a grid that reads back (whole, if it warned of nothing), or none."""
        named = journey.with_changes(id="journey", name="journey")
        with tempfile.TemporaryDirectory() as folder:
            for suffix in (".csv", ".xlsx"):
                path = Path(folder) / f"journey{suffix}"
                with warnings.catch_warnings(record=True) as record:
                    warnings.simplefilter("always", CxgraphWarning)
                    try:
                        write_table(journey, path)
                    except JourneyValidationError:
                        assert not path.exists()
                        continue
                back = read_table(path)
                assert [s.id for s in back.steps] == [s.id for s in journey.steps]
                flow = [*journey.transitions, *journey.handoffs]
                assert sorted((t.source, t.target, t.probability) for t in back.transitions) == (
                    sorted((e.source, e.target, e.probability) for e in flow)
                )
                if not record:
                    assert _sorted_edges(back) == _sorted_edges(named)


# -- the template --------------------------------------------------------------------


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_journey_template", ROOT / "tools" / "make_journey_template.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


class TestTemplate:
    def test_template_reads_cleanly(self) -> None:
        """The committed template reads without a problem: the tool's example journey."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            j = read_table(TEMPLATE)
        grid = pd.DataFrame(_tool().GRID, columns=list(COLUMNS))
        expected = read_table(grid).with_changes(id="journey-template", name="journey-template")
        assert _sorted_edges(j) == _sorted_edges(expected)
        assert cx.lint(j) == ()

    def test_template_explains_every_column(self) -> None:
        """Its Columns sheet has a row for each column of the grid, in the grid's order."""
        cells = _cells(TEMPLATE)
        assert list(cells) == ["Journey", "Columns"]
        assert cells["Journey"][0] == COLUMNS
        rows = cells["Journey"][1:]
        filled = {c for row in rows for c, v in zip(COLUMNS, row, strict=True) if v is not None}
        assert filled == set(COLUMNS)  # the example uses every column
        assert [row[0] for row in cells["Columns"][1:]] == list(COLUMNS)
        assert all(all(row) for row in cells["Columns"])

    def test_template_is_what_the_tool_makes(self, tmp_path: Path) -> None:
        """Regenerating the template gives the same cells as the committed file."""
        path = tmp_path / "journey-template.xlsx"
        _tool().build(path)
        assert _cells(path) == _cells(TEMPLATE)
