"""A small client environment for ticket tests: a router, a server, two client services and a backup job."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy.orm import Session

from forewarn.alerting import record_signal
from forewarn.auth import Principal, TenantIn, create_tenant
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.incidents import apply_signal
from forewarn.inventory import AssetIn, DependencyIn, create_asset, create_dependency

SYSTEM = Principal.system()
T0 = 1_767_945_600.0  # 2026-01-09 08:00 UTC, a Friday
ASSETS = [  # name, kind, tags, attributes, depends on
    ("router", "network_device", [], {}, []),
    ("server", "host", [], {}, ["router"]),
    ("pms", "application", ["user-facing"], {"users": 40}, ["server"]),
    ("portal", "website", [], {"users": 150}, ["server"]),
    ("backup", "backup_job", [], {}, []),
]


@dataclass
class Env:
    session: Session
    tenant_id: str
    assets: dict[str, str] = field(default_factory=dict)
    other_tenant_id: str = ""
    other_asset: str = ""

    def fire(self, asset: str, severity: str = "critical", fp: str | None = None, ts: float = T0,
             state: str = "firing", tenant: str | None = None) -> tuple[str | None, str]:
        """Record a signal and route it; returns (incident id, signal id)."""
        asset_id = self.other_asset if tenant == "other" else self.assets[asset]
        signal = Signal(fingerprint=fp or f"check:{asset}", tenant_id=self.other_tenant_id if tenant == "other"
                        else self.tenant_id, asset_id=asset_id, kind="check", severity=Severity(severity),
                        state=SignalState(state), summary=f"{asset} is {severity}", ts=ts)
        signal_id = record_signal(self.session, signal)
        return apply_signal(self.session, signal, signal_id), signal_id


@pytest.fixture
def env(db) -> Iterator[Env]:
    with db.session() as session:
        tenant = create_tenant(session, SYSTEM, TenantIn(slug="dental", name="Dental"))
        other = create_tenant(session, SYSTEM, TenantIn(slug="globex", name="Globex"))
        e = Env(session, tenant.id, other_tenant_id=other.id)
        for name, kind, tags, attrs, _ in ASSETS:
            e.assets[name] = create_asset(session, SYSTEM, AssetIn(tenant="dental", name=name, kind=kind, tags=tags,
                                                                   attributes=attrs)).id
        for name, _, _, _, deps in ASSETS:
            for dep in deps:
                create_dependency(session, SYSTEM, DependencyIn(asset_id=e.assets[name],
                                                                depends_on_id=e.assets[dep]))
        e.other_asset = create_asset(session, SYSTEM, AssetIn(tenant="globex", name="gx", kind="host")).id
        session.commit()
        yield e
