"""Simulate an event log from a journey: cases walking its Markov chain.

:func:`simulate` is the inverse of :func:`~cxgraph.discover`: it walks the
journey's chain (the probabilities :func:`~cxgraph.markov` resolves on
transitions and hand-offs; triggers move the organisation, not the
customer) from the entries (:func:`~cxgraph.graph.entry_weights`) and writes
each case as events in ``discover``'s default layout, so that
``discover(simulate(j, n))`` recovers ``j``'s probabilities within sampling
error.

How a case becomes events:

- A case starts at an entry, drawn by the entry weights, and moves along
  one edge at a time, drawn by the edge probabilities out of the step it is
  at. It ends at an outcome, or at a dead end (a step with no way out).
- Touchpoints and decision points are written as events; outcomes are not
  (so a case that starts at an outcome writes none and is missing from the
  frame, though it keeps its case id).
- The activity is the step's name; the resource its owner's id, or the
  empty string for a step without an owner.
- Times: the first case starts at ``start`` (by default
  :data:`DEFAULT_START`, 2024-01-01T00:00:00Z) and each later case one minute
  after the one before (:data:`CASE_GAP`). A touchpoint takes its
  ``duration``, else one hour (:data:`DEFAULT_DURATION`), before the next
  event; a decision takes no time, so the event after it has the same
  timestamp and the rows keep the order (``discover`` keeps a tie in row
  order).
- A case that has written ``max_steps`` events and is still going is cut
  there (a loop that seldom ends), with one :class:`~cxgraph.CxgraphWarning`
  counting the cut cases.

The walk is vectorised across cases: all cases still going take their next
step at once, drawn from one table of cumulative probabilities, so the work
is a numpy pass per step of the longest case, not Python per event
(100,000 cases of the bundled restaurant journey, 1.3 million events, take
a few tenths of a second).

Examples
--------
>>> from datetime import timedelta
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="Shop",
...     owners=[cx.Owner(id="web", name="Web team", kind="team")],
...     touchpoints=[cx.Touchpoint(id="visit", name="Visit", owner="web"),
...                  cx.Touchpoint(id="pay", name="Pay", duration=timedelta(minutes=5))],
...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
...               cx.Outcome(id="lost", name="Lost", kind="failure")],
...     transitions=[cx.Transition(source="visit", target="pay", probability=0.5),
...                  cx.Transition(source="visit", target="lost", probability=0.5),
...                  cx.Transition(source="pay", target="won", probability=1.0)])
>>> log = simulate(j, 3)
>>> print(log.to_string(index=False))
case:concept:name concept:name            time:timestamp org:resource
           case-1        Visit 2024-01-01 00:00:00+00:00          web
           case-2        Visit 2024-01-01 00:01:00+00:00          web
           case-2          Pay 2024-01-01 01:01:00+00:00
           case-3        Visit 2024-01-01 00:02:00+00:00          web
           case-3          Pay 2024-01-01 01:02:00+00:00
>>> [(t.source, t.target, t.count) for t in cx.discover(log).transitions]
[('visit', 'pay', 2), ('visit', 'end', 1), ('pay', 'end', 2)]
"""

from __future__ import annotations

import math
import numbers
import warnings
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cxgraph._util.text import plural
from cxgraph.analyses.flow import require_journey, step_label
from cxgraph.analyses.markov import markov
from cxgraph.errors import CxgraphError, CxgraphWarning
from cxgraph.graph import entry_weights
from cxgraph.model.classes import DecisionPoint, Handoff, Outcome, Touchpoint, Transition

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from cxgraph.analyses.markov_model import MarkovModel
    from cxgraph.model.classes import Journey

__all__ = [
    "CASE_GAP",
    "DEFAULT_DURATION",
    "DEFAULT_START",
    "SimulationError",
    "simulate",
    "unweighted_steps",
]

#: When the first simulated case starts, unless ``start`` says otherwise.
DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)
#: The time between the starts of two consecutive cases.
CASE_GAP = timedelta(minutes=1)
#: The time a touchpoint without a ``duration`` takes.
DEFAULT_DURATION = timedelta(hours=1)

#: The columns of the simulated log: discover's defaults.
COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "org:resource")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
# The last microsecond numpy's datetime64[us] holds (the one below is NaT).
_LIMIT = 2**63 - 1


