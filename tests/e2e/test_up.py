"""`forewarn up` end to end over HTTP: local monitoring, inventory as code, an outage and its recovery,
and no acknowledged sample lost to kill -9."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from forewarn.testing.loopback import LoopbackHttpServer
from forewarn.testing.polling import poll

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "acme.yaml"


def api(server, token):
    return httpx.Client(base_url=server.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_local_host_is_monitored_without_setup(server):
    c = api(server, server.token())
    host = c.get("/assets", params={"tenant": "internal"}).json()["items"][0]
    assert host["kind"] == "host" and "forewarn-local" in host["tags"]

    wanted = {"cpu_percent", "load1", "memory_used_percent", "swap_used_percent", "disk_used_percent",
              "disk_read_bytes_per_second", "network_receive_bytes_per_second", "process_count", "uptime_seconds"}

    def charted() -> set[str]:
        series = c.get("/series/samples", params={"asset": host["id"], "max_points": 100}).json()
        return {s["name"].split("{")[0] for s in series if s["values"]}

    assert poll(lambda: wanted <= charted(), timeout=60)
    page = httpx.get(f"{server.url}/assets/{host['id']}", headers=c.headers)
    assert page.status_code == 200 and "charts.js" in page.text


def test_inventory_apply_is_idempotent_and_exports(server):
    first = server.cli("inventory", "apply", str(EXAMPLE))
    assert "created" in first.stdout and "asset intranet" in first.stdout
    again = server.cli("inventory", "apply", str(EXAMPLE))
    assert again.stdout.strip().endswith("no changes")
    c = api(server, server.token())
    assert c.get("/assets", params={"tenant": "acme"}).json()["total"] == 10
    assert c.get("/dependencies", params={"tenant": "acme"}).json()["total"] == 10
    exported = server.cli("inventory", "export", "--tenant", "acme").stdout
    assert "intranet" in exported and "depends_on" in exported
    bad = server.cli("inventory", "apply", str(REPO / "pyproject.toml"), check=False)
    assert bad.returncode == 2 and "pyproject.toml:" in bad.stderr and "Traceback" not in bad.stderr


def test_outage_opens_an_incident_and_recovery_resolves_it(server):
    intranet = LoopbackHttpServer(port=18080)
    intranet.reply("/", body="<h1>ACME intranet</h1>")
    intranet.start()
    try:
        server.cli("inventory", "apply", str(EXAMPLE))
        c = api(server, server.token())
        asset = c.get("/assets", params={"tenant": "acme", "q": "intranet"}).json()["items"][0]
        check = c.get("/checks", params={"asset": asset["id"]}).json()["items"][0]
        assert c.patch(f"/checks/{check['id']}", json={"interval": 1}).status_code == 200
        poll(lambda: c.get(f"/checks/{check['id']}").json()["last_status"] == "OK")

        def open_incident():
            items = c.get("/incidents", params={"asset": asset["id"], "open": True}).json()["items"]
            return items[0] if items else None

        intranet.stop()
        incident = poll(open_incident, timeout=30)
        assert incident["severity"] == "critical"
        intranet.start()
        resolved = poll(lambda: c.get(f"/incidents/{incident['id']}").json()["status"] == "resolved", timeout=30)
        assert resolved
        timeline = c.get(f"/incidents/{incident['id']}").json()["timeline"]
        assert [e["kind"] for e in timeline][0] == "opened" and timeline[-1]["data"]["to"] == "resolved"
    finally:
        intranet.stop()


def test_kill_minus_nine_after_ingest_loses_nothing(server):
    c = api(server, server.token())
    host = c.get("/assets", params={"tenant": "internal"}).json()["items"][0]
    now = time.time()
    n = 5000
    body = {"series": [{"asset": host["id"], "name": "e2e_durability"}],
            "samples": {"series": [0] * n, "timestamps": [now - n + i for i in range(n)],
                        "values": [float(i) for i in range(n)]}}
    assert c.post("/ingest", json=body).json()["accepted"] == n
    server.kill()
    server.start()
    c = api(server, server.token())
    series = next(s for s in c.get("/series", params={"asset": host["id"]}).json() if s["name"] == "e2e_durability")
    out = c.get(f"/series/{series['id']}/samples", params={"start": now - n - 1, "end": now + 1,
                                                           "max_points": 10000}).json()
    assert len(out["values"]) == n and sum(out["values"]) == sum(range(n))
