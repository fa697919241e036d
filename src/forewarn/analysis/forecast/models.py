"""Trend-plus-season regression models: the design matrix, the fit, and choosing the curve."""

from __future__ import annotations

from dataclasses import dataclass
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
    if basis.curve == "quadratic":
        cols.append(t * t)
    elif basis.curve == "hinge":
        cols.append(np.maximum(0.0, t - basis.knot))
    return np.column_stack(cols)


def rate_gradient(basis: Basis, n_coef: int) -> np.ndarray:
    """Weights on the coefficients that give the slope at t = 0 (now), in units per day."""
    g = np.zeros(n_coef)
    g[basis.slope_col] = 1.0
    if basis.curve == "hinge":
        g[-1] = 1.0  # the knot lies in the past, so the bend applies now
    return g


def fit(t: np.ndarray, v: np.ndarray, w: np.ndarray, segment: np.ndarray, basis: Basis) -> Fit:
    """Weighted least squares; `w` is samples per bin, so the noise sigma is per sample."""
    x = design(t, segment, basis)
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(x * sw[:, None], v * sw, rcond=None)
    resid = (v - x @ coef) * sw
    dof = max(1, v.size - x.shape[1])
    sigma2 = float(resid @ resid) / dof
    xtx_inv = np.linalg.pinv((x * w[:, None]).T @ x)
    inflation = _autocorrelation_inflation(resid)
    cov = sigma2 * inflation * xtx_inv
    return Fit(basis=basis, coef=coef, cov=cov, sigma=float(np.sqrt(sigma2)), n=int(v.size))


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


def choose_curve(
    t: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    segment: np.ndarray,
    base: Basis,
    direction: Direction,
    margin: float,
) -> Basis:
    """Straight line, accelerating parabola or a recent bend (hinge), by BIC.

    Every candidate's extra column is scored at once against the straight fit (Frisch–Waugh:
    residualise the column and the data on the base columns), so a grid of hinge knots costs
    one matrix product. A parabola is only kept when it bends towards the limit; one bending
    away would predict a turnaround that nothing in the data promises.
    """
    span = float(t[-1] - t[0])
    if span < 1.0 or v.size < 24:
        return base
    knots = np.linspace(t[0] + 0.15 * span, t[-1] - max(0.15 * span, 0.25), 24)
    extra = np.column_stack([t * t] + [np.maximum(0.0, t - k) for k in knots])
    sw = np.sqrt(w)
    q, _ = np.linalg.qr(design(t, segment, base) * sw[:, None])
    ry = v * sw - q @ (q.T @ (v * sw))
    rc = extra * sw[:, None] - q @ (q.T @ (extra * sw[:, None]))
    sse0 = float(ry @ ry)
    cc = np.maximum(np.einsum("ij,ij->j", rc, rc), 1e-300)
    cy = rc.T @ ry
    sse = np.maximum(sse0 - cy**2 / cc, 1e-300)
    n = v.size
    bic = n * np.log(sse / max(sse0, 1e-300)) + np.log(n) * np.r_[1.0, np.full(knots.size, 2.0)]
    toward = 1.0 if direction == "above" else -1.0
    if cy[0] / cc[0] * toward <= 0.0:
        bic[0] = np.inf
    best = int(np.argmin(bic))
    if not bic[best] < -margin:
        return base
    if best == 0:
        return _replace(base, curve="quadratic")
    return _replace(base, curve="hinge", knot=float(knots[best - 1]))


def _replace(basis: Basis, *, curve: Curve, knot: float = 0.0) -> Basis:
    return Basis(basis.n_segments, basis.daily, basis.weekly, basis.day_phase, curve, knot)
