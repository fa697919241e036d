"""Tables for checks, their result history and the series registry (name+labels → integer id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forewarn.core.ids import new_id
from forewarn.db.base import Base, JSONType, utcnow_ts


class CheckRow(Base):
    __tablename__ = "checks"
    __table_args__ = (UniqueConstraint("asset_id", "name"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    interval: Mapped[float] = mapped_column(Float, default=60.0)
    timeout: Mapped[float] = mapped_column(Float, default=10.0)
    thresholds: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # Consecutive results needed before a state change is believed (hysteresis).
    confirm_count: Mapped[int] = mapped_column(Integer, default=2)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_summary: Mapped[str] = mapped_column(String(1000), default="")
    last_run_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[float] = mapped_column(Float, default=utcnow_ts)


class CheckResultRow(Base):
    __tablename__ = "check_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[str] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[str] = mapped_column(String(20), index=True)
    ts: Mapped[float] = mapped_column(Float, index=True)
    status: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(1000))
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)


class SeriesRow(Base):
    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("asset_id", "name", "labels_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Canonical sorted JSON of the labels, so the same labels always make the same series.
    labels_key: Mapped[str] = mapped_column(String(2000), default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    check_id: Mapped[str | None] = mapped_column(ForeignKey("checks.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[float] = mapped_column(Float, default=utcnow_ts)
