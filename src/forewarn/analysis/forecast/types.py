"""The plain records a forecast produces and the knobs that shape it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Direction = Literal["above", "below"]
SeriesKind = Literal["gauge", "counter"]

DAY = 86_400.0
HOUR = 3_600.0


@dataclass(frozen=True, slots=True)
class ProjectionPoint:
    """One point of the dashed projection drawn after the last sample on a chart."""

    ts: float
    value: float
    lo: float
    hi: float


@dataclass(frozen=True, slots=True)
class ResetPattern:
    """Resets seen in a series: when the last one was, how far apart they come and how regularly.

    `spread` is the median absolute deviation of the intervals over their median (0: clockwork);
    it is NaN with a single interval, which cannot show regularity either way. `clock_drift_s` is
    how far the resets' times of day stray from their mean (largest deviation, seconds): a schedule
    (a nightly backup, a weekly cleanup) keeps its hour, a disk cleaned whenever it is nearly full
    does not.
    """

    count: int
    last_ts: float
    interval_s: float
    spread: float
    clock_drift_s: float

    def next_ts(self) -> float:
        return self.last_ts + self.interval_s

    def regular(self, max_spread: float, max_drift_s: float) -> bool:
        """Evenly spaced and, when a day or more apart, at the same time of day."""
        even = math.isnan(self.spread) or self.spread <= max_spread
        return even and (self.interval_s < 0.75 * DAY or self.clock_drift_s <= max_drift_s)

    def describe(self, now: float) -> str:
        """E.g. "resets every ~24 h; next expected in ~2 h" (or "overdue by ~10 h")."""
        every = _amount(self.interval_s)
        ahead = self.next_ts() - now
        when = f"next expected in ~{_amount(ahead)}" if ahead >= 0 else f"overdue by ~{_amount(-ahead)}"
        return f"resets every ~{every}; {when}"


def _amount(seconds: float) -> str:
    hours = seconds / HOUR
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.1f} d"


@dataclass(frozen=True, slots=True)
class Forecast:
    """When a series is predicted to cross its limit, with an interval and the fit behind it.

    `crossing_ts` is None when no crossing is predicted within the horizon; `upper_ts` is None
    when the late end of the interval lies beyond the horizon. Timestamps are unix seconds.
    """

    crossing_ts: float | None
    lower_ts: float | None
    upper_ts: float | None
    rate_per_day: float
    method: str
    fit_window: tuple[float, float]
    projection: tuple[ProjectionPoint, ...]
    limit: float
    direction: Direction
    now: float
    level: float
    horizon_end: float
    resets: ResetPattern | None = None  # the series resets regularly: the crossing is judged against the next reset

    @property
    def already_crossed(self) -> bool:
        return self.crossing_ts is not None and self.crossing_ts <= self.now

    def seconds_to_crossing(self) -> float | None:
        """Seconds from `now` to the predicted crossing (0 when already crossed), or None."""
        if self.crossing_ts is None:
            return None
        return max(0.0, self.crossing_ts - self.now)


@dataclass(frozen=True, slots=True)
class ForecastConfig:
    """Tuning of the forecaster; the defaults suit minute-to-hourly infrastructure gauges."""

    horizon_s: float = 30 * DAY  # look no further ahead than this
    lookback_s: float = 28 * DAY  # never fit on older data than this
    half_life_s: float = 3 * DAY  # older data weighs less, so the slope follows the current rate
    level: float = 0.8  # coverage of the crossing interval
    min_points: int = 8
    min_span_s: float = 2 * HOUR
    min_post_step_s: float = 2.5 * DAY  # shorter than this after a step: keep older data, shift its level
    max_bins: int = 720  # long inputs are averaged into at most this many time bins before fitting
    step_sigma: float = 8.0  # a level shift must exceed this many noise sigmas to count as a step
    trend_t_min: float = 2.0  # a slope weaker than this t-statistic is read as "no trend"
    select_margin: float = 6.0  # a curved model must beat the straight one by this much BIC
    min_bend: float = 0.6  # ... and change the rate by at least this fraction of the straight slope
    workweek_min_days: float = 1.0  # data on weekdays and on weekends each before weekends get their own cycle
    projection_points: int = 24
    reset_min_count: int = 2  # fewer resets than this (drops back to the floor) are no pattern
    reset_max_spread: float = 0.25  # intervals deviating more than this (MAD / median) are not regular
    reset_max_drift_s: float = HOUR  # resets a day or more apart keep their time of day within this
    reset_slack: float = 1.5  # a reset counts as due until this many typical intervals after the last one
