"""Encoding text columns: arrow-backed pandas columns go to arrow, with pandas' answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import cxgraph as cx
from cxgraph.readwrite import columns as EC
from cxgraph.readwrite.columns import EventLogError

VALUES = ["b", None, "a", "b", "c", None, "a"]
KINDS: dict[str, Any] = {
    "str": "str",
    "string[pyarrow]": "string[pyarrow]",
    "string[python]": "string[python]",
    "object": object,
    "category": "category",
    "large_string[pyarrow]": pd.ArrowDtype(pa.large_string()),
    "string-arrow-dtype": pd.ArrowDtype(pa.string()),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_factorize_like_pandas(kind: str) -> None:
    """Codes by first appearance, -1 for missing, labels as text: whatever holds the text."""
    series = pd.Series(VALUES, dtype=KINDS[kind])
    codes, labels = EC.factorize(series)
    assert codes.dtype == np.int64
    assert codes.tolist() == [0, -1, 1, 0, 2, -1, 1]
    assert labels.tolist() == ["b", "a", "c"]
    expected, uniques = pd.factorize(series.astype(object))
    assert codes.tolist() == expected.tolist()
    assert labels.tolist() == list(uniques)


@pytest.mark.parametrize(
    ("kind", "routed"),
    [
        ("str", True),
        ("string[pyarrow]", True),
        ("large_string[pyarrow]", True),
        ("string[python]", False),
        ("object", False),
        ("category", False),
    ],
)
def test_arrow_text_only_for_arrow_held_text(kind: str, routed: bool) -> None:
    """Only text that arrow already holds goes to arrow's encoder."""
    assert (EC._arrow_text(pd.Series(VALUES, dtype=KINDS[kind])) is not None) is routed


def test_arrow_numbers_stay_with_pandas() -> None:
    """Arrow-backed numbers keep pandas' encoding (labels stay numbers until as_text)."""
    series = pd.Series([3, None, 1, 3], dtype=pd.ArrowDtype(pa.int64()))
    assert EC._arrow_text(series) is None
    codes, labels = EC.factorize(series)
    assert codes.tolist() == [0, -1, 1, 0]
    assert labels.tolist() == [3, 1]


def test_chunked_arrow_text() -> None:
    """A pandas column over several arrow chunks is encoded as one."""
    chunked = pa.chunked_array([["x", "y"], [None, "x"], ["z"]], pa.large_string())
    series = pd.Series(pd.arrays.ArrowExtensionArray(chunked))
    codes, labels = EC.factorize(series)
    assert codes.tolist() == [0, 1, -1, 0, 2]
    assert labels.tolist() == ["x", "y", "z"]


def frame(kind: str, cases: list[str | None]) -> pd.DataFrame:
    dtype = KINDS[kind]
    return pd.DataFrame(
        {
            "case:concept:name": pd.Series(cases, dtype=dtype),
            "concept:name": pd.Series(["s", "t", "s", "u"], dtype=dtype),
            "time:timestamp": pd.Series(
                [
                    "2024-05-01T10:00Z",
                    "2024-05-01T11:00Z",
                    "2024-05-01T09:00Z",
                    "2024-05-01T12:00Z",
                ],
                dtype=dtype,
            ),
            "org:resource": pd.Series(["p", None, "q", "p"], dtype=dtype),
        }
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_discover_the_same_from_every_kind(kind: str) -> None:
    """Every kind of text column gives the journey an object column gives."""
    cases = ["c1", "c1", "c2", "c1"]
    expected = cx.to_dict(cx.discover(frame("object", cases)))
    assert cx.to_dict(cx.discover(frame(kind, cases))) == expected


@pytest.mark.parametrize("kind", list(KINDS))
def test_missing_case_ids_named_alike(kind: str) -> None:
    """A missing case id is the same error, row and count, from every kind of column."""
    with pytest.raises(EventLogError, match="2 events have no case id, the first at row 1"):
        cx.discover(frame(kind, ["c1", None, "c2", None]))
