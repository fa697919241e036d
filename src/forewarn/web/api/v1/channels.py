"""Notification channels API (email, signed webhook, Slack, Teams); secrets are never returned."""

from fastapi import APIRouter, Response

from forewarn.notify import (
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    create_channel,
    delete_channel,
    get_channel,
    list_channels,
    update_channel,
)
from forewarn.web.deps import PlatformDep, SessionDep, Who

router = APIRouter(prefix="/channels", tags=["notifications"])


@router.get("", response_model=list[ChannelOut])
def list_(who: Who, session: SessionDep, tenant: str | None = None) -> list[ChannelOut]:
    return list_channels(session, who, tenant)


@router.post("", response_model=ChannelOut, status_code=201)
def create(tenant: str, data: ChannelIn, who: Who, session: SessionDep, platform: PlatformDep) -> ChannelOut:
    return create_channel(session, who, tenant, data, platform.clock.now())


@router.get("/{channel_id}", response_model=ChannelOut)
def get(channel_id: str, who: Who, session: SessionDep) -> ChannelOut:
    return get_channel(session, who, channel_id)


@router.patch("/{channel_id}", response_model=ChannelOut)
def patch(channel_id: str, data: ChannelPatch, who: Who, session: SessionDep) -> ChannelOut:
    return update_channel(session, who, channel_id, data)


@router.delete("/{channel_id}", status_code=204)
def delete(channel_id: str, who: Who, session: SessionDep, platform: PlatformDep) -> Response:
    delete_channel(session, who, channel_id, platform.clock.now())
    return Response(status_code=204)
