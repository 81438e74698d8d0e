"""Funnels: how many journeys reach each of some chosen steps, in order (Adobe-style fallout).

:func:`funnel` follows a list of steps, by id, and counts at each how many
journeys got that far: on an event log, cases; on a designed journey, the
expected share of journeys, exactly, from its Markov chain.

Two modes:

``eventually``
    A journey reaches step ``k`` when it visits ``s1``, then ``s2`` at some
    later point, ..., then ``sk``. A step may repeat (``a, a`` asks for a
    second visit to ``a``).
``directly``
    The steps occur as one contiguous run: reaching step ``k`` means
    ``s1, s2, ..., sk`` occur one right after the other somewhere in the
    journey.

Each record holds ``step, reached, share_of_start, share_of_previous,
dropped``: ``share_of_start`` is ``reached`` over ``reached`` at the first
step, ``share_of_previous`` over ``reached`` at the step before (1 at the
first step), ``dropped`` the difference from the step before (0 at the
first step). A share whose denominator is 0 (nobody reached the step it
divides by) is None; the first step's ``share_of_previous`` is 1 all the same.

On an event log (``reached`` counts cases, an int):

- The log is read as :func:`~cxgraph.discover` reads it (the same keywords,
  column detection, ordering and errors); steps are the ids ``discover``
  gives the activities (:func:`~cxgraph.mining.sequences.step_ids`).
- ``eventually`` matches each case greedily (the first ``s1``, then the
  first ``s2`` after it, ...), which finds a match whenever one exists.
- Engines ``numpy`` (vectorised over events: one pass per step) and
  ``duckdb`` (SQL over the log where it lies; it reads the log twice, once to
  learn the activities and their ids, once to count) give identical counts.

On a journey (``reached`` is a probability, the expected share of journeys):

- ``eventually``: by the Markov property the chance of ``s1, then s2, ...``
  is ``P(reach s1) * P(reach s2 after s1) * ...``; each factor is a hitting
  probability, solved exactly with the factorisation of the chain that
  :func:`~cxgraph.markov` made: ``P(reach t after u) = (N[u, t] - [u = t]) /
  N[t, t]`` with ``N = (I - Q)^-1`` (for an outcome ``t``, the share of
  journeys from ``u`` that end there).
- ``directly``: the chain is run together with a matcher of the steps
  (a Knuth-Morris-Pratt automaton: how much of ``s1..sk`` the journey's last
  steps spell), which adds ``k - 1`` states to the chain; one factorisation
  of that chain, and a solve per step, give every step's share. Where ``s1``
  is visited at most once (an acyclic journey) this is ``P(reach s1)`` times
  the probabilities of the edges ``s1 -> s2 -> ... -> sk``; around a loop it
  also counts a run that starts at a later visit of ``s1``, as the log does.
- The engine and the column keywords are not used; the journey must give
  probabilities (or counts) on every edge out of a step with several ways
  out, and have an entry.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="Shop",
...     touchpoints=[cx.Touchpoint(id="visit", name="Visit"),
...                  cx.Touchpoint(id="cart", name="Cart"),
...                  cx.Touchpoint(id="pay", name="Pay")],
...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
...               cx.Outcome(id="lost", name="Lost", kind="failure")],
...     transitions=[cx.Transition(source="visit", target="cart", probability=0.5),
...                  cx.Transition(source="visit", target="lost", probability=0.5),
...                  cx.Transition(source="cart", target="pay", probability=0.8),
...                  cx.Transition(source="cart", target="lost", probability=0.2),
...                  cx.Transition(source="pay", target="won", probability=1.0)])
>>> f = funnel(j, ["visit", "cart", "pay"])
>>> [round(s.reached, 6) for s in f], [round(s.share_of_previous, 6) for s in f]
([1.0, 0.5, 0.4], [1.0, 0.5, 0.8])
>>> print(f.describe(f[2]))
'Pay' (pay): 40% of journeys (40% of the first step, 80% of the step before); 10% drop out before it
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from attrs import field, frozen

from cxgraph._util.numbers import pct_text
from cxgraph._util.text import choices_text, describe, plural
from cxgraph.analyses.flow import step_label
from cxgraph.analyses.markov import markov
from cxgraph.analyses.results import AnalysisResult
from cxgraph.analyses.sequence_reach import directly_reached, eventually_reached
from cxgraph.errors import CxgraphError
from cxgraph.graph import entry_weights
from cxgraph.mining.simulate import unweighted_steps
from cxgraph.model.classes import Journey

__all__ = ["ENGINES", "MODES", "Funnel", "FunnelError", "FunnelStep", "funnel"]

#: The modes of :func:`funnel`.
MODES: tuple[str, ...] = ("eventually", "directly")
#: The engines :func:`funnel` runs on for an event log.
ENGINES: tuple[str, ...] = ("numpy", "duckdb")


class FunnelError(CxgraphError, ValueError):
    """The steps, mode or engine of a funnel are not valid, or its journey gives no numbers."""


@frozen(kw_only=True)
class FunnelStep:
    """One step of a funnel.

    ``reached`` counts the cases (an int) or the expected share of journeys
    (a float in [0, 1]) that got this far; ``share_of_start`` and
    ``share_of_previous`` divide it by ``reached`` at the first step and at
    the step before (None when that is 0); ``dropped`` is how many fewer than
    at the step before.
    """

    step: str
    reached: int | float
    share_of_start: float | None
    share_of_previous: float | None
    dropped: int | float


@frozen(kw_only=True, repr=False)
class Funnel(AnalysisResult[FunnelStep]):
    """How many journeys reach each step of a funnel, in order.

    One finding per step, in the funnel's order. Besides them: ``mode``
    (``eventually`` or ``directly``), ``source`` (``events``: ``reached``
    counts cases; ``journey``: it is a probability), ``cases`` (how many
    cases the log has; None for a journey) and ``step_names`` (id → name).
    """

    name: ClassVar[str] = "funnel"
    title: ClassVar[str] = "Funnel"

    mode: str
    source: str
    cases: int | None = None
    step_names: Mapping[str, str] = field(factory=dict, eq=False, hash=False)

    def _amount(self, value: float) -> str:
        if self.source == "events":
            return plural(int(value), "case")
        return f"{pct_text(value)} of journeys"

    def summary(self) -> str:
        """One sentence: the mode, how many start and how many reach the last step."""
        n = len(self.findings)
        over = (
            f"over {plural(self.cases or 0, 'case')}"
            if self.source == "events"
            else "on the journey's Markov chain"
        )
        head = f"{plural(n, 'step')}, {self.mode} followed, {over}"
        if not self.findings:
            return head
        first, last = self.findings[0], self.findings[-1]
        if first.reached <= 0:
            return f"{head}: none reach the first step"
        return (
            f"{head}: {self._amount(first.reached)} reach the first step, "
            f"{self._amount(last.reached)} the last ({pct_text(last.share_of_start or 0.0)})"
        )

    def describe(self, finding: FunnelStep) -> str:
        """One step in plain words: how many reached it, the shares, and the drop."""
        label = step_label(self.step_names, finding.step)
        text = f"{label}: {self._amount(finding.reached)}"
        if finding is self.findings[0]:
            return text + " start the funnel"
        shares = [
            f"{pct_text(share)} of {what}"
            for share, what in (
                (finding.share_of_start, "the first step"),
                (finding.share_of_previous, "the step before"),
            )
            if share is not None
        ]
        if shares:
            text += f" ({', '.join(shares)})"
        dropped = (
            plural(int(finding.dropped), "case")
            if self.source == "events"
            else pct_text(finding.dropped)
        )
        return text + f"; {dropped} drop out before it"


def funnel(
    source: Any,
    steps: Sequence[str],
    *,
    mode: str = "eventually",
    engine: str = "numpy",
    case: str = "case:concept:name",
    activity: str = "concept:name",
    timestamp: str | None = "time:timestamp",
    resource: str | None = "org:resource",
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
) -> Funnel:
    """How many journeys reach each of ``steps``, in order.

    Parameters
    ----------
    source
        A :class:`~cxgraph.Journey` (expected shares from its Markov chain) or
        an event log as :func:`~cxgraph.discover` reads it (a DataFrame, an
        arrow table, or a path to a CSV, Parquet or XES file; cases counted).
    steps
        The step ids, in funnel order (a list or tuple of text, not empty; a
        step may repeat). For a log, the ids ``discover`` gives the activities.
    mode
        ``eventually`` (each step at some later point) or ``directly`` (the
        steps as one contiguous run).
    engine
        ``numpy`` or ``duckdb`` (for a log; a journey ignores it).
    case, activity, timestamp, resource, start_timestamp, lifecycle
        The columns and options of :func:`~cxgraph.discover` (for a log).

    Returns
    -------
    Funnel
        One :class:`FunnelStep` per step, in order.

    Raises
    ------
    TypeError
        If ``steps`` is not a list or tuple of text.
    FunnelError
        If ``steps`` is empty, a step is unknown (every unknown step named,
        with the known ids or the closest), ``mode`` or ``engine`` is not one
        of the choices, or the journey has a step with several ways out and
        neither probabilities nor counts on them, or no entry. Also a
        ``ValueError``.
    CxgraphError
        For a log ``discover`` cannot read (the same errors), or a journey
        with a closed loop (as :func:`~cxgraph.markov`).

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "case:concept:name": [1, 1, 1, 2, 2, 3, 3],
    ...     "concept:name": ["Visit", "Browse", "Pay", "Visit", "Pay", "Browse", "Pay"],
    ...     "time:timestamp": [1, 2, 3, 1, 2, 1, 2]})
    >>> f = funnel(log, ["visit", "pay"])
    >>> [(s.step, s.reached, s.dropped) for s in f]
    [('visit', 2, 0), ('pay', 2, 0)]
    >>> [(s.step, s.reached, s.share_of_start) for s in funnel(log, ["visit", "pay"],
    ...                                                          mode="directly")]
    [('visit', 2, 1.0), ('pay', 1, 0.5)]
    >>> f.summary()
    '2 steps, eventually followed, over 3 cases: 2 cases reach the first step, 2 cases the last (100%)'
    >>> funnel(log, ["Visit", "pay"])
    Traceback (most recent call last):
    ...
    cxgraph.mining.funnel.FunnelError: funnel(): unknown step 'Visit' (known: 'visit', 'browse', 'pay'); 'Visit' is the activity of step 'visit': steps go by id
    """  # noqa: E501
    wanted = _check_steps(steps)
    if mode not in MODES:
        choices = choices_text(str(mode), MODES, word="choices")
        msg = f"funnel(): unknown mode {mode!r} {choices}"
        raise FunnelError(msg)
    if engine not in ENGINES:
        why = " (a funnel runs on numpy or duckdb)" if engine == "spark" else ""
        msg = (
            f"funnel(): unknown engine {engine!r} "
            f"{choices_text(str(engine), ENGINES, word='choices')}{why}"
        )
        raise FunnelError(msg)
    if isinstance(source, Journey):
        return _journey_funnel(source, wanted, mode)
    columns = {
        "case": case,
        "activity": activity,
        "timestamp": timestamp,
        "resource": resource,
        "start_timestamp": start_timestamp,
        "lifecycle": lifecycle,
    }
    if engine == "duckdb":
        reached, n_cases, names = _duckdb_reached(source, wanted, mode, columns)
    else:
        reached, n_cases, names = _numpy_reached(source, wanted, mode, columns)
    return _result(wanted, reached, mode, "events", n_cases, names)


# -- arguments ---------------------------------------------------------------------


def _check_steps(steps: object) -> tuple[str, ...]:
    if not isinstance(steps, list | tuple):
        msg = f"funnel(): steps is a list of step ids, got {describe(steps)}"
        raise TypeError(msg)
    bad = [f"steps[{i}] is {describe(s)}" for i, s in enumerate(steps) if not isinstance(s, str)]
    if bad:
        msg = "funnel(): steps is a list of step ids (text): " + "; ".join(bad)
        raise TypeError(msg)
    if not steps:
        msg = "funnel(): steps is empty: name at least one step id"
        raise FunnelError(msg)
    return tuple(steps)


def _check_known(
    wanted: tuple[str, ...], ids: Sequence[str], names: Mapping[str, str], word: str
) -> None:
    """Raise once for every unknown step, hinting at a step given by its ``word`` (name)."""
    known = set(ids)
    by_name: dict[str, list[str]] = {}
    for i in ids:
        by_name.setdefault(names.get(i, i), []).append(i)
    problems = []
    for s in dict.fromkeys(wanted):
        if s in known:
            continue
        text = f"unknown step {s!r} {choices_text(s, list(ids))}"
        if len(by_name.get(s, ())) == 1:
            text += f"; {s!r} is the {word} of step {by_name[s][0]!r}: steps go by id"
        problems.append(text)
    if problems:
        raise FunnelError("funnel(): " + "\n".join(problems))


def _result(
    wanted: tuple[str, ...],
    reached: list[Any],
    mode: str,
    source: str,
    cases: int | None,
    names: Mapping[str, str],
) -> Funnel:
    start = reached[0]
    findings = []
    for k, (s, r) in enumerate(zip(wanted, reached, strict=True)):
        before = reached[k - 1] if k else r
        findings.append(
            FunnelStep(
                step=s,
                reached=r,
                share_of_start=min(r / start, 1.0) if start > 0 else None,
                share_of_previous=1.0 if k == 0 else min(r / before, 1.0) if before > 0 else None,
                dropped=before - r,
            )
        )
    return Funnel(
        findings=tuple(findings),
        mode=mode,
        source=source,
        cases=cases,
        step_names={s: names.get(s, s) for s in wanted},
    )


# -- on a journey ----------------------------------------------------------------------


def _journey_funnel(journey: Journey, wanted: tuple[str, ...], mode: str) -> Funnel:
    names = {s.id: s.name for s in journey.steps}
    _check_known(wanted, [s.id for s in journey.steps], names, "name")
    model = markov(journey)
    bad = unweighted_steps(journey, model)
    if bad:
        listed = ", ".join(step_label(names, s) for s in bad)
        msg = (
            f"funnel() needs probabilities: the ways out of {listed} carry neither "
            "probabilities nor counts; give each edge out of a step with several ways out "
            "a probability (or a count)"
        )
        raise FunnelError(msg)
    if math.fsum(entry_weights(journey)[0].values()) <= 0:
        msg = f"funnel(): the journey {journey.id!r} has no entry: declare entries"
        raise FunnelError(msg)
    # Hitting probabilities: solves with the chain the model has factorised.
    if mode == "eventually":
        reached = eventually_reached(model, wanted)
    else:
        reached = directly_reached(model, wanted)
    for k in range(1, len(reached)):  # round-off must not let a later step gain
        reached[k] = min(max(reached[k], 0.0), reached[k - 1])
    return _result(wanted, reached, mode, "journey", None, names)


# -- on an event log -------------------------------------------------------------------


def _numpy_reached(
    events: Any, wanted: tuple[str, ...], mode: str, columns: dict[str, Any]
) -> tuple[list[int], int, dict[str, str]]:
    import numpy as np

    from cxgraph.mining.sequences import read_sequences

    seq = read_sequences(events, **columns)
    names = dict(zip(seq.ids, seq.activities, strict=True))
    _check_known(wanted, seq.ids, names, "activity")
    code = {s: c for c, s in enumerate(seq.ids)}
    act, bounds = seq.activity, seq.bounds
    case_of = np.repeat(np.arange(seq.n_cases), np.diff(bounds))
    reached: list[int] = []
    if mode == "eventually":
        # Per case, the position of the step matched last (-1 before the case's start).
        at = bounds[:-1] - 1
        for s in wanted:
            idx = np.flatnonzero(act == code[s])
            idx = idx[idx > at[case_of[idx]]]
            # The first such event of each case: greedy matching.
            first = np.ones(idx.size, dtype=bool)
            first[1:] = case_of[idx[1:]] != case_of[idx[:-1]]
            idx = idx[first]
            alive = case_of[idx]
            reached.append(int(alive.size))
            at = np.full(seq.n_cases, seq.n_events, dtype=np.int64)
            at[alive] = idx
    else:
        # Events where a run of the steps so far starts.
        starts = np.flatnonzero(act == code[wanted[0]])
        ends = bounds[1:]
        for i, s in enumerate(wanted):
            if i:
                nxt = starts + i
                inside = nxt < ends[case_of[starts]]
                starts = starts[inside]
                starts = starts[act[starts + i] == code[s]]
            cases = case_of[starts]
            reached.append(int(np.count_nonzero(np.diff(cases)) + 1) if cases.size else 0)
    return reached, seq.n_cases, names


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duckdb_reached(
    events: Any, wanted: tuple[str, ...], mode: str, columns: dict[str, Any]
) -> tuple[list[int], int, dict[str, str]]:
    from cxgraph.mining.duckdb_engine import duckdb_query
    from cxgraph.mining.sequences import step_ids
    from cxgraph.readwrite.eventlog import log_kind

    kind = log_kind(events)
    purpose = "funnel(engine='duckdb')"
    # The ids come from every activity in order of first appearance: learn them first.
    _, activities, _ = duckdb_query(events, kind, lambda _: "SELECT 1", purpose=purpose, **columns)
    ids = step_ids(activities)
    names = dict(zip(ids, activities, strict=True))
    _check_known(wanted, ids, names, "activity")
    acts = [_literal(names[s]) for s in wanted]
    k = len(wanted)
    if mode == "eventually":
        ctes = [f", cx_f0 AS (SELECT c, MIN(pos) AS p FROM cx_flow WHERE a = {acts[0]} GROUP BY c)"]
        ctes += [
            f", cx_f{i} AS (SELECT f.c, MIN(f.pos) AS p FROM cx_flow f JOIN cx_f{i - 1} g "
            f"ON f.c = g.c WHERE f.a = {acts[i]} AND f.pos > g.p GROUP BY f.c)"
            for i in range(1, k)
        ]
        counts = [f"(SELECT COUNT(*) FROM cx_f{i})" for i in range(k)]
        sql = "\n".join(
            [*ctes, f"SELECT (SELECT COUNT(DISTINCT c) FROM cx_flow), {', '.join(counts)}"]
        )
    else:
        leads = "".join(f", LEAD(a, {i}) OVER w AS a{i}" for i in range(1, k))
        conds = [f"a0 = {acts[0]}"]
        for i in range(1, k):
            conds.append(f"{conds[-1]} AND a{i} = {acts[i]}")
        counts = [f"COUNT(DISTINCT CASE WHEN {c} THEN c END)" for c in conds]
        sql = (
            f", cx_runs AS (SELECT c, a AS a0{leads} FROM cx_flow "
            "WINDOW w AS (PARTITION BY c ORDER BY pos))\n"
            f"SELECT (SELECT COUNT(DISTINCT c) FROM cx_flow), {', '.join(counts)} "
            f"FROM cx_runs WHERE {conds[0]}"
        )
    _, _, rows = duckdb_query(events, kind, lambda _: sql, purpose=purpose, **columns)
    n_cases, *reached = (int(v or 0) for v in rows[0])
    return reached, n_cases, names
