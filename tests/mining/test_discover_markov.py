"""discover, then markov: the discovered chain reproduces what the log shows.

For counts taken from complete cases, the expected visits of the empirical
chain solve the same equations as the observed visits per case (every visit
is entered once and left once), so the chain's absorption probabilities equal
the observed shares of cases ending at each outcome, exactly, whether or not
the log is first order. These properties check that discover's counts,
entries and outcome handling and markov's solve agree on that identity.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cxgraph as cx

ACTIVITIES = ["Visit site", "Chat", "Demo", "Quote", "Support call"]
OUTCOMES = {"Buy": "success", "Churn": "failure"}


@st.composite
def logs(draw: st.DrawFn) -> pd.DataFrame:
    """Cases of 1 to 8 events over a few activities, some ending in an outcome."""
    rows = []
    for case in range(draw(st.integers(1, 12))):
        n = draw(st.integers(1, 8))
        acts = draw(st.lists(st.sampled_from(ACTIVITIES), min_size=n, max_size=n))
        end = draw(st.sampled_from([None, *OUTCOMES]))
        if end is not None:
            acts.append(end)
        rows += [
            {"case:concept:name": f"c{case}", "concept:name": a, "time:timestamp": t}
            for t, a in enumerate(acts)
        ]
    return pd.DataFrame(rows)


def observed_endings(log: pd.DataFrame) -> Counter[str]:
    """Where each case ends: its outcome activity, else the exit 'end'."""
    ends: Counter[str] = Counter()
    for _, case in log.groupby("case:concept:name", sort=False):
        last = case["concept:name"].iloc[-1]
        ends["buy" if last == "Buy" else "churn" if last == "Churn" else "end"] += 1
    return ends


# A drawn log may lack an outcome activity; discover warns about that, rightly.
@pytest.mark.filterwarnings("ignore:outcome activit:cxgraph.errors.CxgraphWarning")
class TestDiscoverThenMarkov:
    @given(logs())
    def test_outcome_probabilities_equal_observed_shares(self, log: pd.DataFrame) -> None:
        """Markov outcome probabilities of a discovered journey equal the observed shares."""
        journey = cx.discover(log, outcomes=OUTCOMES)
        model = cx.markov(journey)
        cases = log["case:concept:name"].nunique()
        ends = observed_endings(log)
        for outcome, p in model.outcome_probabilities.items():
            assert p == pytest.approx(ends[outcome] / cases, abs=1e-9)
        assert model.conversion_probability == pytest.approx(ends["buy"] / cases, abs=1e-9)

    @given(logs())
    def test_expected_visits_equal_observed_visits(self, log: pd.DataFrame) -> None:
        """Expected visits per journey equal the observed visits per case."""
        journey = cx.discover(log, outcomes=OUTCOMES)
        model = cx.markov(journey)
        cases = log["case:concept:name"].nunique()
        seen = Counter(log["concept:name"])
        for tp in journey.touchpoints:
            assert model.expected_visits[tp.id] == pytest.approx(seen[tp.name] / cases, abs=1e-9)

    def test_running_example(self) -> None:
        """On the running example, 'pay compensation' is reached by 3 of 6 cases."""
        log = pd.read_csv("tests/data/running-example.csv")
        journey = cx.discover(
            log, outcomes={"pay compensation": "success", "reject request": "failure"}
        )
        model = cx.markov(journey)
        # Cases 1, 2 and 3 end by paying compensation; 4, 5 and 6 by rejecting.
        assert model.conversion_probability == pytest.approx(0.5, abs=1e-12)
        assert model.outcome_probabilities["reject-request"] == pytest.approx(0.5, abs=1e-12)
