"""Trend-plus-season regression models: the design matrix, the fit, and choosing the curve."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from forewarn.analysis.forecast.types import Direction

Curve = Literal["linear", "quadratic", "hinge"]
_TWO_PI = 2.0 * np.pi


@dataclass(frozen=True, slots=True)
class Basis:
    """Which columns a model has; time `t` is in days relative to `now` (so t <= 0 is the past)."""

    n_segments: int  # one level per stretch between steps; the last one is the current level
    daily: bool
    weekly: bool
    day_phase: float  # now in days since the epoch, so the cycles keep wall-clock phase
    curve: Curve = "linear"
    knot: float = 0.0  # where a hinge bends, in days relative to now
    # Saturdays and Sundays (UTC) get their own level and daily cycle: the weekly pattern of office
    # load, told apart from a trend on a week's data or less, before a weekly term can be fitted.
    workweek: bool = False

    @property
    def slope_col(self) -> int:
        return self.n_segments


@dataclass(frozen=True, slots=True)
class Fit:
    """A fitted model: coefficients, their covariance (already widened for autocorrelation)."""

    basis: Basis
    coef: np.ndarray
    cov: np.ndarray
    sigma: float
    n: int
    rate_wander: float  # how far the local rate strays from the model's, per day (units/day)


def design(t: np.ndarray, segment: np.ndarray, basis: Basis) -> np.ndarray:
    """The regression columns for times `t` (days from now) in the given segments."""
    cols = [(segment == s).astype(np.float64) for s in range(basis.n_segments)]
    cols.append(t)
    if basis.daily:
        for k in (1, 2):
            angle = _TWO_PI * k * (t + basis.day_phase)
            cols += [np.sin(angle), np.cos(angle)]
    if basis.weekly:
        angle = _TWO_PI * (t + basis.day_phase) / 7.0
        cols += [np.sin(angle), np.cos(angle)]
    if basis.workweek:
        weekend = is_weekend(t, basis.day_phase).astype(np.float64)
        cols.append(weekend)
        for k in (1, 2):
            angle = _TWO_PI * k * (t + basis.day_phase)
            cols += [weekend * np.sin(angle), weekend * np.cos(angle)]
    if basis.curve == "quadratic":
        cols.append(t * t)
    elif basis.curve == "hinge":
        cols.append(np.maximum(0.0, t - basis.knot))
    return np.column_stack(cols)


def is_weekend(t: np.ndarray, day_phase: float) -> np.ndarray:
    """Whether each time (days from now) falls on a Saturday or Sunday, UTC (1970-01-01 was a Thursday)."""
    return np.floor(t + day_phase + 3.0) % 7.0 >= 5.0


def rate_gradient(basis: Basis, n_coef: int) -> np.ndarray:
    """Weights on the coefficients that give the slope at t = 0 (now), in units per day."""
    g = np.zeros(n_coef)
    g[basis.slope_col] = 1.0
    if basis.curve == "hinge":
        g[-1] = 1.0  # the knot lies in the past, so the bend applies now
    return g


def fit(
    t: np.ndarray, v: np.ndarray, count: np.ndarray, decay: np.ndarray, segment: np.ndarray, basis: Basis
) -> Fit:
    """Discounted weighted least squares with a sandwich covariance.

    `count` is samples per bin (bin means are that much less noisy); `decay` down-weights old
    bins so the slope tracks the current rate. Because decay weights are not inverse variances,
    the covariance is the sandwich A·B·A rather than σ²·A.
    """
    x = design(t, segment, basis)
    w = count * decay
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(x * sw[:, None], v * sw, rcond=None)
    resid = v - x @ coef
    dof = max(1, v.size - x.shape[1])
    sigma2 = float(count @ resid**2) / dof
    a = np.linalg.pinv((x * w[:, None]).T @ x)
    b = (x * (count * decay**2)[:, None]).T @ x
    inflation = _autocorrelation_inflation(resid * np.sqrt(count))
    cov = sigma2 * inflation * (a @ b @ a)
    wander = rate_wander(t, resid, count, sigma2)
    return Fit(basis, coef, cov, float(np.sqrt(sigma2)), int(v.size), wander)


def rate_wander(t: np.ndarray, resid: np.ndarray, count: np.ndarray, sigma2: float) -> float:
    """RMS slope of the residuals within whole days, beyond what sample noise explains.

    The coefficient covariance says how well the average rate is known, not how much the rate
    itself moves; real fill rates drift, and a crossing days ahead inherits that drift.
    """
    day = np.floor(t - t[-1]).astype(np.int64)  # whole days counted back from the newest bin
    slopes, noise = [], []
    for d in np.unique(day):
        sel = day == d
        tt = t[sel]
        if tt.size < 6 or np.ptp(tt) < 0.5:
            continue
        dt = tt - np.average(tt, weights=count[sel])
        sxx = float(count[sel] @ dt**2)
        slopes.append(float(count[sel] * dt @ resid[sel]) / sxx)
        noise.append(sigma2 / sxx)
    if len(slopes) < 2:
        return 0.0
    excess = float(np.mean(np.square(slopes)) - np.mean(noise))
    return float(np.sqrt(max(excess, 0.0)))


def _autocorrelation_inflation(resid: np.ndarray) -> float:
    """Variance factor for AR(1)-like residuals: correlated samples carry less information."""
    if resid.size < 4:
        return 1.0
    r = resid - resid.mean()
    denom = float(r @ r)
    if denom <= 0.0:
        return 1.0
    rho = float(np.clip((r[1:] @ r[:-1]) / denom, 0.0, 0.95))
    return (1.0 + rho) / (1.0 - rho)


def choose_workweek(
    t: np.ndarray, v: np.ndarray, w: np.ndarray, segment: np.ndarray, base: Basis, margin: float, min_days: float
) -> Basis:
    """The base with weekend days split off (own level and daily cycle) when that fits better by BIC.

    Only without a weekly term (under two weeks of data) and with `min_days` of both kinds of day:
    otherwise a weekday ramp after a quiet weekend is all the fit has to explain by its slope.
    """
    if not base.daily or base.weekly or t.size < 24:
        return base
    weekend = is_weekend(t, base.day_phase)
    span = float(t[-1] - t[0])
    share = float(weekend.mean())
    if min(share, 1.0 - share) * span < min_days:
        return base
    split = replace(base, workweek=True)
    x0, x1 = design(t, segment, base), design(t, segment, split)
    r0, r1 = _weighted_residuals(x0, v, w), _weighted_residuals(x1, v, w)
    sse0, sse1 = max(float(r0 @ r0), 1e-300), max(float(r1 @ r1), 1e-300)
    n = v.size / _autocorrelation_inflation(r0)  # as in choose_curve: correlated bins count for less
    gain = n * np.log(sse1 / sse0) + np.log(n) * (x1.shape[1] - x0.shape[1])
    return split if gain < -margin else base


def _weighted_residuals(x: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(x * sw[:, None], v * sw, rcond=None)
    return (v - x @ coef) * sw


def choose_curve(
    t: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    segment: np.ndarray,
    base: Basis,
    direction: Direction,
    margin: float,
    min_bend: float,
) -> Basis:
    """Straight line, accelerating parabola or a recent bend (hinge), by BIC.

    Every candidate's extra column is scored at once against the straight fit (Frisch–Waugh:
    residualise the column and the data on the base columns), so a grid of hinge knots costs
    one matrix product. A curve must change the rate by at least `min_bend` of the straight
    slope: gauges' rates wander a little all the time and mostly wander back, so only a large
    bend is worth extrapolating. A parabola must also bend towards the limit; one bending away
    would predict a turnaround that nothing in the data promises.
    """
    span = float(t[-1] - t[0])
    if span < 1.0 or v.size < 24:
        return base
    knots = np.linspace(t[0] + 0.15 * span, t[-1] - max(0.15 * span, 0.25), 24)
    extra = np.column_stack([t * t] + [np.maximum(0.0, t - k) for k in knots])
    slope, bend, bic = _score_extra_columns(design(t, segment, base), extra, v, w, base.slope_col)
    rate_change = np.abs(bend * np.r_[2.0 * span, np.ones(knots.size)])
    bic[rate_change < min_bend * abs(slope)] = np.inf
    if bend[0] * (1.0 if direction == "above" else -1.0) <= 0.0:
        bic[0] = np.inf
    best = int(np.argmin(bic))
    if not bic[best] < -margin:
        return base
    if best == 0:
        return replace(base, curve="quadratic", knot=0.0)
    return replace(base, curve="hinge", knot=float(knots[best - 1]))


def _score_extra_columns(
    x: np.ndarray, extra: np.ndarray, v: np.ndarray, w: np.ndarray, slope_col: int
) -> tuple[float, np.ndarray, np.ndarray]:
    """Base slope, each extra column's coefficient, and each one's BIC change over the base.

    The first extra column costs one parameter; the rest are hinge knots, which cost two
    because the knot itself was searched for.
    """
    sw = np.sqrt(w)
    xb = x * sw[:, None]
    q, _ = np.linalg.qr(xb)
    slope = float(np.linalg.lstsq(xb, v * sw, rcond=None)[0][slope_col])
    ry = v * sw - q @ (q.T @ (v * sw))
    rc = extra * sw[:, None] - q @ (q.T @ (extra * sw[:, None]))
    sse0 = max(float(ry @ ry), 1e-300)
    cc = np.maximum(np.einsum("ij,ij->j", rc, rc), 1e-300)
    bend = (rc.T @ ry) / cc
    sse = np.maximum(sse0 - bend**2 * cc, 1e-300)
    # Correlated residuals (slow wander, imperfect cycles) carry fewer independent points than
    # bins; counting every bin would let any wiggle buy a bend.
    n = v.size / _autocorrelation_inflation(ry)
    penalty = np.r_[1.0, np.full(extra.shape[1] - 1, 2.0)]
    return slope, bend, n * np.log(sse / sse0) + np.log(n) * penalty

