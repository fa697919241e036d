"""Sites API."""

from fastapi import APIRouter, Response

from forewarn.inventory import (
    SiteIn,
    SiteOut,
    SitePatch,
    create_site,
    delete_site,
    get_site,
    list_sites,
    update_site,
)
from forewarn.web.api.v1.common import Limit, Offset, Page, page
from forewarn.web.deps import SessionDep, Who

router = APIRouter(prefix="/sites", tags=["sites"])


@router.get("", response_model=Page[SiteOut])
def list_(who: Who, session: SessionDep, tenant: str | None = None, limit: Limit = 100,
          offset: Offset = 0) -> dict:
    return page(*list_sites(session, who, tenant, limit, offset))


@router.post("", response_model=SiteOut, status_code=201)
def create(data: SiteIn, who: Who, session: SessionDep) -> SiteOut:
    return create_site(session, who, data)


@router.get("/{site_id}", response_model=SiteOut)
def get(site_id: str, who: Who, session: SessionDep) -> SiteOut:
    return get_site(session, who, site_id)


@router.patch("/{site_id}", response_model=SiteOut)
def patch(site_id: str, data: SitePatch, who: Who, session: SessionDep) -> SiteOut:
    return update_site(session, who, site_id, data)


@router.delete("/{site_id}", status_code=204)
def delete(site_id: str, who: Who, session: SessionDep) -> Response:
    delete_site(session, who, site_id)
    return Response(status_code=204)
