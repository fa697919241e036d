"""Signals, hysteresis and flap rules, correlation and root-cause ranking."""

from forewarn.alerting.policy import AlertState, Step, step
from forewarn.alerting.schemas import SignalOut
from forewarn.alerting.service import check_fingerprint, evaluate_result, record_signal, signals_by_ids

__all__ = [
    "AlertState", "SignalOut", "Step", "check_fingerprint", "evaluate_result", "record_signal",
    "signals_by_ids", "step",
]
