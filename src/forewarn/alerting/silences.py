"""Maintenance windows and silences: which signals page nobody right now, and their use cases."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from forewarn.alerting.models import SilenceRow
from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.errors import NotFoundError
from forewarn.inventory import asset_row

PERIOD = {"daily": 86_400.0, "weekly": 7 * 86_400.0}


class SilenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant: str
    kind: Literal["maintenance", "silence"] = "maintenance"
    asset: str | None = Field(default=None, description="asset id; none = the whole tenant (or a tag)")
    tag: str | None = Field(default=None, max_length=100)
    starts_at: float
    ends_at: float
    recurrence: Literal["none", "daily", "weekly"] = "none"
    until: float | None = None
    reason: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _sensible(self) -> SilenceIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.recurrence != "none" and self.ends_at - self.starts_at >= PERIOD[self.recurrence]:
            raise ValueError(f"a {self.recurrence} window must be shorter than its period")
        return self


class SilenceOut(SilenceIn):
    id: str
    tenant_id: str
    created_by: str


def active_at(row: SilenceRow, ts: float) -> bool:
    """Pure: is the window open at `ts`, counting recurrences?"""
    if ts < row.starts_at or (row.until is not None and ts > row.until):
        return False
    if row.recurrence == "none":
        return ts < row.ends_at
    period = PERIOD[row.recurrence]
    k = math.floor((ts - row.starts_at) / period)
    start = row.starts_at + k * period
    return start <= ts < start + (row.ends_at - row.starts_at)


def matching_silence(session: Session, tenant_id: str, asset_id: str, tags: list[str], ts: float) -> SilenceRow | None:
    """The first window that covers this asset at `ts` (tenant-wide, the asset itself, or one of its tags)."""
    stmt = select(SilenceRow).where(
        SilenceRow.tenant_id == tenant_id, SilenceRow.starts_at <= ts,
        or_(SilenceRow.asset_id == asset_id, SilenceRow.tag.in_(tags or [""]),
            (SilenceRow.asset_id.is_(None) & SilenceRow.tag.is_(None))))
    return next((row for row in session.scalars(stmt) if active_at(row, ts)), None)


def _out(row: SilenceRow) -> SilenceOut:
    return SilenceOut(id=row.id, tenant=row.tenant_id, tenant_id=row.tenant_id, kind=row.kind, asset=row.asset_id,
                      tag=row.tag, starts_at=row.starts_at, ends_at=row.ends_at, recurrence=row.recurrence,
                      until=row.until, reason=row.reason, created_by=row.created_by)


def create_silence(session: Session, who: Principal, data: SilenceIn) -> SilenceOut:
    tenant_id = resolve_tenant_id(session, who, data.tenant)
    who.require_write()
    asset_id = None
    if data.asset:
        asset = asset_row(session, who, data.asset, tenant_id=tenant_id)
        asset_id = asset.id
    row = SilenceRow(tenant_id=tenant_id, kind=data.kind, asset_id=asset_id, tag=data.tag, starts_at=data.starts_at,
                     ends_at=data.ends_at, recurrence=data.recurrence, until=data.until, reason=data.reason,
                     created_by=who.username)
    session.add(row)
    session.flush()
    return _out(row)


def list_silences(session: Session, who: Principal, tenant: str | None = None) -> list[SilenceOut]:
    stmt = who.scoped(select(SilenceRow), SilenceRow.tenant_id)
    if tenant:
        stmt = stmt.where(SilenceRow.tenant_id == resolve_tenant_id(session, who, tenant))
    return [_out(r) for r in session.scalars(stmt.order_by(SilenceRow.starts_at))]


def delete_silence(session: Session, who: Principal, silence_id: str) -> None:
    row = session.get(SilenceRow, silence_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"silence {silence_id!r} not found")
    who.require_write()
    session.delete(row)
