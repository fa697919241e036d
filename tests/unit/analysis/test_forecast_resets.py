"""Forecasts of series that reset regularly (a nightly backup's age, a weekly cleanup), with real sawtooth data."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.analysis.forecast import ForecastWatcher, forecast_crossing, forecast_text
from forewarn.analysis.forecast.resets import find_resets, reset_indices

DAY = 86_400.0
HOUR = 3_600.0
T0 = 1_700_006_400.0  # midnight UTC
CADENCE = 900.0  # the dental scenario's backup check runs every 15 minutes
LOOKBACK = 14 * DAY  # as the forecast stage reads
LIMIT = 48.0


def backup_age(t: np.ndarray, fail_from: float | None = None) -> np.ndarray:
    """Hours since the last backup; backups finish at 02:00 every day, none from `fail_from` on."""
    last = np.floor((t - T0 - 2 * HOUR) / DAY) * DAY + T0 + 2 * HOUR
    if fail_from is not None:
        last = np.minimum(last, np.floor((fail_from - T0 - 2 * HOUR) / DAY) * DAY + T0 + 2 * HOUR)
    return np.maximum(0.0, (t - last) / HOUR)


def sampled(fn, days: float, seed: int = 0, noise: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ts = T0 + np.arange(0.0, days * DAY, CADENCE) + rng.uniform(0.0, 60.0)
    return ts, fn(ts) + rng.normal(0.0, noise, ts.size)


def hourly_run(ts: np.ndarray, v: np.ndarray, start_day: float, end_day: float, limit: float = LIMIT):
    """Forecast every hour as the stage does, feeding a 3-day watcher; (hour, event, forecast) per event."""
    watcher = ForecastWatcher(horizon_s=3 * DAY)
    events = []
    for now in np.arange(T0 + start_day * DAY, T0 + end_day * DAY, HOUR):
        sel = (ts <= now) & (ts > now - LOOKBACK)
        f = forecast_crossing(ts[sel], v[sel], limit, "above", float(now))
        event = watcher.update("backup", f)
        if event is not None:
            events.append((float(now), event.kind, f))
    return events


def test_daily_sawtooth_is_found_with_its_interval_and_last_reset() -> None:
    ts, v = sampled(backup_age, 6.5)
    idx = reset_indices(ts, v, "above")
    assert idx.size == 7  # 02:00 on days 0..6 (the series starts at midnight, 22 h after a backup)
    assert np.all(np.abs((ts[idx] - T0 - 2 * HOUR) % DAY) < CADENCE + 60.0)
    pattern = find_resets(ts, v, "above", 2)
    assert pattern is not None
    assert pattern.interval_s == pytest.approx(DAY, abs=CADENCE)
    assert pattern.spread < 0.05
    assert pattern.clock_drift_s < CADENCE + 60.0
    assert pattern.regular(0.25, HOUR)
    assert pattern.last_ts == pytest.approx(T0 + 6 * DAY + 2 * HOUR, abs=CADENCE + 60.0)


def test_daily_sawtooth_never_warns_over_ten_days() -> None:
    ts, v = sampled(backup_age, 12.0)
    # From day 1's backup on, two resets have been seen; before that nothing regular is known yet.
    assert hourly_run(ts, v, 1.2, 12.0) == []


def test_sawtooth_forecast_says_when_the_next_reset_is_due() -> None:
    ts, v = sampled(backup_age, 8.0)
    now = T0 + 7 * DAY + 15 * HOUR  # 15:00, 13 h after the night's backup
    sel = ts <= now
    f = forecast_crossing(ts[sel], v[sel], LIMIT, "above", now)
    assert f.crossing_ts is None
    assert "+reset" in f.method
    assert f.fit_window[0] == pytest.approx(T0 + 7 * DAY + 2 * HOUR, abs=CADENCE + 60.0)  # only since the reset
    assert f.rate_per_day == pytest.approx(24.0, rel=0.05)  # one hour of age per hour
    text = forecast_text(f, "backup age")
    assert text == "backup age: no crossing of 48 predicted before its next reset; resets every ~24 h; next expected in ~11 h"


def test_failing_backup_warns_before_the_age_reaches_its_limit() -> None:
    fail_from = T0 + 5 * DAY + 1 * HOUR  # the 02:00 backup of day 5 and all later ones fail
    ts, v = sampled(lambda t: backup_age(t, fail_from), 10.0)
    events = hourly_run(ts, v, 2.2, 10.0)
    assert events, "a backup that stopped must be warned about"
    when, kind, f = events[0]
    crossing = T0 + 4 * DAY + 2 * HOUR + LIMIT * HOUR  # age 48 h after day 4's backup
    assert kind == "raise"
    # Warned once the reset is overdue (1.5 intervals after the last one), ahead of the real crossing.
    assert T0 + 4 * DAY + 2 * HOUR + 1.5 * DAY <= when < crossing
    lead_h = (crossing - when) / HOUR
    assert lead_h >= 10.0
    assert f.crossing_ts == pytest.approx(crossing, abs=HOUR)
    assert "overdue by ~" in forecast_text(f, "backup age")


def test_linear_fill_without_resets_is_unchanged() -> None:
    ts = T0 + np.arange(0.0, 10 * DAY, 300.0)
    v = 40.0 + 4.0 * (ts - T0) / DAY + np.random.default_rng(3).normal(0.0, 0.4, ts.size)
    now = float(ts[-1])
    f = forecast_crossing(ts, v, 95.0, "above", now)
    assert f.resets is None and "reset" not in f.method
    assert (f.crossing_ts - now) / DAY == pytest.approx((95.0 - 80.0) / 4.0, abs=0.3)


def weekly_cleanup(rate: float):
    """A disk filling `rate` points a day from 40 %, cleaned back to 40 % every 7 days."""
    def signal(t: np.ndarray) -> np.ndarray:
        return 40.0 + rate * (((t - T0) / DAY) % 7.0)
    return signal


def test_weekly_cleanup_that_fills_up_before_the_next_one_still_warns() -> None:
    # 9 points a day: from 40 % the disk reaches 95 % after ~6.1 days, before the day-7 cleanup.
    ts, v = sampled(weekly_cleanup(9.0), 18.5, noise=0.4)  # cleanups on days 7 and 14
    now = float(ts[-1])  # day 18.5: 4.5 days into the week, at ~80.5 %
    f = forecast_crossing(ts, v, 95.0, "above", now)
    assert f.resets is not None and f.resets.interval_s == pytest.approx(7 * DAY, abs=HOUR)
    expected = (95.0 - (40.0 + 9.0 * 4.5)) / 9.0
    assert (f.crossing_ts - now) / DAY == pytest.approx(expected, abs=0.2)


def test_weekly_cleanup_long_before_the_limit_does_not_warn() -> None:
    ts, v = sampled(weekly_cleanup(4.0), 18.5, noise=0.4)
    now = float(ts[-1])  # 58 %, would reach 95 % in ~9 days: after the cleanup due in 2.5 days
    f = forecast_crossing(ts, v, 95.0, "above", now)
    assert f.crossing_ts is None and f.resets is not None


def test_irregular_drops_are_no_pattern_and_a_spike_is_no_reset() -> None:
    ts = T0 + np.arange(0.0, 12 * DAY, CADENCE)
    drops = T0 + np.array([0.0, 1.0, 2.0, 6.0, 6.5, 9.5]) * DAY  # intervals 1, 4, 0.5 and 3 days
    last = drops[np.searchsorted(drops, ts, side="right") - 1]
    v = 40.0 * (1.0 - np.exp(-(ts - last) / (6 * HOUR)))  # fills up and levels off, then is emptied
    assert find_resets(ts, v, "above", 2) is not None  # found ...
    assert not find_resets(ts, v, "above", 2).regular(0.25, HOUR)  # ... but not regular
    flat = np.full(ts.size, 50.0)
    flat[200] = 0.0  # one glitch to zero
    assert reset_indices(ts, flat, "above").size == 0


def test_below_direction_resets_are_rises() -> None:
    # Days to certificate expiry, renewed every 30 days back to 90; limit 7 days below.
    ts = T0 + np.arange(0.0, 27 * DAY, HOUR)
    v = 90.0 - ((ts - T0) / DAY) % 30.0
    # only one renewal is in 27 days: no pattern, and the ordinary countdown forecast stands
    assert find_resets(ts, v, "below", 2) is None
    ts2 = T0 + np.arange(0.0, 70 * DAY, HOUR)
    v2 = 90.0 - ((ts2 - T0) / DAY) % 30.0
    pattern = find_resets(ts2, v2, "below", 2)
    assert pattern is not None and pattern.interval_s == pytest.approx(30 * DAY, abs=HOUR)


def test_cleanups_whenever_the_disk_is_nearly_full_are_no_schedule() -> None:
    # Cleaned at day 3.3 and day 8.1 (whenever someone noticed): evenly enough spaced for one
    # interval, but at 07:12 and 02:24, so no schedule, and the fill is warned about as before.
    ts = T0 + np.arange(0.0, 10 * DAY, 300.0)
    d = (ts - T0) / DAY
    v = 50.0 + 10.0 * d - 35.0 * (d >= 3.3) - 40.0 * (d >= 8.1)
    pattern = find_resets(ts, v, "above", 2)
    assert pattern is not None and pattern.clock_drift_s > 2 * HOUR
    assert not pattern.regular(0.25, HOUR)
    now = float(ts[-1])  # 75 % at 10 points a day: 95 % in ~2 days
    f = forecast_crossing(ts, v, 95.0, "above", now)
    assert f.resets is None
    assert (f.crossing_ts - now) / DAY == pytest.approx(2.0, abs=0.3)


def test_no_warning_in_the_minutes_right_after_a_reset() -> None:
    # The step finder needs five samples to confirm a level shift; until then a fit across the
    # fresh drop once read as a crossing ~28 h ahead and raised (then withdrew) a warning each night.
    ts, v = sampled(backup_age, 10.0)
    for day in range(3, 10):
        for now in T0 + day * DAY + np.arange(1.5 * HOUR, 4.0 * HOUR, CADENCE):
            sel = ts <= now
            f = forecast_crossing(ts[sel], v[sel], LIMIT, "above", float(now))
            ahead = f.seconds_to_crossing()
            assert ahead is None or ahead > 3 * DAY, (day, (now - T0 - day * DAY) / HOUR, f.method)


def test_noise_on_a_busy_daily_cycle_is_no_reset() -> None:
    # Server CPU as the simulated data centre has it (15 % + 30 % at the 15:00 peak, noise 4), four
    # days at five minutes from Friday: two chance drops of half its range on Saturday evening, 85
    # minutes apart, were read as a reset "every ~1 h", which cut the fit to Sunday and Monday.
    ts = 1_767_312_000.0 + np.arange(0.0, 3.67 * DAY, 300.0)
    hour = (ts % DAY) / HOUR
    weekend = np.where(((ts // DAY + 3) % 7) >= 5, 0.3, 1.0)
    v = 15.0 + 30.0 * weekend * (0.5 + 0.5 * np.cos(2 * np.pi * (hour - 15.0) / 24.0))
    v = v + np.random.default_rng(3).normal(0.0, 4.0, ts.size)
    assert reset_indices(ts, v, "above").size == 0
    assert find_resets(ts, v, "above", 2) is None
