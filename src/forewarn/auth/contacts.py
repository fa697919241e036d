"""How to reach a user (the email address escalation pages go to), looked up by id or name, set by admins."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from forewarn.auth.enums import Role
from forewarn.auth.models import UserRow
from forewarn.auth.scope import Principal
from forewarn.core.errors import NotFoundError, PermissionDenied, ValidationFailed

# A plain address the email channel accepts as a recipient (no display name, no header syntax).
EMAIL = re.compile(r"^[^@\s<>\"',;:()\[\]\\\x00-\x1f]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    username: str
    role: Role
    tenant_id: str | None
    active: bool
    email: str | None

    def may_serve(self, tenant_id: str) -> bool:
        """Staff serve every tenant; a client user only their own."""
        return self.role is not Role.CLIENT or self.tenant_id == tenant_id


def _contact(row: UserRow) -> Contact:
    return Contact(row.id, row.username, Role(row.role), row.tenant_id, bool(row.active), row.email)


def contacts_by_ids(session: Session, ids: Iterable[str]) -> dict[str, Contact]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {r.id: _contact(r) for r in session.scalars(select(UserRow).where(UserRow.id.in_(wanted)))}


def contacts_by_names(session: Session, names: Iterable[str]) -> dict[str, Contact]:
    wanted = set(names)
    if not wanted:
        return {}
    return {r.username: _contact(r) for r in session.scalars(select(UserRow).where(UserRow.username.in_(wanted)))}


def set_email(session: Session, who: Principal, username: str, email: str | None) -> Contact:
    """Set (or clear with None/"") a user's email; admins for anyone, everyone else for themselves only."""
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None or not (who.all_tenants or row.tenant_id == who.tenant_id):
        raise NotFoundError(f"user {username!r} not found")
    if not who.role.can_admin and who.user_id != row.id:
        raise PermissionDenied("only an administrator may change another user's email")
    email = (email or "").strip() or None
    if email is not None and (len(email) > 254 or not EMAIL.fullmatch(email)):
        raise ValidationFailed(f"{email[:80]!r} is not an email address (name@domain.tld)", where="email")
    row.email = email
    session.flush()
    return _contact(row)
