"""API input and output shapes for tenants, users and tokens."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from forewarn.auth.enums import Role

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class TenantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=SLUG_PATTERN, description="lower-case letters, digits and dashes")
    name: str = Field(min_length=1, max_length=200)


class TenantPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)


class TenantOut(BaseModel):
    id: str
    slug: str
    name: str


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")
    password: str = Field(min_length=8, max_length=200)
    role: Role
    tenant: str | None = Field(default=None, description="tenant slug; required for client users")


class UserOut(BaseModel):
    id: str
    username: str
    role: Role
    tenant_id: str | None


class TokenOut(BaseModel):
    id: str
    name: str
    prefix: str
    created_at: float
    last_used_at: float | None
