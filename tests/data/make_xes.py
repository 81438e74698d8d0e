"""Write running-example.xes and running-example.xes.gz from running-example.csv.

Run from anywhere: ``python tests/data/make_xes.py``. The output is
byte-stable (the gzip header carries no time stamp and no file name).
"""

from __future__ import annotations

import csv
import gzip
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import quoteattr

HERE = Path(__file__).resolve().parent

HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="running-example"/>
"""


def iso(text: str) -> str:
    """The CSV's '2010-12-30 14:32:00+01:00' as XES writes dates."""
    return datetime.fromisoformat(text).isoformat(timespec="milliseconds")


def attr(kind: str, key: str, value: str) -> str:
    return f"<{kind} key={quoteattr(key)} value={quoteattr(value)}/>"


def xes_text(csv_path: Path) -> str:
    """The XES document for the CSV log."""
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    traces: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        traces.setdefault(row["case:concept:name"], []).append(row)
    out = [HEADER]
    for case, events in traces.items():
        out.append("  <trace>\n")
        out.append(f"    {attr('string', 'concept:name', case)}\n")
        out.append(f"    {attr('string', 'creator', events[0]['case:creator'])}\n")
        for ev in events:
            out.append("    <event>\n")
            out.append(f"      {attr('string', 'concept:name', ev['concept:name'])}\n")
            out.append(f"      {attr('string', 'org:resource', ev['org:resource'])}\n")
            out.append(f"      {attr('date', 'time:timestamp', iso(ev['time:timestamp']))}\n")
            out.append(f"      {attr('int', 'Costs', ev['Costs'])}\n")
            out.append("    </event>\n")
        out.append("  </trace>\n")
    out.append("</log>\n")
    return "".join(out)


def main() -> None:
    """Write both files next to this script."""
    text = xes_text(HERE / "running-example.csv").encode("utf-8")
    (HERE / "running-example.xes").write_bytes(text)
    with (
        (HERE / "running-example.xes.gz").open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
    ):
        gz.write(text)


if __name__ == "__main__":
    main()
