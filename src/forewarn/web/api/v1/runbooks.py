"""Runbooks API: load YAML, list, runs per incident with their steps, approve/reject, the tenant kill switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from forewarn.bus import RUNBOOK_RUNS
from forewarn.core.errors import ValidationFailed
from forewarn.remediation import (
    KillSwitchOut,
    RunbookOut,
    RunDetail,
    RunOut,
    approve,
    get_kill_switch,
    get_run,
    list_runbooks,
    load_runbooks,
    reject,
    runs_for_incident,
    set_kill_switch,
)
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(tags=["runbooks"])


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=1000)


class KillSwitchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engaged: bool
    reason: str = Field(default="", max_length=1000)


@router.get("/runbooks", response_model=list[RunbookOut])
def list_(who: Who, session: SessionDep) -> list[RunbookOut]:
    return list_runbooks(session, who)


@router.post("/runbooks", response_model=list[RunbookOut], status_code=201)
async def load(request: Request, who: Who, session: SessionDep, platform: PlatformDep) -> list[RunbookOut]:
    """Body: runbook YAML (`runbooks: [...]`); errors name the line; all or nothing."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the body must be UTF-8 YAML", where="body") from exc
    return load_runbooks(session, who, text, "request body", platform.clock.now())


@router.get("/incidents/{incident_id}/runs", response_model=list[RunOut])
def incident_runs(incident_id: str, who: Who, session: SessionDep) -> list[RunOut]:
    return runs_for_incident(session, who, incident_id)


@router.get("/runs/{run_id}", response_model=RunDetail)
def run(run_id: str, who: Who, session: SessionDep) -> RunDetail:
    return get_run(session, who, run_id)


@router.post("/runs/{run_id}/approve", response_model=RunOut)
def approve_run(run_id: str, who: Who, session: SessionDep, platform: PlatformDep) -> RunOut:
    out = approve(session, who, run_id, clock=platform.clock)
    session.commit()  # execute only what is stored as approved
    platform.publish_from_thread(RUNBOOK_RUNS, run_id)
    return out


@router.post("/runs/{run_id}/reject", response_model=RunOut)
def reject_run(run_id: str, data: Decision, who: Who, session: SessionDep, platform: PlatformDep) -> RunOut:
    return reject(session, who, run_id, data.reason, clock=platform.clock)


@router.get("/tenants/{tenant}/kill-switch", response_model=KillSwitchOut)
def kill_switch(tenant: str, who: Who, session: SessionDep) -> KillSwitchOut:
    return get_kill_switch(session, who, tenant)


@router.put("/tenants/{tenant}/kill-switch", response_model=KillSwitchOut)
def put_kill_switch(tenant: str, data: KillSwitchIn, who: Who, session: SessionDep,
                    platform: PlatformDep) -> KillSwitchOut:
    return set_kill_switch(session, who, tenant, data.engaged, data.reason, clock=platform.clock)
