"""Assets API."""

from fastapi import APIRouter, Response

from forewarn.inventory import (
    AssetIn,
    AssetOut,
    AssetPatch,
    create_asset,
    delete_asset,
    get_asset,
    list_assets,
    update_asset,
)
from forewarn.web.api.v1.common import Limit, Offset, Page, page
from forewarn.web.deps import SessionDep, Who

router = APIRouter(prefix="/assets", tags=["assets"])


@router.get("", response_model=Page[AssetOut])
def list_(who: Who, session: SessionDep, tenant: str | None = None, kind: str | None = None,
          q: str | None = None, tag: str | None = None, limit: Limit = 100, offset: Offset = 0) -> dict:
    return page(*list_assets(session, who, tenant, kind, q, tag, limit, offset))


@router.post("", response_model=AssetOut, status_code=201)
def create(data: AssetIn, who: Who, session: SessionDep) -> AssetOut:
    return create_asset(session, who, data)


@router.get("/{asset_id}", response_model=AssetOut)
def get(asset_id: str, who: Who, session: SessionDep) -> AssetOut:
    return get_asset(session, who, asset_id)


@router.patch("/{asset_id}", response_model=AssetOut)
def patch(asset_id: str, data: AssetPatch, who: Who, session: SessionDep) -> AssetOut:
    return update_asset(session, who, asset_id, data)


@router.delete("/{asset_id}", status_code=204)
def delete(asset_id: str, who: Who, session: SessionDep) -> Response:
    delete_asset(session, who, asset_id)
    return Response(status_code=204)
