"""UI for on-call: who is on call now, htmx forms for rotas, overrides and escalation policies; incident escalation."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from forewarn.auth import Principal, list_tenants, list_users
from forewarn.core.errors import ConflictError, ValidationFailed
from forewarn.incidents import get_incident
from forewarn.notify import (
    OverrideIn,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
    RotaIn,
    RotaPatch,
    add_override,
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
    next_handoff,
    on_call_now,
    update_policy,
    update_rota,
)
from forewarn.web.deps import PlatformDep, SessionDep
from forewarn.web.ui import oncall_forms as forms
from forewarn.web.ui.render import render
from forewarn.web.ui.views import UiWho

router = APIRouter(include_in_schema=False)


async def _form_data(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


FormData = Annotated[dict[str, list[str]], Depends(_form_data)]


def _local(ts: float | None, tz: str) -> str:
    """A moment as wall-clock time in a rota's zone, which is how its handoff and overrides are written."""
    if ts is None:
        return "—"
    return datetime.fromtimestamp(ts, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M %Z")


def _refused(request: Request, session: Session, who: Principal, now: float, template: str,
             exc: ValidationFailed | ConflictError, **context: Any) -> HTMLResponse:
    """The form again with the posted values and the error next to it; the transaction is undone (422)."""
    session.rollback()  # nothing half-applied: a partial update of the row is thrown away
    # Read after the rollback, in a clean transaction; only the override form picks a rota.
    context = {**_form_context(session, who, now, rotas="override" in template), **context}
    where = exc.where if isinstance(exc, ValidationFailed) else "name"  # a conflict is always a taken name
    message = str(exc) if isinstance(exc, ValidationFailed) else f"name: {exc}"
    field = re.split(r"[\[.]", where or "")[0]
    return render(request, template, 422, error=message, error_field=field, **context)


def _reload() -> Response:
    return Response(status_code=204, headers={"HX-Redirect": "/oncall"})


# ---- the page ---------------------------------------------------------------------------------------------


@router.get("/oncall", response_class=HTMLResponse)
def oncall_page(request: Request, who: UiWho, session: SessionDep, platform: PlatformDep) -> HTMLResponse:
    now = platform.clock.now()
    tenants, _ = list_tenants(session, who, limit=1000)
    rotas = list_rotas(session, who, None, now)
    editable = who.role.can_write
    first = tenants[0].id if tenants else ""  # the new-rota and new-policy forms start on the first client
    return render(request, "oncall.html", now=now, on_call=on_call_now(session, who, None, now), rotas=rotas,
                  policies=list_policies(session, who), tenants=tenants,
                  tenant_names={t.id: t.name for t in tenants}, handoffs={r.id: next_handoff(r, now) for r in rotas},
                  local=_local, editable=editable, **(_choices(session, who) if editable else {}),
                  rota_form=forms.rota_values(None, first, now), override_form={},
                  policy_form=forms.policy_values(None, first), error=None, error_field="",
                  targets=forms.TARGETS, severities=forms.SEVERITIES, priorities=forms.PRIORITIES)


def _choices(session: Session, who: Principal) -> dict[str, Any]:
    """Suggestions for the forms (writers only: clients never see the MSP's user list)."""
    return {"usernames": [u.username for u in list_users(session)], "zones": _zones()}


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))  # ~50 ms: it walks the tz database, so once per process


def _form_context(session: Session, who: Principal, now: float, rotas: bool = False) -> dict[str, Any]:
    """What a re-rendered form needs besides its values: the visible tenants (and rotas for the override form)."""
    tenants, _ = list_tenants(session, who, limit=1000)
    return {"tenants": tenants, "tenant_names": {t.id: t.name for t in tenants},
            "rotas": list_rotas(session, who, None, now) if rotas else [],
            "editable": who.role.can_write, "targets": forms.TARGETS, "severities": forms.SEVERITIES,
            "priorities": forms.PRIORITIES}


# ---- rotas ------------------------------------------------------------------------------------------------


@router.get("/ui/oncall/rotas/{rota_id}/edit", response_class=HTMLResponse)
def rota_edit_form(request: Request, rota_id: str, who: UiWho, session: SessionDep,
                   platform: PlatformDep) -> HTMLResponse:
    now = platform.clock.now()
    rota = get_rota(session, who, rota_id, now)
    who.require_write()
    return render(request, "partials/oncall_rota_form.html", rota=rota, form=forms.rota_values(rota, "", now),
                  error=None, error_field="", **_form_context(session, who, now))


@router.post("/ui/oncall/rotas", response_class=HTMLResponse)
def rota_create(request: Request, who: UiWho, session: SessionDep, platform: PlatformDep,
                form: FormData) -> Response:
    now, values = platform.clock.now(), forms.posted_rota(form)
    try:
        if not values["tenant"]:
            raise ValidationFailed("choose the client this rota belongs to", where="tenant")
        create_rota(session, who, values["tenant"], forms.validated(RotaIn, forms.rota_data(values)), now)
    except (ValidationFailed, ConflictError) as exc:
        return _refused(request, session, who, now, "partials/oncall_rota_form.html", exc, rota=None, form=values)
    return _reload()


