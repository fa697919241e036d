"""First-start work: schema migration, the admin account, the Internal tenant and this host's asset."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from forewarn.auth import (
    INTERNAL_TENANT_SLUG,
    Principal,
    Role,
    UserIn,
    count_users,
    create_user,
    ensure_tenant,
)
from forewarn.auth.passwords import generate_password
from forewarn.core.errors import NotFoundError, ValidationFailed
from forewarn.db import Database, migrate
from forewarn.inventory import AssetIn, AssetKind, asset_row, create_asset

LOCAL_HOST_TAG = "forewarn-local"


@dataclass(frozen=True)
class Bootstrap:
    admin_created: bool
    admin_user: str
    admin_password: str | None  # only when generated here, to be printed once
    internal_tenant_id: str
    local_asset_id: str


def bootstrap(db: Database, admin_user: str, admin_password: str | None) -> Bootstrap:
    migrate(db.engine)
    with db.session() as session:
        tenant = ensure_tenant(session, INTERNAL_TENANT_SLUG, "Internal")
        created, password = _ensure_admin(session, admin_user, admin_password)
        asset_id = _ensure_local_asset(session, tenant.id)
        return Bootstrap(created, admin_user, password if created and not admin_password else None,
                         tenant.id, asset_id)


def _ensure_admin(session: Session, username: str, password: str | None) -> tuple[bool, str | None]:
    if count_users(session) > 0:
        return False, None
    generated = password is None
    password = password or generate_password()
    try:
        user = UserIn(username=username, password=password, role=Role.ADMIN)
    except ValidationError as exc:  # a configured name or password the account rules refuse: say which
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "user"
        where = "FOREWARN_ADMIN_PASSWORD" if field == "password" and not generated else f"admin {field}"
        raise ValidationFailed(f"{error['msg']} for the first admin account", where=where) from None
    create_user(session, user)
    return True, password


def _ensure_local_asset(session: Session, tenant_id: str) -> str:
    name = socket.gethostname() or "localhost"
    try:
        return asset_row(session, Principal.system(), name, tenant_id=tenant_id).id
    except NotFoundError:
        return create_asset(session, Principal.system(), AssetIn(
            tenant=tenant_id, name=name, kind=AssetKind.HOST, address="127.0.0.1",
            description="the machine forewarn runs on, sampled by the built-in agent",
            tags=[LOCAL_HOST_TAG])).id
