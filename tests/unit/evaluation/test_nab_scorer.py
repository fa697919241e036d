"""The NAB scorer: hand-computed cases, and the published figures reproduced from NAB's own results."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from forewarn.evaluation.nab import PROFILES, score_corpus, stack_rows, sweep
from forewarn.evaluation.nab_corpus import NabSeries, load_corpus, load_result_scores

NAB_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "nab"
STANDARD = PROFILES[0]


def s(y: float) -> float:
    return 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


def make_series(n: int = 100, windows: tuple[tuple[int, int], ...] = ((40, 49),), key: str = "cat/a.csv") -> NabSeries:
    ts = np.datetime64("2024-01-01T00:00:00") + np.arange(n) * np.timedelta64(300, "s")
    return NabSeries(key, ts, np.zeros(n), tuple((ts[a], ts[b]) for a, b in windows))


def raw_at(series: NabSeries, hits: list[int], profile_index: int = 0) -> float:
    scores = np.zeros(len(series.values))
    scores[hits] = 1.0
    return score_corpus([series], [scores], threshold=1.0)[PROFILES[profile_index].name].raw


def test_detection_at_window_start_earns_full_credit() -> None:
    assert raw_at(make_series(), [40]) == pytest.approx(1.0)


def test_detection_inside_window_earns_scaled_sigmoid_credit() -> None:
    # W = 10, row 45: y = -(49 - 45 + 1) / 10 = -0.5
    assert raw_at(make_series(), [45]) == pytest.approx(s(-0.5) / s(-1.0))


def test_only_earliest_detection_in_window_counts() -> None:
    assert raw_at(make_series(), [43, 45, 49]) == pytest.approx(s(-0.7) / s(-1.0))


def test_false_positive_after_window_cost_depends_on_distance() -> None:
    # Window missed (-1); FP at row 60: y' = (60 - 49) / (10 - 1)
    assert raw_at(make_series(), [60]) == pytest.approx(-1.0 + 0.11 * s(11 / 9))
    assert raw_at(make_series(), [50]) == pytest.approx(-1.0 + 0.11 * s(1 / 9))


def test_false_positive_before_any_window_costs_full_weight() -> None:
    assert raw_at(make_series(), [20]) == pytest.approx(-1.0 - 0.11)
    assert raw_at(make_series(), [20], profile_index=1) == pytest.approx(-1.0 - 0.22)


def test_far_false_positive_is_exactly_minus_one() -> None:
    series = make_series(n=400, windows=((100, 109),))
    assert raw_at(series, [300]) == pytest.approx(-1.0 - 0.11)  # y' = 191 / 9 > 3


def test_window_entirely_in_probation_is_not_counted() -> None:
    series = make_series(n=400, windows=((40, 49),))  # probation is 60 rows
    assert raw_at(series, [45]) == 0.0
    assert raw_at(series, [300]) == pytest.approx(-0.11)


def test_probation_rows_are_ignored() -> None:
    # n = 100: probation is floor(0.15 * 100) = 15 rows; a hit at row 5 neither costs nor credits.
    assert raw_at(make_series(), [5, 14]) == pytest.approx(-1.0)
    assert raw_at(make_series(), [15]) == pytest.approx(-1.0 - 0.11)


def test_probation_is_capped_at_750_rows() -> None:
    series = make_series(n=10_000, windows=((5000, 5099),))
    assert raw_at(series, [749]) == pytest.approx(-1.0)
    assert raw_at(series, [750]) == pytest.approx(-1.0 - 0.11)


def test_low_fn_profile_doubles_the_miss() -> None:
    assert raw_at(make_series(), [], profile_index=2) == pytest.approx(-2.0)


def test_sweep_picks_best_corpus_wide_threshold() -> None:
    a = make_series(key="cat/a.csv")
    b = make_series(key="cat/b.csv", windows=((60, 69),))
    sa, sb = np.zeros(100), np.zeros(100)
    sa[40], sa[20] = 0.9, 0.95  # a: TP at 0.9, an FP above it at 0.95
    sb[60], sb[30] = 0.5, 0.6  # b: TP at 0.5, FP at 0.6
    thresholds, raws = sweep(stack_rows([a, b], [sa, sb]), STANDARD)
    assert thresholds[0] == np.inf and raws[0] == pytest.approx(-2.0)
    expected = {0.95: -2.11, 0.9: -0.11, 0.6: -0.22, 0.5: 1.78}
    for t, raw in expected.items():
        assert raws[np.flatnonzero(thresholds == t)[0]] == pytest.approx(raw, abs=0.02)
    result = score_corpus([a, b], [sa, sb])["standard"]
    assert result.threshold == 0.5
    assert result.score == pytest.approx(100 * (1.78 + 2.0) / 4.0, abs=0.01)


def test_per_category_sums_to_corpus_raw() -> None:
    a = make_series(key="one/a.csv")
    b = make_series(key="two/b.csv", windows=((60, 69),))
    sa, sb = np.zeros(100), np.zeros(100)
    sa[42], sb[80] = 1.0, 1.0
    result = score_corpus([a, b], [sa, sb], threshold=1.0)["standard"]
    assert result.per_category["one"].detected == 1 and result.per_category["two"].false_positives == 1
    assert sum(c.raw for c in result.per_category.values()) == pytest.approx(result.raw)


@pytest.mark.skipif(not NAB_DIR.is_dir(), reason=f"NAB data not found at {NAB_DIR} (../shared is absent)")
@pytest.mark.parametrize(("detector", "expected"), [
    ("numenta", (72.8, 66.0, 76.9)),
    ("windowedGaussian", (50.9, 31.1, 59.0)),
])
def test_reproduces_published_scores(detector: str, expected: tuple[float, float, float]) -> None:
    corpus = load_corpus(NAB_DIR)
    scores = [load_result_scores(NAB_DIR / "results" / detector, detector, s) for s in corpus]
    results = score_corpus(corpus, scores)
    got = tuple(results[p.name].score for p in PROFILES)
    assert got == pytest.approx(expected, abs=0.1)
