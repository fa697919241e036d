"""Tables for incidents (tickets), their append-only timeline, links between them and SLA timers/breaches."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from forewarn.core.ids import new_id
from forewarn.db.base import Base, JSONType


class IncidentRow(Base):
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str] = mapped_column(String(20))
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"), nullable=True)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # Caught before user impact (anomaly/forecast/warning) or after a failure (critical check).
    proactive: Mapped[bool] = mapped_column(Boolean, default=False)
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)
    signal_count: Mapped[int] = mapped_column(Integer, default=0)
    # Root-cause analysis: ranked candidates (node, score, components, explanation) and impact.
    root_cause_asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="SET NULL"),
                                                            nullable=True)
    analysis: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    opened_at: Mapped[float] = mapped_column(Float, index=True)
    acknowledged_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    resolved_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    closed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    # P1 (worst) … P4, derived from impact and severity unless a technician overrode it.
    priority: Mapped[str] = mapped_column(String(2), default="P4", server_default="P4", index=True)
    priority_overridden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    impact: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, server_default="{}")
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"),
                                                       nullable=True)


class IncidentSignalRow(Base):
    __tablename__ = "incident_signals"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    signal_id: Mapped[str] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20), default="symptom")  # "cause" or "symptom"
    asset_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    first_seen: Mapped[float | None] = mapped_column(Float, nullable=True)


class IncidentEventRow(Base):
    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    ts: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(String(4000), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class IncidentLinkRow(Base):
    """"incident <kind> other": related, duplicate-of or caused-by; both in one tenant."""

    __tablename__ = "incident_links"
    __table_args__ = (UniqueConstraint("incident_id", "other_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(100))


class IncidentSlaRow(Base):
    """The incident's SLA timers under its tenant's policy at its current priority.

    Due and warning instants are stored (recomputed when the priority or policy changes) so the
    periodic tick finds what is due with one indexed query instead of calendar maths per incident.
    """

    __tablename__ = "incident_sla"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    priority: Mapped[str] = mapped_column(String(2))
    response_minutes: Mapped[float] = mapped_column(Float)
    resolution_minutes: Mapped[float] = mapped_column(Float)
    response_due_at: Mapped[float] = mapped_column(Float, index=True)
    resolution_due_at: Mapped[float] = mapped_column(Float, index=True)
    response_warn_at: Mapped[float] = mapped_column(Float)
    resolution_warn_at: Mapped[float] = mapped_column(Float)
    response_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    response_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    # The policy version these instants were computed from: a newer policy makes the tick recompute.
    policy_updated_at: Mapped[float] = mapped_column(Float)


class SlaBreachRow(Base):
    """A missed SLA target, recorded once per incident and kind (response or resolution)."""

    __tablename__ = "sla_breaches"
    __table_args__ = (UniqueConstraint("incident_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(2))
    target_minutes: Mapped[float] = mapped_column(Float)
    due_at: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[float] = mapped_column(Float)
