"""Raise/withdraw events from successive forecasts, and the one-line wording of a forecast."""

from __future__ import annotations

import numpy as np
import pytest

from forewarn.analysis.forecast import Forecast, ForecastWatcher, forecast_crossing, forecast_text

DAY = 86_400.0
HOUR = 3_600.0
T0 = 1_700_000_000.0


def make_forecast(
    now: float,
    ahead_days: float | None,
    lo: float | None = None,
    hi: float | None = None,
    method: str = "linear",
) -> Forecast:
    def at(days: float | None) -> float | None:
        return None if days is None else now + days * DAY

    return Forecast(
        crossing_ts=at(ahead_days),
        lower_ts=at(lo if lo is not None else ahead_days),
        upper_ts=at(hi) if hi is not None or ahead_days is None else at(ahead_days),
        rate_per_day=2.0,
        method=method,
        fit_window=(now - 7 * DAY, now),
        projection=(),
        limit=95.0,
        direction="above",
        now=now,
        level=0.8,
        horizon_end=now + 30 * DAY,
    )


def feed(watcher: ForecastWatcher, key: str, aheads: list[float | None]) -> list[tuple[int, str]]:
    events = []
    for i, ahead in enumerate(aheads):
        event = watcher.update(key, make_forecast(T0 + i * HOUR, ahead), label="/var on srv-db1")
        if event is not None:
            events.append((i, event.kind))
    return events


def test_raises_once_and_withdraws_once_with_hysteresis() -> None:
    watcher = ForecastWatcher(horizon_s=3 * DAY, withdraw_factor=1.5)
    # Enters the horizon, hovers around it (3.4 d is inside the 4.5 d withdraw line), then recedes.
    aheads: list[float | None] = [6.0, 4.0, 2.9, 3.4, 2.8, 3.3, 4.2, 2.9, 5.0, 6.0, None]
    assert feed(watcher, "srv-db1:/var", aheads) == [(2, "raise"), (8, "withdraw")]
    assert not watcher.is_raised("srv-db1:/var")


def test_vanishing_prediction_withdraws_and_keys_are_independent() -> None:
    watcher = ForecastWatcher(horizon_s=3 * DAY)
    assert feed(watcher, "a", [2.0, None]) == [(0, "raise"), (1, "withdraw")]
    assert feed(watcher, "b", [10.0, 1.0]) == [(1, "raise")]
    assert watcher.is_raised("b") and not watcher.is_raised("a")
    watcher.forget("b")
    assert not watcher.is_raised("b")


def test_confirm_needs_consecutive_forecasts() -> None:
    watcher = ForecastWatcher(horizon_s=3 * DAY, confirm=2)
    assert feed(watcher, "k", [2.0, 5.0, 2.0, 2.5, 2.0, 9.0, 2.0, 9.0, 9.0]) == [
        (3, "raise"),
        (8, "withdraw"),
    ]


def test_event_carries_key_forecast_text_and_time() -> None:
    watcher = ForecastWatcher(horizon_s=3 * DAY, verb="full")
    f = make_forecast(T0, 3.2, lo=2.5, hi=4.1)
    assert watcher.update("k", f, label="/var on srv-db1") is None  # 3.2 d is outside 3 d
    f2 = make_forecast(T0 + HOUR, 2.9, lo=2.5, hi=3.6)
    event = watcher.update("k", f2, label="/var on srv-db1")
    assert event is not None
    assert (event.key, event.kind, event.forecast, event.ts) == ("k", "raise", f2, T0 + HOUR)
    assert event.text == "/var on srv-db1 full in ~2.9 days (2.5–3.6)"


def test_already_crossed_raises() -> None:
    watcher = ForecastWatcher(horizon_s=DAY)
    event = watcher.update("k", make_forecast(T0, -0.5, method="already-crossed"))
    assert event is not None and event.kind == "raise"


def test_watcher_refuses_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="withdraw_factor"):
        ForecastWatcher(horizon_s=DAY, withdraw_factor=0.5)


def test_watcher_over_a_real_forecast_stream_raises_once() -> None:
    """A disk filling at 4 %/day, forecast every 2 h: one raise about 3 days before it is full."""
    rng = np.random.default_rng(7)
    ts = T0 + np.arange(0.0, 12 * DAY, 300.0)
    values = 50.0 + 4.0 * (ts - T0) / DAY + rng.normal(0.0, 0.4, ts.size)  # full at 11.25 days
    watcher = ForecastWatcher(horizon_s=3 * DAY)
    events = []
    for now in np.arange(T0 + 2 * DAY, T0 + 11 * DAY, 2 * HOUR):
        upto = ts <= now
        event = watcher.update("disk", forecast_crossing(ts[upto], values[upto], 95.0, "above", float(now)))
        if event is not None:
            events.append(event)
    assert [e.kind for e in events] == ["raise"]
    assert (T0 + 11.25 * DAY - events[0].ts) / DAY == pytest.approx(3.0, abs=0.2)


def test_text_in_days_hours_and_edge_cases() -> None:
    assert forecast_text(make_forecast(T0, 3.2, lo=2.5, hi=4.1), "/var on srv-db1", verb="full") == (
        "/var on srv-db1 full in ~3.2 days (2.5–4.1)"
    )
    assert forecast_text(make_forecast(T0, 0.5, lo=0.25, hi=0.75), "queue on mq1", verb="overflows") == (
        "queue on mq1 overflows in ~12.0 hours (6.0–18.0)"
    )
    open_ended = make_forecast(T0, 20.0, lo=12.0)
    open_ended = Forecast(**{**{f: getattr(open_ended, f) for f in Forecast.__slots__}, "upper_ts": None})
    assert forecast_text(open_ended, "seats") == "seats reaches its limit in ~20.0 days (12.0–>30)"
    assert (
        forecast_text(make_forecast(T0, None), "/srv") == "/srv: no crossing of 95 predicted within 30 days"
    )
    crossed = make_forecast(T0, -0.25, method="already-crossed")
    assert forecast_text(crossed, "/srv", verb="full") == "/srv full: already past 95 since 6.0 hours ago"
    na = make_forecast(T0, None, method="not-applicable")
    assert "counter" in forecast_text(na, "bytes_total")
