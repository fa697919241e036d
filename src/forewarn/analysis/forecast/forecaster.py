"""Forecasts when a gauge crosses its limit: clean, find steps or resets, fit trend and season, project."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from forewarn.analysis.forecast.crossing import Projection, crossing_times, project
from forewarn.analysis.forecast.models import Basis, Fit, choose_curve, choose_workweek, fit, rate_gradient
from forewarn.analysis.forecast.prepare import bin_series, clean_series, crossed_since
from forewarn.analysis.forecast.resets import find_resets, reset_indices
from forewarn.analysis.forecast.steps import detect_steps
from forewarn.analysis.forecast.types import (
    DAY,
    Direction,
    Forecast,
    ForecastConfig,
    ProjectionPoint,
    ResetPattern,
    SeriesKind,
)

_DEFAULT = ForecastConfig()


def forecast_crossing(
    timestamps: np.ndarray | Sequence[float],
    values: np.ndarray | Sequence[float],
    limit: float,
    direction: Direction,
    now: float,
    *,
    kind: SeriesKind = "gauge",
    config: ForecastConfig = _DEFAULT,
) -> Forecast:
    """When the series is predicted to reach `limit` going `direction`, with an interval.

    Counters (ever-growing totals) have no meaningful limit, so they get a "not-applicable"
    forecast instead of a guess.
    """
    if direction not in ("above", "below"):
        raise ValueError(f"direction must be 'above' or 'below', not {direction!r}")
    if kind == "counter":
        return _empty(limit, direction, now, config, "not-applicable", (now, now))
    ts, v = clean_series(np.asarray(timestamps), np.asarray(values), now, config.lookback_s)
    if ts.size < config.min_points or ts[-1] - ts[0] < config.min_span_s:
        window = (float(ts[0]), float(ts[-1])) if ts.size else (now, now)
        return _empty(limit, direction, now, config, "insufficient-data", window)
    resets = _regular_resets(ts, v, direction, config)
    if resets is None:
        ts, v, segment, tag = _since_last_step(ts, v, config)
    else:
        ts, v, segment, tag = _since_last_reset(ts, v, direction, resets, config)
    # Stretches between resets are the cycle itself: a daily term fitted beside them only adds noise.
    model = _fit_model(ts, v, segment, now, direction, config, seasonal=tag != "+resets")
    proj = project(model, config.horizon_s / DAY, config.level)
    rate, rate_sd = _rate(model)
    window = (float(ts[0]), float(ts[-1]))
    method = _method_name(model.basis, tag)
    since = crossed_since(ts, v, limit, direction)
    if since is not None:
        return _build(
            limit, direction, now, config, (since, since, since), rate, "already-crossed", window, proj, resets
        )
    toward = rate if direction == "above" else -rate
    if toward < config.trend_t_min * rate_sd:
        return _build(limit, direction, now, config, (None, None, None), rate, "no-trend", window, proj, resets)
    times = crossing_times(proj, limit, direction, now)
    if resets is not None and times[0] is not None:
        due_by = resets.last_ts + config.reset_slack * resets.interval_s
        # The next reset comes before the crossing: no warning. Once that reset is overdue (a backup
        # failing, a rotation stopped) the series is judged on its own trend, as any other.
        if now <= due_by < times[0]:
            return _build(limit, direction, now, config, (None, None, None), rate, method, window, proj, resets)
    return _build(limit, direction, now, config, times, rate, method, window, proj, resets)


def forecast_many(
    series: Sequence[tuple[np.ndarray, np.ndarray]],
    limits: Sequence[float] | np.ndarray,
    directions: Sequence[Direction],
    now: float,
    *,
    config: ForecastConfig = _DEFAULT,
) -> list[Forecast]:
    """Forecasts for many (timestamps, values) series at one evaluation time.

    Each series is fitted on its own (steps and curves differ per series); the per-series
    work is already array-shaped, so this is a plain loop over series.
    """
    if not (len(series) == len(limits) == len(directions)):
        raise ValueError(
            f"forecast_many needs one limit and direction per series: {len(series)} series, "
            f"{len(limits)} limits, {len(directions)} directions"
        )
    return [
        forecast_crossing(ts, v, float(lim), d, now, config=config)
        for (ts, v), lim, d in zip(series, limits, directions, strict=True)
    ]


def _regular_resets(
    ts: np.ndarray, v: np.ndarray, direction: Direction, config: ForecastConfig
) -> ResetPattern | None:
    found = find_resets(ts, v, direction, config.reset_min_count)
    return found if found is not None and found.regular(config.reset_max_spread, config.reset_max_drift_s) else None


def _since_last_reset(
    ts: np.ndarray, v: np.ndarray, direction: Direction, resets: ResetPattern, config: ForecastConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Cut the data to what follows the last reset: a line fitted across a sawtooth has no meaning.

    Until half a typical interval (at most `min_post_step_s`) has passed since the reset, the
    stretch is too short for its own slope (two hours of a disk read noise as a trend): then every
    stretch between resets keeps its own level and they share one slope (each climbs alike).
    """
    last = int(np.searchsorted(ts, resets.last_ts))
    enough = min(config.min_post_step_s, 0.5 * resets.interval_s)
    if ts[-1] - ts[last] >= max(enough, config.min_span_s) and ts.size - last >= config.min_points:
        return ts[last:], v[last:], np.zeros(ts.size - last, dtype=np.int64), "+reset"
    starts = reset_indices(ts, v, direction)
    segment = np.searchsorted(starts, np.arange(ts.size), side="right").astype(np.int64)
    first = int(starts[0])  # before the first reset the stretch is partial and of unknown age
    return ts[first:], v[first:], segment[first:] - segment[first], "+resets"


