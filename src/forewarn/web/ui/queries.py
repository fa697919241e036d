"""Read models for the UI pages, assembled from the areas' public services."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session

from forewarn.auth import Principal, list_tenants, resolve_tenant_id
from forewarn.core.enums import CheckStatus
from forewarn.incidents import list_incidents, sla_summary
from forewarn.inventory import asset_briefs, list_assets
from forewarn.monitoring import asset_health

HEALTH_ORDER = ["CRITICAL", "WARNING", "UNKNOWN", "OK", "NODATA"]


def asset_names(session: Session, ids: set[str]) -> dict[str, str]:
    return {i: name for i, (name, _) in asset_briefs(session, ids).items()}


def _health_name(status: CheckStatus | None) -> str:
    return status.name if status is not None else "NODATA"


def overview(session: Session, who: Principal) -> dict:
    tenants, _ = list_tenants(session, who, limit=1000)
    health = asset_health(session, who)
    assets, _ = list_assets(session, who, limit=100_000)
    per_tenant: dict[str, Counter] = {t.id: Counter() for t in tenants}
    for a in assets:
        per_tenant.setdefault(a.tenant_id, Counter())[_health_name(health.get(a.id))] += 1
    incidents, open_total = list_incidents(session, who, open_only=True, limit=50)
    problem_assets = sorted(
        (a for a in assets if health.get(a.id) not in (None, CheckStatus.OK)),
        key=lambda a: -health[a.id].rank)[:50]
    rows = sorted(tenants, key=lambda t: tuple(-per_tenant[t.id][h] for h in HEALTH_ORDER[:3]) + (t.name,))
    return {"tenants": rows, "per_tenant": per_tenant, "incidents": incidents, "open_total": open_total,
            "problem_assets": problem_assets, "health": {k: _health_name(v) for k, v in health.items()},
            "names": {a.id: a.name for a in assets}, "tenant_names": {t.id: t.name for t in tenants},
            "health_order": HEALTH_ORDER}


def tenant_view(session: Session, who: Principal, ref: str) -> dict:
    tenant_id = resolve_tenant_id(session, who, ref)
    assets, _ = list_assets(session, who, tenant=tenant_id, limit=100_000)
    health = asset_health(session, who, tenant_id)
    order = {h: i for i, h in enumerate(HEALTH_ORDER)}
    assets = sorted(assets, key=lambda a: (order[_health_name(health.get(a.id))], a.name))
    incidents, _ = list_incidents(session, who, tenant=tenant_id, open_only=True, limit=100)
    return {"assets": assets, "health": {a.id: _health_name(health.get(a.id)) for a in assets},
            "incidents": incidents, "names": {a.id: a.name for a in assets},
            "sla": sla_summary(session, who, tenant_id)}
