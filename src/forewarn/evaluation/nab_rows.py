"""NAB's per-row weights: which window a row is in and what a detection there is worth, unweighted."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forewarn.evaluation.nab_corpus import NabDataError, NabSeries

PROBATION_FRACTION = 0.15
PROBATION_CAP = 750


def scaled_sigmoid(y: np.ndarray | float) -> np.ndarray:
    """NAB's reward curve: +1 far before a window's end, -1 well after it (exactly -1 past y = 3)."""
    y = np.asarray(y, dtype=np.float64)
    # Clip before exp only to avoid overflow warnings; the y > 3 branch overrides those rows anyway.
    val = 2.0 / (1.0 + np.exp(5.0 * np.minimum(y, 50.0))) - 1.0
    return np.where(y > 3.0, -1.0, val)


def probation_length(n_rows: int) -> int:
    return int(min(np.floor(PROBATION_FRACTION * n_rows), PROBATION_CAP))


@dataclass(frozen=True)
class FileRows:
    """The scored rows (after probation) of one file with their window index and unweighted value.

    `unit` is `s(y)/s(-1)` (in (0, 1]) for rows inside a window and `s(y')` (in [-1, 0)) outside.
    """

    key: str
    scores: np.ndarray
    window: np.ndarray  # index into this file's windows, -1 outside every window
    unit: np.ndarray
    n_windows: int  # label windows of the file, including any that fall inside probation


def _window_bounds(series: NabSeries) -> list[tuple[int, int]]:
    """Row indices [l, r] of each label window; NAB requires both ends to be timestamps in the file."""
    bounds = []
    for start, end in series.windows:
        left = np.flatnonzero(series.timestamps == start)
        right = np.flatnonzero(series.timestamps == end)
        if len(left) == 0 or len(right) == 0:
            raise NabDataError(f"{series.key}: label window [{start}, {end}] does not start and end on rows")
        bounds.append((int(left[0]), int(right[0])))
    return bounds


def file_rows(series: NabSeries, scores: np.ndarray) -> FileRows:
    """Attach NAB's sweep weights to each row, then drop the probation rows."""
    n = len(series.timestamps)
    if len(scores) != n:
        raise NabDataError(f"{series.key}: {len(scores)} scores for {n} rows")
    rows = np.arange(n)
    window = np.full(n, -1, dtype=np.int64)
    unit = np.full(n, -1.0)  # before the first window ends, an FP costs the full weight
    max_tp = float(scaled_sigmoid(-1.0))
    bounds = _window_bounds(series)
    for k, (left, right) in enumerate(bounds):
        width = right - left + 1
        inside = slice(left, right + 1)
        window[inside] = k
        unit[inside] = scaled_sigmoid(-(right - rows[inside] + 1) / width) / max_tp
    if bounds:
        rights = np.array([r for _, r in bounds])
        widths = np.array([r - left + 1 for left, r in bounds], dtype=np.float64)
        prev = np.searchsorted(rights, rows, side="left") - 1  # last window whose right edge is < row
        after = (window < 0) & (prev >= 0)
        with np.errstate(divide="ignore", invalid="ignore"):  # a 1-row window gives y' = inf: full cost
            y = (rows[after] - rights[prev[after]]) / (widths[prev[after]] - 1.0)
        unit[after] = scaled_sigmoid(np.nan_to_num(y, nan=np.inf))
    start = probation_length(n)
    return FileRows(series.key, np.asarray(scores, dtype=np.float64)[start:], window[start:],
                    unit[start:], len(bounds))
