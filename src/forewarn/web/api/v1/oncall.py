"""On-call rotas, overrides, escalation policies, who is on call now, an incident's escalation, page addresses."""

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from forewarn.core.errors import ValidationFailed
from forewarn.notify import (
    ContactIn,
    ContactOut,
    EscalationOut,
    OnCallNow,
    OverrideIn,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
    RotaIn,
    RotaOut,
    RotaPatch,
    add_override,
    apply_escalation,
    create_policy,
    create_rota,
    delete_override,
    delete_policy,
    delete_rota,
    escalation_for_incident,
    get_policy,
    get_rota,
    list_policies,
    list_rotas,
    on_call_now,
    set_contact,
    update_policy,
    update_rota,
)
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(tags=["on-call and escalation"])


@router.get("/rotas", response_model=list[RotaOut])
def rotas(who: Who, session: SessionDep, platform: PlatformDep, tenant: str | None = None) -> list[RotaOut]:
    return list_rotas(session, who, tenant, platform.clock.now())


@router.post("/rotas", response_model=RotaOut, status_code=201)
def rota_create(tenant: str, data: RotaIn, who: Who, session: SessionDep, platform: PlatformDep) -> RotaOut:
    return create_rota(session, who, tenant, data, platform.clock.now())


@router.get("/rotas/{rota_id}", response_model=RotaOut)
def rota_get(rota_id: str, who: Who, session: SessionDep, platform: PlatformDep) -> RotaOut:
    return get_rota(session, who, rota_id, platform.clock.now())


@router.patch("/rotas/{rota_id}", response_model=RotaOut)
def rota_patch(rota_id: str, data: RotaPatch, who: Who, session: SessionDep, platform: PlatformDep) -> RotaOut:
    return update_rota(session, who, rota_id, data, platform.clock.now())


@router.delete("/rotas/{rota_id}", status_code=204)
def rota_delete(rota_id: str, who: Who, session: SessionDep) -> Response:
    delete_rota(session, who, rota_id)
    return Response(status_code=204)


@router.post("/rotas/{rota_id}/overrides", response_model=RotaOut, status_code=201)
def override_add(rota_id: str, data: OverrideIn, who: Who, session: SessionDep, platform: PlatformDep) -> RotaOut:
    return add_override(session, who, rota_id, data, platform.clock.now())


@router.delete("/rotas/{rota_id}/overrides/{override_id}", response_model=RotaOut)
def override_delete(rota_id: str, override_id: str, who: Who, session: SessionDep, platform: PlatformDep) -> RotaOut:
    return delete_override(session, who, rota_id, override_id, platform.clock.now())


@router.get("/oncall", response_model=list[OnCallNow])
def oncall(who: Who, session: SessionDep, platform: PlatformDep, tenant: str | None = None) -> list[OnCallNow]:
    return on_call_now(session, who, tenant, platform.clock.now())


@router.get("/escalation-policies", response_model=list[PolicyOut])
def policies(who: Who, session: SessionDep, tenant: str | None = None) -> list[PolicyOut]:
    return list_policies(session, who, tenant)


@router.post("/escalation-policies", response_model=PolicyOut, status_code=201)
def policy_create(tenant: str, data: PolicyIn, who: Who, session: SessionDep, platform: PlatformDep) -> PolicyOut:
    return create_policy(session, who, tenant, data, platform.clock.now())


@router.get("/escalation-policies/{policy_id}", response_model=PolicyOut)
def policy_get(policy_id: str, who: Who, session: SessionDep) -> PolicyOut:
    return get_policy(session, who, policy_id)


@router.patch("/escalation-policies/{policy_id}", response_model=PolicyOut)
def policy_patch(policy_id: str, data: PolicyPatch, who: Who, session: SessionDep,
                 platform: PlatformDep) -> PolicyOut:
    return update_policy(session, who, policy_id, data, platform.clock.now())


@router.delete("/escalation-policies/{policy_id}", status_code=204)
def policy_delete(policy_id: str, who: Who, session: SessionDep) -> Response:
    delete_policy(session, who, policy_id)
    return Response(status_code=204)


@router.get("/incidents/{incident_id}/escalation", response_model=EscalationOut | None)
def incident_escalation(incident_id: str, who: Who, session: SessionDep) -> EscalationOut | None:
    return escalation_for_incident(session, who, incident_id)


@router.put("/users/{username}/email", response_model=ContactOut)
def user_email(username: str, data: ContactIn, who: Who, session: SessionDep) -> ContactOut:
    return set_contact(session, who, username, data.email)


class ImportOut(BaseModel):
    created: list[str]
    updated: list[str]
    unchanged: list[str]


@router.post("/oncall/import", response_model=ImportOut)
async def import_yaml(request: Request, who: Who, session: SessionDep, platform: PlatformDep) -> ImportOut:
    """Apply an on-call YAML document (contacts, rotas, policies; see notify.escalation_yaml), all or nothing."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("the body must be UTF-8 YAML", where="body") from None
    report = await run_in_threadpool(apply_escalation, session, who, text, "body", platform.clock.now())
    return ImportOut(created=report.created, updated=report.updated, unchanged=report.unchanged)
