"""SLA timer arithmetic: business seconds between two instants, and the instant a budget runs out.

Pure functions over a `Calendar` (weekly hours in a time zone, holidays). Business hours are wall-clock
ranges, so a range on a daylight-saving day is as long as the clock really runs (01:00-03:00 lasts one
hour on the spring-forward night and three on the fall-back one). An overnight range ("22:00-06:00")
belongs to the day it starts on and spills into the next; a holiday removes the business time whose
local date is the holiday, including the spilled-over morning part of an overnight range.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from forewarn.core.errors import ValidationFailed
from forewarn.inventory import HoursError, Minutes, parse_week, sla_zone

MAX_DAYS = 3700  # ~10 years: a budget that does not run out by then means a calendar without hours


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
        try:
            week, tz = parse_week(hours), sla_zone(timezone)
        except HoursError as exc:
            raise ValidationFailed(exc.message, where=exc.where) from exc
        days = frozenset(h if isinstance(h, date) else _parse_date(h) for h in holidays)
        return cls(tz=tz, week=week, holidays=days)

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

    def day_total(self, day: date, spans: tuple[tuple[float, float], ...]) -> float:
        """Business seconds of one local day's intervals (a hook: a memoising calendar keeps them)."""
        return sum(b - a for a, b in spans)


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
    """The instant when `seconds` of business time have passed since `start`.

    A whole day that begins after `start` and does not use the budget up is taken by its total: a P4
    resolution target walks weeks of days, and a memoising calendar answers those totals from a table.
    """
    if seconds <= 0:
        return start
    if cal.always:
        return start + seconds
    left = seconds
    first = cal.local_date(start) - timedelta(days=1)
    day = first
    while (day - first).days < MAX_DAYS:
        spans = tuple(cal.intervals(day, day))
        if spans and min(a for a, _ in spans) >= start:
            total = cal.day_total(day, spans)
            if total < left:
                left -= total
                day += timedelta(days=1)
                continue
        for a, b in spans:
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
