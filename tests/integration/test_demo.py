"""Demo mode: the dental twin plays into a started platform as Demo Dental; incidents open and resolve.

The platform runs on a FakeClock that only the demo's own sleeps move, so "the first five minutes" are
five minutes of the demo's clock however fast the machine is; the poll deadline is real time and generous.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from forewarn.alerting import signal_rows
from forewarn.auth import Principal
from forewarn.bus import SIGNALS
from forewarn.core.clock import FakeClock
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.incidents import get_incident, list_incidents
from forewarn.inventory import list_assets
from forewarn.monitoring import MemorySeriesStore, list_checks, series_limits
from forewarn.runtime import Platform
from forewarn.runtime.demo import CYCLE, CYCLE_WAIT, DEMO_TENANT, QUIET_MINUTES, DemoFeeder
from forewarn.testing.platform import make_settings

SYSTEM = Principal.system()


async def wait_for(predicate, timeout: float = 240.0):  # noqa: ANN001, ANN201
    """Poll until predicate() is truthy; the bound only stops a broken test from hanging."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError("condition not reached")


@pytest.fixture
async def platform(tmp_path: Path, sqlite_url: str):
    p = Platform(make_settings(tmp_path, sqlite_url, notify_enabled=False), clock=FakeClock(time.time()),
                 store=MemorySeriesStore())
    yield p
    await p.stop()


def demo_incidents(p: Platform, tenant_id: str) -> list:
    with p.db.session() as session:
        return list_incidents(session, SYSTEM, tenant=tenant_id, limit=1000)[0]


async def test_demo_dental_gets_samples_and_an_incident_opens_and_resolves_within_minutes(platform):
    feeder = DemoFeeder.from_file(platform, speed=60.0)
    t0 = feeder.t0
    tenant_id = feeder.install()
    with platform.db.session() as session:
        assets, _ = list_assets(session, SYSTEM, tenant=DEMO_TENANT["slug"], limit=1000)
    assert {a.name for a in assets} >= {"srv1", "pms-app", "office-dns", "website"}
    history, _ = platform.store.latest(feeder.series_ids)
    assert np.isfinite(history).all() and history.max() < t0  # backfilled normal history, before the start

    await platform.start(checks=True, agent=False)

    def resolved():
        return [i for i in demo_incidents(platform, tenant_id) if i.resolved_at is not None]

    done = await wait_for(resolved)
    first = min(done, key=lambda i: i.resolved_at)
    assert t0 < first.opened_at < first.resolved_at <= t0 + 300  # within five minutes of the demo's clock
    newest, _ = platform.store.latest(feeder.series_ids)
    assert (newest > t0).all()  # every Demo Dental series got live samples
    # Records are stamped at the demo's real time, not the accelerated one (which is 60× further ahead).
    assert newest.max() <= platform.clock.now()
    assert feeder.sim(platform.clock.now()) - t0 > 50 * (platform.clock.now() - t0)
    assert tenant_id in platform.simulated_tenants


async def test_a_restart_applies_the_inventory_again_without_duplicates_and_keeps_history(platform, tmp_path):
    first = DemoFeeder.from_file(platform)
    tenant_id = first.install()
    with platform.db.session() as session:
        before = (len(list_assets(session, SYSTEM, tenant=tenant_id, limit=1000)[0]),
                  len(list_checks(session, SYSTEM, limit=1000)[0]))
    platform.clock.advance(600)
    again = DemoFeeder.from_file(platform)
    assert again.install() == tenant_id
    with platform.db.session() as session:
        after = (len(list_assets(session, SYSTEM, tenant=tenant_id, limit=1000)[0]),
                 len(list_checks(session, SYSTEM, limit=1000)[0]))
    assert after == before
    np.testing.assert_array_equal(first.series_ids, again.series_ids)
    # The second backfill only filled the gap: one sample per series per minute, no overlap.
    got = platform.store.read(int(again.series_ids[0]), first.t0 - 3600, again.t0)
    assert np.all(np.diff(got.timestamps) > 0)


async def test_the_scheduler_never_runs_the_demo_tenants_checks_for_real(platform):
    tenant_id = DemoFeeder.from_file(platform).install()
    definitions = await platform._definitions()
    assert all(d.tenant_id != tenant_id for d in definitions)
    with platform.db.session() as session:
        assert any(c.asset_id for c in list_checks(session, SYSTEM, tenant=tenant_id, limit=1000)[0])


