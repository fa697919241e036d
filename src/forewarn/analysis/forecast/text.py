"""One-line human wording of a forecast, e.g. "/var on srv-db1 full in ~3.2 days (2.5–4.1)"."""

from __future__ import annotations

from forewarn.analysis.forecast.types import DAY, HOUR, Forecast


def forecast_text(forecast: Forecast, label: str, *, verb: str = "reaches its limit") -> str:
    """Say when `label` crosses its limit; `verb` reads after the label ("full", "expires").

    A series that resets regularly also says so: "...; resets every ~24 h; next expected in ~2 h".
    """
    text = _crossing_text(forecast, label, verb)
    if forecast.resets is None or forecast.crossing_ts is not None and forecast.crossing_ts <= forecast.now:
        return text
    return f"{text}; {forecast.resets.describe(forecast.now)}"


def _crossing_text(forecast: Forecast, label: str, verb: str) -> str:
    if forecast.method == "not-applicable":
        return f"{label}: no forecast (a counter has no limit to reach)"
    if forecast.crossing_ts is None:
        if forecast.method == "insufficient-data":
            return f"{label}: not enough data to forecast yet"
        if forecast.resets is not None:
            return f"{label}: no crossing of {forecast.limit:g} predicted before its next reset"
        days = (forecast.horizon_end - forecast.now) / DAY
        return f"{label}: no crossing of {forecast.limit:g} predicted within {days:.0f} days"
    if forecast.crossing_ts <= forecast.now:
        ago = forecast.now - forecast.crossing_ts
        return f"{label} {verb}: already past {forecast.limit:g} since {_amount(ago, _unit(ago))} ago"
    ahead = forecast.crossing_ts - forecast.now
    unit = _unit(ahead)
    lo = _bound(forecast.lower_ts, forecast, unit)
    hi = _bound(forecast.upper_ts, forecast, unit)
    return f"{label} {verb} in ~{_amount(ahead, unit)} ({lo}–{hi})"


def _unit(seconds: float) -> str:
    """Hours below two days, where "0.8 days" reads worse than "19 hours"; days above."""
    return "hours" if seconds < 2 * DAY else "days"


def _amount(seconds: float, unit: str) -> str:
    size = HOUR if unit == "hours" else DAY
    return f"{seconds / size:.1f} {unit}"


def _bound(ts: float | None, forecast: Forecast, unit: str) -> str:
    """An interval end as a bare number in the crossing's unit; past the horizon it is open."""
    size = HOUR if unit == "hours" else DAY
    if ts is None:
        return f">{(forecast.horizon_end - forecast.now) / size:.0f}"
    return f"{max(0.0, ts - forecast.now) / size:.1f}"
