"""A client user never sees or changes another tenant's data: every endpoint answers 404, not 403."""

from __future__ import annotations

import time

import pytest

from forewarn.alerting import record_signal
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.incidents import apply_signal


@pytest.fixture
def globex(world):
    """A full set of globex rows: site, two assets, a dependency, a check, a series and an incident."""
    post = world.post
    site = post("admin", "/api/v1/sites", json={"tenant": "globex", "name": "HQ"}).json()
    a = post("admin", "/api/v1/assets", json={"tenant": "globex", "name": "gx-web", "kind": "website"}).json()
    b = post("admin", "/api/v1/assets", json={"tenant": "globex", "name": "gx-db", "kind": "database"}).json()
    dep = post("admin", "/api/v1/dependencies", json={"asset_id": a["id"], "depends_on_id": b["id"]}).json()
    check = post("admin", "/api/v1/checks", json={"asset": b["id"], "name": "port", "kind": "tcp",
                                                  "params": {"port": 5432}}).json()
    post("admin", "/api/v1/ingest", json={"series": [{"asset": b["id"], "name": "cpu"}],
                                          "samples": {"series": [0], "timestamps": [time.time()], "values": [1.0]}})
    series = world.get("admin", "/api/v1/series", params={"asset": b["id"]}).json()[0]
    signal = Signal(fingerprint=f"check:{check['id']}", tenant_id=world.tenants["globex"], asset_id=b["id"],
                    kind="check", severity=Severity.CRITICAL, state=SignalState.FIRING, summary="down",
                    ts=time.time(), check_id=check["id"])
    with world.platform.db.session() as session:
        incident_id = apply_signal(session, signal, record_signal(session, signal))
    return {"site": site["id"], "asset": b["id"], "dep": dep["id"], "check": check["id"],
            "series": series["id"], "incident": incident_id}


def test_every_read_of_another_tenant_is_not_found(world, globex):
    g = globex
    urls = [
        "/api/v1/tenants/globex", f"/api/v1/tenants/{world.tenants['globex']}", f"/api/v1/sites/{g['site']}",
        f"/api/v1/assets/{g['asset']}", f"/api/v1/checks/{g['check']}", f"/api/v1/checks/{g['check']}/results",
        f"/api/v1/series/{g['series']}/samples", f"/api/v1/incidents/{g['incident']}",
        f"/api/v1/series?asset={g['asset']}", f"/api/v1/series/samples?asset={g['asset']}",
        f"/api/v1/dependencies?asset={g['asset']}", "/api/v1/sites?tenant=globex", "/api/v1/assets?tenant=globex",
        "/api/v1/checks?tenant=globex", "/api/v1/incidents?tenant=globex", "/api/v1/assets?tenant=gx-nonexistent",
    ]
    for url in urls:
        r = world.get("acme-user", url)
        assert r.status_code == 404, (url, r.status_code, r.text)
        assert "globex" not in r.text.lower() or "'globex'" in r.text  # only the ref the caller sent


def test_every_write_to_another_tenant_is_not_found(world, globex):
    g = globex
    calls = [
        ("patch", "/api/v1/tenants/globex", {"name": "pwned"}),
        ("delete", "/api/v1/tenants/globex", None),
        ("patch", f"/api/v1/sites/{g['site']}", {"name": "pwned"}),
        ("delete", f"/api/v1/sites/{g['site']}", None),
        ("patch", f"/api/v1/assets/{g['asset']}", {"description": "pwned"}),
        ("delete", f"/api/v1/assets/{g['asset']}", None),
        ("delete", f"/api/v1/dependencies/{g['dep']}", None),
        ("patch", f"/api/v1/checks/{g['check']}", {"interval": 5}),
        ("delete", f"/api/v1/checks/{g['check']}", None),
        ("post", f"/api/v1/incidents/{g['incident']}/actions", {"action": "acknowledge"}),
        ("post", "/api/v1/sites", {"tenant": "globex", "name": "pwned"}),
        ("post", "/api/v1/assets", {"tenant": "globex", "name": "pwned", "kind": "host"}),
        ("post", "/api/v1/checks", {"asset": g["asset"], "name": "pwned", "kind": "tcp", "params": {"port": 1}}),
    ]
    for method, url, body in calls:
        kwargs = {"json": body} if body is not None else {}
        r = getattr(world, method)("acme-user", url, **kwargs)
        assert r.status_code == 404, (method, url, r.status_code, r.text)
    # Nothing changed: the globex rows read the same for staff.
    assert world.get("admin", f"/api/v1/assets/{g['asset']}").json()["description"] == ""
    assert world.get("admin", f"/api/v1/incidents/{g['incident']}").json()["status"] == "new"
    assert world.get("admin", "/api/v1/sites", params={"tenant": "globex"}).json()["total"] == 1


def test_lists_show_only_the_own_tenant(world, globex):
    world.post("admin", "/api/v1/assets", json={"tenant": "acme", "name": "acme-srv", "kind": "host"})
    for url, key in (("/api/v1/tenants", "id"), ("/api/v1/assets", "tenant_id"), ("/api/v1/sites", "tenant_id"),
                     ("/api/v1/checks", "tenant_id"), ("/api/v1/incidents", "tenant_id"),
                     ("/api/v1/dependencies", "tenant_id")):
        items = world.get("acme-user", url).json()["items"]
        assert all(item[key] == world.tenants["acme"] for item in items), url
    assert world.get("acme-user", "/api/v1/assets").json()["total"] == 1
    assert world.get("globex-user", "/api/v1/incidents").json()["total"] == 1
