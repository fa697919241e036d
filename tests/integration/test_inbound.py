"""Alerts from other tools and syslog from devices reach the pipeline, attributed to the right asset."""

from __future__ import annotations

import asyncio
import socket

from forewarn.auth import Principal, TenantIn, create_tenant
from forewarn.bus import LOGS
from forewarn.inventory import AssetIn, create_asset
from forewarn.monitoring import MemorySeriesStore
from forewarn.runtime import Platform
from forewarn.testing.platform import make_settings

from .test_api import make_asset


def am_webhook(status: str, instance: str, ends: str = "0001-01-01T00:00:00Z") -> dict:
    alert = {"status": status, "labels": {"alertname": "DiskFull", "instance": instance, "severity": "critical"},
             "annotations": {"summary": "/ is 97% full"}, "startsAt": "2026-11-28T14:03:09Z", "endsAt": ends,
             "generatorURL": "http://prometheus:9090/graph", "fingerprint": "5c2e1a0b9f3d7e41"}
    return {"version": "4", "groupKey": "{}", "status": status, "receiver": "forewarn", "groupLabels": {},
            "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093", "alerts": [alert]}


def open_incidents(world, asset_id: str) -> list[dict]:
    world.client.portal.call(world.platform.bus.drain)
    items = world.get("tech", "/api/v1/incidents", params={"asset": asset_id}).json()["items"]
    return [i for i in items if i["status"] in ("new", "acknowledged")]


def test_alertmanager_alert_opens_an_incident_on_the_matched_asset_and_its_resolve_resolves_it(world):
    asset = make_asset(world, name="srv-files", address="10.0.0.5")
    url = "/api/v1/alerts/alertmanager?tenant=acme"
    r = world.post("tech", url, json=am_webhook("firing", "10.0.0.5:9100"))
    assert r.status_code == 202 and r.json() == {"accepted": 1, "unmatched": []}
    [incident] = open_incidents(world, asset["id"])
    assert "97% full" in incident["title"]
    r = world.post("tech", url, json=am_webhook("resolved", "10.0.0.5:9100", ends="2026-11-28T15:00:00Z"))
    assert r.status_code == 202
    assert open_incidents(world, asset["id"]) == []


def test_generic_alert_for_an_unknown_host_lands_on_the_tenants_external_alerts_asset(world):
    make_asset(world, name="srv1.acme.local")
    alerts = [{"source": "uptime-kuma", "name": "ping lost", "host": "SRV1", "severity": "critical"},
              {"source": "uptime-kuma", "name": "ping lost", "host": "nas9", "severity": "warning"}]
    r = world.post("tech", "/api/v1/alerts?tenant=acme", json=alerts)
    assert r.status_code == 202 and r.json() == {"accepted": 2, "unmatched": ["nas9"]}
    assets = {a["name"]: a for a in world.get("tech", "/api/v1/assets", params={"tenant": "acme"}).json()["items"]}
    assert "external alerts" in assets  # created on first use, so nothing is dropped
    assert len(open_incidents(world, assets["srv1.acme.local"]["id"])) == 1  # short name, any case
    assert len(open_incidents(world, assets["external alerts"]["id"])) == 1
    # The same unknown host again reuses the catch-all asset.
    assert world.post("tech", "/api/v1/alerts?tenant=acme", json=alerts[1]).status_code == 202
    names = [a["name"] for a in world.get("tech", "/api/v1/assets", params={"tenant": "acme"}).json()["items"]]
    assert names.count("external alerts") == 1


def test_alert_input_errors_name_the_field_and_change_nothing(world):
    before = world.get("tech", "/api/v1/assets").json()["total"]
    r = world.post("tech", "/api/v1/alerts?tenant=acme", json=[{"source": "x", "name": "y", "severity": "doom"}])
    assert r.status_code == 422 and "severity" in r.json()["where"]
    r = world.client.post("/api/v1/alerts/alertmanager?tenant=acme", content=b"{not json",
                          headers={"content-type": "application/json"} | world.as_("tech"))
    assert r.status_code == 422 and r.json()["where"] == "body"
    assert world.post("tech", "/api/v1/alerts", json=[]).status_code == 422  # tenant is required
    assert world.get("tech", "/api/v1/assets").json()["total"] == before


def test_alert_endpoints_respect_roles_and_tenants(world):
    payload = {"source": "x", "name": "y", "host": "nas9"}
    assert world.post("acme-user", "/api/v1/alerts?tenant=acme", json=payload).status_code == 403
    assert world.post("globex-user", "/api/v1/alerts?tenant=acme", json=payload).status_code in (403, 404)
    assert world.post("tech", "/api/v1/alerts?tenant=no-such-tenant", json=payload).status_code == 404


async def test_syslog_over_udp_and_tcp_reaches_the_log_stage_on_the_sending_asset(database_url, tmp_path):
    settings = make_settings(tmp_path, database_url, syslog_port=0)
    platform = Platform(settings, store=MemorySeriesStore())
    with platform.db.session() as session:
        tenant = create_tenant(session, Principal.system(), TenantIn(slug="acme", name="Acme"))
        asset = create_asset(session, Principal.system(),
                             AssetIn(tenant="acme", name="fw1.acme.local", kind="network_device", address="10.9.9.1"))
    seen: list = []
    arrived = asyncio.Event()

    async def probe(lines: list) -> None:
        seen.extend(lines)
        if len(seen) >= 3:
            arrived.set()

    platform.bus.subscribe(LOGS, "probe", probe)
    await platform.start(checks=False, agent=False)
    try:
        feed = platform.syslog
        assert feed is not None
        udp = ("127.0.0.1", feed.server.udp_port)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.2", 0))  # a sender address no asset has (127.0.0.1 is this host's own asset)
            s.sendto(b"<38>Nov 28 14:03:09 FW1 sshd[42]: Failed password for root from 203.0.113.9", udp)
            s.sendto(b"<38>1 2026-11-28T14:03:10Z 10.9.9.1 sshd 42 - - Failed password for admin", udp)
            s.sendto(b"<38>1 2026-11-28T14:03:11Z - sshd 42 - - no hostname, sent from 127.0.0.2", udp)
            s.sendto(b"<38>Nov 28 14:03:12 printer7 lpd: paper jam", udp)
        frame = b"<38>1 2026-11-28T14:03:13Z fw1.acme.local sshd 42 - - Accepted publickey for deploy"
        _, writer = await asyncio.open_connection("127.0.0.1", feed.server.tcp_port)
        writer.write(str(len(frame)).encode() + b" " + frame)
        await writer.drain()
        writer.close()
        await asyncio.wait_for(arrived.wait(), timeout=10)
        await asyncio.sleep(0.6)  # one more batch interval: the unmatched ones are counted, not published
    finally:
        await platform.stop()
    assert {(x.tenant_id, x.asset_id, x.app) for x in seen} == {(tenant.id, asset.id, "sshd")}
    assert sorted(x.message for x in seen) == ["Accepted publickey for deploy", "Failed password for admin",
                                               "Failed password for root from 203.0.113.9"]
    assert feed.unmatched == {"printer7": 1, "127.0.0.2": 1}
