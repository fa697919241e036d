"""The server-rendered UI: login with CSRF and rate limit, pages per tenant scope, htmx actions."""

from __future__ import annotations

import re
import time

import pytest

from forewarn.alerting import record_signal
from forewarn.core.enums import Severity, SignalState
from forewarn.core.records import Signal
from forewarn.incidents import apply_signal
from forewarn.testing.platform import TEST_USER_PASSWORD

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def login(client, username: str, password: str = TEST_USER_PASSWORD):
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf,
                                       "next": "/"}, follow_redirects=False)


def csrf_of(client) -> str:
    return re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/").text).group(1)


def open_incident(world, tenant: str, name: str) -> str:
    asset = world.post("admin", "/api/v1/assets", json={"tenant": tenant, "name": name, "kind": "host"}).json()
    signal = Signal(fingerprint=f"test:{name}", tenant_id=world.tenants[tenant], asset_id=asset["id"], kind="check",
                    severity=Severity.WARNING, state=SignalState.FIRING, summary="disk 85% used", ts=time.time())
    with world.platform.db.session() as session:
        return apply_signal(session, signal, record_signal(session, signal))


def test_pages_need_a_login(world):
    r = world.client.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_every_page_names_an_icon_that_is_served(world):
    page = world.client.get("/login")
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page.text).group(1)
    r = world.client.get(icon)
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml") and b"<svg" in r.content


def test_login_rejects_wrong_password_and_forged_form(world):
    assert login(world.client, "tech", "wrong-password").status_code == 401
    r = world.client.post("/login", data={"username": "tech", "password": TEST_USER_PASSWORD,
                                          "csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403


def test_login_attempts_are_rate_limited(world):
    statuses = [login(world.client, "tech", "wrong-password").status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429
    assert login(world.client, "tech").status_code == 429  # even the right password waits


def test_overview_tenant_asset_and_incident_pages(world):
    incident_id = open_incident(world, "acme", "srv-files")
    assert login(world.client, "tech").status_code == 303
    overview = world.client.get("/")
    assert "ACME Dental" in overview.text and "srv-files: disk 85% used" in overview.text
    assert 'hx-trigger="every 5s"' in overview.text  # live refresh without reloads
    assert "ACME Dental" in world.client.get("/ui/overview").text
    assert "srv-files" in world.client.get("/tenants/acme").text
    page = world.client.get(f"/incidents/{incident_id}")
    assert "proactive" in page.text and "Acknowledge" in page.text
    assert "srv-files" in world.client.get("/incidents").text


def test_incident_actions_through_htmx_need_the_csrf_token(world):
    incident_id = open_incident(world, "acme", "srv-files")
    login(world.client, "tech")
    url = f"/ui/incidents/{incident_id}/actions"
    assert world.client.post(url, data={"action": "acknowledge"}).status_code == 403
    token = csrf_of(world.client)
    r = world.client.post(url, data={"action": "acknowledge"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and "acknowledged" in r.text
    r = world.client.post(url, data={"action": "comment", "message": "<script>alert(1)</script> on it"},
                          headers={"X-CSRF-Token": token})
    assert "&lt;script&gt;" in r.text and "<script>alert(1)" not in r.text
    r = world.client.post(url, data={"action": "assign", "assignee": "tech"}, headers={"X-CSRF-Token": token})
    assert "<strong>tech</strong>" in r.text
    r = world.client.post(url, data={"action": "close"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 409 and "cannot close" in r.text
    detail = world.get("admin", f"/api/v1/incidents/{incident_id}").json()
    assert [e["kind"] for e in detail["timeline"]] == ["opened", "status", "comment", "assigned"]


def test_client_user_sees_only_its_tenant_in_the_ui(world):
    mine = open_incident(world, "acme", "acme-srv")
    theirs = open_incident(world, "globex", "globex-srv")
    login(world.client, "acme-user")
    overview = world.client.get("/").text
    assert "acme-srv" in overview and "globex-srv" not in overview and "Globex" not in overview
    for url in ("/tenants/globex", f"/incidents/{theirs}", f"/ui/incidents/{theirs}", "/ui/tenants/globex"):
        assert world.client.get(url, headers={"accept": "text/html"}).status_code == 404, url
    page = world.client.get(f"/incidents/{mine}").text
    assert "Acknowledge" not in page  # read-only accounts get no action buttons
    token = csrf_of(world.client)
    r = world.client.post(f"/ui/incidents/{mine}/actions", data={"action": "acknowledge"},
                          headers={"X-CSRF-Token": token})
    assert r.status_code == 403


def test_logout_ends_the_session(world):
    login(world.client, "tech")
    token = csrf_of(world.client)
    r = world.client.post("/logout", headers={"X-CSRF-Token": token, "HX-Request": "true"})
    assert r.headers.get("hx-redirect") == "/login"
    assert world.client.get("/", headers={"accept": "text/html"}, follow_redirects=False).status_code == 303


def test_maintenance_windows_from_the_tenant_page(world):
    login(world.client, "tech")
    token = csrf_of(world.client)
    assert "Maintenance windows" in world.client.get("/tenants/acme").text
    r = world.client.post("/ui/tenants/acme/silences", headers={"X-CSRF-Token": token},
                          data={"starts": "2026-12-01T02:00", "hours": "3", "recurrence": "weekly",
                                "reason": "<b>patching</b>"})
    assert r.status_code == 200 and "weekly" in r.text and "&lt;b&gt;patching" in r.text
    [window] = world.get("tech", "/api/v1/silences", params={"tenant": "acme"}).json()
    assert window["ends_at"] - window["starts_at"] == 3 * 3600 and window["asset"] is None
    r = world.client.post("/ui/tenants/acme/silences", headers={"X-CSRF-Token": token},
                          data={"starts": "not a date", "hours": "3"})
    assert r.status_code == 422
    r = world.client.post(f"/ui/silences/{window['id']}/delete", headers={"X-CSRF-Token": token},
                          data={"tenant": "acme"})
    assert r.status_code == 200 and world.get("tech", "/api/v1/silences").json() == []
    login(world.client, "globex-user")
    assert world.client.get("/ui/tenants/acme/silences", headers={"accept": "text/html"}).status_code == 404
