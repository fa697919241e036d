"""The SeriesStore interface every series storage backend implements, and the range it returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from forewarn.core.records import SampleBatch

DAY = 86_400.0
# Defaults sized for an MSP: two weeks of full detail for incident work, a quarter at 5 minutes
# for capacity trends, and a little over a year at 1 hour for year-on-year client reports.
RAW_RETENTION = 14 * DAY
FIVE_MINUTE_RETENTION = 90 * DAY
HOURLY_RETENTION = 400 * DAY


@dataclass(frozen=True, slots=True)
class SeriesRange:
    """Samples of one series over a range: raw points, or aligned buckets when downsampled.

    When downsampled, `timestamps` are bucket starts (multiples of `step`, so charts do not shift
    between refreshes), `values` are bucket means and `min`/`max`/`count` describe each bucket;
    buckets without samples are left out, so no value is ever NaN.
    """

    timestamps: np.ndarray  # float64 unix seconds
    values: np.ndarray  # float64
    min: np.ndarray | None = None
    max: np.ndarray | None = None
    count: np.ndarray | None = None  # int64 samples per bucket
    step: float | None = None  # bucket width in seconds; None for raw samples

    def __len__(self) -> int:
        return len(self.timestamps)

    @classmethod
    def empty(cls, step: float | None = None) -> SeriesRange:
        none = np.empty(0, dtype=np.float64)
        if step is None:
            return cls(none, none.copy())
        return cls(none, none.copy(), none.copy(), none.copy(), np.empty(0, dtype=np.int64), step)


class SeriesStore(ABC):
    """Append-only storage of (series id, time, value) samples with rollups and retention.

    Every method may be called from any thread. Ranges are inclusive at both ends; a downsampled
    read covers the whole aligned buckets that the range touches.
    """

    @abstractmethod
    def append(self, batch: SampleBatch) -> int:
        """Store every sample of the batch, or none (raising `SampleError`); returns the count.

        Durable implementations have the samples on disk when this returns: a crash of the
        process afterwards loses none of them.
        """

    @abstractmethod
    def read(self, series_id: int, start: float, end: float, max_points: int | None = None) -> SeriesRange:
        """Raw samples in [start, end], or at most `max_points` aligned buckets (max_points ≥ 2)."""

    @abstractmethod
    def read_many(self, series_ids: Sequence[int] | np.ndarray, start: float, end: float,
                  max_points: int | None = None) -> dict[int, SeriesRange]:
        """`read` for many series in one query; every requested id is a key (empty when no data)."""

    @abstractmethod
    def latest(self, series_ids: Sequence[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Timestamp and value of each series' newest raw sample, aligned with `series_ids`; NaN where none."""

    @abstractmethod
    def rollup(self, now: float) -> int:
        """Fold complete 5-minute and 1-hour buckets before `now` into the rollups; returns rows written."""

    @abstractmethod
    def apply_retention(self, now: float) -> int:
        """Roll up, then drop raw samples and rollup rows past their retention; returns raw samples dropped."""

    def compact(self, now: float) -> int:
        """Reorganise raw samples of closed periods for smaller storage; returns samples moved.

        Answers never change. Only stores with an on-disk layout to improve need this.
        """
        return 0

    @abstractmethod
    def close(self) -> None:
        """Release files and memory; the store is unusable afterwards."""


def check_retention(raw: float, five_minute: float, hourly: float) -> tuple[float, float, float]:
    """Retention durations in seconds, each level keeping at least as long as the finer one."""
    if not 0 < raw <= five_minute <= hourly:
        raise ValueError(f"retention must satisfy 0 < raw ({raw}) ≤ 5-minute ({five_minute}) ≤ hourly "
                         f"({hourly}) seconds, so that a coarser level always reaches at least as far back as a finer one")
    return raw, five_minute, hourly
