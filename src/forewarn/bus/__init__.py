"""Stage-to-stage transport: the Bus interface, its in-process implementation and the topic names."""

from forewarn.bus.base import Bus, Handler
from forewarn.bus.inprocess import InProcessBus
from forewarn.bus.topics import CHECK_RESULTS, INCIDENT_CHANGES, LOGS, METRICS, RUNBOOK_RUNS, SAMPLES, SIGNALS

__all__ = ["CHECK_RESULTS", "INCIDENT_CHANGES", "LOGS", "METRICS", "RUNBOOK_RUNS", "SAMPLES", "SIGNALS", "Bus", "Handler", "InProcessBus"]
