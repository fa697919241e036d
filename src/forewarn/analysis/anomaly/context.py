"""Contextual novelty: how many of the recent value patterns of a series were never seen before.

Each valid sample is quantised into a few bins over the series' running [min, max]; the tails of
the last 2..`context_length` bins are hashed into a fixed bit table per series (bounded state, like
a one-row Bloom filter, kept in two generations so it forgets and never saturates). A sample's novelty is the fraction of its tails whose bit was still clear;
then the bits are set. A value that is surprising *and* arrives in a never-seen pattern is a
stronger anomaly than a surprise in a familiar one (a regular spike, a known daily shape), which is
what the combined score uses this for (an idea taken from CAD OSE's contexts, kept bounded).

All hashing is integer arithmetic and the quantiser is one elementwise expression, so the online
step (`ContextState.step`) and the whole-series path (`novelty_series`, which finds each bucket's
previous setting by sorting) agree bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forewarn.analysis.anomaly.config import DetectorConfig

_MULT = np.uint32(1_000_003)
_SEED = np.uint32(2_166_136_261)
_SALT = 2_654_435_761


def quantise(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, bins: int) -> np.ndarray:
    """Bin of each value in its series' running [lo, hi] (bin 0 while the range is still empty)."""
    span = hi - lo
    wide = span > 0
    q = np.floor((x - lo) / np.where(wide, span, 1.0) * bins)
    # inf/inf on huge spans is NaN: bin 0 (what np.nan_to_num gave, at a tenth of its cost); the clip
    # below takes an infinite quotient to an end bin as it took nan_to_num's largest finite number.
    q = np.where(np.isnan(q), 0.0, q)
    return np.where(wide, np.clip(q, 0, bins - 1), 0).astype(np.uint8)


def tail_buckets(newest_first: list[np.ndarray], table_bits: int) -> np.ndarray:
    """Table bucket of each tail length 2..L from the last L bins, newest first: -> (n, L-1).

    uint32 arithmetic wraps modulo 2**32 the same way in both paths; each length extends the
    shorter tail's hash and is salted so equal hashes of different lengths land apart.
    """
    h = np.full(len(newest_first[0]), _SEED, dtype=np.uint32)
    out = np.empty((len(h), len(newest_first) - 1), dtype=np.intp)
    for back, col in enumerate(newest_first, start=1):
        h = h * _MULT + col + np.uint32(1)
        if back >= 2:
            out[:, back - 2] = (h ^ np.uint32(back * _SALT & 0xFFFFFFFF)) % np.uint32(table_bits)
    return out


@dataclass
class ContextState:
    """Per series: running range, the last `context_length - 1` bins and two generations of the
    seen-pattern bit table. Every `context_generation` samples the current table becomes the
    previous one and a clear one starts, so old patterns are forgotten and the table never fills."""

    lo: np.ndarray
    hi: np.ndarray
    recent: np.ndarray  # (n, context_length - 1) uint8 bins, oldest first
    table: np.ndarray  # (n, 2, table_bits / 8) uint8 bit sets: [:, 0] current, [:, 1] previous

    @classmethod
    def empty(cls, n: int, cfg: DetectorConfig) -> ContextState:
        return cls(np.full(n, np.inf), np.full(n, -np.inf),
                   np.zeros((n, cfg.context_length - 1), dtype=np.uint8),
                   np.zeros((n, 2, cfg.context_table_bits // 8), dtype=np.uint8))

    def arrays(self) -> list[np.ndarray]:
        return [self.lo, self.hi, self.recent, self.table]

    def step(self, rows: np.ndarray, x: np.ndarray, seen: np.ndarray, cfg: DetectorConfig) -> np.ndarray:
        """Novelty in [0, 1] of one valid sample per row (`seen`: valid samples before it); then learn."""
        turn = rows[(seen > 0) & (seen % cfg.context_generation == 0)]
        if len(turn):
            self.table[turn, 1] = self.table[turn, 0]
            self.table[turn, 0] = 0
        self.lo[rows] = lo = np.minimum(self.lo[rows], x)
        self.hi[rows] = hi = np.maximum(self.hi[rows], x)
        q = quantise(x, lo, hi, cfg.context_bins)
        recent = self.recent[rows]
        buckets = tail_buckets([q] + [recent[:, -back] for back in range(1, cfg.context_length)],
                               cfg.context_table_bits)
        valid = seen[:, None] >= np.arange(1, cfg.context_length)[None, :]  # a tail needs its samples
        width = self.table.shape[2]
        cell = (rows * (2 * width))[:, None] + (buckets >> 3)  # byte in the current table
        bit = np.left_shift(1, buckets & 7).astype(np.uint8)
        flat = self.table.reshape(-1)
        new = (((flat[cell] | flat[cell + width]) & bit) == 0) & valid
        np.bitwise_or.at(flat, cell[valid], bit[valid])  # .at: two lengths may share a byte
        recent[:, :-1] = recent[:, 1:]
        recent[:, -1] = q
        self.recent[rows] = recent
        n_valid = valid.sum(axis=1)
        return np.where(n_valid > 0, new.sum(axis=1) / np.maximum(n_valid, 1), 0.0)


def _previous_row(bucket: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each (bucket, row) pair: the latest earlier row that set the same bucket, and whether any did.

    Pairs of one row share its earlier row: the online step checks all its tails before setting any.
    """
    order = np.lexsort((row, bucket))
    b, r = bucket[order], row[order]
    k = np.arange(len(b))
    run = np.ones(len(b), dtype=bool)
    run[1:] = (b[1:] != b[:-1]) | (r[1:] != r[:-1])
    before = np.maximum.accumulate(np.where(run, k, 0)) - 1  # last pair before this (bucket, row) run
    safe = np.maximum(before, 0)
    has = np.empty(len(b), dtype=bool)
    prev = np.empty(len(b), dtype=np.int64)
    has[order] = (before >= 0) & (b[safe] == b)
    prev[order] = r[safe]
    return prev, has


def novelty_series(x: np.ndarray, cfg: DetectorConfig) -> np.ndarray:
    """`ContextState.step` over one series' valid samples at once: a tail is new unless the same bucket
    was set earlier in this generation or the previous one."""
    n, length = len(x), cfg.context_length
    q = quantise(x, np.minimum.accumulate(x), np.maximum.accumulate(x), cfg.context_bins)
    columns = [np.zeros(n, dtype=np.uint8) for _ in range(length)]  # bin 0 before a tail is complete
    for back, col in enumerate(columns):
        col[back:] = q[: max(n - back, 0)]
    buckets = tail_buckets(columns, cfg.context_table_bits)
    index = np.arange(n)
    valid = index[:, None] >= np.arange(1, length)[None, :]
    row = np.broadcast_to(index[:, None], buckets.shape)[valid]
    prev, has = _previous_row(buckets[valid], row)
    gen = cfg.context_generation
    new = np.zeros(buckets.shape, dtype=bool)
    new[valid] = ~(has & (prev // gen >= row // gen - 1))
    n_valid = valid.sum(axis=1)
    return np.where(n_valid > 0, new.sum(axis=1) / np.maximum(n_valid, 1), 0.0)
