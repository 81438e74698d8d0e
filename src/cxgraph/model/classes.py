"""The journey model: frozen attrs classes, data only.

Every class is ``@frozen(kw_only=True)``: slotted, hashable, with tuples rather
than lists. References between objects are by id. Each field carries its rule
(see ``cxgraph.model.fields``), which checks Python values here, checks raw file
documents in :mod:`cxgraph.readwrite.files` and writes the JSON Schema, so the three agree.
Whole-journey checks (references, probabilities, cycles) live in
``cxgraph.model.validation`` and run when a :class:`Journey` is built.

Examples
--------
>>> import cxgraph as cx
>>> j = cx.Journey(
...     id="coffee",
...     name="Buying a coffee",
...     touchpoints=(cx.Touchpoint(id="order", name="Order at the counter"),),
...     outcomes=(cx.Outcome(id="served", name="Coffee served", kind="success"),),
...     transitions=(cx.Transition(source="order", target="served"),),
... )
>>> [s.id for s in j.steps]
['order', 'served']
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import attrs
from attrs import field, frozen

from cxgraph._util.text import choices_text
from cxgraph.errors import JourneyValidationError
from cxgraph.model import fields as F
from cxgraph.model.checks import journey_problems
from cxgraph.model.views import journey_html

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Channel",
    "ChannelKind",
    "DecidedBy",
    "DecisionPoint",
    "Dimension",
    "Entry",
    "Handoff",
    "Journey",
    "Lane",
    "Metric",
    "Outcome",
    "OutcomeKind",
    "Owner",
    "OwnerKind",
    "Persona",
    "Phase",
    "Step",
    "System",
    "SystemStatus",
    "Touchpoint",
    "Transition",
    "Trigger",
]

OwnerKind: TypeAlias = Literal["department", "team", "role", "system", "partner"]
ChannelKind: TypeAlias = Literal["digital", "human", "physical", "automated"]
SystemStatus: TypeAlias = Literal["current", "planned", "retired"]
Lane: TypeAlias = Literal["customer", "frontstage", "backstage", "support"]
DecidedBy: TypeAlias = Literal["customer", "employee", "automated"]
OutcomeKind: TypeAlias = Literal["success", "failure", "exit"]
Trust: TypeAlias = Literal["builds", "erodes"]
Value: TypeAlias = Literal["product", "relationship"]
State: TypeAlias = Literal["current", "future"]

OWNER_KINDS: tuple[str, ...] = ("department", "team", "role", "system", "partner")
CHANNEL_KINDS: tuple[str, ...] = ("digital", "human", "physical", "automated")
SYSTEM_STATUSES: tuple[str, ...] = ("current", "planned", "retired")
LANES: tuple[str, ...] = ("customer", "frontstage", "backstage", "support")
DECIDERS: tuple[str, ...] = ("customer", "employee", "automated")
OUTCOME_KINDS: tuple[str, ...] = ("success", "failure", "exit")
TRUST: tuple[str, ...] = ("builds", "erodes")
VALUES: tuple[str, ...] = ("product", "relationship")
STATES: tuple[str, ...] = ("current", "future")
METRIC_KINDS: tuple[str, ...] = ("csat", "ces", "nps", "conversion", "duration", "volume", "custom")


def _req(rule: F.Rule, **kw: Any) -> Any:
    """A required field with its rule."""
    return field(validator=rule, metadata={"rule": rule}, **kw)


def _opt(rule: F.Rule, default: Any = None, **kw: Any) -> Any:
    """An optional field (default ``None`` unless given) with its rule."""
    r = F.Optional(rule) if default is None else rule
    return field(default=default, validator=r, metadata={"rule": r}, **kw)


def _seq(item: F.Rule, **kw: Any) -> Any:
    """A tuple field, default empty; lists are accepted and become tuples."""
    r = F.Seq(item)
    return field(factory=tuple, converter=F.to_tuple, validator=r, metadata={"rule": r}, **kw)


_ID = F.Id()
_STR = F.Str()


@frozen(kw_only=True)
class Persona:
    """Who travels the journey: a person with goals and needs, not just a segment.

    Examples
    --------
    >>> Persona(id="it-lead", name="IT lead", goals=["Fewer outages"]).goals
    ('Fewer outages',)
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    segment: str | None = _opt(_STR)
    goals: tuple[str, ...] = _seq(_STR)
    needs: tuple[str, ...] = _seq(_STR)
    description: str = _opt(_STR, "")


