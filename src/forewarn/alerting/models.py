"""Tables for signals (deduplicated by fingerprint) and the per-check alert state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forewarn.core.ids import new_id
from forewarn.db.base import Base, JSONType


class SignalRow(Base):
    __tablename__ = "signals"

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    fingerprint: Mapped[str] = mapped_column(String(200), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    check_id: Mapped[str | None] = mapped_column(ForeignKey("checks.id", ondelete="SET NULL"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(1000))
    first_seen: Mapped[float] = mapped_column(Float)
    last_seen: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer, default=1)
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Why this signal paged nobody, when it did not: "maintenance", "silence", "dependency down".
    suppressed: Mapped[str | None] = mapped_column(String(40), nullable=True)


class AlertStateRow(Base):
    """What the hysteresis and flap rules remember about one check between results."""

    __tablename__ = "alert_states"

    check_id: Mapped[str] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"), primary_key=True)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    pending_count: Mapped[int] = mapped_column(Integer, default=0)
    recent: Mapped[list[int]] = mapped_column(JSONType, default=list)
    flapping: Mapped[bool] = mapped_column(Boolean, default=False)


class SilenceRow(Base):
    """A maintenance window or an ad-hoc silence: matching signals are recorded but page nobody.

    It matches a whole tenant, one asset, or every asset with a tag. A recurring window repeats
    [starts_at, ends_at) every day or week until `until`.
    """

    __tablename__ = "silences"

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "maintenance" (planned) or "silence" (ad hoc)
    asset_id: Mapped[str | None] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), nullable=True)
    tag: Mapped[str | None] = mapped_column(String(100), nullable=True)
    starts_at: Mapped[float] = mapped_column(Float)
    ends_at: Mapped[float] = mapped_column(Float)
    recurrence: Mapped[str] = mapped_column(String(10), default="none")  # none | daily | weekly
    until: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    created_by: Mapped[str] = mapped_column(String(100), default="system")


class SensitivityRow(Base):
    """How readily anomalies page for a tenant, or for one series of it (which wins over the tenant)."""

    __tablename__ = "anomaly_sensitivity"
    __table_args__ = (UniqueConstraint("tenant_id", "series_id"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), nullable=True)
    level: Mapped[str] = mapped_column(String(10))  # off | low | medium | high
