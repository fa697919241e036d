"""Assembles every v1 router under /api/v1."""

from fastapi import APIRouter

from forewarn.web.api.v1 import (
    alerts,
    analysis,
    assets,
    channels,
    checks,
    dependencies,
    health,
    incidents,
    ingest,
    logs,
    me,
    oncall,
    runbooks,
    series,
    silences,
    sites,
    sla,
    tenants,
    topology,
)

api_router = APIRouter(prefix="/api/v1")
for module in (health, me, analysis, alerts, channels, tenants, sites, assets, dependencies, checks, series, incidents, ingest, logs, oncall, runbooks, silences, sla,
               topology):
    api_router.include_router(module.router)