@frozen(kw_only=True)
class Phase:
    """An ordered stage of the journey (awareness, consideration, purchase, ...).

    Its order is its position in ``Journey.phases``; ``owner`` is the function
    that runs it.

    Examples
    --------
    >>> Phase(id="awareness", name="Awareness", owner="marketing").owner
    'marketing'
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    owner: str | None = _opt(F.Id("owner id"))
    expected_duration: timedelta | None = _opt(F.Duration())
    description: str = _opt(_STR, "")


@frozen(kw_only=True)
class Owner:
    """Who is accountable: a department, team, role, system or partner.

    The silo of an owner is the root of its ``parent`` chain.

    Examples
    --------
    >>> Owner(id="sdr", name="Sales development", kind="team", parent="sales").parent
    'sales'
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    kind: OwnerKind = _req(F.Enum("owner kind", OWNER_KINDS))
    parent: str | None = _opt(F.Id("owner id"))


@frozen(kw_only=True)
class Channel:
    """Where an interaction happens: web, chat, phone, store, email, portal, ...

    Examples
    --------
    >>> Channel(id="web", name="Website", kind="digital").kind
    'digital'
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    kind: ChannelKind = _req(F.Enum("channel kind", CHANNEL_KINDS))


@frozen(kw_only=True)
class System:
    """Technology behind a touchpoint (CRM, marketing automation, POS).

    Examples
    --------
    >>> System(id="crm", name="CRM", owner="sales").status
    'current'
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    owner: str | None = _opt(F.Id("owner id"))
    status: SystemStatus = _opt(F.Enum("system status", SYSTEM_STATUSES), "current")


@frozen(kw_only=True)
class Dimension:
    """A track of value the customer can move into; higher ``tier`` is more value.

    Examples
    --------
    >>> Dimension(id="catering", name="Catering client", tier=3).tier
    3
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    tier: int = _req(F.Int())
    description: str = _opt(_STR, "")


@frozen(kw_only=True)
class Metric:
    """A KPI measured at a touchpoint.

    ``kind`` is one of ``csat, ces, nps, conversion, duration, volume, custom``.

    Examples
    --------
    >>> Metric(name="CSAT after chat", kind="csat", target=4.5, unit="of 5").target
    4.5
    """

    name: str = _req(_STR)
    kind: str = _req(F.Enum("metric kind", METRIC_KINDS))
    target: float | None = _opt(F.Num())
    value: float | None = _opt(F.Num())
    unit: str = _opt(_STR, "")


@frozen(kw_only=True)
class Touchpoint:
    """An interaction with the customer, or an internal step behind one.

    ``lane`` places it on a service blueprint; ``personas`` empty means all.

    Examples
    --------
    >>> tp = Touchpoint(id="chat", name="Chat with us", owner="sales", channel="chat", emotion=1)
    >>> (tp.lane, tp.emotion, tp.moment_of_truth)
    ('frontstage', 1, False)
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    phase: str | None = _opt(F.Id("phase id"))
    owner: str | None = _opt(F.Id("owner id"))
    channel: str | None = _opt(F.Id("channel id"))
    personas: tuple[str, ...] = _seq(F.Id("persona id"))
    lane: Lane = _opt(F.Enum("lane", LANES), "frontstage")
    dimension: str | None = _opt(F.Id("dimension id"))
    emotion: int | None = _opt(F.Int(-3, 3))
    pain_points: tuple[str, ...] = _seq(_STR)
    opportunities: tuple[str, ...] = _seq(_STR)
    metrics: tuple[Metric, ...] = _seq(F.Nested(Metric))
    content: tuple[str, ...] = _seq(_STR)
    data: tuple[str, ...] = _seq(_STR)
    systems: tuple[str, ...] = _seq(F.Id("system id"))
    duration: timedelta | None = _opt(F.Duration())
    moment_of_truth: bool = _opt(F.Bool(), False)
    trust: Trust | None = _opt(F.Enum("trust effect", TRUST))
    value: Value | None = _opt(F.Enum("value type", VALUES))


@frozen(kw_only=True)
class DecisionPoint:
    """A fork in the journey: who decides (customer, employee, automation) and on what.

    Employee and automated decisions need an ``owner``; customer decisions
    have none (they are transparent for ownership).

    Examples
    --------
    >>> DecisionPoint(id="buy", name="Buy now?", decided_by="customer").owner is None
    True
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    phase: str | None = _opt(F.Id("phase id"))
    decided_by: DecidedBy = _req(F.Enum("decided_by value", DECIDERS))
    owner: str | None = _opt(F.Id("owner id"))
    question: str = _opt(_STR, "")
    dimension: str | None = _opt(F.Id("dimension id"))


@frozen(kw_only=True)
class Outcome:
    """A terminal state of the journey: ``success``, ``failure`` or ``exit``.

    Examples
    --------
    >>> Outcome(id="won", name="Deal won", kind="success").kind
    'success'
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    kind: OutcomeKind = _req(F.Enum("outcome kind", OUTCOME_KINDS))
    dimension: str | None = _opt(F.Id("dimension id"))