class SimulationError(CxgraphError, ValueError):
    """A journey cannot be simulated, or an argument of :func:`simulate` is out of range."""


def unweighted_steps(journey: Journey, model: MarkovModel) -> list[str]:
    """The steps the entries reach whose several ways out carry neither probabilities
    nor counts (the chain would have to guess equal shares there), sorted by id.

    A single way out is certain and needs no number; steps no entry reaches
    do not count.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     touchpoints=[cx.Touchpoint(id="a", name="A")],
    ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
    ...               cx.Outcome(id="lost", name="Lost", kind="failure")],
    ...     transitions=[cx.Transition(source="a", target="won"),
    ...                  cx.Transition(source="a", target="lost")])
    >>> unweighted_steps(j, cx.markov(j))
    ['a']
    """
    out_edges: dict[str, list[Transition | Handoff]] = {}
    flow: tuple[Transition | Handoff, ...] = (*journey.transitions, *journey.handoffs)
    for e in flow:
        out_edges.setdefault(e.source, []).append(e)
    bad = []
    for sid, edges in out_edges.items():
        if len(edges) < 2 or model.expected_visits.get(sid, 0.0) <= 0:
            continue
        probs = [e.probability for e in edges]
        counts = [e.count for e in edges]
        if all(p is not None for p in probs) and math.fsum(probs) > 0:  # type: ignore[arg-type]
            continue
        if all(c is not None for c in counts) and sum(counts) > 0:  # type: ignore[arg-type]
            continue
        bad.append(sid)
    return sorted(bad)


def simulate(
    journey: Journey,
    cases: int,
    *,
    seed: int = 0,
    start: datetime | str | None = None,
    max_steps: int = 1000,
) -> pd.DataFrame:
    """Simulate ``cases`` cases of the journey as an event log.

    Parameters
    ----------
    journey
        A journey with probabilities (or counts) on every edge out of a step
        with several ways out, and at least one entry.
    cases
        How many cases to simulate (0 gives an empty log).
    seed
        The seed of ``numpy.random.default_rng``: the same seed gives the same log.
    start
        When the first case starts: a ``datetime`` or ISO 8601 text; without
        a UTC offset it is taken as UTC. Default :data:`DEFAULT_START`
        (2024-01-01T00:00:00Z). Each later case starts one minute after the
        one before.
    max_steps
        The most events a case writes; a case still going then is cut.

    Returns
    -------
    pandas.DataFrame
        One row per event, by case then time: ``case:concept:name``
        (``case-1``, ``case-2``, ..., zero-padded to one width),
        ``concept:name`` (the step's name), ``time:timestamp`` (UTC,
        ``datetime64[us, UTC]``) and ``org:resource`` (the owner id, ``""``
        when the step has none). See the module docstring for the rules.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey, or ``cases``, ``seed``,
        ``max_steps`` or ``start`` is of the wrong type.
    SimulationError
        If ``cases`` or ``seed`` is negative, ``max_steps`` is below 1,
        ``start`` cannot be read, a step the entries reach has several ways
        out without probabilities or counts (naming every such step), the
        journey has no entry, or the times run past what a timestamp holds.
        Also a ``ValueError``.
    CxgraphError
        If the customer can enter a closed loop (as :func:`~cxgraph.markov`).

    Warns
    -----
    CxgraphWarning
        When some cases were cut at ``max_steps`` events.

    Examples
    --------
    >>> from datetime import timedelta
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="Support",
    ...     touchpoints=[cx.Touchpoint(id="ask", name="Ask", duration=timedelta(minutes=10))],
    ...     decision_points=[cx.DecisionPoint(id="ok", name="Solved?",
    ...                                       decided_by="customer")],
    ...     outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
    ...     entries=["ask"],
    ...     transitions=[cx.Transition(source="ask", target="ok"),
    ...                  cx.Transition(source="ok", target="ask", probability=0.5),
    ...                  cx.Transition(source="ok", target="done", probability=0.5)])
    >>> log = simulate(j, 1, start="2024-06-01T09:00Z")
    >>> [(a, str(t.time())) for a, t in zip(log["concept:name"], log["time:timestamp"])]
    [('Ask', '09:00:00'), ('Solved?', '09:10:00'), ('Ask', '09:10:00'), ('Solved?', '09:20:00')]
    >>> simulate(j.with_changes(transitions=[
    ...     cx.Transition(source="ask", target="ok"),
    ...     cx.Transition(source="ok", target="ask"),
    ...     cx.Transition(source="ok", target="done")]), 10)
    Traceback (most recent call last):
    ...
    cxgraph.mining.simulate.SimulationError: simulate() needs probabilities: the ways out of 'Solved?' (ok) carry neither probabilities nor counts; ...
    """  # noqa: E501
    require_journey(journey, "simulate")
    cases = _check_count("cases", cases, low=0)
    seed = _check_count("seed", seed, low=0)
    max_steps = _check_count("max_steps", max_steps, low=1)
    start_us = _start_us(start)
    model = markov(journey)
    bad = unweighted_steps(journey, model)
    if bad:
        names = {s.id: s.name for s in journey.steps}
        listed = ", ".join(step_label(names, s) for s in bad)
        msg = (
            f"simulate() needs probabilities: the ways out of {listed} carry neither "
            "probabilities nor counts; give each edge out of a step with several ways out "
            "a probability (or a count)"
        )
        raise SimulationError(msg)
    entries, _ = entry_weights(journey)
    if math.fsum(entries.values()) <= 0:
        msg = (
            f"simulate(): the journey {journey.id!r} has no entry (no step without inflow, "
            "and none declared with a positive weight): declare entries"
        )
        raise SimulationError(msg)
    return _walk(journey, model, entries, cases, seed, start_us, max_steps)


