"""UI for on-call: who is on call now per rota (with the rotas and policies), and an incident's escalation block."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from forewarn.auth import list_tenants
from forewarn.incidents import get_incident
from forewarn.notify import escalation_for_incident, list_policies, list_rotas, on_call_now
from forewarn.web.deps import PlatformDep, SessionDep
from forewarn.web.ui.render import render
from forewarn.web.ui.views import UiWho

router = APIRouter(include_in_schema=False)


@router.get("/oncall", response_class=HTMLResponse)
def oncall_page(request: Request, who: UiWho, session: SessionDep, platform: PlatformDep) -> HTMLResponse:
    now = platform.clock.now()
    tenants, _ = list_tenants(session, who, limit=1000)
    return render(request, "oncall.html", now=now, on_call=on_call_now(session, who, None, now),
                  rotas=list_rotas(session, who, None, now), policies=list_policies(session, who),
                  tenant_names={t.id: t.name for t in tenants})


@router.get("/ui/incidents/{incident_id}/escalation", response_class=HTMLResponse)
def escalation_block(request: Request, incident_id: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    incident = get_incident(session, who, incident_id)
    events = [e for e in incident.timeline if e.kind == "escalation"]
    return render(request, "partials/escalation.html", incident=incident,
                  escalation=escalation_for_incident(session, who, incident_id), events=events)
