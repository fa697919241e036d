"""Applies the inventory part of an environment document idempotently (upsert by natural keys)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth import upsert_tenant
from forewarn.core.errors import ValidationFailed
from forewarn.db.base import utcnow_ts
from forewarn.inventory.document import EnvironmentDoc
from forewarn.inventory.models import AssetRow, DependencyRow, SiteRow
from forewarn.inventory.sla import put_policy
from forewarn.inventory.topology import find_cycle
from forewarn.inventory.yaml_source import SourceMap


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _sync(row: object, values: dict, report: ApplyReport, label: str) -> None:
    diff = {k: v for k, v in values.items() if getattr(row, k) != v}
    for k, v in diff.items():
        setattr(row, k, v)
    if diff:
        report.updated.append(f"{label} ({', '.join(sorted(diff))})")


def apply_inventory(session: Session, doc: EnvironmentDoc, source: SourceMap,
                    report: ApplyReport) -> tuple[str, dict[str, str]]:
    """Upsert tenant, sites, assets and dependencies; returns the tenant id and asset ids by name."""
    tenant_id, status = upsert_tenant(session, doc.tenant.slug, doc.tenant.name)
    if status == "created":
        report.created.append(f"tenant {doc.tenant.slug}")
    elif status == "updated":
        report.updated.append(f"tenant {doc.tenant.slug} (name)")
    if doc.tenant.sla is not None:
        _, changed = put_policy(session, tenant_id, doc.tenant.sla, utcnow_ts())
        if changed:
            report.updated.append(f"tenant {doc.tenant.slug} (sla)")
    site_ids = _apply_sites(session, tenant_id, doc, report)
    asset_ids = _apply_assets(session, tenant_id, doc, site_ids, report)
    _apply_dependencies(session, tenant_id, doc, source, asset_ids, report)
    return tenant_id, asset_ids


def _apply_sites(session: Session, tenant_id: str, doc: EnvironmentDoc, report: ApplyReport) -> dict[str, str]:
    existing = {s.name: s for s in session.scalars(select(SiteRow).where(SiteRow.tenant_id == tenant_id))}
    ids: dict[str, str] = {}
    for site in doc.sites:
        row = existing.get(site.name)
        if row is None:
            row = SiteRow(tenant_id=tenant_id, name=site.name, description=site.description)
            session.add(row)
            session.flush()
            report.created.append(f"site {site.name}")
        else:
            _sync(row, {"description": site.description}, report, f"site {site.name}")
        ids[site.name] = row.id
    return ids


def _apply_assets(session: Session, tenant_id: str, doc: EnvironmentDoc, site_ids: dict[str, str],
                  report: ApplyReport) -> dict[str, str]:
    existing = {a.name: a for a in session.scalars(select(AssetRow).where(AssetRow.tenant_id == tenant_id))}
    ids = {name: row.id for name, row in existing.items()}
    for asset in doc.assets:
        values = {"kind": asset.kind.value, "site_id": site_ids.get(asset.site) if asset.site else None,
                  "address": asset.address, "description": asset.description, "tags": asset.tags,
                  "attributes": asset.attributes}
        row = existing.get(asset.name)
        if row is None:
            row = AssetRow(tenant_id=tenant_id, name=asset.name, **values)
            session.add(row)
            session.flush()
            report.created.append(f"asset {asset.name}")
        else:
            _sync(row, values, report, f"asset {asset.name}")
        ids[asset.name] = row.id
    return ids


def _apply_dependencies(session: Session, tenant_id: str, doc: EnvironmentDoc, source: SourceMap,
                        asset_ids: dict[str, str], report: ApplyReport) -> None:
    declared: set[tuple[str, str]] = set()
    for i, asset in enumerate(doc.assets):
        for j, target in enumerate(asset.depends_on):
            if target not in asset_ids:
                raise ValidationFailed(
                    f"assets.{i}.depends_on.{j}: {asset.name} depends on {target!r}, which is no asset "
                    "of this tenant", where=source.where(("assets", i, "depends_on", j)))
            if target == asset.name:
                raise ValidationFailed(f"assets.{i}.depends_on.{j}: {asset.name} cannot depend on itself",
                                       where=source.where(("assets", i, "depends_on", j)))
            declared.add((asset_ids[asset.name], asset_ids[target]))
    names = {v: k for k, v in asset_ids.items()}
    in_file = {asset_ids[a.name] for a in doc.assets}
    rows = session.scalars(select(DependencyRow).where(DependencyRow.tenant_id == tenant_id)).all()
    current = {(r.asset_id, r.depends_on_id): r for r in rows}
    # An asset listed in the file declares all of its dependencies: drop the ones it no longer has.
    for key, row in current.items():
        if key[0] in in_file and key not in declared:
            session.delete(row)
            report.deleted.append(f"dependency {names[key[0]]} → {names[key[1]]}")
    final = (set(current) - {k for k in current if k[0] in in_file}) | declared
    cycle = find_cycle(final)
    if cycle:
        raise ValidationFailed("dependency cycle: " + " → ".join(names.get(n, n) for n in cycle),
                               where=source.where(("assets",)))
    for a, b in sorted(declared - set(current)):
        session.add(DependencyRow(tenant_id=tenant_id, asset_id=a, depends_on_id=b))
        report.created.append(f"dependency {names[a]} → {names[b]}")
    session.flush()
