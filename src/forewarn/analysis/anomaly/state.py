"""Detector state for many series as a struct of numpy arrays, fixed size per series."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from forewarn.analysis.anomaly.config import DetectorConfig
from forewarn.analysis.anomaly.context import ContextState


@dataclass
class ViewState:
    """One seasonal view: a slot profile and long/short statistics of the residual from it."""

    profile: np.ndarray  # (n_series, slots); NaN until the slot is first seen
    mean: np.ndarray
    var: np.ndarray
    fast: np.ndarray

    @classmethod
    def empty(cls, n: int, slots: int) -> ViewState:
        return cls(np.full((n, slots), np.nan), np.zeros(n), np.zeros(n), np.zeros(n))


@dataclass
class DetectorState:
    count: np.ndarray  # valid samples seen per series
    memory: np.ndarray  # decaying memory of the largest recent surprise (the sparsifier)
    peak: np.ndarray  # slowly decaying memory of the largest surprise (the long-peak discount)
    alarms: np.ndarray  # decaying count of recent alarms (the alarm-rate discount)
    day: ViewState
    week: ViewState
    context: ContextState

    @classmethod
    def empty(cls, n: int, cfg: DetectorConfig) -> DetectorState:
        return cls(np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n), np.zeros(n),
                   ViewState.empty(n, cfg.day_slots), ViewState.empty(n, cfg.week_slots),
                   ContextState.empty(n, cfg))

    def grown(self, n: int, cfg: DetectorConfig) -> DetectorState:
        """A copy with room for `n` series: existing rows kept, new rows empty (never learned)."""
        fresh = DetectorState.empty(n, cfg)
        old = len(self.count)
        for new_arr, old_arr in zip(fresh.arrays(), self.arrays(), strict=True):
            new_arr[:old] = old_arr
        return fresh

    def arrays(self) -> list[np.ndarray]:
        out = [self.count, self.memory, self.peak, self.alarms]
        for view in (self.day, self.week):
            out += [getattr(view, f.name) for f in fields(view)]
        return out + self.context.arrays()

    def nbytes_per_series(self) -> int:
        n = len(self.count)
        return sum(a.nbytes for a in self.arrays()) // max(n, 1)
