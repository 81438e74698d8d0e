"""Tests for cxgraph.attribution.paths: conversion paths and channel attribution."""

from __future__ import annotations

import math
from fractions import Fraction as Fr
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxgraph as cx
from cxgraph.analyses.markov import markov
from cxgraph.attribution.models import MODELS, Attribution, attribution
from cxgraph.attribution.path_tables import PathDataError
from cxgraph.attribution.paths import PathData, PathRow, paths

DATA = Path(__file__).resolve().parent.parent / "data"
SMALL = DATA / "paths-small.csv"

#: tests/data/paths-small.csv as dicts (its separators are spaced every which way).
SMALL_ROWS: list[dict[str, Any]] = [
    {"path": "a > b", "total_conversions": 2, "total_conversion_value": 20, "total_null": 1},
    {"path": "b", "total_conversions": 1, "total_conversion_value": 5, "total_null": 2},
    {"path": "a>a > c", "total_conversions": 1, "total_conversion_value": 6, "total_null": 1},
    {"path": " c >b ", "total_conversions": 1, "total_conversion_value": 3, "total_null": 0},
]
SMALL_PATHS = [("a", "b"), ("b",), ("a", "a", "c"), ("c", "b")]

# The small table by hand. Each path weighs conversions + nulls (3, 3, 2, 1; 9 in all):
#   start -> a 5, b 3, c 1          a -> a 2, b 3, c 2 (7 out of a)
#   b -> conversion 4, null 3       c -> b 1, conversion 1, null 1
# P(convert from b) = 4/7;  from c = 1/3 + 1/3 * 4/7 = 11/21;
# from a = (3/7 * 4/7 + 2/7 * 11/21) / (1 - 2/7) = 58/105  (the self-loop renormalises).
# P(conversion) = 5/9 * 58/105 + 3/9 * 4/7 + 1/9 * 11/21 = 105/189 = 5/9 = 5 conversions / 9.
# Without a (its inflow stops): 3/9 * 4/7 + 1/9 * 11/21 = 47/189 -> effect 1 - 47/105 = 58/105.
# Without b: from c 1/3, from a (2/7 * 1/3) / (5/7) = 2/15; 5/9 * 2/15 + 1/9 * 1/3 = 1/9
#   -> effect 1 - 1/5 = 4/5.
# Without c: from a (3/7 * 4/7) / (5/7) = 12/35; 5/9 * 12/35 + 3/9 * 4/7 = 8/21
#   -> effect 1 - (8/21) / (5/9) = 11/35.
# Effects 58/105, 84/105, 33/105 sum to 175/105 = 5/3: shares 58/175, 84/175, 33/175.
EFFECTS = {"a": Fr(58, 105), "b": Fr(4, 5), "c": Fr(11, 35)}
SHARES = {"a": Fr(58, 175), "b": Fr(84, 175), "c": Fr(33, 175)}
TOTAL_CONV, TOTAL_VALUE = 5, 34
#: model -> channel -> (conversions, value), by hand from the table.
EXPECTED: dict[str, dict[str, tuple[Fr, Fr]]] = {
    # a>b and a>a>c start at a (2 + 1 conv, 20 + 6 value), b at b, c>b at c.
    "first_touch": {"a": (Fr(3), Fr(26)), "b": (Fr(1), Fr(5)), "c": (Fr(1), Fr(3))},
    # a>b, b, c>b end at b; a>a>c ends at c.
    "last_touch": {"a": (Fr(0), Fr(0)), "b": (Fr(4), Fr(28)), "c": (Fr(1), Fr(6))},
    # a>b: a 1, b 1 (10, 10); b: b 1 (5); a>a>c: a 2/3, c 1/3 (4, 2); c>b: c 1/2, b 1/2 (1.5, 1.5).
    "linear": {
        "a": (Fr(5, 3), Fr(14)),
        "b": (Fr(5, 2), Fr(33, 2)),
        "c": (Fr(5, 6), Fr(7, 2)),
    },
    # 5 and 34 times the shares: a 58/35 and 1972/175, b 12/5 and 408/25, c 33/35 and 1122/175.
    "markov": {c: (TOTAL_CONV * s, TOTAL_VALUE * s) for c, s in SHARES.items()},
}


