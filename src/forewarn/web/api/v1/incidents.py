"""Incidents API: list (filter by priority, worst first), detail with timeline, links and SLA timers, and actions
(acknowledge, assign, resolve, comment, set_priority, link, merge, split…)."""

from typing import Annotated

from fastapi import APIRouter, Query

from forewarn.bus import INCIDENT_CHANGES
from forewarn.incidents import IncidentAction, IncidentDetail, IncidentOut, act, get_incident, list_incidents
from forewarn.notify import DeliveryOut, delivery_log
from forewarn.web.api.v1.common import Limit, Offset, Page, page
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", response_model=Page[IncidentOut])
def list_(who: Who, session: SessionDep, platform: PlatformDep, tenant: str | None = None,
          status: str | None = None, asset: str | None = None, open: bool = False,
          priority: Annotated[str | None, Query(description="P1..P4, comma-separated")] = None,
          limit: Limit = 100, offset: Offset = 0) -> dict:
    """Worst first: open before closed, then priority, severity, newest."""
    return page(*list_incidents(session, who, tenant, status, asset, open, limit, offset, priority,
                                now=platform.clock.now()))


@router.get("/{incident_id}", response_model=IncidentDetail)
def get(incident_id: str, who: Who, session: SessionDep, platform: PlatformDep) -> IncidentDetail:
    return get_incident(session, who, incident_id, platform.clock.now())


@router.post("/{incident_id}/actions", response_model=IncidentDetail)
def action(incident_id: str, data: IncidentAction, who: Who, session: SessionDep,
           platform: PlatformDep) -> IncidentDetail:
    """Lifecycle, assign, comment, set_priority, link/unlink, merge (`other` into this) and split (returns the
    new incident)."""
    out = act(session, who, incident_id, data, platform.clock.now())
    session.commit()  # notify only about what is stored
    for changed in dict.fromkeys((incident_id, out.id, data.other if data.action == "merge" else None)):
        if changed:
            platform.publish_from_thread(INCIDENT_CHANGES, {"incident_id": changed, "action": data.action})
    return out


@router.get("/{incident_id}/deliveries", response_model=list[DeliveryOut])
def deliveries(incident_id: str, who: Who, session: SessionDep) -> list[DeliveryOut]:
    """The notification delivery log of the incident: every attempt, its status and error."""
    return delivery_log(session, who, incident_id)
