"""Proactive detection in the platform: a leak seen by a real check is forecast to cross its threshold and
opens a proactive incident while the check is still OK; a sudden spike becomes an anomaly incident."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from forewarn.auth import Principal
from forewarn.core.clock import FakeClock
from forewarn.core.records import SampleBatch
from forewarn.incidents import get_incident, list_incidents
from forewarn.inventory import AssetIn, AssetKind, create_asset
from forewarn.monitoring import CheckIn, MemorySeriesStore, create_check, enabled_definitions, run_check
from forewarn.runtime import Platform
from forewarn.testing.loopback import LoopbackHttpServer
from forewarn.testing.platform import make_settings

SYSTEM = Principal.system()
STEP = 300.0  # the check's interval: five minutes of simulated time per run
START = 1_767_225_600.0  # 2026-01-01 00:00 UTC


@pytest.fixture
async def platform(tmp_path: Path, sqlite_url: str):
    p = Platform(make_settings(tmp_path, sqlite_url), clock=FakeClock(START), store=MemorySeriesStore())
    await p.start(checks=False, agent=False)  # the test drives checks itself, on the fake clock
    yield p
    await p.stop()


def memory_page(percent: float) -> str:
    return f"# TYPE app_memory_used_percent gauge\napp_memory_used_percent {percent:.3f}\n"


def open_incidents(platform: Platform):
    with platform.db.session() as session:
        return list_incidents(session, SYSTEM, open_only=True)[0]


async def test_a_leak_is_forecast_before_its_threshold_check_fails(platform):
    with LoopbackHttpServer() as exporter:
        with platform.db.session() as session:
            asset = create_asset(session, SYSTEM, AssetIn(tenant="internal", name="app1", kind=AssetKind.HOST))
            create_check(session, SYSTEM, CheckIn(
                asset=asset.id, name="memory", kind="prometheus", interval=STEP,
                params={"url": exporter.url("/metrics")},
                thresholds=[{"metric": "app_memory_used_percent", "warning": 80, "critical": 90}]))
            [check] = enabled_definitions(session)
        rng = np.random.default_rng(7)
        found = None
        for step in range(24 * 12 * 3):  # at most three simulated days
            percent = 40 + 20 * step * STEP / 86_400 + rng.normal(0, 0.3)  # leaks 20 points a day
            exporter.reply("/metrics", body=memory_page(percent))
            result = await run_check(check, platform.clock)
            await platform.bus.publish("check_results", result)
            await platform.bus.drain()
            if step % 12 == 11:  # a forecast round every simulated hour
                await platform.run_forecasts()
                await platform.bus.drain()
                found = [i for i in open_incidents(platform) if "reaches 90" in i.title]
                if found:
                    break
            platform.clock.advance(STEP)
        assert found, "no forecast incident within three simulated days"
        incident = found[0]
        assert incident.proactive and incident.severity in ("warning", "critical")
        assert result.status.name == "OK" and percent < 80  # caught before even the warning level
        with platform.db.session() as session:
            detail = get_incident(session, SYSTEM, incident.id)
        assert "app_memory_used_percent on" not in incident.title and "reaches 90" in incident.title
        assert detail.timeline[0].data["proactive"] is True


async def test_a_sudden_spike_opens_an_anomaly_incident(platform):
    [series_id] = platform.registry.resolve(platform.boot.internal_tenant_id, platform.boot.local_asset_id,
                                            [("queue_length", "", "")])
    n = 1440 + 600  # the stage's first day of a series is learning only
    t = START + np.arange(n) * 60.0
    values = 50 + 5 * np.sin(np.arange(n) / 20)
    values[n - 50] = 400.0
    for i in range(n):
        batch = SampleBatch(np.array([series_id]), t[i:i + 1], values[i:i + 1])
        platform.store.append(batch)
        await platform.bus.publish("samples", batch)
    await platform.bus.drain()
    with platform.db.session() as session:
        anomalies = [i for i in list_incidents(session, SYSTEM)[0] if "unusual" in i.title]
    assert len(anomalies) == 1 and anomalies[0].proactive  # the spike only, not the learning period
    assert "queue_length unusual: 400" in anomalies[0].title
    assert anomalies[0].status == "resolved"  # quiet for a quarter of an hour afterwards


async def test_sensitivity_is_set_per_tenant_and_per_series(platform):
    from forewarn.alerting import SensitivityIn, set_sensitivity

    tenant, asset = platform.boot.internal_tenant_id, platform.boot.local_asset_id
    quiet, loud = platform.registry.resolve(tenant, asset, [("queue_a", "", ""), ("queue_b", "", "")])
    with platform.db.session() as session:
        set_sensitivity(session, SYSTEM, SensitivityIn(tenant="internal", level="off"))
        set_sensitivity(session, SYSTEM, SensitivityIn(tenant="internal", series_id=loud, level="high"))
    n = 1440 + 400  # past the first day, when a series starts to page
    t = START + np.arange(n) * 60.0
    values = 50 + 5 * np.sin(np.arange(n) / 20)
    values[n - 20] = 400.0
    for i in range(n):
        batch = SampleBatch(np.array([quiet, loud]), t[[i, i]], values[[i, i]])
        await platform.bus.publish("samples", batch)
    await platform.bus.drain()
    with platform.db.session() as session:
        titles = [i.title for i in list_incidents(session, SYSTEM)[0]]
    assert any("queue_b unusual" in x for x in titles)  # the series setting wins over the tenant's
    assert not any("queue_a" in x for x in titles)  # the tenant said "off"
