"""The journey as an absorbing Markov chain: conversion, visits and removal effects.

The customer moves along transitions and hand-offs (triggers move the
organisation, not the customer, and are ignored). Out of each step the chain
uses the ``probability`` values, else ``count`` proportions, else equal
shares; journeys start from the entries (:func:`cxgraph.graph.entry_weights`)
weighted the same way. ``basis`` names what the numbers rest on across the
steps the entries reach: ``probability``, ``count``, ``uniform`` or
``mixed``. A step with a single way out and no numbers on it, like a single
unweighted entry, is certain whatever the basis and does not count; a
journey with no numbers at all is ``uniform``.

Outcomes absorb. A touchpoint or decision with no way out is a *dead end*:
the journey stops there without an outcome, which counts as no conversion
(its share is ``dead_end_probability``). Steps the entries cannot reach have
visit probability 0. A loop the customer can enter but never leave (no
edge with a positive probability or count out of it, and no dead end in it)
is a :class:`~cxgraph.CxgraphError` naming its steps; such a loop that only
triggers lead to holds no customer and is no error.

Everything is exact linear algebra on ``Q`` (moves between non-outcome
steps) and ``N = (I - Q)^-1``, never simulation. Expected visits come from one
sparse LU factorisation; the probability of ever reaching a step ``c`` is
``hit(c) = visits(c) / N[c, c]``, and since a return to ``c`` never leaves
its strongly connected component, ``N[c, c]`` is read off the inverse of
``I - Q`` restricted to that component (1 for a step on no loop). The removal
effect of ``c`` is ``1 - P(conversion without c) / P(conversion)`` with
``P(conversion without c) = P(conversion) - hit(c) * P(conversion from c)``:
taking ``c`` out sends its inflow to a dead end, and only journeys that
reach ``c`` change. So every step's effect comes from that one factorisation.
For a set of steps (a channel's, an owner's) the chain with the set taken out
is solved once more, as a low-rank (Woodbury) update of the same
factorisation when the set has at most 32 steps.

Bounds and cost: a journey of 100,000 mostly acyclic steps takes about two
seconds, nearly all of it building the result. A loop (strongly connected
component) of up to ``max_component`` steps (5,000 by default) is inverted
exactly: small loops together in batches, larger ones by sparse LU, or
densely once the LU fills in (a 5,000-step loop: about a second when it is
sparse, 10 to 25 seconds on two cores in the dense worst case). Steps of a
larger loop are left out of ``visit_probability`` and of the per-step
removal effects, and listed in ``left_out``, rather than run for hours;
their expected visits, the outcome probabilities, ``reach_probability`` and
the removal effects by channel or owner stay exact for every step.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(id="j", name="Shop",
...     touchpoints=[cx.Touchpoint(id="visit", name="Visit"),
...                  cx.Touchpoint(id="trial", name="Free trial"),
...                  cx.Touchpoint(id="browse", name="Browse")],
...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
...               cx.Outcome(id="lost", name="Lost", kind="failure")],
...     transitions=[cx.Transition(source="visit", target="trial", probability=0.6),
...                  cx.Transition(source="visit", target="browse", probability=0.4),
...                  cx.Transition(source="trial", target="won"),
...                  cx.Transition(source="browse", target="lost")])
>>> model = markov(j)
>>> model.conversion_probability, model.basis
(0.6, 'probability')
>>> dict(model.removal_effects())
{'browse': 0.0, 'lost': 0.0, 'trial': 1.0, 'visit': 1.0, 'won': 1.0}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, cast

import attrs
from attrs import field, frozen

from cxgraph._cache import cached
from cxgraph._display import esc, safe_html, table
from cxgraph._fields import choices_text
from cxgraph.analyses._base import SHOW, AnalysisResult
from cxgraph.errors import CxgraphError
from cxgraph.graph import entry_weights
from cxgraph.model import DecisionPoint, Handoff, Journey, Touchpoint, Transition

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]

__all__ = ["BASES", "MAX_COMPONENT", "MarkovModel", "MarkovStep", "RemovalEffects", "markov"]

#: What ``removal_effects(by=...)`` groups steps by.
BY: tuple[str, ...] = ("step", "channel", "owner")
#: Every value ``MarkovModel.basis`` can take.
BASES: tuple[str, ...] = ("probability", "count", "uniform", "mixed")
#: The largest loop (strongly connected component) inverted exactly by default.
MAX_COMPONENT = 5_000

# Loops up to this size are inverted together, batched by size, in one numpy call
# each: a discovered journey can hold thousands of two- and three-step loops.
_BATCH = 64
# Above this size a loop is inverted through sparse LU (solving for the
# identity's columns, a few at a time: SuperLU slows down sharply with many
# right-hand sides at once), unless the factors fill in past this share of a
# dense matrix, where a dense inverse is faster.
_DENSE = 300
_BLOCK = 16
_FILL = 0.1
# A set of at most this many steps is taken out by a low-rank (Woodbury) update
# of the factorisation already made; a larger one is factorised afresh.
_LOW_RANK = 32

_BASIS_WORDS = {
    "probability": "from the map's probabilities",
    "count": "from the counts on the map",
    "uniform": "assuming every option is equally likely",
    "mixed": "from probabilities, counts and equal splits mixed across steps",
}


# -- results ---------------------------------------------------------------------


@frozen(kw_only=True)
class MarkovStep:
    """One step of the chain.

    ``visit_probability`` is the share of journeys that ever reach the step,
    ``expected_visits`` the mean number of visits per journey (repeats
    counted; for an outcome, the share that ends there) and
    ``removal_effect`` the share of conversions lost without it. Both are
    None for a step left out (a loop over the size bound).
    """

    step: str
    visit_probability: float | None
    expected_visits: float
    removal_effect: float | None


def _ro(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(value))


class _Picklable:
    """Pickle support for frozen results with read-only mapping fields.

    ``MappingProxyType`` does not pickle: travel as dicts, come back read-only.
    """

    __slots__ = ()

    def __getstate__(self) -> dict[str, Any]:
        return {
            a.name: dict(v) if isinstance(v := getattr(self, a.name), MappingProxyType) else v
            for a in attrs.fields(cast(Any, type(self)))
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for a in attrs.fields(cast(Any, type(self))):
            value = state[a.name]
            object.__setattr__(self, a.name, _ro(value) if a.converter is _ro else value)


@frozen(kw_only=True, eq=False, repr=False, getstate_setstate=False)
class RemovalEffects(_Picklable, Mapping[str, float]):
    """Removal effects keyed by step, channel or owner id, sorted by key.

    A read-only mapping ``key -> 1 - P(conversion without it) / P(conversion)``
    (0 when nothing converts). ``conversion_without`` holds the conversion
    probability with each key taken out; ``left_out`` the keys not computed
    (steps of a loop over the size bound).

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="J",
    ...     channels=[cx.Channel(id="web", name="Website", kind="digital")],
    ...     touchpoints=[cx.Touchpoint(id="a", name="Landing page", channel="web")],
    ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
    ...     transitions=[cx.Transition(source="a", target="won")])
    >>> effects = markov(j).removal_effects(by="channel")
    >>> effects["web"], effects.to_records()
    (1.0, [{'channel': 'web', 'name': 'Website', 'removal_effect': 1.0, 'conversion_without': 0.0}])
    >>> effects
    <RemovalEffects by channel: conversion 100%, 1 channel>
      'Website' (web): removing it loses 100% of conversions
    """

    by: str
    effects: Mapping[str, float] = field(converter=_ro)
    conversion_without: Mapping[str, float] = field(converter=_ro)
    conversion_probability: float
    left_out: tuple[str, ...] = ()
    names: Mapping[str, str] = field(factory=dict, converter=_ro)

    def __getitem__(self, key: str) -> float:
        try:
            return self.effects[key]
        except KeyError:
            known = choices_text(str(key), list(self.effects))
            msg = f"no {self.by} {key!r} among the removal effects {known}"
            if key in self.left_out:
                msg = f"{self.by} {key!r} was left out: it lies in a loop over the size bound"
            raise KeyError(msg) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.effects)

    def __len__(self) -> int:
        return len(self.effects)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per key: the key, its name, ``removal_effect``, ``conversion_without``."""
        return [
            {
                self.by: k,
                "name": self.names.get(k, k),
                "removal_effect": e,
                "conversion_without": self.conversion_without[k],
            }
            for k, e in self.effects.items()
        ]

    def to_frame(self) -> pd.DataFrame:
        """The records as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            msg = "to_frame() needs pandas: pip install 'cxgraph[pandas]'"
            raise ImportError(msg) from exc
        columns = [self.by, "name", "removal_effect", "conversion_without"]
        return pd.DataFrame.from_records(self.to_records(), columns=columns)

    def _ranked(self) -> list[tuple[str, float]]:
        return sorted(self.effects.items(), key=lambda kv: (-kv[1], kv[0]))

    def __repr__(self) -> str:
        n = len(self.effects)
        head = (
            f"<RemovalEffects by {self.by}: conversion {_pct(self.conversion_probability)}, "
            f"{n} {self.by}{'s' if n != 1 else ''}"
            + (f", {len(self.left_out)} left out" if self.left_out else "")
            + ">"
        )
        ranked = self._ranked()
        lines = [
            f"  {_label(self.names, k)}: removing it loses {_pct(e)} of conversions"
            for k, e in ranked[:10]
        ]
        if n > 10:
            lines.append(f"  ... and {n - 10} more")
        return "\n".join([head, *lines])

    def _repr_html_(self) -> str:
        def render() -> str:
            rows: list[list[object]] = [
                [k, self.names.get(k, k), f"{e:.4g}", f"{self.conversion_without[k]:.4g}"]
                for k, e in self._ranked()[:10]
            ]
            return (
                f'<div style="font-family:sans-serif"><strong>Removal effects by '
                f"{esc(self.by)}</strong>: conversion {esc(_pct(self.conversion_probability))}"
                f"{table([self.by, 'name', 'removal_effect', 'conversion_without'], rows)}</div>"
            )

        return safe_html(render, lambda: repr(self))


@frozen(kw_only=True, repr=False, getstate_setstate=False)
class MarkovModel(_Picklable, AnalysisResult[MarkovStep]):
    """The journey solved as an absorbing Markov chain.

    Findings: one per step, sorted by id. Besides them:
    ``conversion_probability`` (ending in a success outcome),
    ``outcome_probabilities`` (outcome id → share of journeys ending there),
    ``dead_end_probability`` (share that stops at a dead end), ``expected_steps``
    (visits to touchpoints and decisions per journey, repeats counted),
    ``visit_probability`` and ``expected_visits`` (step id → value),
    ``transition_probability`` (edge → probability resolved on the basis) and
    ``edge_flow`` (edge → expected traversals per journey) over transitions and
    hand-offs, ``basis`` (``probability``, ``count``, ``uniform`` or ``mixed``),
    ``dead_ends`` (reachable steps with no way out) and ``left_out`` (steps of a
    loop over the size bound, missing from ``visit_probability`` and the
    per-step removal effects).
    """

    name: ClassVar[str] = "markov"
    title: ClassVar[str] = "Markov model"

    conversion_probability: float
    outcome_probabilities: Mapping[str, float] = field(converter=_ro, hash=False)
    dead_end_probability: float
    expected_steps: float
    visit_probability: Mapping[str, float] = field(converter=_ro, hash=False)
    expected_visits: Mapping[str, float] = field(converter=_ro, hash=False)
    transition_probability: Mapping[tuple[str, str], float] = field(converter=_ro, hash=False)
    edge_flow: Mapping[tuple[str, str], float] = field(converter=_ro, hash=False)
    basis: str
    dead_ends: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    step_names: Mapping[str, str] = field(converter=_ro, hash=False, eq=False)
    _chain: _Chain = field(eq=False, hash=False, alias="chain")

    @property
    def probabilities_known(self) -> bool:
        """True when the basis is ``probability`` or ``count``: flows and shares are data."""
        return self.basis in ("probability", "count")

    def reach_probability(self, steps: Iterable[str] | str) -> float:
        """The share of journeys that visit at least one of ``steps``.

        One sparse solve (a low-rank update for a few steps), exact also for
        steps left out of ``visit_probability``.

        Parameters
        ----------
        steps
            Step ids, or one step id.

        Returns
        -------
        float
            0 for no steps; ``visit_probability[s]`` for a single step ``s``.

        Raises
        ------
        CxgraphError
            If a step id is unknown.

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="J",
        ...     touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B"),
        ...                  cx.Touchpoint(id="c", name="C")],
        ...     outcomes=[cx.Outcome(id="end", name="End", kind="exit")],
        ...     transitions=[cx.Transition(source="a", target="b", probability=0.25),
        ...                  cx.Transition(source="a", target="c", probability=0.75),
        ...                  cx.Transition(source="b", target="end"),
        ...                  cx.Transition(source="c", target="end")])
        >>> markov(j).reach_probability(["b", "c"]), markov(j).reach_probability("b")
        (1.0, 0.25)
        """
        chain = self._chain
        wanted = [steps] if isinstance(steps, str) else list(steps)
        members = chain.members(wanted)
        return chain.reach(members)

    def removal_effects(self, by: str = "step") -> RemovalEffects:
        """``1 - P(conversion without it) / P(conversion)`` for each step, channel or owner.

        Taking a step out sends its inflow to a dead end; taking a channel or
        an owner out takes out every step in it (an owner's own steps, not
        its sub-teams'). Computed once per ``by`` and kept.

        Parameters
        ----------
        by
            ``"step"`` (every step, outcomes included), ``"channel"`` (every
            declared channel) or ``"owner"`` (every declared owner).

        Returns
        -------
        RemovalEffects
            A read-only mapping key → effect in [0, 1], sorted by key.

        Raises
        ------
        ValueError
            If ``by`` is not one of the choices.

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="J",
        ...     touchpoints=[cx.Touchpoint(id="a", name="A")],
        ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success")],
        ...     transitions=[cx.Transition(source="a", target="won")])
        >>> markov(j).removal_effects(by="phase")
        Traceback (most recent call last):
        ...
        ValueError: removal_effects(by='phase'): by must be one of 'step', 'channel', 'owner'
        """
        if by not in BY:
            choices = ", ".join(repr(b) for b in BY)
            msg = f"removal_effects(by={by!r}): by must be one of {choices}"
            raise ValueError(msg)
        cached = self._chain.effects.get(by)
        if cached is None:
            cached = self._step_effects() if by == "step" else self._set_effects(by)
            self._chain.effects[by] = cached
        return cached

    def _step_effects(self) -> RemovalEffects:
        chain = self._chain
        effects: dict[str, float] = {}
        without: dict[str, float] = {}
        for f in self.findings:
            if f.removal_effect is None:
                continue
            effects[f.step] = f.removal_effect
            without[f.step] = chain.without_step[f.step]
        return RemovalEffects(
            by="step",
            effects=effects,
            conversion_without=without,
            conversion_probability=self.conversion_probability,
            left_out=self.left_out,
            names=self.step_names,
        )

    def _set_effects(self, by: str) -> RemovalEffects:
        chain = self._chain
        groups = chain.groups[by]
        p = self.conversion_probability
        effects: dict[str, float] = {}
        without: dict[str, float] = {}
        for key in sorted(groups):
            members = groups[key]
            q = chain.conversion_without(members) if members else p
            q = min(max(q, 0.0), p)
            without[key] = q
            effects[key] = _clip(1.0 - q / p) if p > 0 else 0.0
        return RemovalEffects(
            by=by,
            effects=effects,
            conversion_without=without,
            conversion_probability=p,
            names=chain.group_names[by],
        )

    def _repr_html_(self) -> str:
        # The base table shows ids only; a journey team reads steps by name.
        def render() -> str:
            cols = ["step", "name", "visit_probability", "expected_visits", "removal_effect"]
            rows: list[list[object]] = [
                [
                    f.step,
                    self.step_names.get(f.step, f.step),
                    *(
                        "" if x is None else f"{x:.4g}"
                        for x in (f.visit_probability, f.expected_visits, f.removal_effect)
                    ),
                ]
                for f in self.findings[:SHOW]
            ]
            more = len(self.findings) - len(rows)
            tail = f"<p>... and {more} more</p>" if more > 0 else ""
            return (
                f'<div style="font-family:sans-serif"><strong>{esc(self.title)}</strong>: '
                f"{esc(self.summary())}{table(cols, rows) if rows else ''}{tail}</div>"
            )

        return safe_html(render, lambda: repr(self))

    def summary(self) -> str:
        """One sentence: conversion, the basis, steps per journey and dead ends."""
        parts = [
            f"conversion {_pct(self.conversion_probability)} "
            f"({_BASIS_WORDS.get(self.basis, self.basis)})",
            f"{self.expected_steps:.3g} steps per journey on average",
        ]
        if self.dead_end_probability > 0:
            parts.append(f"{_pct(self.dead_end_probability)} stop at a dead end")
        if not self._chain.has_entries:
            parts.append("no entry step: declare entries")
        if self.left_out:
            parts.append(
                f"{len(self.left_out)} steps left out (a loop over the size bound; "
                "raise max_component)"
            )
        return "; ".join(parts)

    def describe(self, finding: MarkovStep) -> str:
        """One step in plain words: how often it is reached and what it is worth."""
        label = _label(self.step_names, finding.step)
        chain = self._chain
        if finding.step in self.left_out:
            return (
                f"{label}: {finding.expected_visits:.3g} visits per journey on average; "
                "visit probability and removal effect left out (a loop over the size bound)"
            )
        visit = finding.visit_probability or 0.0
        effect = finding.removal_effect or 0.0
        if visit <= 0:
            return f"{label}: never reached from the entries"
        if finding.step in chain.outcome_kind:
            kind = chain.outcome_kind[finding.step]
            text = f"{label}: {_pct(visit)} of journeys end here ({kind})"
            if kind == "success":
                text += f"; removing it loses {_pct(effect)} of conversions"
            return text
        text = f"{label}: reached by {_pct(visit)} of journeys"
        if abs(finding.expected_visits - visit) > 1e-9:
            text += f" ({finding.expected_visits:.3g} visits on average)"
        if finding.step in self.dead_ends:
            return text + "; a dead end: the journey stops here without an outcome"
        return text + f"; removing it loses {_pct(effect)} of conversions"


# -- the solved chain --------------------------------------------------------------


class _Chain:
    """The factorised chain behind a model, kept so that later questions are cheap.

    Indices: every step has a global index (journey order); reachable
    touchpoints and decisions are the transient states (``transient`` holds
    their global indices, ``pos`` maps back, -1 elsewhere); outcomes have
    their own index (``opos``).
    """

    def __init__(
        self,
        *,
        index: dict[str, int],
        pos: IntArray,
        opos: IntArray,
        Q: Any,
        R: Any,
        success: npt.NDArray[np.bool_],
        alpha_t: FloatArray,
        alpha_o: FloatArray,
        v: FloatArray,
        outcome_kind: dict[str, str],
        groups: dict[str, dict[str, tuple[int, ...]]],
        group_names: dict[str, dict[str, str]],
        has_entries: bool,
    ) -> None:
        self.index = index
        self.pos = pos
        self.opos = opos
        self.Q = Q
        self.R = R
        self.success = success
        self.alpha_t = alpha_t
        self.alpha_o = alpha_o
        self.v = v
        self.outcome_kind = outcome_kind
        self.groups = groups
        self.group_names = group_names
        self.has_entries = has_entries
        self.without_step: dict[str, float] = {}
        self.effects: dict[str, RemovalEffects] = {}
        self._lu: Any = None

    # The SuperLU object does not pickle; a model that travelled factorises again.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_lu"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def lu(self) -> Any:
        if self._lu is None:
            self._lu = _factorise(self.Q)
        return self._lu

    def members(self, steps: list[str]) -> tuple[int, ...]:
        out: list[int] = []
        for s in steps:
            if not isinstance(s, str) or s not in self.index:
                known = choices_text(str(s), sorted(self.index))
                msg = f"reach_probability(): unknown step {s!r} {known}"
                raise CxgraphError(msg)
            out.append(self.index[s])
        return tuple(sorted(set(out)))

    def first_hits(self, members: tuple[int, ...]) -> tuple[FloatArray, FloatArray]:
        """Visits and outcome shares when the journey stops at the first of ``members``."""
        import numpy as np

        gidx = np.asarray(members, dtype=np.intp)
        st = self.pos[gidx]
        st = st[st >= 0]
        n = self.Q.shape[0]
        if st.size == 0:
            v2 = self.v
        elif st.size <= _LOW_RANK:
            # Woodbury: (I - Q') differs from (I - Q) in the rows of the set only.
            U = self.Q[st, :].T.toarray()
            Y = self.lu().solve(U, trans="T")
            small = np.eye(st.size) + Y[st, :]
            v2 = self.v - Y @ np.linalg.solve(small, self.v[st])
        else:
            keep = np.ones(n)
            keep[st] = 0.0
            from scipy import sparse

            Q2 = sparse.diags(keep) @ self.Q
            v2 = _factorise(Q2).solve(self.alpha_t, trans="T")
        # The set stops the journey: its own rows lead nowhere, outcomes included.
        cut = np.array(v2, dtype=np.float64)
        cut[st] = 0.0
        b2 = np.asarray(self.R.T @ cut, dtype=np.float64) + self.alpha_o
        return np.asarray(v2, dtype=np.float64), b2

    def reach(self, members: tuple[int, ...]) -> float:
        if not members:
            return 0.0
        v2, b2 = self.first_hits(members)
        total = 0.0
        for g in members:
            if self.pos[g] >= 0:
                total += float(v2[self.pos[g]])
            elif self.opos[g] >= 0:
                total += float(b2[self.opos[g]])
        return _clip(total)

    def conversion_without(self, members: tuple[int, ...]) -> float:
        import numpy as np

        _, b2 = self.first_hits(members)
        keep = self.success.copy()
        for g in members:
            if self.opos[g] >= 0:
                keep[self.opos[g]] = False
        return float(np.sum(b2[keep]))


def _factorise(Q: Any) -> Any:
    from scipy import sparse
    from scipy.sparse.linalg import splu

    n = Q.shape[0]
    return splu(sparse.csc_matrix(sparse.identity(n, format="csc") - Q))


# -- building the model ------------------------------------------------------------


def markov(journey: Journey, *, max_component: int = MAX_COMPONENT) -> MarkovModel:
    """Solve the journey as an absorbing Markov chain.

    Parameters
    ----------
    journey
        The journey to analyse.
    max_component
        The largest loop (strongly connected component of touchpoints and
        decisions) to invert exactly; steps of a larger one are left out of
        ``visit_probability`` and the per-step removal effects and listed in
        ``left_out``.

    Returns
    -------
    MarkovModel
        One finding per step (``step, visit_probability, expected_visits,
        removal_effect``), sorted by id, and the chain's summary numbers.

    Raises
    ------
    TypeError
        If ``journey`` is not a Journey.
    ValueError
        If ``max_component`` is not a positive integer.
    CxgraphError
        If the customer can enter a closed loop: steps that lead only to
        each other, never to an outcome or a dead end.

    Examples
    --------
    A customer who asks again half the time (two visits on average):

    >>> import cxgraph as cx
    >>> j = cx.Journey(id="j", name="Support",
    ...     touchpoints=[cx.Touchpoint(id="ask", name="Ask support")],
    ...     outcomes=[cx.Outcome(id="solved", name="Solved", kind="success")],
    ...     entries=["ask"],
    ...     transitions=[cx.Transition(source="ask", target="ask", count=5),
    ...                  cx.Transition(source="ask", target="solved", count=5)])
    >>> model = markov(j)
    >>> model.expected_visits["ask"], model.visit_probability["ask"], model.basis
    (2.0, 1.0, 'count')
    >>> print(model.describe(model.findings[0]))
    'Ask support' (ask): reached by 100% of journeys (2 visits on average); removing it loses 100% of conversions

    A loop with no way out is an error:

    >>> markov(j.with_changes(transitions=[cx.Transition(source="ask", target="ask")]))
    Traceback (most recent call last):
    ...
    cxgraph.errors.CxgraphError: the journey 'j' has a closed loop with no way out: ...
    """  # noqa: E501
    if not isinstance(journey, Journey):
        msg = f"markov() takes a Journey, got {type(journey).__name__}"  # type: ignore[unreachable]
        raise TypeError(msg)
    whole = isinstance(max_component, int) and not isinstance(max_component, bool)
    if not whole or max_component < 1:
        msg = f"markov(max_component={max_component!r}): expected a positive integer"
        raise ValueError(msg)
    # Inside cx.analyze several analyses need the same chain: solve it once.
    return cached(journey, f"markov:{max_component}", lambda: _solve(journey, max_component))


def _solve(journey: Journey, max_component: int) -> MarkovModel:
    import numpy as np
    from scipy import sparse
    from scipy.sparse import csgraph

    steps = journey.steps
    ids = [s.id for s in steps]
    names = {s.id: s.name for s in steps}
    index = {sid: i for i, sid in enumerate(ids)}
    n_all = len(ids)
    outcomes = journey.outcomes
    is_outcome = np.zeros(n_all, dtype=bool)
    opos = np.full(n_all, -1, dtype=np.intp)
    for k, o in enumerate(outcomes):
        is_outcome[index[o.id]] = True
        opos[index[o.id]] = k
    success = np.array([o.kind == "success" for o in outcomes], dtype=bool)

    # Resolve the probability of every customer-flow edge, step by step.
    out_edges: dict[str, list[Transition | Handoff]] = {}
    flow_edges: tuple[Transition | Handoff, ...] = (*journey.transitions, *journey.handoffs)
    for e in flow_edges:
        out_edges.setdefault(e.source, []).append(e)
    trans_p: dict[tuple[str, str], float] = {}
    step_basis: dict[int, str] = {}
    for source, edges in out_edges.items():
        weights, basis = _weigh([e.probability for e in edges], [e.count for e in edges])
        for e, w in zip(edges, weights, strict=True):
            trans_p[e.source, e.target] = w
        # One way out with no numbers is certain whatever the basis: it says nothing.
        if not (len(edges) == 1 and basis == "uniform"):
            step_basis[index[source]] = basis

    starts, entry_basis = entry_weights(journey)
    total = math.fsum(starts.values())
    if total > 0:
        starts = {s: w / total for s, w in starts.items()}
    alpha = np.zeros(n_all)
    for s, w in starts.items():
        alpha[index[s]] += w

    n_edges = len(trans_p)
    src = np.fromiter((index[u] for u, _ in trans_p), dtype=np.intp, count=n_edges)
    dst = np.fromiter((index[t] for _, t in trans_p), dtype=np.intp, count=n_edges)
    prob = np.fromiter(trans_p.values(), dtype=np.float64, count=n_edges)
    positive = prob > 0

    # Steps the customer can reach: breadth first from a virtual root over the
    # edges that carry some probability.
    root = n_all
    entry_idx = np.flatnonzero(alpha > 0)
    rows = np.concatenate([src[positive], np.full(entry_idx.size, root, dtype=np.intp)])
    cols = np.concatenate([dst[positive], entry_idx])
    reach_graph = sparse.csr_matrix(
        (np.ones(rows.size), (rows, cols)), shape=(n_all + 1, n_all + 1)
    )
    order = csgraph.breadth_first_order(reach_graph, root, directed=True, return_predecessors=False)
    reachable = np.zeros(n_all + 1, dtype=bool)
    reachable[order] = True
    reachable = reachable[:n_all]

    transient = np.flatnonzero(reachable & ~is_outcome)
    n_t = transient.size
    pos = np.full(n_all, -1, dtype=np.intp)
    pos[transient] = np.arange(n_t, dtype=np.intp)
    from_t = positive & (pos[src] >= 0)
    to_o = from_t & is_outcome[dst]
    to_t = from_t & ~is_outcome[dst]
    Q = sparse.csr_matrix((prob[to_t], (pos[src[to_t]], pos[dst[to_t]])), shape=(n_t, n_t))
    R = sparse.csr_matrix(
        (prob[to_o], (pos[src[to_o]], opos[dst[to_o]])), shape=(n_t, len(outcomes))
    )
    has_out = np.zeros(n_all, dtype=bool)
    has_out[src] = True
    dead = ~has_out[transient]

    n_comp, labels = csgraph.connected_components(Q, directed=True, connection="strong")
    _check_closed(journey, Q, R, dead, labels, n_comp, transient, ids, names)

    alpha_t = alpha[transient]
    alpha_o = np.zeros(len(outcomes))
    for k, o in enumerate(outcomes):
        alpha_o[k] = alpha[index[o.id]]
    r = np.asarray(R @ success.astype(np.float64), dtype=np.float64)
    lu = _factorise(Q) if n_t else None
    v = lu.solve(alpha_t, trans="T") if lu is not None else np.zeros(0)
    g = lu.solve(r) if lu is not None else np.zeros(0)
    v = np.maximum(v, 0.0)
    g = np.clip(g, 0.0, 1.0)
    b = np.asarray(R.T @ v, dtype=np.float64) + alpha_o
    conversion = _clip(float(np.sum(b[success])))
    dead_share = _clip(float(np.sum(v[dead])))

    n_diag, left = _inverse_diagonal(Q, labels, n_comp, max_component)
    with np.errstate(invalid="ignore"):
        hit = np.clip(v / n_diag, 0.0, 1.0)
    # Per step (global index): visit probability, expected visits and the
    # conversions that pass through it, which is what taking it out loses.
    visit_all = np.zeros(n_all)
    visits_all = np.zeros(n_all)
    loss_all = np.zeros(n_all)
    left_all = np.zeros(n_all, dtype=bool)
    visit_all[transient] = hit
    visits_all[transient] = v
    loss_all[transient] = hit * g
    left_all[transient] = left
    o_idx = np.array([index[o.id] for o in outcomes], dtype=np.intp)
    if o_idx.size:
        visit_all[o_idx] = b
        visits_all[o_idx] = b
        loss_all[o_idx] = np.where(success, b, 0.0)
    safe = conversion if conversion > 0 else 1.0  # effects are 0 when nothing converts
    effect_all = np.clip(loss_all / safe, 0.0, 1.0)
    without_all = np.clip(conversion - loss_all, 0.0, conversion)

    by_id = sorted(range(n_all), key=ids.__getitem__)
    sorted_ids = [ids[i] for i in by_id]
    per_step = zip(
        sorted_ids,
        visit_all[by_id].tolist(),
        visits_all[by_id].tolist(),
        effect_all[by_id].tolist(),
        without_all[by_id].tolist(),
        left_all[by_id].tolist(),
        strict=True,
    )
    findings_list: list[MarkovStep] = []
    visit: dict[str, float] = {}
    without: dict[str, float] = {}
    for sid, vp, ev, eff, wo, out in per_step:
        if out:
            findings_list.append(
                MarkovStep(
                    step=sid, visit_probability=None, expected_visits=ev, removal_effect=None
                )
            )
            continue
        visit[sid] = vp
        without[sid] = wo
        findings_list.append(
            MarkovStep(step=sid, visit_probability=vp, expected_visits=ev, removal_effect=eff)
        )
    findings = tuple(findings_list)
    visits = dict(zip(sorted_ids, visits_all[by_id].tolist(), strict=True))
    edge_keys = sorted(trans_p)
    src_pos = pos[src]
    flow_all = np.where(src_pos >= 0, v[np.maximum(src_pos, 0)] if n_t else 0.0, 0.0) * prob
    flow_by_key = dict(zip(trans_p, flow_all.tolist(), strict=True))
    bases = {step_basis[i] for i in transient.tolist() if i in step_basis}
    if not (entry_basis == "uniform" and len(starts) <= 1):
        bases.add(entry_basis)
    overall = "uniform" if not bases else bases.pop() if len(bases) == 1 else "mixed"

    chain = _Chain(
        index=index,
        pos=pos,
        opos=opos,
        Q=Q,
        R=R,
        success=success,
        alpha_t=alpha_t,
        alpha_o=alpha_o,
        v=v,
        outcome_kind={o.id: o.kind for o in outcomes},
        groups=_groups(journey, index),
        group_names={
            "channel": {c.id: c.name for c in journey.channels},
            "owner": {o.id: o.name for o in journey.owners},
        },
        has_entries=bool(entry_idx.size),
    )
    chain._lu = lu
    chain.without_step = without
    return MarkovModel(
        findings=findings,
        conversion_probability=conversion,
        outcome_probabilities={o.id: float(b[k]) for k, o in enumerate(outcomes)},
        dead_end_probability=dead_share,
        expected_steps=float(np.sum(v)),
        visit_probability=visit,
        expected_visits=visits,
        transition_probability={k: trans_p[k] for k in edge_keys},
        edge_flow={k: flow_by_key[k] for k in edge_keys},
        basis=overall,
        dead_ends=tuple(sorted(ids[i] for i in transient[dead])),
        left_out=tuple(sorted(ids[i] for i in transient[left])),
        step_names=names,
        chain=chain,
    )


def _weigh(probs: list[float | None], counts: list[int | None]) -> tuple[list[float], str]:
    """Probabilities out of one step, and the basis they rest on."""
    n = len(probs)
    if all(p is not None for p in probs):
        total = math.fsum(probs)  # type: ignore[arg-type]
        if total > 0:
            # Validation allows a sum within 1e-9 of 1: rescale so no mass leaks.
            return [p / total for p in probs], "probability"  # type: ignore[operator]
    if all(c is not None for c in counts):
        total = float(sum(counts))  # type: ignore[arg-type]
        if total > 0:
            return [c / total for c in counts], "count"  # type: ignore[operator]
    return [1.0 / n] * n, "uniform"


def _check_closed(
    journey: Journey,
    Q: Any,
    R: Any,
    dead: npt.NDArray[np.bool_],
    labels: IntArray,
    n_comp: int,
    transient: IntArray,
    ids: list[str],
    names: dict[str, str],
) -> None:
    """Raise if a reachable loop has no way out (the chain would never end)."""
    import numpy as np

    coo = Q.tocoo()
    exits = np.zeros(n_comp, dtype=bool)
    cross = labels[coo.row] != labels[coo.col]
    exits[labels[coo.row[cross]]] = True
    exits[labels[np.flatnonzero(np.diff(R.indptr))]] = True
    exits[labels[dead]] = True
    closed = np.flatnonzero(~exits)
    if closed.size == 0:
        return
    loops = sorted(sorted(ids[i] for i in transient[labels == c]) for c in closed)
    listed = ["{" + ", ".join(_label(names, s) for s in loop) + "}" for loop in loops]
    msg = (
        f"the journey {journey.id!r} has a closed loop with no way out: "
        + "; ".join(listed)
        + ". A customer who enters it never reaches an outcome: give one of its steps a "
        "transition (with a positive probability or count) to an outcome or to a step "
        "outside the loop"
    )
    raise CxgraphError(msg)


def _inverse_diagonal(
    Q: Any, labels: IntArray, n_comp: int, limit: int
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """``diag((I - Q)^-1)``, one strongly connected component at a time.

    A walk from ``c`` back to ``c`` never leaves ``c``'s component, so the
    diagonal entry only needs the inverse of that component's block. Returns
    the diagonal (NaN where left out) and which steps were left out.
    """
    import numpy as np

    n = Q.shape[0]
    diag = np.ones(n)
    left = np.zeros(n, dtype=bool)
    if n == 0:
        return diag, left
    sizes = np.bincount(labels, minlength=n_comp)
    size_of = sizes[labels]
    single = size_of == 1
    qd = Q.diagonal()
    diag[single] = 1.0 / (1.0 - qd[single])

    order = np.argsort(labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    local = np.empty(n, dtype=np.intp)
    local[order] = np.arange(n) - starts[labels[order]]
    coo = Q.tocoo()
    inside = labels[coo.row] == labels[coo.col]
    er, ec, ev = coo.row[inside], coo.col[inside], coo.data[inside]

    for s in np.unique(sizes[(sizes > 1) & (sizes <= min(_BATCH, limit))]):
        comps = np.flatnonzero(sizes == s)
        slot = np.full(n_comp, -1, dtype=np.intp)
        slot[comps] = np.arange(comps.size)
        block = np.zeros((comps.size, s, s))
        sel = sizes[labels[er]] == s
        block[slot[labels[er[sel]]], local[er[sel]], local[ec[sel]]] = ev[sel]
        inv = np.linalg.inv(np.eye(s) - block)
        nodes = np.flatnonzero(size_of == s)
        diag[nodes] = inv[slot[labels[nodes]], local[nodes], local[nodes]]

    for c in np.flatnonzero(sizes > _BATCH):
        nodes = order[starts[c] : starts[c] + sizes[c]]
        if sizes[c] > limit:
            left[nodes] = True
            diag[nodes] = np.nan
            continue
        diag[nodes] = _block_inverse_diagonal(Q[nodes][:, nodes])
    if limit < _BATCH:
        over = (size_of > limit) & (size_of > 1)
        left[over] = True
        diag[over] = np.nan
    return diag, left


def _block_inverse_diagonal(Qk: Any) -> FloatArray:
    """The diagonal of ``(I - Qk)^-1`` for one component's block."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse.linalg import splu

    m = Qk.shape[0]
    if m > _DENSE:
        lu = splu(sparse.csc_matrix(sparse.identity(m, format="csc") - Qk))
        # Solving for identity columns costs about m * nnz(L + U); a dense
        # inverse 2 m^3 at BLAS speed, which wins once the factors fill in.
        if lu.nnz <= m * m * _FILL:
            out = np.empty(m)
            for lo in range(0, m, _BLOCK):
                hi = min(m, lo + _BLOCK)
                cols = np.arange(hi - lo)
                rhs = np.zeros((m, hi - lo), order="F")
                rhs[lo + cols, cols] = 1.0
                out[lo:hi] = lu.solve(rhs)[lo + cols, cols]
            return out
    return np.asarray(np.diag(np.linalg.inv(np.eye(m) - Qk.toarray())), dtype=np.float64)


def _groups(journey: Journey, index: dict[str, int]) -> dict[str, dict[str, tuple[int, ...]]]:
    """Steps per declared channel and per declared owner (global indices)."""
    channel: dict[str, list[int]] = {c.id: [] for c in journey.channels}
    owner: dict[str, list[int]] = {o.id: [] for o in journey.owners}
    for s in journey.steps:
        if isinstance(s, Touchpoint) and s.channel is not None:
            channel.setdefault(s.channel, []).append(index[s.id])
        if isinstance(s, Touchpoint | DecisionPoint) and s.owner is not None:
            owner.setdefault(s.owner, []).append(index[s.id])
    return {
        "channel": {k: tuple(v) for k, v in channel.items()},
        "owner": {k: tuple(v) for k, v in owner.items()},
    }


# -- words -------------------------------------------------------------------------


def _clip(x: float) -> float:
    # Round-off can put an exact 0 or 1 a hair outside [0, 1].
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def _pct(x: float) -> str:
    return f"{100 * x:.3g}%"


def _label(names: Mapping[str, str], key: str) -> str:
    name = names.get(key)
    return f"{name!r} ({key})" if name and name != key else repr(key)
