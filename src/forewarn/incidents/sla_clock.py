"""SLA timer arithmetic: business seconds between two instants, and the instant a budget runs out.

Pure functions over a `Calendar` (weekly hours in a time zone, holidays). Business hours are wall-clock
ranges, so a range on a daylight-saving day is as long as the clock really runs (01:00-03:00 lasts one
hour on the spring-forward night and three on the fall-back one). An overnight range ("22:00-06:00")
belongs to the day it starts on and spills into the next; a holiday removes the business time whose
local date is the holiday, including the spilled-over morning part of an overnight range.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forewarn.core.errors import ValidationFailed

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 3700  # ~10 years: a budget that does not run out by then means a calendar without hours
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
Minutes = tuple[int, int]  # [start, end) in minutes after local midnight, end ≤ 1440


def parse_range(text: str, where: str) -> Minutes:
    """ "08:00-18:00" → (480, 1080); "22:00-06:00" → (1320, 1800): an end past 1440 spills overnight."""
    m = _RANGE.match(text)
    if not m:
        raise ValidationFailed(f"{text!r} is not a time range like 08:00-17:30", where=where)
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise ValidationFailed(f"{text!r} has an impossible time of day", where=where)
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise ValidationFailed(f"{text!r} is empty; use 00:00-24:00 for a whole day", where=where)
    return (start, end) if end > start else (start, end + 1440)


def zone(name: str, where: str = "timezone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(f"unknown time zone {name!r}; use an IANA name like Europe/Berlin",
                               where=where) from exc


@dataclass(frozen=True)
class Calendar:
    """When an SLA clock runs. `always` means around the clock (holidays then do not apply)."""

    tz: ZoneInfo
    week: tuple[tuple[Minutes, ...], ...] = ((),) * 7  # Monday first; ranges may end after 1440
    holidays: frozenset[date] = frozenset()
    always: bool = False

    @classmethod
    def around_the_clock(cls) -> Calendar:
        return cls(tz=ZoneInfo("UTC"), always=True)

    @classmethod
    def from_spec(cls, timezone: str, hours: Mapping[str, Iterable[str]],
                  holidays: Iterable[date | str] = ()) -> Calendar:
        """Build from the policy document's shape: {"mon": ["08:00-18:00"], …}; missing days are closed."""
        unknown = set(hours) - set(DAYS)
        if unknown:
            raise ValidationFailed(f"unknown day {sorted(unknown)[0]!r}; use {', '.join(DAYS)}", where="hours")
        week = tuple(tuple(sorted(parse_range(r, f"hours.{d}") for r in hours.get(d, ()))) for d in DAYS)
        if not any(week):
            raise ValidationFailed("business hours have no open time at all", where="hours")
        _check_no_overlap(week)
        days = frozenset(h if isinstance(h, date) else _parse_date(h) for h in holidays)
        return cls(tz=zone(timezone), week=week, holidays=days)

    def intervals(self, first: date, last: date) -> Iterator[tuple[float, float]]:
        """Business intervals (epoch seconds) of ranges starting on local days first..last, in order.

        Overnight parts are cut at local midnight so a holiday can take the part on its own date.
        """
        day = first
        while day <= last:
            for start, end in self.week[day.weekday()]:
                for piece_day, s, e in ((day, start, min(end, 1440)), (day + timedelta(days=1), 0, end - 1440)):
                    if e > s and piece_day not in self.holidays:
                        yield self._at(piece_day, s), self._at(piece_day, e)
            day += timedelta(days=1)

    def _at(self, day: date, minute: int) -> float:
        if minute >= 1440:
            day, minute = day + timedelta(days=1), minute - 1440
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz).timestamp()

    def local_date(self, ts: float) -> date:
        return datetime.fromtimestamp(ts, tz=self.tz).date()


def _check_no_overlap(week: tuple[tuple[Minutes, ...], ...]) -> None:
    """Overlapping ranges would count the same minute twice; Sunday night spills into Monday."""
    spans: list[tuple[int, int, str]] = []
    for i, ranges in enumerate(week):
        for s, e in ranges:
            a, b = i * 1440 + s, i * 1440 + e
            spans.append((a, min(b, 10080), DAYS[i]))
            if b > 10080:
                spans.append((0, b - 10080, DAYS[i]))
    spans.sort()
    for (_, b1, d1), (a2, _, d2) in zip(spans, spans[1:], strict=False):
        if a2 < b1:
            raise ValidationFailed(f"business hours of {d1} and {d2} overlap", where=f"hours.{d2}")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError as exc:
        raise ValidationFailed(f"{text!r} is not a date like 2026-12-25", where="holidays") from exc


def business_seconds(cal: Calendar, start: float, end: float) -> float:
    """Seconds of business time in [start, end); 0 when end ≤ start."""
    if end <= start:
        return 0.0
    if cal.always:
        return end - start
    total = 0.0
    # Start one day early: an overnight range that began yesterday may still be running.
    for a, b in cal.intervals(cal.local_date(start) - timedelta(days=1), cal.local_date(end)):
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            total += hi - lo
    return total


def add_business_seconds(cal: Calendar, start: float, seconds: float) -> float:
    """The instant when `seconds` of business time have passed since `start`."""
    if seconds <= 0:
        return start
    if cal.always:
        return start + seconds
    left = seconds
    first = cal.local_date(start) - timedelta(days=1)
    day = first
    while (day - first).days < MAX_DAYS:
        for a, b in cal.intervals(day, day):
            lo = max(a, start)
            if b <= lo:
                continue
            if b - lo >= left:
                return lo + left
            left -= b - lo
        day += timedelta(days=1)
    raise ValidationFailed("the business calendar has no open time within ten years", where="hours")


def in_business_hours(cal: Calendar, ts: float) -> bool:
    """Whether the clock runs at `ts` (for showing a timer as paused)."""
    return business_seconds(cal, ts, ts + 1.0) > 0.0
