"""The topology read model: a tenant's assets and dependencies, coloured by health, with an incident's
root cause and impact path marked, as Cytoscape.js elements."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.enums import CheckStatus
from forewarn.incidents import get_incident, list_incidents
from forewarn.inventory import list_assets, list_dependencies
from forewarn.monitoring import asset_health


def topology(session: Session, who: Principal, tenant: str, incident_id: str | None = None) -> dict:
    tenant_id = resolve_tenant_id(session, who, tenant)
    assets, _ = list_assets(session, who, tenant=tenant_id, limit=100_000)
    deps, _ = list_dependencies(session, who, tenant=tenant_id, limit=100_000)
    health = asset_health(session, who, tenant_id)
    incidents, _ = list_incidents(session, who, tenant=tenant_id, open_only=True, limit=1000)
    in_incident = {i.asset_id for i in incidents if i.asset_id}
    root, path, affected = None, [], set()
    if incident_id:
        incident = get_incident(session, who, incident_id)
        root = incident.root_cause_asset_id or incident.asset_id
        by_name = {a.name: a.id for a in assets}
        path = [by_name[n] for n in incident.analysis.get("impact_path", []) if n in by_name]
        affected = {by_name[n] for n in incident.analysis.get("affected", []) if n in by_name}
    nodes = [{"data": {"id": a.id, "label": a.name, "kind": a.kind.value,
                       "health": _health(health.get(a.id)), "root": a.id == root,
                       "affected": a.id in affected, "incident": a.id in in_incident}} for a in assets]
    on_path = set(zip(path, path[1:], strict=False))
    edges = [{"data": {"id": d.id, "source": d.asset_id, "target": d.depends_on_id,
                       "path": (d.depends_on_id, d.asset_id) in on_path}} for d in deps]
    return {"nodes": nodes, "edges": edges, "root": root, "path": path}


def _health(status: CheckStatus | None) -> str:
    return "nodata" if status is None else status.name.lower()
