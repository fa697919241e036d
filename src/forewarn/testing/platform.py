"""Test helpers for the whole platform: settings in a temp dir and a seeded world of tenants and accounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forewarn.auth import Principal, Role, TenantIn, UserIn, create_tenant, create_token, create_user
from forewarn.runtime import Platform
from forewarn.settings import Settings

TEST_ADMIN_PASSWORD = "admin-pass-123"
TEST_USER_PASSWORD = "password-123"


def make_settings(tmp_path: Path, database_url: str | None = None, **extra: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": tmp_path, "database_url": database_url,
                              "admin_password": TEST_ADMIN_PASSWORD, "agent_enabled": False,
                              "secret_key": "test-secret-key"}
    values.update(extra)
    return Settings(**values)


@dataclass
class Seeded:
    tokens: dict[str, str]  # username → API token
    tenants: dict[str, str]  # slug → id


def seed_accounts(platform: Platform) -> Seeded:
    """Two client tenants (acme, globex); a technician and one client user per tenant; a token each."""
    tokens: dict[str, str] = {}
    tenants: dict[str, str] = {}
    with platform.db.session() as session:
        for slug, name in (("acme", "ACME Dental"), ("globex", "Globex Accounting")):
            tenants[slug] = create_tenant(session, Principal.system(), TenantIn(slug=slug, name=name)).id
        for username, role, tenant in (("tech", Role.TECHNICIAN, None), ("acme-user", Role.CLIENT, "acme"),
                                       ("globex-user", Role.CLIENT, "globex")):
            create_user(session, UserIn(username=username, password=TEST_USER_PASSWORD, role=role, tenant=tenant))
        for username in (platform.settings.admin_user, "tech", "acme-user", "globex-user"):
            tokens[username] = create_token(session, username)
    return Seeded(tokens, tenants)
