"""FastAPI dependencies: the platform, a database session, and who is calling (token or session)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy.orm import Session

from forewarn.auth import Principal, load_principal, principal_for_token
from forewarn.runtime import Platform

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


def get_session(platform: Annotated[Platform, Depends(get_platform)]) -> Iterator[Session]:
    with platform.db.session() as session:
        yield session


PlatformDep = Annotated[Platform, Depends(get_platform)]
# scope="function": commit before the response is sent, so a 2xx means the change is stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def optional_principal(request: Request, session: SessionDep,
                       authorization: Annotated[str | None, Header()] = None) -> Principal | None:
    token = _bearer(authorization)
    if token:
        who = principal_for_token(session, token)
        if who is None:
            raise HTTPException(401, "invalid or revoked API token", headers={"WWW-Authenticate": "Bearer"})
        return who
    user_id = request.session.get("uid")
    if not user_id:
        return None
    who = load_principal(session, user_id)
    if who is not None and request.method in UNSAFE_METHODS:
        _require_csrf(request)
    return who


def _require_csrf(request: Request) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token (X-CSRF-Token header)."""
    expected = request.session.get("csrf", "")
    sent = request.headers.get("x-csrf-token", "")
    if not expected or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


def current_principal(who: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if who is None:
        raise HTTPException(401, "log in or send an API token (Authorization: Bearer …)",
                            headers={"WWW-Authenticate": "Bearer"})
    return who


Who = Annotated[Principal, Depends(current_principal)]
