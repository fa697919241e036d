"""Turns raw (timestamps, values) into clean, sorted, bounded arrays ready for fitting."""

from __future__ import annotations

import numpy as np

from forewarn.analysis.forecast.types import Direction


def clean_series(
    ts: np.ndarray, values: np.ndarray, now: float, lookback_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """Drop non-finite and future samples and those older than the lookback; sort by time."""
    ts = np.asarray(ts, dtype=np.float64).ravel()
    values = np.asarray(values, dtype=np.float64).ravel()
    if ts.shape != values.shape:
        raise ValueError(f"timestamps and values differ in length: {ts.size} vs {values.size}")
    keep = np.isfinite(ts) & np.isfinite(values) & (ts <= now) & (ts >= now - lookback_s)
    ts, values = ts[keep], values[keep]
    order = np.argsort(ts, kind="stable")
    return ts[order], values[order]


def beyond(values: np.ndarray | float, limit: float, direction: Direction) -> np.ndarray:
    """True where a value is at or past the limit in the watched direction."""
    v = np.asarray(values, dtype=np.float64)
    return v >= limit if direction == "above" else v <= limit


def rolling_median(values: np.ndarray, width: int) -> np.ndarray:
    """Trailing median over `width` samples (shorter at the start); damps single-sample spikes."""
    n = values.size
    width = max(1, min(width, n))
    padded = np.concatenate([np.full(width - 1, np.nan), values])
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)
    return nanmedian_rows(windows)


def nanmedian_rows(windows: np.ndarray) -> np.ndarray:
    """`np.nanmedian(windows, axis=1)`, bit for bit (all-NaN rows give NaN without a warning), faster.

    For rows this short numpy takes a masked-array median, slow by its fixed costs; here rows of odd
    width without NaN take their middle element from one partition, and the others (NaN padding at
    the ends of a trailing window, even widths) the middle one or two of their sorted valid values.
    """
    n, width = windows.shape
    out = np.empty(n)
    full = ~np.isnan(windows).any(axis=1) if width % 2 else np.zeros(n, dtype=bool)
    if full.any():
        out[full] = np.partition(windows[full], width // 2, axis=1)[:, width // 2]
    if not full.all():
        rest = np.sort(windows[~full], axis=1)  # NaN sorts last
        valid = width - np.isnan(rest).sum(axis=1)
        rows = np.arange(len(rest))
        low, high = rest[rows, np.maximum((valid - 1) // 2, 0)], rest[rows, np.minimum(valid // 2, width - 1)]
        # An even count averages the two middle values as numpy does: their sum, halved.
        med = np.where(valid % 2 == 1, high, (low + high) / 2.0)
        out[~full] = np.where(valid > 0, med, np.nan)
    return out


def crossed_since(
    ts: np.ndarray, values: np.ndarray, limit: float, direction: Direction, width: int = 15
) -> float | None:
    """When the series went past the limit and stayed there up to now, else None.

    A trailing median is used so one noisy sample neither declares nor hides a crossing.
    """
    past = beyond(rolling_median(values, width), limit, direction)
    if past.size == 0 or not past[-1]:
        return None
    inside = np.flatnonzero(~past)
    first = 0 if inside.size == 0 else int(inside[-1]) + 1
    # A trailing median lags the raw series by about half its width.
    return float(ts[max(0, first - width // 2)])


def bin_series(
    ts: np.ndarray, values: np.ndarray, segment: np.ndarray, max_bins: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Average samples into equal-width time bins so fit cost stays bounded.

    Bins never straddle a step (the key includes the segment), so a cleanup is not smeared.
    Returns (t, value, count, segment) per non-empty bin, in time order.
    """
    if ts.size <= max_bins:
        return ts, values, np.ones_like(ts), segment
    edges = np.linspace(ts[0], ts[-1], max_bins + 1)
    idx = np.clip(np.searchsorted(edges, ts, side="right") - 1, 0, max_bins - 1)
    keys, inverse = np.unique(segment.astype(np.int64) * max_bins + idx, return_inverse=True)
    count = np.bincount(inverse).astype(np.float64)
    mean_t = np.bincount(inverse, weights=ts) / count
    mean_v = np.bincount(inverse, weights=values) / count
    return mean_t, mean_v, count, keys // max_bins
