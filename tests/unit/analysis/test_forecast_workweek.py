"""Office load on under two weeks of data: the weekday/weekend cycle is no trend, a real fill still warns early."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.analysis.forecast import forecast_crossing

DAY, HOUR = 86_400.0, 3_600.0
HORIZON = 3 * DAY  # the forecast stage's warning horizon
MONDAY = 1_767_571_200.0  # 2026-01-05 00:00 UTC, the simulator's default start


def office(ts: np.ndarray, base: float, swing: float, noise: float, seed: int, weekend: float = 0.3) -> np.ndarray:
    """A business-hours swing peaking at 15:00 UTC, `weekend` of it left on Saturdays and Sundays."""
    hour = (ts % DAY) / HOUR
    on_weekend = ((ts // DAY + 3) % 7) >= 5
    cycle = swing * (0.5 + 0.5 * np.cos(2 * np.pi * (hour - 15.0) / 24.0)) * np.where(on_weekend, weekend, 1.0)
    return base + cycle + np.random.default_rng(seed).normal(0.0, noise, ts.size)


def first_warning(ts: np.ndarray, v: np.ndarray, limit: float, times: np.ndarray) -> float | None:
    """The first evaluation time whose forecast crosses `limit` within the horizon."""
    for now in times:
        ahead = forecast_crossing(ts[ts <= now], v[ts <= now], limit, "above", float(now)).seconds_to_crossing()
        if ahead is not None and ahead <= HORIZON:
            return float(now)
    return None


@pytest.mark.parametrize("history_days", [3, 5, 7, 10, 14])
def test_server_cpu_weekday_ramps_after_a_quiet_weekend_never_warn(history_days: int) -> None:
    # The simulated data centre's server CPU (15 % + 30 % at the peak, noise 4) against its 98 % limit,
    # five-minute samples as the stage reads them; before weekends had their own cycle, 3 and 5 days
    # of history warned "98 % in ~2.7 days" through Monday afternoon.
    ts = np.arange(MONDAY - history_days * DAY, MONDAY + 2 * DAY, 300.0)
    v = office(ts, 15.0, 30.0, 4.0, seed=history_days)
    assert first_warning(ts, v, 98.0, MONDAY + np.arange(8.0, 48.0, 2.0) * HOUR) is None


def test_a_linear_disk_fill_on_the_same_short_history_still_warns_days_ahead() -> None:
    # Three days of history (Friday to Sunday), then Monday 04:00 a disk starts filling from 58 %
    # to full in five days, as the data centre's srv-22 does.
    ts = np.arange(MONDAY - 3 * DAY, MONDAY + 6 * DAY, 300.0)
    onset, rate = MONDAY + 4 * HOUR, 42.0 / 5.0
    v = np.maximum(58.0 + np.random.default_rng(3).normal(0.0, 0.05, ts.size),
                   58.0 + rate * np.clip(ts - onset, 0.0, None) / DAY)
    full = onset + 5 * DAY
    warned = first_warning(ts, v, 100.0, np.arange(onset, full, HOUR))
    assert warned is not None and full - warned >= 2.9 * DAY


def test_a_memory_leak_on_a_cycling_series_over_a_weekend_still_warns_over_a_day_ahead() -> None:
    # Memory with an office cycle (55 % + 8 % at the peak) leaks from Saturday noon to 100 % in two days.
    ts = np.arange(MONDAY - 5 * DAY, MONDAY + DAY, 300.0)
    onset = MONDAY - 1.5 * DAY
    leak = 55.0 + 45.0 * np.clip((ts - onset) / (2 * DAY), 0.0, 1.0)
    v = np.maximum(office(ts, 55.0, 8.0, 1.5, seed=4), leak)
    full = onset + 2 * DAY
    warned = first_warning(ts, v, 100.0, np.arange(onset, full, HOUR))
    assert warned is not None and full - warned >= 1.25 * DAY
