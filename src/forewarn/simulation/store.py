"""Stored comparison runs per tenant: start one, record its progress and result, read the latest, tenant-scoped."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.errors import NotFoundError
from forewarn.simulation.models import SimulationRunRow

RUNNING, DONE, FAILED = "running", "done", "failed"


class RunOut(BaseModel):
    id: str
    tenant_id: str
    scenario: str
    scenario_path: str
    seed: int
    days: float
    status: str
    progress: float
    error: str
    started_at: float
    finished_at: float | None
    seconds: float | None
    result: dict[str, Any] | None


def _out(row: SimulationRunRow) -> RunOut:
    return RunOut.model_validate(row, from_attributes=True)


def start_run(session: Session, who: Principal, tenant: str, scenario: str, scenario_path: str, seed: int,
              days: float, now: float) -> RunOut:
    """A new run in state running (technicians and admins only); the caller commits before working on it."""
    who.require_write()
    row = SimulationRunRow(tenant_id=resolve_tenant_id(session, who, tenant), scenario=scenario[:200],
                           scenario_path=scenario_path[:1000], seed=seed, days=days, status=RUNNING,
                           progress=0.0, error="", started_at=now)
    session.add(row)
    session.flush()
    return _out(row)


def _row(session: Session, run_id: str) -> SimulationRunRow:
    row = session.get(SimulationRunRow, run_id)
    if row is None:
        raise NotFoundError(f"simulation run {run_id!r} not found")
    return row


def set_progress(session: Session, run_id: str, share: float) -> None:
    _row(session, run_id).progress = min(1.0, max(0.0, share))


def finish_run(session: Session, run_id: str, doc: dict[str, Any], seconds: float, now: float) -> None:
    row = _row(session, run_id)
    row.status, row.progress, row.result, row.seconds, row.finished_at = DONE, 1.0, doc, seconds, now


def fail_run(session: Session, run_id: str, error: str, now: float) -> None:
    row = _row(session, run_id)
    row.status, row.error, row.finished_at = FAILED, error[:4000], now


def latest_run(session: Session, who: Principal, tenant: str, status: str | None = DONE) -> RunOut | None:
    """The newest run of a tenant (of one status, or any with status=None); a hidden tenant is not found."""
    stmt = select(SimulationRunRow).where(SimulationRunRow.tenant_id == resolve_tenant_id(session, who, tenant))
    if status is not None:
        stmt = stmt.where(SimulationRunRow.status == status)
    row = session.scalars(stmt.order_by(SimulationRunRow.started_at.desc(), SimulationRunRow.id.desc())
                          .limit(1)).first()
    return None if row is None else _out(row)


def get_run(session: Session, who: Principal, run_id: str) -> RunOut:
    row = session.get(SimulationRunRow, run_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"simulation run {run_id!r} not found")
    return _out(row)


def known_scenario_path(session: Session, who: Principal, tenant: str) -> str:
    """The scenario file the tenant's newest run used ("" when none is known)."""
    run = latest_run(session, who, tenant, status=None)
    return run.scenario_path if run is not None else ""
