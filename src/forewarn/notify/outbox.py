"""Enqueueing: an incident change becomes one outbox row per routed channel, exactly once per change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forewarn.core.errors import ConflictError, NotFoundError, ValidationFailed
from forewarn.incidents.models import IncidentEventRow, IncidentRow, IncidentSlaRow
from forewarn.notify.models import NotificationChannelRow, NotifyCursorRow, OutboxRow
from forewarn.notify.policy import (
    CHANGES,
    GROUP_WINDOW,
    PENDING,
    SLA_CHANGES,
    group_due,
    idempotency_key,
    severity_rank,
    sla_change,
    status_change,
    wants,
)
from forewarn.notify.timeline import KIND as NOTIFICATION_KIND


def locked_incident(session: Session, incident_id: str) -> IncidentRow:
    """The incident row, locked (PostgreSQL) so two enqueues for one incident run one after the other."""
    row = session.scalar(select(IncidentRow).where(IncidentRow.id == incident_id).with_for_update())
    if row is None:
        raise NotFoundError(f"incident {incident_id!r} not found")
    return row


Change = tuple[str, str, dict[str, Any]]  # (change, ref naming its occurrence, extra payload for the message)


def change_ref(session: Session, incident: IncidentRow, change: str) -> Change:
    """One occurrence of a change: opened once, escalated once per severity, status changes by event, SLA
    warnings and breaches once per timer kind (the latest one)."""
    if change not in CHANGES:
        raise ValidationFailed(f"unknown change {change!r}; choose one of {', '.join(CHANGES)}", where="change")
    if change == "opened":
        return "opened", "opened", {}
    if change == "escalated":
        return "escalated", f"escalated:{incident.severity}", {}
    kind = "sla" if change in SLA_CHANGES else "status"
    events = session.execute(select(IncidentEventRow.id, IncidentEventRow.ts, IncidentEventRow.data).where(
        IncidentEventRow.incident_id == incident.id, IncidentEventRow.kind == kind)
        .order_by(IncidentEventRow.id.desc())).all()
    for event_id, ts, data in events:
        if kind == "sla" and (found := sla_change(data)) and found[0] == change:
            return change, found[1], sla_details(session, incident.id, data, ts)
        if kind == "status" and status_change((data or {}).get("from"), (data or {}).get("to")) == change:
            return change, f"{change}:{event_id}", {}
    raise ConflictError(f"incident {incident.id} has no {change} change to notify")


def sla_details(session: Session, incident_id: str, data: dict[str, Any], ts: float) -> dict[str, Any]:
    """What an SLA message says besides the incident: which timer, its target, when it is (was) due."""
    kind = data.get("kind") or "response"
    sla = session.get(IncidentSlaRow, incident_id)
    minutes = getattr(sla, f"{kind}_minutes", None) if sla is not None else None
    return {"sla": {"change": data.get("change"), "kind": kind, "priority": data.get("priority") or "",
                    "due_at": float(data.get("due_at") or ts), "at": ts, "target_minutes": minutes}}


def detect_changes(session: Session, incident: IncidentRow) -> tuple[list[Change], list[str]]:
    """The changes since notify last looked, and the incidents merged into this one since.

    Moves the cursor past them. Merged incidents are returned because the pipeline announces only
    the incident that absorbed them, while each of them was resolved by the merge.
    """
    cursor = session.get(NotifyCursorRow, incident.id)
    after = cursor.last_event_id if cursor else 0
    rows = session.execute(select(IncidentEventRow.id, IncidentEventRow.ts, IncidentEventRow.kind,
                                  IncidentEventRow.data).where(
        IncidentEventRow.incident_id == incident.id, IncidentEventRow.id > after,
        IncidentEventRow.kind.in_(("opened", "status", "merged", "sla"))).order_by(IncidentEventRow.id)).all()
    found: list[Change] = []
    merged: list[str] = []
    for event_id, ts, kind, data in rows:
        if kind == "merged":
            merged += [data["incident"]] if isinstance(data, dict) and data.get("incident") else []
        elif kind == "opened":
            found.append(("opened", "opened", {}))
        elif kind == "sla":
            if sla := sla_change(data):
                found.append((*sla, sla_details(session, incident.id, data, ts)))
        elif change := status_change((data or {}).get("from"), (data or {}).get("to")):
            found.append((change, f"{change}:{event_id}", {}))
    if cursor is not None and severity_rank(incident.severity) > severity_rank(cursor.severity):
        found.append(("escalated", f"escalated:{incident.severity}", {}))
    last = session.scalar(select(IncidentEventRow.id).where(IncidentEventRow.incident_id == incident.id)
                          .order_by(IncidentEventRow.id.desc()).limit(1)) or 0
    if cursor is None:
        session.add(NotifyCursorRow(incident_id=incident.id, last_event_id=last, severity=incident.severity))
    else:
        cursor.last_event_id, cursor.severity = max(after, last), incident.severity
    return found, merged


def snapshot(session: Session, incident: IncidentRow) -> dict[str, Any]:
    """The incident as it is at the change: what the message will say, however late it is sent."""
    latest = session.scalar(select(IncidentEventRow).where(
        IncidentEventRow.incident_id == incident.id, IncidentEventRow.kind != NOTIFICATION_KIND)
        .order_by(IncidentEventRow.ts.desc(), IncidentEventRow.id.desc()).limit(1))
    analysis = incident.analysis or {}
    top = (analysis.get("candidates") or [{}])[0]
    root = analysis.get("explanation") or top.get("asset") or ""
    return {"id": incident.id, "title": incident.title, "severity": incident.severity, "status": incident.status,
            "proactive": bool(incident.proactive), "root_cause": root, "opened_at": incident.opened_at,
            "latest": None if latest is None else {"ts": latest.ts, "kind": latest.kind, "actor": latest.actor,
                                                   "message": latest.message[:1000]}}


def _due(session: Session, channel_id: str, now: float, window: float) -> float:
    last = session.execute(select(OutboxRow.created_at, OutboxRow.due_at, OutboxRow.status, OutboxRow.attempts)
                           .where(OutboxRow.channel_id == channel_id)
                           .order_by(OutboxRow.created_at.desc()).limit(1)).first()
    if last is None:
        return now
    return group_due(now, last.created_at, last.due_at, last.status == PENDING and last.attempts == 0, window)


def enqueue(session: Session, incident: IncidentRow, changes: list[Change], now: float,
            window: float = GROUP_WINDOW) -> list[str]:
    """Outbox rows for every channel of the tenant that wants each change; returns the keys newly enqueued."""
    if not changes:
        return []
    channels = session.scalars(select(NotificationChannelRow).where(
        NotificationChannelRow.tenant_id == incident.tenant_id, NotificationChannelRow.enabled.is_(True))
        .order_by(NotificationChannelRow.id)).all()
    wanted = [(ch, change, idempotency_key(ch.id, incident.id, ref), extra) for change, ref, extra in changes
              for ch in channels if wants(ch.events or [], ch.min_severity, change, incident.severity)]
    if not wanted:
        return []
    existing = set(session.scalars(select(OutboxRow.idempotency_key).where(
        OutboxRow.idempotency_key.in_([key for _, _, key, _ in wanted]))))
    state = snapshot(session, incident)
    added: list[str] = []
    for ch, change, key, extra in wanted:
        if key in existing:
            continue
        row = OutboxRow(idempotency_key=key, tenant_id=incident.tenant_id, channel_id=ch.id, incident_id=incident.id,
                        change=change, payload={**state, **extra}, status=PENDING, created_at=now,
                        due_at=_due(session, ch.id, now, window), attempts=0, last_error="")
        try:
            with session.begin_nested():  # a concurrent enqueue of the same change loses here, not later
                session.add(row)
                session.flush()
        except IntegrityError:
            continue
        existing.add(key)
        added.append(key)
    return added
