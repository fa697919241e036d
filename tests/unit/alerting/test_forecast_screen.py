"""The forecast screen keeps every series heading for its limit and leaves out the steady ones; the hourly grid agrees with the store."""

from __future__ import annotations

import numpy as np

from forewarn.alerting.forecast_screen import could_cross, screen_grid
from forewarn.alerting.forecast_stage import LOOKBACK, REACH, SCREEN_POINTS
from forewarn.alerting.hourly_grid import HourlyGrid
from forewarn.analysis.forecast import forecast_crossing
from forewarn.core.records import SampleBatch
from forewarn.monitoring import MemorySeriesStore

DAY = 86_400.0
START = 1_767_225_600.0  # a Thursday, midnight UTC


def office_load(days: float, base: float, swing: float, noise: float, seed: int = 1,
                weekend: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """Minute samples with a daily swing that weakens at weekends, as the simulator's workloads have."""
    ts = START + 60.0 * np.arange(int(days * 1440))
    hour = (ts % DAY) / 3600.0
    is_weekend = ((ts // DAY + 3) % 7) >= 5
    daily = swing * (0.5 + 0.5 * np.cos(2 * np.pi * (hour - 15) / 24)) * np.where(is_weekend, weekend, 1.0)
    return ts, base + daily + np.random.default_rng(seed).normal(0, noise, ts.size)


def screen(series: list[tuple[np.ndarray, np.ndarray]], limits: list[float], above: list[bool]) -> np.ndarray:
    now = max(float(ts[-1]) for ts, _ in series)
    return could_cross([(ts, v, None) for ts, v in series], np.array(limits), np.array(above), now, LOOKBACK,
                       REACH).kept


def test_steady_load_far_below_its_limit_is_left_out_at_every_hour():
    kept = []
    for days in np.arange(8.0, 15.0, 0.25):
        ts, v = office_load(days, 15, 30, 4, weekend=1.0)
        kept.append(bool(screen([(ts, v)], [98.0], [True])[0]))
    assert not any(kept)


def test_a_monday_ramp_is_passed_to_the_forecaster_which_reads_it_as_the_weekly_cycle():
    ts, v = office_load(4.7, 15, 30, 2)  # Monday 16:48 after a quiet weekend, under five days of data
    assert screen([(ts, v)], [98.0], [True])[0]  # steep to the screen: only the full fit may rule it out
    forecast = forecast_crossing(ts, v, 98.0, "above", float(ts[-1]))
    assert forecast.crossing_ts is None  # (the fit before weekends had their own cycle: 98 % in ~2.8 days)


def test_a_fill_that_crosses_within_the_horizon_is_kept_and_the_forecaster_agrees():
    ts, v = office_load(10, 60, 0, 0.05)
    v = v + np.clip((ts - ts[-1] + 2 * DAY) / DAY, 0, None) * 12.0  # began two days ago, 12 points a day
    assert screen([(ts, v)], [100.0], [True])[0]
    ahead = forecast_crossing(ts, v, 100.0, "above", float(ts[-1])).seconds_to_crossing()
    assert ahead is not None and ahead < 3 * DAY


def test_a_countdown_towards_a_lower_limit_is_kept_only_when_near():
    ts = START + 60.0 * np.arange(10 * 1440)
    near = 9.0 - (ts - ts[0]) / DAY * 0.5  # days to expiry falling half a day per day, limit 7 below
    far = 90.0 - (ts - ts[0]) / DAY
    kept = screen([(ts, near), (ts, far)], [7.0, 7.0], [False, False])
    assert kept.tolist() == [True, False]


def test_a_series_at_its_limit_or_with_too_little_data_is_kept():
    ts, v = office_load(9, 90, 0, 0.5)
    short_ts, short_v = ts[-600:], v[-600:] - 60  # ten hours only
    kept = screen([(ts, v), (short_ts, short_v)], [90.0, 100.0], [True, True])
    assert kept.tolist() == [True, True]


def test_hourly_grid_fed_from_batches_gives_the_same_screen_as_reading_the_store():
    store = MemorySeriesStore()
    series = [office_load(12, 40, 20, 2, seed=s) for s in range(3)]
    half = len(series[0][0]) // 2
    ids = np.array([11, 12, 13])
    for sid, (ts, v) in zip(ids, series, strict=True):
        store.append(SampleBatch(np.full(half, sid), ts[:half], v[:half]))
    warm_at = float(series[0][0][half - 1])
    grid = HourlyGrid(int(LOOKBACK // 3600))
    read = store.read_many(ids.tolist(), warm_at - LOOKBACK, warm_at, SCREEN_POINTS)
    grid.warm({int(sid): (r.timestamps, r.values, r.count) for sid, r in read.items()}, warm_at)
    for k in range(half, len(series[0][0]), 60):  # the rest arrives an hour at a time, as ticks would
        batch = SampleBatch(np.repeat(ids, 60), np.concatenate([ts[k:k + 60] for ts, _ in series]),
                            np.concatenate([v[k:k + 60] for _, v in series]))
        store.append(batch)
        grid.add(batch.series_ids, batch.timestamps, batch.values)
    now = float(series[0][0][-1])
    y, mask, t = grid.matrix(ids, now)
    from_store = store.read_many(ids.tolist(), now - LOOKBACK, now, SCREEN_POINTS)
    expected = could_cross([(r.timestamps, r.values, r.count) for r in from_store.values()],
                           np.array([70.0, 70.0, 62.0]), np.ones(3, dtype=bool), now, LOOKBACK, REACH)
    got = screen_grid(y, mask, t, np.array([70.0, 70.0, 62.0]), np.ones(3, dtype=bool), now, REACH)
    assert mask.sum() == (12 * 24 - 1) * 3  # every whole hour of every series (the last is under way)
    np.testing.assert_allclose(got.rate, expected.rate, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(got.gap, expected.gap, rtol=1e-9)
    assert got.kept.tolist() == expected.kept.tolist()


def test_an_overdue_nightly_reset_is_kept_for_the_forecaster_to_warn():
    """A backup's age resets at 02:00; from day 5 the backups fail. Once overdue, the screen must pass it on."""
    ts = START + 900.0 * np.arange(int(5.7 * 96))  # every 15 minutes up to day 5, 16:48
    last = np.floor((ts - START - 7200.0) / DAY) * DAY + START + 7200.0
    last = np.minimum(last, START + 4 * DAY + 7200.0)  # no backup after day 4's
    age = np.maximum(0.0, (ts - last) / 3600.0)
    now = float(ts[-1])
    f = forecast_crossing(ts, age, 48.0, "above", now)
    assert f.resets is not None and f.seconds_to_crossing() is not None and f.seconds_to_crossing() < DAY
    assert screen([(ts, age)], [48.0], [True])[0]
