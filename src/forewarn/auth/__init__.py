"""Users, roles, API tokens and tenants; permission scopes."""

from forewarn.auth.contacts import Contact, contacts_by_ids, contacts_by_names, set_email
from forewarn.auth.enums import Role
from forewarn.auth.ratelimit import LoginRateLimiter
from forewarn.auth.schemas import TenantIn, TenantOut, TenantPatch, TokenOut, UserIn, UserOut
from forewarn.auth.scope import Principal
from forewarn.auth.service import (
    INTERNAL_TENANT_SLUG,
    authenticate,
    count_users,
    create_tenant,
    create_token,
    create_user,
    delete_tenant,
    ensure_tenant,
    get_tenant,
    get_tenant_row,
    list_tenants,
    list_tokens,
    list_users,
    load_principal,
    principal_for_token,
    resolve_tenant_id,
    update_tenant,
    upsert_tenant,
    user_id_by_name,
    usernames,
)

__all__ = [
    "Contact", "contacts_by_ids", "contacts_by_names", "set_email",
    "INTERNAL_TENANT_SLUG", "LoginRateLimiter", "Principal", "Role", "TenantIn", "TenantOut",
    "TenantPatch", "TokenOut", "UserIn", "UserOut", "authenticate", "count_users", "create_tenant",
    "create_token", "create_user", "delete_tenant", "ensure_tenant", "get_tenant", "get_tenant_row",
    "list_tenants", "list_tokens", "list_users", "load_principal", "principal_for_token", "resolve_tenant_id",
    "update_tenant", "upsert_tenant", "user_id_by_name", "usernames",
]
