"""Streaming pattern watcher: per (source, template) counts per time bucket → new-pattern and rate events.

Feed it every mined line (`observe`) with its source, template id, template and timestamp. Time
is cut into buckets (`bucket_seconds`); when the stream's clock passes the end of a bucket, every
template's count for that bucket is judged:

* the first bucket a (source, template) pair ever appears in yields a `new` event;
* later buckets are compared with the pair's baseline, an exponentially weighted mean of its
  per-bucket counts (empty buckets count as zero). A count `factor` times above the baseline, or
  `factor` times below it, and at least `min_delta_per_min` away from it, is a `rate_change`.
  A pair in that changed state reports once, not every bucket, until its rate is normal again.

Pure code: no clock, no I/O; the caller passes timestamps (seconds) and gets events back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

EventKind = Literal["new", "rate_change"]


@dataclass(frozen=True)
class PatternEvent:
    source: str
    template_id: int
    template: str
    kind: EventKind
    rate_per_min: float
    baseline_per_min: float
    example: str
    ts: float  # end of the bucket the event is about


@dataclass(frozen=True)
class WatcherConfig:
    bucket_seconds: float = 60.0
    alpha: float = 0.2  # weight of the newest bucket in the baseline
    factor: float = 3.0  # how many times above or below the baseline counts as a change
    min_delta_per_min: float = 5.0  # ignore changes smaller than this, however large the ratio
    min_history: int = 5  # buckets a pair needs behind it before its rate can "change"


@dataclass
class _Track:
    template: str
    example: str
    bucket: int  # bucket the count below belongs to
    count: int = 0
    baseline: float = 0.0  # per bucket
    history: int = 0  # buckets judged so far
    changed: bool = False


class PatternWatcher:
    """Counts lines per (source, template) and time bucket, and reports new and changing patterns."""

    def __init__(self, config: WatcherConfig | None = None) -> None:
        self.config = config or WatcherConfig()
        self._tracks: dict[tuple[str, int], _Track] = {}
        self._now: int | None = None  # the open bucket

    def observe(self, source: str, template_id: int, template: str, ts: float,
                example: str = "") -> list[PatternEvent]:
        """Count one line; returns the events of any buckets that its timestamp closed."""
        bucket = self._bucket(ts)
        events = self.advance(ts)
        track = self._tracks.get((source, template_id))
        if track is None:
            track = _Track(template, example, bucket)
            self._tracks[(source, template_id)] = track
        track.template = template  # a template only generalises; report its latest form
        if example:
            track.example = example
        track.count += 1  # late lines (ts in a closed bucket) count in the open one
        return events

    def advance(self, ts: float) -> list[PatternEvent]:
        """Move the clock to `ts`, closing every bucket that ended; returns their events."""
        bucket = self._bucket(ts)
        if self._now is None:
            self._now = bucket
        if bucket <= self._now:
            return []
        events: list[PatternEvent] = []
        for (source, template_id), track in self._tracks.items():
            event = self._close(track, bucket)
            if event is not None:
                events.append(self._event(source, template_id, track, *event))
        self._now = bucket
        return events

    def _close(self, track: _Track, now: int) -> tuple[EventKind, float, float, int] | None:
        """Judge the track's open bucket and any empty ones up to `now`; reset it to bucket `now`."""
        judged_bucket, count = track.bucket, track.count
        first = track.history == 0
        baseline = track.baseline
        track.baseline = count if first else (1 - self.config.alpha) * baseline + self.config.alpha * count
        # Empty buckets between the judged one and now pull the baseline towards zero.
        gap = now - judged_bucket - 1
        if gap > 0:
            track.baseline *= (1 - self.config.alpha) ** gap
        track.history += 1 + max(gap, 0)
        track.bucket, track.count = now, 0
        if first:
            return ("new", count, 0.0, judged_bucket) if count else None
        if track.history - 1 < self.config.min_history:
            return None
        changed = self._is_change(count, baseline)
        report = changed and not track.changed
        track.changed = changed
        return ("rate_change", count, baseline, judged_bucket) if report else None

    def _is_change(self, count: float, baseline: float) -> bool:
        per_min = 60.0 / self.config.bucket_seconds
        if abs(count - baseline) * per_min < self.config.min_delta_per_min:
            return False
        factor = self.config.factor
        return count > factor * baseline or count * factor < baseline

    def _event(self, source: str, template_id: int, track: _Track, kind: EventKind, count: float,
               baseline: float, judged_bucket: int) -> PatternEvent:
        per_min = 60.0 / self.config.bucket_seconds
        end = (judged_bucket + 1) * self.config.bucket_seconds
        return PatternEvent(source, template_id, track.template, kind, count * per_min, baseline * per_min,
                            track.example, end)

    def _bucket(self, ts: float) -> int:
        return math.floor(ts / self.config.bucket_seconds)