Step: TypeAlias = Touchpoint | DecisionPoint | Outcome


@frozen(kw_only=True)
class Transition:
    """A possible next step of the customer.

    Examples
    --------
    >>> Transition(source="visit", target="chat", probability=0.25).probability
    0.25
    """

    source: str = _req(F.Id("step id"))
    target: str = _req(F.Id("step id"))
    probability: float | None = _opt(F.Num(0.0, 1.0))
    count: int | None = _opt(F.Int(0))
    label: str = _opt(_STR, "")
    condition: str = _opt(_STR, "")


@frozen(kw_only=True)
class Handoff:
    """A transition where responsibility passes between owners.

    ``owner`` is accountable for the hand-off arriving; ``carries`` is the
    context passed on so the customer need not repeat it.

    Examples
    --------
    >>> h = Handoff(source="mql", target="call", owner="sales", carries=["lead score"])
    >>> h.carries
    ('lead score',)
    """

    source: str = _req(F.Id("step id"))
    target: str = _req(F.Id("step id"))
    probability: float | None = _opt(F.Num(0.0, 1.0))
    count: int | None = _opt(F.Int(0))
    label: str = _opt(_STR, "")
    condition: str = _opt(_STR, "")
    owner: str | None = _opt(F.Id("owner id"))
    carries: tuple[str, ...] = _seq(_STR)
    sla: timedelta | None = _opt(F.Duration())


@frozen(kw_only=True)
class Trigger:
    """An internal flow a step starts while the customer does not move.

    A stock alert starts restocking; a signed contract starts provisioning.

    Examples
    --------
    >>> Trigger(source="dispense", target="stock-alert", owner="logistics").owner
    'logistics'
    """

    source: str = _req(F.Id("step id"))
    target: str = _req(F.Id("step id"))
    owner: str | None = _opt(F.Id("owner id"))
    carries: tuple[str, ...] = _seq(_STR)
    label: str = _opt(_STR, "")
    condition: str = _opt(_STR, "")


@frozen(kw_only=True)
class Entry:
    """Where journeys start, with an optional probability or count.

    Examples
    --------
    >>> Entry(step="visit", probability=0.7).step
    'visit'
    """

    step: str = _req(F.Id("step id"))
    probability: float | None = _opt(F.Num(0.0, 1.0))
    count: int | None = _opt(F.Int(0))


def _entry(value: Any) -> Any:
    """Converter: a bare step id is an :class:`Entry`."""
    return Entry(step=value) if isinstance(value, str) else value


def _entries(value: Any) -> Any:
    value = F.to_tuple(value)
    return tuple(_entry(v) for v in value) if isinstance(value, tuple) else value


