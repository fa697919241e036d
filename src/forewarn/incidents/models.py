"""Tables for incidents (tickets) and their append-only timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String
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
