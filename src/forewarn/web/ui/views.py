"""UI pages: login, overview, tenant, asset, incidents; fragments refresh live through htmx polling."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from forewarn.alerting import SilenceIn, create_silence, delete_silence, list_silences, signals_by_ids
from forewarn.auth import Principal, authenticate, get_tenant, list_users
from forewarn.bus import INCIDENT_CHANGES, RUNBOOK_RUNS
from forewarn.core.errors import ValidationFailed
from forewarn.incidents import IncidentAction, act, get_incident, list_incidents
from forewarn.inventory import get_asset, list_assets, list_dependencies
from forewarn.monitoring import check_history, list_checks
from forewarn.remediation import approve, reject, runs_for_incident
from forewarn.web.deps import SessionDep, optional_principal
from forewarn.web.ui.queries import asset_names, overview, tenant_view
from forewarn.web.ui.render import render

router = APIRouter(include_in_schema=False)


def ui_principal(request: Request, who: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if who is None:
        raise HTTPException(401, "log in first")
    request.state.who = who
    return who


UiWho = Annotated[Principal, Depends(ui_principal)]


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    request.session.setdefault("csrf", secrets.token_urlsafe(24))
    return render(request, "login.html", next=_safe_next(next), error=None)


def _safe_next(target: str) -> str:
    # Only same-site paths: an open redirect after login would help phishing.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, username: Annotated[str, Form()],
          password: Annotated[str, Form()], csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:
    if not secrets.compare_digest(request.session.get("csrf", ""), csrf_token):
        return render(request, "login.html", 403, next=_safe_next(next),
                      error="The form expired; please try again.")
    client = request.client.host if request.client else "?"
    if not request.app.state.login_limiter.allow(f"{client}:{username.lower()}"):
        return render(request, "login.html", 429, next=_safe_next(next),
                      error="Too many attempts; wait a minute and try again.")
    who = authenticate(session, username, password)
    if who is None:
        return render(request, "login.html", 401, next=_safe_next(next), error="Wrong username or password.")
    request.session.clear()
    request.session.update({"uid": who.user_id, "csrf": secrets.token_urlsafe(24)})
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, who: UiWho) -> Response:
    request.session.clear()
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": "/login"})
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "overview.html", **overview(session, who))


@router.get("/ui/overview", response_class=HTMLResponse)
def overview_fragment(request: Request, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "partials/overview_body.html", **overview(session, who))


@router.get("/tenants/{ref}", response_class=HTMLResponse)
def tenant_page(request: Request, ref: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "tenant.html", tenant=get_tenant(session, who, ref), **tenant_view(session, who, ref))


@router.get("/ui/tenants/{ref}", response_class=HTMLResponse)
def tenant_fragment(request: Request, ref: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "partials/tenant_body.html", tenant=get_tenant(session, who, ref),
                  **tenant_view(session, who, ref))


def _asset_context(session: SessionDep, who: Principal, asset_id: str) -> dict:
    asset = get_asset(session, who, asset_id)
    checks, _ = list_checks(session, who, asset=asset.id, limit=1000)
    history = sorted((r for c in checks for r in check_history(session, who, c.id, limit=20)),
                     key=lambda r: r.ts, reverse=True)[:30]
    deps, _ = list_dependencies(session, who, asset=asset.id, limit=1000)
    names = asset_names(session, {d.asset_id for d in deps} | {d.depends_on_id for d in deps})
    incidents, _ = list_incidents(session, who, asset=asset.id, limit=20)
    return {"asset": asset, "checks": checks, "history": history, "deps": deps, "names": names,
            "check_names": {c.id: c.name for c in checks}, "incidents": incidents,
            "tenant": get_tenant(session, who, asset.tenant_id)}


@router.get("/assets/{asset_id}", response_class=HTMLResponse)
def asset_page(request: Request, asset_id: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "asset.html", **_asset_context(session, who, asset_id))


@router.get("/ui/assets/{asset_id}", response_class=HTMLResponse)
def asset_fragment(request: Request, asset_id: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "partials/asset_status.html", **_asset_context(session, who, asset_id))


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, who: UiWho, session: SessionDep, status: str | None = None,
                   priority: str | None = None) -> HTMLResponse:
    items, total = list_incidents(session, who, status=status or None, limit=200, priority=priority or None)
    return render(request, "incidents.html", incidents=items, total=total, status=status or "",
                  names=asset_names(session, {i.asset_id for i in items if i.asset_id}))


@router.get("/ui/incidents", response_class=HTMLResponse)
def incidents_fragment(request: Request, who: UiWho, session: SessionDep, status: str | None = None,
                       priority: str | None = None) -> HTMLResponse:
    items, total = list_incidents(session, who, status=status or None, limit=200, priority=priority or None)
    return render(request, "partials/incident_rows.html", incidents=items, total=total,
                  names=asset_names(session, {i.asset_id for i in items if i.asset_id}))


def _incident_context(session: SessionDep, who: Principal, incident_id: str) -> dict:
    incident = get_incident(session, who, incident_id)
    users = [u.username for u in list_users(session) if u.role.value != "client"] if who.all_tenants else []
    signals = signals_by_ids(session, who, incident.signal_ids)
    return {"incident": incident, "users": users, "runs": runs_for_incident(session, who, incident.id), "signals": sorted(signals, key=lambda s: s.first_seen),
            "names": asset_names(session, {s.asset_id for s in signals} | ({incident.asset_id} - {None})),
            "tenant": get_tenant(session, who, incident.tenant_id)}


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "incident.html", **_incident_context(session, who, incident_id))


@router.get("/ui/incidents/{incident_id}", response_class=HTMLResponse)
def incident_fragment(request: Request, incident_id: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "partials/incident_body.html", **_incident_context(session, who, incident_id))


@router.post("/ui/incidents/{incident_id}/actions", response_class=HTMLResponse)
def incident_action(request: Request, incident_id: str, who: UiWho, session: SessionDep,
                    action: Annotated[str, Form()], message: Annotated[str, Form()] = "",
                    assignee: Annotated[str, Form()] = "", priority: Annotated[str, Form()] = "",
                    other: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "",
                    signal_ids: Annotated[list[str] | None, Form()] = None,
                    title: Annotated[str, Form()] = "") -> Response:
    try:
        data = IncidentAction(action=action, message=message, assignee=assignee or None, priority=priority or None,
                              other=other.strip() or None, kind=kind or None, signal_ids=signal_ids or [],
                              title=title or None)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValidationFailed(err["msg"], where=".".join(str(p) for p in err["loc"]) or "action") from exc
    platform = request.app.state.platform
    out = act(session, who, incident_id, data, platform.clock.now())
    session.commit()  # notify only about what is stored
    for changed in dict.fromkeys((incident_id, out.id, data.other if data.action == "merge" else None)):
        if changed:
            platform.publish_from_thread(INCIDENT_CHANGES, {"incident_id": changed, "action": data.action})
    if out.id != incident_id:  # a split: go to the new incident
        return Response(status_code=204, headers={"HX-Redirect": f"/incidents/{out.id}"})
    return render(request, "partials/incident_body.html", **_incident_context(session, who, incident_id))


def _silence_context(session: SessionDep, who: Principal, ref: str) -> dict:
    tenant = get_tenant(session, who, ref)
    assets, _ = list_assets(session, who, tenant=tenant.id, limit=10_000)
    return {"tenant": tenant, "silences": list_silences(session, who, tenant.id), "assets": assets,
            "names": {a.id: a.name for a in assets}}


@router.get("/ui/tenants/{ref}/silences", response_class=HTMLResponse)
def silences_fragment(request: Request, ref: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "partials/silences.html", **_silence_context(session, who, ref))


@router.post("/ui/tenants/{ref}/silences", response_class=HTMLResponse)
def silence_create(request: Request, ref: str, who: UiWho, session: SessionDep,
                   starts: Annotated[str, Form()], hours: Annotated[float, Form()],
                   scope: Annotated[str, Form()] = "", recurrence: Annotated[str, Form()] = "none",
                   reason: Annotated[str, Form()] = "") -> HTMLResponse:
    """`scope` is "" (whole tenant), "asset:<id>" or "tag:<tag>"; times are UTC."""
    try:
        start = datetime.fromisoformat(starts).replace(tzinfo=UTC).timestamp()
        kind, _, value = scope.partition(":")
        data = SilenceIn(tenant=ref, asset=value if kind == "asset" else None, tag=value if kind == "tag" else None,
                         starts_at=start, ends_at=start + hours * 3600, recurrence=recurrence, reason=reason)
    except (ValueError, ValidationError) as exc:
        raise ValidationFailed(f"invalid maintenance window: {exc}", where="starts") from exc
    create_silence(session, who, data)
    session.flush()
    return render(request, "partials/silences.html", **_silence_context(session, who, ref))


@router.post("/ui/silences/{silence_id}/delete", response_class=HTMLResponse)
def silence_delete(request: Request, silence_id: str, who: UiWho, session: SessionDep,
                   tenant: Annotated[str, Form()]) -> HTMLResponse:
    delete_silence(session, who, silence_id)
    session.flush()
    return render(request, "partials/silences.html", **_silence_context(session, who, tenant))


@router.post("/ui/runs/{run_id}/{decision}", response_class=HTMLResponse)
def run_decision(request: Request, run_id: str, decision: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    platform = request.app.state.platform
    if decision == "approve":
        out = approve(session, who, run_id, clock=platform.clock)
        session.commit()  # execute only what is stored as approved
        platform.publish_from_thread(RUNBOOK_RUNS, run_id)
    elif decision == "reject":
        out = reject(session, who, run_id, "rejected in the UI", clock=platform.clock)
    else:
        raise ValidationFailed("decision must be approve or reject", where="decision")
    return render(request, "partials/incident_body.html", **_incident_context(session, who, out.incident_id))
