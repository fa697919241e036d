"""A plain rolling z-score detector, batch-shaped, kept as the yardstick for benchmarks."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import erf

WINDOW = 64


def _z_to_score(z: np.ndarray) -> np.ndarray:
    # Two-sided Gaussian tail: 0 at the mean, towards 1 far from it.
    return erf(z / np.sqrt(2.0))


class RollingZBaseline:
    """z of each sample against the mean/std of the previous `window` samples of its series."""

    def __init__(self, n_series: int, window: int = WINDOW) -> None:
        self.window = window
        self.buffer = np.full((n_series, window), np.nan)
        self.pos = np.zeros(n_series, dtype=np.int64)

    def nbytes_per_series(self) -> int:
        return (self.buffer.nbytes + self.pos.nbytes) // max(len(self.pos), 1)

    def update(self, series: np.ndarray, values: np.ndarray, timestamps: np.ndarray | None = None) -> np.ndarray:
        rows = np.asarray(series, dtype=np.intp)
        x = np.asarray(values, dtype=np.float64)
        past = self.buffer[rows]
        filled = np.sum(np.isfinite(past), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nanmean(np.where(filled[:, None] > 0, past, 0.0), axis=1)
            std = np.sqrt(np.nanmean(np.where(filled[:, None] > 0, past, 0.0) ** 2, axis=1) - mean**2)
            z = np.abs(x - mean) / np.maximum(std, 1e-9)
        scores = np.where((filled >= 2) & np.isfinite(z), _z_to_score(np.nan_to_num(z)), 0.0)
        ok = np.isfinite(x)
        self.buffer[rows[ok], self.pos[rows[ok]] % self.window] = x[ok]
        self.pos[rows[ok]] += 1
        return scores


def baseline_score_series(values: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """The same rolling z for one whole series (windows of the `window` rows before each row)."""
    x = np.asarray(values, dtype=np.float64)
    scores = np.zeros(len(x))
    if len(x) <= window:
        return scores
    past = sliding_window_view(x[:-1], window)  # row i+window sees x[i : i+window]
    mean = past.mean(axis=1)
    std = past.std(axis=1)
    z = np.abs(x[window:] - mean) / np.maximum(std, 1e-9)
    scores[window:] = np.where(np.isfinite(z), _z_to_score(np.nan_to_num(z)), 0.0)
    return scores
