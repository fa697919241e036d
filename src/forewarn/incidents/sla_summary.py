"""Per-tenant SLA figures: breaches by kind and priority, targets met, open incidents at risk."""

from __future__ import annotations

from sqlalchemy import false, func, select, true
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.incidents.models import IncidentRow, IncidentSlaRow, SlaBreachRow
from forewarn.incidents.schemas import SlaSummaryOut
from forewarn.incidents.sla import KINDS
from forewarn.incidents.state import OPEN_STATUSES
from forewarn.inventory import get_sla_policy

_OPEN = [s.value for s in OPEN_STATUSES]


def sla_summary(session: Session, who: Principal, tenant: str, since: float | None = None) -> SlaSummaryOut:
    """Counts for incidents opened since `since` (all time without it)."""
    tenant_id = resolve_tenant_id(session, who, tenant)
    base = select(IncidentSlaRow).join(IncidentRow, IncidentRow.id == IncidentSlaRow.incident_id).where(
        IncidentSlaRow.tenant_id == tenant_id)
    if since is not None:
        base = base.where(IncidentRow.opened_at >= since)
    breaches = select(SlaBreachRow.kind, SlaBreachRow.priority, func.count()).join(
        IncidentRow, IncidentRow.id == SlaBreachRow.incident_id).where(SlaBreachRow.tenant_id == tenant_id)
    if since is not None:
        breaches = breaches.where(IncidentRow.opened_at >= since)
    by_kind = dict.fromkeys(KINDS, 0)
    by_priority: dict[str, int] = {}
    for kind, priority, n in session.execute(breaches.group_by(SlaBreachRow.kind, SlaBreachRow.priority)):
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_priority[priority] = by_priority.get(priority, 0) + n
    met = {}
    for kind in KINDS:
        stop = IncidentRow.acknowledged_at if kind == "response" else IncidentRow.resolved_at
        met[kind] = _count(session, base.where(stop.is_not(None),
                                               getattr(IncidentSlaRow, f"{kind}_breached") == false()))
    at_risk = _count(session, base.where(IncidentRow.status.in_(_OPEN), IncidentSlaRow.resolution_breached == false(),
                                         (IncidentSlaRow.response_warned == true())
                                         | (IncidentSlaRow.resolution_warned == true())))
    open_breached = _count(session, base.where(IncidentRow.status.in_(_OPEN),
                                               (IncidentSlaRow.response_breached == true())
                                               | (IncidentSlaRow.resolution_breached == true())))
    return SlaSummaryOut(tenant_id=tenant_id, policy=get_sla_policy(session, who, tenant_id), since=since,
                         incidents=_count(session, base), breaches=sum(by_kind.values()), breaches_by_kind=by_kind,
                         breaches_by_priority=dict(sorted(by_priority.items())), met=met, at_risk=at_risk,
                         open_breached=open_breached)


def _count(session: Session, stmt) -> int:  # noqa: ANN001 - a select
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
