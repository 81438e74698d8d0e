"""Tests for the sensitivity of conversion to each edge (cxgraph.changes.sensitivity)."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

import cxgraph as cx
from cxgraph.changes.sensitivity import EdgeSensitivity, Sensitivity, sensitivity

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
H = 1e-6


def _journey(
    edges: list[tuple[str, str, float | None]], *, entries: tuple[str, ...] = ("a",)
) -> cx.Journey:
    """A journey on touchpoints named by the edges, outcomes 'won' (success) and 'lost'."""
    outcomes = {"won": "success", "lost": "failure"}
    steps = sorted({x for s, t, _ in edges for x in (s, t)} - set(outcomes))
    return cx.Journey(
        id="j",
        name="J",
        touchpoints=[cx.Touchpoint(id=s, name=s.upper()) for s in steps],
        outcomes=[cx.Outcome(id=o, name=o.title(), kind=k) for o, k in outcomes.items()],
        entries=list(entries),
        transitions=[cx.Transition(source=s, target=t, probability=p) for s, t, p in edges],
    )


def _perturbed(journey: cx.Journey, source: str, target: str, p: float) -> cx.Journey:
    """The journey with ``source -> target`` at ``p`` and the other edges out of source scaled."""
    old = next(
        e.probability
        for e in (*journey.transitions, *journey.handoffs)
        if (e.source, e.target) == (source, target)
    )
    assert old is not None
    scale = (1.0 - p) / (1.0 - old)

    def edit(edges: tuple[cx.Transition, ...] | tuple[cx.Handoff, ...]) -> list[object]:
        out: list[object] = []
        for e in edges:
            if e.source != source:
                out.append(e)
            elif e.target == target:
                out.append(attrs.evolve(e, probability=p))
            else:
                assert e.probability is not None
                out.append(attrs.evolve(e, probability=e.probability * scale))
        return out

    return journey.with_changes(
        transitions=edit(journey.transitions), handoffs=edit(journey.handoffs)
    )


def _finite_difference(journey: cx.Journey, f: EdgeSensitivity) -> float:
    """Central difference of conversion in the edge's probability (one-sided at 0)."""

    def conversion(p: float) -> float:
        return cx.markov(_perturbed(journey, f.source, f.target, p)).conversion_probability

    if f.probability < H:
        return (conversion(f.probability + H) - conversion(f.probability)) / H
    return (conversion(f.probability + H) - conversion(f.probability - H)) / (2 * H)


def _derivatives(result: Sensitivity) -> dict[tuple[str, str], float | None]:
    return {(f.source, f.target): f.derivative for f in result}


