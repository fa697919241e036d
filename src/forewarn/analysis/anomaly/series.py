"""Whole-series scoring: the same causal recursions as `AnomalyDetector`, run along time at once.

Every exponential average is a first-order linear filter, so scipy's `lfilter` runs it over a whole
series in C with the same arithmetic as the online step; the pattern-novelty bits are "first
occurrence" lookups (`np.unique`); only the sparsifier (a running max) loops.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from forewarn.analysis.anomaly import kernels as k
from forewarn.analysis.anomaly.config import DetectorConfig
from forewarn.analysis.anomaly.context import novelty_series


def _ewm(x: np.ndarray, rate: float) -> np.ndarray:
    """EWMA including each sample, started at the first sample (matches `kernels.ewm_step`)."""
    if len(x) == 0:
        return x.copy()
    return lfilter([rate], [1.0, -(1.0 - rate)], x, zi=[(1.0 - rate) * x[0]])[0]


def _prior(arr: np.ndarray, first: float) -> np.ndarray:
    """The value each row saw before its own sample was learnt."""
    out = np.empty_like(arr)
    if len(arr):
        out[0] = first
        out[1:] = arr[:-1]
    return out


def _seasonal_residual(x: np.ndarray, slot: np.ndarray, n_slots: int, rate: float) -> np.ndarray:
    residual = np.zeros_like(x)
    order = np.argsort(slot, kind="stable")
    bounds = np.searchsorted(slot[order], np.arange(n_slots + 1))
    for s in range(n_slots):
        idx = order[bounds[s]:bounds[s + 1]]
        if len(idx) > 1:
            xs = x[idx]
            residual[idx[1:]] = xs[1:] - _ewm(xs, rate)[:-1]
    return residual


def _view_z(x: np.ndarray, slot: np.ndarray, n_slots: int, rate: float, cfg: DetectorConfig) -> np.ndarray:
    r = _seasonal_residual(x, slot, n_slots, rate)
    mean_prev = _prior(_ewm(r, cfg.slow_rate), r[0])
    dev = r - mean_prev
    b0 = (1.0 - cfg.slow_rate) * cfg.slow_rate
    var = lfilter([b0], [1.0, -(1.0 - cfg.slow_rate)], dev * dev, zi=[0.0])[0]
    return k.residual_z(r, mean_prev, _prior(var, 0.0), _ewm(r, cfg.fast_rate), cfg)


def _sparsify(z: np.ndarray, decay: float, peak_decay: float) -> tuple[np.ndarray, np.ndarray]:
    """Excess of each surprise over a decaying memory of earlier ones, and the long peak each row
    saw before its own surprise (the online step's two running maxima, in one loop)."""
    out = [0.0] * len(z)
    peaks = [0.0] * len(z)
    memory = peak = 0.0
    for i, zi in enumerate(z.tolist()):
        held = memory * decay
        if zi > held:
            out[i] = zi - held
            memory = zi
        else:
            memory = held
        peaks[i] = peak
        peak = max(peak * peak_decay, zi)
    return np.asarray(out), np.asarray(peaks)


def score_series(values: np.ndarray, timestamps: np.ndarray, config: DetectorConfig | None = None) -> np.ndarray:
    """Scores in [0, 1] for one whole series, identical to feeding it row by row; NaN rows score 0."""
    cfg = config or DetectorConfig()
    x_all = np.asarray(values, dtype=np.float64)
    secs_all = k.as_seconds(timestamps)
    if x_all.shape != secs_all.shape or x_all.ndim != 1:
        raise ValueError("values and timestamps must be 1-d arrays of the same length")
    ok = np.isfinite(x_all)
    scores = np.zeros(len(x_all))
    x, secs = x_all[ok], secs_all[ok]
    if len(x) == 0:
        return scores
    z_day = _view_z(x, k.slot_of(secs, k.DAY_SECONDS, cfg.day_slots), cfg.day_slots, cfg.day_rate, cfg)
    z_week = _view_z(x, k.slot_of(secs, k.WEEK_SECONDS, cfg.week_slots), cfg.week_slots, cfg.week_rate, cfg)
    z = np.minimum(z_day, z_week)
    z[: cfg.warmup] = 0.0
    excess, peak = _sparsify(z, cfg.memory_decay, cfg.peak_decay)
    weighed = k.weigh_novelty(excess, novelty_series(x, cfg), cfg) * k.peak_discount(z, peak, cfg)
    alarms = lfilter([1.0], [1.0, -(1.0 - cfg.alarm_rate)], (weighed > cfg.alarm_level).astype(np.float64),
                     zi=[0.0])[0]
    scores[ok] = k.to_score(k.alarm_discount(weighed, _prior(alarms, 0.0), cfg), cfg)
    return scores
