"""The forecast stage: series with a limit get a time-to-crossing forecast; a near crossing fires a signal."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from forewarn.alerting.forecast_screen import Screen, could_cross, screen_grid
from forewarn.alerting.hourly_grid import HourlyGrid
from forewarn.analysis.forecast import Forecast, ForecastWatcher, forecast_crossing, forecast_text
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import SampleBatch, Signal
from forewarn.monitoring import SeriesInfo, SeriesLimit, SeriesStore

DAY = 86_400.0
HORIZON = 3 * DAY  # warn when the crossing is predicted within three days
LOOKBACK = 14 * DAY
MAX_POINTS = 2000  # enough resolution for the daily cycle over the lookback, cheap to fit
SCREEN_POINTS = int(LOOKBACK // 3600) + 2  # hourly buckets for the screen: a fraction of the rows to read
# The screen keeps a series whose crossing could come within twice the warning horizon: wide enough
# for a fit that bends towards the limit, and beyond the watcher's withdraw distance (1.5x).
REACH = 2 * HORIZON
CHART_REFRESH = 3600.0  # a series the screen leaves out is still refitted this often, for its chart
# A kept series whose last full forecast saw no crossing within the reach is refitted only when the
# screen sees it steeper or nearer than then, or after this long (a weekday's morning ramp after a
# quiet weekend looks steep to the screen for a day, and the forecaster keeps saying "no trend").
RECHECK = 2 * 3600.0
STEEPER, NEARER = 1.05, 0.97  # what counts as "steeper or nearer than at the last full forecast"

Describe = Callable[[Iterable[int]], dict[int, SeriesInfo]]


def forecast_fingerprint(series_id: int) -> str:
    return f"forecast:{series_id}"


class ForecastSignals:
    """Full forecasts for the series the screen cannot rule out (and raised ones, which may withdraw).

    `chart_refresh` (seconds, or None for never) refits the others now and then so charts show a
    current projection; the simulator turns it off because nobody looks at its charts.
    """

    def __init__(self, store: SeriesStore, describe: Describe, horizon: float = HORIZON,
                 chart_refresh: float | None = CHART_REFRESH) -> None:
        self._store = store
        self._describe = describe
        self._watcher = ForecastWatcher(horizon_s=horizon)
        self._reach = REACH * horizon / HORIZON
        self.chart_refresh = chart_refresh
        self.latest: dict[int, Forecast] = {}  # for charts: the last forecast of each series
        self._far: dict[int, tuple[float, float, float]] = {}  # series → (rate, gap, when) at a "far" forecast
        self.fits = 0  # full forecasts made so far (the screen's savings show against rounds x series)
        self._grid = HourlyGrid(int(LOOKBACK // 3600))
        self._fed = False  # batches arrive (observe is wired): the grid, not a store read, feeds the screen

    def observe(self, batch: SampleBatch) -> None:
        """Fold stored samples into the hourly means the screen reads (a consumer of the SAMPLES topic)."""
        self._fed = True
        self._grid.add(batch.series_ids, batch.timestamps, batch.values)

    def run(self, limits: list[SeriesLimit], now: float) -> list[Signal]:
        if not limits:
            return []
        screen = self._screen(limits, now)
        due = [(i, lim) for i, lim in enumerate(limits) if self._due(lim.series_id, screen, i, now)]
        if not due:
            return []
        ranges = self._store.read_many([lim.series_id for _, lim in due], now - LOOKBACK, now, MAX_POINTS)
        info = self._describe([lim.series_id for _, lim in due])
        signals: list[Signal] = []
        for i, lim in due:
            rng, series = ranges.get(lim.series_id), info.get(lim.series_id)
            if rng is None or series is None or len(rng) == 0:
                continue
            self.fits += 1
            forecast = forecast_crossing(rng.timestamps, rng.values, lim.limit, lim.direction, now)
            self.latest[lim.series_id] = forecast
            self._remember(lim.series_id, forecast, screen, i, now)
            event = self._watcher.update(str(lim.series_id), forecast, label=series.display)
            if event is not None:
                text = forecast_text(forecast, series.display, verb=f"reaches {lim.limit:g}{series.unit}")
                signals.append(self._signal(series, event.kind, text, forecast, now))
        return signals

    def _due(self, series_id: int, screen: Screen, i: int, now: float) -> bool:
        """Whether this round fits the series in full: kept by the screen and not recently found far, or raised."""
        if self._watcher.is_raised(str(series_id)):
            return True  # only a new forecast can withdraw it
        if screen.kept[i]:
            far = self._far.get(series_id)
            if far is None or now - far[2] >= RECHECK:
                return True
            rate, gap, _ = far
            if screen.rate[i] > STEEPER * rate or screen.gap[i] < NEARER * gap:
                return True
        return self._chart_due(series_id, now)

    def _remember(self, series_id: int, forecast: Forecast, screen: Screen, i: int, now: float) -> None:
        ahead = forecast.seconds_to_crossing()
        if ahead is None or ahead > self._reach:
            self._far[series_id] = (float(screen.rate[i]), float(screen.gap[i]), now)
        else:
            self._far.pop(series_id, None)

    def _screen(self, limits: list[SeriesLimit], now: float) -> Screen:
        ids = np.array([lim.series_id for lim in limits], dtype=np.int64)
        bounds = np.array([lim.limit for lim in limits], dtype=np.float64)
        above = np.array([lim.direction == "above" for lim in limits])
        if not self._fed:  # nothing wired to observe: read the hourly means back from the store
            hourly = self._store.read_many(ids.tolist(), now - LOOKBACK, now, SCREEN_POINTS)
            points = [None if (r := hourly.get(int(i))) is None else (r.timestamps, r.values, r.count) for i in ids]
            return could_cross(points, bounds, above, now, LOOKBACK, self._reach)
        cold = ids[~self._grid.known(ids)]
        if cold.size:  # series new to the grid start from the store once; batches keep them current
            hourly = self._store.read_many(cold.tolist(), now - LOOKBACK, now, SCREEN_POINTS)
            self._grid.warm({sid: (r.timestamps, r.values, r.count) for sid, r in hourly.items()}, now)
        y, mask, t = self._grid.matrix(ids, now)
        return screen_grid(y, mask, t, bounds, above, now, self._reach)

    def _chart_due(self, series_id: int, now: float) -> bool:
        if self.chart_refresh is None:
            return False
        last = self.latest.get(series_id)
        return last is None or now - last.now >= self.chart_refresh

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
                      "reset_interval_s": None if forecast.resets is None else forecast.resets.interval_s,
                      "next_reset_ts": None if forecast.resets is None else forecast.resets.next_ts(),
                      "projection": [[p.ts, p.value, p.lo, p.hi] for p in forecast.projection]})