@router.post("/ui/oncall/rotas/{rota_id}", response_class=HTMLResponse)
def rota_update(request: Request, rota_id: str, who: UiWho, session: SessionDep, platform: PlatformDep,
                form: FormData) -> Response:
    now, values = platform.clock.now(), forms.posted_rota(form)
    rota = get_rota(session, who, rota_id, now)  # 404 before anything else for another tenant's rota
    try:
        update_rota(session, who, rota_id, forms.validated(RotaPatch, forms.rota_data(values)), now)
    except (ValidationFailed, ConflictError) as exc:
        return _refused(request, session, who, now, "partials/oncall_rota_form.html", exc, rota=rota,
                        form={**values, "tenant": rota.tenant_id})
    return _reload()


@router.post("/ui/oncall/rotas/{rota_id}/delete")
def rota_delete(rota_id: str, who: UiWho, session: SessionDep) -> Response:
    delete_rota(session, who, rota_id)
    return _reload()


# ---- overrides --------------------------------------------------------------------------------------------


@router.post("/ui/oncall/overrides", response_class=HTMLResponse)
def override_create(request: Request, who: UiWho, session: SessionDep, platform: PlatformDep,
                    form: FormData) -> Response:
    """"<user> covers <rota> from … to …": the datetime-local values carry no offset, so the service reads
    them in the rota's time zone (the zone its handoffs are written in), not the browser's or UTC."""
    now = platform.clock.now()
    values = {key: forms.one(form, key) for key in ("rota", "user", "starts_at", "ends_at")}
    try:
        if not values["rota"]:
            raise ValidationFailed("choose the rota to cover", where="rota")
        data = forms.validated(OverrideIn, {k: values[k] for k in ("user", "starts_at", "ends_at")})
        add_override(session, who, values["rota"], data, now)
    except ValidationFailed as exc:
        return _refused(request, session, who, now, "partials/oncall_override_form.html", exc, override_form=values)
    return _reload()


@router.post("/ui/oncall/rotas/{rota_id}/overrides/{override_id}/delete")
def override_delete(rota_id: str, override_id: str, who: UiWho, session: SessionDep,
                    platform: PlatformDep) -> Response:
    delete_override(session, who, rota_id, override_id, platform.clock.now())
    return _reload()


# ---- escalation policies ----------------------------------------------------------------------------------


def _save_policy(session: Session, who: Principal, values: dict[str, Any], policy: PolicyOut | None,
                 now: float) -> None:
    data, rows = forms.policy_data(values)
    try:
        if policy is None:
            if not values["tenant"]:
                raise ValidationFailed("choose the client this policy belongs to", where="tenant")
            create_policy(session, who, values["tenant"], forms.validated(PolicyIn, data), now)
        else:
            update_policy(session, who, policy.id, forms.validated(PolicyPatch, data), now)
    except ValidationFailed as exc:
        raise forms.on_rows(exc, rows) from None


@router.get("/ui/oncall/policies/{policy_id}/edit", response_class=HTMLResponse)
def policy_edit_form(request: Request, policy_id: str, who: UiWho, session: SessionDep,
                     platform: PlatformDep) -> HTMLResponse:
    policy = get_policy(session, who, policy_id)
    who.require_write()
    return render(request, "partials/oncall_policy_form.html", policy=policy, form=forms.policy_values(policy, ""),
                  error=None, error_field="", **_form_context(session, who, platform.clock.now()))


@router.post("/ui/oncall/policies", response_class=HTMLResponse)
def policy_create(request: Request, who: UiWho, session: SessionDep, platform: PlatformDep,
                  form: FormData) -> Response:
    now, values = platform.clock.now(), forms.posted_policy(form)
    try:
        _save_policy(session, who, values, None, now)
    except (ValidationFailed, ConflictError) as exc:
        return _refused(request, session, who, now, "partials/oncall_policy_form.html", exc, policy=None,
                        form=values)
    return _reload()


@router.post("/ui/oncall/policies/{policy_id}", response_class=HTMLResponse)
def policy_update(request: Request, policy_id: str, who: UiWho, session: SessionDep, platform: PlatformDep,
                  form: FormData) -> Response:
    now, values = platform.clock.now(), forms.posted_policy(form)
    policy = get_policy(session, who, policy_id)  # 404 before anything else for another tenant's policy
    try:
        _save_policy(session, who, values, policy, now)
    except (ValidationFailed, ConflictError) as exc:
        # The rows are kept as posted (blank ones too) so a steps[i] error still points at row i.
        return _refused(request, session, who, now, "partials/oncall_policy_form.html", exc, policy=policy,
                        form={**values, "tenant": policy.tenant_id})
    return _reload()


@router.post("/ui/oncall/policies/{policy_id}/delete")
def policy_delete(policy_id: str, who: UiWho, session: SessionDep) -> Response:
    delete_policy(session, who, policy_id)
    return _reload()


# ---- an incident's escalation -----------------------------------------------------------------------------


@router.get("/ui/incidents/{incident_id}/escalation", response_class=HTMLResponse)
def escalation_block(request: Request, incident_id: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    incident = get_incident(session, who, incident_id)
    events = [e for e in incident.timeline if e.kind == "escalation"]
    return render(request, "partials/escalation.html", incident=incident,
                  escalation=escalation_for_incident(session, who, incident_id), events=events)
