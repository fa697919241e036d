"""Tables of the notify area: per-tenant channels, the persistent outbox, the delivery log, change cursors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forewarn.core.ids import new_id
from forewarn.db.base import Base, JSONType


class NotificationChannelRow(Base):
    """Where a tenant's notifications go; `config` holds the kind's settings, secrets included."""

    __tablename__ = "notification_channels"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    config: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    min_severity: Mapped[str] = mapped_column(String(20), default="info")
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    rate_per_minute: Mapped[int] = mapped_column(Integer, default=30)
    # Token bucket of the rate limit, refilled lazily by the deliverer.
    bucket_tokens: Mapped[float | None] = mapped_column(Float, nullable=True)
    bucket_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)


class OutboxRow(Base):
    """One change of one incident to tell one channel; kept until sent, failed or cancelled."""

    __tablename__ = "notify_outbox"

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    # channel:incident:change-ref; the same change can never be enqueued twice for a channel.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    channel_id: Mapped[str | None] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="SET NULL"), nullable=True, index=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # incident snapshot at the change
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[float] = mapped_column(Float)
    due_at: Mapped[float] = mapped_column(Float, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # Fixed at the first claim so a retried message keeps its key (receivers de-duplicate on it).
    message_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    sent_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_error: Mapped[str] = mapped_column(String(1000), default="")


class DeliveryLogRow(Base):
    """One delivery attempt of one outbox row: what happened, how long it took."""

    __tablename__ = "notify_delivery_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[str] = mapped_column(ForeignKey("notify_outbox.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[str] = mapped_column(String(20), index=True)
    channel_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    channel_name: Mapped[str] = mapped_column(String(100), default="")
    attempt: Mapped[int] = mapped_column(Integer)
    ts: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12))
    error: Mapped[str] = mapped_column(String(1000), default="")
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    message_key: Mapped[str] = mapped_column(String(200), default="")


class NotifyCursorRow(Base):
    """How far notify has read an incident: its last timeline event and the severity it last saw."""

    __tablename__ = "notify_cursors"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    severity: Mapped[str] = mapped_column(String(20))
