"""Make examples/journey-template.xlsx: a small journey-map grid, and a sheet on its columns.

The first sheet, ``Journey``, is what ``cx.write_table`` writes for the small
coffee-shop journey below, a row per step using every column: overwrite it
with your own (``cxgraph import`` and ``cx.read_table`` read it). The second,
``Columns``, explains each column: the kinds of row that fill it, what it
holds, and an example cell.

Run from the repository root after changing the grid's columns::

    python tools/make_journey_template.py            # writes examples/journey-template.xlsx
    python tools/make_journey_template.py OUT.xlsx   # or elsewhere

tests/readwrite/test_table.py checks that the committed file is what this writes.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font

from cxgraph.readwrite.table import (
    COLUMN_HELP,
    COLUMNS,
    KIND_COLUMNS,
    KINDS,
    read_table,
    write_table,
)

TEMPLATE = Path(__file__).resolve().parents[1] / "examples" / "journey-template.xlsx"
#: The second sheet's name and header.
SHEET = "Columns"
HEADER = ("column", "rows it applies to", "what it holds", "example")
#: The example journey, a row per step (blank cells left out).
GRID: list[dict[str, str]] = [
    {
        "id": "arrive",
        "name": "Walks in and reads the menu board",
        "phase": "Choose",
        "owner": "Front of house",
        "channel": "In the store",
        "lane": "customer",
        "emotion": "0",
        "pain_points": "No prices on the board",
        "next": "order=0.9; left=0.1",
        "channel_kind": "physical",
    },
    {
        "id": "order",
        "name": "Orders at the counter",
        "phase": "Choose",
        "owner": "Front of house",
        "channel": "In the store",
        "emotion": "1",
        "pain_points": "Long queue at lunchtime",
        "next": "pay-how",
    },
    {
        "id": "pay-how",
        "name": "Card or app?",
        "kind": "decision",
        "phase": "Pay",
        "next": "pay-card=0.6; pay-app=0.4",
        "decided_by": "customer",
    },
    {
        "id": "pay-card",
        "name": "Pays by card",
        "phase": "Pay",
        "owner": "Front of house",
        "channel": "In the store",
        "emotion": "0",
        "pain_points": "Card reader is slow; Asked twice for a receipt",
        "next": "make",
    },
    {
        "id": "pay-app",
        "name": "Pays in the app",
        "phase": "Pay",
        "owner": "App team",
        "channel": "Mobile app",
        "emotion": "1",
        "next": "make",
    },
    {
        "id": "make",
        "name": "Barista makes the drink",
        "phase": "Serve",
        "owner": "Baristas",
        "channel": "In the store",
        "lane": "backstage",
        "pain_points": "App orders come out of sequence",
        "next": "check",
    },
    {
        "id": "check",
        "name": "Is the drink right?",
        "kind": "decision",
        "phase": "Serve",
        "owner": "Shift lead",
        "owner_kind": "role",
        "next": "served=0.95; make=0.05",
        "decided_by": "employee",
    },
    {
        "id": "served",
        "name": "Gets the coffee",
        "kind": "outcome",
        "outcome_kind": "success",
    },
    {
        "id": "left",
        "name": "Leaves without ordering",
        "kind": "outcome",
        "outcome_kind": "exit",
    },
]
#: An example cell of each column.
EXAMPLES: dict[str, str] = {
    "id": "order",
    "name": "Orders at the counter",
    "kind": "touchpoint",
    "phase": "Purchase",
    "owner": "Front of house",
    "channel": "In the store",
    "lane": "frontstage",
    "emotion": "1",
    "pain_points": "Long queue; No prices on the board",
    "next": "pay=0.9; leave=0.1",
    "outcome_kind": "success",
    "decided_by": "customer",
    "owner_kind": "team",
    "channel_kind": "physical",
}


def column_rows() -> list[tuple[str, str, str, str]]:
    """The rows of the Columns sheet: one per grid column, in the grid's order."""
    return [
        (
            column,
            ", ".join(f"{kind}s" for kind in KINDS if column in KIND_COLUMNS[kind]),
            COLUMN_HELP[column],
            EXAMPLES[column],
        )
        for column in COLUMNS
    ]


def build(path: Path) -> None:
    """Write the template to ``path`` (through a temporary file beside it)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write_table(read_table(pd.DataFrame(GRID, columns=list(COLUMNS))), tmp)
        book = openpyxl.load_workbook(tmp)
        sheet = book.create_sheet(SHEET)
        sheet.append(list(HEADER))
        for row in column_rows():
            sheet.append(list(row))
        for line in sheet.iter_rows():
            for cell in line:
                cell.data_type = "s"  # an example such as "=" stays text
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for letter, width in zip("ABCD", (14, 30, 70, 34), strict=True):
            sheet.column_dimensions[letter].width = width
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else TEMPLATE
    build(path)
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
