"""Time-to-limit forecasts on generated fill patterns, checked against the true crossing."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from forewarn.analysis.forecast import Forecast, ForecastConfig, forecast_crossing, forecast_many

DAY = 86_400.0
NOW = 1_700_000_000.0 + 10 * DAY


def sample(
    signal: Callable[[np.ndarray], np.ndarray],
    days: float,
    seed: int = 0,
    noise: float = 0.4,
    step: float = 300.0,
) -> tuple[np.ndarray, np.ndarray]:
    """`days` of jittered samples ending at NOW, with white noise."""
    rng = np.random.default_rng(seed)
    ts = NOW - np.arange(0.0, days * DAY, step)[::-1]
    ts = ts + rng.uniform(-0.3, 0.0, ts.size) * step
    return ts, signal(ts) + rng.normal(0.0, noise, ts.size)


def true_crossing(signal: Callable[[np.ndarray], np.ndarray], limit: float, below: bool = False) -> float:
    grid = np.arange(NOW, NOW + 60 * DAY, 60.0)
    hit = np.flatnonzero(signal(grid) <= limit if below else signal(grid) >= limit)
    return float(grid[hit[0]])


def days_from_now(ts: float | None) -> float:
    assert ts is not None
    return (ts - NOW) / DAY


def linear(level_now: float, rate: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda t: level_now + rate * (t - NOW) / DAY


def test_linear_fill_crosses_near_truth_with_interval_around_it() -> None:
    signal = linear(80.0, 4.0)  # 95 % in 3.75 days
    f = forecast_crossing(*sample(signal, 7), 95.0, "above", NOW)
    assert days_from_now(f.crossing_ts) == pytest.approx(3.75, abs=0.15)
    assert f.lower_ts is not None and f.upper_ts is not None
    assert f.lower_ts <= true_crossing(signal, 95.0) <= f.upper_ts
    assert f.rate_per_day == pytest.approx(4.0, rel=0.05)
    assert f.method.startswith("linear")
    assert f.fit_window[1] <= NOW and f.fit_window[0] < f.fit_window[1]


def test_daily_cycle_forecasts_the_envelope_not_the_mean_nor_todays_peak() -> None:
    def signal(t: np.ndarray) -> np.ndarray:
        return 70.0 + 3.0 * (t - NOW) / DAY + 8.0 * np.sin(2 * np.pi * t / DAY)

    truth = true_crossing(signal, 95.0)
    f = forecast_crossing(*sample(signal, 8), 95.0, "above", NOW)
    assert "daily" in f.method
    assert days_from_now(f.crossing_ts) == pytest.approx((truth - NOW) / DAY, abs=0.2)
    assert days_from_now(f.crossing_ts) < 25.0 / 3.0  # the trend alone would cross only at 8.3 days
    assert f.rate_per_day == pytest.approx(3.0, rel=0.1)  # the morning rise is not the trend


def test_piecewise_acceleration_predicts_earlier_than_a_long_straight_line() -> None:
    def signal(t: np.ndarray) -> np.ndarray:
        d = (t - NOW) / DAY
        return 70.0 + 1.0 * d + 4.0 * np.maximum(0.0, d + 3.0)  # 5 %/day for the last 3 days

    ts, v = sample(signal, 14)
    truth = true_crossing(signal, 95.0)
    f = forecast_crossing(ts, v, 95.0, "above", NOW)
    straight = np.polyfit((ts - NOW) / DAY, v, 1)
    straight_days = (95.0 - straight[1]) / straight[0]
    assert days_from_now(f.crossing_ts) == pytest.approx((truth - NOW) / DAY, abs=0.3)
    assert days_from_now(f.crossing_ts) < straight_days - 1.0
    assert f.rate_per_day == pytest.approx(5.0, rel=0.15)


def test_quadratic_growth_is_followed() -> None:
    def signal(t: np.ndarray) -> np.ndarray:
        d = (t - NOW) / DAY + 10.0
        return 30.0 + 1.0 * d + 0.4 * d * d  # 80 now, growing 9 %/day and speeding up

    truth = true_crossing(signal, 95.0)
    f = forecast_crossing(*sample(signal, 10), 95.0, "above", NOW)
    assert days_from_now(f.crossing_ts) == pytest.approx((truth - NOW) / DAY, abs=0.2)


def fill_with_cleanup(cleanup_days_ago: float) -> Callable[[np.ndarray], np.ndarray]:
    """Fills at 4 %/day; a cleanup `cleanup_days_ago` dropped usage by 35 points."""

    def signal(t: np.ndarray) -> np.ndarray:
        d = (t - NOW) / DAY
        return 80.0 + 4.0 * d - 35.0 * (d < -cleanup_days_ago)

    return signal


@pytest.mark.parametrize("days_ago", [3.0, 0.5])
def test_cleanup_is_a_reset_not_a_reversal(days_ago: float) -> None:
    signal = fill_with_cleanup(days_ago)
    f = forecast_crossing(*sample(signal, 10), 95.0, "above", NOW)
    assert days_from_now(f.crossing_ts) == pytest.approx(15.0 / 4.0, abs=0.3)
    assert f.rate_per_day == pytest.approx(4.0, rel=0.1)
    # Long enough after the cleanup only the new data is fitted; right after it, older data stays
    # in with its own level.
    assert ("+step" if days_ago > 2.5 else "+shift") in f.method
    if days_ago > 2.5:
        assert f.fit_window[0] == pytest.approx(NOW - days_ago * DAY, abs=600)


def test_single_spike_is_not_a_step() -> None:
    ts, v = sample(linear(70.0, 3.0), 7)
    v[-200] -= 40.0
    f = forecast_crossing(ts, v, 95.0, "above", NOW)
    assert "+step" not in f.method and "+shift" not in f.method
    assert days_from_now(f.crossing_ts) == pytest.approx(25.0 / 3.0, abs=0.5)


def test_flat_series_predicts_no_crossing() -> None:
    f = forecast_crossing(*sample(lambda t: np.full(t.shape, 60.0), 7), 95.0, "above", NOW)
    assert f.crossing_ts is None and f.lower_ts is None
    assert f.method == "no-trend"


def test_slow_growth_beyond_the_horizon_predicts_no_crossing() -> None:
    f = forecast_crossing(*sample(linear(50.0, 0.5), 7), 95.0, "above", NOW)  # 90 days away
    assert f.crossing_ts is None
    assert f.rate_per_day == pytest.approx(0.5, abs=0.1)


def test_already_crossed_reports_when() -> None:
    signal = linear(97.0, 2.0)  # crossed 1 day ago
    f = forecast_crossing(*sample(signal, 5), 95.0, "above", NOW)
    assert f.already_crossed and f.method == "already-crossed"
    assert days_from_now(f.crossing_ts) == pytest.approx(-1.0, abs=0.1)
    assert f.seconds_to_crossing() == 0.0


def test_nan_gaps_and_irregular_sampling() -> None:
    rng = np.random.default_rng(3)
    signal = linear(80.0, 4.0)
    ts = np.sort(NOW - rng.uniform(0.0, 7 * DAY, 1500))
    v = signal(ts) + rng.normal(0.0, 0.4, ts.size)
    v[(ts > NOW - 4 * DAY) & (ts < NOW - 3 * DAY)] = np.nan  # a one-day outage
    v[rng.random(ts.size) < 0.05] = np.nan
    v[::97] = np.inf
    f = forecast_crossing(ts, v, 95.0, "above", NOW)
    assert days_from_now(f.crossing_ts) == pytest.approx(3.75, abs=0.2)


def test_future_samples_are_ignored() -> None:
    ts, v = sample(linear(80.0, 4.0), 7)
    later = np.array([NOW + DAY]), np.array([0.0])
    f = forecast_crossing(np.r_[ts, later[0]], np.r_[v, later[1]], 95.0, "above", NOW)
    assert days_from_now(f.crossing_ts) == pytest.approx(3.75, abs=0.15)


def test_below_direction_certificate_days_to_expiry() -> None:
    signal = linear(20.0, -1.0)  # days to expiry, sampled hourly, warn at 7
    f = forecast_crossing(*sample(signal, 10, noise=0.01, step=3600.0), 7.0, "below", NOW)
    assert days_from_now(f.crossing_ts) == pytest.approx(13.0, abs=0.1)
    assert f.rate_per_day == pytest.approx(-1.0, rel=0.02)
    assert f.lower_ts is not None and f.lower_ts <= f.crossing_ts


def test_below_direction_already_below() -> None:
    f = forecast_crossing(*sample(linear(5.0, -1.0), 10, noise=0.01, step=3600.0), 7.0, "below", NOW)
    assert f.already_crossed


def test_counter_is_not_applicable_and_short_series_is_insufficient() -> None:
    ts, v = sample(linear(80.0, 4.0), 3)
    assert forecast_crossing(ts, v, 95.0, "above", NOW, kind="counter").method == "not-applicable"
    short = forecast_crossing(ts[-5:], v[-5:], 95.0, "above", NOW)
    assert short.method == "insufficient-data" and short.crossing_ts is None


def test_bad_direction_and_mismatched_lengths_are_refused() -> None:
    ts, v = sample(linear(80.0, 4.0), 3)
    with pytest.raises(ValueError, match="direction"):
        forecast_crossing(ts, v, 95.0, "up", NOW)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="differ in length"):
        forecast_crossing(ts, v[:-1], 95.0, "above", NOW)


def test_projection_runs_from_now_with_bands_around_the_line() -> None:
    f = forecast_crossing(*sample(linear(80.0, 4.0), 7), 95.0, "above", NOW)
    pts = f.projection
    assert len(pts) == ForecastConfig().projection_points
    assert pts[0].ts == pytest.approx(NOW)
    assert pts[-1].ts > f.crossing_ts
    assert all(p.lo <= p.value <= p.hi for p in pts)
    assert pts[-1].value > 95.0 > pts[0].value


def test_forecast_many_matches_one_by_one() -> None:
    a, b = sample(linear(80.0, 4.0), 7, seed=1), sample(linear(20.0, -1.0), 7, seed=2)
    many = forecast_many([a, b], [95.0, 7.0], ["above", "below"], NOW)
    single = [forecast_crossing(*a, 95.0, "above", NOW), forecast_crossing(*b, 7.0, "below", NOW)]
    assert [f.crossing_ts for f in many] == [f.crossing_ts for f in single]
    assert all(isinstance(f, Forecast) for f in many)
    with pytest.raises(ValueError, match="one limit and direction per series"):
        forecast_many([a, b], [95.0], ["above", "below"], NOW)
