"""The pipeline end to end in one process: a loopback HTTP target goes down, an incident opens; it comes
back, the incident resolves. Stages talk only through the bus."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from forewarn.auth import Principal
from forewarn.incidents import list_incidents
from forewarn.inventory import AssetIn, AssetKind, asset_row, create_asset
from forewarn.monitoring import CheckIn, MemorySeriesStore, check_history, create_check, list_series
from forewarn.runtime import Platform
from forewarn.testing.loopback import LoopbackHttpServer
from forewarn.testing.platform import make_settings

SYSTEM = Principal.system()
INTERVAL = 1.0


async def wait_for(predicate, timeout: float = 20.0):
    """Poll until predicate() is truthy; the bound only stops a broken test from hanging."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        value = await asyncio.to_thread(predicate)
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached")


@pytest.fixture
def target():
    server = LoopbackHttpServer().start()
    server.reply("/", body="intranet home")
    yield server
    server.stop()


@pytest.fixture
async def platform(tmp_path: Path, sqlite_url: str):
    p = Platform(make_settings(tmp_path, sqlite_url), store=MemorySeriesStore())
    yield p
    await p.stop()


def add_http_check(platform: Platform, url: str) -> str:
    with platform.db.session() as session:
        asset = create_asset(session, SYSTEM, AssetIn(tenant="internal", name="intranet", kind=AssetKind.WEBSITE))
        return create_check(session, SYSTEM, CheckIn(
            asset=asset.id, name="home", kind="http", interval=INTERVAL, timeout=2,
            params={"url": url, "expect_text": "intranet"}, confirm_count=2)).id


def incidents(platform: Platform):
    with platform.db.session() as session:
        return list_incidents(session, SYSTEM)[0]


def results(platform: Platform, check_id: str):
    with platform.db.session() as session:
        return check_history(session, SYSTEM, check_id, limit=1000)


async def test_target_down_opens_an_incident_and_recovery_resolves_it(platform, target):
    check_id = add_http_check(platform, target.url("/"))
    await platform.start(checks=True, agent=False)
    await wait_for(lambda: len(results(platform, check_id)) >= 2)
    assert not incidents(platform)

    target.stop()
    seen_before = len(results(platform, check_id))
    opened = await wait_for(lambda: incidents(platform))
    failed_runs = len(results(platform, check_id)) - seen_before
    # Hysteresis of 2: the incident opens on the second failing result, i.e. within two intervals.
    assert failed_runs <= 3
    incident = opened[0]
    assert incident.status == "new" and incident.severity == "critical" and not incident.proactive
    assert "intranet" in incident.title and "refused" in incident.title.lower()

    target.start()
    await wait_for(lambda: incidents(platform)[0].status == "resolved")
    assert len(incidents(platform)) == 1  # one problem, one incident


async def test_check_metrics_become_series_in_the_store(platform, target):
    check_id = add_http_check(platform, target.url("/"))
    await platform.start(checks=True, agent=False)
    await wait_for(lambda: len(results(platform, check_id)) >= 2)
    await platform.bus.drain()
    with platform.db.session() as session:
        series = {s.name: s.id for s in list_series(session, asset_id_of(platform, "intranet"))}
    assert {"response_ms", "status_code"} <= set(series)
    rng = platform.store.read(series["status_code"], 0, 4e9)
    assert len(rng.values) >= 2 and set(rng.values.tolist()) == {200.0}


def asset_id_of(platform: Platform, name: str) -> str:
    with platform.db.session() as session:
        return asset_row(session, SYSTEM, name).id


