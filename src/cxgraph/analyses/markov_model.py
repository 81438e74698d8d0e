"""What ``markov`` returns: the model (MarkovModel), its steps, and removal effects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, cast

import attrs
from attrs import field, frozen

from cxgraph._util.html import esc, safe_html, table
from cxgraph._util.numbers import pct_text
from cxgraph._util.text import choices_text
from cxgraph.analyses.results import SHOW, AnalysisResult
from cxgraph.errors import CxgraphError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.intp]

from cxgraph.analyses._chain import _Chain, _clip

__all__ = ["BASES", "MAX_COMPONENT", "MarkovModel", "MarkovStep", "RemovalEffects"]

#: What ``removal_effects(by=...)`` groups steps by.
BY: tuple[str, ...] = ("step", "channel", "owner")
#: Every value ``MarkovModel.basis`` can take.
BASES: tuple[str, ...] = ("probability", "count", "uniform", "mixed")
#: The largest loop (strongly connected component) inverted exactly by default.
MAX_COMPONENT = 10_000


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
    >>> effects = cx.markov(j).removal_effects(by="channel")
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
            if key in self.left_out:
                msg = f"{self.by} {key!r} was left out: it lies in a loop over the size bound"
            else:
                known = choices_text(str(key), list(self.effects))
                msg = f"no {self.by} {key!r} among the removal effects {known}"
            raise KeyError(msg) from None

    def get(self, key: str, default: Any = None) -> Any:
        """The effect of ``key``, or ``default``: a plain look-up, no message is built."""
        return self.effects.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.effects

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
            f"<RemovalEffects by {self.by}: conversion {pct_text(self.conversion_probability)}, "
            f"{n} {self.by}{'s' if n != 1 else ''}"
            + (f", {len(self.left_out)} left out" if self.left_out else "")
            + ">"
        )
        ranked = self._ranked()
        lines = [
            f"  {_label(self.names, k)}: removing it loses {pct_text(e)} of conversions"
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
                f"{esc(self.by)}</strong>: conversion {esc(pct_text(self.conversion_probability))}"
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
        >>> cx.markov(j).reach_probability(["b", "c"]), cx.markov(j).reach_probability("b")
        (1.0, 0.25)
        """
        chain = self._chain
        wanted = [steps] if isinstance(steps, str) else list(steps)
        members = chain.members(wanted)
        return chain.reach(members)

    def conversion_from(self, step: str) -> float:
        """The share of journeys at ``step`` that end in a success outcome.

        ``P(success | the journey is at step)``: 1 for a success outcome, 0
        for any other outcome; for a touchpoint or decision, one sparse solve
        shared by every step (kept for the next call).

        Raises
        ------
        CxgraphError
            If ``step`` is unknown, or no entry reaches it.

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="J",
        ...     touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B")],
        ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
        ...               cx.Outcome(id="lost", name="Lost", kind="failure")],
        ...     transitions=[cx.Transition(source="a", target="b", probability=0.8),
        ...                  cx.Transition(source="a", target="lost", probability=0.2),
        ...                  cx.Transition(source="b", target="won", probability=0.5),
        ...                  cx.Transition(source="b", target="lost", probability=0.5)])
        >>> m = cx.markov(j)
        >>> m.conversion_from("a"), m.conversion_from("b"), m.conversion_from("won")
        (0.4, 0.5, 1.0)
        """
        chain = self._chain
        (g,) = chain.members([step], "conversion_from")
        if chain.opos[g] >= 0:
            return 1.0 if bool(chain.success[chain.opos[g]]) else 0.0
        if chain.pos[g] < 0:
            msg = f"conversion_from(): no entry reaches step {step!r}"
            raise CxgraphError(msg)
        return float(chain.conversion()[chain.pos[g]])

    def conversions(self) -> Mapping[str, float]:
        """:meth:`conversion_from` of every step at once, sorted by step id.

        A read-only mapping step id → ``P(success | the journey is at the
        step)``: every outcome (1 for a success outcome, 0 for any other) and
        every touchpoint and decision an entry reaches, from the same single
        sparse solve as :meth:`conversion_from`. Steps no entry reaches are
        absent (there :meth:`conversion_from` raises).

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="J",
        ...     touchpoints=[cx.Touchpoint(id="a", name="A"), cx.Touchpoint(id="b", name="B"),
        ...                  cx.Touchpoint(id="x", name="Nobody comes here")],
        ...     outcomes=[cx.Outcome(id="won", name="Won", kind="success"),
        ...               cx.Outcome(id="lost", name="Lost", kind="failure")],
        ...     entries=["a"],
        ...     transitions=[cx.Transition(source="a", target="b", probability=0.8),
        ...                  cx.Transition(source="a", target="lost", probability=0.2),
        ...                  cx.Transition(source="b", target="won", probability=0.5),
        ...                  cx.Transition(source="b", target="lost", probability=0.5),
        ...                  cx.Transition(source="x", target="won")])
        >>> dict(cx.markov(j).conversions())
        {'a': 0.4, 'b': 0.5, 'lost': 0.0, 'won': 1.0}
        """
        import numpy as np

        chain = self._chain
        ids = sorted(chain.index)
        g = np.fromiter((chain.index[s] for s in ids), dtype=np.intp, count=len(ids))
        values = np.full(len(ids), np.nan)
        pos, opos = chain.pos[g], chain.opos[g]
        if chain.Q.shape[0]:
            values[pos >= 0] = chain.conversion()[pos[pos >= 0]]
        values[opos >= 0] = chain.success[opos[opos >= 0]]
        return _ro(
            {s: x for s, x in zip(ids, values.tolist(), strict=True) if x == x}  # NaN: unreached
        )

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
        >>> cx.markov(j).removal_effects(by="phase")
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
            f"conversion {pct_text(self.conversion_probability)} "
            f"({_BASIS_WORDS.get(self.basis, self.basis)})",
            f"{self.expected_steps:.3g} steps per journey on average",
        ]
        if self.dead_end_probability > 0:
            parts.append(f"{pct_text(self.dead_end_probability)} stop at a dead end")
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
            text = f"{label}: {pct_text(visit)} of journeys end here ({kind})"
            if kind == "success":
                text += f"; removing it loses {pct_text(effect)} of conversions"
            return text
        text = f"{label}: reached by {pct_text(visit)} of journeys"
        if abs(finding.expected_visits - visit) > 1e-9:
            text += f" ({finding.expected_visits:.3g} visits on average)"
        if finding.step in self.dead_ends:
            return text + "; a dead end: the journey stops here without an outcome"
        return text + f"; removing it loses {pct_text(effect)} of conversions"


# -- words -------------------------------------------------------------------------


def _label(names: Mapping[str, str], key: str) -> str:
    name = names.get(key)
    return f"{name!r} ({key})" if name and name != key else repr(key)
