"""Journeys from data: discover a journey from an event log.

:func:`discover` reads an event log (one row per event: case id, activity,
timestamp, perhaps a resource) and returns a :class:`~cxgraph.Journey` whose
touchpoints are the activities and whose transitions are the
directly-follows relation, each with its ``count`` and ``probability``.

How the log becomes a journey:

- Events are ordered by timestamp within a case; ties keep the input's row
  order. Reading rules (CSV as text, ISO 8601 timestamps converted to UTC,
  rows counted from 0 in messages) are those of ``cxgraph.readwrite.eventlog``.
- Each activity is a touchpoint whose ``name`` is the activity and whose
  ``id`` is its slug (see :func:`slug`); slugs that clash get ``-2``,
  ``-3`` in order of first appearance in the log, and ``end`` is reserved.
  Touchpoints, and then outcomes, are listed in order of first appearance.
- Transitions carry ``count`` (how often one activity directly follows the
  other in a case; a repeat ``a a`` is a self-loop) and ``probability``,
  ``count`` over all flow out of the step, the flow into outcomes included.
  Edges out of a step are listed by target in step order. Each probability
  is ``count / total`` as a float, so they sum to 1 within a few units in
  the last place (far inside validation's 1e-9); should they ever not (past
  millions of edges out of one step), the last edge gets ``1 - (sum of the
  others)``. Entry probabilities follow the same rule.
- ``entries`` carry how many cases start at each step, and the share.
- Each case's last event flows into the outcome ``end`` (kind ``exit``,
  name ``End``, made only when some case ends there), unless ``outcomes``
  marks its activity as an outcome: then the case ends at that outcome.
  Outcomes are terminal in cxgraph, so a case is cut at its first outcome
  event: the events after it are left out, with a :class:`~cxgraph.CxgraphWarning`
  saying how many, and the journey's ``extensions["discover"]`` keeps the
  numbers (``events``, ``cases``, ``events_after_outcomes``, ``cases_cut``).
- Owners come from the resource column: a touchpoint's owner is the resource
  that performed most of its events (ties by name), kind ``role``. With
  ``owners={resource: team}`` each event counts for its resource's team
  instead, and the touchpoint's owner is the team with most events (ties by
  name), kind ``team``; a resource missing from the mapping stands for itself
  (kind ``role``, with a warning). Owner ids are slugs by the same rule,
  names the resource or team; only owners of some touchpoint are listed.
  Outcomes have no owner.

Errors rather than guesses: a missing column, an event without case id or
activity, a timestamp that is missing or cannot be read, and a log with no
events are each a :class:`~cxgraph.CxgraphError` (also a ``ValueError``)
naming the keyword, the column, the first row at fault (rows count from 0)
and how many rows; no event is dropped silently. So are a column of the
wrong kind (lists, structs or bytes; booleans for times), text times with
and without a UTC offset in one column, and a file no engine can read
(a ragged CSV row or an unclosed quote, named with its line; a damaged or
mis-named Parquet file; malformed XES, named with its line and column, or
an event outside a trace): the same error on every engine, never the
engine's own exception. A case of a single event is an entry that flows
straight to its end.

Engines, all giving identical journeys: ``numpy`` (default; in memory,
vectorised: a stable sort by case and time, pairs counted with
``np.bincount``), ``duckdb`` (SQL window functions straight on a CSV or
Parquet file or a registered frame, out of core: it spills past a memory
limit of 2 GiB, or ``CXGRAPH_DUCKDB_MEMORY_LIMIT``, into a folder of its own
under ``CXGRAPH_DUCKDB_TEMP_DIRECTORY`` or the system's temporary folder,
removed after; needs ``cxgraph[duckdb]``) and ``spark`` (the same query in Spark SQL, for logs that outgrow one
machine; needs ``cxgraph[spark]``).

Examples
--------
>>> import pandas as pd
>>> import cxgraph as cx
>>> from cxgraph.mining.discovery import discover
>>> log = pd.DataFrame({
...     "case:concept:name": ["c1", "c1", "c1", "c2", "c2"],
...     "concept:name": ["Visit", "Add to cart", "Pay", "Visit", "Visit"],
...     "time:timestamp": ["2024-05-01 10:00", "2024-05-01 10:02", "2024-05-01 10:05",
...                        "2024-05-02 09:00", "2024-05-02 09:30"],
... })
>>> j = discover(log, outcomes={"Pay": "success"})
>>> [(t.source, t.target, t.count, t.probability) for t in j.transitions]
[('visit', 'visit', 1, 0.3333333333333333), ('visit', 'add-to-cart', 1, 0.3333333333333333), ('visit', 'end', 1, 0.3333333333333333), ('add-to-cart', 'pay', 1, 1.0)]
>>> [(e.step, e.count) for e in j.entries]
[('visit', 2)]
"""  # noqa: E501

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from cxgraph._util.text import choices_text, describe
from cxgraph.errors import CxgraphWarning
from cxgraph.model.classes import OUTCOME_KINDS

