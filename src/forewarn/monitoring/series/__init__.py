"""Series sample storage: the SeriesStore interface, its DuckDB file and in-memory implementations."""

from forewarn.monitoring.series.base import (
    FIVE_MINUTE_RETENTION,
    HOURLY_RETENTION,
    RAW_RETENTION,
    SeriesRange,
    SeriesStore,
)
from forewarn.monitoring.series.duckdb_store import DuckDBSeriesStore
from forewarn.monitoring.series.memory_store import MemorySeriesStore
from forewarn.monitoring.series.validate import SampleError

__all__ = [
    "FIVE_MINUTE_RETENTION",
    "HOURLY_RETENTION",
    "RAW_RETENTION",
    "DuckDBSeriesStore",
    "MemorySeriesStore",
    "SampleError",
    "SeriesRange",
    "SeriesStore",
]
