"""The numpy engine's counts: compact codes, and counts read off the dense tables."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from tests.mining.test_discovery import same_journey

import cxgraph as cx
from cxgraph.mining.counts import _code_dtype


@pytest.mark.parametrize(
    ("size", "dtype"),
    [
        (1, np.int16),
        (32_767, np.int16),
        (32_768, np.int32),
        (2**31 - 1, np.int32),
        (2**31, np.int64),
    ],
)
def test_code_dtype(size: int, dtype: type) -> None:
    """The smallest signed type that holds codes up to size - 1."""
    assert _code_dtype(size) is dtype


def wide_log(n_acts: int, n_res: int, seed: int = 0) -> pd.DataFrame:
    """A shuffled log with many activities and resources, some resources missing."""
    rng = np.random.default_rng(seed)
    n = 6_000
    case = rng.integers(0, 400, n)
    act = rng.integers(0, n_acts, n)
    res = rng.integers(0, n_res, n).astype(object)
    res[rng.random(n) < 0.1] = None
    return pd.DataFrame(
        {
            "case:concept:name": [f"c{c}" for c in case],
            "concept:name": [f"a{a:03d}" for a in act],
            "time:timestamp": pd.to_datetime(rng.integers(0, 10**6, n), unit="s", utc=True),
            "org:resource": [None if r is None else f"r{r}" for r in res],
        }
    )


@pytest.mark.parametrize(
    ("n_acts", "n_res"),
    [(5, 3), (181, 3), (182, 3), (300, 150)],
    ids=["few", "int16-edge", "int32-pairs", "int32-resources"],
)
@pytest.mark.parametrize("outcome", [None, "a001"])
def test_numpy_equals_duckdb_on_wide_logs(n_acts: int, n_res: int, outcome: str | None) -> None:
    """However wide the codes, with or without cut cases, numpy agrees with duckdb."""
    frame = wide_log(n_acts, n_res)
    outcomes = {outcome: "failure"} if outcome else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.CxgraphWarning)
        a = cx.discover(frame, outcomes=outcomes, times=False)
        b = cx.discover(frame, outcomes=outcomes, times=False, engine="duckdb")
    assert same_journey(a, b)


def test_activities_and_owners_in_first_seen_order() -> None:
    """Activities read off the pair counts keep the order of first appearance
    in the rows (not in time), as the duckdb engine does."""
    frame = pd.DataFrame(
        {
            "case:concept:name": ["x", "y", "x", "y", "z"],
            "concept:name": ["b", "a", "c", "b", "d"],
            "time:timestamp": pd.to_datetime([3, 1, 4, 2, 0], unit="s", utc=True),
            "org:resource": ["q", None, "p", "p", "r"],
        }
    )
    j = cx.discover(frame, times=False)
    assert [t.name for t in j.touchpoints] == ["b", "a", "c", "d"]
    assert same_journey(j, cx.discover(frame, times=False, engine="duckdb"))
