"""The pattern-novelty view: bounded, causal, identical online and whole-series, and it learns."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.analysis.anomaly import DetectorConfig, score_series
from forewarn.analysis.anomaly.context import ContextState, novelty_series

CFG = DetectorConfig()
START = np.datetime64("2024-01-01T00:00:00")


def online_novelty(x: np.ndarray, cfg: DetectorConfig = CFG) -> np.ndarray:
    state = ContextState.empty(1, cfg)
    return np.array([state.step(np.array([0]), x[i:i + 1], np.array([i]), cfg)[0] for i in range(len(x))])


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("generation", [1, 7, 50, 10_000])
def test_online_step_equals_whole_series(seed: int, generation: int) -> None:
    cfg = DetectorConfig(context_generation=generation, context_table_bits=256)  # small: collisions too
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.normal(0, 1, 700))
    x[rng.random(700) < 0.02] *= 50  # range jumps re-bin everything
    assert np.array_equal(online_novelty(x, cfg), novelty_series(x, cfg))


def test_patterns_are_forgotten_after_two_generations() -> None:
    cfg = DetectorConfig(context_generation=100)
    pattern = np.array([0.0, 9.0, 1.0, 8.0, 2.0, 7.0])
    x = np.r_[np.tile(pattern, 5), np.tile([3.0, 4.0, 5.0, 6.0], 100), np.tile(pattern, 2)]
    novelty = novelty_series(x, cfg)
    assert novelty[30 + 10: 430].max() == 0.0  # the second pattern is learnt and kept
    assert novelty[430 + 6:].max() > 0.0  # the first one, last seen 400 samples ago, is new again


@pytest.mark.parametrize("n", [1, 2, 3, 5, 6])
def test_short_series_have_no_complete_pattern_yet(n: int) -> None:
    x = np.arange(n, dtype=float)
    assert np.array_equal(online_novelty(x), novelty_series(x, CFG))
    assert novelty_series(x, CFG)[0] == 0.0  # one sample makes no pattern


def test_a_repeating_pattern_becomes_familiar_and_a_new_one_stands_out() -> None:
    period = np.array([0.0, 1.0, 5.0, 2.0, 9.0, 3.0, 7.0])
    x = np.r_[np.tile(period, 40), [9.0, 9.0, 0.0, 0.0, 9.0]]
    novelty = novelty_series(x, CFG)
    assert novelty[: len(period) * 2].max() == 1.0
    assert novelty[len(period) * 3: len(period) * 40].max() == 0.0
    assert novelty[len(period) * 40:].max() > 0.5


def test_state_is_a_fixed_bit_table_per_series() -> None:
    state = ContextState.empty(4, CFG)
    before = [a.nbytes for a in state.arrays()]
    rng = np.random.default_rng(3)
    for i in range(3000):
        state.step(np.array([1, 3]), rng.normal(0, 1, 2), np.array([i, i]), CFG)
    assert [a.nbytes for a in state.arrays()] == before
    assert state.table.shape == (4, 2, CFG.context_table_bits // 8)


def test_a_spike_at_a_regular_interval_stops_alarming() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(10, 0.5, 4000)
    x[200::97] = 40.0  # the same spike every 97 samples: part of the series' normal pattern
    scores = score_series(x, START + np.arange(4000) * np.timedelta64(300, "s"))
    first, late = scores[200], scores[3000:].max()
    assert first > 0.8
    assert late < first / 2


def test_bad_context_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="context_bins"):
        DetectorConfig(context_bins=0)
    with pytest.raises(ValueError, match="multiple of 8"):
        DetectorConfig(context_table_bits=1001)


def test_a_spike_smaller_than_the_remembered_peak_ranks_lower() -> None:
    rng = np.random.default_rng(5)
    quiet = rng.normal(10, 1, 3000)
    quiet[2000] += 30
    spiky = quiet.copy()
    spiky[1000] += 90  # the same noise, but this series once jumped three times higher
    ts = START + np.arange(3000) * np.timedelta64(300, "s")
    assert score_series(spiky, ts)[2000] < score_series(quiet, ts)[2000]


def test_peak_discount_is_bounded_and_spares_new_peaks() -> None:
    from forewarn.analysis.anomaly.kernels import peak_discount

    z = np.array([0.0, 5.0, 10.0, 40.0])
    out = peak_discount(z, np.full(4, 20.0), CFG)
    assert out[-1] == 1.0 and out[0] == CFG.peak_floor**CFG.peak_power
    assert np.all(np.diff(out) >= 0)


def test_long_spiky_series_scores_the_same_online_and_whole() -> None:
    from forewarn.analysis.anomaly import AnomalyDetector

    rng = np.random.default_rng(6)
    n = 3000
    x = rng.lognormal(2, 0.5, n)
    spikes = rng.random(n) < 0.03
    x[spikes] *= rng.uniform(5, 50, int(spikes.sum()))
    ts = START + np.cumsum(rng.integers(60, 900, n)).astype("timedelta64[s]")
    det = AnomalyDetector(1)
    online = np.array([det.update(np.array([0]), x[i:i + 1], ts[i:i + 1])[0] for i in range(n)])
    whole = score_series(x, ts)
    assert np.array_equal(online, whole)
    assert det.state.alarms[0] > 1.0  # the alarm-rate discount was exercised


def test_a_series_that_alarms_often_is_trusted_less() -> None:
    rng = np.random.default_rng(7)
    n = 6000
    calm = rng.normal(10, 1, n)
    noisy = calm.copy()
    noisy[500:5000:50] += rng.uniform(15, 40, len(range(500, 5000, 50)))  # frequent surprises
    calm[5500] += 30
    noisy[5500] += 30
    ts = START + np.arange(n) * np.timedelta64(300, "s")
    assert score_series(noisy, ts)[5500] < score_series(calm, ts)[5500]
