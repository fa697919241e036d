"""Validation of an SLA policy's business hours and time zone (the document's rules, not the timer maths)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
Minutes = tuple[int, int]  # [start, end) in minutes after local midnight; end > 1440 spills overnight
Week = tuple[tuple[Minutes, ...], ...]  # Monday first


class HoursError(ValueError):
    """A rejected part of the hours or time zone; `where` names the field (e.g. "hours.mon")."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(f"{where}: {message}")
        self.message, self.where = message, where


def parse_range(text: str, where: str) -> Minutes:
    """ "08:00-18:00" → (480, 1080); "22:00-06:00" → (1320, 1800): an end past 1440 spills overnight."""
    m = _RANGE.match(text)
    if not m:
        raise HoursError(f"{text!r} is not a time range like 08:00-17:30", where)
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise HoursError(f"{text!r} has an impossible time of day", where)
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise HoursError(f"{text!r} is empty; use 00:00-24:00 for a whole day", where)
    return (start, end) if end > start else (start, end + 1440)


def parse_week(hours: Mapping[str, Iterable[str]]) -> Week:
    """{"mon": ["08:00-18:00"], …} → ranges per weekday; missing days are closed; no overlaps allowed."""
    unknown = sorted(set(hours) - set(DAYS))
    if unknown:
        raise HoursError(f"unknown day {unknown[0]!r}; use {', '.join(DAYS)}", "hours")
    week = tuple(tuple(sorted(parse_range(r, f"hours.{d}") for r in hours.get(d, ()))) for d in DAYS)
    if not any(week):
        raise HoursError("business hours have no open time at all", "hours")
    _check_no_overlap(week)
    return week


def _check_no_overlap(week: Week) -> None:
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
            raise HoursError(f"business hours of {d1} and {d2} overlap", f"hours.{d2}")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HoursError(f"unknown time zone {name!r}; use an IANA name like Europe/Berlin", "timezone") from exc
