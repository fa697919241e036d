"""SLA due instants for many incidents at once: the memoising calendar gives exactly the plain calendar's
instants, and the day-skipping walk spends exactly the budget (checked against business_seconds)."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.incidents.sla import _DayMemo
from forewarn.incidents.sla_clock import Calendar, add_business_seconds, business_seconds

OFFICE = {d: ["08:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
ODD = {"mon": ["22:00-06:00", "08:00-12:00"], "sat": ["10:00-11:30"], "thu": ["00:00-24:00"]}
HOLIDAYS = ["2026-12-25", "2027-01-01", "2027-03-29"]


@pytest.mark.parametrize("hours", [OFFICE, ODD], ids=["office", "overnight"])
@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Kathmandu", "America/St_Johns"])
def test_day_skipping_walk_equals_the_reference_bit_for_bit(zone, hours):
    memo, plain = _DayMemo.from_spec(zone, hours, HOLIDAYS), Calendar.from_spec(zone, hours, HOLIDAYS)
    rng = np.random.default_rng(3)
    starts = 1_767_225_600.0 + rng.uniform(0, 86400 * 400, 600)  # across both daylight-saving changes
    starts[::3] = np.floor(starts[::3])
    budgets = rng.choice([900.0, 3600.0, 14400.0, 86400.0, 432000.0], 600) * rng.choice([1.0, 0.8], 600)
    got = [add_business_seconds(memo, float(s), float(b)) for s, b in zip(starts, budgets, strict=True)]
    want = [add_business_seconds(plain, float(s), float(b)) for s, b in zip(starts, budgets, strict=True)]
    assert got == want
    assert len(memo.totals) > 10  # whole days were skipped, not walked
    spent = [business_seconds(plain, float(s), due) for s, due in zip(starts, want, strict=True)]
    assert spent == pytest.approx(list(budgets), abs=1e-3)
