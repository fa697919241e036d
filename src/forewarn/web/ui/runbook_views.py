"""UI pages for runbooks: the list with enable/disable, and a YAML editor that validates before it saves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from forewarn.core.errors import ValidationFailed
from forewarn.remediation import (
    delete_runbook,
    get_runbook,
    list_runbooks,
    runbook_yaml,
    save_runbook_text,
    set_runbook_enabled,
)
from forewarn.web.deps import SessionDep
from forewarn.web.ui.render import render
from forewarn.web.ui.views import UiWho

router = APIRouter(include_in_schema=False)

# What "New runbook" starts from: a safe skeleton (dry run, approval) the technician fills in.
NEW_RUNBOOK = """\
name: my-runbook
description: What this fixes and why it is safe.
match:
  kind: [check]
  tags: [linux]
steps:
  - kind: restart_service
    service: nginx
verify:
  check: signal
guards:
  dry_run: true
  approval: true
  max_runs_per_hour: 1
"""


@router.get("/runbooks", response_class=HTMLResponse)
def runbooks_page(request: Request, who: UiWho, session: SessionDep) -> HTMLResponse:
    return render(request, "runbooks.html", runbooks=list_runbooks(session, who))


@router.post("/ui/runbooks/{runbook_id}/enabled", response_class=HTMLResponse)
def toggle(request: Request, runbook_id: str, who: UiWho, session: SessionDep,
           enabled: Annotated[bool, Form()]) -> HTMLResponse:
    set_runbook_enabled(session, who, runbook_id, enabled, request.app.state.platform.clock.now())
    session.flush()
    return render(request, "partials/runbook_rows.html", runbooks=list_runbooks(session, who))


@router.get("/runbooks/new", response_class=HTMLResponse)
def new_page(request: Request, who: UiWho) -> HTMLResponse:
    who.require_admin()
    return render(request, "runbook_edit.html", runbook=None, text=NEW_RUNBOOK, error=None, saved=False)


@router.get("/runbooks/{runbook_id}", response_class=HTMLResponse)
def edit_page(request: Request, runbook_id: str, who: UiWho, session: SessionDep) -> HTMLResponse:
    runbook = get_runbook(session, who, runbook_id)
    return render(request, "runbook_edit.html", runbook=runbook, text=runbook_yaml(runbook.definition),
                  error=None, saved=False)


@router.post("/ui/runbooks", response_class=HTMLResponse)
def save(request: Request, who: UiWho, session: SessionDep, text: Annotated[str, Form(max_length=200_000)],
         runbook_id: Annotated[str, Form()] = "") -> Response:
    """Saves the editor's YAML; on an error the editor comes back with the text kept and the error shown."""
    current = get_runbook(session, who, runbook_id) if runbook_id else None
    try:
        saved = save_runbook_text(session, who, runbook_id or None, text, request.app.state.platform.clock.now())
    except ValidationFailed as exc:
        session.rollback()  # nothing half-saved
        return render(request, "partials/runbook_form.html", 422, runbook=current, text=text, error=str(exc),
                      saved=False)
    session.commit()
    if current is None:  # a new runbook gets its own address
        return Response(status_code=204, headers={"HX-Redirect": f"/runbooks/{saved.id}"})
    return render(request, "partials/runbook_form.html", runbook=saved, text=runbook_yaml(saved.definition),
                  error=None, saved=True)


@router.post("/ui/runbooks/{runbook_id}/delete")
def delete(request: Request, runbook_id: str, who: UiWho, session: SessionDep) -> Response:
    delete_runbook(session, who, runbook_id)
    session.commit()
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": "/runbooks"})
    return RedirectResponse("/runbooks", status_code=303)
