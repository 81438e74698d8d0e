"""A log's cases as runs of events in time order: what every numpy function of ``mining`` reads.

:func:`read_sequences` reads a log with the rules of ``discover`` (the same
keywords, defaults, column detection and errors) and sorts it once;
:class:`Sequences` holds the events by case, then time (ties keep row
order), with the bounds of each case, the step ids ``discover`` gives the
activities, and the positions in the input (to gather any other column).

Examples
--------
>>> import pandas as pd
>>> log = pd.DataFrame({"case": ["b", "a", "a"], "activity": ["Pay", "Visit", "Pay"],
...                     "timestamp": ["2024-05-01T10:05Z", "2024-05-01T10:00Z",
...                                   "2024-05-01T10:01Z"]})
>>> seq = read_sequences(log)
>>> [seq.case_steps(i) for i in range(seq.n_cases)]
[('pay',), ('visit', 'pay')]
>>> seq.bounds.tolist(), seq.ids
([0, 1, 3], ('pay', 'visit'))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from cxgraph._util.text import unique_ids

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from cxgraph.readwrite.columns import EventColumns

__all__ = ["END", "Sequences", "read_sequences", "sequences", "step_ids"]

#: The id of the outcome a case flows into when it ends at no outcome activity.
END = "end"


def step_ids(activities: tuple[str, ...]) -> tuple[str, ...]:
    """The ids ``discover`` gives activities listed in order of first appearance.

    >>> step_ids(("Visit", "visit", "End"))
    ('visit', 'visit-2', 'end-2')
    """
    return tuple(unique_ids(activities, reserved={END}))


@frozen(kw_only=True, eq=False)
class Sequences:
    """The events of a log by case, then time.

    Attributes
    ----------
    activity
        Activity codes in case and time order (index ``activities`` and ``ids``).
    time
        The times in the same order (``cols.time``: microseconds for date-times).
    order
        For each event here, its position in the input (gather other columns with it).
    bounds
        Case ``i`` is events ``bounds[i]:bounds[i + 1]``; cases in order of
        first appearance in the input.
    case_codes
        The case code (``cols.case``) of each case ``i``.
    activities, ids
        The activity names by code and the step ids ``discover`` gives them.
    cols
        The columns as read (:class:`~cxgraph.readwrite.columns.EventColumns`).
    """

    activity: npt.NDArray[np.int64]
    time: npt.NDArray[Any]
    order: npt.NDArray[np.intp]
    bounds: npt.NDArray[np.int64]
    case_codes: npt.NDArray[np.intp]
    activities: tuple[str, ...]
    ids: tuple[str, ...]
    cols: EventColumns

    @property
    def n_cases(self) -> int:
        """How many cases the log has."""
        return int(self.bounds.shape[0]) - 1

    @property
    def n_events(self) -> int:
        """How many events the log has."""
        return int(self.activity.shape[0])

    @property
    def case_ids(self) -> Any:
        """The case ids, one per case, as they were in the log."""
        return self.cols.cases[self.case_codes]

    @property
    def time_kind(self) -> str:
        """``datetime``, ``number`` or ``row`` (see ``EventColumns.time_kind``)."""
        return self.cols.time_kind

    def case_steps(self, i: int) -> tuple[str, ...]:
        """The step ids of case ``i`` in time order."""
        lo, hi = int(self.bounds[i]), int(self.bounds[i + 1])
        return tuple(self.ids[a] for a in self.activity[lo:hi].tolist())

    def firsts(self) -> npt.NDArray[np.bool_]:
        """True at each case's first event."""
        import numpy as np

        first = np.zeros(self.n_events, dtype=bool)
        first[self.bounds[:-1]] = True
        return first

    def lasts(self) -> npt.NDArray[np.bool_]:
        """True at each case's last event."""
        import numpy as np

        last = np.zeros(self.n_events, dtype=bool)
        last[self.bounds[1:] - 1] = True
        return last


def sequences(cols: EventColumns) -> Sequences:
    """Sort read columns into :class:`Sequences` (one stable sort by case, then time)."""
    import numpy as np

    order = cols.order()
    per_case = np.bincount(cols.case)
    # Columns subset to some cases (EventColumns.subset) leave codes unused.
    codes = np.flatnonzero(per_case)
    per_case = per_case[codes]
    bounds = np.zeros(per_case.shape[0] + 1, dtype=np.int64)
    np.cumsum(per_case, out=bounds[1:])
    return Sequences(
        case_codes=codes,
        activity=cols.activity[order],
        time=cols.time[order],
        order=order,
        bounds=bounds,
        activities=cols.activities,
        ids=step_ids(cols.activities),
        cols=cols,
    )


def read_sequences(
    events: Any,
    *,
    case: str = "case:concept:name",
    activity: str = "concept:name",
    timestamp: str | None = "time:timestamp",
    resource: str | None = "org:resource",
    start_timestamp: str | None = None,
    lifecycle: str | None = None,
) -> Sequences:
    """Read an event log (as ``discover`` reads it) into :class:`Sequences`."""
    from cxgraph.readwrite import eventlog as EL

    cols = EL.read_events(
        events,
        case=case,
        activity=activity,
        timestamp=timestamp,
        resource=resource,
        start_timestamp=start_timestamp,
        lifecycle=lifecycle,
    )
    return sequences(cols)
