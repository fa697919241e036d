"""Pure time arithmetic for reads and rollups: bucket widths, watermarks and which table serves what."""

from __future__ import annotations

import math
from dataclasses import dataclass

FIVE_MINUTES_MS = 300_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000
# Human-friendly widths so buckets land on round clock times; every width from 5 minutes up is a
# multiple of 5 minutes, and from 1 hour up a multiple of 1 hour, so rollups can serve them.
STEPS_MS = (
    1, 2, 5, 10, 20, 50, 100, 200, 500,
    1_000, 2_000, 5_000, 10_000, 15_000, 30_000,
    60_000, 120_000, FIVE_MINUTES_MS, 600_000, 900_000, 1_800_000,
    HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS, DAY_MS, 2 * DAY_MS, 7 * DAY_MS,
)
# Rollups trail the clock by one bucket so most stragglers land in raw before it is rolled up.
ROLLUP_LAG_MS = FIVE_MINUTES_MS

RAW, FIVE_MINUTE, HOURLY = "raw", "5m", "1h"


@dataclass(frozen=True, slots=True)
class Marks:
    """How far the rollups reach (exclusive, ms) and how far back each level still holds data."""

    five_minute: int = 0  # 5-minute rollups are complete for ts < this
    hourly: int = 0  # hourly rollups are complete for ts < this
    raw_horizon: int = 0  # raw samples older than this were dropped
    five_minute_horizon: int = 0


@dataclass(frozen=True, slots=True)
class Source:
    """One level serving a read for samples with lo ≤ ts < hi (ms)."""

    level: str
    lo: int
    hi: int


def to_ms(seconds: float) -> int:
    return int(round(seconds * 1000.0))


def choose_step(start_ms: int, end_ms: int, max_points: int, marks: Marks) -> int:
    """The smallest round bucket width giving at most `max_points` aligned buckets over [start, end].

    Aligned buckets touched by the range number fewer than span/step + 2, hence span/(max_points-1).
    Ranges reaching before a level's horizon get at least the next rollup's width.
    """
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}")
    need = math.ceil(max(end_ms - start_ms, 0) / (max_points - 1))
    if start_ms < marks.five_minute_horizon:
        need = max(need, HOUR_MS)
    elif start_ms < marks.raw_horizon:
        need = max(need, FIVE_MINUTES_MS)
    for step in STEPS_MS:
        if step >= need:
            return step
    return math.ceil(need / DAY_MS) * DAY_MS


def bucket_span(start_ms: int, end_ms: int, step: int) -> tuple[int, int]:
    """[lo, hi) covering every whole bucket of width `step` that [start, end] touches."""
    return start_ms // step * step, end_ms // step * step + step


def sources(step: int, marks: Marks) -> list[Source]:
    """Which level serves which time span: the coarsest rollup whose width divides the step."""
    inf = 2**62
    if step % HOUR_MS == 0 and marks.hourly > 0:
        return [Source(HOURLY, 0, marks.hourly), Source(FIVE_MINUTE, marks.hourly, marks.five_minute),
                Source(RAW, marks.five_minute, inf)]
    if step % FIVE_MINUTES_MS == 0 and marks.five_minute > 0:
        return [Source(FIVE_MINUTE, 0, marks.five_minute), Source(RAW, marks.five_minute, inf)]
    return [Source(RAW, 0, inf)]


def rollup_targets(now_ms: int, marks: Marks) -> tuple[int, int]:
    """New (5-minute, hourly) watermarks for a rollup at `now`; never moving backwards."""
    five = max(marks.five_minute, (now_ms - ROLLUP_LAG_MS) // FIVE_MINUTES_MS * FIVE_MINUTES_MS)
    hourly = max(marks.hourly, five // HOUR_MS * HOUR_MS)
    return five, hourly