def _freeze(value: Any) -> Any:
    """Make a JSON-like value immutable: mappings become read-only, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


_EMPTY: Mapping[str, Any] = MappingProxyType({})
_ENTRY_RULE = F.Seq(F.Either(F.Id("step id"), F.Nested(Entry), "a step id or an entry mapping"))
_EXT_RULE = F.AnyMapping()


@frozen(kw_only=True, repr=False)
class Journey:
    """A whole journey map: personas, phases, owners, steps and the edges between them.

    Building a Journey checks it whole (references, unique ids, probability
    sums, owner cycles, ...) and raises :class:`~cxgraph.JourneyValidationError`
    listing every problem, so an invalid Journey cannot exist.

    ``entries`` empty means every step with no inflow (from transitions,
    hand-offs or triggers) is an entry, equally likely. ``extensions`` is a
    read-only mapping kept through files untouched and left out of the hash.

    Examples
    --------
    >>> import cxgraph as cx
    >>> j = cx.Journey(
    ...     id="j",
    ...     name="Tiny",
    ...     touchpoints=[cx.Touchpoint(id="a", name="A")],
    ...     outcomes=[cx.Outcome(id="done", name="Done", kind="success")],
    ...     transitions=[cx.Transition(source="a", target="done")],
    ... )
    >>> j
    <Journey 'j' (Tiny): 2 steps, 1 edge>
    >>> cx.Journey(id="j", name="Bad", transitions=[cx.Transition(source="a", target="b")])
    Traceback (most recent call last):
    ...
    cxgraph.errors.JourneyValidationError: 2 problems in the journey:
    $.transitions[0].source: unknown step 'a': the journey has no steps yet
    $.transitions[0].target: unknown step 'b': the journey has no steps yet
    """

    id: str = _req(_ID)
    name: str = _req(_STR)
    version: str = _opt(_STR, "")
    state: State = _opt(F.Enum("journey state", STATES), "current")
    description: str = _opt(_STR, "")
    personas: tuple[Persona, ...] = _seq(F.Nested(Persona))
    phases: tuple[Phase, ...] = _seq(F.Nested(Phase))
    owners: tuple[Owner, ...] = _seq(F.Nested(Owner))
    channels: tuple[Channel, ...] = _seq(F.Nested(Channel))
    systems: tuple[System, ...] = _seq(F.Nested(System))
    dimensions: tuple[Dimension, ...] = _seq(F.Nested(Dimension))
    touchpoints: tuple[Touchpoint, ...] = _seq(F.Nested(Touchpoint))
    decision_points: tuple[DecisionPoint, ...] = _seq(F.Nested(DecisionPoint))
    outcomes: tuple[Outcome, ...] = _seq(F.Nested(Outcome))
    entries: tuple[Entry, ...] = field(
        factory=tuple, converter=_entries, validator=_ENTRY_RULE, metadata={"rule": _ENTRY_RULE}
    )
    transitions: tuple[Transition, ...] = _seq(F.Nested(Transition))
    handoffs: tuple[Handoff, ...] = _seq(F.Nested(Handoff))
    triggers: tuple[Trigger, ...] = _seq(F.Nested(Trigger))
    extensions: Mapping[str, Any] = field(
        default=_EMPTY,
        converter=_freeze,
        validator=_EXT_RULE,
        metadata={"rule": _EXT_RULE},
        hash=False,
    )

    def __attrs_post_init__(self) -> None:
        problems = journey_problems(self)
        if problems:
            raise JourneyValidationError(problems)

    # -- read-only conveniences (no analysis here) --------------------------

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step: touchpoints, then decision points, then outcomes."""
        return (*self.touchpoints, *self.decision_points, *self.outcomes)

    @property
    def edges(self) -> tuple[Transition | Handoff | Trigger, ...]:
        """Every edge: transitions, then hand-offs, then triggers."""
        return (*self.transitions, *self.handoffs, *self.triggers)

    def step(self, step_id: str) -> Step:
        """Return the step with this id.

        Raises
        ------
        KeyError
            If no step has this id; the message lists close matches.

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="J", touchpoints=[cx.Touchpoint(id="a", name="A")])
        >>> j.step("a").name
        'A'
        >>> j.step("b")
        Traceback (most recent call last):
        ...
        KeyError: "no step 'b' in journey 'j' (known: 'a')"
        """
        for s in self.steps:
            if s.id == step_id:
                return s
        known = choices_text(step_id, [s.id for s in self.steps])
        msg = f"no step {step_id!r} in journey {self.id!r} {known}"
        raise KeyError(msg)

    def with_changes(self, **changes: Any) -> Journey:
        """Return a copy with some fields replaced, validated again.

        Examples
        --------
        >>> import cxgraph as cx
        >>> j = cx.Journey(id="j", name="J")
        >>> j.with_changes(state="future").state
        'future'
        """
        return attrs.evolve(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Journey:
        """Build a Journey from a mapping in the file's shape (see :func:`cxgraph.loads`).

        Examples
        --------
        >>> j = Journey.from_dict({"cxgraph": "1.0", "journey": {"id": "j", "name": "J"}})
        >>> j.name
        'J'
        """
        from cxgraph.readwrite.converter import from_dict

        return from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """Return the file's shape as plain dicts and lists (defaults left out).

        Examples
        --------
        >>> Journey(id="j", name="J").to_dict()
        {'cxgraph': '1.0', 'journey': {'id': 'j', 'name': 'J'}}
        """
        from cxgraph.readwrite.converter import to_dict

        return to_dict(self)

    def to_graph(self) -> nx.DiGraph[str]:
        """Compile to a networkx DiGraph (see :func:`cxgraph.compile_graph`)."""
        from cxgraph.graph import compile_graph

        return compile_graph(self)

    def __repr__(self) -> str:
        n_steps = len(self.steps)
        n_edges = len(self.transitions) + len(self.handoffs) + len(self.triggers)
        state = "" if self.state == "current" else f", {self.state} state"
        return (
            f"<Journey {self.id!r} ({self.name}): {n_steps} step{'s' if n_steps != 1 else ''}, "
            f"{n_edges} edge{'s' if n_edges != 1 else ''}{state}>"
        )

    def _repr_html_(self) -> str:
        return journey_html(self)
