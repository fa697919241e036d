"""The asset a run works on, read from the inventory as plain data."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forewarn.auth import Principal
from forewarn.core.errors import NotFoundError
from forewarn.inventory import asset_row
from forewarn.remediation.params import AssetInfo


def asset_info(session: Session, asset_id: str | None) -> AssetInfo | None:
    if not asset_id:
        return None
    try:
        row = asset_row(session, Principal.system(), asset_id)
    except NotFoundError:
        return None
    return AssetInfo(id=row.id, name=row.name, kind=row.kind, address=row.address, tags=tuple(row.tags or ()),
                     attributes=dict(row.attributes or {}))
