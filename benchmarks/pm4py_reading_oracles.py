"""Directly-follows counts from pm4py for the reading options of ``discover``.

Run in the benchmark virtualenv (pm4py is AGPL and never a dependency):

    /work/bench-venv/bin/python benchmarks/pm4py_reading_oracles.py

It prints, for three of pm4py's own test logs bundled in ``tests/data``, the
directly-follows graph pm4py finds; ``tests/mining/test_discover_reading.py``
holds the same numbers and checks that ``discover`` agrees on every engine:

- ``a12f0n00.xes.gz``: no timestamps, so pm4py keeps the file order
  (``discover(timestamp=None)``);
- ``reviewing.xes.gz``: start and complete events; pm4py keeps the complete
  ones after ``filter_event_attribute_values`` (``discover(lifecycle="complete")``);
- ``interval-event-log.parquet``: start and end times; pm4py sorts each case
  by start, then end time (``discover(start_timestamp="start_timestamp")``).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd

with contextlib.redirect_stdout(io.StringIO()):
    import pm4py

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def dfg_of(frame: pd.DataFrame, **keys: str) -> dict[str, int]:
    dfg, _, _ = pm4py.discover_dfg(frame, **keys)
    return {f"{a} -> {b}": int(n) for (a, b), n in sorted(dfg.items())}


def main() -> None:
    out = {}
    log = pm4py.read_xes(str(DATA / "a12f0n00.xes.gz"), return_legacy_log_object=True)
    dfg, _, _ = pm4py.discover_dfg(log)
    out["a12f0n00, file order"] = {f"{a} -> {b}": int(n) for (a, b), n in sorted(dfg.items())}

    frame = pm4py.read_xes(str(DATA / "reviewing.xes.gz"))
    kept = pm4py.filter_event_attribute_values(
        frame, "lifecycle:transition", ["complete"], level="event", retain=True
    )
    out["reviewing, complete events"] = dfg_of(kept)

    frame = pd.read_parquet(DATA / "interval-event-log.parquet")
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True)
    frame["start_timestamp"] = pd.to_datetime(frame["start_timestamp"], utc=True)
    frame = pm4py.format_dataframe(
        frame,
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
        start_timestamp_key="start_timestamp",
    )
    out["interval, by start then end"] = dfg_of(frame)
    print(f"pm4py {pm4py.__version__}")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
