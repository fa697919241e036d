"""The plain records a forecast produces and the knobs that shape it."""

from __future__ import annotations

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
    projection_points: int = 24