if TYPE_CHECKING:
    from cxgraph.model.classes import Journey
    from cxgraph.readwrite.columns import EventColumns

import attrs

from cxgraph._util.numbers import _shares
from cxgraph._util.text import slug, unique_ids
from cxgraph.mining.counts import LogCounts, numpy_counts
from cxgraph.mining.filters import (
    Filters,
    apply_min_count,
    case_segments,
    check_filters,
    kept_variants,
)
from cxgraph.mining.observed import Observed, attach, numpy_observed
from cxgraph.mining.sequences import END

__all__ = ["ENGINES", "discover", "discover_by"]

#: The engines :func:`discover` can use.
ENGINES = ("numpy", "duckdb", "spark")


def discover(
    events: Any,
    *,
    case: str = "case:concept:name",
    activity: str = "concept:name",
    timestamp: str | None = "time:timestamp",
    resource: str | None = "org:resource",
    owners: Mapping[str, str] | None = None,
    outcomes: Mapping[str, str] | None = None,
    engine: str = "numpy",
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
    verbose: bool = False,
    variants: int | None = None,
    coverage: float | None = None,
    min_count: int | None = None,
    segment: str | None = None,
    times: bool = True,
) -> Journey:
    """Discover a journey from an event log: activities, directly-follows counts, owners.

    Parameters
    ----------
    events
        The event log: a pandas or polars DataFrame, a pyarrow Table, a Spark
        DataFrame (engine ``spark`` only), or a path to a ``.csv``,
        ``.parquet``, ``.xes`` or ``.xes.gz`` file.
    case, activity, timestamp
        The columns of case ids, activity names and timestamps. Left at their
        defaults (the XES names), a log without those columns is searched for
        the usual names of each (``case``, ``case_id``, ``session``,
        ``user_id``, ...; ``activity``, ``event``, ``action``, ``step``, ...;
        ``timestamp``, ``time``, ``ts``, ``date``, ...; any case of letters:
        :mod:`cxgraph.readwrite.roles`); two candidates for one role are an
        error naming both. The columns used are kept in
        ``extensions["discover"]["columns"]``. ``timestamp=None`` reads no
        times: each case keeps the file's order.
    resource
        The column of resources (who performed each event). The default,
        ``org:resource``, may be absent: then the steps have no owner. A
        column named explicitly must exist; None ignores resources.
    owners
        Resource → team: each event counts for its resource's team, and a
        touchpoint is owned by the team with most events (kind ``team``).
    outcomes
        Activity → outcome kind (``success``, ``failure`` or ``exit``): these
        activities become outcomes, and a case ends at the first of them.
    engine
        ``numpy`` (in memory), ``duckdb`` (out of core) or ``spark``.
    start_timestamp
        A column of start times, for interval logs: each case is ordered by
        start time, then end time (``timestamp``), then row (pm4py's rule).
    lifecycle
        Keep only the events whose ``lifecycle:transition`` is this value
        (``"complete"``, say; any case of letters) and those without one, as
        for an XES log with start and complete events.
    verbose
        Let the engine show its own log (Spark's, which is kept to errors
        otherwise).
    variants
        Keep only the cases of the ``variants`` most frequent variants (a
        variant is a case's activities in time order; ties at the cut go by
        the variant).
    coverage
        Keep the most frequent variants that together hold at least this
        share of the cases (above 0, at most 1; counted in whole cases).
        With ``variants`` too, a variant is kept when both keep it.
    min_count
        Then drop every transition seen fewer than this many times (those
        into outcomes included); steps no entry reaches any more go, and
        the probabilities are those of what is kept.
    segment
        A case attribute (its value on each case's first event): each value
        becomes a persona, and each touchpoint lists the segments that reach
        it (none when every segment does).
    times
        With date-times, measure what the journey keeps of time and variants
        (touchpoint durations, ``extensions["discover"]["times"]`` and
        ``["variants"]``: :mod:`cxgraph.mining.observed`); False counts
        transitions only, about three times faster on a large log.

    Returns
    -------
    Journey
        Touchpoints per activity, outcomes, owners, entries and transitions
        with ``count`` and ``probability``; named after the file (or
        ``discovered``), with the log's numbers in ``extensions["discover"]``
        (with filters: ``filters``, ``cases_kept`` and ``events_kept``).

    Raises
    ------
    CxgraphError
        For an unknown engine, a bad ``outcomes`` or ``owners`` mapping, a
        missing column (naming the keyword, the column asked for and the
        columns found), a column of the wrong kind, an event without case id
        or activity, a timestamp that is missing or cannot be read (naming
        the row and value), times with and without a UTC offset in one
        column, an empty log, or a malformed file (the same error on every
        engine). These are also ``ValueError``.
    FileNotFoundError
        If a path names no file.
    ImportError
        If the engine or the file format needs a package that is not
        installed; the message names the extra to install.

    Warns
    -----
    CxgraphWarning
        When events after an outcome are left out, an outcome activity does
        not occur in the log, or a resource is missing from ``owners``.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case": [1, 1, 2], "step": ["Call", "Fix", "Call"],
    ...                     "time": [1, 2, 1], "who": ["Ann", "Bob", "Ann"]})
    >>> j = discover(log, case="case", activity="step", timestamp="time", resource="who")
    >>> [(t.id, t.owner) for t in j.touchpoints], [o.id for o in j.owners]
    ([('call', 'ann'), ('fix', 'bob')], ['ann', 'bob'])
    >>> discover(log, engine="pandas")
    Traceback (most recent call last):
    ...
    cxgraph.readwrite.columns.EventLogError: unknown engine 'pandas' (choices: 'numpy', 'duckdb', 'spark')
    """  # noqa: E501
    from cxgraph.readwrite import eventlog as EL

    if engine not in ENGINES:
        msg = f"unknown engine {engine!r} {choices_text(engine, ENGINES, word='choices')}"
        raise EL.EventLogError(msg)
    outcome_kinds = _check_outcomes(outcomes)
    team_of = _check_owners(owners, resource)
    filters = check_filters(variants, coverage, min_count)
    if segment is not None and not isinstance(cast(object, segment), str):
        msg = f"segment= names a column, got {describe(segment)}"
        raise EL.EventLogError(msg)
    kind = EL.log_kind(events)
    columns = {
        "case": case,
        "activity": activity,
        "timestamp": timestamp,
        "resource": resource,
        "start_timestamp": start_timestamp,
        "lifecycle": lifecycle,
    }
    if engine == "spark" and (filters.record() or segment is not None):
        msg = (
            "variants=, coverage=, min_count= and segment= run on the numpy and duckdb "
            "engines: collect the log with df.toPandas(), or filter it in Spark first"
        )
        raise EL.EventLogError(msg)
    if engine == "spark":
        from cxgraph.mining.spark_engine import spark_counts

        counts, observed = spark_counts(
            events,
            kind,
            outcomes=tuple(outcome_kinds),
            verbose=verbose,
            times=times,
            **columns,  # type: ignore[arg-type]
        )
        part = _Part(None, counts, None, observed)
    else:
        (part,) = _counts(
            events, kind, engine, columns, outcome_kinds, filters, segment, by=False, times=times
        )
    return _finish(part, events, outcome_kinds, team_of, filters, lifecycle, resource)