def _since_last_step(
    ts: np.ndarray, v: np.ndarray, config: ForecastConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Cut the data to what follows the last step, or keep older stretches with their own levels.

    After a cleanup the old trend line is wrong in level, not necessarily in slope: with enough
    data since the step only that data is used; with too little, the older stretches stay in the
    fit, each with its own level, so they still inform the slope and the daily cycle.
    """
    steps = detect_steps(ts, v, config.step_sigma)
    if steps.size == 0:
        return ts, v, np.zeros(ts.size, dtype=np.int64), ""
    last = int(steps[-1])
    if ts[-1] - ts[last] >= config.min_post_step_s and ts.size - last >= config.min_points:
        return ts[last:], v[last:], np.zeros(ts.size - last, dtype=np.int64), "+step"
    segment = np.searchsorted(steps, np.arange(ts.size), side="right").astype(np.int64)
    return ts, v, segment, "+shift"


def _fit_model(
    ts: np.ndarray,
    v: np.ndarray,
    segment: np.ndarray,
    now: float,
    direction: Direction,
    config: ForecastConfig,
    seasonal: bool = True,
) -> Fit:
    """Bin, choose the seasonal terms the span supports, pick the trend curve and fit it."""
    bt, bv, bw, bseg = bin_series(ts, v, segment, config.max_bins)
    t = (bt - now) / DAY
    span_days = float(t[-1] - t[0])
    cadence_days = float(np.median(np.diff(bt))) / DAY if bt.size > 1 else 1.0
    base = Basis(
        n_segments=int(bseg.max()) + 1,
        # A cycle needs about two periods to tell apart from trend, and samples finer than it.
        daily=seasonal and span_days >= 1.5 and cadence_days <= 1.0 / 6.0,
        weekly=seasonal and span_days >= 14.0 and cadence_days <= 1.0,
        day_phase=(now / DAY) % 7.0,
    )
    decay = np.exp2(t * DAY / config.half_life_s)
    base = choose_workweek(t, bv, bw * decay, bseg, base, config.select_margin, config.workweek_min_days)
    basis = choose_curve(t, bv, bw * decay, bseg, base, direction, config.select_margin, config.min_bend)
    return fit(t, bv, bw, decay, bseg, basis)


def _rate(model: Fit) -> tuple[float, float]:
    """Slope now in units per day and its standard error."""
    g = rate_gradient(model.basis, model.coef.size)
    return float(g @ model.coef), float(np.sqrt(max(g @ model.cov @ g, 0.0)))


def _method_name(basis: Basis, tag: str) -> str:
    season = ("+daily" if basis.daily else "") + ("+weekly" if basis.weekly else "") + (
        "+weekend" if basis.workweek else "")
    return f"{basis.curve}{season}{tag}"


def _build(
    limit: float,
    direction: Direction,
    now: float,
    config: ForecastConfig,
    times: tuple[float | None, float | None, float | None],
    rate: float,
    method: str,
    window: tuple[float, float],
    proj: Projection,
    resets: ResetPattern | None = None,
) -> Forecast:
    crossing, lower, upper = times
    return Forecast(
        crossing_ts=crossing,
        lower_ts=lower,
        upper_ts=upper,
        rate_per_day=rate,
        method=method,
        fit_window=window,
        projection=_projection_points(proj, now, crossing, config),
        limit=float(limit),
        direction=direction,
        now=now,
        level=config.level,
        horizon_end=now + config.horizon_s,
        resets=resets,
    )


def _projection_points(
    proj: Projection, now: float, crossing: float | None, config: ForecastConfig
) -> tuple[ProjectionPoint, ...]:
    """A few points for a dashed line on a chart: to a little past the crossing, or a week."""
    horizon_days = config.horizon_s / DAY
    end = min(7.0, horizon_days) if crossing is None else (crossing - now) / DAY * 1.25
    end = float(np.clip(end, 1.0 / 24.0, horizon_days))
    at = np.linspace(0.0, end, config.projection_points)
    cols = (np.interp(at, proj.t, c) for c in (proj.mean, proj.lo, proj.hi))
    mean, lo, hi = cols
    return tuple(
        ProjectionPoint(ts=now + a * DAY, value=float(m), lo=float(low), hi=float(h))
        for a, m, low, h in zip(at, mean, lo, hi, strict=True)
    )


def _empty(
    limit: float,
    direction: Direction,
    now: float,
    config: ForecastConfig,
    method: str,
    window: tuple[float, float],
) -> Forecast:
    return Forecast(
        crossing_ts=None,
        lower_ts=None,
        upper_ts=None,
        rate_per_day=float("nan"),
        method=method,
        fit_window=window,
        projection=(),
        limit=float(limit),
        direction=direction,
        now=now,
        level=config.level,
        horizon_end=now + config.horizon_s,
    )
