"""Incident use cases: technician actions (lifecycle, assignment, priority, links, merge, split) and reads
with the timeline, links and live SLA timers."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id, user_id_by_name, usernames
from forewarn.core.enums import IncidentStatus
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.incidents.correlation import transition
from forewarn.incidents.links import link, links_of, merge, other_incident, split, unlink
from forewarn.incidents.models import IncidentEventRow, IncidentRow, IncidentSignalRow
from forewarn.incidents.priority import PRIORITIES, set_priority
from forewarn.incidents.schemas import IncidentAction, IncidentDetail, IncidentEventOut, IncidentOut, SlaOut
from forewarn.incidents.sla import record_breaches, timers_for
from forewarn.incidents.state import OPEN_STATUSES
from forewarn.incidents.timeline import add_event

_OPEN = [s.value for s in OPEN_STATUSES]


def _row(session: Session, who: Principal, incident_id: str) -> IncidentRow:
    row = session.get(IncidentRow, incident_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"incident {incident_id!r} not found")
    return row


def _comment(session: Session, who: Principal, row: IncidentRow, a: IncidentAction, now: float) -> None:
    if not a.message.strip():
        raise ValidationFailed("a comment needs some text", where="message")
    add_event(session, row, "comment", who.username, a.message, ts=now)


def _assign(session: Session, who: Principal, row: IncidentRow, a: IncidentAction, now: float) -> None:
    row.assignee_id = user_id_by_name(session, a.assignee) if a.assignee else None
    add_event(session, row, "assigned", who.username, a.message, {"assignee": a.assignee or None}, now)


def _set_priority(session: Session, who: Principal, row: IncidentRow, a: IncidentAction, now: float) -> None:
    if a.priority is None:
        raise ValidationFailed(f"choose a priority: {', '.join(PRIORITIES)} or auto", where="priority")
    set_priority(session, row, who, a.priority, a.message, now)


def _link(session: Session, who: Principal, row: IncidentRow, a: IncidentAction, now: float) -> None:
    if a.kind is None:
        raise ValidationFailed("choose the kind of link: related, duplicate-of or caused-by", where="kind")
    link(session, who, row, other_incident(session, who, row, a.other), a.kind, a.message, now)


def _unlink(session: Session, who: Principal, row: IncidentRow, a: IncidentAction, now: float) -> None:
    unlink(session, who, row, other_incident(session, who, row, a.other), a.kind, a.message, now)


def _merge(session: Session, who: Principal, row: IncidentRow, a: IncidentAction, now: float) -> None:
    merge(session, who, row, other_incident(session, who, row, a.other), a.message, now)


# Dispatch table: lifecycle actions go through the state machine, the rest through these handlers.
HANDLERS: dict[str, Callable[[Session, Principal, IncidentRow, IncidentAction, float], None]] = {
    "comment": _comment, "assign": _assign, "set_priority": _set_priority, "link": _link, "unlink": _unlink,
    "merge": _merge,
}


def act(session: Session, who: Principal, incident_id: str, action: IncidentAction,
        now: float | None = None) -> IncidentDetail:
    """Apply one action; returns the incident (for split: the new incident holding the moved signals)."""
    now = time.time() if now is None else now
    row = _row(session, who, incident_id)
    who.require_write()
    result_id = row.id
    if action.action == "split":
        result_id = split(session, who, row, action.signal_ids, action.title, action.message, now).id
    elif action.action in HANDLERS:
        HANDLERS[action.action](session, who, row, action, now)
    else:
        transition(session, row, action.action, who.username, action.message, now)
    session.flush()
    record_breaches(session, now, [row.id, result_id])  # a late acknowledgement is a breach at once
    session.flush()
    return get_incident(session, who, result_id, now)


def incident_out(row: IncidentRow, names: dict[str, str], sla: SlaOut | None = None) -> IncidentOut:
    return IncidentOut(id=row.id, tenant_id=row.tenant_id, title=row.title, status=row.status,
                       severity=row.severity, priority=row.priority, priority_overridden=row.priority_overridden,
                       impact=row.impact or {}, asset_id=row.asset_id,
                       assignee=names.get(row.assignee_id) if row.assignee_id else None,
                       proactive=row.proactive, flapping=row.flapping, signal_count=row.signal_count,
                       root_cause_asset_id=row.root_cause_asset_id, analysis=row.analysis or {},
                       merged_into=row.merged_into_id, sla=sla,
                       opened_at=row.opened_at, acknowledged_at=row.acknowledged_at,
                       resolved_at=row.resolved_at, closed_at=row.closed_at)


def _priorities(value: str) -> list[str]:
    wanted = [p.strip().upper() for p in value.split(",") if p.strip()]
    bad = [p for p in wanted if p not in PRIORITIES]
    if bad or not wanted:
        raise ValidationFailed(f"unknown priority {bad[0] if bad else value!r}; use P1..P4, comma-separated",
                               where="priority")
    return wanted


def list_incidents(session: Session, who: Principal, tenant: str | None = None, status: str | None = None,
                   asset: str | None = None, open_only: bool = False, limit: int = 100, offset: int = 0,
                   priority: str | None = None, now: float | None = None) -> tuple[list[IncidentOut], int]:
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
    if priority:
        stmt = stmt.where(IncidentRow.priority.in_(_priorities(priority)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    # Worst first: open before resolved, P1 before P4 ("P1" < "P4" as text), critical before warning, newest.
    order = (case((IncidentRow.status.in_(_OPEN), 0), else_=1), IncidentRow.priority,
             case((IncidentRow.severity == "critical", 0), (IncidentRow.severity == "warning", 1), else_=2),
             IncidentRow.opened_at.desc(), IncidentRow.id)
    rows = list(session.scalars(stmt.order_by(*order).limit(limit).offset(offset)).all())
    names = usernames(session, {r.assignee_id for r in rows if r.assignee_id})
    slas = timers_for(session, rows, time.time() if now is None else now)
    return [incident_out(r, names, slas.get(r.id)) for r in rows], total


def get_incident(session: Session, who: Principal, incident_id: str, now: float | None = None) -> IncidentDetail:
    row = _row(session, who, incident_id)
    events = session.scalars(select(IncidentEventRow).where(IncidentEventRow.incident_id == row.id)
                             .order_by(IncidentEventRow.ts, IncidentEventRow.id))
    signal_ids = list(session.scalars(select(IncidentSignalRow.signal_id)
                                      .where(IncidentSignalRow.incident_id == row.id)))
    names = usernames(session, {row.assignee_id} if row.assignee_id else set())
    sla = timers_for(session, [row], time.time() if now is None else now).get(row.id)
    base = incident_out(row, names, sla)
    return IncidentDetail(**base.model_dump(), signal_ids=signal_ids, links=links_of(session, row.id),
                          timeline=[IncidentEventOut(ts=e.ts, kind=e.kind, actor=e.actor, message=e.message,
                                                     data=e.data or {}) for e in events])


def open_counts_by_asset(session: Session, who: Principal) -> dict[str, int]:
    stmt = who.scoped(select(IncidentRow.asset_id, func.count()).where(IncidentRow.status.in_(_OPEN)),
                      IncidentRow.tenant_id).group_by(IncidentRow.asset_id)
    return {a: n for a, n in session.execute(stmt) if a}
