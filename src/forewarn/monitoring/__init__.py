"""Checks, scheduling, results, metric ingest, the host agent and series storage."""

from forewarn.monitoring.agent import HostSampler
from forewarn.monitoring.checks import (
    CheckDefinition,
    asset_health,
    check_confirm_count,
    check_confirm_counts,
    check_history,
    create_check,
    delete_check,
    enabled_definitions,
    get_check,
    list_checks,
    update_check,
)
from forewarn.monitoring.environment import apply_environment, export_environment
from forewarn.monitoring.ingest import IngestService
from forewarn.monitoring.limits import DEFAULT_LIMITS, SeriesLimit, series_limits
from forewarn.monitoring.runner import run_check
from forewarn.monitoring.scheduler import CheckScheduler
from forewarn.monitoring.schemas import (
    CheckIn,
    CheckOut,
    CheckPatch,
    CheckResultOut,
    CheckSpec,
    SamplesOut,
    SeriesOut,
    Threshold,
)
from forewarn.monitoring.series import DuckDBSeriesStore, MemorySeriesStore, SeriesStore
from forewarn.monitoring.series_registry import (
    SeriesInfo,
    SeriesRegistry,
    labels_key,
    list_series,
    series_row,
)
from forewarn.monitoring.thresholds import evaluate_thresholds

__all__ = [
    "DEFAULT_LIMITS", "SeriesInfo", "SeriesLimit", "series_limits",
    "CheckDefinition", "CheckIn", "CheckOut", "CheckPatch", "CheckResultOut", "CheckScheduler", "CheckSpec",
    "DuckDBSeriesStore", "HostSampler", "IngestService", "MemorySeriesStore", "SamplesOut", "SeriesOut",
    "SeriesRegistry", "SeriesStore", "Threshold", "apply_environment", "asset_health", "check_confirm_count", "check_confirm_counts",
    "check_history", "create_check", "delete_check", "enabled_definitions", "evaluate_thresholds",
    "export_environment", "get_check", "labels_key", "list_checks", "list_series", "run_check",
    "series_row", "update_check",
]
