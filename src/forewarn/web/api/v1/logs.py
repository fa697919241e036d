"""Log push API: lines attributed to assets go to the log-pattern stage (templates, new/changing patterns)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from forewarn.alerting import LogLine
from forewarn.bus import LOGS
from forewarn.inventory import asset_row
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(tags=["logs"])


class LogLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    asset: str = Field(description="asset id, or name (unique across the tenants you can see)")
    ts: float = Field(ge=0, le=2**32)
    message: Annotated[str, Field(max_length=65_536)]
    app: str = Field(default="", max_length=100)
    severity: int | None = Field(default=None, ge=0, le=7, description="syslog severity 0–7")


class LogBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[LogLineIn] = Field(min_length=1, max_length=10_000)


@router.post("/logs", status_code=202)
async def push_logs(data: LogBatchIn, who: Who, session: SessionDep, platform: PlatformDep) -> dict:
    who.require_write()
    assets = {ref: asset_row(session, who, ref) for ref in {line.asset for line in data.lines}}
    lines = [LogLine(assets[x.asset].tenant_id, assets[x.asset].id, x.ts, x.message, x.app, x.severity)
             for x in data.lines]
    await run_in_threadpool(platform.publish_from_thread, LOGS, lines)
    return {"analysed": len(lines)}
