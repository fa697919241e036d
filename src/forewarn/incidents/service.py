"""Incident use cases: open and resolve from signals, technician actions, reads with the timeline."""

from __future__ import annotations

import time

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id, user_id_by_name, usernames
from forewarn.core.enums import IncidentStatus, Severity, SignalState
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.core.records import Signal
from forewarn.incidents.models import IncidentEventRow, IncidentRow, IncidentSignalRow
from forewarn.incidents.schemas import IncidentAction, IncidentDetail, IncidentEventOut, IncidentOut
from forewarn.incidents.state import OPEN_STATUSES, next_status
from forewarn.inventory import asset_briefs

_OPEN = [s.value for s in OPEN_STATUSES]


def _event(session: Session, incident: IncidentRow, kind: str, actor: str, message: str = "",
           data: dict | None = None, ts: float | None = None) -> None:
    session.add(IncidentEventRow(incident_id=incident.id, ts=ts or time.time(), kind=kind, actor=actor,
                                 message=message[:4000], data=data or {}))


def _transition(session: Session, incident: IncidentRow, action: str, actor: str, message: str,
                ts: float | None = None) -> None:
    old = IncidentStatus(incident.status)
    new = next_status(old, action)
    ts = ts or time.time()
    incident.status = new.value
    stamp = {IncidentStatus.ACKNOWLEDGED: "acknowledged_at", IncidentStatus.RESOLVED: "resolved_at",
             IncidentStatus.CLOSED: "closed_at"}.get(new)
    if stamp:
        setattr(incident, stamp, ts)
    if new is IncidentStatus.NEW:
        incident.resolved_at = None
    _event(session, incident, "status", actor, message, {"from": old.value, "to": new.value}, ts)


def apply_signal(session: Session, signal: Signal, signal_id: str) -> str | None:
    """Open, update or resolve the incident for this signal; returns the incident id touched."""
    link = session.execute(
        select(IncidentRow, IncidentSignalRow).join(IncidentSignalRow, IncidentSignalRow.incident_id == IncidentRow.id)
        .where(IncidentSignalRow.signal_id == signal_id, IncidentRow.status.in_(_OPEN))
    ).first()
    if signal.state is SignalState.RESOLVED:
        if link is None:
            return None
        incident, assoc = link
        assoc.state = SignalState.RESOLVED.value
        _event(session, incident, "signal", "system", f"recovered: {signal.summary}", ts=signal.ts)
        if not _any_firing(session, incident.id):
            _transition(session, incident, "resolve", "system", "all signals recovered", signal.ts)
        return incident.id
    if link is not None:
        return _update(session, *link, signal)
    return _open(session, signal, signal_id)


def _any_firing(session: Session, incident_id: str) -> bool:
    return bool(session.scalar(select(func.count()).select_from(IncidentSignalRow).where(
        IncidentSignalRow.incident_id == incident_id, IncidentSignalRow.state == SignalState.FIRING.value)))


def _update(session: Session, incident: IncidentRow, assoc: IncidentSignalRow, signal: Signal) -> str:
    assoc.state = SignalState.FIRING.value
    incident.signal_count += 1
    if Severity(incident.severity).rank < signal.severity.rank:
        incident.severity = signal.severity.value
    if signal.flapping and not incident.flapping:
        incident.flapping = True
    _event(session, incident, "signal", "system", signal.summary,
           {"severity": signal.severity.value, "flapping": signal.flapping}, signal.ts)
    return incident.id


def _open(session: Session, signal: Signal, signal_id: str) -> str:
    name = asset_briefs(session, {signal.asset_id}).get(signal.asset_id, ("unknown asset", None))[0]
    # Caught before impact: an early warning or a prediction, not a failed user-facing check.
    proactive = signal.kind in ("anomaly", "forecast") or signal.severity is Severity.WARNING
    incident = IncidentRow(tenant_id=signal.tenant_id, title=f"{name}: {signal.summary}"[:500],
                           status=IncidentStatus.NEW.value, severity=signal.severity.value,
                           asset_id=signal.asset_id, proactive=proactive, flapping=signal.flapping,
                           signal_count=1, opened_at=signal.ts)
    session.add(incident)
    session.flush()
    session.add(IncidentSignalRow(incident_id=incident.id, signal_id=signal_id, state=SignalState.FIRING.value))
    _event(session, incident, "opened", "system", signal.summary,
           {"signal": signal.fingerprint, "proactive": proactive, "flapping": signal.flapping}, signal.ts)
    return incident.id


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
        _event(session, row, "comment", who.username, action.message)
    elif action.action == "assign":
        assignee_id = user_id_by_name(session, action.assignee) if action.assignee else None
        row.assignee_id = assignee_id
        _event(session, row, "assigned", who.username, action.message,
               {"assignee": action.assignee or None})
    else:
        _transition(session, row, action.action, who.username, action.message)
    session.flush()
    return get_incident(session, who, incident_id)


def incident_out(row: IncidentRow, names: dict[str, str]) -> IncidentOut:
    return IncidentOut(id=row.id, tenant_id=row.tenant_id, title=row.title, status=row.status,
                       severity=row.severity, asset_id=row.asset_id,
                       assignee=names.get(row.assignee_id) if row.assignee_id else None,
                       proactive=row.proactive, flapping=row.flapping, signal_count=row.signal_count,
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
