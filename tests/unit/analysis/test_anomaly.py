"""The anomaly detector: causal, bounded state, robust input handling, batch step == whole series."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forewarn.analysis.anomaly import AnomalyDetector, DetectorConfig, score_series

START = np.datetime64("2024-01-01T00:00:00")
SMALL_WARMUP = DetectorConfig(warmup=3)


def stamps(n: int, step_s: int = 300) -> np.ndarray:
    return START + np.arange(n) * np.timedelta64(step_s, "s")


def feed_one_by_one(values: np.ndarray, ts: np.ndarray, cfg: DetectorConfig) -> np.ndarray:
    det = AnomalyDetector(1, cfg)
    return np.array([det.update(np.array([0]), values[i:i + 1], ts[i:i + 1])[0] for i in range(len(values))])


values_strategy = st.lists(
    st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(float("nan")), st.sampled_from([0.0, 1.0])),
    min_size=2, max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(values=values_strategy, cut=st.integers(0, 59), seed=st.integers(0, 2**32 - 1))
def test_score_of_a_row_ignores_later_rows(values: list[float], cut: int, seed: int) -> None:
    x = np.array(values)
    cut = min(cut, len(x) - 1)
    ts = stamps(len(x), 1800)
    changed = x.copy()
    changed[cut + 1:] = np.random.default_rng(seed).normal(0, 1e4, len(x) - cut - 1)
    before = score_series(x, ts, SMALL_WARMUP)[: cut + 1]
    after = score_series(changed, ts, SMALL_WARMUP)[: cut + 1]
    assert np.array_equal(before, after)


@settings(max_examples=40, deadline=None)
@given(values=values_strategy)
def test_whole_series_path_equals_feeding_samples_one_by_one(values: list[float]) -> None:
    x = np.array(values)
    ts = stamps(len(x), 1800)
    assert np.array_equal(score_series(x, ts, SMALL_WARMUP), feed_one_by_one(x, ts, SMALL_WARMUP))


def test_batch_update_of_interleaved_series_equals_scoring_each_series() -> None:
    rng = np.random.default_rng(7)
    lengths = [400, 250, 333, 50]
    series = []
    for n in lengths:
        x = 5 * np.sin(np.arange(n) / 20) + rng.normal(0, 1, n)
        x[rng.random(n) < 0.05] = np.nan
        gaps = rng.integers(60, 4000, n)  # irregular sampling
        series.append((x, START + np.cumsum(gaps).astype("timedelta64[s]")))
    det = AnomalyDetector(len(series), DetectorConfig())
    got = [np.empty(n) for n in lengths]
    pos = np.zeros(len(series), dtype=int)
    while np.any(pos < lengths):
        live = np.flatnonzero(pos < lengths)
        batch = live[rng.random(len(live)) < 0.7]  # a random subset reports each step
        if len(batch) == 0:
            continue
        vals = np.array([series[i][0][pos[i]] for i in batch])
        ts = np.array([series[i][1][pos[i]] for i in batch])
        out = det.update(batch, vals, ts)
        for i, score in zip(batch, out, strict=True):
            got[i][pos[i]] = score
        pos[batch] += 1
    for (x, ts), scores in zip(series, got, strict=True):
        assert np.array_equal(scores, score_series(x, ts))


def test_state_size_does_not_grow_with_series_length() -> None:
    det = AnomalyDetector(3)
    size = det.state.nbytes_per_series()
    ts = stamps(5000)
    for i in range(5000):
        det.update(np.array([0, 2]), np.array([np.sin(i / 10), float(i)]), ts[i:i + 1].repeat(2))
    assert det.state.nbytes_per_series() == size
    assert size < 4096


@pytest.mark.parametrize("values", [
    np.full(2000, 3.0),  # flat line
    np.zeros(2000),
    np.where(np.arange(2000) % 7 < 3, np.nan, 1.0),  # flat with NaN gaps
    np.cumsum(np.ones(2000)) * 1e9,  # a counter
    np.r_[np.full(500, np.nan), np.arange(1500.0)],  # starts with a long gap
    np.full(30, np.nan),
])
def test_awkward_series_give_finite_scores_without_warnings(values: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = score_series(values, stamps(len(values)))
        online = feed_one_by_one(values, stamps(len(values)), DetectorConfig())
    assert np.all(np.isfinite(scores)) and scores.min() >= 0.0 and scores.max() <= 1.0
    assert np.array_equal(scores, online)
    assert np.all(scores[np.isnan(values)] == 0.0)


def test_constant_series_never_alarms() -> None:
    assert score_series(np.full(3000, 42.0), stamps(3000)).max() == 0.0


def test_level_shift_alarms_once_then_adapts() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(100, 2, 3000)
    x[2000:] += 40
    scores = score_series(x, stamps(3000))
    assert scores[2000:2005].max() > 0.8
    assert scores[1000:2000].max() < 0.5
    assert np.sum(scores[2005:] > 0.5) <= 2  # the shift is one episode, not a stream of alarms


def test_daily_seasonality_is_learnt_and_a_spike_still_stands_out() -> None:
    rng = np.random.default_rng(2)
    n = 288 * 21  # three weeks of 5-minute samples
    t = np.arange(n)
    x = 50 + 40 * ((t % 288) < 144) + rng.normal(0, 1, n)  # sharp day/night steps at 00:00 and 12:00
    x[288 * 18 + 100] += 25
    scores = score_series(x, stamps(n))
    assert scores[288 * 18 + 100] > 0.8
    quiet = scores[288 * 14: 288 * 18]
    assert quiet.max() < 0.5  # the daily steps themselves are no longer surprising


def test_update_rejects_duplicate_series_in_one_batch() -> None:
    det = AnomalyDetector(2)
    with pytest.raises(ValueError, match="at most once"):
        det.update(np.array([1, 1]), np.array([1.0, 2.0]), stamps(2))
