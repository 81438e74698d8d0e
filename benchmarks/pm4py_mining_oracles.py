"""pm4py's performance, variant and case-duration numbers for ``performance`` and ``variants``.

Run in the benchmark virtualenv (pm4py is AGPL and never a dependency):

    /work/bench-venv/bin/python benchmarks/pm4py_mining_oracles.py

It writes ``tests/data/pm4py-mining-oracles.json``, which
``tests/mining/test_pm4py_goldens.py`` reads to check ``cx.performance`` and
``cx.variants`` on every engine. Three real logs bundled in ``tests/data``
(see its README), four readings:

- ``running-example``: ``running-example.csv`` (``pd.read_csv``);
- ``helpdesk``: ``helpdesk.xes.gz`` (``pm4py.read_xes``);
- ``repairExample, complete events``: ``repairExample.xes.gz``, its complete
  events only (``pm4py.filter_event_attribute_values`` on
  ``lifecycle:transition``; cxgraph's ``lifecycle="complete"``);
- ``repairExample, all events``: the same file with its start events too (many
  events of a case share a minute, so this reading checks the tie rule: both
  keep the file's row order within a case and time).

Each frame goes through ``pm4py.format_dataframe`` (timestamps parsed to UTC;
rows sorted by case, time, then row: the order cxgraph uses), then:

- ``pm4py.discover_performance_dfg(frame)``: per directly-follows pair, the
  mean, median, min and max seconds from the source event's time to the
  target event's time;
- ``pm4py.discover_performance_dfg(frame, perf_aggregation_key="raw_values")``:
  the same flow times one by one; they are kept here only as their 90th
  percentile under numpy's ``percentile`` methods (pm4py gives no p90);
- ``pm4py.discover_dfg(frame)``: the count of each pair;
- ``pm4py.get_variants(frame)``: cases per variant (tuple of activity names);
- ``pm4py.get_all_case_durations(frame)``: each case's last time minus its
  first time, summarised as count, mean, median, min, max (Python's
  ``statistics``) and the 90th percentiles as above.

Activities are keyed by name; the test maps them to cxgraph's step ids.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import statistics
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    import pm4py

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
OUT = DATA / "pm4py-mining-oracles.json"
KEYS = {
    "case_id": "case:concept:name",
    "activity_key": "concept:name",
    "timestamp_key": "time:timestamp",
}
#: numpy.percentile methods recorded for the 90th percentiles (pm4py has none).
P90_METHODS = ("linear", "lower", "higher", "nearest", "inverted_cdf")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Hide pm4py's progress bars and warnings."""
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


