"""Projects a fitted model forward and finds when it, and its interval bands, meet the limit."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.stats import norm

from forewarn.analysis.forecast.models import Fit, design
from forewarn.analysis.forecast.prepare import beyond
from forewarn.analysis.forecast.types import DAY, Direction

_GRID_STEP_DAYS = 1.0 / 96.0  # 15 minutes: fine enough to catch a daily peak


@dataclass(frozen=True, slots=True)
class Projection:
    """The model's mean and interval bands on a grid of future times (days from now)."""

    t: np.ndarray
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def project(model: Fit, horizon_days: float, level: float) -> Projection:
    """Mean and central `level` band of the fitted level from now to the horizon."""
    n = int(np.ceil(horizon_days / _GRID_STEP_DAYS)) + 1
    t = np.linspace(0.0, horizon_days, max(n, 2))
    segment = np.full(t.size, model.basis.n_segments - 1)
    x = design(t, segment, model.basis)
    mean = x @ model.coef
    param_var = np.maximum(np.einsum("ij,jk,ik->i", x, model.cov, x), 0.0)
    sd = np.sqrt(param_var + (model.rate_wander * t) ** 2)
    z = _two_sided_z(level)
    return Projection(t=t, mean=mean, lo=mean - z * sd, hi=mean + z * sd)


@lru_cache(maxsize=16)
def _two_sided_z(level: float) -> float:
    """The normal quantile of a central `level` band; remembered, since scipy's ppf costs ~0.3 ms a call."""
    return float(norm.ppf(0.5 + level / 2.0))


def first_crossing(t: np.ndarray, curve: np.ndarray, limit: float, direction: Direction) -> float | None:
    """First time (days from now) the curve reaches the limit, interpolated between grid points."""
    hit = np.flatnonzero(beyond(curve, limit, direction))
    if hit.size == 0:
        return None
    i = int(hit[0])
    if i == 0:
        return float(t[0])
    c0, c1 = curve[i - 1], curve[i]
    frac = (limit - c0) / (c1 - c0) if c1 != c0 else 1.0
    return float(t[i - 1] + np.clip(frac, 0.0, 1.0) * (t[i] - t[i - 1]))


def crossing_times(
    proj: Projection, limit: float, direction: Direction, now: float
) -> tuple[float | None, float | None, float | None]:
    """(crossing, earliest, latest) as unix seconds; the optimistic band crosses first."""
    early_band, late_band = (proj.hi, proj.lo) if direction == "above" else (proj.lo, proj.hi)
    found = [first_crossing(proj.t, c, limit, direction) for c in (proj.mean, early_band, late_band)]
    crossing, lower, upper = (None if d is None else now + d * DAY for d in found)
    return crossing, lower, upper
