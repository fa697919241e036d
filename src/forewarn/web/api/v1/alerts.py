"""Inbound alerts from other tools (Alertmanager webhook, generic JSON) as signals for correlation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.bus import SIGNALS
from forewarn.core.records import Signal
from forewarn.integrations.alerts_in import InboundAlert, decode_json, from_alertmanager, from_generic
from forewarn.inventory.matching import external_alerts_asset, load_matcher
from forewarn.runtime import Platform
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(tags=["alerts"])
TenantParam = Annotated[str, Query(description="tenant id or slug the alerts belong to")]
Converter = Callable[[Any, float], list[InboundAlert]]


@router.post("/alerts/alertmanager", status_code=202)
async def alertmanager_webhook(request: Request, tenant: TenantParam, who: Who, session: SessionDep,
                               platform: PlatformDep) -> dict:
    """Point an Alertmanager `webhook_configs` receiver here (with `http_config.authorization` = an API
    token). Firing and resolved alerts become `external` signals on the asset named by the `asset`,
    `host` or `instance` label."""
    return await _receive(request, tenant, who, session, platform, from_alertmanager)


@router.post("/alerts", status_code=202)
async def generic_alerts(request: Request, tenant: TenantParam, who: Who, session: SessionDep,
                         platform: PlatformDep) -> dict:
    """One alert object or a list of them: `source`, `name`, `status` (firing|resolved), `severity`
    (info|warning|critical), `asset` or `host`, `summary`, `labels`, `ts`, `fingerprint`, `details`."""
    return await _receive(request, tenant, who, session, platform, from_generic)


async def _receive(request: Request, tenant: str, who: Principal, session: Session, platform: Platform,
                   convert: Converter) -> dict:
    who.require_write()
    tenant_id = resolve_tenant_id(session, who, tenant)  # 404 for a tenant the caller cannot see
    body = await request.body()
    alerts = convert(decode_json(body), platform.clock.now())  # bad input: 422 naming the field, nothing sent
    signals, unmatched = await run_in_threadpool(_signals, session, tenant_id, alerts)
    for signal in signals:
        await platform.bus.publish(SIGNALS, signal)
    return {"accepted": len(signals), "unmatched": unmatched}


def _signals(session: Session, tenant_id: str, alerts: list[InboundAlert]) -> tuple[list[Signal], list[str]]:
    """Each alert on its asset; those naming no known asset go to the tenant's "external alerts" asset."""
    matcher = load_matcher(session, tenant_id)
    signals, unmatched = [], []
    for alert in alerts:
        ref = matcher.match(alert.asset_hint, tenant_id)
        if ref is None:
            unmatched.append(alert.asset_hint or "")
            ref = external_alerts_asset(session, tenant_id)
        signals.append(alert.to_signal(tenant_id, ref.asset_id))
    session.commit()  # the catch-all asset exists before any signal naming it is published
    return signals, sorted(set(unmatched))