class TestSensitivity:
    """sensitivity(journey)."""

    def test_hand_worked_golden_case(self) -> None:
        """a -> b 0.8 / lost 0.2, b -> won 0.5 / lost 0.5: derivatives worked by hand."""
        j = _journey([("a", "b", 0.8), ("a", "lost", 0.2), ("b", "won", 0.5), ("b", "lost", 0.5)])
        result = sensitivity(j)
        got = _derivatives(result)
        # V_a = 1, g_b = 0.5: dP/dp_ab = 1 * (0.5 - 0.2 * 0 / 0.2) = 0.5.
        assert got["a", "b"] == pytest.approx(0.5)
        # dP/dp_a,lost = 1 * (0 - 0.8 * 0.5 / 0.8) = -0.5.
        assert got["a", "lost"] == pytest.approx(-0.5)
        # V_b = 0.8: dP/dp_b,won = 0.8 * (1 - 0.5 * 0 / 0.5) = 0.8, and -0.8 the other way.
        assert got["b", "won"] == pytest.approx(0.8)
        assert got["b", "lost"] == pytest.approx(-0.8)
        assert result.conversion_probability == pytest.approx(0.4)
        assert result.basis == "probability"
        assert {f.probability for f in result} == {0.8, 0.2, 0.5}

    def test_loop_matches_closed_form(self) -> None:
        """A retry loop: P = w / (w + l) for a -> a r / won w / lost l, scaled as defined."""
        j = _journey([("a", "a", 0.5), ("a", "won", 0.3), ("a", "lost", 0.2)])
        got = _derivatives(sensitivity(j))
        # P = 0.6, V_a = 2; dP/dp_won = 2 * (1 - (0.5 * 0.6 + 0.2 * 0) / 0.7).
        assert got["a", "won"] == pytest.approx(2 * (1 - 0.3 / 0.7))
        assert got["a", "lost"] == pytest.approx(2 * (0 - (0.5 * 0.6 + 0.3 * 1) / 0.8))
        assert got["a", "a"] == pytest.approx(2 * (0.6 - 0.3 / 0.5))

    def test_loop_matches_finite_differences(self) -> None:
        """A loop over two steps agrees with central finite differences."""
        j = _journey(
            [
                ("a", "b", 0.7),
                ("a", "lost", 0.3),
                ("b", "a", 0.4),
                ("b", "c", 0.35),
                ("b", "won", 0.25),
                ("c", "b", 0.6),
                ("c", "won", 0.1),
                ("c", "lost", 0.3),
            ]
        )
        for f in sensitivity(j):
            assert f.derivative is not None
            assert f.derivative == pytest.approx(_finite_difference(j, f), rel=1e-6, abs=1e-6)

    @pytest.mark.parametrize("name", ["restaurant", "b2b_software", "vending"])
    def test_examples_match_finite_differences(self, name: str) -> None:
        """Every edge of the examples agrees with central finite differences (h = 1e-6)."""
        j = cx.load(EXAMPLES / f"{name}.yaml")
        result = sensitivity(j)
        assert len(result) == len(cx.markov(j).transition_probability)
        checked = 0
        for f in result:
            if f.derivative is None:
                assert f.probability == 1.0
                continue
            fd = _finite_difference(j, f)
            assert f.derivative == pytest.approx(fd, rel=1e-6, abs=1e-6), (f, fd)
            checked += 1
        assert checked >= 10

    def test_findings_ordered_by_magnitude_then_ids(self) -> None:
        """Largest |derivative| first, equal magnitudes by source then target, None last."""
        j = _journey(
            [
                ("a", "b", 0.5),
                ("a", "c", 0.5),
                ("b", "won", 0.5),
                ("b", "lost", 0.5),
                ("c", "d", 1.0),
                ("d", "won", 0.2),
                ("d", "lost", 0.8),
            ]
        )
        result = sensitivity(j)
        keys = [(f.source, f.target) for f in result]
        # a->b +0.3 and a->c -0.3; b->lost/won 0.5; d->lost/won 0.5; c->d None.
        assert keys == [
            ("b", "lost"),
            ("b", "won"),
            ("d", "lost"),
            ("d", "won"),
            ("a", "b"),
            ("a", "c"),
            ("c", "d"),
        ]
        assert [f.derivative for f in result][-1] is None

    def test_probability_one_has_no_derivative(self) -> None:
        """An edge of probability 1 (nothing to scale) has derivative None."""
        j = _journey([("a", "b", 1.0), ("b", "won", 0.5), ("b", "lost", 0.5)])
        result = sensitivity(j)
        assert _derivatives(result)["a", "b"] is None
        assert result[-1].source == "a"
        assert "only way out" in result.describe(result[-1])

    def test_probability_one_beside_zero_has_no_derivative(self) -> None:
        """p = 1 beside an edge of p = 0 is still None; the zero edge has a derivative."""
        j = _journey([("a", "b", 1.0), ("a", "lost", 0.0), ("b", "won", 0.5), ("b", "lost", 0.5)])
        got = _derivatives(sensitivity(j))
        assert got["a", "b"] is None
        assert got["a", "lost"] == pytest.approx(-0.5)

    def test_unreached_source_has_zero_derivative(self) -> None:
        """Edges out of a step no entry reaches have derivative 0."""
        j = _journey(
            [
                ("a", "won", 0.5),
                ("a", "lost", 0.5),
                ("x", "won", 0.5),
                ("x", "lost", 0.5),
            ],
            entries=("a",),
        )
        got = _derivatives(sensitivity(j))
        assert got["x", "won"] == 0.0
        assert got["x", "lost"] == 0.0

    def test_zero_probability_edge_to_unreached_steps(self) -> None:
        """An edge of probability 0 into unreached steps uses their exact conversion."""
        j = _journey(
            [
                ("a", "x", 0.0),
                ("a", "y", 0.0),
                ("a", "won", 0.5),
                ("a", "lost", 0.5),
                ("x", "x", 0.5),
                ("x", "z", 0.25),
                ("x", "lost", 0.25),
                ("z", "won", 0.9),
                ("z", "lost", 0.1),
                ("y", "lost", 1.0),
            ]
        )
        result = sensitivity(j)
        got = _derivatives(result)
        # g_x = 0.25 * 0.9 / 0.5 = 0.45; the others out of a average 0.5.
        assert got["a", "x"] == pytest.approx(0.45 - 0.5)
        assert got["a", "y"] == pytest.approx(-0.5)
        for key in (("a", "x"), ("a", "y")):
            f = next(f for f in result if (f.source, f.target) == key)
            assert f.derivative == pytest.approx(_finite_difference(j, f), abs=1e-6)

    def test_counts_give_the_derivative_in_shares(self) -> None:
        """On basis count the derivative is with respect to each count's share."""
        shares = _journey([("a", "a", 0.5), ("a", "won", 0.25), ("a", "lost", 0.25)])
        counts = shares.with_changes(
            transitions=[
                cx.Transition(source="a", target="a", count=2),
                cx.Transition(source="a", target="won", count=1),
                cx.Transition(source="a", target="lost", count=1),
            ]
        )
        result = sensitivity(counts)
        assert result.basis == "count"
        assert _derivatives(result) == pytest.approx(_derivatives(sensitivity(shares)))

    @pytest.mark.parametrize("basis", ["uniform", "mixed"])
    def test_unknown_probabilities_are_an_error(self, basis: str) -> None:
        """Without probabilities or counts sensitivity raises, naming the basis."""
        second = 0.5 if basis == "mixed" else None
        j = _journey(
            [("a", "b", None), ("a", "lost", None), ("b", "won", second), ("b", "lost", second)]
        )
        assert cx.markov(j).basis == basis
        with pytest.raises(cx.CxgraphError, match=rf"needs probabilities: .*basis '{basis}'"):
            sensitivity(j)

    def test_closed_loop_is_the_markov_error(self) -> None:
        """A closed loop the customer can enter is markov's error."""
        j = _journey([("a", "b", 0.5), ("a", "won", 0.5), ("b", "c", 1.0), ("c", "b", 1.0)])
        with pytest.raises(cx.CxgraphError, match="closed loop"):
            sensitivity(j)

    @pytest.mark.parametrize("bad", [None, "journey.yaml", {"id": "j"}])
    def test_not_a_journey_is_a_type_error(self, bad: object) -> None:
        """Anything but a Journey is a TypeError naming what arrived."""
        with pytest.raises(TypeError, match=r"sensitivity\(\) takes a Journey, got"):
            sensitivity(bad)  # type: ignore[arg-type]

    def test_result_shows_as_records_frame_and_text(self) -> None:
        """Records, frame, JSON-safe records, summary and describe in plain words."""
        j = _journey([("a", "b", 0.8), ("a", "lost", 0.2), ("b", "won", 0.5), ("b", "lost", 0.5)])
        result = sensitivity(j)
        records = result.to_records()
        assert records[0] == {
            "source": "b",
            "target": "lost",
            "probability": 0.5,
            "derivative": pytest.approx(-0.8),
        }
        assert (
            list(records[0])
            == result.columns()
            == ["source", "target", "probability", "derivative"]
        )
        json.dumps(records)
        if hasattr(result, "to_json"):
            assert json.loads(result.to_json()) is not None
        frame = result.to_frame()
        assert list(frame.columns) == ["source", "target", "probability", "derivative"]
        assert len(frame) == 4
        assert (
            result.summary()
            == "4 edges; conversion 40%; most sensitive to b -> lost (derivative -0.8)"
        )
        assert result.describe(result[0]) == (
            "'B' (b) -> 'Lost' (lost) (probability 0.5): "
            "each point more lowers conversion by 0.8 points (derivative -0.8)"
        )
        assert repr(result).startswith("<Sensitivity: 4 edges")
        assert "Sensitivity of conversion" in result._repr_html_()
