"""Incidents API: list, detail with timeline, and actions (acknowledge, assign, resolve, comment…)."""

from fastapi import APIRouter

from forewarn.bus import INCIDENT_CHANGES
from forewarn.incidents import IncidentAction, IncidentDetail, IncidentOut, act, get_incident, list_incidents
from forewarn.notify import DeliveryOut, delivery_log
from forewarn.web.api.v1.common import Limit, Offset, Page, page
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", response_model=Page[IncidentOut])
def list_(who: Who, session: SessionDep, tenant: str | None = None, status: str | None = None,
          asset: str | None = None, open: bool = False, limit: Limit = 100, offset: Offset = 0) -> dict:
    return page(*list_incidents(session, who, tenant, status, asset, open, limit, offset))


@router.get("/{incident_id}", response_model=IncidentDetail)
def get(incident_id: str, who: Who, session: SessionDep) -> IncidentDetail:
    return get_incident(session, who, incident_id)


@router.post("/{incident_id}/actions", response_model=IncidentDetail)
def action(incident_id: str, data: IncidentAction, who: Who, session: SessionDep,
           platform: PlatformDep) -> IncidentDetail:
    out = act(session, who, incident_id, data)
    session.commit()  # notify only about what is stored
    platform.publish_from_thread(INCIDENT_CHANGES, {"incident_id": incident_id, "action": data.action})
    return out


@router.get("/{incident_id}/deliveries", response_model=list[DeliveryOut])
def deliveries(incident_id: str, who: Who, session: SessionDep) -> list[DeliveryOut]:
    """The notification delivery log of the incident: every attempt, its status and error."""
    return delivery_log(session, who, incident_id)