def discover_by(
    events: Any,
    by: str,
    *,
    case: str = "case:concept:name",
    activity: str = "concept:name",
    timestamp: str | None = "time:timestamp",
    resource: str | None = "org:resource",
    owners: Mapping[str, str] | None = None,
    outcomes: Mapping[str, str] | None = None,
    engine: str = "numpy",
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
    variants: int | None = None,
    coverage: float | None = None,
    min_count: int | None = None,
    times: bool = True,
) -> dict[str, Journey]:
    """Discover one journey per segment: the cases of each value of a case attribute.

    A case's segment is its value of ``by`` on its first event in time order
    (a case with several values counts for that one, with a warning). The
    other keywords are those of :func:`discover`; the filters apply within
    each segment. Runs on the numpy and duckdb engines.

    Returns
    -------
    dict
        Segment value -> Journey, in order of first appearance in the log;
        each journey's id and name say its segment, and
        ``extensions["discover"]["segment"]`` keeps the column and value.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case": [1, 1, 2, 2], "step": ["Ad", "Buy", "Ad", "Call"],
    ...                     "time": [1, 2, 1, 2], "tier": ["gold", "gold", "basic", "basic"]})
    >>> parts = discover_by(log, "tier", case="case", activity="step", timestamp="time")
    >>> {k: [t.target for t in j.transitions if t.source == "ad"] for k, j in parts.items()}
    {'gold': ['buy'], 'basic': ['call']}
    """
    from cxgraph.readwrite import eventlog as EL

    if engine not in ("numpy", "duckdb"):
        msg = (
            f"discover_by(engine={engine!r}): runs on the engines 'numpy' and 'duckdb' "
            f"{choices_text(engine, ('numpy', 'duckdb'), word='choices')}"
        )
        raise EL.EventLogError(msg)
    if not isinstance(cast(object, by), str):
        msg = f"discover_by(by=...) names a column, got {describe(by)}"
        raise EL.EventLogError(msg)
    outcome_kinds = _check_outcomes(outcomes)
    team_of = _check_owners(owners, resource)
    filters = check_filters(variants, coverage, min_count)
    columns = {
        "case": case,
        "activity": activity,
        "timestamp": timestamp,
        "resource": resource,
        "start_timestamp": start_timestamp,
        "lifecycle": lifecycle,
    }
    kind = EL.log_kind(events)
    parts = _counts(events, kind, engine, columns, outcome_kinds, filters, by, by=True, times=times)
    out: dict[str, Journey] = {}
    for part in parts:
        value = part.value
        assert value is not None
        j = _finish(part, events, outcome_kinds, team_of, filters, lifecycle, resource)
        record = {**j.extensions["discover"], "segment": {"column": by, "value": value}}
        out[value] = attrs.evolve(
            j,
            id=f"{j.id}-{slug(value, empty='segment')}",
            name=f"{j.name} ({by} = {value})",
            extensions={**j.extensions, "discover": record},
        )
    return out