def _check_count(name: str, value: object, *, low: int) -> int:
    """``value`` as an int (numpy's integers too), or the error saying why not."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        msg = f"simulate({name}={value!r}): expected an integer, got {type(value).__name__}"
        raise TypeError(msg)
    if value < low:
        words = "a non-negative integer" if low == 0 else f"an integer of at least {low}"
        msg = f"simulate({name}={value!r}): expected {words}"
        raise SimulationError(msg)
    return int(value)


def _start_us(start: object) -> int:
    """``start`` as microseconds since 1970 UTC (naive times are UTC)."""
    if start is None:
        when = DEFAULT_START
    elif isinstance(start, datetime):
        when = start
    elif isinstance(start, str):
        try:
            when = datetime.fromisoformat(start)
        except ValueError:
            msg = f"simulate(start={start!r}): not an ISO 8601 time such as '2024-01-01T09:00Z'"
            raise SimulationError(msg) from None
    else:
        msg = (
            f"simulate(start=...): expected a datetime or ISO 8601 text, got {type(start).__name__}"
        )
        raise TypeError(msg)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // _US


def _walk(
    journey: Journey,
    model: MarkovModel,
    entries: dict[str, float],
    cases: int,
    seed: int,
    start_us: int,
    max_steps: int,
) -> pd.DataFrame:
    import numpy as np

    steps = journey.steps
    index = {s.id: i for i, s in enumerate(steps)}
    n = len(steps)
    is_outcome = np.array([isinstance(s, Outcome) for s in steps], dtype=bool)
    duration = np.zeros(n, dtype=np.int64)
    for i, s in enumerate(steps):
        if isinstance(s, Touchpoint):
            took = s.duration if s.duration is not None else DEFAULT_DURATION
            duration[i] = min(took // _US, _LIMIT)
    # One table for every step: edge e out of step i holds i + (its cumulative
    # probability), so one searchsorted over all steps draws each case's next step.
    out: dict[int, list[tuple[int, float]]] = {}
    for (u, v), p in model.transition_probability.items():
        out.setdefault(index[u], []).append((index[v], p))
    table, target, first, last = _cumulative(out, n)
    has_out = last >= 0

    rng = np.random.default_rng(seed)
    # The entries are drawn as the edges out of one virtual step.
    at_entry, entry_target, entry_first, entry_last = _cumulative(
        {0: [(index[s], w) for s, w in entries.items()]}, 1
    )
    start_at = np.zeros(cases, dtype=np.intp)
    cur = entry_target[_draw(at_entry, start_at, rng, entry_first, entry_last)]
    case = np.flatnonzero(~is_outcome[cur])
    cur = cur[case]
    clock = start_us + case.astype(np.int64) * (CASE_GAP // _US)
    written_case: list[npt.NDArray[np.intp]] = []
    written_step: list[npt.NDArray[np.intp]] = []
    written_time: list[npt.NDArray[np.int64]] = []
    for _ in range(max_steps):
        if case.size == 0:
            break
        written_case.append(case)
        written_step.append(cur)
        written_time.append(clock)
        spent = duration[cur]
        if np.any(spent > _LIMIT - np.maximum(clock, 0)):
            msg = (
                f"simulate(): the times of journey {journey.id!r} run past the year 294,247 "
                "(touchpoint durations too long for a timestamp)"
            )
            raise SimulationError(msg)
        going = has_out[cur]
        case, cur, clock = case[going], cur[going], clock[going] + spent[going]
        cur = target[_draw(table, cur, rng, first, last)]
        going = ~is_outcome[cur]
        case, cur, clock = case[going], cur[going], clock[going]
    if case.size:
        warnings.warn(
            f"simulate(): {plural(int(case.size), 'case')} of {cases:,} "
            f"{'was' if case.size == 1 else 'were'} cut at max_steps={max_steps} events "
            "(a loop that seldom ends?)",
            CxgraphWarning,
            stacklevel=3,
        )
    return _frame(journey, cases, written_case, written_step, written_time)


def _cumulative(
    out: dict[int, list[tuple[int, float]]], n: int
) -> tuple[
    npt.NDArray[np.float64], npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]
]:
    """The draw table: for step ``i`` its edges hold ``i + cumulative probability``.

    Returns the table, each edge's target, and per step the index of its first
    edge and of its last edge with a positive probability (-1 when none).
    """
    import numpy as np

    values: list[float] = []
    targets: list[int] = []
    first = np.zeros(n, dtype=np.intp)
    last = np.full(n, -1, dtype=np.intp)
    for i in sorted(out):
        edges = out[i]
        total = math.fsum(p for _, p in edges)
        first[i] = len(values)
        running = 0.0
        for t, p in edges:
            running += p
            if p > 0:
                last[i] = len(values)
            values.append(i + min(running / total, 1.0))
            targets.append(t)
        # The last edge with a positive probability closes the step's interval
        # exactly, whatever the rounding of the running sum.
        if last[i] >= 0:
            values[last[i]] = float(i + 1)
    return (
        np.asarray(values, dtype=np.float64),
        np.asarray(targets, dtype=np.intp),
        first,
        last,
    )


def _draw(
    table: npt.NDArray[np.float64],
    cur: npt.NDArray[np.intp],
    rng: np.random.Generator,
    first: npt.NDArray[np.intp],
    last: npt.NDArray[np.intp],
) -> npt.NDArray[np.intp]:
    """One edge per case out of the step it is at (each has a way out)."""
    import numpy as np

    edge = np.searchsorted(table, cur + rng.random(cur.size), side="right")
    # i + u can round up to i + 1: stay inside the step's own edges.
    return np.clip(edge, first[cur], last[cur])


def _frame(
    journey: Journey,
    cases: int,
    written_case: list[npt.NDArray[np.intp]],
    written_step: list[npt.NDArray[np.intp]],
    written_time: list[npt.NDArray[np.int64]],
) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    steps = journey.steps
    if written_case:
        case = np.concatenate(written_case)
        step = np.concatenate(written_step)
        time = np.concatenate(written_time)
        # Written step by step across cases: regroup by case, keeping each case's order.
        order = np.argsort(case, kind="stable")
        case, step, time = case[order], step[order], time[order]
    else:
        case = np.zeros(0, dtype=np.intp)
        step = np.zeros(0, dtype=np.intp)
        time = np.zeros(0, dtype=np.int64)
    width = len(str(cases))
    labels = [f"case-{k:0{width}d}" for k in range(1, cases + 1)]
    names = [s.name for s in steps]
    owners = [s.owner or "" if isinstance(s, Touchpoint | DecisionPoint) else "" for s in steps]
    stamps = pd.DatetimeIndex(time.astype("datetime64[us]")).tz_localize("UTC")
    return pd.DataFrame(
        {
            COLUMNS[0]: _strings(labels, case),
            COLUMNS[1]: _strings(names, step),
            COLUMNS[2]: stamps,
            COLUMNS[3]: _strings(owners, step),
        }
    )


def _strings(values: list[str], at: npt.NDArray[np.intp]) -> Any:
    """``values[at]`` as pandas' text column (an arrow ``take``: ten times faster
    than pandas converting Python strings one by one)."""
    import pyarrow as pa

    return pa.array(values, type=pa.string()).take(pa.array(at)).to_pandas()
