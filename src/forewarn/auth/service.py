"""Use cases for tenants, users and API tokens; each takes a session and a Principal."""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forewarn.auth.enums import Role
from forewarn.auth.models import ApiTokenRow, TenantRow, UserRow
from forewarn.auth.passwords import hash_password, verify_password
from forewarn.auth.schemas import TenantIn, TenantOut, TenantPatch, TokenOut, UserIn, UserOut
from forewarn.auth.scope import Principal
from forewarn.core.errors import ConflictError, NotFoundError, ValidationFailed

TOKEN_PREFIX = "fw_"
INTERNAL_TENANT_SLUG = "internal"


def tenant_out(row: TenantRow) -> TenantOut:
    return TenantOut(id=row.id, slug=row.slug, name=row.name)


def list_tenants(session: Session, who: Principal, limit: int = 100, offset: int = 0) -> tuple[list[TenantOut], int]:
    stmt = who.scoped(select(TenantRow), TenantRow.id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(TenantRow.name).limit(limit).offset(offset)).all()
    return [tenant_out(r) for r in rows], total


def get_tenant_row(session: Session, who: Principal, ref: str) -> TenantRow:
    """A tenant by id or slug, 404 when missing or not visible."""
    row = session.get(TenantRow, ref) or session.scalar(select(TenantRow).where(TenantRow.slug == ref))
    if row is None or not who.can_see(row.id):
        raise NotFoundError(f"tenant {ref!r} not found")
    return row


def get_tenant(session: Session, who: Principal, ref: str) -> TenantOut:
    return tenant_out(get_tenant_row(session, who, ref))


def resolve_tenant_id(session: Session, who: Principal, ref: str) -> str:
    return get_tenant_row(session, who, ref).id


def create_tenant(session: Session, who: Principal, data: TenantIn) -> TenantOut:
    who.require_admin()
    if session.scalar(select(TenantRow).where(TenantRow.slug == data.slug)):
        raise ConflictError(f"a tenant with slug {data.slug!r} already exists")
    row = TenantRow(slug=data.slug, name=data.name)
    session.add(row)
    session.flush()
    return tenant_out(row)


def update_tenant(session: Session, who: Principal, ref: str, data: TenantPatch) -> TenantOut:
    row = get_tenant_row(session, who, ref)
    who.require_write()
    if data.name is not None:
        row.name = data.name
    return tenant_out(row)


def delete_tenant(session: Session, who: Principal, ref: str) -> None:
    row = get_tenant_row(session, who, ref)
    who.require_admin()
    if row.slug == INTERNAL_TENANT_SLUG:
        raise ValidationFailed("the built-in Internal tenant cannot be deleted", where="tenant")
    session.delete(row)


def ensure_tenant(session: Session, slug: str, name: str) -> TenantRow:
    row = session.scalar(select(TenantRow).where(TenantRow.slug == slug))
    if row is None:
        row = TenantRow(slug=slug, name=name)
        session.add(row)
        session.flush()
    return row


def upsert_tenant(session: Session, slug: str, name: str) -> tuple[str, str]:
    """Make sure the tenant exists with this name: (id, "created" | "updated" | "unchanged")."""
    row = session.scalar(select(TenantRow).where(TenantRow.slug == slug))
    if row is None:
        return ensure_tenant(session, slug, name).id, "created"
    if row.name != name:
        row.name = name
        return row.id, "updated"
    return row.id, "unchanged"


def user_out(row: UserRow) -> UserOut:
    return UserOut(id=row.id, username=row.username, role=Role(row.role), tenant_id=row.tenant_id)


def create_user(session: Session, data: UserIn) -> UserOut:
    tenant_id = None
    if data.role is Role.CLIENT:
        if not data.tenant:
            raise ValidationFailed("a client user needs a tenant", where="tenant")
        tenant_id = get_tenant_row(session, Principal.system(), data.tenant).id
    if session.scalar(select(UserRow).where(UserRow.username == data.username)):
        raise ConflictError(f"user {data.username!r} already exists")
    row = UserRow(username=data.username, password_hash=hash_password(data.password),
                  role=data.role.value, tenant_id=tenant_id)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"user {data.username!r} already exists") from exc
    return user_out(row)


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(UserRow)) or 0


def list_users(session: Session) -> list[UserOut]:
    return [user_out(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]


def principal_for(row: UserRow) -> Principal:
    return Principal(user_id=row.id, username=row.username, role=Role(row.role), tenant_id=row.tenant_id)


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    row = session.scalar(select(UserRow).where(UserRow.username == username, UserRow.active.is_(True)))
    if not verify_password(row.password_hash if row else None, password) or row is None:
        return None
    return principal_for(row)


def load_principal(session: Session, user_id: str) -> Principal | None:
    row = session.get(UserRow, user_id)
    if row is None or not row.active:
        return None
    return principal_for(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, username: str, name: str = "cli") -> str:
    """A new API token for the user; the plain token is returned once and stored only hashed."""
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} not found")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiTokenRow(user_id=user.id, name=name, token_hash=_token_hash(token), prefix=token[:10]))
    session.flush()
    return token


def principal_for_token(session: Session, token: str) -> Principal | None:
    row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == _token_hash(token)))
    if row is None:
        return None
    user = session.get(UserRow, row.user_id)
    if user is None or not user.active:
        return None
    now = time.time()
    # Coarse on purpose: a write on every request would contend with the pipeline for the database.
    if row.last_used_at is None or now - row.last_used_at > 60:
        row.last_used_at = now
    return principal_for(user)


def list_tokens(session: Session, username: str) -> list[TokenOut]:
    rows = session.scalars(select(ApiTokenRow).join(UserRow, UserRow.id == ApiTokenRow.user_id)
                           .where(UserRow.username == username))
    return [TokenOut(id=r.id, name=r.name, prefix=r.prefix, created_at=r.created_at,
                     last_used_at=r.last_used_at) for r in rows]


def user_id_by_name(session: Session, username: str) -> str:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise ValidationFailed(f"no user named {username!r}", where="assignee")
    return row.id


def usernames(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {i: n for i, n in session.execute(select(UserRow.id, UserRow.username).where(UserRow.id.in_(ids)))}
