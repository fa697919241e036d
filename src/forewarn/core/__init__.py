"""Framework-free kernel: ids, clock, errors, enums and the typed records that stages exchange."""

from forewarn.core.clock import Clock, FakeClock, SystemClock
from forewarn.core.enums import CheckStatus, IncidentStatus, Severity, SignalState
from forewarn.core.errors import ConflictError, ForewarnError, NotFoundError, ValidationFailed
from forewarn.core.ids import new_id
from forewarn.core.records import CheckResult, MetricBatch, MetricPoint, SampleBatch, Signal

__all__ = [
    "CheckResult", "CheckStatus", "Clock", "ConflictError", "FakeClock", "ForewarnError",
    "IncidentStatus", "MetricBatch", "MetricPoint", "NotFoundError", "SampleBatch", "Severity", "Signal",
    "SignalState", "SystemClock", "ValidationFailed", "new_id",
]
