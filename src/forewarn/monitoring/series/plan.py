"""Pure time arithmetic for reads and rollups: bucket widths, watermarks and which table serves what."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Times are whole unix seconds (see validate.py for why), so every width here is in seconds.
FIVE_MINUTES = 300
HOUR = 3_600
DAY = 86_400
# Human-friendly widths so buckets land on round clock times; every width from 5 minutes up is a
# multiple of 5 minutes, and from 1 hour up a multiple of 1 hour, so rollups can serve them.
STEPS = (
    1, 2, 5, 10, 15, 30, 60, 120, FIVE_MINUTES, 600, 900, 1_800,
    HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY,
)
# Rollups trail the clock by one bucket so most stragglers land in raw before it is rolled up.
ROLLUP_LAG = FIVE_MINUTES

RAW, FIVE_MINUTE, HOURLY = "raw", "5m", "1h"


@dataclass(frozen=True, slots=True)
class Marks:
    """How far the rollups reach (exclusive) and how far back each level still holds data."""

    five_minute: int = 0  # 5-minute rollups are complete for ts < this
    hourly: int = 0  # hourly rollups are complete for ts < this
    raw_horizon: int = 0  # raw samples older than this were dropped
    five_minute_horizon: int = 0


@dataclass(frozen=True, slots=True)
class Source:
    """One level serving a read for samples with lo ≤ ts < hi (unix seconds)."""

    level: str
    lo: int
    hi: int


def range_ticks(start: float, end: float) -> tuple[int, int]:
    """The stored whole seconds s with start ≤ s ≤ end."""
    return math.ceil(start), math.floor(end)


def choose_step(start: int, end: int, max_points: int, marks: Marks) -> int:
    """The smallest round bucket width giving at most `max_points` aligned buckets over [start, end].

    Aligned buckets touched by the range number fewer than span/step + 2, hence span/(max_points-1).
    Ranges reaching before a level's horizon get at least the next rollup's width.
    """
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}")
    need = math.ceil(max(end - start, 0) / (max_points - 1))
    if start < marks.five_minute_horizon:
        need = max(need, HOUR)
    elif start < marks.raw_horizon:
        need = max(need, FIVE_MINUTES)
    for step in STEPS:
        if step >= need:
            return step
    return math.ceil(need / DAY) * DAY


def bucket_span(start: int, end: int, step: int) -> tuple[int, int]:
    """[lo, hi) covering every whole bucket of width `step` that [start, end] touches."""
    return start // step * step, end // step * step + step


def sources(step: int, marks: Marks) -> list[Source]:
    """Which level serves which time span: the coarsest rollup whose width divides the step."""
    inf = 2**62
    if step % HOUR == 0 and marks.hourly > 0:
        return [Source(HOURLY, 0, marks.hourly), Source(FIVE_MINUTE, marks.hourly, marks.five_minute),
                Source(RAW, marks.five_minute, inf)]
    if step % FIVE_MINUTES == 0 and marks.five_minute > 0:
        return [Source(FIVE_MINUTE, 0, marks.five_minute), Source(RAW, marks.five_minute, inf)]
    return [Source(RAW, 0, inf)]


def rollup_targets(now: int, marks: Marks) -> tuple[int, int]:
    """New (5-minute, hourly) watermarks for a rollup at `now`; never moving backwards."""
    five = max(marks.five_minute, (now - ROLLUP_LAG) // FIVE_MINUTES * FIVE_MINUTES)
    hourly = max(marks.hourly, five // HOUR * HOUR)
    return five, hourly
