"""Use cases for sites, assets and dependencies, every one scoped by the caller's tenants."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from forewarn.auth import Principal, resolve_tenant_id
from forewarn.core.errors import ConflictError, NotFoundError, ValidationFailed
from forewarn.inventory.enums import AssetKind
from forewarn.inventory.models import AssetRow, DependencyRow, SiteRow
from forewarn.inventory.schemas import (
    AssetIn,
    AssetOut,
    AssetPatch,
    DependencyIn,
    DependencyOut,
    SiteIn,
    SiteOut,
    SitePatch,
)
from forewarn.inventory.topology import would_create_cycle


def site_out(row: SiteRow) -> SiteOut:
    return SiteOut(id=row.id, tenant_id=row.tenant_id, name=row.name, description=row.description)


def asset_out(row: AssetRow, site_name: str | None = None) -> AssetOut:
    return AssetOut(id=row.id, tenant_id=row.tenant_id, site_id=row.site_id, site=site_name, name=row.name,
                    kind=AssetKind(row.kind), address=row.address, description=row.description,
                    tags=list(row.tags or []), attributes=dict(row.attributes or {}))


def dependency_out(row: DependencyRow) -> DependencyOut:
    return DependencyOut(id=row.id, tenant_id=row.tenant_id, asset_id=row.asset_id,
                         depends_on_id=row.depends_on_id)


def _page(session: Session, stmt, limit: int, offset: int, order) -> tuple[list, int]:  # noqa: ANN001
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(session.scalars(stmt.order_by(order).limit(limit).offset(offset))), total


# --- sites -----------------------------------------------------------------------------------

def list_sites(session: Session, who: Principal, tenant: str | None = None,
               limit: int = 100, offset: int = 0) -> tuple[list[SiteOut], int]:
    stmt = who.scoped(select(SiteRow), SiteRow.tenant_id)
    if tenant:
        stmt = stmt.where(SiteRow.tenant_id == resolve_tenant_id(session, who, tenant))
    rows, total = _page(session, stmt, limit, offset, SiteRow.name)
    return [site_out(r) for r in rows], total


def _site_row(session: Session, who: Principal, site_id: str) -> SiteRow:
    row = session.get(SiteRow, site_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"site {site_id!r} not found")
    return row


def get_site(session: Session, who: Principal, site_id: str) -> SiteOut:
    return site_out(_site_row(session, who, site_id))


def create_site(session: Session, who: Principal, data: SiteIn) -> SiteOut:
    tenant_id = resolve_tenant_id(session, who, data.tenant)
    who.require_write()
    if session.scalar(select(SiteRow).where(SiteRow.tenant_id == tenant_id, SiteRow.name == data.name)):
        raise ConflictError(f"site {data.name!r} already exists in this tenant")
    row = SiteRow(tenant_id=tenant_id, name=data.name, description=data.description)
    session.add(row)
    session.flush()
    return site_out(row)


def update_site(session: Session, who: Principal, site_id: str, data: SitePatch) -> SiteOut:
    row = _site_row(session, who, site_id)
    who.require_write()
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, field, value)
    session.flush()
    return site_out(row)


def delete_site(session: Session, who: Principal, site_id: str) -> None:
    row = _site_row(session, who, site_id)
    who.require_write()
    session.delete(row)


def site_id_by_name(session: Session, tenant_id: str, name: str | None) -> str | None:
    if name is None:
        return None
    row = session.scalar(select(SiteRow).where(SiteRow.tenant_id == tenant_id, SiteRow.name == name))
    if row is None:
        raise ValidationFailed(f"no site named {name!r} in this tenant", where="site")
    return row.id


# --- assets ----------------------------------------------------------------------------------

def list_assets(session: Session, who: Principal, tenant: str | None = None, kind: str | None = None,
                q: str | None = None, tag: str | None = None,
                limit: int = 100, offset: int = 0) -> tuple[list[AssetOut], int]:
    stmt = who.scoped(select(AssetRow), AssetRow.tenant_id)
    if tenant:
        stmt = stmt.where(AssetRow.tenant_id == resolve_tenant_id(session, who, tenant))
    if kind:
        stmt = stmt.where(AssetRow.kind == kind)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(AssetRow.name.ilike(like), AssetRow.address.ilike(like)))
    rows, total = _page(session, stmt, limit if not tag else 100_000, 0 if tag else offset, AssetRow.name)
    if tag:  # tags are a JSON list: filtered here so the query stays portable across databases
        rows = [r for r in rows if tag in (r.tags or [])]
        total = len(rows)
        rows = rows[offset:offset + limit]
    sites = _site_names(session, {r.site_id for r in rows if r.site_id})
    return [asset_out(r, sites.get(r.site_id)) for r in rows], total


def _site_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {s.id: s.name for s in session.scalars(select(SiteRow).where(SiteRow.id.in_(ids)))}


def asset_row(session: Session, who: Principal, asset_ref: str, tenant_id: str | None = None) -> AssetRow:
    """An asset by id (or by name inside a tenant), 404 when missing or not visible."""
    row = session.get(AssetRow, asset_ref)
    if row is None:
        stmt = who.scoped(select(AssetRow).where(AssetRow.name == asset_ref), AssetRow.tenant_id)
        if tenant_id:
            stmt = stmt.where(AssetRow.tenant_id == tenant_id)
        matches = session.scalars(stmt.limit(2)).all()
        if len(matches) > 1:
            raise ValidationFailed(f"asset name {asset_ref!r} exists in several tenants; use its id",
                                   where="asset")
        row = matches[0] if matches else None
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"asset {asset_ref!r} not found")
    return row


def get_asset(session: Session, who: Principal, asset_ref: str) -> AssetOut:
    row = asset_row(session, who, asset_ref)
    return asset_out(row, _site_names(session, {row.site_id} if row.site_id else set()).get(row.site_id))


def create_asset(session: Session, who: Principal, data: AssetIn) -> AssetOut:
    tenant_id = resolve_tenant_id(session, who, data.tenant)
    who.require_write()
    if session.scalar(select(AssetRow).where(AssetRow.tenant_id == tenant_id, AssetRow.name == data.name)):
        raise ConflictError(f"asset {data.name!r} already exists in this tenant")
    row = AssetRow(tenant_id=tenant_id, site_id=site_id_by_name(session, tenant_id, data.site),
                   name=data.name, kind=data.kind.value, address=data.address,
                   description=data.description, tags=data.tags, attributes=data.attributes)
    session.add(row)
    session.flush()
    return asset_out(row, data.site)


def update_asset(session: Session, who: Principal, asset_ref: str, data: AssetPatch) -> AssetOut:
    row = asset_row(session, who, asset_ref)
    who.require_write()
    changes = data.model_dump(exclude_unset=True)
    if "site" in changes:
        row.site_id = site_id_by_name(session, row.tenant_id, changes.pop("site"))
    if changes.get("kind") is not None:
        changes["kind"] = AssetKind(changes["kind"]).value
    for field, value in changes.items():
        if value is not None or field == "address":
            setattr(row, field, value)
    session.flush()
    return get_asset(session, who, row.id)


def delete_asset(session: Session, who: Principal, asset_ref: str) -> None:
    row = asset_row(session, who, asset_ref)
    who.require_write()
    session.delete(row)


# --- dependencies ----------------------------------------------------------------------------

def list_dependencies(session: Session, who: Principal, tenant: str | None = None,
                      asset: str | None = None, limit: int = 100, offset: int = 0,
                      ) -> tuple[list[DependencyOut], int]:
    stmt = who.scoped(select(DependencyRow), DependencyRow.tenant_id)
    if tenant:
        stmt = stmt.where(DependencyRow.tenant_id == resolve_tenant_id(session, who, tenant))
    if asset:
        a = asset_row(session, who, asset)
        stmt = stmt.where(or_(DependencyRow.asset_id == a.id, DependencyRow.depends_on_id == a.id))
    rows, total = _page(session, stmt, limit, offset, DependencyRow.created_at)
    return [dependency_out(r) for r in rows], total


def create_dependency(session: Session, who: Principal, data: DependencyIn) -> DependencyOut:
    who.require_write()
    a = asset_row(session, who, data.asset_id)
    b = asset_row(session, who, data.depends_on_id)
    if a.tenant_id != b.tenant_id:
        raise ValidationFailed("a dependency must stay inside one tenant", where="depends_on_id")
    if a.id == b.id:
        raise ValidationFailed("an asset cannot depend on itself", where="depends_on_id")
    if session.scalar(select(DependencyRow).where(DependencyRow.asset_id == a.id,
                                                  DependencyRow.depends_on_id == b.id)):
        raise ConflictError(f"{a.name} already depends on {b.name}")
    if would_create_cycle(tenant_edges(session, a.tenant_id), a.id, b.id):
        raise ValidationFailed(f"{a.name} → {b.name} would create a dependency cycle", where="depends_on_id")
    row = DependencyRow(tenant_id=a.tenant_id, asset_id=a.id, depends_on_id=b.id)
    session.add(row)
    session.flush()
    return dependency_out(row)


def delete_dependency(session: Session, who: Principal, dep_id: str) -> None:
    row = session.get(DependencyRow, dep_id)
    if row is None or not who.can_see(row.tenant_id):
        raise NotFoundError(f"dependency {dep_id!r} not found")
    who.require_write()
    session.delete(row)


def tenant_edges(session: Session, tenant_id: str) -> list[tuple[str, str]]:
    rows = session.execute(select(DependencyRow.asset_id, DependencyRow.depends_on_id)
                           .where(DependencyRow.tenant_id == tenant_id))
    return [(a, b) for a, b in rows]


def asset_briefs(session: Session, ids: set[str]) -> dict[str, tuple[str, str | None]]:
    """(name, address) of each asset id, for callers that label or target assets in bulk."""
    if not ids:
        return {}
    rows = session.execute(select(AssetRow.id, AssetRow.name, AssetRow.address).where(AssetRow.id.in_(ids)))
    return {i: (n, a) for i, n, a in rows}


def asset_tags(session: Session, asset_id: str) -> list[str]:
    row = session.get(AssetRow, asset_id)
    return list(row.tags or []) if row else []


def topology_version(session: Session, tenant_id: str) -> tuple:
    """Changes whenever the tenant's assets or dependencies do: callers cache the graph against it."""
    deps = session.execute(select(func.count(), func.max(DependencyRow.created_at))
                           .where(DependencyRow.tenant_id == tenant_id)).one()
    assets = session.execute(select(func.count(), func.max(AssetRow.created_at))
                             .where(AssetRow.tenant_id == tenant_id)).one()
    return (*deps, *assets)
