"""``performance`` and ``variants`` against pm4py's numbers on pm4py's own logs.

The numbers are in ``tests/data/pm4py-mining-oracles.json``, written by
``benchmarks/pm4py_mining_oracles.py`` in the benchmark virtualenv (pm4py is
AGPL and never a dependency; the JSON names its version and the exact calls).
Three real logs (``tests/data/README.md``), four readings: the running
example, helpdesk, and repairExample with its complete events only and with
its start events too (many of its events share a minute: the tie rule).

pm4py keys activities by name; cxgraph gives them step ids
(:func:`cxgraph.mining.sequences.step_ids`, in order of first appearance), so
the names are mapped to ids through the log as cxgraph reads it. Every engine
must give pm4py's pairs, counts, mean, median, min and max seconds per pair,
its variants with their case counts, and its case durations.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

import pytest
from tests._programs import unavailable

import cxgraph as cx
from cxgraph.mining.sequences import read_sequences

ROOT = Path(__file__).resolve().parents[2]
ORACLES = json.loads(
    (ROOT / "tests" / "data" / "pm4py-mining-oracles.json").read_text(encoding="utf-8")
)
LOGS = list(ORACLES["logs"])
ENGINES = ["numpy", "duckdb"]
REL, ABS = 1e-9, 1e-6


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def need(engine: str) -> None:
    """Skip (fail under CI=true) an engine whose package is missing."""
    if engine == "duckdb":
        try:
            import duckdb  # noqa: F401
        except ImportError:
            unavailable(
                "duckdb is not installed (pip install 'cxgraph[duckdb]')",
                "the duckdb engine's tests must run in CI",
            )


def oracle(log: str) -> dict[str, Any]:
    return ORACLES["logs"][log]  # type: ignore[no-any-return]


def path_and_keywords(log: str) -> tuple[Path, dict[str, Any]]:
    o = oracle(log)
    return ROOT / o["file"], dict(o["cxgraph"])


@functools.cache
def ids_of(log: str) -> dict[str, str]:
    """Activity name -> the step id cxgraph gives it on this log."""
    path, keywords = path_and_keywords(log)
    seq = read_sequences(path, **keywords)
    return dict(zip(seq.activities, seq.ids, strict=True))


@functools.cache
def performance_of(log: str, engine: str) -> Any:
    path, keywords = path_and_keywords(log)
    return cx.performance(path, engine=engine, **keywords)


@functools.cache
def variants_of(log: str, engine: str) -> Any:
    path, keywords = path_and_keywords(log)
    return cx.variants(path, engine=engine, **keywords)


def pm4py_pairs(log: str) -> dict[tuple[str, str], dict[str, Any]]:
    ids = ids_of(log)
    return {(ids[p["source"]], ids[p["target"]]): p for p in oracle(log)["pairs"]}


def our_pairs(log: str, engine: str) -> dict[tuple[str, str], Any]:
    """The findings by (source, target) step ids; each a pair of activities, once."""
    steps = set(ids_of(log).values())
    found = {}
    for t in performance_of(log, engine).findings:
        assert t.source in steps, f"{t.source} -> {t.target}"
        assert t.target in steps, f"{t.source} -> {t.target}"
        assert (t.source, t.target) not in found, f"{t.source} -> {t.target} twice"
        found[(t.source, t.target)] = t
    return found


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("log", LOGS)
class TestPerformance:
    def test_the_same_pairs_and_counts(self, log: str, engine: str) -> None:
        """Every directly-follows pair pm4py finds, no other, with pm4py's count."""
        need(engine)
        assert performance_of(log, engine).events == oracle(log)["events"]
        ours, theirs = our_pairs(log, engine), pm4py_pairs(log)
        assert set(ours) == set(theirs)
        assert {k: t.count for k, t in ours.items()} == {k: p["count"] for k, p in theirs.items()}

    @pytest.mark.parametrize("stat", ["mean_s", "median_s", "min_s", "max_s"])
    def test_seconds_per_pair(self, log: str, engine: str, stat: str) -> None:
        """Mean, median, min and max seconds per pair equal pm4py's."""
        need(engine)
        ours, theirs = our_pairs(log, engine), pm4py_pairs(log)
        wrong = {
            k: (getattr(ours[k], stat), p[stat])
            for k, p in theirs.items()
            if k in ours and not close(getattr(ours[k], stat), p[stat])
        }
        assert not wrong, f"{stat} (ours, pm4py's): {wrong}"

    def test_p90_per_pair(self, log: str, engine: str) -> None:
        """The 90th percentile of pm4py's flow times per pair, interpolated linearly
        (numpy's default method; pm4py itself gives no p90)."""
        need(engine)
        ours, theirs = our_pairs(log, engine), pm4py_pairs(log)
        wrong = {
            k: (ours[k].p90_s, p["p90_s"]["linear"])
            for k, p in theirs.items()
            if not close(ours[k].p90_s, p["p90_s"]["linear"])
        }
        assert not wrong, f"p90 (ours, numpy's of pm4py's flow times): {wrong}"

    def test_case_durations(self, log: str, engine: str) -> None:
        """Case count, mean and median cycle time equal pm4py's get_all_case_durations,
        the p90 numpy's linear percentile of them."""
        need(engine)
        cases = performance_of(log, engine).cases
        theirs = oracle(log)["case_durations"]
        assert cases["count"] == theirs["count"] == oracle(log)["cases"]
        assert close(cases["mean_s"], theirs["mean_s"]), (cases["mean_s"], theirs["mean_s"])
        assert close(cases["median_s"], theirs["median_s"]), (cases["median_s"], theirs["median_s"])
        assert close(cases["p90_s"], theirs["p90_s"]["linear"]), (cases["p90_s"], theirs["p90_s"])


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("log", LOGS)
class TestVariants:
    def test_cases_per_variant(self, log: str, engine: str) -> None:
        """Every variant pm4py's get_variants finds, no other, with its number of cases."""
        need(engine)
        ours = {tuple(v.variant): v.cases for v in variants_of(log, engine).findings}
        theirs = {tuple(v["variant"]): v["cases"] for v in oracle(log)["variants"]}
        assert len(ours) == len(variants_of(log, engine).findings)
        assert ours == theirs
        assert variants_of(log, engine).variant_count == len(theirs)
        assert variants_of(log, engine).total_cases == oracle(log)["cases"]

    def test_most_cases_first_and_shares(self, log: str, engine: str) -> None:
        """Most cases first; shares of all cases, accumulated in that order."""
        need(engine)
        found = variants_of(log, engine).findings
        total = oracle(log)["cases"]
        counts = [v.cases for v in found]
        assert counts == sorted(counts, reverse=True)
        running = 0
        for v in found:
            running += v.cases
            assert close(v.share, v.cases / total)
            assert close(v.cumulative_share, running / total)
        assert running == total