#: The models worked by hand here (the others: tests/attribution/test_models_more.py).
HAND_MODELS = tuple(EXPECTED)
#: The models that need no touch times (time_decay does; paths() reads none).
UNTIMED = tuple(m for m in MODELS if m != "time_decay")


def close(x: float, y: float | Fr) -> bool:
    """Equal within 1e-12, relative or absolute."""
    return math.isclose(x, float(y), rel_tol=1e-12, abs_tol=1e-12)


def row_tuples(data: PathData) -> list[tuple[tuple[str, ...], float, float, float]]:
    """The rows of path data as plain tuples."""
    return [(r.path, r.conversions, r.value, r.nulls) for r in data]


def broken(**row: Any) -> list[dict[str, Any]]:
    """A one-row table with every column, overridden by ``row``."""
    base = {"path": "a > b", "total_conversions": 1, "total_conversion_value": 1, "total_null": 0}
    return [{**base, **row}]


class TestPaths:
    """paths(): reading conversion-path tables."""

    def test_reads_the_semicolon_csv(self) -> None:
        """The bundled CSV (';'-delimited) reads into rows, sorted channels and totals."""
        data = paths(SMALL)
        assert [r.path for r in data] == SMALL_PATHS
        assert data.rows[0] == PathRow(path=("a", "b"), conversions=2.0, value=20.0, nulls=1.0)
        assert data.channels == ("a", "b", "c")
        assert (data.total_conversions, data.total_value, data.total_nulls) == (5, 34, 4)
        assert data.source == repr(str(SMALL))

    def test_reads_a_comma_csv_the_same(self, tmp_path: Path) -> None:
        """A ','-delimited file gives the same rows as the ';' one."""
        text = SMALL.read_text().replace(";", ",")
        (tmp_path / "p.csv").write_text(text)
        assert row_tuples(paths(tmp_path / "p.csv")) == row_tuples(paths(SMALL))

    def test_csv_quoted_channel_with_comma(self, tmp_path: Path) -> None:
        """A quoted CSV field keeps a comma inside a channel name."""
        (tmp_path / "p.csv").write_text(
            'path,total_conversions\n"Email, weekly > Direct",2\n\nDirect,1\n'
        )
        data = paths(str(tmp_path / "p.csv"))
        assert [r.path for r in data] == [("Email, weekly", "Direct"), ("Direct",)]
        assert data.total_nulls == 0

    @pytest.mark.parametrize("text", ["a>b", "a > b", "  a  >b ", "a\t>\tb", "a >b"], ids=repr)
    def test_separators_with_or_without_spaces(self, text: str) -> None:
        """Spaces around separators and names do not count."""
        data = paths([{"path": text, "total_conversions": 1}])
        assert data.rows[0].path == ("a", "b")

    def test_other_separator(self) -> None:
        """sep names another separator; its own surrounding spaces are ignored."""
        data = paths([{"path": "a | b|c", "total_conversions": 1}], sep=" | ")
        assert data.rows[0].path == ("a", "b", "c")

    def test_channel_names_are_kept_as_written(self) -> None:
        """Names keep their case and inner spaces; only the ends are stripped."""
        data = paths([{"path": " Paid Search > paid search ", "total_conversions": 1}])
        assert data.channels == ("Paid Search", "paid search")

    @pytest.mark.parametrize(
        "make",
        [
            pd.DataFrame,
            pl.DataFrame,
            pa.Table.from_pylist,
            lambda rows: pa.RecordBatch.from_pylist(rows),
            lambda rows: pd.DataFrame(rows).astype({"path": "string"}),
            lambda rows: pd.DataFrame(rows).astype({"total_conversions": "Int64"}),
        ],
        ids=["pandas", "polars", "arrow", "arrow-batch", "pandas-string", "pandas-Int64"],
    )
    def test_frames_read_like_rows(self, make: Any) -> None:
        """pandas, polars and pyarrow frames give the same rows as a list of dicts."""
        assert row_tuples(paths(make(SMALL_ROWS))) == row_tuples(paths(SMALL_ROWS))

    def test_numbers_as_text_in_frames(self) -> None:
        """Counts stored as text (an object column) are read as numbers."""
        frame = pd.DataFrame({"path": ["a"], "total_conversions": ["3"], "total_null": [" 1.5 "]})
        assert row_tuples(paths(frame)) == [(("a",), 3.0, 0.0, 1.5)]

    def test_default_value_and_nulls_may_be_absent(self) -> None:
        """Without the default value and nulls columns both are 0."""
        data = paths([{"path": "a", "total_conversions": 2}])
        assert row_tuples(data) == [(("a",), 2.0, 0.0, 0.0)]

    def test_none_ignores_a_column(self) -> None:
        """value=None and nulls=None ignore columns that are there."""
        data = paths(SMALL_ROWS, value=None, nulls=None)
        assert (data.total_value, data.total_nulls) == (0.0, 0.0)

    def test_renamed_columns(self) -> None:
        """Every column can be renamed."""
        rows = [{"p": "x>y", "c": 1, "v": 2.5, "n": 3}]
        data = paths(rows, path="p", conversions="c", value="v", nulls="n")
        assert row_tuples(data) == [(("x", "y"), 1.0, 2.5, 3.0)]

    def test_fractional_counts(self) -> None:
        """Counts need not be whole (weighted data)."""
        data = paths([{"path": "a", "total_conversions": 0.5, "total_null": 1.25}])
        assert (data.total_conversions, data.total_nulls) == (0.5, 1.25)

    def test_duplicate_paths_stay_rows(self) -> None:
        """Rows are kept as given, a repeated path included."""
        data = paths([{"path": "a", "total_conversions": 1}] * 2)
        assert len(data) == 2
        assert data.total_conversions == 2

    def test_equal_inputs_equal_results(self) -> None:
        """The same table read twice gives equal, hashable results."""
        assert paths(SMALL_ROWS) == paths(SMALL)
        assert hash(paths(SMALL_ROWS)) == hash(paths(SMALL))

    def test_records_frame_and_words(self) -> None:
        """Rows become records and a frame; the summary counts paths and channels."""
        data = paths(SMALL)
        assert data.to_records()[0] == {
            "path": ("a", "b"),
            "conversions": 2.0,
            "value": 20.0,
            "nulls": 1.0,
        }
        assert list(data.to_frame().columns) == ["path", "conversions", "value", "nulls"]
        assert data.summary() == "4 paths over 3 channels: 5 conversions (value 34), 4 nulls"
        assert "a > a > c: 1 conversion (value 6), 1 null" in repr(data)
        assert "<table" in data._repr_html_()

    @pytest.mark.parametrize(
        ("rows", "message"),
        [
            (
                broken(path=""),
                "row 0, path='path': empty path: a path names at least one channel, "
                "such as 'search > email'",
            ),
            (
                broken(path="   "),
                "row 0, path='path': empty path: a path names at least one channel, "
                "such as 'search > email'",
            ),
            (broken(path=None), "row 0, path='path': no path (empty or null)"),
            (broken(path=math.nan), "row 0, path='path': no path (empty or null)"),
            (
                broken(path=5),
                "row 0, path='path': integer 5 is not a path of channel names",
            ),
            (
                broken(path="a >> b"),
                "row 0, path='path': empty channel in 'a >> b': each '>' must stand "
                "between two channel names",
            ),
            (
                broken(path="a > b >"),
                "row 0, path='path': empty channel in 'a > b >': each '>' must stand "
                "between two channel names",
            ),
            (
                broken(path="> a"),
                "row 0, path='path': empty channel in '> a': each '>' must stand "
                "between two channel names",
            ),
            (
                broken(total_conversions=-1),
                "row 0, conversions='total_conversions': negative count -1: "
                "expected a number, 0 or more",
            ),
            (
                broken(total_conversions="abc"),
                "row 0, conversions='total_conversions': string 'abc' is not a number",
            ),
            (
                broken(total_conversions=True),
                "row 0, conversions='total_conversions': boolean true is not a number",
            ),
            (
                broken(total_conversions=math.nan),
                "row 0, conversions='total_conversions': no value (empty, null or NaN): "
                "fill it in or drop the row",
            ),
            (
                broken(total_conversions=math.inf),
                "row 0, conversions='total_conversions': inf is not a finite number",
            ),
            (
                broken(total_null=None),
                "row 0, nulls='total_null': no value (empty, null or NaN): "
                "fill it in or drop the row",
            ),
            (
                broken(total_null=-0.5),
                "row 0, nulls='total_null': negative count -0.5: expected a number, 0 or more",
            ),
            (
                broken(total_conversion_value=-2.5),
                "row 0, value='total_conversion_value': negative value -2.5: "
                "expected a number, 0 or more",
            ),
            (
                broken(total_conversions=0, total_conversion_value=5),
                "row 0, value='total_conversion_value': value 5 on a path with no "
                "conversions: a path's value is the value of its conversions",
            ),
        ],
        ids=lambda x: x if isinstance(x, str) and len(x) < 1 else None,
    )
    def test_broken_rows(self, rows: list[dict[str, Any]], message: str) -> None:
        """Each broken row gives an error naming the row, the column and the value."""
        with pytest.raises(PathDataError) as info:
            paths(rows)
        assert str(info.value) == (
            "1 problem in the path data (a list of rows), rows count from 0:\n" + message
        )

    def test_every_problem_listed_by_row(self) -> None:
        """All problems are collected, sorted by row, then by column."""
        rows = [
            {"path": "a", "total_conversions": 1, "total_null": -1},
            {"path": "a >> b", "total_conversions": "x", "total_null": 0},
        ]
        with pytest.raises(PathDataError, match=r"^3 problems") as info:
            paths(rows)
        assert str(info.value).splitlines()[1:] == [
            "row 0, nulls='total_null': negative count -1: expected a number, 0 or more",
            "row 1, path='path': empty channel in 'a >> b': each '>' must stand between "
            "two channel names",
            "row 1, conversions='total_conversions': string 'x' is not a number",
        ]

    def test_many_problems_are_cut(self) -> None:
        """Past 20 problems the message says how many more there are."""
        rows = [{"path": "", "total_conversions": 1}] * 25
        with pytest.raises(PathDataError, match=r"^25 problems") as info:
            paths(rows)
        assert str(info.value).splitlines()[-1] == "... and 5 more"

    def test_long_path_shortened_in_message(self) -> None:
        """A long broken path is shortened in the message."""
        text = " > ".join(f"channel{i}" for i in range(20)) + " >"
        with pytest.raises(PathDataError, match=r"empty channel in 'channel0 > .{40,50}\.\.\.'"):
            paths([{"path": text, "total_conversions": 1}])

    def test_frame_nulls_name_the_row(self) -> None:
        """Missing numbers in frames (NaN, null) name their row."""
        expected = "row 1, conversions='total_conversions': no value (empty, null or NaN)"
        rows: dict[str, list[Any]] = {"path": ["a", "b"], "total_conversions": [1, None]}
        for table in (pd.DataFrame(rows), pl.DataFrame(rows), pa.table(rows)):
            with pytest.raises(PathDataError, match=r"\(a (pandas|polars|pyarrow) \w+\)") as e:
                paths(table)
            assert expected in str(e.value)

    def test_frame_negative_counts(self) -> None:
        """Negative numbers in a numeric column name their row and value."""
        frame = pd.DataFrame({"path": ["a", "b"], "total_conversions": [1, -3]})
        with pytest.raises(
            PathDataError, match="row 1, conversions='total_conversions': negative count -3"
        ):
            paths(frame)

    def test_csv_empty_field_is_missing(self, tmp_path: Path) -> None:
        """An empty CSV field is a missing value; a short row too."""
        (tmp_path / "p.csv").write_text("path;total_conversions;total_null\na;;1\nb;1\n")
        with pytest.raises(PathDataError) as info:
            paths(tmp_path / "p.csv")
        lines = str(info.value).splitlines()
        assert (
            lines[0]
            == f"2 problems in the path data {str(tmp_path / 'p.csv')!r}, rows count from 0:"
        )
        assert lines[1].startswith("row 0, conversions='total_conversions': no value")
        assert lines[2].startswith("row 1, nulls='total_null': no value")

    def test_missing_column(self) -> None:
        """A missing column names the keyword, the column asked for and the columns found."""
        with pytest.raises(PathDataError) as info:
            paths([{"path": "a", "conv": 1}])
        assert str(info.value) == (
            "conversions='total_conversions': no such column in the path data "
            "(a list of rows) (columns: 'path', 'conv')"
        )

    def test_explicit_optional_column_must_exist(self) -> None:
        """value and nulls named explicitly must exist; every missing one is listed."""
        with pytest.raises(PathDataError) as info:
            paths([{"p": "a", "total_conversions": 1}], value="revenue", nulls="lost")
        assert str(info.value).splitlines() == [
            "path='path': no such column in the path data (a list of rows) "
            "(columns: 'p', 'total_conversions')",
            "value='revenue': no such column in the path data (a list of rows) "
            "(columns: 'p', 'total_conversions')",
            "nulls='lost': no such column in the path data (a list of rows) "
            "(columns: 'p', 'total_conversions')",
        ]

    def test_missing_column_in_csv(self, tmp_path: Path) -> None:
        """A CSV file's missing column is named with the file's columns."""
        (tmp_path / "p.csv").write_text("Path;Conversions\na;1\n")
        with pytest.raises(
            PathDataError,
            match=r"^path='path': no such column in the path "
            r"data '.*p\.csv' \(columns: 'Path', 'Conversions'\)",
        ):
            paths(tmp_path / "p.csv")

    @pytest.mark.parametrize(
        ("table", "message"),
        [
            ([], "the path data (a list of rows) has no rows"),
            (
                pd.DataFrame({"path": [], "total_conversions": []}),
                "the path data (a pandas DataFrame) has no rows",
            ),
        ],
    )
    def test_no_rows(self, table: Any, message: str) -> None:
        """A table with no rows is an error."""
        with pytest.raises(
            PathDataError, match=r"^" + message.replace("(", r"\(").replace(")", r"\)")
        ):
            paths(table)

    def test_empty_or_header_only_csv(self, tmp_path: Path) -> None:
        """An empty CSV file, or one with a header only, is an error."""
        (tmp_path / "empty.csv").write_text("")
        with pytest.raises(PathDataError, match="is empty: expected a header row"):
            paths(tmp_path / "empty.csv")
        (tmp_path / "head.csv").write_text("path,total_conversions\n")
        with pytest.raises(PathDataError, match="has no rows"):
            paths(tmp_path / "head.csv")

    def test_not_utf8(self, tmp_path: Path) -> None:
        """A file that is not UTF-8 text is an error."""
        (tmp_path / "p.csv").write_bytes(b"path,total_conversions\n\xff\xfe,1\n")
        with pytest.raises(PathDataError, match="is not UTF-8 text"):
            paths(tmp_path / "p.csv")

    def test_missing_file(self, tmp_path: Path) -> None:
        """A path that names no file is the builtin FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            paths(tmp_path / "nope.csv")

    @pytest.mark.parametrize("sep", ["", "  ", None])
    def test_bad_separator(self, sep: Any) -> None:
        """An empty separator is an error."""
        with pytest.raises(PathDataError, match=r"^sep=.*: expected a separator between channels"):
            paths(SMALL_ROWS, sep=sep)

    def test_bad_column_keyword(self) -> None:
        """A column keyword must be a name (None only for value and nulls)."""
        with pytest.raises(PathDataError, match=r"^path=None: expected a column name$"):
            paths(SMALL_ROWS, path=None)  # type: ignore[arg-type]
        with pytest.raises(PathDataError, match=r"^nulls=3: expected a column name or None$"):
            paths(SMALL_ROWS, nulls=3)  # type: ignore[arg-type]

    @pytest.mark.parametrize("table", [42, {"path": ["a"]}, [1, 2]])
    def test_wrong_kind_of_table(self, table: Any) -> None:
        """Anything but a frame, a list of dicts or a path is a TypeError naming it."""
        with pytest.raises(
            TypeError, match=r"^paths\(\) reads a pandas or polars DataFrame.*; got "
        ):
            paths(table)


class TestToJourney:
    """PathData.to_journey(): the first-order Markov chain as a journey."""

    def test_hand_worked_journey(self) -> None:
        """The small table gives the transitions counted by hand, in step order."""
        j = paths(SMALL).to_journey()
        assert [t.id for t in j.touchpoints] == ["start", "a", "b", "c"]
        assert [(o.id, o.kind) for o in j.outcomes] == [("conversion", "success"), ("null", "exit")]
        assert [e.step for e in j.entries] == ["start"]
        assert [(t.source, t.target, t.count) for t in j.transitions] == [
            ("start", "a", 5),
            ("start", "b", 3),
            ("start", "c", 1),
            ("a", "a", 2),
            ("a", "b", 3),
            ("a", "c", 2),
            ("b", "conversion", 4),
            ("b", "null", 3),
            ("c", "b", 1),
            ("c", "conversion", 1),
            ("c", "null", 1),
        ]
        assert [t.probability for t in j.transitions][:3] == [5 / 9, 3 / 9, 1 / 9]
        assert j.extensions["paths"] == {"rows": 4, "conversions": 5.0, "value": 34.0, "nulls": 4.0}
        cx.validate(j)

    def test_markov_of_the_journey(self) -> None:
        """markov() of the journey converts 5 of 9 journeys, as the data do."""
        model = markov(paths(SMALL).to_journey())
        assert close(model.conversion_probability, Fr(5, 9))
        assert close(model.outcome_probabilities["null"], Fr(4, 9))
        assert model.basis == "probability"

    def test_fractional_weights_have_no_count(self) -> None:
        """With weights that are not whole, transitions carry probabilities only."""
        j = paths([{"path": "a", "total_conversions": 0.5, "total_null": 1.5}]).to_journey()
        assert [(t.source, t.target, t.count, t.probability) for t in j.transitions] == [
            ("start", "a", None, 1.0),
            ("a", "conversion", None, 0.25),
            ("a", "null", None, 0.75),
        ]

    def test_ids_are_slugs_and_reserved_ids_are_avoided(self) -> None:
        """Step ids are slugs of the names; clashes and reserved ids get -2, -3."""
        data = paths([{"path": "Paid Search > paid-search > start > Null", "total_conversions": 1}])
        assert data.step_ids == {
            "Null": "null-2",
            "Paid Search": "paid-search",
            "paid-search": "paid-search-2",
            "start": "start-2",
        }
        j = data.to_journey()
        assert [(t.id, t.name) for t in j.touchpoints][1:] == [
            ("null-2", "Null"),
            ("paid-search", "Paid Search"),
            ("paid-search-2", "paid-search"),
            ("start-2", "start"),
        ]

    def test_rows_with_no_journeys(self) -> None:
        """A row with neither conversions nor nulls adds a step but no transition."""
        data = paths(
            [
                {"path": "a", "total_conversions": 1},
                {"path": "b > a", "total_conversions": 0},
            ]
        )
        j = data.to_journey()
        assert [t.id for t in j.touchpoints] == ["start", "a", "b"]
        assert [(t.source, t.target) for t in j.transitions] == [
            ("start", "a"),
            ("a", "conversion"),
        ]
        nothing = paths([{"path": "a", "total_conversions": 0}]).to_journey()
        assert nothing.transitions == ()
        assert markov(nothing).conversion_probability == 0.0


class TestAttribution:
    """attribution(): crediting channels by model."""

    @pytest.mark.parametrize("model", HAND_MODELS)
    def test_hand_worked(self, model: str) -> None:
        """Every model credits the small table as worked out by hand."""
        result = attribution(paths(SMALL), model=model)
        assert [c.channel for c in result] == ["a", "b", "c"]
        for credit in result:
            conv, value = EXPECTED[model][credit.channel]
            assert close(credit.conversions, conv), (credit, conv)
            assert close(credit.value, value), (credit, value)
        assert result.model == model
        assert (result.total_conversions, result.total_value) == (5, 34)

    def test_markov_removal_effects(self) -> None:
        """Markov records the removal effects and the conversion probability by hand."""
        result = attribution(paths(SMALL))
        for credit in result:
            assert credit.removal_effect is not None
            assert close(credit.removal_effect, EFFECTS[credit.channel])
        assert result.conversion_probability is not None
        assert close(result.conversion_probability, Fr(5, 9))

    def test_records(self) -> None:
        """Records are channel, conversions, value, plus removal_effect for markov."""
        assert list(attribution(paths(SMALL), model="linear").to_records()[0]) == [
            "channel",
            "conversions",
            "value",
        ]
        records = attribution(paths(SMALL)).to_records()
        assert list(records[0]) == ["channel", "conversions", "value", "removal_effect"]
        assert list(attribution(paths(SMALL), model="first_touch").to_frame().columns) == [
            "channel",
            "conversions",
            "value",
        ]

    def test_words(self) -> None:
        """The summary and each channel read in plain words."""
        result = attribution(paths(SMALL))
        assert result.summary() == (
            "markov attribution of 5 conversions (value 34) across 3 channels; "
            "55.6% of journeys convert"
        )
        assert result.describe(result[1]) == (
            "'b': 2.4 conversions (48%), value 16.32 (48%); removing it loses 80% of conversions"
        )
        linear = attribution(paths(SMALL), model="linear")
        assert (
            linear.summary() == "linear attribution of 5 conversions (value 34) across 3 channels"
        )
        assert linear.describe(linear[0]) == "'a': 1.66667 conversions (33.3%), value 14 (41.2%)"
        assert isinstance(result, Attribution)
        assert repr(result).startswith("<Attribution: markov attribution")

    def test_html_escapes_names(self) -> None:
        """The HTML view escapes channel names."""
        result = attribution(paths([{"path": "<b>ad</b>", "total_conversions": 1}], sep="|"))
        html = result._repr_html_()
        assert "&lt;b&gt;ad&lt;/b&gt;" in html
        assert "<b>ad" not in html

    def test_repeats_count_in_linear(self) -> None:
        """Linear counts each touch, repeats included."""
        data = paths(
            [{"path": "ad > ad > shop", "total_conversions": 3, "total_conversion_value": 30}]
        )
        credits = {c.channel: (c.conversions, c.value) for c in attribution(data, model="linear")}
        assert credits == {"ad": (2.0, 20.0), "shop": (1.0, 10.0)}

    def test_no_conversions(self) -> None:
        """With no conversions every model credits 0 and markov's effects are 0."""
        data = paths([{"path": "a > b", "total_conversions": 0, "total_null": 3}])
        for model in UNTIMED:
            result = attribution(data, model=model)
            assert [(c.conversions, c.value) for c in result] == [(0.0, 0.0), (0.0, 0.0)]
        assert [c.removal_effect for c in attribution(data)] == [0.0, 0.0]

    def test_unknown_model(self) -> None:
        """An unknown model is a ValueError listing the choices."""
        with pytest.raises(
            ValueError,
            match=r"^attribution\(model='nope'\): unknown model "
            r"\(choices: 'first_touch', 'last_touch', 'linear', 'position_based', "
            r"'time_decay', 'markov', 'shapley', 'markov_shapley'\)$",
        ):
            attribution(paths(SMALL), model="nope")

    def test_not_path_data(self) -> None:
        """Anything but PathData is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"^attribution\(\) takes PathData .* got DataFrame$"):
            attribution(pd.DataFrame(SMALL_ROWS))  # type: ignore[arg-type]

    def test_path_data_made_by_hand(self) -> None:
        """PathData built from rows alone (no arrays) attributes the same."""
        data = paths(SMALL)
        bare = PathData(
            findings=data.rows,
            channels=data.channels,
            total_conversions=data.total_conversions,
            total_value=data.total_value,
            total_nulls=data.total_nulls,
        )
        for model in UNTIMED:
            assert attribution(bare, model=model) == attribution(data, model=model)


# -- properties ----------------------------------------------------------------------

CHANNELS = ["a", "b", "c", "d"]


@st.composite
def path_tables(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Small path tables: 1-8 rows of 1-4 touches over four channels."""
    n = draw(st.integers(1, 8))
    rows = []
    for _ in range(n):
        path = draw(st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=4))
        conv = draw(st.integers(0, 5))
        value = draw(st.integers(0, 50)) * 0.25 if conv else 0.0
        rows.append(
            {
                "path": " > ".join(path),
                "total_conversions": conv,
                "total_conversion_value": value,
                "total_null": draw(st.integers(0, 5)),
            }
        )
    return rows


