"""``cxgraph render --format``, ``cxgraph export`` and ``cxgraph import``."""

from __future__ import annotations

import csv
import io
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

import cxgraph as cx
from cxgraph.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RESTAURANT = str(EXAMPLES / "restaurant.yaml")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def files(folder: Path) -> list[str]:
    """Every file in ``folder``, hidden ones (a temporary file left behind) included."""
    return sorted(p.name for p in folder.iterdir())


class TestRenderFormats:
    """The format follows --format, else the suffix; text goes to stdout without -o."""

    @pytest.mark.parametrize(
        ("fmt", "function"),
        [
            ("mermaid", lambda j: cx.write_mermaid(j)),
            ("dot", lambda j: cx.write_dot(j)),
        ],
    )
    def test_text_to_stdout_is_the_function(self, fmt: str, function: object) -> None:
        code, out, err = run("render", RESTAURANT, "--format", fmt)
        assert (code, err) == (0, "")
        text = function(cx.load(RESTAURANT))  # type: ignore[operator]
        assert out == (text if text.endswith("\n") else text + "\n")

    @pytest.mark.parametrize(
        ("suffix", "reader"),
        [
            (".graphml", cx.read_graphml),
            (".gexf", cx.read_gexf),
        ],
    )
    def test_graph_files_by_suffix_read_back(
        self, tmp_path: Path, suffix: str, reader: object
    ) -> None:
        target = tmp_path / f"r{suffix}"
        code, out, err = run("render", RESTAURANT, "-o", str(target))
        assert (code, err) == (0, "")
        assert out.startswith(f"Wrote {target}: ")
        assert reader(target) == cx.load(RESTAURANT)  # type: ignore[operator]

    def test_graphml_to_stdout_parses(self) -> None:
        code, out, _ = run("render", RESTAURANT, "--format", "graphml")
        assert code == 0
        G = nx.parse_graphml(out)
        assert G.number_of_nodes() == len(cx.load(RESTAURANT).steps)

    def test_bpmn_by_suffix(self, tmp_path: Path) -> None:
        target = tmp_path / "r.bpmn"
        code, _, err = run("render", RESTAURANT, "-o", str(target), "--lanes", "owner")
        assert (code, err) == (0, "")
        root = ET.parse(target).getroot()
        assert root.tag.endswith("definitions")
        from cxgraph.readwrite.bpmn import bpmn_xml

        assert target.read_text("utf-8") == bpmn_xml(cx.load(RESTAURANT), lanes="owner")

    def test_mermaid_journey_diagram(self, tmp_path: Path) -> None:
        target = tmp_path / "r.mmd"
        code, _, _ = run("render", RESTAURANT, "-o", str(target), "--diagram", "journey")
        assert code == 0
        assert target.read_text("utf-8").lstrip().startswith("journey")

    def test_dot_clusters(self) -> None:
        journey = cx.load(RESTAURANT)
        for cluster, want in (("owner", "owner"), ("none", None)):
            code, out, _ = run("render", RESTAURANT, "--format", "dot", "--cluster", cluster)
            assert code == 0
            assert out.rstrip("\n") == cx.write_dot(journey, cluster=want).rstrip("\n")

    def test_svg_still_drawn(self, tmp_path: Path) -> None:
        target = tmp_path / "m.svg"
        code, _, _ = run("render", RESTAURANT, "-o", str(target), "--kind", "emotion")
        assert code == 0
        assert target.read_text("utf-8").lstrip().startswith(("<?xml", "<svg"))

    def test_png_by_suffix(self, tmp_path: Path) -> None:
        target = tmp_path / "m.png"
        code, _, _ = run("render", RESTAURANT, "-o", str(target))
        assert code == 0
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert files(tmp_path) == ["m.png"]

    def test_svg_to_stdout(self) -> None:
        code, out, _ = run("render", RESTAURANT, "--format", "svg")
        assert code == 0
        assert "<svg" in out


BAD_RENDER = [
    (
        ["render", RESTAURANT],
        "say which format to write: --format {svg,png,mermaid,dot,graphml,gexf,bpmn}, or -o FILE",
    ),
    (
        ["render", RESTAURANT, "--format", "png"],
        "a PNG picture is binary: name the file to write with -o FILE.png",
    ),
    (
        ["render", RESTAURANT, "-o", "x.html"],
        "cannot tell the format from 'x.html': give --format, or name the file with one of "
        "the suffixes .svg, .png, .mmd, .mermaid, .dot, .gv, .graphml, .gexf, .bpmn",
    ),
    (
        ["render", RESTAURANT, "-o", "x.xlsx"],
        "cannot tell the format from 'x.xlsx': give --format, or name the file with one of "
        "the suffixes .svg, .png, .mmd, .mermaid, .dot, .gv, .graphml, .gexf, .bpmn",
    ),
    (
        ["render", RESTAURANT, "--format", "dot", "--diagram", "journey"],
        "--diagram shapes --format mermaid only, not dot",
    ),
    (
        ["render", RESTAURANT, "--format", "bpmn", "--cluster", "owner"],
        "--cluster shapes --format dot only, not bpmn",
    ),
    (
        ["render", RESTAURANT, "--format", "mermaid", "--lanes", "owner"],
        "--lanes shapes --format bpmn only, not mermaid",
    ),
    (
        ["render", RESTAURANT, "--format", "gexf", "--kind", "emotion"],
        "--kind chooses the picture of --format svg or png, not gexf",
    ),
    (
        ["render", RESTAURANT, "-o", "no/such/m.mmd"],
        "cannot write 'no/such/m.mmd': no folder 'no/such'",
    ),
    (
        ["export", RESTAURANT, "--format", "table", "-o", "map.txt"],
        "a journey-map grid is .csv or .xlsx: cannot write 'map.txt'",
    ),
    (
        ["export", RESTAURANT, "-o", "map.svg"],
        "cannot tell the format from 'map.svg': give --format, or name the file with one of "
        "the suffixes .mmd, .mermaid, .dot, .gv, .graphml, .gexf, .bpmn, .csv, .xlsx",
    ),
    (
        ["import", RESTAURANT, "-o", "j.yaml"],
        f"cxgraph import reads a journey-map grid, .csv or .xlsx: not {RESTAURANT!r}",
    ),
]