def _counts(
    events: Any,
    kind: str,
    engine: str,
    columns: dict[str, Any],
    outcome_kinds: dict[str, str],
    filters: Filters,
    segment: str | None,
    *,
    by: bool,
    times: bool = True,
) -> list[_Part]:
    """The counts of the log (``by``: of each segment), and what the filters kept."""
    from cxgraph.readwrite import eventlog as EL

    out: list[_Part] = []
    if engine == "duckdb":
        from cxgraph.mining.duckdb_engine import duckdb_counts, duckdb_segments

        values = duckdb_segments(events, kind, segment=segment, **columns) if by else [None]
        for value in values:
            counts, kept, observed = duckdb_counts(
                events,
                kind,
                outcomes=tuple(outcome_kinds),
                filters=filters,
                segment=segment,
                only=value,
                times=times,
                **columns,
            )
            out.append(_Part(value, counts, kept, observed))
        return out
    cols = EL.read_events(events, **columns, segment=segment)
    per_event = None if segment is None else case_segments(cols, segment)
    groups: list[tuple[str | None, Any]] = [(None, None)]
    if by:
        groups = [(cols.segments[g], per_event == g) for g in _segment_order(per_event)]
    for value, mask in groups:
        part, seg = cols, per_event
        if mask is not None:
            assert per_event is not None
            part, seg = cols.subset(mask), per_event[mask]
        n_events, n_cases = len(part), len(set(part.case.tolist())) if by else len(cols.cases)
        kept = None
        if filters.on_cases:
            keep, *numbers = _keep_cases(part, filters)
            kept = (numbers[0], numbers[1])
            part, seg = part.subset(keep), None if seg is None else seg[keep]
        counts = numpy_counts(part, outcome_kinds, seg)
        counts = attrs.evolve(counts, events=n_events, cases=n_cases)
        observed = numpy_observed(part, outcome_kinds) if times else None
        out.append(_Part(value, counts, kept, observed))
    return out


