"""What a discovered journey keeps of the log's time and variants.

``discover`` measures, over the events it counts (the cases its filters
keep, each cut at its first outcome), when the log has date-time stamps:

- per directly-follows pair the ``count, mean_s, median_s, p90_s, min_s,
  max_s`` of the time to the next event, kept in
  ``extensions["discover"]["times"]["transitions"]`` for each transition of
  the journey (not those into ``end``), and the cases' cycle times in
  ``["times"]["cases"]``;
- per touchpoint the median time to the next event, written as its
  ``duration``, so a discovered journey carries time (``cx.simulate`` walks
  it at those speeds);
- the variants of the cases: how many distinct ones (``["variants"]["count"]``)
  and the :data:`TOP_VARIANTS` most common (``["variants"]["top"]``, each
  ``variant`` as activity names, ``cases`` and ``share``).

The statistics are those of :func:`cxgraph.performance` (the same integer
arithmetic, :func:`~cxgraph.mining.performance.stats`), and every engine
gives the same numbers: numpy from the sorted events, DuckDB and Spark from
SQL over the windowed events, returning only a few ranked values per group.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs

from cxgraph.mining.arithmetic import QUANTILES, case_variants, grouped, ranked, stats

if TYPE_CHECKING:
    from cxgraph.model.classes import Journey
    from cxgraph.readwrite.columns import EventColumns

__all__ = ["TOP_VARIANTS", "attach", "numpy_observed", "sql_observed"]

#: How many of the most common variants a discovered journey keeps.
TOP_VARIANTS = 10

#: What the engines hand over: stats per pair and per source (activity names),
#: the cycle times, the ranked top variants with their cases, and the counts.
Observed = dict[str, Any]


def numpy_observed(cols: EventColumns, outcomes: Collection[str]) -> Observed | None:
    """The measurements from read columns (None when the log has no date-times)."""
    import numpy as np

    from cxgraph.mining.sequences import sequences

    if cols.time_kind != "datetime":
        return None
    seq = sequences(cols)
    a, t, bounds = seq.activity, seq.time.astype(np.int64, copy=False), seq.bounds
    k = len(seq.activities)
    is_out = np.zeros(k + 1, dtype=bool)
    is_out[[i for i, name in enumerate(seq.activities) if name in outcomes]] = True
    o = is_out[a]
    if o.any():
        # Cut each case after its first outcome, as the counts are cut.
        n_cases = bounds.shape[0] - 1
        case_of = np.repeat(np.arange(n_cases), np.diff(bounds))
        before = np.cumsum(o) - o
        keep = before == before[bounds[:-1]][case_of]
        a, t = a[keep], t[keep]
        bounds = np.zeros(n_cases + 1, dtype=np.int64)
        np.cumsum(np.bincount(case_of[keep], minlength=n_cases), out=bounds[1:])
        seq = attrs.evolve(seq, activity=a, time=t, bounds=bounds, order=seq.order[keep])
    last = np.zeros(a.shape[0], dtype=bool)
    last[bounds[1:] - 1] = True
    same = ~last[:-1]
    gap = (t[1:] - t[:-1])[same]
    names = seq.activities
    pair_codes, _, _, pair_groups = grouped((a[:-1] * k + a[1:])[same], gap)
    src_codes, _, _, src_groups = grouped(a[:-1][same], gap)
    cycles = t[bounds[1:] - 1] - t[bounds[:-1]]
    _, _, _, (cycle,) = grouped(np.zeros(cycles.shape[0], dtype=np.int64), cycles)
    _, ranked, counts = case_variants(seq, top=TOP_VARIANTS)
    return {
        "pairs": {
            (names[c // k], names[c % k]): g
            for c, g in zip(pair_codes.tolist(), pair_groups, strict=True)
        },
        "sources": {names[c]: g for c, g in zip(src_codes.tolist(), src_groups, strict=True)},
        "cycle": cycle,
        "top": [(v, int(n)) for v, n in zip(ranked[:TOP_VARIANTS], counts.tolist(), strict=False)],
        "variant_count": int(counts.shape[0]),
        "cases": int(bounds.shape[0] - 1),
    }


def _picks(tag: str, rel: str, total_type: str) -> str:
    """Rows ``(tag, g1, g2, n, total, i, v)``: per group the values at the ranks
    the statistics need (portable SQL)."""
    wanted = ["0", "n - 1"]
    for num, den in QUANTILES:
        rank = f"CAST(FLOOR((n - 1) * {num} / {den}) AS BIGINT)"
        wanted += [rank, f"{rank} + 1"]
    return f"""
