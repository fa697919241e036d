"""The store stage: persists check results and turns metrics into samples in the series store."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sqlalchemy import bindparam, select

from forewarn.core.records import CheckResult, MetricBatch, MetricPoint, SampleBatch
from forewarn.db import Database
from forewarn.monitoring.models import CheckResultRow, CheckRow
from forewarn.monitoring.series import SeriesStore
from forewarn.monitoring.series_registry import SeriesRegistry, labels_key

_INSERT_RESULT = CheckResultRow.__table__.insert()
_UPDATE_CHECK = (CheckRow.__table__.update().where(CheckRow.__table__.c.id == bindparam("check"))
                 .values(last_status=bindparam("last_status"), last_summary=bindparam("last_summary"),
                         last_run_at=bindparam("last_run_at")))


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

    def record_results(self, results: Sequence[CheckResult]) -> SampleBatch | None:
        """Many results in one transaction: history rows in one executemany, each check's newest status once.

        Results of checks deleted meanwhile are skipped, as in `record_result`. Returns their
        metrics as one batch of samples, or None when they carried none.
        """
        if not results:
            return None
        with self.db.session() as session:
            wanted = {r.check_id for r in results}
            known = set(session.scalars(select(CheckRow.id).where(CheckRow.id.in_(wanted))))
            kept = [r for r in results if r.check_id in known]
            if not kept:
                return None
            # Core executemany: the ORM's bulk paths spend longer per row on bookkeeping than SQLite does on the row.
            session.execute(_INSERT_RESULT, [
                {"check_id": r.check_id, "tenant_id": r.tenant_id, "ts": r.ts, "status": int(r.status),
                 "summary": r.summary[:1000], "duration_ms": r.duration_ms} for r in kept])
            newest: dict[str, CheckResult] = {}
            for r in sorted(kept, key=lambda x: x.ts):
                newest[r.check_id] = r
            session.execute(_UPDATE_CHECK, [
                {"check": r.check_id, "last_status": int(r.status), "last_summary": r.summary[:1000],
                 "last_run_at": r.ts} for r in newest.values()])
        batches = [b for r in kept if r.metrics
                   and (b := self.append_points(r.tenant_id, r.asset_id, r.ts, r.metrics, r.check_id)) is not None]
        if not batches:
            return None
        return SampleBatch(np.concatenate([b.series_ids for b in batches]),
                           np.concatenate([b.timestamps for b in batches]),
                           np.concatenate([b.values for b in batches]))

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
