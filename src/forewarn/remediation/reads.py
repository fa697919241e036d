"""Reads of runs for people and the API: tenant-scoped, with steps and timeline, secrets already scrubbed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.remediation.enums import RunStatus
from forewarn.remediation.models import RunbookRunRow, RunEventRow, RunStepRow
from forewarn.remediation.schemas import RunDetail, RunEventOut, RunOut, RunStepOut


def run_row(session: Session, who: Principal, run_id: str) -> RunbookRunRow:
    row = session.get(RunbookRunRow, run_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"runbook run {run_id!r} not found")
    return row


def run_out(row: RunbookRunRow) -> RunOut:
    return RunOut(id=row.id, tenant_id=row.tenant_id, runbook_id=row.runbook_id, runbook_name=row.runbook_name,
                  incident_id=row.incident_id, asset_id=row.asset_id, status=row.status, dry_run=row.dry_run,
                  params=row.params or {}, result=row.result or {}, reason=row.reason,
                  requested_by=row.requested_by, approved_by=row.approved_by, created_at=row.created_at,
                  started_at=row.started_at, finished_at=row.finished_at)


def get_run(session: Session, who: Principal, run_id: str) -> RunDetail:
    row = run_row(session, who, run_id)
    steps = session.scalars(select(RunStepRow).where(RunStepRow.run_id == row.id).order_by(RunStepRow.position))
    events = session.scalars(select(RunEventRow).where(RunEventRow.run_id == row.id).order_by(RunEventRow.id))
    return RunDetail(
        **run_out(row).model_dump(), snapshot=row.snapshot or {},
        steps=[RunStepOut(position=s.position, name=s.name, kind=s.kind, target=s.target, command=s.command,
                          status=s.status, exit_status=s.exit_status, stdout=s.stdout, stderr=s.stderr,
                          error=s.error, started_at=s.started_at, duration_ms=s.duration_ms) for s in steps],
        timeline=[RunEventOut(ts=e.ts, from_status=e.from_status, to_status=e.to_status, actor=e.actor,
                              reason=e.reason) for e in events])


def runs_for_incident(session: Session, who: Principal, incident_id: str) -> list[RunOut]:
    stmt = who.scoped(select(RunbookRunRow).where(RunbookRunRow.incident_id == incident_id), RunbookRunRow.tenant_id)
    return [run_out(r) for r in session.scalars(stmt.order_by(RunbookRunRow.created_at, RunbookRunRow.id))]


def list_runs(session: Session, who: Principal, status: str | None = None, limit: int = 100,
              offset: int = 0) -> list[RunOut]:
    stmt = who.scoped(select(RunbookRunRow), RunbookRunRow.tenant_id)
    if status:
        if status not in {s.value for s in RunStatus}:
            raise ValidationFailed(f"unknown run status {status!r}", where="status")
        stmt = stmt.where(RunbookRunRow.status == status)
    rows = session.scalars(stmt.order_by(RunbookRunRow.created_at.desc()).limit(limit).offset(offset))
    return [run_out(r) for r in rows]
