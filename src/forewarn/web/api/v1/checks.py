"""Checks API; changes reach the running scheduler at once."""

from fastapi import APIRouter, Response

from forewarn.monitoring import (
    CheckIn,
    CheckOut,
    CheckPatch,
    CheckResultOut,
    check_history,
    create_check,
    delete_check,
    get_check,
    list_checks,
    update_check,
)
from forewarn.web.api.v1.common import Limit, Offset, Page, page
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(prefix="/checks", tags=["checks"])


@router.get("", response_model=Page[CheckOut])
def list_(who: Who, session: SessionDep, tenant: str | None = None, asset: str | None = None,
          status: str | None = None, limit: Limit = 100, offset: Offset = 0) -> dict:
    return page(*list_checks(session, who, tenant, asset, status, limit, offset))


@router.post("", response_model=CheckOut, status_code=201)
def create(data: CheckIn, who: Who, session: SessionDep, platform: PlatformDep) -> CheckOut:
    out = create_check(session, who, data)
    session.commit()
    platform.checks_changed()
    return out


@router.get("/{check_id}", response_model=CheckOut)
def get(check_id: str, who: Who, session: SessionDep) -> CheckOut:
    return get_check(session, who, check_id)


@router.get("/{check_id}/results", response_model=list[CheckResultOut])
def results(check_id: str, who: Who, session: SessionDep, limit: Limit = 100) -> list[CheckResultOut]:
    return check_history(session, who, check_id, limit)


@router.patch("/{check_id}", response_model=CheckOut)
def patch(check_id: str, data: CheckPatch, who: Who, session: SessionDep, platform: PlatformDep) -> CheckOut:
    out = update_check(session, who, check_id, data)
    session.commit()
    platform.checks_changed()
    return out


@router.delete("/{check_id}", status_code=204)
def delete(check_id: str, who: Who, session: SessionDep, platform: PlatformDep) -> Response:
    delete_check(session, who, check_id)
    session.commit()
    platform.checks_changed()
    return Response(status_code=204)
