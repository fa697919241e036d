"""Tenant SLA API: the policy (targets per priority, business hours, holidays) and the breach counts."""

from fastapi import APIRouter, Response

from forewarn.auth import resolve_tenant_id
from forewarn.incidents import SlaSummaryOut, refresh_tenant_timers, sla_summary
from forewarn.inventory import SlaPolicyIn, SlaPolicyOut, delete_sla_policy, set_sla_policy
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(prefix="/tenants", tags=["sla"])


@router.get("/{ref}/sla", response_model=SlaSummaryOut)
def summary(ref: str, who: Who, session: SessionDep, since: float | None = None) -> SlaSummaryOut:
    """The policy and the counts: breaches by kind and priority, targets met, open incidents at risk."""
    return sla_summary(session, who, ref, since)


@router.put("/{ref}/sla", response_model=SlaPolicyOut)
def put(ref: str, data: SlaPolicyIn, who: Who, session: SessionDep, platform: PlatformDep) -> SlaPolicyOut:
    """Replace the policy; open incidents get timers under it at once."""
    now = platform.clock.now()
    out, changed = set_sla_policy(session, who, ref, data, now)
    if changed:
        refresh_tenant_timers(session, out.tenant_id, now)
    return out


@router.delete("/{ref}/sla", status_code=204)
def delete(ref: str, who: Who, session: SessionDep, platform: PlatformDep) -> Response:
    """Remove the policy; open incidents lose their timers (recorded breaches stay)."""
    if delete_sla_policy(session, who, ref):
        refresh_tenant_timers(session, resolve_tenant_id(session, who, ref), platform.clock.now())
    return Response(status_code=204)