async def test_an_incident_held_open_only_by_a_quiet_anomaly_is_closed_and_a_later_fault_opens_its_own(platform):
    # A chance surprise on a workstation nothing is wrong with: the detector would keep it firing for 15 real
    # minutes (15 simulated hours at 60x), and a later fault upstream of it would join its incident.
    feeder = DemoFeeder.from_file(platform, speed=60.0)
    tenant_id = feeder.install()
    ws, switch = feeder.twin.asset_ids["ws-08"], feeder.twin.asset_ids["sw1"]  # ws-08 depends on sw1
    surprise = Signal(fingerprint="anomaly:demo-test", tenant_id=tenant_id, asset_id=ws, kind="anomaly",
                      severity=Severity.WARNING, state=SignalState.FIRING,
                      summary="memory_used_percent unusual: 46 % (anomaly score 0.87)", ts=feeder.t0)
    await platform.start(checks=True, agent=False)
    await platform.bus.publish(SIGNALS, surprise)

    def incidents_on(asset_id: str) -> list:
        return [i for i in demo_incidents(platform, tenant_id) if i.asset_id == asset_id]

    incident = (await wait_for(lambda: [i for i in incidents_on(ws) if i.resolved_at is not None]))[0]
    with platform.db.session() as session:
        timeline = get_incident(session, SYSTEM, incident.id).timeline
    assert timeline[-1].actor == "demo technician" and "anomaly" in timeline[-1].message
    simulated_minutes = (incident.resolved_at - surprise.ts) * feeder.speed / 60
    assert QUIET_MINUTES <= simulated_minutes <= QUIET_MINUTES + 10  # the quiet window, then the next look

    # Well within the correlation's 15 real minutes of the surprise, the switch fails: its own incident now.
    down = Signal(fingerprint="check:demo-test-sw1", tenant_id=tenant_id, asset_id=switch, kind="check",
                  severity=Severity.CRITICAL, state=SignalState.FIRING, summary="unreachable: link down",
                  ts=platform.clock.now())
    assert down.ts - surprise.ts < 900
    await platform.bus.publish(SIGNALS, down)
    await platform.bus.drain()

    def holding(fingerprint: str) -> list[str]:
        with platform.db.session() as session:
            return [i.id for i in demo_incidents(platform, tenant_id) if fingerprint in
                    {s.fingerprint for s in signal_rows(session, get_incident(session, SYSTEM, i.id).signal_ids)}]

    assert holding(down.fingerprint) and incident.id not in holding(down.fingerprint)
    assert [i.signal_count for i in incidents_on(ws)] == [1]


def test_the_next_round_of_faults_waits_for_the_last_rounds_incidents_but_not_forever(platform):
    feeder = DemoFeeder.from_file(platform)
    end = feeder.t0 + CYCLE
    assert not feeder.cycle_due(end - 60)
    assert feeder.cycle_due(end)  # nothing open: on time
    feeder.incidents_open = True  # as the technician's last look found
    assert not feeder.cycle_due(end + 60) and not feeder.cycle_due(end + CYCLE_WAIT - 60)
    assert feeder.cycle_due(end + CYCLE_WAIT)  # a stuck incident does not stop the demo


def test_a_speed_that_is_not_positive_is_refused(platform):
    with pytest.raises(ValueError, match="speed"):
        DemoFeeder.from_file(platform, speed=0)


async def test_a_forecast_is_there_from_the_first_round(platform):
    """nas1 fills at real pace through the backfilled week: the first forecast round warns about it, and no
    other Demo Dental series (their week of normal load) gets a forecast."""
    feeder = DemoFeeder.from_file(platform, speed=60.0)
    tenant_id = feeder.install()
    with platform.db.session() as session:
        limits = series_limits(session)
        nas1 = next(a.id for a in list_assets(session, Principal.system(), tenant=DEMO_TENANT["slug"])[0]
                    if a.name == "nas1")
    signals = platform.forecasts.run(limits, platform.clock.now())
    demo = [s for s in signals if s.tenant_id == tenant_id and s.state == SignalState.FIRING]
    assert [(s.asset_id, s.kind) for s in demo] == [(nas1, "forecast")]
    crossing_days = (demo[0].evidence["crossing_ts"] - platform.clock.now()) / 86_400.0
    assert 0.5 < crossing_days < 3.0, demo[0].summary


async def test_the_open_forecast_incident_does_not_hold_the_next_round_back(platform):
    feeder = DemoFeeder.from_file(platform, speed=60.0)
    tenant_id = feeder.install()
    platform.background = [b for b in platform.background if b[0] != "demo-feeder"]  # no faults: only ours
    await platform.start(checks=False, agent=False)
    with platform.db.session() as session:
        limits = series_limits(session)
    for signal in platform.forecasts.run(limits, platform.clock.now()):
        await platform.bus.publish(SIGNALS, signal)
    await platform.bus.drain()
    [forecast] = demo_incidents(platform, tenant_id)
    assert forecast.asset_id == feeder.twin.asset_ids["nas1"]
    assert await asyncio.to_thread(feeder._close_quiet) == ([], False)  # days away: no round's incident

    down = Signal(fingerprint="check:demo-test-srv1", tenant_id=tenant_id, asset_id=feeder.twin.asset_ids["srv1"],
                  kind="check", severity=Severity.CRITICAL, state=SignalState.FIRING, summary="unreachable",
                  ts=platform.clock.now())
    await platform.bus.publish(SIGNALS, down)
    await platform.bus.drain()
    assert await asyncio.to_thread(feeder._close_quiet) == ([], True)  # a round's failure: wait for it
