"""``discover``'s filters (variants, coverage, min_count), segments and ``discover_by``.

Worked by hand on one small log (each case one event a minute):

    c1 A B C     gold        variants, most cases first, ties by the variant:
    c2 A B C     silver        0 (A, B, C)     2 cases
    c3 A C       gold          1 (A, C)        2 cases
    c4 A B B C   silver        2 (A, B, B, C)  1 case
    c5 A C       gold          3 (A, D)        1 case
    c6 A D       gold

Transitions of the whole log: A>B 3 (c1 c2 c4), A>C 2 (c3 c5), A>D 1, B>B 1,
B>C 3, C>end 5, D>end 1.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxgraph as cx

ENGINES = ["numpy", "duckdb"]
CASES = {
    "c1": ("ABC", "gold"),
    "c2": ("ABC", "silver"),
    "c3": ("AC", "gold"),
    "c4": ("ABBC", "silver"),
    "c5": ("AC", "gold"),
    "c6": ("AD", "gold"),
}
KW: dict[str, Any] = {"case": "case", "activity": "activity", "timestamp": "time"}


def log(cases: dict[str, tuple[str, str]] = CASES) -> pd.DataFrame:
    rows = []
    for c, (acts, tier) in cases.items():
        for i, a in enumerate(acts):
            rows.append({"case": c, "activity": a, "time": f"2024-05-01T10:{i:02d}Z", "tier": tier})
    return pd.DataFrame(rows)


def edges(j: cx.Journey) -> dict[tuple[str, str], tuple[int | None, float | None]]:
    return {(t.source, t.target): (t.count, t.probability) for t in j.transitions}


def record(j: cx.Journey) -> dict[str, Any]:
    return dict(j.extensions["discover"])


@pytest.mark.parametrize("engine", ENGINES)
class TestVariantFilters:
    def test_top_variant(self, engine: str) -> None:
        j = cx.discover(log(), variants=1, engine=engine, **KW)
        assert edges(j) == {("a", "b"): (2, 1.0), ("b", "c"): (2, 1.0), ("c", "end"): (2, 1.0)}
        r = record(j)
        assert r["filters"] == {"variants": 1}
        assert (r["cases_kept"], r["events_kept"]) == (2, 6)
        assert (r["cases"], r["events"]) == (6, 16)  # the whole log's numbers

    def test_two_variants(self, engine: str) -> None:
        j = cx.discover(log(), variants=2, engine=engine, **KW)
        assert edges(j) == {
            ("a", "b"): (2, 0.5),
            ("a", "c"): (2, 0.5),
            ("b", "c"): (2, 1.0),
            ("c", "end"): (4, 1.0),
        }
        assert (record(j)["cases_kept"], record(j)["events_kept"]) == (4, 10)

    @pytest.mark.parametrize(
        ("coverage", "kept"),
        [
            (1 / 3, 2),  # 2 cases >= 6/3: the first variant is enough
            (0.34, 4),  # 2.04 cases: the second variant too
            (0.5, 4),
            (2 / 3, 4),  # exactly 4 of 6
            (0.7, 5),
            (1.0, 6),
        ],
    )
    def test_coverage_in_whole_cases(self, engine: str, coverage: float, kept: int) -> None:
        j = cx.discover(log(), coverage=coverage, engine=engine, **KW)
        assert record(j)["cases_kept"] == kept

    def test_both_keep_what_both_keep(self, engine: str) -> None:
        j = cx.discover(log(), variants=3, coverage=0.5, engine=engine, **KW)
        assert record(j)["cases_kept"] == 4
        assert record(j)["filters"] == {"variants": 3, "coverage": 0.5}


@pytest.mark.parametrize("engine", ENGINES)
class TestMinCount:
    def test_rare_transitions_and_unreachable_steps_go(self, engine: str) -> None:
        j = cx.discover(log(), min_count=2, engine=engine, **KW)
        assert edges(j) == {
            ("a", "b"): (3, 0.6),
            ("a", "c"): (2, 0.4),
            ("b", "c"): (3, 1.0),
            ("c", "end"): (5, 1.0),
        }
        assert [t.id for t in j.touchpoints] == ["a", "b", "c"]  # d: nothing reaches it
        assert record(j)["filters"] == {"min_count": 2}
        assert record(j)["cases_kept"] == 6

    def test_then_after_variants(self, engine: str) -> None:
        # Of the four cases kept: A>B 2 and A>C 2 are both rarer than 3.
        with pytest.raises(cx.CxgraphError, match=r"min_count=3 leaves 'A' without a way out"):
            cx.discover(log(), variants=2, min_count=3, engine=engine, **KW)
        j = cx.discover(log(), variants=2, min_count=2, engine=engine, **KW)
        assert edges(j)[("a", "b")] == (2, 0.5)

    def test_every_transition_dropped(self, engine: str) -> None:
        with pytest.raises(cx.CxgraphError, match=r"min_count=6 drops every transition.*seen 5"):
            cx.discover(log(), min_count=6, engine=engine, **KW)

    def test_step_left_without_a_way_out(self, engine: str) -> None:
        cases = {"c1": ("AB", "x"), "c2": ("ABC", "x"), "c3": ("ABD", "x")}
        with pytest.raises(cx.CxgraphError, match=r"min_count=2 leaves 'B' without a way out"):
            cx.discover(log(cases), min_count=2, engine=engine, **KW)


@pytest.mark.parametrize("engine", ENGINES)
class TestSegments:
    def test_personas_per_segment(self, engine: str) -> None:
        j = cx.discover(log(), segment="tier", engine=engine, **KW)
        assert [(p.id, p.name) for p in j.personas] == [("gold", "gold"), ("silver", "silver")]
        personas = {t.id: t.personas for t in j.touchpoints}
        assert personas == {"a": (), "b": (), "c": (), "d": ("gold",)}
        assert list(record(j)["segments"]) == ["gold", "silver"]
        assert record(j)["columns"]["segment"] == "tier"

    def test_first_value_counts_with_one_warning(self, engine: str) -> None:
        frame = log()
        frame.loc[(frame["case"] == "c6") & (frame["activity"] == "D"), "tier"] = "silver"
        with pytest.warns(cx.CxgraphWarning, match=r"1 case has more than one value"):
            j = cx.discover(frame, segment="tier", engine=engine, **KW)
        assert {t.id: t.personas for t in j.touchpoints}["d"] == ("gold",)

    def test_missing_first_value(self, engine: str) -> None:
        frame = log()
        frame.loc[0, "tier"] = None
        with pytest.raises(
            cx.CxgraphError, match=r"segment='tier': 1 case\(s\) have no value.*row 0"
        ):
            cx.discover(frame, segment="tier", engine=engine, **KW)

    def test_unknown_column(self, engine: str) -> None:
        with pytest.raises(cx.CxgraphError, match=r"segment='tiers'"):
            cx.discover(log(), segment="tiers", engine=engine, **KW)

    def test_discover_by(self, engine: str) -> None:
        parts = cx.discover_by(log(), "tier", engine=engine, **KW)
        assert list(parts) == ["gold", "silver"]
        gold, silver = parts["gold"], parts["silver"]
        assert edges(silver) == {
            ("a", "b"): (2, 1.0),
            ("b", "c"): (2, 2 / 3),
            ("b", "b"): (1, 1 / 3),
            ("c", "end"): (2, 1.0),
        }
        assert edges(gold)[("a", "c")] == (2, 2 / 4)
        assert gold.id.endswith("-gold")
        assert "tier = gold" in gold.name
        assert record(gold)["segment"] == {"column": "tier", "value": "gold"}
        assert (record(silver)["cases"], record(silver)["events"]) == (2, 7)

    def test_discover_by_with_filters(self, engine: str) -> None:
        parts = cx.discover_by(log(), "tier", variants=1, engine=engine, **KW)
        # gold: (A, C) twice is its top variant; silver: a tie of one case each,
        # broken by the variant: (A, B, B, C) < (A, B, C).
        assert edges(parts["gold"]) == {("a", "c"): (2, 1.0), ("c", "end"): (2, 1.0)}
        assert ("b", "b") in edges(parts["silver"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"variants": 0}, r"variants=0: expected a whole number of at least 1"),
        ({"variants": 1.5}, r"variants=1.5"),
        ({"variants": True}, r"variants=True"),
        ({"min_count": -1}, r"min_count=-1"),
        ({"coverage": 0}, r"coverage=0: expected a share of cases above 0 and at most 1"),
        ({"coverage": 1.2}, r"coverage=1.2"),
        ({"coverage": float("nan")}, r"coverage=nan"),
        ({"coverage": "80%"}, r"coverage=string '80%'"),
        ({"segment": 3}, r"segment= names a column"),
    ],
)
def test_bad_filters(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(cx.CxgraphError, match=message):
        cx.discover(log(), **kwargs, **KW)


def test_spark_refuses_filters_clearly() -> None:
    with pytest.raises(cx.CxgraphError, match=r"run on the numpy and duckdb engines"):
        cx.discover(log(), variants=1, engine="spark", **KW)
    with pytest.raises(cx.CxgraphError, match=r"runs on the engines 'numpy' and 'duckdb'"):
        cx.discover_by(log(), "tier", engine="spark", **KW)


def test_filters_on_a_file_both_engines(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    log().to_csv(path, index=False)
    a = cx.discover(path, coverage=0.7, min_count=2, segment="tier", **KW)
    b = cx.discover(path, coverage=0.7, min_count=2, segment="tier", engine="duckdb", **KW)
    assert a == b


# -- properties -------------------------------------------------------------------

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
small_logs = st.dictionaries(
    st.sampled_from([f"c{i}" for i in range(12)]),
    st.tuples(st.text("ABCD", min_size=1, max_size=5), st.sampled_from(["x", "y", "z"])),
    min_size=1,
)


@SETTINGS
@given(small_logs, st.integers(1, 6), st.integers(1, 6))
def test_more_variants_keep_more_cases(cases: dict[str, tuple[str, str]], k: int, d: int) -> None:
    frame = log(cases)
    few = record(cx.discover(frame, variants=k, **KW))
    more = record(cx.discover(frame, variants=k + d, **KW))
    assert few["cases_kept"] <= more["cases_kept"] <= len(cases)
    assert few["events_kept"] <= more["events_kept"]


@SETTINGS
@given(small_logs, st.floats(0.01, 1.0))
def test_coverage_keeps_at_least_its_share(cases: dict[str, tuple[str, str]], c: float) -> None:
    r = record(cx.discover(log(cases), coverage=c, **KW))
    assert r["cases_kept"] >= c * len(cases) - 1e-9


@SETTINGS
@given(small_logs, st.sampled_from([None, 1, 2]), st.sampled_from([None, 0.5, 1.0]))
def test_engines_agree(cases: dict[str, tuple[str, str]], k: int | None, c: float | None) -> None:
    frame = log(cases)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.CxgraphWarning)
        a = cx.discover(frame, variants=k, coverage=c, segment="tier", **KW)
        b = cx.discover(frame, variants=k, coverage=c, segment="tier", engine="duckdb", **KW)
        assert a == b
        assert cx.discover_by(frame, "tier", **KW) == cx.discover_by(
            frame, "tier", engine="duckdb", **KW
        )
