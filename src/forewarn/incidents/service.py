"""Incident use cases: open and resolve from signals, technician actions, reads with the timeline."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id, user_id_by_name, usernames
from forewarn.core.enums import IncidentStatus
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.incidents.correlation import event, transition
from forewarn.incidents.models import IncidentEventRow, IncidentRow, IncidentSignalRow
from forewarn.incidents.schemas import IncidentAction, IncidentDetail, IncidentEventOut, IncidentOut
from forewarn.incidents.state import OPEN_STATUSES

_OPEN = [s.value for s in OPEN_STATUSES]


def _row(session: Session, who: Principal, incident_id: str) -> IncidentRow:
    row = session.get(IncidentRow, incident_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"incident {incident_id!r} not found")
    return row


def act(session: Session, who: Principal, incident_id: str, action: IncidentAction) -> IncidentDetail:
    row = _row(session, who, incident_id)
    who.require_write()
    if action.action == "comment":
        if not action.message.strip():
            raise ValidationFailed("a comment needs some text", where="message")
        event(session, row, "comment", who.username, action.message)
    elif action.action == "assign":
        assignee_id = user_id_by_name(session, action.assignee) if action.assignee else None
        row.assignee_id = assignee_id
        event(session, row, "assigned", who.username, action.message,
               {"assignee": action.assignee or None})
    else:
        transition(session, row, action.action, who.username, action.message)
    session.flush()
    return get_incident(session, who, incident_id)


def incident_out(row: IncidentRow, names: dict[str, str]) -> IncidentOut:
    return IncidentOut(id=row.id, tenant_id=row.tenant_id, title=row.title, status=row.status,
                       severity=row.severity, asset_id=row.asset_id,
                       assignee=names.get(row.assignee_id) if row.assignee_id else None,
                       proactive=row.proactive, flapping=row.flapping, signal_count=row.signal_count,
                       root_cause_asset_id=row.root_cause_asset_id, analysis=row.analysis or {},
                       opened_at=row.opened_at, acknowledged_at=row.acknowledged_at,
                       resolved_at=row.resolved_at, closed_at=row.closed_at)


def list_incidents(session: Session, who: Principal, tenant: str | None = None, status: str | None = None,
                   asset: str | None = None, open_only: bool = False, limit: int = 100, offset: int = 0,
                   ) -> tuple[list[IncidentOut], int]:
    stmt = who.scoped(select(IncidentRow), IncidentRow.tenant_id)
    if tenant:
        stmt = stmt.where(IncidentRow.tenant_id == resolve_tenant_id(session, who, tenant))
    if status:
        if status not in {s.value for s in IncidentStatus}:
            raise ValidationFailed(f"unknown status {status!r}", where="status")
        stmt = stmt.where(IncidentRow.status == status)
    if open_only:
        stmt = stmt.where(IncidentRow.status.in_(_OPEN))
    if asset:
        stmt = stmt.where(IncidentRow.asset_id == asset)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    # Worst first: open before resolved, critical before warning, newest first.
    order = (case((IncidentRow.status.in_(_OPEN), 0), else_=1),
             case((IncidentRow.severity == "critical", 0), (IncidentRow.severity == "warning", 1), else_=2),
             IncidentRow.opened_at.desc())
    rows = session.scalars(stmt.order_by(*order).limit(limit).offset(offset)).all()
    names = usernames(session, {r.assignee_id for r in rows if r.assignee_id})
    return [incident_out(r, names) for r in rows], total


def get_incident(session: Session, who: Principal, incident_id: str) -> IncidentDetail:
    row = _row(session, who, incident_id)
    events = session.scalars(select(IncidentEventRow).where(IncidentEventRow.incident_id == row.id)
                             .order_by(IncidentEventRow.ts, IncidentEventRow.id))
    signal_ids = list(session.scalars(select(IncidentSignalRow.signal_id)
                                      .where(IncidentSignalRow.incident_id == row.id)))
    names = usernames(session, {row.assignee_id} if row.assignee_id else set())
    base = incident_out(row, names)
    return IncidentDetail(**base.model_dump(), signal_ids=signal_ids,
                          timeline=[IncidentEventOut(ts=e.ts, kind=e.kind, actor=e.actor, message=e.message,
                                                     data=e.data or {}) for e in events])


def open_counts_by_asset(session: Session, who: Principal) -> dict[str, int]:
    stmt = who.scoped(select(IncidentRow.asset_id, func.count()).where(IncidentRow.status.in_(_OPEN)),
                      IncidentRow.tenant_id).group_by(IncidentRow.asset_id)
    return {a: n for a, n in session.execute(stmt) if a}
