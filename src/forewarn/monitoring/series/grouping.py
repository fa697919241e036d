"""Numpy helpers: merge bucket partials (min/max/sum/count) and split sorted columns per series."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forewarn.monitoring.series.base import SeriesRange


@dataclass(frozen=True, slots=True)
class Partials:
    """Mergeable aggregates, one row per (series, bucket start) — possibly several per pair."""

    sid: np.ndarray  # uint32
    bucket: np.ndarray  # int64 unix seconds
    mn: np.ndarray
    mx: np.ndarray
    sm: np.ndarray
    cnt: np.ndarray  # int64

    @classmethod
    def of_samples(cls, sid: np.ndarray, ts: np.ndarray, values: np.ndarray, step: int) -> Partials:
        return cls(sid, ts // step * step, values, values, values, np.ones(len(values), dtype=np.int64))

    @classmethod
    def concat(cls, parts: list[Partials]) -> Partials:
        if not parts:
            empty = np.empty(0)
            return cls(empty.astype(np.uint32), empty.astype(np.int64), empty, empty, empty, empty.astype(np.int64))
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__slots__))

    def rebucket(self, step: int) -> Partials:
        return Partials(self.sid, self.bucket // step * step, self.mn, self.mx, self.sm, self.cnt)

    def merged(self) -> Partials:
        """One row per (series, bucket), sorted by series then bucket."""
        if len(self.sid) == 0:
            return self
        order = np.lexsort((self.bucket, self.sid))
        sid, bucket = self.sid[order], self.bucket[order]
        first = np.ones(len(sid), dtype=bool)
        first[1:] = (sid[1:] != sid[:-1]) | (bucket[1:] != bucket[:-1])
        at = np.flatnonzero(first)
        return Partials(sid[at], bucket[at], np.minimum.reduceat(self.mn[order], at),
                        np.maximum.reduceat(self.mx[order], at), np.add.reduceat(self.sm[order], at),
                        np.add.reduceat(self.cnt[order], at))


def split(series_ids: np.ndarray, sid: np.ndarray, columns: dict[str, np.ndarray],
          step: int | None) -> dict[int, SeriesRange]:
    """Per-series ranges from columns sorted by series id; ids without rows get empty ranges."""
    wanted = np.unique(np.asarray(series_ids, dtype=np.int64))
    lo = np.searchsorted(sid, wanted, side="left").tolist()
    hi = np.searchsorted(sid, wanted, side="right").tolist()
    ts, values = columns["ts"].astype(np.float64), columns["value"]
    if step is None:
        return {s: SeriesRange(ts[a:b], values[a:b]) for s, a, b in zip(wanted.tolist(), lo, hi, strict=True)}
    mn, mx, cnt, width = columns["min"], columns["max"], columns["count"].astype(np.int64), float(step)
    return {s: SeriesRange(ts[a:b], values[a:b], mn[a:b], mx[a:b], cnt[a:b], width)
            for s, a, b in zip(wanted.tolist(), lo, hi, strict=True)}


def last_per_series(wanted: np.ndarray, sid: np.ndarray, ts: np.ndarray,
                    values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newest (seconds, value) per wanted id from unsorted samples; NaN for ids without any."""
    ts_out = np.full(len(wanted), np.nan)
    val_out = np.full(len(wanted), np.nan)
    if len(sid) == 0:
        return ts_out, val_out
    order = np.lexsort((ts, sid))
    sid, ts, values = sid[order], ts[order], values[order]
    last = np.flatnonzero(np.append(sid[1:] != sid[:-1], True))
    have = sid[last].astype(np.int64)
    at = np.minimum(np.searchsorted(have, wanted), len(have) - 1)
    found = have[at] == wanted
    ts_out[found] = ts[last[at[found]]]
    val_out[found] = values[last[at[found]]]
    return ts_out, val_out
