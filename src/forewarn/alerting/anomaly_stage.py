"""The anomaly stage: every stored sample through the streaming detector; a surprise fires a signal."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import fields, is_dataclass

import numpy as np

from forewarn.alerting.sensitivity import DEFAULT_LEVEL, THRESHOLDS
from forewarn.analysis.anomaly import AnomalyDetector
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import SampleBatch, Signal
from forewarn.monitoring import SeriesInfo

LEARNING_SAMPLES = 100  # like NAB's probation: early scores judge a pattern not yet learned
# ... and a series pages only once watched this long: until the detector has seen every hour of the
# day, each new hour is judged by a profile that has not met it (the simulated data centre's first
# morning: 17 workstation "unusual" incidents in its first five hours, none a fault).
LEARNING_SECONDS = 86_400.0
QUIET_SECONDS = 900.0  # an anomaly signal resolves after this long without another surprise
# Monotonic by nature: "surprising" growth is just time passing.
SKIP_METRICS = frozenset({"uptime_seconds"})
UNKNOWN, SKIPPED = -1, -2  # detector "rows" of ids not described yet and of series never analysed

Describe = Callable[[Iterable[int]], dict[int, SeriesInfo]]
ThresholdFor = Callable[[SeriesInfo], float]


def anomaly_fingerprint(series_id: int) -> str:
    return f"anomaly:{series_id}"


class AnomalySignals:
    """Detector state for every series in arrays; per series only the time of its last surprise.

    Which detector row a series id has is kept in two sorted arrays, so a batch finds its rows with
    one `searchsorted`; only ids never seen before are described. Scores are compared with the
    series' threshold only where they reach `min_threshold`, the lowest any sensitivity level uses.
    """

    def __init__(self, describe: Describe, threshold_for: ThresholdFor | None = None,
                 min_threshold: float = min(THRESHOLDS.values())) -> None:
        self.detector = AnomalyDetector(64)
        self._describe = describe
        self._threshold_for = threshold_for or (lambda _info: THRESHOLDS[DEFAULT_LEVEL])
        self._min_threshold = min_threshold
        self._rows: dict[int, int] = {}
        self._known_ids = np.zeros(0, dtype=np.int64)  # sorted; their rows below (SKIPPED: not analysed)
        self._known_rows = np.zeros(0, dtype=np.int64)
        self._last_high: dict[int, float] = {}
        self._since = np.zeros(0)  # per detector row: the time of its first sample
        # A periodic save reads the state from another thread than the batches update it in.
        self._lock = threading.Lock()

    def process(self, batch: SampleBatch) -> list[Signal]:
        if not len(batch):
            return []
        with self._lock:
            return self._process(batch)

    def export_state(self) -> dict[str, np.ndarray]:
        """Copies of everything that decides later scores and signals, named, taken between two batches."""
        with self._lock:
            n = len(self._rows)  # rows beyond it are spare capacity, never used
            state = {"known_ids": self._known_ids, "known_rows": self._known_rows, "since": self._since[:n],
                     "last_high_ids": np.fromiter(self._last_high, np.int64, len(self._last_high)),
                     "last_high_ts": np.fromiter(self._last_high.values(), np.float64, len(self._last_high))}
            state.update({f"detector.{name}": a[:n] for name, a in _named_arrays(self.detector.state)})
            return {name: a.copy() for name, a in state.items()}

    def import_state(self, state: dict[str, np.ndarray]) -> None:
        """Carry on from a state `export_state` gave (anomaly_persist checks a file's before it comes here)."""
        with self._lock:
            self._known_ids, self._known_rows = state["known_ids"], state["known_rows"]
            self._rows = {int(i): int(r) for i, r in zip(self._known_ids, self._known_rows, strict=True) if r >= 0}
            self._since = state["since"]
            self._last_high = dict(zip(state["last_high_ids"].tolist(), state["last_high_ts"].tolist(), strict=True))
            for name, _ in _named_arrays(self.detector.state):
                holder, _, attr = f"state.{name}".rpartition(".")
                setattr(_attribute(self.detector, holder), attr, state[f"detector.{name}"])

    def _process(self, batch: SampleBatch) -> list[Signal]:
        rows = self._rows_of(batch.series_ids)
        keep = rows >= 0
        ids, ts, values, rows = batch.series_ids, batch.timestamps, batch.values, rows
        if not keep.all():
            ids, ts, values, rows = ids[keep], ts[keep], values[keep], rows[keep]
        # Per tick of a simulation or a scrape, a batch is one timestamp: already in time order.
        if len(ts) > 1 and not bool(np.all(ts[1:] >= ts[:-1])):
            order = np.argsort(ts, kind="stable")
            ids, ts, values, rows = ids[order], ts[order], values[order], rows[order]
        self.detector.ensure_capacity(len(self._rows))
        if self._since.size < len(self._rows):
            self._since = np.concatenate([self._since, np.full(len(self._rows) - self._since.size, np.inf)])
        new = np.isinf(self._since[rows])
        if new.any():  # ts is sorted: a new row's earliest sample in the batch comes first
            first, at = np.unique(rows[new], return_index=True)
            self._since[first] = ts[new][at]
        signals = [s for r in self._rounds(ids) for s in self._score(ids[r], ts[r], values[r], rows[r])]
        if len(ts):
            signals += self._quiet_ones(float(ts.max()))
        return signals

    def _rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Detector row per sample: UNKNOWN for ids the registry does not know (yet), SKIPPED for SKIP_METRICS."""
        rows = self._lookup(ids)
        unknown = rows == UNKNOWN
        fresh = np.unique(ids[unknown]) if unknown.any() else ids[:0]
        if fresh.size:
            info = self._describe(fresh.tolist())
            found = [sid for sid in fresh.tolist() if sid in info]  # the rest stay unknown and are asked again
            new_rows = [SKIPPED if info[sid].name in SKIP_METRICS else self._rows.setdefault(sid, len(self._rows))
                        for sid in found]
            all_ids = np.concatenate([self._known_ids, np.asarray(found, dtype=np.int64)])
            all_rows = np.concatenate([self._known_rows, np.asarray(new_rows, dtype=np.int64)])
            order = np.argsort(all_ids, kind="stable")
            self._known_ids, self._known_rows = all_ids[order], all_rows[order]
            rows = self._lookup(ids)
        return rows

    def _lookup(self, ids: np.ndarray) -> np.ndarray:
        if not self._known_ids.size:
            return np.full(len(ids), UNKNOWN, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._known_ids, ids), self._known_ids.size - 1)
        return np.where(self._known_ids[at] == ids, self._known_rows[at], UNKNOWN)

    @staticmethod
    def _rounds(ids: np.ndarray) -> list[np.ndarray]:
        """Index sets in time order in which each series appears at most once (the detector's contract)."""
        if not len(ids):
            return []
        by_id = np.argsort(ids, kind="stable")  # keeps each series' samples in time order
        sorted_ids = ids[by_id]
        starts = np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1]))
        if starts.all():
            return [np.arange(len(ids))]
        position = np.arange(len(ids))
        rank = np.empty(len(ids), dtype=np.int64)
        rank[by_id] = position - np.maximum.accumulate(np.where(starts, position, 0))
        return [np.flatnonzero(rank == r) for r in range(int(rank.max()) + 1)]

    def _score(self, ids: np.ndarray, ts: np.ndarray, values: np.ndarray, rows: np.ndarray) -> list[Signal]:
        scores = self.detector.update(rows, values, ts)
        grown = (self.detector.state.count[rows] > LEARNING_SAMPLES) & (ts - self._since[rows] >= LEARNING_SECONDS)
        high = np.flatnonzero(grown & (scores >= self._min_threshold))
        if not high.size:
            return []
        info = self._describe(np.unique(ids[high]).tolist())
        out: list[Signal] = []
        for i in high.tolist():
            sid, t, score = int(ids[i]), float(ts[i]), float(scores[i])
            series = info[sid]
            if score < self._threshold_for(series):
                continue
            if sid not in self._last_high:
                out.append(self._signal(series, SignalState.FIRING, t, float(values[i]), score))
            self._last_high[sid] = t
        return out

    def _quiet_ones(self, now: float) -> list[Signal]:
        done = [sid for sid, t in self._last_high.items() if now - t > QUIET_SECONDS]
        if not done:
            return []
        described = self._describe(done)
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


def _named_arrays(obj: object, prefix: str = "") -> list[tuple[str, np.ndarray]]:
    """The arrays of a (nested) dataclass by dotted field name: the detector's state, named for a file."""
    out: list[tuple[str, np.ndarray]] = []
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            out += _named_arrays(value, f"{prefix}{f.name}.")
        elif isinstance(value, np.ndarray):
            out.append((prefix + f.name, value))
    return out


def _attribute(obj: object, dotted: str) -> object:
    for name in dotted.split("."):
        obj = getattr(obj, name)
    return obj