class _Part(NamedTuple):
    """What an engine found in the log (or one segment of it)."""

    value: str | None  # the segment, for discover_by
    counts: LogCounts
    kept: tuple[int, int] | None  # cases and events the filters kept
    observed: Observed | None  # times and variants (with date-times)


def _keep_cases(cols: EventColumns, filters: Filters) -> tuple[Any, int, int]:
    """Which events belong to the cases the variant filters keep (a mask in input
    order), and how many cases and events that is."""
    import numpy as np

    from cxgraph.mining.arithmetic import case_variants
    from cxgraph.mining.sequences import sequences

    seq = sequences(cols)
    of_case, _, counts = case_variants(seq)
    m = kept_variants(counts, filters)
    kept_case = of_case < m
    kept_code = np.zeros(int(cols.case.max()) + 1, dtype=bool)
    kept_code[seq.case_codes] = kept_case
    keep = kept_code[cols.case]
    return keep, int(kept_case.sum()), int(keep.sum())


def _segment_order(per_event: Any) -> list[int]:
    """Segment codes in order of first appearance (the first row of any of their cases)."""
    import numpy as np

    n = per_event.shape[0]
    size = int(per_event.max()) + 1 if n else 0
    first = np.full(size, n, dtype=np.int64)
    np.minimum.at(first, per_event, np.arange(n))
    present = np.flatnonzero(first < n)
    return present[np.argsort(first[present], kind="stable")].tolist()  # type: ignore[no-any-return]


def _finish(
    part: _Part,
    events: Any,
    outcome_kinds: dict[str, str],
    team_of: dict[str, str] | None,
    filters: Filters,
    lifecycle: str | None,
    resource: str | None,
) -> Journey:
    """The journey from an engine's counts: min_count, then the journey, then the record."""
    from cxgraph.readwrite import eventlog as EL

    counts, kept = part.counts, part.kept
    if team_of is not None and counts.resources is None:
        msg = (
            f"owners= maps resources to teams, but the event log has no resource column "
            f"{resource!r}: name it with resource='...'"
        )
        raise EL.EventLogError(msg)
    if filters.min_count is not None:
        counts = apply_min_count(counts, filters.min_count, outcome_kinds)
    journey = build_journey(
        counts,
        outcomes=outcome_kinds,
        owners=team_of,
        stem=EL.log_stem(events),
        lifecycle=lifecycle,
    )
    if filters.record():
        record = dict(journey.extensions["discover"])
        record["filters"] = filters.record()
        cases_kept, events_kept = kept if kept is not None else (counts.cases, counts.events)
        record["cases_kept"], record["events_kept"] = cases_kept, events_kept
        journey = attrs.evolve(journey, extensions={**journey.extensions, "discover": record})
    return attach(journey, part.observed)


