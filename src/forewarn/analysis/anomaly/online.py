"""The online detector: one batch-shaped step updates many series, each with one new sample."""

from __future__ import annotations

import numpy as np

from forewarn.analysis.anomaly import kernels as k
from forewarn.analysis.anomaly.config import DetectorConfig
from forewarn.analysis.anomaly.state import DetectorState, ViewState


def _seasonal_residual(view: ViewState, rows: np.ndarray, slot: np.ndarray, x: np.ndarray,
                       rate: float) -> np.ndarray:
    """Residual of each sample from its slot's profile as it was before this sample; then learn it."""
    prof = view.profile[rows, slot]
    unseen = np.isnan(prof)
    prof = np.where(unseen, x, prof)  # a slot's first sample has no profile yet: residual 0
    r = np.where(unseen, 0.0, x - prof)
    view.profile[rows, slot] = k.ewm_step(prof, x, rate)
    return r


def _has_repeats(rows: np.ndarray) -> bool:
    ordered = np.sort(rows)  # a sort finds repeats ~25x faster than np.unique's hashing here
    return bool(np.any(ordered[1:] == ordered[:-1]))


class AnomalyDetector:
    """Scores many series at once; each series' state is a fixed number of array cells.

    Per series it keeps hour-of-day and hour-of-week profiles, the long-memory mean/variance and
    short-term mean of the residual from each, a decaying memory of its last alarm, and a bit table
    of the value patterns it has seen (`context.py`). A sample's surprise is the smaller of the two
    views' z-scores (so a weekly habit silences the daily view); its excess over the decaying memory
    is high at the start of a surprising episode and low while it lasts; that excess is weighted
    up by the novelty of the pattern the sample completes, so a familiar kind of spike ranks below
    a surprise that also looks new, and down when it is smaller than the largest surprise of the
    series' long memory, and down by the series' recent alarm count, so a spiky series' ordinary
    spikes rank below a quiet series' one event.
    """

    def __init__(self, n_series: int, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self.state = DetectorState.empty(n_series, self.config)

    @property
    def n_series(self) -> int:
        return len(self.state.count)

    def ensure_capacity(self, n_series: int) -> None:
        """Make room for series indexes below `n_series`; grows geometrically so appends stay cheap."""
        if n_series > self.n_series:
            self.state = self.state.grown(max(n_series, 2 * self.n_series, 64), self.config)

    def update(self, series: np.ndarray, values: np.ndarray, timestamps: np.ndarray) -> np.ndarray:
        """Feed one sample to each listed series; return their scores in [0, 1] (0 for NaN samples)."""
        rows = np.asarray(series, dtype=np.intp)
        x = np.asarray(values, dtype=np.float64)
        if rows.shape != x.shape or rows.ndim != 1 or _has_repeats(rows):
            raise ValueError("update needs one value per series index and each index at most once")
        scores = np.zeros(len(rows))
        ok = np.isfinite(x)
        rows, x, secs = rows[ok], x[ok], k.as_seconds(timestamps)[ok]
        if len(rows):
            scores[ok] = self._step(rows, x, secs)
        return scores

    def _step(self, rows: np.ndarray, x: np.ndarray, secs: np.ndarray) -> np.ndarray:
        cfg, st = self.config, self.state
        first = st.count[rows] == 0
        z_day = _residual_step(st.day, rows, x, k.slot_of(secs, k.DAY_SECONDS, cfg.day_slots),
                               cfg.day_rate, first, cfg)
        z_week = _residual_step(st.week, rows, x, k.slot_of(secs, k.WEEK_SECONDS, cfg.week_slots),
                                cfg.week_rate, first, cfg)
        z = np.where(st.count[rows] < cfg.warmup, 0.0, np.minimum(z_day, z_week))
        novelty = st.context.step(rows, x, st.count[rows], cfg)
        st.count[rows] += 1
        held = st.memory[rows] * cfg.memory_decay
        excess = np.where(z > held, z - held, 0.0)
        st.memory[rows] = np.where(z > held, z, held)
        peak = st.peak[rows]
        st.peak[rows] = np.maximum(peak * cfg.peak_decay, z)
        weighed = k.weigh_novelty(excess, novelty, cfg) * k.peak_discount(z, peak, cfg)
        alarms = st.alarms[rows]
        st.alarms[rows] = (weighed > cfg.alarm_level) + (1.0 - cfg.alarm_rate) * alarms
        return k.to_score(k.alarm_discount(weighed, alarms, cfg), cfg)


def _residual_step(view: ViewState, rows: np.ndarray, x: np.ndarray, slot: np.ndarray, period_rate: float,
                   first: np.ndarray, cfg: DetectorConfig) -> np.ndarray:
    r = _seasonal_residual(view, rows, slot, x, period_rate)
    mean = np.where(first, r, view.mean[rows])  # the residual stats start at the first residual
    var = np.where(first, 0.0, view.var[rows])
    fast = k.ewm_step(np.where(first, r, view.fast[rows]), r, cfg.fast_rate)
    z = k.residual_z(r, mean, var, fast, cfg)
    view.mean[rows] = k.ewm_step(mean, r, cfg.slow_rate)
    view.var[rows] = k.var_step(var, r - mean, cfg.slow_rate)
    view.fast[rows] = fast
    return z
