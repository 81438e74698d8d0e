"""Generate realistic customer-journey event logs for the discovery benchmarks.

A log follows a hidden journey of five phases (awareness, consideration,
purchase, onboarding, retention) with several activities each: customers
move forward, loop back (return visits, a second look at pricing, reopened
support tickets), repeat a step (self-loops) and drop off at every stage.
Case ids are strings (``C00012345``), activities and resources are text,
customers are interleaved (rows sorted by time across all cases, as a
system writes them), timestamps are ISO 8601 text with a time-zone offset,
rounded to the second so that some events tie.

    python benchmarks/generate_log.py 1_000_000 -o /tmp/log.parquet
    python benchmarks/generate_log.py 100_000 -o /tmp/log.csv --seed 1

Importable: ``generate_log(n_events, seed=0) -> pandas.DataFrame``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

PHASES: dict[str, list[str]] = {
    "awareness": ["See ad", "Read blog post", "Visit homepage", "Watch demo video"],
    "consideration": ["Compare plans", "Read reviews", "Chat with sales", "Request quote"],
    "purchase": ["Add to cart", "Enter payment", "Payment failed", "Place order"],
    "onboarding": ["Receive welcome email", "Set up account", "Onboarding call"],
    "retention": ["Use product", "Open support ticket", "Ticket resolved", "Renew"],
}
#: Activities performed by staff, with their resource pools; the rest are self-service.
STAFF = {
    "Chat with sales": ["Ana (sales)", "Ben (sales)", "Chloe (sales)"],
    "Request quote": ["Ana (sales)", "Dev (sales ops)"],
    "Onboarding call": ["Eve (CS)", "Femi (CS)"],
    "Open support ticket": ["Gus (support)", "Hana (support)", "Ivo (support)"],
    "Ticket resolved": ["Gus (support)", "Hana (support)", "Ivo (support)", "Jo (tier 2)"],
    "Payment failed": ["payments-bot"],
}
DROP = {
    "awareness": 0.25,
    "consideration": 0.15,
    "purchase": 0.08,
    "onboarding": 0.03,
    "retention": 0.10,
}


def _chain(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Activities and a row-stochastic matrix with a final absorbing 'end' column."""
    acts = [a for group in PHASES.values() for a in group]
    phase_of = {a: p for p, group in PHASES.items() for a in group}
    names = list(PHASES)
    k = len(acts)
    p = np.zeros((k, k + 1))
    for i, a in enumerate(acts):
        ph = names.index(phase_of[a])
        same = [acts.index(b) for b in PHASES[names[ph]]]
        nxt = [acts.index(b) for b in PHASES[names[ph + 1]]] if ph + 1 < len(names) else []
        back = [acts.index(b) for b in PHASES[names[ph - 1]]] if ph > 0 else []
        p[i, same] += rng.uniform(0.2, 1.0, len(same)) * 0.35
        p[i, i] += 0.05  # repeats: a self-loop
        if nxt:
            p[i, nxt] += rng.uniform(0.2, 1.0, len(nxt)) * 0.45
        if back:
            p[i, back] += rng.uniform(0.2, 1.0, len(back)) * 0.08
        row = p[i, :k] / p[i, :k].sum() * (1 - DROP[phase_of[a]])
        p[i, :k] = row
        p[i, k] = DROP[phase_of[a]]
    # Renewal ends a journey more often; a failed payment is often retried.
    renew, failed, pay = (
        acts.index("Renew"),
        acts.index("Payment failed"),
        acts.index("Enter payment"),
    )
    p[renew] = 0.0
    p[renew, acts.index("Use product")], p[renew, k] = 0.3, 0.7
    p[failed] = 0.0
    p[failed, pay], p[failed, k] = 0.7, 0.3
    return acts, p


def generate_log(n_events: int, *, seed: int = 0, max_length: int = 60) -> pd.DataFrame:
    """About ``n_events`` events (at least that many, cut to exactly that many rows)."""
    rng = np.random.default_rng(seed)
    acts, p = _chain(rng)
    k = len(acts)
    cum = np.cumsum(p, axis=1)
    start_p = np.zeros(k)
    for a, w in (
        ("See ad", 0.5),
        ("Read blog post", 0.2),
        ("Visit homepage", 0.25),
        ("Chat with sales", 0.05),
    ):
        start_p[acts.index(a)] = w
    mean_len = 5.0  # about what the chain gives; the margin makes sure of n_events
    n_cases = max(1, int(n_events / mean_len * 1.3) + 10)
    state = rng.choice(k, size=n_cases, p=start_p)
    t0 = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 365 * 86400, n_cases).astype(
        "timedelta64[s]"
    )
    now = t0.copy()
    alive = np.arange(n_cases)
    cases, steps, times = [alive], [state], [now]
    for _ in range(max_length - 1):
        u = rng.random(alive.shape[0])
        nxt = (u[:, None] < cum[state]).argmax(axis=1)
        keep = nxt < k
        alive, state = alive[keep], nxt[keep]
        if alive.shape[0] == 0:
            break
        gap = rng.exponential(3600 * 6, alive.shape[0]).astype(np.int64)
        gap[rng.random(alive.shape[0]) < 0.02] = 0  # simultaneous events: ties
        now = now[keep] + gap.astype("timedelta64[s]")
        cases.append(alive)
        steps.append(state)
        times.append(now)
    case = np.concatenate(cases)
    step = np.concatenate(steps)
    time = np.concatenate(times)
    order = np.argsort(time, kind="stable")[:n_events]  # interleaved, as a system logs them
    case, step, time = case[order], step[order], time[order]
    resource = np.array(["self-service"] * k, dtype=object)[step]
    for a, pool in STAFF.items():
        mask = step == acts.index(a)
        resource[mask] = np.array(pool, dtype=object)[rng.integers(0, len(pool), mask.sum())]
    # Each customer writes in their own time zone: offsets are mixed, instants are not.
    offsets = np.array([0, 60, 120, -300], dtype=np.int64)[rng.integers(0, 4, n_cases)][case]
    local = time + offsets.astype("timedelta64[m]")
    suffix = np.where(
        offsets == -300,
        "-05:00",
        np.where(offsets == 0, "+00:00", np.where(offsets == 60, "+01:00", "+02:00")),
    )
    text = np.char.add(np.datetime_as_string(local, unit="s").astype(str), suffix)
    ids = np.char.add("C", np.char.zfill(case.astype(str), 8))
    return pd.DataFrame(
        {
            "case:concept:name": ids.astype(object),
            "concept:name": np.array(acts, dtype=object)[step],
            "time:timestamp": text.astype(object),
            "org:resource": resource,
        }
    )


def main() -> None:
    """Write a log of N events to a CSV or Parquet file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=lambda s: int(s.replace("_", "")))
    parser.add_argument("-o", "--output", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    log = generate_log(args.events, seed=args.seed)
    if args.output.suffix == ".parquet":
        log.to_parquet(args.output, index=False)
    else:
        log.to_csv(args.output, index=False)
    print(f"{len(log)} events, {log['case:concept:name'].nunique()} cases -> {args.output}")


if __name__ == "__main__":
    main()
