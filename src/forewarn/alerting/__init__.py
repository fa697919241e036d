"""Signals, hysteresis and flap rules, correlation and root-cause ranking."""

from forewarn.alerting.anomaly_stage import SENSITIVITY, AnomalySignals, anomaly_fingerprint
from forewarn.alerting.forecast_stage import ForecastSignals, forecast_fingerprint
from forewarn.alerting.policy import AlertState, Step, step
from forewarn.alerting.schemas import SignalOut
from forewarn.alerting.service import (
    check_fingerprint,
    evaluate_result,
    recent_signals_for_series,
    record_signal,
    signals_by_ids,
)

__all__ = [
    "SENSITIVITY", "AnomalySignals", "ForecastSignals", "anomaly_fingerprint", "forecast_fingerprint",
    "AlertState", "SignalOut", "Step", "check_fingerprint", "evaluate_result", "record_signal",
    "recent_signals_for_series", "signals_by_ids", "step",
]
