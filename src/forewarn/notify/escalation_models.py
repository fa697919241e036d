"""Tables of on-call and escalation: rotas, overrides, escalation policies, and each incident's frozen escalation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forewarn.core.ids import new_id
from forewarn.db.base import Base, JSONType


class RotaRow(Base):
    """An on-call rota: members (user ids, in order) take turns; handoff is local time in `timezone`."""

    __tablename__ = "oncall_rotas"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    rotation: Mapped[str] = mapped_column(String(10))  # daily | weekly | hours
    shift_hours: Mapped[int] = mapped_column(Integer, default=24)
    handoff: Mapped[str] = mapped_column(String(5))  # HH:MM
    start_date: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, local
    members: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[float] = mapped_column(Float)


class OverrideRow(Base):
    """Someone covers a rota for a time range; among overlapping overrides the latest created wins."""

    __tablename__ = "oncall_overrides"

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    rota_id: Mapped[str] = mapped_column(ForeignKey("oncall_rotas.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[float] = mapped_column(Float)
    ends_at: Mapped[float] = mapped_column(Float, index=True)
    created_at: Mapped[float] = mapped_column(Float)


class EscalationPolicyRow(Base):
    """Ordered steps (a person, a rota or a channel, then wait N minutes), repeated `repeat` more times.

    The policy of a tenant that applies to an incident is the first enabled one by (position, name)
    whose severity/priority filters match (an empty filter matches everything).
    """

    __tablename__ = "escalation_policies"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=100)
    severities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    priorities: Mapped[list[str]] = mapped_column(JSONType, default=list)
    repeat: Mapped[int] = mapped_column(Integer, default=0)
    # The email channel whose SMTP server carries pages to persons; None: the tenant's first enabled one.
    email_channel_id: Mapped[str | None] = mapped_column(
        ForeignKey("notification_channels.id", ondelete="SET NULL"), nullable=True)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)  # {target, ref, wait_minutes}
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


class IncidentEscalationRow(Base):
    """One incident's escalation: the policy frozen at the start, where it stands, when it acts next."""

    __tablename__ = "incident_escalations"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    policy_id: Mapped[str | None] = mapped_column(
        ForeignKey("escalation_policies.id", ondelete="SET NULL"), nullable=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    state: Mapped[str] = mapped_column(String(12), index=True)  # active | stopped | exhausted
    round: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)  # the next step to run
    next_at: Mapped[float] = mapped_column(Float, index=True)
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_reason: Mapped[str] = mapped_column(String(500), default="")
