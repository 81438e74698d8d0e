"""Markov attribution over 1,000+ channels: cxgraph (exact) against ChannelAttribution.

Run it (a script, not a test)::

    python benchmarks/bench_attribution.py [--paths 200000] [--channels 1200] [--seed 0]

It generates a path table in ChannelAttribution's layout (``path``,
``total_conversions``, ``total_conversion_value``, ``total_null``; one row per
distinct path) with Zipf-like channel popularity and paths of 1 to 10
touches, then times, side by side in one process on the same pandas frame:

* cxgraph: ``paths(frame)`` then ``attribution(data, model="markov")``, which
  builds the first-order chain as a Journey and solves it exactly
  (:func:`cxgraph.analyses.markov.markov`: one sparse factorisation, all
  removal effects from it);
* ChannelAttribution's ``markov_model`` (first order, ``out_more=True`` for
  its removal effects, one core): it estimates conversion with and without
  each channel by simulating journeys, so its numbers carry simulation noise.

It reports both times, the ratio (target: cxgraph at least 40x faster), and
the largest absolute difference of removal effects and of attributed
conversions (target: removal effects within 0.02 of its simulation). The
heuristic models (first touch, last touch, linear) are compared too; both
sides compute those exactly.

ChannelAttribution is GPL-licensed, so cxgraph never depends on it: install
it yourself (``pip install ChannelAttribution``) to run the comparison;
without it the script times cxgraph alone and says so.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from cxgraph.attribution.models import attribution
from cxgraph.attribution.paths import paths

KINDS = (
    "Paid search",
    "Organic search",
    "Email",
    "Display",
    "Social",
    "Affiliate",
    "Referral",
    "Video",
    "Push",
    "Direct",
)


def generate_paths(n_paths: int, n_channels: int, *, seed: int = 0) -> pd.DataFrame:
    """A path table of ``n_paths`` distinct paths over ``n_channels`` channels.

    Channels are campaigns (``"Email 0042"``) drawn with Zipf-like popularity
    (the k-th most popular with weight ``1 / k**1.1``); a path has 1 to 10
    touches (shorter ones more likely, weight ``0.8**length``), consecutive
    repeats included. Each channel has its own conversion propensity; a path
    is walked by ``1 + Poisson(3)`` journeys, of which a binomial share
    converts with the mean propensity of its channels, each conversion worth
    about 50 (log-normal). Rows with the same path are summed.
    """
    rng = np.random.default_rng(seed)
    names = np.array([f"{KINDS[i % len(KINDS)]} {i:04d}" for i in range(n_channels)])
    popularity = 1.0 / np.arange(1, n_channels + 1) ** 1.1
    popularity /= popularity.sum()
    propensity = rng.beta(1.2, 12.0, n_channels)
    lengths_p = 0.8 ** np.arange(10)
    lengths_p /= lengths_p.sum()

    # Short paths repeat, and repeats are summed: draw in rounds until enough
    # distinct paths are there.
    frames: list[pd.DataFrame] = []
    frame = pd.DataFrame()
    while len(frame) < n_paths:
        frames.append(_draw(rng, n_paths, names, popularity, propensity, lengths_p))
        frame = pd.concat(frames).groupby("path", sort=False, as_index=False).sum()
    return frame.iloc[:n_paths].reset_index(drop=True)


def _draw(
    rng: np.random.Generator,
    n: int,
    names: Any,
    popularity: Any,
    propensity: Any,
    lengths_p: Any,
) -> pd.DataFrame:
    """``n`` paths as drawn, repeats not yet summed."""
    lengths = rng.choice(np.arange(1, 11), size=n, p=lengths_p)
    touches = rng.choice(len(names), size=int(lengths.sum()), p=popularity)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    rate = np.add.reduceat(propensity[touches], starts) / lengths
    journeys = 1 + rng.poisson(3.0, n)
    conv = rng.binomial(journeys, rate)
    value = np.round(np.array([rng.lognormal(3.8, 0.5, c).sum() if c else 0.0 for c in conv]), 2)
    text = [" > ".join(names[touches[a:b]]) for a, b in zip(starts, ends, strict=True)]
    return pd.DataFrame(
        {
            "path": text,
            "total_conversions": conv,
            "total_conversion_value": value,
            "total_null": journeys - conv,
        }
    )


def _time(fn: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _channel_attribution() -> Any:
    try:
        # Its import prints an advertisement; keep the benchmark's output clean.
        with contextlib.redirect_stdout(io.StringIO()):
            import ChannelAttribution  # type: ignore[import-untyped]
    except ImportError:
        return None
    return ChannelAttribution


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", type=int, default=200_000, help="distinct paths")
    parser.add_argument("--channels", type=int, default=1_200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ncore", type=int, default=1, help="ChannelAttribution threads")
    args = parser.parse_args(argv)

    t_gen, frame = _time(lambda: generate_paths(args.paths, args.channels, seed=args.seed))
    touches = frame["path"].str.count(">").sum() + len(frame)
    print(
        f"generated {len(frame):,} paths, {touches:,} touches, "
        f"{frame['path'].str.split(' > ').explode().nunique():,} channels, "
        f"{int(frame['total_conversions'].sum()):,} conversions, "
        f"{int(frame['total_null'].sum()):,} nulls in {t_gen:.1f} s"
    )

    t_read, data = _time(lambda: paths(frame))
    t_markov, ours = _time(lambda: attribution(data, model="markov"))
    t_ours = t_read + t_markov
    t_heur, heuristics = _time(
        lambda: {m: attribution(data, model=m) for m in ("first_touch", "last_touch", "linear")}
    )
    print(
        f"cxgraph: paths() {t_read:.2f} s + attribution(model='markov') {t_markov:.2f} s "
        f"= {t_ours:.2f} s (conversion probability {ours.conversion_probability:.4f}); "
        f"the three heuristic models {t_heur:.2f} s"
    )

    ca = _channel_attribution()
    if ca is None:
        print(
            "ChannelAttribution is not installed (GPL-licensed, never a cxgraph dependency): "
            "pip install ChannelAttribution to compare"
        )
        return 0

    def run_ca() -> Any:
        with contextlib.redirect_stdout(io.StringIO()):
            return ca.markov_model(
                frame,
                "path",
                "total_conversions",
                var_value="total_conversion_value",
                var_null="total_null",
                out_more=True,
                ncore=args.ncore,
                verbose=False,
                flg_pro=False,
            )

    t_ca, res = _time(run_ca)
    print(f"ChannelAttribution {_version()} markov_model (ncore={args.ncore}): {t_ca:.1f} s")
    effects = res["removal_effects"].set_index("channel_name")["removal_effects_conversion"]
    credited = res["result"].set_index("channel_name")["total_conversions"]
    ours_effect = pd.Series({c.channel: c.removal_effect for c in ours})
    ours_conv = pd.Series({c.channel: c.conversions for c in ours})
    d_effect = float((ours_effect - effects.reindex(ours_effect.index)).abs().max())
    d_conv = float((ours_conv - credited.reindex(ours_conv.index)).abs().max())

    t_ca_heur, ca_heur = _time(
        lambda: ca.heuristic_models(
            frame,
            "path",
            "total_conversions",
            var_value="total_conversion_value",
            flg_pro=False,
        )
    )
    print(f"ChannelAttribution heuristic_models: {t_ca_heur:.2f} s")
    ca_heur = ca_heur.set_index("channel_name")
    # Its columns: first_touch_conversions, last_touch_conversions, linear_touch_conversions.
    theirs = {"first_touch": "first_touch", "last_touch": "last_touch", "linear": "linear_touch"}
    d_heur = max(
        float(
            (
                pd.Series({c.channel: c.conversions for c in heuristics[m]})
                - ca_heur[f"{col}_conversions"]
            )
            .abs()
            .max()
        )
        for m, col in theirs.items()
    )

    print()
    print("| what | cxgraph | ChannelAttribution | ratio |")
    print("|---|---|---|---|")
    print(
        f"| markov, {len(frame):,} paths x {len(data.channels):,} channels | "
        f"{t_ours:.2f} s | {t_ca:.1f} s | {t_ca / t_ours:.0f}x (target >= 40x) |"
    )
    print(
        f"| heuristics (first, last, linear) | {t_read + t_heur:.2f} s | {t_ca_heur:.2f} s | "
        f"{t_ca_heur / (t_read + t_heur):.1f}x |"
    )
    print()
    print(
        f"max |removal effect difference| {d_effect:.4f} (target <= 0.02; theirs simulated, "
        f"ours exact); max |attributed conversions difference| {d_conv:.2f} of "
        f"{data.total_conversions:,.0f}; heuristics max difference {d_heur:.2e}"
    )
    ok = t_ca / t_ours >= 40 and d_effect <= 0.02
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ChannelAttribution")
    except PackageNotFoundError:  # pragma: no cover - installed some other way
        return ""


if __name__ == "__main__":
    sys.exit(main())
