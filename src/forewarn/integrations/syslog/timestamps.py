"""Syslog timestamps as unix seconds: RFC 3339 (RFC 5424) and BSD `Mmm dd hh:mm:ss` (RFC 3164).

A BSD timestamp has neither year nor zone. The zone is the receiver's (or the one it is told);
the year is the one that puts the message closest to the receiver's clock, so a message stamped
"Dec 31 23:59:59" that arrives at 00:00:01 on 1 January belongs to the year that just ended, and
one from a sender whose clock runs a little ahead over New Year belongs to the next.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})"
)
BSD = re.compile(r"([A-Za-z]{3}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?")
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def rfc3339_seconds(match: re.Match[str]) -> float | None:
    """Unix seconds of an `RFC3339` match; None for an impossible date such as 2024-02-30."""
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    zone = match.group(8)
    offset = timedelta(0)
    if zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    try:
        # A leap second (:60) is kept inside its minute.
        moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=timezone(offset))
    except ValueError:
        return None
    return moment.timestamp() + _fraction(match.group(7))


def bsd_seconds(match: re.Match[str], now: float, tz: tzinfo | None) -> float | None:
    """Unix seconds of a `BSD` match, in `tz` (None: the receiver's local zone), year as explained above."""
    month = MONTHS.get(match.group(1).lower())
    if month is None:
        return None
    day, hour, minute, second = (int(match.group(i)) for i in (2, 4, 5, 6))
    stated_year = int(match.group(3)) if match.group(3) else None
    this_year = datetime.fromtimestamp(now, tz).year
    years = (stated_year,) if stated_year else (this_year - 1, this_year, this_year + 1)
    candidates = []
    for year in years:
        try:
            moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=tz)
        except ValueError:  # Feb 29 outside a leap year, day 32, hour 25, …
            continue
        candidates.append(moment.timestamp())  # a naive datetime is read as local time
    if not candidates:
        return None
    return min(candidates, key=lambda ts: abs(ts - now)) + _fraction(match.group(7))


def _fraction(digits: str | None) -> float:
    return int(digits) / 10 ** len(digits) if digits else 0.0
