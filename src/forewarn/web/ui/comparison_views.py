"""The tenant's comparison page: the last stored run's table and charts, and a button that starts a new run."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from forewarn.auth import Principal, get_tenant
from forewarn.runtime.comparison_run import start_comparison
from forewarn.simulation.report import charts_script, render_body
from forewarn.simulation.store import RUNNING, latest_run
from forewarn.web.deps import SessionDep
from forewarn.web.ui.render import render
from forewarn.web.ui.views import UiWho

router = APIRouter(include_in_schema=False)


def _context(session: SessionDep, who: Principal, ref: str) -> dict:
    tenant = get_tenant(session, who, ref)
    run = latest_run(session, who, tenant.id)
    return {"tenant": tenant, "run": run, "running": latest_run(session, who, tenant.id, status=RUNNING),
            "failed": latest_run(session, who, tenant.id, status="failed"),
            "body": render_body(run.result) if run is not None and run.result else None}


@router.get("/tenants/{ref}/comparison", response_class=HTMLResponse)
def comparison_page(request: Request, ref: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "comparison.html", charts_js=charts_script(), **_context(session, who, ref))


@router.get("/ui/tenants/{ref}/comparison/status", response_class=HTMLResponse)
def comparison_status(request: Request, ref: str, who: UiWho, session: SessionDep,
                      shown: str = "") -> Response:
    context = _context(session, who, ref)
    if context["run"] is not None and context["run"].id != shown:
        return Response(status_code=204, headers={"HX-Refresh": "true"})  # a newer run finished: reload
    return render(request, "partials/comparison_status.html", **context)


@router.post("/ui/tenants/{ref}/comparison/run", response_class=HTMLResponse)
def comparison_run(request: Request, ref: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    start_comparison(request.app.state.platform.db, who, ref)
    return render(request, "partials/comparison_status.html", **_context(session, who, ref))
