"""``cxgraph performance``, ``cxgraph variants`` and discover's filter flags."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import cxgraph as cx
from cxgraph.cli import main

DATA = Path(__file__).resolve().parent / "data"
LOG = str(DATA / "running-example.csv")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
class TestPerformance:
    def test_text(self, engine: str) -> None:
        code, out, err = run("performance", LOG, "--engine", engine)
        assert (code, err) == (0, "")
        assert out.startswith("42 events in 6 cases, 16 transitions")
        assert "'check ticket' (check-ticket) → 'decide': 6 times" in out

    def test_json_equals_the_function(self, engine: str) -> None:
        code, out, _ = run("performance", LOG, "--engine", engine, "--format", "json")
        assert code == 0
        data = json.loads(out)
        want = cx.performance(LOG, engine=engine)
        assert data["transitions"] == json.loads(json.dumps(want.to_records()))
        assert data["cases"]["count"] == 6
        assert data["sla_breaches"] == data["phases"] == []

    def test_csv_to_a_file(self, engine: str, tmp_path: Path) -> None:
        target = tmp_path / "times.csv"
        code, out, _ = run(
            "performance", LOG, "--engine", engine, "--format", "csv", "-o", str(target)
        )
        assert (code, out) == (0, "")
        rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
        assert len(rows) == 16
        assert set(rows[0]) == {
            "source",
            "target",
            "count",
            "mean_s",
            "median_s",
            "p90_s",
            "min_s",
            "max_s",
        }


@pytest.mark.parametrize("engine", ["numpy", "duckdb"])
def test_variants(engine: str) -> None:
    code, out, err = run("variants", LOG, "--engine", engine, "--top", "2", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["cases"] == 6
    assert len(data["variants"]) == 2
    assert data["variants"][0]["variant"][0] == "register request"
    code, out, _ = run("variants", LOG, "--engine", engine, "--format", "csv")
    assert code == 0
    assert out.splitlines()[1].startswith("register request > ")


def test_discover_filters(tmp_path: Path) -> None:
    target = tmp_path / "j.yaml"
    code, out, _ = run("discover", LOG, "-o", str(target), "--variants", "2", "--min-count", "1")
    assert code == 0, out
    j = cx.load(target)
    assert j.extensions["discover"]["cases_kept"] == 2
    assert dict(j.extensions["discover"]["filters"]) == {"variants": 2, "min_count": 1}


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["variants", LOG, "--top", "0"], 2, "--top: expected a whole number of at least 1"),
        (["variants", LOG, "--engine", "spark"], 2, "invalid choice: 'spark'"),
        (["performance", LOG, "--no-timestamp"], 1, "needs date-time"),
        (["performance", LOG, "--timestamp", "x", "--no-timestamp"], 2, "give one"),
        (["performance", LOG, "--journey", "missing.yaml"], 2, "missing.yaml"),
        (["performance", str(DATA / "nope.csv")], 2, "nope.csv"),
        (["discover", LOG, "-o", "x.yaml", "--coverage", "2"], 1, "coverage=2.0"),
        (["discover", LOG, "-o", "x.yaml", "--variants", "0"], 1, "variants=0"),
        (["discover", LOG, "-o", "x.yaml", "--segment", "nope"], 2, "segment"),
    ],
)
def test_bad_input(
    argv: list[str], code: int, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    got, _, err = run(*argv)
    assert got == code, err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.yaml").exists()


def test_performance_with_a_journey_that_matches_nothing() -> None:
    code, _, err = run("performance", LOG, "--journey", str(EXAMPLES / "restaurant.yaml"))
    assert code in (1, 2)
    assert "cxgraph performance: error:" in err
