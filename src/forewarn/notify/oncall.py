"""On-call rotas as pure rules: who is on call at an instant (rotation, handoff in a time zone, overrides).

A rota hands over at a local wall-clock time (`handoff`) in its time zone, so a daily or weekly rota
keeps its 09:00 handoff across daylight-saving changes: the shift that spans a change is an hour
shorter or longer. An "hours" rota (e.g. 12-hour shifts) runs on absolute time from its first
handoff instead, because a shift of N hours must stay N hours long. A handoff that falls in a
spring-forward gap happens when the clock reads that time with the pre-change offset (02:30 → 03:30);
in an autumn fold it happens at the first occurrence. Overrides (someone covers a time range) win
over the rotation; when overrides overlap, the one created last wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forewarn.core.errors import ValidationFailed

ROTATIONS = ("daily", "weekly", "hours")


@dataclass(frozen=True, slots=True)
class Override:
    """`user` covers [starts_at, ends_at); `created_at` (then `id`) decides between overlapping overrides."""

    user: str
    starts_at: float
    ends_at: float
    created_at: float
    id: str = ""


@dataclass(frozen=True, slots=True)
class Rota:
    members: tuple[str, ...]
    rotation: str  # daily | weekly | hours
    handoff: time
    timezone: str
    start: date  # members[0] takes the first shift at `handoff` on this local date
    hours: int = 24  # shift length when rotation == "hours"
    overrides: tuple[Override, ...] = field(default=())

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)


@dataclass(frozen=True, slots=True)
class OnCall:
    """Who is on call at an instant, why, and until when (None: nobody — `reason` says why)."""

    user: str | None
    source: str  # "override" | "rotation" | "none"
    until: float | None
    reason: str = ""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin",
                               where="timezone") from None


def parse_handoff(text: str) -> time:
    try:
        hh, mm = text.split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise ValidationFailed(f"handoff must be HH:MM (24-hour), got {text!r}", where="handoff") from None


def handoff_at(rota: Rota, day: date) -> float:
    """The instant of the handoff on a local date (fold=0: first occurrence; a gap moves it forward)."""
    return datetime.combine(day, rota.handoff, tzinfo=rota.zone).timestamp()


def _shift_day(rota: Rota, at: float) -> date:
    """The local date whose handoff began the daily shift running at `at`."""
    local = datetime.fromtimestamp(at, rota.zone).date()
    return local if at >= handoff_at(rota, local) else local - timedelta(days=1)


def rotation_slot(rota: Rota, at: float) -> tuple[int, float, float] | None:
    """(shift number since the start, shift start, shift end) at `at`, or None before the rota starts."""
    first = handoff_at(rota, rota.start)
    if at < first:
        return None
    if rota.rotation == "hours":
        length = rota.hours * 3600.0
        n = math.floor((at - first) / length)
        return n, first + n * length, first + (n + 1) * length
    days = 1 if rota.rotation == "daily" else 7
    n = (_shift_day(rota, at) - rota.start).days // days
    begin = rota.start + timedelta(days=n * days)
    return n, handoff_at(rota, begin), handoff_at(rota, begin + timedelta(days=days))


def active_override(rota: Rota, at: float) -> Override | None:
    """The override covering `at`; among overlapping ones the latest created (then highest id) wins."""
    covering = [o for o in rota.overrides if o.starts_at <= at < o.ends_at]
    return max(covering, key=lambda o: (o.created_at, o.id)) if covering else None


def who_is_on_call(rota: Rota, at: float) -> OnCall:
    """Who answers pages for this rota at instant `at` (epoch seconds, UTC)."""
    override = active_override(rota, at)
    slot = rotation_slot(rota, at)
    if override is not None:
        # Until the earliest of: this override ends, or a later-created override starts covering.
        later = [o.starts_at for o in rota.overrides
                 if (o.created_at, o.id) > (override.created_at, override.id) and at < o.starts_at < override.ends_at]
        return OnCall(override.user, "override", min([override.ends_at, *later]))
    if not rota.members:
        return OnCall(None, "none", None, "the rota has no members")
    if slot is None:
        start = datetime.fromtimestamp(handoff_at(rota, rota.start), rota.zone).strftime("%Y-%m-%d %H:%M %Z")
        return OnCall(None, "none", handoff_at(rota, rota.start), f"the rota starts at {start}")
    n, _, end = slot
    upcoming = [o.starts_at for o in rota.overrides if at < o.starts_at < end]
    return OnCall(rota.members[n % len(rota.members)], "rotation", min([end, *upcoming]))


def shifts(rota: Rota, start: float, count: int) -> list[tuple[float, float, str]]:
    """The next `count` rotation shifts from `start` as (begin, end, user), overrides not applied."""
    out: list[tuple[float, float, str]] = []
    at = max(start, handoff_at(rota, rota.start))
    while rota.members and len(out) < count:
        slot = rotation_slot(rota, at)
        if slot is None:
            break
        n, begin, end = slot
        out.append((begin, end, rota.members[n % len(rota.members)]))
        at = end
    return out
