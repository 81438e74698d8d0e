"""Generate large, realistic journeys for the benchmarks.

A generated journey has five phases, owners in four silos (marketing, sales,
service, support) with teams under them, channels, touchpoints, customer and
employee decisions, success/failure/exit outcomes, hand-offs with and without
owners, a few triggers, and loops (return visits, reopened cases) that always
keep a way out, so the Markov chain is well defined. Probabilities are given
on every customer-flow edge and sum to 1 exactly enough for validation.
"""

from __future__ import annotations

import random

import cxgraph as cx

SILOS = ("marketing", "sales", "service", "support")
PHASES = ("awareness", "consideration", "purchase", "retention", "advocacy")
CHANNELS = (("web", "digital"), ("chat", "digital"), ("phone", "human"), ("store", "physical"))


def generate_journey(
    n_steps: int, *, seed: int = 0, loop_share: float = 0.03, long_loops: bool = False
) -> cx.Journey:
    """A valid journey of about ``n_steps`` steps (touchpoints, decisions, outcomes).

    Loops go back one to ten steps; with ``long_loops`` to any earlier step, which
    joins most of the journey into one strongly connected component (the case the
    Markov size bound is for).
    """
    rng = random.Random(seed)
    owners = [cx.Owner(id=s, name=s.title(), kind="department") for s in SILOS]
    teams = [f"{s}-team-{k}" for s in SILOS for k in range(3)]
    owners += [
        cx.Owner(id=t, name=t.replace("-", " ").title(), kind="team", parent=t.split("-")[0])
        for t in teams
    ]
    channels = [cx.Channel(id=c, name=c.title(), kind=k) for c, k in CHANNELS]  # type: ignore[arg-type]
    phases = [cx.Phase(id=p, name=p.title()) for p in PHASES]
    n_out = max(3, n_steps // 100)
    n_inner = n_steps - n_out
    outcome_ids = [f"o{i}" for i in range(n_out)]
    outcomes = [
        cx.Outcome(id=o, name=f"Outcome {i}", kind=("success", "failure", "exit")[i % 3])  # type: ignore[arg-type]
        for i, o in enumerate(outcome_ids)
    ]
    touchpoints: list[cx.Touchpoint] = []
    decisions: list[cx.DecisionPoint] = []
    kinds: list[str] = []
    for i in range(n_inner):
        phase = PHASES[min(len(PHASES) - 1, i * len(PHASES) // n_inner)]
        if i % 6 == 3:
            by = "customer" if rng.random() < 0.6 else "employee"
            decisions.append(
                cx.DecisionPoint(
                    id=f"s{i}",
                    name=f"Decision {i}",
                    phase=phase,
                    decided_by=by,  # type: ignore[arg-type]
                    owner=None if by == "customer" else rng.choice(teams),
                )
            )
            kinds.append("decision")
        else:
            touchpoints.append(
                cx.Touchpoint(
                    id=f"s{i}",
                    name=f"Touchpoint {i}",
                    phase=phase,
                    owner=rng.choice(teams) if rng.random() > 0.02 else None,
                    channel=rng.choice(CHANNELS)[0],
                    lane=rng.choice(("customer", "frontstage", "frontstage", "backstage")),  # type: ignore[arg-type]
                    emotion=rng.randint(-3, 3),
                )
            )
            kinds.append("touchpoint")
    transitions: list[cx.Transition] = []
    handoffs: list[cx.Handoff] = []
    for i in range(n_inner):
        targets: list[str] = []
        k = 2 if kinds[i] == "decision" else rng.choice((1, 1, 2))
        for _ in range(k):
            j = i + rng.randint(1, 8)
            t = f"s{j}" if j < n_inner else rng.choice(outcome_ids)
            if t not in targets:
                targets.append(t)
        if kinds[i] == "decision" and rng.random() < 0.5:
            o = rng.choice(outcome_ids)
            if o not in targets:
                targets.append(o)
        if i > 10 and rng.random() < loop_share:
            back = f"s{rng.randrange(0, i) if long_loops else i - rng.randint(1, 10)}"
            if back not in targets:
                targets.append(back)
        weights = [rng.random() + 0.1 for _ in targets]
        total = sum(weights)
        probs = [round(w / total, 6) for w in weights]
        probs[-1] = round(1.0 - sum(probs[:-1]), 12)
        for t, p in zip(targets, probs, strict=True):
            if rng.random() < 0.1:
                handoffs.append(
                    cx.Handoff(
                        source=f"s{i}",
                        target=t,
                        probability=p,
                        owner=rng.choice(teams) if rng.random() < 0.5 else None,
                        carries=("case notes",) if rng.random() < 0.5 else (),
                    )
                )
            else:
                transitions.append(cx.Transition(source=f"s{i}", target=t, probability=p))
    return cx.Journey(
        id=f"generated-{n_steps}",
        name=f"Generated journey of {n_steps} steps",
        phases=tuple(phases),
        owners=tuple(owners),
        channels=tuple(channels),
        touchpoints=tuple(touchpoints),
        decision_points=tuple(decisions),
        outcomes=tuple(outcomes),
        entries=(cx.Entry(step="s0"),),
        transitions=tuple(transitions),
        handoffs=tuple(handoffs),
    )


if __name__ == "__main__":
    import time

    for n in (100, 1_000, 10_000):
        t = time.perf_counter()
        j = generate_journey(n)
        print(n, len(j.steps), f"{time.perf_counter() - t:.2f}s")
