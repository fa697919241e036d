"""Tenants API."""

from fastapi import APIRouter, Response

from forewarn.auth import (
    TenantIn,
    TenantOut,
    TenantPatch,
    create_tenant,
    delete_tenant,
    get_tenant,
    list_tenants,
    update_tenant,
)
from forewarn.web.api.v1.common import Limit, Offset, Page, page
from forewarn.web.deps import SessionDep, Who

router = APIRouter(prefix="/tenants", tags=["tenants"])


@router.get("", response_model=Page[TenantOut])
def list_(who: Who, session: SessionDep, limit: Limit = 100, offset: Offset = 0) -> dict:
    return page(*list_tenants(session, who, limit, offset))


@router.post("", response_model=TenantOut, status_code=201)
def create(data: TenantIn, who: Who, session: SessionDep) -> TenantOut:
    return create_tenant(session, who, data)


@router.get("/{ref}", response_model=TenantOut)
def get(ref: str, who: Who, session: SessionDep) -> TenantOut:
    return get_tenant(session, who, ref)


@router.patch("/{ref}", response_model=TenantOut)
def patch(ref: str, data: TenantPatch, who: Who, session: SessionDep) -> TenantOut:
    return update_tenant(session, who, ref, data)


@router.delete("/{ref}", status_code=204)
def delete(ref: str, who: Who, session: SessionDep) -> Response:
    delete_tenant(session, who, ref)
    return Response(status_code=204)
