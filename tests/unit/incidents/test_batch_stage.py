"""The live incidents stage: signals published one at a time are gathered by the bus and correlated as
batches, one incident change per incident however many signals; a bad signal does not sink its batch."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from forewarn.auth import Principal, ensure_tenant
from forewarn.bus import INCIDENT_CHANGES, SIGNALS
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.incidents import list_incidents
from forewarn.incidents.batch import CORRELATOR
from forewarn.inventory import AssetIn, AssetKind, DependencyIn, create_asset, create_dependency
from forewarn.monitoring import MemorySeriesStore
from forewarn.runtime import Platform
from forewarn.testing.platform import make_settings

SYSTEM = Principal.system()
T0 = 1_767_225_600.0


def seed(platform: Platform) -> tuple[str, dict[str, str]]:
    """A switch with twelve servers behind it."""
    with platform.db.session() as session:
        tenant_id = ensure_tenant(session, "acme", "ACME").id
        ids = {n: create_asset(session, SYSTEM, AssetIn(tenant="acme", name=n, kind=AssetKind.HOST)).id
               for n in ["sw1", *(f"srv{i}" for i in range(12))]}
        for i in range(12):
            create_dependency(session, SYSTEM, DependencyIn(asset_id=ids[f"srv{i}"], depends_on_id=ids["sw1"]))
    return tenant_id, ids


def down(tenant_id: str, asset_id: str, at: float) -> Signal:
    return Signal(fingerprint=f"check:{asset_id}:ping", tenant_id=tenant_id, asset_id=asset_id, kind="check",
                  severity=Severity.CRITICAL, state=SignalState.FIRING, summary="ping failed", ts=T0 + at)


async def test_a_storm_published_signal_by_signal_is_correlated_as_one_batch(tmp_path: Path,
                                                                             sqlite_url: str) -> None:
    CORRELATOR.forget()
    platform = Platform(make_settings(tmp_path, sqlite_url), store=MemorySeriesStore())
    changes: list[dict] = []

    async def watch(change: dict) -> None:
        changes.append(change)

    platform.bus.subscribe(INCIDENT_CHANGES, "test", watch)
    tenant_id, ids = seed(platform)
    await platform.bus.start()
    try:
        storm = [down(tenant_id, ids[f"srv{i}"], i) for i in range(12)] + [down(tenant_id, ids["sw1"], 20)]
        for signal in storm:
            await platform.bus.publish(SIGNALS, signal)
        await platform.bus.drain()
    finally:
        await platform.bus.stop()
        platform.db.dispose()
    with platform.db.session() as session:
        incidents = list_incidents(session, SYSTEM, open_only=True)[0]
    assert len(incidents) == 1 and incidents[0].signal_count == 13  # the late cause absorbed its symptoms
    assert incidents[0].root_cause_asset_id == ids["sw1"]
    # One by one, each of the 13 signals announces a change (sw1 joins one server's incident, which so
    # changes twice); gathered into one batch, each of the 12 incidents it touched changed once.
    assert len(changes) == len({c["incident_id"] for c in changes}) == 12


async def test_a_signal_that_fails_alone_leaves_the_rest_of_its_batch_correlated(
        tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    CORRELATOR.forget()
    platform = Platform(make_settings(tmp_path, sqlite_url), store=MemorySeriesStore())
    tenant_id, ids = seed(platform)
    await platform.bus.start()
    try:
        good = [down(tenant_id, ids[f"srv{i}"], 4000.0 * i) for i in range(3)]  # far apart: three incidents
        bad = down("no-such-tenant", ids["srv5"], 1.0)  # its signal row breaks the tenant foreign key
        with caplog.at_level(logging.ERROR, logger="forewarn.bus.inprocess"):
            for signal in (good[0], bad, good[1], good[2]):
                await platform.bus.publish(SIGNALS, signal)
            await platform.bus.drain()
    finally:
        await platform.bus.stop()
        platform.db.dispose()
    with platform.db.session() as session:
        incidents = list_incidents(session, SYSTEM)[0]
    assert sorted(i.asset_id for i in incidents) == sorted(ids[f"srv{i}"] for i in range(3))
    failures = [r.getMessage() for r in caplog.records]
    assert any("batch of 4 signals records" in m for m in failures)  # the batch of four failed as a whole
    assert sum("failed on a signals record" in m for m in failures) == 1  # then only the bad one
