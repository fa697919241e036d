"""The periodic SLA tick: keeps open incidents' priority, timers, warnings and breaches current.

Idempotent: every step acts only on rows whose state says it is due (stale impact, a newer policy, a
timer past its warning or due instant that is not yet flagged), so running it twice changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.core.enums import IncidentStatus
from forewarn.incidents.models import IncidentRow, IncidentSlaRow
from forewarn.incidents.priority import assign_priority, is_stale
from forewarn.incidents.sla import record_breaches, record_warnings, refresh_timers
from forewarn.inventory import sla_policies

_OPEN = [IncidentStatus.NEW.value, IncidentStatus.ACKNOWLEDGED.value]


def sla_tick(session: Session, now: float) -> list[str]:
    """One round at `now` (the platform clock); returns the incidents that got a timeline event."""
    # populate_existing: correlation writes in bulk SQL, so rows already in this session may be stale.
    rows = session.scalars(select(IncidentRow).where(IncidentRow.status.in_(_OPEN))
                           .execution_options(populate_existing=True)).all()
    touched = {row.id for row in rows if is_stale(row) and assign_priority(session, row, now)}
    _reconcile(session, list(rows), now)
    session.flush()
    touched |= record_warnings(session, now)
    touched |= record_breaches(session, now)
    session.flush()
    return sorted(touched)


def _reconcile(session: Session, rows: list[IncidentRow], now: float) -> None:
    """Timers follow the current priority and policy: created, recomputed or dropped where they differ."""
    if not rows:
        return
    policies = sla_policies(session, {r.tenant_id for r in rows})
    slas = {s.incident_id: s for s in session.scalars(
        select(IncidentSlaRow).where(IncidentSlaRow.incident_id.in_([r.id for r in rows])))}
    for row in rows:
        policy, sla = policies.get(row.tenant_id), slas.get(row.id)
        wanted = policy is not None and row.priority in policy.targets
        if wanted and (sla is None or sla.priority != row.priority or sla.policy_updated_at != policy.updated_at):
            refresh_timers(session, row, now, policy)
        elif not wanted and sla is not None:
            session.delete(sla)


def refresh_tenant_timers(session: Session, tenant_id: str, now: float) -> int:
    """After a policy change: the tenant's open incidents get timers under it at once (not at the next tick)."""
    rows = list(session.scalars(select(IncidentRow).where(IncidentRow.tenant_id == tenant_id,
                                                          IncidentRow.status.in_(_OPEN))
                              .execution_options(populate_existing=True)).all())
    _reconcile(session, rows, now)
    session.flush()
    return len(rows)
