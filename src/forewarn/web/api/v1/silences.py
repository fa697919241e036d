"""Maintenance windows and silences API."""

from fastapi import APIRouter, Response

from forewarn.alerting import SilenceIn, SilenceOut, create_silence, delete_silence, list_silences
from forewarn.web.deps import SessionDep, Who

router = APIRouter(prefix="/silences", tags=["silences"])


@router.get("", response_model=list[SilenceOut])
def list_(who: Who, session: SessionDep, tenant: str | None = None) -> list[SilenceOut]:
    return list_silences(session, who, tenant)


@router.post("", response_model=SilenceOut, status_code=201)
def create(data: SilenceIn, who: Who, session: SessionDep) -> SilenceOut:
    return create_silence(session, who, data)


@router.delete("/{silence_id}", status_code=204)
def delete(silence_id: str, who: Who, session: SessionDep) -> Response:
    delete_silence(session, who, silence_id)
    return Response(status_code=204)
