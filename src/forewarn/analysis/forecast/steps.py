"""Finds level steps (a cleanup, a resize) so the trend is estimated from the data after them."""

from __future__ import annotations

import numpy as np

from forewarn.analysis.forecast.types import DAY

_MAD_TO_SIGMA = 1.4826


def noise_sigma(values: np.ndarray) -> float:
    """Sample-to-sample noise, from first differences so trend and slow cycles barely count."""
    if values.size < 3:
        return 0.0
    d = np.diff(values)
    return float(_MAD_TO_SIGMA * np.median(np.abs(d - np.median(d))) / np.sqrt(2.0))


def daily_component(ts: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The fitted daily cycle (two harmonics, fitted beside a straight trend), or zeros.

    A daily swing seen across an outage looks like a jump; removing the cycle first keeps
    the step finder from cutting the series at every gap.
    """
    if ts.size < 24 or ts[-1] - ts[0] < 1.5 * DAY:
        return np.zeros_like(values)
    angle = 2.0 * np.pi * ts / DAY
    cycle = np.column_stack([np.sin(angle), np.cos(angle), np.sin(2 * angle), np.cos(2 * angle)])
    x = np.column_stack([np.ones_like(ts), (ts - ts[0]) / DAY, cycle])
    coef, *_ = np.linalg.lstsq(x, values, rcond=None)
    return cycle @ coef[2:]


def detect_steps(ts: np.ndarray, values: np.ndarray, threshold_sigma: float, width: int = 5) -> np.ndarray:
    """Indices i where the level jumps between sample i-1 and sample i.

    A step is a persistent shift: the median of the `width` samples after a boundary differs
    from the median of the `width` before it by more than `threshold_sigma` noise sigmas,
    after removing the daily cycle and the typical (trend-driven) shift. A one- or two-sample
    spike moves neither median, so it is not a step; a step younger than `width` samples is not
    confirmed yet. Boundaries across an outage must also clear half the daily swing, which
    the two-harmonic cycle only approximates.
    """
    n = values.size
    if n < 2 * width + 1:
        return np.empty(0, dtype=np.int64)
    cycle = daily_component(ts, values)
    level = values - cycle
    medians = np.median(np.lib.stride_tricks.sliding_window_view(level, width), axis=1)
    # Boundary i (i = width .. n-width) compares the window ending at i-1 with the one starting at i.
    shift = medians[width:] - medians[: n - 2 * width + 1]
    excess = np.abs(shift - np.median(shift))
    floor = max(noise_sigma(level), 1e-9 * max(1.0, float(np.max(np.abs(values)))))
    dt = np.diff(ts)
    gap = dt[width - 1 : n - width] > 4.0 * np.median(dt)
    threshold = threshold_sigma * floor + gap * 0.5 * float(np.ptp(cycle))
    hot = excess > threshold
    if not hot.any():
        return np.empty(0, dtype=np.int64)
    idx = np.flatnonzero(hot) + width
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    return np.array([_best_split(level, run, width) for run in runs], dtype=np.int64)


def _best_split(values: np.ndarray, run: np.ndarray, width: int) -> int:
    """The boundary inside one run of hot boundaries that best splits the nearby samples in two.

    Medians stay flat for a few boundaries around a step, so the run's peak alone is ambiguous
    by up to half the width; the least-squares two-level split pins the exact sample.
    """
    lo, hi = int(run[0]) - width, int(run[-1]) + width
    local = values[lo:hi]
    cuts = run - lo
    csum, csq = np.cumsum(local), np.cumsum(local**2)
    total, total_sq, m = csum[-1], csq[-1], local.size
    left_n, left_s, left_q = cuts, csum[cuts - 1], csq[cuts - 1]
    right_n, right_s, right_q = m - cuts, total - left_s, total_sq - left_q
    sse = (left_q - left_s**2 / left_n) + (right_q - right_s**2 / right_n)
    return int(run[np.argmin(sse)])