@pytest.mark.parametrize(("argv", "message"), BAD_RENDER, ids=lambda v: " ".join(v)[-40:])
def test_bad_command_lines(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each is a usage error (exit 2) in one line, and nothing is written."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*argv)
    assert code == 2
    assert err.splitlines()[-1] == f"cxgraph {argv[0]}: error: {message}"
    assert out == ""
    assert files(tmp_path) == []


def test_output_is_a_folder(tmp_path: Path) -> None:
    code, _, err = run("render", RESTAURANT, "--format", "dot", "-o", str(tmp_path))
    assert code == 2
    assert err.endswith(f"error: cannot write {str(tmp_path)!r}: it is a folder\n")


def test_invalid_journey_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("cxgraph: '1.0'\njourney: {id: j}\n", encoding="utf-8")
    code, _, err = run("render", str(bad), "-o", str(tmp_path / "x.bpmn"))
    assert code == 1
    assert "name" in err
    assert files(tmp_path) == ["bad.yaml"]


class TestExportAndImport:
    """A grid out and back: the journey ``import`` reads is the one ``export`` wrote."""

    def test_csv_to_stdout(self) -> None:
        code, out, err = run("export", RESTAURANT, "--format", "table")
        assert code == 0
        rows = list(csv.DictReader(io.StringIO(out)))
        journey = cx.load(RESTAURANT)
        assert [r["id"] for r in rows] == [s.id for s in journey.steps]
        # The fields a grid has no column for are named, of standard output.
        assert "warning: the grid on standard output leaves out" in err
        assert "map.csv" not in err

    @pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
    def test_round_trip(self, tmp_path: Path, suffix: str) -> None:
        grid = tmp_path / f"map{suffix}"
        code, _, _ = run("export", RESTAURANT, "-o", str(grid))
        assert code == 0
        target = tmp_path / "journey.yaml"
        code, out, err = run("import", str(grid), "-o", str(target))
        assert (code, err) == (0, "")
        assert out.startswith(f"Wrote {target}: journey 'map'")
        journey = cx.load(target)
        assert journey == cx.read_table(grid)
        original = cx.load(RESTAURANT)
        assert [s.id for s in journey.steps] == [s.id for s in original.steps]

    def test_import_to_stdout_is_yaml(self, tmp_path: Path) -> None:
        grid = tmp_path / "map.csv"
        run("export", RESTAURANT, "-o", str(grid))
        code, out, _ = run("import", str(grid))
        assert code == 0
        assert cx.loads(out, "yaml") == cx.read_table(grid)

    def test_invalid_grid_exits_1_and_writes_nothing(self, tmp_path: Path) -> None:
        grid = tmp_path / "map.csv"
        grid.write_text(
            "id,name,kind,next\na,Ask,touchpoint,b;c=x\na,Again,touchpoint,\n", encoding="utf-8"
        )
        code, out, err = run("import", str(grid), "-o", str(tmp_path / "j.yaml"))
        assert code == 1
        assert out == ""
        lines = err.splitlines()
        assert (
            lines[-1]
            == f"cxgraph import: error: {len(lines) - 1} problems in {grid}; nothing written"
        )
        assert all("row " in line and "column " in line for line in lines[:-1])
        assert files(tmp_path) == ["map.csv"]

    def test_sheet(self, tmp_path: Path) -> None:
        grid = tmp_path / "map.xlsx"
        run("export", RESTAURANT, "-o", str(grid))
        code, _, err = run("import", str(grid), "--sheet", "Nope")
        assert code == 1
        assert "Nope" in err

    def test_template_imports(self, tmp_path: Path) -> None:
        target = tmp_path / "j.json"
        code, _, err = run("import", str(EXAMPLES / "journey-template.xlsx"), "-o", str(target))
        assert (code, err) == (0, "")
        assert cx.load(target).steps

    def test_unknown_output_suffix_before_reading(self, tmp_path: Path) -> None:
        code, _, err = run("import", str(tmp_path / "missing.csv"), "-o", "j.txt")
        assert code == 2
        assert ".json, .yaml or .yml" in err
        assert not os.path.exists("j.txt")
