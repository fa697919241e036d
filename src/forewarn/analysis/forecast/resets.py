"""Finds regular resets (a nightly backup resetting its age, a log rotated, a weekly cleanup) in a series."""

from __future__ import annotations

import numpy as np

from forewarn.analysis.forecast.prepare import nanmedian_rows
from forewarn.analysis.forecast.steps import noise_sigma
from forewarn.analysis.forecast.types import DAY, Direction, ResetPattern

_DROP = 0.5  # a reset falls by more than this fraction of the series' range ...
_FLOOR = 1.0 / 3.0  # ... and lands within this fraction of the range above its floor
_CONFIRM = 3  # the median of up to this many samples after a drop must stay down: a glitch is not a reset
_LOOKBACK = 3  # a drop may take up to this many samples (a reset seen mid-way by one sample)
# ... and exceeds this many sigmas of the sample-to-sample noise, the bar a level step must clear:
# a busy server's CPU (noise 4 on a 10-50 % day) drops by half its range now and then by chance,
# and two such drops 85 minutes apart read as a reset "every ~1 h" that cut its weekday history off.
_NOISE = 8.0


def reset_indices(ts: np.ndarray, values: np.ndarray, direction: Direction) -> np.ndarray:
    """Indices of the first sample after each reset: a drop back toward the floor (a rise, for "below").

    A reset falls by more than half the series' range (and far more than its noise) within a few
    samples and lands, and stays for a few samples, in the bottom third of that range. The range is
    read from the 2nd and 98th percentiles so a lone outlier neither widens it nor counts as a reset.
    """
    n = values.size
    if n < 4:
        return np.empty(0, dtype=np.int64)
    s = values if direction == "above" else -values  # the watched direction is "up"
    lo, hi = np.percentile(s, [2.0, 98.0])
    span = float(hi - lo)
    if not span > 0.0:
        return np.empty(0, dtype=np.int64)
    padded = np.concatenate([np.full(_LOOKBACK, -np.inf), s])
    before = np.lib.stride_tricks.sliding_window_view(padded[:-1], _LOOKBACK).max(axis=1)
    after = np.concatenate([s, np.full(_CONFIRM - 1, np.nan)])
    settled = nanmedian_rows(np.lib.stride_tricks.sliding_window_view(after, _CONFIRM))
    drop = before - s
    hot = (drop > _DROP * span) & (drop > _NOISE * noise_sigma(s)) & (settled <= lo + _FLOOR * span)
    idx = np.flatnonzero(hot)
    if idx.size == 0:
        return idx.astype(np.int64)
    # A drop seen over several samples marks several neighbours: keep the lowest one of each run.
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > _LOOKBACK) + 1)
    return np.array([int(r[np.argmin(s[r])]) for r in runs], dtype=np.int64)


def find_resets(ts: np.ndarray, values: np.ndarray, direction: Direction, min_count: int) -> ResetPattern | None:
    """The reset pattern of a series with at least `min_count` resets, else None."""
    idx = reset_indices(ts, values, direction)
    if idx.size < max(2, min_count):
        return None
    at = ts[idx]
    gaps = np.diff(at)
    interval = float(np.median(gaps))
    if not interval > 0.0:
        return None
    spread = float(np.median(np.abs(gaps - interval)) / interval) if gaps.size >= 2 else float("nan")
    return ResetPattern(
        count=int(idx.size), last_ts=float(at[-1]), interval_s=interval, spread=spread, clock_drift_s=_clock_drift(at)
    )


def _clock_drift(at: np.ndarray) -> float:
    """Largest distance (seconds) of a reset's time of day from their circular mean time of day."""
    angle = 2.0 * np.pi * (at % DAY) / DAY
    mean = np.arctan2(np.sin(angle).mean(), np.cos(angle).mean())
    off = np.angle(np.exp(1j * (angle - mean)))  # wrapped to (-pi, pi]: 23:50 and 00:10 are 20 min apart
    return float(np.abs(off).max() * DAY / (2.0 * np.pi))
