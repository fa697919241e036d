"""Notify use cases: enqueue incident changes (idempotent), channel CRUD scoped by tenant, the delivery log."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.errors import ConflictError, NotFoundError
from forewarn.incidents import get_incident
from forewarn.notify.config import channel_class, dump_config, merge, parse_config, redact
from forewarn.notify.models import DeliveryLogRow, NotificationChannelRow, OutboxRow
from forewarn.notify.outbox import change_ref, detect_changes, enqueue, locked_incident
from forewarn.notify.policy import CANCELLED, GROUP_WINDOW, PENDING, SENDING
from forewarn.notify.schemas import ChannelIn, ChannelOut, ChannelPatch, DeliveryOut, OutboxOut
from forewarn.notify.timeline import add_notification_event

# --- enqueueing -----------------------------------------------------------------------------


def enqueue_for_change(session: Session, incident_id: str, change: str, now: float,
                       window: float = GROUP_WINDOW) -> list[str]:
    """Enqueue one named change ("opened", "escalated", "resolved", "sla_breached", …) of an incident for every channel
    of its tenant that wants it. Idempotent: returns the idempotency keys newly enqueued ([] on a repeat)."""
    incident = locked_incident(session, incident_id)
    return enqueue(session, incident, [change_ref(session, incident, change)], now, window)


def enqueue_changes(session: Session, incident_id: str, now: float, window: float = GROUP_WINDOW) -> list[str]:
    """Enqueue whatever changed since the last call for this incident (read from its timeline and severity).

    This is what an INCIDENT_CHANGES subscriber calls; calling it twice for the same state enqueues nothing.
    Incidents merged into this one (resolved by the merge) are handled in the same call.
    """
    incident = locked_incident(session, incident_id)
    changes, merged = detect_changes(session, incident)
    keys = enqueue(session, incident, changes, now, window)
    for other in merged:
        if other != incident_id:
            keys += enqueue_changes(session, other, now, window)
    return keys


# --- channels -------------------------------------------------------------------------------


def channel_out(row: NotificationChannelRow) -> ChannelOut:
    config = row.config or {}
    try:
        target = channel_class(row.kind).target(parse_config(row.kind, config))
    except Exception:  # noqa: BLE001 - a stored config that no longer validates still lists, without a target
        target = ""
    return ChannelOut(id=row.id, tenant_id=row.tenant_id, name=row.name, kind=row.kind, target=target,
                      config=redact(row.kind, config), enabled=row.enabled, min_severity=row.min_severity,
                      events=list(row.events or []), rate_per_minute=row.rate_per_minute)


def _channel(session: Session, who: Principal, channel_id: str) -> NotificationChannelRow:
    row = session.get(NotificationChannelRow, channel_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"notification channel {channel_id!r} not found")
    return row


def _flush_unique(session: Session, name: str) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ConflictError(f"this tenant already has a notification channel named {name!r}") from None


def create_channel(session: Session, who: Principal, tenant: str, data: ChannelIn, now: float) -> ChannelOut:
    who.require_write()
    tenant_id = resolve_tenant_id(session, who, tenant)
    config = dump_config(parse_config(data.kind, data.config))
    row = NotificationChannelRow(tenant_id=tenant_id, kind=data.kind, name=data.name, config=config,
                                 enabled=data.enabled, min_severity=data.min_severity, events=list(data.events),
                                 rate_per_minute=data.rate_per_minute, created_at=now)
    session.add(row)
    _flush_unique(session, data.name)
    return channel_out(row)


def list_channels(session: Session, who: Principal, tenant: str | None = None) -> list[ChannelOut]:
    stmt = who.scoped(select(NotificationChannelRow), NotificationChannelRow.tenant_id)
    if tenant:
        stmt = stmt.where(NotificationChannelRow.tenant_id == resolve_tenant_id(session, who, tenant))
    rows = session.scalars(stmt.order_by(NotificationChannelRow.tenant_id, NotificationChannelRow.name))
    return [channel_out(r) for r in rows]


def get_channel(session: Session, who: Principal, channel_id: str) -> ChannelOut:
    return channel_out(_channel(session, who, channel_id))


def update_channel(session: Session, who: Principal, channel_id: str, patch: ChannelPatch) -> ChannelOut:
    row = _channel(session, who, channel_id)
    who.require_write()
    if patch.config is not None:
        row.config = dump_config(parse_config(row.kind, merge(row.kind, row.config or {}, patch.config)))
    for name in ("name", "enabled", "min_severity", "rate_per_minute"):
        value = getattr(patch, name)
        if value is not None:
            setattr(row, name, value)
    if patch.events is not None:
        row.events = list(patch.events)
    _flush_unique(session, row.name)
    return channel_out(row)


def delete_channel(session: Session, who: Principal, channel_id: str, now: float) -> int:
    """Delete a channel; its undelivered rows are cancelled on the record (never dropped). Returns how many."""
    row = _channel(session, who, channel_id)
    who.require_write()
    waiting = list(session.scalars(select(OutboxRow).where(OutboxRow.channel_id == row.id,
                                                           OutboxRow.status.in_((PENDING, SENDING)))))
    reason = f"channel {row.name!r} deleted by {who.username}"
    for out in waiting:
        session.add(DeliveryLogRow(outbox_id=out.id, incident_id=out.incident_id, channel_id=row.id,
                                   channel_name=row.name, attempt=out.attempts, ts=now, status=CANCELLED,
                                   error=reason, duration_ms=0.0, message_key=out.message_key or ""))
        add_notification_event(session, out.incident_id, now, f"notification cancelled ({out.change}): {reason}",
                               {"channel_id": row.id, "channel": row.name, "status": CANCELLED})
    session.execute(update(OutboxRow).where(OutboxRow.id.in_([o.id for o in waiting]))
                    .values(status=CANCELLED, last_error=reason, claim_token=None))
    session.delete(row)
    session.flush()
    return len(waiting)


# --- reads ----------------------------------------------------------------------------------


def delivery_log(session: Session, who: Principal, incident_id: str) -> list[DeliveryOut]:
    """Every delivery attempt for an incident, oldest first (the incident must be visible to `who`)."""
    get_incident(session, who, incident_id)
    rows = session.execute(select(DeliveryLogRow, OutboxRow.change).join(
        OutboxRow, OutboxRow.id == DeliveryLogRow.outbox_id).where(DeliveryLogRow.incident_id == incident_id)
        .order_by(DeliveryLogRow.ts, DeliveryLogRow.id)).all()
    return [DeliveryOut(ts=r.ts, channel_id=r.channel_id, channel_name=r.channel_name, change=change,
                        attempt=r.attempt, status=r.status, error=r.error, duration_ms=r.duration_ms,
                        message_key=r.message_key) for r, change in rows]


def outbox_for_incident(session: Session, who: Principal, incident_id: str) -> list[OutboxOut]:
    """Where each notification of an incident stands (pending, sending, sent, failed, cancelled)."""
    get_incident(session, who, incident_id)
    rows = session.scalars(select(OutboxRow).where(OutboxRow.incident_id == incident_id)
                           .order_by(OutboxRow.created_at, OutboxRow.id))
    return [OutboxOut(id=r.id, channel_id=r.channel_id, incident_id=r.incident_id, change=r.change,
                      status=r.status, attempts=r.attempts, due_at=r.due_at, sent_at=r.sent_at,
                      last_error=r.last_error) for r in rows]
