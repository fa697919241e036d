"""Typed records passed between pipeline stages (DESIGN.md §2); plain data, no storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forewarn.core.enums import CheckStatus, Severity, SignalState


@dataclass(frozen=True, slots=True)
class MetricPoint:
    """One measured value produced by a check or an agent, before it becomes a series sample."""

    name: str
    value: float
    unit: str = ""
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class SampleBatch:
    """Column arrays of samples: series id, unix seconds and value, all the same length."""

    series_ids: np.ndarray  # int64
    timestamps: np.ndarray  # float64 unix seconds
    values: np.ndarray  # float64

    def __post_init__(self) -> None:
        self.series_ids = np.asarray(self.series_ids, dtype=np.int64)
        self.timestamps = np.asarray(self.timestamps, dtype=np.float64)
        self.values = np.asarray(self.values, dtype=np.float64)
        n = len(self.series_ids)
        if len(self.timestamps) != n or len(self.values) != n:
            raise ValueError(
                f"sample batch columns differ in length: {n} ids, "
                f"{len(self.timestamps)} timestamps, {len(self.values)} values"
            )

    def __len__(self) -> int:
        return len(self.series_ids)


@dataclass(slots=True)
class CheckResult:
    """The outcome of running one check once, as the scheduler publishes it."""

    check_id: str
    asset_id: str
    tenant_id: str
    status: CheckStatus
    summary: str
    ts: float
    duration_ms: float = 0.0
    metrics: list[MetricPoint] = field(default_factory=list)


@dataclass(slots=True)
class Signal:
    """Something noteworthy about an asset; the unit correlation and incidents work on."""

    fingerprint: str
    tenant_id: str
    asset_id: str
    kind: str  # "threshold", "check", "anomaly", "forecast", "log", "external"
    severity: Severity
    state: SignalState
    summary: str
    ts: float
    check_id: str | None = None
    flapping: bool = False
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class MetricBatch:
    """Metrics observed on one asset at one time by an agent or a push (not by a check)."""

    tenant_id: str
    asset_id: str
    ts: float
    points: list[MetricPoint]
    source: str = "agent"
