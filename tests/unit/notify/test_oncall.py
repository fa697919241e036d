"""who_is_on_call with a frozen instant: rotations, handoffs across DST in Europe/Berlin, overlapping overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forewarn.core.errors import ValidationFailed
from forewarn.notify.oncall import Override, Rota, parse_handoff, rotation_slot, shifts, who_is_on_call, zone

H = 3600.0


def utc(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


def rota(members=("alice", "bob", "carol"), rotation="daily", handoff="09:00", tz="Europe/Berlin",
         start=date(2024, 3, 25), hours=24, overrides=()) -> Rota:
    return Rota(tuple(members), rotation, parse_handoff(handoff), tz, start, hours, tuple(overrides))


def test_daily_rotation_hands_over_at_local_nine_and_cycles_members():
    r = rota()
    # 2024-03-25 09:00 CET is 08:00 UTC: alice first, then bob the next day, carol, alice again.
    assert who_is_on_call(r, utc(2024, 3, 25, 7, 59)).user is None
    assert who_is_on_call(r, utc(2024, 3, 25, 8, 0)).user == "alice"
    assert who_is_on_call(r, utc(2024, 3, 26, 7, 59)).user == "alice"
    assert who_is_on_call(r, utc(2024, 3, 26, 8, 0)).user == "bob"
    assert who_is_on_call(r, utc(2024, 3, 27, 12, 0)).user == "carol"
    assert who_is_on_call(r, utc(2024, 3, 28, 12, 0)).user == "alice"


def test_daily_handoff_stays_at_local_nine_across_spring_forward():
    r = rota()
    # 2024-03-31 is the change to CEST: the handoff that day is 09:00 CEST = 07:00 UTC, not 08:00 UTC.
    before = who_is_on_call(r, utc(2024, 3, 31, 6, 59))
    after = who_is_on_call(r, utc(2024, 3, 31, 7, 0))
    assert (before.user, after.user) == ("carol", "alice")  # shifts 5 and 6 since 03-25
    assert before.until == utc(2024, 3, 31, 7, 0)
    n, begin, end = rotation_slot(r, utc(2024, 3, 31, 6, 0))
    assert end - begin == 23 * H  # the shift across the change is one hour short


def test_daily_handoff_in_the_autumn_fold_happens_once_at_the_first_occurrence():
    r = rota(handoff="02:30", start=date(2024, 10, 20))
    # 2024-10-27 02:30 happens twice in Berlin: 00:30 UTC (CEST) and 01:30 UTC (CET). Hand over at the first.
    assert who_is_on_call(r, utc(2024, 10, 27, 0, 29)).user == "alice"  # shift 6 since 10-20
    assert who_is_on_call(r, utc(2024, 10, 27, 0, 30)).user == "bob"
    assert who_is_on_call(r, utc(2024, 10, 27, 1, 15)).user == "bob"  # 02:15 again by the clock: no flip back
    n, begin, end = rotation_slot(r, utc(2024, 10, 27, 12, 0))
    assert (begin, end - begin) == (utc(2024, 10, 27, 0, 30), 25 * H)  # the next handoff is 02:30 CET


def test_a_handoff_inside_the_spring_gap_happens_an_hour_later_by_the_clock():
    r = rota(handoff="02:30", start=date(2024, 3, 25))
    # 02:30 does not exist on 2024-03-31; the handoff happens at 02:30 with the old offset = 01:30 UTC.
    assert who_is_on_call(r, utc(2024, 3, 31, 1, 29)).until == utc(2024, 3, 31, 1, 30)
    assert who_is_on_call(r, utc(2024, 3, 31, 1, 29)).user != who_is_on_call(r, utc(2024, 3, 31, 1, 30)).user


def test_hour_shifts_keep_their_length_across_dst():
    r = rota(("day", "night"), rotation="hours", hours=12, handoff="20:00", start=date(2024, 3, 30))
    # First shift starts 2024-03-30 20:00 CET = 19:00 UTC; twelve hours later is 07:00 UTC = 09:00 CEST.
    assert who_is_on_call(r, utc(2024, 3, 30, 19, 0)).user == "day"
    assert who_is_on_call(r, utc(2024, 3, 31, 6, 59)).user == "day"
    assert who_is_on_call(r, utc(2024, 3, 31, 7, 0)).user == "night"
    assert who_is_on_call(r, utc(2024, 3, 31, 7, 0)).until == utc(2024, 3, 31, 19, 0)


def test_weekly_rotation_changes_on_the_start_weekday():
    r = rota(("alice", "bob"), rotation="weekly", handoff="08:00", start=date(2024, 1, 1))  # a Monday
    assert who_is_on_call(r, utc(2024, 1, 7, 12, 0)).user == "alice"
    assert who_is_on_call(r, utc(2024, 1, 8, 6, 59)).user == "alice"
    assert who_is_on_call(r, utc(2024, 1, 8, 7, 0)).user == "bob"
    assert who_is_on_call(r, utc(2024, 1, 15, 7, 0)).user == "alice"


def test_overlapping_overrides_the_latest_created_wins():
    first = Override("dave", utc(2024, 3, 26, 0, 0), utc(2024, 3, 27, 0, 0), created_at=100.0, id="o1")
    second = Override("erin", utc(2024, 3, 26, 12, 0), utc(2024, 3, 26, 18, 0), created_at=200.0, id="o2")
    r = rota(overrides=(second, first))
    early = who_is_on_call(r, utc(2024, 3, 26, 10, 0))
    assert (early.user, early.source, early.until) == ("dave", "override", utc(2024, 3, 26, 12, 0))
    assert who_is_on_call(r, utc(2024, 3, 26, 12, 0)).user == "erin"
    assert who_is_on_call(r, utc(2024, 3, 26, 18, 0)).user == "dave"
    assert who_is_on_call(r, utc(2024, 3, 27, 0, 0)).user == "bob"  # override over: the rotation again
    # Creation order decides, not length: a whole-day override created last beats the short one inside it.
    newest = Override("frank", utc(2024, 3, 26, 0, 0), utc(2024, 3, 27, 0, 0), created_at=300.0, id="o0")
    assert who_is_on_call(rota(overrides=(first, newest, second)), utc(2024, 3, 26, 13, 0)).user == "frank"


def test_nobody_on_call_says_why():
    empty = who_is_on_call(rota(members=()), utc(2024, 3, 26, 10, 0))
    assert (empty.user, empty.reason) == (None, "the rota has no members")
    early = who_is_on_call(rota(), utc(2024, 3, 1, 10, 0))
    assert early.user is None and "starts at 2024-03-25 09:00 CET" in early.reason
    covered = who_is_on_call(rota(members=(), overrides=(Override("z", 0.0, 2e9, 1.0),)), utc(2024, 3, 26))
    assert covered.user == "z"  # an override staffs even an empty rota


def test_bad_time_zone_and_handoff_name_the_field():
    with pytest.raises(ValidationFailed) as err:
        zone("Mars/Olympus")
    assert err.value.where == "timezone"
    with pytest.raises(ValidationFailed) as err:
        parse_handoff("9am")
    assert err.value.where == "handoff"


def test_shifts_lists_the_upcoming_rotation():
    got = shifts(rota(), utc(2024, 3, 25, 12, 0), 3)
    assert [u for _, _, u in got] == ["alice", "bob", "carol"]
    assert got[0][1] == got[1][0] and got[1][1] == got[2][0]


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=utc(2024, 1, 1), max_value=utc(2026, 1, 1)),
       st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]),
       st.sampled_from(["00:00", "02:30", "09:00", "23:59"]))
def test_every_instant_falls_in_exactly_one_daily_shift_of_23_to_25_hours(at, tz, handoff):
    r = rota(tz=tz, handoff=handoff, start=date(2023, 12, 1))
    n, begin, end = rotation_slot(r, at)
    assert begin <= at < end
    assert 23 * H <= end - begin <= 25 * H
    assert rotation_slot(r, end)[0] == n + 1
    assert who_is_on_call(r, at).user == r.members[n % 3]