async def test_an_outage_notifies_a_webhook_once_per_change(platform, target):
    from forewarn.notify import ChannelIn, create_channel

    receiver = LoopbackHttpServer().start()
    receiver.reply("/hook", status=200, body="ok")
    try:
        with platform.db.session() as session:
            create_channel(session, SYSTEM, "internal", ChannelIn(
                name="ops", kind="webhook", config={"url": receiver.url("/hook"), "secret": "s" * 24}), 0.0)
        check_id = add_http_check(platform, target.url("/"))
        await platform.start(checks=True, agent=False)
        await wait_for(lambda: len(results(platform, check_id)) >= 2)
        target.stop()
        await wait_for(lambda: incidents(platform))
        posts = await wait_for(lambda: [r for r in receiver.requests if r.method == "POST"])
        assert posts[0].headers.get("X-Forewarn-Signature", "").startswith("sha256=")
        keys = {r.headers.get("Idempotency-Key") for r in receiver.requests}
        assert len(keys) == len([r for r in receiver.requests if r.method == "POST"])  # no duplicates
    finally:
        receiver.stop()


RUNBOOK = """
runbooks:
  - name: recreate-flag
    match: {kind: check, check_kind: nagios}
    params:
      flag: {from: asset.attributes.flag, type: path, root: "%(root)s"}
    steps:
      - {kind: local, argv: ["/usr/bin/touch", "{flag}"]}
    verify: {check: signal, attempts: 3, interval: 1}
"""


async def test_a_runbook_fixes_the_problem_and_the_incident_counts_as_prevented(platform, tmp_path):
    from forewarn.remediation import load_runbooks, runs_for_incident

    flag = tmp_path / "healthy.flag"
    with platform.db.session() as session:
        load_runbooks(session, SYSTEM, RUNBOOK % {"root": str(tmp_path)}, "runbooks.yaml", 0.0)
        asset = create_asset(session, SYSTEM, AssetIn(tenant="internal", name="appsrv", kind=AssetKind.HOST,
                                                      attributes={"flag": str(flag)}))
        # The Nagios convention: exit 1 is WARNING, so the missing flag is an early, proactive problem.
        create_check(session, SYSTEM, CheckIn(asset=asset.id, name="flag", kind="nagios", interval=INTERVAL,
                                              params={"command": ["/usr/bin/test", "-f", str(flag)]}))
    await platform.start(checks=True, agent=False)
    [incident] = await wait_for(lambda: incidents(platform))

    def finished_runs():
        with platform.db.session() as session:
            runs = runs_for_incident(session, SYSTEM, incident.id)
        return [r for r in runs if r.status in ("succeeded", "failed")]

    [run] = await wait_for(finished_runs)
    assert run.status == "succeeded" and run.result["verified"] and run.result["prevented"]
    assert flag.exists()
    await wait_for(lambda: incidents(platform)[0].status == "resolved")


async def test_a_runbook_that_needs_approval_waits_for_a_technician(platform, tmp_path):
    from fastapi.testclient import TestClient

    from forewarn.auth import create_token
    from forewarn.remediation import load_runbooks, runs_for_incident
    from forewarn.web.app import create_app

    flag = tmp_path / "healthy.flag"
    text = (RUNBOOK % {"root": str(tmp_path)}).replace("verify:", "guards: {approval: true}\n    verify:")
    with platform.db.session() as session:
        load_runbooks(session, SYSTEM, text, "runbooks.yaml", 0.0)
        asset = create_asset(session, SYSTEM, AssetIn(tenant="internal", name="appsrv", kind=AssetKind.HOST,
                                                      attributes={"flag": str(flag)}))
        create_check(session, SYSTEM, CheckIn(asset=asset.id, name="flag", kind="nagios", interval=INTERVAL,
                                              params={"command": ["/usr/bin/test", "-f", str(flag)]}))
        token = create_token(session, "admin")
    await platform.start(checks=True, agent=False)
    [incident] = await wait_for(lambda: incidents(platform))

    def runs():
        with platform.db.session() as session:
            return runs_for_incident(session, SYSTEM, incident.id)

    [waiting] = await wait_for(runs)
    assert waiting.status == "awaiting_approval" and not flag.exists()
    app = create_app(platform.settings, platform, run_checks=False, run_agent=False)
    client = TestClient(app)  # not started as a context: the platform is already running
    r = await asyncio.to_thread(client.post, f"/api/v1/runs/{waiting.id}/approve",
                                headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    await wait_for(lambda: runs()[0].status == "succeeded")
    assert flag.exists()
