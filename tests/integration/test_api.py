"""REST API v1: CRUD, paging and filters, errors as sentences, tokens — on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import numpy as np


def make_asset(world, tenant="acme", name="srv1", kind="host", **extra):
    r = world.post("admin", "/api/v1/assets", json={"tenant": tenant, "name": name, "kind": kind, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def test_health_and_openapi(world):
    assert world.client.get("/api/v1/health").json()["status"] == "ok"
    assert "/api/v1/assets" in world.client.get("/api/openapi.json").json()["paths"]
    assert world.client.get("/api/docs").status_code == 200


def test_requests_without_credentials_are_refused(world):
    assert world.client.get("/api/v1/assets").status_code == 401
    r = world.client.get("/api/v1/assets", headers={"Authorization": "Bearer fw_nope"})
    assert r.status_code == 401 and "invalid or revoked" in r.json()["error"]


def test_tenant_site_asset_dependency_check_crud(world):
    assert world.post("admin", "/api/v1/sites", json={"tenant": "acme", "name": "HQ"}).status_code == 201
    web = make_asset(world, name="web", kind="website", site="HQ")
    db = make_asset(world, name="db", kind="database")
    assert web["site"] == "HQ"
    dep = world.post("tech", "/api/v1/dependencies", json={"asset_id": web["id"], "depends_on_id": db["id"]})
    assert dep.status_code == 201
    cycle = world.post("tech", "/api/v1/dependencies", json={"asset_id": db["id"], "depends_on_id": web["id"]})
    assert cycle.status_code == 422 and "cycle" in cycle.json()["error"]
    check = world.post("tech", "/api/v1/checks", json={"asset": db["id"], "name": "port", "kind": "tcp",
                                                        "params": {"port": 5432}, "interval": 30})
    assert check.status_code == 201, check.text
    cid = check.json()["id"]
    assert world.patch("tech", f"/api/v1/checks/{cid}", json={"interval": 60}).json()["interval"] == 60
    assert world.patch("tech", f"/api/v1/assets/{db['id']}", json={"address": "127.0.0.1"}).json()["address"] \
        == "127.0.0.1"
    assert world.delete("tech", f"/api/v1/checks/{cid}").status_code == 204
    assert world.get("tech", f"/api/v1/checks/{cid}").status_code == 404
    assert world.delete("admin", f"/api/v1/assets/{web['id']}").status_code == 204
    assert world.get("admin", "/api/v1/dependencies").json()["total"] == 0


def test_lists_page_and_filter(world):
    for i in range(7):
        make_asset(world, name=f"host-{i}", kind="host" if i % 2 else "service")
    page = world.get("tech", "/api/v1/assets", params={"tenant": "acme", "limit": 3, "offset": 3}).json()
    assert page["total"] == 7 and [a["name"] for a in page["items"]] == ["host-3", "host-4", "host-5"]
    assert world.get("tech", "/api/v1/assets", params={"kind": "service"}).json()["total"] == 4
    assert world.get("tech", "/api/v1/assets", params={"q": "host-6"}).json()["total"] == 1
    assert world.get("tech", "/api/v1/assets", params={"limit": 0}).status_code == 422


def test_malformed_payloads_get_a_field_and_a_sentence(world):
    r = world.post("admin", "/api/v1/assets", json={"tenant": "acme", "name": "x", "kind": "toaster"})
    assert r.status_code == 422 and r.json()["where"] == "kind"
    r = world.post("admin", "/api/v1/assets", json={"tenant": "acme", "name": "x", "kind": "host", "color": 1})
    assert r.status_code == 422 and "unknown field" in r.json()["error"]
    r = world.post("admin", "/api/v1/checks", json={"asset": make_asset(world)["id"], "name": "c", "kind": "tcp",
                                                    "params": {"port": "eighty"}})
    assert r.status_code == 422 and r.json()["where"].startswith("params.port")
    r = world.client.post("/api/v1/assets", content=b"{not json", headers={**world.as_("admin"),
                                                                           "content-type": "application/json"})
    assert r.status_code == 422
    assert world.get("admin", "/api/v1/assets", params={"tenant": "acme"}).json()["total"] == 1


def test_oversized_requests_are_refused(world):
    big = b"x" * (world.platform.settings.max_request_bytes + 1)
    r = world.client.post("/api/v1/ingest", content=big, headers=world.as_("admin"))
    assert r.status_code == 413


def test_duplicate_names_conflict(world):
    make_asset(world, name="dup")
    r = world.post("admin", "/api/v1/assets", json={"tenant": "acme", "name": "dup", "kind": "host"})
    assert r.status_code == 409 and "already exists" in r.json()["error"]


def test_ingest_then_read_samples_downsampled(world):
    asset = make_asset(world)
    now = time.time()
    ts = now - 3600 + np.arange(3600, dtype=float)
    body = {"series": [{"asset": asset["id"], "name": "cpu_percent", "unit": "%"},
                       {"asset": asset["id"], "name": "disk_used_percent", "labels": {"mount": "/"}}],
            "samples": {"series": [0] * 3600 + [1] * 3600, "timestamps": list(ts) * 2,
                        "values": list(np.sin(ts)) + [50.0] * 3600}}
    r = world.post("tech", "/api/v1/ingest", json=body)
    assert r.status_code == 202 and r.json()["accepted"] == 7200
    series = world.get("tech", "/api/v1/series", params={"asset": asset["id"]}).json()
    assert {s["name"] for s in series} == {"cpu_percent", "disk_used_percent"}
    disk = next(s for s in series if s["name"] == "disk_used_percent")
    assert disk["labels"] == {"mount": "/"}
    out = world.get("tech", f"/api/v1/series/{disk['id']}/samples",
                    params={"start": now - 3600, "end": now + 1, "max_points": 100}).json()
    assert 0 < len(out["timestamps"]) <= 100 and set(out["values"]) == {50.0}
    charts = world.get("tech", "/api/v1/series/samples", params={"asset": asset["id"], "max_points": 50}).json()
    assert len(charts) == 2 and all(0 < len(c["values"]) <= 50 for c in charts)


def test_ingest_rejects_bad_batches_without_storing_anything(world):
    asset = make_asset(world)
    bad = [
        ({"series": [], "samples": {}}, "series"),
        ({"series": [{"asset": asset["id"], "name": "x"}], "samples": {"series": [1], "timestamps": [1.0],
                                                                       "values": [1.0]}}, "samples.series"),
        ({"series": [{"asset": asset["id"], "name": "x"}], "samples": {"series": [0, 0], "timestamps": [1.0],
                                                                       "values": [1.0]}}, "samples"),
        ({"series": [{"asset": asset["id"], "name": "x", "labels": {"a": 1}}],
          "samples": {"series": [0], "timestamps": [1.0], "values": [1.0]}}, "series.0.labels"),
    ]
    for body, where in bad:
        r = world.post("tech", "/api/v1/ingest", json=body)
        assert r.status_code == 422 and r.json()["where"] == where, r.text
    r = world.post("tech", "/api/v1/ingest", json={"series": [{"asset": "nope", "name": "x"}],
                                                   "samples": {"series": [0], "timestamps": [1.0], "values": [1.0]}})
    assert r.status_code == 404
    assert world.get("tech", "/api/v1/series", params={"asset": asset["id"]}).json() == []


def test_client_users_are_read_only(world):
    asset = make_asset(world)
    r = world.patch("acme-user", f"/api/v1/assets/{asset['id']}", json={"description": "mine"})
    assert r.status_code == 403 and "read-only" in r.json()["error"]
    assert world.get("acme-user", f"/api/v1/assets/{asset['id']}").status_code == 200


def test_me_reports_role_and_tenant(world):
    me = world.get("acme-user", "/api/v1/me").json()
    assert me == {"username": "acme-user", "role": "client", "tenant_id": world.tenants["acme"]}


def test_a_burst_of_a_log_pattern_opens_an_incident(world):
    asset = make_asset(world, name="srv-ssh")
    t0 = 1_767_225_600.0
    normal = [{"asset": asset["id"], "ts": t0 + i * 20, "message": f"Accepted publickey for deploy from 10.0.0.{i % 9} "
               f"port {40000 + i} ssh2", "app": "sshd"} for i in range(3 * 180)]  # two hours, three per minute
    burst = [{"asset": asset["id"], "ts": t0 + 3 * 3600 + i * 0.25,
              "message": f"Failed password for root from 203.0.113.{i % 50} port {50000 + i} ssh2", "app": "sshd"}
             for i in range(480)]  # two minutes at 240 per minute
    after = [{"asset": asset["id"], "ts": t0 + 3 * 3600 + 180 + i, "message": "Accepted publickey for deploy from "
              "10.0.0.1 port 41000 ssh2"} for i in range(3)]
    for chunk in (normal, burst, after):
        assert world.post("tech", "/api/v1/logs", json={"lines": chunk}).status_code == 202
    world.client.portal.call(world.platform.bus.drain)
    incidents = world.get("tech", "/api/v1/incidents", params={"asset": asset["id"]}).json()["items"]
    titles = [i["title"] for i in incidents]
    assert any("Failed password for root from <*> port <*> ssh2" in t and "/min" in t for t in titles), titles
    assert not any("Accepted publickey" in t for t in titles)  # learnt as normal
    r = world.post("tech", "/api/v1/logs", json={"lines": [{"asset": asset["id"], "ts": 1, "message": "x" * 70_000}]})
    assert r.status_code == 422 and r.json()["where"].startswith("lines.0.message")
    assert world.post("acme-user", "/api/v1/logs", json={"lines": normal[:1]}).status_code == 403
