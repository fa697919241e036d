"""API fixtures: a platform on either database, two client tenants and one account per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from forewarn.monitoring import MemorySeriesStore
from forewarn.runtime import Platform
from forewarn.testing.platform import make_settings, seed_accounts
from forewarn.web.app import create_app


@dataclass
class World:
    client: TestClient
    platform: Platform
    tokens: dict[str, str]
    tenants: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, url: str, **kw):  # noqa: ANN003, ANN201
        return self.client.get(url, headers=self.as_(who), **kw)

    def post(self, who: str, url: str, **kw):  # noqa: ANN003, ANN201
        return self.client.post(url, headers=self.as_(who), **kw)

    def patch(self, who: str, url: str, **kw):  # noqa: ANN003, ANN201
        return self.client.patch(url, headers=self.as_(who), **kw)

    def delete(self, who: str, url: str, **kw):  # noqa: ANN003, ANN201
        return self.client.delete(url, headers=self.as_(who), **kw)


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    settings = make_settings(tmp_path, database_url, admin_user="admin")
    platform = Platform(settings, store=MemorySeriesStore())
    seeded = seed_accounts(platform)
    app = create_app(settings, platform, run_checks=False, run_agent=False)
    with TestClient(app) as client:
        yield World(client, platform, seeded.tokens, seeded.tenants)
    platform.db.dispose()
