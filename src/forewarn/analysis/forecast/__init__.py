"""Forecasts of when a gauge crosses its limit ("when will it run out"), and warnings from them."""

from forewarn.analysis.forecast.forecaster import forecast_crossing, forecast_many
from forewarn.analysis.forecast.text import forecast_text
from forewarn.analysis.forecast.types import Direction, Forecast, ForecastConfig, ProjectionPoint, SeriesKind
from forewarn.analysis.forecast.watcher import EventKind, ForecastEvent, ForecastWatcher

__all__ = [
    "Direction",
    "EventKind",
    "Forecast",
    "ForecastConfig",
    "ForecastEvent",
    "ForecastWatcher",
    "ProjectionPoint",
    "SeriesKind",
    "forecast_crossing",
    "forecast_many",
    "forecast_text",
]
