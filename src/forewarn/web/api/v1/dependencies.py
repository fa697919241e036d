"""Dependencies API: directed edges "asset depends on depends_on"."""

from fastapi import APIRouter, Response

from forewarn.inventory import (
    DependencyIn,
    DependencyOut,
    create_dependency,
    delete_dependency,
    list_dependencies,
)
from forewarn.web.api.v1.common import Limit, Offset, Page, page
from forewarn.web.deps import SessionDep, Who

router = APIRouter(prefix="/dependencies", tags=["dependencies"])


@router.get("", response_model=Page[DependencyOut])
def list_(who: Who, session: SessionDep, tenant: str | None = None, asset: str | None = None,
          limit: Limit = 100, offset: Offset = 0) -> dict:
    return page(*list_dependencies(session, who, tenant, asset, limit, offset))


@router.post("", response_model=DependencyOut, status_code=201)
def create(data: DependencyIn, who: Who, session: SessionDep) -> DependencyOut:
    return create_dependency(session, who, data)


@router.delete("/{dep_id}", status_code=204)
def delete(dep_id: str, who: Who, session: SessionDep) -> Response:
    delete_dependency(session, who, dep_id)
    return Response(status_code=204)
