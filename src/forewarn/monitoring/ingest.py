"""The store stage: persists check results and turns metrics into samples in the series store."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from forewarn.core.records import CheckResult, MetricBatch, MetricPoint, SampleBatch
from forewarn.db import Database
from forewarn.monitoring.models import CheckResultRow, CheckRow
from forewarn.monitoring.series import SeriesStore
from forewarn.monitoring.series_registry import SeriesRegistry, labels_key


class IngestService:
    def __init__(self, db: Database, store: SeriesStore, registry: SeriesRegistry) -> None:
        self.db = db
        self.store = store
        self.registry = registry

    def record_result(self, result: CheckResult) -> SampleBatch | None:
        """Result history row, the check's latest status, and its metrics as samples (returned)."""
        with self.db.session() as session:
            check = session.get(CheckRow, result.check_id)
            if check is None:  # deleted while it ran: nothing to attach the result to
                return None
            session.add(CheckResultRow(check_id=result.check_id, tenant_id=result.tenant_id, ts=result.ts,
                                       status=int(result.status), summary=result.summary[:1000],
                                       duration_ms=result.duration_ms))
            check.last_status = int(result.status)
            check.last_summary = result.summary[:1000]
            check.last_run_at = result.ts
        return self.append_points(result.tenant_id, result.asset_id, result.ts, result.metrics, result.check_id)

    def record_metrics(self, batch: MetricBatch) -> SampleBatch | None:
        return self.append_points(batch.tenant_id, batch.asset_id, batch.ts, batch.points)

    def append_points(self, tenant_id: str, asset_id: str, ts: float, points: Sequence[MetricPoint],
                      check_id: str | None = None) -> SampleBatch | None:
        """Resolve the points' series and store them; the stored batch, for the analysis stage."""
        finite = [p for p in points if math.isfinite(p.value)]
        if not finite:
            return None
        ids = self.registry.resolve(tenant_id, asset_id,
                                    [(p.name, labels_key(p.labels), p.unit) for p in finite], check_id)
        batch = SampleBatch(np.asarray(ids, dtype=np.int64), np.full(len(ids), ts),
                            np.fromiter((p.value for p in finite), dtype=np.float64, count=len(finite)))
        self.store.append(batch)
        return batch

    def append_columns(self, series_ids: np.ndarray, timestamps: np.ndarray, values: np.ndarray) -> SampleBatch:
        """The batch path: already-resolved series ids and column arrays straight into the store."""
        keep = np.isfinite(values) & np.isfinite(timestamps)
        if not keep.all():
            series_ids, timestamps, values = series_ids[keep], timestamps[keep], values[keep]
        batch = SampleBatch(series_ids, timestamps, values)
        self.store.append(batch)
        return batch