def p90s(values: list[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    return {m: float(np.percentile(arr, 90, method=m)) for m in P90_METHODS}  # type: ignore[call-overload]


def read_running_example() -> pd.DataFrame:
    return pd.read_csv(DATA / "running-example.csv")


def read_helpdesk() -> pd.DataFrame:
    with quiet():
        return pm4py.read_xes(str(DATA / "helpdesk.xes.gz"))


def read_repair_complete() -> pd.DataFrame:
    with quiet():
        frame = pm4py.read_xes(str(DATA / "repairExample.xes.gz"))
        return pm4py.filter_event_attribute_values(
            frame, "lifecycle:transition", ["complete"], level="event", retain=True
        )


def read_repair_all() -> pd.DataFrame:
    with quiet():
        return pm4py.read_xes(str(DATA / "repairExample.xes.gz"))


#: name -> (file, cxgraph keywords, how pm4py reads it, the calls as text)
LOGS: dict[str, tuple[str, dict[str, Any], Callable[[], pd.DataFrame], str]] = {
    "running-example": (
        "running-example.csv",
        {},
        read_running_example,
        'frame = pd.read_csv("tests/data/running-example.csv")',
    ),
    "helpdesk": (
        "helpdesk.xes.gz",
        {},
        read_helpdesk,
        'frame = pm4py.read_xes("tests/data/helpdesk.xes.gz")',
    ),
    "repairExample, complete events": (
        "repairExample.xes.gz",
        {"lifecycle": "complete"},
        read_repair_complete,
        'frame = pm4py.filter_event_attribute_values(pm4py.read_xes("tests/data/'
        'repairExample.xes.gz"), "lifecycle:transition", ["complete"], level="event", '
        "retain=True)",
    ),
    "repairExample, all events": (
        "repairExample.xes.gz",
        {},
        read_repair_all,
        'frame = pm4py.read_xes("tests/data/repairExample.xes.gz")',
    ),
}

CALLS = [
    'frame = pm4py.format_dataframe(frame, case_id="case:concept:name", '
    'activity_key="concept:name", timestamp_key="time:timestamp")',
    "perf, _, _ = pm4py.discover_performance_dfg(frame)  # mean, median, min, max per pair",
    'raw, _, _ = pm4py.discover_performance_dfg(frame, perf_aggregation_key="raw_values")'
    "  # p90 per pair: numpy.percentile(raw[pair], 90, method=...)",
    "dfg, _, _ = pm4py.discover_dfg(frame)  # count per pair",
    "variants = pm4py.get_variants(frame)  # cases per variant",
    "durations = pm4py.get_all_case_durations(frame)  # summarised with statistics and "
    "numpy.percentile",
]


def oracle(read: Callable[[], pd.DataFrame]) -> dict[str, Any]:
    with quiet():
        frame = pm4py.format_dataframe(read(), **KEYS)
        perf, _, _ = pm4py.discover_performance_dfg(frame.copy())
        raw, _, _ = pm4py.discover_performance_dfg(frame.copy(), perf_aggregation_key="raw_values")
        dfg, _, _ = pm4py.discover_dfg(frame.copy())
        variants = pm4py.get_variants(frame.copy())
        durations = pm4py.get_all_case_durations(frame.copy())
    assert set(perf) == set(dfg) == set(raw), "pairs differ between pm4py's calls"
    pairs = []
    for a, b in sorted(perf):
        m = perf[(a, b)]
        assert len(raw[(a, b)]) == int(dfg[(a, b)])
        pairs.append(
            {
                "source": str(a),
                "target": str(b),
                "count": int(dfg[(a, b)]),
                "mean_s": float(m["mean"]),
                "median_s": float(m["median"]),
                "min_s": float(m["min"]),
                "max_s": float(m["max"]),
                "p90_s": p90s(raw[(a, b)]),
            }
        )
    found = sorted(
        ((tuple(map(str, v)), int(n)) for v, n in variants.items()), key=lambda x: (-x[1], x[0])
    )
    return {
        "events": len(frame),
        "cases": int(frame["case:concept:name"].nunique()),
        "pairs": pairs,
        "variants": [{"variant": list(v), "cases": n} for v, n in found],
        "case_durations": {
            "count": len(durations),
            "mean_s": statistics.fmean(durations),
            "median_s": float(statistics.median(durations)),
            "min_s": float(min(durations)),
            "max_s": float(max(durations)),
            "p90_s": p90s(durations),
        },
    }


def dump(doc: dict[str, Any]) -> str:
    """JSON with one line per pair and per variant (a small, readable diff when rerun)."""
    rows: list[str] = []

    def hold(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: hold(v) for k, v in value.items()}
        if isinstance(value, list) and value and isinstance(value[0], dict):
            rows.extend(json.dumps(x, ensure_ascii=False) for x in value)
            return [f"@@row{len(rows) - len(value) + i}@@" for i in range(len(value))]
        return value

    text = json.dumps(hold(doc), indent=1, ensure_ascii=False)
    text = re.sub(r'"@@row(\d+)@@"', lambda m: rows[int(m.group(1))], text)
    return text + "\n"


def main() -> int:
    logs = {}
    for name, (file, keywords, read, reading) in LOGS.items():
        found = oracle(read)
        logs[name] = {"file": f"tests/data/{file}", "cxgraph": keywords, "read": reading, **found}
        print(
            f"{name}: {found['events']} events, {found['cases']} cases, "
            f"{len(found['pairs'])} pairs, {len(found['variants'])} variants",
            flush=True,
        )
    doc = {
        "about": (
            "pm4py's numbers on pm4py's own test logs, written by "
            "benchmarks/pm4py_mining_oracles.py; read by tests/mining/test_pm4py_goldens.py. "
            "Seconds from the source event's time to the target event's time; activities by name."
        ),
        "pm4py": pm4py.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "calls": CALLS,
        "p90_methods": list(P90_METHODS),
        "logs": logs,
    }
    OUT.write_text(dump(doc), encoding="utf-8")
    size = OUT.stat().st_size
    print(f"wrote {OUT.relative_to(ROOT)} ({size:,} bytes), pm4py {pm4py.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
