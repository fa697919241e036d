"""Incidents API: list, detail with timeline, and actions (acknowledge, assign, resolve, comment…)."""

from fastapi import APIRouter

from forewarn.incidents import IncidentAction, IncidentDetail, IncidentOut, act, get_incident, list_incidents
from forewarn.web.api.v1.common import Limit, Offset, Page, page
from forewarn.web.deps import SessionDep, Who

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", response_model=Page[IncidentOut])
def list_(who: Who, session: SessionDep, tenant: str | None = None, status: str | None = None,
          asset: str | None = None, open: bool = False, limit: Limit = 100, offset: Offset = 0) -> dict:
    return page(*list_incidents(session, who, tenant, status, asset, open, limit, offset))


@router.get("/{incident_id}", response_model=IncidentDetail)
def get(incident_id: str, who: Who, session: SessionDep) -> IncidentDetail:
    return get_incident(session, who, incident_id)


@router.post("/{incident_id}/actions", response_model=IncidentDetail)
def action(incident_id: str, data: IncidentAction, who: Who, session: SessionDep) -> IncidentDetail:
    return act(session, who, incident_id, data)
