"""Signals, hysteresis and flap rules, correlation and root-cause ranking."""

from forewarn.alerting.anomaly_persist import FILE_NAME as ANOMALY_STATE_FILE_NAME
from forewarn.alerting.anomaly_persist import AnomalyStateFile
from forewarn.alerting.anomaly_stage import AnomalySignals, anomaly_fingerprint
from forewarn.alerting.forecast_stage import ForecastSignals, forecast_fingerprint
from forewarn.alerting.log_stage import LogLine, LogSignals, log_fingerprint
from forewarn.alerting.policy import AlertState, Step, step
from forewarn.alerting.schemas import SignalOut
from forewarn.alerting.sensitivity import (
    THRESHOLDS,
    SensitivityIn,
    SensitivityLookup,
    SensitivityOut,
    all_levels,
    list_sensitivity,
    set_sensitivity,
)
from forewarn.alerting.service import (
    check_fingerprint,
    evaluate_result,
    evaluate_results,
    mark_suppressed,
    recent_signals_for_series,
    record_signal,
    signal_rows,
    signals_by_ids,
)
from forewarn.alerting.silences import (
    SilenceIn,
    SilenceOut,
    active_at,
    create_silence,
    delete_silence,
    list_silences,
    matching_silence,
)

__all__ = [
    "LogLine", "LogSignals", "log_fingerprint",
    "SilenceIn", "SilenceOut", "active_at", "create_silence", "delete_silence", "list_silences",
    "mark_suppressed", "matching_silence", "signal_rows",
    "THRESHOLDS", "SensitivityIn", "SensitivityLookup", "SensitivityOut", "all_levels", "list_sensitivity",
    "set_sensitivity", "AnomalySignals", "AnomalyStateFile", "ANOMALY_STATE_FILE_NAME", "ForecastSignals", "anomaly_fingerprint", "forecast_fingerprint",
    "AlertState", "SignalOut", "Step", "check_fingerprint", "evaluate_result", "evaluate_results", "record_signal",
    "recent_signals_for_series", "signals_by_ids", "step",
]
