"""Elementwise arithmetic shared by the online and whole-series paths, so both round the same way."""

from __future__ import annotations

import numpy as np

from forewarn.analysis.anomaly.config import DetectorConfig

DAY_SECONDS = 86_400
WEEK_SECONDS = 7 * DAY_SECONDS


def slot_of(seconds: np.ndarray, period: int, slots: int) -> np.ndarray:
    return (np.mod(seconds, period) * slots // period).astype(np.intp)


def ewm_step(state: np.ndarray, x: np.ndarray, rate: float) -> np.ndarray:
    """One exponential-moving-average step, written exactly as scipy's lfilter evaluates it."""
    return rate * x + (1.0 - rate) * state


def var_step(state: np.ndarray, dev: np.ndarray, rate: float) -> np.ndarray:
    return ((1.0 - rate) * rate) * (dev * dev) + (1.0 - rate) * state


def residual_z(r: np.ndarray, mean_prev: np.ndarray, var_prev: np.ndarray, fast: np.ndarray,
               cfg: DetectorConfig) -> np.ndarray:
    """Surprise of the residual and of its short-term mean against the long-memory prior stats.

    The fast mean's deviation is rescaled by the EWMA's variance factor so both read as z-scores.
    """
    scale = np.sqrt(var_prev + cfg.abs_floor**2 + (cfg.rel_floor * np.abs(mean_prev)) ** 2)
    z_point = np.abs(r - mean_prev) / scale
    z_level = np.abs(fast - mean_prev) / scale * np.sqrt((2.0 - cfg.fast_rate) / cfg.fast_rate)
    return np.maximum(z_point, z_level)


def weigh_novelty(excess: np.ndarray, novelty: np.ndarray, cfg: DetectorConfig) -> np.ndarray:
    return excess * (1.0 + cfg.context_weight * novelty)


def peak_discount(z: np.ndarray, peak_prev: np.ndarray, cfg: DetectorConfig) -> np.ndarray:
    """< 1 for a surprise smaller than the series' long-remembered largest one: spiky series'
    ordinary spikes rank below a quiet series' one big event."""
    return np.clip(z / np.maximum(peak_prev, 1.0), cfg.peak_floor, 1.0) ** cfg.peak_power


def alarm_discount(weighed: np.ndarray, alarms_prev: np.ndarray, cfg: DetectorConfig) -> np.ndarray:
    """Divide by 1 + recent alarms / `alarm_count`: a series that often surprises is trusted less
    (the role of HTM's anomaly likelihood), so its ordinary events rank below a quiet one's."""
    return weighed / (1.0 + alarms_prev / cfg.alarm_count)


def to_score(excess: np.ndarray, cfg: DetectorConfig) -> np.ndarray:
    return 1.0 - np.exp(-np.asarray(excess) / cfg.score_scale)


def as_seconds(timestamps: np.ndarray) -> np.ndarray:
    """Unix seconds from datetime64 or from numbers already in seconds."""
    ts = np.asarray(timestamps)
    if ts.dtype.kind == "M":
        return ts.astype("datetime64[s]").astype(np.int64)
    return np.floor(ts.astype(np.float64)).astype(np.int64)