def _check_outcomes(outcomes: Any) -> dict[str, str]:
    from cxgraph.readwrite.columns import EventLogError

    if outcomes is None:
        return {}
    if not isinstance(outcomes, Mapping):
        msg = f"outcomes= maps activities to outcome kinds, got {describe(outcomes)}"
        raise EventLogError(msg)
    problems = []
    for act, kind in outcomes.items():
        if not isinstance(act, str):
            problems.append(f"outcomes: the activity {act!r} is not text")
        elif kind not in OUTCOME_KINDS:
            problems.append(
                f"outcomes[{act!r}]: unknown outcome kind {kind!r} "
                f"{choices_text(str(kind), OUTCOME_KINDS, word='choices')}"
            )
    if problems:
        raise EventLogError("\n".join(problems))
    return dict(outcomes)


def _check_owners(owners: Any, resource: str | None) -> dict[str, str] | None:
    from cxgraph.readwrite.columns import EventLogError

    if owners is None:
        return None
    if not isinstance(owners, Mapping):
        msg = f"owners= maps resources to teams, got {describe(owners)}"
        raise EventLogError(msg)
    bad = [
        f"owners[{k!r}]: {describe(v)} is not a team name"
        for k, v in owners.items()
        if not isinstance(v, str)
    ]
    if bad:
        raise EventLogError("\n".join(bad))
    if resource is None:
        msg = "owners= maps resources to teams, but resource=None reads no resources"
        raise EventLogError(msg)
    return {str(k): v for k, v in owners.items()}


def _warn(message: str) -> None:
    # stacklevel 4: _warn <- build_journey <- discover <- the caller.
    warnings.warn(message, CxgraphWarning, stacklevel=4)