def reference_effects(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Removal effects by a dense solve per channel, independent of the library."""
    names = sorted({c.strip() for r in rows for c in r["path"].split(">")})
    k = len(names)
    idx = {c: i + 1 for i, c in enumerate(names)}  # 0 = start; k+1 conversion; k+2 null
    W = np.zeros((k + 3, k + 3))
    for r in rows:
        chain = [idx[c.strip()] for c in r["path"].split(">")]
        w = r["total_conversions"] + r["total_null"]
        for s, t in zip([0, *chain[:-1]], chain, strict=True):
            W[s, t] += w
        W[chain[-1], k + 1] += r["total_conversions"]
        W[chain[-1], k + 2] += r["total_null"]
    out = W.sum(axis=1, keepdims=True)
    P = np.divide(W, out, out=np.zeros_like(W), where=out > 0)

    def conversion(removed: int | None) -> float:
        Q, R = P[: k + 1, : k + 1].copy(), P[: k + 1, k + 1].copy()
        if removed is not None:
            Q[removed], R[removed] = 0.0, 0.0
        return float(np.linalg.solve(np.eye(k + 1) - Q, R)[0])

    base = conversion(None)
    return {c: (1 - conversion(idx[c]) / base if base > 0 else 0.0) for c in names}


class TestProperties:
    """Invariants of paths() and attribution() over random path tables."""

    @given(path_tables(), st.sampled_from(UNTIMED))
    def test_attributions_sum_to_totals(self, rows: list[dict[str, Any]], model: str) -> None:
        """Every model's conversions and values sum to the data's totals."""
        data = paths(rows)
        result = attribution(data, model=model)
        assert math.isclose(
            math.fsum(c.conversions for c in result), data.total_conversions, abs_tol=1e-9
        )
        assert math.isclose(math.fsum(c.value for c in result), data.total_value, abs_tol=1e-9)
        assert all(c.conversions >= 0 and c.value >= 0 for c in result)

    @given(path_tables())
    def test_removal_effects_are_exact(self, rows: list[dict[str, Any]]) -> None:
        """Removal effects lie in [0, 1] and equal a dense solve per channel."""
        result = attribution(paths(rows))
        expected = reference_effects(rows)
        for c in result:
            assert c.removal_effect is not None
            assert 0.0 <= c.removal_effect <= 1.0
            assert math.isclose(c.removal_effect, expected[c.channel], abs_tol=1e-9)

    @given(path_tables(), st.randoms(use_true_random=False), st.sampled_from(UNTIMED))
    def test_row_order_does_not_matter(
        self, rows: list[dict[str, Any]], rng: Any, model: str
    ) -> None:
        """Shuffling the rows leaves every model's result unchanged."""
        shuffled = rows[:]
        rng.shuffle(shuffled)
        a, b = attribution(paths(rows), model=model), attribution(paths(shuffled), model=model)
        assert [c.channel for c in a] == [c.channel for c in b]
        for x, y in zip(a, b, strict=True):
            assert math.isclose(x.conversions, y.conversions, rel_tol=1e-9, abs_tol=1e-9)
            assert math.isclose(x.value, y.value, rel_tol=1e-9, abs_tol=1e-9)

    @given(path_tables())
    def test_chain_converts_like_the_data(self, rows: list[dict[str, Any]]) -> None:
        """The journey's conversion probability is conversions / (conversions + nulls)."""
        data = paths(rows)
        walked = data.total_conversions + data.total_nulls
        model = markov(data.to_journey())
        expected = data.total_conversions / walked if walked else 0.0
        assert math.isclose(model.conversion_probability, expected, abs_tol=1e-12)

    @given(path_tables())
    def test_spacing_does_not_matter(self, rows: list[dict[str, Any]]) -> None:
        """Paths written without spaces read the same as with them."""
        tight = [{**r, "path": r["path"].replace(" ", "")} for r in rows]
        assert row_tuples(paths(tight)) == row_tuples(paths(rows))
