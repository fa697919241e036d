"""An in-memory SeriesStore on numpy arrays, for tests and the simulator; same semantics as DuckDB's."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

import numpy as np

from forewarn.core.records import SampleBatch
from forewarn.monitoring.series import plan
from forewarn.monitoring.series.base import (
    FIVE_MINUTE_RETENTION,
    HOURLY_RETENTION,
    RAW_RETENTION,
    SeriesRange,
    SeriesStore,
    check_retention,
)
from forewarn.monitoring.series.grouping import Partials, last_per_series, split
from forewarn.monitoring.series.validate import storage_columns


class _Columns:
    """Append-friendly column set: each column a buffer grown by doubling, so appends copy only the new
    rows and a read takes a view of the filled part (joining chunks per read copied every row each time).

    Reads find their rows without scanning every row: `ordered` (the raw samples, appended in time
    order as a rule) remembers whether that column is still non-decreasing, so a time range is a
    slice; the rollup levels keep a row index sorted by series, built on the first read after a change.
    Either way rows come out in their stored order, so merged sums add up in the same order as a scan's.
    """

    def __init__(self, names: tuple[str, ...], dtypes: tuple[type, ...], ordered: str | None = None) -> None:
        self._buffers = {n: np.empty(0, dtype=d) for n, d in zip(names, dtypes, strict=True)}
        self._n = 0  # rows filled; the buffers' rows beyond are free, and filled rows never change
        self._ordered = ordered
        self._monotonic = ordered is not None  # the `ordered` column is non-decreasing over all rows
        self._last = -np.inf  # its largest value so far
        self._by_sid: tuple[np.ndarray, np.ndarray] | None = None  # (row order by sid, sids in that order)

    def add(self, **columns: np.ndarray) -> None:
        if self._ordered is not None and len(key := columns[self._ordered]):
            if self._monotonic and not (key[0] >= self._last and (len(key) < 2 or bool(np.all(key[1:] >= key[:-1])))):
                self._monotonic = False
            self._last = max(self._last, key.max())
        self._by_sid = None
        n = self._n
        end = n + len(next(iter(columns.values())))
        for name, array in columns.items():
            buffer = self._buffers[name]
            if end > len(buffer):  # views handed out keep the old buffer; its filled rows stay as they were
                grown = np.empty(max(end, 2 * len(buffer), 1024), dtype=buffer.dtype)
                grown[:n] = buffer[:n]
                self._buffers[name] = buffer = grown
            buffer[n:end] = array
        self._n = end

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: buffer[:self._n] for name, buffer in self._buffers.items()}

    def keep(self, mask: np.ndarray) -> None:
        self._buffers = {name: array[mask] for name, array in self.arrays().items()}
        self._n = int(np.count_nonzero(mask))
        self._by_sid = None  # a subset in the same order stays monotonic

    def rows(self, wanted: np.ndarray, column: str, lo: int, hi: int) -> np.ndarray | slice:
        """Rows of the wanted series with lo <= column < hi, in stored order within each series."""
        cols = self.arrays()
        key = cols[column]
        if column == self._ordered and self._monotonic:
            span = slice(int(np.searchsorted(key, lo, side="left")), int(np.searchsorted(key, hi, side="left")))
            sid = cols["sid"][span]
            return span.start + np.flatnonzero(np.isin(sid, wanted) & (key[span] >= lo) & (key[span] < hi))
        if self._by_sid is None:
            order = np.argsort(cols["sid"], kind="stable")
            self._by_sid = order, cols["sid"][order]
        order, sorted_sid = self._by_sid
        ids = np.unique(wanted)
        # Searched as the stored type: mixed types would convert all of `sorted_sid` on every call.
        ids = ids[(ids >= 0) & (ids <= np.iinfo(sorted_sid.dtype).max)].astype(sorted_sid.dtype)
        starts = np.searchsorted(sorted_sid, ids, side="left")
        ends = np.searchsorted(sorted_sid, ids, side="right")
        lengths = ends - starts
        if not lengths.sum():
            return order[:0]
        # The rows of each wanted id are one run in `order`: concatenate the runs without a Python loop.
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        picked = order[offsets + np.arange(int(lengths.sum()))]
        k = key[picked]
        return picked[(k >= lo) & (k < hi)]


def _raw_columns() -> _Columns:
    return _Columns(("sid", "ts", "value"), (np.uint32, np.int64, np.float64), ordered="ts")


def _rollup_columns() -> _Columns:
    return _Columns(("sid", "bucket", "mn", "mx", "sm", "cnt"),
                    (np.uint32, np.int64, np.float64, np.float64, np.float64, np.int64))


class MemorySeriesStore(SeriesStore):
    def __init__(self, *, raw_retention: float = RAW_RETENTION,
                 five_minute_retention: float = FIVE_MINUTE_RETENTION,
                 hourly_retention: float = HOURLY_RETENTION) -> None:
        self.retention = check_retention(raw_retention, five_minute_retention, hourly_retention)
        self._raw = _raw_columns()
        self._levels = {plan.FIVE_MINUTE: _rollup_columns(), plan.HOURLY: _rollup_columns()}
        self._marks = plan.Marks()
        self._lock = threading.Lock()
        self._closed = False

    def append(self, batch: SampleBatch) -> int:
        sid, ts, values = storage_columns(batch)
        with self._lock:
            self._check_open()
            ts = ts.astype(np.int64)  # numpy arithmetic below is simplest on one signed type
            self._raw.add(sid=sid, ts=ts, value=values)
            if len(ts) and ts.min() < max(self._marks.five_minute, self._marks.hourly):  # as a rule none is
                self._merge_late(Partials.of_samples(sid, ts, values, 1))
        return len(sid)

    def _merge_late(self, samples: Partials) -> None:
        # Samples behind a watermark would be missed by the rollup: fold them in as extra partials.
        for level, width, mark in ((plan.FIVE_MINUTE, plan.FIVE_MINUTES, self._marks.five_minute),
                                   (plan.HOURLY, plan.HOUR, self._marks.hourly)):
            late = samples.bucket < mark
            if late.any():
                self._add_partials(level, Partials(*(getattr(samples, f)[late] for f in Partials.__slots__))
                                   .rebucket(width).merged())

    def _add_partials(self, level: str, p: Partials) -> None:
        self._levels[level].add(sid=p.sid, bucket=p.bucket, mn=p.mn, mx=p.mx, sm=p.sm, cnt=p.cnt)

    def read(self, series_id: int, start: float, end: float, max_points: int | None = None) -> SeriesRange:
        return self.read_many([series_id], start, end, max_points)[int(series_id)]

    def read_many(self, series_ids: Sequence[int] | np.ndarray, start: float, end: float,
                  max_points: int | None = None) -> dict[int, SeriesRange]:
        wanted = np.asarray(series_ids, dtype=np.int64)
        start_s, end_s = plan.range_ticks(start, end)
        with self._lock:
            self._check_open()
            if max_points is None:
                return self._read_raw(wanted, start_s, end_s)
            step = plan.choose_step(start_s, end_s, max_points, self._marks)
            if end_s < start_s:
                return {int(i): SeriesRange.empty(float(step)) for i in wanted}
            lo, hi = plan.bucket_span(start_s, end_s, step)
            parts = [self._source_partials(src, wanted, max(lo, src.lo), min(hi, src.hi), step)
                     for src in plan.sources(step, self._marks)]
        m = Partials.concat(parts).rebucket(step).merged()
        columns = {"ts": m.bucket, "value": m.sm / m.cnt, "min": m.mn, "max": m.mx, "count": m.cnt}
        return split(wanted, m.sid, columns, step)

    def _read_raw(self, wanted: np.ndarray, start_s: int, end_s: int) -> dict[int, SeriesRange]:
        raw = self._raw.arrays()
        pick = np.flatnonzero(np.isin(raw["sid"], wanted) & (raw["ts"] >= start_s) & (raw["ts"] <= end_s))
        sid, ts, value = raw["sid"][pick], raw["ts"][pick], raw["value"][pick]
        order = np.lexsort((ts, sid))
        return split(wanted, sid[order], {"ts": ts[order], "value": value[order]}, None)

    def _source_partials(self, src: plan.Source, wanted: np.ndarray, lo: int, hi: int, step: int) -> Partials:
        if lo >= hi:
            return Partials.concat([])
        if src.level == plan.RAW:
            pick = self._raw.rows(wanted, "ts", lo, hi)
            raw = self._raw.arrays()
            return Partials.of_samples(raw["sid"][pick], raw["ts"][pick], raw["value"][pick], step).merged()
        level = self._levels[src.level]
        pick = level.rows(wanted, "bucket", lo, hi)
        cols = level.arrays()
        return Partials(*(cols[f][pick] for f in ("sid", "bucket", "mn", "mx", "sm", "cnt")))

    def latest(self, series_ids: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wanted = np.asarray(series_ids, dtype=np.int64)
        with self._lock:
            self._check_open()
            raw = self._raw.arrays()
            pick = np.flatnonzero(np.isin(raw["sid"], wanted))
            sid, ts, value = raw["sid"][pick], raw["ts"][pick], raw["value"][pick]
        return last_per_series(wanted, sid, ts, value)

    def rollup(self, now: float) -> int:
        with self._lock:
            self._check_open()
            return self._rollup(math.floor(now))

    def _rollup(self, now_s: int) -> int:
        five, hourly = plan.rollup_targets(now_s, self._marks)
        raw = self._raw.arrays()
        pick = (raw["ts"] >= self._marks.five_minute) & (raw["ts"] < five)
        new5 = Partials.of_samples(raw["sid"][pick], raw["ts"][pick], raw["value"][pick],
                                   plan.FIVE_MINUTES).merged()
        self._add_partials(plan.FIVE_MINUTE, new5)
        cols = self._levels[plan.FIVE_MINUTE].arrays()
        pick = (cols["bucket"] >= self._marks.hourly) & (cols["bucket"] < hourly)
        new1h = Partials(*(cols[f][pick] for f in ("sid", "bucket", "mn", "mx", "sm", "cnt"))) \
            .rebucket(plan.HOUR).merged()
        self._add_partials(plan.HOURLY, new1h)
        self._marks = plan.Marks(five, hourly, self._marks.raw_horizon, self._marks.five_minute_horizon)
        return len(new5.sid) + len(new1h.sid)

    def apply_retention(self, now: float) -> int:
        now_s = math.floor(now)
        raw_h, five_h, hour_h = (math.floor(now - r) for r in self.retention)
        with self._lock:
            self._check_open()
            self._rollup(now_s)
            raw = self._raw.arrays()
            old = raw["ts"] < raw_h
            self._raw.keep(~old)
            for level, horizon in ((plan.FIVE_MINUTE, five_h), (plan.HOURLY, hour_h)):
                self._levels[level].keep(self._levels[level].arrays()["bucket"] >= horizon)
            m = self._marks
            self._marks = plan.Marks(m.five_minute, m.hourly, max(m.raw_horizon, raw_h),
                                     max(m.five_minute_horizon, five_h))
        return int(old.sum())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._raw = _raw_columns()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the series store is closed")