def _listed(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def build_journey(
    counts: LogCounts,
    *,
    outcomes: Mapping[str, str],
    owners: Mapping[str, str] | None,
    stem: str | None,
    lifecycle: str | None = None,
) -> Journey:
    """Build the journey from the counts (the part every engine shares)."""
    from cxgraph.model.classes import (
        Entry,
        Journey,
        Outcome,
        Owner,
        Persona,
        Touchpoint,
        Transition,
    )

    acts = counts.activities
    step_id = dict(zip(acts, unique_ids(acts, reserved={END}), strict=True))
    touch = [a for a in acts if a not in outcomes]
    finals = [a for a in acts if a in outcomes]
    rank = {a: i for i, a in enumerate([*touch, *finals])}
    absent = [a for a in outcomes if a not in step_id]
    if absent:
        _warn(
            f"outcome activit{'y' if len(absent) == 1 else 'ies'} {_listed(absent)} "
            f"never occur{'s' if len(absent) == 1 else ''} in the event log "
            f"{choices_text(absent[0], list(acts), word='activities')}"
        )
    if counts.cut_events:
        _warn(
            f"{counts.cut_events} event{'s' if counts.cut_events != 1 else ''} in "
            f"{counts.cut_cases} case{'s' if counts.cut_cases != 1 else ''} came after an "
            "outcome and were left out: an outcome ends a journey"
        )

    owner_of: dict[str, str] = {}
    owner_list: list[Owner] = []
    if counts.resources is not None:
        teams = owners or {}
        missing = [r for r in counts.resources if owners is not None and r not in teams]
        if missing:
            _warn(
                f"{len(missing)} resource{'s are' if len(missing) != 1 else ' is'} not in "
                f"owners= and stand{'s' if len(missing) == 1 else ''} for "
                f"{'itself' if len(missing) == 1 else 'themselves'}: {_listed(missing)}"
            )
        tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for act, res, n in counts.resource_counts:
            if act not in outcomes:
                tally[act][teams.get(res, res)] += n
        chosen = {
            act: min(t.items(), key=lambda kv: (-kv[1], kv[0]))[0] for act, t in tally.items()
        }
        used = set(chosen.values())
        names = [o for o in dict.fromkeys(teams.get(r, r) for r in counts.resources) if o in used]
        ids = dict(zip(names, unique_ids(names), strict=True))
        team_names = set(teams.values())
        owner_list = [
            Owner(id=ids[o], name=o, kind="team" if o in team_names else "role") for o in names
        ]
        owner_of = {act: ids[o] for act, o in chosen.items()}

    flows: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    end_rank = len(rank)
    for src, tgt, n in counts.pairs:
        flows[src].append((rank[tgt], step_id[tgt], n))
    for src, n in counts.ends:
        flows[src].append((end_rank, END, n))
    transitions: list[Transition] = []
    for src in sorted(flows, key=rank.__getitem__):
        edges = sorted(flows[src])
        probs = _shares([n for _, _, n in edges])
        transitions += [
            Transition(source=step_id[src], target=tgt, count=n, probability=p)
            for (_, tgt, n), p in zip(edges, probs, strict=True)
        ]
    starts = sorted(counts.starts, key=lambda s: rank[s[0]])
    entries = [
        Entry(step=step_id[a], count=n, probability=p)
        for (a, n), p in zip(starts, _shares([n for _, n in starts]), strict=True)
    ]
    personas: list[Persona] = []
    reach: dict[str, tuple[str, ...]] = {}
    if counts.segments is not None:
        seg_ids = dict(zip(counts.segments, unique_ids(counts.segments), strict=True))
        personas = [Persona(id=seg_ids[g], name=g) for g in counts.segments]
        by_act: dict[str, set[str]] = defaultdict(set)
        for act, g, _ in counts.segment_counts:
            by_act[act].add(g)
        every = set(counts.segments)
        reach = {
            a: tuple(seg_ids[g] for g in counts.segments if g in gs)
            for a, gs in by_act.items()
            if gs != every
        }
    outcome_steps = [Outcome(id=step_id[a], name=a, kind=outcomes[a]) for a in finals]  # type: ignore[arg-type]
    if counts.ends:
        outcome_steps.append(Outcome(id=END, name="End", kind="exit"))
    return Journey(
        id=slug(stem, empty="discovered") if stem is not None else "discovered",
        name=f"Discovered from {stem}" if stem is not None else "Discovered journey",
        description=f"Discovered from {_events(counts.events)} in {_cases(counts.cases)}.",
        owners=tuple(owner_list),
        personas=tuple(personas),
        touchpoints=tuple(
            Touchpoint(id=step_id[a], name=a, owner=owner_of.get(a), personas=reach.get(a, ()))
            for a in touch
        ),
        outcomes=tuple(outcome_steps),
        entries=tuple(entries),
        transitions=tuple(transitions),
        extensions={
            "discover": {
                "events": counts.events,
                "cases": counts.cases,
                "events_after_outcomes": counts.cut_events,
                "cases_cut": counts.cut_cases,
                "columns": dict(counts.columns),
                **({"segments": list(counts.segments)} if counts.segments is not None else {}),
                **({"lifecycle": lifecycle} if lifecycle is not None else {}),
            }
        },
    )


def _events(n: int) -> str:
    return f"{n} event{'s' if n != 1 else ''}"


def _cases(n: int) -> str:
    return f"{n} case{'s' if n != 1 else ''}"
