"""The Principal making a request and the tenant scope every query is filtered by."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from forewarn.auth.enums import Role
from forewarn.core.errors import NotFoundError, PermissionDenied


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting. `tenant_id` is set only for client users, who see that one tenant."""

    user_id: str | None
    username: str
    role: Role
    tenant_id: str | None = None

    @classmethod
    def system(cls) -> Principal:
        """The platform itself (pipeline stages, CLI run by the operator)."""
        return cls(user_id=None, username="system", role=Role.ADMIN)

    @property
    def all_tenants(self) -> bool:
        return self.role is not Role.CLIENT

    def can_see(self, tenant_id: str) -> bool:
        return self.all_tenants or tenant_id == self.tenant_id

    def scoped(self, stmt: Select, column: InstrumentedAttribute) -> Select:
        """Restrict a query to the tenants this principal may see."""
        if self.all_tenants:
            return stmt
        return stmt.where(column == self.tenant_id)

    def require_visible(self, tenant_id: str, what: str) -> None:
        """Out-of-scope rows look exactly like missing ones, so existence does not leak."""
        if not self.can_see(tenant_id):
            raise NotFoundError(f"{what} not found")

    def require_write(self) -> None:
        if not self.role.can_write:
            raise PermissionDenied("this account is read-only")

    def require_admin(self) -> None:
        if not self.role.can_admin:
            raise PermissionDenied("only an administrator may do this")
