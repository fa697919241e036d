"""Tables for sites, assets, the dependencies between assets and each tenant's SLA policy."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forewarn.core.ids import new_id
from forewarn.db.base import Base, JSONType, utcnow_ts


class SiteRow(Base):
    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")


class AssetRow(Base):
    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(255), nullable=True)
    description: Mapped[str] = mapped_column(String(2000), default="")
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[float] = mapped_column(Float, default=utcnow_ts)


class DependencyRow(Base):
    """"asset depends on depends_on": the edge points from the dependant to what it needs."""

    __tablename__ = "dependencies"
    __table_args__ = (UniqueConstraint("asset_id", "depends_on_id"),)

    id: Mapped[str] = mapped_column(String(20), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    depends_on_id: Mapped[str] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[float] = mapped_column(Float, default=utcnow_ts)


class TenantSlaRow(Base):
    """A tenant's SLA policy document (targets per priority, business hours, holidays), validated on write."""

    __tablename__ = "tenant_sla"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    policy: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[float] = mapped_column(Float, default=utcnow_ts)