SELECT '{tag}' AS tag, CAST(g1 AS STRING) AS g1, CAST(g2 AS STRING) AS g2, n, total, i, v FROM (
  SELECT g1, g2, v,
         ROW_NUMBER() OVER (PARTITION BY g1, g2 ORDER BY v) - 1 AS i,
         COUNT(*) OVER (PARTITION BY g1, g2) AS n,
         SUM(CAST(v AS {total_type})) OVER (PARTITION BY g1, g2) AS total
  FROM {rel}
) q WHERE i IN ({", ".join(wanted)})"""


def sql_observed(run: Any, flow: str, *, dialect: str) -> Observed:
    """The measurements from the windowed events ``flow`` (with ``ntu``), by SQL.

    ``run(sql)`` returns a query's rows; ``dialect`` is ``duckdb`` or ``spark``.
    """
    big = "HUGEINT" if dialect == "duckdb" else "DECIMAL(38,0)"
    gaps = (
        f"(SELECT a AS g1, nxt2 AS g2, ntu - tu AS v FROM {flow} WHERE kept AND nxt2 IS NOT NULL)"
    )
    from_source = (
        f"(SELECT a AS g1, CAST(NULL AS STRING) AS g2, ntu - tu AS v FROM {flow} "
        "WHERE kept AND nxt2 IS NOT NULL)"
    )
    if dialect == "duckdb":
        last, first = "arg_max(tu, pos)", "arg_min(tu, pos)"
        # A plain list sorted after, not list(a ORDER BY pos): DuckDB spills the
        # plain aggregate, but holds an ordered one's rows in memory (out of
        # memory at 100M events under 2 GiB). Positions run 1, 2, ... in every
        # case, so the sorted (pos, a) pairs are as good a key as the activities.
        path = "list_sort(list(struct_pack(p := pos, a := a)))"
    else:
        last, first = "max_by(tu, pos)", "min_by(tu, pos)"
        path = "transform(sort_array(collect_list(struct(pos, a))), x -> x.a)"
    cycles = (
        f"(SELECT CAST(NULL AS STRING) AS g1, CAST(NULL AS STRING) AS g2, {last} - {first} AS v "
        f"FROM {flow} WHERE kept GROUP BY c)"
    )
    query = "\nUNION ALL\n".join(
        [
            _picks("pair", gaps, big),
            _picks("source", from_source, big),
            _picks("cycle", cycles, big),
        ]
    )
    groups: dict[tuple[str, Any, Any], tuple[int, int, dict[int, int]]] = {}
    for tag, g1, g2, n, total, i, v in run(query):
        got = groups.setdefault((tag, g1, g2), (int(n), int(total), {}))
        got[2][int(i)] = int(v)
    paths = f"(SELECT {path} AS v FROM {flow} WHERE kept GROUP BY c)"
    # Every variant as common as the TOP_VARIANTS-th, and how many there are, in
    # one pass over the cases; ranked in Python (ties by variant).
    rows = run(
        f"WITH cx_counted AS (SELECT v, COUNT(*) AS n FROM {paths} p GROUP BY v),\n"
        "cx_ranked AS (SELECT v, n, ROW_NUMBER() OVER (ORDER BY n DESC) AS rk, "
        "COUNT(*) OVER () AS nv FROM cx_counted)\n"
        "SELECT v, n, nv FROM cx_ranked "
        f"WHERE n >= (SELECT MIN(n) FROM cx_ranked WHERE rk <= {TOP_VARIANTS})"
    )
    if dialect == "duckdb":
        found = [(tuple(str(x["a"]) for x in r[0]), int(r[1])) for r in rows]
    else:
        found = [(tuple(str(x) for x in r[0]), int(r[1])) for r in rows]
    order = ranked([v for v, _ in found], [n for _, n in found])
    top = [found[i] for i in order[:TOP_VARIANTS]]
    variant_count = int(rows[0][2]) if rows else 0
    cycle = next((g for (tag, _, _), g in groups.items() if tag == "cycle"), (0, 0, {}))
    return {
        "pairs": {(g1, g2): g for (tag, g1, g2), g in groups.items() if tag == "pair"},
        "sources": {g1: g for (tag, g1, _), g in groups.items() if tag == "source"},
        "cycle": cycle,
        "top": top,
        "variant_count": variant_count,
        "cases": cycle[0],
    }


def attach(journey: Journey, observed: Observed | None) -> Journey:
    """The journey with touchpoint durations and the measurements in its extensions."""
    if observed is None:
        return journey
    name = {s.id: s.name for s in journey.steps}
    times: list[dict[str, Any]] = []
    for tr in journey.transitions:
        group = observed["pairs"].get((name.get(tr.source), name.get(tr.target)))
        if group is not None:
            times.append({"source": tr.source, "target": tr.target, **stats(*group)})
    touchpoints = []
    for tp in journey.touchpoints:
        group = observed["sources"].get(tp.name)
        if group is not None:
            median = stats(*group)["median_s"]
            tp = attrs.evolve(tp, duration=timedelta(seconds=median))
        touchpoints.append(tp)
    n, total, at = observed["cycle"]
    cases = {k: v for k, v in stats(n, total, at).items() if k in _CASE_KEYS} if n else {}
    top = [
        {"variant": list(v), "cases": c, "share": c / observed["cases"]} for v, c in observed["top"]
    ]
    record = {
        **journey.extensions["discover"],
        "times": {"transitions": times, "cases": cases},
        "variants": {"count": observed["variant_count"], "top": top},
    }
    return attrs.evolve(
        journey,
        touchpoints=tuple(touchpoints),
        extensions={**journey.extensions, "discover": record},
    )


_CASE_KEYS = ("count", "mean_s", "median_s", "p90_s")
