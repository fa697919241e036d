"""Hourly sums and counts of every limited series over the forecast lookback, kept up to date from the stored samples.

The forecast screen needs two weeks of hourly means of every series each round; reading them back
from the series store costs a scan of the store per round. This grid is filled once per series from
the store (`warm`) and from then on from the sample batches the ingest stage publishes (`add`), so a
round reads nothing. It is a ring of `hours` slots per series, each remembering which hour it holds.
The arrays are slot-major (slot, row): a batch of one timestamp writes one contiguous stretch of each,
not one cache line per series.
"""

from __future__ import annotations

import threading

import numpy as np

HOUR = 3600.0


def complete_hours(now: float, n: int) -> np.ndarray:
    """Indexes (unix hours) of the n whole hours before the one `now` falls in, oldest first."""
    return int(np.floor(now / HOUR)) - np.arange(n, 0, -1, dtype=np.int64)


class HourlyGrid:
    def __init__(self, hours: int) -> None:
        self.hours = hours
        self._ids = np.zeros(0, dtype=np.int64)  # sorted series ids; their rows below
        self._rows = np.zeros(0, dtype=np.int64)
        self._since = np.zeros(0)  # per row: samples at or before this time came with the warm-up read
        self._sum = np.zeros((hours, 0))
        self._cnt = np.zeros((hours, 0))
        self._hour = np.full((hours, 0), -1, dtype=np.int64)  # absolute hour index each slot holds
        self._lock = threading.Lock()  # rounds run in a worker thread while batches keep arriving

    def known(self, series_ids: np.ndarray) -> np.ndarray:
        with self._lock:
            return self._lookup(np.asarray(series_ids, dtype=np.int64)) >= 0

    def warm(self, series: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray | None]], upto: float) -> None:
        """Start series from the store's hourly buckets (timestamps, means, samples each) up to `upto`.

        Batches add only what is newer than `upto`, so nothing is counted twice.
        """
        with self._lock:
            rows = self._rows_for(list(series))
            for row, (ts, values, counts) in zip(rows.tolist(), series.values(), strict=True):
                self._sum[:, row], self._cnt[:, row], self._hour[:, row] = 0.0, 0.0, -1
                self._since[row] = upto
                n = np.ones(len(values)) if counts is None else counts.astype(np.float64)
                ok = np.isfinite(values) & (ts <= upto)
                self._put(np.full(int(ok.sum()), row), ts[ok], values[ok] * n[ok], n[ok])

    def add(self, series_ids: np.ndarray, timestamps: np.ndarray, values: np.ndarray) -> None:
        """Fold a batch of stored samples in; series not warmed yet are left to their warm-up read."""
        with self._lock:
            rows = self._lookup(series_ids)
            ok = rows >= 0
            ok[ok] = np.isfinite(values[ok]) & (timestamps[ok] > self._since[rows[ok]])
            if ok.any():
                self._put(rows[ok], timestamps[ok], values[ok], np.ones(int(ok.sum())))

    def matrix(self, series_ids: np.ndarray, now: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(hourly means, where there is data, bin centres in days before now) for the last `hours` whole hours.

        The hour under way is left out: whether its newest batch has been folded in yet depends on
        thread timing, and a screen that depended on it would make runs irreproducible.
        """
        hours = complete_hours(now, self.hours)
        slots = hours % self.hours
        with self._lock:
            rows = self._lookup(np.asarray(series_ids, dtype=np.int64))
            safe = np.maximum(rows, 0)
            # (series, hour) in Fortran order, the layout the gathers from (series, hour) storage had: the
            # screen's sums follow the layout, and must stay bit for bit what they were.
            cnt = np.asfortranarray(self._cnt[slots][:, safe].T)
            total = np.asfortranarray(self._sum[slots][:, safe].T)
            held = np.asfortranarray(self._hour[slots][:, safe].T)
            mask = (held == hours[None, :]) & (cnt > 0) & (rows >= 0)[:, None]
        y = np.divide(total, cnt, out=np.zeros_like(total), where=mask)
        t = (hours * HOUR + HOUR / 2 - now) / 86_400.0
        return y, mask, t

    def _put(self, rows: np.ndarray, ts: np.ndarray, weighted: np.ndarray, n: np.ndarray) -> None:
        hour = np.floor(ts / HOUR).astype(np.int64)
        slot = hour % self.hours
        newer = hour > self._hour[slot, rows]  # the slot still holds an hour that has left the window
        self._sum[slot[newer], rows[newer]] = 0.0
        self._cnt[slot[newer], rows[newer]] = 0.0
        np.maximum.at(self._hour, (slot[newer], rows[newer]), hour[newer])
        fits = hour == self._hour[slot, rows]  # samples older than their slot's hour are out of the window
        np.add.at(self._sum, (slot[fits], rows[fits]), weighted[fits])
        np.add.at(self._cnt, (slot[fits], rows[fits]), n[fits])

    def _lookup(self, ids: np.ndarray) -> np.ndarray:
        if not self._ids.size:
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._ids, ids), self._ids.size - 1)
        return np.where(self._ids[at] == ids, self._rows[at], -1)

    def _rows_for(self, series_ids: list[int]) -> np.ndarray:
        """Rows of these ids, adding the unknown ones (grown once per call, not per series)."""
        ids = np.asarray(series_ids, dtype=np.int64)
        rows = self._lookup(ids)
        fresh = np.unique(ids[rows < 0])
        if fresh.size:
            first = len(self._since)
            all_ids = np.concatenate([self._ids, fresh])
            all_rows = np.concatenate([self._rows, first + np.arange(fresh.size)])
            order = np.argsort(all_ids, kind="stable")
            self._ids, self._rows = all_ids[order], all_rows[order]
            self._since = np.concatenate([self._since, np.full(fresh.size, -np.inf)])
            self._sum = np.hstack([self._sum, np.zeros((self.hours, fresh.size))])
            self._cnt = np.hstack([self._cnt, np.zeros((self.hours, fresh.size))])
            self._hour = np.hstack([self._hour, np.full((self.hours, fresh.size), -1, dtype=np.int64)])
            rows = self._lookup(ids)
        return rows
