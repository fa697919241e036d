"""SLA timer arithmetic: business hours, weekends, holidays, overnight ranges and daylight-saving days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forewarn.core.errors import ValidationFailed
from forewarn.incidents.sla_clock import Calendar, add_business_seconds, business_seconds, in_business_hours

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
H = 3600.0


def at(*args: int, tz: ZoneInfo = BERLIN) -> float:
    return datetime(*args, tzinfo=tz).timestamp()


def office(holidays: tuple[str, ...] = ()) -> Calendar:
    return Calendar.from_spec("Europe/Berlin", OFFICE, holidays)


def test_around_the_clock_counts_wall_time():
    cal = Calendar.around_the_clock()
    assert business_seconds(cal, 100.0, 400.0) == 300.0
    assert add_business_seconds(cal, 100.0, 60.0) == 160.0
    assert business_seconds(cal, 400.0, 100.0) == 0.0


def test_friday_afternoon_budget_runs_on_monday():
    cal = office()  # 2026-01-09 is a Friday
    due = add_business_seconds(cal, at(2026, 1, 9, 16, 0), 2 * H)
    assert due == at(2026, 1, 12, 10, 0)
    assert business_seconds(cal, at(2026, 1, 9, 16, 0), due) == 2 * H
    assert business_seconds(cal, at(2026, 1, 10, 0, 0), at(2026, 1, 12, 0, 0)) == 0.0  # weekend


def test_before_opening_the_clock_waits():
    cal = office()
    assert add_business_seconds(cal, at(2026, 1, 12, 7, 0), 1800) == at(2026, 1, 12, 9, 30)
    assert business_seconds(cal, at(2026, 1, 12, 7, 0), at(2026, 1, 12, 9, 30)) == 1800


def test_holiday_is_skipped():
    cal = office(("2026-01-09",))  # that Friday off
    assert add_business_seconds(cal, at(2026, 1, 8, 16, 30), H) == at(2026, 1, 12, 9, 30)
    assert business_seconds(cal, at(2026, 1, 8, 0, 0), at(2026, 1, 13, 0, 0)) == 16 * H


def test_a_whole_week_counts_five_days():
    assert business_seconds(office(), at(2026, 1, 12), at(2026, 1, 19)) == 40 * H


def test_overnight_range_spills_into_next_day():
    cal = Calendar.from_spec("Europe/Berlin", {"mon": ["22:00-06:00"]})
    assert add_business_seconds(cal, at(2026, 1, 12, 23, 0), 3 * H) == at(2026, 1, 13, 2, 0)
    assert business_seconds(cal, at(2026, 1, 12, 12, 0), at(2026, 1, 13, 12, 0)) == 8 * H
    # Started before the window: counting from inside yesterday's overnight part.
    assert business_seconds(cal, at(2026, 1, 13, 5, 0), at(2026, 1, 13, 7, 0)) == H


def test_holiday_takes_the_overnight_part_on_its_date():
    cal = Calendar.from_spec("Europe/Berlin", {"mon": ["22:00-06:00"]}, ["2026-01-13"])
    # Only Monday 23:00-24:00 counts this week; the rest runs the next Monday night.
    assert add_business_seconds(cal, at(2026, 1, 12, 23, 0), 3 * H) == at(2026, 1, 20, 0, 0)


def test_sunday_night_spills_into_monday():
    cal = Calendar.from_spec("UTC", {"sun": ["20:00-04:00"]})
    assert business_seconds(cal, at(2026, 1, 11, 0, 0, tz=ZoneInfo("UTC")),
                            at(2026, 1, 12, 12, 0, tz=ZoneInfo("UTC"))) == 8 * H


def test_spring_forward_day_is_23_hours():
    cal = Calendar.from_spec("Europe/Berlin", {d: ["00:00-24:00"] for d in ("sat", "sun", "mon")})
    assert business_seconds(cal, at(2026, 3, 29), at(2026, 3, 30)) == 23 * H
    night = Calendar.from_spec("Europe/Berlin", {"sun": ["01:00-04:00"]})
    assert business_seconds(night, at(2026, 3, 28), at(2026, 3, 30)) == 2 * H
    # 30 business minutes from 01:45 end at 03:15 summer time, not 02:15 (which does not exist).
    assert add_business_seconds(night, at(2026, 3, 29, 1, 45), 1800) == at(2026, 3, 29, 3, 15)


def test_fall_back_day_is_25_hours():
    cal = Calendar.from_spec("Europe/Berlin", {"sun": ["00:00-24:00"]})
    assert business_seconds(cal, at(2026, 10, 25), at(2026, 10, 26)) == 25 * H
    night = Calendar.from_spec("Europe/Berlin", {"sun": ["01:00-04:00"]})
    assert business_seconds(night, at(2026, 10, 24), at(2026, 10, 26)) == 4 * H


def test_other_time_zone_shifts_the_window():
    ny = Calendar.from_spec("America/New_York", OFFICE)
    start = at(2026, 1, 12, 9, 0, tz=ZoneInfo("America/New_York"))
    assert add_business_seconds(ny, start, 8 * H) == at(2026, 1, 12, 17, 0, tz=ZoneInfo("America/New_York"))
    assert business_seconds(office(), start, start + 8 * H) == 2 * H  # 15:00-17:00 in Berlin


def test_in_business_hours():
    cal = office()
    assert in_business_hours(cal, at(2026, 1, 12, 10, 0))
    assert not in_business_hours(cal, at(2026, 1, 12, 17, 0))
    assert not in_business_hours(cal, at(2026, 1, 10, 10, 0))


@pytest.mark.parametrize(("tz", "hours", "holidays", "where"), [
    ("Mars/Olympus", OFFICE, (), "timezone"),
    ("UTC", {"monday": ["09:00-17:00"]}, (), "hours"),
    ("UTC", {"mon": ["9-17"]}, (), "hours.mon"),
    ("UTC", {"mon": ["09:00-25:00"]}, (), "hours.mon"),
    ("UTC", {"mon": ["09:00-09:00"]}, (), "hours.mon"),
    ("UTC", {"mon": ["09:00-17:00", "16:00-18:00"]}, (), "hours.mon"),
    ("UTC", {"sun": ["22:00-06:00"], "mon": ["05:00-09:00"]}, (), "hours.mon"),
    ("UTC", {}, (), "hours"),
    ("UTC", OFFICE, ("25.12.2026",), "holidays"),
])
def test_bad_calendars_name_the_field(tz, hours, holidays, where):
    with pytest.raises(ValidationFailed) as err:
        Calendar.from_spec(tz, hours, holidays)
    assert err.value.where == where


CALENDARS = [
    office(("2026-03-30",)),
    Calendar.from_spec("America/New_York", {"mon": ["22:00-06:00"], "wed": ["00:00-24:00"], "sat": ["10:00-12:00"]}),
    Calendar.from_spec("Europe/Berlin", {d: ["01:30-03:30"] for d in ("sat", "sun")}, [date(2026, 11, 1)]),
]


@settings(max_examples=100, deadline=None)
@given(cal=st.sampled_from(CALENDARS), start=st.floats(at(2026, 1, 1), at(2026, 12, 1)),
       budget=st.floats(1.0, 200 * H))
def test_due_instant_uses_exactly_the_budget(cal, start, budget):
    due = add_business_seconds(cal, start, budget)
    assert due > start
    assert business_seconds(cal, start, due) == pytest.approx(budget, abs=1e-3)
    # Splitting the span anywhere adds up (no double counting across days).
    mid = (start + due) / 2
    assert business_seconds(cal, start, mid) + business_seconds(cal, mid, due) == pytest.approx(budget, abs=1e-3)
