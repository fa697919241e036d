"""Which limited series could be near their limit: one vectorised pass over all of them before the full forecasts.

The full forecaster (steps, curve choice, sandwich covariance) costs milliseconds per series; most
series sit far from their limit with no trend, and refitting them every round only confirms that.
This screen puts every series on one hourly grid, removes each one's daily cycle with a single
batched least-squares fit, and bounds how fast it is heading for its limit from the steepest of
several recent windows plus a margin for noise. A series is left out only when even that bound
cannot close the gap to the limit within `reach`, so anything the forecaster could warn about
still gets its full forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from forewarn.alerting.hourly_grid import complete_hours

DAY = 86_400.0
GRID = 3600.0  # hourly bins: fine enough for a daily cycle, coarse enough to average the noise away
# The long trend and recent bends. The forecaster's latest hinge knot lies at least 15 % of its data's span
# (14 days: 2.1 days) before now, so it never reads a slope off less than that; one day is on the safe side.
WINDOWS_DAYS = (1.0, 2.0, 4.0, 14.0)
PEAK_DAYS = 7.0  # the level to beat is the highest (lowest) hourly mean of the last week: covers weekly cycles
MIN_BINS = 24  # fewer hourly means than this: the screen cannot judge, the forecaster decides
SLOPE_MARGIN = 2.0  # standard errors added to each window's slope (the forecaster needs t >= 2 for a trend)
HALF_LIFE = 3 * DAY  # the forecaster's own weighting of old data, for the seasonal fit


Points = tuple[np.ndarray, np.ndarray, np.ndarray | None]  # timestamps, values, samples behind each (None: 1)


@dataclass(frozen=True, slots=True)
class Screen:
    """Per series: whether it might reach its limit within the reach, and the two numbers behind that."""

    kept: np.ndarray  # bool: might cross, or too little data to tell
    rate: np.ndarray  # the steepest plausible rate towards the limit, units per day (>= 0)
    gap: np.ndarray  # how far the last week's nearest hourly mean is from the limit (<= 0: at or past it)


def could_cross(ranges: Sequence[Points | None], limits: np.ndarray, above: np.ndarray, now: float,
                lookback: float, reach: float) -> Screen:
    """Which series might reach their limit within `reach` seconds (or have too little data to judge by)."""
    hours = complete_hours(now, max(1, int(lookback // GRID)))  # as the hourly grid has them
    y, mask = _hourly_grid(ranges, int(hours[0]), len(hours))
    t = (hours * GRID + GRID / 2 - now) / DAY  # bin centres in days relative to now (negative)
    return screen_grid(y, mask, t, limits, above, now, reach)


def screen_grid(y: np.ndarray, mask: np.ndarray, t: np.ndarray, limits: np.ndarray, above: np.ndarray, now: float,
                reach: float) -> Screen:
    """`could_cross` on hourly means already in a matrix (series x bins; `t` in days relative to now)."""
    n = len(y)
    enough = mask.sum(axis=1) >= MIN_BINS
    sign = np.where(above, 1.0, -1.0)
    z = _deseasonalised(y, mask, t, now)
    rate = np.zeros(n)
    for days in WINDOWS_DAYS:
        slope, se = _window_slope(z, mask & (t >= -days)[None, :], t)
        rate = np.maximum(rate, sign * slope + SLOPE_MARGIN * se)
    recent = mask & (t >= -PEAK_DAYS)[None, :]
    toward = np.where(recent, sign[:, None] * y, -np.inf).max(axis=1)  # the level nearest the limit
    gap = sign * np.asarray(limits, dtype=np.float64) - toward
    return Screen(~enough | (gap <= 0.0) | (rate * (reach / DAY) >= gap), rate, gap)


def _hourly_grid(ranges: Sequence[Points | None], first_hour: int, nb: int) -> tuple[np.ndarray, np.ndarray]:
    """Hourly means of every series as an (n, nb) matrix and where it has data."""
    n = len(ranges)
    rows, bins, vals, wts = [], [], [], []
    for i, points in enumerate(ranges):
        if points is None or len(points[0]) == 0:
            continue
        ts, values, count = points
        b = np.floor(ts / GRID).astype(np.int64) - first_hour
        ok = (b >= 0) & (b < nb) & np.isfinite(values)
        rows.append(np.full(int(ok.sum()), i, dtype=np.int64))
        bins.append(b[ok])
        vals.append(values[ok])
        wts.append(np.ones(int(ok.sum())) if count is None else count[ok].astype(np.float64))
    if not rows:
        return np.zeros((n, nb)), np.zeros((n, nb), dtype=bool)
    flat = np.concatenate(rows) * nb + np.concatenate(bins)
    w = np.concatenate(wts)
    total = np.bincount(flat, weights=w, minlength=n * nb)
    weighted = np.bincount(flat, weights=w * np.concatenate(vals), minlength=n * nb)
    mask = (total > 0).reshape(n, nb)
    y = np.divide(weighted, total, out=np.zeros_like(weighted), where=total > 0).reshape(n, nb)
    return y, mask


def _deseasonalised(y: np.ndarray, mask: np.ndarray, t: np.ndarray, now: float) -> np.ndarray:
    """Each series minus its fitted daily cycle (level, trend and two harmonics, recent data weighted up).

    Deliberately no weekday/weekend terms: the forecaster has none either (below two weeks of data),
    so it reads a Monday morning's return to the full daily swing as a trend and may warn; the
    screen must let such a series through to it rather than know better (tried: with weekend terms
    the accounting scenario lost 35 of 259 forecaster warnings in 8 days).
    """
    phase = (t + now / DAY) * 2.0 * np.pi  # wall-clock phase, as the forecaster uses
    x = np.column_stack([np.ones_like(t), t, np.sin(phase), np.cos(phase), np.sin(2 * phase), np.cos(2 * phase)])
    w = mask * np.exp2(t * DAY / HALF_LIFE)[None, :]
    k = x.shape[1]
    # Every series' normal equations in one matrix product: weights (series x bins) times the
    # products of each pair of columns (bins x k*k).
    a = (w @ (x[:, :, None] * x[:, None, :]).reshape(len(x), k * k)).reshape(len(w), k, k)
    a += 1e-9 * np.eye(k)[None, :, :] * (1.0 + np.trace(a, axis1=1, axis2=2))[:, None, None]
    rhs = (w * y) @ x
    coef = np.linalg.solve(a, rhs[:, :, None])[:, :, 0]
    season = coef[:, 2:] @ x[:, 2:].T
    return y - season


def _window_slope(z: np.ndarray, sel: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ordinary least-squares slope (units/day) of each row over its selected bins, and its standard error."""
    k = sel.sum(axis=1).astype(np.float64)
    tt = np.where(sel, t[None, :], 0.0)
    zz = np.where(sel, z, 0.0)
    kk = np.maximum(k, 1.0)
    tm, zm = tt.sum(axis=1) / kk, zz.sum(axis=1) / kk
    dt = np.where(sel, t[None, :] - tm[:, None], 0.0)
    dz = np.where(sel, z - zm[:, None], 0.0)
    sxx = (dt * dt).sum(axis=1)
    usable = (k >= 3) & (sxx > 0)
    sxx = np.where(usable, sxx, 1.0)
    slope = np.where(usable, (dt * dz).sum(axis=1) / sxx, 0.0)
    resid = dz - slope[:, None] * dt
    var = (resid * resid).sum(axis=1) / np.maximum(k - 2.0, 1.0)
    se = np.where(usable, np.sqrt(var / sxx), 0.0)
    return slope, se
