"""The anomaly stage: every stored sample through the streaming detector; a surprise fires a signal."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from forewarn.alerting.sensitivity import DEFAULT_LEVEL, THRESHOLDS
from forewarn.analysis.anomaly import AnomalyDetector
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import SampleBatch, Signal
from forewarn.monitoring import SeriesInfo

LEARNING_SAMPLES = 100  # like NAB's probation: early scores judge a pattern not yet learned
QUIET_SECONDS = 900.0  # an anomaly signal resolves after this long without another surprise
# Monotonic by nature: "surprising" growth is just time passing.
SKIP_METRICS = frozenset({"uptime_seconds"})

Describe = Callable[[Iterable[int]], dict[int, SeriesInfo]]
ThresholdFor = Callable[[SeriesInfo], float]


def anomaly_fingerprint(series_id: int) -> str:
    return f"anomaly:{series_id}"


class AnomalySignals:
    """Detector state for every series in arrays; per series only the time of its last surprise."""

    def __init__(self, describe: Describe, threshold_for: ThresholdFor | None = None) -> None:
        self.detector = AnomalyDetector(64)
        self._describe = describe
        self._threshold_for = threshold_for or (lambda _info: THRESHOLDS[DEFAULT_LEVEL])
        self._rows: dict[int, int] = {}
        self._last_high: dict[int, float] = {}

    def process(self, batch: SampleBatch) -> list[Signal]:
        if not len(batch):
            return []
        info = self._describe(np.unique(batch.series_ids).tolist())
        keep = np.fromiter((i in info and info[i].name not in SKIP_METRICS for i in batch.series_ids.tolist()),
                           dtype=bool, count=len(batch))
        ids, ts, values = batch.series_ids[keep], batch.timestamps[keep], batch.values[keep]
        order = np.argsort(ts, kind="stable")
        ids, ts, values = ids[order], ts[order], values[order]
        signals = [s for r in self._rounds(ids) for s in self._score(ids[r], ts[r], values[r], info)]
        if len(ts):
            signals += self._quiet_ones(float(ts.max()), info)
        return signals

    def _rounds(self, ids: np.ndarray) -> list[np.ndarray]:
        """Index sets in time order in which each series appears at most once (the detector's contract)."""
        rank = np.zeros(len(ids), dtype=np.int64)
        seen: dict[int, int] = {}
        for i, sid in enumerate(ids.tolist()):
            rank[i] = seen.get(sid, 0)
            seen[sid] = rank[i] + 1
        return [np.flatnonzero(rank == r) for r in range(int(rank.max()) + 1)] if len(ids) else []

    def _score(self, ids: np.ndarray, ts: np.ndarray, values: np.ndarray,
               info: dict[int, SeriesInfo]) -> list[Signal]:
        rows = np.fromiter((self._row_of(i) for i in ids.tolist()), dtype=np.int64, count=len(ids))
        self.detector.ensure_capacity(len(self._rows))
        scores = self.detector.update(rows, values, ts)
        learning = self.detector.state.count[rows] <= LEARNING_SAMPLES
        out: list[Signal] = []
        for sid, t, v, score, young in zip(ids.tolist(), ts.tolist(), values.tolist(), scores.tolist(),
                                           learning.tolist(), strict=True):
            series = info[sid]
            if young or score < self._threshold_for(series):
                continue
            if sid not in self._last_high:
                out.append(self._signal(series, SignalState.FIRING, t, v, score))
            self._last_high[sid] = t
        return out

    def _row_of(self, series_id: int) -> int:
        return self._rows.setdefault(series_id, len(self._rows))

    def _quiet_ones(self, now: float, info: dict[int, SeriesInfo]) -> list[Signal]:
        done = [sid for sid, t in self._last_high.items() if now - t > QUIET_SECONDS]
        described = {**info, **self._describe([s for s in done if s not in info])}
        out = [self._signal(described[sid], SignalState.RESOLVED, now, None, 0.0) for sid in done if sid in described]
        for sid in done:
            del self._last_high[sid]
        return out

    @staticmethod
    def _signal(series: SeriesInfo, state: SignalState, ts: float, value: float | None, score: float) -> Signal:
        unit = f" {series.unit}" if series.unit else ""
        summary = (f"{series.display} unusual: {value:g}{unit} (anomaly score {score:.2f})"
                   if state is SignalState.FIRING else f"{series.display} back to its usual pattern")
        return Signal(fingerprint=anomaly_fingerprint(series.id), tenant_id=series.tenant_id,
                      asset_id=series.asset_id, kind="anomaly", severity=Severity.WARNING, state=state,
                      summary=summary, ts=ts, check_id=series.check_id,
                      evidence={"series_id": series.id, "score": round(score, 4), "value": value,
                                "window": [ts - QUIET_SECONDS, ts]})
