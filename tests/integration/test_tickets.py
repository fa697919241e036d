"""Tickets over the API on both databases: priorities, links, merge/split, SLA policy, timers and counts,
and a client user who never reaches another tenant's tickets."""

from __future__ import annotations

import time

import pytest

from forewarn.alerting import record_signal
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.incidents import apply_signal, sla_tick

POLICY = {"timezone": "Europe/Berlin", "hours": {"mon": ["08:00-18:00"], "tue": ["08:00-18:00"]},
          "holidays": ["2026-12-25"],
          "targets": {"P1": {"response": 15, "resolution": 240, "clock": "24x7"},
                      "P2": {"response": 30, "resolution": 480, "clock": "24x7"},
                      "P3": {"response": 240, "resolution": 2400}}}


def fire(world, tenant: str, asset_id: str, fp: str, severity: str = "critical", ago: float = 0.0) -> tuple[str, str]:
    signal = Signal(fingerprint=fp, tenant_id=world.tenants[tenant], asset_id=asset_id, kind="check",
                    severity=Severity(severity), state=SignalState.FIRING, summary=f"{fp} failing",
                    ts=time.time() - ago)
    with world.platform.db.session() as session:
        signal_id = record_signal(session, signal)
        return apply_signal(session, signal, signal_id), signal_id


def tick(world) -> list[str]:
    with world.platform.db.session() as session:
        return sla_tick(session, world.platform.clock.now())


@pytest.fixture
def shop(world):
    """acme: a website used by 300 people on a server; globex: one host."""
    post = world.post
    server = post("admin", "/api/v1/assets", json={"tenant": "acme", "name": "srv", "kind": "host"}).json()
    web = post("admin", "/api/v1/assets", json={"tenant": "acme", "name": "shop", "kind": "website",
                                                "attributes": {"users": 300}}).json()
    post("admin", "/api/v1/dependencies", json={"asset_id": web["id"], "depends_on_id": server["id"]})
    gx = post("admin", "/api/v1/assets", json={"tenant": "globex", "name": "gx", "kind": "host"}).json()
    assert world.client.put("/api/v1/tenants/acme/sla", json=POLICY, headers=world.as_("tech")).status_code == 200
    return {"server": server["id"], "web": web["id"], "gx": gx["id"]}


def test_priority_and_sla_timers_in_list_and_detail(world, shop):
    down, _ = fire(world, "acme", shop["server"], "srv:down", ago=3600)  # opened an hour ago
    disk, _ = fire(world, "acme", shop["server"], "srv:disk", severity="warning", ago=3 * 86400)
    assert down != disk
    # 300 users behind the server: P1 and P2, both around the clock, both past their response target.
    assert set(tick(world)) == {down, disk}
    r = world.get("tech", "/api/v1/incidents", params={"priority": "P1"})
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [down]
    item = r.json()["items"][0]
    assert item["priority"] == "P1" and item["impact"]["services"] == ["shop"] and item["impact"]["users"] == 300
    assert item["sla"]["response"]["breached"] and item["sla"]["response"]["remaining_seconds"] < -2000
    everything = world.get("tech", "/api/v1/incidents").json()["items"]
    assert [i["id"] for i in everything][:1] == [down]  # worst first
    assert world.get("tech", "/api/v1/incidents", params={"priority": "P9"}).status_code == 422
    summary = world.get("acme-user", "/api/v1/tenants/acme/sla").json()
    assert summary["breaches_by_kind"] == {"response": 2, "resolution": 1}
    assert summary["breaches_by_priority"] == {"P1": 1, "P2": 2}
    assert summary["policy"]["holidays"] == ["2026-12-25"]


def test_actions_priority_link_merge_split(world, shop):
    a, s1 = fire(world, "acme", shop["server"], "srv:down")
    b, s2 = fire(world, "acme", shop["web"], "shop:slow", severity="warning", ago=7200)  # too early to group
    _, s3 = fire(world, "acme", shop["web"], "shop:tls", severity="warning", ago=7190)
    url = "/api/v1/incidents/{}/actions"
    r = world.post("tech", url.format(b), json={"action": "set_priority", "priority": "P3"})
    assert r.status_code == 422 and r.json()["where"] == "message"
    r = world.post("tech", url.format(b), json={"action": "set_priority", "priority": "P3", "message": "slow only"})
    assert r.status_code == 200 and (r.json()["priority"], r.json()["priority_overridden"]) == ("P3", True)
    r = world.post("tech", url.format(b), json={"action": "link", "other": a, "kind": "caused-by"})
    assert [(x["kind"], x["incident_id"]) for x in r.json()["links"]] == [("caused-by", a)]
    new = world.post("tech", url.format(b), json={"action": "split", "signal_ids": [s3], "title": "TLS"}).json()
    assert new["signal_ids"] == [s3] and new["title"] == "TLS"
    r = world.post("tech", url.format(a), json={"action": "merge", "other": b, "message": "one outage"})
    assert r.status_code == 200 and set(r.json()["signal_ids"]) == {s1, s2}
    merged = world.get("tech", f"/api/v1/incidents/{b}").json()
    assert (merged["status"], merged["merged_into"]) == ("closed", a)
    r = world.post("tech", url.format(a), json={"action": "merge", "other": b})
    assert r.status_code == 409


