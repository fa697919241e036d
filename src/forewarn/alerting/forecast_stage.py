"""The forecast stage: series with a limit get a time-to-crossing forecast; a near crossing fires a signal."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from forewarn.analysis.forecast import Forecast, ForecastWatcher, forecast_crossing, forecast_text
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.monitoring import SeriesInfo, SeriesLimit, SeriesStore

DAY = 86_400.0
HORIZON = 3 * DAY  # warn when the crossing is predicted within three days
LOOKBACK = 14 * DAY
MAX_POINTS = 2000  # enough resolution for the daily cycle over the lookback, cheap to fit

Describe = Callable[[Iterable[int]], dict[int, SeriesInfo]]


def forecast_fingerprint(series_id: int) -> str:
    return f"forecast:{series_id}"


class ForecastSignals:
    def __init__(self, store: SeriesStore, describe: Describe, horizon: float = HORIZON) -> None:
        self._store = store
        self._describe = describe
        self._watcher = ForecastWatcher(horizon_s=horizon)
        self.latest: dict[int, Forecast] = {}  # for charts: the last forecast of each series

    def run(self, limits: list[SeriesLimit], now: float) -> list[Signal]:
        if not limits:
            return []
        ranges = self._store.read_many([lim.series_id for lim in limits], now - LOOKBACK, now, MAX_POINTS)
        info = self._describe([lim.series_id for lim in limits])
        signals: list[Signal] = []
        for lim in limits:
            rng, series = ranges.get(lim.series_id), info.get(lim.series_id)
            if rng is None or series is None or len(rng) == 0:
                continue
            forecast = forecast_crossing(rng.timestamps, rng.values, lim.limit, lim.direction, now)
            self.latest[lim.series_id] = forecast
            event = self._watcher.update(str(lim.series_id), forecast, label=series.display)
            if event is not None:
                text = forecast_text(forecast, series.display, verb=f"reaches {lim.limit:g}{series.unit}")
                signals.append(self._signal(series, event.kind, text, forecast, now))
        return signals

    @staticmethod
    def _signal(series: SeriesInfo, kind: str, text: str, forecast: Forecast, now: float) -> Signal:
        firing = kind == "raise"
        ahead = forecast.seconds_to_crossing()
        severity = Severity.CRITICAL if firing and ahead is not None and ahead < DAY else Severity.WARNING
        return Signal(
            fingerprint=forecast_fingerprint(series.id), tenant_id=series.tenant_id, asset_id=series.asset_id,
            kind="forecast", severity=severity, state=SignalState.FIRING if firing else SignalState.RESOLVED,
            summary=text if firing else f"{series.display}: crossing no longer predicted soon", ts=now,
            check_id=series.check_id,
            evidence={"series_id": series.id, "crossing_ts": forecast.crossing_ts, "lower_ts": forecast.lower_ts,
                      "upper_ts": forecast.upper_ts, "limit": forecast.limit, "direction": forecast.direction,
                      "rate_per_day": forecast.rate_per_day, "method": forecast.method,
                      "projection": [[p.ts, p.value, p.lo, p.hi] for p in forecast.projection]})
