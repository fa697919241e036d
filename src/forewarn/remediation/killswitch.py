"""The per-tenant kill switch: engaged, it stops every runbook run of that tenant, waiting ones included."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.clock import Clock, SystemClock
from forewarn.remediation.enums import RunStatus
from forewarn.remediation.models import KillSwitchRow, RunbookRunRow
from forewarn.remediation.schemas import KillSwitchOut
from forewarn.remediation.timeline import transition


def kill_switch_engaged(session: Session, tenant_id: str) -> bool:
    row = session.get(KillSwitchRow, tenant_id)
    return bool(row and row.engaged)


def _out(tenant_id: str, row: KillSwitchRow | None) -> KillSwitchOut:
    if row is None:
        return KillSwitchOut(tenant_id=tenant_id, engaged=False, reason="", changed_by=None, changed_at=None)
    return KillSwitchOut(tenant_id=tenant_id, engaged=row.engaged, reason=row.reason, changed_by=row.changed_by,
                         changed_at=row.changed_at)


def get_kill_switch(session: Session, who: Principal, tenant: str) -> KillSwitchOut:
    tenant_id = resolve_tenant_id(session, who, tenant)
    return _out(tenant_id, session.get(KillSwitchRow, tenant_id))


def set_kill_switch(session: Session, who: Principal, tenant: str, engaged: bool, reason: str = "", *,
                    clock: Clock | None = None) -> KillSwitchOut:
    """Any technician may stop remediation for a tenant; only an admin may start it again."""
    tenant_id = resolve_tenant_id(session, who, tenant)
    who.require_write()
    if not engaged:
        who.require_admin()
    now = (clock or SystemClock()).now()
    row = session.get(KillSwitchRow, tenant_id)
    if row is None:
        row = KillSwitchRow(tenant_id=tenant_id)
        session.add(row)
    row.engaged, row.reason, row.changed_by, row.changed_at = engaged, reason[:1000], who.username, now
    if engaged:
        waiting = session.scalars(select(RunbookRunRow).where(
            RunbookRunRow.tenant_id == tenant_id,
            RunbookRunRow.status.in_([RunStatus.PENDING.value, RunStatus.AWAITING_APPROVAL.value])))
        for run in waiting:
            transition(session, run, RunStatus.SKIPPED, who.username,
                       "the tenant's remediation kill switch is engaged" + (f": {reason}" if reason else ""), now)
    session.flush()
    return _out(tenant_id, row)