def test_other_tenant_is_not_found_for_a_client_and_refused_across_tenants(world, shop):
    gx, _ = fire(world, "globex", shop["gx"], "gx:down")
    own, _ = fire(world, "acme", shop["server"], "srv:down")
    url = "/api/v1/incidents/{}/actions"
    for who, target, body in (("acme-user", gx, {"action": "set_priority", "priority": "P1", "message": "x"}),
                              ("acme-user", own, {"action": "merge", "other": gx}),
                              ("tech", own, {"action": "link", "other": "nonexistent", "kind": "related"})):
        r = world.post(who, url.format(target), json=body)
        assert r.status_code in (403, 404), (who, body, r.status_code)
        assert r.status_code == 404 or who == "acme-user"
    r = world.post("acme-user", url.format(own), json={"action": "comment", "message": "hi"})
    assert r.status_code == 403  # read-only, but allowed to know its own incident exists
    r = world.post("tech", url.format(own), json={"action": "merge", "other": gx})
    assert r.status_code == 422 and r.json()["where"] == "other"
    for method, path in (("get", "/api/v1/tenants/globex/sla"), ("put", "/api/v1/tenants/globex/sla"),
                         ("delete", "/api/v1/tenants/globex/sla"), ("get", f"/api/v1/incidents/{gx}")):
        kwargs = {"json": POLICY} if method == "put" else {}
        r = getattr(world.client, method)(path, headers=world.as_("acme-user"), **kwargs)
        assert r.status_code == 404, (method, path, r.status_code)
    assert world.get("tech", f"/api/v1/incidents/{gx}").json()["priority_overridden"] is False


def test_policy_api_validates_and_removes(world, shop):
    bad = {**POLICY, "hours": {"mon": ["08:00-18:00", "17:00-19:00"]}}
    r = world.client.put("/api/v1/tenants/acme/sla", json=bad, headers=world.as_("tech"))
    assert r.status_code == 422 and "overlap" in r.text
    r = world.client.put("/api/v1/tenants/acme/sla", json={**POLICY, "timezone": "Nowhere/Land"},
                         headers=world.as_("tech"))
    assert r.status_code == 422 and "timezone" in r.text
    assert world.get("tech", "/api/v1/tenants/acme/sla").json()["policy"]["hours"] == POLICY["hours"]
    incident, _ = fire(world, "acme", shop["server"], "srv:down")
    tick(world)
    assert world.get("tech", f"/api/v1/incidents/{incident}").json()["sla"]["priority"] == "P1"
    assert world.client.put("/api/v1/tenants/acme/sla", json=POLICY, headers=world.as_("acme-user")).status_code == 403
    assert world.delete("tech", "/api/v1/tenants/acme/sla").status_code == 204
    assert world.get("tech", f"/api/v1/incidents/{incident}").json()["sla"] is None
    assert world.get("tech", "/api/v1/tenants/acme/sla").json()["policy"] is None


def _login(client, username: str) -> str:
    import re

    from forewarn.testing.platform import TEST_USER_PASSWORD

    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"username": username, "password": TEST_USER_PASSWORD, "csrf_token": csrf,
                                "next": "/"}, follow_redirects=False)
    return re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/").text).group(1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ui_shows_priority_countdown_and_tenant_sla_and_sets_priority(world, shop):
    incident, _ = fire(world, "acme", shop["server"], "srv:down", ago=60)
    tick(world)
    token = _login(world.client, "tech")
    page = world.client.get(f"/ui/incidents/{incident}").text
    assert 'id="incident-priority"' in page and ">P1<" in page
    assert 'id="sla-response"' in page and "left" in page and "resolution" in page
    r = world.client.post(f"/ui/incidents/{incident}/actions", headers={"X-CSRF-Token": token},
                          data={"action": "set_priority", "priority": "P2", "message": "<b>calm</b> client"})
    assert r.status_code == 200 and ">P2<" in r.text and "&lt;b&gt;calm" in r.text
    r = world.client.post(f"/ui/incidents/{incident}/actions", headers={"X-CSRF-Token": token},
                          data={"action": "set_priority", "priority": "P7", "message": "x"})
    assert r.status_code == 422 and "priority" in r.text
    tenant = world.client.get("/ui/tenants/acme").text
    assert 'id="sla-summary"' in tenant and "Europe/Berlin" in tenant and "0 breaches" in tenant
