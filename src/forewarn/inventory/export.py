"""Writes a tenant's inventory back as the environment document (checks are added by monitoring)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, get_tenant_row
from forewarn.inventory.models import AssetRow, DependencyRow, SiteRow, TenantSlaRow


def export_inventory(session: Session, who: Principal, tenant_ref: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The document as plain data, plus asset names by id so callers can attach checks."""
    tenant = get_tenant_row(session, who, tenant_ref)
    sites = session.scalars(select(SiteRow).where(SiteRow.tenant_id == tenant.id).order_by(SiteRow.name)).all()
    assets = session.scalars(select(AssetRow).where(AssetRow.tenant_id == tenant.id).order_by(AssetRow.name)).all()
    names = {a.id: a.name for a in assets}
    site_names = {s.id: s.name for s in sites}
    deps: dict[str, list[str]] = {}
    for d in session.scalars(select(DependencyRow).where(DependencyRow.tenant_id == tenant.id)):
        deps.setdefault(d.asset_id, []).append(names[d.depends_on_id])
    sla = session.get(TenantSlaRow, tenant.id)
    doc: dict[str, Any] = {
        "tenant": {"slug": tenant.slug, "name": tenant.name, **({"sla": dict(sla.policy)} if sla else {})},
        "sites": [_site(s) for s in sites],
        "assets": [_asset(a, site_names, sorted(deps.get(a.id, []))) for a in assets],
    }
    return doc, names


def _site(s: SiteRow) -> dict[str, Any]:
    out: dict[str, Any] = {"name": s.name}
    if s.description:
        out["description"] = s.description
    return out


def _asset(a: AssetRow, site_names: dict[str, str], depends_on: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": a.name, "kind": a.kind}
    optional = {"site": site_names.get(a.site_id) if a.site_id else None, "address": a.address,
                "description": a.description, "tags": list(a.tags or []),
                "attributes": dict(a.attributes or {}), "depends_on": depends_on}
    out.update({k: v for k, v in optional.items() if v})
    return out
