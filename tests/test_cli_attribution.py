"""``cxgraph attribution``: path tables and touch logs, one model or several, bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

import cxgraph as cx
from cxgraph.cli import main

DATA = Path(__file__).resolve().parent / "data"
PATHS = str(DATA / "paths-small.csv")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_markov_by_default_as_the_function_gives() -> None:
    code, out, err = run("attribution", PATHS, "--format", "json")
    assert (code, err) == (0, "")
    want = cx.attribution(cx.paths(PATHS))
    assert json.loads(out)["attribution"] == json.loads(json.dumps(want.to_records()))


def test_models_compared_as_csv(tmp_path: Path) -> None:
    target = tmp_path / "credit.csv"
    code, out, _ = run(
        "attribution", PATHS, "--model", "first_touch", "--model", "shapley",
        "--format", "csv", "-o", str(target),
    )  # fmt: skip
    assert (code, out) == (0, "")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [r["channel"] for r in rows] == ["a", "b", "c"]
    assert set(rows[0]) == {"channel", "first_touch", "shapley"}


def test_cost_and_intervals(tmp_path: Path) -> None:
    cost = tmp_path / "cost.csv"
    cost.write_text("channel,spend\na,10\nb,5\n", encoding="utf-8")
    code, out, _ = run(
        "attribution", PATHS, "--cost", str(cost), "--intervals", "0.9",
        "--resamples", "20", "--format", "json",
    )  # fmt: skip
    assert code == 0
    first = json.loads(out)["attribution"][0]
    assert first["channel"] == "a"
    assert first["low"] <= first["conversions"] <= first["high"]
    assert first["cost_per_conversion"] == pytest.approx(10 / first["conversions"])


def test_a_touch_log(tmp_path: Path) -> None:
    log = tmp_path / "touches.csv"
    pd.DataFrame(
        {
            "case:concept:name": ["c1", "c1", "c1", "c2"],
            "channel": ["ad", "email", "buy", "ad"],
            "time:timestamp": ["2024-05-01T10:00Z", "2024-05-02T10:00Z",
                               "2024-05-03T10:00Z", "2024-05-01T11:00Z"],
        }
    ).to_csv(log, index=False)  # fmt: skip
    code, out, err = run(
        "attribution", str(log), "--conversion", "buy", "--model", "time_decay",
        "--half-life", "P1D", "--format", "json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    credit = {r["channel"]: r["conversions"] for r in json.loads(out)["attribution"]}
    # c1 converts: ad is one day older than email, so it weighs half as much.
    assert credit == pytest.approx({"ad": 1 / 3, "email": 2 / 3})


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--model", "nope"], 2, "invalid choice: 'nope'"),
        (["--order", "9"], 1, "from 1 to 3"),
        (["--half-life", "a week"], 2, "--half-life 'a week'"),
        (["--model", "time_decay", "--half-life", "P1D"], 1, "paths_from_events"),
        (["--intervals", "2"], 1, "intervals"),
        (["--cost", "missing.csv"], 2, "--cost 'missing.csv'"),
    ],
)
def test_bad_input(
    argv: list[str], code: int, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    got, _, err = run("attribution", PATHS, *argv)
    assert got == code, err
    assert message in err
    assert "cxgraph attribution: error:" in err
    assert "Traceback" not in err


def test_a_file_that_is_not_there() -> None:
    code, _, err = run("attribution", str(DATA / "nope.csv"))
    assert code == 2
    assert "nope.csv" in err
