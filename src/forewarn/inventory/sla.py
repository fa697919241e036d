"""Stores each tenant's SLA policy document: read, replace, remove, all scoped by the caller's tenants."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.inventory.models import TenantSlaRow
from forewarn.inventory.schemas import SlaPolicyIn, SlaPolicyOut


def _out(row: TenantSlaRow) -> SlaPolicyOut:
    return SlaPolicyOut(**row.policy, tenant_id=row.tenant_id, updated_at=row.updated_at)


def get_sla_policy(session: Session, who: Principal, tenant: str) -> SlaPolicyOut | None:
    row = session.get(TenantSlaRow, resolve_tenant_id(session, who, tenant))
    return _out(row) if row else None


def set_sla_policy(session: Session, who: Principal, tenant: str, policy: SlaPolicyIn,
                   now: float) -> tuple[SlaPolicyOut, bool]:
    """Replace the policy; returns it and whether anything changed (an identical write keeps its time)."""
    tenant_id = resolve_tenant_id(session, who, tenant)  # first: another tenant's is 404, not 403
    who.require_write()
    return put_policy(session, tenant_id, policy, now)


def put_policy(session: Session, tenant_id: str, policy: SlaPolicyIn, now: float) -> tuple[SlaPolicyOut, bool]:
    doc = policy.model_dump(mode="json")
    row = session.get(TenantSlaRow, tenant_id)
    if row is None:
        row = TenantSlaRow(tenant_id=tenant_id, policy=doc, updated_at=now)
        session.add(row)
    elif row.policy == doc:
        return _out(row), False
    else:
        row.policy, row.updated_at = doc, now
    session.flush()
    return _out(row), True


def delete_sla_policy(session: Session, who: Principal, tenant: str) -> bool:
    row = session.get(TenantSlaRow, resolve_tenant_id(session, who, tenant))
    who.require_write()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def sla_policies(session: Session, tenant_ids: set[str]) -> dict[str, SlaPolicyOut]:
    """Policies of these tenants (for timers computed in bulk); tenants without one are absent."""
    if not tenant_ids:
        return {}
    rows = session.scalars(select(TenantSlaRow).where(TenantSlaRow.tenant_id.in_(tenant_ids)))
    return {r.tenant_id: _out(r) for r in rows}
